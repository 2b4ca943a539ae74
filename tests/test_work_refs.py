"""Work linked to key results: `Okr-Ref:` trailers on ordinary commits of a monorepo (SPEC 5).

The repository holds code in `src/` and the OKRs in `okrs/` (the OKR root is a subfolder):
commits of code carry `Okr-Ref: OWNER/OBJ/KR` (or `CYCLE:OWNER/OBJ/KR`) trailers, and
`okr log REF --work` and the follow-up's "Moved" list them as work, never as check-ins.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import BASIC_COMPANY, BASIC_CONFIG, BASIC_ORG, run
from gitrepo import commit_all, git, git_env, init_repo, isolate_git, write_files

TODAY = "2026-11-27"
ENV = {"OKR_TODAY": TODAY, "OKR_USER": ""}
PLATFORM = """\
objectives:
  - id: O1
    title: Make deploys boring
    aligns: [acme/O1]
    key_results:
      - {id: KR1, title: p95 deploy time from 40 to 10 minutes, start: 40, target: 10, current: 25, unit: min}
      - {id: KR2, title: Canary analysis on every service, done: false}
"""


def work_commit(root: Path, path: str, message: str, day: str, author: tuple[str, str]) -> str:
    write_files(root, {path: f"{message}\n"})
    git(root, "add", "-A")
    when = f"{day}T10:00:00+00:00"
    env = git_env(GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when, GIT_AUTHOR_NAME=author[0],
                  GIT_AUTHOR_EMAIL=author[1])
    git(root, "commit", "-q", "--no-gpg-sign", "-m", message, env=env)
    return git(root, "rev-parse", "HEAD").strip()


@pytest.fixture
def mono(tmp_path: Path, monkeypatch) -> tuple[Path, dict[str, str]]:
    """(OKR root, {name: sha}) of a monorepo with code beside `okrs/`."""
    isolate_git(monkeypatch, tmp_path)
    top = init_repo(tmp_path / "mono")
    write_files(top, {"okrs/okr.yaml": BASIC_CONFIG, "okrs/org.yaml": BASIC_ORG,
                      "okrs/2026-Q4/acme.yaml": BASIC_COMPANY, "okrs/2026-Q4/platform.yaml": PLATFORM,
                      "src/app.py": "print('hi')\n", "README.md": "monorepo\n"})
    commit_all(top, "Start", date="2026-10-01T10:00:00+00:00")
    bob = ("Bob Li", "bob@acme.test")
    shas = {
        "cache": work_commit(top, "src/cache.py", "Cache build layers\n\nOkr-Ref: platform/O1/KR1", "2026-11-10", bob),
        "plain": work_commit(top, "src/plain.py", "Fix a typo", "2026-11-12", bob),
        "canary": work_commit(top, "src/canary.py",
                              "Canary for the API\n\nBody text.\n\nOkr-Ref: 2026-Q4:platform/O1/KR2\n"
                              "okr-ref: platform/O1/KR1\nOkr-Ref: nobody/O9/KR1\nSigned-off-by: Bob <b@x>",
                              "2026-11-24", ("Carol Diaz", "carol@acme.test")),
        "mention": work_commit(top, "src/mention.py",
                               "Docs\n\nWe mention Okr-Ref: platform/O1/KR1 in passing.\n\nReviewed-by: x",
                               "2026-11-25", bob),
    }
    result = run(["checkin", "platform/O1/KR1", "20"], cwd=top / "okrs",
                 env={**ENV, "GIT_AUTHOR_DATE": "2026-11-26T10:00:00+00:00",
                      "GIT_COMMITTER_DATE": "2026-11-26T10:00:00+00:00"})
    assert result.exit_code == 0, result.stderr
    return top / "okrs", shas


def test_log_work_lists_the_commits_naming_the_kr(mono):
    root, shas = mono
    result = run(["log", "platform/O1/KR1", "--work", "--format", "json"], cwd=root, env=ENV)
    assert result.exit_code == 0, result.stderr
    got = [(w["date"][:10], w["ref"], w["subject"], w["author"]["name"], w["commit"])
           for w in json.loads(result.stdout)["work"]]
    assert got == [
        ("2026-11-24", "2026-Q4:platform/O1/KR1", "Canary for the API", "Carol Diaz", shas["canary"]),
        ("2026-11-10", "2026-Q4:platform/O1/KR1", "Cache build layers", "Bob Li", shas["cache"]),
    ]
    assert result.stderr.count("warning") == 1
    assert f"{shas['canary'][:7]} 'nobody/O9/KR1'" in result.stderr  # as the trailer wrote it
    text = run(["log", "platform/O1/KR1", "--work"], cwd=root, env=ENV).stdout.splitlines()
    assert text == [f"2026-11-24  Carol Diaz  platform/O1/KR1  {shas['canary'][:7]}  Canary for the API",
                    f"2026-11-10  Bob Li      platform/O1/KR1  {shas['cache'][:7]}  Cache build layers"]


def test_work_is_never_a_check_in_and_changes_no_value(mono):
    root, _shas = mono
    log = json.loads(run(["log", "--format", "json"], cwd=root, env=ENV).stdout)
    assert [(c["kind"], c["ref"], c["value"]) for c in log["checkins"]] == [
        ("checkin", "2026-Q4:platform/O1/KR1", 20)]
    krs = {k["ref"]: k for o in json.loads(run(["export", "--format", "json"], cwd=root, env=ENV).stdout)["objectives"]
           for k in o["key_results"]}
    assert krs["2026-Q4:platform/O1/KR1"]["current"] == 20
    assert krs["2026-Q4:platform/O1/KR2"]["done"] is False


def test_work_of_an_objective_an_owner_and_with_since(mono):
    root, shas = mono
    objective = json.loads(run(["log", "platform/O1", "--work", "--format", "json"], cwd=root, env=ENV).stdout)
    assert [(w["ref"], w["commit"]) for w in objective["work"]] == [
        ("2026-Q4:platform/O1/KR2", shas["canary"]), ("2026-Q4:platform/O1/KR1", shas["canary"]),
        ("2026-Q4:platform/O1/KR1", shas["cache"])]
    owner = json.loads(run(["log", "platform", "--work", "--format", "json"], cwd=root, env=ENV).stdout)
    assert len(owner["work"]) == 3
    since = json.loads(run(["log", "platform/O1/KR1", "--work", "--since", "2026-11-20", "--format", "json"],
                           cwd=root, env=ENV).stdout)
    assert [w["commit"] for w in since["work"]] == [shas["canary"]]
    by = json.loads(run(["log", "platform/O1", "--work", "--author", "bob", "--format", "json"],
                        cwd=root, env=ENV).stdout)
    assert [w["commit"] for w in by["work"]] == [shas["cache"]]


def test_log_work_of_a_kr_that_does_not_exist(mono):
    root, _ = mono
    result = run(["log", "platform/O7/KR1", "--work"], cwd=root, env=ENV)
    assert result.exit_code == 2 and "Traceback" not in result.stderr


def test_follow_up_moved_lists_work_inside_the_window(mono):
    root, shas = mono
    result = run(["report", "--since", "2026-11-20", "--format", "json"], cwd=root, env=ENV)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    moved = {m["ref"]: m for t in data["teams"] for m in t["moved"]}
    kr1 = moved["2026-Q4:platform/O1/KR1"]
    assert [(w["subject"], w["author"], w["person"], w["commit"]) for w in kr1["work"]] == [
        ("Canary for the API", "Carol Diaz", "carol", shas["canary"])]
    assert [c["value"] for c in kr1["checkins"]] == [20]
    kr2 = moved["2026-Q4:platform/O1/KR2"]  # worked on, not checked in: moved, value unchanged
    assert kr2["checkins"] == [] and (kr2["before"], kr2["now"]) == (False, False)
    assert [w["commit"] for w in kr2["work"]] == [shas["canary"]]
    assert data["totals"]["checkins"] == 1
    assert result.stderr.count("warning") == 1
    text = run(["report", "--since", "2026-11-20"], cwd=root, env=ENV).stdout
    assert f"2026-11-24  Carol Diaz  work {shas['canary'][:7]}  Canary for the API" in text
    markdown = run(["report", "--since", "2026-11-20", "--format", "markdown"], cwd=root, env=ENV).stdout
    assert f"2026-11-24 Carol Diaz work `{shas['canary'][:7]}` Canary for the API" in markdown
    html = run(["report", "--since", "2026-11-20", "--format", "html"], cwd=root, env=ENV).stdout
    assert f"<code>{shas['canary'][:7]}</code></span> Canary for the API" in html


def test_work_before_the_window_is_left_out(mono):
    root, _ = mono
    data = json.loads(run(["report", "--since", "2026-11-25", "--format", "json"], cwd=root, env=ENV).stdout)
    moved = {m["ref"]: m for t in data["teams"] for m in t["moved"]}
    assert "work" not in moved["2026-Q4:platform/O1/KR1"]  # only the check-in of Nov 26
    assert "2026-Q4:platform/O1/KR2" not in moved


def test_hostile_trailer_text_is_shown_as_text_and_bounded(mono):
    root, _ = mono
    top = root.parent
    evil = "Evil \x1b[2J subject " + "x" * 500
    work_commit(top, "src/evil.py", f"{evil}\n\nOkr-Ref: platform/O1/KR2\nOkr-Ref: {'a' * 300}/O1/KR1\n"
                + "".join(f"Okr-Ref: platform/O1/KR{n}\n" for n in range(30)), "2026-11-26",
                ("Mallory \x1b]0;pwned\x07", "m@x"))
    result = run(["log", "platform/O1/KR2", "--work"], cwd=root, env=ENV)
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    first = result.stdout.splitlines()[0]
    assert "Mallory \\x1b]0;pwned" in first and "Evil \\x1b[2J subject" in first
    assert len(first) < 300
    assert "\x1b" not in result.stderr
    assert "names no key result" in result.stderr or "name no key result" in result.stderr


def test_work_on_a_private_objective_shows_only_with_include_private(mono):
    root, _ = mono
    top = root.parent
    write_files(top, {"okrs/2026-Q4/carol.yaml": "objectives:\n  - id: O1\n    title: Quiet work\n    private: true\n"
                      "    aligns: [platform/O1]\n    key_results:\n"
                      "      - {id: KR1, title: Secret count from 0 to 5, target: 5}\n"})
    commit_all(top, "Carol's OKRs", date="2026-11-20T09:00:00+00:00")
    sha = work_commit(top, "src/secret.py", "Secret step\n\nOkr-Ref: carol/O1/KR1", "2026-11-21",
                      ("Carol Diaz", "carol@acme.test"))
    hidden = json.loads(run(["log", "carol", "--work", "--format", "json"], cwd=root, env=ENV).stdout)
    assert hidden["work"] == []
    shown = json.loads(run(["log", "carol", "--work", "--include-private", "--format", "json"],
                           cwd=root, env=ENV).stdout)
    assert [w["commit"] for w in shown["work"]] == [sha]
    report = json.loads(run(["report", "--since", "2026-11-20", "--format", "json"], cwd=root, env=ENV).stdout)
    assert "2026-Q4:carol/O1/KR1" not in {m["ref"] for t in report["teams"] for m in t["moved"]}
