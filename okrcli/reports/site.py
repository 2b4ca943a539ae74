"""`okr site` as plain data: what every page of the static website shows, built from the reports.

The site reuses the report builders: the company tree (`views.build_tree`),
fill-in and owed check-ins (`pulse.build_status`), the four values
(`pulse.build_health`), the end-of-cycle review (`reports.review`) and the weekly
follow-up (`reports.followup`). On top of them it files owners into pages: a page
per team (its objectives, people, subteams, roll-up, owed check-ins), per person
and per objective. Objective pages are built one at a time (`objective_page`), so
a site of 10,000 people never holds all of them at once.

Private objectives are left out everywhere unless `include_private`: from the
lists, the counts and the links; a shown objective that aligns to a hidden one
shows it as "private objective" without title or link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from ..cycles import parse_cycle
from ..errors import OkrError
from ..load.history import History
from ..model import KeyResult, Objective, Org, Repository
from ..network import AlignmentNetwork
from .common import owner_name
from .pulse import Health, HealthScope, OwedOwner, Status, build_health, build_status
from .review import Point, Review, Rollup, burn_up_points
from .show import ObjectiveDetail, build_show_objective
from .spec import ReportSpec
from .tree import Tree, build_tree
from .views import KIND_RANK, KRView, Scorer, _natural

MARKER = ".okr-site"  # the file that says a folder is a site okr wrote (and may replace)
INDEX, REVIEW, FOLLOW_UP, STYLE = "index.html", "review.html", "follow-up.html", "style.css"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")


@dataclass(slots=True)
class TeamPage:
    id: str
    name: str
    parent: str | None  # a team id; None under the company
    lead: str | None
    github: str | None
    subteams: list[str]
    people: list[str]  # its own people (not its subteams')
    objectives: list[str]  # keys of the team's own objectives shown
    rollup: Rollup | None  # the team's roll-up: own objectives and its members'
    health: HealthScope | None
    owed: list[OwedOwner]  # the team itself and its own people, when they owe check-ins
    owed_below: int  # key results owing a check-in in the team, its subteams and all their people
    missing: list[str]  # owners of the team itself and its own people without OKRs


@dataclass(slots=True)
class PersonPage:
    id: str
    name: str
    team: str | None  # a team id of org.yaml
    github: str | None
    objectives: list[str]
    rollup: Rollup | None
    owed: OwedOwner | None
    missing: bool  # no OKRs for the cycle


@dataclass(slots=True)
class KRHistory:
    """A key result on its objective's page: scored, its burn-up points, its check-ins."""

    view: KRView
    points: list[Point]  # oldest first
    start_progress: float | None
    checkins: list  # history.CheckIn, newest first (notes and links)


@dataclass(slots=True)
class ObjectivePage:
    detail: ObjectiveDetail
    key_results: list[KRHistory]
    home: str | None  # the team page it is filed under (team id), None for the company or no team


@dataclass
class Site:
    cycle: str
    start: date
    end: date
    state: str  # not_started | running | ended
    as_of: date
    rev: str | None  # the commit the site shows (--at or HEAD); None outside git
    work_tree: bool  # read from the files on disk (which may differ from `rev`)
    include_private: bool
    company: str | None  # the company id
    company_name: str
    history: bool
    tree: Tree
    status: Status
    health: Health
    review: Review
    teams: dict[str, TeamPage]  # in tree order (parents first)
    people: dict[str, PersonPage]  # by team, then id
    company_objectives: list[str]
    objectives: list[str]  # keys of every objective with a page, in display order
    paths: dict[str, str] = field(default_factory=dict)  # objective key -> site-relative path
    # what objective_page reads
    repository: Repository | None = None
    network: AlignmentNetwork | None = None
    scorer: Scorer | None = None
    history_data: History | None = None
    until: date | None = None
    footer: str = ""  # the renderer's footer of every page, made once (render.site.footer)

    def team_depth(self, team: str) -> int:
        return len(self.repository.org.team_ancestors(team)) - 1 if self.repository else 0

    def chain(self, owner: str) -> list[str]:
        """The teams above an owner's page, topmost first (its breadcrumb)."""
        org = self.repository.org
        kind = org.kind(owner)
        if kind == "person":
            return list(reversed(org.team_ancestors(org.people[owner].team)))
        if kind == "team":
            return list(reversed(org.team_ancestors(owner)))[:-1]
        return []


def team_path(team: str) -> str:
    return f"teams/{_file_name(team)}.html"


def person_path(person: str) -> str:
    return f"people/{_file_name(person)}.html"


def _file_name(name: str) -> str:
    """An id as a file name; ids are validated on load, but anything else becomes its hex."""
    return name if _SAFE_NAME.match(name) else "x-" + name.encode("utf-8").hex()[:120]


def _objective_paths(keys: list[str]) -> dict[str, str]:
    """objectives/CYCLE/OWNER/ID.html per key, unique even on a file system that ignores case."""
    paths: dict[str, str] = {}
    taken: set[str] = set()
    for key in keys:
        cycle, rest = key.split(":", 1)
        owner, obj_id = rest.split("/", 1)
        base = f"objectives/{_file_name(cycle)}/{_file_name(owner)}/{_file_name(obj_id)}"
        path, n = f"{base}.html", 1
        while path.casefold() in taken:
            n += 1
            path = f"{base}-{n}.html"
        taken.add(path.casefold())
        paths[key] = path
    return paths


def _shown(obj: Objective, include_private: bool) -> bool:
    return include_private or not obj.private


def build_site(repo: Repository, history: History | None, spec: ReportSpec, *, work_tree: bool, review: Review,
               unreadable: set[str] | None = None) -> Site:
    """Everything but the objective pages (see `objective_page`), for `spec.cycle` as of `spec.today`."""
    cycle, today = spec.cycle, spec.today
    parsed = parse_cycle(cycle) if cycle is not None else None
    if parsed is None:
        raise OkrError(f"'{cycle}' is not a cycle id")
    org = repo.org
    network = AlignmentNetwork(repo)
    scorer = Scorer(repo, today)
    shown_spec = ReportSpec(cycle, today, include_private=spec.include_private)
    tree = build_tree(repo, network, scorer, shown_spec)
    status = build_status(repo, history, shown_spec, unreadable=unreadable or ())
    health = build_health(repo, network, history, shown_spec)
    keys, by_owner = _pages_shown(repo, parsed, spec.include_private)
    teams = _team_pages(org, by_owner, review, health, status)
    people: dict[str, PersonPage] = {}
    team_rank = {tid: n for n, tid in enumerate(teams)}
    owner_rollups = {r.id: r for r in review.owners}
    owed = {o.owner: o for o in status.owed or ()}
    missing = {m.owner for m in status.fill_in.missing}
    for p in sorted(org.people.values(), key=lambda p: (team_rank.get(p.team, -1), p.id)):
        people[p.id] = PersonPage(p.id, p.name, p.team if p.team in org.teams else None, p.github,
                                  by_owner.get(p.id, []), owner_rollups.get(p.id), owed.get(p.id),
                                  p.id in missing)
    company = org.company.id if org.company is not None else None
    state = "not_started" if today < parsed.start else "ended" if today > parsed.end else "running"
    return Site(
        cycle=cycle, start=parsed.start, end=parsed.end, state=state, as_of=today, rev=spec.rev, work_tree=work_tree,
        include_private=spec.include_private, company=company, company_name=owner_name(org, company) if company else "",
        history=history is not None, tree=tree, status=status, health=health, review=review, teams=teams,
        people=people, company_objectives=by_owner.get(company, []) if company else [], objectives=keys,
        paths=_objective_paths(keys), repository=repo, network=network, scorer=scorer, history_data=history,
        until=spec.until)


def _pages_shown(repo: Repository, cycle, include_private: bool) -> tuple[list[str], dict[str, list[str]]]:
    """The objectives with a page (the cycle's and those of the cycles enclosing it, what they align
    to) in display order, and the cycle's own objectives by owner."""
    enclosing = {c for c in repo.cycles() if (p := parse_cycle(c)) is not None and p.encloses(cycle)}
    kind = repo.org.kind

    def order(obj: Objective) -> tuple:
        p = parse_cycle(obj.cycle)
        return (obj.cycle != cycle.id, p.start if p else date.max, KIND_RANK.get(kind(obj.owner), 3), obj.owner,
                _natural(obj.id))

    shown = [o for o in repo.objectives.values() if o.cycle in enclosing and _shown(o, include_private)]
    shown.sort(key=order)
    by_owner: dict[str, list[str]] = {}
    for o in shown:
        if o.cycle == cycle.id:
            by_owner.setdefault(o.owner, []).append(o.key)
    return [o.key for o in shown], by_owner


def _owed_by_team(org: Org, status: Status) -> tuple[dict[str, list[OwedOwner]], dict[str, int]]:
    """Per team: the team and its own people owing check-ins, and the key results owed in it and below it."""
    owed_in: dict[str, list[OwedOwner]] = {}
    owed_below: dict[str, int] = {}
    for o in status.owed or ():
        kind_of = org.kind(o.owner)
        start = org.people[o.owner].team if kind_of == "person" else o.owner if kind_of == "team" else None
        if start in org.teams:
            owed_in.setdefault(start, []).append(o)
        for t in org.team_ancestors(start):
            owed_below[t] = owed_below.get(t, 0) + len(o.key_results)
    return owed_in, owed_below


def _team_pages(org: Org, by_owner: dict[str, list[str]], review: Review, health: Health,
                status: Status) -> dict[str, TeamPage]:
    """The team pages in tree order: depth first, parents before their subteams, subteams by id."""
    team_rollups = {r.id: r for r in review.teams}
    scopes = {s.id: s for s in health.scopes}
    missing = {m.owner for m in status.fill_in.missing}
    owed_in, owed_below = _owed_by_team(org, status)
    children: dict[str | None, list[str]] = {}
    for t in org.teams.values():
        parent = t.parent if t.parent in org.teams and t.parent != t.id else None
        children.setdefault(parent, []).append(t.id)
    people_of: dict[str, list[str]] = {}
    for p in org.people.values():
        if p.team in org.teams:
            people_of.setdefault(p.team, []).append(p.id)

    def page(tid: str, parent: str | None, subteams: list[str], missing_here: list[str]) -> TeamPage:
        t = org.teams[tid]
        return TeamPage(
            id=tid, name=t.name, parent=parent, lead=t.lead if t.lead in org.people else None, github=t.github,
            subteams=subteams, people=sorted(people_of.get(tid, [])), objectives=by_owner.get(tid, []),
            rollup=team_rollups.get(tid), health=scopes.get(tid), owed=owed_in.get(tid, []),
            owed_below=owed_below.get(tid, 0), missing=missing_here)

    teams: dict[str, TeamPage] = {}
    stack = sorted(children.get(None, []), reverse=True)
    while stack:
        tid = stack.pop()
        if tid in teams:
            continue
        subteams = sorted(children.get(tid, []))
        parent = org.teams[tid].parent
        teams[tid] = page(tid, parent if parent in org.teams else None, subteams,
                          [m for m in [tid, *sorted(people_of.get(tid, []))] if m in missing])
        stack.extend(reversed(subteams))
    for tid in sorted(set(org.teams) - set(teams)):  # teams in a parent loop (okr check reports it)
        teams[tid] = page(tid, None, [], [])
    return teams


def home_team(org: Org, owner: str) -> str | None:
    """The team page an owner's objective is filed under: a person's team, a team itself."""
    kind = org.kind(owner)
    if kind == "team":
        return owner
    if kind == "person":
        team = org.people[owner].team
        return team if team in org.teams else None
    return None


def objective_page(site: Site, key: str) -> ObjectivePage:
    """One objective's page: its detail (alignment up, down and sideways), its key results with the
    points of their burn-ups and their check-ins, newest first."""
    repo, history, until = site.repository, site.history_data, site.until
    obj = repo.objectives[key]
    spec = ReportSpec(obj.cycle, site.as_of, include_private=site.include_private)
    detail = build_show_objective(repo, site.network, site.scorer, spec, obj)
    krs = []
    for kr, view in zip(obj.key_results, detail.objective.key_results):
        krs.append(_kr_history(kr, view, history, until))
    return ObjectivePage(detail, krs, home_team(repo.org, obj.owner))


def _kr_history(kr: KeyResult, view: KRView, history: History | None, until: date | None) -> KRHistory:
    series = history.series(view.ref) if history is not None else []
    checkins = [c for c in series if until is None or c.date.date() <= until]
    points, start = burn_up_points(kr, checkins)
    checkins.reverse()
    return KRHistory(view, points, start, checkins)
