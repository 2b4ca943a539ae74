"""`okr review`: the end-of-cycle review."""

from __future__ import annotations

from pathlib import Path

import typer

from .common import RepoOption, choice
from .report import FORMATS, AtOption, FormatOption, OutputOption, open_for_report, selection_text
from .viewing import IncludePrivateOption, TeamOption, paused_gc


@paused_gc
def review(
    cycle: str | None = typer.Argument(None, metavar="[CYCLE]",
                                       help="The cycle to review, e.g. 2026-Q4. Default: the current cycle; when it has "
                                            "no OKR files yet, the latest cycle that has ended."),
    team: str | None = TeamOption,
    at: str | None = AtOption,
    format: str = FormatOption,
    output: Path | None = OutputOption,
    include_private: bool = IncludePrivateOption,
    repo: Path | None = RepoOption,
) -> None:
    """The end-of-cycle review: roll-up scores per owner and team, objectives by band, committed
    objectives below 1.0 (postmortems), the aspirational average against the 0.6-0.7 sweet spot,
    objectives at 1.0, standalone objectives, check-in discipline, review notes and carry-over
    candidates. People are listed by team and id, never ranked by score.

    Example: okr review 2026-Q4 --format html --output review.html
    """
    from ..reports.review import SPARKLINE, build_review
    from ..reports.spec import ReportSpec
    from .output import report as deliver
    from .viewing import owner_filter

    choice(format, FORMATS, "--format")
    opened = open_for_report(repo, at, cycle)
    repository = opened.as_of.repository
    owners = owner_filter(repository, None, team)
    today = opened.as_of.today
    spec = ReportSpec(opened.cycle, today, opened.as_of.rev, owners, team=team, selection=selection_text(team=team),
                      include_private=include_private, until=today if at else None)
    data = build_review(repository, opened.history, spec, recent=SPARKLINE if format == "text" else None)
    deliver(data, format, output)
