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
from datetime import date
from pathlib import Path

from ..errors import Diagnostic, Loc, Severity
from ..model import KeyResult, Objective, OkrFile, RefEntry, Review
from ..refs import Ref

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
               blobs: Mapping[str, bytes] | None = None) -> list[OkrFile]:
    from ..progress import iterate
    from .build import load_okr_files

    workers = worker_count(len(entries)) if hasattr(os, "fork") else 1
    if workers <= 1:
        return load_okr_files(root, iterate(entries, "Loading OKR files"), diags, blobs)
    shares = [entries[len(entries) * i // workers: len(entries) * (i + 1) // workers] for i in range(workers)]
    sys.stdout.flush()
    sys.stderr.flush()
    children = []
    for share in shares[1:]:
        children.append((_fork_loader(root, share, blobs), share))
    own_diags: list[Diagnostic] = []
    # The bar follows this process's share (the children's are as large), started after the forks.
    files = load_okr_files(root, iterate(shares[0], "Loading OKR files", len(entries), step=workers),
                           own_diags, blobs)
    diags.extend(own_diags)
    for child, share in children:
        payload = _collect(child)
        if payload is None:  # the child failed: load its share here
            files.extend(load_okr_files(root, share, diags, blobs))
            continue
        packed_files, packed_diags = payload
        files.extend(_unpack_file(f) for f in packed_files)
        diags.extend(Diagnostic(p, line, col, Severity(sev), rule, msg) for p, line, col, sev, rule, msg in packed_diags)
    return files


def _fork_loader(root: Path, share: list[Entry], blobs: Mapping[str, bytes] | None) -> tuple[int, int] | None:
    from .build import load_okr_files

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
            files = load_okr_files(root, share, child_diags, blobs)
            data = marshal.dumps((
                [_pack_file(f) for f in files],
                [(d.path, d.line, d.column, d.severity.value, d.rule, d.message) for d in child_diags],
            ))
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


def _pack_ref(e: RefEntry) -> tuple:
    r = e.ref
    return (e.text, r.owner, r.objective, r.kr, r.cycle, e.loc.line, e.loc.column)


def _pack_file(f: OkrFile) -> tuple:
    objectives = []
    for o in f.objectives:
        krs = tuple((k.id, k.title, k.kind, k.start, k.target, k.current, k.done, k.keep, k.unit,
                     k.confidence, k.weight, k.score, k.loc.line, k.loc.column, k.spans,
                     k.due.toordinal() if k.due is not None else None, k.derived,
                     tuple(map(_pack_ref, k.sum_of)))
                    for k in o.key_results)
        review = (o.review.score, o.review.notes) if o.review is not None else None
        objectives.append((o.cycle, o.owner, o.id, o.title, krs, tuple(map(_pack_ref, o.aligns)),
                           tuple(map(_pack_ref, o.depends_on)), o.committed, o.private, o.standalone,
                           o.description, review, o.written_krs, o.loc.line, o.loc.column, o.spans,
                           tuple((b.line, b.column) for b in o.broken_krs)))
    return (f.path, f.cycle, f.owner, tuple(objectives))


def _unpack_file(packed: tuple) -> OkrFile:
    path, cycle, owner, objectives = packed

    def ref(e: tuple) -> RefEntry:
        return RefEntry(e[0], Ref(e[1], e[2], e[3], e[4]), Loc(path, e[5], e[6]))

    out = []
    for o in objectives:
        krs = tuple(KeyResult(*k[:12], Loc(path, k[12], k[13]), k[14],
                              date.fromordinal(k[15]) if k[15] is not None else None, k[16],
                              tuple(map(ref, k[17]))) for k in o[4])
        review = Review(*o[11]) if o[11] is not None else None
        out.append(Objective(o[0], o[1], o[2], o[3], krs, tuple(map(ref, o[5])), tuple(map(ref, o[6])),
                             o[7], o[8], o[9], o[10], review, o[12], Loc(path, o[13], o[14]), o[15],
                             tuple(Loc(path, line, col) for line, col in o[16])))
    return OkrFile(path, cycle, owner, tuple(out))
