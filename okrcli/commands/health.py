"""`okr health`: the four values (Focus, Follow-up, Collaboration, Activation) of the company and each team."""

from __future__ import annotations

from pathlib import Path

import typer

from . import output
from .common import RepoOption, choice
from .status import AtOption
from .viewing import CycleOption, IncludePrivateOption, paused_gc

FORMATS = ("text", "json", "markdown")


@paused_gc
def health(
    repo: Path | None = RepoOption,
    cycle: str | None = CycleOption,
    team: str | None = typer.Option(None, "--team", metavar="ID", help="Only this team and its subteams."),
    at: str | None = AtOption,
    format: str = typer.Option("text", "--format", "-f", metavar="FORMAT", help="text, json or markdown."),
    include_private: bool = IncludePrivateOption,
) -> None:
    """Show the four values of the OKR practice as indices 0-100, for the company and each team:
    Focus, Follow-up, Collaboration and Activation, with fill-in rate, check-ins up to
    date and the change since the previous cycle of the same kind.

    The formulas are in the README ("okr health (the four values)"). Teams are
    measured, never people, and nothing is ranked.

    Example: okr health --team eng --format markdown
    """
    from ..network import AlignmentNetwork
    from ..render import pulse as render
    from ..reports.pulse import build_health
    from .status import open_pulse
    from .viewing import owner_filter

    choice(format, FORMATS, "--format")
    pulse = open_pulse(repo, at, cycle)
    if team is not None:
        owner_filter(pulse.repository, None, team)  # an unknown team is a usage error
    report = build_health(pulse.repository, AlignmentNetwork(pulse.repository), pulse.history, cycle=pulse.cycle,
                          today=pulse.today, team=team, include_private=include_private)
    if format == "text":
        output.lines(render.health_text_lines(report, fancy=output.color_wanted()))
    else:
        output.text({"json": render.health_json, "markdown": render.health_markdown}[format](report))
