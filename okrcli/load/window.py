"""The inputs of a report's window, read from git: where `okr report`'s "since then" starts,
the OKR files as they were then, and the two sides `okr diff` compares.

The builders in `okrcli.reports` are pure; they receive what is read here (a `Since`, a
`Baseline`, `DiffSides`) from the command, which calls these readers.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from itertools import compress, count
from operator import ne
from pathlib import Path

from ..cycles import parse_cycle
from ..errors import Diagnostic, OkrError
from ..json_fields import json_meta
from ..model import KeyResult, Objective, OkrFile, Repository

_SPAN_RE = re.compile(r"(\d{1,5})([dw])")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_day(text: str, today: date) -> date | None:
    """`7d` / `2w` (before `today`) or an ISO date as a day; None when `text` is neither (a revision)."""
    span = _SPAN_RE.fullmatch(text)
    if span:
        return today - timedelta(days=int(span.group(1)) * (7 if span.group(2) == "w" else 1))
    if _DATE_RE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise OkrError(f"--since {text}: not a date") from None
    return None


# ------------------------------------------------------------------ okr report: since then

@dataclass(frozen=True)
class Since:
    """Where the window starts: its first day, the commit compared from, the commits inside it."""

    label: str
    day: date
    rev: str | None  # None: no commit before the window (everything is new)
    commits: frozenset[str] | None  # commits after `rev` up to the head; None: count by date


@dataclass(frozen=True)
class Baseline:
    """The OKR files that differ between `Since.rev` and the head, as they were at `Since.rev`.

    Every other file is the same on both sides, so its objectives did not change. A file whose
    only differences are `current:`, `done:` or `confidence:` values (what check-ins write) is
    not parsed again: its objectives are the head's, with the values it held then (`values`)."""

    changed: frozenset[str]  # root-relative paths that differ (present on either side)
    objectives: dict[str, Objective]  # the objectives the other changed files held at `Since.rev`
    values: dict[str, dict[str, object]] = field(default_factory=dict)  # KR key -> field -> value then
    values_only: frozenset[str] = frozenset()  # changed files whose only changes are those values

    def before(self, obj: Objective) -> Objective | None:
        """The objective as it was at the start of the window (None: it did not exist). In a file
        where only values changed, the head's objective: only its key results' values differ."""
        if obj.loc.path not in self.changed or obj.loc.path in self.values_only:
            return obj
        return self.objectives.get(obj.key)

    def before_kr(self, obj: Objective, before: Objective | None, kr: KeyResult) -> KeyResult | None:
        """`kr` of `obj` as it was at the start of the window (None: it did not exist)."""
        if before is None:
            return None
        if before is not obj or obj.loc.path not in self.values_only:
            return before.kr(kr.id)
        old = self.values.get(f"{obj.key}/{kr.id}")
        return replace(kr, **old) if old else kr


def parse_since(text: str | None, today: date, checkin_every: int) -> tuple[str, date | None]:
    """`--since` as (label, first day) for `7d`, `2w` and dates; (text, None) for a revision."""
    if not text:
        every = max(1, checkin_every)
        return f"{every}d", today - timedelta(days=every)
    return text, parse_day(text, today)


def read_since(root: Path, text: str | None, today: date, checkin_every: int, head: str | None) -> Since:
    """Resolve `--since` against git: the commit the window starts after and the commits inside.

    `head` is the commit described (`--at`), None for HEAD and the work tree."""
    from ..gitstore import commit_before, commits_in, committed_on, open_repo
    from ..safe_text import visible

    label, day = parse_since(text, today, checkin_every)
    git = open_repo(root)
    tip = head or git.head()
    if tip is None:
        return Since(label, day or today, None, frozenset())
    if day is None:
        sha = git.resolve_commit(label)
        if sha is None:
            raise OkrError(f"--since {visible(label)}: not a date (YYYY-MM-DD), a span (7d, 2w) or a commit",
                           hint="for example --since 2026-11-20, --since 2w or --since v1.2")
        when = committed_on(git, sha)
        day = date.fromisoformat(when[:10])
    else:
        before = (day - timedelta(days=1)).isoformat()
        sha = commit_before(git, before, tip)
    listed = commits_in(git, tip, sha)
    return Since(label, day, sha, frozenset(listed))


def read_baseline(root: Path, since: Since, head: str | None, repository: Repository | None = None) -> Baseline | None:
    """The OKR files that changed since `since.rev`, as they were then; None without a start commit.

    With the `repository` loaded at the head, a file whose lines differ only in key results'
    values is read line by line instead of parsed (`_old_values`): after a week of check-ins
    that is nearly every changed file."""
    from ..gitstore import changed_paths, log_inputs, okr_pathspecs, open_repo, read_paths_at
    from . import cache
    from .build import okr_files_in
    from .parallel import load_files

    if since.rev is None:
        return None
    git = open_repo(root)
    prefix = git.relpath(root) if Path(root).resolve() != git.top else ""
    prefix = "" if prefix in ("", ".") else prefix
    cut = len(prefix) + 1 if prefix else 0

    kept = cache.enabled() and log_inputs(git) is not None

    def blobs_at(sha: str, rels: list[str]) -> dict[str, bytes]:
        """The files `rels` in commit `sha`, from the cache when read before: what a commit
        holds never changes, unless replace refs or grafts rewrite it in place (then
        `log_inputs` is None and nothing is kept)."""
        key = cache.key("files-at", sha, prefix, *rels) if kept else None
        hit = _files_of(cache.get(key), rels) if key is not None else None
        if hit is not None:
            return hit
        tops = [f"{prefix}/{p}" if prefix else p for p in rels]
        found = {top[cut:]: data for top, data in read_paths_at(git, sha, tops, prefix).items()}
        if key is not None:
            cache.put(key, found)
            cache.flush()
        return found

    changed = [p[cut:] for p in changed_paths(git, since.rev, head, okr_pathspecs(prefix))]
    blobs = blobs_at(since.rev, changed)
    values: dict[str, dict[str, object]] = {}
    values_only: set[str] = set()
    if repository is not None:
        files = {f.path: f for f in repository.files if f.path in blobs}
        now = blobs_at(head, list(files)) if head is not None else _on_disk(root, files)
        for rel, okr_file in files.items():
            found = _old_values(blobs[rel], now.get(rel), okr_file)
            if found is not None:
                values.update(found)
                values_only.add(rel)
    entries = [e for e in okr_files_in({k: v for k, v in blobs.items() if k not in values_only})
               if parse_cycle(e[1]) is not None]
    objectives = first_by_key(load_files(root, entries, [], blobs))
    return Baseline(frozenset(changed), objectives, values, frozenset(values_only))


def _files_of(value: object, rels: list[str]) -> dict[str, bytes] | None:
    """A cached `blobs_at` result as written (some of `rels`, each with its bytes), else None."""
    if not isinstance(value, dict):
        return None
    wanted = set(rels)
    if not all(type(rel) is str and rel in wanted and type(data) is bytes for rel, data in value.items()):
        return None
    return value


def _on_disk(root: Path, files) -> dict[str, bytes]:
    out = {}
    for rel in files:
        try:
            out[rel] = (root / rel).read_bytes()
        except OSError:
            pass
    return out


# `  current: 42`, `  done: true`, `  confidence: 0.7`: block style, plain, no comment, no leading zero
_VALUE_LINE = re.compile(rb"^([ \t]*)(current|done|confidence):[ \t]+(-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?|true|false)[ \t]*$")
_VALUE_FIELDS = ("current", "done", "confidence")


def _value(text: bytes, key: str) -> object:
    """A value as the loader reads it (only the plain forms `_VALUE_LINE` admits); None when the
    loader would not take it for that key."""
    if text in (b"true", b"false"):
        return (text == b"true") if key == "done" else None
    if key == "done":
        return None
    number = float(text) if b"." in text else int(text)
    return number if key == "current" or 0 <= number <= 1 else None


def _old_values(old: bytes, new: bytes | None, okr_file: OkrFile) -> dict[str, dict[str, object]] | None:
    """When `old` and `new` (the file as `okr_file` was loaded from) differ only in lines that
    write a key result's `current`, `done` or `confidence` as a plain number or boolean: the old
    values per KR key (`{}` when nothing differs). None for any other difference."""
    if new is None or old.count(b"\n") != new.count(b"\n"):
        return None
    where: dict[int, tuple[str, str, KeyResult]] | None = None
    out: dict[str, dict[str, object]] = {}
    before, after = old.split(b"\n"), new.split(b"\n")
    for n in compress(count(1), map(ne, before, after)):  # the few lines that differ (their numbers)
        was, now = _VALUE_LINE.match(before[n - 1]), _VALUE_LINE.match(after[n - 1])
        if was is None or now is None or was.group(1, 2) != now.group(1, 2):
            return None
        if where is None:
            where = {kr.spans[k][3]: (f"{o.key}/{kr.id}", k, kr) for o in okr_file.objectives
                     for kr in o.key_results for k in _VALUE_FIELDS if k in kr.spans}
        key = now.group(2).decode()
        found = where.get(n)
        if found is None or found[1] != key:
            return None
        ref, _, kr = found
        value = _value(was.group(3), key)
        if value is None or _value(now.group(3), key) != getattr(kr, key):
            return None
        out.setdefault(ref, {})[key] = value
    return out


def read_window(root: Path, text: str | None, today: date, checkin_every: int, head: str | None,
                history: bool, repository: Repository | None = None) -> tuple[Since, Baseline | None]:
    """The window and its baseline (read against `repository`, the head as loaded, when given);
    without git history, a window of days and no baseline."""
    if not history:
        label, day = parse_since(text, today, checkin_every)
        return Since(label, day or today, None, None), None
    since = read_since(root, text, today, checkin_every, head)
    return since, read_baseline(root, since, head, repository)


def commits_after(git, rev: str) -> frozenset[str]:
    """The commits after `rev` up to HEAD (`--since REV`), of the repository `git` (gitstore)."""
    from ..gitstore import commits_in

    return frozenset(commits_in(git, "HEAD", rev))


def first_by_key(files: list[OkrFile]) -> dict[str, Objective]:
    """Objectives by key; the first of a repeated key counts."""
    found: dict[str, Objective] = {}
    for f in files:
        for obj in f.objectives:
            found.setdefault(obj.key, obj)
    return found


# ------------------------------------------------------------------ okr diff: the two sides

@dataclass(frozen=True)
class Side:
    """One side of the comparison: a commit, or the work tree (sha None)."""

    rev: str | None  # as given ("HEAD", "origin/main"); None for the work tree
    sha: str | None
    date: date  # the commit's date, or today for the work tree: when the change was made
    merge_base: bool = field(default=False, metadata=json_meta(then=("working_tree",)))  # the base of A...B

    @property
    def label(self) -> str:
        if self.sha is None:
            return "working tree"
        if self.merge_base:
            return f"merge-base with {self.rev}"
        return self.rev or self.sha[:12]

    @property
    def working_tree(self) -> bool:
        return self.sha is None


def parse_range(spec: str | None) -> tuple[str, str | None, bool]:
    """`A..B`, `A...B`, `REV` or nothing -> (base, head or None for the work tree, merge-base?).

    An empty side of `..`/`...` means HEAD, as in git."""
    if spec is None or spec == "":
        return "HEAD", None, False
    for sep, symmetric in (("...", True), ("..", False)):
        if sep in spec:
            a, b = spec.split(sep, 1)
            return a or "HEAD", b or "HEAD", symmetric
    return spec, None, False


class DiffSides:
    """The two sides `okr diff` compares, loaded as far as needed: the changed files of both at
    once, the whole head (for its alignment network) only when `head_repo` is first asked for."""

    def __init__(self, root: Path, spec: str | None, today: date):
        from ..gitstore import (
            NO_COMMIT_HINT,
            changed_paths,
            merge_base,
            okr_pathspecs,
            open_repo,
            resolve_revision,
        )

        self.root = root
        try:
            self.git = repo = open_repo(root)
        except OkrError as err:
            if err.hint != NO_COMMIT_HINT:
                raise
            raise OkrError(err.message, hint="okr diff compares git revisions: run it in the git work "
                                             "tree that holds the OKRs") from None
        prefix = repo.relpath(root) if Path(root).resolve() != repo.top else ""
        self.prefix = prefix = "" if prefix in ("", ".") else prefix
        base_rev, head_rev, symmetric = parse_range(spec)
        base_sha, base_when = resolve_revision(repo, base_rev)
        if head_rev is None:
            head_sha, head_date = None, today
        else:
            head_sha, head_when = resolve_revision(repo, head_rev)
            head_date = date.fromisoformat(head_when[:10])
        if symmetric:
            base_sha = merge_base(repo, base_sha, head_sha)
            base_when = resolve_revision(repo, base_sha)[1]
        self.base = Side(base_rev, base_sha, date.fromisoformat(base_when[:10]), symmetric)
        self.head = Side(head_rev, head_sha, head_date)
        self.notes: list[str] = []
        cut = len(prefix) + 1 if prefix else 0
        self.changed = [p[cut:] for p in changed_paths(repo, base_sha, head_sha, okr_pathspecs(prefix))]
        self.before = first_by_key(self._load_changed(self.base))
        self.after = first_by_key(self._load_changed(self.head))
        self._head_repo: Repository | None = None

    def _top(self, rel: str) -> str:
        return f"{self.prefix}/{rel}" if self.prefix else rel

    def _load_changed(self, side: Side) -> list[OkrFile]:
        """The changed OKR files as they are on `side` (those it lacks left out)."""
        from ..gitstore import read_paths_at
        from .build import okr_files_in
        from .parallel import load_files
        from .source import CONFIG_FILE

        diags: list[Diagnostic] = []
        if side.sha is None:
            entries = [e for e in okr_files_in(dict.fromkeys(self.changed))
                       if os.path.isfile(self.root / e[0]) and parse_cycle(e[1]) is not None]
            files = load_files(self.root, entries, diags)
        else:
            wanted = [self._top(rel) for rel in (CONFIG_FILE, *self.changed)]
            cut = len(self.prefix) + 1 if self.prefix else 0
            blobs = {top[cut:]: data for top, data in read_paths_at(self.git, side.sha, wanted, self.prefix).items()}
            if CONFIG_FILE not in blobs:
                if side is self.head:
                    raise OkrError(f"there is no okr.yaml in {self.prefix or 'the repository root'} at {side.label}",
                                   hint="the OKR repository does not exist at that revision")
                self.notes.append(f"there was no okr.yaml at {side.label}: every objective is new")
                return []
            entries = [e for e in okr_files_in(blobs) if parse_cycle(e[1]) is not None]
            files = load_files(self.root, entries, diags, blobs)
        broken = Counter(d.path for d in diags if d.severity.value == "error")
        for path, n in sorted(broken.items()):
            self.notes.append(f"{path} has {n} error{'s' * (n != 1)} at {side.label} (run okr check): "
                              "what could not be read shows as removed or added")
        return files

    def head_repo(self) -> Repository:
        """The whole head, loaded on first call: from disk when the disk holds it, else from git."""
        if self._head_repo is None:
            from .build import load_repository
            from .snapshot import read_revision

            sha = self.head.sha
            if sha is None or _work_tree_is(self.git, sha, self.prefix):
                self._head_repo = load_repository(self.root)[0]  # faster than from git objects
            else:
                self._head_repo = load_repository(self.root, read_revision(self.root, sha)[0])[0]
        return self._head_repo


def _work_tree_is(repo, sha: str, prefix: str) -> bool:
    """True when the OKR files on disk are exactly those of commit `sha` (CI: the head is checked out)."""
    from ..gitstore import changed_paths, okr_pathspecs

    return repo.head() == sha and not changed_paths(repo, sha, None, okr_pathspecs(prefix))
