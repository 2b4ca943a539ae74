"""Check-in discipline: per owner, the check-in periods of a cycle on time, late and missed.

A cycle is cut into periods of `checkin_every` days from its first day; a
remainder shorter than that joins the last period (a 92-day quarter with weekly
check-ins has 13 periods, the last one 8 days long). Only periods that are over
count: their last day is before `today` (all of them once the cycle has ended).

For one key result and one period:
- on time: a check-in (or hand edit) of the KR is dated inside the period;
- late: none inside, but one inside the following period (for the last period:
  the `checkin_every` days after the cycle ends);
- missed: neither, once the late window has closed: as of `today`, a period whose
  following period (or the days after the cycle) is still running is not missed yet.
  Until then it counts only when a check-in settled it (on time, or late already).
A milestone KR whose last check-in before a period began set it done owes
nothing in that period, nor does a numeric KR whose last check-in before it set
it at or past its target (SPEC 3). Only check-ins dated on or before `today` count.

For an owner and one period, over the KRs that owe a check-in in it: on time
when every KR is on time, late when every KR is on time or late, missed
otherwise. `weeks` counts the periods in which the owner owed anything, so
`on_time + late + missed == weeks` (a period still in its late window without a check-in
is in none of them yet). The KR-level counts (`kr_weeks`,
`kr_weeks_on_time`, `kr_weeks_late`) are kept too: `okr health` reads them.

KRs are those of the cycle's objectives as the repository stands (a KR added
mid-cycle counts from the first period). Private objectives are left out
unless `include_private`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import reduce
from itertools import repeat
from operator import or_

from ..cycles import Cycle
from ..load.history import History
from ..model import Repository

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
    pending: int = 0  # periods over but still in their late window, without a check-in yet

    @property
    def rate(self) -> float | None:
        """Share of periods on time; None before any period is over."""
        return self.on_time / self.weeks if self.weeks else None

    def as_json(self) -> dict:
        return {"owner": self.owner, "weeks": self.weeks, "on_time": self.on_time, "late": self.late,
                "missed": self.missed, "rate": self.rate,
                "last_checkin": self.last_checkin.isoformat() if self.last_checkin else None,
                "key_results": self.key_results, "kr_weeks": self.kr_weeks,
                "kr_weeks_on_time": self.kr_weeks_on_time, "kr_weeks_late": self.kr_weeks_late,
                "pending": self.pending}


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


class CycleCheckins:
    """The check-ins of one cycle's key results up to `today`, filed once by key result (`ByKR`).

    Per KR (`CYCLE:OWNER/OBJ/KR`): `hits`, a bit mask of the periods holding a check-in
    (bit `len(periods)` for the `checkin_every` days after the cycle), the day of the latest
    check-in on or before `today` (`last`) and on or before the cycle's end (`last_in_cycle`);
    `values` gives the milestone or numeric values of one KR, oldest first.
    """

    def __init__(self, history: History, cycle: Cycle, today: date, checkin_every: int):
        from .checkins import by_kr

        every = max(1, checkin_every)
        self.cycle, self.today, self.every = cycle, today, every
        self.periods = all_periods(cycle, every)
        count = len(self.periods)
        self.elapsed = sum(p.end < today for p in self.periods)
        # Periods whose late window (the next period; for the last one, `every` days after the
        # cycle) is over by `today`: only those can be missed.
        windows = [p.end for p in self.periods[1:]] + [cycle.end + timedelta(days=every)]
        self.closed = sum(1 << p.index for p, window in zip(self.periods, windows) if window < today)
        self.hits: dict[str, int] = {}
        self.last: dict[str, date] = {}
        self.last_in_cycle: dict[str, date] = {}
        self._recorded: dict[str, tuple[list, list[date]]] = {}
        self._values: dict[tuple[str, type], list] = {}
        self._future: set[str] = set()  # KRs with check-ins dated after `today` (left out)
        start, end = cycle.start, cycle.end
        after, cut = end + timedelta(days=every), min(today, end)
        bit = {}  # each day counted (inside the cycle or its late window, up to today) -> its period's bit
        day, one = start, timedelta(days=1)
        while day <= after and day <= today:
            bit[day] = 1 << (count if day > end else min((day - start).days // every, count - 1))
            day += one
        hits, last, last_in_cycle, recorded, get = self.hits, self.last, self.last_in_cycle, self._recorded, bit.get
        for key, series, days in by_kr(history).recorded(cycle.id):
            recorded[key] = (series, days)
            latest = max(days)
            if latest > today:
                self._future.add(key)
                latest = max((d for d in days if d <= today), default=None)
                if latest is None:
                    continue
            last[key] = latest
            if latest <= cut:
                last_in_cycle[key] = latest
            else:
                got = max((d for d in days if d <= cut), default=None)
                if got is not None:
                    last_in_cycle[key] = got
            mask = reduce(or_, map(get, days, repeat(0)), 0)
            if mask:
                hits[key] = mask

    def values(self, key: str, kind: type) -> list[tuple[date, object]]:
        """The (day, value) pairs of one KR up to `today` whose value is a `bool` (milestones) or a
        number (`int`: ints and floats), sorted by day (stable); empty when there are none."""
        got = self._values.get((key, kind))
        if got is None:
            series, days = self._recorded.get(key, ((), ()))
            today = self.today
            if kind is bool:
                got = [(d, c.value) for c, d in zip(series, days) if d <= today and type(c.value) is bool]
            else:
                got = [(d, c.value) for c, d in zip(series, days) if d <= today and type(c.value) in (int, float)]
            got.sort(key=_first)
            self._values[key, kind] = got
        return got

    def masks(self, key: str, milestone: bool, reached=None) -> tuple[int, int, int]:
        """(owed, on time, late) bit masks of one KR over the periods that are over. `reached`,
        for a numeric KR, says whether a value is at or past its target (then nothing is owed)."""
        elapsed = self.elapsed
        owed = full = (1 << elapsed) - 1
        if elapsed and (milestone or reached is not None) and key in self._recorded:
            owed = self._owed_of(key, milestone, reached, full)
        hits = self.hits.get(key, 0)
        on_time = hits & owed
        late = (hits >> 1) & ~hits & owed
        return owed, on_time, late

    def _owed_of(self, key: str, milestone: bool, reached, full: int) -> int:
        """The owed mask of a milestone (`done`) or a numeric KR that may reach its target."""
        if key not in self._future:  # every check-in counts: first, whether any value settles a period
            values = [c.value for c in self._recorded[key][0]]
            if milestone and any(v is True for v in values):
                return self._owed(self.values(key, bool), bool, full)
            if milestone and any(type(v) is bool for v in values):
                return full  # never done
            if reached is None or not any(reached(v) for v in values if type(v) in (int, float)):
                return full
            return self._owed(self.values(key, int), reached, full)
        series, done = (self.values(key, bool), bool) if milestone else ([], None)
        if not series and reached is not None:
            series, done = self.values(key, int), reached
        return self._owed(series, done, full) if series else full

    def _owed(self, series: list, done, full: int) -> int:
        """The periods over in which the KR was not done (or at target) as they began: the state
        a period starts in is that of the last value dated before its first day."""
        states = [done(value) for _, value in series]
        if not any(states):
            return full
        start, every, elapsed = self.cycle.start, self.every, self.elapsed
        owed, since, state = 0, 0, False  # periods [since, ...) start in `state` so far
        for (day, _), now in zip(series, states):
            first = 0 if day < start else min((day - start).days // every + 1, elapsed)  # first period after it
            if first > since:
                if not state:
                    owed |= ((1 << first) - 1) & ~((1 << since) - 1)
                since = first
            state = now
        if not state:
            owed |= full & ~((1 << since) - 1)
        return owed


def _first(item):
    return item[0]


def _reached(kr):
    """For a numeric KR: whether a recorded value is at or past its target (None otherwise)."""
    if kr.kind != "numeric" or kr.target is None or kr.target == kr.start:
        return None
    if kr.target > kr.start:
        return lambda value: value >= kr.target
    return lambda value: value <= kr.target


def checkin_discipline(repo: Repository, history: History, cycle: Cycle, today: date, checkin_every: int,
                       *, owners: Iterable[str] | None = None, include_private: bool = False,
                       checkins: CycleCheckins | None = None) -> dict[str, OwnerDiscipline]:
    """Per owner with key results in `cycle`: periods on time, late and missed (see the module doc).

    `checkins` may pass the cycle's check-ins already read (same cycle, today and period length)."""
    from .views import canonical_objectives

    if checkins is None:
        checkins = CycleCheckins(history, cycle, today, checkin_every)
    wanted = None if owners is None else set(owners)
    by_owner: dict[str, list] = {}
    for obj in canonical_objectives(repo, [cycle.id]):
        if (obj.private and not include_private) or (wanted is not None and obj.owner not in wanted):
            continue
        if obj.key_results:
            by_owner.setdefault(obj.owner, []).append(obj)
    last = checkins.last
    closed = checkins.closed
    result: dict[str, OwnerDiscipline] = {}
    for owner, objs in by_owner.items():
        owed_any = missed_any = late_any = pending = 0
        krs = kr_weeks = kr_on_time = kr_late = 0
        latest = None
        for obj in objs:
            for kr in obj.key_results:
                if kr.derived is not None:  # computed from its sources: it owes no check-in
                    continue
                key = f"{obj.key}/{kr.id}"
                owed, on_time, late = checkins.masks(key, kr.kind == "milestone", _reached(kr))
                owed_any |= owed
                late_any |= late
                missed_any |= owed & ~on_time & ~late
                pending |= owed & ~closed & ~on_time & ~late  # its late window is open: not missed yet
                krs += 1
                kr_weeks += owed.bit_count()
                kr_on_time += on_time.bit_count()
                kr_late += late.bit_count()
                day = last.get(key)
                if day is not None and (latest is None or day > latest):
                    latest = day
        owed_any &= ~pending  # an owner's period counts once every KR in it is settled
        missed_any &= ~pending
        missed = missed_any.bit_count()
        late_weeks = (late_any & ~missed_any & owed_any).bit_count()
        weeks = owed_any.bit_count()
        result[owner] = OwnerDiscipline(
            owner=owner, weeks=weeks, on_time=weeks - missed - late_weeks, late=late_weeks, missed=missed,
            last_checkin=latest, key_results=krs, kr_weeks=kr_weeks, kr_weeks_on_time=kr_on_time,
            kr_weeks_late=kr_late, pending=pending.bit_count())
    return result
