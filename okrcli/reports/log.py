"""`okr log` as plain data: which check-ins (or work commits) REF and the options select.

The command reads the history, the files and git; what is here only selects from what it is
given: a `LogQuery` (owners, key prefix, cycle, day and commits of `--since`, `--author`),
the private objectives, the model of the key results named by work commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from ..json_fields import json_meta
from ..load.history import CheckIn, History, Work, WorkCommit
from ..model import Org, Repository
from .spec import ReportSpec


@dataclass(frozen=True)
class LogQuery:
    """What `okr log REF --since --author --cycle` selects."""

    owners: frozenset[str] | None  # None: every owner
    prefix: str | None  # a key result or objective key (CYCLE:OWNER/OBJ[/KR]); None: everything
    cycle: str | None
    since_day: date | None = None
    since_rev: str | None = None  # `--since REV`: the commit REV names
    since_commits: frozenset[str] | None = None  # the commits after it up to HEAD, when asked for
    author: str | None = None  # `<email>` of a person id, or part of a git name or email

    def under(self, key: str) -> bool:
        """Whether a key result's key is under the prefix REF names."""
        prefix = self.prefix
        return prefix is None or key == prefix or key.startswith(prefix + "/")

    def by_author(self, name: str, email: str) -> bool:
        return not self.author or self.author.casefold() in f"{name} <{email}>".casefold()

    def keeps(self, c: CheckIn) -> bool:
        """`--since` and `--author` as a test of one check-in (what git does for `read_history`)."""
        return ((self.since_day is None or c.date.date() >= self.since_day)
                and (self.since_commits is None or c.commit in self.since_commits)
                and self.by_author(c.author_name, c.author_email))


@dataclass
class CheckInLog:
    """`okr log`: the check-ins shown, newest first."""

    shallow: bool
    checkins: list[CheckIn]
    matched: bool = field(default=False, metadata=json_meta(omit=True))  # anything under the query at all
    unreadable: list[str] = field(default_factory=list, metadata=json_meta(omit=True))  # files left out


@dataclass
class WorkLog:
    """`okr log --work`: the work commits shown, newest first."""

    work: list[WorkCommit] = field(default_factory=list)


def query(org: Org | None, ref: str | None, cycle: str | None, current: str, *, since_day: date | None = None,
          since_rev: str | None = None, author: str | None = None) -> LogQuery:
    """The query REF and the options make: a `/` in REF names a key result or objective
    (in `cycle`, else the current one), anything else an owner or a team (with its members)."""
    owners = prefix = None
    if ref is not None and "/" in ref:
        from ..resolve import parse_cli_ref

        parsed = parse_cli_ref(ref)
        if parsed.cycle is None and cycle is not None:
            parsed = parsed.in_cycle(cycle)
        parsed = parsed.in_cycle(current)
        owners, prefix, cycle = frozenset({parsed.owner}), str(parsed), parsed.cycle
    elif ref is not None:
        owners = _owners(org, ref)
    return LogQuery(owners, prefix, cycle, since_day, since_rev, None, _author(org, author))


def _owners(org: Org, owner: str) -> frozenset[str] | None:
    """The owners an owner id selects: a person, or a team with its subteams and members."""
    from ..plans.checkin import owner_kind

    kind = owner_kind(org, owner)
    return None if kind == "company" else frozenset(org.members(owner)) if kind == "team" else frozenset({owner})


def _author(org: Org | None, who: str | None) -> str | None:
    """A person id becomes `<their email>` (matched exactly); anything else is matched as typed."""
    if not who:
        return None
    person = org.people.get(who) if org is not None else None
    if person is not None and person.email:
        return f"<{person.email}>"
    return who


Privacy = Callable[[set[tuple[str, str]]], tuple[set[str], set[str]]]


def build_log(history: History, q: LogQuery, spec: ReportSpec, *, derived: Iterable[CheckIn] = (),
              everything: bool = False, privacy: Privacy | None = None, limit: int | None = None) -> CheckInLog:
    """The check-ins of `history` under the query, newest first, at most `limit`.

    With `everything`, `history` holds every check-in (a derived key result's values come from
    its sources' check-ins, whoever made them and whenever), so the query's --since and --author
    are applied here, and `derived` (its values over time) joins in; else git applied them.
    Without `spec.include_private`, `privacy` (a reader: the `(cycle, owner)` files -> their
    private objectives, and the files that could not be read) leaves out the check-ins of
    private objectives (SPEC 2) and of files whose private objectives okr cannot tell."""
    if everything:
        under = [c for c in history if q.under(c.key)]
        shown = sorted((c for c in under + list(derived) if q.keeps(c)), key=lambda c: c.date, reverse=True)
    elif q.prefix is None:
        shown = list(history)
    else:
        shown = [c for c in history if q.under(c.key)]
    matched = bool(shown)
    unreadable: set[str] = set()
    if not spec.include_private and privacy is not None:
        shown, unreadable = _without_private(shown, privacy)
    return CheckInLog(history.shallow, shown if limit is None else shown[:limit], matched, sorted(unreadable))


def _without_private(shown: list[CheckIn], privacy: Privacy) -> tuple[list[CheckIn], set[str]]:
    """`shown` without the check-ins of private objectives and of files okr cannot read
    (each distinct key result judged once, not each check-in)."""
    refs = {(c.cycle, c.ref) for c in shown}
    private, unreadable = privacy({(cycle, ref.partition("/")[0]) for cycle, ref in refs})
    if not private and not unreadable:
        return shown, unreadable
    hidden = {(cycle, ref) for cycle, ref in refs
              if _objective(cycle, ref) in private or f"{cycle}/{ref.partition('/')[0]}.yaml" in unreadable}
    if not hidden:
        return shown, unreadable
    return [c for c in shown if (c.cycle, c.ref) not in hidden], unreadable


def _objective(cycle: str, ref: str) -> str:
    """The key of the objective a check-in's ref is in (a grade of an objective names it)."""
    return f"{cycle}:{ref}" if ref.count("/") == 1 else f"{cycle}:{ref.rsplit('/', 1)[0]}"


def build_work_log(found: Work, q: LogQuery, spec: ReportSpec, model: Repository,
                   limit: int | None = None) -> WorkLog:
    """The work commits under the query, newest first, at most `limit`; those on key results
    of private objectives only with `spec.include_private`. Every commit names a key result
    of `model` (`load.history.unknown_work` left the others out)."""
    def shown(w: WorkCommit) -> bool:
        return spec.include_private or not model.objectives[w.key.rpartition("/")[0]].private

    work = [w for w in found.commits
            if q.under(w.key) and (q.owners is None or w.ref.split("/", 1)[0] in q.owners)
            and (q.cycle is None or w.cycle == q.cycle) and q.by_author(w.author_name, w.author_email) and shown(w)]
    return WorkLog(work if limit is None else work[:limit])


def kr_exists(model: Repository) -> Callable[[str], bool]:
    """Whether a key result key names a key result of `model`."""
    def exists(key: str) -> bool:
        head, _, kr = key.rpartition("/")
        obj = model.objectives.get(head)
        return obj is not None and obj.kr(kr) is not None

    return exists
