"""`okr demo [DIR]`: a living example to explore, in its own git repository."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from . import output

DirArgument = typer.Argument(Path("okr-demo"), metavar="[DIR]",
                             help="A new (or empty) folder for the demo repository. Default: okr-demo.")


def demo(ctx: typer.Context, folder: Path = DirArgument) -> None:
    """Create a demo OKR repository: Acme's fourth quarter of 2026, one git commit per weekly check-in.

    The folder gets its own git repository, built from the example company
    bundled with okr: a quarter of backdated check-ins by the company's people,
    with notes, links, a missed week, a confidence drop and end-of-quarter
    grades. Then it shows the tree and the review as they stood once the quarter
    closed, and what to try next. It writes nothing outside DIR and refuses a
    DIR that is not empty.

    Example: okr demo && cd okr-demo && okr report --at 2026-12-31 --since 7d
    """
    from datetime import timedelta

    from ..plans.demo import LAST_DAY, YOU, build_demo

    root = build_demo(folder)
    shown = _shown(folder)
    output.line(f"Created {shown}: Acme Inc.'s 2026-Q4 OKRs and a quarter of weekly check-ins "
                "(git log shows who checked in what, and when).\n")
    closed = LAST_DAY + timedelta(days=1)
    with _today(closed.isoformat()):
        _run(ctx, ["tree", "--repo", str(root)])
        output.line("")
        _run(ctx, ["review", "--repo", str(root)])
    output.text(f"\nTry next (in {shown}, git knows you as {YOU}, so okr checkin asks for {YOU}'s key results):\n")
    for command, what in (
        (f"cd {shown}", ""),
        ("okr report --at 2026-12-31 --since 7d", "the follow-up of the quarter's last week"),
        (f"okr review --at {closed} --format html --output review.html", "the review as a web page"),
        ("okr log kofi", "one person's check-ins (and the weeks he missed)"),
        ("okr log sales/O1/KR2", "a mirror: its value moves with every check-in of Mei's KR"),
        ("okr checkin alice/O2/KR1 7 --note 'Normaliser merged'", "check in: one more commit"),
        ("okr tree --at 2026-11-01", "the company as it stood on Nov 1"),
        ("okr diff HEAD~5", "what the last five commits changed"),
    ):
        output.text(f"  {command:<64}{what}".rstrip() + "\n")


def _run(ctx: typer.Context, args: list[str]) -> None:
    """Run one okr command in this process, exactly as typed on the command line: through the
    command group `okr demo` itself runs in (so this module needs no import of the CLI)."""
    from ..errors import OkrError

    code = ctx.find_root().command.main(args, prog_name="okr", standalone_mode=False)
    if code:
        raise OkrError(f"the demo repository was built, but `okr {args[0]}` failed on it (exit {code})")


@contextmanager
def _today(day: str) -> Iterator[None]:
    """Pin the date every command reads (clock.TODAY_ENV) while the demo shows its views."""
    from ..clock import TODAY_ENV

    before = os.environ.get(TODAY_ENV)
    os.environ[TODAY_ENV] = day
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(TODAY_ENV, None)
        else:
            os.environ[TODAY_ENV] = before


def _shown(folder: Path) -> str:
    """The folder as the user can type it: as given, quoted for a POSIX shell when needed."""
    import shlex

    return shlex.quote(str(folder))
