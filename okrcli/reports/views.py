"""Scored objectives and key results as plain data: what `okr tree`, `okr show`, `okr list`,
`okr export` and the reports show of each (`okrcli.reports.tree`, `.show`, `.listing`).

A `Scorer` scores each objective once as of one date; renderers in `okrcli.render` turn the
views into text, JSON, CSV, Mermaid or Graphviz. Nothing here prints, and nothing here
imports rich or networkx.

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
from ..json_fields import json_meta
from ..model import KeyResult, Objective, RefEntry, Repository

KIND_RANK = {"company": 0, "team": 1, "person": 2, None: 3}


# ------------------------------------------------------------------ scored objectives

def _is_derived(kr: KRView) -> bool:
    return kr.derived is not None


def _review(v: ObjectiveView) -> dict | None:
    return None if v.review_score is None and v.review_notes is None else {"score": v.review_score,
                                                                            "notes": v.review_notes}


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
    # only derived KRs carry `derived` and `sources` in JSON
    derived: str | None = field(default=None, metadata=json_meta(omit_empty=True))  # sum_of | rollup
    sources: tuple[str, ...] = field(default=(), metadata=json_meta(when=_is_derived))  # private ones left out
    derived_text: str | None = field(default=None, metadata=json_meta(omit=True))  # "sum of ...", "mirror of ..."


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
    review_score: float | None = field(metadata=json_meta(key="review", value=_review))
    review_notes: str | None = field(metadata=json_meta(omit=True))
    # `path:line` of the findings that left score and status unknown (None); empty when known
    incomplete: tuple[str, ...]
    key_results: tuple[KRView, ...]


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

    def kr(self, obj: Objective, kr: KeyResult, ref: str | None = None) -> KRView:
        progress = scoring.kr_progress(kr)
        graded = kr.score is not None
        score = scoring.kr_score(kr) if graded else progress
        kind = kr.kind
        measured = kind != "milestone"
        if ref is None:
            ref = f"{obj.cycle}:{obj.owner}/{obj.id}/{kr.id}"
        if kr.due is not None:
            status = scoring.kr_status(kr, self.cycle(obj.cycle), self.today)
        elif kr.confidence is None and kind == "numeric":  # scoring.kr_status_at, its usual case
            status = scoring.status_from_pace(score, self.expected(obj.cycle))
        else:
            status = scoring.kr_status_at(kr, self.expected(obj.cycle), score)
        view = KRView(
            ref, kr.id, kr.title, kind, kr.unit,
            kr.start if kind == "numeric" else None, kr.target if measured else None,
            kr.current if measured else None, None if measured else kr.done, kr.due, kr.keep, kr.weight,
            kr.confidence, progress, score, graded, status, scoring.band(score),
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
        cycle, key = obj.cycle, obj.key
        head = key + "/"
        krs = tuple([self.kr(obj, kr, head + kr.id) for kr in obj.key_results])
        score: float | None = None
        band = status = None
        broken = obj.broken_krs
        if not broken:  # else unknown, never computed from the KRs that remain
            score = scoring.objective_score(obj, [k.score for k in krs])
            band = scoring.band(score)
            status = scoring.weakest([k.status for k in krs]) or scoring.OFF_TRACK
        review = obj.review
        got = ObjectiveView(
            key, cycle, obj.owner, self.repo.org.kind(obj.owner), obj.id, obj.title,
            obj.description, score, band, status, obj.committed, obj.private,
            obj.standalone, tuple([explicit_ref(e, cycle) for e in obj.aligns]) if obj.aligns else (),
            tuple([explicit_ref(e, cycle) for e in obj.depends_on]) if obj.depends_on else (),
            review.score if review else None, review.notes if review else None,
            tuple([f"{b.path}:{b.line}" for b in broken]) if broken else (), krs,
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
