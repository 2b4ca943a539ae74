"""The model of one OKR file as nested tuples of builtin types, and back.

`marshal` sends such tuples fast and safely (no code runs on loading them): the forked
loader (`okrcli.load.parallel`) sends its children's files to the parent this way, and
the cache (`okrcli.load.cache`) stores them. `unpack_file(pack_file(f)) == f`, findings
alike.
"""

from __future__ import annotations

from datetime import date

from ..errors import Diagnostic, Loc, Severity
from ..model import KeyResult, Objective, OkrFile, RefEntry, Review
from ..refs import Ref

_SEVERITIES = {s.value: s for s in Severity}


def pack_diags(diags: list[Diagnostic]) -> list[tuple]:
    return [(d.path, d.line, d.column, d.severity.value, d.rule, d.message) for d in diags]


def unpack_diags(packed) -> list[Diagnostic]:
    new, severity = Diagnostic.quick, _SEVERITIES
    return [new(p, line, col, severity[sev], rule, msg) for p, line, col, sev, rule, msg in packed]


def _pack_ref(e: RefEntry) -> tuple:
    r = e.ref
    return (e.text, r.owner, r.objective, r.kr, r.cycle, e.loc.line, e.loc.column)


def pack_file(f: OkrFile) -> tuple:
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


def unpack_file(packed: tuple) -> OkrFile:
    path, cycle, owner, objectives = packed
    new_loc, new_ref, new_entry = Loc.quick, Ref.quick, RefEntry.quick

    def ref(e: tuple) -> RefEntry:
        return new_entry(e[0], new_ref(e[1], e[2], e[3], e[4]), new_loc(path, e[5], e[6]))

    out = []
    for o in objectives:
        krs = tuple(KeyResult.quick(*k[:12], new_loc(path, k[12], k[13]), k[14],
                                    date.fromordinal(k[15]) if k[15] is not None else None, k[16],
                                    tuple(map(ref, k[17]))) for k in o[4])
        review = Review.quick(*o[11]) if o[11] is not None else None
        out.append(Objective.quick(o[0], o[1], o[2], o[3], krs, tuple(map(ref, o[5])), tuple(map(ref, o[6])),
                                   o[7], o[8], o[9], o[10], review, o[12], new_loc(path, o[13], o[14]), o[15],
                                   tuple(new_loc(path, line, col) for line, col in o[16])))
    return OkrFile.quick(path, cycle, owner, tuple(out))
