"""How a dataclass field appears in JSON, declared beside the field (`okrcli.render.json` reads it).

A report's JSON is its dataclass tree: fields in order, under their own names. Where the JSON
differs, the field says so in its metadata, never in a dict built beside it:

    rate: float = field(metadata=json_meta(key="share"))     # another key
    org_line: int = field(metadata=json_meta(omit=True))     # not in JSON
    work: list = field(default_factory=list, metadata=json_meta(omit_empty=True))
    filled: int = field(metadata=json_meta(then=("rate",)))  # a property written right after it
    current: Figures = field(metadata=json_meta(flatten=True))  # its fields written into the parent
    owed: list = field(metadata=json_meta(key="follow_up", value=follow_up))  # a value made for JSON
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

KEY, OMIT, OMIT_EMPTY, WHEN, VALUE, THEN, FLATTEN, DROP = (
    "json_key", "json_omit", "omit_empty", "json_when", "json_value", "json_then", "json_flatten", "json_drop")


def json_meta(*, key: str | None = None, omit: bool = False, omit_empty: bool = False,
              when: Callable[[Any], bool] | None = None, value: Callable[[Any], Any] | None = None,
              then: tuple[str, ...] = (), flatten: bool = False, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """The metadata of a field's JSON form: `key` (another name), `omit` (left out), `omit_empty`
    (left out when falsy), `when` (written only when this function of the whole object is true),
    `value` (a function of the whole object, written instead of the attribute), `then`
    (properties written right after it), `flatten` (its fields inlined), `drop` (keys of the
    nested object left out here)."""
    meta: dict[str, Any] = {}
    if when is not None:
        meta[WHEN] = when
    if drop:
        meta[DROP] = tuple(drop)
    if key is not None:
        meta[KEY] = key
    if omit:
        meta[OMIT] = True
    if omit_empty:
        meta[OMIT_EMPTY] = True
    if value is not None:
        meta[VALUE] = value
    if then:
        meta[THEN] = tuple(then)
    if flatten:
        meta[FLATTEN] = True
    return meta
