"""`okr report`, the weekly follow-up, on the backdated quarter of report_repo.

Goldens live in tests/golden/report/; regenerate them with OKR_UPDATE_GOLDEN=1 after
checking the change is intended. The report day is 2026-11-27 (a Friday): the window of
`--since 7d` is Nov 20 - 27.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import run
from gitrepo import isolate_git
from report_repo import REPORT_DAY, november_repo, quarter_repo  # noqa: F401 (fixtures)

GOLDEN = Path(__file__).parent / "golden" / "report"
ENV = {"OKR_TODAY": REPORT_DAY}


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    isolate_git(monkeypatch, tmp_path)


def golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("OKR_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"no golden {path}; run with OKR_UPDATE_GOLDEN=1 to write it"
    assert actual == path.read_text(encoding="utf-8")


def report(root: Path, *args: str, env: dict | None = None):
    result = run(["report", *args], cwd=root, env={**ENV, **(env or {})})
    assert result.exit_code == 0, result.stderr
    return result


# ------------------------------------------------------------------ goldens, every format

@pytest.mark.parametrize("name, args", [
    ("report.txt", []),
    ("report-team-platform.txt", ["--team", "platform"]),
    ("report.md", ["--format", "markdown"]),
    ("report.json", ["--format", "json"]),
    ("report.html", ["--format", "html"]),
])
def test_golden_on_the_report_day(november_repo, name, args):  # noqa: F811
    result = report(november_repo, *args)
    assert result.stderr == ""
    golden(name, result.stdout)


def test_at_a_date_describes_the_repository_as_it_stood(quarter_repo, november_repo):  # noqa: F811
    """The whole quarter read `--at 2026-11-27` gives the report of that day (only `rev` differs)."""
    now = json.loads(report(november_repo, "--format", "json").stdout)
    then = json.loads(report(quarter_repo, "--format", "json", "--at", REPORT_DAY, env={"OKR_TODAY": "2027-01-04"})
                      .stdout)
    assert then["rev"] is not None and now["rev"] is None
    assert then["as_of"] == REPORT_DAY
    then["rev"] = None
    assert then == now
    text = report(quarter_repo, "--at", REPORT_DAY).stdout
    assert text == report(november_repo).stdout


# ------------------------------------------------------------------ what the report says

def test_what_moved_with_who_notes_and_links(november_repo):  # noqa: F811
    data = json.loads(report(november_repo, "--format", "json").stdout)
    assert data["since"] == "2026-11-20" and data["since_label"] == "7d"
    moved = {m["ref"]: m for t in data["teams"] for m in t["moved"]}
    p95 = moved["2026-Q4:platform/O1/KR1"]
    assert (p95["before"], p95["now"], p95["confidence_before"], p95["confidence"]) == (25, 26, 0.8, 0.4)
    assert p95["status"] == "at_risk"
    [checkin] = p95["checkins"]
    assert checkin["author"] == "Bob Li" and checkin["person"] == "bob"
    assert checkin["note"] == "Build cache regressed after the runner upgrade; rolling back"
    assert checkin["links"] == ["https://ci.acme.test/dashboards/p95"]
    assert len(p95["recent"]) == 8 and all(0 <= v <= 1 for v in p95["recent"])
    # A hand edit (no trailers) is a move too, marked as an edit.
    assert [c["kind"] for c in moved["2026-Q4:eng/O1/KR1"]["checkins"]] == ["edit"]
    # The private objective's key result never shows.
    assert not any("alice/O1" in ref for ref in moved)


def test_owed_attention_and_objective_changes(november_repo):  # noqa: F811
    data = json.loads(report(november_repo, "--format", "json").stdout)
    teams = {t["team"]: t for t in data["teams"]}
    assert [t["team"] for t in data["teams"]] == ["acme", "eng", "platform", "sales"]
    owed = {o["ref"]: o for t in data["teams"] for o in t["owed"]}
    # Never checked in since Oct 1: due Oct 8. The objective added on Nov 24 owes nothing yet.
    assert owed["2026-Q4:acme/O1/KR2"] == {"ref": "2026-Q4:acme/O1/KR2", "objective": "2026-Q4:acme/O1",
                                           "owner": "acme", "title": "Public launch", "last_checkin": None,
                                           "due": "2026-10-08", "days_overdue": 50,
                                           "owner_name": "Acme Inc."}
    assert "2026-Q4:sales/O2/KR1" not in owed
    attention = {a["ref"]: (a["status"], a["why"], a["owner_name"]) for t in data["teams"] for a in t["attention"]}
    assert attention["2026-Q4:carol/O1/KR1"] == ("off_track", "confidence", "Carol Diaz")
    assert attention["2026-Q4:dan/O1/KR1"] == ("at_risk", "pace", "Dan Roe")
    assert [(c["ref"], c["what"]) for c in teams["sales"]["changes"]] == [("2026-Q4:sales/O2", "added")]
    [eng] = teams["eng"]["changes"]
    kinds = [(c["kind"], c["kr"], c["goalpost"]) for c in eng["changes"]]
    assert kinds == [("retitled", None, False), ("kr-retitled", "KR1", False), ("target-moved", "KR1", True)]
    # Status v2: the four milestones not done (no confidence) are at risk at 0.63 of the cycle, not off track.
    assert data["totals"] == {"moved": 7, "checkins": 8, "owed": 3, "off_track": 1, "at_risk": 8, "added": 1,
                              "removed": 0, "changed": 1}


def test_since_a_date_or_a_revision(november_repo):  # noqa: F811
    by_date = json.loads(report(november_repo, "--since", "2026-11-20", "--format", "json").stdout)
    by_span = json.loads(report(november_repo, "--since", "1w", "--format", "json").stdout)
    assert by_date["teams"] == by_span["teams"]
    by_rev = json.loads(report(november_repo, "--since", by_date["since_rev"], "--format", "json").stdout)
    assert by_rev["teams"] == by_date["teams"] and by_rev["since_rev"] == by_date["since_rev"]
    assert by_rev["since"] == "2026-11-17"  # the day of that commit, the last before Nov 20
    wide = json.loads(report(november_repo, "--since", "2026-10-01", "--format", "json").stdout)
    assert wide["since_rev"] is None and wide["totals"]["added"] == 9  # no commit before: all new


def test_owner_filter_and_private(november_repo):  # noqa: F811
    data = json.loads(report(november_repo, "--owner", "carol", "--format", "json").stdout)
    assert {m["owner"] for t in data["teams"] for m in t["moved"] + t["attention"]} == {"carol"}
    assert data["selection"] == "--owner carol"
    private = json.loads(report(november_repo, "--since", "2026-10-02", "--include-private", "--format",
                                "json").stdout)
    notes = [c["note"] for t in private["teams"] for m in t["moved"] for c in m["checkins"]
             if m["ref"] == "2026-Q4:alice/O1/KR1"]
    assert notes == ["Interviews started"]


def test_usage_errors(november_repo):  # noqa: F811
    for args, message in ((["--since", "no-such-rev"], "not a date"), (["--format", "pdf"], "--format"),
                          (["--team", "nobody"], "no such team"), (["--at", "2020-01-01"], "no commit")):
        result = run(["report", *args], cwd=november_repo, env=ENV)
        assert result.exit_code == 2, (args, result.stdout)
        assert message in result.stderr


# ------------------------------------------------------------------ --output and outside git

def test_output_replaces_a_file_but_never_writes_through_a_link(november_repo, tmp_path):  # noqa: F811
    out = tmp_path / "followup.md"
    out.write_text("old", encoding="utf-8")
    result = report(november_repo, "--format", "markdown", "--output", str(out))
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8") == report(november_repo, "--format", "markdown").stdout
    target = tmp_path / "elsewhere.txt"
    target.write_text("keep", encoding="utf-8")
    link = tmp_path / "link.html"
    link.symlink_to(target)
    refused = run(["report", "--format", "html", "--output", str(link)], cwd=november_repo, env=ENV)
    assert refused.exit_code == 2 and "symbolic link" in refused.stderr
    assert target.read_text(encoding="utf-8") == "keep"
    folder = run(["report", "--output", str(tmp_path)], cwd=november_repo, env=ENV)
    assert folder.exit_code == 2 and "folder" in folder.stderr


def test_outside_git_the_report_still_shows_status(okr_repo):
    root = okr_repo()
    result = run(["report", "--format", "json"], cwd=root, env=ENV)
    assert result.exit_code == 0
    assert "check-ins are left out" in result.stderr
    data = json.loads(result.stdout)
    assert data["history"] is False and data["totals"]["moved"] == 0
    assert [a["ref"] for t in data["teams"] for a in t["attention"]] == ["2026-Q4:acme/O1/KR1"]


def test_usable_from_python(november_repo):  # noqa: F811
    """What `okr demo` does: build the report from loaded data and render it."""
    from datetime import date

    from okrcli.load.build import load_repository
    from okrcli.load.history import read_history
    from okrcli.load.window import read_baseline, read_since
    from okrcli.render.report_formats import render
    from okrcli.reports.followup import build_report
    from okrcli.reports.spec import ReportSpec

    repo, _ = load_repository(november_repo)
    today = date(2026, 11, 27)
    since = read_since(november_repo, "7d", today, 7, None)
    data = build_report(repo, read_history(november_repo), ReportSpec("2026-Q4", today), since=since,
                        baseline=read_baseline(november_repo, since, None))
    assert render(data, "text") == report(november_repo).stdout



# ------------------------------------------------------------------ the baseline, kept

def test_the_files_at_the_window_start_are_read_from_git_once(november_repo, tmp_path, monkeypatch):  # noqa: F811
    """What a commit holds never changes: the OKR files as they were at the window's start
    are kept in the cache, so a second report reads none of them from git, and says the same;
    with the cache off, or a replace ref that may rewrite history in place, git is read."""
    from okrcli.gitstore import read as gitread
    from okrcli.load import window

    reads: list[int] = []
    real = gitread.read_paths_at

    def counting(repo, sha, paths, prefix):
        reads.append(len(paths))
        return real(repo, sha, paths, prefix)

    monkeypatch.setattr("okrcli.gitstore.read_paths_at", counting)
    import shutil

    repo = tmp_path / "november"
    shutil.copytree(november_repo, repo, symlinks=True)  # the fixture is shared: a ref is added below
    formats = (["--format", "json"], [], ["--format", "markdown"])
    first = [report(repo, *args).stdout for args in formats]
    assert reads and reads[0] > 0  # the window has changed files, read once from git
    reads.clear()
    assert [report(repo, *args).stdout for args in formats] == first
    assert reads == []
    assert [report(repo, *args, env={"OKR_CACHE": "0"}).stdout for args in formats] == first
    assert len(reads) == len(formats)
    reads.clear()
    (repo / ".git" / "refs" / "replace").mkdir(parents=True, exist_ok=True)  # of an object never read
    (repo / ".git" / "refs" / "replace" / ("1" * 40)).write_text(git_head(repo) + "\n")
    report(repo)
    assert len(reads) == 1
    assert window._files_of({"2026-Q4/bob.yaml": "text, not bytes"}, ["2026-Q4/bob.yaml"]) is None
    assert window._files_of({"elsewhere.yaml": b""}, ["2026-Q4/bob.yaml"]) is None


def git_head(root: Path) -> str:
    from gitrepo import git

    return git(root, "rev-parse", "HEAD").strip()
