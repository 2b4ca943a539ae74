"""Progress, scores, bands and status (SPEC 3): pure functions of the model.

Nothing here reads the clock: status by pace takes `today` explicitly. Every
progress and score lies in [0, 1]; floats are never rounded here (renderers
round what they show).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from .cycles import Cycle
from .model import KeyResult, Objective, Org

ON_TRACK = "on_track"
AT_RISK = "at_risk"
OFF_TRACK = "off_track"
STATUSES = (ON_TRACK, AT_RISK, OFF_TRACK)  # best first
_RANK = {ON_TRACK: 0, AT_RISK: 1, OFF_TRACK: 2}

RED, YELLOW, GREEN = "red", "yellow", "green"
BANDS = (RED, YELLOW, GREEN)


def clamp(value: float) -> float:
    """`value` held to [0, 1]."""
    return 0.0 if value <= 0 else 1.0 if value >= 1 else float(value)


def numeric_progress(start: float, target: float, current: float) -> float:
    """`clamp((current - start) / (target - start), 0, 1)`; 0 when start == target (`kr-target`)."""
    span = target - start
    if span == 0:
        return 0.0
    return clamp((current - start) / span)


def threshold_holds(kr: KeyResult) -> bool:
    """A threshold KR holds when `current` is on the right side of `target` (inclusive)."""
    if kr.target is None:
        return False
    return kr.current >= kr.target if kr.keep == "above" else kr.current <= kr.target


def kr_progress(kr: KeyResult) -> float:
    """Measured progress of a KR in [0, 1], ignoring any `score` override."""
    if kr.kind == "milestone":
        return 1.0 if kr.done else 0.0
    if kr.kind == "threshold":
        return 1.0 if threshold_holds(kr) else 0.0
    if kr.target is None:
        return 0.0
    return numeric_progress(kr.start, kr.target, kr.current)


def kr_score(kr: KeyResult) -> float:
    """The KR's `score` when set (a grade), else its progress: what every roll-up uses."""
    return clamp(kr.score) if kr.score is not None else kr_progress(kr)


def objective_score(obj: Objective, kr_scores: Sequence[float] | None = None) -> float:
    """`review.score` when set, else the weighted mean of its KRs' scores; 0 without KRs.

    `kr_scores` may pass the KRs' scores (in order) when the caller has them already."""
    if obj.review is not None and obj.review.score is not None:
        return clamp(obj.review.score)
    krs = obj.key_results
    total = sum(kr.weight for kr in krs)
    if not krs or total <= 0:
        return 0.0
    if kr_scores is None:
        kr_scores = [kr_score(kr) for kr in krs]
    return clamp(sum(score * kr.weight for score, kr in zip(kr_scores, krs)) / total)


def rollup(scores: Iterable[float | None]) -> tuple[float | None, int, int]:
    """A roll-up (SPEC 3): the unweighted mean of the known scores (None when there are none),
    how many were known, and how many were left out as unknown (None: a key result failed to load)."""
    total, known, unknown = 0.0, 0, 0
    for score in scores:
        if score is None:
            unknown += 1
        else:
            total += score
            known += 1
    return (clamp(total / known) if known else None), known, unknown


def mean_score(objectives: Iterable[Objective]) -> float | None:
    """Unweighted mean of the objectives' scores; None when there are none. Objectives whose
    score is unknown (a key result failed to load) are left out (`okrcli.reports.review` counts them)."""
    return rollup(None if o.broken_krs else objective_score(o) for o in objectives)[0]


def owner_score(objectives: Iterable[Objective], owner: str) -> float | None:
    """Unweighted mean of `owner`'s objectives' scores (pass one cycle's objectives); None if it has none."""
    return mean_score(o for o in objectives if o.owner == owner)


def team_score(objectives: Iterable[Objective], org: Org, team: str) -> float | None:
    """Team roll-up: mean over the team's own objectives and those of its members
    (subteams and the people in any of them, `Org.members`); None if there are none."""
    inside = org.members(team) | {team}
    return mean_score(o for o in objectives if o.owner in inside)


def band(score: float) -> str:
    """Google grading bands: < 0.4 red, < 0.7 yellow, else green."""
    if score < 0.4:
        return RED
    if score < 0.7:
        return YELLOW
    return GREEN


def status_from_confidence(confidence: float) -> str:
    if confidence >= 0.7:
        return ON_TRACK
    if confidence >= 0.4:
        return AT_RISK
    return OFF_TRACK


# Absolute tolerances of the pace rule: this far behind the straight line is still on track
# (at risk), so nothing is off track merely because the cycle has just begun.
ON_TRACK_GAP = 0.10
AT_RISK_GAP = 0.25
_EPSILON = 1e-9  # binary floats: 0.4 - 0.3 is 0.10000000000000003, still within 0.10


def status_from_pace(progress: float, expected: float) -> str:
    """Against the straight line (SPEC 3): on track when `p >= 0.7*e` or `e - p <= 0.10`,
    at risk when `p >= 0.5*e` or `e - p <= 0.25`, else off track."""
    gap = expected - progress
    if progress >= 0.7 * expected - _EPSILON or gap <= ON_TRACK_GAP + _EPSILON:
        return ON_TRACK
    if progress >= 0.5 * expected - _EPSILON or gap <= AT_RISK_GAP + _EPSILON:
        return AT_RISK
    return OFF_TRACK


def status_of_milestone(elapsed: float) -> str:
    """A milestone not done, judged by halves of the time up to its due day: on track while
    less than half of it has gone, at risk until it has all gone, then off track."""
    if elapsed < 0.5:
        return ON_TRACK
    if elapsed < 1:
        return AT_RISK
    return OFF_TRACK


def milestone_elapsed(kr: KeyResult, cycle: Cycle, today: date) -> float:
    """Share of the time from the cycle's start to the milestone's `due` (default: the cycle's
    end) gone by the end of `today`: 0 before the cycle starts, 1 once that day is reached."""
    if kr.due is None or kr.due >= cycle.end or kr.due < cycle.start:
        return cycle.elapsed_fraction(today)
    return Cycle(cycle.id, cycle.kind, cycle.start, kr.due).elapsed_fraction(today)


def kr_status(kr: KeyResult, cycle: Cycle, today: date, score: float | None = None) -> str:
    """The owner's `confidence` when set; else a threshold KR is on track while it holds (off
    track when it does not); a milestone is on track when done, else judged by halves up to its
    `due`; else the KR's score (progress, or its `score` override) against the elapsed share of
    `cycle` as of `today` (0 before the cycle, 1 after it)."""
    if kr.kind == "milestone" and kr.confidence is None:
        if kr.done:
            return ON_TRACK
        return status_of_milestone(milestone_elapsed(kr, cycle, today))
    return kr_status_at(kr, cycle.elapsed_fraction(today), score)


def kr_status_at(kr: KeyResult, expected: float, score: float | None = None) -> str:
    """`kr_status` of a numeric or threshold KR given the expected share of progress (and the
    KR's score, if known); a milestone is judged against `expected` as the time gone to its end."""
    if kr.confidence is not None:
        return status_from_confidence(kr.confidence)
    if kr.kind == "threshold":
        return ON_TRACK if threshold_holds(kr) else OFF_TRACK
    if kr.kind == "milestone":
        return ON_TRACK if kr.done else status_of_milestone(expected)
    return status_from_pace(kr_score(kr) if score is None else score, expected)


def owes_checkin(kr: KeyResult) -> bool:
    """SPEC 3: a KR owes no check-in when it is done, derived, graded, or numeric at or past
    its target; every other KR owes one every `checkin_every` days while its cycle runs."""
    if kr.score is not None:  # graded
        return False
    if kr.derived is not None:  # `sum_of`, `rollup`: they follow what they derive from
        return False
    if kr.kind == "milestone":
        return not kr.done
    if kr.kind == "numeric":
        return kr_progress(kr) < 1
    return True  # thresholds: held or not, they are measured every period


def weakest(statuses: Iterable[str]) -> str | None:
    """The worst of the statuses (off track < at risk < on track); None for none."""
    worst = None
    for s in statuses:
        if worst is None or _RANK[s] > _RANK[worst]:
            worst = s
    return worst


def objective_status(obj: Objective, cycle: Cycle, today: date) -> str | None:
    """Its weakest KR's status; None (unknown) while a key result failed to load. An objective
    without key results is off track: nothing measures it (`no-key-results`)."""
    if obj.broken_krs:
        return None
    return weakest(kr_status(kr, cycle, today) for kr in obj.key_results) or OFF_TRACK
