"""The repository: discovery, state, config and identity, revisions.

`open_repo` learns everything a check-in needs about the repository without a
process in the plain case (a `.git` folder owned by the user: its config read
by GitPython's `git.Repo`), and otherwise from ONE `git rev-parse` (bare or not,
the top folder, the git directory, shallow or not, and the paths of the lock,
the hooks and every in-progress operation's state file, which `--git-path`
finds in linked worktrees too); git's own verdict on ownership (safe.directory)
comes from that `rev-parse` or the first command that runs. HEAD and refs are
read through GitPython's references, identity through its config reader (a
missing identity is confirmed with `git config` before okr refuses, so a
setting only git can see is never missed).
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import OkrError
from . import commit as _commit
from .read import LogCommit, ObjectReader, log_args, parse_log
from .run import COMMIT_TIMEOUT, READ_TIMEOUT, GitResult, run_git, stream_git, tail

CHECKIN_LOCK = "okr-checkin.lock"  # okr's own lock, in the git directory (next to index.lock)
CHECKIN_LOCK_WAIT = 60.0  # check-ins queue behind each other; each holds the lock for a commit
NO_COMMIT_HINT = "use --no-commit to only edit the file"

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
_GIT_PATHS = (CHECKIN_LOCK, "hooks", *(name for name, _, _ in _IN_PROGRESS))


@dataclass(frozen=True)
class RepoInfo:
    """What one `git rev-parse` says about a work tree."""

    top: Path
    git_dir: Path
    shallow: bool
    paths: dict[str, Path]  # --git-path NAME -> where it is
    opened: tuple | None = None  # (git.Repo, its config reader) when discovery read them


def _discover(start: Path, timeout: float, path: Path | None = None) -> RepoInfo:
    args = ["rev-parse", "--is-bare-repository", "--is-inside-work-tree", "--show-toplevel",
            "--absolute-git-dir", "--is-shallow-repository"]
    for name in _GIT_PATHS:
        args += ["--git-path", name]
    result = run_git(args, start, timeout=timeout)
    lines = result.out.splitlines()
    if lines[:1] == ["true"]:
        raise OkrError(
            f"{start} is in a bare git repository; there is no work tree to commit in",
            hint=NO_COMMIT_HINT,
        )
    if not result.ok or lines[1:2] != ["true"] or len(lines) != 5 + len(_GIT_PATHS):
        raise OkrError(f"{path or start} is not inside a git work tree", hint=NO_COMMIT_HINT)
    found = {name: Path(os.path.join(start, line)) for name, line in zip(_GIT_PATHS, lines[5:])}
    return RepoInfo(Path(lines[2]), Path(lines[3]), lines[4] == "true", found)


def _discover_from_files(start: Path) -> RepoInfo | None:
    """The plain case, read from files without a process: a `.git` folder owned by this user,
    no core.worktree, not bare. None for anything else (a linked worktree or submodule, a
    start inside a git directory, another owner, discovery limits): `git rev-parse` decides."""
    env = os.environ
    if env.get("GIT_CEILING_DIRECTORIES") or env.get("GIT_DISCOVERY_ACROSS_FILESYSTEM") or \
            not hasattr(os, "geteuid") or (os.geteuid() == 0 and env.get("SUDO_UID")):
        return None
    here = Path(os.path.realpath(start))
    for top in (here, *here.parents):
        dot = top / ".git"
        try:
            found = os.lstat(dot)
        except FileNotFoundError:
            if (top / "HEAD").is_file() and (top / "objects").is_dir():
                return None  # inside a git directory, or a bare repository
            continue
        except OSError:
            return None
        if not stat.S_ISDIR(found.st_mode) or not (dot / "HEAD").is_file() or \
                {found.st_uid, os.stat(top).st_uid} != {os.geteuid()}:
            return None
        return _plain_info(top, dot)
    return None


def _plain_info(top: Path, dot: Path) -> RepoInfo | None:
    try:
        import git as gitpython

        repo = gitpython.Repo(top)
        config = repo.config_reader()
        if config.get_value("core", "bare", False) is True or config.has_option("core", "worktree") or \
                config.get_value("extensions", "worktreeConfig", False) is True:
            return None
        hooks = str(config.get_value("core", "hooksPath", "")) or ""
    except Exception:  # noqa: BLE001 - a config GitPython cannot read: git decides
        return None
    paths = {name: dot / name for name in _GIT_PATHS}
    if hooks:
        paths["hooks"] = top / os.path.expanduser(hooks)
    return RepoInfo(top, dot, (dot / "shallow").exists(), paths, (repo, config))


def open_repo(
    path: Path, *, timeout: float = READ_TIMEOUT, commit_timeout: float = COMMIT_TIMEOUT
) -> GitRepo:
    """The git work tree that contains `path` (a file or folder, existing or not)."""
    start = Path(path).absolute()
    while not start.is_dir():
        if start.parent == start:
            break
        start = start.parent
    info = _discover_from_files(start) or _discover(start, timeout, path)
    repo = GitRepo(info.top, timeout=timeout, commit_timeout=commit_timeout)
    repo._info = info
    if info.opened is not None:
        repo._gitpython, repo._config = info.opened
    return repo


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
        self._info: RepoInfo | None = None
        self._objects: ObjectReader | None = None
        self._gitpython = None
        self._config = None

    def __repr__(self) -> str:
        return f"GitRepo({str(self.top)!r})"

    @property
    def info(self) -> RepoInfo:
        if self._info is None:
            self._info = _discover(self.top, self.timeout)
        return self._info

    @property
    def objects(self) -> ObjectReader:
        """The one persistent `cat-file --batch` of this repository."""
        if self._objects is None:
            self._objects = ObjectReader(self.top, timeout=self.timeout)
        return self._objects

    def close(self) -> None:
        if self._objects is not None:
            self._objects.close()

    def gitpython(self):
        """GitPython's `git.Repo` of this work tree (config and references, read from files)."""
        if self._gitpython is None:
            import git as gitpython

            self._gitpython = gitpython.Repo(self.top)
        return self._gitpython

    def config(self):
        """git's config as GitPython reads it (system, user, repository), read once."""
        if self._config is None:
            self._config = self.gitpython().config_reader()
        return self._config

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
            raise OkrError(f"git {args[0]} failed:\n{tail(result.err or result.out)}")
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

    # --- references, read from files -----------------------------------------------------------

    def head(self) -> str | None:
        """The commit HEAD points at, or None on an unborn branch."""
        try:
            from git.refs import SymbolicReference

            sha = SymbolicReference.dereference_recursive(self.gitpython(), "HEAD")
        except Exception:  # noqa: BLE001 - unborn, or refs GitPython cannot read: ask git
            sha = ""
        if len(sha) in (40, 64) and all(c in "0123456789abcdef" for c in sha):
            return sha
        result = self.git("rev-parse", "-q", "--verify", "HEAD^{commit}", check=False)
        return result.out.strip() if result.ok else None

    def head_is_detached(self) -> bool:
        try:
            text = (self.info.git_dir / "HEAD").read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = None
        if text is not None:
            return not text.startswith("ref:")
        result = self.git("symbolic-ref", "-q", "HEAD", check=False)
        if result.returncode not in (0, 1):
            raise OkrError(f"git symbolic-ref failed:\n{tail(result.err)}")
        return result.returncode == 1

    def resolve_commit(self, rev: str) -> str | None:
        """The full sha `rev` names, or None when it names no commit."""
        if rev.startswith("-") or not rev.isprintable():
            return None
        obj = self.objects.read([f"{rev}^{{commit}}"])[0]
        return obj.oid if obj is not None and obj.kind == "commit" else None

    @contextlib.contextmanager
    def exclusive(self, wait: float = CHECKIN_LOCK_WAIT) -> Iterator[None]:
        """Hold okr's lock of this repository (re-entrant): one read-prove-write-commit at a time."""
        if self._lock_depth:
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
            return
        with _commit.checkin_lock(self.info.paths[CHECKIN_LOCK], wait):
            self._lock_depth = 1
            try:
                yield
            finally:
                self._lock_depth = 0

    # --- config --------------------------------------------------------------------------------

    def is_shallow(self) -> bool:
        """True in a shallow clone: history before its cut is not there to read."""
        return self.info.shallow

    def user_email(self) -> str | None:
        """git's `user.email` (else GIT_AUTHOR_EMAIL or EMAIL from the environment)."""
        result = self.git("config", "--get", "user.email", check=False)
        email = result.out.strip() if result.ok else ""
        return email or os.environ.get("GIT_AUTHOR_EMAIL") or os.environ.get("EMAIL") or None

    def identity_keys(self) -> set[str]:
        """Which of name / email git's config gives (user.*, author.*, committer.*)."""
        try:
            reader = self.config()  # a setting it sees that git does not
            # (GIT_CONFIG_NOSYSTEM) makes the commit fail, and that failure is worded the same
            given = {option for section in ("user", "author", "committer") if reader.has_section(section)
                     for option in ("name", "email") if reader.has_option(section, option)}
        except Exception:  # noqa: BLE001 - a config GitPython cannot read: ask git
            given = set()
        if given >= {"name", "email"}:
            return given
        result = self.git(
            "config", "--get-regexp", r"^(user|author|committer)\.(name|email)$", check=False
        )
        return {line.split(None, 1)[0].rpartition(".")[2] for line in result.out.splitlines() if line}

    # --- reading -------------------------------------------------------------------------------

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
        grep: str | None = None,
        tip: str = "HEAD",
    ) -> Iterator[LogCommit]:
        """Commits of `tip` touching `paths` (top-level-relative), newest first, from ONE git log.

        `commits` instead lists the very commits to show (no walking; read from stdin).
        `author` is a fixed string matched against "name <email>", case-insensitively;
        `grep` an extended regular expression matched against the message, case-insensitively.
        The commits come as git writes them (a generator).
        """
        if tip == "HEAD" and self.head() is None:
            return iter(())
        return parse_log(self.log_stream(paths, since_commit=since_commit, since_date=since_date,
                                         author=author, commits=commits, name_only=name_only,
                                         no_merges=no_merges, grep=grep, tip=tip), name_only)

    def log_stream(self, paths: Iterable[str], **options) -> Iterator[bytes]:
        """The raw `git log --format=LOG_FORMAT` output of `log`, chunk by chunk."""
        args, stdin = log_args(paths, **options)
        return stream_git(args, self.top, input=stdin, timeout=self.timeout)

    def read_blobs(self, specs: Iterable[str]) -> dict[str, bytes | None]:
        """`{"REV:PATH": bytes or None when missing}` through the one `cat-file --batch`."""
        wanted = list(dict.fromkeys(specs))
        return {spec: obj.data if obj is not None and obj.kind == "blob" else None
                for spec, obj in zip(wanted, self.objects.read(wanted))}

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
        _commit.refuse_uncommitted(self, rels)

    def check_state(self) -> None:
        """The repository-wide part of `ensure_can_commit` (operation in progress, detached
        HEAD, identity), read from files. A check-in runs it before taking okr's lock, so the
        lock is held only for what must be serialized; the next `ensure_can_commit` of this
        object then skips it once."""
        for name, what, how in _IN_PROGRESS:
            if self.info.paths[name].exists():
                raise OkrError(
                    f"{what} is in progress in {self.top}; okr will not commit in the middle of it",
                    hint=f"finish it first ({how}), or {NO_COMMIT_HINT}",
                )
        if self.head_is_detached():
            raise OkrError(
                f"HEAD is detached in {self.top} (no branch is checked out); "
                "okr will not commit there",
                hint=f"switch to a branch first (git switch BRANCH), or {NO_COMMIT_HINT}",
            )
        _commit.require_identity(self)
        self._state_checked = True

    def has_commit_hooks(self) -> bool:
        hooks = self.info.paths["hooks"]
        return any(os.access(hooks / name, os.X_OK) for name in _commit.COMMIT_HOOKS)

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

        See `commit.commit_files`."""
        return _commit.commit_files(self, new_contents, message, no_verify=no_verify, verify=verify,
                                    allow_empty=allow_empty, expected=expected)
