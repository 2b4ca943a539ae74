"""`okr checkin` through the CLI, in real git repositories.

Every case of RELIABILITY.md section A is driven through the command (gitstore's
own tests cover the mechanics; these prove the command wires them right), each
followed by `assert_nothing_lost`: other paths' staged and unstaged diffs
byte-identical, HEAD unmoved or moved by exactly one commit touching only the
OKR file, no lock left, the new value committed or still in the working tree
with a message saying so. Then byte-exact edits, values and units, several KRs
at once, concurrent processes and the interactive walk.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import yaml
from conftest import BASIC_COMPANY, BASIC_CONFIG, BASIC_ORG, run
from gitrepo import (
    assert_nothing_lost,
    git,
    git_run,
    init_repo,
    isolate_git,
    lock_files,
    snapshot,
    write_files,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okrcli.load.history import trailer_groups

OKR = "2026-Q4/alice.yaml"
ALICE = textwrap.dedent(
    """\
    # Alice's Q4 OKRs: reviewed every Monday
    objectives:
      - id: O1
        title: "Make deploys boring"   # the one that matters
        aligns: [eng/O1]
        key_results:
          - id: KR1
            title: 'p95 deploy time down to 10 minutes'
            start: 40
            target: 10
            current: 25   # minutes, measured on main

            unit: min
            confidence: 0.6
          - {id: KR2, title: "Canary analysis on every service", done: false}
          - id: KR3
            title: "Flaky tests: from 30 to 5"
            start: 30
            target: 5
            unit: "tests"
    """
).encode()
FILES = {
    "okr.yaml": BASIC_CONFIG,
    "org.yaml": BASIC_ORG,
    "2026-Q4/acme.yaml": BASIC_COMPANY,
    OKR: ALICE,
    "notes.txt": "line one\nline two\n",
    "src/app.py": "print('hi')\n",
}


def with_value(data: bytes = ALICE, old: bytes = b"current: 25 ", new: bytes = b"current: 20 ") -> bytes:
    assert data.count(old) == 1
    return data.replace(old, new)


NEW_ALICE = with_value()


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch, tmp_path):
    isolate_git(monkeypatch, tmp_path)


@pytest.fixture
def repo(tmp_path) -> Path:
    return init_repo(tmp_path / "repo", FILES)


def user_work(repo: Path) -> None:
    """Work in progress okr must never touch: staged, staged-then-edited, unstaged, untracked."""
    (repo / "notes.txt").write_text("line one, edited and staged\nline two\n")
    git(repo, "add", "notes.txt")
    (repo / "notes.txt").write_text("line one, edited and staged\nline two, then edited again\n")
    (repo / "src/app.py").write_text("print('work in progress')\n")
    (repo / "scratch.txt").write_text("untracked\n")
    (repo / "staged-new.txt").write_text("new and staged\n")
    git(repo, "add", "staged-new.txt")


def checkin(repo: Path, *args: str, cwd: Path | None = None, **kwargs):
    return run(["checkin", *args], cwd=cwd or repo, **kwargs)


def hook(repo: Path, name: str, body: str) -> None:
    path = repo / ".git" / "hooks" / name
    path.write_text("#!/bin/sh\n" + textwrap.dedent(body))
    path.chmod(0o755)


def head_message(repo: Path) -> str:
    return git(repo, "log", "-1", "--format=%B")


# --- A1: other staged work stays out -------------------------------------------------------------


def test_a1_staged_and_unstaged_work_stays_out_of_the_commit(repo):
    user_work(repo)
    before = snapshot(repo, (OKR,))
    result = checkin(repo, "alice/O1/KR1", "20")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith("] checkin alice/O1/KR1: 25 -> 20 min\n")
    assert_nothing_lost(repo, before, committed={OKR: NEW_ALICE})
    assert "notes.txt" in git(repo, "diff", "--cached", "--name-only")


# --- A2: the OKR file has uncommitted edits ------------------------------------------------------


def _unstaged(repo):
    (repo / OKR).write_bytes(ALICE + b"# my own edit\n")


def _staged(repo):
    _unstaged(repo)
    git(repo, "add", OKR)


def _staged_then_reverted(repo):
    _staged(repo)
    (repo / OKR).write_bytes(ALICE)


def _untracked(repo):  # A5 too: a check-in never creates a file, and an untracked one is the user's
    git(repo, "rm", "-q", "--cached", OKR)


@pytest.mark.parametrize("make_dirty", [_unstaged, _staged, _staged_then_reverted, _untracked])
def test_a2_a5_refuses_when_the_okr_file_has_uncommitted_edits(repo, make_dirty):
    user_work(repo)
    make_dirty(repo)
    mine = (repo / OKR).read_bytes()
    index_entry = git(repo, "ls-files", "-s", "--", OKR)
    before = snapshot(repo, (OKR,))
    result = checkin(repo, "alice/O1/KR1", "20")
    assert result.exit_code == 2
    assert OKR in result.stderr and "--no-commit" in result.stderr
    assert result.stdout == ""
    assert (repo / OKR).read_bytes() == mine
    assert git(repo, "ls-files", "-s", "--", OKR) == index_entry
    assert_nothing_lost(repo, before)


def test_a2_no_commit_edits_a_dirty_file_in_place(repo):
    _unstaged(repo)
    result = checkin(repo, "alice/O1/KR1", "20", "--no-commit")
    assert result.exit_code == 0, result.stderr
    assert "not committed" in result.stdout
    assert (repo / OKR).read_bytes() == NEW_ALICE + b"# my own edit\n"


# --- A3: check-ins at once -----------------------------------------------------------------------

OKR_BIN = Path(sys.executable).parent / "okr"


def _people_repo(tmp_path: Path, people: list[str]) -> Path:
    org = BASIC_ORG + "".join(f"  {p}: {{name: P {p}, team: eng, email: {p}@acme.test}}\n" for p in people)
    files = {**FILES, "org.yaml": org} | {f"2026-Q4/{p}.yaml": ALICE for p in people}
    return init_repo(tmp_path / "repo", files)


@pytest.mark.parametrize("hook_seconds", [0, 0.6], ids=["fast", "slow-hook"])
def test_a3_concurrent_checkin_processes_all_land_or_fail_cleanly(tmp_path, hook_seconds):
    people = [f"p{i}" for i in range(6)]
    repo = _people_repo(tmp_path, people)
    if hook_seconds:  # git holds index.lock while the hook runs: 6 x 0.6 s > the 2 s retry
        hook(repo, "pre-commit", f"sleep {hook_seconds}\n")
    user_work(repo)
    okr_files = tuple(f"2026-Q4/{p}.yaml" for p in people)
    before = snapshot(repo, okr_files)
    env = {k: v for k, v in os.environ.items() if k != "OKR_REPO"}
    procs = [
        subprocess.Popen([str(OKR_BIN), "checkin", f"{p}/O1/KR1", str(100 + n)], cwd=repo, env=env,
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for n, p in enumerate(people)
    ]
    results = [(p.wait(timeout=120), p.stdout.read().decode(), p.stderr.read().decode()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    landed = []
    for n, (rel, (code, out, err)) in enumerate(zip(okr_files, results)):
        value = with_value(new=f"current: {100 + n} ".encode())
        if code == 0:
            sha = git(repo, "rev-parse", out.split("]")[0].lstrip("[")).strip()
            assert git(repo, "diff-tree", "--no-commit-id", "--name-only", "-r", sha).split() == [rel]
            assert git_run(repo, "show", f"HEAD:{rel}").stdout == value
            assert (repo / rel).read_bytes() == value
            landed.append(rel)
        else:
            assert code == 2 and "index.lock" in err, err
            assert "restored" in err
            assert (repo / rel).read_bytes() == ALICE
    assert landed
    if hook_seconds:  # okr's own lock queues check-ins (RELIABILITY 27): all land, none times out
        assert len(landed) == len(people)
    assert int(git(repo, "rev-list", "--count", "HEAD")) == 1 + len(landed)
    after = snapshot(repo, okr_files)
    assert (after.staged, after.unstaged, after.status, after.index, after.others) == (
        before.staged, before.unstaged, before.status, before.index, before.others)
    assert lock_files(repo) == []
    assert git(repo, "status", "--porcelain", "--", "2026-Q4") == ""


def test_a3_a_held_index_lock_fails_after_a_short_retry_and_is_kept(repo):
    user_work(repo)
    before = snapshot(repo, (OKR,))
    lock = repo / ".git" / "index.lock"
    lock.write_bytes(b"")
    started = time.monotonic()
    result = checkin(repo, "alice/O1/KR1", "20")
    assert 1.5 <= time.monotonic() - started < 10
    assert result.exit_code == 2
    assert "index.lock" in result.stderr and "restored" in result.stderr
    assert lock.exists()  # never delete a lock
    lock.unlink()
    assert_nothing_lost(repo, before, restored={OKR: ALICE})


# --- A4: states a commit must not land in --------------------------------------------------------


def _diverge(repo: Path) -> None:
    git(repo, "switch", "-q", "-c", "other")
    (repo / "notes.txt").write_text("line one, other\nline two\n")
    git(repo, "commit", "-q", "-am", "other")
    git(repo, "switch", "-q", "main")
    (repo / "notes.txt").write_text("line one, main\nline two\n")
    git(repo, "commit", "-q", "-am", "main")


def _merge(repo):
    _diverge(repo)
    assert git_run(repo, "merge", "other").returncode != 0


def _rebase(repo):
    _diverge(repo)
    assert git_run(repo, "rebase", "other").returncode != 0


def _cherry_pick(repo):
    _diverge(repo)
    assert git_run(repo, "cherry-pick", "other").returncode != 0


def _revert(repo):
    for word in ("first", "second"):
        (repo / "notes.txt").write_text(f"line one, {word}\nline two\n")
        git(repo, "commit", "-q", "-am", word)
    assert git_run(repo, "revert", "--no-edit", "HEAD~1").returncode != 0


def _bisect(repo):
    git(repo, "bisect", "start")


def _detached(repo):
    git(repo, "switch", "-q", "--detach")


@pytest.mark.parametrize(
    "make_state, words",
    [(_merge, "merge"), (_rebase, "rebase"), (_cherry_pick, "cherry-pick"), (_revert, "revert"),
     (_bisect, "bisect"), (_detached, "detached")],
)
def test_a4_refuses_in_the_middle_of_another_operation(repo, make_state, words):
    make_state(repo)
    before = snapshot(repo, (OKR,))
    result = checkin(repo, "alice/O1/KR1", "20")
    assert result.exit_code == 2
    assert words in result.stderr and "--no-commit" in result.stderr
    assert_nothing_lost(repo, before, restored={OKR: ALICE})


def test_a4_bare_repository_is_refused(tmp_path):
    bare = tmp_path / "bare.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    write_files(bare, {k: v for k, v in FILES.items() if k.endswith(".yaml")})
    result = checkin(bare, "alice/O1/KR1", "20")
    assert result.exit_code == 2 and "bare" in result.stderr
    assert (bare / OKR).read_bytes() == ALICE


def test_outside_a_git_work_tree_refuses_and_suggests_no_commit(tmp_path):
    plain = tmp_path / "plain"
    write_files(plain, {k: v for k, v in FILES.items() if k.endswith(".yaml")})
    result = checkin(plain, "alice/O1/KR1", "20")
    assert result.exit_code == 2
    assert "not inside a git work tree" in result.stderr and "--no-commit" in result.stderr
    assert (plain / OKR).read_bytes() == ALICE
    result = checkin(plain, "alice/O1/KR1", "20", "--no-commit")
    assert result.exit_code == 0, result.stderr
    assert (plain / OKR).read_bytes() == NEW_ALICE


# --- A6: hooks -----------------------------------------------------------------------------------


def test_a6_rejecting_hook_restores_the_file_and_shows_the_end_of_its_output(repo):
    user_work(repo)
    lines = "".join(f"echo 'lint line {n}'\n" for n in range(40))
    hook(repo, "pre-commit", lines + "echo 'trailing whitespace in 2026-Q4/alice.yaml' >&2\nexit 1\n")
    before = snapshot(repo, (OKR,))
    result = checkin(repo, "alice/O1/KR1", "20")
    assert result.exit_code == 2
    assert "hook rejected" in result.stderr and "trailing whitespace" in result.stderr
    assert "lint line 39" in result.stderr and "lint line 0\\n" not in result.stderr
    assert "restored" in result.stderr and "--no-verify" in result.stderr
    assert_nothing_lost(repo, before, restored={OKR: ALICE})


def test_a6_no_verify_skips_the_hooks(repo):
    hook(repo, "pre-commit", "exit 1\n")
    before = snapshot(repo, (OKR,))
    result = checkin(repo, "alice/O1/KR1", "20", "--no-verify")
    assert result.exit_code == 0, result.stderr
    assert_nothing_lost(repo, before, committed={OKR: NEW_ALICE})


def test_a6_hook_that_rewrites_the_value_is_caught_and_the_value_kept_in_the_work_tree(repo):
    user_work(repo)
    hook(repo, "pre-commit", f"sed -i 's/current: 20/current: 99/' {OKR}\ngit add {OKR}\n")
    before = snapshot(repo, (OKR,))
    result = checkin(repo, "alice/O1/KR1", "20")
    assert result.exit_code == 2
    assert "does not hold the new value" in result.stderr and "working tree" in result.stderr
    assert git(repo, "rev-list", "--count", f"{before.head}..HEAD") == "1\n"
    assert git(repo, "diff-tree", "--no-commit-id", "--name-only", "-r", "HEAD") == OKR + "\n"
    assert (repo / OKR).read_bytes() == NEW_ALICE
    after = snapshot(repo, (OKR,))
    assert (after.staged, after.unstaged, after.status, after.index, after.others) == (
        before.staged, before.unstaged, before.status, before.index, before.others)
    assert lock_files(repo) == []


def test_a6_hook_that_only_reformats_passes_because_the_values_are_verified(repo):
    hook(repo, "pre-commit", f"printf '# reviewed\\n' >> {OKR}\ngit add {OKR}\n")
    before = snapshot(repo, (OKR,))
    result = checkin(repo, "alice/O1/KR1", "20")
    assert result.exit_code == 0, result.stderr
    assert_nothing_lost(repo, before, committed={OKR: NEW_ALICE + b"# reviewed\n"})


# --- A7: signing, identity, stdin ----------------------------------------------------------------


def _gpg(repo: Path, tmp_path: Path, body: str) -> None:
    script = tmp_path / "fake-gpg"
    script.write_text("#!/bin/sh\n" + textwrap.dedent(body))
    script.chmod(0o755)
    git(repo, "config", "commit.gpgsign", "true")
    git(repo, "config", "gpg.program", str(script))


def test_a7_signing_is_left_to_git(repo, tmp_path):
    _gpg(repo, tmp_path, """\
        cat >/dev/null
        echo '[GNUPG:] SIG_CREATED D 1 8 00 1700000000 ABCDEF' >&2
        printf -- '-----BEGIN PGP SIGNATURE-----\\n\\nfake\\n-----END PGP SIGNATURE-----\\n'
        """)
    before = snapshot(repo, (OKR,))
    assert checkin(repo, "alice/O1/KR1", "20").exit_code == 0
    assert "gpgsig -----BEGIN PGP SIGNATURE-----" in git(repo, "cat-file", "commit", "HEAD")
    assert_nothing_lost(repo, before, committed={OKR: NEW_ALICE})


def test_a7_failing_gpg_fails_clearly(repo, tmp_path):
    _gpg(repo, tmp_path, "echo 'gpg: no secret key' >&2\nexit 2\n")
    user_work(repo)
    before = snapshot(repo, (OKR,))
    result = checkin(repo, "alice/O1/KR1", "20")
    assert result.exit_code == 2
    assert "could not sign" in result.stderr and "restored" in result.stderr
    assert_nothing_lost(repo, before, restored={OKR: ALICE})


def test_a7_no_identity_names_user_name_and_user_email(monkeypatch, tmp_path):
    repo = init_repo(tmp_path / "repo", FILES)
    git(repo, "config", "--unset", "user.name")
    git(repo, "config", "--unset", "user.email")
    isolate_git(monkeypatch, tmp_path, identity=False)
    before = snapshot(repo, (OKR,))
    result = checkin(repo, "alice/O1/KR1", "20")
    assert result.exit_code == 2
    assert "user.name" in result.stderr and "user.email" in result.stderr
    assert_nothing_lost(repo, before, restored={OKR: ALICE})


def test_a7_git_runs_with_stdin_closed(repo, tmp_path):
    seen = tmp_path / "stdin-of-hook"
    hook(repo, "pre-commit", f"readlink /proc/self/fd/0 > '{seen}'\ncat > /dev/null\n")
    assert checkin(repo, "alice/O1/KR1", "20").exit_code == 0
    assert seen.read_text().strip() == "/dev/null"


# --- A8: CRLF, BOM, core.autocrlf ----------------------------------------------------------------


def test_a8_autocrlf_crlf_and_bom_keep_every_other_byte(tmp_path):
    crlf = b"\xef\xbb\xbf" + ALICE.replace(b"\n", b"\r\n")
    repo = init_repo(tmp_path / "repo", {**FILES, OKR: crlf}, config={"core.autocrlf": "true"})
    (repo / OKR).write_bytes(crlf)  # what a Windows checkout holds
    assert git(repo, "status", "--porcelain") == ""
    before = snapshot(repo, (OKR,))
    result = checkin(repo, "alice/O1/KR1", "20", "alice/O1/KR3", "12", "--confidence", "0.5")
    assert result.exit_code == 0, result.stderr
    expected = with_value(crlf).replace(b"confidence: 0.6", b"confidence: 0.5").replace(
        b'unit: "tests"\r\n', b'unit: "tests"\r\n        current: 12\r\n        confidence: 0.5\r\n')
    assert (repo / OKR).read_bytes() == expected
    assert git_run(repo, "show", f"HEAD:{OKR}").stdout == expected.replace(b"\r\n", b"\n")
    assert git(repo, "status", "--porcelain") == ""
    after = snapshot(repo, (OKR,))
    assert (after.staged, after.unstaged, after.others) == (before.staged, before.unstaged, before.others)
    assert lock_files(repo) == []


# --- A9: a crash mid-write -----------------------------------------------------------------------


@pytest.mark.parametrize("crash, code", [(OSError(28, "No space left on device"), 2), (KeyboardInterrupt(), 130)])
def test_a9_crash_while_writing_leaves_the_old_file(repo, monkeypatch, crash, code):
    user_work(repo)
    (repo / OKR).chmod(0o640)
    before = snapshot(repo, (OKR,))

    def replace(src, dst):
        raise crash

    monkeypatch.setattr(os, "replace", replace)
    result = checkin(repo, "alice/O1/KR1", "20")
    monkeypatch.undo()
    isolate_git(monkeypatch, repo.parent)
    assert result.exit_code == code
    if code == 2:
        assert "No space left" in result.stderr and "nothing was changed" in result.stderr
    assert sorted(p.name for p in (repo / "2026-Q4").iterdir()) == ["acme.yaml", "alice.yaml"]
    assert stat.S_IMODE((repo / OKR).stat().st_mode) == 0o640
    assert_nothing_lost(repo, before, restored={OKR: ALICE})


def test_a9_the_file_mode_is_kept(repo):
    (repo / OKR).chmod(0o640)
    git(repo, "update-index", "--refresh")
    assert checkin(repo, "alice/O1/KR1", "20").exit_code == 0
    assert stat.S_IMODE((repo / OKR).stat().st_mode) == 0o640


# --- A10: dubious ownership ----------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown")
def test_a10_dubious_ownership_gives_the_safe_directory_hint(repo):
    before = snapshot(repo, (OKR,))
    for path in [repo, *repo.rglob("*")]:
        os.lchown(path, 12345, 12345)
    try:
        result = checkin(repo, "alice/O1/KR1", "20")
        assert result.exit_code == 2
        assert "another user" in result.stderr and "safe.directory" in result.stderr
        assert (repo / OKR).read_bytes() == ALICE
    finally:
        for path in [repo, *repo.rglob("*")]:
            os.lchown(path, 0, 0)
    assert_nothing_lost(repo, before, restored={OKR: ALICE})


# --- A11: environment leaking from hooks ---------------------------------------------------------


def test_a11_leaked_git_variables_do_not_redirect_the_checkin(repo, tmp_path):
    decoy = init_repo(tmp_path / "decoy", {"decoy.txt": "d\n"})
    decoy_head = git(decoy, "rev-parse", "HEAD")
    decoy_index = (decoy / ".git" / "index").read_bytes()
    leaked = {"GIT_DIR": str(decoy / ".git"), "GIT_WORK_TREE": str(decoy),
              "GIT_INDEX_FILE": str(decoy / ".git" / "index"), "GIT_PREFIX": "sub/",
              "GIT_OBJECT_DIRECTORY": str(decoy / ".git" / "objects")}
    before = snapshot(repo, (OKR,))
    result = checkin(repo, "alice/O1/KR1", "20", env=leaked)
    assert result.exit_code == 0, result.stderr
    assert git(decoy, "rev-parse", "HEAD") == decoy_head
    assert (decoy / ".git" / "index").read_bytes() == decoy_index
    assert_nothing_lost(repo, before, committed={OKR: NEW_ALICE})


# --- byte-exact edits ----------------------------------------------------------------------------


def test_golden_diff_comments_quotes_flow_style_and_added_keys(repo):
    result = checkin(repo, "alice/O1/KR1", "20min", "alice/O1/KR2", "done", "alice/O1/KR3", "12 tests",
                     "--confidence", "0.7")
    assert result.exit_code == 0, result.stderr
    expected = textwrap.dedent(
        """\
        # Alice's Q4 OKRs: reviewed every Monday
        objectives:
          - id: O1
            title: "Make deploys boring"   # the one that matters
            aligns: [eng/O1]
            key_results:
              - id: KR1
                title: 'p95 deploy time down to 10 minutes'
                start: 40
                target: 10
                current: 20   # minutes, measured on main

                unit: min
                confidence: 0.7
              - {id: KR2, title: "Canary analysis on every service", done: true, confidence: 0.7}
              - id: KR3
                title: "Flaky tests: from 30 to 5"
                start: 30
                target: 5
                unit: "tests"
                current: 12
                confidence: 0.7
        """
    ).encode()
    assert (repo / OKR).read_bytes() == expected
    assert git_run(repo, "show", f"HEAD:{OKR}").stdout == expected
    diff = git(repo, "diff", "-U0", "HEAD~1", "HEAD", "--", OKR)
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    # KR1's current and confidence lines (- and +), KR2's one line (- and +), KR3's two new lines
    assert len(changed) == 2 + 2 + 2 + 2
    assert "-        current: 25   # minutes, measured on main" in changed


def test_golden_bom_crlf_file_without_trailing_newline(repo):
    data = b"\xef\xbb\xbf" + ALICE.replace(b"\n", b"\r\n").rstrip(b"\r\n")
    (repo / OKR).write_bytes(data)
    git(repo, "commit", "-qam", "Windows editor")
    assert checkin(repo, "alice/O1/KR3", "12").exit_code == 0
    assert (repo / OKR).read_bytes() == data + b"\r\n        current: 12"


def test_same_value_is_recorded_as_an_empty_commit_with_trailers(repo):
    before = snapshot(repo, (OKR,))
    result = checkin(repo, "alice/O1/KR1", "25", "--note", "still 25: waiting on the runner fleet")
    assert result.exit_code == 0, result.stderr
    assert_nothing_lost(repo, before, committed={OKR: ALICE}, empty_commit=True)
    assert "Okr-Value: 25\nOkr-Previous: 25\n" in head_message(repo)


def test_no_commit_with_the_same_value_writes_nothing(repo):
    result = checkin(repo, "alice/O1/KR1", "25", "--no-commit")
    assert result.exit_code == 0 and "nothing to write" in result.stdout
    assert (repo / OKR).read_bytes() == ALICE


# --- the commit message --------------------------------------------------------------------------


def test_message_subject_note_and_trailers_parse_with_git_interpret_trailers(repo):
    result = checkin(repo, "alice/O1/KR1", "20", "alice/O1/KR2", "done", "--confidence", "0.8",
                     "--note", "Cache warmed.\n\nRunners moved to the new pool.",
                     "--link", "https://github.com/acme/app/pull/1", "--link", "https://dash/x")
    assert result.exit_code == 0, result.stderr
    message = head_message(repo)
    assert message == textwrap.dedent(
        """\
        checkin alice/O1/KR1: 25 -> 20 min, alice/O1/KR2: not done -> done

        Cache warmed.

        Runners moved to the new pool.

        Okr-Cycle: 2026-Q4
        Okr-KR: alice/O1/KR1
        Okr-Value: 20
        Okr-Previous: 25
        Okr-Confidence: 0.8
        Okr-Unit: min
        Okr-Link: https://github.com/acme/app/pull/1
        Okr-Link: https://dash/x
        Okr-Cycle: 2026-Q4
        Okr-KR: alice/O1/KR2
        Okr-Value: done
        Okr-Previous: not-done
        Okr-Confidence: 0.8
        Okr-Link: https://github.com/acme/app/pull/1
        Okr-Link: https://dash/x

        """
    )
    parsed = git(repo, "interpret-trailers", "--parse", input=message.encode())
    assert parsed.splitlines()[:3] == ["Okr-Cycle: 2026-Q4", "Okr-KR: alice/O1/KR1", "Okr-Value: 20"]
    assert len(parsed.splitlines()) == 15
    groups = trailer_groups(message)
    assert [g["okr-kr"] for g in groups] == [["alice/O1/KR1"], ["alice/O1/KR2"]]


def test_a_long_subject_lists_the_key_results_only(repo):
    result = checkin(repo, "alice/O1/KR1", "20", "alice/O1/KR2", "done", "alice/O1/KR3", "12")
    assert result.exit_code == 0, result.stderr
    assert head_message(repo).splitlines()[0] == "checkin 3 KRs: alice/O1/KR1, alice/O1/KR2, alice/O1/KR3"


def test_a_very_long_subject_counts_what_it_leaves_out():
    from okrcli.plans.checkin import Plan, Update

    updates = tuple(Update(Path("f"), "2026-Q4", f"someone-with-a-long-id/O{n}/KR1", 1, 2)
                    for n in range(1, 6))
    subject = Plan("checkin", Path("."), updates, {}, "2026-Q4").subject()
    assert subject == ("checkin 5 KRs: someone-with-a-long-id/O1/KR1, ... (4 more)")
    assert len(subject) <= 72


def test_another_cycle_is_named_in_the_subject(repo):
    write_files(repo, {"2026/alice.yaml": ALICE})
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "annual")
    assert checkin(repo, "2026:alice/O1/KR1", "20").exit_code == 0
    message = head_message(repo)
    assert message.startswith("checkin 2026:alice/O1/KR1: 25 -> 20 min\n")
    assert "Okr-Cycle: 2026\nOkr-KR: alice/O1/KR1\n" in message


# --- values, units, refs -------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["20", "20min", "20 min", "20MIN", "20.0"])
def test_a_number_with_or_without_the_unit(repo, typed):
    result = checkin(repo, "alice/O1/KR1", typed, "--no-commit")
    assert result.exit_code == 0, result.stderr
    assert yaml.safe_load((repo / OKR).read_bytes())["objectives"][0]["key_results"][0]["current"] == 20


@pytest.mark.parametrize(
    "args, words",
    [
        (["alice/O1/KR1", "20s"], "its unit is min"),
        (["alice/O1/KR1", "done"], "its value is a number"),
        (["alice/O1/KR1", "twenty"], "not a number"),
        (["alice/O1/KR1", "1e20"], "out of range"),
        (["alice/O1/KR1", "nan"], "not a number"),
        (["alice/O1/KR2", "3"], "milestone"),
        (["alice/O1/KR1"], "has no value"),
        (["alice/O1", "3"], "is an objective"),
        (["alice/O1/KR9", "3"], "KR9"),
        (["alcie/O1/KR1", "3"], "alice"),
        (["../etc/O1/KR1", "3"], "not a reference"),
        (["alice/O1/KR1", "20", "alice/O1/KR1", "21"], "named twice"),
        (["alice/O1/KR1", "20", "--confidence", "1.5"], "from 0 to 1"),
        (["alice/O1/KR1", "20", "--note", "bell\x07"], "control character"),
        (["alice/O1/KR1", "20", "--link", "a\nb"], "control character"),
        (["alice/O1/KR1", "--done"], "its value is a number"),
    ],
)
def test_bad_input_is_refused_with_exit_2_and_nothing_written(repo, args, words):
    before = snapshot(repo, (OKR,))
    result = checkin(repo, *args)
    assert result.exit_code == 2, result.stdout
    assert words in result.stderr
    assert "Traceback" not in result.stderr
    assert_nothing_lost(repo, before, restored={OKR: ALICE})


@pytest.mark.parametrize("args, done", [(["--done", "alice/O1/KR2"], True), (["alice/O1/KR2", "true"], True),
                                        (["alice/O1/KR2", "not-done"], False), (["alice/O1/KR2", "FALSE"], False)])
def test_milestone_values(repo, args, done):
    if not done:
        (repo / OKR).write_bytes(ALICE.replace(b"done: false", b"done: true"))
        git(repo, "commit", "-qam", "done already")
    result = checkin(repo, *args)
    assert result.exit_code == 0, result.stderr
    assert yaml.safe_load((repo / OKR).read_bytes())["objectives"][0]["key_results"][1]["done"] is done
    assert f"Okr-Value: {'done' if done else 'not-done'}\n" in head_message(repo)


def test_negative_value_after_double_dash(repo):
    result = checkin(repo, "--no-commit", "alice/O1/KR1", "--", "-3")
    assert result.exit_code == 0, result.stderr
    assert b"current: -3 " in (repo / OKR).read_bytes()


def test_from_a_folder_below_the_top_level(tmp_path):
    repo = init_repo(tmp_path / "mono", {f"okrs/{k}": v for k, v in FILES.items()} | {"src/x.py": "x\n"})
    result = checkin(repo / "okrs" / "2026-Q4", "alice/O1/KR1", "20")
    assert result.exit_code == 0, result.stderr
    assert git(repo, "diff-tree", "--no-commit-id", "--name-only", "-r", "HEAD") == f"okrs/{OKR}\n"


# --- interactive ---------------------------------------------------------------------------------


def test_interactive_walks_the_users_key_results_and_makes_one_commit(repo):
    assert checkin(repo, "alice/O1/KR1", "22", "--note", "first").exit_code == 0
    before = snapshot(repo, (OKR,))
    # KR1: a bad unit, then 20 and Enter for the confidence; KR2: Enter keeps its value and
    # Enter its confidence (nothing to record); KR3: 12 at 0.4.
    answers = "20s\n20\n\n\n\n12\n0.4\nMoved the runners\n"
    result = checkin(repo, env={"OKR_USER": "alice"}, input=answers)
    assert result.exit_code == 0, result.stderr
    assert "alice/O1/KR1  p95 deploy time down to 10 minutes" in result.stdout
    assert "now 22 min, start 40, target 10 min, confidence 0.6" in result.stdout
    assert "last check-in 2026-01-05 by Okr Tester: 25 -> 22 min" in result.stdout
    assert "New value [22 min]" in result.stdout and "Done or not-done [not-done]" in result.stdout
    assert "its unit is min" in result.stderr
    expected = with_value(new=b"current: 20 ").replace(
        b'unit: "tests"\n', b'unit: "tests"\n        current: 12\n        confidence: 0.4\n')
    assert_nothing_lost(repo, before, committed={OKR: expected})
    message = head_message(repo)
    assert message.startswith("checkin alice/O1/KR1: 22 -> 20 min, alice/O1/KR3: 30 -> 12 tests\n\n"
                              "Moved the runners\n\nOkr-Cycle: 2026-Q4\n")
    assert "Okr-KR: alice/O1/KR2" not in message


@pytest.mark.parametrize("how", ["as", "okr_user", "git_email"])
def test_interactive_finds_the_user(repo, how):
    env = {"OKR_USER": "bob"} if how == "as" else {"OKR_USER": "alice"} if how == "okr_user" else {"OKR_USER": ""}
    if how == "git_email":
        git(repo, "config", "user.email", "ALICE@acme.test")
    args = ["--as", "alice"] if how == "as" else []
    result = checkin(repo, *args, "--no-commit", env=env, input="21\n\n\n\n\n\n\n")
    assert result.exit_code == 0, result.stderr
    assert b"current: 21 " in (repo / OKR).read_bytes()


def test_interactive_with_nothing_entered_changes_nothing(repo):
    before = snapshot(repo, (OKR,))
    result = checkin(repo, env={"OKR_USER": "alice"}, input="\n\n\n\n\n\n")  # value, confidence
    assert result.exit_code == 0 and "nothing to check in" in result.stdout
    assert_nothing_lost(repo, before, restored={OKR: ALICE})


def test_interactive_unknown_user_is_refused(repo):
    git(repo, "config", "user.email", "nobody@elsewhere.test")
    result = checkin(repo, env={"OKR_USER": ""})
    assert result.exit_code == 2 and "nobody@elsewhere.test" in result.stderr and "--as" in result.stderr
    result = checkin(repo, "--as", "alcie")
    assert result.exit_code == 2 and "did you mean alice" in result.stderr
    result = checkin(repo, "--as", "carol")
    assert result.exit_code == 2 and "no key results" in result.stderr


# --- property: a check-in changes exactly its value ----------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.one_of(st.integers(-10**9, 10**9),
                       st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False)),
       confidence=st.one_of(st.none(), st.floats(0, 1)))
def test_a_checkin_changes_exactly_the_value_and_confidence(tmp_path_factory, value, confidence):
    root = tmp_path_factory.mktemp("plain")
    write_files(root, {k: v for k, v in FILES.items() if k.endswith(".yaml")})
    typed = repr(value)
    args = ["alice/O1/KR3", "--", typed] if typed.startswith("-") else ["alice/O1/KR3", typed]
    extra = ["--confidence", repr(confidence)] if confidence is not None else []
    result = checkin(root, "--no-commit", *extra, *args)
    assert result.exit_code == 0, result.stderr
    old = yaml.safe_load(ALICE)
    new = yaml.safe_load((root / OKR).read_bytes())
    kr = old["objectives"][0]["key_results"][2]
    if value != kr["start"]:  # `current` defaults to `start`: the same value adds nothing
        kr["current"] = value
    if confidence is not None:
        kr["confidence"] = confidence
    assert new == old
