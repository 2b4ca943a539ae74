"""Build the model from an OKR root: `load_repository(root) -> (Repository, diagnostics)`.

Loading never stops at the first problem. Each file is read, parsed and
converted on its own; what is wrong becomes a `Diagnostic` and what is right
becomes part of the model. Schema checks happen here, while positions are at
hand; the rules in `okrcli.rules` then look at the model as a whole.
"""

from __future__ import annotations

import difflib
import gc
import math
import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode

from ..cycles import Cycle, parse_cycle
from ..errors import Diagnostic, Loc, Severity
from ..model import (
    Company,
    KeyResult,
    Objective,
    OkrFile,
    Org,
    Person,
    RefEntry,
    Repository,
    Review,
    Settings,
    Team,
)
from ..refs import ITEM_RE, OWNER_RE, RefSyntaxError, parse_ref
from .source import CONFIG_FILE, ORG_FILE, YMap, YSeq, list_okr_files, list_okr_tree, load_yaml_file

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


class Reader:
    """Typed access to one YAML mapping, collecting schema diagnostics as it goes."""

    __slots__ = ("diags", "m", "path", "what")

    def __init__(self, m: YMap, path: str, diags: list[Diagnostic], what: str):
        self.m, self.path, self.diags, self.what = m, path, diags, what

    @property
    def loc(self) -> Loc:
        return Loc(self.path, self.m.line, self.m.col)

    def err(self, line: int, col: int, message: str, rule: str = "schema") -> None:
        self.diags.append(Diagnostic(self.path, line, col, Severity.ERROR, rule, message))

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
                    if (not plain or value[:1] not in _IMPLICIT) and (
                            kind == "text?" or (value and not value.isspace())):
                        out[key] = value
                        continue
                elif kind == "id":
                    if (not plain or value[:1] not in _IMPLICIT) and ITEM_RE.match(value):
                        out[key] = value
                        continue
                elif plain and kind in _NUMBER_KINDS:
                    num = int(value) if _PLAIN_INT.match(value) else \
                        float(value) if _PLAIN_FLOAT.match(value) else None
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
        value = self.m[key]
        p = self.m.pos[key]
        if not isinstance(value, str):
            kind = "a list" if isinstance(value, list) else "a mapping"
            self.err(p[3], p[4], f"'{key}' must be a single value, not {kind}")
            return None
        return value, p[5], p[3], p[4]

    def text(self, key: str, *, pattern=None, what: str = "text", allow_empty: bool = False) -> str | None:
        """A string value; a plain scalar that YAML 1.1 reads as something else is an error."""
        if key not in self.m:
            return None
        got = self._scalar(key)
        if got is None:
            return None
        value, plain, line, col = got
        if plain:
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
        if key not in self.m:
            return None
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
        if key not in self.m:
            return None
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


# ---------------------------------------------------------------- OKR files

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


def _refs(r: Reader, key: str, example: str = "platform/O1") -> tuple[RefEntry, ...]:
    items = r.seq(key)
    if not items:
        return ()
    out = []
    for item, (line, col, plain) in zip(items, items.pos):
        loc = Loc(r.path, line, col)
        if not isinstance(item, str) or (plain and implicit_type(item) != "str"):
            r.err(line, col, f"each entry of '{key}' must be a reference such as {example}; quote it")
            continue
        try:
            ref = parse_ref(item)
        except RefSyntaxError as exc:
            r.err(line, col, str(exc))
            continue
        if ref.cycle is not None and parse_cycle(ref.cycle) is None:
            r.err(line, col, f"'{ref.cycle}' in '{item}' is not a valid cycle (YYYY, YYYY-Hn, YYYY-Qn or YYYY-Bn)")
            continue
        out.append(RefEntry(item, ref, loc))
    return tuple(out)


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


def _due(r: Reader, milestone: bool, cycle: Cycle | None) -> date | None:
    """A milestone's `due: YYYY-MM-DD`, inside its cycle; anything else is a `schema` finding."""
    value, p = r.m["due"], r.m.pos["due"]
    if not milestone:
        r.err(p[0], p[1], "'due' is for milestone key results (with 'done'); remove it")
        return None
    day = None
    if isinstance(value, str) and _DATE.match(value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            pass
    if day is None:
        shown = value if isinstance(value, str) else "a list or mapping"
        r.err(p[3], p[4], f"'due' must be a date written YYYY-MM-DD, not {shown}")
        return None
    if cycle is not None and not cycle.contains(day):
        r.err(p[3], p[4], f"'due' {value} is outside the cycle {cycle.id} ({cycle.start.isoformat()} to "
                          f"{cycle.end.isoformat()}); pick a day inside it")
        return None
    return day


def _key_result(m: object, line: int, col: int, path: str, diags: list[Diagnostic],
                cycle: Cycle | None = None) -> KeyResult | None:
    if not isinstance(m, YMap):
        diags.append(Diagnostic(path, line, col, Severity.ERROR, "schema",
                                "a key result must be a mapping with id, title and target (or done)"))
        return None
    r = Reader(m, path, diags, "a key result")
    f = r.read(KR_SPEC, ("id", "title"))
    kr_id, title, target, done, keep = f.get("id"), f.get("title"), f.get("target"), f.get("done"), f.get("keep")
    if keep is not None and keep not in ("above", "below"):
        p = m.pos["keep"]
        r.err(p[3], p[4], f"'keep' must be above or below, not {keep}")
        keep = None
    if "sum_of" in m or "rollup" in m:
        if "due" in m:
            _due(r, False, cycle)  # a derived KR is no milestone: 'due' is a finding
        return _derived_kr(m, r, f, line, col, path)
    if "done" in m:
        kind = "milestone"
        for key in ("start", "target", "current", "keep"):
            if key in m:
                p = m.pos[key]
                r.err(p[0], p[1], f"a milestone key result (with 'done') has no '{key}'; remove one of them")
    elif "target" in m:
        kind = "threshold" if "keep" in m else "numeric"
        if target is None:
            return None
    else:
        r.err(m.line, m.col, "a key result needs 'target' (a number to reach) or 'done' (a milestone)")
        return None
    if kr_id is None or title is None:
        return None
    due = _due(r, kind == "milestone", cycle) if "due" in m else None
    start = f.get("start", 0)
    return KeyResult(
        id=kr_id, title=title, kind=kind, start=start, target=target,
        current=f.get("current", start), done=done, keep=keep, unit=f.get("unit"),
        confidence=f.get("confidence"), weight=f.get("weight", 1), score=f.get("score"),
        loc=Loc(path, line, col), spans=m.pos, due=due,
    )


def _derived_kr(m: YMap, r: Reader, f: dict, line: int, col: int, path: str) -> KeyResult | None:
    """A key result whose value okr computes: `sum_of: [REF, ...]` or `rollup: aligned` (SPEC 2).

    A roll-up is numeric from 0 to 1, its `current` the progress `okrcli.derived` computes;
    a sum keeps its own start and target (and `keep`), its `current` the sum computed there."""
    how = "sum_of" if "sum_of" in m else "rollup"
    if "sum_of" in m and "rollup" in m:
        p = m.pos["rollup"]
        r.err(p[0], p[1], "a key result is a sum (sum_of) or a roll-up (rollup), not both; remove one")
    forbidden = ("current", "done") if how == "sum_of" else ("current", "done", "start", "target", "keep")
    why = ("okr adds up the key results in 'sum_of'" if how == "sum_of"
           else "okr rolls it up from the objectives aligned to it")
    for key in forbidden:
        if key in m:
            p = m.pos[key]
            r.err(p[0], p[1], f"a derived key result ({how}) has no '{key}': {why}; remove '{key}'")
    sources: tuple[RefEntry, ...] = ()
    if how == "sum_of":
        before = len(r.diags)
        sources = _refs(r, "sum_of", "platform/O1/KR1")
        if not sources and len(r.diags) == before:
            p = m.pos["sum_of"]
            r.err(p[3], p[4], "'sum_of' lists no key result: name one (a mirror) or more, "
                              "such as [platform/O1/KR1]")
        if "target" not in m:
            r.err(m.line, m.col, "a sum (sum_of) needs 'target': the total to reach")
            return None
        if f.get("target") is None:
            return None
        start, target = f.get("start", 0), f["target"]
        kind, keep = ("threshold", f.get("keep")) if f.get("keep") in ("above", "below") else ("numeric", None)
    else:
        rollup = f.get("rollup")
        if rollup is None:
            return None
        if rollup != "aligned":
            p = m.pos["rollup"]
            r.err(p[3], p[4], f"'rollup' must be aligned (the objectives aligned to this key result), "
                              f"not {rollup}")
            return None
        start, target, kind, keep = 0, 1, "numeric", None
    kr_id, title = f.get("id"), f.get("title")
    if kr_id is None or title is None:
        return None
    return KeyResult(
        id=kr_id, title=title, kind=kind, start=start, target=target, current=start, done=None,
        keep=keep, unit=f.get("unit"), confidence=f.get("confidence"), weight=f.get("weight", 1),
        score=f.get("score"), loc=Loc(path, line, col), spans=m.pos, derived=how, sum_of=sources,
    )


def _objective(m: object, line: int, col: int, path: str, cycle: str, owner: str,
               diags: list[Diagnostic]) -> Objective | None:
    if not isinstance(m, YMap):
        diags.append(Diagnostic(path, line, col, Severity.ERROR, "schema",
                                "an objective must be a mapping with id, title and key_results"))
        return None
    r = Reader(m, path, diags, "an objective")
    f = r.read(OBJECTIVE_SPEC, ("id", "title", "key_results"))
    obj_id, title = f.get("id"), f.get("title")
    aligns = _refs(r, "aligns") if "aligns" in f else ()
    depends_on = _refs(r, "depends_on") if "depends_on" in f else ()
    review = None
    rm = r.mapping("review") if "review" in f else None
    if rm is not None:
        rr = Reader(rm, path, diags, "a review")
        rr.keys(REVIEW_KEYS)
        review = Review(score=rr.number("score", low=0, high=1), notes=rr.text("notes", allow_empty=True))
    krs, broken = [], []
    items = r.seq("key_results") if "key_results" in f else None
    written = len(items) if items is not None else 0
    if items is not None:
        parsed = parse_cycle(cycle)
        for item, (kline, kcol, _plain) in zip(items, items.pos):
            before = len(diags)
            kr = _key_result(item, kline, kcol, path, diags, parsed)
            if kr is not None:
                krs.append(kr)
            else:  # it still counts: the objective is incomplete, pointing at the finding
                first = diags[before] if len(diags) > before else None
                broken.append(Loc(path, first.line, first.column) if first else Loc(path, kline, kcol))
    if obj_id is None or title is None:
        return None
    return Objective(
        cycle=cycle, owner=owner, id=obj_id, title=title, key_results=tuple(krs),
        aligns=aligns, depends_on=depends_on, committed=bool(f.get("committed")),
        private=bool(f.get("private")), standalone=f.get("standalone"), description=f.get("description"),
        review=review, written_krs=written,
        loc=Loc(path, line, col), spans=m.pos, broken_krs=tuple(broken),
    )


def _top_mapping(value: object, ok: bool, path: str, diags: list[Diagnostic], what: str) -> YMap | None:
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


def load_okr_file(root: Path, rel: str, cycle: str, owner: str, diags: list[Diagnostic],
                  raw: bytes | None = None) -> OkrFile | None:
    value, ok = load_yaml_file(root, rel, diags, raw)
    m = _top_mapping(value, ok, rel, diags, "an OKR file is a mapping with 'objectives:'")
    if m is None:
        return None
    r = Reader(m, rel, diags, "an OKR file")
    r.keys(("objectives",), ("objectives",))
    objectives = []
    items = r.seq("objectives")
    if items is not None:
        for item, (line, col, _plain) in zip(items, items.pos):
            obj = _objective(item, line, col, rel, cycle, owner, diags)
            if obj is not None:
                objectives.append(obj)
    return OkrFile(rel, cycle, owner, tuple(objectives))


# ---------------------------------------------------------------- org.yaml

def _owner_key(key: str, p: tuple, path: str, diags: list[Diagnostic], what: str) -> bool:
    if p[2] and implicit_type(key) != "str":
        diags.append(Diagnostic(path, p[0], p[1], Severity.ERROR, "org",
                                f"{what} id {key} is read by YAML as {_TYPE_NAMES.get(implicit_type(key))}; "
                                f"quote it: \"{key}\""))
        return False
    if not OWNER_RE.match(key):
        diags.append(Diagnostic(path, p[0], p[1], Severity.ERROR, "org",
                                f"'{key}' is not a valid {what} id: use lowercase letters, digits, - and _ "
                                "(up to 64, starting with a letter or digit)"))
        return False
    return True


def missing_org(diags: list[Diagnostic]) -> Org:
    diags.append(Diagnostic(ORG_FILE, 1, 1, Severity.ERROR, "org",
                            "org.yaml is missing: it lists the company, its teams and people"))
    return Org(None, {}, {})


def _owner_entries(r: Reader, section: str, what: str, keys: tuple[str, ...], example: str):
    """(id, Reader, where) of each valid entry of org.yaml's `teams` or `people` mapping."""
    entries = r.mapping(section)
    for key, item in (entries or {}).items():
        p = entries.pos[key]
        if not _owner_key(key, p, r.path, r.diags, what):
            continue
        if not isinstance(item, YMap):
            r.err(p[3], p[4], f"{what} '{key}' must be a mapping such as {example}")
            continue
        reader = Reader(item, r.path, r.diags, f"{what} '{key}'")
        reader.keys(keys, ("name",))
        yield key, reader, Loc(r.path, p[0], p[1])


def load_org(root: Path, diags: list[Diagnostic], raw: bytes | None = None) -> Org:
    rel = ORG_FILE
    if raw is None and not (root / rel).exists():
        return missing_org(diags)
    value, ok = load_yaml_file(root, rel, diags, raw)
    m = _top_mapping(value, ok, rel, diags, "org.yaml is a mapping with company, teams and people")
    if m is None:
        return Org(None, {}, {})
    r = Reader(m, rel, diags, "org.yaml")
    r.keys(("company", "teams", "people"), ("company",))
    company = None
    cm = r.mapping("company")
    if cm is not None:
        cr = Reader(cm, rel, diags, "the company")
        cr.keys(("id", "name", "description"), ("id", "name"))
        cid = cr.text("id")
        if cid is not None and not OWNER_RE.match(cid):
            p = cm.pos["id"]
            cr.err(p[3], p[4], f"'{cid}' is not a valid owner id: use lowercase letters, digits, - and _", "org")
            cid = None
        name = cr.text("name")
        cr.text("description", allow_empty=True)
        if cid is not None:
            company = Company(cid, name or cid, cr.loc)
    teams: dict[str, Team] = {}
    for key, tr, loc in _owner_entries(r, "teams", "team", ("name", "parent", "lead", "description", "github"),
                                       "{name: Platform, parent: eng}"):
        teams[key] = Team(key, tr.text("name") or key, tr.text("parent"), tr.text("lead"), loc, tr.m.pos,
                          _github(tr, GITHUB_TEAM_RE, "ORG/TEAM, e.g. acme/platform"))
        tr.text("description", allow_empty=True)
    people: dict[str, Person] = {}
    for key, pr, loc in _owner_entries(r, "people", "person", ("name", "team", "email", "title", "github"),
                                       "{name: Ada, team: platform}"):
        people[key] = Person(key, pr.text("name") or key, pr.text("team"), pr.text("email"), loc, pr.m.pos,
                             _github(pr, GITHUB_USER_RE, "a GitHub username, e.g. ada-lovelace"))
        pr.text("title", allow_empty=True)
    _unique_github(people, rel, diags)
    return Org(company, teams, people)


# GitHub's rules: a username is 1-39 letters, digits or single inner hyphens; an organisation
# name the same; a team slug letters, digits, '-' and '_'.
_GITHUB_LOGIN = r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}"
GITHUB_USER_RE = re.compile(rf"^{_GITHUB_LOGIN}$")
GITHUB_TEAM_RE = re.compile(rf"^{_GITHUB_LOGIN}/[A-Za-z0-9][A-Za-z0-9_-]{{0,99}}$")


def _github(r: Reader, pattern: re.Pattern, what: str) -> str | None:
    """`github:` of a person or team: a handle reminders can mention, checked against GitHub's rules."""
    value = r.text("github")
    if value is None:
        return None
    if pattern.match(value):
        return value
    p = r.m.pos["github"]
    if value.startswith("@") and pattern.match(value[1:]):
        problem = f"github: '{value}' starts with @; write the handle without it: {value[1:]}"
    else:
        problem = f"github: '{value}' is not a valid GitHub handle: write {what}"
    r.err(p[3], p[4], f"{r.what}: {problem}", "org")
    return None


def _unique_github(people: dict[str, Person], path: str, diags: list[Diagnostic]) -> None:
    """Two people with one GitHub account: a check-in from GitHub could not tell who pressed the button."""
    seen: dict[str, Person] = {}
    for person in people.values():
        if person.github is None:
            continue
        first = seen.setdefault(person.github.casefold(), person)
        if first is not person:
            p = person.spans["github"]
            diags.append(Diagnostic(path, p[3], p[4], Severity.ERROR, "org",
                                    f"person '{person.id}' has github: {person.github}, like '{first.id}' "
                                    f"(line {first.loc.line}); a GitHub account belongs to one person"))


# ---------------------------------------------------------------- the repository

def load_repository(root: Path, blobs: Mapping[str, bytes] | None = None) -> tuple[Repository, list[Diagnostic]]:
    """Load every file under `root`; return the model and all diagnostics found while loading.

    With `blobs` (root-relative path -> bytes, e.g. the files of a git revision),
    those are loaded instead of the files on disk."""
    from ..settings import load_settings  # okr.yaml's reader uses this module's Reader

    diags: list[Diagnostic] = []
    gc_was_enabled = gc.isenabled()
    gc.disable()  # parsing allocates millions of small objects that are never garbage
    try:
        if blobs is None:
            settings = load_settings(root, diags)
            org = load_org(root, diags)
            listing = list_okr_files(root, diags, settings.ignore)
        else:
            settings = load_settings(root, diags, blobs.get(CONFIG_FILE, b""))
            org = load_org(root, diags, blobs[ORG_FILE]) if ORG_FILE in blobs else missing_org(diags)
            modes = getattr(blobs, "modes", None)  # a whole git tree (--at): walked like the disk
            listing = okr_files_in(blobs) if modes is None else list_okr_tree(modes, diags, settings.ignore)
        entries = []
        for rel, cycle, owner in listing:
            if parse_cycle(cycle) is None:
                diags.append(Diagnostic(rel, 1, 1, Severity.ERROR, "cycle-unknown",
                                        f"'{cycle}' is not a valid cycle: use YYYY, YYYY-H1..H2, "
                                        "YYYY-Q1..Q4 or YYYY-B1..B6; rename the folder"))
            else:
                entries.append((rel, cycle, owner))
        from .parallel import load_files

        if blobs is None:
            files, extra = _load_sparse(root, settings, entries, diags)
            listing = [*listing, *extra]
        else:
            files = load_files(root, entries, diags, blobs)
        repository = build_repository(root, settings, org, files)
        if any(kr.derived for f in files for o in f.objectives for kr in o.key_results):
            from ..derived import resolve

            repository = resolve(repository, diags)
    finally:
        # The model lives as long as the command: move it out of the collector's sight, or
        # every later collection would walk millions of objects that can never be garbage.
        gc.freeze()
        if gc_was_enabled:
            gc.enable()
    count = len(listing) + 1 + (ORG_FILE in blobs if blobs is not None else (root / ORG_FILE).exists())
    return replace(repository, file_count=count), diags


def _load_sparse(root: Path, settings: Settings, entries: list[tuple[str, str, str]],
                 diags: list[Diagnostic]) -> tuple[list[OkrFile], list[tuple[str, str, str]]]:
    """The files on disk, plus those a sparse checkout left out of the work tree, read from
    git's index (never reported as removed or missing); a file whose content a partial clone
    does not hold is said to be not checked out. Outside a sparse checkout: the disk only."""
    from .parallel import load_files

    def wanted(rel: str) -> bool:
        folder, _, name = rel.partition("/")
        return (bool(name) and "/" not in name and name.endswith(".yaml") and parse_cycle(folder) is not None
                and folder not in settings.ignore and not name.startswith("."))

    from ..gitstore import index_only_files

    index, missing = index_only_files(root, wanted)
    for rel in missing:
        diags.append(Diagnostic(rel, 1, 1, Severity.WARNING, "yaml-syntax",
                                "not checked out (sparse checkout) and not in this partial clone; okr leaves "
                                f"it out: git sparse-checkout add {rel.split('/')[0]}"))
    files = load_files(root, entries, diags)
    if not index:
        return files, []
    extra = sorted((rel, rel.split("/")[0], rel.split("/")[1][: -len(".yaml")]) for rel in index)
    files += load_files(root, extra, diags, index)
    order = {rel: n for n, rel in enumerate(sorted([e[0] for e in entries] + list(index), key=_folder_order))}
    files.sort(key=lambda f: order.get(f.path, len(order)))
    return files, extra


def _folder_order(rel: str) -> tuple[str, str]:
    folder, _, name = rel.partition("/")
    return folder, name


def okr_files_in(blobs: Mapping[str, bytes]) -> list[tuple[str, str, str]]:
    """(rel, cycle folder, owner) of the `<CYCLE>/<OWNER>.yaml` paths among `blobs`, sorted."""
    from ..cycles import looks_like_cycle

    found = []
    for rel in blobs:
        folder, _, name = rel.partition("/")
        if name and "/" not in name and name.endswith(".yaml") and looks_like_cycle(folder):
            found.append((rel, folder, name[: -len(".yaml")]))
    return sorted(found)


def load_okr_files(root: Path, entries: list[tuple[str, str, str]], diags: list[Diagnostic],
                   blobs: Mapping[str, bytes] | None = None) -> list[OkrFile]:
    """Load the given `(rel, cycle, owner)` OKR files in this process (from `blobs` when given)."""
    files = []
    for rel, cycle, owner in entries:
        okr_file = load_okr_file(root, rel, cycle, owner, diags, None if blobs is None else blobs[rel])
        if okr_file is not None:
            files.append(okr_file)
    return files


def build_repository(root: Path, settings: Settings, org: Org, files: list[OkrFile],
                     file_count: int = 0) -> Repository:
    objectives: dict[str, Objective] = {}
    for f in files:
        for obj in f.objectives:
            objectives.setdefault(obj.key, obj)
    return Repository(root=root, settings=settings, org=org, files=tuple(files), objectives=objectives,
                      file_count=file_count)


# A `private` key whose value is anything but a plain false (`private: false`, `no`, `off`): the
# only files worth parsing to find private objectives.
_MAY_BE_PRIVATE = re.compile(rb"private[\"']?[ \t]*:(?![ \t]*(?:false|no|off|n)[ \t]*(?:[#,}\r\n]|$))",
                             re.IGNORECASE)


def private_objectives(root: Path, files: set[tuple[str, str]]) -> tuple[set[str], set[str]]:
    """Keys (`CYCLE:OWNER/ID`) of the private objectives in the OKR files of the given
    `(cycle, owner)` pairs, and the paths of those that may hold one but could not be read.

    For `okr log`, which reads history without loading the repository: only files that may
    set `private` to something other than false are parsed, so this costs little more than
    reading the bytes."""
    keys: set[str] = set()
    unreadable: set[str] = set()
    for cycle, owner in files:
        rel = f"{cycle}/{owner}.yaml"
        path = root / rel
        try:
            raw = path.read_bytes() if path.is_file() else b""
        except OSError:
            unreadable.add(rel)
            continue
        if b"private" not in raw or not _MAY_BE_PRIVATE.search(raw):
            continue
        diags: list[Diagnostic] = []
        okr_file = load_okr_file(root, rel, cycle, owner, diags, raw)
        if okr_file is None or any(d.severity == Severity.ERROR for d in diags if d.rule == "yaml-syntax"):
            unreadable.add(rel)
            continue
        keys.update(o.key for o in okr_file.objectives if o.private)
    return keys, unreadable
