"""`okr log`: check-ins read back from git, newest first."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from . import output
from .common import RepoOption

if TYPE_CHECKING:
    from ..load.history import CheckIn, History
    from ..reports.log import CheckInLog, LogQuery, WorkLog

FORMATS = ("text", "json")


def log(
    ref: str | None = typer.Argument(
        None, metavar="[REF]",
        help="A key result or objective (platform/O1/KR1, platform/O1), an owner or a team (its "
             "members and subteams too). Default: everything."),
    since: str | None = typer.Option(
        None, "--since", metavar="DATE|REV",
        help="Only check-ins from DATE on (2026-11-01, or 7d / 2w ago), or after commit REV."),
    author: str | None = typer.Option(
        None, "--author", metavar="WHO",
        help="Only check-ins by WHO: a person id from org.yaml, or part of a git name or email."),
    cycle: str | None = typer.Option(None, "--cycle", metavar="CYCLE", help="Only this cycle's key results."),
    limit: int | None = typer.Option(None, "--max-count", "-n", metavar="N", min=0,
                                        help="Show at most N check-ins."),
    fmt: str = typer.Option("text", "--format", metavar="FORMAT", help="text or json."),
    work: bool = typer.Option(False, "--work",
                              help="Show work instead: commits whose Okr-Ref: trailer names the key result."),
    repo: Path | None = RepoOption,
    include_private: bool = typer.Option(
        False, "--include-private", help="Include check-ins of private objectives (left out by default)."),
) -> None:
    """Show check-ins (and hand edits of current/done, and grades), newest first.

    Example: okr log platform --since 2w

    History comes from git: okr's trailers, plus commits that changed a key
    result's current or done by hand (shown as edits). A derived key result
    (sum_of, rollup) shows its value after each check-in of its sources.
    With --work: the commits of the repository (code beside the OKRs too) whose
    message ends with an `Okr-Ref: platform/O1/KR1` trailer; never check-ins.
    Example: okr log platform/O1/KR1 --work
    """
    from ..clock import today
    from ..reports.spec import ReportSpec
    from ..settings import load_settings
    from .common import choice, find_root

    choice(fmt, FORMATS, "--format")
    root = find_root(repo)
    settings = load_settings(root, [])
    current = settings.current_cycle(today())
    git, q = _query(root, ref, since, author, cycle, current)
    spec = ReportSpec(q.cycle, today(), include_private=include_private)
    if work:
        from ..reports.log import build_work_log

        found, model = _read_work(root, settings, current, q, git)
        _show(build_work_log(found, q, spec, model, limit), fmt, root, q.prefix, current)
        return
    from ..load.build import private_objectives
    from ..reports.log import build_log

    history, q, everything, derived = _read(root, q, git)
    log = build_log(history, q, spec, derived=derived, everything=everything,
                    privacy=lambda files: private_objectives(root, files), limit=limit)
    _show(log, fmt, root, q.prefix, current)
    _warn(history)


def _warn(history: History) -> None:
    """On stderr: trailers left out, and a shallow clone's cut history."""
    from ..load.history import warn_skipped

    warn_skipped(history)
    if history.shallow:
        output.note("okr: warning: this is a shallow clone, so history is cut at its oldest "
                         "commit (git fetch --unshallow reads all of it)\n")


def _query(root: Path, ref: str | None, since: str | None, author: str | None, cycle: str | None,
           current: str) -> tuple[object, LogQuery]:
    """The repository's git and what REF and the options select (org.yaml read only for an owner,
    a team or --author; `--since REV` resolved to the commits after it)."""
    from ..clock import today
    from ..load.build import load_org
    from ..load.history import open_git
    from ..reports.log import query

    if cycle is not None:
        _check_cycle(cycle)
    org = load_org(root, []) if (ref and "/" not in ref) or author else None
    git = open_git(root)
    since_day, since_commit = _since(since, git, today())
    return git, query(org, ref, cycle, current, since_day=since_day, since_rev=since_commit, author=author)


def _read(root: Path, q: LogQuery, git) -> tuple[History, LogQuery, bool, list[CheckIn]]:
    """The history the query needs: (history, the query, whether the history holds every
    check-in, derived values).

    A derived KR's values come from its sources' check-ins, whoever made them and whenever: then
    every check-in is read once, and the query (with the commits after `--since REV`) applied to
    them in `reports.log.build_log`; else git applies it."""
    from ..load.history import read_history
    from ..load.window import commits_after

    if q.prefix is not None and _names_derived(root, q.prefix):
        history = read_history(root, git=git)
        if q.since_rev is not None:
            q = replace(q, since_commits=commits_after(git, q.since_rev))
        return history, q, True, _derived_under(root, q.prefix, history)
    history = read_history(root, owners=set(q.owners) if q.owners is not None else None, cycle=q.cycle,
                           since=q.since_day, since_commit=q.since_rev, author=q.author, git=git)
    return history, q, False, []


def _read_work(root: Path, settings, current: str, q: LogQuery, git):
    """The work commits of the window (`Okr-Ref:` trailers) naming key results that exist, with
    the model of the OKR files they name (to tell private objectives); a bad ref is a warning."""
    from ..load.history import bad_work_warning, read_work, unknown_work, work_cycle_of
    from ..plans.checkin import Sources
    from ..reports.log import kr_exists

    found = read_work(root, cycle_of=work_cycle_of(settings), git=git, since=q.since_day,
                      since_commit=q.since_rev)
    sources = Sources(root, settings, current)
    for w in found.commits:
        sources.load(w.cycle, w.ref.split("/", 1)[0])
    model = sources.repository()
    found = unknown_work(found, kr_exists(model))
    warning = bad_work_warning(found)
    if warning:
        output.note(warning)
    return found, model


def _show(log: CheckInLog | WorkLog, fmt: str, root: Path, prefix: str | None, current: str) -> None:
    """The log on stdout (JSON, or text lines); on stderr, files left out and "nothing found"."""
    from ..render.log import checkin_lines, work_lines
    from ..reports.log import CheckInLog
    from ..safe_text import visible

    checkins = isinstance(log, CheckInLog)
    if checkins and prefix is not None and not log.matched:
        _resolve(root, prefix)
    for rel in log.unreadable if checkins else ():
        output.note(f"okr: warning: check-ins of {visible(rel)} left out: it cannot be read, so okr cannot "
                         "tell its private objectives (run okr check)\n")
    if fmt == "json" and checkins:
        from ..render.log import checkin_json

        output.text(checkin_json(log))
    elif fmt == "json":
        from ..render.json import dumps

        output.text(dumps(log, allow_nan=True))
    elif checkins and log.checkins:
        output.text("\n".join(checkin_lines(log, current)) + "\n")
    elif not checkins and log.work:
        output.text("\n".join(work_lines(log, current)) + "\n")
    elif checkins:
        output.note("okr: no check-ins found\n")
    else:
        if prefix is not None:
            _resolve(root, prefix)
        output.note("okr: no work commits found (commits with an Okr-Ref: trailer)\n")


def _resolve(root: Path, prefix: str) -> None:
    """A reference that names nothing: say so, with a hint (OkrError); else nothing."""
    from ..plans.checkin import Sources

    Sources.open(root).resolve(prefix)


def _names_derived(root: Path, prefix: str) -> bool:
    """Whether `prefix` (a KR or an objective) names a derived KR: read from its OKR file alone
    (most files have none, and the repository is then never loaded)."""
    from ..load.build import load_okr_file

    cycle, _, rest = prefix.partition(":")
    owner = rest.split("/", 1)[0]
    rel = f"{cycle}/{owner}.yaml"
    try:
        raw = (root / rel).read_bytes()
    except OSError:
        return False
    if b"sum_of" not in raw and b"rollup" not in raw:
        return False
    okr_file = load_okr_file(root, rel, cycle, owner, [], raw=raw)
    return okr_file is not None and any(
        kr.derived is not None and prefix in (o.key, f"{o.key}/{kr.id}")
        for o in okr_file.objectives for kr in o.key_results)


def _derived_under(root: Path, prefix: str, history: History) -> list[CheckIn]:
    """The values over time of the derived KRs under `prefix`, from their sources' check-ins."""
    from ..derived import derived_series, kr_index
    from ..load.build import load_repository

    repository, _ = load_repository(root)
    keys = [k for k in repository.derived if k == prefix or k.startswith(prefix + "/")]
    index = kr_index(repository) if keys else {}
    return [p for key in keys for p in derived_series(repository, history, key, index)]


def _check_cycle(cycle: str) -> None:
    from ..cycles import parse_cycle
    from ..errors import OkrError
    from ..safe_text import visible

    if parse_cycle(cycle) is None:
        raise OkrError(f"'{visible(cycle)}' is not a cycle id", hint="use YYYY, YYYY-Hn, YYYY-Qn or YYYY-Bn, e.g. 2026-Q4")


def _since(text: str | None, git, today: date) -> tuple[date | None, str | None]:
    """`--since`: a day (ISO, or `7d` / `2w` before today), else the commit a revision names."""
    from ..errors import OkrError
    from ..load.window import parse_day
    from ..safe_text import visible

    if not text:
        return None, None
    day = parse_day(text, today)
    if day is not None:
        return day, None
    sha = git.resolve_commit(text)
    if sha is None:
        raise OkrError(f"--since {visible(text)}: not a date (YYYY-MM-DD), a span (7d, 2w) or a commit",
                       hint="for example --since 2026-11-01, --since 2w or --since v1.2")
    return None, sha
