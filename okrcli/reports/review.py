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
    value_progress,
)

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


def burn_up_points(kr: KeyResult, series, until: date | None = None) -> tuple[list[Point], float | None]:
    """A key result's check-ins (oldest first, none after `until`) as burn-up points, and the progress
    before the first of them (its previous value), where the burn-up starts; None when unknown."""
    points: list[Point] = []
    first_previous = None
    for c in series:
        day = c.date.date()
        if until is None or day <= until:
            progress = value_progress(kr, c.value)
            if progress is not None:
                if not points:
                    first_previous = c.previous
                points.append(Point(day, c.value, progress))
    return points, value_progress(kr, first_previous) if first_previous is not None else None


def _verdict(mean: float | None) -> str:
    if mean is None:
        return NONE
    low, high = SWEET_SPOT
    return BELOW if mean < low else ABOVE if mean > high else WITHIN


def _known(scores: list[float | None]) -> tuple[list[float], int]:
    """The known scores, and how many were left out as unknown."""
    known = [s for s in scores if s is not None]
    return known, len(scores) - len(known)


def _rollup(total: float, count: int) -> tuple[float | None, str | None]:
    if not count:
        return None, None
    score = min(1.0, max(0.0, total / count))
    return score, scoring.band(score)


def build_review(repo: Repository, history: History | None, *, cycle: str, today: date,
                 owners: set[str] | None = None, include_private: bool = False, rev: str | None = None,
                 selection: str | None = None, team: str | None = None, until: date | None = None) -> Review:
    """The review of `cycle` as of `today` (see the module doc). `owners` limits it (`--team`);
    `team` names the team selected, whose subtree is the list of team roll-ups; `until` leaves out
    check-ins dated after it (`--at`: the history is read from HEAD)."""
    from .discipline import all_periods, checkin_discipline
    from .views import Scorer, canonical_objectives

    parsed = parse_cycle(cycle)
    if parsed is None:
        raise OkrError(f"'{cycle}' is not a cycle id")
    org = repo.org
    every = max(1, repo.settings.checkin_every)
    scorer = Scorer(repo, today, include_private)
    state = NOT_STARTED if today < parsed.start else ENDED if today > parsed.end else RUNNING
    periods = all_periods(parsed, every)

    sections: dict[str, Section] = {}
    objectives: list[ReviewedObjective] = []
    per_owner: dict[str, list[float | None]] = {}
    per_team: dict[str, list[float | None]] = {}
    chains: dict[str, list[str]] = {}
    for obj in canonical_objectives(repo, [cycle]):
        if (obj.private and not include_private) or (owners is not None and obj.owner not in owners):
            continue
        view = scorer.view(obj)
        owner = obj.owner
        section = sections.get(owner)
        if section is None:
            section = sections[owner] = home_section(org, owner)
        krs = []
        for kr, kv in zip(obj.key_results, view.key_results):
            series = history.series(kv.ref) if history is not None else []
            if until is not None:
                series = [c for c in series if c.date.date() <= until]
            points, start = burn_up_points(kr, series)
            notes = [KRNote(c.date.date(), c.author_name, c.value, c.note.strip()) for c in series if c.note.strip()]
            krs.append(ReviewedKR(kv.ref, kv.id, kv.title, kv.kind, kv.unit, kv.score, kv.progress, kv.band,
                                  kv.status, kv.confidence, kv.graded, points, start, notes))
        objectives.append(ReviewedObjective(
            view.ref, owner, owner_name(org, owner), section.id, section.name, view.id, view.title, view.score,
            view.band,
            view.status, view.committed, view.private, view.standalone, view.review_score is not None,
            view.review_notes, krs, view.incomplete))
        per_owner.setdefault(owner, []).append(view.score)
        chain = chains.get(owner)
        if chain is None:
            kind = org.kind(owner)
            chain = chains[owner] = (org.team_ancestors(org.people[owner].team) if kind == "person"
                                     else org.team_ancestors(owner) if kind == "team" else [])
        for t in chain:
            per_team.setdefault(t, []).append(view.score)

    order_cache: dict[str, tuple] = {}

    def order(owner: str) -> tuple:
        got = order_cache.get(owner)
        if got is None:
            got = order_cache[owner] = owner_order(org, owner)
        return got

    objectives.sort(key=lambda o: order(o.owner))  # stable: an owner's objectives stay in file order
    owner_rollups = []
    for owner in sorted(per_owner, key=order):
        known, left_out = _known(per_owner[owner])
        score, band = _rollup(sum(known), len(known))
        owner_rollups.append(Rollup(owner, owner_name(org, owner), org.kind(owner), sections[owner].id, len(known),
                                    score, band, left_out))
    if team is not None and team in org.teams:
        team_ids = sorted(org.subteams(team))
    elif owners is None or (org.company is not None and team == org.company.id):
        team_ids = sorted(org.teams)
    else:
        team_ids = sorted(set(per_team))
    team_rollups = []
    for t in team_ids:
        known, left_out = _known(per_team.get(t, []))
        score, band = _rollup(sum(known), len(known))
        team_rollups.append(Rollup(t, org.teams[t].name, "team", t, len(known), score, band, left_out))
    company = None
    if org.company is not None and (owners is None or team == org.company.id):
        known, left_out = _known([o.score for o in objectives])
        score, band = _rollup(sum(known), len(known))
        company = Rollup(org.company.id, org.company.name, "company", org.company.id, len(known), score, band,
                         left_out)

    bands = Bands()
    aspirational_scores = []
    committed_below, committed_delivered, perfect, standalone, notes, carry = [], [], [], [], [], []
    incomplete = []
    for o in objectives:
        if o.standalone:
            standalone.append(o.ref)
        if o.notes:
            notes.append(o.ref)
        if o.score is None:  # unknown: in no band, no verdict, no carry-over guess
            incomplete.append(o.ref)
            continue
        setattr(bands, o.band, getattr(bands, o.band) + 1)
        if o.committed:
            (committed_delivered if o.score >= 1.0 else committed_below).append(o.ref)
        else:
            aspirational_scores.append(o.score)
            if o.score >= 1.0:
                perfect.append(o.ref)
        if o.score < 1.0:
            carry.append(CarryOver(o.ref, o.owner, o.title, o.score, o.committed,
                                   [k.id for k in o.key_results if k.score < 1.0]))
    mean = sum(aspirational_scores) / len(aspirational_scores) if aspirational_scores else None

    discipline = None
    messages = []
    if history is not None:
        found = checkin_discipline(repo, history, parsed, today, every, owners=owners,
                                   include_private=include_private)
        discipline = [Discipline(d.owner, owner_name(org, d.owner), home_section(org, d.owner).id, d.weeks,
                                 d.on_time, d.late, d.missed, d.last_checkin, d.pending)
                      for d in sorted(found.values(), key=lambda d: order(d.owner))]
    else:
        messages.append("no git history: check-in discipline and burn-up charts are left out")
    if state == RUNNING:
        messages.append(f"{cycle} is still running ({(parsed.end - today).days} days left): scores are provisional")
    elif state == NOT_STARTED:
        messages.append(f"{cycle} has not started on {today.isoformat()}")
    if incomplete:
        messages.append(f"{len(incomplete)} objective{'' if len(incomplete) == 1 else 's'} left out of the "
                        "roll-ups and bands: a key result failed to load, so the score is unknown (run okr check)")
    return Review(
        "review", cycle, parsed.start, parsed.end, today, state, rev, selection, include_private,
        history is not None, every, len(periods), sum(1 for p in periods if p.end < today), PRINCIPLE,
        company, team_rollups, owner_rollups, bands,
        Aspirational(len(aspirational_scores), mean, SWEET_SPOT, _verdict(mean)),
        committed_below, committed_delivered, perfect, standalone, notes, carry, discipline, objectives, messages,
        incomplete)
