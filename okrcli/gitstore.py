"""Every git call okr makes: finding the work tree, refusing unsafe states, committing.

Git runs through `subprocess`, not GitPython: GitPython's `env=` can only add
variables (a GIT_DIR or GIT_INDEX_FILE leaking from a hook would still redirect
the call), its timeout sends SIGKILL (git then cannot remove its index.lock),
and importing it costs ~110 ms. Every git process here gets stdin from
/dev/null (or a pipe okr fills), a timeout (SIGTERM first, so git removes its
lock files), `--` and `:(literal)` before paths, and an environment without the
repository-local GIT_* variables (`git rev-parse --local-env-vars`).

A commit (`GitRepo.commit_files`) takes only the given paths (`git commit
--only`), so the user's other staged and unstaged work stays exactly as it was;
on any failure each file gets its original bytes back and the index is as
before. See RELIABILITY.md, section A.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import selectors
import stat
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from .edit import read_or_none
from .errors import OkrError
from .files import lock_file, make_folder, scratch_file, write_atomic

# --- running git --------------------------------------------------------------------------

READ_TIMEOUT = 30.0
COMMIT_TIMEOUT = 120.0  # hooks and gpg (a pinentry prompt) may legitimately take a while
LOCK_WAIT = 2.0  # seconds spent retrying while another git process holds a lock
CHECKIN_LOCK = "okr-checkin.lock"  # okr's own lock, in the git directory (next to index.lock)
CHECKIN_LOCK_WAIT = 60.0  # check-ins queue behind each other; each holds the lock for a commit
NO_COMMIT_HINT = "use --no-commit to only edit the file"

# Variables that point git at another repository or index (git rev-parse
# --local-env-vars, plus two set inside hooks); hooks export some of them.
_LOCAL_ENV_VARS = frozenset(
    {
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_CONFIG",
        "GIT_CONFIG_PARAMETERS",
        "GIT_CONFIG_COUNT",
        "GIT_OBJECT_DIRECTORY",
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_IMPLICIT_WORK_TREE",
        "GIT_GRAFT_FILE",
        "GIT_INDEX_FILE",
        "GIT_NO_REPLACE_OBJECTS",
        "GIT_REPLACE_REF_BASE",
        "GIT_PREFIX",
        "GIT_INTERNAL_SUPER_PREFIX",
        "GIT_SHALLOW_FILE",
        "GIT_COMMON_DIR",
        "GIT_NAMESPACE",
        "GIT_QUARANTINE_PATH",
    }
)


@dataclass(frozen=True)
class GitResult:
    """The outcome of one git process."""

    args: tuple[str, ...]
    returncode: int
    stdout: bytes
    stderr: bytes

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def out(self) -> str:
        return os.fsdecode(self.stdout)

    @property
    def err(self) -> str:
        return self.stderr.decode("utf-8", "replace")


class GitTimeout(OkrError):
    """A git process did not finish in time and was stopped."""


class FileChanged(OkrError):
    """A file no longer holds the bytes a check-in was planned from (compare-and-swap failed)."""


def git_environment() -> dict[str, str]:
    """os.environ without repository-local GIT_* variables, with git messages in English."""
    env = {k: v for k, v in os.environ.items() if k not in _LOCAL_ENV_VARS}
    env["LANGUAGE"] = "C"  # okr reads a few of git's messages (locks, ownership, gpg)
    return env


def run_git(
    args: Iterable[str], cwd: Path, *, input: bytes | None = None, timeout: float = READ_TIMEOUT
) -> GitResult:
    """Run `git ARGS` in `cwd`; never raises for a non-zero exit, except for ownership.

    Output goes to temporary files rather than pipes, so a grandchild that
    outlives a stopped git (a stuck gpg.program) cannot block okr.
    """
    argv = ("git", *args)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        try:
            proc = subprocess.Popen(
                argv,
                cwd=cwd,
                env=git_environment(),
                stdin=subprocess.DEVNULL if input is None else subprocess.PIPE,
                stdout=out,
                stderr=err,
            )
        except FileNotFoundError:
            raise OkrError("git is not installed (or not on PATH)") from None
        try:
            proc.communicate(input, timeout=timeout)
        except subprocess.TimeoutExpired:
            _stop(proc)
            raise GitTimeout(
                f"`git {argv[1]}` did not finish within {timeout:g} s and was stopped",
                hint="a git hook or gpg.program may be waiting for input",
            ) from None
        except BaseException:
            _stop(proc)
            raise
        out.seek(0)
        err.seek(0)
        result = GitResult(argv[1:], proc.returncode, out.read(), err.read())
    if not result.ok and _DUBIOUS_RE.search(result.err):
        raise _dubious_ownership(result.err, cwd)
    return result


def stream_git(
    args: Iterable[str], cwd: Path, *, input: bytes | None = None, timeout: float = READ_TIMEOUT
) -> Iterator[bytes]:
    """Run `git ARGS` in `cwd` and yield its standard output as it comes.

    For long outputs (a whole history): okr parses one part while git writes the
    next. The same safety as `run_git` (clean environment, stdin closed or filled
    first, `timeout` for the whole run, SIGTERM first); a failing git raises
    OkrError after its output has been read, as does dubious ownership.
    """
    argv = ("git", *args)
    with tempfile.TemporaryFile() as err:
        try:
            proc = subprocess.Popen(
                argv, cwd=cwd, env=git_environment(), stderr=err, stdout=subprocess.PIPE,
                stdin=subprocess.DEVNULL if input is None else subprocess.PIPE,
            )
        except FileNotFoundError:
            raise OkrError("git is not installed (or not on PATH)") from None
        deadline = time.monotonic() + timeout
        try:
            _widen_pipe(proc.stdout.fileno())
            if input is not None:  # git log --stdin reads every revision before it writes
                proc.stdin.write(input)
                proc.stdin.close()
            with selectors.DefaultSelector() as waiting:
                waiting.register(proc.stdout, selectors.EVENT_READ)
                while True:
                    left = deadline - time.monotonic()
                    if left <= 0 or not waiting.select(left):
                        raise GitTimeout(f"`git {argv[1]}` did not finish within {timeout:g} s "
                                         "and was stopped")
                    data = os.read(proc.stdout.fileno(), _CHUNK)
                    if not data:
                        break
                    yield data
            proc.wait(timeout=max(deadline - time.monotonic(), 1.0))
        except BaseException:  # also GeneratorExit: the reader stopped early
            _stop(proc)
            raise
        finally:
            proc.stdout.close()
        if proc.returncode != 0:
            err.seek(0)
            message = err.read().decode("utf-8", "replace")
            if _DUBIOUS_RE.search(message):
                raise _dubious_ownership(message, cwd)
            raise OkrError(f"git {argv[1]} failed:\n{_tail(message)}")


_CHUNK = 1 << 20


def _widen_pipe(fd: int) -> None:
    """Ask Linux for a 1 MiB pipe (fewer switches between git and okr); harmless elsewhere."""
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), _CHUNK)
    except (ImportError, OSError):
        pass


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM first: git's handler removes its lock files; SIGKILL would leave them."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


_DUBIOUS_RE = re.compile(r"dubious ownership|--add safe\.directory")


def _dubious_ownership(message: str, cwd: Path) -> OkrError:
    found = re.search(r"--add safe\.directory (.+)", message)
    where = found.group(1).strip() if found else str(cwd)
    return OkrError(
        f"git refuses to work in {where}: the repository belongs to another user "
        "(dubious ownership)",
        hint=f"if you trust it: git config --global --add safe.directory {where}",
    )


def _tail(text: str, lines: int = 20) -> str:
    """The end of some git or hook output, control characters made visible."""
    kept = "\n".join(text.strip().splitlines()[-lines:])
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", lambda m: f"\\x{ord(m.group()):02x}", kept)


def _literal(rel: str) -> str:
    """A pathspec that matches exactly this path (no globs, no magic)."""
    return f":(literal){rel}"


# --- discovery ---------------------------------------------------------------------------------


def open_repo(
    path: Path, *, timeout: float = READ_TIMEOUT, commit_timeout: float = COMMIT_TIMEOUT
) -> GitRepo:
    """The git work tree that contains `path` (a file or folder, existing or not)."""
    start = Path(path).absolute()
    while not start.is_dir():
        if start.parent == start:
            break
        start = start.parent
    result = run_git(
        ["rev-parse", "--is-bare-repository", "--is-inside-work-tree", "--show-toplevel"],
        start,
        timeout=timeout,
    )
    lines = result.out.splitlines()
    if lines[:1] == ["true"]:
        raise OkrError(
            f"{start} is in a bare git repository; there is no work tree to commit in",
            hint=NO_COMMIT_HINT,
        )
    if not result.ok or lines[1:2] != ["true"] or len(lines) < 3:
        raise OkrError(f"{path} is not inside a git work tree", hint=NO_COMMIT_HINT)
    return GitRepo(Path(lines[2]), timeout=timeout, commit_timeout=commit_timeout)


# --- the repository ----------------------------------------------------------------------------

# State files of operations that a commit must not land in the middle of, with
# what to tell the user. Found with `git rev-parse --git-path` (linked worktrees).
_IN_PROGRESS = (
    ("MERGE_HEAD", "a merge", "git merge --continue, or git merge --abort"),
    ("rebase-merge", "a rebase", "git rebase --continue, or git rebase --abort"),
    (
        "rebase-apply",
        "a rebase (or git am)",
        "git rebase --continue / --abort, or git am --continue / --abort",
    ),
    ("CHERRY_PICK_HEAD", "a cherry-pick", "git cherry-pick --continue, or git cherry-pick --abort"),
    ("REVERT_HEAD", "a revert", "git revert --continue, or git revert --abort"),
    ("BISECT_LOG", "a bisect", "git bisect reset"),
    ("sequencer", "a cherry-pick or revert", "git cherry-pick --continue / --abort"),
)
_COMMIT_HOOKS = ("pre-commit", "prepare-commit-msg", "commit-msg")
_LOCK_RE = re.compile(r"Unable to create '([^']+\.lock)': File exists|cannot lock ref '([^']+)'")
_IDENTITY_RE = re.compile(
    r"Please tell me who you are|unable to auto-detect email|empty ident name"
    r"|Author identity unknown"
)
_GPG_RE = re.compile(
    r"gpg failed to sign|failed to sign the data|error: gpg|signing failed", re.IGNORECASE
)
_NOTHING_RE = re.compile(r"nothing to commit|no changes added to commit|nothing added to commit")
_SUMMARY_RE = re.compile(r"^\[.*? ([0-9a-f]{4,64})\] ", re.MULTILINE)


class GitRepo:
    """A git work tree (`top` is its real, absolute top-level folder)."""

    def __init__(
        self, top: Path, *, timeout: float = READ_TIMEOUT, commit_timeout: float = COMMIT_TIMEOUT
    ):
        self.top = Path(os.path.realpath(top))
        self.timeout = timeout
        self.commit_timeout = commit_timeout
        self._lock_depth = 0
        self._state_checked = False  # set by check_state, used up by the next ensure_can_commit

    def __repr__(self) -> str:
        return f"GitRepo({str(self.top)!r})"

    def git(
        self,
        *args: str,
        input: bytes | None = None,
        timeout: float | None = None,
        check: bool = True,
    ) -> GitResult:
        """Run git in the top folder; with `check`, a failure is an OkrError quoting git."""
        result = run_git(args, self.top, input=input, timeout=timeout or self.timeout)
        if check and not result.ok:
            raise OkrError(f"git {args[0]} failed:\n{_tail(result.err or result.out)}")
        return result

    def relpath(self, path: Path) -> str:
        """`path` as a POSIX path relative to `top`; refuses paths outside it or in `.git`."""
        path = Path(path).absolute()
        real = Path(os.path.realpath(path.parent)) / path.name
        try:
            rel = real.relative_to(self.top)
        except ValueError:
            raise OkrError(
                f"{path} is outside the git work tree {self.top}", hint=NO_COMMIT_HINT
            ) from None
        if not rel.parts or rel.parts[0] == ".git":
            raise OkrError(f"{path} is not a file okr can commit")
        if real.is_symlink():
            raise OkrError(f"{path} is a symbolic link; okr does not write through links")
        return rel.as_posix()

    def head(self) -> str | None:
        """The commit HEAD points at, or None on an unborn branch."""
        result = self.git("rev-parse", "-q", "--verify", "HEAD^{commit}", check=False)
        return result.out.strip() if result.ok else None

    @contextlib.contextmanager
    def exclusive(self, wait: float = CHECKIN_LOCK_WAIT) -> Iterator[None]:
        """Hold okr's lock of this repository (re-entrant): one read-prove-write-commit at a time.

        An flock on `okr-checkin.lock` in the git directory: the kernel drops it when the
        process dies, so a crash never leaves a lock that blocks the next check-in. The
        holder removes the file before unlocking; a waiter that then wins the removed file
        opens the new one and tries again."""
        if self._lock_depth:
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
            return
        try:
            import fcntl
        except ImportError:  # pragma: no cover - no flock (Windows): git's index.lock still guards
            fcntl = None
        path = self.top / self.git("rev-parse", "--git-path", CHECKIN_LOCK).out.strip()
        fd = _acquire(path, wait) if fcntl is not None else None
        self._lock_depth = 1
        try:
            yield
        finally:
            self._lock_depth = 0
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.unlink(path)
                os.close(fd)

    # --- reading -------------------------------------------------------------------------------

    def is_shallow(self) -> bool:
        """True in a shallow clone: history before its cut is not there to read."""
        return self.git("rev-parse", "--is-shallow-repository").out.strip() == "true"

    def user_email(self) -> str | None:
        """git's `user.email` (else GIT_AUTHOR_EMAIL or EMAIL from the environment)."""
        result = self.git("config", "--get", "user.email", check=False)
        email = result.out.strip() if result.ok else ""
        return email or os.environ.get("GIT_AUTHOR_EMAIL") or os.environ.get("EMAIL") or None

    def resolve_commit(self, rev: str) -> str | None:
        """The full sha `rev` names, or None when it names no commit."""
        if rev.startswith("-") or not rev.isprintable():
            return None
        result = self.git("rev-parse", "-q", "--verify", "--end-of-options", f"{rev}^{{commit}}",
                          check=False)
        return result.out.strip() if result.ok else None

    def log(
        self,
        paths: Iterable[str],
        *,
        since_commit: str | None = None,
        since_date: str | None = None,
        author: str | None = None,
        commits: Iterable[str] | None = None,
        name_only: bool = False,
        no_merges: bool = False,
    ) -> Iterator[LogCommit]:
        """Commits of HEAD touching `paths` (top-level-relative), newest first, from ONE git log.

        `commits` instead lists the very commits to show (no walking; read from stdin).
        `author` is a fixed string matched against "name <email>", case-insensitively.
        The commits come as git writes them (a generator).
        """
        if self.head() is None:
            return iter(())
        args = ["log", f"--format={_LOG_FORMAT}", "--no-show-signature", "--no-color",
                "--no-abbrev-commit", "--no-ext-diff", "--no-textconv"]
        stdin = None
        if name_only:
            args += ["--name-only", "--diff-merges=first-parent", "--no-renames"]
        if no_merges:
            args.append("--no-merges")
        if since_date:
            args.append(f"--since={since_date}")
        if author:
            args += [f"--author={author}", "--fixed-strings", "--regexp-ignore-case"]
        if commits is not None:
            args += ["--no-walk=unsorted", "--stdin"]
            stdin = "".join(f"{sha}\n" for sha in commits).encode()
        else:
            args.append("HEAD" if since_commit is None else f"{since_commit}..HEAD")
        args += ["--", *_log_paths(paths)]
        return _parse_log(stream_git(args, self.top, input=stdin, timeout=self.timeout), name_only)

    def read_blobs(self, specs: Iterable[str]) -> dict[str, bytes | None]:
        """`{"REV:PATH": bytes or None when missing}` from ONE `git cat-file --batch`."""
        wanted = list(dict.fromkeys(specs))
        if not wanted:
            return {}
        if any("\n" in spec for spec in wanted):
            raise ValueError("an object name for cat-file --batch cannot hold a newline")
        out = self.git("cat-file", "--batch", input="".join(f"{s}\n" for s in wanted).encode()).stdout
        blobs: dict[str, bytes | None] = {}
        pos = 0
        for spec in wanted:
            end = out.index(b"\n", pos)
            header = out[pos:end].split()
            pos = end + 1
            if len(header) == 3 and header[1] != b"missing":
                size = int(header[2])
                blobs[spec] = out[pos : pos + size] if header[1] == b"blob" else None
                pos += size + 1
            else:
                blobs[spec] = None
        return blobs

    # --- refusing unsafe states -----------------------------------------------------------

    def ensure_can_commit(self, files: Iterable[Path]) -> None:
        """Raise OkrError (exit 2) unless a check-in commit of `files` is safe now.

        Refused: a merge, rebase, am, cherry-pick, revert or bisect in progress; a
        detached HEAD; no user.name / user.email; a target file with staged or
        unstaged changes, untracked or ignored. An unborn branch is fine.
        """
        rels = [self.relpath(f) for f in files]
        if not self._state_checked:
            self.check_state()
        self._refuse_uncommitted(rels)

    def check_state(self) -> None:
        """The repository-wide part of `ensure_can_commit` (operation in progress, detached
        HEAD, identity). A check-in runs it before taking okr's lock, so the lock is held
        only for what must be serialized; the next `ensure_can_commit` of this object then
        skips it once."""
        self._refuse_in_progress()
        self._refuse_detached_head()
        self._require_identity()
        self._state_checked = True

    def _refuse_in_progress(self) -> None:
        args = [arg for name, _, _ in _IN_PROGRESS for arg in ("--git-path", name)]
        lines = self.git("rev-parse", *args).out.splitlines()
        for (_, what, how), line in zip(_IN_PROGRESS, lines):
            if (self.top / line).exists():
                raise OkrError(
                    f"{what} is in progress in {self.top}; okr will not commit in the middle of it",
                    hint=f"finish it first ({how}), or {NO_COMMIT_HINT}",
                )

    def _refuse_detached_head(self) -> None:
        result = self.git("symbolic-ref", "-q", "HEAD", check=False)
        if result.returncode == 1:
            raise OkrError(
                f"HEAD is detached in {self.top} (no branch is checked out); "
                "okr will not commit there",
                hint=f"switch to a branch first (git switch BRANCH), or {NO_COMMIT_HINT}",
            )
        if not result.ok:
            raise OkrError(f"git symbolic-ref failed:\n{_tail(result.err)}")

    def _require_identity(self) -> None:
        result = self.git(
            "config", "--get-regexp", r"^(user|author|committer)\.(name|email)$", check=False
        )
        given = {
            line.split(None, 1)[0].rpartition(".")[2] for line in result.out.splitlines() if line
        }
        env = os.environ
        if env.get("GIT_AUTHOR_NAME") or env.get("GIT_COMMITTER_NAME"):
            given.add("name")
        if env.get("EMAIL") or env.get("GIT_AUTHOR_EMAIL") or env.get("GIT_COMMITTER_EMAIL"):
            given.add("email")
        missing = [f"user.{k}" for k in ("name", "email") if k not in given]
        if missing:
            raise OkrError(
                f"git does not know who you are: {' and '.join(missing)} "
                f"{'is' if len(missing) == 1 else 'are'} not set, so okr cannot commit",
                hint='git config --global user.name "Your Name" && '
                "git config --global user.email you@example.com",
            )

    def _refuse_uncommitted(self, rels: list[str]) -> None:
        result = self.git(
            "--no-optional-locks",
            "status",
            "--porcelain=v1",
            "-z",
            "--untracked-files=all",
            "--ignored=matching",
            "--",
            *map(_literal, rels),
        )
        for entry in filter(None, result.out.split("\0")):
            code, listed = entry[:2], entry[3:]
            # An ignored or untracked folder is listed as "folder/".
            rel = next(
                (r for r in rels if r == listed or (listed.endswith("/") and r.startswith(listed))),
                None,
            )
            if rel is None:  # the second path of a rename record
                continue
            if code == "??":
                raise OkrError(
                    f"{rel} is not committed yet (git does not track it)",
                    hint=f"commit it first (git add -- {rel} && git commit), or {NO_COMMIT_HINT}",
                )
            if code == "!!":
                raise OkrError(f"{rel} is ignored by git (.gitignore)", hint=NO_COMMIT_HINT)
            raise OkrError(
                f"{rel} has uncommitted changes; okr will not commit them along with its own",
                hint=f"commit or stash them first (see git diff HEAD -- {rel}), "
                f"or {NO_COMMIT_HINT}",
            )

    # --- committing -------------------------------------------------------------------------

    def commit_files(
        self,
        new_contents: Mapping[Path, bytes],
        message: str,
        *,
        no_verify: bool = False,
        verify: Callable[[Path, bytes], bool] | None = None,
        allow_empty: bool = False,
        expected: Mapping[Path, bytes | None] | None = None,
    ) -> str:
        """Write `new_contents` and commit those files only; return the commit sha.

        A compare-and-swap: under okr's lock (`exclusive`), each file of `expected` must
        still hold the bytes given there (what the change was planned from; None: absent),
        else FileChanged (exit 2) and nothing is written. The landed commit message must
        still carry every `Okr-` trailer line of `message` (a commit-msg hook may drop them).

        All or nothing: on any failure (refused state, hook, identity, gpg, a lock
        held past LOCK_WAIT, timeout) every file gets its original bytes back (a new
        file is removed), the index is left as it was, and OkrError says so.
        After the commit, `verify(path, committed_bytes)` (default: the committed
        blob equals the new content through git's filters) guards against a hook
        that rewrote the file; if it fails, the commit stays, the new content is
        put back in the working tree and OkrError says so.
        """
        if not new_contents:
            raise ValueError("commit_files needs at least one file")
        if not message.strip():
            raise ValueError("commit_files needs a commit message")
        files = [
            (self.top / rel, rel, data)
            for rel, data in ((self.relpath(p), data) for p, data in new_contents.items())
        ]
        with self.exclusive():
            try:
                self.ensure_can_commit(path for path, _, _ in files)
            finally:
                self._state_checked = False
            originals = {rel: read_or_none(path) for path, rel, _ in files}
            if expected is not None:
                wanted = {self.relpath(p): data for p, data in expected.items()}
                for path, rel, _ in files:
                    if rel in wanted and originals[rel] != wanted[rel]:
                        raise FileChanged(
                            f"{rel} changed while okr was working on it (another check-in, an "
                            "editor or a git pull); nothing was written or committed",
                            hint="run the check-in again: it will start from the file as it is now",
                        )
            _refuse_read_only(files)
            if not allow_empty and all(originals[rel] == data for _, rel, data in files):
                raise OkrError(f"nothing to commit: {_names(files)} already hold these values")
            return self._write_and_commit(files, originals, message, no_verify, verify, allow_empty)

    def _write_and_commit(self, files: list[tuple[Path, str, bytes]], originals: dict[str, bytes | None],
                          message: str, no_verify: bool, verify: Callable[[Path, bytes], bool] | None,
                          allow_empty: bool) -> str:
        head_before = self.head()
        created_dirs: list[Path] = []
        intent_to_add: list[str] = []
        try:
            for path, rel, data in files:
                created_dirs += _make_parents(path.parent)
                write_atomic(path, data)
            new = [rel for _, rel, _ in files if originals[rel] is None]
            if new:
                self._retry_on_lock(
                    ["add", "--intent-to-add", "--", *map(_literal, new)], self.timeout
                )
                intent_to_add = new
            sha = self._commit([rel for _, rel, _ in files], message, no_verify, allow_empty)
        except BaseException as exc:
            landed = self._landed(head_before, files)
            note = (
                f"the commit {landed[:12]} was made"
                if landed
                else self._roll_back(files, originals, intent_to_add, created_dirs)
            )
            if isinstance(exc, OkrError):
                raise type(exc)(f"{exc.message}\n{note}", hint=exc.hint, code=exc.code) from None
            raise
        self._verify(sha, files, verify)
        self._verify_message(sha, message)
        return sha

    def _commit(self, rels: list[str], message: str, no_verify: bool, allow_empty: bool) -> str:
        with scratch_file((message.rstrip("\n") + "\n").encode("utf-8"), "okr-commit-", ".txt") as message_file:
            args = ["commit", "--only", "--cleanup=verbatim", "-F", message_file]
            args += ["--no-verify"] * no_verify + ["--allow-empty"] * allow_empty
            result = self._retry_on_lock([*args, "--", *map(_literal, rels)], self.commit_timeout)
        if not result.ok:
            raise self._commit_error(result, no_verify)
        found = _SUMMARY_RE.search(result.out)
        full = found and self.git(
            "rev-parse", "-q", "--verify", f"{found.group(1)}^{{commit}}", check=False
        )
        sha = full.out.strip() if full and full.ok else self.head()
        if sha is None:
            raise OkrError("git commit reported success but HEAD has no commit")
        self._match_index_to(sha, rels)
        return sha

    def _match_index_to(self, sha: str, rels: list[str]) -> None:
        """Make the index entries of `rels` equal the commit.

        `git commit --only` stages the content it read before the hooks ran; when a
        hook rewrote the file, the index would be left holding a change nobody staged.
        """
        pathspecs = [_literal(rel) for rel in rels]
        if self.git("diff-index", "--cached", "--quiet", sha, "--", *pathspecs, check=False).ok:
            return
        result = self._retry_on_lock(["reset", "-q", sha, "--", *pathspecs], self.timeout)
        if not result.ok:
            raise OkrError(
                f"commit {sha[:12]} was made, but the index entry of {', '.join(rels)} "
                "could not be updated",
                hint=f"run: git reset -q -- {' '.join(rels)}",
            )

    def _retry_on_lock(self, args: list[str], timeout: float) -> GitResult:
        """Run git, retrying with backoff for up to LOCK_WAIT s while a lock file exists.

        A lock is never removed: it may belong to a live git process.
        """
        deadline = time.monotonic() + LOCK_WAIT
        delay = 0.05
        while True:
            result = self.git(*args, timeout=timeout, check=False)
            lock = _LOCK_RE.search(result.err)
            if result.ok or not lock:
                return result
            if time.monotonic() + delay > deadline:
                held = lock.group(1) or f"the lock of {lock.group(2)}"
                raise OkrError(
                    f"another git process is using the repository: {held} still exists "
                    f"after {LOCK_WAIT:g} s of retrying",
                    hint="wait for the other git command to finish and retry; if none is running, "
                    "the lock file was left by a crash and you may delete it yourself",
                )
            time.sleep(delay * random.uniform(0.5, 1.5))
            delay = min(delay * 2, 0.4)

    def _commit_error(self, result: GitResult, no_verify: bool) -> OkrError:
        output = _tail(result.err) or _tail(result.out)
        text = result.err + result.out
        if _IDENTITY_RE.search(text):
            return OkrError(
                "git does not know who you are: set user.name and user.email",
                hint='git config --global user.name "Your Name" && '
                "git config --global user.email you@example.com",
            )
        if _GPG_RE.search(text):
            return OkrError(
                f"git could not sign the commit (commit.gpgsign is on):\n{output}",
                hint="check gpg (git config gpg.program; gpg --list-secret-keys), "
                "or turn signing off for this repository",
            )
        if _NOTHING_RE.search(text):
            return OkrError("nothing to commit: the files already hold these values")
        if not no_verify and self._has_commit_hooks():
            return OkrError(
                f"a git hook rejected the commit:\n{output}",
                hint="fix what the hook reports and retry "
                "(git hooks can be skipped with --no-verify)",
            )
        return OkrError(f"git commit failed:\n{output}")

    def _has_commit_hooks(self) -> bool:
        result = self.git("rev-parse", "--git-path", "hooks", check=False)
        hooks = self.top / result.out.strip()
        return any(os.access(hooks / name, os.X_OK) for name in _COMMIT_HOOKS)

    def _landed(self, head_before: str | None, files: list[tuple[Path, str, bytes]]) -> str | None:
        """The new HEAD if it already holds every new content (interrupted after committing)."""
        try:
            head = self.head()
            if head is None or head == head_before:
                return None
            for _, rel, data in files:
                if self._blob_id(head, rel) != self._hash_as(rel, data):
                    return None
            return head
        except OkrError:
            return None

    def _roll_back(
        self,
        files: list[tuple[Path, str, bytes]],
        originals: dict[str, bytes | None],
        intent_to_add: list[str],
        created_dirs: list[Path],
    ) -> str:
        """Put every file and the index back as they were; a sentence for the error."""
        problems = []
        for path, rel, _ in files:
            original = originals[rel]
            try:
                if original is None:
                    path.unlink(missing_ok=True)
                elif read_or_none(path) != original:
                    write_atomic(path, original)
            except OSError as exc:
                problems.append(f"could not restore {rel}: {exc}")
        for folder in reversed(created_dirs):
            try:
                folder.rmdir()
            except OSError:
                pass
        if intent_to_add:
            try:
                result = self._retry_on_lock(
                    ["update-index", "--force-remove", "--", *intent_to_add], self.timeout
                )
                if not result.ok:
                    raise OkrError(_tail(result.err))
            except OkrError as exc:
                problems.append(
                    f"could not unstage {', '.join(intent_to_add)} ({exc.message}); "
                    f"run: git rm --cached -- {' '.join(intent_to_add)}"
                )
        if problems:
            return "nothing was committed, but: " + "; ".join(problems)
        restored = (
            "restored" if any(originals[rel] is not None for _, rel, _ in files) else "removed"
        )
        return f"nothing was committed; {_names(files)} {restored}"

    def _verify(
        self,
        sha: str,
        files: list[tuple[Path, str, bytes]],
        verify: Callable[[Path, bytes], bool] | None,
    ) -> None:
        for path, rel, data in files:
            if verify is None:
                ok = self._blob_id(sha, rel) == self._hash_as(rel, data)
            else:
                blob = self.git("cat-file", "blob", f"{sha}:{rel}", check=False)
                ok = blob.ok and bool(verify(path, blob.stdout))
            if ok:
                continue
            if read_or_none(path) != data:
                write_atomic(path, data)
            why = "a git hook changed the file" if self._has_commit_hooks() else \
                "the file changed while git committed it"
            raise OkrError(
                f"commit {sha[:12]} was made, but its {rel} does not hold the new value ({why})",
                hint=f"the new value is in the working tree, not committed: review it with "
                f"git diff -- {rel}, then commit it",
            )

    def _verify_message(self, sha: str, message: str) -> None:
        """The landed message still holds every `Okr-` trailer line okr wrote, in order."""
        wanted = [line for line in message.splitlines() if line.startswith("Okr-")]
        if not wanted:
            return
        landed = self.git("log", "-1", "--format=%B", "--no-show-signature", sha, "--").out
        kept = iter(line.rstrip() for line in landed.splitlines() if line.startswith("Okr-"))
        if not all(line.rstrip() in kept for line in wanted):  # each one, in order (a hook may add)
            raise OkrError(
                f"commit {sha[:12]} was made, but its message lost okr's Okr- trailers "
                "(a commit-msg or prepare-commit-msg hook rewrote it): okr log would show it "
                "as a hand edit",
                hint="fix the hook to keep trailer lines, then amend the message: "
                "git commit --amend (the values themselves are committed)",
            )

    def _blob_id(self, rev: str, rel: str) -> str | None:
        result = self.git("rev-parse", "-q", "--verify", f"{rev}:{rel}", check=False)
        return result.out.strip() if result.ok else None

    def _hash_as(self, rel: str, data: bytes) -> str:
        """The blob id git would store for `data` at `rel` (autocrlf and filters applied)."""
        return self.git("hash-object", f"--path={rel}", "--stdin", input=data).out.strip()


def _acquire(path: Path, wait: float) -> int:
    """An open descriptor of `path` holding an exclusive flock (OkrError after `wait` s)."""
    import fcntl

    deadline = time.monotonic() + wait
    delay = 0.01
    while True:
        fd = lock_file(path)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise OkrError(
                            f"another okr check-in holds {path} after {wait:g} s of waiting",
                            hint="wait for it to finish and retry (the lock goes away with its process)",
                        ) from None
                    time.sleep(delay * random.uniform(0.5, 1.5))
                    delay = min(delay * 2, 0.03)
            held = os.fstat(fd)
            try:
                now = os.stat(path)
            except FileNotFoundError:
                now = None
            if now is not None and (now.st_ino, now.st_dev) == (held.st_ino, held.st_dev):
                return fd
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # the previous holder removed this file: lock the one that is there now


def _refuse_read_only(files: list[tuple[Path, str, bytes]]) -> None:
    """A file without write permission (chmod 0444) is a user's "do not touch": exit 2."""
    for path, rel, _ in files:
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            continue
        if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
            raise OkrError(f"{rel} is read-only (mode {stat.S_IMODE(mode):04o}); okr will not replace it",
                           hint=f"if it should change, make it writable first: chmod u+w {rel}")


def _make_parents(folder: Path) -> list[Path]:
    """Create missing folders, returning those created (outermost first)."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for created in reversed(missing):
        make_folder(created)
    return list(reversed(missing))


def _names(files: list[tuple[Path, str, bytes]]) -> str:
    return ", ".join(rel for _, rel, _ in files)


# --- reading revisions (time travel) -------------------------------------------------------------

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}\Z")


@dataclass(frozen=True)
class TreeEntry:
    mode: str
    sha: str
    path: str  # relative to the top-level folder


def resolve_revision(repo: GitRepo, at: str) -> tuple[str, str]:
    """`at` (a date YYYY-MM-DD or any revision) as (commit sha, committer date ISO).

    A date means the last commit on HEAD made on or before that day."""
    if at.startswith("-") or "\0" in at:
        raise OkrError(f"'{at}' is not a revision or a date")
    if _DATE_RE.match(at):
        result = repo.git("rev-list", "-1", f"--before={at} 23:59:59", "HEAD", "--", check=False)
        sha = result.out.strip()
        if not result.ok or not sha:
            raise OkrError(f"no commit on or before {at}", hint="the repository's history starts later")
    else:
        result = repo.git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{at}^{{commit}}",
                          check=False)
        sha = result.out.strip()
        if not result.ok or not sha:
            raise OkrError(f"'{at}' is not a commit or a date", hint="use a revision (HEAD~3, v1.0, a sha) "
                                                                    "or a date (YYYY-MM-DD)")
    when = repo.git("show", "-s", "--format=%cI", sha, "--").out.strip()
    return sha, when


def list_tree(repo: GitRepo, sha: str, prefix: str) -> list[TreeEntry]:
    """Blobs and links under `prefix` (top-relative, '' for all) in commit `sha`."""
    args = ["ls-tree", "-r", "-z", "--full-tree", sha]
    if prefix:
        args += ["--", _literal(prefix)]
    out = repo.git(*args).stdout
    entries = []
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        mode, _kind, obj = meta.decode().split(" ")
        entries.append(TreeEntry(mode, obj, os.fsdecode(path)))
    return entries


def read_blobs(repo: GitRepo, shas: list[str]) -> dict[str, bytes]:
    """The content of each blob, read by one `git cat-file --batch`."""
    if not shas:
        return {}
    unique = list(dict.fromkeys(shas))
    out = repo.git("cat-file", "--batch", input="".join(f"{s}\n" for s in unique).encode()).stdout
    blobs: dict[str, bytes] = {}
    pos = 0
    for sha in unique:
        end = out.index(b"\n", pos)
        header = out[pos:end].decode().split(" ")
        if len(header) < 3 or header[1] == "missing":
            raise OkrError(f"git object {sha} is missing")
        size = int(header[2])
        blobs[sha] = out[end + 1: end + 1 + size]
        pos = end + 1 + size + 1
    return blobs


# --- reading history ---------------------------------------------------------------------------

# One record per commit: \x1e, then fields split by \x1f, the message closed by \x1d; with
# --name-only, the paths the commit touched follow on their own lines.
_LOG_FORMAT = "%x1e%H%x1f%P%x1f%aN%x1f%aE%x1f%aI%x1f%B%x1d"
_RECORD_START_RE = re.compile(rb"[0-9a-f]{40}(?:[0-9a-f]{24})?\x1f")


class LogCommit(NamedTuple):
    """One commit as `git log` printed it (author name and email after .mailmap)."""

    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    date: str  # author date, strict ISO 8601 with its offset
    message: str
    paths: tuple[str, ...] = ()  # with name_only: top-level-relative paths it touched


def _parse_log(chunks: Iterable[bytes], name_only: bool) -> Iterator[LogCommit]:
    """Commits from `git log --format=_LOG_FORMAT` output, read part by part.

    A record starts at \\x1e followed by a sha and \\x1f; a \\x1e anywhere else (inside
    a message) stays in the message.
    """
    record = b""
    for piece in _split_records(chunks):
        if _RECORD_START_RE.match(piece):
            if record:
                yield _log_record(record, name_only)
            record = piece
        elif record:
            record += b"\x1e" + piece
    if record:
        yield _log_record(record, name_only)


def _split_records(chunks: Iterable[bytes]) -> Iterator[bytes]:
    rest = b""
    for chunk in chunks:
        pieces = (rest + chunk).split(b"\x1e")
        rest = pieces.pop()  # it may go on in the next chunk
        yield from pieces
    yield rest


def _log_record(record: bytes, name_only: bool) -> LogCommit:
    sha, parents, name, email, date, rest = record.decode("utf-8", "replace").split("\x1f", 5)
    end = rest.rfind("\x1d")
    paths = tuple(p for p in rest[end + 1 :].split("\n") if p) if name_only else ()
    return LogCommit(sha, tuple(parents.split()), name, email, date, rest[:end], paths)


def _log_paths(paths: Iterable[str]) -> list[str]:
    """Pathspecs for `git log`: literal paths, or `:(glob)` ones for a trailing `*/NAME`."""
    return [p if p.startswith(":(") else _literal(p) for p in paths]


# --- comparing revisions (okr diff) --------------------------------------------------------------


def okr_pathspecs(prefix: str) -> list[str]:
    """Pathspecs of the files an OKR root holds (okr.yaml, org.yaml, <CYCLE>/<OWNER>.yaml) under
    `prefix` (top-relative, '' for the top): all `okr diff` needs git to compare."""
    base = f"{prefix}/" if prefix else ""
    glob_base = re.sub(r"([*?\[\\])", r"\\\1", base)  # the prefix itself is literal
    return [_literal(f"{base}okr.yaml"), _literal(f"{base}org.yaml"), f":(glob){glob_base}*/*.yaml"]


def merge_base(repo: GitRepo, a: str, b: str) -> str:
    """The best common ancestor of commits `a` and `b` (what `A...B` compares from)."""
    result = repo.git("merge-base", "--end-of-options", a, b, check=False)
    sha = result.out.strip().splitlines()[0] if result.ok and result.out.strip() else ""
    if not sha:
        shallow = repo.git("rev-parse", "--is-shallow-repository", check=False).out.strip() == "true"
        raise OkrError(
            f"{a[:12]} and {b[:12]} have no common ancestor" + (" in this shallow clone" if shallow else ""),
            hint="fetch the whole history (actions/checkout with fetch-depth: 0)" if shallow
            else "compare the two revisions directly with A..B",
        )
    return sha


def changed_paths(repo: GitRepo, base: str, head: str | None, pathspecs: list[str]) -> list[str]:
    """Top-relative paths matching `pathspecs` that differ between commit `base` and commit `head`,
    or, with `head` None, the work tree (tracked files that differ, plus untracked files)."""
    args = ["diff", "--name-only", "-z", "--no-renames", "--no-color", "--no-ext-diff",
            "--ignore-submodules", "--end-of-options", base]
    if head is not None:
        args.append(head)
    found = {os.fsdecode(p) for p in repo.git(*args, "--", *pathspecs).stdout.split(b"\0") if p}
    if head is None:
        untracked = repo.git("ls-files", "--others", "-z", "--", *pathspecs).stdout
        found.update(os.fsdecode(p) for p in untracked.split(b"\0") if p)
    return sorted(found)


def read_paths_at(repo: GitRepo, sha: str, paths: list[str], prefix: str) -> dict[str, bytes]:
    """The regular files among `paths` (top-relative) in commit `sha`; absent ones and symbolic
    links are left out. Few paths are listed by name, many by listing everything under `prefix`."""
    if not paths:
        return {}
    if len(paths) <= 1000:
        out = repo.git("ls-tree", "-r", "-z", "--full-tree", sha, "--", *map(_literal, paths)).stdout
        entries = []
        for record in out.split(b"\0"):
            if record:
                meta, _, path = record.partition(b"\t")
                mode, _kind, obj = meta.decode().split(" ")
                entries.append(TreeEntry(mode, obj, os.fsdecode(path)))
    else:
        entries = list_tree(repo, sha, prefix)
    wanted = set(paths)
    found = {e.path: e.sha for e in entries if e.path in wanted and e.mode in ("100644", "100755")}
    contents = read_blobs(repo, list(found.values()))
    return {path: contents[blob] for path, blob in found.items()}


# --- sparse checkouts and partial clones ---------------------------------------------------------


def _git_dir_of(folder: Path) -> Path | None:
    """The git directory of the work tree holding `folder`, found from paths alone (no git)."""
    here = Path(os.path.realpath(folder))
    for above in (here, *here.parents):
        dot_git = above / ".git"
        try:
            if dot_git.is_dir():
                return dot_git
            if dot_git.is_file():
                text = dot_git.read_text(encoding="utf-8", errors="replace")[:4096]
                if text.startswith("gitdir:"):
                    return Path(os.path.realpath(above / text[len("gitdir:"):].strip()))
                return None
        except OSError:
            return None
    return None


def index_only_files(root: Path, wanted: Callable[[str], bool]) -> tuple[dict[str, bytes], list[str]]:
    """Files under `root` that git tracks but a sparse checkout left out of the work tree.

    Returns (root-relative path -> bytes read from the index, paths whose content is not
    in the local object store, as in a partial clone). Costs nothing outside a sparse
    checkout: only then (an `info/sparse-checkout` file) does it run git. It asks git not to
    fetch what a partial clone lacks (GIT_NO_LAZY_FETCH, git 2.44 and later; older git
    fetches those blobs from the promisor remote)."""
    git_dir = _git_dir_of(root)
    if git_dir is None or not (git_dir / "info" / "sparse-checkout").is_file():
        return {}, []
    try:
        listed = run_git(["ls-files", "-t", "-z", "--", "."], root).stdout
    except OkrError:
        return {}, []
    absent = []
    for record in listed.split(b"\0"):
        if record[:2] == b"S ":  # skip-worktree: tracked, not in the work tree
            rel = os.fsdecode(record[2:])
            if wanted(rel) and not os.path.lexists(root / rel):
                absent.append(rel)
    if not absent:
        return {}, []
    reader = GitRepo(root)
    reader.top = Path(root)  # specs below are relative to the OKR root (":./path")
    before = os.environ.get("GIT_NO_LAZY_FETCH")
    os.environ["GIT_NO_LAZY_FETCH"] = "1"  # a view should not go to the network
    try:
        blobs = reader.read_blobs([f":./{rel}" for rel in absent])
    except OkrError:
        blobs = {}
    finally:
        if before is None:
            os.environ.pop("GIT_NO_LAZY_FETCH", None)
        else:
            os.environ["GIT_NO_LAZY_FETCH"] = before
    found = {rel: blobs[f":./{rel}"] for rel in absent if blobs.get(f":./{rel}") is not None}
    return found, [rel for rel in absent if rel not in found]
