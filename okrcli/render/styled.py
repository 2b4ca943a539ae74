"""Styled text lines for the views: plain strings, or rich `Text` on a colour terminal.

A line is a list of `(text, style)` segments. Renderers build lines without
printing; `write_lines` joins them as plain text, or hands them to rich as
`Text` objects (never markup, so `[red]` in a title stays `[red]`). User text
goes through `user()` first, which makes control characters visible.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

from .text_safety import visible

Line = list[tuple[str, str]]

STATUS_WORDS = {"on_track": "on track", "at_risk": "at risk", "off_track": "off track"}
STATUS_STYLES = {"on_track": "green", "at_risk": "yellow", "off_track": "red"}
BAND_STYLES = {"green": "green", "yellow": "yellow", "red": "red"}
STATUS_WIDTH = max(len(w) for w in STATUS_WORDS.values())
BAR_WIDTH = 10


def user(text: str | None) -> str:
    """User text made safe to print: one line, control and bidi characters shown as escapes."""
    return visible(text or "")


def bar(score: float, width: int = BAR_WIDTH) -> str:
    filled = min(width, max(0, int(score * width + 0.5)))
    return "█" * filled + "░" * (width - filled)


def num(value: float | None) -> str:
    """A number as a person writes it: 25, 17.5, 2480000 (never 2.48e+06)."""
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".") if abs(value) < 1e6 else f"{value:.2f}"


def with_unit(value: float | None, unit: str | None) -> str:
    if not unit:
        return num(value)
    return f"{num(value)}{'' if unit == '%' else ' '}{user(unit)}"


def measure(kr) -> str:
    """Where a key result stands, in its own terms: `120 → 50 ms, now 88`, `3, keep ≤ 5`, `done`."""
    derived = getattr(kr, "derived_text", None)
    if derived is not None and kr.derived == "rollup":
        return f"{derived}, now {kr.current:.2f}"
    if derived is not None:
        return f"{measure_plain(kr)}, {derived}"
    return measure_plain(kr)


def measure_plain(kr) -> str:
    if kr.kind == "milestone":
        return "done" if kr.done else "not done"
    if kr.kind == "threshold":
        sign = "≥" if kr.keep == "above" else "≤"
        return f"{with_unit(kr.current, kr.unit)}, keep {sign} {with_unit(kr.target, kr.unit)}"
    return f"{num(kr.start)} → {with_unit(kr.target, kr.unit)}, now {num(kr.current)}"


def short_ref(ref: str, cycle: str | None) -> str:
    """`ref` without its cycle when it is the cycle being shown."""
    if cycle is not None and ref.startswith(cycle + ":"):
        return ref[len(cycle) + 1:]
    return ref


def score_segments(score: float, band: str, status: str) -> Line:
    """`████░░░░░░ 0.45  at risk  ` with the bar and score in the band colour."""
    style = BAND_STYLES.get(band, "")
    return [(bar(score), style), (f" {score:.2f}  ", style),
            (f"{STATUS_WORDS.get(status, status):<{STATUS_WIDTH}}", STATUS_STYLES.get(status, ""))]


def plain(lines: Iterable[Line]) -> str:
    return "".join("".join(text for text, _ in line).rstrip() + "\n" for line in lines)


def write_lines(lines: Iterable[Line], color: bool, stream=None) -> None:
    """Print the lines: plain text, or styled through rich when `color`."""
    stream = stream or sys.stdout
    if not color:
        stream.write(plain(lines))
        return
    from rich.console import Console
    from rich.text import Text

    console = Console(file=stream, highlight=False, soft_wrap=True, emoji=False, markup=False)
    for line in lines:
        text = Text()
        for chunk, style in line:
            text.append(chunk, style or None)
        console.print(text)
