"""The OKR model: frozen dataclasses built by `load.py`, each remembering where it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .cycles import Cycle, current_cycle_id, parse_cycle
from .errors import Loc
from .frozen import quick
from .refs import Ref

# Positions of a mapping's entries: key -> (key line, key col, key plain, value line, value col, value plain).
Spans = dict


def _span_loc(loc: Loc, spans: Spans, key: str, value: bool = True) -> Loc:
    p = spans.get(key)
    if p is None:
        return loc
    return Loc(loc.path, p[3], p[4]) if value else Loc(loc.path, p[0], p[1])


@quick
@dataclass(frozen=True, slots=True)
class RefEntry:
    """One entry of `aligns` or `depends_on`: the text written, its parse (None if malformed), where."""

    text: str
    ref: Ref | None
    loc: Loc


@quick
@dataclass(frozen=True, slots=True)
class KeyResult:
    id: str
    title: str
    kind: str  # numeric | threshold | milestone
    start: float
    target: float | None
    current: float
    done: bool | None
    keep: str | None  # above | below for a threshold KR
    unit: str | None
    confidence: float | None
    weight: float
    score: float | None
    loc: Loc
    spans: Spans = field(repr=False, compare=False)
    due: date | None = None  # milestone KRs: the day it is due (inside its cycle)
    derived: str | None = None  # sum_of | rollup: the value is computed (okrcli.derived), never checked in
    sum_of: tuple[RefEntry, ...] = ()  # the key results summed, as written

    def at(self, key: str, value: bool = True) -> Loc:
        """Where `key` (its value, or the key itself) is written; the KR's own position if absent."""
        return _span_loc(self.loc, self.spans, key, value)


@quick
@dataclass(frozen=True, slots=True)
class Review:
    score: float | None
    notes: str | None


@quick
@dataclass(frozen=True, slots=True)
class Objective:
    cycle: str
    owner: str
    id: str
    title: str
    key_results: tuple[KeyResult, ...]
    aligns: tuple[RefEntry, ...]
    depends_on: tuple[RefEntry, ...]
    committed: bool
    private: bool
    standalone: str | None
    description: str | None
    review: Review | None
    written_krs: int  # items written under key_results, valid or not
    loc: Loc
    spans: Spans = field(repr=False, compare=False)
    # Where the first finding of each key result that failed to load points: while there is
    # one, the objective's score and status are unknown (SPEC 3), never computed from the rest.
    broken_krs: tuple[Loc, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.broken_krs

    @property
    def ref(self) -> Ref:
        return Ref(self.owner, self.id, None, self.cycle)

    @property
    def key(self) -> str:
        """The full reference text, `CYCLE:OWNER/ID`: the objective's identity everywhere."""
        return f"{self.cycle}:{self.owner}/{self.id}"

    def at(self, key: str, value: bool = True) -> Loc:
        return _span_loc(self.loc, self.spans, key, value)

    def kr(self, kr_id: str) -> KeyResult | None:
        for kr in self.key_results:
            if kr.id == kr_id:
                return kr
        return None


@quick
@dataclass(frozen=True, slots=True)
class OkrFile:
    path: str  # root-relative, POSIX
    cycle: str
    owner: str
    objectives: tuple[Objective, ...]


@dataclass(frozen=True, slots=True)
class Company:
    id: str
    name: str
    loc: Loc


@quick
@dataclass(frozen=True, slots=True)
class Team:
    id: str
    name: str
    parent: str | None
    lead: str | None
    loc: Loc
    spans: Spans = field(repr=False, compare=False)
    github: str | None = None  # ORG/TEAM: the GitHub team to mention in reminders

    def at(self, key: str, value: bool = True) -> Loc:
        return _span_loc(self.loc, self.spans, key, value)


@quick
@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: str
    team: str | None
    email: str | None
    loc: Loc
    spans: Spans = field(repr=False, compare=False)
    github: str | None = None  # HANDLE: the GitHub account to mention in reminders

    def at(self, key: str, value: bool = True) -> Loc:
        return _span_loc(self.loc, self.spans, key, value)


@dataclass(frozen=True)
class Org:
    company: Company | None
    teams: dict[str, Team]
    people: dict[str, Person]

    def kind(self, owner: str) -> str | None:
        """'company', 'team', 'person', or None for an unknown owner."""
        if self.company is not None and owner == self.company.id:
            return "company"
        if owner in self.teams:
            return "team"
        if owner in self.people:
            return "person"
        return None

    def team_ancestors(self, team_id: str | None) -> list[str]:
        """`team_id` and its parents, nearest first; stops at a parent cycle or unknown team.

        Linear in the depth (a set remembers the teams seen), so a 5,000-deep chain is cheap."""
        chain: list[str] = []
        seen: set[str] = set()
        while team_id is not None and team_id in self.teams and team_id not in seen:
            chain.append(team_id)
            seen.add(team_id)
            team_id = self.teams[team_id].parent
        return chain

    def subteams(self, team_id: str) -> set[str]:
        """`team_id` and every team below it (one walk down a children map: linear time)."""
        if team_id not in self.teams:
            return set()
        children: dict[str, list[str]] = {}
        for team in self.teams.values():
            if team.parent is not None and team.parent != team.id:
                children.setdefault(team.parent, []).append(team.id)
        inside = {team_id}
        todo = [team_id]
        while todo:
            for child in children.get(todo.pop(), ()):
                if child not in inside:
                    inside.add(child)
                    todo.append(child)
        return inside

    def chain_of_command(self, owner: str) -> list[str]:
        """The owners above `owner`: a person's team and its parents, then the company."""
        kind = self.kind(owner)
        if kind == "person":
            above = self.team_ancestors(self.people[owner].team)
        elif kind == "team":
            above = self.team_ancestors(owner)[1:]
        else:
            return []
        if self.company is not None:
            above.append(self.company.id)
        return above

    def github_handle(self, owner: str) -> str | None:
        """The `github:` of a person (HANDLE) or team (ORG/TEAM), without the `@`; None when unset."""
        found = self.people.get(owner) or self.teams.get(owner)
        return found.github if found is not None else None

    def people_by_github(self, handle: str) -> list[Person]:
        """The people whose `github:` is `handle` (GitHub logins ignore case; a leading @ is allowed)."""
        wanted = handle.removeprefix("@").casefold()
        return [p for p in self.people.values() if p.github is not None and p.github.casefold() == wanted]

    def led_by(self, person: str) -> list[str]:
        """The teams whose `lead` is `person`, in org.yaml order."""
        return [t.id for t in self.teams.values() if t.lead == person]

    def mine(self, person: str) -> list[str]:
        """Whose key results are "my key results": the person's own, then the teams they lead."""
        return [person, *(t for t in self.led_by(person) if t != person)]

    def members(self, team_id: str) -> set[str]:
        """Owners inside a team: the team, its subteams and the people of all of them."""
        inside = self.subteams(team_id)
        people = {p.id for p in self.people.values() if p.team in inside}
        return inside | people


@dataclass(frozen=True)
class RuleConfig:
    severity: str | None = None  # error | warning | off; None = the rule's default
    max: int | None = None
    kr_verbs: tuple[str, ...] | None = None
    objective_verbs: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Settings:
    company: str | None = None
    cadence: str = "quarterly"
    cycle: str | None = None
    checkin_every: int = 7
    rules: dict[str, RuleConfig] = field(default_factory=dict)
    spans: Spans = field(default_factory=dict, repr=False, compare=False)
    ignore: tuple[str, ...] = ()  # root-relative folders a team keeps on purpose (no stray-file)

    def at(self, key: str, value: bool = True) -> Loc:
        """Where `key` is written in okr.yaml (1:1 when it is not)."""
        return _span_loc(Loc("okr.yaml"), self.spans, key, value)

    def current_cycle(self, today: date | None = None) -> str:
        return self.cycle or current_cycle_id(today or date.today(), self.cadence)


@dataclass(frozen=True)
class Repository:
    """Everything loaded from one OKR root."""

    root: Path
    settings: Settings
    org: Org
    files: tuple[OkrFile, ...]
    objectives: dict[str, Objective]  # by key `CYCLE:OWNER/ID` (the first one when ids repeat)
    file_count: int = 0  # files read, broken ones included
    derived: dict = field(default_factory=dict)  # `CYCLE:OWNER/OBJ/KR` -> derived.Derivation

    def cycles(self) -> list[str]:
        return sorted({f.cycle for f in self.files})

    def cycle(self, cycle_id: str) -> Cycle | None:
        return parse_cycle(cycle_id)

    def find(self, ref: Ref, cycle: str) -> Objective | KeyResult | None:
        """The objective or KR a reference names, reading a cycle-less reference in `cycle`."""
        obj = self.objectives.get(f"{ref.cycle or cycle}:{ref.owner}/{ref.objective}")
        if obj is None or ref.kr is None:
            return obj
        return obj.kr(ref.kr)

    def objectives_in(self, cycle: str | None = None) -> list[Objective]:
        return [o for f in self.files if cycle is None or f.cycle == cycle for o in f.objectives]
