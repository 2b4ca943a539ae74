"""`okr export`: every objective and key result, scored, for tools and spreadsheets."""

from __future__ import annotations

from pathlib import Path

import typer

from . import output
from .common import RepoOption, choice
from .viewing import AtOption, CycleOption, IncludePrivateOption, paused_gc

FORMATS = ("json", "csv")


@paused_gc
def export(
    repo: Path | None = RepoOption,
    format: str = typer.Option("json", "--format", "-f", metavar="FORMAT",
                               help="json (one document) or csv (one row per key result)."),
    cycle: str | None = CycleOption,
    all_cycles: bool = typer.Option(False, "--all-cycles", help="Export every cycle."),
    at: str | None = AtOption,
    include_private: bool = IncludePrivateOption,
) -> None:
    """Export objectives and key results with scores and status: the stable machine interface.

    JSON carries full floats; `status` is on_track, at_risk or off_track and
    `kind` numeric, threshold or milestone.

    Example: okr export --format csv --cycle 2026-Q4 > okrs.csv
    """
    from ..errors import OkrError
    from ..render import objectives as render
    from ..reports.views import Scorer, build_export
    from .viewing import open_as_of, pick_cycle

    choice(format, FORMATS, "--format")
    if all_cycles and cycle is not None:
        raise OkrError("--cycle and --all-cycles exclude each other", hint="give one of them")
    repository, today = open_as_of(repo, at)
    chosen = None if all_cycles else pick_cycle(repository, cycle, today)
    data = build_export(repository, Scorer(repository, today, include_private), cycle=chosen, include_private=include_private)
    output.text(render.export_json(data, include_private) if format == "json" else render.export_csv(data))
