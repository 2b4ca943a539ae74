"""A content-addressed cache of what loading a file produced, in the user's cache folder.

An entry's key is a hash of everything the result depends on: the bytes of the file
(never its modification time), its path (the cycle and owner come from it), okr's
version and a fingerprint of okr's own code, plus whatever the caller adds (the bytes
of okr.yaml). So an entry can never be stale: a changed input is a different key. The
value is the caller's data as `marshal` bytes of builtin types, behind a header and a
checksum; an entry that is unreadable, truncated or corrupt is a miss, and the caller
rebuilds it.

Entries live under `$XDG_CACHE_HOME/okr` (default `~/.cache/okr`), never inside the
repository. Each is written to a temporary file and renamed into place, so two
processes sharing the folder see an entry whole or not at all. When a process has
written entries it prunes the folder, oldest first, beyond `MAX_BYTES`. A folder that
cannot be created or written just means no cache. `OKR_CACHE=0` (or `okr check
--no-cache`) turns it off: nothing is read or written.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

MAGIC = b"okrc\x00\x01"
MAX_BYTES = 200 * 1024 * 1024
_SUM = 16  # bytes of blake2b checksum in an entry's header

_state: dict[str, object] = {"off": False, "wrote": False, "unwritable": False, "fingerprint": None}


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

        h = hashlib.blake2b(f"{__version__}\0{sys.version}\0{marshal.version}".encode(), digest_size=16)
        package = Path(__file__).resolve().parent.parent
        stack = [package]
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
    """The hex key of an entry of `kind` made from `parts` (each length-prefixed, so no two
    different part lists give the same key)."""
    h = hashlib.blake2b(fingerprint(), digest_size=20)
    h.update(kind.encode())
    for part in parts:
        data = part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def content_hash(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=20).digest()


def _path(k: str) -> Path:
    return folder() / k[:2] / k[2:]


def get(k: str) -> object | None:
    """The value stored under `k`, or None (missing, unreadable, corrupt, or cache off)."""
    if not enabled():
        return None
    try:
        with open(_path(k), "rb") as fh:
            data = fh.read()
    except (OSError, ValueError):
        return None
    head = len(MAGIC) + _SUM
    if len(data) < head or not data.startswith(MAGIC):
        return None
    payload = data[head:]
    if hashlib.blake2b(payload, digest_size=_SUM).digest() != data[len(MAGIC):head]:
        return None
    try:
        return marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None


def put(k: str, value: object) -> None:
    """Store `value` (builtin types only) under `k`, atomically; any failure is silent."""
    if not enabled() or _state["unwritable"]:
        return
    try:
        payload = marshal.dumps(value)
    except ValueError:
        return
    data = MAGIC + hashlib.blake2b(payload, digest_size=_SUM).digest() + payload
    target = _path(k)
    tmp = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
        tmp = None
        _state["wrote"] = True
    except OSError:
        _state["unwritable"] = True  # a read-only or full cache folder: carry on without it
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def prune(limit: int = MAX_BYTES) -> None:
    """After this process wrote entries: remove the oldest ones while the folder holds more
    than `limit` bytes (down to 80% of it), and temporary files a killed process left."""
    if not _state["wrote"]:
        return
    _state["wrote"] = False
    entries = []
    total = 0
    try:
        with os.scandir(folder()) as top:
            shards = [e.path for e in top if len(e.name) == 2 and e.is_dir(follow_symlinks=False)]
        for shard in shards:
            with os.scandir(shard) as it:
                for e in it:
                    try:
                        info = e.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    entries.append((info.st_mtime, e.path, info.st_size, e.name.startswith(".tmp-")))
                    total += info.st_size
    except OSError:
        return
    import time

    stale = time.time() - 3600
    kept = []
    for mtime, path, size, temporary in entries:
        if temporary and mtime < stale:  # left by a process killed mid-write
            total -= size if _remove(path) else 0
        elif not temporary:
            kept.append((mtime, path, size))
    if total <= limit:
        return
    kept.sort()
    for _mtime, path, size in kept:
        if total <= limit * 0.8:
            break
        total -= size if _remove(path) else 0


def _remove(path: str) -> bool:
    try:
        os.unlink(path)
        return True
    except OSError:
        return False
