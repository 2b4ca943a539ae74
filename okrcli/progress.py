"""Progress on stderr for long work (loading files, reading history, writing a site).

A bar appears only when it helps and can change nothing a program reads:
stderr is a terminal, `NO_COLOR` is unset, `TERM` is not `dumb`, `OKR_PROGRESS`
is not `0`, the command prints text (a machine format turns it off through
`quiet()`), and the work has already taken `DELAY` seconds, so quick commands
never flash one. The drawing is the CLI's (`set_display`, rich in
`commands/progress_bar.py`, imported only when a bar is shown): this module, used
by the loaders, stays free of rich. The bar is transient: it is erased when the
work ends, leaving stderr as it was.

    with progress.bar("Writing pages", total=len(pages)) as bar:
        for page in pages:
            write(page)
            bar.advance()

or `for item in progress.iterate(items, "Loading files"): ...`.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Iterator
from typing import TypeVar, final

DELAY = 0.5  # seconds of work before a bar appears (OKR_PROGRESS_DELAY overrides it)

T = TypeVar("T")
_quiet = False
_display = None  # (label, total) -> an object with update(done) and stop(); set by the CLI


def set_display(factory) -> None:
    """Choose how a bar is drawn (the CLI passes commands.progress_bar's rich bar); None: never."""
    global _display
    _display = factory


def quiet(on: bool = True) -> None:
    """Turn bars off for this process (a command printing JSON, SARIF, HTML...)."""
    global _quiet
    _quiet = on


def enabled() -> bool:
    """Whether a bar may be shown at all (terminal, colour allowed, not turned off)."""
    if _quiet or os.environ.get("OKR_PROGRESS") == "0" or "NO_COLOR" in os.environ:
        return False
    if os.environ.get("TERM") == "dumb":
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed stderr
        return False


@final
class Bar:
    """A progress bar that starts once the work has lasted `delay` seconds (if enabled)."""

    def __init__(self, label: str, total: int | None = None, *, delay: float | None = None,
                 show: bool | None = None):
        if delay is None:
            try:
                delay = float(os.environ.get("OKR_PROGRESS_DELAY", DELAY))
            except ValueError:
                delay = DELAY
        self.label, self.total, self.delay = label, total, delay
        self.done = 0
        self._on = enabled() if show is None else show
        self._start = time.monotonic()
        self._progress = None  # the display, once shown

    def advance(self, n: int = 1) -> None:
        self.done += n
        if not self._on:
            return
        if self._progress is None:
            if time.monotonic() - self._start < self.delay or _display is None:
                return
            self._progress = _display(self.label, self.total)
        self._progress.update(self.done)

    @property
    def shown(self) -> bool:
        return self._progress is not None

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def __enter__(self) -> Bar:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def bar(label: str, total: int | None = None, **kwargs) -> Bar:
    return Bar(label, total, **kwargs)


def iterate(items: Iterable[T], label: str, total: int | None = None, *, step: int = 1,
            **kwargs) -> Iterator[T]:
    """Yield `items`, advancing a bar by `step` for each (the bar closes at the end)."""
    if total is None and hasattr(items, "__len__"):
        total = len(items) * step
    with Bar(label, total, **kwargs) as shown:
        if not shown._on:
            yield from items
            return
        for item in items:
            yield item
            shown.advance(step)
