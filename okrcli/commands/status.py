"""`okr status`: who still owes OKRs and check-ins, and objectives without key results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from . import output
from .common import RepoOption, choice
from .viewing import (
    AtOption,
    CycleOption,
    IncludePrivateOption,
    OwnerOption,
    open_with_history,
    paused_gc,
)

if TYPE_CHECKING:
    from ..load.history import History
    from ..model import Repository

FORMATS = ("text", "json", "markdown", "github")


@dataclass
class Pulse:
    """What `status` and `health` read: the repository (now or --at), its date, the check-ins."""

    root: Path
    repository: Repository
    today: date
    cycle: str
    unreadable: set[str]
    history: History | None


def open_pulse(repo: Path | None, at: str | None, cycle: str | None) -> Pulse:
    """Load the repository (as of --at), pick the cycle, read every cycle's check-ins (the trend needs them)."""
    opened = open_with_history(repo, at, cycle, all_cycles=True)
    return Pulse(opened.root, opened.as_of.repository, opened.as_of.today, opened.cycle, opened.unreadable,
                 opened.history)


def _me(root: Path) -> str:
    from ..errors import OkrError
    from ..gitstore import open_repo
    from ..plans.checkin import current_user

    try:
        email = open_repo(root).user_email()
    except OkrError:
        email = None
    return current_user(root, None, email)


@paused_gc
def status(
    repo: Path | None = RepoOption,
    cycle: str | None = CycleOption,
    me: bool = typer.Option(False, "--me", help="Only what you owe (OKR_USER, else the person whose email is "
                                                "git's user.email), with the teams you lead."),
    owner: str | None = OwnerOption,
    team: str | None = typer.Option(None, "--team", metavar="ID",
                                    help="Only this team, its subteams and their people."),
    at: str | None = AtOption,
    format: str = typer.Option("text", "--format", "-f", metavar="FORMAT", help="text, json, markdown or github."),
    include_private: bool = IncludePrivateOption,
    mention: bool = typer.Option(False, "--mention", help="With --format markdown: end with Reminders that "
                                 "@mention each owner who owes check-ins or has no OKRs (org.yaml github:)."),
) -> None:
    """Show who still owes OKRs (fill-in per team), which key results owe a check-in (none within
    checkin_every days, from git history) and objectives without key results.

    It reports and exits 0; okr check judges. --format github prints one warning
    annotation per owner owing check-ins, per owner without OKRs and per
    objective without key results, for a scheduled CI job. --format markdown
    --mention adds Reminders with each such owner's @handle (org.yaml
    github:), for a comment that notifies them; without --mention no @ in the
    output mentions anyone.

    Example: okr status --me
    """
    from ..errors import OkrError
    from ..reports.pulse import build_status

    choice(format, FORMATS, "--format")
    if mention and format != "markdown":
        raise OkrError("--mention goes with --format markdown", hint="okr status --format markdown --mention")
    if me and owner is not None:
        raise OkrError("--me and --owner both name an owner; give one of them")
    pulse = open_pulse(repo, at, cycle)
    owners, selection = _selected(pulse, me, owner, team)
    report = build_status(pulse.repository, pulse.history, cycle=pulse.cycle, today=pulse.today, owners=owners,
                          include_private=include_private, unreadable=pulse.unreadable,
                          selection=selection or None)
    _print(report, format, pulse, mention)


def _selected(pulse: Pulse, me: bool, owner: str | None, team: str | None) -> tuple[set[str] | None, str]:
    """The owners shown (None: everyone) and the selection as the header names it."""
    from .viewing import owner_filter

    mine = ""
    if me:
        owner = _me(pulse.root)
        led = pulse.repository.org.led_by(owner)
        mine = f"({owner}" + (f", and {', '.join(led)}, which {owner} leads)" if led else ")")
    owners = owner_filter(pulse.repository, None if me else owner, team)
    if me:  # my key results: mine and those of the teams I lead
        mine_ids = set(pulse.repository.org.mine(owner))
        owners = mine_ids if owners is None else owners & mine_ids
    flags = (("--me", mine) if me else ("--owner", owner), ("--team", team))
    return owners, " ".join(f"{flag} {value}" for flag, value in flags if value)


def _print(report, format: str, pulse: Pulse, mention: bool) -> None:
    from ..render import pulse as render

    if format == "text":
        output.lines(render.status_text_lines(report))
    elif format == "github":
        output.text(render.status_github(report, pulse.root))
    elif format == "markdown":
        org = pulse.repository.org
        output.text(render.status_markdown(report, {o: org.github_handle(o) for o in (*org.teams, *org.people)}
                                           if mention else None))
    else:
        output.text(render.status_json(report))
