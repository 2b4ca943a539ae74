"""`okr list`: objectives (or key results) of a cycle, filtered."""

from __future__ import annotations

from pathlib import Path

import typer

from . import output
from .common import RepoOption, choice
from .viewing import AtOption, CycleOption, IncludePrivateOption, OwnerOption, TeamOption, paused_gc

FORMATS = ("text", "json", "csv")
STATUSES = ("on_track", "at_risk", "off_track")


@paused_gc
def list_objectives(
    repo: Path | None = RepoOption,
    krs: bool = typer.Option(False, "--krs", help="List key results instead of objectives."),
    cycle: str | None = CycleOption,
    owner: str | None = OwnerOption,
    team: str | None = TeamOption,
    status: str | None = typer.Option(None, "--status", metavar="STATUS",
                                         help="on_track, at_risk or off_track (of each objective, or KR with --krs)."),
    committed: bool = typer.Option(False, "--committed", help="Only committed objectives."),
    aspirational: bool = typer.Option(False, "--aspirational", help="Only aspirational objectives."),
    format: str = typer.Option("text", "--format", "-f", metavar="FORMAT", help="text, json or csv."),
    at: str | None = AtOption,
    include_private: bool = IncludePrivateOption,
) -> None:
    """List the objectives of a cycle (or their key results) with score and status.

    Example: okr list --team eng --status at_risk
    """
    from ..errors import OkrError
    from ..render import objectives as render
    from ..reports.views import Scorer, build_list
    from .viewing import open_as_of, owner_filter, pick_cycle

    choice(format, FORMATS, "--format")
    if status is not None:
        status = choice(status.strip().lower().replace("-", "_").replace(" ", "_"), STATUSES, "--status")
    if committed and aspirational:
        raise OkrError("--committed and --aspirational exclude each other", hint="give one of them, or neither")
    repository, today = open_as_of(repo, at)
    listing = build_list(repository, Scorer(repository, today, include_private), cycle=pick_cycle(repository, cycle, today),
                         owners=owner_filter(repository, owner, team), status=status,
                         committed=True if committed else False if aspirational else None,
                         include_private=include_private, krs=krs)
    if format == "json":
        output.text(render.list_json(listing))
    elif format == "csv":
        output.text(render.list_csv(listing))
    else:
        output.lines(render.list_lines(listing))
        if not listing.rows:
            output.note(f"okr list: nothing in {listing.cycle} matches\n")
