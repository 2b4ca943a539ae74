"""A history's check-ins filed by key result, read once and shared by every report builder.

The review, the follow-up, `okr status` and `okr health` each ask for one key result's
check-ins thousands of times (and discipline for each cycle's); `History.series` copies a
list per call and every `CheckIn.key` and `date.date()` is worked out again each time. A
`ByKR` goes over the history once: per `CYCLE:OWNER/OBJ/KR` its check-ins and edits
(grades left out), oldest first as `History.series` gives them, beside their days; per
cycle the keys holding any. A derived key result's series is the history's own (its
computed values, `okrcli.derived.DerivedHistory`).

The lists handed out are shared: callers must not change them.
"""

from __future__ import annotations

from datetime import date

from ..load.history import CheckIn, History


class ByKR:
    """The check-ins of one `History` by key result (see the module doc)."""

    __slots__ = ("_cycles", "_days", "_derived", "_series", "history")

    def __init__(self, history: History):
        self.history = history
        series = history.recorded_by_key()  # oldest first, as History.series
        days = {key: [c.date.date() for c in found] for key, found in series.items()}
        cycles: dict[str, list[str]] = {}
        for key, found in series.items():
            cycles.setdefault(found[0].cycle, []).append(key)
        self._series, self._days, self._cycles = series, days, cycles
        repo = getattr(history, "repo", None)  # a DerivedHistory answers its derived KRs itself
        self._derived = repo.derived if repo is not None and repo.derived else None

    def series(self, key: str) -> list[CheckIn]:
        """The check-ins and edits of one key result, oldest first (shared: do not change it)."""
        if self._derived is not None and key in self._derived:
            return self.history.series(key)
        return self._series.get(key, _NONE)

    def with_days(self, key: str) -> tuple[list[CheckIn], list[date]]:
        """`series(key)` and the day of each of its check-ins (shared: do not change them)."""
        if self._derived is not None and key in self._derived:
            found = self.history.series(key)
            return found, [c.date.date() for c in found]
        got = self._series.get(key)
        return (got, self._days[key]) if got is not None else (_NONE, _NONE)

    def recorded(self, cycle: str) -> list[tuple[str, list[CheckIn], list[date]]]:
        """(key, check-ins, days) of every key result of `cycle` with recorded check-ins (never
        derived values), in the order the history first names them."""
        series, days = self._series, self._days
        return [(key, series[key], days[key]) for key in self._cycles.get(cycle, ())]


_NONE: list = []
_LAST: list = []  # [history, its ByKR]: the one history a command reads, filed once


def by_kr(history: History) -> ByKR:
    """The `ByKR` of `history`, built on first use and kept for the next builder that asks."""
    if _LAST and _LAST[0] is history:
        return _LAST[1]
    found = ByKR(history)
    _LAST[:] = [history, found]
    return found
