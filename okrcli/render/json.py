"""JSON of any report: its dataclass tree (hledger's habit), so JSON and text never disagree.

`plain` turns a value into JSON's own types: a dataclass becomes an object of its fields in
order (each as its metadata says, `okrcli.json_fields`), enums their values, dates ISO
strings, tuples lists; floats stay full. Three layouts write it:
- `dumps`: indented by two spaces (status, health, show, diff, new-cycle, log);
- `records`: lists of records one record per line, compact inside, and only the objects
  that hold such lists spread over lines (report, review): written by the C encoder even
  when a review of 10,000 people holds 100,000 records;
- `compact`: one line (the pieces of the streamed documents of export, list and tree).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from enum import Enum

from ..json_fields import DROP, FLATTEN, KEY, OMIT, OMIT_EMPTY, THEN, VALUE, WHEN

_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False)
_PLAN: dict[type, tuple] = {}
_SIMPLE: dict[type, tuple | None] = {}  # per class: ((attribute, key), ...) when no field needs more
_AS_IS = frozenset({str, int, float, bool, type(None)})  # written as they are (exactly these types)


def _plan(cls: type) -> tuple:
    """(attribute, key, omit_empty, when, value, then, flatten, drop) per field shown in JSON, made
    once per class."""
    got = _PLAN.get(cls)
    if got is None:
        got = _PLAN[cls] = tuple(
            (f.name, f.metadata.get(KEY, f.name), bool(f.metadata.get(OMIT_EMPTY)), f.metadata.get(WHEN),
             f.metadata.get(VALUE), f.metadata.get(THEN, ()), bool(f.metadata.get(FLATTEN)), f.metadata.get(DROP, ()))
            for f in fields(cls) if not f.metadata.get(OMIT))
        _SIMPLE[cls] = (tuple((name, key) for name, key, *rest in got) if not any(any(rest) for _, _, *rest in got)
                        else None)
    return got


def plain(value):
    """`value` as JSON's types: dicts, lists, strings, numbers, booleans and None."""
    kind = value.__class__
    if kind in _AS_IS:
        return value
    if kind is list or kind is tuple:
        return [v if v.__class__ in _AS_IS else plain(v) for v in value]
    if kind in _PLAN:  # a dataclass seen before
        return _object(value)
    if value is None or isinstance(value, (str, bool, int, float)):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if is_dataclass(value):
        return _object(value)
    if isinstance(value, Enum):
        return plain(value.value)
    as_json = getattr(value, "as_json", None)  # a record of the history (load.history), one method each
    if as_json is not None:
        return as_json()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return str(value)


def _object(value, skip: str | None = None) -> dict:
    plan = _plan(type(value))
    simple = _SIMPLE[type(value)]
    if simple is not None and skip is None:  # every field under its key, as it is
        out: dict = {}
        for name, key in simple:
            item = getattr(value, name)
            out[key] = item if item.__class__ in _AS_IS else plain(item)
        return out
    out = {}
    for name, key, omit_empty, when, make, then, flatten, drop in plan:
        if name == skip:
            continue
        if when is not None and not when(value):
            continue
        item = make(value) if make is not None else getattr(value, name)
        if omit_empty and not item:
            continue
        item = plain(item)
        if drop and isinstance(item, dict):
            item = {k: v for k, v in item.items() if k not in drop}
        if flatten:
            out.update(item)
        else:
            out[key] = item
        for extra in then:
            out[extra] = plain(getattr(value, extra))
    return out


def dumps(value, *, allow_nan: bool = False) -> str:
    """The value as a JSON document indented by two spaces, ending in a newline."""
    return json.dumps(plain(value), indent=2, ensure_ascii=False, allow_nan=allow_nan) + "\n"


def compact(value) -> str:
    """The value (already plain, or not) as JSON on one line."""
    return _ENCODER.encode(plain(value))


def streamed(value, key: str, items: Iterable | None = None) -> Iterator[str]:
    """The dataclass `value` as a JSON document in pieces, its list `key` (or `items`, when
    given) last, one item per line: an export can be 50 MB, and none of it is held whole."""
    head = _object(value, skip=key)
    yield _ENCODER.encode(head)[:-1] + (", " if head else "") + _ENCODER.encode(key) + ": ["
    sep = "\n"
    for item in getattr(value, key) if items is None else items:
        yield sep + _ENCODER.encode(plain(item))
        sep = ",\n"
    yield "]}\n" if sep == "\n" else "\n]}\n"


def _records(value) -> bool:
    return value.__class__ is list and bool(value) and value[0].__class__ is dict


def _holds_records(value) -> bool:
    if value.__class__ is not dict:
        return False
    for v in value.values():
        if v.__class__ is list and v and v[0].__class__ is dict:
            return True
    return False


def _write(value, indent: str, out: list[str]) -> None:
    if _holds_records(value):
        inner = indent + "  "
        out.append("{")
        for n, (key, item) in enumerate(value.items()):
            out.append(("\n" if n == 0 else ",\n") + inner + _ENCODER.encode(key) + ": ")
            _write(item, inner, out)
        out.append("\n" + indent + "}")
    elif _records(value):
        inner = indent + "  "
        out.append("[")
        encode, first = _ENCODER.encode, True
        for item in value:
            out.append(("\n" if first else ",\n") + inner)
            first = False
            if _holds_records(item) or _records(item):
                _write(item, inner, out)
            else:
                out.append(encode(item))
        out.append("\n" + indent + "]")
    else:
        out.append(_ENCODER.encode(value))


def records(report) -> str:
    """The report as a JSON document in the records layout (see the module doc), ending in a newline."""
    out: list[str] = []
    _write(plain(report), "", out)
    out.append("\n")
    return "".join(out)


to_json = records  # the name the report renderers call
