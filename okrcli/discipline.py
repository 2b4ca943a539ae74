"""Check-in discipline: per owner, the check-in periods of a cycle on time, late and missed.

A cycle is cut into periods of `checkin_every` days from its first day; a
remainder shorter than that joins the last period (a 92-day quarter with weekly
check-ins has 13 periods, the last one 8 days long). Only periods that are over
count: their last day is before `today` (all of them once the cycle has ended).

For one key result and one period:
- on time: a check-in (or hand edit) of the KR is dated inside the period;
- late: none inside, but one inside the following period (for the last period:
  the `checkin_every` days after the cycle ends);
- missed: neither.
A milestone KR whose last check-in before a period began set it done owes
nothing in that period. Only check-ins dated on or before `today` count.

For an owner and one period, over the KRs that owe a check-in in it: on time
when every KR is on time, late when every KR is on time or late, missed
otherwise. `weeks` counts the periods in which the owner owed anything, so
`on_time + late + missed == weeks`. The KR-level counts (`kr_weeks`,
`kr_weeks_on_time`, `kr_weeks_late`) are kept too: `okr health` reads them.

KRs are those of the cycle's objectives as the repository stands (a KR added
mid-cycle counts from the first period). Private objectives are left out
unless `include_private`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from .cycles import Cycle
from .history import CheckIn, History
from .model import Repository

ON_TIME, LATE, MISSED = "on_time", "late", "missed"


@dataclass(frozen=True, slots=True)
class Period:
    index: int
    start: date
    end: date  # inclusive


@dataclass(frozen=True)
class OwnerDiscipline:
    """One owner's check-in record over the periods of a cycle that are over."""

    owner: str
    weeks: int  # periods in which the owner owed a check-in
    on_time: int
    late: int
    missed: int
    last_checkin: date | None  # latest check-in of any of the owner's KRs in the cycle
    key_results: int = 0
    kr_weeks: int = 0  # (KR, period) pairs that owed a check-in
    kr_weeks_on_time: int = 0
    kr_weeks_late: int = 0

    @property
    def rate(self) -> float | None:
        """Share of periods on time; None before any period is over."""
        return self.on_time / self.weeks if self.weeks else None

    def as_json(self) -> dict:
        return {"owner": self.owner, "weeks": self.weeks, "on_time": self.on_time, "late": self.late,
                "missed": self.missed, "rate": self.rate,
                "last_checkin": self.last_checkin.isoformat() if self.last_checkin else None,
                "key_results": self.key_results, "kr_weeks": self.kr_weeks,
                "kr_weeks_on_time": self.kr_weeks_on_time, "kr_weeks_late": self.kr_weeks_late}


def all_periods(cycle: Cycle, checkin_every: int) -> list[Period]:
    """Every check-in period of the cycle (the remainder joins the last one)."""
    every = max(1, checkin_every)
    count = max(1, cycle.days // every)
    periods = []
    for i in range(count):
        start = cycle.start + timedelta(days=i * every)
        end = cycle.end if i == count - 1 else start + timedelta(days=every - 1)
        periods.append(Period(i, start, end))
    return periods


def elapsed_periods(cycle: Cycle, today: date, checkin_every: int) -> list[Period]:
    """The periods that are over by `today` (their last day is before it)."""
    return [p for p in all_periods(cycle, checkin_every) if p.end < today]


def checkin_dates(history: History, key: str, today: date) -> list[tuple[date, CheckIn]]:
    """(day, check-in) of one KR (`CYCLE:OWNER/OBJ/KR`), oldest first, dated on or before `today`."""
    return [(c.date.date(), c) for c in history.series(key) if c.date.date() <= today]


def last_checkin(history: History, key: str, today: date) -> date | None:
    """The day of the latest check-in of one KR on or before `today`."""
    got = checkin_dates(history, key, today)
    return max(d for d, _ in got) if got else None


def kr_marks(days: list[tuple[date, CheckIn]], periods: list[Period], after_end: tuple[date, date],
             milestone: bool) -> list[str | None]:
    """For one KR, per period: on_time, late, missed, or None when it owed nothing (done)."""
    ordered = sorted(days, key=lambda item: item[0])
    dates = [d for d, _ in ordered]
    marks: list[str | None] = []
    for i, period in enumerate(periods):
        if milestone:
            before = bisect_right(dates, period.start - timedelta(days=1))
            if before and ordered[before - 1][1].value is True:
                marks.append(None)
                continue
        if _any_between(dates, period.start, period.end):
            marks.append(ON_TIME)
            continue
        nxt = (periods[i + 1].start, periods[i + 1].end) if i + 1 < len(periods) else after_end
        marks.append(LATE if _any_between(dates, *nxt) else MISSED)
    return marks


def _any_between(dates: list[date], first: date, last: date) -> bool:
    at = bisect_right(dates, first - timedelta(days=1))
    return at < len(dates) and dates[at] <= last


def checkin_discipline(repo: Repository, history: History, cycle: Cycle, today: date, checkin_every: int,
                       *, owners: Iterable[str] | None = None,
                       include_private: bool = False) -> dict[str, OwnerDiscipline]:
    """Per owner with key results in `cycle`: periods on time, late and missed (see the module doc)."""
    from .views import canonical_objectives

    every = max(1, checkin_every)
    wanted = None if owners is None else set(owners)
    periods = [p for p in all_periods(cycle, every) if p.end < today]
    after_end = (cycle.end + timedelta(days=1), cycle.end + timedelta(days=every))
    by_owner: dict[str, list[tuple[list[str | None], date | None]]] = {}
    for obj in canonical_objectives(repo, [cycle.id]):
        if (obj.private and not include_private) or (wanted is not None and obj.owner not in wanted):
            continue
        rows = by_owner.setdefault(obj.owner, [])
        for kr in obj.key_results:
            days = checkin_dates(history, f"{obj.key}/{kr.id}", today)
            marks = kr_marks(days, periods, after_end, kr.kind == "milestone")
            rows.append((marks, max(d for d, _ in days) if days else None))
    result: dict[str, OwnerDiscipline] = {}
    for owner, rows in by_owner.items():
        if not rows:
            continue
        counts = {ON_TIME: 0, LATE: 0, MISSED: 0}
        kr_counts = {ON_TIME: 0, LATE: 0, MISSED: 0}
        for i in range(len(periods)):
            owed = [marks[i] for marks, _ in rows if marks[i] is not None]
            for mark in owed:
                kr_counts[mark] += 1
            if owed:
                counts[MISSED if MISSED in owed else LATE if LATE in owed else ON_TIME] += 1
        seen = [last for _, last in rows if last is not None]
        result[owner] = OwnerDiscipline(
            owner=owner, weeks=sum(counts.values()), on_time=counts[ON_TIME], late=counts[LATE],
            missed=counts[MISSED], last_checkin=max(seen) if seen else None, key_results=len(rows),
            kr_weeks=sum(kr_counts.values()), kr_weeks_on_time=kr_counts[ON_TIME],
            kr_weeks_late=kr_counts[LATE])
    return result
