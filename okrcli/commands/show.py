"""`okr show REF`: one objective or key result and its neighbours in the network."""

from __future__ import annotations

from pathlib import Path

import typer

from .common import RepoOption, choice, write
from .viewing import AtOption, IncludePrivateOption, paused_gc

FORMATS = ("text", "json")


@paused_gc
def show(
    ref: str = typer.Argument(..., metavar="REF", help="OWNER/OBJ, OWNER/OBJ/KR or CYCLE:OWNER/OBJ[/KR]."),
    repo: Path | None = RepoOption,
    cycle: str | None = typer.Option(None, "--cycle", metavar="CYCLE",
                                        help="The cycle of a REF written without one. Default: the current cycle."),
    format: str = typer.Option("text", "--format", "-f", metavar="FORMAT", help="text or json."),
    at: str | None = AtOption,
    include_private: bool = IncludePrivateOption,
) -> None:
    """Show an objective (its key results, score, status, parents, children, dependencies
    and dependents) or a key result (its progress, confidence, and what drives or needs it).

    Example: okr show platform/O1
    """
    from ..errors import OkrError
    from ..network import AlignmentNetwork
    from ..render import show as render
    from ..resolve import resolve
    from ..views import Scorer, build_show_kr, build_show_objective
    from .viewing import emit, open_as_of, pick_cycle

    choice(format, FORMATS, "--format")
    repository, today = open_as_of(repo, at)
    target = resolve(repository, ref, pick_cycle(repository, cycle, today))
    obj = target.objective
    if obj.private and not include_private:
        raise OkrError(f"{obj.owner}/{obj.id} is private", hint="add --include-private to show it")
    network, scorer = AlignmentNetwork(repository), Scorer(repository, today, include_private)
    detail = (build_show_objective(repository, network, scorer, obj, include_private) if target.kr is None
              else build_show_kr(repository, network, scorer, obj, target.kr, include_private))
    if format == "json":
        write(render.to_json(detail))
    else:
        emit(render.text_lines(detail))
