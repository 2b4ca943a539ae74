"""`okr log` as text: aligned columns, one check-in (or work commit) per line."""

from __future__ import annotations

from ..reports.log import CheckInLog, WorkLog
from ..safe_text import visible


def checkin_lines(log: CheckInLog, current: str) -> list[str]:
    """`date  author  ref  old -> new unit  confidence  note`, in aligned columns."""
    from ..plans.checkin import format_value

    names: dict[str, str] = {}  # an author's name made safe once, not once per check-in
    rows = []
    for c in log.checkins:
        name = names.get(c.author_name)
        if name is None:
            name = names[c.author_name] = visible(c.author_name)
        if c.kind == "grade":
            change = f"graded {format_value(c.value)}"
        elif c.kind == "derived":
            change = f"{_derived_value(c.previous)} -> {_derived_value(c.value, c.unit)} (derived)"
        else:
            new = format_value(c.value, c.unit)
            change = new if c.previous is None else f"{format_value(c.previous)} -> {new}"
            if c.kind == "edit":
                change += " (edit)"
        rows.append((
            c.date.date().isoformat(), name, c.ref if c.cycle == current else c.key, change,
            "" if c.confidence is None else f"confidence {c.confidence:g}",
            visible(c.note.split("\n", 1)[0]) if c.note else "",
        ))
    widths = [max(len(row[n]) for row in rows) for n in range(5)]
    widths[1] = min(widths[1], 24)
    return [f"{row[0]}  {row[1]:<{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]:<{widths[3]}}  "
            f"{row[4]:<{widths[4]}}  {row[5]}".rstrip() for row in rows]


def _derived_value(value: object, unit: str | None = None) -> str:
    """A computed value as shown: at most two decimals (a roll-up is a score from 0 to 1)."""
    from ..plans.checkin import format_value
    from .numbers import fixed

    if isinstance(value, float):
        value = fixed(value).rstrip("0").rstrip(".")
    return format_value(value, unit)


def work_lines(log: WorkLog, current: str) -> list[str]:
    """`date  author  ref  commit  subject`, in aligned columns."""
    rows = [(w.date.date().isoformat(), visible(w.author_name)[:24], w.ref if w.cycle == current else w.key,
             w.commit[:7], visible(w.subject)) for w in log.work]
    widths = [max(len(row[n]) for row in rows) for n in range(3)]
    return [f"{r[0]}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}  {r[4]}".rstrip() for r in rows]
