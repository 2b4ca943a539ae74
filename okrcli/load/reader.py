"""Typed reading of one YAML mapping of an OKR file, org.yaml or okr.yaml.

`Reader` gives each key of a mapping (a `YMap` from `okrcli.load.source`) its kind
(text, id, number, boolean, ...) and turns what does not fit into a `schema`
diagnostic that says exactly what is wrong and where. The key specs of the OKR file
format live here too, so an unknown key can be told apart from a key one level off.
"""

from __future__ import annotations

import difflib
import math
import re

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode

from ..errors import Diagnostic, Loc, Severity
from ..refs import ITEM_RE
from .source import YMap, YSeq

MAX_MAGNITUDE = 1e15

_IMPLICIT = yaml.resolver.Resolver.yaml_implicit_resolvers
_CONSTRUCT = SafeConstructor()
_TYPE_NAMES = {"bool": "a boolean", "int": "a number", "float": "a number", "null": "empty (null)",
               "timestamp": "a date", "merge": "a merge key", "value": "a special value", "yaml": "a tag"}


_PLAIN_INT = re.compile(r"-?(?:0|[1-9][0-9]{0,14})\Z")
_PLAIN_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]{0,14})\.[0-9]{1,15}\Z")


_NUMBER_KINDS = frozenset(("number", "unit", "positive"))


def implicit_type(text: str) -> str:
    """What YAML 1.1 reads a plain scalar as: str, int, float, bool, null, timestamp, ..."""
    for tag, regexp in _IMPLICIT.get(text[:1], ()):
        if regexp.match(text):
            return tag.rsplit(":", 1)[1]
    return "str"


_TEXT_MEMO: dict[str, bool] = {}  # short plain scalars (ids, units, words) recur in every file


def _reads_as_text(value: str) -> bool:
    """Whether YAML 1.1 reads the plain scalar `value` as text (`implicit_type` is str)."""
    if value[:1] not in _IMPLICIT:
        return True
    known = _TEXT_MEMO.get(value)
    if known is None:
        known = implicit_type(value) == "str"
        if len(value) <= 24:
            _TEXT_MEMO[value] = known
    return known


_NUMBER_MEMO: dict[str, int | float | None] = {}
_ID_MEMO: dict[str, bool] = {}


def _plain_number(value: str) -> int | float | None:
    """The number a plain scalar in one of the common spellings (`12`, `-0.5`) is, else None."""
    try:
        return _NUMBER_MEMO[value]
    except KeyError:
        pass
    num = int(value) if _PLAIN_INT.match(value) else float(value) if _PLAIN_FLOAT.match(value) else None
    if len(value) <= 24:
        _NUMBER_MEMO[value] = num
    return num


def _is_id(value: str) -> bool:
    known = _ID_MEMO.get(value)
    if known is None:
        known = ITEM_RE.match(value) is not None
        if len(value) <= 24:
            _ID_MEMO[value] = known
    return known


# The spellings YAML 1.1 reads as booleans, and what `Reader.boolean` makes of them.
_BOOLS = {word: word.lower() in ("true", "yes", "on")
          for word in ("yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
                       "on", "On", "ON", "off", "Off", "OFF")
          if implicit_type(word) == "bool"}


class Reader:
    """Typed access to one YAML mapping, collecting schema diagnostics as it goes."""

    __slots__ = ("diags", "m", "path", "what")

    def __init__(self, m: YMap, path: str, diags: list[Diagnostic], what: str):
        self.m, self.path, self.diags, self.what = m, path, diags, what

    @property
    def loc(self) -> Loc:
        return Loc(self.path, self.m.line, self.m.col)

    def err(self, line: int, col: int, message: str, rule: str = "schema") -> None:
        self.diags.append(Diagnostic.quick(self.path, line, col, Severity.ERROR, rule, message))

    def keys(self, allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> None:
        """Report unknown keys (with a did-you-mean) and missing required ones."""
        for key, p in self.m.pos.items():
            if key not in allowed:
                self._unknown(key, p, allowed)
        for key in required:
            if key not in self.m:
                self.err(self.m.line, self.m.col, f"{self.what} is missing '{key}'")

    def read(self, spec: dict[str, str], required: tuple[str, ...] = ()) -> dict[str, object]:
        """Every key present, read by its kind in `spec`; unknown and missing keys reported.

        Kinds: text, text? (may be empty), id, number, unit (0..1), positive, bool,
        and raw (returned as written, for the caller to read). The common cases
        take a fast path; everything else goes through the typed readers above,
        which say exactly what is wrong."""
        m, pos, out = self.m, self.m.pos, {}
        for key, value in m.items():
            kind = spec.get(key)
            if kind is None:
                self._unknown(key, pos[key], spec)
                continue
            if kind == "raw":
                out[key] = value
                continue
            if type(value) is str:
                plain = pos[key][5]
                if kind == "text" or kind == "text?":
                    if (not plain or _reads_as_text(value)) and (
                            kind == "text?" or (value and not value.isspace())):
                        out[key] = value
                        continue
                elif kind == "id":
                    if (not plain or _reads_as_text(value)) and _is_id(value):
                        out[key] = value
                        continue
                elif kind == "bool":
                    if plain and value in _BOOLS:
                        out[key] = _BOOLS[value]
                        continue
                elif plain and kind in _NUMBER_KINDS:
                    num = _plain_number(value)
                    if num is not None and (kind == "number" or (kind == "unit" and 0 <= num <= 1)
                                            or (kind == "positive" and num > 0)):
                        out[key] = num
                        continue
            got = self._slow(key, kind)
            if got is not None:
                out[key] = got
        for key in required:
            if key not in m:
                self.err(m.line, m.col, f"{self.what} is missing '{key}'")
        return out

    def _slow(self, key: str, kind: str) -> object:
        if kind == "text":
            return self.text(key)
        if kind == "text?":
            return self.text(key, allow_empty=True)
        if kind == "id":
            return self.text(key, pattern=ITEM_RE, what="id (letters, digits, - and _)")
        if kind == "number":
            return self.number(key)
        if kind == "unit":
            return self.number(key, low=0, high=1)
        if kind == "positive":
            return self.number(key, positive=True)
        if kind == "bool":
            return self.boolean(key)
        raise ValueError(kind)

    def _unknown(self, key: str, p: tuple, allowed) -> None:
        allowed = tuple(allowed)
        home = next((where for where, keys in _NEIGHBOURS.get(self.what, ()) if key in keys()), None)
        if home is not None:  # valid one level up or down: the line is indented wrong
            self.err(p[0], p[1], f"unknown key '{key}' in {self.what}; '{key}' belongs to {home}: "
                                 "check its indentation")
            return
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else f"; allowed: {', '.join(allowed)}"
        self.err(p[0], p[1], f"unknown key '{key}' in {self.what}{hint}")

    def _scalar(self, key: str) -> tuple[str, bool, int, int] | None:
        """(text, plain, line, column) of `key`'s scalar; None when absent or not a scalar (an error)."""
        if key not in self.m:
            return None
        value = self.m[key]
        p = self.m.pos[key]
        if not isinstance(value, str):
            kind = "a list" if isinstance(value, list) else "a mapping"
            self.err(p[3], p[4], f"'{key}' must be a single value, not {kind}")
            return None
        return value, p[5], p[3], p[4]

    def text(self, key: str, *, pattern=None, what: str = "text", allow_empty: bool = False) -> str | None:
        """A string value; a plain scalar that YAML 1.1 reads as something else is an error."""
        got = self._scalar(key)
        if got is None:
            return None
        value, plain, line, col = got
        if plain and not _reads_as_text(value):
            kind = implicit_type(value)
            if kind != "str":
                if kind == "null":
                    self.err(line, col, f"'{key}' is empty; write a value")
                else:
                    self.err(line, col, f"'{key}' must be text, but YAML reads {value} as "
                                        f"{_TYPE_NAMES.get(kind, kind)}; quote it: \"{value}\"")
                return None
        if not value.strip() and not allow_empty:
            self.err(line, col, f"'{key}' is empty; write a value")
            return None
        if pattern is not None and not pattern.match(value):
            self.err(line, col, f"'{value}' is not a valid {what}")
            return None
        return value

    def number(self, key: str, *, low: float | None = None, high: float | None = None,
               positive: bool = False) -> float | None:
        got = self._scalar(key)
        if got is None:
            return None
        value, plain, line, col = got
        if plain:  # the common spellings, without YAML's general resolver
            if _PLAIN_INT.match(value):
                return self._in_range(key, int(value), value, line, col, low, high, positive)
            if _PLAIN_FLOAT.match(value):
                return self._in_range(key, float(value), value, line, col, low, high, positive)
        kind = implicit_type(value) if plain else "str"
        if kind not in ("int", "float"):
            shown = f'"{value}"' if not plain else value
            hint = ""
            if not plain and _is_number_text(value):
                hint = "; remove the quotes"
            elif plain and _is_number_text(value):
                hint = "; YAML 1.1 reads this exponent form as text: write it out (1000) or as 1.0e+3"
            self.err(line, col, f"'{key}' must be a number, not {shown}{hint}")
            return None
        try:
            num = _CONSTRUCT.construct_yaml_int(ScalarNode("", value)) if kind == "int" \
                else _CONSTRUCT.construct_yaml_float(ScalarNode("", value))
            num = float(num) if kind == "float" else num
        except (ValueError, OverflowError):
            self.err(line, col, f"'{key}' is not a usable number: {value}")
            return None
        if isinstance(num, float) and not math.isfinite(num):
            self.err(line, col, f"'{key}' must be a finite number, not {value}")
            return None
        return self._in_range(key, num, value, line, col, low, high, positive)

    def _in_range(self, key: str, num: float, value: str, line: int, col: int,
                  low: float | None, high: float | None, positive: bool) -> float | None:
        if abs(num) > MAX_MAGNITUDE:
            self.err(line, col, f"'{key}' is too large ({value}); keep numbers within ±1e15")
            return None
        if low is not None and high is not None and not low <= num <= high:
            self.err(line, col, f"'{key}' must be between {low:g} and {high:g}, not {value}")
            return None
        if positive and num <= 0:
            self.err(line, col, f"'{key}' must be greater than 0, not {value}")
            return None
        return num

    def boolean(self, key: str) -> bool | None:
        got = self._scalar(key)
        if got is None:
            return None
        value, plain, line, col = got
        if not plain or implicit_type(value) != "bool":
            hint = "; remove the quotes" if not plain and value.lower() in ("true", "false") else ""
            self.err(line, col, f"'{key}' must be true or false, not {value!r}{hint}")
            return None
        return value.lower() in ("true", "yes", "on", "y")

    def seq(self, key: str) -> YSeq | None:
        """A list; a key written with nothing after it (`aligns:`) is an empty list."""
        if key not in self.m:
            return None
        value = self.m[key]
        if isinstance(value, str) and self.m.pos[key][5] and implicit_type(value) == "null":
            empty = YSeq()
            empty.line, empty.col, empty.pos = self.m.pos[key][3], self.m.pos[key][4], []
            return empty
        if not isinstance(value, YSeq):
            p = self.m.pos[key]
            self.err(p[3], p[4], f"'{key}' must be a list (one '- ' item per line, or [a, b])")
            return None
        return value

    def mapping(self, key: str) -> YMap | None:
        if key not in self.m:
            return None
        value = self.m[key]
        if not isinstance(value, YMap):
            p = self.m.pos[key]
            self.err(p[3], p[4], f"'{key}' must be a mapping of key: value lines")
            return None
        return value


def _is_number_text(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def top_mapping(value: object, ok: bool, path: str, diags: list[Diagnostic], what: str) -> YMap | None:
    """The top-level mapping of a parsed file, or None plus a finding saying what the top is."""
    if not ok:
        return None
    if value is None:
        diags.append(Diagnostic(path, 1, 1, Severity.ERROR, "schema", f"file is empty; {what}"))
        return None
    if not isinstance(value, YMap):
        kind = "a list" if isinstance(value, list) else "a single value"
        line, col = (value.line, value.col) if isinstance(value, YSeq) else (1, 1)
        diags.append(Diagnostic(path, line, col, Severity.ERROR, "schema",
                                f"the top level is {kind}; {what}"))
        return None
    return value



# ---------------------------------------------------------------- the OKR file format

OBJECTIVE_SPEC = {"id": "id", "title": "text", "aligns": "raw", "depends_on": "raw", "committed": "bool",
                  "private": "bool", "standalone": "text", "key_results": "raw", "review": "raw",
                  "description": "text?"}
KR_SPEC = {"id": "id", "title": "text", "start": "number", "target": "number", "current": "number",
           "unit": "text?", "keep": "text", "done": "bool", "confidence": "unit", "weight": "positive",
           "score": "unit", "description": "text?", "due": "raw", "sum_of": "raw", "rollup": "text"}
REVIEW_KEYS = ("score", "notes")

# For an unknown key: the mappings just above and below this one in an OKR file, whose keys
# it may be (a dedented `current:` lands in its objective; an indented `aligns:` in a KR).
_NEIGHBOURS = {
    "an OKR file": (("an objective (under objectives:)", lambda: OBJECTIVE_SPEC),),
    "an objective": (("a key result (under key_results:)", lambda: KR_SPEC),
                     ("the objective's review (under review:)", lambda: REVIEW_KEYS),
                     ("the file's top level", lambda: ("objectives",))),
    "a key result": (("its objective", lambda: OBJECTIVE_SPEC),),
    "a review": (("its objective", lambda: OBJECTIVE_SPEC),),
}
