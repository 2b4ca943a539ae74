"""What both reports share: who an owner is, which team a section files them under, the order
people are listed in (team and id, never score), and a historical value as progress."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from ..cycles import parse_cycle
from ..model import KeyResult, Org, Repository
from ..scoring import numeric_progress

NO_TEAM = ""  # the section of owners that are not in org.yaml
PRINCIPLE = ("Scores are for focus and learning, not performance ratings: people and teams are "
             "listed by team and id, never ranked by score.")


@dataclass(slots=True)
class Section:
    """Where an owner is filed: the company, a team, or nowhere (not in org.yaml)."""

    id: str  # team id, the company id, or NO_TEAM
    name: str
    kind: str  # company | team | none


def owner_name(org: Org, owner: str) -> str:
    """The name org.yaml gives the owner, else the id."""
    if org.company is not None and owner == org.company.id:
        return org.company.name
    found = org.teams.get(owner) or org.people.get(owner)
    return found.name if found is not None else owner


def home_section(org: Org, owner: str) -> Section:
    """A person's team (the company for a person in no team), a team itself, the company."""
    kind = org.kind(owner)
    team: str | None = None
    if kind == "team":
        team = owner
    elif kind == "person":
        team = org.people[owner].team if org.people[owner].team in org.teams else None
        if team is None and org.company is not None:
            return Section(org.company.id, org.company.name, "company")
    elif kind == "company":
        return Section(owner, owner_name(org, owner), "company")
    if team is None:
        return Section(NO_TEAM, "Not in org.yaml", "none")
    return Section(team, org.teams[team].name, "team")


_SECTION_RANK = {"company": 0, "team": 1, "none": 2}
_KIND_RANK = {"company": 0, "team": 1, "person": 2}
def section_order(section: Section) -> tuple:
    return (_SECTION_RANK[section.kind], section.id)


def owner_order(org: Org, owner: str) -> tuple:
    """Team first (company, then teams by id), then the team itself before its people, then id."""
    section = home_section(org, owner)
    return (*section_order(section), _KIND_RANK.get(org.kind(owner) or "", 3), owner)


def value_progress(kr: KeyResult, value: object) -> float | None:
    """A recorded value of `kr` as progress in [0, 1] on the KR's current scale; None if unreadable."""
    if kr.kind == "milestone":
        return 1.0 if value is True else 0.0 if value is False else None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if kr.kind == "threshold":
        if kr.target is None:
            return None
        return 1.0 if (value >= kr.target if kr.keep == "above" else value <= kr.target) else 0.0
    if kr.target is None:
        return None
    return numeric_progress(kr.start, kr.target, float(value))


def progress_reader(kr: KeyResult) -> Callable[[object], float | None]:
    """`value_progress` of one key result as a function of the value, its scale read once (the
    burn-ups and sparklines ask it for every check-in)."""
    kind, target = kr.kind, kr.target
    if kind == "milestone":
        return _milestone_progress
    if target is None:
        return _no_progress
    if kind == "threshold":
        above = kr.keep == "above"

        def threshold(value: object) -> float | None:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return None
            return 1.0 if (value >= target if above else value <= target) else 0.0

        return threshold
    start = kr.start
    span = target - start

    def numeric(value: object) -> float | None:  # scoring.numeric_progress, written out
        kind = value.__class__
        if kind is not float and kind is not int and (isinstance(value, bool) or not isinstance(value, (int, float))):
            return None
        if span == 0:
            return 0.0
        share = (float(value) - start) / span
        return 0.0 if share <= 0 else 1.0 if share >= 1 else float(share)

    return numeric


def _milestone_progress(value: object) -> float | None:
    return 1.0 if value is True else 0.0 if value is False else None


def _no_progress(value: object) -> None:
    return None


_CADENCE_KIND = {"quarterly": "quarter", "bimonthly": "bimonthly"}


def report_cycle(repo: Repository, today: date) -> tuple[str, str | None]:
    """The cycle a report describes when none is given, and a one-line note when it is not the
    current one. With no cycle pinned in okr.yaml and no OKR files in the cycle containing
    `today`, that is the latest cycle with files that has ended by `today` (the one a team
    reviews on the first days of the next quarter); of cycles ending the same day, the cadence's."""
    current = repo.settings.current_cycle(today)
    if repo.settings.cycle is not None or any(f.cycle == current for f in repo.files):
        return current, None
    kind = _CADENCE_KIND.get(repo.settings.cadence, "quarter")
    ended = [c for c in map(parse_cycle, repo.cycles()) if c is not None and c.end < today]
    if not ended:
        return current, None
    chosen = max(ended, key=lambda c: (c.end, c.kind == kind, c.start))
    return chosen.id, (f"{current} has no OKR files yet: describing {chosen.id}, the latest cycle that has "
                       f"ended by {today.isoformat()} (name a cycle to choose another)")
