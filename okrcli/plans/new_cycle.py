"""`okr new-cycle`: the next cycle's files, with unfinished objectives carried forward.

As Google carries aspirational OKRs, an objective that did not reach 1.0 moves
to the next cycle with the same id: numeric key results start where they stood
(`start` = the last `current`), threshold key results keep their target and
reading, milestones keep their `done`; confidence, grades (`score`), a
milestone's `due` (a day of the old cycle) and the `review` stay behind with the
old cycle. Finished objectives stay behind, and private ones unless asked for.

Links are re-pointed: an `aligns` or `depends_on` entry naming an objective of
the old cycle that was carried now names it in the new cycle; one naming an
objective that stayed behind is removed and reported; one naming an enclosing
cycle (`2027:acme/O1` from 2027-Q1) is kept when that cycle also encloses the
new one. An objective left with no alignment gets a `standalone:` reason that
says so, so the new cycle passes `okr check` while the owner re-aligns it; the
output lists it under "needs attention".

`plan_new_cycle` computes everything (files and their text) without touching the
disk; `write_plan` creates the files, refusing to overwrite any.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..cycles import parse_cycle
from ..edit import format_scalar
from ..errors import OkrError
from ..files import create_all
from ..json_fields import json_meta
from ..model import KeyResult, Objective, RefEntry, Repository
from ..scoring import kr_progress, objective_score

CARRY_MODES = ("unfinished", "all", "none")


@dataclass(frozen=True)
class Carried:
    ref: str  # in the new cycle
    id: str
    title: str
    private: bool
    score: float | None  # in the old cycle (None: unknown, a key result failed to load)


@dataclass(frozen=True)
class LeftBehind:
    ref: str  # in the old cycle
    title: str
    private: bool
    score: float | None


@dataclass(frozen=True)
class Attention:
    ref: str  # the carried objective, in the new cycle
    message: str


@dataclass(frozen=True)
class PlannedFile:
    path: str  # root-relative
    owner: str
    carried: tuple[Carried, ...]
    text: str = field(metadata=json_meta(omit=True))


@dataclass(frozen=True)
class NewCyclePlan:
    from_cycle: str = field(metadata=json_meta(key="from"))
    next_cycle: str = field(metadata=json_meta(key="next"))
    carry: str = field(metadata=json_meta(then=("dry_run",)))
    files: tuple[PlannedFile, ...]
    left_behind: tuple[LeftBehind, ...]
    attention: tuple[Attention, ...]
    notes: tuple[str, ...]
    dry_run: bool = field(default=False, metadata=json_meta(omit=True))  # shown, not applied (JSON: after carry)


def check_cycles(from_id: str, next_id: str) -> None:
    """NEXT must be a valid cycle id that starts and ends later than FROM."""
    hint = "use YYYY, YYYY-Hn, YYYY-Qn or YYYY-Bn, e.g. 2027-Q1"
    nxt, frm = parse_cycle(next_id), parse_cycle(from_id)
    if nxt is None:
        raise OkrError(f"'{next_id}' is not a cycle id", hint=hint)
    if frm is None:
        raise OkrError(f"--from '{from_id}' is not a cycle id", hint=hint)
    if not (nxt.start > frm.start and nxt.end > frm.end):
        raise OkrError(f"{next_id} does not come after {from_id}",
                       hint="name a later cycle, or pick the cycle to start from with --from")


def plan_new_cycle(repo: Repository, from_id: str, next_id: str, carry: str,
                   unreadable: list[str] | None = None, include_private: bool = False) -> NewCyclePlan:
    """What `okr new-cycle NEXT --from FROM --carry CARRY` would create; touches no file.

    Private objectives stay behind unless `include_private` (SPEC 2: private everywhere)."""
    check_cycles(from_id, next_id)
    if carry not in CARRY_MODES:
        raise OkrError(f"--carry must be one of {', '.join(CARRY_MODES)}, not '{carry}'")
    files = [f for f in repo.files if f.cycle == from_id]
    if not files and not unreadable:
        raise OkrError(f"there are no OKR files in {from_id}",
                       hint="pick the cycle to carry from with --from CYCLE")
    company = repo.org.company.id if repo.org.company else repo.settings.company
    canonical = [o for f in files for o in f.objectives if repo.objectives.get(o.key) is o]
    # An objective whose key results did not all load has no known score: it counts as unfinished.
    scores = {o.key: objective_score(o) if o.complete else None for o in canonical}
    carried_keys = {o.key for o in canonical if (include_private or not o.private) and (
                    carry == "all" or (carry == "unfinished" and (scores[o.key] or 0.0) < 1.0))}
    kept_private = sum(1 for o in canonical if o.private and not include_private and carry != "none")
    attention: list[Attention] = []
    left_behind = [LeftBehind(o.key, o.title, o.private, scores[o.key]) for o in canonical
                   if o.key not in carried_keys]
    planned = []
    for f in files:
        blocks, carried = [], []
        for obj in f.objectives:
            if repo.objectives.get(obj.key) is not obj:
                attention.append(Attention(f"{next_id}:{obj.owner}/{obj.id}",
                                           f"a second objective {obj.id} in {f.path} was not carried "
                                           "(ids repeat: run okr check)"))
                continue
            if obj.key not in carried_keys:
                continue
            new_ref = f"{next_id}:{obj.owner}/{obj.id}"
            blocks.append(_objective_yaml(obj, from_id, next_id, carried_keys, company, new_ref, attention))
            carried.append(Carried(new_ref, obj.id, obj.title, obj.private, scores[obj.key]))
        path = f"{next_id}/{f.owner}.yaml"
        planned.append(PlannedFile(path, f.owner, tuple(carried), _file_yaml(f.owner, from_id, next_id, blocks)))
    notes = [f"{path} could not be read (run okr check): nothing was carried from it" for path in unreadable or ()]
    if kept_private:
        notes.append(f"{kept_private} private objective{'s' * (kept_private != 1)} stayed in {from_id}: "
                     "add --include-private to carry private objectives")
    if repo.settings.cycle == from_id:
        notes.append(f"okr.yaml pins cycle: {from_id}; change it to {next_id} when the new cycle starts")
    return NewCyclePlan(from_id, next_id, carry, tuple(planned), tuple(left_behind), tuple(attention), tuple(notes))


def unreadable_files(root: Path, repo: Repository, cycle: str) -> list[str]:
    """OKR files of `cycle` on disk that did not load at all (a YAML error, not a mapping)."""
    folder = root / cycle
    if not folder.is_dir() or folder.is_symlink():
        return []
    loaded = {f.path for f in repo.files}
    on_disk = sorted(f"{cycle}/{e.name}" for e in os.scandir(folder)
                     if e.name.endswith(".yaml") and e.is_file(follow_symlinks=False))
    return [p for p in on_disk if p not in loaded]


# ------------------------------------------------------------------ re-pointing links

def _repoint(entries: tuple[RefEntry, ...], field: str, from_id: str, next_id: str,
             carried: set[str], new_ref: str, attention: list[Attention]) -> list[str]:
    """The entries as they read in the next cycle; those that cannot follow are reported."""
    nxt = parse_cycle(next_id)
    out: list[str] = []
    for e in entries:
        r = e.ref
        if r is None:
            attention.append(Attention(new_ref, f"{field} entry '{e.text}' is not a reference: removed"))
            continue
        cycle = r.cycle or from_id
        name = f"{r.owner}/{r.objective}" + (f"/{r.kr}" if r.kr else "")
        if cycle == from_id:
            if f"{from_id}:{r.owner}/{r.objective}" in carried:
                out.append(name)  # the carried objective, in the same (new) cycle
            else:
                attention.append(Attention(new_ref, f"{field} {name} stayed behind in {from_id} "
                                                    "(finished or not carried): removed"))
            continue
        target = parse_cycle(cycle)
        if field == "depends_on" or (target is not None and nxt is not None and target.encloses(nxt)):
            out.append(f"{cycle}:{name}")
        else:
            attention.append(Attention(new_ref, f"aligns {cycle}:{name} is in a cycle that does not enclose "
                                                f"{next_id}: removed"))
    return list(dict.fromkeys(out))


# ------------------------------------------------------------------ YAML text

def _block_scalar(value: object) -> str:
    """`format_scalar`, but a title with a comma stays plain: commas only matter in flow context."""
    text = format_scalar(value)
    if isinstance(value, str) and text.startswith('"') and "," in value and not value.startswith(","):
        stand_in = value.replace(",", "x")
        if format_scalar(stand_in) == stand_in:
            return value
    return text


def _flow(items: list[str]) -> str:
    return "[" + ", ".join(format_scalar(i) for i in items) + "]"


def _kr_yaml(kr: KeyResult) -> list[str]:
    lines = [f"      - id: {format_scalar(kr.id)}", f"        title: {_block_scalar(kr.title)}"]
    if kr.kind == "milestone":
        lines.append(f"        done: {format_scalar(bool(kr.done))}")
    elif kr.kind == "threshold":
        lines.append(f"        target: {format_scalar(kr.target)}")
        lines.append(f"        keep: {format_scalar(kr.keep)}")
        lines.append(f"        current: {format_scalar(kr.current)}")
    elif kr_progress(kr) < 1.0:  # numeric, not reached: start where it stands
        lines.append(f"        start: {format_scalar(kr.current)}")
        lines.append(f"        target: {format_scalar(kr.target)}")
    else:  # numeric and already reached: carried as it stood (start == target is not allowed)
        lines.append(f"        start: {format_scalar(kr.start)}")
        lines.append(f"        target: {format_scalar(kr.target)}")
        lines.append(f"        current: {format_scalar(kr.current)}")
    if kr.unit is not None:
        lines.append(f"        unit: {_block_scalar(kr.unit)}")
    if kr.weight != 1:
        lines.append(f"        weight: {format_scalar(kr.weight)}")
    return lines


def _objective_yaml(obj: Objective, from_id: str, next_id: str, carried: set[str], company: str | None,
                    new_ref: str, attention: list[Attention]) -> list[str]:
    aligns = _repoint(obj.aligns, "aligns", from_id, next_id, carried, new_ref, attention)
    depends = _repoint(obj.depends_on, "depends_on", from_id, next_id, carried, new_ref, attention)
    standalone = obj.standalone
    if obj.aligns and not aligns and standalone is None and obj.owner != company:
        standalone = f"Carried from {from_id} without its parent objective; align it to a {next_id} objective"
        attention.append(Attention(new_ref, "aligns to nothing now: marked standalone until you align it"))
    lines = [f"  - id: {format_scalar(obj.id)}", f"    title: {_block_scalar(obj.title)}"]
    if obj.description is not None:
        lines.append(f"    description: {_block_scalar(obj.description)}")
    if aligns:
        lines.append(f"    aligns: {_flow(aligns)}")
    if depends:
        lines.append(f"    depends_on: {_flow(depends)}")
    if obj.committed:
        lines.append("    committed: true")
    if obj.private:
        lines.append("    private: true")
    if standalone is not None:
        lines.append(f"    standalone: {_block_scalar(standalone)}")
    if not obj.key_results:
        lines.append("    key_results: []")
    else:
        lines.append("    key_results:")
        for kr in obj.key_results:
            lines += _kr_yaml(kr)
    return lines


def _file_yaml(owner: str, from_id: str, next_id: str, blocks: list[list[str]]) -> str:
    from ..safe_text import visible

    head = ["# yaml-language-server: $schema=https://okrcli.dev/schema/okr-file.json",
            f"# {next_id} objectives of {visible(owner)}, started by `okr new-cycle` from {from_id}."]
    if not blocks:
        head.append(f"# Nothing was carried over from {from_id}: write this cycle's objectives below.")
        return "\n".join(head + ["", "objectives: []", ""])
    head.append("# Unfinished objectives keep their ids; numeric key results start where they stood.")
    body = [line for block in blocks for line in block]
    return "\n".join(head + ["", "objectives:", *body, ""])


# ------------------------------------------------------------------ writing

def write_plan(root: Path, plan: NewCyclePlan) -> list[Path]:
    """Create the planned files; refuse (nothing written) if any exists; all or nothing."""
    folder = root / plan.next_cycle
    if folder.is_symlink() or (os.path.lexists(folder) and not folder.is_dir()):
        raise OkrError(f"{folder} is not a plain folder; okr new-cycle does not write through links")
    targets = [(root / f.path, f.text.encode("utf-8")) for f in plan.files]
    existing = [str(p) for p, _ in targets if os.path.lexists(p)]
    if existing:
        raise OkrError(f"{existing[0]} already exists" + (f" (and {len(existing) - 1} more)" if len(existing) > 1 else "")
                       + "; okr new-cycle never overwrites a file; nothing was written",
                       hint=f"move the existing files of {plan.next_cycle} aside, or edit them by hand")
    try:
        return create_all(dict(targets))
    except OkrError as exc:
        raise OkrError(f"{exc.message}; nothing was written", hint=exc.hint) from None
    except FileExistsError as exc:
        raise OkrError(f"{exc.filename} appeared while writing; okr new-cycle never overwrites a file; "
                       "nothing was written") from None
    except OSError as exc:
        raise OkrError(f"cannot create {exc.filename or folder}: {exc.strerror or exc}; nothing was written") from None


