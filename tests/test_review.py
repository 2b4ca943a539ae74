"""`okr review`, the end-of-cycle review, on the backdated quarter of report_repo.

Goldens live in tests/golden/report/ (OKR_UPDATE_GOLDEN=1 rewrites them). The review day
is 2027-01-04, after the cycle ended: all 13 weekly periods are over.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run
from gitrepo import isolate_git
from report_repo import REPORT_DAY, REVIEW_DAY, quarter_repo  # noqa: F401 (fixture)
from test_report import golden

ENV = {"OKR_TODAY": REVIEW_DAY}


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    isolate_git(monkeypatch, tmp_path)


def review(root: Path, *args: str, env: dict | None = None):
    result = run(["review", *args], cwd=root, env={**ENV, **(env or {})})
    assert result.exit_code == 0, result.stderr
    return result


def data(root: Path, *args: str) -> dict:
    return json.loads(review(root, *args, "--format", "json").stdout)


@pytest.mark.parametrize("name, args", [
    ("review.txt", []),
    ("review-team-sales.txt", ["--team", "sales"]),
    ("review.md", ["--format", "markdown"]),
    ("review.json", ["--format", "json"]),
    ("review.html", ["--format", "html"]),
    ("review-at-report-day.txt", ["2026-Q4", "--at", REPORT_DAY]),
])
def test_golden(quarter_repo, name, args):  # noqa: F811
    result = review(quarter_repo, *args)
    assert result.stderr == ""
    golden(name, result.stdout)


def test_roll_ups_follow_spec_arithmetic(quarter_repo):  # noqa: F811
    got = data(quarter_repo)
    score = {o["ref"].split(":")[1]: o["score"] for o in got["objectives"]}
    owners = {o["id"]: o for o in got["owners"]}
    teams = {t["id"]: t for t in got["teams"]}
    assert owners["carol"]["score"] == pytest.approx((score["carol/O1"] + score["carol/O2"]) / 2)
    assert score["carol/O1"] == 0.5  # review.score replaces the KRs' mean
    platform = ["platform/O1", "bob/O1", "carol/O1", "carol/O2"]
    assert teams["platform"]["score"] == pytest.approx(sum(score[r] for r in platform) / 4)
    assert teams["platform"]["objectives"] == 4
    eng = platform + ["eng/O1"]  # eng's own, and its subteam platform's (alice's are private)
    assert teams["eng"]["score"] == pytest.approx(sum(score[r] for r in eng) / 5)
    assert got["company"]["score"] == pytest.approx(sum(score.values()) / len(score))
    assert got["bands"] == {"red": 1, "yellow": 3, "green": 5}


def test_people_are_listed_by_team_and_id_never_by_score(quarter_repo):  # noqa: F811
    got = data(quarter_repo)
    assert [o["id"] for o in got["owners"]] == ["acme", "eng", "platform", "bob", "carol", "sales", "dan"]
    assert [d["owner"] for d in got["discipline"]] == ["acme", "eng", "platform", "bob", "carol", "sales", "dan"]
    scores = [o["score"] for o in got["owners"]]
    assert scores != sorted(scores) and scores != sorted(scores, reverse=True)
    assert "never ranked by score" in got["ordering"]
    for fmt in ("text", "markdown", "html"):
        assert "never ranked by score" in review(quarter_repo, "--format", fmt).stdout


def test_what_the_review_flags(quarter_repo):  # noqa: F811
    got = data(quarter_repo)
    assert got["state"] == "ended" and got["weeks_in_cycle"] == 13 and got["weeks_over"] == 13
    assert got["committed_below"] == ["2026-Q4:dan/O1"]
    assert got["committed_delivered"] == ["2026-Q4:bob/O1"]
    assert got["perfect"] == ["2026-Q4:carol/O2"]
    assert got["standalone"] == ["2026-Q4:carol/O2"]
    assert got["notes"] == ["2026-Q4:carol/O1", "2026-Q4:dan/O1"]
    asp = got["aspirational"]
    assert asp["objectives"] == 7 and asp["verdict"] == "within" and asp["sweet_spot"] == [0.6, 0.7]
    carry = {c["ref"]: c["unfinished"] for c in got["carry_over"]}
    assert "2026-Q4:bob/O1" not in carry and carry["2026-Q4:sales/O2"] == ["KR1"]
    discipline = {d["owner"]: (d["weeks"], d["on_time"], d["late"], d["missed"]) for d in got["discipline"]}
    # bob's flaky tests reached their target (5) on Dec 6, in period 10 of 13: nothing owed after it.
    assert discipline["bob"] == (10, 10, 0, 0)
    assert discipline["dan"] == (13, 12, 1, 0)  # nothing Oct 15-21, caught up on Oct 26
    dan = next(o for o in got["objectives"] if o["ref"] == "2026-Q4:dan/O1")
    assert dan["notes"].startswith("Pilots converted late")
    [kr] = dan["key_results"]
    assert len(kr["history"]) == 12 and kr["history"][-1] == {"date": "2026-12-29", "value": 21, "progress": 0.7}
    assert kr["start_progress"] == 0.0


def test_at_the_report_day_the_cycle_is_still_running(quarter_repo):  # noqa: F811
    got = data(quarter_repo, "--at", REPORT_DAY)
    assert got["state"] == "running" and got["as_of"] == REPORT_DAY and got["rev"]
    assert got["weeks_over"] == 8
    assert any("still running" in m for m in got["messages"])
    assert got["notes"] == []  # the postmortems were written on Dec 30
    latest = max(p["date"] for o in got["objectives"] for k in o["key_results"] for p in k["history"])
    assert latest <= REPORT_DAY


def test_team_selection_and_private(quarter_repo):  # noqa: F811
    got = data(quarter_repo, "--team", "platform")
    assert [t["id"] for t in got["teams"]] == ["platform"]
    assert got["company"] is None and got["selection"] == "--team platform"
    assert {o["owner"] for o in got["objectives"]} == {"platform", "bob", "carol"}
    private = data(quarter_repo, "--include-private")
    assert "2026-Q4:alice/O1" in [o["ref"] for o in private["objectives"]]
    assert "2026-Q4:alice/O1" not in [o["ref"] for o in data(quarter_repo)["objectives"]]
    assert "Hire a VP" not in review(quarter_repo, "--format", "html").stdout


def test_cycle_argument_and_errors(quarter_repo):  # noqa: F811
    empty = data(quarter_repo, "2026-Q3")
    assert empty["objectives"] == [] and empty["aspirational"]["verdict"] == "none"
    bad = run(["review", "2026-Q5"], cwd=quarter_repo, env=ENV)
    assert bad.exit_code == 2 and "not a cycle" in bad.stderr


def test_outside_git(okr_repo):
    result = run(["review", "--format", "json"], cwd=okr_repo(), env=ENV)
    assert result.exit_code == 0 and "check-ins are left out" in result.stderr
    got = json.loads(result.stdout)
    assert got["history"] is False and got["discipline"] is None
    assert run(["review"], cwd=okr_repo(), env=ENV).stdout.count("no git history") == 2


def test_usable_from_python(quarter_repo):  # noqa: F811
    """What `okr demo` does: build the review from loaded data and render it."""
    from datetime import date

    from okrcli.load.build import load_repository
    from okrcli.load.history import read_history
    from okrcli.render.report_formats import render
    from okrcli.reports.review import build_review
    from okrcli.reports.spec import ReportSpec

    repo, _ = load_repository(quarter_repo)
    built = build_review(repo, read_history(quarter_repo), ReportSpec("2026-Q4", date(2027, 1, 4)))
    assert render(built, "text") == review(quarter_repo).stdout
    assert render(built, "json") == review(quarter_repo, "--format", "json").stdout


def test_terminal_review_builds_only_the_sparklines_points(quarter_repo):  # noqa: F811
    """`okr review` (text) keeps each key result's last SPARKLINE burn-up points and no check-in
    notes: the same text as the whole review, without the points only JSON, Markdown and HTML show."""
    from datetime import date

    from okrcli.load.build import load_repository
    from okrcli.load.history import read_history
    from okrcli.render.report_formats import render
    from okrcli.reports.review import SPARKLINE, build_review
    from okrcli.reports.spec import ReportSpec

    repo, _ = load_repository(quarter_repo)
    history, spec = read_history(quarter_repo), ReportSpec("2026-Q4", date(2027, 1, 4))
    whole = build_review(repo, history, spec)
    short = build_review(repo, history, spec, recent=SPARKLINE)
    krs = {k.ref: k for o in whole.objectives for k in o.key_results}
    kept = {k.ref: k for o in short.objectives for k in o.key_results}
    longest = max(krs.values(), key=lambda k: len(k.history))
    assert len(longest.history) > SPARKLINE and longest.notes  # the quarter has one to cut
    assert kept[longest.ref].history == longest.history[-SPARKLINE:]
    assert kept[longest.ref].start_progress == longest.start_progress
    assert all(not k.notes and len(k.history) <= SPARKLINE for k in kept.values())
    assert all(kept[ref].history == k.history[-SPARKLINE:] for ref, k in krs.items())
    assert render(short, "text") == render(whole, "text") == review(quarter_repo).stdout
