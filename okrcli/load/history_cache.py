"""Check-ins already read from git, kept by commit: a repository whose history was read
before is not read and parsed whole again.

A commit never changes, and neither does what `git log` prints of it and its ancestors,
given the few inputs `gitstore.log_inputs` names (the shallow boundary, .mailmap, git's
log settings; none at all when replace refs or grafts could rewrite history in place). So
the check-ins of the log of commit T, read once, are kept under T (through `load.cache`),
with the tips read lately under one more entry. When HEAD is a tip read before, nothing is
read. When HEAD moved on, the nearest tip T on HEAD's single-parent chain is found (one
`git rev-list`): along such a chain git walks one commit after the other, so the log of
HEAD is exactly the log of `T..HEAD` followed by the log of T, and only `T..HEAD` is read.
Anything else (a merge in between, a rebase, an amend, a reset to a commit never read, a
deepened shallow clone) reads the whole log again. An entry is the check-ins of `B..T` and
B (empty for a whole log); a tip's check-ins are its entry's and B's, down the chain.

Entries come back untrusted: anything that is not what `_pack` writes is a miss, and the
whole log is read.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from . import cache

if TYPE_CHECKING:
    from ..gitstore import GitRepo
    from .history import CheckIn

Read = Callable[[str | None, str], "tuple[list[CheckIn], list[tuple[str, str]]]"]

VERSION = 1
MAX_TIPS = 8  # tips kept per repository and OKR folder
MAX_DEPTH = 16  # entries of new commits on an older one before one whole entry is written again
CHAIN_LOOK = (64, 4096)  # commits looked back along HEAD's chain, first a few, then more
_KINDS = frozenset({"checkin", "edit", "grade"})
_FIELDS = 13  # of a CheckIn


def read_through_cache(git: GitRepo, prefix: str, read: Read,
                       record: type[CheckIn]) -> tuple[list[CheckIn], list[tuple[str, str]]] | None:
    """Every check-in of the log of HEAD (for the OKR folder `prefix`) and the commits whose
    trailers were left out, as `read(None, H)` gives them for HEAD's commit H, from the cache
    where it can; `read(T, H)` reads the log of `T..H`, and `record` is the CheckIn class.
    None when no cache can serve (off, no commit, history that may be rewritten in place):
    the caller reads as it would without one."""
    if len(record._fields) != _FIELDS:
        return None
    if not cache.enabled():
        return None
    head = git.head()
    if head is None:
        return None
    from ..gitstore import log_inputs

    inputs = log_inputs(git)
    if inputs is None:
        return None
    tips_key = cache.key("history-tips", prefix, inputs)
    tips = _tips(cache.get(tips_key))
    if head in tips:
        found = _load(head, prefix, inputs, record)
        if found is not None:
            return found[0], found[1]
    base, older = _ancestor(git, head, [t for t in tips if t != head], prefix, inputs, record)
    if older is not None:
        new, new_skipped = read(base, head)
        checkins, skipped = new + older[0], new_skipped + older[1]
        depth = older[2] + 1
        if depth > MAX_DEPTH:
            _store(head, None, checkins, skipped, 0, prefix, inputs)
        else:
            _store(head, base, new, new_skipped, depth, prefix, inputs)
    else:
        checkins, skipped = read(None, head)
        _store(head, None, checkins, skipped, 0, prefix, inputs)
    cache.put(tips_key, [head] + [t for t in tips if t != head][: MAX_TIPS - 1])
    cache.flush()
    return checkins, skipped


def _tips(value: object) -> list[str]:
    if not isinstance(value, list):
        return []
    return [t for t in value if isinstance(t, str)][:MAX_TIPS]


def _ancestor(git: GitRepo, head: str, tips: list[str], prefix: str, inputs: bytes,
              record: type) -> tuple[str | None, tuple | None]:
    """The nearest tip read before on HEAD's single-parent chain, with what it holds
    (None, None when there is none, or its entry cannot be read)."""
    if not tips:
        return None, None
    from ..gitstore import single_parent_chain

    wanted = set(tips)
    for count in CHAIN_LOOK:
        chain = single_parent_chain(git, head, count)
        for sha in chain[1:]:
            if sha in wanted:
                found = _load(sha, prefix, inputs, record)
                return (sha, found) if found is not None else (None, None)
        if len(chain) < count:  # a merge, the root or a shallow boundary ended it: no tip on it
            break
    return None, None


def _entry_key(tip: str, prefix: str, inputs: bytes) -> str:
    return cache.key("history", prefix, inputs, tip)


def _store(tip: str, base: str | None, checkins: list[CheckIn], skipped: list[tuple[str, str]], depth: int,
           prefix: str, inputs: bytes) -> None:
    cache.put(_entry_key(tip, prefix, inputs), _pack(tip, base, checkins, skipped, depth))


def _pack(tip: str, base: str | None, checkins: list[CheckIn], skipped: list[tuple[str, str]],
          depth: int) -> dict:
    """An entry as builtin types (`load.cache` stores marshal data): one column per field."""
    columns = [list(column) for column in zip(*checkins)] if checkins else [[] for _ in range(_FIELDS)]
    columns[7] = [d.isoformat() for d in columns[7]]
    for n in _REPEATED:  # one object per distinct text: marshal then writes (and reads) it once
        same: dict = {}
        columns[n] = [same.setdefault(text, text) for text in columns[n]]
    return {"v": VERSION, "tip": tip, "base": base or "", "depth": depth, "columns": columns,
            "skipped": [list(s) for s in skipped]}


def _load(tip: str, prefix: str, inputs: bytes,
          record: type) -> tuple[list[CheckIn], list[tuple[str, str]], int] | None:
    """The check-ins and skipped commits of the log of `tip`, down its chain of entries, and
    the depth of its entry; None when an entry is missing or not what okr writes."""
    checkins: list[CheckIn] = []
    skipped: list[tuple[str, str]] = []
    depth = None
    at = tip
    for _ in range(MAX_DEPTH + 1):
        entry = _unpack(cache.get(_entry_key(at, prefix, inputs)), at, partial(tuple.__new__, record))
        if entry is None:
            return None
        base, entry_depth, found, left_out = entry
        depth = entry_depth if depth is None else depth
        checkins += found
        skipped += left_out
        if not base:
            return checkins, skipped, depth
        at = base
    return None


def _unpack(value: object, tip: str, make: Callable) -> tuple[str, int, list[CheckIn], list[tuple[str, str]]] | None:
    """An entry as `_pack` wrote it for `tip`, checked field by field; None for anything else."""
    try:
        if type(value) is not dict or value.get("v") != VERSION or value.get("tip") != tip:
            return None
        base, depth, columns, skipped = value["base"], value["depth"], value["columns"], value["skipped"]
        if type(base) is not str or type(depth) is not int or not 0 <= depth <= MAX_DEPTH or \
                type(columns) is not list or len(columns) != _FIELDS or type(skipped) is not list:
            return None
        rows = len(columns[0]) if type(columns[0]) is list else -1
        if any(type(c) is not list or len(c) != rows for c in columns) or not _valid(columns):
            return None
        columns[7] = list(map(datetime.fromisoformat, columns[7]))
        left_out = [(s[0], s[1]) for s in skipped
                    if type(s) is list and len(s) == 2 and type(s[0]) is str and type(s[1]) is str]
        if len(left_out) != len(skipped):
            return None
        return base, depth, list(map(make, zip(*columns))), left_out
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


_REPEATED = (0, 1, 2, 6, 8, 9, 11)  # kind, cycle, ref, unit, name, email, note
_TEXT, _TEXTS = {str}, (0, 1, 2, 7, 8, 9, 10, 11)  # kind, cycle, ref, date, name, email, commit, note
_VALUE = {bool, int, float, str, type(None)}


def _valid(columns: list[list]) -> bool:
    """The types of each column are those of a CheckIn (a value from a cache is untrusted)."""
    if any(not set(map(type, columns[n])) <= _TEXT for n in _TEXTS) or not set(columns[0]) <= _KINDS:
        return False
    if not set(map(type, columns[3])) <= _VALUE or not set(map(type, columns[4])) <= _VALUE:
        return False
    if not set(map(type, columns[5])) <= {float, int, bool, type(None)} or \
            not set(map(type, columns[6])) <= {str, type(None)}:
        return False
    if not set(map(type, columns[12])) <= {tuple}:
        return False
    return all(set(map(type, links)) <= _TEXT for links in columns[12] if links)
