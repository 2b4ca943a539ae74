"""`okr report`: the weekly follow-up."""

from __future__ import annotations

from pathlib import Path

import typer

from .common import RepoOption, choice
from .viewing import (
    AtOption,
    CycleOption,
    IncludePrivateOption,
    Opened,
    OwnerOption,
    TeamOption,
    open_with_history,
    paused_gc,
)

FORMATS = ("text", "markdown", "json", "html")
FormatOption = typer.Option("text", "--format", "-f", metavar="FORMAT", help="text, markdown, json or html.")
OutputOption = typer.Option(None, "--output", "-o", metavar="FILE",
                            help="Write to FILE (replaced if it exists; never through a symbolic link).")


def open_for_report(repo: Path | None, at: str | None, cycle: str | None) -> Opened:
    """The repository (as of --at), its cycle, and that cycle's check-ins. Without a cycle, a
    date in a cycle with no OKR files yet means the latest cycle that has ended."""
    return open_with_history(repo, at, cycle, latest_ended=True)


def selection_text(**flags: str | None) -> str | None:
    from ..safe_text import visible

    text = " ".join(f"--{name} {visible(value)}" for name, value in flags.items() if value)
    return text or None


def read_window_work(root: Path, repository, window, head: str | None):
    """The commits of the window with `Okr-Ref:` trailers (one `git log --grep`); a ref that
    names no key result of the repository is left out, with one warning on stderr."""
    from ..load.history import bad_work_warning, read_work, unknown_work, work_cycle_of
    from .output import note

    if window.rev is None and window.commits is not None and not window.commits:
        return None  # no commit at all
    work = read_work(root, cycle_of=work_cycle_of(repository.settings), since_commit=window.rev, until=head,
                     since=None if window.rev is not None else window.day)
    objectives = repository.objectives

    def exists(key: str) -> bool:
        head_key, _, kr = key.rpartition("/")
        obj = objectives.get(head_key)
        return obj is not None and obj.kr(kr) is not None

    work = unknown_work(work, exists)
    warning = bad_work_warning(work)
    if warning:
        note(warning)
    return work


@paused_gc
def report(
    since: str | None = typer.Option(None, "--since", metavar="7d|DATE|REV",
                                     help="The start of the window: a span (7d, 2w), a date or a commit. "
                                          "Default: checkin_every days."),
    team: str | None = TeamOption,
    owner: str | None = OwnerOption,
    cycle: str | None = CycleOption,
    at: str | None = AtOption,
    format: str = FormatOption,
    output: Path | None = OutputOption,
    include_private: bool = IncludePrivateOption,
    repo: Path | None = RepoOption,
) -> None:
    """The weekly follow-up: what moved since then (value and confidence, who, their note), key
    results owing a check-in, those off track or at risk with their owners, and objectives added
    or changed, grouped by team.

    Example: okr report --since 7d --team platform --format markdown > followup.md
    """
    from ..reports.followup import Since, build_report, parse_since, read_baseline, read_since
    from .output import report as deliver
    from .viewing import owner_filter

    choice(format, FORMATS, "--format")
    opened = open_for_report(repo, at, cycle)
    repository, today = opened.as_of.repository, opened.as_of.today
    owners = owner_filter(repository, owner, team)
    every = repository.settings.checkin_every
    work = None
    if opened.history is not None:
        window = read_since(opened.root, since, today, every, opened.as_of.rev)
        baseline = read_baseline(opened.root, window, opened.as_of.rev)
        work = read_window_work(opened.root, repository, window, opened.as_of.rev)
    else:
        label, day = parse_since(since, today, every)
        window, baseline = Since(label, day or today, None, None), None
    data = build_report(repository, opened.history, cycle=opened.cycle, today=today, since=window,
                        baseline=baseline, owners=owners, include_private=include_private, rev=opened.as_of.rev,
                        selection=selection_text(team=team, owner=owner), until=today if at else None,
                        work=work)
    deliver(data, format, output)

