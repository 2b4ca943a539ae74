"""`okr new-cycle`: start the next cycle, carrying unfinished objectives forward."""

from __future__ import annotations

from pathlib import Path

import typer

from . import output
from .common import RepoOption, choice, find_root

FORMATS = ("text", "json")


def new_cycle(
    next_cycle: str = typer.Argument(..., metavar="NEXT", help="The cycle to start, e.g. 2027-Q1."),
    from_cycle: str | None = typer.Option(
        None, "--from", metavar="CYCLE", help="The cycle to carry from. Default: the current cycle."),
    carry: str = typer.Option(
        "unfinished", "--carry", metavar="WHAT",
        help="unfinished (objectives scoring below 1.0), all, or none (only the empty files)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be created; write nothing."),
    repo: Path | None = RepoOption,
    format: str = typer.Option("text", "--format", "-f", metavar="FORMAT", help="text or json."),
    include_private: bool = typer.Option(
        False, "--include-private", help="Carry private objectives too (they stay behind by default)."),
) -> None:
    """Create the next cycle's OKR files, one per owner of the current cycle, carrying
    unfinished objectives forward.

    Carried objectives keep their ids; numeric key results start at their last
    `current`, milestones keep `done`, threshold key results keep their target;
    confidence, key result scores and the review stay behind. Alignments follow
    the carried parents; a link to an objective that stayed behind is removed
    and reported. Never overwrites a file (exit 2, naming it).

    Example: okr new-cycle 2027-Q1 --from 2026-Q4 --dry-run
    """
    from .. import clock
    from ..plans.new_cycle import CARRY_MODES, plan_new_cycle, unreadable_files, write_plan
    from ..render import new_cycle as render
    from .viewing import open_repository

    choice(format, FORMATS, "--format")
    choice(carry, CARRY_MODES, "--carry")
    root = find_root(repo)
    repository = open_repository(root)
    start = from_cycle or repository.settings.current_cycle(clock.today())
    plan = plan_new_cycle(repository, start, next_cycle, carry, unreadable_files(root, repository, start),
                          include_private)
    if not dry_run:
        write_plan(root, plan)
    if format == "json":
        output.text(render.render_json(plan, dry_run, include_private))
    else:
        output.lines(render.text_lines(plan, dry_run, include_private))
