"""`okr grade`: a KR's `score` or an objective's `review`, committed with trailers."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from conftest import BASIC_COMPANY, BASIC_CONFIG, BASIC_ORG, run
from gitrepo import assert_nothing_lost, git, init_repo, isolate_git, snapshot

from okrcli.load.history import read_history

OKR = "2026-Q4/alice.yaml"
ALICE = textwrap.dedent(
    """\
    objectives:
      - id: O1
        title: Make deploys boring
        aligns: [eng/O1]
        key_results:
          - id: KR1
            title: p95 deploy time down to 10 minutes
            start: 40
            target: 10
            current: 25
          - {id: KR2, title: Canary analysis, done: false}
      - id: O2
        title: Make on-call calm
        standalone: Bottom-up
        key_results:
          - id: KR1
            title: Pages per week below 5
            target: 5
            keep: below
            current: 3
        review:
          score: 0.4   # first guess
    """
).encode()


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch, tmp_path):
    isolate_git(monkeypatch, tmp_path)


@pytest.fixture
def repo(tmp_path) -> Path:
    files = {"okr.yaml": BASIC_CONFIG, "org.yaml": BASIC_ORG, "2026-Q4/acme.yaml": BASIC_COMPANY,
             OKR: ALICE, "notes.txt": "x\n"}
    repo = init_repo(tmp_path / "repo", files)
    (repo / "notes.txt").write_text("staged work\n")
    git(repo, "add", "notes.txt")
    return repo


def grade(repo: Path, *args: str):
    return run(["grade", *args], cwd=repo)


def test_objective_grade_writes_review_score_and_notes(repo):
    before = snapshot(repo, (OKR,))
    result = grade(repo, "alice/O1", "0.7", "--note", "Deploys are boring; canaries slipped.")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith("] grade alice/O1: 0.7\n")
    expected = ALICE.replace(
        b"done: false}\n",
        b"done: false}\n    review:\n      score: 0.7\n      notes: Deploys are boring; canaries slipped.\n")
    assert_nothing_lost(repo, before, committed={OKR: expected})
    assert git(repo, "log", "-1", "--format=%B") == (
        "grade alice/O1: 0.7\n\nDeploys are boring; canaries slipped.\n\n"
        "Okr-Cycle: 2026-Q4\nOkr-Grade: alice/O1\nOkr-Score: 0.7\n\n")


def test_regrade_replaces_the_score_in_place_and_records_the_previous_one(repo):
    result = grade(repo, "alice/O2", "0.9")
    assert result.exit_code == 0, result.stderr
    assert (repo / OKR).read_bytes() == ALICE.replace(b"score: 0.4   #", b"score: 0.9   #")
    message = git(repo, "log", "-1", "--format=%B")
    assert "Okr-Grade: alice/O2\nOkr-Score: 0.9\nOkr-Previous: 0.4\n" in message
    parsed = git(repo, "interpret-trailers", "--parse", input=message.encode())
    assert parsed == "Okr-Cycle: 2026-Q4\nOkr-Grade: alice/O2\nOkr-Score: 0.9\nOkr-Previous: 0.4\n"


def test_kr_grade_writes_its_score_and_shows_in_history(repo):
    result = grade(repo, "alice/O1/KR2", "0.5", "-m", "Half the services")
    assert result.exit_code == 0, result.stderr
    assert b"done: false, score: 0.5}" in (repo / OKR).read_bytes()
    [entry] = read_history(repo).checkins
    assert (entry.kind, entry.key, entry.value, entry.previous, entry.note) == (
        "grade", "2026-Q4:alice/O1/KR2", 0.5, None, "Half the services")
    log = run(["log", "alice/O1"], cwd=repo)
    assert "alice/O1/KR2  graded 0.5" in log.stdout


@pytest.mark.parametrize("score", ["1.2", "-0.1", "nan", "high"])
def test_score_outside_0_to_1_is_refused(repo, score):
    before = snapshot(repo, (OKR,))
    result = grade(repo, "alice/O1", "--", score)
    assert result.exit_code == 2 and "from 0 to 1" in result.stderr
    assert_nothing_lost(repo, before, restored={OKR: ALICE})


def test_no_commit_and_unknown_refs(repo):
    result = grade(repo, "alice/O1", "1", "--no-commit")
    assert result.exit_code == 0 and "not committed" in result.stdout
    assert b"    review:\n      score: 1.0\n" in (repo / OKR).read_bytes()
    result = grade(repo, "alice/O3", "1")
    assert result.exit_code == 2 and "alice/O3" in result.stderr
