"""Load many OKR files on several cores: fork, load a share each, send the model back.

Parsing dominates `okr check`, and a repository of 1,000 people is over a
thousand files. Where `os.fork` exists and there are enough files, the work is
split into contiguous shares: forked children each load one share and send it
back to the parent as plain tuples through a pipe (`marshal`, the fastest
serialiser for builtin types), while the parent loads the first share itself,
then rebuilds the children's objects. The result, files and diagnostics alike,
is exactly what a serial load returns, in the same order; a child that fails
for any reason has its share loaded again by the parent.

`fork_map` is the fork itself, for any work whose result is builtin types: `okr check`
uses it to have children judge their files and send back findings and summaries only
(`load.incremental`).

`OKR_WORKERS=1` forces a serial load; `OKR_WORKERS=N` forces N processes.
"""

from __future__ import annotations

import marshal
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

from ..errors import Diagnostic
from ..model import OkrFile
from . import cache
from .okr_file import file_key, load_okr_files
from .packing import pack_diags, unpack_diags, unpack_file
from .packing import (
    pack_file as _pack_file,  # a module name of its own: a test breaks it in the children
)
from .source import read_source

FILES_PER_WORKER = 250  # below this, forking costs more than it saves
CACHED = 0.1  # what a file in the cache costs to load, against one parsed
MAX_WORKERS = 4

Entry = tuple[str, str, str]
T = TypeVar("T")


def worker_count(n_files: int) -> int:
    forced = os.environ.get("OKR_WORKERS", "")
    if forced.isdigit() and int(forced) >= 1:
        return min(int(forced), max(n_files, 1))
    if not hasattr(os, "fork"):
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS, n_files // FILES_PER_WORKER))


def shares(entries: list, workers: int, weights: list[float] | None = None) -> list[list]:
    """`entries` cut into `workers` contiguous shares, in order, of nearly equal size (or of
    nearly equal total weight, one weight per entry, when `weights` are given)."""
    if weights is None:
        return [entries[len(entries) * i // workers: len(entries) * (i + 1) // workers] for i in range(workers)]
    total, cuts, running = sum(weights), [0], 0.0
    for n, weight in enumerate(weights):
        running += weight
        while len(cuts) < workers and running >= total * len(cuts) / workers:
            cuts.append(n + 1)
    cuts += [len(entries)] * (workers + 1 - len(cuts))
    return [entries[cuts[i]:cuts[i + 1]] for i in range(workers)]


def fork_map(parts: list[list], own: Callable[[list], T], child: Callable[[list], object],
             unpack: Callable[[object, list], T]) -> list[T]:
    """`own(part)` of every part, in order: `parts[0]` in this process, each other part in a
    forked process of its own at the same time, as `unpack(child(part), part)`. A child's result
    (builtin types only) comes back through a pipe with `marshal`; for a child that fails in
    any way, or sends what `unpack` refuses, `own(part)` is computed here instead. When this
    process's own work raises, the children are let go (their pipes closed) and reaped before
    the exception goes on. Callers fork only where `os.fork` exists."""
    sys.stdout.flush()
    sys.stderr.flush()
    children = [(_fork(lambda part=part: child(part)), part) for part in parts[1:]]
    waiting = [handle for handle, _part in children if handle is not None]
    try:
        results = [own(parts[0])]
        for handle, part in children:
            if handle is not None:
                waiting.remove(handle)
            found = _collect(handle)
            try:
                results.append(unpack(found[0], part) if found is not None else own(part))
            except (TypeError, ValueError, KeyError, IndexError):
                results.append(own(part))
    finally:  # every read end first: a later child holds copies of the earlier ones
        for _pid, read_fd in waiting:
            os.close(read_fd)
        for pid, _read_fd in waiting:  # a child still writing gets EPIPE and leaves
            os.waitpid(pid, 0)
    return results


def load_files(root: Path, entries: list[Entry], diags: list[Diagnostic],
               blobs: Mapping[str, bytes | None] | None = None, salt: bytes = b"") -> list[OkrFile]:
    """`load_okr_files` of `entries`, split over forked processes when there are many."""
    from ..progress import iterate

    workers = worker_count(len(entries)) if hasattr(os, "fork") else 1
    weights = keys = None
    if workers > 1 and cache.enabled() and not os.environ.get("OKR_WORKERS"):
        # A file loaded before comes from the cache at a fraction of its parse, less than a
        # child costs to send it back: fork for the files to parse, when they are many, and
        # share those out evenly. Bytes read and keys made here are handed on, not made again.
        if blobs is None:
            blobs = {rel: read_source(root, rel) for rel, _cycle, _owner in entries}
        keys = {rel: file_key(rel, cycle, owner, cache.content_hash(raw), salt)
                for rel, cycle, owner in entries if (raw := blobs[rel]) is not None}
        weights = [CACHED if rel in keys and cache.holds(keys[rel]) else 1.0 for rel, _cycle, _owner in entries]
        workers = worker_count(sum(1 for weight in weights if weight == 1.0))
    if workers <= 1:
        return load_okr_files(root, iterate(entries, "Loading OKR files"), diags, blobs, salt, keys)
    parts = shares(entries, workers, weights)

    def own(share: list[Entry]) -> tuple[list[OkrFile], list[Diagnostic]]:
        # The bar follows this process's share (the children's are as large), started after the forks.
        items = iterate(share, "Loading OKR files", len(entries), step=workers) if share is parts[0] else share
        share_diags: list[Diagnostic] = []
        return load_okr_files(root, items, share_diags, blobs, salt, keys), share_diags

    def child(share: list[Entry]) -> tuple:
        child_diags: list[Diagnostic] = []
        files = load_okr_files(root, share, child_diags, blobs, salt, keys)
        cache.flush()  # what this child parsed, for the next run
        return [_pack_file(f) for f in files], pack_diags(child_diags)

    def unpack(sent, _share: list[Entry]) -> tuple[list[OkrFile], list[Diagnostic]]:
        packed_files, packed_diags = sent
        return list(map(unpack_file, packed_files)), unpack_diags(packed_diags)

    files: list[OkrFile] = []
    for found, found_diags in fork_map(parts, own, child, unpack):
        files.extend(found)
        diags.extend(found_diags)
    return files


def _fork(work: Callable[[], object]) -> tuple[int, int] | None:
    """A forked child running `work` and sending its result, marshalled, through a pipe."""
    try:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:  # the child: work, send, leave without running any cleanup of the parent's
        code = 1
        try:
            os.close(read_fd)
            data = marshal.dumps((work(),))
            view = memoryview(data)
            while view:
                view = view[os.write(write_fd, view):]
            code = 0
        except BaseException:  # noqa: BLE001, S110 - any failure: the parent does this work itself
            pass
        finally:
            os._exit(code)
    os.close(write_fd)
    return pid, read_fd


def _collect(child: tuple[int, int] | None):
    if child is None:
        return None
    pid, read_fd = child
    chunks = []
    try:
        while True:
            chunk = os.read(read_fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_fd)
        _pid, status = os.waitpid(pid, 0)
    if not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0):
        return None
    try:
        return marshal.loads(b"".join(chunks))
    except (EOFError, ValueError, TypeError):
        return None
