"""What "today" is: the one place that reads the clock.

Status by pace depends on the date. `OKR_TODAY=YYYY-MM-DD` pins it (tests,
reproducible output); it is deliberately undocumented in `--help`.
"""

from __future__ import annotations

import os
from datetime import date

TODAY_ENV = "OKR_TODAY"


def today() -> date:
    """`OKR_TODAY` when set (an ISO date), else the system date."""
    pinned = os.environ.get(TODAY_ENV, "").strip()
    if not pinned:
        return date.today()
    from .errors import OkrError

    try:
        day = date.fromisoformat(pinned)
    except ValueError:
        raise OkrError(f"{TODAY_ENV}={pinned!r} is not a date", hint="write it as YYYY-MM-DD, e.g. 2026-11-27") from None
    from .cycles import MAX_YEAR, MIN_YEAR

    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise OkrError(f"{TODAY_ENV}={pinned!r} is outside the years okr handles ({MIN_YEAR}-{MAX_YEAR})")
    return day
