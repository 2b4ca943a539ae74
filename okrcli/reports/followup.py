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
user). `okrcli.load.window` reads it and the `Baseline` from git;
`build_report` is pure: it takes the loaded repository, the check-in history,
a `ReportSpec` and the window, and returns a `FollowUp`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from .. import scoring
from ..cycles import parse_cycle
from ..errors import OkrError
from ..load.history import History, Work
from ..load.window import Baseline, Since
from ..model import KeyResult, Objective, Repository
from .common import (
    Section,
    home_section,
    owner_name,
    owner_order,
    progress_reader,
    section_order,
    value_progress,
)
from .spec import ReportSpec

SPARK_POINTS = 8  # check-ins shown in a sparkline

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


class _Window:
    """The window of the follow-up: what counts as "since then" and who is in the report."""

    def __init__(self, repo: Repository, history: History | None, spec: ReportSpec, since: Since,
                 baseline: Baseline | None, work: Work | None):
        from .checkins import by_kr
        from .views import Scorer

        self.repo, self.history, self.spec, self.since, self.baseline = repo, history, spec, since, baseline
        self.cycle = parse_cycle(spec.cycle) if spec.cycle is not None else None
        if self.cycle is None:
            raise OkrError(f"'{spec.cycle}' is not a cycle id")
        self.every = max(1, repo.settings.checkin_every)
        self.scorer = Scorer(repo, spec.today, spec.include_private)
        self.expected = self.scorer.expected(spec.cycle)
        self.running = self.cycle.start <= spec.today <= self.cycle.end
        self.people = {p.email.lower(): p.id for p in repo.org.people.values() if p.email}
        self.sections: dict[str, TeamFollowUp] = {}
        self._section_of: dict[str, Section] = {}
        self.totals = Totals()
        self.notes: list[str] = []
        self.work_on: dict[str, list] = {}
        self.filed = by_kr(history) if history is not None else None
        for w in (work.commits if work is not None else ()):
            if self.inside(w):
                self.work_on.setdefault(w.key, []).insert(0, w)  # newest first in, oldest first out

    def inside(self, c) -> bool:
        """Whether a check-in (or work commit) is inside the window."""
        if self.since.commits is not None:
            return c.commit in self.since.commits
        day = c.date.date()
        return self.since.day <= day and (self.spec.until is None or day <= self.spec.until)

    def in_window(self, series: list, days: list[date]) -> list:
        """The check-ins of a series inside the window, oldest first."""
        commits = self.since.commits
        if commits is not None:
            return [c for c in series if c.commit in commits]
        first, until = self.since.day, self.spec.until
        return [c for c, day in zip(series, days) if first <= day and (until is None or day <= until)]

    def team_of(self, owner: str) -> TeamFollowUp:
        section = self._section_of.get(owner)
        if section is None:
            section = self._section_of[owner] = home_section(self.repo.org, owner)
        got = self.sections.get(section.id)
        if got is None:
            got = self.sections[section.id] = TeamFollowUp(section.id, section.name, section.kind)
        return got

    def series(self, key: str) -> tuple[list, list[date]]:
        """A key result's check-ins up to `until`, oldest first, and their days (shared lists: not
        to be changed)."""
        if self.filed is None:
            return [], []
        series, days = self.filed.with_days(key)
        until = self.spec.until
        if until is None:
            return series, days
        kept = [i for i, day in enumerate(days) if day <= until]
        return [series[i] for i in kept], [days[i] for i in kept]

    def note(self, c) -> CheckInNote:
        return CheckInNote(c.date, c.kind, c.author_name, c.author_email, self.people.get(c.author_email.lower()),
                           c.value, c.previous, c.confidence, c.note, tuple(c.links), c.commit)

    def work_note(self, w) -> WorkNote:
        return WorkNote(w.date, w.author_name, w.author_email, self.people.get(w.author_email.lower()),
                        w.subject, w.commit)


def build_report(repo: Repository, history: History | None, spec: ReportSpec, *, since: Since,
                 baseline: Baseline | None, work: Work | None = None) -> FollowUp:
    """The follow-up of `spec.cycle` as of `spec.today` for the window `since` (see the module doc).

    `spec.until` leaves out check-ins dated after it (`--at`: the history is read from HEAD); the
    window itself is the commits of `since` when known, else the days from `since.day`. `work`
    (commits with `Okr-Ref:` trailers) lists the work on each key result inside the window."""
    from .views import canonical_objectives

    w = _Window(repo, history, spec, since, baseline, work)
    if history is None:
        w.notes.append("no git history: check-ins, check-ins owed and changes since then are left out")
    elif baseline is None:
        w.notes.append(f"no commit before {since.day.isoformat()}: every objective counts as added")
    after_keys: set[str] = set()
    for obj in canonical_objectives(repo, [spec.cycle]):
        after_keys.add(obj.key)
        if spec.wants(obj.private, obj.owner):
            _objective(w, obj)
    if baseline is not None:
        for key, old in baseline.objectives.items():
            if old.cycle == spec.cycle and key not in after_keys and spec.wants(old.private, old.owner):
                w.team_of(old.owner).changes.append(ObjectiveChange(key, old.owner, old.title, "removed"))
                w.totals.removed += 1
    if not w.running:
        w.notes.append(f"{spec.cycle} is not running on {spec.today.isoformat()}: no check-ins are owed")
    return FollowUp("follow-up", spec.cycle, spec.today, spec.rev, since.day, since.label, since.rev, w.every,
                    w.expected, spec.selection, spec.include_private, history is not None, w.totals,
                    _sorted_teams(repo, w.sections), w.notes)


def _objective(w: _Window, obj: Objective) -> None:
    """File one objective of the report: its change since then and each of its key results."""
    view = w.scorer.view(obj)
    if view.incomplete:
        w.notes.append(f"{obj.key}: score and status unknown, a key result failed to load at "
                       f"{', '.join(view.incomplete)} (run okr check)")
    team = w.team_of(obj.owner)
    before_obj = w.baseline.before(obj) if w.baseline is not None else (None if w.history is not None else obj)
    if w.history is not None and before_obj is None:
        team.changes.append(ObjectiveChange(obj.key, obj.owner, obj.title, "added"))
        w.totals.added += 1
    elif before_obj is not None and before_obj is not obj:
        if before_obj.private and not w.spec.include_private:
            team.changes.append(ObjectiveChange(obj.key, obj.owner, obj.title, "added"))
            w.totals.added += 1
        else:
            found = _field_changes(before_obj, obj, w.spec.today)
            if found:
                team.changes.append(ObjectiveChange(obj.key, obj.owner, obj.title, "changed", found))
                w.totals.changed += 1
    for kr, kv in zip(obj.key_results, view.key_results):
        before_kr = (w.baseline.before_kr(obj, before_obj, kr) if w.baseline is not None
                     else before_obj.kr(kr.id) if before_obj is not None else None)
        series, days = w.series(kv.ref)
        _moved(w, team, obj, kr, kv, before_kr, series, days)
        _owed(w, team, obj, kr, kv, before_kr, days)
        _attention(w, team, obj, kr, kv)


def _moved(w: _Window, team: TeamFollowUp, obj: Objective, kr: KeyResult, kv, before_kr: KeyResult | None,
           series: list, days: list[date]) -> None:
    """The key result under "what moved", when it moved, got a check-in or work inside the window."""
    window = w.in_window(series, days)
    now = _kr_value(kr)
    before = _kr_value(before_kr) if before_kr is not None else None
    conf_before = before_kr.confidence if before_kr is not None else None
    changed = before_kr is not None and (before != now or conf_before != kr.confidence)
    derived = kr.derived is not None and before_kr is not None  # its value moves with its sources'
    if derived:
        before = window[0].previous if window else now
        changed = conf_before != kr.confidence
    worked = w.work_on.get(kv.ref, ())
    if not (window or changed or worked):
        return
    progress_before = (value_progress(kr, before) if derived else
                       scoring.kr_progress(before_kr) if before_kr is not None else None)
    recent = [p for p in map(progress_reader(kr), [c.value for c in series[-SPARK_POINTS:]]) if p is not None]
    team.moved.append(Movement(
        ref=kv.ref, objective=obj.key, owner=obj.owner, objective_title=obj.title, title=kr.title, kind=kr.kind,
        unit=kr.unit, before=before, now=now, confidence_before=conf_before, confidence=kr.confidence,
        progress_before=progress_before, progress=kv.progress, status=kv.status,
        checkins=[w.note(c) for c in window], recent=recent, work=[w.work_note(c) for c in worked],
        derived=kr.derived))
    w.totals.moved += 1
    w.totals.checkins += len(window) if kr.derived is None else 0  # a derived KR's are its sources'


def _owed(w: _Window, team: TeamFollowUp, obj: Objective, kr: KeyResult, kv, before_kr: KeyResult | None,
          days: list[date]) -> None:
    """The key result under "check-ins owed", when it has none within `checkin_every` days."""
    new_kr = w.baseline is not None and before_kr is None  # added since then: nothing owed yet
    if w.history is None or not w.running or new_kr or not scoring.owes_checkin(kr):
        return
    start, today = w.cycle.start, w.spec.today
    last = days[-1] if days else None
    due = max(last, start) + timedelta(days=w.every) if last else start + timedelta(days=w.every)
    if due <= today:
        team.owed.append(Owed(kv.ref, obj.key, obj.owner, kr.title, last, due, (today - due).days,
                              owner_name(w.repo.org, obj.owner)))
        w.totals.owed += 1


def _attention(w: _Window, team: TeamFollowUp, obj: Objective, kr: KeyResult, kv) -> None:
    """The key result under "needs attention", when it is off track or at risk."""
    if kv.status == scoring.ON_TRACK:
        return
    why = _why(kr)
    expected = scoring.milestone_elapsed(kr, w.cycle, w.spec.today) if why == "milestone" else w.expected
    team.attention.append(Attention(
        ref=kv.ref, objective=obj.key, owner=obj.owner, owner_name=owner_name(w.repo.org, obj.owner),
        objective_title=obj.title, title=kr.title, status=kv.status, why=why, confidence=kr.confidence,
        progress=kv.progress, expected=expected, due=kr.due))
    if kv.status == scoring.OFF_TRACK:
        w.totals.off_track += 1
    else:
        w.totals.at_risk += 1


def _sorted_teams(repo: Repository, sections: dict[str, TeamFollowUp]) -> list[TeamFollowUp]:
    """The sections with anything in them, company first; within one, by owner (team and id)."""
    org = repo.org
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
    return [t for t in teams if t.moved or t.owed or t.attention or t.changes]
