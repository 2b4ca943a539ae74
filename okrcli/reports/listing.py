"""`okr list` and `okr export` as plain data: scored objectives (or key results), filtered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..model import Repository
from .spec import ReportSpec
from .views import (
    KRView,
    ObjectiveView,
    Scorer,
    canonical_objectives,
)

# ------------------------------------------------------------------ okr list and okr export

@dataclass
class Listing:
    cycle: str
    as_of: date
    krs: bool  # one row per key result instead of per objective
    rows: list[tuple[ObjectiveView, KRView | None]]


def build_list(repo: Repository, scorer: Scorer, spec: ReportSpec) -> Listing:
    """Objectives (or their key results) of `spec.cycle`, filtered; `spec.status` applies to what is listed."""
    cycle, status, committed, krs = spec.cycle, spec.status, spec.committed, spec.krs
    rows: list[tuple[ObjectiveView, KRView | None]] = []
    for obj in canonical_objectives(repo, [cycle]):
        if not spec.wants(obj.private, obj.owner):
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


def build_export(repo: Repository, scorer: Scorer, spec: ReportSpec) -> Export:
    """Every objective of `spec.cycle` (of every cycle when None), scored, in file order."""
    cycle, include_private = spec.cycle, spec.include_private
    cycles = [cycle] if cycle is not None else repo.cycles()
    objectives = [scorer.view(o) for o in canonical_objectives(repo, cycles)
                  if include_private or not o.private]
    return Export(cycle=cycle, cycles=cycles, as_of=scorer.today, objectives=objectives)
