"""`okr diff` as data: what changed between two states of the OKR repository, objective by
objective, and who must re-align because of it.

The two sides are a base commit and a head (a commit, or the work tree). Git
says which OKR files differ (`git diff --name-only`); only those can hold a
changed objective, since an objective's identity (`CYCLE:OWNER/ID`) comes from
its file's path. So the head is loaded whole (its alignment network is needed
for the impact) and the base only for the files that differ: a pull request
that touches a few hundred of 11,000 files costs about one `okr check`.

Impact is computed on the head side, for both changed and removed objectives.
For a changed objective that is plainly right: the objectives aligned to it now
are the ones that must look again. For a removed one, the head still tells who
depends on it: their `aligns` entries name it and now dangle. Reading those
(rather than the base network) leaves out the objectives that already
re-aligned elsewhere in the same change, and keeps those that did not. An
`aligns` entry naming a key result that was removed counts the same way.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from ..cycles import parse_cycle
from ..errors import OkrError
from ..json_fields import json_meta
from ..model import KeyResult, Objective, RefEntry, Repository

if TYPE_CHECKING:
    from ..load.window import DiffSides, Side
    from ..network import AlignmentNetwork
    from .spec import ReportSpec

# Change kinds: name -> (annotation level, what it means). The names are what `--fail-on` takes.
KINDS: dict[str, tuple[str, str]] = {
    "added": ("notice", "an objective was added"),
    "removed": ("warning", "an objective was removed (removed-aligned included)"),
    "removed-aligned": ("warning", "a removed objective that others aligned to"),
    "retitled": ("warning", "an objective's title changed"),
    "realigned": ("warning", "an objective's aligns changed"),
    "depends-changed": ("notice", "an objective's depends_on changed"),
    "made-committed": ("notice", "an objective was made committed"),
    "made-aspirational": ("warning", "a committed objective was made aspirational"),
    "made-private": ("warning", "an objective was made private"),
    "made-public": ("notice", "a private objective was made public"),
    "standalone-added": ("warning", "an objective was made standalone"),
    "standalone-removed": ("notice", "an objective is no longer standalone"),
    "kr-added": ("notice", "a key result was added"),
    "kr-removed": ("warning", "a key result was removed"),
    "kr-retitled": ("warning", "a key result's title changed"),
    "target-moved": ("warning", "a KR's target, keep or kind changed (goalposts included)"),
    "start-moved": ("warning", "a numeric KR's start changed (goalposts included)"),
    "goalpost": ("warning", "a target or start moved after its cycle had started"),
    "kr-reweighted": ("notice", "a key result's weight changed"),
    "progress": ("notice", "current, done, confidence or a score changed (implies --progress)"),
    "any": ("notice", "any change reported"),
}
FAIL_ON_NAMES = tuple(KINDS)
# The change kinds that alter what a child is aligned to: only these ask anyone to re-align.
REALIGN_KINDS = frozenset(("removed", "retitled", "target-moved", "start-moved", "kr-removed", "kr-retitled",
                           "realigned", "made-private"))


@dataclass(frozen=True)
class Change:
    """One change of one objective. `before`/`after` are None when hidden (private objective)."""

    kind: str
    kr: str | None = None  # the key result's id, for kr-*, target-moved, start-moved, progress
    field: str | None = None  # the field that changed (title, aligns, target, current, ...)
    before: object = None
    after: object = None
    goalpost: bool = False  # a target or start moved after the cycle had started
    line: int = 0  # where the head writes it (0: nowhere, e.g. removed)


@dataclass(frozen=True)
class Impacted:
    """An objective that must look at its alignment again because of a change."""

    ref: str
    owner: str
    title: str | None  # None for a private objective shown without --include-private
    private: bool
    via: str  # aligns (directly or through others) | depends_on (directly)
    depth: int  # 1: names the changed objective itself
    through: str | None = None  # depth > 1: the objective it aligns to on the way (affected through it)

    @property
    def direct(self) -> bool:
        """Names the changed objective itself: its owner must re-align (deeper ones are affected)."""
        return self.depth == 1


@dataclass(frozen=True)
class ObjectiveDiff:
    ref: str
    cycle: str
    owner: str
    id: str
    title: str | None  # the head's title (the base's when removed); None when hidden
    private: bool
    hidden: bool  # private, shown without --include-private: no title, no values
    path: str  # root-relative file (the base's when removed)
    line: int  # where it is written (0 when hidden or removed)
    changes: tuple[Change, ...]
    impact: tuple[Impacted, ...]

    @property
    def kinds(self) -> list[str]:
        return [c.kind for c in self.changes]

    @property
    def direct(self) -> tuple[Impacted, ...]:
        """The objectives that must re-align: aligned to it (or depending on it) directly."""
        return tuple(i for i in self.impact if i.direct)

    @property
    def affected(self) -> tuple[Impacted, ...]:
        """Deeper ones, affected through a direct one (their own parent still stands)."""
        return tuple(i for i in self.impact if not i.direct)

    @property
    def impact_owners(self) -> list[str]:
        """The owners who must re-align (of direct children)."""
        return sorted({i.owner for i in self.direct})

    def matches(self, name: str, change: Change) -> bool:
        """Whether `change` counts for the `--fail-on` name `name`."""
        if name == "any":
            return True
        if name == "goalpost":
            return change.goalpost
        if name == "removed-aligned":
            return change.kind == "removed" and any(i.via == "aligns" for i in self.impact)
        return change.kind == name


@dataclass(frozen=True)
class Realign:
    """One owner who must re-align: their objectives and the changed ones they align to."""

    owner: str
    name: str | None  # from org.yaml
    objectives: tuple[Impacted, ...] = field(metadata=json_meta(value=lambda r: [i.ref for i in r.objectives]))
    because_of: tuple[str, ...]  # refs of the changed objectives


@dataclass(frozen=True)
class DiffReport:
    base: Side
    head: Side
    include_private: bool
    progress: bool
    files_changed: int = field(metadata=json_meta(then=("summary",)))  # OKR files (and okr.yaml, org.yaml)
    objectives: tuple[ObjectiveDiff, ...]
    realign: tuple[Realign, ...]
    notes: tuple[str, ...] = field(default=())
    # progress changes not reported (without --progress); in JSON, under `summary`
    progress_left_out: int = field(default=0, metadata=json_meta(omit=True))

    @property
    def summary(self) -> dict:
        return {"objectives": len(self.objectives), "progress_left_out": self.progress_left_out,
                "changes": sum(len(o.changes) for o in self.objectives), "kinds": self.kind_counts(),
                "owners_to_realign": [r.owner for r in self.realign]}

    def count(self, name: str) -> int:
        return sum(o.matches(name, c) for o in self.objectives for c in o.changes)

    def kind_counts(self) -> dict[str, int]:
        """How many changes each `--fail-on` name matches (names matching none left out)."""
        counts = {name: self.count(name) for name in KINDS if name != "any"}
        return {name: n for name, n in counts.items() if n}

    def failing(self, names: list[str]) -> list[tuple[ObjectiveDiff, Change]]:
        return [(o, c) for o in self.objectives for c in o.changes if any(o.matches(n, c) for n in names)]


def parse_fail_on(text: str | None) -> list[str]:
    """`removed-aligned,goalpost` -> the names; an unknown name is a usage error."""
    if not text:
        return []
    names = [n.strip() for n in text.split(",") if n.strip()]
    for name in names:
        if name not in KINDS:
            import difflib

            close = difflib.get_close_matches(name, FAIL_ON_NAMES, n=1)
            raise OkrError(f"--fail-on: unknown change kind '{name}'",
                           hint=f"did you mean {close[0]}?" if close else f"use: {', '.join(FAIL_ON_NAMES)}")
    return names


# ------------------------------------------------------------------ comparing objectives

def _refs(entries: tuple[RefEntry, ...], cycle: str) -> list[str]:
    """Entries with their cycle written out, sorted: two spellings of one link compare equal."""
    out = set()
    for e in entries:
        r = e.ref
        out.add(e.text if r is None else f"{r.cycle or cycle}:{r.owner}/{r.objective}" + (f"/{r.kr}" if r.kr else ""))
    return sorted(out)


def _kr_changes(a: KeyResult, b: KeyResult, goalpost: bool) -> list[Change]:
    out: list[Change] = []

    def add(kind: str, name: str, before: object, after: object, moved: bool = False) -> None:
        line = b.at("target" if name == "kind" else name).line
        out.append(Change(kind, b.id, name, before, after, moved, line))

    if a.title != b.title:
        add("kr-retitled", "title", a.title, b.title)
    if a.kind != b.kind:
        add("target-moved", "kind", a.kind, b.kind, goalpost)
    else:
        if a.target != b.target:
            add("target-moved", "target", a.target, b.target, goalpost)
        if a.keep != b.keep:
            add("target-moved", "keep", a.keep, b.keep, goalpost)
        if b.kind == "numeric" and a.start != b.start:
            add("start-moved", "start", a.start, b.start, goalpost)
        if b.kind == "milestone":
            if a.done != b.done:
                add("progress", "done", a.done, b.done)
        elif a.current != b.current:
            add("progress", "current", a.current, b.current)
    if a.weight != b.weight:
        add("kr-reweighted", "weight", a.weight, b.weight)
    if a.confidence != b.confidence:
        add("progress", "confidence", a.confidence, b.confidence)
    if a.score != b.score:
        add("progress", "score", a.score, b.score)
    return out


def compare_objectives(a: Objective, b: Objective, head_date: date) -> list[Change]:
    """Every change from `a` (base) to `b` (head) of one objective: its own fields, then its
    key results in the head's order, then the removed key results."""
    out: list[Change] = []

    def add(kind: str, name: str, before: object, after: object) -> None:
        out.append(Change(kind, None, name, before, after, False, b.at(name).line))

    if a.title != b.title:
        add("retitled", "title", a.title, b.title)
    before, after = _refs(a.aligns, a.cycle), _refs(b.aligns, b.cycle)
    if before != after:
        add("realigned", "aligns", before, after)
    before, after = _refs(a.depends_on, a.cycle), _refs(b.depends_on, b.cycle)
    if before != after:
        add("depends-changed", "depends_on", before, after)
    if a.committed != b.committed:
        add("made-committed" if b.committed else "made-aspirational", "committed", a.committed, b.committed)
    if a.private != b.private:
        add("made-private" if b.private else "made-public", "private", a.private, b.private)
    if (a.standalone is None) != (b.standalone is None):
        add("standalone-added" if b.standalone is not None else "standalone-removed", "standalone",
            a.standalone, b.standalone)
    cycle = parse_cycle(b.cycle)
    goalpost = cycle is not None and head_date > cycle.start
    score_a = a.review.score if a.review else None
    score_b = b.review.score if b.review else None
    if score_a != score_b:
        out.append(Change("progress", None, "review.score", score_a, score_b, False, b.at("review").line))
    # Key results: in the head's order, then the removed ones; the first of a repeated id counts.
    old = {kr.id: kr for kr in reversed(a.key_results)}
    new = {kr.id: kr for kr in reversed(b.key_results)}
    for kr in b.key_results:
        if new[kr.id] is not kr:
            continue
        if kr.id not in old:
            out.append(Change("kr-added", kr.id, "key_results", None, kr.title, False, kr.loc.line))
        else:
            out.extend(_kr_changes(old[kr.id], kr, goalpost))
    for kr in a.key_results:
        if kr.id not in new and old[kr.id] is kr:
            out.append(Change("kr-removed", kr.id, "key_results", kr.title, None, False, b.at("key_results").line))
    return out


# ------------------------------------------------------------------ impact

class _ImpactFinder:
    """Who aligns to (or depends on) an objective on the head side, dangling links included."""

    def __init__(self, repo: Repository):
        from ..network import AlignmentNetwork

        self.network: AlignmentNetwork = AlignmentNetwork(repo)
        self.aligners: dict[str, list[str]] = {}
        self.dependents: dict[str, list[str]] = {}
        for d in self.network.dangling:
            r = d.entry.ref
            if r is None:
                continue
            key = f"{r.cycle or d.source.cycle}:{r.owner}/{r.objective}"
            into = self.aligners if d.field == "aligns" else self.dependents
            into.setdefault(key, []).append(d.source.key)

    def find(self, key: str) -> list[tuple[str, str, int, str | None]]:
        """(objective key, via, depth, through): aligned to `key` at any depth (through the
        objective one level up on the way), then direct dependents."""
        down, aligners = self.network.down, self.aligners
        depth = {key: 0}
        queue = deque([key])
        found: list[tuple[str, str, int, str | None]] = []
        while queue:
            at = queue.popleft()
            level = depth[at] + 1
            for child in sorted({*down.get(at, ()), *aligners.get(at, ())}, key=_sort_key):
                if child not in depth:
                    depth[child] = level
                    found.append((child, "aligns", level, at if level > 1 else None))
                    queue.append(child)
        found.sort(key=lambda f: (f[2], _sort_key(f[0])))
        for dependent in sorted({*self.network.into.get(key, ()), *self.dependents.get(key, ())}, key=_sort_key):
            if dependent not in depth:
                depth[dependent] = 1
                found.append((dependent, "depends_on", 1, None))
        return found


# ------------------------------------------------------------------ the report

def _natural(text: str) -> tuple:
    import re

    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", text) if p)


def _sort_key(key: str) -> tuple:
    cycle, _, rest = key.partition(":")
    owner, _, obj_id = rest.partition("/")
    return (cycle, owner, _natural(obj_id))


def _hide(change: Change) -> Change:
    return Change(change.kind, change.kr, change.field, None, None, change.goalpost, 0)


def build_diff(sides: DiffSides, spec: ReportSpec) -> DiffReport:
    """Compare the two sides read from git (`okrcli.load.window.DiffSides`); the whole head is
    loaded (`sides.head_repo()`) only when a change has an impact to compute."""
    include_private, progress = spec.include_private, spec.progress
    before, after = sides.before, sides.after
    finder: _ImpactFinder | None = None
    diffs: list[ObjectiveDiff] = []
    left_out = 0
    for key in sorted(before.keys() | after.keys(), key=_sort_key):
        a, b = before.get(key), after.get(key)
        if a is None:
            changes = [Change("added", None, None, None, b.title, False, b.loc.line)]
        elif b is None:
            changes = [Change("removed", None, None, a.title, None)]
        else:
            changes = compare_objectives(a, b, sides.head.date)
        if not progress:
            kept = [c for c in changes if c.kind != "progress"]
            left_out += len(changes) - len(kept)
            changes = kept
        if not changes:
            continue
        obj = b or a
        impact: list[Impacted] = []
        if a is not None and any(c.kind in REALIGN_KINDS for c in changes):
            if finder is None:
                finder = _ImpactFinder(sides.head_repo())
            objectives = finder.network.repo.objectives
            for ref, via, depth, through in finder.find(key):
                o = objectives[ref]
                shown = include_private or not o.private
                impact.append(Impacted(ref, o.owner, o.title if shown else None, o.private, via, depth, through))
        hidden = obj.private and not include_private
        if hidden and not impact:
            continue  # a private objective is only mentioned when others must re-align because of it
        diffs.append(ObjectiveDiff(
            key, obj.cycle, obj.owner, obj.id, None if hidden else obj.title, obj.private, hidden,
            obj.loc.path, 0 if hidden or b is None else obj.loc.line,
            tuple(_hide(c) if hidden else c for c in changes), tuple(impact),
        ))
    realign = _realign(diffs, finder.network.repo) if finder is not None else ()
    return DiffReport(sides.base, sides.head, include_private, progress, len(sides.changed), tuple(diffs),
                      realign, tuple(sides.notes), left_out)


def _realign(diffs: list[ObjectiveDiff], repo: Repository) -> tuple[Realign, ...]:
    """The impact turned around: per owner of a direct child, their objectives and the changes
    they must look at. Deeper objectives are affected through their own parent, not listed here."""
    mine: dict[str, dict[str, Impacted]] = {}
    causes: dict[str, list[str]] = {}
    for d in diffs:
        for i in d.direct:
            mine.setdefault(i.owner, {}).setdefault(i.ref, i)
            got = causes.setdefault(i.owner, [])
            if d.ref not in got:
                got.append(d.ref)
    out = []
    for owner in sorted(mine):
        person, team = repo.org.people.get(owner), repo.org.teams.get(owner)
        company = repo.org.company if repo.org.company and repo.org.company.id == owner else None
        name = (person or team or company).name if (person or team or company) else None
        objs = sorted(mine[owner].values(), key=lambda i: _sort_key(i.ref))
        out.append(Realign(owner, name, tuple(objs), tuple(causes[owner])))
    return tuple(out)
