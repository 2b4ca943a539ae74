"""Every number a person reads, rounded half-up as written in decimal (SPEC 3).

Python's `f"{0.625:.2f}"` gives 0.62 and `round(66.5)` gives 66: binary floats and
half-even rounding. Shown numbers go through `fixed` instead, so 0.625 -> 0.63,
0.275 -> 0.28 and 66.5 -> 67 in every renderer; JSON keeps the full floats.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

SCORE_PLACES = 2  # scores and progress: 0.63
INDEX_PLACES = 1  # health indices 0-100: 66.5


@lru_cache(maxsize=8192)
def fixed(value: float, places: int = SCORE_PLACES, scale: int = 1) -> str:
    """`value * scale` rounded half-up to `places` decimals, read as its shortest decimal
    (`repr`), so 0.625 is 0.625 and not 0.62499999999999995559."""
    exact = Decimal(repr(float(value))) * scale
    text = str(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text  # no "-0.00"


def score(value: float | None) -> str:
    """A score or progress in 0..1, two decimals: `0.63`; `n/a` when unknown."""
    return "n/a" if value is None else fixed(value, SCORE_PLACES)


def percent(value: float) -> str:
    """A share in 0..1 as a whole percentage: `68%`."""
    return fixed(value, 0, 100) + "%"


def index(value: float) -> str:
    """A health index 0-100, one decimal: `66.5`."""
    return fixed(value, INDEX_PLACES)


def signed(value: float, places: int = INDEX_PLACES) -> str:
    """A change, always signed: `+3.5`, `-14.0`, `±0.0`."""
    text = fixed(value, places)
    if not text.strip("-0."):
        return "±" + text.lstrip("-")
    return text if text.startswith("-") else "+" + text
