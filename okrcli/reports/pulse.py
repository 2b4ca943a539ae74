"""The organisation's pulse as plain data: `okr status` and `okr health`.

`build_status` says who still owes OKRs (fill-in), which key results owe a
check-in (follow-up) and which objectives have no key results. `build_health`
computes the white paper's four values (Focus 聚焦, Follow-up 跟进,
Collaboration 协同, Activation 激活) as indices 0-100 for the company and each
team, from counts whose formulas are in `FORMULAS` and, word for word, in the
README ("okr health (the four values)"). Nothing here prints; renderers in
`okrcli.render.pulse` do. Scores of people are never ranked: health is counted
per team, and status lists owners in org order, never by score.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date, timedelta

from ..cycles import Cycle, parse_cycle
from ..load.history import History
from ..model import Objective, Org, Repository
from ..scoring import owes_checkin
from .discipline import CycleCheckins, checkin_discipline

NOT_STARTED, RUNNING, ENDED = "not_started", "running", "ended"
NO_FILE, NO_OBJECTIVES, UNREADABLE = "no_file", "no_objectives", "unreadable"
_KIND_RANK = {"company": 0, "team": 1, "person": 2}


def cycle_state(cycle: Cycle, today: date) -> str:
    return NOT_STARTED if today < cycle.start else ENDED if today > cycle.end else RUNNING


def previous_cycle_id(cycle: Cycle) -> str | None:
    """The cycle of the same kind just before `cycle` (2026-Q1 -> 2025-Q4, 2026 -> 2025)."""
    year = cycle.id[:4]
    if cycle.kind == "year":
        return str(int(year) - 1)
    letter, n = cycle.id[5], int(cycle.id[6:])
    count = {"H": 2, "Q": 4, "B": 6}[letter]
    return f"{year}-{letter}{n - 1}" if n > 1 else f"{int(year) - 1}-{letter}{count}"


def home_team(org: Org, owner: str) -> str:
    """The team an owner belongs to for lateral links: a person's team, a team itself, else the owner."""
    person = org.people.get(owner)
    if person is not None:
        return person.team if person.team in org.teams else (org.company.id if org.company else owner)
    return owner


def wait_start(last: date | None, cycle: Cycle) -> date:
    """When the wait for a KR's next check-in began: its last check-in, or the cycle start when
    there is none (or the last one came before the cycle). One is owed `checkin_every` days later."""
    return max(last, cycle.start) if last is not None else cycle.start


# ====================================================================== okr status

@dataclass
class MissingOwner:
    """A team or person of org.yaml without objectives for the cycle."""

    owner: str
    kind: str  # team | person | company
    name: str
    group: str  # the fill-in group (team id, or the company id)
    reason: str  # no_file | no_objectives | unreadable
    path: str  # root-relative path of the OKR file they would write
    org_line: int  # where they are in org.yaml


@dataclass
class FillInGroup:
    """A team with its own people (or the company with the people in no team)."""

    id: str
    kind: str  # company | team
    name: str
    expected: int
    filled: int
    missing: list[str]

    @property
    def rate(self) -> float | None:
        return self.filled / self.expected if self.expected else None


@dataclass
class FillIn:
    expected: int
    filled: int
    groups: list[FillInGroup]
    missing: list[MissingOwner]

    @property
    def rate(self) -> float | None:
        return self.filled / self.expected if self.expected else None


@dataclass
class OwedKR:
    ref: str  # CYCLE:OWNER/OBJ/KR
    title: str
    last_checkin: date | None
    due: date
    days_overdue: int
    line: int  # the KR's line in its OKR file


@dataclass
class OwedOwner:
    owner: str
    kind: str | None  # company | team | person (None: not in org.yaml)
    name: str
    path: str  # root-relative OKR file
    last_checkin: date | None  # latest check-in of any of the owner's key results in the cycle
    key_results: list[OwedKR]

    @property
    def days_overdue(self) -> int:
        return max(k.days_overdue for k in self.key_results)


@dataclass
class EmptyObjective:
    ref: str
    owner: str
    title: str
    path: str
    line: int


@dataclass
class Status:
    cycle: str
    as_of: date
    checkin_every: int
    state: str  # not_started | running | ended
    fill_in: FillIn
    owed: list[OwedOwner] | None  # None: no git history to read check-ins from
    empty_objectives: list[EmptyObjective]
    selection: str | None = None  # "--owner X" / "--team X" / "--me (X)"

    @property
    def owed_key_results(self) -> int:
        return sum(len(o.key_results) for o in self.owed or ())


def _owner_name(org: Org, owner: str) -> str:
    if org.company is not None and owner == org.company.id:
        return org.company.name
    found = org.teams.get(owner) or org.people.get(owner)
    return found.name if found is not None else owner


def build_fill_in(repo: Repository, cycle: str, owners: set[str] | None, unreadable: set[str]) -> FillIn:
    """Who has objectives for `cycle`: per team (the team and its own people), then the company."""
    org = repo.org
    files = {f.owner: f for f in repo.files if f.cycle == cycle}
    groups: dict[str, list[tuple[str, str, int]]] = {}
    company = org.company.id if org.company is not None else None
    if company is not None:
        groups[company] = [(company, "company", org.company.loc.line)]
    for team in org.teams.values():
        groups[team.id] = [(team.id, "team", team.loc.line)]
    for person in org.people.values():
        group = person.team if person.team in org.teams else company
        if group is not None:
            groups[group].append((person.id, "person", person.loc.line))
    result, missing = [], []
    for group_id, members in groups.items():
        members = [m for m in members if owners is None or m[0] in owners]
        if not members:
            continue
        absent = []
        for owner, kind, line in members:
            got = files.get(owner)
            if got is not None and got.objectives:
                continue
            path = f"{cycle}/{owner}.yaml"
            reason = NO_OBJECTIVES if got is not None else UNREADABLE if path in unreadable else NO_FILE
            missing.append(MissingOwner(owner, kind, _owner_name(org, owner), group_id, reason, path, line))
            absent.append(owner)
        result.append(FillInGroup(group_id, "company" if group_id == company else "team",
                                  _owner_name(org, group_id), len(members), len(members) - len(absent), absent))
    return FillIn(sum(g.expected for g in result), sum(g.filled for g in result), result, missing)


def build_status(repo: Repository, history: History | None, *, cycle: str, today: date,
                 owners: set[str] | None = None, include_private: bool = False,
                 unreadable: Iterable[str] = (), selection: str | None = None) -> Status:
    """Fill-in, check-ins owed as of `today` and objectives without key results, for `cycle`."""
    from .views import canonical_objectives

    parsed = parse_cycle(cycle)
    every = max(1, repo.settings.checkin_every)
    state = cycle_state(parsed, today)
    org = repo.org
    checkins = CycleCheckins(history, parsed, today, every) if history is not None and state == RUNNING else None
    owed: dict[str, OwedOwner] = {}
    latest: dict[str, date] = {}
    empty = []
    for obj in canonical_objectives(repo, [cycle]):
        if (obj.private and not include_private) or (owners is not None and obj.owner not in owners):
            continue
        if not obj.key_results and not obj.broken_krs:  # a key result that failed to load is one (okr check)
            empty.append(EmptyObjective(obj.key, obj.owner, obj.title, obj.loc.path, obj.loc.line))
        if checkins is None:
            continue
        for kr in obj.key_results:
            last = checkins.last.get(f"{obj.key}/{kr.id}")
            if last is not None and (obj.owner not in latest or last > latest[obj.owner]):
                latest[obj.owner] = last
            due = wait_start(last, parsed) + timedelta(days=every)
            if not owes_checkin(kr) or due > today:
                continue
            entry = owed.get(obj.owner)
            if entry is None:
                entry = owed[obj.owner] = OwedOwner(obj.owner, org.kind(obj.owner), _owner_name(org, obj.owner),
                                                    obj.loc.path, None, [])
            entry.key_results.append(OwedKR(f"{obj.key}/{kr.id}", kr.title, last, due, (today - due).days,
                                            kr.loc.line))
    for entry in owed.values():
        entry.last_checkin = latest.get(entry.owner)
    ordered = sorted(owed.values(), key=lambda o: (_KIND_RANK.get(o.kind, 3), o.owner))
    return Status(cycle=cycle, as_of=today, checkin_every=every, state=state,
                  fill_in=build_fill_in(repo, cycle, owners, set(unreadable)),
                  owed=None if history is None else ordered, empty_objectives=empty, selection=selection)


# ====================================================================== okr health

# index -> (component, weight): index = 100 * sum(weight * component). README mirrors these exactly.
FORMULAS: dict[str, tuple[tuple[str, float], ...]] = {
    "focus": (("focused_owner_share", 0.5), ("outcome_kr_share", 0.5)),
    "follow_up": (("kr_week_checkin_share", 1.0),),
    "collaboration": (("aligned_share", 0.7), ("lateral_share", 0.3)),
    "activation": (("people_fill_share", 0.4), ("bottom_up_share", 0.3), ("aspirational_share", 0.3)),
}
# component -> (numerator count, denominator count)
COMPONENTS: dict[str, tuple[str, str]] = {
    "focused_owner_share": ("focused_owners", "owners_with_objectives"),
    "outcome_kr_share": ("outcome_key_results", "key_results"),
    "kr_week_checkin_share": ("kr_weeks_checked", "kr_weeks"),
    "aligned_share": ("aligned_objectives", "non_company_objectives"),
    "lateral_share": ("lateral_objectives", "objectives"),
    "people_fill_share": ("people_filled", "people"),
    "bottom_up_share": ("bottom_up_objectives", "objectives"),
    "aspirational_share": ("aspirational_objectives", "objectives"),
}
RATES = {"fill_in_rate": ("owners_filled", "owners"), "checkin_rate": ("up_to_date_key_results", "open_key_results")}
INDICES = tuple(FORMULAS)


@dataclass(slots=True)
class Counts:
    """What a scope's figures are computed from (see README for each count's meaning)."""

    owners: int = 0  # org owners (company, teams, people) in the scope
    owners_filled: int = 0  # ... with at least one objective in the cycle (private ones count)
    owners_with_objectives: int = 0  # owners with at least one objective read (public unless --include-private)
    focused_owners: int = 0  # ... holding 1..max objectives, each with 1..max key results
    key_results: int = 0
    outcome_key_results: int = 0  # KR titles not starting with an activity verb (weak-wording)
    kr_weeks: int = 0  # (KR, check-in period) pairs over so far that owed a check-in
    kr_weeks_checked: int = 0  # ... with a check-in inside the period
    open_key_results: int = 0  # KRs owing check-ins (not a milestone done), once the cycle has started
    up_to_date_key_results: int = 0  # ... checked in within checkin_every days (or not yet due)
    objectives: int = 0
    non_company_objectives: int = 0
    aligned_objectives: int = 0  # non-company objectives with an `aligns` link that resolves
    lateral_objectives: int = 0  # objectives with a depends_on link (either way) to another team
    people: int = 0
    people_filled: int = 0
    bottom_up_objectives: int = 0  # standalone objectives, and people's objectives aligned upward
    aspirational_objectives: int = 0  # not committed

    def add(self, other: Counts) -> None:
        """Add `other` field by field (written out: this runs once per owner and team)."""
        self.owners += other.owners
        self.owners_filled += other.owners_filled
        self.owners_with_objectives += other.owners_with_objectives
        self.focused_owners += other.focused_owners
        self.key_results += other.key_results
        self.outcome_key_results += other.outcome_key_results
        self.kr_weeks += other.kr_weeks
        self.kr_weeks_checked += other.kr_weeks_checked
        self.open_key_results += other.open_key_results
        self.up_to_date_key_results += other.up_to_date_key_results
        self.objectives += other.objectives
        self.non_company_objectives += other.non_company_objectives
        self.aligned_objectives += other.aligned_objectives
        self.lateral_objectives += other.lateral_objectives
        self.people += other.people
        self.people_filled += other.people_filled
        self.bottom_up_objectives += other.bottom_up_objectives
        self.aspirational_objectives += other.aspirational_objectives

    def as_json(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in _COUNT_NAMES}


_COUNT_NAMES = tuple(f.name for f in fields(Counts))


def _share(counts: Counts, pair: tuple[str, str]) -> float | None:
    den = getattr(counts, pair[1])
    return getattr(counts, pair[0]) / den if den else None


@dataclass
class HealthFigures:
    counts: Counts
    components: dict[str, float | None]
    indices: dict[str, float | None]  # 0..100, None when a component has nothing to count
    fill_in_rate: float | None
    checkin_rate: float | None

    @classmethod
    def of(cls, counts: Counts) -> HealthFigures:
        components = {name: _share(counts, pair) for name, pair in COMPONENTS.items()}
        indices: dict[str, float | None] = {}
        for index, terms in FORMULAS.items():
            values = [components[c] for c, _ in terms]
            indices[index] = None if None in values else 100 * sum(w * components[c] for c, w in terms)
        return cls(counts, components, indices, _share(counts, RATES["fill_in_rate"]),
                   _share(counts, RATES["checkin_rate"]))


@dataclass
class HealthScope:
    id: str
    kind: str  # company | team
    name: str
    parent: str | None
    current: HealthFigures
    previous: HealthFigures | None
    trend: dict[str, float | None] | None  # current index minus previous, per index


@dataclass
class Health:
    cycle: str
    as_of: date
    checkin_every: int
    previous_cycle: str | None  # the cycle the trend compares with (None: it has no OKR files)
    scopes: list[HealthScope]
    history: bool = True  # False: no git history, so follow-up and check-in rate are unknown
    include_private: bool = False
    max_objectives: int = 5
    max_key_results: int = 5


@dataclass
class _Setting:
    max_objectives: int
    max_key_results: int
    weak_kr: object = field(default=None)  # compiled pattern or None


def _settings(repo: Repository) -> _Setting:
    from ..rules.weak_wording import pattern
    from ..settings import rule_option

    s = repo.settings
    return _Setting(rule_option(s, "too-many-objectives", "max"), rule_option(s, "kr-count", "max"),
                    pattern(rule_option(s, "weak-wording", "kr_verbs")))


def owner_counts(repo: Repository, network, history: History | None, cycle: Cycle, today: date,
                 setting: _Setting, include_private: bool = False) -> dict[str, Counts]:
    """Counts of each owner with anything to count in `cycle` (org owners, owners of objectives)."""
    from .views import canonical_objectives

    org = repo.org
    every = max(1, repo.settings.checkin_every)
    result: dict[str, Counts] = {}

    def counts(owner: str) -> Counts:
        got = result.get(owner)
        if got is None:
            got = result[owner] = Counts()
        return got

    filled = {f.owner for f in repo.files if f.cycle == cycle.id and f.objectives}
    for owner in [*([org.company.id] if org.company else []), *org.teams, *org.people]:
        c = counts(owner)
        c.owners = 1
        c.owners_filled = int(owner in filled)
        if owner in org.people:
            c.people = 1
            c.people_filled = int(owner in filled)
    by_owner: dict[str, list[Objective]] = {}
    for obj in canonical_objectives(repo, [cycle.id]):
        if include_private or not obj.private:
            by_owner.setdefault(obj.owner, []).append(obj)
    day = min(today, cycle.end)
    started = today >= cycle.start
    checkins = CycleCheckins(history, cycle, today, every) if history is not None else None
    last_in_cycle = checkins.last_in_cycle if checkins is not None else {}
    weak = setting.weak_kr
    up, out, into = network.up, network.out, network.into
    objs = repo.objectives
    homes: dict[str, str] = {}

    def home(owner: str) -> str:
        got = homes.get(owner)
        if got is None:
            got = homes[owner] = home_team(org, owner)
        return got

    for owner, owned in by_owner.items():
        c = counts(owner)
        kind = org.kind(owner)
        own_home = home(owner)
        c.owners_with_objectives = 1
        c.focused_owners = int(1 <= len(owned) <= setting.max_objectives and
                               all(1 <= len(o.key_results) <= setting.max_key_results for o in owned))
        for obj in owned:
            key = obj.key
            c.objectives += 1
            c.aspirational_objectives += not obj.committed
            aligned = bool(up[key])
            if kind != "company":
                c.non_company_objectives += 1
                c.aligned_objectives += aligned
            c.bottom_up_objectives += bool(obj.standalone) or (kind == "person" and aligned)
            c.lateral_objectives += any(home(objs[k].owner) != own_home for k in out[key]) or any(
                home(objs[k].owner) != own_home for k in into[key])
            for kr in obj.key_results:
                c.key_results += 1
                c.outcome_key_results += weak is None or not weak.match(kr.title)
                if not started or checkins is None or not owes_checkin(kr):
                    continue
                c.open_key_results += 1
                since = wait_start(last_in_cycle.get(f"{key}/{kr.id}"), cycle)
                c.up_to_date_key_results += since + timedelta(days=every) > day
    if checkins is not None:
        for owner, record in checkin_discipline(repo, history, cycle, today, every, owners=by_owner,
                                                include_private=include_private, checkins=checkins).items():
            c = counts(owner)
            c.kr_weeks += record.kr_weeks
            c.kr_weeks_checked += record.kr_weeks_on_time
    return result


def scope_counts(repo: Repository, per_owner: dict[str, Counts], scope_ids: set[str]) -> dict[str, Counts]:
    """Sum each owner's counts into the company and every team above it (the team's whole subtree).

    Owners are summed into their own team (or the company) first, then each team's own sum
    into the teams above it: owners + teams x depth additions, not owners x depth."""
    org = repo.org
    company = org.company.id if org.company is not None else ""
    own: dict[str, Counts] = {}
    for owner, c in per_owner.items():
        direct = _direct_scope(org, owner, company)
        got = own.get(direct)
        if got is None:
            got = own[direct] = Counts()
        got.add(c)
    totals = {s: Counts() for s in scope_ids}
    if company in totals:
        for c in own.values():
            totals[company].add(c)
    # Each team's subtree, children before parents: linear in the teams, however deep the tree.
    subtotal: dict[str, Counts] = {}
    children = _children(org)
    for team_id, below in _bottom_up(org, children):
        total = subtotal[team_id] = Counts()
        if team_id in own:
            total.add(own[team_id])
        for child in below:
            total.add(subtotal[child])
        if team_id in totals:
            totals[team_id].add(total)
    return totals


def _direct_scope(org: Org, owner: str, company: str) -> str:
    """The one scope an owner's counts go to first: its team (a team itself), else the company."""
    person = org.people.get(owner)
    if person is not None:
        return person.team if person.team in org.teams else company
    return owner if owner in org.teams else company


def _children(org: Org) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for team in org.teams.values():
        if team.parent in org.teams and team.parent != team.id:
            found.setdefault(team.parent, []).append(team.id)
    return found


def _bottom_up(org: Org, children: dict[str, list[str]]) -> list[tuple[str, list[str]]]:
    """Every team with its children in a spanning forest, children before parents, in linear time.

    The forest grows from the top teams (no parent, or an unknown one); a loop of parents
    (an `org` finding) is cut at the team where a walk up first meets itself."""
    visited: set[str] = set()
    order: list[tuple[str, list[str]]] = []

    def grow(top: str) -> None:
        visited.add(top)
        todo = [top]
        while todo:
            team_id = todo.pop()
            below = [c for c in children.get(team_id, ()) if c not in visited]
            visited.update(below)
            order.append((team_id, below))
            todo.extend(below)

    for team in org.teams.values():
        if team.parent is None or team.parent not in org.teams:
            grow(team.id)
    for team in org.teams.values():
        if team.id in visited:
            continue
        walked: set[str] = set()
        team_id = team.id
        while team_id not in walked and team_id not in visited:
            walked.add(team_id)
            team_id = org.teams[team_id].parent
        if team_id not in visited:
            grow(team_id)
    order.reverse()
    return order


def build_health(repo: Repository, network, history: History | None, *, cycle: str, today: date,
                 team: str | None = None, include_private: bool = False) -> Health:
    """The four indices (and fill-in and check-in rates) of the company and each team, with the trend."""
    org = repo.org
    parsed = parse_cycle(cycle)
    setting = _settings(repo)
    company = org.company.id if org.company is not None else ""
    if team is None or team == company:
        chosen = [company, *org.teams]
    else:
        inside = org.subteams(team)
        chosen = [t for t in org.teams if t in inside]
    chosen_set = set(chosen)
    current = scope_counts(repo, owner_counts(repo, network, history, parsed, today, setting, include_private),
                           chosen_set)
    previous_id = previous_cycle_id(parsed)
    if not any(f.cycle == previous_id for f in repo.files):
        previous_id = None
    previous = None
    if previous_id is not None:
        previous = scope_counts(repo, owner_counts(repo, network, history, parse_cycle(previous_id), today,
                                                   setting, include_private), chosen_set)
    scopes = []
    for scope in chosen:
        figures = HealthFigures.of(current[scope])
        before = HealthFigures.of(previous[scope]) if previous is not None else None
        trend = None
        if before is not None:
            trend = {k: None if v is None or before.indices[k] is None else v - before.indices[k]
                     for k, v in figures.indices.items()}
        is_company = scope == company
        scopes.append(HealthScope(
            scope, "company" if is_company else "team", _owner_name(org, scope) if scope else "",
            None if is_company else (org.teams[scope].parent if org.teams[scope].parent in org.teams else company),
            figures, before, trend))
    return Health(cycle=cycle, as_of=today, checkin_every=max(1, repo.settings.checkin_every),
                  previous_cycle=previous_id, scopes=scopes, history=history is not None,
                  include_private=include_private, max_objectives=setting.max_objectives,
                  max_key_results=setting.max_key_results)
