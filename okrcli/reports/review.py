"""The end-of-cycle review (`okr review`) as plain data.

What a team reviews when a cycle ends (the white paper: problem analysis and
lessons learned first, then how the team's and its members' OKRs landed):
- roll-up scores (SPEC 3): per owner the mean of its objectives, per team the
  mean over its own objectives and its members' (subteams and their people),
  and the company's over everything shown;
- the distribution of objectives by band (red < 0.4 <= yellow < 0.7 <= green);
- committed objectives below 1.0, each of which needs a postmortem;
- the aspirational average against the 0.6-0.7 sweet spot, and aspirational
  objectives that scored 1.0 (were they ambitious enough?);
- standalone objectives, the `review.notes` written, check-in discipline per
  owner (`okrcli.reports.discipline`), and carry-over candidates (unfinished objectives);
- every objective with its key results and their check-in history (the
  burn-up charts of the HTML page).

People and teams are listed by team and id, never ranked by score: scores
serve focus and learning, not performance ratings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .. import scoring
from ..cycles import parse_cycle
from ..errors import OkrError
from ..load.history import History
from ..model import KeyResult, Repository
from .common import (
    PRINCIPLE,
    Section,
    home_section,
    owner_name,
    owner_order,
    progress_reader,
)
from .spec import ReportSpec

SPARKLINE = 12  # burn-up points a terminal's review shows per key result
SWEET_SPOT = (0.6, 0.7)  # Google's grading: aspirational objectives should land here on average
NOT_STARTED, RUNNING, ENDED = "not_started", "running", "ended"
BELOW, WITHIN, ABOVE, NONE = "below", "within", "above", "none"

Value = bool | int | float | str


@dataclass(slots=True)
class Point:
    """One check-in of a key result: its day, the value recorded, that value as progress."""

    date: date
    value: Value | None
    progress: float


@dataclass(slots=True)
class KRNote:
    """A check-in's note, for the review's story of a key result."""

    date: date
    author: str
    value: Value | None
    note: str


@dataclass(slots=True)
class ReviewedKR:
    ref: str
    id: str
    title: str
    kind: str
    unit: str | None
    score: float
    progress: float
    band: str
    status: str
    confidence: float | None
    graded: bool  # its `score` was set by hand
    history: list[Point]  # oldest first; empty without check-ins
    start_progress: float | None  # before the first check-in (its previous value): where the burn-up starts
    notes: list[KRNote] = field(default_factory=list)  # check-ins' notes, oldest first


@dataclass(slots=True)
class ReviewedObjective:
    ref: str
    owner: str
    owner_name: str
    team: str  # the section it is filed under: team id, company id, or "" (not in org.yaml)
    team_name: str
    id: str
    title: str
    score: float | None  # None: unknown, a key result failed to load (`incomplete`)
    band: str | None
    status: str | None
    committed: bool
    private: bool
    standalone: str | None
    graded: bool  # review.score set by hand
    notes: str | None  # review.notes
    key_results: list[ReviewedKR]
    incomplete: tuple[str, ...] = ()  # `path:line` of the findings of key results that failed to load


@dataclass(slots=True)
class Rollup:
    """A roll-up score: an owner's (mean of its objectives) or a team's (own + members')."""

    id: str
    name: str
    kind: str | None  # company | team | person (None: not in org.yaml)
    team: str  # the section: a person's team, the team itself, the company
    objectives: int
    score: float | None  # None without objectives
    band: str | None
    left_out: int = 0  # objectives whose score is unknown (a key result failed to load)


@dataclass(slots=True)
class Bands:
    red: int = 0
    yellow: int = 0
    green: int = 0

    @property
    def total(self) -> int:
        return self.red + self.yellow + self.green


@dataclass(slots=True)
class Aspirational:
    objectives: int
    mean: float | None
    sweet_spot: tuple[float, float]
    verdict: str  # below | within | above | none


@dataclass(slots=True)
class Discipline:
    """Check-in periods of the cycle that are over: on time, late, missed (okrcli.reports.discipline)."""

    owner: str
    name: str
    team: str
    weeks: int  # periods over in which the owner owed a check-in
    on_time: int
    late: int
    missed: int
    last_checkin: date | None
    pending: int = 0  # periods over whose late window is still open, without a check-in yet


@dataclass(slots=True)
class CarryOver:
    ref: str
    owner: str
    title: str
    score: float
    committed: bool
    unfinished: list[str]  # ids of its key results below 1.0


@dataclass
class Review:
    report: str  # "review"
    cycle: str
    start: date
    end: date
    as_of: date
    state: str  # not_started | running | ended
    rev: str | None  # the commit described (--at), None for the work tree
    selection: str | None
    include_private: bool
    history: bool  # False without git history: no discipline, no burn-ups
    checkin_every: int
    weeks_in_cycle: int  # check-in periods in the whole cycle
    weeks_over: int  # periods over by `as_of`
    ordering: str  # the principle: listed by team and id, never by score
    company: Rollup | None
    teams: list[Rollup]
    owners: list[Rollup]
    bands: Bands
    aspirational: Aspirational
    committed_below: list[str]  # refs: committed objectives below 1.0 (each needs a postmortem)
    committed_delivered: list[str]  # refs: committed objectives at 1.0
    perfect: list[str]  # refs: aspirational objectives at 1.0 (ambitious enough?)
    standalone: list[str]  # refs
    notes: list[str]  # refs of objectives with review.notes
    carry_over: list[CarryOver]
    discipline: list[Discipline] | None
    objectives: list[ReviewedObjective]
    messages: list[str] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)  # refs whose score is unknown, left out of roll-ups

    def objective(self, ref: str) -> ReviewedObjective:
        index = self.__dict__.get("_index")
        if index is None:
            index = self.__dict__["_index"] = {o.ref: o for o in self.objectives}
        return index[ref]


def burn_up_points(kr: KeyResult, series, until: date | None = None,
                   days: list[date] | None = None) -> tuple[list[Point], float | None]:
    """A key result's check-ins (oldest first, none after `until`) as burn-up points, and the progress
    before the first of them (its previous value), where the burn-up starts; None when unknown.
    `days` may give each check-in's day (`ByKR.with_days`)."""
    progress_of = progress_reader(kr)
    points: list[Point] = []
    append = points.append
    first_previous = None
    for c, day in zip(series, days if days is not None else [c.date.date() for c in series]):
        if until is None or day <= until:
            value = c.value
            progress = progress_of(value)
            if progress is not None:
                if not points:
                    first_previous = c.previous
                append(Point(day, value, progress))
    return points, progress_of(first_previous) if first_previous is not None else None


def _verdict(mean: float | None) -> str:
    if mean is None:
        return NONE
    low, high = SWEET_SPOT
    return BELOW if mean < low else ABOVE if mean > high else WITHIN


def _rollup(scores: list[float | None]) -> tuple[float | None, str | None, int, int]:
    """(score, band, objectives counted, left out as unknown) of a roll-up (`scoring.rollup`)."""
    score, known, left_out = scoring.rollup(scores)
    return score, (scoring.band(score) if score is not None else None), known, left_out


class _Sections:
    """Where each owner is filed and the order owners are listed in (team and id), each worked out once."""

    def __init__(self, org):
        self.org = org
        self._home: dict[str, Section] = {}
        self._order: dict[str, tuple] = {}
        self._chains: dict[str, list[str]] = {}

    def home(self, owner: str) -> Section:
        got = self._home.get(owner)
        if got is None:
            got = self._home[owner] = home_section(self.org, owner)
        return got

    def order(self, owner: str) -> tuple:
        got = self._order.get(owner)
        if got is None:
            got = self._order[owner] = owner_order(self.org, owner)
        return got

    def teams_above(self, owner: str) -> list[str]:
        """The teams whose roll-up counts the owner's objectives (its own team and those above it)."""
        chain = self._chains.get(owner)
        if chain is None:
            org, kind = self.org, self.org.kind(owner)
            chain = self._chains[owner] = (org.team_ancestors(org.people[owner].team) if kind == "person"
                                           else org.team_ancestors(owner) if kind == "team" else [])
        return chain


def last_points(kr: KeyResult, series: list, days: list[date], count: int) -> tuple[list[Point], float | None]:
    """`burn_up_points` of the key result, only its last `count` points (a sparkline's)."""
    progress_of = progress_reader(kr)
    points: list[Point] = []
    for c, day in zip(reversed(series), reversed(days)):
        if len(points) == count:
            break
        progress = progress_of(c.value)
        if progress is not None:
            points.append(Point(day, c.value, progress))
    points.reverse()
    first = next((c.previous for c in series if progress_of(c.value) is not None), None)
    return points, progress_of(first) if first is not None else None


def _reviewed_kr(kr: KeyResult, kv, series: list, days: list[date], recent: int | None) -> ReviewedKR:
    if recent is not None:  # a terminal's review: the last points of each burn-up, no notes
        points, start = last_points(kr, series, days, recent)
        notes = []
    else:
        points, start = burn_up_points(kr, series, days=days)
        notes = [KRNote(day, c.author_name, c.value, note) for c, day in zip(series, days)
                 if (note := c.note.strip())]
    return ReviewedKR(kv.ref, kv.id, kv.title, kv.kind, kv.unit, kv.score, kv.progress, kv.band, kv.status,
                      kv.confidence, kv.graded, points, start, notes)


def _reviewed_objectives(repo: Repository, history: History | None, spec: ReportSpec,
                         sections: _Sections, recent: int | None = None) -> list[ReviewedObjective]:
    """The objectives of the review with their key results and check-ins, in file order."""
    from .checkins import by_kr
    from .views import Scorer, canonical_objectives

    org = repo.org
    scorer = Scorer(repo, spec.today, spec.include_private)
    filed = by_kr(history) if history is not None else None
    until = spec.until
    objectives: list[ReviewedObjective] = []
    for obj in canonical_objectives(repo, [spec.cycle]):
        if not spec.wants(obj.private, obj.owner):
            continue
        view = scorer.view(obj)
        krs = []
        for kr, kv in zip(obj.key_results, view.key_results):
            series, days = filed.with_days(kv.ref) if filed is not None else ([], [])
            if until is not None:
                kept = [i for i, day in enumerate(days) if day <= until]
                series, days = [series[i] for i in kept], [days[i] for i in kept]
            krs.append(_reviewed_kr(kr, kv, series, days, recent))
        section = sections.home(obj.owner)
        objectives.append(ReviewedObjective(
            view.ref, obj.owner, owner_name(org, obj.owner), section.id, section.name, view.id, view.title,
            view.score, view.band, view.status, view.committed, view.private, view.standalone,
            view.review_score is not None, view.review_notes, krs, view.incomplete))
    return objectives


def _rollups(repo: Repository, spec: ReportSpec, objectives: list[ReviewedObjective],
             sections: _Sections) -> tuple[Rollup | None, list[Rollup], list[Rollup]]:
    """(company, teams, owners): the roll-up scores of the objectives shown (in file order, so that
    each mean adds its scores in the same order every time)."""
    org, team, owners = repo.org, spec.team, spec.owners
    per_owner: dict[str, list[float | None]] = {}
    per_team: dict[str, list[float | None]] = {}
    for o in objectives:
        per_owner.setdefault(o.owner, []).append(o.score)
        for t in sections.teams_above(o.owner):
            per_team.setdefault(t, []).append(o.score)

    def rollup(id: str, name: str, kind: str | None, section: str, scores: list[float | None]) -> Rollup:
        score, band, known, left_out = _rollup(scores)
        return Rollup(id=id, name=name, kind=kind, team=section, objectives=known, score=score, band=band,
                      left_out=left_out)

    owner_rollups = [rollup(o, owner_name(org, o), org.kind(o), sections.home(o).id, per_owner[o])
                     for o in sorted(per_owner, key=sections.order)]
    if team is not None and team in org.teams:
        team_ids = sorted(org.subteams(team))
    elif owners is None or (org.company is not None and team == org.company.id):
        team_ids = sorted(org.teams)
    else:
        team_ids = sorted(set(per_team))
    team_rollups = [rollup(t, org.teams[t].name, "team", t, per_team.get(t, [])) for t in team_ids]
    company = None
    if org.company is not None and (owners is None or team == org.company.id):
        listed = sorted(objectives, key=lambda o: sections.order(o.owner))
        company = rollup(org.company.id, org.company.name, "company", org.company.id, [o.score for o in listed])
    return company, team_rollups, owner_rollups


@dataclass
class _Tally:
    """The objectives sorted into the review's lists (bands, committed, aspirational, carry-over)."""

    bands: Bands = field(default_factory=Bands)
    aspirational: list[float] = field(default_factory=list)
    committed_below: list[str] = field(default_factory=list)
    committed_delivered: list[str] = field(default_factory=list)
    perfect: list[str] = field(default_factory=list)
    standalone: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    carry_over: list[CarryOver] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)


def _tally(objectives: list[ReviewedObjective]) -> _Tally:
    t = _Tally()
    for o in objectives:
        if o.standalone:
            t.standalone.append(o.ref)
        if o.notes:
            t.notes.append(o.ref)
        if o.score is None:  # unknown: in no band, no verdict, no carry-over guess
            t.incomplete.append(o.ref)
            continue
        setattr(t.bands, o.band, getattr(t.bands, o.band) + 1)
        if o.committed:
            (t.committed_delivered if o.score >= 1.0 else t.committed_below).append(o.ref)
        else:
            t.aspirational.append(o.score)
            if o.score >= 1.0:
                t.perfect.append(o.ref)
        if o.score < 1.0:
            t.carry_over.append(CarryOver(o.ref, o.owner, o.title, o.score, o.committed,
                                          [k.id for k in o.key_results if k.score < 1.0]))
    return t


def _discipline(repo: Repository, history: History, spec: ReportSpec, cycle, every: int,
                sections: _Sections) -> list[Discipline]:
    from .discipline import checkin_discipline

    org = repo.org
    found = checkin_discipline(repo, history, cycle, spec.today, every, owners=spec.owners,
                               include_private=spec.include_private)
    return [Discipline(owner=d.owner, name=owner_name(org, d.owner), team=sections.home(d.owner).id,
                       weeks=d.weeks, on_time=d.on_time, late=d.late, missed=d.missed,
                       last_checkin=d.last_checkin, pending=d.pending)
            for d in sorted(found.values(), key=lambda d: sections.order(d.owner))]


def _messages(spec: ReportSpec, cycle, state: str, history: History | None, incomplete: list[str]) -> list[str]:
    messages = []
    if history is None:
        messages.append("no git history: check-in discipline and burn-up charts are left out")
    if state == RUNNING:
        messages.append(f"{spec.cycle} is still running ({(cycle.end - spec.today).days} days left): "
                        "scores are provisional")
    elif state == NOT_STARTED:
        messages.append(f"{spec.cycle} has not started on {spec.today.isoformat()}")
    if incomplete:
        messages.append(f"{len(incomplete)} objective{'' if len(incomplete) == 1 else 's'} left out of the "
                        "roll-ups and bands: a key result failed to load, so the score is unknown (run okr check)")
    return messages


def build_review(repo: Repository, history: History | None, spec: ReportSpec, *,
                 recent: int | None = None) -> Review:
    """The review of `spec.cycle` as of `spec.today` (see the module doc). `spec.owners` limits it
    (`--team`); `spec.team` names the team selected, whose subtree is the list of team roll-ups;
    `spec.until` leaves out check-ins dated after it (`--at`: the history is read from HEAD).

    With `recent`, each key result keeps only its last `recent` burn-up points and no check-in
    notes: what the terminal's review shows (`SPARKLINE` points), without building the tens of
    thousands of points and notes only the JSON, Markdown and HTML reviews show."""
    from .discipline import all_periods

    cycle = parse_cycle(spec.cycle) if spec.cycle is not None else None
    if cycle is None:
        raise OkrError(f"'{spec.cycle}' is not a cycle id")
    today, every = spec.today, max(1, repo.settings.checkin_every)
    state = NOT_STARTED if today < cycle.start else ENDED if today > cycle.end else RUNNING
    periods = all_periods(cycle, every)
    sections = _Sections(repo.org)
    objectives = _reviewed_objectives(repo, history, spec, sections, recent)
    company, teams, owners = _rollups(repo, spec, objectives, sections)
    objectives.sort(key=lambda o: sections.order(o.owner))  # stable: an owner's objectives stay in file order
    t = _tally(objectives)
    mean = sum(t.aspirational) / len(t.aspirational) if t.aspirational else None
    return Review(
        report="review", cycle=spec.cycle, start=cycle.start, end=cycle.end, as_of=today, state=state,
        rev=spec.rev, selection=spec.selection, include_private=spec.include_private,
        history=history is not None, checkin_every=every, weeks_in_cycle=len(periods),
        weeks_over=sum(1 for p in periods if p.end < today), ordering=PRINCIPLE, company=company, teams=teams,
        owners=owners, bands=t.bands,
        aspirational=Aspirational(len(t.aspirational), mean, SWEET_SPOT, _verdict(mean)),
        committed_below=t.committed_below, committed_delivered=t.committed_delivered, perfect=t.perfect,
        standalone=t.standalone, notes=t.notes, carry_over=t.carry_over,
        discipline=_discipline(repo, history, spec, cycle, every, sections) if history is not None else None,
        objectives=objectives, messages=_messages(spec, cycle, state, history, t.incomplete),
        incomplete=t.incomplete)
