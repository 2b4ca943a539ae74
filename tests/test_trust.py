"""Numbers a team can trust (issue 12), each through the CLI: check-ins owed only when owed, a
period missed only once its late window closed, the review of the quarter that just ended,
unknown scores for objectives whose key results did not all load, half-up rounding, and a
lead's key results."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import BASIC_CONFIG, BASIC_ORG, run
from gitrepo import commit_all, init_repo, isolate_git, write_files

COMPANY = """\
objectives:
  - id: O1
    title: Ship a product customers love
    key_results:
      - {id: KR1, title: Weekly active teams from 10 to 50, start: 10, target: 50, current: 20}
"""
BOB = """\
objectives:
  - id: O1
    title: Make the test suite trustworthy
    aligns: [acme/O1]
    key_results:
      - {id: KR1, title: Flaky tests from 10 down to 0, start: 10, target: 0, current: 0}
      - {id: KR2, title: Suites from 0 to 10, target: 10, current: 10}
      - {id: KR3, title: Suites past their target, target: 10, current: 12}
      - {id: KR4, title: Graded by hand, target: 10, current: 3, score: 0.3}
      - {id: KR5, title: Still open, target: 10, current: 3}
      - {id: KR6, title: Runner upgraded, done: true}
"""
PLATFORM = """\
objectives:
  - id: O1
    title: Make deploys boring
    aligns: [acme/O1]
    key_results:
      - {id: KR1, title: Deploys per day from 2 to 10, start: 2, target: 10, current: 4}
"""


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    isolate_git(monkeypatch, tmp_path)
    root = init_repo(tmp_path / "okrs")
    write_files(root, {"okr.yaml": BASIC_CONFIG, "org.yaml": BASIC_ORG, "2026-Q4/acme.yaml": COMPANY,
                       "2026-Q4/bob.yaml": BOB, "2026-Q4/platform.yaml": PLATFORM})
    commit_all(root, "Q4 OKRs", date="2026-09-25T12:00:00+00:00")
    return root


def okr(root: Path, *args: str, today: str = "2026-11-25", **env: str):
    result = run(list(args), cwd=root, env={"OKR_TODAY": today, **env})
    assert result.exit_code in (0, 1), result.stdout + result.stderr
    return result


# ------------------------------------------------------------------ owed check-ins

def test_no_checkin_is_owed_at_target_when_done_or_graded(repo):
    status = json.loads(okr(repo, "status", "--owner", "bob", "--format", "json").stdout)
    [bob] = status["follow_up"]["owners"]
    # KR1 (decreasing, at 0), KR2 (at 10), KR3 (past 10), KR4 (graded) and KR6 (done) owe nothing.
    assert [k["ref"] for k in bob["key_results"]] == ["2026-Q4:bob/O1/KR5"]
    report = json.loads(okr(repo, "report", "--owner", "bob", "--format", "json").stdout)
    assert [o["ref"] for t in report["teams"] for o in t["owed"]] == ["2026-Q4:bob/O1/KR5"]
    text = okr(repo, "status", "--owner", "bob").stdout
    assert "bob/O1/KR2" not in text and "bob/O1/KR5  Still open  (never checked in; 48 days overdue)" in text


# ------------------------------------------------------------------ discipline and the review

def _checkin(root: Path, day: str, ref: str, value: str) -> None:
    result = run(["checkin", ref, value], cwd=root,
                 env={"OKR_TODAY": day, "GIT_AUTHOR_DATE": f"{day}T12:00:00+00:00",
                      "GIT_COMMITTER_DATE": f"{day}T12:00:00+00:00"})
    assert result.exit_code == 0, result.stderr


def _discipline(root: Path, at: str, *args: str) -> dict:
    doc = json.loads(okr(root, "review", *args, "--at", at, "--format", "json", today=at).stdout)
    return {d["owner"]: (d["weeks"], d["on_time"], d["late"], d["missed"], d["pending"]) for d in doc["discipline"]}


def test_the_last_period_is_not_missed_while_its_late_window_is_open(repo):
    # platform checks in on the first day of every period of Q4 (Oct 1, 8, ..., Dec 17) but the last (Dec 24-31).
    for week in range(12):
        _checkin(repo, (date(2026, 10, 1) + timedelta(days=7 * week)).isoformat(), "platform/O1/KR1", str(5 + week % 2))
    # On Jan 1 the late window of Dec 24-31 (Jan 1-7) is open: 12 periods on time, the 13th not missed yet.
    assert _discipline(repo, "2027-01-01", "2026-Q4")["platform"] == (12, 12, 0, 0, 1)
    text = okr(repo, "review", "2026-Q4", "--at", "2027-01-01", today="2027-01-01").stdout
    assert "12/12 on time · 0 late · 0 missed · 1 in its late window" in text
    _checkin(repo, "2027-01-03", "platform/O1/KR1", "9")
    assert _discipline(repo, "2027-01-03", "2026-Q4")["platform"] == (13, 12, 1, 0, 0)  # late, never missed
    assert _discipline(repo, "2027-01-08", "2026-Q4")["platform"] == (13, 12, 1, 0, 0)


def test_a_period_without_checkin_is_missed_once_its_window_closed(repo):
    assert _discipline(repo, "2027-01-07", "2026-Q4")["platform"] == (12, 0, 0, 12, 1)
    assert _discipline(repo, "2027-01-08", "2026-Q4")["platform"] == (13, 0, 0, 13, 0)


def test_review_without_a_cycle_describes_the_quarter_that_just_ended(repo):
    (repo / "okr.yaml").write_text("company: acme\n")  # no pinned cycle
    commit_all(repo, "unpin the cycle")
    result = run(["review", "--at", "2027-01-01", "--format", "json"], cwd=repo, env={"OKR_TODAY": "2027-01-01"})
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["cycle"] == "2026-Q4"
    assert result.stderr == ("okr: note: 2027-Q1 has no OKR files yet: describing 2026-Q4, the latest cycle "
                             "that has ended by 2027-01-01 (name a cycle to choose another)\n")
    text = run(["review", "--at", "2027-01-01"], cwd=repo, env={"OKR_TODAY": "2027-01-01"}).stdout
    assert text.startswith("Review · 2026-Q4 (2026-10-01 – 2026-12-31, ended) · as of 2027-01-01\n")
    # Named, the cycle is reviewed as asked; pinned, the pin wins.
    named = run(["review", "2027-Q1", "--at", "2027-01-01", "-f", "json"], cwd=repo, env={"OKR_TODAY": "2027-01-01"})
    assert json.loads(named.stdout)["cycle"] == "2027-Q1" and named.stderr == ""
    report = run(["report", "--format", "json"], cwd=repo, env={"OKR_TODAY": "2027-01-02"})
    assert json.loads(report.stdout)["cycle"] == "2026-Q4" and "describing 2026-Q4" in report.stderr


# ------------------------------------------------------------------ incomplete objectives

BROKEN = """\
objectives:
  - id: O1
    title: Make the test suite trustworthy
    aligns: [acme/O1]
    key_results:
      - {id: KR1, title: Suites from 0 to 10, target: 10, current: 10}
      - {id: KR2, title: Quoted target, target: "300"}
  - id: O2
    title: Keep the lights on
    aligns: [acme/O1]
    key_results:
      - {id: KR1, title: Uptime from 0 to 10, target: 10, current: 5}
"""


def test_an_objective_with_a_key_result_that_failed_to_load_has_no_score(repo):
    write_files(repo, {"2026-Q4/bob.yaml": BROKEN})
    check = okr(repo, "check", "--format", "json")
    finding = next(f for f in json.loads(check.stdout) if f["path"] == "2026-Q4/bob.yaml")
    assert (finding["line"], finding["rule"]) == (7, "schema")
    where = f"2026-Q4/bob.yaml:{finding['line']}"
    # JSON: null, with where the finding is; never 1.0 on track from the KR that remains.
    exported = {o["ref"]: o for o in json.loads(okr(repo, "export").stdout)["objectives"]}
    o1, o2 = exported["2026-Q4:bob/O1"], exported["2026-Q4:bob/O2"]
    assert (o1["score"], o1["status"], o1["band"], o1["incomplete"]) == (None, None, None, [where])
    assert (o2["score"], o2["incomplete"]) == (0.5, [])
    listed = okr(repo, "list", "--owner", "bob").stdout
    assert f"bob/O1  ··········  n/a  unknown    Make the test suite trustworthy  (n/a: a key result failed " \
           f"to load at {where}; run okr check)" in listed
    tree = okr(repo, "tree").stdout
    assert "bob/O1  ··········  n/a  unknown" in tree and where in tree
    show = okr(repo, "show", "bob/O1").stdout
    assert "  score     ··········  n/a  unknown" in show and where in show
    csv = okr(repo, "export", "--format", "csv").stdout
    row = next(line for line in csv.splitlines() if line.startswith("2026-Q4:bob/O1,"))
    assert ",person,O1,Make the test suite trustworthy,,,," in row  # score, band, status empty
    # The review leaves it out of every roll-up and says so.
    review = json.loads(okr(repo, "review", "--format", "json").stdout)
    bob = next(o for o in review["owners"] if o["id"] == "bob")
    assert (bob["objectives"], bob["score"], bob["left_out"]) == (1, 0.5, 1)
    assert review["company"]["left_out"] == 1 and review["incomplete"] == ["2026-Q4:bob/O1"]
    assert sum(review["bands"].values()) == 3  # acme/O1, platform/O1 and bob/O2
    text = okr(repo, "review").stdout
    assert "1 objective, 1 left out (score unknown)" in text
    assert "note: 1 objective left out of the roll-ups and bands: a key result failed to load" in text
    for fmt in ("markdown", "html"):
        assert where in okr(repo, "review", "--format", fmt).stdout
    # Its key results are not missing: one failed to load, so `okr status` does not call it empty.
    write_files(repo, {"2026-Q4/platform.yaml": PLATFORM.replace("target: 10", 'target: "10"')})
    status = json.loads(okr(repo, "status", "--format", "json").stdout)
    assert status["objectives_without_key_results"] == []
    report = json.loads(okr(repo, "report", "--format", "json").stdout)
    assert f"2026-Q4:bob/O1: score and status unknown, a key result failed to load at {where} (run okr check)" \
        in report["notes"]


# ------------------------------------------------------------------ rounding

@pytest.mark.parametrize("current, shown", [(6.25, "0.63"), (2.75, "0.28"), (1.25, "0.13"), (0.05, "0.01")])
def test_shown_scores_round_half_up(repo, current, shown):
    write_files(repo, {"2026-Q4/bob.yaml": f"objectives:\n  - id: O1\n    title: T\n    aligns: [acme/O1]\n"
                                           f"    key_results:\n      - {{id: KR1, title: K, target: 10, "
                                           f"current: {current}}}\n"})
    text = okr(repo, "list", "--owner", "bob").stdout
    assert f" {shown}  " in text
    exported = json.loads(okr(repo, "export").stdout)["objectives"]
    assert next(o for o in exported if o["owner"] == "bob")["score"] == current / 10  # JSON: full floats
    assert f"{shown}" in okr(repo, "show", "bob/O1").stdout


# ------------------------------------------------------------------ a lead's key results

def test_interactive_checkin_offers_a_leads_team_key_results(repo):
    # bob leads platform (org.yaml): his own key results first, then platform's, marked by owner.
    answers = "\n" * 6 + "5\n"  # Enter keeps each of bob's six; platform/O1/KR1 goes to 5
    result = run(["checkin", "--confidence", "0.7", "--note", "Deploys up"], cwd=repo,
                 env={"OKR_USER": "bob", "OKR_TODAY": "2026-11-25"}, input=answers)
    assert result.exit_code == 0, result.stdout + result.stderr
    out = result.stdout
    assert out.index("bob/O1/KR6") < out.index("── platform: a team you lead ──") < out.index("platform/O1/KR1")
    assert "checkin platform/O1/KR1: 4 -> 5" in result.stdout
    assert "current: 5" in (repo / "2026-Q4/platform.yaml").read_text()
    # carol leads no team: only her own (none here).
    assert run(["checkin"], cwd=repo, env={"OKR_USER": "carol"}).exit_code == 2
