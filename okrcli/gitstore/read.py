"""Reading git: objects through ONE persistent `cat-file --batch`, history from one `git log`.

`ObjectReader` keeps one `git cat-file --batch` process (started through
GitPython's command object, `as_process=True`) for the life of a `GitRepo`:
revisions, commits, trees and blobs all go through it, and one parser reads its
answers. Requests are written in batches that fit in the pipe (git has read
every earlier one before it answers), so many objects cost one round trip, and
a tree is listed level by level without `ls-tree`.

History streams from `git log --format=LOG_FORMAT` (`stream_git`): okr parses
one part while git writes the next.
"""

from __future__ import annotations

import os
import re
import select
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from ..errors import OkrError
from .run import READ_TIMEOUT, literal, run_git, start, stop

if TYPE_CHECKING:
    from .repo import GitRepo

_BATCH_BYTES = 32 * 1024  # requests per write: well under a pipe's 64 KiB
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}\Z")
_HEADER_RE = re.compile(rb"^([0-9a-f]{40}|[0-9a-f]{64}) ([a-z]+) ([0-9]+)\Z")


class GitObject(NamedTuple):
    kind: str  # blob | tree | commit | tag
    oid: str  # full hex id
    data: bytes


@dataclass(frozen=True)
class TreeEntry:
    mode: str  # six digits, as ls-tree prints it (100644, 100755, 120000, 160000)
    sha: str
    path: str  # relative to the top-level folder


def _readable(fd: int, timeout: float) -> bool:
    """Whether `fd` has data (or its end) within `timeout` seconds; poll, not select, so any
    descriptor number works."""
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    return bool(poller.poll(max(0, int(timeout * 1000) + 1)))


class ObjectReader:
    """One `git cat-file --batch` in `cwd`, started on first use, for every object read."""

    def __init__(self, cwd: Path, *, timeout: float = READ_TIMEOUT, env: Mapping[str, str] | None = None):
        self.cwd, self.timeout, self.env = cwd, timeout, env
        self._proc = None
        self._buffer = bytearray()

    def read(self, names: Iterable[str]) -> list[GitObject | None]:
        """Each named object (any revision expression: `SHA`, `REV:PATH`, `REV^{commit}`),
        None for one that is missing or ambiguous. Names may not hold a newline."""
        names = list(names)
        if any("\n" in name for name in names):
            raise ValueError("an object name for cat-file --batch cannot hold a newline")
        found: list[GitObject | None] = []
        batch: list[bytes] = []
        size = 0
        for name in names:
            line = os.fsencode(name) + b"\n"
            if batch and size + len(line) > _BATCH_BYTES:
                found += self._exchange(batch)
                batch, size = [], 0
            batch.append(line)
            size += len(line)
        if batch:
            found += self._exchange(batch)
        return found

    def _exchange(self, batch: list[bytes]) -> list[GitObject | None]:
        proc = self._start()
        deadline = time.monotonic() + self.timeout
        try:
            try:
                os.write(proc.stdin.fileno(), b"".join(batch))
            except BrokenPipeError:  # it ended: say why, from its stderr
                self._buffer.clear()
                self._fill(deadline)
            answers = [self._answer(deadline) for _ in batch]
        except BaseException:
            self.close(force=True)
            raise
        return answers

    def _answer(self, deadline: float) -> GitObject | None:
        line = self._until_newline(deadline)
        header = _HEADER_RE.match(line)
        if header is None:
            if line.endswith((b" missing", b" ambiguous")):
                return None
            raise OkrError(f"git cat-file answered {line[:200]!r}")
        oid, kind, size = header.groups()
        data = self._exactly(int(size) + 1, deadline)[:-1]
        return GitObject(kind.decode("ascii"), oid.decode("ascii"), data)

    def _start(self):
        if self._proc is None:
            self._proc = start(["cat-file", "--batch"], self.cwd, stdin=True, env=self.env)
            self._finalizer = weakref.finalize(self, _close, self._proc)
        return self._proc

    def _fill(self, deadline: float) -> None:
        fd = self._proc.stdout.fileno()
        left = deadline - time.monotonic()
        if left <= 0 or not _readable(fd, left):
            from .run import GitTimeout

            raise GitTimeout(f"`git cat-file` did not answer within {self.timeout:g} s and was stopped")
        data = os.read(fd, 1 << 20)
        if not data:
            err = self._proc.stderr.read().decode("utf-8", "replace") if self._proc.stderr else ""
            from .run import DUBIOUS_RE, dubious_ownership, tail

            if DUBIOUS_RE.search(err):
                raise dubious_ownership(err, self.cwd)
            raise OkrError(f"git cat-file stopped early:\n{tail(err)}")
        self._buffer += data

    def _until_newline(self, deadline: float) -> bytes:
        while (end := self._buffer.find(b"\n")) < 0:
            self._fill(deadline)
        line = bytes(self._buffer[:end])
        del self._buffer[: end + 1]
        return line

    def _exactly(self, size: int, deadline: float) -> bytes:
        while len(self._buffer) < size:
            self._fill(deadline)
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def close(self, *, force: bool = False) -> None:
        """End the process (closing its stdin ends it; `force` stops it)."""
        proc, self._proc = self._proc, None
        self._buffer.clear()
        if proc is not None:
            self._finalizer.detach()
            stop(proc) if force else _close(proc)


def _close(proc) -> None:
    try:
        proc.stdin.close()
        proc.wait(timeout=5)
    except Exception:  # noqa: BLE001 - a reader that will not end is stopped
        stop(proc)
    for stream in (proc.stdout, proc.stderr):
        if stream is not None and not stream.closed:
            stream.close()


# --- trees and blobs --------------------------------------------------------------------------------


def tree_entries(data: bytes, width: int) -> Iterator[tuple[str, str, str]]:
    """(mode as ls-tree prints it, name, hex id) of each entry of a raw tree object."""
    pos, end = 0, len(data)
    while pos < end:
        space = data.index(b" ", pos)
        nul = data.index(b"\0", space)
        yield (data[pos:space].decode("ascii").rjust(6, "0"), os.fsdecode(data[space + 1:nul]),
               data[nul + 1:nul + 1 + width].hex())
        pos = nul + 1 + width


def list_tree(repo: GitRepo, sha: str, prefix: str) -> list[TreeEntry]:
    """Blobs, links and submodules under `prefix` (top-relative, '' for all) in commit `sha`,
    in git's order (as `ls-tree -r` lists them), read level by level."""
    start_name = f"{sha}:{prefix}" if prefix else f"{sha}^{{tree}}"
    children: dict[str, list[tuple[str, str, str]]] = {}
    level = [(prefix, start_name)]
    while level:
        got = repo.objects.read(name for _, name in level)
        nxt = []
        for (path, _), obj in zip(level, got):
            if obj is None or obj.kind != "tree":
                continue
            entries = children[path] = list(tree_entries(obj.data, len(obj.oid) // 2))
            nxt += [(f"{path}/{name}" if path else name, oid) for mode, name, oid in entries if mode == "040000"]
        level = nxt
    out: list[TreeEntry] = []

    def walk(path: str) -> None:
        for mode, name, oid in children.get(path, ()):
            full = f"{path}/{name}" if path else name
            if mode == "040000":
                walk(full)
            else:
                out.append(TreeEntry(mode, oid, full))

    walk(prefix)
    return out


def read_blobs(repo: GitRepo, shas: list[str]) -> dict[str, bytes]:
    """The content of each blob (OkrError when one is missing)."""
    unique = list(dict.fromkeys(shas))
    blobs = {}
    for sha, obj in zip(unique, repo.objects.read(unique)):
        if obj is None:
            raise OkrError(f"git object {sha} is missing")
        blobs[sha] = obj.data
    return blobs


def read_paths_at(repo: GitRepo, sha: str, paths: list[str], prefix: str) -> dict[str, bytes]:
    """The regular files among `paths` (top-relative) in commit `sha`; absent ones and symbolic
    links are left out. Their folders' trees are read, then the blobs (two round trips)."""
    if not paths:
        return {}
    wanted = set(paths)
    folders = sorted({p.rpartition("/")[0] for p in paths})
    if len(folders) > 1000 or any("\n" in f for f in folders):
        entries = [(e.path, e.mode, e.sha) for e in list_tree(repo, sha, prefix)]
    else:
        entries = []
        names = [f"{sha}:{f}" if f else f"{sha}^{{tree}}" for f in folders]
        for folder, obj in zip(folders, repo.objects.read(names)):
            if obj is not None and obj.kind == "tree":
                entries += [(f"{folder}/{name}" if folder else name, mode, oid)
                            for mode, name, oid in tree_entries(obj.data, len(obj.oid) // 2)]
    found = {path: oid for path, mode, oid in entries if path in wanted and mode in ("100644", "100755")}
    contents = read_blobs(repo, list(found.values()))
    return {path: contents[blob] for path, blob in found.items()}


def commit_date(obj: GitObject) -> str | None:
    """The committer date of a raw commit as strict ISO 8601 (`git log --format=%cI`)."""
    from datetime import datetime, timedelta, timezone

    head = obj.data.split(b"\n\n", 1)[0]
    for line in head.split(b"\n"):
        if line.startswith(b"committer "):
            parts = line.rsplit(b" ", 2)
            try:
                stamp, zone = int(parts[1]), parts[2].decode("ascii")
                sign = -1 if zone[0] == "-" else 1
                offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5])) * sign
                return datetime.fromtimestamp(stamp, timezone(offset)).isoformat()
            except (ValueError, IndexError, OverflowError, OSError):
                return None
    return None


def resolve_revision(repo: GitRepo, at: str) -> tuple[str, str]:
    """`at` (a date YYYY-MM-DD or any revision) as (commit sha, committer date ISO).

    A date means the last commit on HEAD made on or before that day."""
    if at.startswith("-") or "\0" in at or "\n" in at:
        raise OkrError(f"'{at}' is not a revision or a date")
    if _DATE_RE.match(at):
        result = repo.git("rev-list", "-1", f"--before={at} 23:59:59", "HEAD", "--", check=False)
        sha = result.out.strip()
        if not result.ok or not sha:
            raise OkrError(f"no commit on or before {at}", hint="the repository's history starts later")
        obj = repo.objects.read([sha])[0]
    else:
        obj = repo.objects.read([f"{at}^{{commit}}"])[0]
        if obj is None or obj.kind != "commit":
            raise OkrError(f"'{at}' is not a commit or a date", hint="use a revision (HEAD~3, v1.0, a sha) "
                                                                    "or a date (YYYY-MM-DD)")
    when = commit_date(obj) if obj is not None else None
    if when is None:  # a date Python cannot hold: git prints it
        when = repo.git("show", "-s", "--format=%cI", obj.oid if obj else sha, "--").out.strip()
    return (obj.oid if obj else sha), when


# --- history --------------------------------------------------------------------------------------

# One record per commit: \x1e, then fields split by \x1f, the message closed by \x1d and the
# commit's sha again; with --name-only, the paths the commit touched follow on their own lines.
# A message may hold any of these marks, but never its own commit's sha (the sha is a hash of
# the message): so a record ends at the first \x1d followed by its own sha, and a mark inside a
# message can cut no record short, nor make one up.
LOG_FORMAT = "%x1e%H%x1f%P%x1f%aN%x1f%aE%x1f%aI%x1f%B%x1d%H"


class LogCommit(NamedTuple):
    """One commit as `git log` printed it (author name and email after .mailmap)."""

    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    date: str  # author date, strict ISO 8601 with its offset
    message: str
    paths: tuple[str, ...] = ()  # with name_only: top-level-relative paths it touched


def log_args(paths: Iterable[str], *, since_commit: str | None = None, since_date: str | None = None,
             author: str | None = None, commits: Iterable[str] | None = None, name_only: bool = False,
             no_merges: bool = False, grep: str | None = None, tip: str = "HEAD") -> tuple[list[str], bytes | None]:
    """The `git log` arguments (and stdin) of `GitRepo.log`."""
    args = ["log", f"--format={LOG_FORMAT}", "--no-show-signature", "--no-color",
            "--no-abbrev-commit", "--no-ext-diff", "--no-textconv"]
    stdin = None
    if name_only:
        args += ["--name-only", "--diff-merges=first-parent", "--no-renames"]
    if no_merges:
        args.append("--no-merges")
    if grep is not None:
        args += [f"--grep={grep}", "--regexp-ignore-case", "--extended-regexp"]
    if since_date:
        args.append(f"--since={since_date}")
    if author:
        args += [f"--author={author}", "--fixed-strings", "--regexp-ignore-case"]
    if commits is not None:
        args += ["--no-walk=unsorted", "--stdin"]
        stdin = "".join(f"{sha}\n" for sha in commits).encode()
    else:
        args.append(tip if since_commit is None else f"{since_commit}..{tip}")
    args += ["--", *log_paths(paths)]
    return args, stdin


def parse_log(chunks: Iterable[bytes], name_only: bool) -> Iterator[LogCommit]:
    """Commits from `git log --format=LOG_FORMAT` output, read part by part."""
    for batch in log_records(chunks):
        for text in batch:
            yield log_commit(text, name_only)


_RECORD_SPLIT_RE = re.compile(rb"\x1e(?=[0-9a-f]{40}(?:[0-9a-f]{24})?\x1f)")


def log_records(chunks: Iterable[bytes]) -> Iterator[list[str]]:
    """The records of `git log --format=LOG_FORMAT` output as text, a list per part read.

    A record starts at \\x1e followed by a sha and \\x1f, and ends with \\x1d and that sha
    again; a piece cut at a mark inside a message is joined to what follows until that end.
    The last record of a part may go on in the next, so it waits for it (or for the end).
    Each record is decoded on its own: most are ASCII, and stay compact strings."""
    rest = b""
    held: str | None = None  # a record cut short by a mark inside its message
    for chunk in chunks:
        pieces = _RECORD_SPLIT_RE.split(rest + chunk)
        rest = b"\x1e" + pieces.pop() if len(pieces) > 1 else pieces.pop()
        if len(pieces) > 1:
            records, held = _whole([piece.decode("utf-8", "replace") for piece in pieces[1:]], held)
            if records:
                yield records
    records, held = _whole([piece.decode("utf-8", "replace") for piece in _RECORD_SPLIT_RE.split(rest)[1:]],
                           held)
    if held is not None:  # git ended without closing it (it failed, and says so)
        records.append(held)
    if records:
        yield records


def _whole(pieces: list[str], held: str | None) -> tuple[list[str], str | None]:
    """`pieces` with each one that lacks its own end joined to the ones after it; the last,
    when its end has not come yet, is held for the next part."""
    records = []
    for piece in pieces:
        if held is not None:
            piece, held = f"{held}\x1e{piece}", None
        if piece[-42:-41] == "\x1d" and piece[-1:] == "\n" and piece.startswith(piece[-41:-1]) or \
                _has_end(piece):  # the usual end first: \x1d, a sha-1 that starts the record, \n
            records.append(piece)
        else:
            held = piece
    return records, held


def _has_end(piece: str) -> bool:
    """Whether a record holds its own end: \\x1d and its sha, last or before its paths."""
    mark = "\x1d" + piece[:piece.find("\x1f")]
    return piece.endswith(mark) or mark + "\n" in piece


def log_commit(text: str, name_only: bool) -> LogCommit:
    """One record of `log_records` as a LogCommit."""
    sha, parents, name, email, date, rest = text.split("\x1f", 5)
    end = rest.rfind("\x1d" + sha)
    paths = tuple(p for p in rest[end + 1 + len(sha):].split("\n") if p) if name_only else ()
    return LogCommit(sha, tuple(parents.split()), name, email, date, rest[:end], paths)


def log_paths(paths: Iterable[str]) -> list[str]:
    """Pathspecs for `git log`: literal paths, or `:(glob)` ones for a trailing `*/NAME`."""
    return [p if p.startswith(":(") else literal(p) for p in paths]


# --- comparing revisions (okr diff) --------------------------------------------------------------


def okr_pathspecs(prefix: str) -> list[str]:
    """Pathspecs of the files an OKR root holds (okr.yaml, org.yaml, <CYCLE>/<OWNER>.yaml) under
    `prefix` (top-relative, '' for the top): all `okr diff` needs git to compare."""
    base = f"{prefix}/" if prefix else ""
    glob_base = re.sub(r"([*?\[\\])", r"\\\1", base)  # the prefix itself is literal
    return [literal(f"{base}okr.yaml"), literal(f"{base}org.yaml"), f":(glob){glob_base}*/*.yaml"]


def merge_base(repo: GitRepo, a: str, b: str) -> str:
    """The best common ancestor of commits `a` and `b` (what `A...B` compares from)."""
    result = repo.git("merge-base", "--end-of-options", a, b, check=False)
    sha = result.out.strip().splitlines()[0] if result.ok and result.out.strip() else ""
    if not sha:
        shallow = repo.is_shallow()
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


def commits_in(repo: GitRepo, tip: str, since: str | None = None) -> list[str]:
    """The commits reachable from `tip` (and not from `since`), newest first."""
    return repo.git("rev-list", tip if since is None else f"{since}..{tip}", "--").out.split()


def single_parent_chain(repo: GitRepo, tip: str, count: int) -> list[str]:
    """`tip` and its first ancestors, newest first, while each commit has exactly one parent
    (at most `count`; the last listed is the first merge or root commit met, or the count's end).

    Along such a chain `git log` walks one commit after the other, whatever their dates, so
    the log of `tip` is the log of `C..tip` followed by the log of C, for any C listed."""
    lines = repo.git("rev-list", "--parents", f"--max-count={count}", tip, "--").out.splitlines()
    chain: list[str] = []
    expected = tip
    for line in lines:
        sha, *parents = line.split()
        if sha != expected:
            break
        chain.append(sha)
        if len(parents) != 1:
            break
        expected = parents[0]
    return chain


def log_inputs(repo: GitRepo) -> bytes | None:
    """What, beside the commits themselves, decides what `git log` prints of a commit and its
    ancestors: the shallow boundary, the work tree's .mailmap, git's i18n and log settings.

    None when history may change in place under the same commit id, unseen: replace refs,
    grafts, refs okr cannot list (reftable), a mailmap file or blob named in git's config. A
    cache of what was read from history must not be used then."""
    common = _common_dir(repo.info.git_dir)
    if (common / "info" / "grafts").exists() or (common / "reftable").exists() or _replaces(common):
        return None
    parts = [f"{repo.top}\0{os.environ.get('HOME', '')}\0{os.environ.get('XDG_CONFIG_HOME', '')}".encode()]
    parts += [f"{name}={os.environ[name]}".encode() for name in sorted(os.environ)
              if name.startswith("GIT_CONFIG")]
    for path in (common / "shallow", repo.top / ".mailmap"):
        try:
            parts.append(path.read_bytes())
        except FileNotFoundError:
            parts.append(b"\0absent")
        except OSError:
            return None
    try:
        config = repo.config()
        if config.has_section("mailmap"):
            return None
        for section in ("i18n", "log"):
            if config.has_section(section):
                parts.append(repr(sorted(config.items(section))).encode("utf-8", "surrogateescape"))
    except Exception:  # noqa: BLE001 - a config GitPython cannot read: no cache
        return None
    return b"\0\0".join(parts)


def _common_dir(git_dir: Path) -> Path:
    """The git directory shared by all work trees (a linked work tree's `commondir`)."""
    try:
        text = (git_dir / "commondir").read_text(encoding="utf-8").strip()
    except OSError:
        return git_dir
    return Path(os.path.normpath(git_dir / text)) if text else git_dir


def _replaces(common: Path) -> bool:
    """Whether the repository has replace refs (loose or packed), which rewrite commits in place."""
    folder = common / "refs" / "replace"
    try:
        if folder.is_dir() and any(files for _, _, files in os.walk(folder)):
            return True
        with open(common / "packed-refs", "rb") as packed:
            return any(b" refs/replace/" in line for line in packed)
    except FileNotFoundError:
        return False
    except OSError:
        return True


def commit_before(repo: GitRepo, day: str, tip: str) -> str | None:
    """The last commit reachable from `tip` committed on or before `day` (YYYY-MM-DD)."""
    found = repo.git("rev-list", "-1", f"--before={day} 23:59:59", tip, "--", check=False)
    return (found.out.strip() or None) if found.ok else None


def committed_on(repo: GitRepo, sha: str) -> str:
    """The committer date of commit `sha`, strict ISO 8601."""
    obj = repo.objects.read([sha])[0]
    when = commit_date(obj) if obj is not None and obj.kind == "commit" else None
    return when or repo.git("show", "-s", "--format=%cI", sha, "--").out.strip()


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
    # Specs are relative to the OKR root (":./path"); a view should not go to the network.
    reader = ObjectReader(Path(root), env={"GIT_NO_LAZY_FETCH": "1"})
    try:
        got = reader.read([f":./{rel}" for rel in absent])
    except (OkrError, ValueError):
        got = [None] * len(absent)
    finally:
        reader.close()
    found = {rel: obj.data for rel, obj in zip(absent, got) if obj is not None and obj.kind == "blob"}
    return found, [rel for rel in absent if rel not in found]
