"""Check-in discipline (okrcli/discipline.py) on the crafted history of pulse_repo, counted by hand."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from gitrepo import isolate_git
from hypothesis import given, settings
from hypothesis import strategies as st
from pulse_repo import build

from okrcli.cycles import parse_cycle
from okrcli.load.build import load_repository
from okrcli.load.history import CheckIn, History, read_history
from okrcli.reports.discipline import (
    LATE,
    MISSED,
    ON_TIME,
    CycleCheckins,
    OwnerDiscipline,
    all_periods,
    checkin_discipline,
    elapsed_periods,
)

Q4 = parse_cycle("2026-Q4")


@pytest.fixture
def crafted(tmp_path, monkeypatch):
    isolate_git(monkeypatch, tmp_path)
    root = build(tmp_path / "okrs")
    repository, _ = load_repository(root)
    return repository, read_history(root)


def test_periods_cut_the_cycle_and_the_remainder_joins_the_last():
    q4 = all_periods(Q4, 7)
    assert len(q4) == 13
    assert (q4[0].start, q4[0].end) == (date(2026, 10, 1), date(2026, 10, 7))
    assert (q4[-1].start, q4[-1].end) == (date(2026, 12, 24), date(2026, 12, 31))  # 8 days
    q1 = all_periods(parse_cycle("2026-Q1"), 7)  # 90 days: 12 periods, the last one 13 days
    assert len(q1) == 12 and (q1[-1].start, q1[-1].end) == (date(2026, 3, 19), date(2026, 3, 31))
    assert len(all_periods(parse_cycle("2026-B1"), 14)) == 4  # 59 days
    assert len(all_periods(parse_cycle("2026-Q1"), 365)) == 1  # never zero periods
    assert [p.index for p in elapsed_periods(Q4, date(2026, 11, 1), 7)] == [0, 1, 2, 3]
    assert elapsed_periods(Q4, date(2026, 10, 7), 7) == []  # the first period is not over on its last day
    assert len(elapsed_periods(Q4, date(2027, 1, 1), 7)) == 13
    assert elapsed_periods(Q4, date(2026, 9, 1), 7) == []


def test_each_owner_counted_by_hand(crafted):
    repository, history = crafted
    got = checkin_discipline(repository, history, Q4, date(2026, 11, 1), 7)
    d = date
    assert got == {
        # KR1 on time every week; KR2 (milestone) done on Oct 5 owes nothing after period 0.
        "acme": OwnerDiscipline("acme", 4, 4, 0, 0, d(2026, 10, 30), 2, 5, 5, 0),
        # Oct 2 (p0), nothing in p1 but Oct 16 in p2 (late), nothing in p3 nor by Nov 1 (Nov 3 is later):
        # p3's late window (p4, Oct 29 - Nov 4) is still open on Nov 1, so p3 is not missed yet.
        "eng": OwnerDiscipline("eng", 3, 2, 1, 0, d(2026, 10, 16), 1, 4, 2, 1, 1),
        # The hand edit of Oct 20 counts: p0 missed, p1 late, p2 and p3 on time.
        "platform": OwnerDiscipline("platform", 4, 2, 1, 1, d(2026, 10, 27), 1, 4, 2, 1),
        # Three KRs each week, but O2/KR1 was not checked in in p3: p3 waits for its late window.
        "alice": OwnerDiscipline("alice", 3, 3, 0, 0, d(2026, 10, 27), 3, 12, 11, 0, 1),
        # Never (the private O2 check-in of Oct 3 is left out): p0-p2 missed, p3 not yet.
        "bob": OwnerDiscipline("bob", 3, 0, 0, 3, None, 1, 4, 0, 0, 1),
        # Sep 28 is before the cycle; Oct 9 makes p0 late and p1 on time; the grade of Oct 23 is no check-in;
        # p2 missed, p3 not yet.
        "sales": OwnerDiscipline("sales", 3, 1, 1, 1, d(2026, 10, 9), 1, 4, 1, 1, 1),
    }
    assert got["alice"].rate == 3 / 3 and got["bob"].rate == 0
    assert got["eng"].as_json() == {
        "owner": "eng", "weeks": 3, "on_time": 2, "late": 1, "missed": 0, "rate": 2 / 3,
        "last_checkin": "2026-10-16", "key_results": 1, "kr_weeks": 4, "kr_weeks_on_time": 2, "kr_weeks_late": 1,
        "pending": 1}


def test_private_objectives_count_when_asked(crafted):
    repository, history = crafted
    got = checkin_discipline(repository, history, Q4, date(2026, 11, 1), 7, owners=["bob"], include_private=True)
    # O2/KR1 was checked in on Oct 3 (p0) only: p0 missed for the owner (O1/KR1 missed) all the same.
    assert got == {"bob": OwnerDiscipline("bob", 3, 0, 0, 3, date(2026, 10, 3), 2, 8, 1, 0, 1)}


def test_the_as_of_date_hides_later_checkins(crafted):
    repository, history = crafted
    got = checkin_discipline(repository, history, Q4, date(2026, 10, 15), 7, owners=["eng", "acme"])
    # On Oct 15 periods 0 and 1 are over; eng's Oct 16 check-in has not happened yet, and p1's late
    # window (p2) is open: p1 is not missed yet.
    assert got["eng"] == OwnerDiscipline("eng", 1, 1, 0, 0, date(2026, 10, 2), 1, 2, 1, 0, 1)
    assert got["acme"] == OwnerDiscipline("acme", 2, 2, 0, 0, date(2026, 10, 10), 2, 3, 3, 0)


def test_after_the_cycle_every_period_counts_and_the_last_can_be_late(crafted):
    repository, history = crafted
    got = checkin_discipline(repository, history, parse_cycle("2026-Q3"), date(2026, 11, 1), 7)
    assert got == {
        "acme": OwnerDiscipline("acme", 13, 0, 0, 13, None, 1, 13, 0, 0),
        # Jul 1 (p0) and Sep 29 (p12, Sep 23-30): on time; p11 (Sep 16-22) is late.
        "alice": OwnerDiscipline("alice", 13, 2, 1, 10, date(2026, 9, 29), 1, 13, 2, 1),
    }


KEY = "2026-Q4:a/O1/KR1"


def _history(*items: tuple[date, object]) -> History:
    """Check-ins of KEY, given oldest first (History holds them newest first)."""
    made = [CheckIn("checkin", "2026-Q4", "a/O1/KR1", value, None, None, None,
                    datetime(d.year, d.month, d.day, 12, tzinfo=timezone.utc), "A", "a@x", "0" * 40)
            for d, value in items]
    return History(tuple(reversed(made)))


OPEN = "open"  # over, nothing inside, but its late window is still running: not missed yet


def marks(items, today: date, milestone: bool = False) -> list[str | None]:
    """Per period over: on_time, late, missed, open, or None when the KR owed nothing."""
    checkins = CycleCheckins(_history(*items), Q4, today, 7)
    owed, on_time, late = checkins.masks(KEY, milestone)
    out = []
    for i in range(checkins.elapsed):
        bit = 1 << i
        out.append(None if not owed & bit else ON_TIME if on_time & bit else LATE if late & bit
                   else MISSED if checkins.closed & bit else OPEN)
    return out


def test_marks_of_one_key_result():
    d = date
    # A check-in only in the following period makes a period late.
    assert marks([(d(2026, 10, 9), 1)], d(2026, 10, 22)) == [LATE, ON_TIME, OPEN]
    assert marks([(d(2026, 10, 9), 1)], d(2026, 10, 29)) == [LATE, ON_TIME, MISSED, OPEN]
    # ... the following period may still be running: not missed yet; a check-in after today does not count.
    assert marks([(d(2026, 10, 16), 1)], d(2026, 10, 15)) == [MISSED, OPEN]
    assert marks([(d(2026, 10, 15), 1)], d(2026, 10, 15)) == [MISSED, LATE]
    # The last period's late window is Jan 1-7: open on Jan 1, late with a check-in on Jan 3.
    assert marks([], d(2027, 1, 1))[-1] == OPEN
    assert marks([(d(2027, 1, 3), 1)], d(2027, 1, 3))[-1] == LATE
    assert marks([], d(2027, 1, 7))[-1] == OPEN and marks([], d(2027, 1, 8))[-1] == MISSED
    # After the last period, the checkin_every days after the cycle (Jan 1-7) make it late.
    assert marks([(d(2027, 1, 3), 1)], d(2027, 2, 1))[-2:] == [MISSED, LATE]
    assert marks([(d(2027, 1, 8), 1)], d(2027, 2, 1))[-1] == MISSED
    # A milestone done owes nothing until it is set back to not done.
    done_then_undone = [(d(2026, 10, 2), True), (d(2026, 10, 10), False)]
    assert marks(done_then_undone, d(2026, 10, 29), milestone=True) == [ON_TIME, None, MISSED, OPEN]
    assert marks(done_then_undone, d(2026, 10, 29)) == [ON_TIME, ON_TIME, MISSED, OPEN]


def test_a_numeric_key_result_at_its_target_owes_nothing_after():
    d = date
    checkins = CycleCheckins(_history((d(2026, 10, 2), 4), (d(2026, 10, 9), 10)), Q4, d(2026, 10, 29), 7)
    owed, on_time, _late = checkins.masks(KEY, False, lambda value: value >= 10)
    assert (owed, on_time) == (0b11, 0b11)  # p0 and p1 checked in; from p2 on it stands at its target
    owed, _, _ = checkins.masks(KEY, False)  # without a target to reach, every period owes
    assert owed == 0b1111


def _reference(days: list[date], periods, today: date, after_end: tuple[date, date]) -> list[str]:
    """The module doc's definition, literally, for one (non-milestone) KR."""
    seen = [day for day in days if day <= today]
    out = []
    over = [p for p in periods if p.end < today]
    for i, p in enumerate(over):
        nxt = (periods[i + 1].start, periods[i + 1].end) if i + 1 < len(periods) else after_end
        if any(p.start <= day <= p.end for day in seen):
            out.append(ON_TIME)
        elif any(nxt[0] <= day <= nxt[1] for day in seen):
            out.append(LATE)
        elif nxt[1] >= today:
            out.append(OPEN)
        else:
            out.append(MISSED)
    return out


def test_bit_masks_agree_with_the_definition():
    import random

    rng = random.Random(7)
    periods = all_periods(Q4, 7)
    after_end = (date(2027, 1, 1), date(2027, 1, 7))
    for _ in range(300):
        days = sorted(date(2026, 9, 20) + timedelta(days=rng.randrange(120)) for _ in range(rng.randrange(8)))
        today = date(2026, 9, 25) + timedelta(days=rng.randrange(120))
        assert marks([(day, 1) for day in days], today) == _reference(days, periods, today, after_end), (days, today)


def test_rate_is_none_before_any_period_is_over():
    assert OwnerDiscipline("a", 0, 0, 0, 0, None).rate is None


def test_an_empty_history_misses_everything(crafted):
    repository, _ = crafted
    got = checkin_discipline(repository, History(()), Q4, date(2026, 11, 1), 7, owners=["alice"])
    assert got == {"alice": OwnerDiscipline("alice", 3, 0, 0, 3, None, 3, 12, 0, 0, 1)}  # p3: window open


def _owed_by_hand(items, today: date, milestone: bool) -> int:
    """Period by period: owed unless the last value dated before the period's first day (up to
    `today`; same day: in history order) set the milestone done (or the number at its target, 10)."""
    kept = sorted(((day, v) for day, v in items if day <= today and (type(v) is bool) == milestone),
                  key=lambda item: item[0])
    owed = 0
    for p in [p for p in all_periods(Q4, 7) if p.end < today]:
        before = [v for day, v in kept if day < p.start]
        if not before or not (before[-1] if milestone else before[-1] >= 10):
            owed |= 1 << p.index
    return owed


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(-20, 110), st.one_of(st.booleans(), st.integers(0, 12))), max_size=8),
       st.integers(-5, 120), st.booleans())
def test_owed_periods_follow_the_values_before_each_period(items, today, milestone):
    start = Q4.start
    dated = [(start + timedelta(days=day), value) for day, value in items]
    day = start + timedelta(days=today)
    checkins = CycleCheckins(_history(*dated), Q4, day, 7)
    owed, _, _ = checkins.masks(KEY, milestone, None if milestone else (lambda value: value >= 10))
    assert owed == _owed_by_hand(dated, day, milestone)
