"""The views of `okr tree`, `okr show`, `okr list` and `okr export` as plain data.

Each `build_*` function takes the loaded repository, its alignment network and
the date the statuses are computed for, and returns dataclasses; renderers in
`okrcli.render` turn them into text, JSON, CSV, Mermaid or Graphviz. Nothing
here prints, and nothing here imports rich or networkx.

Private objectives (SPEC 2) are left out unless `include_private`; when a
shown objective aligns to or depends on a hidden one, that one appears as a
placeholder (`objective is None` / `private=True`, no title, no score).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from .. import scoring
from ..cycles import Cycle, parse_cycle
from ..model import KeyResult, Objective, RefEntry, Repository
from ..network import AlignmentNetwork

KIND_RANK = {"company": 0, "team": 1, "person": 2, None: 3}


# ------------------------------------------------------------------ scored objectives

@dataclass(slots=True)  # not frozen: frozen dataclasses are slow to build by the 100,000
class KRView:
    """A key result with its progress, score and status."""

    ref: str  # CYCLE:OWNER/OBJ/KR
    id: str
    title: str
    kind: str  # numeric | threshold | milestone
    unit: str | None
    start: float | None  # numeric KRs only
    target: float | None  # numeric and threshold KRs
    current: float | None  # numeric and threshold KRs
    done: bool | None  # milestone KRs only
    due: date | None  # milestone KRs: the day it is due, when set
    keep: str | None  # above | below (threshold KRs)
    weight: float
    confidence: float | None
    progress: float
    score: float  # the `score` override when set, else progress
    graded: bool  # True when `score` is set by hand
    status: str
    band: str
    derived: str | None = None  # sum_of | rollup (okrcli.derived)
    sources: tuple[str, ...] = ()  # what it is derived from (private objectives left out)
    derived_text: str | None = None  # "sum of ...", "mirror of ...", "rolled up from N objectives"


@dataclass(slots=True)  # not frozen: frozen dataclasses are slow to build by the 100,000
class ObjectiveView:
    """An objective with its score, band, status and scored key results."""

    ref: str  # CYCLE:OWNER/ID
    cycle: str
    owner: str
    owner_kind: str | None  # company | team | person (None: not in org.yaml)
    id: str
    title: str
    description: str | None
    score: float | None  # None: unknown, a key result failed to load (see `incomplete`)
    band: str | None
    status: str | None
    committed: bool
    private: bool
    standalone: str | None
    aligns: tuple[str, ...]  # references with their cycle made explicit
    depends_on: tuple[str, ...]
    review_score: float | None
    review_notes: str | None
    key_results: tuple[KRView, ...]
    incomplete: tuple[str, ...] = ()  # `path:line` of each key result's finding when it failed to load


def explicit_ref(entry: RefEntry, cycle: str) -> str:
    """The reference of an `aligns`/`depends_on` entry with its cycle written out."""
    ref = entry.ref
    if ref is None:
        return entry.text
    return f"{ref.cycle or cycle}:{ref.owner}/{ref.objective}" + (f"/{ref.kr}" if ref.kr else "")


class Scorer:
    """Scores objectives as of one date, each once."""

    def __init__(self, repo: Repository, today: date, include_private: bool = False):
        self.repo = repo
        self.today = today
        self.include_private = include_private  # whether derived KRs may name private sources
        self._cycles: dict[str, Cycle] = {}
        self._expected: dict[str, float] = {}
        self._views: dict[int, ObjectiveView] = {}

    def cycle(self, cycle_id: str) -> Cycle:
        got = self._cycles.get(cycle_id)
        if got is None:
            # The loader only keeps files in valid cycle folders; an unknown id counts as not started.
            got = parse_cycle(cycle_id) or Cycle(cycle_id, "unknown", date.max, date.max)
            self._cycles[cycle_id] = got
        return got

    def expected(self, cycle_id: str) -> float:
        """The share of `cycle_id` elapsed as of the scorer's date (pace of the straight line)."""
        got = self._expected.get(cycle_id)
        if got is None:
            got = self._expected[cycle_id] = self.cycle(cycle_id).elapsed_fraction(self.today)
        return got

    def kr(self, obj: Objective, kr: KeyResult) -> KRView:
        progress = scoring.kr_progress(kr)
        score = progress if kr.score is None else scoring.kr_score(kr)
        kind = kr.kind
        measured = kind != "milestone"
        ref = f"{obj.cycle}:{obj.owner}/{obj.id}/{kr.id}"
        view = KRView(
            ref, kr.id, kr.title, kind, kr.unit,
            kr.start if kind == "numeric" else None, kr.target if measured else None,
            kr.current if measured else None, None if measured else kr.done, kr.due, kr.keep, kr.weight,
            kr.confidence, progress, score, kr.score is not None,
            scoring.kr_status_at(kr, self.expected(obj.cycle), score) if kr.due is None
            else scoring.kr_status(kr, self.cycle(obj.cycle), self.today), scoring.band(score),
        )
        if kr.derived is not None:
            d = self.repo.derived.get(ref)
            if d is not None:
                shown = self.include_private
                view.derived, view.sources, view.derived_text = d.how, tuple(d.shown_sources(shown)), d.describe(shown)
        return view

    def view(self, obj: Objective) -> ObjectiveView:
        got = self._views.get(id(obj))
        if got is not None:
            return got
        krs = tuple(self.kr(obj, kr) for kr in obj.key_results)
        score: float | None = None
        band = status = None
        if not obj.broken_krs:  # else unknown, never computed from the KRs that remain
            score = scoring.objective_score(obj, [k.score for k in krs])
            band = scoring.band(score)
            status = scoring.weakest(k.status for k in krs) or scoring.OFF_TRACK
        review = obj.review
        cycle = obj.cycle
        got = ObjectiveView(
            obj.key, cycle, obj.owner, self.repo.org.kind(obj.owner), obj.id, obj.title,
            obj.description, score, band, status, obj.committed, obj.private,
            obj.standalone, tuple(explicit_ref(e, cycle) for e in obj.aligns),
            tuple(explicit_ref(e, cycle) for e in obj.depends_on),
            review.score if review else None, review.notes if review else None, krs,
            tuple(f"{b.path}:{b.line}" for b in obj.broken_krs),
        )
        self._views[id(obj)] = got
        return got


_DIGITS = re.compile(r"(\d+)")


@lru_cache(maxsize=4096)
def _natural(text: str) -> tuple:
    """Sort key that puts O2 before O10."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in _DIGITS.split(text) if p)


def canonical_objectives(repo: Repository, cycles: Iterable[str] | None = None) -> list[Objective]:
    """The objectives of `cycles` (all when None) in file order, one per reference."""
    wanted = None if cycles is None else set(cycles)
    objs = repo.objectives
    return [o for f in repo.files if wanted is None or f.cycle in wanted
            for o in f.objectives if objs.get(o.key) is o]


def owners_in_team(repo: Repository, team: str) -> set[str]:
    """A team, its subteams and the people in any of them; the company id means everyone."""
    org = repo.org
    if org.company is not None and team == org.company.id:
        return {o.owner for o in repo.objectives.values()} | set(org.teams) | set(org.people) | {team}
    return org.members(team) | {team}


# ------------------------------------------------------------------ okr tree

@dataclass(slots=True)
class TreeNode:
    """One appearance of an objective in the tree."""

    ref: str  # the objective's key
    objective: ObjectiveView | None  # None: a private objective shown without title or score
    via_kr: str | None = None  # the parent's key result this objective drives
    also_under: tuple[str, ...] = ()  # its other parents shown in this tree (keys)
    repeated: bool = False  # its children are shown where it first appears
    first_under: str | None = None  # where it first appears, when repeated
    context: bool = False  # outside the selection, shown to connect it to the top
    hidden_children: int = 0  # children cut off by --depth
    children: list[TreeNode] = field(default_factory=list)

    @property
    def private(self) -> bool:
        return self.objective is None


@dataclass
class Tree:
    cycle: str  # the cycle shown (the root's when rooted at a reference)
    as_of: date
    root: str | None  # the reference the tree starts from, if any
    roots: list[TreeNode]  # company objectives (and their parents in enclosing cycles) at the top
    standalone: list[TreeNode]  # objectives marked standalone, with what aligns to them
    unaligned: list[TreeNode]  # objectives aligned to nothing (or only to a loop)
    links: list[tuple[str, str]]  # depends_on edges between shown objectives (from, to)
    krs: bool  # key results are part of the view

    def nodes(self) -> Iterable[TreeNode]:
        """Every appearance, depth first, in display order."""
        stack = list(reversed(self.roots + self.standalone + self.unaligned))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))


def build_tree(repo: Repository, network: AlignmentNetwork, scorer: Scorer, *, cycle: str | None,
               root: str | None = None, owners: set[str] | None = None, depth: int | None = None,
               include_private: bool = False, krs: bool = False) -> Tree:
    """The alignment tree of `cycle` (or below the objective `root`, across cycles).

    With `owners`, only their objectives are selected; the objectives they align
    to are added as context so the tree still reads from the company down. An
    objective with several parents appears under each; its children are listed
    at its first appearance only."""
    objs = repo.objectives
    up, down = network.up, network.down

    def shown(key: str) -> bool:
        return include_private or not objs[key].private

    base = network.reaching({root}) if root is not None else {k for k, o in objs.items() if o.cycle == cycle}
    selected = {k for k in base if shown(k) and (owners is None or objs[k].owner in owners)}
    display = set(selected)
    stack = list(selected)
    while stack:  # ancestors, for context and private placeholders
        for parent in up[stack.pop()]:
            if parent not in display and (root is None or parent in base):
                display.add(parent)
                stack.append(parent)
    if root is not None and root not in display and shown(root):
        display.add(root)

    kind = repo.org.kind
    cycles: dict[str, tuple] = {}

    def order(key: str) -> tuple:
        o = objs[key]
        c = cycles.get(o.cycle)
        if c is None:
            parsed = scorer.cycle(o.cycle)
            c = cycles[o.cycle] = (parsed.start, -parsed.days if parsed.kind != "unknown" else 0)
        return (*c, KIND_RANK.get(kind(o.owner), 3), o.owner, _natural(o.id))

    def make(key: str, parent: str | None) -> TreeNode:
        view = scorer.view(objs[key]) if shown(key) else None
        parents = [p for p in up[key] if p in display]
        return TreeNode(
            ref=key, objective=view,
            via_kr=down[parent][key].ref.kr if parent is not None else None,
            also_under=tuple(p for p in parents if p != parent),
            context=key not in selected and view is not None,
        )

    sections: dict[str, list[TreeNode]] = {"roots": [], "standalone": [], "unaligned": []}
    for key in sorted((k for k in display if not any(p in display for p in up[k])), key=order):
        o = objs[key]
        if root is not None or up[key] or kind(o.owner) == "company":
            section = "roots"
        elif o.standalone:
            section = "standalone"
        else:
            section = "unaligned"
        sections[section].append(make(key, None))

    first_under: dict[str, str | None] = {}

    def grow(top: TreeNode) -> None:
        work = [(top, 1, None)]
        while work:
            node, level, parent = work.pop()
            kids = [c for c in down[node.ref] if c in display]
            if node.ref in first_under:
                node.repeated = bool(kids)
                node.first_under = first_under[node.ref]
                continue
            first_under[node.ref] = parent
            if not kids:
                continue
            if depth is not None and level >= depth:
                node.hidden_children = len(kids)
                continue
            kids.sort(key=order)
            node.children = [make(k, node.ref) for k in kids]
            work.extend((child, level + 1, node.ref) for child in reversed(node.children))

    for section in ("roots", "standalone", "unaligned"):
        for top in sections[section]:
            grow(top)
    reached: set[str] = set()

    def spread(keys: Iterable[str]) -> None:
        frontier = [k for k in keys if k not in reached]
        reached.update(frontier)
        while frontier:
            for child in down[frontier.pop()]:
                if child in display and child not in reached:
                    reached.add(child)
                    frontier.append(child)

    spread(first_under)  # including what --depth cut off below the tops
    for key in sorted(display - reached, key=order):  # loops of `aligns` reaching no top (align-cycle)
        if key not in reached:
            node = make(key, None)
            sections["unaligned"].append(node)
            grow(node)
            spread([key])

    links = [(a, b) for a in display if shown(a) for b in network.out[a] if b in display]
    links.sort()
    return Tree(cycle=cycle if root is None else objs[root].cycle, as_of=scorer.today, root=root,
                roots=sections["roots"], standalone=sections["standalone"],
                unaligned=sections["unaligned"], links=links, krs=krs)


# ------------------------------------------------------------------ okr show

@dataclass(slots=True)
class Neighbour:
    """An objective or key result next to the one shown."""

    ref: str  # objective key, or CYCLE:OWNER/OBJ/KR when the link names a key result
    title: str | None  # None when private (left out) or missing
    score: float | None
    status: str | None
    private: bool = False  # a private objective, shown without title or score
    missing: bool = False  # the reference names nothing (okr check: align-dangling)
    via_kr: str | None = None  # for children: the key result of the shown objective they drive


@dataclass
class ObjectiveDetail:
    objective: ObjectiveView
    parents: list[Neighbour]  # what it aligns to
    children: list[Neighbour]  # what aligns to it
    dependencies: list[Neighbour]  # what it depends on
    dependents: list[Neighbour]  # what depends on it


@dataclass
class KeyResultDetail:
    key_result: KRView
    objective: ObjectiveView
    children: list[Neighbour]  # objectives that drive this key result
    dependents: list[Neighbour]  # objectives that depend on this key result
    checkins: list | None = None  # its last check-ins (history.CheckIn), newest first; None outside git
    checkins_total: int = 0  # how many it has in all
    checkins_asked: bool = True  # False with `okr show --checkins 0`: history not read


def _neighbour(repo: Repository, scorer: Scorer, entry: RefEntry, cycle: str, include_private: bool,
               via_kr: str | None = None) -> Neighbour:
    text = explicit_ref(entry, cycle)
    ref = entry.ref
    target = repo.objectives.get(f"{ref.cycle or cycle}:{ref.owner}/{ref.objective}") if ref else None
    if target is None:
        return Neighbour(text, None, None, None, missing=True)
    if target.private and not include_private:
        return Neighbour(text, None, None, None, private=True)
    if ref.kr is not None:
        kr = target.kr(ref.kr)
        if kr is None:
            return Neighbour(text, None, None, None, missing=True)
        view = scorer.kr(target, kr)
        return Neighbour(text, view.title, view.score, view.status)
    view = scorer.view(target)
    return Neighbour(text, view.title, view.score, view.status, via_kr=via_kr)


def _summary(scorer: Scorer, obj: Objective, via_kr: str | None = None) -> Neighbour:
    view = scorer.view(obj)
    return Neighbour(view.ref, view.title, view.score, view.status, via_kr=via_kr)


def _pointing_at(obj: Objective, entries: tuple[RefEntry, ...], target: Objective) -> list[RefEntry]:
    want = (target.owner, target.id)
    return [e for e in entries if e.ref is not None and (e.ref.owner, e.ref.objective) == want
            and (e.ref.cycle or obj.cycle) == target.cycle]


def build_show_objective(repo: Repository, network: AlignmentNetwork, scorer: Scorer, obj: Objective,
                         include_private: bool = False) -> ObjectiveDetail:
    objs = repo.objectives

    def visible(keys: Iterable[str]) -> list[Objective]:
        found = [objs[k] for k in keys]
        return [o for o in found if include_private or not o.private]

    children = [_summary(scorer, c, network.down[obj.key][c.key].ref.kr)
                for c in visible(network.down.get(obj.key, ()))]
    dependents = []
    for d in visible(network.into.get(obj.key, ())):
        for entry in _pointing_at(d, d.depends_on, obj):
            dependents.append(_summary(scorer, d, entry.ref.kr))
    return ObjectiveDetail(
        objective=scorer.view(obj),
        parents=[_neighbour(repo, scorer, e, obj.cycle, include_private) for e in obj.aligns],
        children=children,
        dependencies=[_neighbour(repo, scorer, e, obj.cycle, include_private) for e in obj.depends_on],
        dependents=dependents,
    )


def build_show_kr(repo: Repository, network: AlignmentNetwork, scorer: Scorer, obj: Objective,
                  kr: KeyResult, include_private: bool = False) -> KeyResultDetail:
    objs = repo.objectives
    children, dependents = [], []
    for key in network.down.get(obj.key, ()):
        child = objs[key]
        if (include_private or not child.private) and any(
                e.ref.kr == kr.id for e in _pointing_at(child, child.aligns, obj)):
            children.append(_summary(scorer, child, kr.id))
    for key in network.into.get(obj.key, ()):
        d = objs[key]
        if (include_private or not d.private) and any(
                e.ref.kr == kr.id for e in _pointing_at(d, d.depends_on, obj)):
            dependents.append(_summary(scorer, d, kr.id))
    return KeyResultDetail(key_result=scorer.kr(obj, kr), objective=scorer.view(obj),
                           children=children, dependents=dependents)


# ------------------------------------------------------------------ okr list and okr export

@dataclass
class Listing:
    cycle: str
    as_of: date
    krs: bool  # one row per key result instead of per objective
    rows: list[tuple[ObjectiveView, KRView | None]]


def build_list(repo: Repository, scorer: Scorer, *, cycle: str, owners: set[str] | None = None,
               status: str | None = None, committed: bool | None = None, include_private: bool = False,
               krs: bool = False) -> Listing:
    """Objectives (or their key results) of `cycle`, filtered; `status` applies to what is listed."""
    rows: list[tuple[ObjectiveView, KRView | None]] = []
    for obj in canonical_objectives(repo, [cycle]):
        if (obj.private and not include_private) or (owners is not None and obj.owner not in owners):
            continue
        if committed is not None and obj.committed != committed:
            continue
        view = scorer.view(obj)
        if not krs:
            if status is None or view.status == status:
                rows.append((view, None))
            continue
        rows.extend((view, k) for k in view.key_results if status is None or k.status == status)
    return Listing(cycle=cycle, as_of=scorer.today, krs=krs, rows=rows)


@dataclass
class Export:
    cycle: str | None  # None with --all-cycles
    cycles: list[str]
    as_of: date
    objectives: list[ObjectiveView]


def build_export(repo: Repository, scorer: Scorer, *, cycle: str | None,
                 include_private: bool = False) -> Export:
    """Every objective of `cycle` (of every cycle when None), scored, in file order."""
    cycles = [cycle] if cycle is not None else repo.cycles()
    objectives = [scorer.view(o) for o in canonical_objectives(repo, cycles)
                  if include_private or not o.private]
    return Export(cycle=cycle, cycles=cycles, as_of=scorer.today, objectives=objectives)
