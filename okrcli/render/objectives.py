"""Scored objectives as JSON, CSV and text: `okr export` and `okr list` (and the fields `tree`/`show` share).

JSON keeps full floats (SPEC 3: rounding is for display only) and is written
one objective per line: valid JSON, readable diffs, and the C encoder's speed.
Machine formats come as iterators of text pieces, written as they are made.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from ..reports.listing import Export, Listing
from ..reports.views import KRView, ObjectiveView
from .escape import csv_cell
from .json import streamed
from .styled import Line, incomplete_note, measure, score_segments, short_ref, user


def export_json(export: Export, include_private: bool) -> Iterator[str]:
    """One objective per line (`include_private` is the export's own, `export.include_private`)."""
    return streamed(export, "objectives")


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
    if listing.krs:
        return streamed(listing, "key_results", listing.key_results())
    return streamed(listing, "objectives", listing.objectives())


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
