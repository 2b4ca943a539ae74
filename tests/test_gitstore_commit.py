"""Committing on the user's behalf (RELIABILITY.md section A), against real git repositories.

After every scenario `assert_nothing_lost` checks the section's promise: every
other path's staged and unstaged diff (and untracked files) byte-identical to
before; HEAD unmoved, or moved by exactly one commit touching only the OKR
file; no `*.lock` file left; the OKR file holds the committed value or, after a
failure, exactly its old bytes.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import yaml
from gitrepo import (
    Snapshot,
    assert_nothing_lost,
    git,
    git_run,
    init_repo,
    isolate_git,
    lock_files,
    write_files,
)
from gitrepo import snapshot as take_snapshot

from okrcli.edit import Change, apply_changes
from okrcli.errors import ExitCode, OkrError
from okrcli.gitstore import GitRepo, GitTimeout, open_repo

OKR = "2026-Q4/alice.yaml"
ALICE = textwrap.dedent(
    """\
    # Alice, Q4
    objectives:
      - id: O1
        title: Make deploys boring
        aligns: [eng/O2]
        key_results:
          - id: KR1
            title: p95 deploy time down to 10 minutes
            start: 40
            target: 10
            current: 25   # minutes
    """
).encode()
NEW_ALICE = ALICE.replace(b"current: 25", b"current: 20")
MESSAGE = "Check in alice/O1/KR1: 20\n\nOkr-Kr: 2026-Q4:alice/O1/KR1\nOkr-Value: 20\n"
FILES = {
    "okr.yaml": "company: acme\n",
    OKR: ALICE,
    "notes.txt": "line one\nline two\n",
    "src/app.py": "print('hi')\n",
}


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch, tmp_path):
    isolate_git(monkeypatch, tmp_path)


@pytest.fixture
def repo(tmp_path) -> Path:
    return init_repo(tmp_path / "repo", FILES)


def user_work(repo: Path) -> None:
    """The kind of work in progress okr must never touch: staged, unstaged, untracked."""
    (repo / "notes.txt").write_text("line one, edited and staged\nline two\n")
    git(repo, "add", "notes.txt")
    (repo / "notes.txt").write_text("line one, edited and staged\nline two, then edited again\n")
    (repo / "src/app.py").write_text("print('work in progress')\n")
    (repo / "scratch.txt").write_text("untracked\n")
    (repo / "staged-new.txt").write_text("new and staged\n")
    git(repo, "add", "staged-new.txt")


# --- the "nothing lost" conditions (tests/gitrepo.py) --------------------------------------------


def snapshot(repo: Path, okr_files: tuple[str, ...] = (OKR,)) -> Snapshot:
    return take_snapshot(repo, okr_files)


def commit(repo: Path, contents: bytes = NEW_ALICE, rel: str = OKR, **kwargs) -> str:
    return open_repo(repo).commit_files({repo / rel: contents}, MESSAGE, **kwargs)


def hook(repo: Path, name: str, body: str) -> None:
    path = repo / ".git" / "hooks" / name
    path.write_text("#!/bin/sh\n" + textwrap.dedent(body))
    path.chmod(0o755)


# --- A1: another file is staged ------------------------------------------------------------------


def test_a1_staged_and_unstaged_work_stays_out_of_the_commit(repo):
    user_work(repo)
    before = snapshot(repo)
    sha = commit(repo)
    assert sha == git(repo, "rev-parse", "HEAD").strip()
    assert git(repo, "log", "-1", "--format=%B", sha) == MESSAGE + "\n"
    assert_nothing_lost(repo, before, committed={OKR: NEW_ALICE})
    assert "notes.txt" in git(repo, "diff", "--cached", "--name-only")


# --- A2: the OKR file itself has uncommitted edits -----------------------------------------------


def _unstaged(repo):
    (repo / OKR).write_bytes(ALICE + b"# my own edit\n")


def _staged(repo):
    _unstaged(repo)
    git(repo, "add", OKR)


def _staged_then_reverted(repo):
    _staged(repo)
    (repo / OKR).write_bytes(ALICE)


def _untracked(repo):
    git(repo, "rm", "-q", "--cached", OKR)


@pytest.mark.parametrize("make_dirty", [_unstaged, _staged, _staged_then_reverted, _untracked])
def test_a2_refuses_when_the_okr_file_has_uncommitted_edits(repo, make_dirty):
    user_work(repo)
    make_dirty(repo)
    mine = (repo / OKR).read_bytes()
    index_entry = git(repo, "ls-files", "-s", "--", OKR)
    before = snapshot(repo)
    with pytest.raises(OkrError) as caught:
        commit(repo)
    assert caught.value.code == ExitCode.USAGE
    assert OKR in caught.value.message
    assert "--no-commit" in caught.value.hint
    assert (repo / OKR).read_bytes() == mine
    assert git(repo, "ls-files", "-s", "--", OKR) == index_entry
    assert_nothing_lost(repo, before)


def test_a2_ignored_file_is_refused(repo):
    (repo / ".gitignore").write_text("private/\n")
    write_files(repo, {"private/alice.yaml": ALICE})
    with pytest.raises(OkrError, match="ignored"):
        commit(repo, rel="private/alice.yaml")
    assert (repo / "private/alice.yaml").read_bytes() == ALICE


# --- A3: check-ins at once -----------------------------------------------------------------------

CHILD = """
import sys, time
from pathlib import Path
from okrcli.edit import Change, apply_changes
from okrcli.errors import OkrError
from okrcli.gitstore import open_repo

repo, rel, value, go = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
target = repo / rel
path = ("objectives", 0, "key_results", 0, "current")
new = apply_changes(target.read_bytes(), [Change(path, value)])
git = open_repo(repo)
while not go.exists():
    time.sleep(0.002)
try:
    print(git.commit_files({target: new}, f"Check in {rel}: {value}\\n"))
except OkrError as exc:
    print(exc.message, file=sys.stderr)
    sys.exit(2)
"""


@pytest.mark.parametrize("hook_seconds", [0, 0.6], ids=["fast", "slow-hook"])
def test_a3_parallel_check_ins_all_land_or_fail_cleanly_naming_index_lock(tmp_path, hook_seconds):
    people = [f"p{i}" for i in range(6)]
    files = {f"2026-Q4/{p}.yaml": ALICE for p in people} | {"notes.txt": "x\n"}
    repo = init_repo(tmp_path / "repo", files)
    if hook_seconds:  # git holds index.lock while the hook runs: 6 x 0.6 s > the 2 s retry
        hook(repo, "pre-commit", f"sleep {hook_seconds}\n")
    user_work_path = repo / "notes.txt"
    user_work_path.write_text("x, staged\n")
    git(repo, "add", "notes.txt")
    okr_files = tuple(files)[:-1]
    before = snapshot(repo, okr_files)
    go = tmp_path / "go"
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(repo), rel, str(100 + n), str(go)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        for n, rel in enumerate(okr_files)
    ]
    time.sleep(0.5)  # let every child import and reach the starting line
    go.touch()
    results = [
        (p.wait(timeout=60), p.stdout.read().decode(), p.stderr.read().decode()) for p in procs
    ]
    for p in procs:
        p.stdout.close()
        p.stderr.close()

    landed = 0
    for n, (rel, (code, out, err)) in enumerate(zip(okr_files, results)):
        value = f"current: {100 + n}".encode()
        if code == 0:
            landed += 1
            sha = out.strip()
            assert git(repo, "diff-tree", "--no-commit-id", "--name-only", "-r", sha).split() == [
                rel
            ]
            assert value in git_run(repo, "show", f"HEAD:{rel}").stdout
            assert value in (repo / rel).read_bytes()
        else:
            assert code == 2 and "index.lock" in err, err
            assert (repo / rel).read_bytes() == ALICE
    assert landed >= 1
    if hook_seconds:  # commit_files queues behind okr's own lock (RELIABILITY 27): all land
        assert landed == len(okr_files)
    assert int(git(repo, "rev-list", "--count", "HEAD")) == 1 + landed
    after = snapshot(repo, okr_files)
    assert (after.staged, after.unstaged, after.index) == (
        before.staged,
        before.unstaged,
        before.index,
    )
    assert lock_files(repo) == []
    assert git(repo, "status", "--porcelain", "--", "2026-Q4") == ""


def test_a3_lock_held_by_another_process_fails_after_a_short_retry_and_is_not_deleted(repo):
    user_work(repo)
    before = snapshot(repo)
    lock = repo / ".git" / "index.lock"
    lock.write_bytes(b"")
    started = time.monotonic()
    with pytest.raises(OkrError, match="index.lock") as caught:
        commit(repo)
    assert 1.5 <= time.monotonic() - started < 10
    assert "restored" in caught.value.message
    assert lock.exists()  # never delete a lock
    lock.unlink()
    assert_nothing_lost(repo, before, restored={OKR: ALICE})


# --- A4: states a commit must not land in --------------------------------------------------------


def _diverge(repo: Path) -> None:
    """Branch `other` and the current branch change the same line of notes.txt."""
    current = git(repo, "branch", "--show-current").strip()
    git(repo, "switch", "-q", "-c", "other")
    (repo / "notes.txt").write_text("line one, other\nline two\n")
    git(repo, "commit", "-q", "-am", "other")
    git(repo, "switch", "-q", current)
    (repo / "notes.txt").write_text("line one, main\nline two\n")
    git(repo, "commit", "-q", "-am", "main")


def _merge(repo):
    _diverge(repo)
    assert git_run(repo, "merge", "other").returncode != 0


def _rebase(repo):
    _diverge(repo)
    assert git_run(repo, "rebase", "other").returncode != 0


def _rebase_apply(repo):
    _diverge(repo)
    assert git_run(repo, "rebase", "--apply", "other").returncode != 0


def _cherry_pick(repo):
    _diverge(repo)
    assert git_run(repo, "cherry-pick", "other").returncode != 0


def _revert(repo):
    (repo / "notes.txt").write_text("line one, first\nline two\n")
    git(repo, "commit", "-q", "-am", "first")
    (repo / "notes.txt").write_text("line one, second\nline two\n")
    git(repo, "commit", "-q", "-am", "second")
    assert git_run(repo, "revert", "--no-edit", "HEAD~1").returncode != 0


def _bisect(repo):
    git(repo, "bisect", "start")


def _detached(repo):
    git(repo, "switch", "-q", "--detach")


@pytest.mark.parametrize(
    "make_state, words",
    [
        (_merge, "merge"),
        (_rebase, "rebase"),
        (_rebase_apply, "rebase"),
        (_cherry_pick, "cherry-pick"),
        (_revert, "revert"),
        (_bisect, "bisect"),
        (_detached, "detached"),
    ],
)
def test_a4_refuses_in_the_middle_of_another_operation(repo, make_state, words):
    make_state(repo)
    before = snapshot(repo)
    with pytest.raises(OkrError, match=words) as caught:
        commit(repo)
    assert caught.value.code == ExitCode.USAGE
    assert "--no-commit" in caught.value.hint
    assert_nothing_lost(repo, before, restored={OKR: ALICE})


def test_a4_linked_worktree_state_is_found_through_git_path(repo, tmp_path):
    worktree = tmp_path / "wt"
    git(repo, "worktree", "add", "-q", "-b", "wt", str(worktree))
    assert (worktree / ".git").is_file()
    _merge(worktree)
    before = snapshot(worktree)
    with pytest.raises(OkrError, match="merge"):
        commit(worktree)
    assert_nothing_lost(worktree, before, restored={OKR: ALICE})


def test_a4_bare_repository_and_no_repository_are_refused(tmp_path):
    bare = tmp_path / "bare.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    with pytest.raises(OkrError, match="bare") as caught:
        open_repo(bare)
    assert "--no-commit" in caught.value.hint
    lonely = tmp_path / "lonely"
    lonely.mkdir()
    with pytest.raises(OkrError, match="not inside a git work tree") as caught:
        open_repo(lonely / "2026-Q4" / "alice.yaml")
    assert caught.value.code == ExitCode.USAGE and "--no-commit" in caught.value.hint


def test_a4_unborn_branch_first_commit_works(tmp_path):
    repo = init_repo(tmp_path / "fresh")
    write_files(repo, {"notes.txt": "staged\n"})
    git(repo, "add", "notes.txt")
    before = snapshot(repo)
    commit(repo, ALICE)
    assert_nothing_lost(repo, before, committed={OKR: ALICE})


# --- A5: a new OKR file --------------------------------------------------------------------------


def test_a5_new_file_is_created_and_committed(repo):
    user_work(repo)
    rel = "2027-Q1/alice.yaml"
    before = snapshot(repo, (rel,))
    commit(repo, ALICE, rel)
    assert_nothing_lost(repo, before, committed={rel: ALICE})


def test_a5_new_file_failure_leaves_nothing_staged_and_no_folder(repo):
    user_work(repo)
    hook(repo, "pre-commit", "echo 'not today' >&2\nexit 1\n")
    rel = "2027-Q1/alice.yaml"
    before = snapshot(repo, (rel,))
    with pytest.raises(OkrError, match="not today") as caught:
        commit(repo, ALICE, rel)
    assert "removed" in caught.value.message
    assert not (repo / "2027-Q1").exists()
    assert_nothing_lost(repo, before, restored={rel: None})


# --- A6: hooks -----------------------------------------------------------------------------------


def test_a6_rejecting_hook_restores_the_file_and_shows_the_end_of_its_output(repo):
    user_work(repo)
    lines = "".join(f"echo 'lint line {n}'\n" for n in range(40))
    hook(
        repo, "pre-commit", lines + "echo 'trailing whitespace in 2026-Q4/alice.yaml' >&2\nexit 1\n"
    )
    before = snapshot(repo)
    with pytest.raises(OkrError) as caught:
        commit(repo)
    message = caught.value.message
    assert caught.value.code == ExitCode.USAGE
    assert "hook rejected" in message
    assert "trailing whitespace in 2026-Q4/alice.yaml" in message
    assert "lint line 39" in message and "lint line 0\n" not in message
    assert "restored" in message
    assert "--no-verify" in caught.value.hint
    assert_nothing_lost(repo, before, restored={OKR: ALICE})


def test_a6_commit_msg_hook_rejecting_is_reported_too(repo):
    hook(repo, "commit-msg", "echo 'subject must start with a ticket' >&2\nexit 1\n")
    before = snapshot(repo)
    with pytest.raises(OkrError, match="ticket"):
        commit(repo)
    assert_nothing_lost(repo, before, restored={OKR: ALICE})


def test_a6_no_verify_skips_hooks(repo):
    hook(repo, "pre-commit", "exit 1\n")
    before = snapshot(repo)
    commit(repo, no_verify=True)
    assert_nothing_lost(repo, before, committed={OKR: NEW_ALICE})


def test_a6_hook_that_rewrites_the_value_is_caught_after_the_commit(repo):
    user_work(repo)
    hook(repo, "pre-commit", f"sed -i 's/current: 20/current: 99/' {OKR}\ngit add {OKR}\n")
    before = snapshot(repo)
    with pytest.raises(OkrError, match="does not hold the new value") as caught:
        commit(repo)
    assert "working tree" in caught.value.hint
    # One commit (the hook's version); the intended value is kept in the file, unstaged.
    assert git(repo, "rev-list", "--count", f"{before.head}..HEAD") == "1\n"
    assert git(repo, "diff-tree", "--no-commit-id", "--name-only", "-r", "HEAD") == OKR + "\n"
    assert b"current: 99" in git_run(repo, "show", f"HEAD:{OKR}").stdout
    assert (repo / OKR).read_bytes() == NEW_ALICE
    assert git(repo, "status", "--porcelain=v1", "--", OKR) == f" M {OKR}\n"
    after = snapshot(repo)
    assert (after.staged, after.unstaged, after.status, after.index, after.others) == (
        before.staged,
        before.unstaged,
        before.status,
        before.index,
        before.others,
    )
    assert lock_files(repo) == []


def test_a6_hook_that_only_reformats_passes_a_semantic_verify(repo):
    hook(repo, "pre-commit", f"printf '# reviewed\\n' >> {OKR}\ngit add {OKR}\n")
    seen = []

    def same_value(path: Path, committed: bytes) -> bool:
        seen.append(path)
        data = yaml.safe_load(committed)
        return data["objectives"][0]["key_results"][0]["current"] == 20

    before = snapshot(repo)
    commit(repo, verify=same_value)
    assert seen == [repo / OKR]
    assert_nothing_lost(repo, before, committed={OKR: NEW_ALICE + b"# reviewed\n"})


# --- A7: signing, identity, closed stdin, timeout ------------------------------------------------


def _gpg(repo: Path, tmp_path: Path, body: str) -> None:
    script = tmp_path / "fake-gpg"
    script.write_text("#!/bin/sh\n" + textwrap.dedent(body))
    script.chmod(0o755)
    git(repo, "config", "commit.gpgsign", "true")
    git(repo, "config", "gpg.program", str(script))


def test_a7_signing_is_left_to_git(repo, tmp_path):
    _gpg(
        repo,
        tmp_path,
        """\
        cat >/dev/null
        echo '[GNUPG:] SIG_CREATED D 1 8 00 1700000000 ABCDEF' >&2
        printf -- '-----BEGIN PGP SIGNATURE-----\\n\\nfake\\n-----END PGP SIGNATURE-----\\n'
        """,
    )
    before = snapshot(repo)
    sha = commit(repo)
    assert "gpgsig -----BEGIN PGP SIGNATURE-----" in git(repo, "cat-file", "commit", sha)
    assert_nothing_lost(repo, before, committed={OKR: NEW_ALICE})


def test_a7_failing_gpg_fails_clearly(repo, tmp_path):
    _gpg(repo, tmp_path, "echo 'gpg: no secret key' >&2\nexit 2\n")
    user_work(repo)
    before = snapshot(repo)
    with pytest.raises(OkrError, match="could not sign") as caught:
        commit(repo)
    assert "restored" in caught.value.message
    assert_nothing_lost(repo, before, restored={OKR: ALICE})


def test_a7_stuck_gpg_times_out_without_leaving_a_lock(repo, tmp_path):
    _gpg(repo, tmp_path, "exec sleep 5\n")
    user_work(repo)
    before = snapshot(repo)
    started = time.monotonic()
    with pytest.raises(GitTimeout, match="did not finish") as caught:
        GitRepo(repo, commit_timeout=1.0).commit_files({repo / OKR: NEW_ALICE}, MESSAGE)
    assert time.monotonic() - started < 4
    assert "restored" in caught.value.message
    assert_nothing_lost(repo, before, restored={OKR: ALICE})


def test_a7_git_runs_with_stdin_closed(repo, tmp_path):
    seen = tmp_path / "stdin-of-hook"
    hook(repo, "pre-commit", f"readlink /proc/self/fd/0 > '{seen}'\ncat > /dev/null\n")
    commit(repo)
    assert seen.read_text().strip() == "/dev/null"


def test_a7_no_identity_names_user_name_and_user_email(monkeypatch, tmp_path):
    repo = init_repo(tmp_path / "repo", FILES)
    git(repo, "config", "--unset", "user.name")
    git(repo, "config", "--unset", "user.email")
    isolate_git(monkeypatch, tmp_path, identity=False)
    before = snapshot(repo)
    with pytest.raises(OkrError, match=r"user\.name and user\.email") as caught:
        commit(repo)
    assert "git config --global user.email" in caught.value.hint
    assert_nothing_lost(repo, before, restored={OKR: ALICE})


def test_a7_identity_git_rejects_is_mapped_too(monkeypatch, tmp_path):
    repo = init_repo(tmp_path / "repo", FILES)
    git(repo, "config", "user.name", "")
    isolate_git(monkeypatch, tmp_path, identity=False)
    before = snapshot(repo)
    with pytest.raises(OkrError, match="user.name") as caught:
        commit(repo)
    assert "restored" in caught.value.message
    assert_nothing_lost(repo, before, restored={OKR: ALICE})


# --- A8: CRLF, BOM, core.autocrlf ----------------------------------------------------------------


def test_a8_autocrlf_crlf_and_bom_keep_every_other_byte(tmp_path):
    crlf = b"\xef\xbb\xbf" + ALICE.replace(b"\n", b"\r\n")
    repo = init_repo(
        tmp_path / "repo", {OKR: crlf, "notes.txt": "x\n"}, config={"core.autocrlf": "true"}
    )
    (repo / OKR).write_bytes(crlf)  # what a Windows checkout holds
    assert git(repo, "status", "--porcelain") == ""
    new = apply_changes(crlf, [Change(("objectives", 0, "key_results", 0, "current"), 20)])
    assert new == crlf.replace(b"current: 25", b"current: 20")
    before = snapshot(repo)
    commit(repo, new)
    assert (repo / OKR).read_bytes() == new
    assert git_run(repo, "show", f"HEAD:{OKR}").stdout == new.replace(b"\r\n", b"\n")
    assert git(repo, "status", "--porcelain") == ""
    after = snapshot(repo)
    assert (after.staged, after.unstaged, after.others) == (
        before.staged,
        before.unstaged,
        before.others,
    )
    assert lock_files(repo) == []


# --- A9: a crash mid-write -----------------------------------------------------------------------


@pytest.mark.parametrize("crash", [OSError("disk full"), KeyboardInterrupt()])
def test_a9_crash_while_writing_leaves_the_old_file(repo, monkeypatch, crash):
    user_work(repo)
    (repo / OKR).chmod(0o640)
    before = snapshot(repo)

    def replace(src, dst):
        raise crash

    with monkeypatch.context() as patched, pytest.raises(type(crash)):
        patched.setattr(os, "replace", replace)
        commit(repo)
    assert sorted(p.name for p in (repo / "2026-Q4").iterdir()) == ["alice.yaml"]  # no temp file
    assert stat.S_IMODE((repo / OKR).stat().st_mode) == 0o640
    assert_nothing_lost(repo, before, restored={OKR: ALICE})


def test_a9_commit_keeps_the_file_mode(repo):
    (repo / OKR).chmod(0o640)
    commit(repo)
    assert stat.S_IMODE((repo / OKR).stat().st_mode) == 0o640


# --- A10: dubious ownership ----------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown")
def test_a10_dubious_ownership_gives_the_safe_directory_hint(repo):
    before = snapshot(repo)
    for path in [repo, *repo.rglob("*")]:
        os.lchown(path, 12345, 12345)
    try:
        with pytest.raises(OkrError, match="another user") as caught:
            open_repo(repo / OKR)
        assert f"git config --global --add safe.directory {repo}" in caught.value.hint
        assert caught.value.code == ExitCode.USAGE
        assert (repo / OKR).read_bytes() == ALICE
    finally:
        for path in [repo, *repo.rglob("*")]:
            os.lchown(path, 0, 0)
    assert_nothing_lost(repo, before, restored={OKR: ALICE})


# --- A11: environment leaking from hooks ---------------------------------------------------------


def test_a11_leaked_git_variables_do_not_redirect_okr(repo, tmp_path, monkeypatch):
    decoy = init_repo(tmp_path / "decoy", {"decoy.txt": "d\n"})
    decoy_head = git(decoy, "rev-parse", "HEAD")
    decoy_index = (decoy / ".git" / "index").read_bytes()
    monkeypatch.setenv("GIT_DIR", str(decoy / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(decoy))
    monkeypatch.setenv("GIT_INDEX_FILE", str(decoy / ".git" / "index"))
    monkeypatch.setenv("GIT_PREFIX", "sub/")
    monkeypatch.setenv("GIT_OBJECT_DIRECTORY", str(decoy / ".git" / "objects"))
    user_work_before = snapshot(repo)
    commit(repo)
    assert git(decoy, "rev-parse", "HEAD") == decoy_head
    assert (decoy / ".git" / "index").read_bytes() == decoy_index
    assert_nothing_lost(repo, user_work_before, committed={OKR: NEW_ALICE})


# --- other refusals ------------------------------------------------------------------------------


def test_unchanged_content_is_not_committed_unless_asked(repo):
    with pytest.raises(OkrError, match="nothing to commit"):
        commit(repo, ALICE)
    before = snapshot(repo)
    commit(repo, ALICE, allow_empty=True)
    assert git(repo, "rev-list", "--count", "HEAD") == "2\n"
    assert git(repo, "diff-tree", "--no-commit-id", "--name-only", "-r", "HEAD") == ""
    assert lock_files(repo) == [] and snapshot(repo).staged == before.staged


def test_paths_outside_the_work_tree_or_through_symlinks_are_refused(repo, tmp_path):
    outside = tmp_path / "outside.yaml"
    with pytest.raises(OkrError, match="outside"):
        open_repo(repo).commit_files({outside: ALICE}, MESSAGE)
    assert not outside.exists()
    shutil.copy(repo / OKR, tmp_path / "real.yaml")
    (repo / "2026-Q4" / "link.yaml").symlink_to(tmp_path / "real.yaml")
    with pytest.raises(OkrError, match="symbolic link"):
        open_repo(repo).commit_files({repo / "2026-Q4/link.yaml": NEW_ALICE}, MESSAGE)
    assert (tmp_path / "real.yaml").read_bytes() == ALICE
