"""`okr status`: who still owes OKRs and check-ins, and objectives without key results."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from .common import RepoOption, choice, write
from .viewing import CycleOption, IncludePrivateOption, OwnerOption, paused_gc

if TYPE_CHECKING:
    from ..history import History
    from ..model import Repository

FORMATS = ("text", "json", "markdown", "github")
AtOption = typer.Option(None, "--at", metavar="REV|DATE",
                        help="Describe the repository as it stood at a commit or on a date (YYYY-MM-DD).")


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
    """Load the repository (as of --at), pick the cycle, read check-ins (None outside git, with a warning)."""
    from .. import clock
    from ..errors import OkrError
    from ..history import read_history
    from ..snapshot import load_as_of
    from .common import find_root
    from .viewing import pick_cycle

    root = find_root(repo)
    as_of = load_as_of(root, at, clock.today())
    errors = {d.path for d in as_of.diagnostics if d.severity.value == "error"}
    if errors:
        sys.stderr.write(f"okr: warning: errors in {len(errors)} file{'s' * (len(errors) != 1)}; what could not "
                         "be read is left out (run okr check)\n")
    current = pick_cycle(as_of.repository, cycle, as_of.today)
    try:
        history = read_history(root)
    except OkrError as exc:
        sys.stderr.write(f"okr: warning: {exc.message}; check-ins are left out\n")
        history = None
    if history is not None and history.shallow:
        sys.stderr.write("okr: warning: this is a shallow clone, so check-ins older than its oldest commit "
                         "are missing (git fetch --unshallow reads all of them)\n")
    return Pulse(root, as_of.repository, as_of.today, current, errors, history)


def _me(root: Path) -> str:
    from ..checkin import current_user
    from ..errors import OkrError
    from ..gitstore import open_repo

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
                                                "git's user.email)."),
    owner: str | None = OwnerOption,
    team: str | None = typer.Option(None, "--team", metavar="ID",
                                    help="Only this team, its subteams and their people."),
    at: str | None = AtOption,
    format: str = typer.Option("text", "--format", "-f", metavar="FORMAT", help="text, json, markdown or github."),
    include_private: bool = IncludePrivateOption,
) -> None:
    """Show who still owes OKRs (fill-in per team), which key results owe a check-in (none within
    checkin_every days, from git history) and objectives without key results.

    It reports and exits 0; okr check judges. --format github prints one warning
    annotation per owner owing check-ins, per owner without OKRs and per
    objective without key results, for a scheduled CI job.

    Example: okr status --me
    """
    from ..errors import OkrError
    from ..pulse import build_status
    from ..render import pulse as render
    from .viewing import emit, owner_filter

    choice(format, FORMATS, "--format")
    if me and owner is not None:
        raise OkrError("--me and --owner both name an owner; give one of them")
    pulse = open_pulse(repo, at, cycle)
    if me:
        owner = _me(pulse.root)
    owners = owner_filter(pulse.repository, owner, team)
    flags = (("--me", f"({owner})") if me else ("--owner", owner), ("--team", team))
    selection = " ".join(f"{flag} {value}" for flag, value in flags if value)
    report = build_status(pulse.repository, pulse.history, cycle=pulse.cycle, today=pulse.today, owners=owners,
                          include_private=include_private, unreadable=pulse.unreadable,
                          selection=selection or None)
    if format == "text":
        emit(render.status_text_lines(report))
    elif format == "github":
        write(render.status_github(report, pulse.root))
    else:
        write({"json": render.status_json, "markdown": render.status_markdown}[format](report))
