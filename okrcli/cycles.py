"""Cycle ids (`2026`, `2026-H2`, `2026-Q4`, `2026-B6`), their date ranges and "encloses"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

CYCLE_RE = re.compile(r"^(\d{4})(?:-([HQB])([1-9]))?\Z")
_PERIODS = {"H": (2, 6), "Q": (4, 3), "B": (6, 2)}  # kind letter -> (count per year, months each)
_KINDS = {None: "year", "H": "half", "Q": "quarter", "B": "bimonthly"}
# Sane years only: a cycle id comes from folder names, trailers and the command line, all
# untrusted, and date arithmetic past year 9999 raises. A year outside is no valid cycle.
MIN_YEAR, MAX_YEAR = 1900, 2999


@dataclass(frozen=True, slots=True)
class Cycle:
    id: str
    kind: str  # year | half | quarter | bimonthly
    start: date  # first day
    end: date  # last day (inclusive)

    def encloses(self, other: Cycle) -> bool:
        """True when this cycle's range contains the other's (a cycle encloses itself)."""
        return self.start <= other.start and other.end <= self.end

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def elapsed_fraction(self, today: date) -> float:
        """Share of the cycle elapsed by the end of `today`: 0 before it starts, 1 after it ends."""
        if today < self.start:
            return 0.0
        if today >= self.end:
            return 1.0
        return ((today - self.start).days + 1) / self.days


def _month_end(year: int, month: int) -> date:
    nxt = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return nxt - timedelta(days=1)


@lru_cache(maxsize=4096)
def parse_cycle(text: str) -> Cycle | None:
    """The cycle named by `text`, or None when it is not a valid cycle id (never raises)."""
    m = CYCLE_RE.match(text) if isinstance(text, str) else None
    if not m:
        return None
    year = int(m.group(1))
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    letter = m.group(2)
    if letter is None:
        return Cycle(text, "year", date(year, 1, 1), date(year, 12, 31))
    count, months = _PERIODS[letter]
    n = int(m.group(3))
    if not 1 <= n <= count:
        return None
    first = (n - 1) * months + 1
    return Cycle(text, _KINDS[letter], date(year, first, 1), _month_end(year, first + months - 1))


def looks_like_cycle(name: str) -> bool:
    """A folder name that is meant as a cycle id (starts with four digits), valid or not."""
    return bool(re.match(r"^\d{4}(?:$|-)", name))


def current_cycle_id(today: date, cadence: str = "quarterly") -> str:
    """The quarter (or bimonthly period) containing `today`."""
    if cadence == "bimonthly":
        return f"{today.year}-B{(today.month - 1) // 2 + 1}"
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"
