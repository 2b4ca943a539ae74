"""Load many OKR files on several cores: fork, load a share each, send the model back.

Parsing dominates `okr check`, and a repository of 1,000 people is over a
thousand files. Where `os.fork` exists and there are enough files, the work is
split into contiguous shares: forked children each load one share and send it
back to the parent as plain tuples through a pipe (`marshal`, the fastest
serialiser for builtin types), while the parent loads the first share itself,
then rebuilds the children's objects. The result, files and diagnostics alike,
is exactly what a serial load returns, in the same order; a child that fails
for any reason has its share loaded again by the parent.

`OKR_WORKERS=1` forces a serial load; `OKR_WORKERS=N` forces N processes.
"""

from __future__ import annotations

import marshal
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from ..errors import Diagnostic
from ..model import OkrFile
from . import cache
from .okr_file import load_okr_files
from .packing import pack_diags, unpack_diags, unpack_file
from .packing import (
    pack_file as _pack_file,  # a module name of its own: a test breaks it in the children
)

FILES_PER_WORKER = 250  # below this, forking costs more than it saves
MAX_WORKERS = 4

Entry = tuple[str, str, str]


def worker_count(n_files: int) -> int:
    forced = os.environ.get("OKR_WORKERS", "")
    if forced.isdigit() and int(forced) >= 1:
        return min(int(forced), max(n_files, 1))
    if not hasattr(os, "fork"):
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS, n_files // FILES_PER_WORKER))


def load_files(root: Path, entries: list[Entry], diags: list[Diagnostic],
               blobs: Mapping[str, bytes | None] | None = None, salt: bytes = b"") -> list[OkrFile]:
    """`load_okr_files` of `entries`, split over forked processes when there are many."""
    from ..progress import iterate

    workers = worker_count(len(entries)) if hasattr(os, "fork") else 1
    if workers <= 1:
        return load_okr_files(root, iterate(entries, "Loading OKR files"), diags, blobs, salt)
    shares = [entries[len(entries) * i // workers: len(entries) * (i + 1) // workers] for i in range(workers)]
    sys.stdout.flush()
    sys.stderr.flush()
    children = []
    for share in shares[1:]:
        children.append((_fork_loader(root, share, blobs, salt), share))
    own_diags: list[Diagnostic] = []
    # The bar follows this process's share (the children's are as large), started after the forks.
    files = load_okr_files(root, iterate(shares[0], "Loading OKR files", len(entries), step=workers),
                           own_diags, blobs, salt)
    diags.extend(own_diags)
    for child, share in children:
        payload = _collect(child)
        if payload is None:  # the child failed: load its share here
            files.extend(load_okr_files(root, share, diags, blobs, salt))
            continue
        packed_files, packed_diags = payload
        files.extend(map(unpack_file, packed_files))
        diags.extend(unpack_diags(packed_diags))
    return files


def _fork_loader(root: Path, share: list[Entry], blobs: Mapping[str, bytes | None] | None,
                 salt: bytes) -> tuple[int, int] | None:
    try:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:  # the child: load, send, leave without running any cleanup of the parent's
        code = 1
        try:
            os.close(read_fd)
            child_diags: list[Diagnostic] = []
            files = load_okr_files(root, share, child_diags, blobs, salt)
            cache.flush()  # what this child parsed, for the next run
            data = marshal.dumps(([_pack_file(f) for f in files], pack_diags(child_diags)))
            view = memoryview(data)
            while view:
                view = view[os.write(write_fd, view):]
            code = 0
        except BaseException:  # noqa: BLE001, S110 - any failure: the parent loads this share itself
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
