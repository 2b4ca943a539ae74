"""Problems in org.yaml (and the company named in okr.yaml).

Fires for an invalid or repeated owner id (the company, teams and people share
one namespace), a team whose `parent` or a person whose `team` is not a team,
a `lead` who is not a person, teams whose parents form a loop, a missing
org.yaml, and an okr.yaml `company` that is not org.yaml's company.

Fix: correct the id in org.yaml at the position shown.
"""

from collections.abc import Iterator

from ..errors import Diagnostic
from .context import CheckContext

ID = "org"
SEVERITY = "error"
# What a finding looks like, then (after ->) the fix: shown by `okr check --explain`.
EXAMPLE = """\
people:
  bob: {name: Bob Li, team: platfrom}   # no team 'platfrom'
->
  bob: {name: Bob Li, team: platform}
"""


def check(ctx: CheckContext) -> Iterator[Diagnostic]:
    yield from ctx.loaded_findings(ID)
    org = ctx.repo.org
    company = org.company.id if org.company else None
    for team in org.teams.values():
        if team.id == company:
            yield Diagnostic.at(team.loc, ID, f"'{team.id}' is the company's id; a team needs its own id")
        if team.id in org.people:
            yield Diagnostic.at(org.people[team.id].loc, ID,
                                f"'{team.id}' is both a team and a person; owner ids must be unique")
        if team.parent is not None and team.parent not in org.teams:
            yield Diagnostic.at(team.at("parent"), ID,
                                f"team '{team.id}' has parent '{team.parent}', which is not a team in org.yaml")
        if team.lead is not None and team.lead not in org.people:
            yield Diagnostic.at(team.at("lead"), ID,
                                f"team '{team.id}' has lead '{team.lead}', who is not a person in org.yaml")
    for person in org.people.values():
        if person.id == company:
            yield Diagnostic.at(person.loc, ID, f"'{person.id}' is the company's id; a person needs their own id")
        if person.team is not None and person.team not in org.teams:
            yield Diagnostic.at(person.at("team"), ID,
                                f"'{person.id}' is in team '{person.team}', which is not a team in org.yaml")
    yield from _parent_loops(org)
    settings = ctx.repo.settings
    if settings.company is not None and company is not None and settings.company != company:
        yield Diagnostic.at(settings.at("company"), ID,
                            f"okr.yaml names company '{settings.company}' but org.yaml's company is '{company}'")


def _parent_loops(org) -> Iterator[Diagnostic]:
    """One finding per loop of team parents, in linear time.

    Each team is walked up at most once: a walk stops at a team already settled (by
    this walk or an earlier one), so a 5,000-deep chain costs 5,000 steps, not 5,000^2.
    A walk that meets its own path has found a loop: the part of the path from there."""
    settled: set[str] = set()
    rank = {team_id: n for n, team_id in enumerate(org.teams)}  # a loop is reported at its first team
    for start in org.teams.values():
        if start.id in settled:
            continue
        path: list[str] = []
        on_path: dict[str, int] = {}
        team_id: str | None = start.id
        while team_id is not None and team_id in org.teams and team_id not in settled:
            if team_id in on_path:
                loop = path[on_path[team_id]:]
                first = min(loop, key=rank.__getitem__)
                at = loop.index(first)
                ordered = loop[at:] + loop[:at]
                text = " -> ".join([*ordered, first])
                yield Diagnostic.at(org.teams[first].at("parent"), ID,
                                    f"team parents form a loop: {text}; teams must form a tree")
                break
            on_path[team_id] = len(path)
            path.append(team_id)
            team_id = org.teams[team_id].parent
        settled.update(path)

