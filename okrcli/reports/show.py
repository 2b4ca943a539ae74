"""`okr show` as plain data: one objective or key result with what is next to it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..json_fields import json_meta
from ..model import KeyResult, Objective, RefEntry, Repository
from ..network import AlignmentNetwork
from .spec import ReportSpec
from .views import (
    KRView,
    ObjectiveView,
    Scorer,
    explicit_ref,
)

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
    type: str = field(default="objective", init=False)  # in JSON: what the document describes
    objective: ObjectiveView
    parents: list[Neighbour]  # what it aligns to
    children: list[Neighbour]  # what aligns to it
    dependencies: list[Neighbour]  # what it depends on
    dependents: list[Neighbour]  # what depends on it


def _checkins_asked(detail: KeyResultDetail) -> bool:
    return detail.checkins_asked


@dataclass
class KeyResultDetail:
    type: str = field(default="key_result", init=False)  # in JSON: what the document describes
    key_result: KRView
    objective: ObjectiveView = field(metadata=json_meta(drop=("key_results",)))
    children: list[Neighbour]  # objectives that drive this key result
    dependents: list[Neighbour]  # objectives that depend on this key result
    # its last check-ins (history.CheckIn), newest first; None outside git
    checkins: list | None = field(default=None, metadata=json_meta(when=_checkins_asked))
    checkins_total: int = field(default=0, metadata=json_meta(when=_checkins_asked))  # how many it has in all
    checkins_asked: bool = field(default=True, metadata=json_meta(omit=True))  # False with --checkins 0


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


def build_show_objective(repo: Repository, network: AlignmentNetwork, scorer: Scorer, spec: ReportSpec,
                         obj: Objective) -> ObjectiveDetail:
    include_private = spec.include_private
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


def build_show_kr(repo: Repository, network: AlignmentNetwork, scorer: Scorer, spec: ReportSpec, obj: Objective,
                  kr: KeyResult) -> KeyResultDetail:
    include_private = spec.include_private
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


