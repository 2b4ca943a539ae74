"""`okr tree`: the alignment network from the company down, with scores and status."""

from __future__ import annotations

from pathlib import Path

import typer

from . import output
from .common import RepoOption, choice
from .viewing import AtOption, CycleOption, IncludePrivateOption, OwnerOption, TeamOption, paused_gc

FORMATS = ("text", "json", "mermaid", "dot")


@paused_gc
def tree(
    ref: str | None = typer.Argument(None, metavar="[REF]",
                                     help="Start from this objective (OWNER/OBJ or CYCLE:OWNER/OBJ)."),
    repo: Path | None = RepoOption,
    cycle: str | None = CycleOption,
    owner: str | None = OwnerOption,
    team: str | None = TeamOption,
    depth: int | None = typer.Option(None, "--depth", min=1, metavar="N", help="Show N levels at most."),
    krs: bool = typer.Option(False, "--krs", help="Show key results; objectives that drive a KR appear under it."),
    format: str = typer.Option("text", "--format", "-f", metavar="FORMAT", help="text, json, mermaid or dot."),
    at: str | None = AtOption,
    include_private: bool = IncludePrivateOption,
) -> None:
    """Show how objectives align: company -> team -> individual, with progress, score and status.

    An objective with several parents appears under each (marked "also under");
    standalone and unaligned objectives follow the tree; "depends on" shows
    lateral links. With --owner or --team, the objectives they align to are
    shown too, dimmed, so the path to the company goals stays visible.

    Example: okr tree --team platform --krs
    """
    from ..errors import OkrError
    from ..network import AlignmentNetwork
    from ..render import tree as render
    from ..reports.views import Scorer, build_tree
    from ..resolve import resolve
    from .viewing import open_as_of, owner_filter, pick_cycle

    choice(format, FORMATS, "--format")
    repository, today = open_as_of(repo, at)
    current = pick_cycle(repository, cycle, today)
    owners = owner_filter(repository, owner, team)
    root = None
    if ref is not None:
        target = resolve(repository, ref, current).objective
        if target.private and not include_private:
            raise OkrError(f"{target.owner}/{target.id} is private", hint="add --include-private to show it")
        root = target.key
    network = AlignmentNetwork(repository)
    view = build_tree(repository, network, Scorer(repository, today, include_private), cycle=current, root=root,
                      owners=owners, depth=depth, include_private=include_private, krs=krs)
    if format == "text":
        output.lines(render.text_lines(view))
    else:
        output.text({"json": render.to_json, "mermaid": render.to_mermaid, "dot": render.to_dot}[format](view))
