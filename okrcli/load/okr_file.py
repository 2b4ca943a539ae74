"""Load one OKR file (`<CYCLE>/<OWNER>.yaml`) into the model, with its schema findings.

`load_okr_files` loads many, from the content-addressed cache (`okrcli.load.cache`)
where the same bytes were loaded before: the model and findings of a file depend only
on its bytes, its path (cycle and owner) and okr's own code, all in the key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path

from ..cycles import Cycle, parse_cycle
from ..errors import Diagnostic, Loc, Severity
from ..model import KeyResult, Objective, OkrFile, RefEntry, Review
from ..refs import RefSyntaxError, parse_ref
from . import cache
from .packing import pack_diags, pack_file, unpack_diags, unpack_file
from .reader import (
    _BOOLS,
    KR_SPEC,
    OBJECTIVE_SPEC,
    REVIEW_KEYS,
    Reader,
    _is_id,
    _plain_number,
    _reads_as_text,
    top_mapping,
)
from .source import YMap, load_yaml_file, read_source


def _refs(r: Reader, key: str, example: str = "platform/O1") -> tuple[RefEntry, ...]:
    items = r.seq(key)
    if not items:
        return ()
    out = []
    for item, (line, col, plain) in zip(items, items.pos):
        loc = Loc.quick(r.path, line, col)
        if not isinstance(item, str) or (plain and not _reads_as_text(item)):
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
        out.append(RefEntry.quick(item, ref, loc))
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


# The keys of a key result of the common shape, by kind: 0 a number, 1 from 0 to 1, 2 above 0,
# "id", "text" (not empty), "text?" (may be empty), "bool". `due`, `sum_of` and `rollup` are not
# among them: a key result that has one is read in full.
_PLAIN_KR = {"start": 0, "target": 0, "current": 0, "confidence": 1, "weight": 2, "score": 1, "id": "id",
             "title": "text", "keep": "text", "unit": "text?", "description": "text?", "done": "bool"}


def _plain_kr(m: YMap, line: int, col: int, path: str) -> KeyResult | None:
    """The key result `_key_result` builds from `m` when `m` is of the common shape and holds
    nothing to report (every key of `_PLAIN_KR`, every value a scalar of its kind, a target or
    done, not both): the same object, read in one pass. None for anything else, which
    `_key_result` then reads in full, findings and all."""
    pos, f = m.pos, {}
    for key, value in m.items():
        kind = _PLAIN_KR.get(key)
        if kind is None or type(value) is not str:
            return None
        plain = pos[key][5]
        if type(kind) is int:
            num = _plain_number(value) if plain else None
            if num is None or (kind == 1 and not 0 <= num <= 1) or (kind == 2 and num <= 0):
                return None
            f[key] = num
        elif kind == "bool":
            if not plain or value not in _BOOLS:
                return None
            f[key] = _BOOLS[value]
        else:
            if plain and not _reads_as_text(value):
                return None
            if (kind == "id" and not _is_id(value)) or (kind == "text" and (not value or value.isspace())):
                return None
            f[key] = value
    keep, start = f.get("keep"), f.get("start", 0)
    if "id" not in f or "title" not in f or (keep is not None and keep not in ("above", "below")):
        return None
    if "done" in f:
        if "start" in f or "target" in f or "current" in f or keep is not None:
            return None
        kind = "milestone"
    elif "target" in f:
        kind = "numeric" if keep is None else "threshold"
    else:
        return None
    return KeyResult.quick(f["id"], f["title"], kind, start, f.get("target"), f.get("current", start), f.get("done"),
                           keep, f.get("unit"), f.get("confidence"), f.get("weight", 1), f.get("score"),
                           Loc.quick(path, line, col), pos)


def _key_result(m: object, line: int, col: int, path: str, diags: list[Diagnostic],
                cycle: Cycle | None = None) -> KeyResult | None:
    if type(m) is YMap:
        plain = _plain_kr(m, line, col, path)
        if plain is not None:
            return plain
    return _read_key_result(m, line, col, path, diags, cycle)


def _read_key_result(m: object, line: int, col: int, path: str, diags: list[Diagnostic],
                     cycle: Cycle | None = None) -> KeyResult | None:
    """A key result read key by key, each problem a finding."""
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
    return KeyResult.quick(
        id=kr_id, title=title, kind=kind, start=start, target=target,
        current=f.get("current", start), done=done, keep=keep, unit=f.get("unit"),
        confidence=f.get("confidence"), weight=f.get("weight", 1), score=f.get("score"),
        loc=Loc.quick(path, line, col), spans=m.pos, due=due,
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
    return KeyResult.quick(
        id=kr_id, title=title, kind=kind, start=start, target=target, current=start, done=None,
        keep=keep, unit=f.get("unit"), confidence=f.get("confidence"), weight=f.get("weight", 1),
        score=f.get("score"), loc=Loc.quick(path, line, col), spans=m.pos, derived=how, sum_of=sources,
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
        review = Review.quick(score=rr.number("score", low=0, high=1), notes=rr.text("notes", allow_empty=True))
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
    return Objective.quick(
        cycle=cycle, owner=owner, id=obj_id, title=title, key_results=tuple(krs),
        aligns=aligns, depends_on=depends_on, committed=bool(f.get("committed")),
        private=bool(f.get("private")), standalone=f.get("standalone"), description=f.get("description"),
        review=review, written_krs=written,
        loc=Loc.quick(path, line, col), spans=m.pos, broken_krs=tuple(broken),
    )


def load_okr_file(root: Path, rel: str, cycle: str, owner: str, diags: list[Diagnostic],
                  raw: bytes | None = None) -> OkrFile | None:
    value, ok = load_yaml_file(root, rel, diags, raw)
    m = top_mapping(value, ok, rel, diags, "an OKR file is a mapping with 'objectives:'")
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
    return OkrFile.quick(rel, cycle, owner, tuple(objectives))



def load_okr_files(root: Path, entries: Iterable[tuple[str, str, str]], diags: list[Diagnostic],
                   blobs: Mapping[str, bytes | None] | None = None, salt: bytes = b"",
                   keys: Mapping[str, str] | None = None) -> list[OkrFile]:
    """Load the given `(rel, cycle, owner)` OKR files in this process (from `blobs` when given;
    a None there, or no `blobs`, reads the file on disk), through the cache: a file whose
    bytes were loaded before (same path, same okr; `salt` is okr.yaml's bytes) is not parsed
    again. `keys` are the files' `file_key`s of these very bytes, when the caller has them."""
    use_cache = cache.enabled()
    files = []
    for rel, cycle, owner in entries:
        raw = read_source(root, rel) if blobs is None else blobs[rel]
        if raw is None or not use_cache:
            okr_file = load_okr_file(root, rel, cycle, owner, diags, raw)
        else:
            k = keys.get(rel) if keys is not None else None
            okr_file = _cached_okr_file(root, rel, cycle, owner, diags, raw,
                                        k or file_key(rel, cycle, owner, cache.content_hash(raw), salt))
        if okr_file is not None:
            files.append(okr_file)
    return files


def file_key(rel: str, cycle: str, owner: str, digest: bytes, salt: bytes) -> str:
    """The key a loaded file (its model and findings) is kept under: its path, what the path
    says, the hash of its bytes and `salt` (okr.yaml's bytes)."""
    return cache.key("okr-file", rel, cycle, owner, digest, salt)


def _cached_okr_file(root: Path, rel: str, cycle: str, owner: str, diags: list[Diagnostic],
                     raw: bytes, k: str) -> OkrFile | None:
    """`load_okr_file` of these bytes, from the cache (under `k`) when they were loaded before."""
    hit = cache.get(k)
    if hit is not None:
        try:
            packed, packed_diags = hit
            found = unpack_file(packed) if packed is not None else None
            diags.extend(unpack_diags(packed_diags))
            return found
        except (TypeError, ValueError, IndexError, KeyError, AttributeError, OverflowError):
            pass  # not what okr writes: rebuild it
    mine: list[Diagnostic] = []
    okr_file = load_okr_file(root, rel, cycle, owner, mine, raw)
    diags.extend(mine)
    cache.put(k, (pack_file(okr_file) if okr_file is not None else None, pack_diags(mine)))
    return okr_file
