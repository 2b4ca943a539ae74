"""`okr show` for a key result lists its last check-ins (date, author, value, confidence, note,
links); the HTML and JSON review carry check-in notes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run
from gitrepo import init_repo, isolate_git
from test_checkin import FILES

from okrcli.render.svg import esc


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    isolate_git(monkeypatch, tmp_path)
    root = init_repo(tmp_path / "repo", FILES)
    steps = [
        ("2026-10-05T10:00:00+00:00", "Alice Chen", ["alice/O1/KR1", "30", "--confidence", "0.5"], None, None),
        ("2026-10-12T10:00:00+00:00", "Bob Li", ["alice/O1/KR1", "24"], "Runners <moved>\nsecond line",
         "https://ci.acme.test/7"),
        ("2026-10-19T10:00:00+00:00", "Alice Chen", ["alice/O1/KR1", "--confidence", "0.8"], "On track now", None),
    ]
    for when, who, args, note, link in steps:
        for var in ("GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"):
            monkeypatch.setenv(var, when)
        monkeypatch.setenv("GIT_AUTHOR_NAME", who)
        extra = (["--note", note] if note else []) + (["--link", link] if link else [])
        result = run(["checkin", *args, *extra], cwd=root)
        assert result.exit_code == 0, result.stderr
    return root


def section(stdout: str) -> str:
    return stdout[stdout.index("Last check-ins"):]


def test_show_kr_lists_its_last_checkins_newest_first(repo):
    result = run(["show", "alice/O1/KR1"], cwd=repo)
    assert (result.exit_code, result.stderr) == (0, "")
    assert section(result.stdout) == (
        "Last check-ins\n"
        "  2026-10-19  Alice Chen  24 min  confidence 0.8\n"
        "      On track now\n"
        "  2026-10-12  Bob Li  30 -> 24 min  confidence 0.5\n"
        "      Runners <moved>\n"
        "      second line\n"
        "      https://ci.acme.test/7\n"
        "  2026-10-05  Alice Chen  25 -> 30 min  confidence 0.5\n"
    )
    fewer = run(["show", "alice/O1/KR1", "--checkins", "1"], cwd=repo)
    assert section(fewer.stdout) == ("Last check-ins (1 of 3)\n"
                                     "  2026-10-19  Alice Chen  24 min  confidence 0.8\n"
                                     "      On track now\n")
    none = run(["show", "alice/O1/KR1", "--checkins", "0"], cwd=repo)  # history not even read
    assert "Last check-ins" not in none.stdout and none.stdout.startswith("alice/O1/KR1  ")
    quiet = json.loads(run(["show", "alice/O1/KR1", "--checkins", "0", "--format", "json"], cwd=repo).stdout)
    assert "checkins" not in quiet and quiet["key_result"]["ref"] == "2026-Q4:alice/O1/KR1"
    # A key result never checked in, and an objective (no check-in section).
    other = run(["show", "alice/O1/KR3"], cwd=repo)
    assert section(other.stdout) == "Last check-ins\n  none yet (okr checkin records one)\n"
    assert "Last check-ins" not in run(["show", "alice/O1"], cwd=repo).stdout


def test_show_kr_checkins_as_json_and_as_of_a_date(repo):
    doc = json.loads(run(["show", "alice/O1/KR1", "--format", "json"], cwd=repo).stdout)
    assert doc["checkins_total"] == 3
    assert [(c["date"][:10], c["author"]["name"], c["value"], c["previous"], c["confidence"], c["links"])
            for c in doc["checkins"]] == [
        ("2026-10-19", "Alice Chen", 24, 24, 0.8, []),
        ("2026-10-12", "Bob Li", 24, 30, 0.5, ["https://ci.acme.test/7"]),
        ("2026-10-05", "Alice Chen", 30, 25, 0.5, [])]
    assert doc["checkins"][1]["note"] == "Runners <moved>\nsecond line"
    past = run(["show", "alice/O1/KR1", "--at", "2026-10-12"], cwd=repo)
    assert past.exit_code == 0, past.stderr
    assert section(past.stdout).startswith("Last check-ins\n  2026-10-12  Bob Li  30 -> 24 min")
    assert "2026-10-19" not in past.stdout


def test_show_kr_outside_git_says_there_is_no_history(tmp_path, monkeypatch):
    isolate_git(monkeypatch, tmp_path)
    root = tmp_path / "plain"
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(text if isinstance(text, bytes) else text.encode())
    result = run(["show", "alice/O1/KR1"], cwd=root)
    assert result.exit_code == 0
    assert section(result.stdout) == "Last check-ins\n  none: not in a git repository\n"
    assert json.loads(run(["show", "alice/O1/KR1", "--format", "json"], cwd=root).stdout)["checkins"] is None


def test_the_review_carries_checkin_notes(repo):
    html = run(["review", "--format", "html"], cwd=repo)
    assert html.exit_code == 0, html.stderr
    assert ('<div class="notes"><div class="muted">Check-in notes</div><ul>'
            '<li><span class="muted">2026-10-12 · Bob Li</span> '
            f'{esc("Runners <moved>")}<br>second line</li>'
            '<li><span class="muted">2026-10-19 · Alice Chen</span> On track now</li></ul></div>') in html.stdout
    assert "<moved>" not in html.stdout  # user text is escaped
    doc = json.loads(run(["review", "--format", "json"], cwd=repo).stdout)
    krs = {k["ref"]: k for o in doc["objectives"] for k in o["key_results"]}
    assert krs["2026-Q4:alice/O1/KR1"]["notes"] == [
        {"date": "2026-10-12", "author": "Bob Li", "value": 24, "note": "Runners <moved>\nsecond line"},
        {"date": "2026-10-19", "author": "Alice Chen", "value": 24, "note": "On track now"}]


def test_follow_up_names_the_owner_who_owes_a_checkin(repo):
    result = run(["report", "--at", "2026-11-27"], cwd=repo)
    assert result.exit_code == 0, result.stderr
    owed = [line for line in result.stdout.splitlines() if "last check-in" in line]
    assert "  alice/O1/KR1  p95 deploy time down to 10 minutes  owner Alice Chen  last check-in 2026-10-19, " \
           "32 days overdue" in owed
