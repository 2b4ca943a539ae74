"""The weekly follow-up (`okr report`) as plain data.

What the team looks at in its weekly meeting, section by section (the
company, then each team by id, owners by id):
- what moved since then: the key results whose value or confidence changed, or
  that got a check-in, with who checked in, their note and links;
- which key results owe a check-in (none within `checkin_every` days);
- which key results are off track or at risk, with their owners;
- which objectives were added, removed or changed (title, alignment, key
  results, targets) since then.

"Since then" is a `Since`: a first day and the commit the repository is
compared from (the last one before that day, or a revision given by the
user). `read_since` and `read_baseline` read git (the only I/O here);
`build_report` is pure: it takes the loaded repository, the check-in history
and the baseline, and returns a `FollowUp`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from .. import scoring
from ..cycles import parse_cycle
from ..errors import OkrError
from ..load.history import History, Work
from ..model import KeyResult, Objective, Repository
from .common import (
    Section,
    home_section,
    owner_name,
    owner_order,
    section_order,
    value_progress,
)

SPARK_POINTS = 8  # check-ins shown in a sparkline
_SPAN_RE = re.compile(r"(\d{1,5})([dw])")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")

Value = bool | int | float | str


# ------------------------------------------------------------------ the data

@dataclass(slots=True)
class CheckInNote:
    """One check-in (or hand edit) of a key result inside the window."""

    date: datetime
    kind: str  # checkin | edit
    author: str  # the git author's name
    email: str
    person: str | None  # the org.yaml person with that email, if any
    value: Value | None
    previous: Value | None
    confidence: float | None
    note: str
    links: tuple[str, ...]
    commit: str


@dataclass(slots=True)
class WorkNote:
    """A commit of work on a key result inside the window (an `Okr-Ref:` trailer): never a check-in."""

    date: datetime
    author: str
    email: str
    person: str | None
    subject: str
    commit: str


@dataclass(slots=True)
class Movement:
    """A key result that moved (value or confidence) or was checked in since then."""

    ref: str  # CYCLE:OWNER/OBJ/KR
    objective: str  # CYCLE:OWNER/OBJ
    owner: str
    objective_title: str
    title: str
    kind: str  # numeric | threshold | milestone
    unit: str | None
    before: Value | None  # at the start of the window (None: the KR is new, or unknown)
    now: Value | None
    confidence_before: float | None
    confidence: float | None
    progress_before: float | None
    progress: float
    status: str
    checkins: list[CheckInNote]  # inside the window, oldest first
    recent: list[float]  # progress after each of the last check-ins, oldest first (sparkline)
    work: list[WorkNote] = field(default_factory=list, metadata={"omit_empty": True})  # oldest first
    derived: str | None = field(default=None, metadata={"omit_empty": True})  # sum_of | rollup


@dataclass(slots=True)
class Owed:
    """A key result without a check-in within `checkin_every` days."""

    ref: str
    objective: str
    owner: str
    title: str
    last_checkin: date | None
    due: date
    days_overdue: int
    owner_name: str = ""  # org.yaml's name for the owner (whom to ask)


@dataclass(slots=True)
class Attention:
    """A key result off track or at risk."""

    ref: str
    objective: str
    owner: str
    owner_name: str
    objective_title: str
    title: str
    status: str  # off_track | at_risk
    why: str  # confidence | pace | threshold | milestone
    confidence: float | None
    progress: float
    expected: float  # share of the cycle elapsed (the straight line); a milestone's: of the time to `due`
    due: date | None = None  # a milestone's due day, when set


@dataclass(slots=True)
class FieldChange:
    """One change of an objective, in `okr diff`'s words (kind, key result, field, before, after)."""

    kind: str
    kr: str | None
    field: str | None
    before: object
    after: object
    goalpost: bool = False


@dataclass(slots=True)
class ObjectiveChange:
    ref: str
    owner: str
    title: str
    what: str  # added | removed | changed
    changes: list[FieldChange] = field(default_factory=list)


@dataclass(slots=True)
class TeamFollowUp:
    """One section: the company, a team (its own objectives and its people's), or owners not in org.yaml."""

    team: str  # team id, the company id, or "" (not in org.yaml)
    name: str
    kind: str  # company | team | none
    moved: list[Movement] = field(default_factory=list)
    owed: list[Owed] = field(default_factory=list)
    attention: list[Attention] = field(default_factory=list)
    changes: list[ObjectiveChange] = field(default_factory=list)


@dataclass(slots=True)
class Totals:
    moved: int = 0
    checkins: int = 0
    owed: int = 0
    off_track: int = 0
    at_risk: int = 0
    added: int = 0
    removed: int = 0
    changed: int = 0


@dataclass
class FollowUp:
    report: str  # "follow-up"
    cycle: str
    as_of: date
    rev: str | None  # the commit described (--at), None for the work tree
    since: date  # the first day counted
    since_label: str  # as the user gave it (7d, 2026-11-20, v1.2)
    since_rev: str | None  # the commit compared from; None when there is none before `since`
    checkin_every: int
    expected: float  # share of the cycle elapsed as of `as_of`
    selection: str | None
    include_private: bool
    history: bool  # False when there is no git history to read check-ins from
    totals: Totals
    teams: list[TeamFollowUp]
    notes: list[str] = field(default_factory=list)


# ------------------------------------------------------------------ reading git

@dataclass(frozen=True)
class Since:
    """Where the window starts: its first day, the commit compared from, the commits inside it."""

    label: str
    day: date
    rev: str | None  # None: no commit before the window (everything is new)
    commits: frozenset[str] | None  # commits after `rev` up to the head; None: count by date


@dataclass(frozen=True)
class Baseline:
    """The OKR files that differ between `Since.rev` and the head, as they were at `Since.rev`.

    Every other file is the same on both sides, so its objectives did not change."""

    changed: frozenset[str]  # root-relative paths that differ (present on either side)
    objectives: dict[str, Objective]  # the objectives those files held at `Since.rev`

    def before(self, obj: Objective) -> Objective | None:
        """The objective as it was at the start of the window (None: it did not exist)."""
        if obj.loc.path not in self.changed:
            return obj
        return self.objectives.get(obj.key)


def parse_since(text: str | None, today: date, checkin_every: int) -> tuple[str, date | None]:
    """`--since` as (label, first day) for `7d`, `2w` and dates; (text, None) for a revision."""
    if not text:
        every = max(1, checkin_every)
        return f"{every}d", today - timedelta(days=every)
    span = _SPAN_RE.fullmatch(text)
    if span:
        count = int(span.group(1)) * (7 if span.group(2) == "w" else 1)
        return text, today - timedelta(days=count)
    if _DATE_RE.fullmatch(text):
        try:
            return text, date.fromisoformat(text)
        except ValueError:
            raise OkrError(f"--since {text}: not a date") from None
    return text, None


def read_since(root: Path, text: str | None, today: date, checkin_every: int, head: str | None) -> Since:
    """Resolve `--since` against git: the commit the window starts after and the commits inside.

    `head` is the commit described (`--at`), None for HEAD and the work tree."""
    from ..gitstore import commit_before, commits_in, committed_on, open_repo
    from ..safe_text import visible

    label, day = parse_since(text, today, checkin_every)
    git = open_repo(root)
    tip = head or git.head()
    if tip is None:
        return Since(label, day or today, None, frozenset())
    if day is None:
        sha = git.resolve_commit(label)
        if sha is None:
            raise OkrError(f"--since {visible(label)}: not a date (YYYY-MM-DD), a span (7d, 2w) or a commit",
                           hint="for example --since 2026-11-20, --since 2w or --since v1.2")
        when = committed_on(git, sha)
        day = date.fromisoformat(when[:10])
    else:
        before = (day - timedelta(days=1)).isoformat()
        sha = commit_before(git, before, tip)
    listed = commits_in(git, tip, sha)
    return Since(label, day, sha, frozenset(listed))


def read_baseline(root: Path, since: Since, head: str | None) -> Baseline | None:
    """The OKR files that changed since `since.rev`, as they were then; None without a start commit."""
    from ..gitstore import changed_paths, okr_pathspecs, open_repo, read_paths_at
    from ..load.build import okr_files_in
    from ..load.parallel import load_files

    if since.rev is None:
        return None
    git = open_repo(root)
    prefix = git.relpath(root) if Path(root).resolve() != git.top else ""
    prefix = "" if prefix in ("", ".") else prefix
    cut = len(prefix) + 1 if prefix else 0
    changed = [p[cut:] for p in changed_paths(git, since.rev, head, okr_pathspecs(prefix))]
    blobs = {top[cut:]: data for top, data in
             read_paths_at(git, since.rev, [f"{prefix}/{p}" if prefix else p for p in changed], prefix).items()}
    entries = [e for e in okr_files_in(blobs) if parse_cycle(e[1]) is not None]
    files = load_files(root, entries, [], blobs)
    objectives: dict[str, Objective] = {}
    for f in files:
        for obj in f.objectives:
            objectives.setdefault(obj.key, obj)
    return Baseline(frozenset(changed), objectives)


# ------------------------------------------------------------------ building the report

def _kr_value(kr: KeyResult) -> Value | None:
    return kr.done if kr.kind == "milestone" else kr.current


def _why(kr: KeyResult) -> str:
    if kr.confidence is not None:
        return "confidence"
    return "threshold" if kr.kind == "threshold" else "milestone" if kr.kind == "milestone" else "pace"


def _field_changes(before: Objective, after: Objective, today: date) -> list[FieldChange]:
    from .diff import compare_objectives

    return [FieldChange(c.kind, c.kr, c.field, c.before, c.after, c.goalpost)
            for c in compare_objectives(before, after, today) if c.kind != "progress"]


def build_report(repo: Repository, history: History | None, *, cycle: str, today: date, since: Since,
                 baseline: Baseline | None, owners: set[str] | None = None, include_private: bool = False,
                 rev: str | None = None, selection: str | None = None, until: date | None = None,
                 work: Work | None = None) -> FollowUp:
    """The follow-up of `cycle` as of `today` for the window `since` (see the module doc).

    `until` leaves out check-ins dated after it (`--at`: the history is read from HEAD); the
    window itself is the commits of `since` when known, else the days from `since.day`. `work`
    (commits with `Okr-Ref:` trailers) lists the work on each key result inside the window."""
    from .views import Scorer, canonical_objectives

    parsed = parse_cycle(cycle)
    if parsed is None:
        raise OkrError(f"'{cycle}' is not a cycle id")
    org = repo.org
    every = max(1, repo.settings.checkin_every)
    scorer = Scorer(repo, today, include_private)
    expected = scorer.expected(cycle)
    running = parsed.start <= today <= parsed.end
    people = {p.email.lower(): p.id for p in org.people.values() if p.email}
    sections: dict[str, TeamFollowUp] = {}
    section_of: dict[str, Section] = {}
    notes: list[str] = []
    if history is None:
        notes.append("no git history: check-ins, check-ins owed and changes since then are left out")
    elif baseline is None:
        notes.append(f"no commit before {since.day.isoformat()}: every objective counts as added")

    def team_of(owner: str) -> TeamFollowUp:
        section = section_of.get(owner)
        if section is None:
            section = section_of[owner] = home_section(org, owner)
        got = sections.get(section.id)
        if got is None:
            got = sections[section.id] = TeamFollowUp(section.id, section.name, section.kind)
        return got

    def in_window(c) -> bool:
        if since.commits is not None:
            return c.commit in since.commits
        day = c.date.date()
        return since.day <= day and (until is None or day <= until)

    def wanted(obj: Objective) -> bool:
        return (include_private or not obj.private) and (owners is None or obj.owner in owners)

    work_on: dict[str, list] = {}
    for w in (work.commits if work is not None else ()):
        if in_window(w):
            work_on.setdefault(w.key, []).insert(0, w)  # newest first in, oldest first out
    totals = Totals()
    after_keys: set[str] = set()
    for obj in canonical_objectives(repo, [cycle]):
        after_keys.add(obj.key)
        if not wanted(obj):
            continue
        view = scorer.view(obj)
        if view.incomplete:
            notes.append(f"{obj.key}: score and status unknown, a key result failed to load at "
                         f"{', '.join(view.incomplete)} (run okr check)")
        team = team_of(obj.owner)
        before_obj = baseline.before(obj) if baseline is not None else (None if history is not None else obj)
        if history is not None and before_obj is None:
            team.changes.append(ObjectiveChange(obj.key, obj.owner, obj.title, "added"))
            totals.added += 1
        elif before_obj is not None and before_obj is not obj:
            if before_obj.private and not include_private:
                team.changes.append(ObjectiveChange(obj.key, obj.owner, obj.title, "added"))
                totals.added += 1
            else:
                found = _field_changes(before_obj, obj, today)
                if found:
                    team.changes.append(ObjectiveChange(obj.key, obj.owner, obj.title, "changed", found))
                    totals.changed += 1
        for kr, kv in zip(obj.key_results, view.key_results):
            key = kv.ref
            series = history.series(key) if history is not None else []
            if until is not None:
                series = [c for c in series if c.date.date() <= until]
            window = [c for c in series if in_window(c)]
            before_kr = before_obj.kr(kr.id) if before_obj is not None else None
            now = _kr_value(kr)
            before = _kr_value(before_kr) if before_kr is not None else None
            conf_before = before_kr.confidence if before_kr is not None else None
            changed = before_kr is not None and (before != now or conf_before != kr.confidence)
            progress_before = scoring.kr_progress(before_kr) if before_kr is not None else None
            if kr.derived is not None and before_kr is not None:  # its value moves with its sources'
                before = window[0].previous if window else now
                changed = conf_before != kr.confidence
                progress_before = value_progress(kr, before)
            worked = work_on.get(key, ())
            if window or changed or worked:
                recent = [p for p in (value_progress(kr, c.value) for c in series[-SPARK_POINTS:]) if p is not None]
                team.moved.append(Movement(
                    key, obj.key, obj.owner, obj.title, kr.title, kr.kind, kr.unit, before, now, conf_before,
                    kr.confidence, progress_before, kv.progress, kv.status,
                    [CheckInNote(c.date, c.kind, c.author_name, c.author_email,
                                 people.get(c.author_email.lower()), c.value, c.previous, c.confidence,
                                 c.note, tuple(c.links), c.commit) for c in window],
                    recent, [WorkNote(w.date, w.author_name, w.author_email, people.get(w.author_email.lower()),
                                      w.subject, w.commit) for w in worked], kr.derived))
                totals.moved += 1
                totals.checkins += len(window) if kr.derived is None else 0  # a derived KR's are its sources'
            new_kr = baseline is not None and before_kr is None  # added since then: nothing owed yet
            if history is not None and running and not new_kr and scoring.owes_checkin(kr):
                last = series[-1].date.date() if series else None
                due = max(last, parsed.start) + timedelta(days=every) if last else parsed.start + timedelta(days=every)
                if due <= today:
                    team.owed.append(Owed(key, obj.key, obj.owner, kr.title, last, due, (today - due).days,
                                          owner_name(org, obj.owner)))
                    totals.owed += 1
            if kv.status != scoring.ON_TRACK:
                why = _why(kr)
                team.attention.append(Attention(
                    key, obj.key, obj.owner, owner_name(org, obj.owner), obj.title, kr.title, kv.status,
                    why, kr.confidence, kv.progress,
                    scoring.milestone_elapsed(kr, parsed, today) if why == "milestone" else expected, kr.due))
                if kv.status == scoring.OFF_TRACK:
                    totals.off_track += 1
                else:
                    totals.at_risk += 1
    if baseline is not None:
        for key, old in baseline.objectives.items():
            if old.cycle != cycle or key in after_keys or not wanted(old):
                continue
            team_of(old.owner).changes.append(ObjectiveChange(key, old.owner, old.title, "removed"))
            totals.removed += 1
    teams = sorted(sections.values(), key=lambda t: section_order(Section(t.team, t.name, t.kind)))
    by_owner: dict[str, tuple] = {}

    def order(item) -> tuple:
        got = by_owner.get(item.owner)
        if got is None:
            got = by_owner[item.owner] = owner_order(org, item.owner)
        return got

    for team in teams:  # stable: within an owner, objectives and key results stay in file order
        team.moved.sort(key=order)
        team.owed.sort(key=order)
        team.attention.sort(key=order)
        team.changes.sort(key=order)
    teams = [t for t in teams if t.moved or t.owed or t.attention or t.changes]
    if not running:
        notes.append(f"{cycle} is not running on {today.isoformat()}: no check-ins are owed")
    return FollowUp("follow-up", cycle, today, rev, since.day, since.label, since.rev, every, expected, selection,
                    include_private, history is not None, totals, teams, notes)

