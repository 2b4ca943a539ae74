"""The git layer: GitPython only inside okrcli/gitstore, loaded only when git runs, and a
check-in in at most four git processes (counted by git itself, GIT_TRACE2_EVENT)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import BASIC_COMPANY, BASIC_CONFIG, BASIC_ORG
from gitrepo import git, init_repo, isolate_git

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "okrcli"
OKR_BIN = Path(sys.executable).parent / "okr"
ALICE = textwrap.dedent(
    """\
    objectives:
      - id: O1
        title: Make deploys boring
        key_results:
          - {id: KR1, title: p95 deploy time down to 10 minutes, start: 40, target: 10, current: 25, unit: min}
    """
)
FILES = {"okr.yaml": BASIC_CONFIG, "org.yaml": BASIC_ORG, "2026-Q4/acme.yaml": BASIC_COMPANY,
         "2026-Q4/alice.yaml": ALICE}
TODAY = {"OKR_TODAY": "2026-11-02"}


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch, tmp_path):
    isolate_git(monkeypatch, tmp_path)


@pytest.fixture
def repo(tmp_path) -> Path:
    return init_repo(tmp_path / "repo", FILES)


def _okr(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if k != "OKR_REPO"} | TODAY | (env or {})
    return subprocess.run([str(OKR_BIN), *args], cwd=cwd, env=full, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120, check=False)


def _git_processes(trace: Path) -> list[list[str]]:
    """The argv of every git process one run started, as git's trace2 recorded them."""
    started = []
    for line in trace.read_text().splitlines():
        event = json.loads(line)
        if event.get("event") == "start":
            started.append(event["argv"])
    return started


# --- a check-in in at most four git processes ---------------------------------------------------


def test_a_checkin_runs_at_most_four_git_processes(repo, tmp_path):
    trace = tmp_path / "trace.json"
    _okr(["checkin", "alice/O1/KR1", "20"], repo)  # the first check-in may set things up
    trace.unlink(missing_ok=True)
    done = _okr(["checkin", "alice/O1/KR1", "15"], repo, {"GIT_TRACE2_EVENT": str(trace)})
    assert done.returncode == 0, done.stderr
    started = _git_processes(trace)
    assert 0 < len(started) <= 4, started
    assert not any("maintenance" in argv for argv in started), started  # not inside okr's lock
    assert "Okr-Value: 15" in git(repo, "log", "-1", "--format=%B")
    assert git(repo, "status", "--porcelain") == ""


def test_a_hook_that_rewrites_the_file_is_still_caught_with_few_processes(repo, tmp_path):
    """Without hooks okr trusts the commit's own output; with one it reads the commit back."""
    path = repo / ".git" / "hooks" / "pre-commit"
    path.write_text("#!/bin/sh\nsed -i 's/current: 15/current: 16/' 2026-Q4/alice.yaml\n"
                    "git add 2026-Q4/alice.yaml\n")
    path.chmod(0o755)
    done = _okr(["checkin", "alice/O1/KR1", "15"], repo)
    assert done.returncode != 0
    assert "does not hold the new value" in done.stderr and "hook" in done.stderr
    assert (repo / "2026-Q4/alice.yaml").read_text().count("current: 15") == 1  # okr's value is back


# --- GitPython only where git runs -----------------------------------------------------------------


@pytest.mark.parametrize("args", [["--help"], ["check"]], ids=["help", "check"])
def test_help_and_check_do_not_import_gitpython(repo, args):
    probe = ("import sys\nfrom okrcli.cli import main\nsys.argv = ['okr', *sys.argv[1:]]\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "sys.stderr.write('GITPYTHON=' + str('git' in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", probe, *args], cwd=repo, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)} | TODAY, timeout=120, check=False)
    assert "GITPYTHON=False" in done.stderr, done.stderr
    checkin = subprocess.run([sys.executable, "-c", probe, "checkin", "alice/O1/KR1", "20"], cwd=repo,
                             capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)} | TODAY,
                             timeout=120, check=False)
    assert "GITPYTHON=True" in checkin.stderr, checkin.stderr  # the probe sees it when git runs


def test_git_runs_only_inside_the_git_layer():
    outside = []
    for path in PACKAGE.rglob("*.py"):
        if "gitstore" in path.relative_to(PACKAGE).parts:
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"^\s*(import subprocess|from subprocess|import git\b|from git\b|from git\.)", text, re.MULTILINE) \
                or re.search(r"""\.git\(\s*["']""", text) or "run_git" in text or "stream_git" in text:
            outside.append(str(path.relative_to(ROOT)))
    assert outside == []
    inside = [p for p in (PACKAGE / "gitstore").glob("*.py")
              if re.search(r"^\s*(import git\b|from git\b)", p.read_text(encoding="utf-8"), re.MULTILINE)]
    assert inside  # GitPython is the git layer
    assert "GitPython" in (ROOT / "pyproject.toml").read_text()


# --- the environment git runs in ------------------------------------------------------------------


def test_a_leaked_git_dir_does_not_redirect_the_command(repo, tmp_path):
    decoy = init_repo(tmp_path / "decoy", {"decoy.txt": "d\n"})
    decoy_head = git(decoy, "rev-parse", "HEAD")
    leaked = {"GIT_DIR": str(decoy / ".git"), "GIT_WORK_TREE": str(decoy),
              "GIT_INDEX_FILE": str(decoy / ".git" / "index")}
    done = _okr(["checkin", "alice/O1/KR1", "20"], repo, leaked)
    assert done.returncode == 0, done.stderr
    assert git(decoy, "rev-parse", "HEAD") == decoy_head
    assert "Okr-Value: 20" in git(repo, "log", "-1", "--format=%B")


def test_one_object_reader_serves_a_whole_time_travel(repo, tmp_path):
    _okr(["checkin", "alice/O1/KR1", "20"], repo)
    trace = tmp_path / "trace.json"
    done = _okr(["tree", "--at", "HEAD~1"], repo, {"GIT_TRACE2_EVENT": str(trace)})
    assert done.returncode == 0, done.stderr
    readers = [argv for argv in _git_processes(trace) if "cat-file" in argv]
    assert len(readers) == 1 and not any("ls-tree" in argv for argv in _git_processes(trace))
    assert "25" in done.stdout  # the value before the check-in


def test_object_reader_reads_many_objects_and_reports_missing_ones(repo):
    from okrcli.gitstore import open_repo

    store = open_repo(repo)
    names = [f"HEAD:{rel}" for rel in FILES] * 600 + ["HEAD:nothing-here.yaml", "HEAD:2026-Q4"]
    found = store.objects.read(names)
    assert [obj.data.decode() for obj in found[:4]] == [textwrap.dedent(text) for text in FILES.values()]
    assert len(found) == len(names) and found[-2] is None and found[-1].kind == "tree"
    store.close()


@pytest.mark.parametrize("hooks_path", [None, "ci/hooks", "~/global-hooks"])
def test_discovery_from_files_agrees_with_git_rev_parse(repo, hooks_path):
    from okrcli.gitstore.repo import _discover, _discover_from_files

    if hooks_path:
        git(repo, "config", "core.hooksPath", hooks_path)
    start = repo / "2026-Q4"
    from_files, from_git = _discover_from_files(start), _discover(start, 30)
    assert from_files is not None  # the plain case costs no process
    assert (from_files.top, from_files.shallow) == (from_git.top, from_git.shallow)
    assert from_files.git_dir.resolve() == from_git.git_dir.resolve()
    assert {k: v.resolve() for k, v in from_files.paths.items()} == \
        {k: v.resolve() for k, v in from_git.paths.items()}


def test_discovery_leaves_unusual_repositories_to_git(repo, tmp_path):
    from okrcli.gitstore.repo import _discover_from_files

    linked = tmp_path / "linked"
    git(repo, "worktree", "add", "-q", str(linked))
    assert _discover_from_files(linked) is None  # a .git file: git rev-parse decides
    assert _discover_from_files(repo / ".git" / "hooks") is None  # inside the git directory
    git(repo, "config", "core.worktree", str(repo))
    assert _discover_from_files(repo) is None


def test_every_name_of_the_package_loads_from_its_module():
    from okrcli import gitstore

    assert sorted(gitstore.__all__) == sorted(gitstore._WHERE)
    for name in gitstore.__all__:
        assert getattr(gitstore, name) is not None
    assert gitstore._LOG_FORMAT == gitstore.LOG_FORMAT  # the names callers used before the package


def test_git_never_runs_elsewhere_when_its_folder_is_gone(repo, tmp_path, monkeypatch):
    from okrcli.errors import OkrError
    from okrcli.gitstore import run_git

    monkeypatch.chdir(repo)  # GitPython alone would fall back to this folder
    with pytest.raises(OkrError, match="cannot run git in"):
        run_git(["commit", "--allow-empty", "-m", "not here"], tmp_path / "gone")
    assert git(repo, "rev-list", "--count", "HEAD") == "1\n"
