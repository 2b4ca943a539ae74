"""`okr log`: check-ins read back from git, newest first."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from . import output
from .common import RepoOption

if TYPE_CHECKING:
    from ..load.history import CheckIn, History
    from ..model import Org

FORMATS = ("text", "json")
_RELATIVE_RE = re.compile(r"(\d{1,5})([dw])")


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
    from ..settings import load_settings
    from .common import choice, find_root

    choice(fmt, FORMATS, "--format")
    root = find_root(repo)
    settings = load_settings(root, [])
    current = settings.current_cycle(today())
    if work:
        _log_work(root, settings, ref, since, author, cycle, current, limit, fmt, include_private)
        return
    history, shown = _read(root, ref, since, author, cycle, current, today())
    if not include_private:
        shown = _public(root, shown)
    if limit is not None:
        shown = shown[:limit]
    from ..load.history import warn_skipped

    warn_skipped(history)
    if history.shallow:
        output.note("okr: warning: this is a shallow clone, so history is cut at its oldest "
                         "commit (git fetch --unshallow reads all of it)\n")
    if fmt == "json":
        import json

        payload = {"shallow": history.shallow, "checkins": [c.as_json() for c in shown]}
        output.text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    elif shown:
        output.text("".join(line + "\n" for line in _text_lines(shown, current)))
    else:
        output.note("okr: no check-ins found\n")


def _read(root: Path, ref: str | None, since: str | None, author: str | None,
          cycle: str | None, current: str, today: date) -> tuple[History, list[CheckIn]]:
    """The history the options select, and the check-ins REF selects from it."""
    from ..load.build import load_org
    from ..load.history import open_git, read_history

    if cycle is not None:
        _check_cycle(cycle)
    org = load_org(root, []) if (ref and "/" not in ref) or author else None
    owners, prefix, cycle = _selection(org, ref, cycle, current)
    git = open_git(root)
    since_day, since_commit = _since(since, git, today)
    needle = _author(org, author)
    if prefix is not None and _names_derived(root, prefix):
        # A derived KR's values come from its sources' check-ins, whoever made them and whenever:
        # read them all once, then keep what the options select.
        history = read_history(root, git=git)
        keep = _keeper(git, since_day, since_commit, needle)
        under = [c for c in history if c.key == prefix or c.key.startswith(prefix + "/")]
        shown = sorted((c for c in under + _derived_under(root, prefix, history) if keep(c)),
                       key=lambda c: c.date, reverse=True)
    else:
        history = read_history(root, owners=owners, cycle=cycle, since=since_day,
                               since_commit=since_commit, author=needle, git=git)
        shown = [c for c in history
                 if prefix is None or c.key == prefix or c.key.startswith(prefix + "/")]
    if prefix is not None and not shown:
        from ..plans.checkin import Sources

        Sources.open(root).resolve(prefix)  # a reference that names nothing: say so, with a hint
    return history, shown


def _log_work(root: Path, settings, ref: str | None, since: str | None, author: str | None,
              cycle: str | None, current: str, limit: int | None, fmt: str, include_private: bool) -> None:
    """`okr log --work`: commits with `Okr-Ref:` trailers on the key results REF selects (of
    private objectives only with --include-private)."""
    from ..clock import today
    from ..load.build import load_org
    from ..load.history import bad_work_warning, open_git, read_work, unknown_work, work_cycle_of
    from ..plans.checkin import Sources
    from ..safe_text import visible

    if cycle is not None:
        _check_cycle(cycle)
    org = load_org(root, []) if (ref and "/" not in ref) or author else None
    owners, prefix, cycle = _selection(org, ref, cycle, current)
    git = open_git(root)
    since_day, since_commit = _since(since, git, today())
    found = read_work(root, cycle_of=work_cycle_of(settings), git=git, since=since_day, since_commit=since_commit)
    sources = Sources(root, settings, current)
    for w in found.commits:
        sources.load(w.cycle, w.ref.split("/", 1)[0])
    model = sources.repository()

    def exists(key: str) -> bool:
        head, _, kr = key.rpartition("/")
        obj = model.objectives.get(head)
        return obj is not None and obj.kr(kr) is not None

    def shown_objective(key: str) -> bool:
        return include_private or not model.objectives[key.rpartition("/")[0]].private

    found = unknown_work(found, exists)
    warning = bad_work_warning(found)
    if warning:
        output.note(warning)
    needle = _author(org, author)
    shown = [w for w in found.commits
             if (prefix is None or w.key == prefix or w.key.startswith(prefix + "/"))
             and (owners is None or w.ref.split("/", 1)[0] in owners) and (cycle is None or w.cycle == cycle)
             and (not needle or needle.casefold() in f"{w.author_name} <{w.author_email}>".casefold())
             and shown_objective(w.key)]
    if limit is not None:
        shown = shown[:limit]
    if fmt == "json":
        import json

        output.text(json.dumps({"work": [w.as_json() for w in shown]}, indent=2, ensure_ascii=False) + "\n")
        return
    if not shown:
        if prefix is not None:
            Sources.open(root).resolve(prefix)  # a reference that names nothing: say so, with a hint
        output.note("okr: no work commits found (commits with an Okr-Ref: trailer)\n")
        return
    rows = [(w.date.date().isoformat(), visible(w.author_name)[:24], w.ref if w.cycle == current else w.key,
             w.commit[:7], visible(w.subject)) for w in shown]
    widths = [max(len(row[n]) for row in rows) for n in range(3)]
    output.text("".join(f"{r[0]}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}  {r[4]}".rstrip() + "\n"
                             for r in rows))


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


def _keeper(git, since_day: date | None, since_commit: str | None, needle: str | None):
    """`--since` and `--author` as a test of one check-in (what git does for `read_history`)."""
    after = set(git.git("rev-list", f"{since_commit}..HEAD", "--").out.split()) if since_commit else None
    needle = needle.casefold() if needle else None

    def keep(c: CheckIn) -> bool:
        return ((since_day is None or c.date.date() >= since_day) and (after is None or c.commit in after)
                and (needle is None or needle in f"{c.author_name} <{c.author_email}>".casefold()))

    return keep


def _public(root: Path, checkins: list[CheckIn]) -> list[CheckIn]:
    """The check-ins of objectives that are not private, as the files stand now (SPEC 2)."""
    from ..load.build import private_objectives
    from ..safe_text import visible

    private, unreadable = private_objectives(root, {(c.cycle, c.owner) for c in checkins})
    if not private and not unreadable:
        return checkins
    for rel in sorted(unreadable):
        output.note(f"okr: warning: check-ins of {visible(rel)} left out: it cannot be read, so okr cannot "
                         "tell its private objectives (run okr check)\n")

    def objective(c: CheckIn) -> str:
        return c.key if c.ref.count("/") == 1 else c.key.rsplit("/", 1)[0]

    return [c for c in checkins if objective(c) not in private and f"{c.cycle}/{c.owner}.yaml" not in unreadable]


def _check_cycle(cycle: str) -> None:
    from ..cycles import parse_cycle
    from ..errors import OkrError
    from ..safe_text import visible

    if parse_cycle(cycle) is None:
        raise OkrError(f"'{visible(cycle)}' is not a cycle id", hint="use YYYY, YYYY-Hn, YYYY-Qn or YYYY-Bn, e.g. 2026-Q4")


def _selection(org: Org | None, ref: str | None, cycle: str | None,
               current: str) -> tuple[set[str] | None, str | None, str | None]:
    """(owners, key prefix, cycle) that REF and --cycle select."""
    if ref is None:
        return None, None, cycle
    if "/" in ref:
        from ..resolve import parse_cli_ref

        parsed = parse_cli_ref(ref)
        if parsed.cycle is None and cycle is not None:
            parsed = parsed.in_cycle(cycle)
        parsed = parsed.in_cycle(current)
        return {parsed.owner}, str(parsed), parsed.cycle
    return _owners(org, ref), None, cycle


def _owners(org: Org, owner: str) -> set[str] | None:
    """The owners an owner id selects: a person, or a team with its subteams and members."""
    from ..plans.checkin import owner_kind

    kind = owner_kind(org, owner)
    return None if kind == "company" else org.members(owner) if kind == "team" else {owner}


def _since(text: str | None, git, today: date) -> tuple[date | None, str | None]:
    """`--since`: a date (ISO, or `7d` / `2w` before today), else a revision."""
    from ..errors import OkrError
    from ..safe_text import visible

    if not text:
        return None, None
    relative = _RELATIVE_RE.fullmatch(text)
    if relative:
        count = int(relative.group(1))
        return today - timedelta(days=count * (7 if relative.group(2) == "w" else 1)), None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text), None
        except ValueError:
            raise OkrError(f"--since {text}: not a date") from None
    sha = git.resolve_commit(text)
    if sha is None:
        raise OkrError(f"--since {visible(text)}: not a date (YYYY-MM-DD), a span (7d, 2w) or a commit",
                       hint="for example --since 2026-11-01, --since 2w or --since v1.2")
    return None, sha


def _author(org: Org | None, who: str | None) -> str | None:
    """A person id becomes `<their email>` (matched exactly); anything else is matched as typed."""
    if not who:
        return None
    person = org.people.get(who) if org is not None else None
    if person is not None and person.email:
        return f"<{person.email}>"
    return who


def _text_lines(checkins: list[CheckIn], current: str) -> list[str]:
    """`date  author  ref  old -> new unit  confidence  note`, in aligned columns."""
    from ..plans.checkin import format_value
    from ..safe_text import visible

    names: dict[str, str] = {}  # an author's name made safe once, not once per check-in
    rows = []
    for c in checkins:
        name = names.get(c.author_name)
        if name is None:
            name = names[c.author_name] = visible(c.author_name)
        if c.kind == "grade":
            change = f"graded {format_value(c.value)}"
        elif c.kind == "derived":
            change = f"{_derived_value(c.previous)} -> {_derived_value(c.value, c.unit)} (derived)"
        else:
            new = format_value(c.value, c.unit)
            change = new if c.previous is None else f"{format_value(c.previous)} -> {new}"
            if c.kind == "edit":
                change += " (edit)"
        rows.append((
            c.date.date().isoformat(), name, c.ref if c.cycle == current else c.key, change,
            "" if c.confidence is None else f"confidence {c.confidence:g}",
            visible(c.note.split("\n", 1)[0]) if c.note else "",
        ))
    widths = [max(len(row[n]) for row in rows) for n in range(5)]
    widths[1] = min(widths[1], 24)
    return [f"{row[0]}  {row[1]:<{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]:<{widths[3]}}  "
            f"{row[4]:<{widths[4]}}  {row[5]}".rstrip() for row in rows]


def _derived_value(value: object, unit: str | None = None) -> str:
    """A computed value as shown: at most two decimals (a roll-up is a score from 0 to 1)."""
    from ..plans.checkin import format_value
    from ..render.numbers import fixed

    if isinstance(value, float):
        value = fixed(value).rstrip("0").rstrip(".")
    return format_value(value, unit)
