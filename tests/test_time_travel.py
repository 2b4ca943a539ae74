"""`--at REV|DATE` on tree, show, list and export: the repository as it stood then, from git objects.

A repository with two commits (a key result at 20, then 40) and uncommitted work
on top (45 in the work tree, a staged file): every `--at` run must describe the
commit it names, compute statuses as of its date, and leave the work tree, the
index and HEAD exactly as they were.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import BASIC_CONFIG, BASIC_ORG, run
from gitrepo import commit_all, git, init_repo, isolate_git, write_files

COMPANY = """\
objectives:
  - id: O1
    title: Ship a product customers love
    key_results:
      - id: KR1
        title: Weekly active teams from 10 to 50
        start: 10
        target: 50
        current: {current}
"""
ALICE = """\
objectives:
  - id: O1
    title: Onboard ten teams by hand
    aligns: [acme/O1]
    key_results:
      - id: KR1
        title: Teams onboarded from 0 to 10
        target: 10
        current: 3
"""
FIRST_DAY = "2026-10-05T12:00:00+00:00"
SECOND_DAY = "2026-11-16T12:00:00+00:00"


def company(current: int) -> str:
    return COMPANY.format(current=current)


@pytest.fixture
def history(tmp_path, monkeypatch):
    """(root, first sha, second sha): 20 on Oct 5, 40 on Nov 16, then 45 uncommitted."""
    isolate_git(monkeypatch, tmp_path)
    root = init_repo(tmp_path / "repo")
    write_files(root, {"okr.yaml": BASIC_CONFIG, "org.yaml": BASIC_ORG, "2026-Q4/acme.yaml": company(20)})
    first = commit_all(root, "Q4 OKRs", date=FIRST_DAY)
    write_files(root, {"2026-Q4/acme.yaml": company(40)})
    second = commit_all(root, "checkin", date=SECOND_DAY)
    write_files(root, {"2026-Q4/acme.yaml": company(45), "notes.txt": "staged\n"})
    git(root, "add", "notes.txt")
    return root, first, second


def state(root: Path) -> tuple:
    """Everything `--at` must not change: HEAD, index, staged and unstaged diffs, status, file bytes."""
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
             if p.is_file() and ".git" not in p.relative_to(root).parts}
    return (git(root, "rev-parse", "HEAD"), git(root, "ls-files", "-s"), git(root, "diff", "--cached"),
            git(root, "diff"), git(root, "status", "--porcelain=v1", "-uall"), files)


def okr(root: Path, *args: str, today: str = "2026-12-31"):
    before = state(root)
    result = run([*args, "--repo", str(root)], env={"OKR_TODAY": today})
    assert state(root) == before, "okr changed the repository"
    return result


def exported(root: Path, *args: str) -> dict:
    result = okr(root, "export", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def kr_of(data: dict) -> dict:
    return data["objectives"][0]["key_results"][0]


@pytest.mark.parametrize("at, current", [(None, 45), ("HEAD", 40), ("HEAD~1", 20), ("2026-10-31", 20),
                                         ("2026-11-16", 40), ("2027-01-15", 40)])
def test_export_describes_the_commit_at_a_rev_or_date(history, at, current):
    root, _, _ = history
    data = exported(root, *(["--at", at] if at else []))
    assert kr_of(data)["current"] == current
    assert kr_of(data)["progress"] == pytest.approx((current - 10) / 40)


def test_a_sha_works_and_the_as_of_date_is_the_commits(history):
    root, first, second = history
    assert exported(root, "--at", first)["as_of"] == "2026-10-05"
    assert exported(root, "--at", second[:10])["as_of"] == "2026-11-16"
    assert exported(root, "--at", "2026-11-01")["as_of"] == "2026-11-01"
    assert exported(root)["as_of"] == "2026-12-31"


def test_status_by_pace_uses_the_at_date(history):
    """The same commit (progress 0.25) is on track on Nov 1 and no longer on Nov 15."""
    root, _, _ = history
    early, later = kr_of(exported(root, "--at", "2026-11-01")), kr_of(exported(root, "--at", "2026-11-15"))
    assert early["current"] == later["current"] == 20
    assert early["status"] == "on_track"
    assert later["status"] != "on_track"


@pytest.mark.parametrize("at, shown", [("HEAD~1", "0.25"), ("2026-10-31", "0.25"), ("HEAD", "0.75"),
                                       ("2026-11-20", "0.75")])
def test_tree_at(history, at, shown):
    root, _, _ = history
    result = okr(root, "tree", "--at", at)
    assert result.exit_code == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if "acme/O1" in line)
    assert f" {shown} " in line
    assert ("as of 2026-10-05" if at == "HEAD~1" else "as of ") in result.stdout


@pytest.mark.parametrize("at, current", [("HEAD~1", 20), ("2026-10-31", 20), ("HEAD", 40), ("2026-11-20", 40)])
def test_show_at(history, at, current):
    root, _, _ = history
    result = okr(root, "show", "acme/O1/KR1", "--format", "json", "--at", at)
    assert result.exit_code == 0, result.stderr
    assert f'"current": {current}' in result.stdout
    text = okr(root, "show", "acme/O1/KR1", "--at", at)
    assert text.exit_code == 0 and f"now {current}" in text.stdout


@pytest.mark.parametrize("at, score", [("HEAD~1", 0.25), ("2026-10-31", 0.25), ("HEAD", 0.75), ("2026-11-20", 0.75)])
def test_list_at(history, at, score):
    root, _, _ = history
    result = okr(root, "list", "--format", "json", "--at", at)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["objectives"][0]["score"] == pytest.approx(score)
    csv_rows = okr(root, "list", "--krs", "--format", "csv", "--at", at).stdout.splitlines()
    assert len(csv_rows) == 2


def test_export_csv_at(history):
    root, _, _ = history
    old = okr(root, "export", "--format", "csv", "--at", "HEAD~1").stdout
    new = okr(root, "export", "--format", "csv", "--at", "HEAD").stdout
    assert ",20," in old and ",40," in new


def test_a_file_added_later_is_absent_before(history):
    root, _, _ = history
    write_files(root, {"2026-Q4/alice.yaml": ALICE})
    git(root, "add", "2026-Q4/alice.yaml")
    git(root, "commit", "-q", "--no-gpg-sign", "-m", "alice", "--", "2026-Q4/alice.yaml")
    assert [o["owner"] for o in exported(root, "--at", "HEAD")["objectives"]] == ["acme", "alice"]
    assert [o["owner"] for o in exported(root, "--at", "HEAD~1")["objectives"]] == ["acme"]


@pytest.mark.parametrize("at, message", [
    ("nope", "'nope' is not a commit or a date"),
    ("HEAD~9", "is not a commit or a date"),
    ("2026-02-30", "2026-02-30: there is no such day"),
    ("2025-01-01", "no commit on or before 2025-01-01"),
    ("--all", "is not a revision or a date"),
])
@pytest.mark.parametrize("command", [["tree"], ["show", "acme/O1"], ["list"], ["export"]])
def test_a_bad_rev_or_date_exits_2(history, command, at, message):
    root, _, _ = history
    result = okr(root, *command, f"--at={at}")
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


def test_at_outside_git_exits_2(tmp_path, monkeypatch, okr_repo):
    isolate_git(monkeypatch, tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = okr_repo()
    result = run(["tree", "--repo", str(root), "--at", "HEAD"])
    assert result.exit_code == 2
    assert "not inside a git work tree" in result.stderr
    assert "leave out --at" in result.stderr
    assert run(["tree", "--repo", str(root)]).exit_code == 0


def test_at_in_a_subfolder_of_a_monorepo(tmp_path, monkeypatch):
    isolate_git(monkeypatch, tmp_path)
    top = init_repo(tmp_path / "mono", {"README.md": "monorepo\n"})
    write_files(top, {"okrs/okr.yaml": BASIC_CONFIG, "okrs/org.yaml": BASIC_ORG,
                      "okrs/2026-Q4/acme.yaml": company(20), "2026-Q4/acme.yaml": "not: okr\n"})
    commit_all(top, "okrs", date=FIRST_DAY)
    write_files(top, {"okrs/2026-Q4/acme.yaml": company(30)})
    root = top / "okrs"
    assert kr_of(exported(root, "--at", "HEAD"))["current"] == 20
    assert kr_of(exported(root))["current"] == 30


def test_before_the_okr_repository_existed(tmp_path, monkeypatch):
    isolate_git(monkeypatch, tmp_path)
    top = init_repo(tmp_path / "repo", {"README.md": "x\n"})
    write_files(top, {"okr.yaml": BASIC_CONFIG, "org.yaml": BASIC_ORG, "2026-Q4/acme.yaml": company(20)})
    commit_all(top, "okrs")
    result = okr(top, "tree", "--at", "HEAD~1")
    assert result.exit_code == 2
    assert "there was no okr.yaml" in result.stderr


@pytest.mark.parametrize("command", ["tree", "show", "list", "export", "status", "health", "report", "review"])
def test_help_offers_at(command):
    from okrcli.cli import app

    if command not in {c.name for c in app.registered_commands}:
        pytest.skip(f"okr {command} is not there yet")
    result = run([command, "--help"])
    assert result.exit_code == 0
    assert "--at" in result.stdout
