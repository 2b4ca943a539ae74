"""SPEC 3 arithmetic by hand, and properties of it (hypothesis)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from okrcli import scoring
from okrcli.cycles import parse_cycle
from okrcli.errors import Loc
from okrcli.model import Company, KeyResult, Objective, Org, Person, Review, Team

LOC = Loc("2026-Q4/x.yaml", 1, 1)
Q4 = parse_cycle("2026-Q4")  # 2026-10-01 .. 2026-12-31, 92 days


def numeric(start=0, target=100, current=None, **kw) -> KeyResult:
    return kr("numeric", start=start, target=target, current=start if current is None else current, **kw)


def threshold(target, current, keep="above", **kw) -> KeyResult:
    return kr("threshold", target=target, current=current, keep=keep, **kw)


def milestone(done, **kw) -> KeyResult:
    return kr("milestone", done=done, **kw)


def kr(kind, *, id="KR1", start=0, target=None, current=0, done=None, keep=None, confidence=None,
       weight=1, score=None, due=None) -> KeyResult:
    return KeyResult(id=id, title="t", kind=kind, start=start, target=target, current=current, done=done,
                     keep=keep, unit=None, confidence=confidence, weight=weight, score=score, loc=LOC, spans={},
                     due=due)


def objective(*krs, owner="alice", id="O1", review_score=None) -> Objective:
    review = Review(score=review_score, notes=None) if review_score is not None else None
    return Objective(cycle="2026-Q4", owner=owner, id=id, title="t", key_results=tuple(krs), aligns=(),
                     depends_on=(), committed=False, private=False, standalone=None, description=None,
                     review=review, written_krs=len(krs), loc=LOC, spans={})


# ------------------------------------------------------------------ progress

def test_numeric_increasing():
    assert scoring.kr_progress(numeric(10, 50, 20)) == 0.25


def test_numeric_decreasing_uses_the_same_formula():
    assert scoring.kr_progress(numeric(40, 10, 25)) == 0.5


@pytest.mark.parametrize("start, target, current, expected", [
    (10, 50, 80, 1.0), (10, 50, 0, 0.0), (40, 10, 0, 1.0), (40, 10, 60, 0.0), (10, 50, 50, 1.0),
    (10, 50, 10, 0.0),
])
def test_numeric_is_clamped(start, target, current, expected):
    assert scoring.kr_progress(numeric(start, target, current)) == expected


def test_start_equal_to_target_does_not_crash():
    assert scoring.kr_progress(numeric(5, 5, 7)) == 0.0
    assert scoring.objective_score(objective(numeric(5, 5, 7))) == 0.0


@pytest.mark.parametrize("keep, target, current, expected", [
    ("above", 99.95, 99.97, 1.0), ("above", 99.95, 99.95, 1.0), ("above", 99.95, 99.9, 0.0),
    ("below", 5, 3, 1.0), ("below", 5, 5, 1.0), ("below", 5, 6, 0.0),
])
def test_threshold(keep, target, current, expected):
    assert scoring.kr_progress(threshold(target, current, keep)) == expected


@pytest.mark.parametrize("done, expected", [(True, 1.0), (False, 0.0), (None, 0.0)])
def test_milestone(done, expected):
    assert scoring.kr_progress(milestone(done)) == expected


# ------------------------------------------------------------------ scores

def test_kr_score_override_replaces_progress_in_roll_ups():
    graded = numeric(0, 100, 10, score=0.7)
    assert scoring.kr_progress(graded) == 0.1
    assert scoring.kr_score(graded) == 0.7
    assert scoring.objective_score(objective(graded, milestone(True, id="KR2"))) == pytest.approx(0.85)


def test_objective_score_is_the_weighted_mean():
    obj = objective(milestone(True, weight=2), milestone(False, id="KR2"))
    assert scoring.objective_score(obj) == pytest.approx(2 / 3)
    assert scoring.objective_score(objective(numeric(0, 10, 5), milestone(True, id="KR2"))) == 0.75


def test_review_score_replaces_the_objective_score():
    assert scoring.objective_score(objective(milestone(False), review_score=0.9)) == 0.9


def test_objective_without_key_results_scores_zero():
    assert scoring.objective_score(objective()) == 0.0


def test_owner_score_is_the_unweighted_mean_of_its_objectives():
    objs = [objective(milestone(True), id="O1"), objective(milestone(False), milestone(True, id="KR2"), id="O2"),
            objective(milestone(False), owner="bob")]
    assert scoring.owner_score(objs, "alice") == 0.75
    assert scoring.owner_score(objs, "bob") == 0.0
    assert scoring.owner_score(objs, "carol") is None


def test_team_roll_up_includes_subteams_and_members_only():
    org = Org(
        company=Company("acme", "Acme", LOC),
        teams={"eng": Team("eng", "Eng", None, None, LOC, {}),
               "platform": Team("platform", "Platform", "eng", None, LOC, {}),
               "sales": Team("sales", "Sales", None, None, LOC, {})},
        people={"alice": Person("alice", "A", "eng", None, LOC, {}),
                "bob": Person("bob", "B", "platform", None, LOC, {}),
                "mei": Person("mei", "M", "sales", None, LOC, {})},
    )
    objs = [objective(milestone(True), owner="eng"), objective(milestone(False), owner="platform"),
            objective(numeric(0, 10, 5), owner="bob"), objective(milestone(True), owner="alice"),
            objective(milestone(False), owner="mei"), objective(milestone(False), owner="acme")]
    assert scoring.team_score(objs, org, "eng") == pytest.approx((1 + 0 + 0.5 + 1) / 4)
    assert scoring.team_score(objs, org, "platform") == pytest.approx(0.25)
    assert scoring.team_score(objs, org, "sales") == 0.0


@pytest.mark.parametrize("score, band", [
    (0.0, "red"), (0.3999, "red"), (0.4, "yellow"), (0.6999, "yellow"), (0.7, "green"), (1.0, "green"),
])
def test_bands(score, band):
    assert scoring.band(score) == band


# ------------------------------------------------------------------ status

@pytest.mark.parametrize("confidence, status", [
    (1.0, "on_track"), (0.7, "on_track"), (0.69, "at_risk"), (0.4, "at_risk"), (0.39, "off_track"), (0, "off_track"),
])
def test_status_from_confidence_wins_over_pace(confidence, status):
    done_kr = numeric(0, 100, 100, confidence=confidence)  # fully done, but the owner's word counts
    assert scoring.kr_status(done_kr, Q4, date(2026, 12, 31)) == status


def test_elapsed_fraction_of_q4():
    assert Q4.elapsed_fraction(date(2026, 9, 30)) == 0.0
    assert Q4.elapsed_fraction(date(2026, 11, 15)) == 0.5  # 46 of 92 days
    assert Q4.elapsed_fraction(date(2026, 12, 31)) == 1.0


def test_status_before_the_cycle_is_on_track_whatever_the_progress():
    assert scoring.kr_status(numeric(0, 100, 0), Q4, date(2026, 9, 1)) == "on_track"


@pytest.mark.parametrize("current, status", [
    (35, "on_track"), (34, "at_risk"), (25, "at_risk"), (24, "off_track"), (0, "off_track"),
])
def test_status_from_pace_inside_the_cycle(current, status):
    # On 2026-11-15 half of Q4 has passed: on track from 0.7 * 0.5, at risk from 0.5 * 0.5.
    assert scoring.kr_status(numeric(0, 100, current), Q4, date(2026, 11, 15)) == status


@pytest.mark.parametrize("current, status", [(70, "on_track"), (69, "at_risk"), (50, "at_risk"), (49, "off_track")])
def test_status_from_pace_after_the_cycle(current, status):
    assert scoring.kr_status(numeric(0, 100, current), Q4, date(2027, 2, 1)) == status


def test_pace_uses_the_score_override():
    assert scoring.kr_status(numeric(0, 100, 0, score=0.8), Q4, date(2027, 2, 1)) == "on_track"


def test_milestone_status_by_halves_of_the_cycle():
    # Status v2 (SPEC 3): a milestone not done is on track while less than half the cycle has gone.
    assert scoring.kr_status(milestone(False), Q4, date(2026, 10, 1)) == "on_track"  # 1/92
    assert scoring.kr_status(milestone(False), Q4, date(2026, 11, 14)) == "on_track"  # 45/92
    assert scoring.kr_status(milestone(False), Q4, date(2026, 11, 15)) == "at_risk"  # 46/92 = 0.5
    assert scoring.kr_status(milestone(False), Q4, date(2026, 12, 30)) == "at_risk"  # 91/92
    assert scoring.kr_status(milestone(False), Q4, date(2026, 12, 31)) == "off_track"
    assert scoring.kr_status(milestone(True), Q4, date(2026, 12, 31)) == "on_track"


def test_milestone_status_by_halves_up_to_its_due_day():
    due = milestone(False, due=date(2026, 10, 20))  # 20 days from the cycle's start
    assert scoring.kr_status(due, Q4, date(2026, 10, 9)) == "on_track"  # 9/20
    assert scoring.kr_status(due, Q4, date(2026, 10, 10)) == "at_risk"  # 10/20
    assert scoring.kr_status(due, Q4, date(2026, 10, 19)) == "at_risk"  # 19/20
    assert scoring.kr_status(due, Q4, date(2026, 10, 20)) == "off_track"  # the due day has gone
    assert scoring.kr_status(milestone(True, due=date(2026, 10, 20)), Q4, date(2026, 11, 1)) == "on_track"


@pytest.mark.parametrize("progress, expected, status", [
    (0.0, 0.10, "on_track"), (0.3, 0.4, "on_track"), (0.0, 0.11, "at_risk"), (0.15, 0.4, "at_risk"),
    (0.0, 0.25, "at_risk"), (0.0, 0.26, "off_track"), (0.5, 1.0, "at_risk"), (0.7, 1.0, "on_track"),
])
def test_pace_tolerates_an_absolute_gap(progress, expected, status):
    # On track when p >= 0.7e or e - p <= 0.10 (0.4 - 0.3 is 0.10 here, not a binary float's 0.10000000000000003).
    assert scoring.status_from_pace(progress, expected) == status


@pytest.mark.parametrize("kr_, owes", [
    (numeric(0, 10, 10), False), (numeric(0, 10, 12), False), (numeric(10, 0, 0), False), (numeric(0, 10, 9), True),
    (milestone(True), False), (milestone(False), True), (numeric(0, 10, 3, score=0.3), False),
    (threshold(5, 3, keep="below"), True),
])
def test_who_owes_a_checkin(kr_, owes):
    assert scoring.owes_checkin(kr_) is owes


def test_threshold_is_on_track_while_it_holds():
    assert scoring.kr_status(threshold(99.95, 99.97), Q4, date(2026, 12, 31)) == "on_track"
    assert scoring.kr_status(threshold(99.95, 99.9), Q4, date(2026, 10, 2)) == "off_track"
    assert scoring.kr_status(threshold(99.95, 99.9, confidence=0.8), Q4, date(2026, 10, 2)) == "on_track"


def test_objective_status_is_its_weakest_kr():
    day = date(2026, 11, 15)
    obj = objective(numeric(0, 100, 90), numeric(0, 100, 30, id="KR2"), milestone(True, id="KR3"))
    assert scoring.objective_status(obj, Q4, day) == "at_risk"
    obj = objective(numeric(0, 100, 90), numeric(0, 100, 0, id="KR2", confidence=0.2))
    assert scoring.objective_status(obj, Q4, day) == "off_track"
    assert scoring.objective_status(objective(milestone(True)), Q4, day) == "on_track"


def test_objective_without_key_results_is_off_track():
    assert scoring.objective_status(objective(), Q4, date(2026, 11, 15)) == "off_track"


# ------------------------------------------------------------------ properties

finite = st.floats(min_value=-1e15, max_value=1e15, allow_nan=False, allow_infinity=False)
unit = st.floats(min_value=0, max_value=1, allow_nan=False)
weights = st.floats(min_value=1e-6, max_value=1e6, allow_nan=False)
days = st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31))


@st.composite
def key_results(draw, id="KR1"):
    kind = draw(st.sampled_from(["numeric", "threshold", "milestone"]))
    extra = {"id": id, "confidence": draw(st.none() | unit), "weight": draw(weights),
             "score": draw(st.none() | unit)}
    if kind == "numeric":
        return numeric(draw(finite), draw(finite), draw(finite), **extra)
    if kind == "threshold":
        return threshold(draw(finite), draw(finite), draw(st.sampled_from(["above", "below"])), **extra)
    return milestone(draw(st.none() | st.booleans()), **extra)


@st.composite
def objectives(draw, owner="alice", id="O1"):
    krs = [draw(key_results(id=f"KR{i}")) for i in range(draw(st.integers(0, 6)))]
    return objective(*krs, owner=owner, id=id, review_score=draw(st.none() | unit))


@given(key_results(), days)
def test_kr_progress_score_and_status_are_in_range(k, day):
    assert 0.0 <= scoring.kr_progress(k) <= 1.0
    assert 0.0 <= scoring.kr_score(k) <= 1.0
    assert scoring.kr_status(k, Q4, day) in scoring.STATUSES


@given(objectives(), days)
def test_objective_score_is_in_range(obj, day):
    score = scoring.objective_score(obj)
    assert 0.0 <= score <= 1.0
    assert scoring.band(score) in scoring.BANDS
    assert scoring.objective_status(obj, Q4, day) in scoring.STATUSES


@given(st.lists(objectives(), max_size=5))
def test_owner_score_is_in_range(objs):
    score = scoring.owner_score(objs, "alice")
    assert score is None if not objs else 0.0 <= score <= 1.0


@given(finite, finite, finite, finite)
def test_numeric_progress_is_monotone_in_current(start, target, c1, c2):
    low, high = sorted((c1, c2))
    p_low = scoring.kr_progress(numeric(start, target, low))
    p_high = scoring.kr_progress(numeric(start, target, high))
    if target > start:
        assert p_low <= p_high
    elif target < start:
        assert p_low >= p_high


@given(finite, finite, finite)
def test_decreasing_krs_mirror_increasing_ones(start, target, current):
    assert scoring.kr_progress(numeric(start, target, current)) == \
        scoring.kr_progress(numeric(-start, -target, -current))


@settings(max_examples=50)
@given(finite, finite, finite, days)
def test_mirrored_krs_have_the_same_status(start, target, current, day):
    assert scoring.kr_status(numeric(start, target, current), Q4, day) == \
        scoring.kr_status(numeric(-start, -target, -current), Q4, day)


unit = st.floats(min_value=0, max_value=1, allow_nan=False)


@given(unit, unit)
def test_pace_is_never_worse_than_its_tolerances_allow(progress, expected):
    status = scoring.status_from_pace(progress, expected)
    if expected - progress <= 0.10 or progress >= 0.7 * expected:
        assert status == "on_track"
    elif expected - progress <= 0.25 or progress >= 0.5 * expected:
        assert status == "at_risk"
    else:
        assert status == "off_track"
    rank = scoring.STATUSES.index  # best first
    assert rank(scoring.status_from_pace(min(1.0, progress + 0.05), expected)) <= rank(status)  # more never hurts


@given(days)
def test_a_milestone_is_on_track_until_half_its_time_then_at_risk_until_due(day):
    kr_ = milestone(False, due=date(2026, 11, 30))  # 61 days from Oct 1
    status = scoring.kr_status(kr_, Q4, day)
    gone = 0 if day < Q4.start else min(61, (day - Q4.start).days + 1)
    assert status == ("on_track" if gone / 61 < 0.5 else "at_risk" if gone < 61 else "off_track")
