"""`okr show REF`: one objective or key result and its neighbours in the network."""

from __future__ import annotations

from pathlib import Path

import typer

from . import output
from .common import RepoOption, choice, complete_ref
from .viewing import AtOption, IncludePrivateOption, paused_gc

FORMATS = ("text", "json")


@paused_gc
def show(
    ref: str = typer.Argument(..., metavar="REF", help="OWNER/OBJ, OWNER/OBJ/KR or CYCLE:OWNER/OBJ[/KR].",
                              autocompletion=complete_ref),
    repo: Path | None = RepoOption,
    cycle: str | None = typer.Option(None, "--cycle", metavar="CYCLE",
                                        help="The cycle of a REF written without one. Default: the current cycle."),
    format: str = typer.Option("text", "--format", "-f", metavar="FORMAT", help="text or json."),
    at: str | None = AtOption,
    include_private: bool = IncludePrivateOption,
    last: int = typer.Option(5, "--checkins", metavar="N", min=0,
                             help="For a key result: how many of its last check-ins to show (0: none)."),
) -> None:
    """Show an objective (its key results, score, status, parents, children, dependencies
    and dependents) or a key result (its progress, confidence, what drives or needs it,
    and its last check-ins: date, author, value, confidence, note and links).

    Example: okr show platform/O1/KR1 --checkins 10
    """
    from ..errors import OkrError
    from ..network import AlignmentNetwork
    from ..render import show as render
    from ..reports.views import Scorer, build_show_kr, build_show_objective
    from ..resolve import resolve
    from .viewing import open_as_of, pick_cycle

    choice(format, FORMATS, "--format")
    repository, today = open_as_of(repo, at)
    target = resolve(repository, ref, pick_cycle(repository, cycle, today))
    obj = target.objective
    if obj.private and not include_private:
        raise OkrError(f"{obj.owner}/{obj.id} is private", hint="add --include-private to show it")
    network, scorer = AlignmentNetwork(repository), Scorer(repository, today, include_private)
    detail = (build_show_objective(repository, network, scorer, obj, include_private) if target.kr is None
              else build_show_kr(repository, network, scorer, obj, target.kr, include_private))
    if target.kr is not None:
        _add_checkins(detail, repo, obj, target.kr, today if at else None, last)
    if format == "json":
        output.text(render.to_json(detail))
    else:
        output.lines(render.text_lines(detail))


def _add_checkins(detail, repo: Path | None, obj, kr, until, last: int) -> None:
    """The key result's last `last` check-ins (up to the `--at` day), newest first, from git."""

    from ..errors import OkrError
    from ..load.history import read_history
    from .common import find_root

    if last == 0:  # asked for none: no need to read the history
        detail.checkins_asked = False
        return
    try:
        history = read_history(find_root(repo), owners={obj.owner}, cycle=obj.cycle)
    except OkrError:
        return  # outside git: no history to show (checkins stays None)
    if history.shallow:
        output.note("okr: warning: this is a shallow clone, so older check-ins are missing\n")
    series = [c for c in history.series(f"{obj.cycle}:{obj.owner}/{obj.id}/{kr.id}")
              if until is None or c.date.date() <= until]
    detail.checkins_total = len(series)
    detail.checkins = series[::-1][:last]
