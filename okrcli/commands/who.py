"""`okr who`: find a person of org.yaml by their GitHub handle (for workflows run by a GitHub user)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from . import output
from .common import RepoOption, choice

FORMATS = ("text", "json")


def who(
    github: str = typer.Option(..., "--github", metavar="HANDLE",
                               help="A GitHub username, e.g. the $GITHUB_ACTOR of a workflow run (case ignored)."),
    format: str = typer.Option("text", "--format", "-f", metavar="FORMAT",
                               help="text (the owner id) or json (id, name, team, email, github)."),
    repo: Path | None = RepoOption,
) -> None:
    """Print the owner id of the person whose org.yaml `github:` is HANDLE; exit 2 when nobody's is.

    The check-in workflow uses it to check in as the person who pressed the button:
    okr checkin REF VALUE --as "$(okr who --github "$GITHUB_ACTOR")".

    Example: okr who --github alice-chen --format json
    """
    from ..errors import OkrError
    from ..load.build import load_org
    from ..safe_text import visible
    from .common import find_root

    choice(format, FORMATS, "--format")
    org = load_org(find_root(repo), [])
    found = org.people_by_github(github)
    shown = visible(github)
    if not found:
        raise OkrError(f"no person in org.yaml has github: {shown}",
                       hint=f"add github: {shown.removeprefix('@')} to your entry under people: in org.yaml")
    if len(found) > 1:
        raise OkrError(f"{len(found)} people in org.yaml have github: {shown} "
                       f"({', '.join(p.id for p in found)})", hint="a GitHub account belongs to one person; "
                       "run okr check")
    person = found[0]
    if format == "json":
        output.text(json.dumps({"id": person.id, "name": person.name, "team": person.team, "email": person.email,
                          "github": person.github}, ensure_ascii=False) + "\n")
    else:
        output.text(person.id + "\n")
