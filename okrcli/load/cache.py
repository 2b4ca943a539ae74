"""A content-addressed cache of what loading a file produced, in the user's cache folder.

An entry's key is a hash of everything the result depends on: the bytes of the file
(never its modification time), its path (the cycle and owner come from it), okr's
version and a fingerprint of okr's own code, plus whatever the caller adds (the bytes
of okr.yaml). So an entry can never be stale: a changed input is a different key. The
value is the caller's data as `marshal` bytes of builtin types, each entry behind its
own checksum; an entry that is unreadable, truncated or corrupt is a miss, and the
caller rebuilds it.

Entries live under `$XDG_CACHE_HOME/okr` (default `~/.cache/okr`), never inside the
repository, in segment files: each process that computed something new writes one
segment holding all of it (one file, not one per OKR file: creating thousands of small
files costs more than parsing them), to a temporary name renamed into place, so two
processes sharing the folder see a segment whole or not at all. A segment starts with
its index (key -> offset, length, checksum), read once per process. The folder is
bounded: beyond `MAX_SEGMENTS` segments the oldest go, their entries first moved into the
new segment (many small segments become one; nothing is lost); beyond `MAX_BYTES` bytes
the oldest go with only the entries this process used from them written again, so what
is in use survives. A folder that cannot be created or written just means no
cache. `OKR_CACHE=0` (or `okr check --no-cache`) turns it off: nothing is read or written.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

try:  # hashlib would load OpenSSL too, for a hash okr does not use
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b

MAGIC = b"okrc\x00\x02"
MAX_BYTES = 200 * 1024 * 1024
MAX_SEGMENTS = 32  # beyond this, the oldest go, down to half
_SUM = 16  # bytes of blake2b checksum of an index and of each entry
_HEAD = len(MAGIC) + _SUM + 8  # magic, the index's checksum, the index's length
_READ = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)

_state: dict[str, object] = {"off": False, "fingerprint": None, "store": None}


@contextlib.contextmanager
def turned_off(off: bool = True) -> Iterator[None]:
    """The cache off while inside (`--no-cache`) when `off`; as it was afterwards."""
    before = _state["off"]
    _state["off"] = before or off
    try:
        yield
    finally:
        _state["off"] = before


def enabled() -> bool:
    return not _state["off"] and os.environ.get("OKR_CACHE", "1").strip() not in ("0", "off", "no", "false")


def folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or ""
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    return root / "okr"


def fingerprint() -> bytes:
    """okr's version, Python's, and the size and time of every module of okr: a changed
    okr (a new release or an edited checkout) never reads what an older one wrote."""
    found = _state["fingerprint"]
    if found is None:
        from .. import __version__

        h = blake2b(f"{__version__}\0{sys.version}\0{marshal.version}".encode(), digest_size=16)
        stack = [Path(__file__).resolve().parent.parent]
        while stack:
            here = stack.pop()
            try:
                with os.scandir(here) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                if entry.name.endswith(".py"):
                    try:
                        info = entry.stat()
                    except OSError:
                        continue
                    h.update(f"{entry.path}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
                elif entry.is_dir() and not entry.name.startswith((".", "__")):
                    stack.append(Path(entry.path))
        found = _state["fingerprint"] = h.digest()
    return found  # type: ignore[return-value]


def key(kind: str, *parts: bytes | str) -> str:
    """The key of an entry of `kind` made from `parts` (each length-prefixed, so no two
    different part lists give the same key)."""
    h = blake2b(fingerprint(), digest_size=20)
    h.update(kind.encode())
    for part in parts:
        data = part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def content_hash(data: bytes) -> bytes:
    return blake2b(data, digest_size=20).digest()


def _checksum(data: bytes) -> bytes:
    return blake2b(data, digest_size=_SUM).digest()


class _Store:
    """The segments of one cache folder as this process sees them, and what it will add."""

    def __init__(self, path: str):
        self.path = path
        self.index: dict[str, tuple[str, int, int, bytes]] = {}  # key -> segment, offset, length, checksum
        self.segments: list[tuple[str, int]] = []  # (name, size), oldest first
        self.pending: dict[str, bytes] = {}  # new entries: key -> marshal bytes
        self.used: dict[str, bytes] = {}  # entries read from segments that may be pruned
        self.keep_used = False
        self.unwritable = False
        self.fds: dict[str, int] = {}
        self._read_indexes()

    def close(self) -> None:
        """Close the segments kept open for reading (a new view of the folder replaces this one)."""
        fds, self.fds = self.fds, {}
        for fd in fds.values():
            try:
                os.close(fd)
            except OSError:
                pass

    def _read_indexes(self) -> None:
        try:
            with os.scandir(self.path) as it:
                names = sorted(e.name for e in it if e.name.startswith("seg-"))
        except OSError:
            return
        for name in names:
            found = self._segment_index(name)
            if found is not None:
                for k, where in found[0].items():
                    self.index[k] = (name, *where)
                self.segments.append((name, found[1]))
        # Near the size bound, segments may go at the next write: keep what is read from them.
        self.keep_used = sum(s for _n, s in self.segments) > MAX_BYTES * 0.8

    def _segment_index(self, name: str) -> tuple[dict, int] | None:
        try:
            fd = os.open(os.path.join(self.path, name), _READ)
        except OSError:
            return None
        try:
            size = os.fstat(fd).st_size
            head = os.pread(fd, _HEAD, 0)
            if len(head) < _HEAD or not head.startswith(MAGIC):
                return None
            length = int.from_bytes(head[-8:], "little")
            if length > size:
                return None
            data = os.pread(fd, length, _HEAD)
            if _checksum(data) != head[len(MAGIC):len(MAGIC) + _SUM]:
                return None
            index = marshal.loads(data)
            base = _HEAD + length
            index = {k: (base + offset, n, checksum) for k, (offset, n, checksum) in index.items()}
            self.fds[name] = os.dup(fd)
            return index, size
        except (OSError, EOFError, ValueError, TypeError, AttributeError):
            return None  # not a segment okr wrote whole: its entries are misses
        finally:
            os.close(fd)

    def holds(self, k: str) -> bool:
        return k in self.pending or k in self.index

    def get(self, k: str) -> object | None:
        if k in self.pending:
            return marshal.loads(self.pending[k])
        where = self.index.get(k)
        if where is None:
            return None
        try:
            name, offset, length, checksum = where
            data = os.pread(self.fds[name], length, offset)
            if len(data) != length or _checksum(data) != checksum:
                return None
            value = marshal.loads(data)
        except (OSError, KeyError, EOFError, ValueError, TypeError):
            return None
        if self.keep_used:
            self.used[k] = data
        return value

    def put(self, k: str, value: object) -> None:
        if self.unwritable or k in self.pending:
            return
        try:
            self.pending[k] = marshal.dumps(value)
        except ValueError:
            pass

    def flush(self) -> None:
        """Write what is new as one segment, then drop the oldest segments beyond the bounds."""
        if not self.pending or self.unwritable:
            self.pending.clear()
            return
        doomed, over_size = self._doomed(sum(len(data) for data in self.pending.values()))
        carried = self.used if over_size else self._live_in(doomed)
        entries = {**carried, **self.pending}
        self.pending, self.used = {}, {}
        index, offset = {}, 0  # offsets count from the end of the index
        for k, data in entries.items():
            index[k] = (offset, len(data), _checksum(data))
            offset += len(data)
        raw = marshal.dumps(index)
        head = MAGIC + _checksum(raw) + len(raw).to_bytes(8, "little")
        name = f"seg-{time.time_ns():020d}-{os.getpid()}"
        if self._write(name, [head, raw, *entries.values()]):
            self.segments.append((name, len(head) + len(raw) + offset))
            self._prune(doomed)
            found = self._segment_index(name)  # what it holds, for this process's later loads
            for k, where in (found[0] if found is not None else {}).items():
                self.index[k] = (name, *where)

    def _doomed(self, adding: int) -> tuple[list[str], bool]:
        """The oldest segments that go when a segment of about `adding` bytes is written (none
        while within the bounds), and whether the cache is over its size (else its count)."""
        sizes = [*self.segments, ("", adding)]
        total = sum(size for _name, size in sizes)
        if len(sizes) <= MAX_SEGMENTS and total <= MAX_BYTES:
            return [], False
        over_size = total > MAX_BYTES
        doomed = []
        while len(sizes) > 1 and (len(sizes) > MAX_SEGMENTS // 2 or total > MAX_BYTES * 0.8):
            name, size = sizes.pop(0)
            total -= size
            doomed.append(name)
        return doomed, over_size

    def _live_in(self, doomed: list[str]) -> dict[str, bytes]:
        """The entries of `doomed` segments not written again later: over the count bound only,
        they move into the new segment, so many small segments become one and nothing is lost
        (over the size bound only the entries this process used move, `used`)."""
        names = set(doomed)
        live: dict[str, bytes] = {}
        for k, (name, offset, length, checksum) in self.index.items():
            if name in names and k not in self.pending:
                try:
                    data = os.pread(self.fds[name], length, offset)
                except (OSError, KeyError):
                    continue
                if len(data) == length and _checksum(data) == checksum:
                    live[k] = data
        return live

    def _write(self, name: str, chunks: list[bytes]) -> bool:
        from ..files import write_private

        try:
            write_private(self.path, name, chunks)
            return True
        except OSError:
            self.unwritable = True  # a read-only or full cache folder: carry on without it
            return False

    def _prune(self, doomed: list[str]) -> None:
        if not doomed:
            return
        names = set(doomed)
        self.segments = [(name, size) for name, size in self.segments if name not in names]
        for name in doomed:
            try:
                os.unlink(os.path.join(self.path, name))
            except OSError:
                pass
        self._drop_stale_temporaries()
        self.keep_used = False

    def _drop_stale_temporaries(self) -> None:
        """Temporary files a process killed mid-write left, an hour or more ago."""
        stale = time.time() - 3600
        try:
            with os.scandir(self.path) as it:
                for entry in it:
                    if entry.name.startswith(".tmp-") and entry.stat(follow_symlinks=False).st_mtime < stale:
                        os.unlink(entry.path)
        except OSError:
            pass


def _store() -> _Store | None:
    """This process's view of the cache folder (None when the cache is off)."""
    if not enabled():
        return None
    where = (os.environ.get("XDG_CACHE_HOME"), os.environ.get("HOME"), os.getpid())
    store = _state["store"]
    if store is None or store.where != where:  # type: ignore[attr-defined]
        if store is not None:
            store.close()  # another folder or process: its open segments are not read again
        store = _Store(str(folder()))
        store.where = where  # type: ignore[attr-defined]
        _state["store"] = store
    return store  # type: ignore[return-value]


def get(k: str) -> object | None:
    """The value stored under `k`, or None (missing, unreadable, corrupt, or cache off)."""
    store = _store()
    return store.get(k) if store is not None else None


def holds(k: str) -> bool:
    """Whether an entry is stored under `k` (`get` may still find it unreadable)."""
    store = _store()
    return store is not None and store.holds(k)


def put(k: str, value: object) -> None:
    """Keep `value` (builtin types only) for `k`; `flush` writes it."""
    store = _store()
    if store is not None:
        store.put(k, value)


def flush() -> None:
    """Write what this process added since the last flush, as one segment; any failure is silent."""
    store = _store()
    if store is not None:
        store.flush()
