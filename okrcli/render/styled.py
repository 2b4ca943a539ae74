"""Styled text lines for the views: plain strings, or rich `Text` on a colour terminal.

A line is a list of `(text, style)` segments. Renderers build lines without
printing; `commands.output.lines` joins them as plain text, or hands them to rich
as `Text` objects (never markup, so `[red]` in a title stays `[red]`). User text
goes through `user()` first, which makes control characters visible.
"""

from __future__ import annotations

from collections.abc import Iterable

from . import escape
from .numbers import fixed
from .numbers import score as two_places

Line = list[tuple[str, str]]

STATUS_WORDS = {"on_track": "on track", "at_risk": "at risk", "off_track": "off track"}
STATUS_STYLES = {"on_track": "green", "at_risk": "yellow", "off_track": "red"}
BAND_STYLES = {"green": "green", "yellow": "yellow", "red": "red"}
STATUS_WIDTH = max(len(w) for w in STATUS_WORDS.values())
UNKNOWN = "unknown"  # the status of an objective whose key results did not all load
BAR_WIDTH = 10


def user(text: str | None) -> str:
    """User text made safe to print: one line, control and bidi characters shown as escapes."""
    return escape.text(text or "")


def bar(score: float, width: int = BAR_WIDTH) -> str:
    filled = min(width, max(0, int(score * width + 0.5)))
    if width == BAR_WIDTH:
        return _BARS[filled]
    return "█" * filled + "░" * (width - filled)


_BARS = ["█" * filled + "░" * (BAR_WIDTH - filled) for filled in range(BAR_WIDTH + 1)]


def num(value: float | None) -> str:
    """A number as a person writes it: 25, 17.5, 2480000 (never 2.48e+06)."""
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    if abs(value) < 1e6:
        return fixed(value, 6).rstrip("0").rstrip(".")
    return two_places(value)


def with_unit(value: float | None, unit: str | None) -> str:
    if not unit:
        return num(value)
    return f"{num(value)}{'' if unit == '%' else ' '}{user(unit)}"


def measure(kr) -> str:
    """Where a key result stands, in its own terms: `120 → 50 ms, now 88`, `3, keep ≤ 5`, `done`,
    `not done, due 2026-10-31`; a derived KR says what it comes from."""
    derived = getattr(kr, "derived_text", None)
    if derived is not None and kr.derived == "rollup":
        return f"{derived}, now {fixed(kr.current)}"
    if derived is not None:
        return f"{measure_plain(kr)}, {derived}"
    return measure_plain(kr)


def measure_plain(kr) -> str:
    """`measure` of a key result that is not derived."""
    if kr.kind == "milestone":
        due = getattr(kr, "due", None)
        return ("done" if kr.done else "not done") + (f", due {due.isoformat()}" if due is not None else "")
    if kr.kind == "threshold":
        sign = "≥" if kr.keep == "above" else "≤"
        return f"{with_unit(kr.current, kr.unit)}, keep {sign} {with_unit(kr.target, kr.unit)}"
    return f"{num(kr.start)} → {with_unit(kr.target, kr.unit)}, now {num(kr.current)}"


def short_ref(ref: str, cycle: str | None) -> str:
    """`ref` without its cycle when it is the cycle being shown."""
    if cycle is not None and ref.startswith(cycle + ":"):
        return ref[len(cycle) + 1:]
    return ref


def score_segments(score: float | None, band: str | None, status: str | None) -> Line:
    """`████░░░░░░ 0.45  at risk  ` with the bar and score in the band colour; an unknown
    score (a key result failed to load) reads `·········· n/a   unknown  `."""
    if score is None:
        return [("·" * BAR_WIDTH, "dim"), ("  n/a  ", "dim"), (f"{UNKNOWN:<{STATUS_WIDTH}}", "dim")]
    style = BAND_STYLES.get(band, "")
    return [(bar(score), style), (f" {two_places(score)}  ", style),
            (f"{STATUS_WORDS.get(status, status):<{STATUS_WIDTH}}", STATUS_STYLES.get(status, ""))]


def incomplete_note(view) -> str:
    """Why an objective's score is n/a: the findings of the key results that failed to load."""
    return f"  (n/a: a key result failed to load at {', '.join(view.incomplete)}; run okr check)"


def plain(lines: Iterable[Line]) -> str:
    return "".join(["".join([text for text, _ in line]).rstrip() + "\n" for line in lines])
