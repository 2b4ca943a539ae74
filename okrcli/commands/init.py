"""`okr init`: start an OKR repository that passes `okr check`."""

from __future__ import annotations

import shlex
from pathlib import Path

import typer

from . import output


def init(
    directory: Path = typer.Argument(Path("."), metavar="[DIR]", help="Where to create the repository."),
    company: str | None = typer.Option(None, "--company", help="Company owner id (default: from DIR's name)."),
    name: str | None = typer.Option(None, "--name", help="Company display name."),
    cadence: str = typer.Option("quarterly", "--cadence", help="quarterly or bimonthly."),
) -> None:
    """Create okr.yaml, org.yaml and the current cycle's company OKR file.

    Refuses to overwrite any existing file.

    Example: okr init okrs --company acme --name "Acme Inc."
    """
    from ..plans.init import create_files, plan_init
    from ..safe_text import visible
    from .common import choice

    choice(cadence, ("quarterly", "bimonthly"), "--cadence")
    files = plan_init(directory, company, name, cadence)
    create_files({path: text.encode("utf-8") for path, text in files.items()}, fallback=directory)
    for path in files:
        output.text(f"created {visible(str(path))}\n")
    output.text(f"\nNext: add teams and people to org.yaml, then run "
                f"`okr check --repo {visible(shlex.quote(str(directory)))}`.\n")
