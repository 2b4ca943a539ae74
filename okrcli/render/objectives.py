"""Scored objectives as JSON, CSV and text: `okr export` and `okr list` (and the fields `tree`/`show` share).

JSON keeps full floats (SPEC 3: rounding is for display only) and is written
one objective per line: valid JSON, readable diffs, and the C encoder's speed.
Machine formats come as iterators of text pieces, written as they are made.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from ..reports.views import Export, KRView, Listing, ObjectiveView
from .escape import csv_cell
from .styled import Line, incomplete_note, measure, score_segments, short_ref, user

_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False)  # one encoder, not one per call


def dumps(value) -> str:
    return _ENCODER.encode(value)


def kr_dict(k: KRView) -> dict:
    d = {
        "ref": k.ref, "id": k.id, "title": k.title, "kind": k.kind, "unit": k.unit,
        "start": k.start, "target": k.target, "current": k.current, "done": k.done,
        "due": k.due.isoformat() if k.due is not None else None, "keep": k.keep,
        "weight": k.weight, "confidence": k.confidence, "progress": k.progress, "score": k.score,
        "graded": k.graded, "status": k.status, "band": k.band,
    }
    if k.derived is not None:  # only derived KRs carry these two keys
        d["derived"], d["sources"] = k.derived, list(k.sources)
    return d


def objective_dict(v: ObjectiveView, krs: bool = True) -> dict:
    d = {
        "ref": v.ref, "cycle": v.cycle, "owner": v.owner, "owner_kind": v.owner_kind, "id": v.id,
        "title": v.title, "description": v.description, "score": v.score, "band": v.band,
        "status": v.status, "committed": v.committed, "private": v.private,
        "standalone": v.standalone, "aligns": list(v.aligns), "depends_on": list(v.depends_on),
        "review": None if v.review_score is None and v.review_notes is None
        else {"score": v.review_score, "notes": v.review_notes},
        # `path:line` of the findings that left score and status unknown (null); empty when known
        "incomplete": list(v.incomplete),
    }
    if krs:
        d["key_results"] = [kr_dict(k) for k in v.key_results]
    return d


def _json_document(head: dict, key: str, items: Iterable[dict]) -> Iterator[str]:
    """`head` plus `key: [items]`, one item per line, in pieces (an export can be 50 MB)."""
    yield dumps(head)[:-1] + (", " if head else "") + f'"{key}": ['
    sep = "\n"
    for item in items:
        yield sep + dumps(item)
        sep = ",\n"
    yield "]}\n" if sep == "\n" else "\n]}\n"


def export_json(export: Export, include_private: bool) -> Iterator[str]:
    head = {"cycle": export.cycle, "cycles": export.cycles, "as_of": export.as_of.isoformat(),
            "include_private": include_private}
    return _json_document(head, "objectives", (objective_dict(v) for v in export.objectives))


OBJECTIVE_COLUMNS = ("objective_ref", "cycle", "owner", "owner_kind", "objective_id", "objective_title",
                     "objective_score", "objective_band", "objective_status", "committed", "private",
                     "standalone", "aligns", "depends_on")
KR_COLUMNS = ("kr_ref", "kr_id", "kr_title", "kind", "unit", "start", "target", "current", "done", "due", "keep",
              "weight", "confidence", "progress", "score", "graded", "status", "band")


def _objective_cells(v: ObjectiveView) -> list:
    return [v.ref, v.cycle, v.owner, v.owner_kind, v.id, v.title, v.score, v.band, v.status,
            v.committed, v.private, v.standalone, " ".join(v.aligns), " ".join(v.depends_on)]


def _kr_cells(k: KRView | None) -> list:
    if k is None:
        return [None] * len(KR_COLUMNS)
    return [k.ref, k.id, k.title, k.kind, k.unit, k.start, k.target, k.current, k.done,
            k.due.isoformat() if k.due is not None else None, k.keep,
            k.weight, k.confidence, k.progress, k.score, k.graded, k.status, k.band]


def _csv(header: tuple[str, ...], rows: Iterable[list]) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for n, row in enumerate(rows, 1):
        writer.writerow([csv_cell(c) for c in row])
        if n % 1000 == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def export_csv(export: Export) -> Iterator[str]:
    """One row per key result (an objective without key results gets one row with empty KR cells)."""
    def rows():
        for v in export.objectives:
            head = _objective_cells(v)
            for k in v.key_results or (None,):
                yield head + _kr_cells(k)

    return _csv(OBJECTIVE_COLUMNS + KR_COLUMNS, rows())


# ------------------------------------------------------------------ okr list

def list_json(listing: Listing) -> Iterator[str]:
    head = {"cycle": listing.cycle, "as_of": listing.as_of.isoformat()}
    if not listing.krs:
        return _json_document(head, "objectives", (objective_dict(v) for v, _ in listing.rows))
    items = ({**kr_dict(k), "objective": v.ref, "owner": v.owner, "objective_title": v.title}
             for v, k in listing.rows)
    return _json_document(head, "key_results", items)


def list_csv(listing: Listing) -> Iterator[str]:
    if listing.krs:
        return _csv(OBJECTIVE_COLUMNS + KR_COLUMNS, (_objective_cells(v) + _kr_cells(k) for v, k in listing.rows))
    return _csv(OBJECTIVE_COLUMNS, (_objective_cells(v) for v, _ in listing.rows))


def list_lines(listing: Listing) -> list[Line]:
    """One line per row: reference, progress bar, score, status, title."""
    refs = [short_ref(k.ref if k else v.ref, listing.cycle) for v, k in listing.rows]
    width = max((len(r) for r in refs), default=0)
    lines: list[Line] = []
    for ref, (v, k) in zip(refs, listing.rows):
        item = k or v
        line: Line = [(f"{ref:<{width}}  ", "bold"), *score_segments(item.score, item.band, item.status),
                      ("  ", ""), (user(item.title), "")]
        if k is not None:
            line.append((f"  ({measure(k)})", "dim"))
        elif v.committed:
            line.append(("  · committed", "dim"))
        if k is None and v.incomplete:
            line.append((incomplete_note(v), "yellow"))
        lines.append(line)
    return lines
