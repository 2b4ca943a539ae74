"""What the view commands (`tree`, `show`, `list`, `export`) share: loading, cycle, filters, output."""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from . import output

if TYPE_CHECKING:
    from ..load.history import History
    from ..load.snapshot import AsOf
    from ..model import Repository

IncludePrivateOption = typer.Option(
    False, "--include-private", help="Include private objectives (left out by default).")
CycleOption = typer.Option(None, "--cycle", metavar="CYCLE",
                           help="The cycle, e.g. 2026-Q4. Default: the current cycle (okr.yaml `cycle:` or today's).")
OwnerOption = typer.Option(None, "--owner", metavar="ID", help="Only this owner's objectives (company, team or person id).")
TeamOption = typer.Option(None, "--team", metavar="ID",
                          help="Only objectives of this team, its subteams and their members.")
AtOption = typer.Option(None, "--at", metavar="REV|DATE",
                        help="Describe the repository as it stood at a commit (HEAD~3, a tag, a sha) or on a "
                             "date (YYYY-MM-DD), read from git; statuses are as of that day.")


def paused_gc(func: Callable) -> Callable:
    """Run a view command with the cyclic garbage collector off.

    The model lives until the command ends and views make no reference cycles
    worth collecting; with the collector on, building 100,000 small objects
    re-walks the millions the loader made (a third of the time at 10,000 people)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return func(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return wrapper


def open_repository(repo: Path | None) -> Repository:
    """Load the repository for reading; problems in files are left to `okr check` (one warning line)."""
    return open_as_of(repo, None)[0]


def open_as_of(repo: Path | None, at: str | None) -> tuple[Repository, date]:
    """The repository and the day its statuses are computed for: the files on disk and today,
    or, with `--at REV|DATE`, the files in git at that commit and its date (snapshot.load_as_of)."""
    from .. import clock
    from ..load.snapshot import load_as_of
    from .common import find_root

    as_of = load_as_of(find_root(repo), at, clock.today())
    warn_unreadable(as_of.diagnostics, at)
    return as_of.repository, as_of.today


def warn_unreadable(diagnostics, at: str | None) -> set[str]:
    """Say on stderr that files with errors are partly left out; return their paths."""
    from ..safe_text import visible

    unreadable = {d.path for d in diagnostics if d.severity.value == "error"}
    if unreadable:
        when = "" if at is None else f" at {visible(at)}"
        n = len(unreadable)
        output.note(f"okr: warning: errors in {n} file{'s' * (n != 1)}{when}; what could not be read "
                         "is left out (run okr check)\n")
    return unreadable


@dataclass
class Opened:
    """What the reports read: the repository (now or --at), its cycle, the check-ins."""

    root: Path
    as_of: AsOf
    cycle: str
    unreadable: set[str]
    history: History | None  # None outside git


def open_with_history(repo: Path | None, at: str | None, cycle: str | None, *,
                      all_cycles: bool = False, latest_ended: bool = False) -> Opened:
    """Load the repository (as of --at), pick the cycle and read its check-ins (or every
    cycle's, with `all_cycles`); outside git, the check-ins are None, with a warning.

    With `latest_ended` and no cycle given, a date in a cycle without OKR files picks the
    latest cycle that has ended, with a note on stderr (`reports.common.report_cycle`)."""
    from .. import clock
    from ..errors import OkrError
    from ..load.history import read_history
    from ..load.snapshot import load_as_of
    from .common import find_root

    root = find_root(repo)
    as_of = load_as_of(root, at, clock.today())
    unreadable = warn_unreadable(as_of.diagnostics, at)
    current = pick_cycle(as_of.repository, cycle, as_of.today)
    if latest_ended and cycle is None:
        from ..reports.common import report_cycle

        current, note = report_cycle(as_of.repository, as_of.today)
        if note:
            output.note(f"okr: note: {note}\n")
    if not all_cycles and as_of.repository.derived:
        from ..derived import history_cycles

        all_cycles = bool(history_cycles(as_of.repository, current) - {current})  # sums across cycles
    try:
        history = read_history(root) if all_cycles else read_history(root, cycle=current)
    except OkrError as exc:
        output.note(f"okr: warning: {exc.message}; check-ins are left out\n")
        history = None
    from ..load.history import warn_skipped

    warn_skipped(history)
    if history is not None and history.shallow:
        output.note("okr: warning: this is a shallow clone, so check-ins older than its oldest commit "
                         "are missing (git fetch --unshallow reads all of them)\n")
    if history is not None and as_of.repository.derived:
        from ..derived import with_derived

        history = with_derived(as_of.repository, history)
    return Opened(root, as_of, current, unreadable, history)


def pick_cycle(repository: Repository, cycle: str | None, today: date) -> str:
    from ..cycles import parse_cycle
    from ..errors import OkrError

    if cycle is None:
        return repository.settings.current_cycle(today)
    if parse_cycle(cycle) is None:
        raise OkrError(f"'{cycle}' is not a cycle id", hint="use YYYY, YYYY-Hn, YYYY-Qn or YYYY-Bn, e.g. 2026-Q4")
    return cycle


def _known_owner(repository: Repository, owner: str, option: str, kinds: tuple[str, ...]) -> None:
    import difflib

    from ..errors import OkrError

    org = repository.org
    kind = org.kind(owner)
    if kind in kinds or (kind is None and option == "--owner" and
                         any(o.owner == owner for o in repository.objectives.values())):
        return
    if kind is not None:
        raise OkrError(f"{option} {owner}: '{owner}' is a {kind}, not a team",
                       hint=f"use --owner {owner} for one owner's objectives")
    candidates = list(org.teams) if option == "--team" else [*org.teams, *org.people]
    if org.company is not None:
        candidates.append(org.company.id)
    close = difflib.get_close_matches(owner, candidates, n=1, cutoff=0.6)
    raise OkrError(f"{option} {owner}: no such {'team' if option == '--team' else 'owner'} in org.yaml",
                   hint=f"did you mean {close[0]}?" if close else None)


def owner_filter(repository: Repository, owner: str | None, team: str | None) -> set[str] | None:
    """The owners whose objectives are selected, or None for everyone."""
    from ..reports.views import owners_in_team
    from ..safe_text import visible

    owners = None
    if team is not None:
        team = visible(team)
        _known_owner(repository, team, "--team", ("company", "team"))
        owners = owners_in_team(repository, team)
    if owner is not None:
        owner = visible(owner)
        _known_owner(repository, owner, "--owner", ("company", "team", "person"))
        owners = {owner} if owners is None else owners & {owner}
    return owners
