"""Inline SVG charts for the HTML reports: plain strings, no JavaScript, no external reference.

Each chart is an `<svg class="chart ...">` with `role="img"`, a `<title>` and an
`aria-label` saying in words what it shows (the score as text, for screen
readers and for print). Every text that reaches a chart goes through `esc()`.
Coordinates are rounded to one decimal: a 10,000-person page holds 100,000 charts.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from .escape import html as esc
from .numbers import score as two_places

COLORS = {"red": "#c92a2a", "yellow": "#d98a00", "green": "#2b8a3e"}
TRACK = "#e9ecef"
INK = "#212529"
MUTED = "#6c757d"


def _f(x: float) -> str:
    text = f"{x:.1f}"
    return text.removesuffix(".0")


def score_bar(score: float | None, band: str | None, label: str) -> str:
    """A horizontal bar 0..1 in the band's colour, ticks at 0.4 and 0.7 below it, the score as text
    (an empty bar and n/a when the score is unknown)."""
    w = 200.0
    filled = max(0.0, min(1.0, score)) * w if score is not None else 0.0
    band = band or "unknown"
    text = two_places(score)
    aria = esc(f"{label}: score {text}, {band}")
    return (f'<svg class="chart bar" viewBox="0 0 250 24" role="img" aria-label="{aria}">'
            f"<title>{aria}</title>"
            f'<rect x="0" y="3" width="{_f(w)}" height="12" rx="3" fill="{TRACK}"/>'
            f'<rect x="0" y="3" width="{_f(filled)}" height="12" rx="3" fill="{COLORS.get(band, MUTED)}"/>'
            f'<path d="M80 17V22M140 17V22" stroke="{MUTED}" stroke-width="1"/>'
            f'<text x="210" y="14" font-size="13" fill="{INK}">{text}</text></svg>')


def band_chart(counts: dict[str, int]) -> str:
    """Objectives per band: one bar each (red, yellow, green) with the count as text."""
    total = sum(counts.values()) or 1
    rows = []
    parts = []
    for i, band in enumerate(("red", "yellow", "green")):
        n = counts.get(band, 0)
        y = 4 + i * 30
        width = 170 * n / total
        rows.append(f"{n} {band}")
        parts.append(f'<text x="0" y="{y + 15}" font-size="14" fill="{INK}">{band}</text>'
                     f'<rect x="56" y="{y}" width="170" height="20" rx="3" fill="{TRACK}"/>'
                     f'<rect x="56" y="{y}" width="{_f(width)}" height="20" rx="3" fill="{COLORS[band]}"/>'
                     f'<text x="234" y="{y + 15}" font-size="14" fill="{INK}">{n}</text>')
    aria = esc("Objectives by band: " + ", ".join(rows))
    return (f'<svg class="chart bands" viewBox="0 0 270 92" role="img" aria-label="{aria}">'
            f"<title>{aria}</title>{''.join(parts)}</svg>")


def burn_up(points: list[tuple[date, float]], start: date, end: date, today: date, label: str,
            band: str, start_progress: float | None = None) -> str:
    """Progress from the check-in history (a step line, from `start_progress` at the cycle's
    start when known) against the ideal straight line from 0 at the cycle's start to 1 at its
    end; a dotted line marks `today` inside the cycle."""
    left, top, bottom = _LEFT, _TOP, _BOTTOM
    x = _day_x(start, end)  # every key result of a review shares the cycle: its days are worked out once

    def y(progress: float) -> float:
        return bottom - max(0.0, min(1.0, progress)) * (bottom - top)

    path = []
    last_y = None
    if points and start_progress is not None and points[0][0] > start:
        last_y = y(start_progress)
        path.append(f"M{_f(left)} {_f(last_y)}")
    for day, progress in points:
        px, py = x(day), _f(y(progress))
        if last_y is None:
            path.append(f"M{px} {py}")
        else:
            path.append(f"H{px}V{py}")
        last_y = py
    if points:
        path.append(f"H{x(min(max(today, points[-1][0]), end)) if today >= start else x(points[-1][0])}")
    color = COLORS.get(band, INK)
    dots = "".join(f'<circle cx="{x(d)}" cy="{_f(y(p))}" r="2.2" fill="{color}"/>' for d, p in points)
    now = ""
    if start <= today <= end:
        tx = x(today)
        now = f'<line x1="{tx}" y1="{_f(top)}" x2="{tx}" y2="{_f(bottom)}" stroke="{MUTED}" stroke-dasharray="1 3"/>'
    latest = two_places(points[-1][1]) if points else "none"
    aria = esc(f"{label}: progress from {len(points)} check-ins, latest {latest}, "
               f"against the straight line from {start.isoformat()} to {end.isoformat()}")
    frame, axes = _frame(start, end)
    return (f'<svg class="chart burnup" viewBox="0 0 300 118" role="img" aria-label="{aria}">'
            f"<title>{aria}</title>{frame}{now}"
            f'<path d="{" ".join(path)}" fill="none" stroke="{color}" stroke-width="2" class="actual"/>{dots}{axes}')


_LEFT, _RIGHT, _TOP, _BOTTOM = 22.0, 292.0, 8.0, 94.0  # the burn-up's plot area


@lru_cache(maxsize=64)
def _day_x(start: date, end: date):
    """The x of a day in a burn-up of the cycle `start`..`end`, as written (each day once)."""
    left, right = _LEFT, _RIGHT
    span = max(1, (end - start).days + 1)

    @lru_cache(maxsize=1024)
    def x(day: date) -> str:
        share = min(1.0, max(0.0, ((day - start).days + 0.5) / span))
        return _f(left + share * (right - left))

    return x


@lru_cache(maxsize=64)
def _frame(start: date, end: date) -> tuple[str, str]:
    """What every burn-up of the cycle draws the same: the plot area, the 0.7 and ideal lines (before
    the progress), the axis labels (after it)."""
    left, right, top, bottom = _LEFT, _RIGHT, _TOP, _BOTTOM
    at_07 = _f(bottom - 0.7 * (bottom - top))
    frame = (f'<rect x="{_f(left)}" y="{_f(top)}" width="{_f(right - left)}" height="{_f(bottom - top)}" '
             f'fill="#f8f9fa" stroke="{TRACK}"/>'
             f'<line x1="{_f(left)}" y1="{at_07}" x2="{_f(right)}" y2="{at_07}" stroke="{TRACK}"/>'
             f'<line x1="{_f(left)}" y1="{_f(bottom)}" x2="{_f(right)}" y2="{_f(top)}" stroke="{MUTED}" '
             f'stroke-dasharray="4 3" class="ideal"/>')
    axes = (f'<text x="{_f(left - 5)}" y="{_f(top + 9)}" font-size="11" text-anchor="end" fill="{MUTED}">1</text>'
            f'<text x="{_f(left - 5)}" y="{_f(bottom)}" font-size="11" text-anchor="end" fill="{MUTED}">0</text>'
            f'<text x="{_f(left)}" y="112" font-size="11" fill="{MUTED}">{start.strftime("%b %d")}</text>'
            f'<text x="{_f(right)}" y="112" font-size="11" text-anchor="end" fill="{MUTED}">'
            f'{end.strftime("%b %d")}</text></svg>')
    return frame, axes


def sparkline(values: list[float], band: str, label: str) -> str:
    """A small line of progress values (0..1), oldest first."""
    if not values:
        return ""
    n = len(values)
    step = 76.0 / max(1, n - 1)
    pts = " ".join(f"{_f(2 + i * step)},{_f(18 - 16 * max(0.0, min(1.0, v)))}" for i, v in enumerate(values))
    aria = esc(f"{label}: last {n} check-ins, from {two_places(values[0])} to {two_places(values[-1])}")
    return (f'<svg class="chart spark" viewBox="0 0 80 20" role="img" aria-label="{aria}"><title>{aria}</title>'
            f'<polyline points="{pts}" fill="none" stroke="{COLORS.get(band, INK)}" stroke-width="1.6"/></svg>')
