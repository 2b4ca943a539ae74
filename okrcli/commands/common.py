"""Options and helpers shared by commands."""

from __future__ import annotations

from pathlib import Path

import typer

RepoOption = typer.Option(
    None, "--repo", envvar="OKR_REPO", show_envvar=True,
    help="The OKR root (the folder holding okr.yaml). Default: the nearest one at or above the current folder.",
)


def complete_ref(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion of a REF argument (okrcli.completion, imported on a TAB only)."""
    from ..completion import complete_ref as complete

    return complete(ctx, incomplete)


def find_root(repo: Path | None) -> Path:
    from ..load.source import find_root as _find_root

    return _find_root(repo)


def choice(value: str, allowed: tuple[str, ...], option: str) -> str:
    from ..errors import OkrError

    if value not in allowed:
        raise OkrError(f"{option} must be one of {', '.join(allowed)}, not '{value}'")
    if option == "--format" and value != "text":  # a machine format: no progress bar on stderr
        from ..progress import quiet

        quiet()
    return value
