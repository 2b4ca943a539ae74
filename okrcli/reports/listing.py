"""`okr list` and `okr export` as plain data: scored objectives (or key results), filtered."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from ..json_fields import json_meta
from ..model import Repository
from .spec import ReportSpec
from .views import (
    KRView,
    ObjectiveView,
    Scorer,
    canonical_objectives,
)

# ------------------------------------------------------------------ okr list and okr export

@dataclass(slots=True)
class ListedKR:
    """A key result listed on its own (`okr list --krs`), with its objective's reference, owner and title."""

    key_result: KRView = field(metadata=json_meta(flatten=True))
    objective: str
    owner: str
    objective_title: str


@dataclass
class Listing:
    cycle: str
    as_of: date
    krs: bool = field(metadata=json_meta(omit=True))  # one row per key result instead of per objective
    rows: list[tuple[ObjectiveView, KRView | None]] = field(metadata=json_meta(omit=True))

    def objectives(self) -> Iterator[ObjectiveView]:
        return (v for v, _ in self.rows)

    def key_results(self) -> Iterator[ListedKR]:
        return (ListedKR(k, v.ref, v.owner, v.title) for v, k in self.rows)


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
    include_private: bool
    objectives: list[ObjectiveView]


def build_export(repo: Repository, scorer: Scorer, spec: ReportSpec) -> Export:
    """Every objective of `spec.cycle` (of every cycle when None), scored, in file order."""
    cycle, include_private = spec.cycle, spec.include_private
    cycles = [cycle] if cycle is not None else repo.cycles()
    objectives = [scorer.view(o) for o in canonical_objectives(repo, cycles)
                  if include_private or not o.private]
    return Export(cycle=cycle, cycles=cycles, as_of=scorer.today, include_private=include_private,
                  objectives=objectives)
