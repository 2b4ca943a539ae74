"""Committing a check-in: okr's lock, `git commit --only`, verification, roll back.

A commit takes only the given paths (`git commit --only`), so the user's other
staged and unstaged work stays exactly as it was; on any failure each file gets
its original bytes back and the index is as before (RELIABILITY.md, section A).
GitPython's `index.commit` is not used: it commits whatever the index holds, so
it would sweep the user's staged work into okr's commit, and it runs no hooks.

At steady state a check-in costs three git processes after discovery: `status`
(the files hold no uncommitted work), `commit` (with `maintenance.auto=false`:
git's housekeeping runs on the user's next own command, not inside okr's lock)
and nothing more. The sha comes from the commit's own summary line and HEAD's
file; what landed is read back (through the one `cat-file --batch`) only when
something other than git could have changed it: a commit hook, a filter or eol
attribute, or a file that no longer holds okr's bytes when git is done.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import stat
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ..edit import read_or_none
from ..errors import OkrError
from ..files import lock_file, make_folders, scratch_file, write_atomic
from .run import GitResult, literal, tail

if TYPE_CHECKING:
    from .repo import GitRepo

LOCK_WAIT = 2.0  # seconds spent retrying while another git process holds a lock
NO_COMMIT_HINT = "use --no-commit to only edit the file"
COMMIT_HOOKS = ("pre-commit", "prepare-commit-msg", "commit-msg")
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
Files = list[tuple[Path, str, bytes]]


class FileChanged(OkrError):
    """A file no longer holds the bytes a check-in was planned from (compare-and-swap failed)."""


# --- okr's lock ----------------------------------------------------------------------------------


@contextlib.contextmanager
def checkin_lock(path: Path, wait: float) -> Iterator[None]:
    """An flock on `okr-checkin.lock` in the git directory: the kernel drops it when the
    process dies, so a crash never leaves a lock that blocks the next check-in. The
    holder removes the file before unlocking; a waiter that then wins the removed file
    opens the new one and tries again."""
    try:
        import fcntl  # noqa: F401
    except ImportError:  # pragma: no cover - no flock (Windows): git's index.lock still guards
        yield
        return
    fd = _acquire(path, wait)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(fd)


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


# --- refusing unsafe states ----------------------------------------------------------------------


def require_identity(repo: GitRepo) -> None:
    given = repo.identity_keys()
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


def refuse_uncommitted(repo: GitRepo, rels: list[str]) -> None:
    result = repo.git("--no-optional-locks", "status", "--porcelain=v1", "-z", "--untracked-files=all",
                      "--ignored=matching", "--", *map(literal, rels))
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
            hint=f"commit or stash them first (see git diff HEAD -- {rel}), or {NO_COMMIT_HINT}",
        )


# --- committing ----------------------------------------------------------------------------------


def commit_files(
    repo: GitRepo,
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
    files = [(repo.top / rel, rel, data) for rel, data in ((repo.relpath(p), data) for p, data in new_contents.items())]
    with repo.exclusive():
        try:
            repo.ensure_can_commit(path for path, _, _ in files)
        finally:
            repo._state_checked = False
        originals = {rel: read_or_none(path) for path, rel, _ in files}
        if expected is not None:
            wanted = {repo.relpath(p): data for p, data in expected.items()}
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
        return _write_and_commit(repo, files, originals, message, no_verify, verify, allow_empty)


def _write_and_commit(repo: GitRepo, files: Files, originals: dict[str, bytes | None], message: str,
                      no_verify: bool, verify: Callable[[Path, bytes], bool] | None, allow_empty: bool) -> str:
    head_before = repo.head()
    created_dirs: list[Path] = []
    intent_to_add: list[str] = []
    try:
        for path, rel, data in files:
            created_dirs += make_folders(path.parent)
            write_atomic(path, data)
        new = [rel for _, rel, _ in files if originals[rel] is None]
        if new:
            _retry_on_lock(repo, ["add", "--intent-to-add", "--", *map(literal, new)], repo.timeout)
            intent_to_add = new
        sha = _commit(repo, [rel for _, rel, _ in files], message, no_verify, allow_empty)
    except BaseException as exc:
        landed = _landed(repo, head_before, files)
        note = (
            f"the commit {landed[:12]} was made"
            if landed
            else _roll_back(repo, files, originals, intent_to_add, created_dirs)
        )
        if isinstance(exc, OkrError):
            raise type(exc)(f"{exc.message}\n{note}", hint=exc.hint, code=exc.code) from None
        raise
    hooks = repo.has_commit_hooks()
    if hooks:
        _match_index_to(repo, sha, [rel for _, rel, _ in files])
    if hooks or _may_differ(repo, files):
        _verify(repo, sha, files, verify, hooks)
        if hooks:
            _verify_message(repo, sha, message)
    return sha


def _may_differ(repo: GitRepo, files: Files) -> bool:
    """True when the committed blob may differ from the bytes okr wrote without a hook: the
    file changed on disk meanwhile, or attributes (a filter, eol) or core.autocrlf apply."""
    if any(read_or_none(path) != data for path, _, data in files):
        return True
    if (repo.info.git_dir / "info" / "attributes").exists():
        return True
    for _, rel, data in files:
        if b"\r" in data:
            return True
        folder = repo.top
        for part in ("", *Path(rel).parent.parts):
            folder = folder / part if part else folder
            if (folder / ".gitattributes").exists():
                return True
    try:
        reader = repo.config()
        return bool(reader.get_value("core", "attributesFile", "")) or \
            str(reader.get_value("core", "autocrlf", "false")).lower() not in ("false", "0", "no", "off")
    except Exception:  # noqa: BLE001 - a config GitPython cannot read: read the commit back
        return True


def _commit(repo: GitRepo, rels: list[str], message: str, no_verify: bool, allow_empty: bool) -> str:
    with scratch_file((message.rstrip("\n") + "\n").encode("utf-8"), "okr-commit-", ".txt") as message_file:
        args = ["-c", "maintenance.auto=false", "commit", "--only", "--cleanup=verbatim", "-F", message_file]
        args += ["--no-verify"] * no_verify + ["--allow-empty"] * allow_empty
        result = _retry_on_lock(repo, [*args, "--", *map(literal, rels)], repo.commit_timeout)
    if not result.ok:
        raise _commit_error(repo, result, no_verify)
    found = _SUMMARY_RE.search(result.out)
    head = repo.head()
    if found and head and head.startswith(found.group(1)):
        return head
    full = found and repo.git("rev-parse", "-q", "--verify", f"{found.group(1)}^{{commit}}", check=False)
    sha = full.out.strip() if full and full.ok else head
    if sha is None:
        raise OkrError("git commit reported success but HEAD has no commit")
    return sha


def _match_index_to(repo: GitRepo, sha: str, rels: list[str]) -> None:
    """Make the index entries of `rels` equal the commit.

    `git commit --only` stages the content it read before the hooks ran; when a
    hook rewrote the file, the index would be left holding a change nobody staged.
    """
    pathspecs = [literal(rel) for rel in rels]
    if repo.git("diff-index", "--cached", "--quiet", sha, "--", *pathspecs, check=False).ok:
        return
    result = _retry_on_lock(repo, ["reset", "-q", sha, "--", *pathspecs], repo.timeout)
    if not result.ok:
        raise OkrError(
            f"commit {sha[:12]} was made, but the index entry of {', '.join(rels)} "
            "could not be updated",
            hint=f"run: git reset -q -- {' '.join(rels)}",
        )


def _retry_on_lock(repo: GitRepo, args: list[str], timeout: float) -> GitResult:
    """Run git, retrying with backoff for up to LOCK_WAIT s while a lock file exists.

    A lock is never removed: it may belong to a live git process.
    """
    deadline = time.monotonic() + LOCK_WAIT
    delay = 0.05
    while True:
        result = repo.git(*args, timeout=timeout, check=False)
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


def _commit_error(repo: GitRepo, result: GitResult, no_verify: bool) -> OkrError:
    output = tail(result.err) or tail(result.out)
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
    if not no_verify and repo.has_commit_hooks():
        return OkrError(
            f"a git hook rejected the commit:\n{output}",
            hint="fix what the hook reports and retry "
            "(git hooks can be skipped with --no-verify)",
        )
    return OkrError(f"git commit failed:\n{output}")


def _landed(repo: GitRepo, head_before: str | None, files: Files) -> str | None:
    """The new HEAD if it already holds every new content (interrupted after committing)."""
    try:
        head = repo.head()
        if head is None or head == head_before:
            return None
        for _, rel, data in files:
            if _blob_id(repo, head, rel) != _hash_as(repo, rel, data):
                return None
        return head
    except OkrError:
        return None


def _roll_back(repo: GitRepo, files: Files, originals: dict[str, bytes | None], intent_to_add: list[str],
               created_dirs: list[Path]) -> str:
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
            result = _retry_on_lock(repo, ["update-index", "--force-remove", "--", *intent_to_add], repo.timeout)
            if not result.ok:
                raise OkrError(tail(result.err))
        except OkrError as exc:
            problems.append(
                f"could not unstage {', '.join(intent_to_add)} ({exc.message}); "
                f"run: git rm --cached -- {' '.join(intent_to_add)}"
            )
    if problems:
        return "nothing was committed, but: " + "; ".join(problems)
    restored = "restored" if any(originals[rel] is not None for _, rel, _ in files) else "removed"
    return f"nothing was committed; {_names(files)} {restored}"


def _verify(repo: GitRepo, sha: str, files: Files, verify: Callable[[Path, bytes], bool] | None,
            hooks: bool) -> None:
    committed = repo.read_blobs(f"{sha}:{rel}" for _, rel, _ in files)
    for path, rel, data in files:
        blob = committed.get(f"{sha}:{rel}")
        if verify is None:
            ok = blob is not None and _blob_id(repo, sha, rel) == _hash_as(repo, rel, data)
        else:
            ok = blob is not None and bool(verify(path, blob))
        if ok:
            continue
        if read_or_none(path) != data:
            write_atomic(path, data)
        why = "a git hook changed the file" if hooks else "the file changed while git committed it"
        raise OkrError(
            f"commit {sha[:12]} was made, but its {rel} does not hold the new value ({why})",
            hint=f"the new value is in the working tree, not committed: review it with "
            f"git diff -- {rel}, then commit it",
        )


def _verify_message(repo: GitRepo, sha: str, message: str) -> None:
    """The landed message still holds every `Okr-` trailer line okr wrote, in order."""
    wanted = [line for line in message.splitlines() if line.startswith("Okr-")]
    if not wanted:
        return
    obj = repo.objects.read([sha])[0]
    raw = obj.data if obj is not None else b""
    landed = raw.split(b"\n\n", 1)[1].decode("utf-8", "replace") if b"\n\n" in raw else ""
    kept = iter(line.rstrip() for line in landed.splitlines() if line.startswith("Okr-"))
    if not all(line.rstrip() in kept for line in wanted):  # each one, in order (a hook may add)
        raise OkrError(
            f"commit {sha[:12]} was made, but its message lost okr's Okr- trailers "
            "(a commit-msg or prepare-commit-msg hook rewrote it): okr log would show it "
            "as a hand edit",
            hint="fix the hook to keep trailer lines, then amend the message: "
            "git commit --amend (the values themselves are committed)",
        )


def _blob_id(repo: GitRepo, rev: str, rel: str) -> str | None:
    obj = repo.objects.read([f"{rev}:{rel}"])[0]
    return obj.oid if obj is not None else None


def _hash_as(repo: GitRepo, rel: str, data: bytes) -> str:
    """The blob id git would store for `data` at `rel` (autocrlf and filters applied)."""
    return repo.git("hash-object", f"--path={rel}", "--stdin", input=data).out.strip()


def _refuse_read_only(files: Files) -> None:
    """A file without write permission (chmod 0444) is a user's "do not touch": exit 2."""
    for path, rel, _ in files:
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            continue
        if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
            raise OkrError(f"{rel} is read-only (mode {stat.S_IMODE(mode):04o}); okr will not replace it",
                           hint=f"if it should change, make it writable first: chmod u+w {rel}")


def _names(files: Files) -> str:
    return ", ".join(rel for _, rel, _ in files)
