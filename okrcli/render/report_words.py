"""The words and small pictures every report format shares: values, changes, sparklines.

Everything here returns plain text that may contain user text; each renderer
escapes what it gets for its own target (terminal, Markdown, HTML).
"""

from __future__ import annotations

from ..reports.followup import FieldChange, Movement
from .numbers import fixed
from .numbers import score as two_places
from .styled import STATUS_WORDS, UNKNOWN, num

SPARKS = "▁▂▃▄▅▆▇█"
BAND_WORDS = {"red": "red (< 0.4)", "yellow": "yellow (0.4-0.7)", "green": "green (>= 0.7)"}
VERDICTS = {
    "below": "below the 0.6-0.7 sweet spot: too ambitious, or blocked? Look for causes.",
    "within": "within the 0.6-0.7 sweet spot: ambitious and delivered.",
    "above": "above the 0.6-0.7 sweet spot: were the aspirational objectives ambitious enough?",
    "none": "no aspirational objectives.",
}


def status_word(status: str | None) -> str:
    return STATUS_WORDS.get(status, status) if status is not None else UNKNOWN


def milestone_why(a) -> str:
    """Why a milestone needs attention: `not done, 0.65 of the time to its due day 2026-10-31 gone`."""
    until = f"its due day {a.due.isoformat()}" if a.due is not None else "the cycle's end"
    return f"not done, {two_places(a.expected)} of the time to {until} gone"


def left_out_text(n: int) -> str:
    """What a roll-up left out: `, 1 left out (score unknown)`; empty when nothing was."""
    return f", {n} left out (score unknown)" if n else ""


def incomplete_text(places: tuple[str, ...]) -> str:
    """Why an objective reads n/a: where the findings of its key results that failed to load are."""
    return f"n/a: a key result failed to load at {', '.join(places)}; run okr check"


def value_text(value: object, unit: str | None = None) -> str:
    """A recorded value as a person writes it: `done`, `not done`, `25 min`, `99.9%`."""
    if value is True:
        return "done"
    if value is False:
        return "not done"
    if value is None:
        return "?"
    text = num(value) if isinstance(value, (int, float)) else str(value)
    if unit and isinstance(value, (int, float)):
        return f"{text}{'' if unit == '%' else ' '}{unit}"
    return text


def score_text(score: float | None) -> str:
    return "n/a" if score is None else two_places(score)


def sparkline(values: list[float]) -> str:
    """Progress values (0..1) as block characters, one per value."""
    top = len(SPARKS) - 1
    steps = [int(v * top + 0.5) for v in values]
    if steps and (min(steps) < 0 or max(steps) > top):
        steps = [min(top, max(0, step)) for step in steps]
    return "".join(map(SPARKS.__getitem__, steps))


def movement_text(m: Movement) -> str:
    """`40 → 22 min`, `not done → done`, `now 12` (when the start is unknown)."""
    now = moved_value(m, m.now)
    if m.before is None:
        return f"now {now}"
    if m.before == m.now and type(m.before) is type(m.now):
        return f"{now} (unchanged)"
    return f"{moved_value(m, m.before, unit=False)} → {now}"


def moved_value(m: Movement, value: object, unit: bool = True) -> str:
    """A value of a key result that moved: a roll-up's is a score (two decimals)."""
    if m.derived == "rollup" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return fixed(value)
    return value_text(value, m.unit if unit else None)


def confidence_text(m: Movement) -> str:
    if m.confidence is None and m.confidence_before is None:
        return ""
    if m.confidence_before is None or m.confidence_before == m.confidence:
        return f"confidence {num(m.confidence) if m.confidence is not None else '-'}"
    after = num(m.confidence) if m.confidence is not None else "-"
    return f"confidence {num(m.confidence_before)} → {after}"


def _list(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) or "nothing"
    return "nothing" if value is None else str(value)


def change_text(c: FieldChange) -> str:
    """One change of an objective in words; user text (titles) is left for the renderer to escape."""
    kr = f"{c.kr} " if c.kr else ""
    if c.kind == "retitled":
        return f"retitled (was “{c.before}”)"
    if c.kind == "realigned":
        return f"aligns {_list(c.before)} → {_list(c.after)}"
    if c.kind == "depends-changed":
        return f"depends on {_list(c.before)} → {_list(c.after)}"
    if c.kind in ("made-committed", "made-aspirational", "made-private", "made-public"):
        return c.kind.replace("-", " ")
    if c.kind == "standalone-added":
        return f"made standalone ({c.after})"
    if c.kind == "standalone-removed":
        return "no longer standalone"
    if c.kind == "kr-added":
        return f"{kr}added: {c.after}"
    if c.kind == "kr-removed":
        return f"{kr}removed (was {c.before})"
    if c.kind == "kr-retitled":
        return f"{kr}retitled (was “{c.before}”)"
    if c.kind in ("target-moved", "start-moved", "kr-reweighted"):
        text = f"{kr}{c.field} {value_text(c.before)} → {value_text(c.after)}"
        return text + (" (goalpost moved after the cycle started)" if c.goalpost else "")
    return f"{kr}{c.kind} {c.field or ''}".strip()


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def short(ref: str, cycle: str) -> str:
    return ref[len(cycle) + 1:] if ref.startswith(cycle + ":") else ref
