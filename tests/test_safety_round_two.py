"""RELIABILITY.md section D (items 27-34): races, walks, history and output, through the CLI.

Each test names its item. The repositories are real git repositories in tmp_path;
commands run in-process through `run` where that is enough, and as the `okr`
program (subprocesses) where a signal, a pipe or a real stdout is the point.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from conftest import BASIC_COMPANY, BASIC_CONFIG, BASIC_ORG, run
from gitrepo import git, git_run, init_repo, isolate_git, lock_files
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okrcli.load.history import checkins_from_message

OKR_BIN = Path(sys.executable).parent / "okr"
TODAY = {"OKR_TODAY": "2026-11-15"}

TEAM = """\
objectives:
  - id: O1
    title: Make deploys boring
    aligns: [acme/O1]
    key_results:
""" + "".join(f"""\
      - id: KR{n}
        title: Service {n} deploys in 10 minutes
        start: 40
        target: 10
        current: 30
""" for n in range(1, 9))
FILES = {"okr.yaml": BASIC_CONFIG, "org.yaml": BASIC_ORG, "2026-Q4/acme.yaml": BASIC_COMPANY,
         "2026-Q4/platform.yaml": TEAM}
PLATFORM = "2026-Q4/platform.yaml"


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch, tmp_path):
    isolate_git(monkeypatch, tmp_path)


@pytest.fixture
def repo(tmp_path) -> Path:
    return init_repo(tmp_path / "repo", FILES)


def okr(repo: Path, *args: str, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    """The okr program itself, as a user runs it."""
    full = {k: v for k, v in os.environ.items() if k != "OKR_REPO"} | TODAY | (env or {})
    return subprocess.run([str(OKR_BIN), *args], cwd=repo, env=full, capture_output=True,
                          timeout=120, check=False, **({"stdin": subprocess.DEVNULL} | kwargs))


def empty_commit(repo: Path, message: str) -> str:
    git(repo, "commit", "-q", "--allow-empty", "--no-gpg-sign", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def checkin_message(value: str, cycle: str = "2026-Q4", kr: str = "platform/O1/KR1") -> str:
    return f"checkin {kr}\n\nOkr-Cycle: {cycle}\nOkr-KR: {kr}\nOkr-Value: {value}\n"


# --- D30: history is untrusted input --------------------------------------------------------------

POISON = {
    "5000-digits": checkin_message("9" * 5000),
    "4000-digits": checkin_message("9" * 4000),
    "year-9999": checkin_message("3", cycle="9999-Q4"),
    "garbage": checkin_message("lots"),
    "huge-float": checkin_message("1e300"),
}


@pytest.mark.parametrize("poison", list(POISON), ids=list(POISON))
@pytest.mark.parametrize("command", ["log", "report", "review", "status", "health", "export"])
def test_d30_one_poisoned_commit_is_skipped_with_a_warning_naming_it(repo, poison, command):
    run(["checkin", "platform/O1/KR2", "25"], cwd=repo, env=TODAY)
    sha = empty_commit(repo, POISON[poison])
    r = run([command], cwd=repo, env=TODAY)
    assert r.exit_code == 0, r.stderr
    if command != "export":  # export reads no history
        assert f"commit {sha[:12]}" in r.stderr and "skipped" in r.stderr, r.stderr
        assert "internal error" not in r.stderr
    if command == "log":
        assert "platform/O1/KR2" in r.stdout and "9999" not in r.stdout


def test_d30_checkin_of_a_5000_digit_number_is_refused_with_exit_2(repo):
    r = run(["checkin", "platform/O1/KR1", "9" * 5000], cwd=repo, env=TODAY)
    assert r.exit_code == 2 and "out of range" in r.stderr, r.stderr
    assert (repo / PLATFORM).read_text() == TEAM


def test_d30_a_cycle_folder_in_year_9999_is_a_finding_not_a_crash(repo):
    (repo / "9999-Q4").mkdir()
    (repo / "9999-Q4" / "acme.yaml").write_text(BASIC_COMPANY)
    r = run(["check"], cwd=repo, env=TODAY)
    assert r.exit_code == 1, r.stderr
    assert "9999-Q4/acme.yaml:1:1: error[cycle-unknown]" in r.stdout
    for args, env in ((["tree", "--cycle", "9999-Q4"], TODAY), (["report", "--cycle", "9999-Q4"], TODAY),
                      (["status", "--at", "9999-01-01"], TODAY), (["status"], {"OKR_TODAY": "9999-06-01"})):
        r = run(args, cwd=repo, env=env)
        assert r.exit_code == 2 and "internal error" not in r.stderr, (args, r.stderr)


_KEYS = st.sampled_from(["Okr-Cycle", "Okr-KR", "Okr-Value", "Okr-Previous", "Okr-Confidence", "Okr-Unit",
                         "Okr-Link", "Okr-Grade", "Okr-Score", "okr-cycle", "OKR-VALUE", "Okr-X"])
_VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["2026-Q4", "9999-Q4", "0000", "2026-Q9", "alice/O1/KR1", "a/b", "done", "not-done",
                     "1e999", "-0", "nan", "inf", "0.5", "1.5", "-1e16"]),
    st.integers(min_value=0, max_value=6000).map(lambda n: "9" * n),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(_KEYS, _VALUES), max_size=12), st.text(max_size=40))
def test_d30_random_trailer_blocks_only_skip_and_warn(lines, body):
    message = "subject\n\n" + body + "\n\n" + "\n".join(f"{k}: {v}" for k, v in lines) + "\n"
    skipped: list[str] = []
    found = checkins_from_message(message, date=datetime(2026, 11, 1, tzinfo=timezone.utc), author_name="a",
                                  author_email="a@x", commit="c" * 40, skipped=skipped)
    for c in found:
        assert c.value is None or isinstance(c.value, (bool, int, float))
        assert c.previous is None or isinstance(c.previous, (bool, int, float))
        assert c.confidence is None or 0 <= c.confidence <= 1
        assert isinstance(c.value, bool) or c.value is None or abs(c.value) <= 1e15
    assert all(isinstance(why, str) and why for why in skipped)


# --- D31: depth stays linear ----------------------------------------------------------------------


def _deep_org(depth: int, loop: bool = False) -> str:
    lines = ["company: {id: acme, name: Acme}", "teams:", "  t0: {name: T0}" if not loop else
             f"  t0: {{name: T0, parent: t{depth - 1}}}"]
    lines += [f"  t{n}: {{name: T{n}, parent: t{n - 1}}}" for n in range(1, depth)]
    lines += ["people:", f"  ada: {{name: Ada, team: t{depth - 1}}}"]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("loop", [False, True], ids=["chain", "loop"])
def test_d31_a_5000_deep_team_chain_is_checked_in_seconds(okr_repo, loop):
    root = okr_repo({"org.yaml": _deep_org(5000, loop),
                     "2026-Q4/ada.yaml": "objectives:\n  - id: O1\n    title: Deep work\n    aligns: [acme/O1]\n"
                                         "    key_results:\n      - {id: KR1, title: Ten papers, target: 10}\n"})
    for args in (["check"], ["health"], ["list", "--team", "t0"], ["status"]):
        started = time.monotonic()
        r = run(args, cwd=root, env=TODAY)
        took = time.monotonic() - started
        assert r.exit_code in ((1,) if loop and args == ["check"] else (0, 1)), (args, r.stderr)
        assert took < 8, (args, took)
    if loop:
        r = run(["check"], cwd=root, env=TODAY)
        assert r.stdout.count("team parents form a loop") == 1, r.stdout


# --- D27: read-modify-commit is a compare-and-swap -----------------------------------------------


def kr_values(data: bytes) -> dict[str, object]:
    """`{"KR1": current, ...}` of the platform file's one objective."""
    import yaml

    loaded = yaml.safe_load(data)
    return {kr["id"]: kr.get("current") for kr in loaded["objectives"][0]["key_results"]}


def head_file(repo: Path, rel: str = PLATFORM, rev: str = "HEAD") -> bytes:
    return git_run(repo, "show", f"{rev}:{rel}").stdout


def _other_checkin(repo: Path) -> None:
    r = okr(repo, "checkin", "platform/O1/KR2", "22")
    assert r.returncode == 0, r.stderr


def _pulled_commit(repo: Path) -> None:  # what a `git pull` brings: a commit made elsewhere
    other = repo.parent / "elsewhere"
    git(repo.parent, "clone", "-q", str(repo), str(other))
    path = other / PLATFORM
    text = path.read_text()
    assert text.count("current: 30") == 8
    path.write_text(text.replace("current: 30", "current: 22", 2).replace("current: 22", "current: 30", 1))
    git(other, "commit", "-q", "-am", "KR2 from the weekly meeting")
    git(repo, "pull", "-q", "--ff-only", str(other), "main")


@pytest.mark.parametrize("other", [_other_checkin, _pulled_commit], ids=["okr-checkin", "git-pull"])
def test_d27_an_interactive_checkin_does_not_revert_what_landed_while_it_waited(repo, other):
    proc = subprocess.Popen([str(OKR_BIN), "checkin", "--as", "platform"], cwd=repo, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={k: v for k, v in os.environ.items() if k != "OKR_REPO"} | TODAY)
    first = proc.stdout.readline().decode()
    assert first.startswith("platform/O1/KR1"), first  # it has read the file and waits at its prompt
    other(repo)
    assert kr_values(head_file(repo))["KR2"] == 22
    _out, err = proc.communicate(b"11\n0.5\n" + b"\n\n" * 7 + b"note\n", timeout=60)
    assert proc.returncode == 0, err.decode()
    values = kr_values((repo / PLATFORM).read_bytes())
    assert values["KR1"] == 11 and values["KR2"] == 22, values  # both: nothing reverted
    assert kr_values(head_file(repo)) == values
    assert git(repo, "status", "--porcelain") == ""
    message = git(repo, "log", "-1", "--format=%B")
    assert "Okr-KR: platform/O1/KR1\nOkr-Value: 11\nOkr-Previous: 30" in message
    diff = git(repo, "diff", "HEAD~1", "HEAD", "--", PLATFORM)
    assert diff.count("\n-  ") + diff.count("\n+  ") <= 4 and "current: 22" not in diff, diff


def test_d27_a_changed_file_is_refused_when_it_cannot_be_replanned(repo, monkeypatch):
    """Under the lock the writer proves the planned-from bytes; without a re-plan it refuses."""
    from okrcli.commands.checkin import record
    from okrcli.gitstore import open_repo
    from okrcli.plans.checkin import Sources, plan_checkin

    sources = Sources.open(repo)
    target = sources.resolve("platform/O1/KR1")
    plan = plan_checkin(sources, [(target, 11, None)])
    _other_checkin(repo)
    head = git(repo, "rev-parse", "HEAD")
    from okrcli.errors import OkrError

    with pytest.raises(OkrError) as caught:
        record(plan, open_repo(repo), no_verify=False)
    assert caught.value.code == 2 and PLATFORM in caught.value.message
    assert git(repo, "rev-parse", "HEAD") == head
    assert kr_values((repo / PLATFORM).read_bytes())["KR2"] == 22


def _commits_match_trailers(repo: Path, shas: list[str]) -> list[str]:
    """The check-ins the commits' trailers record, after checking that each commit's diff holds
    exactly those (read with one git log and one cat-file --batch)."""
    from okrcli.gitstore import GitRepo

    store = GitRepo(repo)
    blobs = store.read_blobs([f"{rev}:{PLATFORM}" for sha in shas for rev in (sha, f"{sha}~1")])
    out = git(repo, "log", "--no-walk=unsorted", "--format=%H%x1f%B%x1e", *shas)
    recorded = []
    for record in filter(str.strip, out.split("\x1e")):
        sha, message = record.strip("\n").split("\x1f", 1)
        found = checkins_from_message(message, date=datetime.now(timezone.utc), author_name="",
                                      author_email="", commit=sha)
        before, after = kr_values(blobs[f"{sha}~1:{PLATFORM}"]), kr_values(blobs[f"{sha}:{PLATFORM}"])
        changed = {kr for kr in after if after[kr] != before[kr]}
        assert changed == {c.ref.rsplit("/", 1)[1] for c in found}, (message, before, after)
        for c in found:
            kr = c.ref.rsplit("/", 1)[1]
            assert (before[kr], after[kr]) == (c.previous, c.value), (sha, message)
        recorded += [f"{c.ref}={c.value}" for c in found]
    return recorded


def test_d27_stress_8_processes_check_in_8_krs_of_one_file_10_rounds(repo):
    started = time.monotonic()
    env = {k: v for k, v in os.environ.items() if k != "OKR_REPO"} | TODAY
    landed: list[str] = []
    for round_no in range(10):
        procs = {n: subprocess.Popen([str(OKR_BIN), "checkin", f"platform/O1/KR{n}", str(100 * round_no + n)],
                                     cwd=repo, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE) for n in range(1, 9)}
        for n, proc in procs.items():
            _out, err = proc.communicate(timeout=120)
            if proc.returncode == 0:
                landed.append(f"platform/O1/KR{n}={100 * round_no + n}")
            else:  # refusing is allowed, naming the file or the lock; never a crash
                assert proc.returncode == 2 and (PLATFORM in err.decode() or "lock" in err.decode()), err
        values = kr_values(head_file(repo))
        for n, proc in procs.items():
            if proc.returncode == 0:
                assert values[f"KR{n}"] == 100 * round_no + n, (round_no, n, values)
        assert kr_values((repo / PLATFORM).read_bytes()) == values
    shas = git(repo, "rev-list", "HEAD").split()[:-1]  # every check-in commit, not the first one
    recorded = _commits_match_trailers(repo, shas)
    assert sorted(recorded) == sorted(landed)
    log = okr(repo, "log", "--format", "json")
    import json

    logged = {f"{c['ref'].split(':', 1)[1]}={c['value']}" for c in json.loads(log.stdout)["checkins"]}
    assert set(landed) <= logged
    assert len(landed) >= 40  # the lock queues them: refusals are the exception
    assert git(repo, "diff", "--cached", "--name-only") == ""
    assert git(repo, "status", "--porcelain") == ""
    assert lock_files(repo) == []
    assert list((repo / "2026-Q4").glob(".*.tmp")) == []
    assert time.monotonic() - started < 120


# --- D28: every way out of a write cleans up -----------------------------------------------------


def hook(repo: Path, name: str, body: str) -> None:
    path = repo / ".git" / "hooks" / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)


def test_d28_sigterm_during_a_checkin_rolls_back_and_exits_143(repo, tmp_path):
    marker = tmp_path / "hook-started"
    hook(repo, "pre-commit", f"touch {marker}\nsleep 30\n")
    before = (repo / PLATFORM).read_bytes()
    head = git(repo, "rev-parse", "HEAD")
    proc = subprocess.Popen([str(OKR_BIN), "checkin", "platform/O1/KR1", "12"], cwd=repo,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={k: v for k, v in os.environ.items() if k != "OKR_REPO"} | TODAY)
    deadline = time.monotonic() + 30
    while not marker.exists():
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)
    assert (repo / PLATFORM).read_bytes() != before  # the new value is written, the commit runs
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 143, err.decode()
    assert "terminated" in err.decode() and "Traceback" not in err.decode()
    assert (repo / PLATFORM).read_bytes() == before
    assert git(repo, "rev-parse", "HEAD") == head
    assert git(repo, "status", "--porcelain") == ""
    assert list((repo / "2026-Q4").glob(".*.tmp")) == []
    deadline = time.monotonic() + 10
    while lock_files(repo) and time.monotonic() < deadline:  # git, stopped by okr, removes its lock
        time.sleep(0.1)
    assert lock_files(repo) == []


def test_d28_a_stale_temporary_file_of_a_killed_okr_is_removed_by_the_next_write(repo):
    pid_max = int(Path("/proc/sys/kernel/pid_max").read_text()) if Path("/proc/sys/kernel/pid_max").exists() \
        else 4194304
    stale = repo / "2026-Q4" / f".platform.yaml.{pid_max + 1}.k1ll3d_x.tmp"
    live = repo / "2026-Q4" / f".platform.yaml.{os.getpid()}.l1ve0000.tmp"  # a process that is running
    stale.write_bytes(b"half a file")
    live.write_bytes(b"being written")
    r = run(["checkin", "platform/O1/KR1", "12"], cwd=repo, env=TODAY)
    assert r.exit_code == 0, r.stderr
    assert not stale.exists()
    assert live.exists()


def test_d28_a_read_only_okr_file_is_refused(repo):
    path = repo / PLATFORM
    path.chmod(0o444)
    head = git(repo, "rev-parse", "HEAD")
    r = run(["checkin", "platform/O1/KR1", "12"], cwd=repo, env=TODAY)
    assert r.exit_code == 2, r.stdout + r.stderr
    assert "read-only" in r.stderr and "chmod u+w" in r.stderr
    assert path.read_text() == TEAM and stat.S_IMODE(path.stat().st_mode) == 0o444
    assert git(repo, "rev-parse", "HEAD") == head
    r = run(["checkin", "platform/O1/KR1", "12", "--no-commit"], cwd=repo, env=TODAY)
    assert r.exit_code == 2 and "read-only" in r.stderr
    assert path.read_text() == TEAM


def test_d28_a_commit_msg_hook_that_drops_the_trailers_is_detected(repo):
    hook(repo, "commit-msg", "sed -i '/^Okr-/d' \"$1\"\n")
    r = run(["checkin", "platform/O1/KR1", "12"], cwd=repo, env=TODAY)
    assert r.exit_code == 2, r.stdout + r.stderr
    assert "trailers" in r.stderr and "hook" in r.stderr
    assert "Okr-" not in git(repo, "log", "-1", "--format=%B")


# --- D32: the one writer, and stdout trouble ------------------------------------------------------


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _device(path: Path) -> None:
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a second /dev/null
    except PermissionError:
        pytest.skip("creating a device node needs root")


def _folder(path: Path) -> None:
    path.mkdir()


def _link(path: Path) -> None:
    path.symlink_to(path.parent / "elsewhere.html")


@pytest.mark.parametrize("make", [_fifo, _device, _folder, _link], ids=["fifo", "device", "folder", "symlink"])
@pytest.mark.parametrize("command", [["review", "--format", "html"], ["report", "--format", "markdown"]])
def test_d32_output_refuses_anything_but_a_regular_file(repo, make, command):
    target = repo.parent / "out.html"
    make(target)
    kind = os.lstat(target).st_mode
    r = run([*command, "--output", str(target)], cwd=repo, env=TODAY)
    assert r.exit_code == 2, r.stdout + r.stderr
    assert "internal error" not in r.stderr
    assert os.lstat(target).st_mode == kind  # still what it was
    assert not (repo.parent / "elsewhere.html").exists()


@pytest.mark.parametrize("where", [".git/HEAD", ".git/new-file", ".git"])
def test_d32_output_never_writes_inside_the_git_directory(repo, where):
    head = (repo / ".git" / "HEAD").read_bytes()
    r = run(["review", "--format", "html", "--output", where], cwd=repo, env=TODAY)
    assert r.exit_code == 2 and "git" in r.stderr, r.stdout + r.stderr
    assert (repo / ".git" / "HEAD").read_bytes() == head
    assert not (repo / ".git" / "new-file").exists()
    assert git(repo, "status", "--porcelain") == ""


def test_d32_output_never_writes_into_a_linked_worktrees_git_file_or_dir(repo):
    tree = repo.parent / "linked"
    git(repo, "worktree", "add", "-q", str(tree))
    dot_git = (tree / ".git").read_bytes()
    gitdir = Path(dot_git.decode().split(":", 1)[1].strip())
    for where in (".git", str(gitdir / "HEAD")):
        before = (gitdir / "HEAD").read_bytes()
        r = run(["report", "--output", where], cwd=tree, env=TODAY)
        assert r.exit_code == 2, (where, r.stdout + r.stderr)
        assert (tree / ".git").read_bytes() == dot_git and (gitdir / "HEAD").read_bytes() == before
    assert git(tree, "status", "--porcelain") == ""


def test_d32_schema_write_and_init_refuse_the_git_directory(repo):
    r = run(["schema", "--write", ".git/schemas"], cwd=repo)
    assert r.exit_code == 2 and not (repo / ".git" / "schemas").exists(), r.stdout + r.stderr
    r = run(["init", str(repo / ".git" / "okrs"), "--company", "acme"], cwd=repo)
    assert r.exit_code == 2 and not (repo / ".git" / "okrs").exists(), r.stdout + r.stderr


def test_d32_output_still_replaces_a_regular_file(repo):
    target = repo.parent / "review.html"
    target.write_text("old")
    r = run(["review", "--format", "html", "--output", str(target)], cwd=repo, env=TODAY)
    assert r.exit_code == 0, r.stderr
    assert target.read_text().startswith("<!DOCTYPE html>") or "<html" in target.read_text()


def _many_objectives(repo: Path, title: str = "Objective with é, ü and ✓") -> None:
    body = "objectives:\n" + "".join(
        f"  - id: O{n}\n    title: {title} {n}\n    key_results:\n      - {{id: KR1, title: Users, target: 50}}\n"
        for n in range(1, 1500))
    (repo / "2026-Q4" / "acme.yaml").write_text(body)


def test_d32_a_closed_pipe_ends_quietly(repo):
    _many_objectives(repo)
    for args in (["export"], ["export", "--format", "csv"], ["list"], ["tree"]):
        proc = subprocess.run(f"{OKR_BIN} {' '.join(args)} | head -c 10 >/dev/null; echo ${{PIPESTATUS[0]}}",
                              shell=True, executable="/bin/bash", cwd=repo, check=False, capture_output=True, timeout=120,
                              env={k: v for k, v in os.environ.items() if k != "OKR_REPO"} | TODAY)
        assert proc.stdout.decode().strip() in ("0", "141"), (args, proc.stdout, proc.stderr)
        assert proc.stderr == b"", (args, proc.stderr)


@pytest.mark.parametrize("redirect", ["full", "closed"])
def test_d32_a_full_disk_or_closed_stdout_is_one_line_and_exit_2(repo, redirect):
    _many_objectives(repo)
    if redirect == "full" and not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    shell = f"{OKR_BIN} export " + (">/dev/full" if redirect == "full" else ">&-")
    proc = subprocess.run(shell, shell=True, cwd=repo, check=False, capture_output=True, timeout=120,
                          env={k: v for k, v in os.environ.items() if k != "OKR_REPO"} | TODAY)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("okr: error: cannot write the output"), lines


def test_d32_a_closed_stderr_does_not_change_the_outcome(repo):
    (repo / "2026-Q4" / "bob.yaml").write_text(BROKEN_BOB)
    proc = subprocess.run(f"{OKR_BIN} check 2>&-", shell=True, cwd=repo, capture_output=True, timeout=60,
                          check=False, env={k: v for k, v in os.environ.items() if k != "OKR_REPO"} | TODAY)
    assert proc.returncode == 1 and b"2026-Q4/bob.yaml:4:1: error[yaml-syntax]" in proc.stdout


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
@pytest.mark.parametrize("args", [["list"], ["tree"], ["export", "--format", "csv"], ["show", "acme/O1"]])
def test_d32_an_encoding_that_cannot_show_a_character_writes_question_marks(repo, encoding, args):
    _many_objectives(repo, "Objective ✓ with é")
    r = okr(repo, *args, env={"PYTHONIOENCODING": encoding})
    assert r.returncode == 0, r.stderr
    assert b"Objective" in r.stdout and b"?" in r.stdout
    assert b"internal error" not in r.stderr


# --- D29: the walk of the root never skips in silence ---------------------------------------------

BROKEN_BOB = "objectives:\n  - id: O1\n    title: [unclosed\n"


def test_d29_a_symlink_loop_does_not_hide_a_broken_file(repo):
    folder = repo / "2026-Q4"
    (folder / "bob.yaml").write_text(BROKEN_BOB)
    (folder / "a.yaml").symlink_to("b.yaml")
    (folder / "b.yaml").symlink_to("a.yaml")
    (folder / "loop").symlink_to("loop")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a pull request")
    r = run(["check"], cwd=repo, env=TODAY)
    assert r.exit_code == 1, r.stdout + r.stderr
    assert "2026-Q4/bob.yaml:4:1: error[yaml-syntax]" in r.stdout, r.stdout
    for name in ("a.yaml", "b.yaml", "loop"):
        assert f"2026-Q4/{name}:1:1: error[" in r.stdout, r.stdout
    assert "no problems" not in r.stdout + r.stderr
    from okrcli.load.snapshot import load_as_of  # the same walk over the committed tree (--at)

    as_of = load_as_of(repo, "HEAD", datetime(2026, 11, 15).date())
    errors = {d.path for d in as_of.diagnostics if d.severity.value == "error"}
    assert {"2026-Q4/bob.yaml", "2026-Q4/a.yaml", "2026-Q4/b.yaml", "2026-Q4/loop"} <= errors, errors


def test_d29_an_unreadable_cycle_folder_is_an_error(repo, monkeypatch):
    """Mode 000 (simulated: the suite may run as root, who reads everything)."""
    (repo / "2026-Q4" / "bob.yaml").write_text(BROKEN_BOB)
    real_scandir = os.scandir

    def scandir(path="."):
        if Path(path).name == "2026-Q4":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    r = run(["check"], cwd=repo, env=TODAY)
    monkeypatch.undo()
    assert r.exit_code == 1, r.stdout + r.stderr
    assert "2026-Q4:1:1: error[yaml-syntax]: cannot read this cycle folder: Permission denied" in r.stdout


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a mode-000 folder")
def test_d29_a_mode_000_cycle_folder_is_an_error(repo):
    (repo / "2026-Q4" / "bob.yaml").write_text(BROKEN_BOB)
    (repo / "2026-Q4").chmod(0)
    try:
        r = run(["check"], cwd=repo, env=TODAY)
    finally:
        (repo / "2026-Q4").chmod(0o755)
    assert r.exit_code == 1 and "cannot read this cycle folder" in r.stdout, r.stdout + r.stderr


STRAYS = {
    "2026-Q4/kai.yml": "OKR files end in .yaml: rename kai.yml to kai.yaml",
    "2026-Q4/people/kai.yaml": "okr does not read folders inside a cycle folder",
    "2026-Q4/bob.yaml/x.yaml": "'bob.yaml' is a folder, not an OKR file",
    "2026-Q4/notes.md": "okr reads only OWNER.yaml files in a cycle folder, so notes.md is not read",
    "2026Q4/kai.yaml": "'2026Q4' is not a cycle folder",
    "26-Q4/kai.yaml": "'26-Q4' is not a cycle folder",
    "kai.yaml": "okr reads only okr.yaml and org.yaml at the root, so kai.yaml is not read",
    "org.yml": "okr reads org.yaml: rename org.yml to org.yaml",
}
STRAY_PATHS = {"2026-Q4/people/kai.yaml": "2026-Q4/people", "2026-Q4/bob.yaml/x.yaml": "2026-Q4/bob.yaml",
               "2026Q4/kai.yaml": "2026Q4", "26-Q4/kai.yaml": "26-Q4"}


@pytest.mark.parametrize("rel", list(STRAYS))
def test_stray_file_warns_on_what_okr_does_not_read_on_disk_and_at_a_revision(repo, rel):
    (repo / rel).parent.mkdir(parents=True, exist_ok=True)
    (repo / rel).write_text("objectives: []\n")
    shown = STRAY_PATHS.get(rel, rel)
    r = run(["check"], cwd=repo, env=TODAY)
    assert r.exit_code == 0, r.stdout + r.stderr
    assert f"{shown}:1:1: warning[stray-file]: {STRAYS[rel]}" in r.stdout, r.stdout
    assert r.stdout.count("[stray-file]") == 1
    r = run(["check", "--strict"], cwd=repo, env=TODAY)
    assert r.exit_code == 1
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "stray")
    from okrcli.load.snapshot import load_as_of

    as_of = load_as_of(repo, "HEAD", datetime(2026, 11, 15).date())
    found = [d for d in as_of.diagnostics if d.rule == "stray-file"]
    assert [(d.path.rstrip("/"), STRAYS[rel] in d.message) for d in found] == [(shown, True)], found


def test_stray_file_respects_ignore_and_hidden_folders(repo):
    for rel in ("2025-archive/old.yaml", "2026-Q4/drafts/kai.yaml", ".github/ci.yaml", "2026-Q4/.keep",
                "README.md", "docs/x.yaml", "mkdocs.yml", ".pre-commit-config.yaml"):
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text("objectives: []\n")
    (repo / "okr.yaml").write_text(BASIC_CONFIG + "ignore: [2025-archive, 2026-Q4/drafts/]\n")
    r = run(["check"], cwd=repo, env=TODAY)
    assert r.exit_code == 0 and "stray-file" not in r.stdout, r.stdout + r.stderr
    assert "cycle-unknown" not in r.stdout


@pytest.mark.parametrize("entry, words", [("../outside", "not a folder under the OKR root"),
                                           ("/etc", "not a folder under the OKR root"),
                                           ("yes", "quote it")])
def test_ignore_entries_are_validated(repo, entry, words):
    (repo / "okr.yaml").write_text(BASIC_CONFIG + f"ignore: [{entry}]\n")
    r = run(["check"], cwd=repo, env=TODAY)
    assert r.exit_code == 1 and "okr.yaml:3:" in r.stdout and words in r.stdout, r.stdout


def test_stray_file_can_be_turned_off_but_loops_stay_errors(repo):
    (repo / "2026-Q4" / "kai.yml").write_text("objectives: []\n")
    (repo / "2026-Q4" / "a.yaml").symlink_to("a.yaml")
    (repo / "okr.yaml").write_text(BASIC_CONFIG + "rules:\n  stray-file: \"off\"\n")
    r = run(["check"], cwd=repo, env=TODAY)
    assert r.exit_code == 1 and "stray-file" not in r.stdout and "2026-Q4/a.yaml:1:1: error[" in r.stdout


def test_stray_file_is_listed_by_list_rules(repo):
    r = run(["check", "--list-rules"], cwd=repo)
    assert r.exit_code == 0 and any(line.split()[:2] == ["stray-file", "warning"] for line in r.stdout.splitlines())


# --- D34: every text format makes control characters visible, CSV included ------------------------

HOSTILE_TITLE = "Grow \\e[31mred\\e[0m \\u202Eevil\\u202C and a\\nnewline"


@pytest.mark.parametrize("args", [["list", "--format", "csv"], ["list", "--krs", "--format", "csv"],
                                  ["export", "--format", "csv"]])
def test_d34_csv_cells_show_control_characters(okr_repo, args):
    import csv
    import io

    root = okr_repo({"2026-Q4/acme.yaml": f"""\
objectives:
  - id: O1
    title: "{HOSTILE_TITLE}"
    key_results:
      - {{id: KR1, title: "KR \\e]8;;http://x\\e\\\\link", target: 5}}
"""})
    r = run(args, cwd=root, env=TODAY)
    assert r.exit_code == 0, r.stderr
    assert not any(ch in r.stdout for ch in ("\x1b", "\u202e", "\u202c")), repr(r.stdout)
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(rows) == 1
    assert rows[0]["objective_title"] == "Grow \\x1b[31mred\\x1b[0m \\u202eevil\\u202c and a\\nnewline"


# --- D33: views know what is not there ------------------------------------------------------------


def test_d33_a_sparse_checkout_is_neither_removed_nor_missing(tmp_path):
    people = [f"p{n}" for n in range(1, 18)]
    org = "company: {id: acme, name: Acme}\npeople:\n" + "".join(f"  {p}: {{name: {p.upper()}}}\n" for p in people)
    files = {"okr.yaml": BASIC_CONFIG, "org.yaml": org, "2026-Q4/acme.yaml": BASIC_COMPANY}
    files |= {f"2026-Q4/{p}.yaml": f"objectives:\n  - id: O1\n    title: Grow {p}\n    aligns: [acme/O1]\n"
                                   "    key_results:\n      - {id: KR1, title: Users to 50, target: 50}\n"
              for p in people}
    repo = tmp_path / "repo"
    from gitrepo import commit_all, write_files

    init_repo(repo)
    write_files(repo, files)
    commit_all(repo, "Q4 OKRs", date="2026-11-01T10:00:00+00:00")
    full = {args[0]: run(args, cwd=repo, env=TODAY) for args in (["status"], ["report"], ["check"])}
    git(repo, "sparse-checkout", "set", "--no-cone", "/*.yaml", "/2026-Q4/acme.yaml", "/2026-Q4/p1.yaml")
    assert sorted(p.name for p in (repo / "2026-Q4").iterdir()) == ["acme.yaml", "p1.yaml"]
    for name, before in full.items():
        after = run([name], cwd=repo, env=TODAY)
        assert after.exit_code == before.exit_code == 0, after.stderr
        assert after.stdout == before.stdout, name  # the same numbers as in the full checkout
    assert "18 of 18" in full["status"].stdout and "0 removed" in full["report"].stdout


@pytest.mark.parametrize("loop", [False, True], ids=["chain", "loop"])
def test_d31_a_5000_deep_alignment_chain_is_checked_in_seconds(okr_repo, loop):
    objectives = ["objectives:", "  - id: O0\n    title: Root objective" + ("\n    aligns: [acme/O4999]" if loop else "")
                  + "\n    key_results:\n      - {id: KR1, title: Users to 50, target: 50}"]
    objectives += [f"  - id: O{n}\n    title: Objective {n}\n    aligns: [acme/O{n - 1}]\n    key_results:\n"
                   "      - {id: KR1, title: Users to 50, target: 50}" for n in range(1, 5000)]
    root = okr_repo({"2026-Q4/acme.yaml": "\n".join(objectives) + "\n"})
    for args in (["check"], ["tree"], ["status"]):
        started = time.monotonic()
        r = run(args, cwd=root, env=TODAY)
        assert r.exit_code == (1 if loop and args == ["check"] else 0), (args, r.stdout[-500:], r.stderr)
        assert time.monotonic() - started < 10, args
    if loop:
        assert "align-cycle" in run(["check"], cwd=root, env=TODAY).stdout


@pytest.mark.parametrize("no_commit", [False, True], ids=["commit", "no-commit"])
def test_d27_an_editor_saving_during_the_prompt_is_never_overwritten(repo, no_commit):
    proc = subprocess.Popen([str(OKR_BIN), "checkin", "--as", "platform", *(["--no-commit"] * no_commit)],
                            cwd=repo, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={k: v for k, v in os.environ.items() if k != "OKR_REPO"} | TODAY)
    assert proc.stdout.readline().decode().startswith("platform/O1/KR1")
    edited = TEAM.replace("Service 3 deploys", "Service 3 ships")  # saved by an editor meanwhile
    (repo / PLATFORM).write_text(edited)
    _out, err = proc.communicate(b"11\n0.5\n" + b"\n\n" * 7 + b"note\n", timeout=60)
    assert proc.returncode == 2, err.decode()
    assert PLATFORM in err.decode() and "Traceback" not in err.decode()
    assert (repo / PLATFORM).read_text() == edited
    assert git(repo, "rev-list", "--count", "HEAD") == "1\n"


def test_d32_output_never_writes_through_a_committed_folder_link(repo, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (repo / "reports").symlink_to(outside, target_is_directory=True)
    r = run(["report", "--output", "reports/weekly.md"], cwd=repo, env=TODAY)
    assert r.exit_code == 2 and "symbolic link" in r.stderr, r.stdout + r.stderr
    assert list(outside.iterdir()) == []


def test_d32_demo_refuses_the_git_directory(repo):
    r = run(["demo", str(repo / ".git" / "demo")], cwd=repo)
    assert r.exit_code == 2 and "git directory" in r.stderr, r.stdout + r.stderr
    assert not (repo / ".git" / "demo").exists()


def test_d30_many_poisoned_commits_are_counted_not_listed(repo):
    shas = [empty_commit(repo, checkin_message(f"junk{n}")) for n in range(14)]
    r = run(["log"], cwd=repo, env=TODAY)
    assert r.exit_code == 0
    warnings = [line for line in r.stderr.splitlines() if line.startswith("okr: warning:")]
    assert len(warnings) == 11 and "4 more commits" in warnings[-1], warnings
    assert f"commit {shas[-1][:12]}" in warnings[0]  # newest first, as git log reads them


def test_d30_control_characters_in_a_trailer_never_reach_the_terminal(repo):
    sha = empty_commit(repo, checkin_message("7") + "Okr-Unit: \x1b[31mred\u202e\nOkr-Link: \x1b]8;;http://x\x1b\\x\n")
    r = run(["log"], cwd=repo, env=TODAY)
    assert r.exit_code == 0
    assert "\x1b" not in r.stdout + r.stderr and "\u202e" not in r.stdout + r.stderr
    assert "platform/O1/KR1" in r.stdout and f"commit {sha[:12]}" in r.stderr and "left out" in r.stderr
