"""Generate a synthetic OKR repository (SPEC section 2 layout) for benchmarks.

    python benchmarks/generate.py --people 1000 --out bench-out/people-1000
    python benchmarks/generate.py --people 10000 --checkins 50000 --seed 7

The repository passes `okr check`: every team and person objective aligns
upward, every reference resolves, ids are plain strings and no title starts
with a weak verb. Output is deterministic for a given seed. With
`--checkins M` the folder becomes a git repository whose history holds one
commit adding every file, then M check-in commits (one person, one KR each,
with okr's trailers), all written by a single `git fast-import`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

GENERATOR_VERSION = 1
MARKER = ".okr-bench.json"  # written beside okr.yaml; lets run.py reuse a repository
COMPANY = "acme"
YEAR = "2026"
CYCLE = "2026-Q4"
FIRST_COMMIT = datetime(2026, 10, 1, 8, 0, tzinfo=timezone.utc)
CHECKINS_FROM = datetime(2026, 10, 1, 9, 0, tzinfo=timezone.utc)
CHECKINS_UNTIL = datetime(2026, 12, 20, 18, 0, tzinfo=timezone.utc)

# ---------------------------------------------------------------- vocabulary

FIRST_NAMES = (  # noqa: SIM905
    "Alice Bob Carla Deepak Elena Farid Grace Hiro Ines Jonas Kofi Lena Marco Nadia Omar "
    "Priya Quentin Rosa Sven Tomasz Uma Victor Wen Ximena Yusuf Zoe Amara Bruno Chloe Diego "
    "Emma Felix Gabriel Hana Ivan Julia Kenji Laila Mateo Nora Oscar Paula Rafael Sara Theo "
    "Valentina William Yara Ada Ben Camille David Eva Finn Greta Hugo Isla Jack Kai Lucia Max "
    "José Zoë Björn Amélie Łukasz Søren Çağla Jürgen Renée Ñico Siobhán François Anaïs Dávid"
).split()
LAST_NAMES = (  # noqa: SIM905
    "Chen Li Smith Garcia Müller Rossi Kowalski Nakamura Okafor Patel Silva Dubois Jensen "
    "Novak Haddad Kim Nguyen Schmidt Moreau Fernandes Larsen Ivanova Costa Tanaka Mensah "
    "Hughes Weber Romano Svensson Ortiz Yilmaz Mwangi Sato Bauer Ahmed Lopez Brown Wilson "
    "Fischer Bianchi Andersen Horvat Kaur Wong Murphy Reyes Cohen Eriksson Park Adeyemi Núñez "
    "Håkansson Çelik Żukowski O'Neill Ødegaard Dvořák Gómez Lefèvre Björklund"
).split()

DEPARTMENTS = [
    ("engineering", "Engineering", "eng"),
    ("product", "Product", "product"),
    ("design", "Design", "design"),
    ("sales", "Sales", "sales"),
    ("marketing", "Marketing", "marketing"),
    ("customer-success", "Customer Success", "cs"),
    ("finance", "Finance", "finance"),
    ("operations", "Operations", "ops"),
    ("people", "People", "people"),
    ("legal", "Legal", "legal"),
    ("data", "Data", "data"),
    ("security", "Security", "security"),
    ("infrastructure", "Infrastructure", "infra"),
    ("research", "Research", "research"),
    ("partnerships", "Partnerships", "partners"),
    ("growth", "Growth", "growth"),
]
REGIONS = ["", "emea", "americas", "apac", "north", "south", "east", "west", "central", "nordics"]
TEAM_AREAS = {
    "eng": "platform payments search mobile web api identity billing checkout notifications "
    "integrations reliability developer-experience storage messaging",
    "product": "core onboarding pricing analytics enterprise self-serve collaboration discovery",
    "design": "design-system research brand ux-writing accessibility product-design",
    "sales": "enterprise mid-market smb sales-engineering renewals inside-sales deal-desk",
    "marketing": "content demand-gen events product-marketing brand lifecycle seo",
    "cs": "onboarding support-tier1 support-tier2 renewals education community",
    "finance": "accounting fp-and-a procurement payroll tax treasury revenue-ops",
    "ops": "workplace it-ops vendor-management business-systems logistics",
    "people": "recruiting talent learning people-ops total-rewards dei",
    "legal": "commercial privacy compliance ip employment",
    "data": "data-platform analytics-engineering ml data-science bi experimentation",
    "security": "appsec secops grc identity-security red-team",
    "infra": "compute network databases observability ci-cd cloud-cost",
    "research": "applied-research prototyping user-research ml-research",
    "partners": "channel alliances marketplace integrations-partners",
    "growth": "activation monetization retention referrals growth-engineering",
}

ACRONYMS = {
    "api": "API",
    "ux": "UX",
    "it": "IT",
    "ml": "ML",
    "bi": "BI",
    "smb": "SMB",
    "seo": "SEO",
    "ci": "CI",
    "cd": "CD",
    "ip": "IP",
    "grc": "GRC",
    "dei": "DEI",
    "fp": "FP",
    "and": "and",
    "appsec": "AppSec",
    "secops": "SecOps",
}
OBJECTIVE_TITLES = [
    "Make deploys boring",
    "Make on-call calm and predictable",
    "Make onboarding self-serve",
    "Win the mid-market segment",
    "Earn the trust of enterprise buyers",
    "Build a pipeline that closes itself",
    "Launch the partner marketplace",
    "Ship the new billing experience",
    "Cut the cost of serving a customer",
    "Turn support into a source of product insight",
    "Double weekly active teams",
    "Become the default tool for incident reviews",
    "Own the developer experience end to end",
    "Harden the platform against regional outages",
    "Simplify pricing so buyers decide in one meeting",
    "Unlock self-serve upgrades",
    "Prove the value of the analytics add-on",
    "Scale hiring without lowering the bar",
    "Deliver a month-end close in three days",
    "Delight new customers in their first week",
    "Modernize the data platform",
    "Streamline procurement for every team",
    "Strengthen our security posture",
    "Bring search quality to best in class",
    "Open the APAC market",
    "Establish a predictable release train",
    "Grow net revenue retention",
    "Raise the quality bar of every release",
    "Create a brand that developers recommend",
    "Give every team trustworthy metrics",
    "Reduce churn in the SMB segment",
    "Accelerate time to first value",
    "Land three lighthouse customers in healthcare",
    "Run a world-class hiring process",
    "Make the mobile app the fastest in its category",
    "Build a culture of written decisions",
    "Expand the partner ecosystem",
    "Lower infrastructure spend per active account",
    "Increase the share of revenue from annual plans",
    "Make compliance audits a non-event",
]
OBJECTIVE_QUALIFIERS = [
    "",
    " for enterprise customers",
    " in EMEA",
    " before the holiday peak",
    " across every squad",
    " without adding headcount",
    " this quarter",
    " for new sign-ups",
    " in North America",
    " for our largest accounts",
    " on every platform",
    " while cutting cloud spend",
    " for the self-serve funnel",
    " ahead of the 2027 plan",
]

# label, unit, low, high, decimals, direction
METRICS = [
    ("p95 API latency", "ms", 180, 900, 0, "down"),
    ("p95 deploy time", "min", 15, 60, 0, "down"),
    ("weekly active teams", "teams", 300, 5000, 0, "up"),
    ("trial-to-paid conversion", "%", 2, 9, 1, "up"),
    ("net revenue retention", "%", 95, 115, 1, "up"),
    ("monthly recurring revenue", "k USD", 400, 4000, 0, "up"),
    ("qualified pipeline", "k USD", 500, 8000, 0, "up"),
    ("time to first value", "days", 5, 30, 0, "down"),
    ("open P1 bugs", "bugs", 10, 60, 0, "down"),
    ("mean time to recovery", "min", 20, 180, 0, "down"),
    ("cloud spend per active account", "USD", 2, 12, 2, "down"),
    ("NPS of new customers", "pts", 15, 45, 0, "up"),
    ("share of tickets solved in one reply", "%", 30, 70, 0, "up"),
    ("median time to hire", "days", 25, 70, 0, "down"),
    ("offer acceptance rate", "%", 60, 90, 0, "up"),
    ("test suite runtime", "min", 8, 45, 0, "down"),
    ("flaky test count", "tests", 20, 200, 0, "down"),
    ("month-end close duration", "days", 4, 12, 0, "down"),
    ("self-serve upgrades per week", "upgrades", 20, 400, 0, "up"),
    ("activation rate of new sign-ups", "%", 20, 60, 0, "up"),
    ("documentation pages rated helpful", "%", 50, 85, 0, "up"),
    ("backlog of unreviewed vendor contracts", "contracts", 15, 90, 0, "down"),
    ("enterprise deals closed", "deals", 3, 25, 0, "up"),
    ("marketing-sourced opportunities", "opportunities", 40, 400, 0, "up"),
    ("search click-through rate", "%", 20, 55, 1, "up"),
    ("cold start time of the mobile app", "s", 1.2, 4.5, 1, "down"),
    ("services with automated rollbacks", "services", 5, 120, 0, "up"),
    ("accounts on annual plans", "accounts", 100, 2500, 0, "up"),
    ("partner-sourced revenue", "k USD", 50, 900, 0, "up"),
    ("dashboard queries under one second", "%", 40, 90, 0, "up"),
    ("critical vulnerabilities older than 30 days", "findings", 5, 60, 0, "down"),
    ("employees completing security training", "%", 40, 95, 0, "up"),
    ("average onboarding call length", "min", 30, 90, 0, "down"),
    ("churned accounts per month", "accounts", 10, 120, 0, "down"),
    ("experiments shipped per month", "experiments", 2, 30, 0, "up"),
    ("data pipelines with freshness checks", "pipelines", 10, 300, 0, "up"),
]
VERBS_UP = ["Grow", "Raise", "Increase", "Lift", "Take", "Push"]
VERBS_DOWN = ["Cut", "Reduce", "Bring down", "Lower", "Shrink"]

# label, unit, target, keep, decimals, band, plural
THRESHOLDS = [
    ("Uptime of the public API", "%", 99.9, "above", 2, 0.08, False),
    ("CSAT of support conversations", "pts", 4.5, "above", 1, 0.4, False),
    ("Checkout error rate", "%", 0.5, "below", 2, 0.3, False),
    ("Open P1 bugs", "bugs", 5, "below", 0, 4, True),
    ("Median first-response time", "h", 4, "below", 1, 2.5, False),
    ("Gross margin", "%", 72, "above", 1, 5, False),
    ("Failed deploys", "%", 5, "below", 1, 4, True),
    ("Pages per on-call week", "pages", 5, "below", 0, 4, True),
    ("Weekly active teams", "teams", 1500, "above", 0, 300, True),
    ("Pipeline coverage", "x", 3, "above", 1, 0.8, False),
    ("Unplanned work", "%", 20, "below", 0, 10, False),
    ("Error budget burn", "%", 80, "below", 0, 25, False),
    ("Employee engagement score", "pts", 75, "above", 0, 8, False),
    ("Days sales outstanding", "days", 45, "below", 0, 12, True),
]

MILESTONES = [
    "SSO with SCIM provisioning generally available",
    "Partner portal live in beta with five partners",
    "2027 pricing page published",
    "Billing migrated to the new ledger",
    "Legacy search cluster retired",
    "Usage-based plan launched to all new sign-ups",
    "SOC 2 Type II report delivered to customers",
    "Incident review template adopted by every team",
    "Mobile offline mode shipped to the app stores",
    "Data retention policy signed off by legal",
    "Quarterly business reviews held with the top 30 accounts",
    "Hiring plan for 2027 approved",
    "Design system v2 adopted in the web app",
    "Self-serve refund flow released",
    "Disaster recovery drill completed with restore under one hour",
    "New onboarding checklist live for every new account",
    "Vendor consolidation finished for collaboration tools",
    "Customer advisory board launched",
    "Public status page moved to the new provider",
    "Audit trail export available in the admin console",
    "Warehouse cut over to the new data platform",
    "Career ladder for engineers published",
    "EU data residency available for enterprise plans",
    "Churn prediction model in production",
    "Annual plan discount experiment concluded",
]
MILESTONE_SUFFIXES = [
    "",
    "",
    "",
    " by mid-November",
    " before the December freeze",
    " in EMEA first",
]

COMMENTS = [
    "Baseline taken from the September dashboard.",
    "Stretch goal: 0.7 would already be a good result.",
    "Agreed with the team lead at quarter planning.",
    "Measured weekly from the product analytics warehouse.",
    "Carried over from Q3 with a tighter target.",
    "Source of truth is the finance close report.",
    "Depends on the platform migration landing first.",
    "Committed: the board review relies on this.",
    "Numbers exclude internal and test accounts.",
    "Revisit the target at the mid-quarter check.",
    "Owner rotates weekly, the on-call lead reports it.",
    "Counted from the support tool, tagged tickets only.",
]
OBJECTIVE_WHY = [
    "Why: customers told us in Q3 interviews that this is the biggest blocker to adoption.",
    "Why: this is the largest lever on next year's revenue plan.",
    "Why: the team spends a third of its time on this today and it does not scale.",
    "Why: three of our top ten accounts raised it in their last business review.",
    "Why: the company objective depends on it and nobody else owns it.",
    "Why: we lose deals at the final stage because of this gap.",
    "Why: it unblocks two other teams that depend on us this quarter.",
    "Why: the cost curve bends the wrong way if we do nothing.",
]
HEADER_LINES = [
    "# Drafted at quarter planning, reviewed with the team lead before the cycle started.",
    "# Targets are aspirational unless the objective says committed: true.",
    '# Check in every Monday: okr checkin OWNER/O1/KR1 VALUE --note "what changed".',
]
NOTES = [
    "Rolled out to the first cohort; numbers look stable so far.",
    "Blocked two days on a vendor issue, back on track now.",
    "Big jump after the release on Tuesday.",
    "Slower week: most of the team was at the offsite.",
    "Data corrected after fixing the double-counting bug.",
    "Customer feedback is positive, pushing for wider rollout.",
    "Risk: the dependency on the platform team slipped a week.",
    "Dashboard link updated in the team wiki.",
    "Lower than hoped; we will try the new onboarding email next.",
    "Partner pilot signed, first data next week.",
]

# ---------------------------------------------------------------- YAML output helpers

_PLAIN_START = re.compile(r"[A-Za-z\u00c0-\u024f]")
_YAML11_WORDS = {"y", "n", "yes", "no", "true", "false", "on", "off", "null"}


def scalar(text: str, flow: bool = False) -> str:
    """`text` as a YAML scalar: plain when that reads back as the same string, else quoted."""
    plain = (
        _PLAIN_START.match(text) is not None
        and text.lower() not in _YAML11_WORDS
        and ": " not in text
        and " #" not in text
        and not text.endswith((":", " "))
        and "\n" not in text
        and not (flow and any(c in text for c in ",[]{}"))
    )
    return text if plain else json.dumps(text, ensure_ascii=False)


def number(value: float, decimals: int) -> str:
    """A number as YAML writes it: an int when `decimals` is 0, else up to `decimals` places."""
    if decimals == 0:
        return str(round(value))
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return text or "0"


def in_title(value: float, decimals: int, unit: str) -> str:
    """A number as a person would write it in a title."""
    text = f"{round(value):,}" if decimals == 0 else number(value, decimals)
    if unit in ("%", "x"):
        return text + unit
    if unit in ("ms", "min", "s", "h", "days", "k USD", "USD", "pts"):
        return f"{text} {unit}"
    return text


def ascii_slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


# ---------------------------------------------------------------- model kept in memory


@dataclass
class KeyResult:
    id: str
    title: str
    kind: str  # up | down | threshold | milestone
    start: float = 0
    target: float = 0
    current: float = 0
    decimals: int = 0
    unit: str = ""
    keep: str = ""
    band: float = 0.0
    done: bool = False
    confidence: float | None = None
    weight: int | None = None
    comment: str = ""

    def value_text(self) -> str:
        if self.kind == "milestone":
            return "true" if self.done else "false"
        return number(self.current, self.decimals)

    def render(self, out: list[str]) -> None:
        if self.comment:
            out.append(f"      # {self.comment}")
        out.append(f"      - id: {self.id}")
        out.append(f"        title: {scalar(self.title)}")
        if self.kind == "milestone":
            out.append(f"        done: {'true' if self.done else 'false'}")
        else:
            if self.kind != "threshold":
                out.append(f"        start: {number(self.start, self.decimals)}")
            out.append(f"        target: {number(self.target, self.decimals)}")
            if self.kind == "threshold":
                out.append(f"        keep: {self.keep}")
            out.append(f"        current: {number(self.current, self.decimals)}")
            out.append(f"        unit: {scalar(self.unit)}")
        if self.confidence is not None:
            out.append(f"        confidence: {number(self.confidence, 1)}")
        if self.weight is not None:
            out.append(f"        weight: {self.weight}")


@dataclass
class Objective:
    id: str
    title: str
    aligns: list[str] = field(default_factory=list)
    depends_on: list[str] = field(default_factory=list)
    committed: bool = False
    private: bool = False
    explicit: bool = False  # writes committed/private even when false, as the SPEC example does
    comment: str = ""
    key_results: list[KeyResult] = field(default_factory=list)

    def render(self, out: list[str]) -> None:
        if self.comment:
            out.append(f"  # {self.comment}")
        out.append(f"  - id: {self.id}")
        out.append(f"    title: {scalar(self.title)}")
        if self.aligns:
            out.append(f"    aligns: [{', '.join(scalar(r, flow=True) for r in self.aligns)}]")
        if self.depends_on:
            out.append(
                f"    depends_on: [{', '.join(scalar(r, flow=True) for r in self.depends_on)}]"
            )
        if self.committed or self.explicit:
            out.append(f"    committed: {'true' if self.committed else 'false'}")
        if self.private or self.explicit:
            out.append(f"    private: {'true' if self.private else 'false'}")
        out.append("    key_results:")
        for kr in self.key_results:
            kr.render(out)


@dataclass
class OkrFile:
    path: str  # root-relative, POSIX
    header: str
    objectives: list[Objective]

    def render(self) -> bytes:
        out = [f"# {self.header}", *HEADER_LINES, "objectives:"]
        for objective in self.objectives:
            objective.render(out)
        out.append("")
        return "\n".join(out).encode("utf-8")


@dataclass
class Person:
    id: str
    name: str
    email: str
    team: str


@dataclass
class Team:
    id: str
    name: str
    parent: str | None
    lead: str = ""
    members: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- generation


class Generator:
    """Builds the organisation and every OKR file in memory from one seeded RNG."""

    def __init__(self, people: int, seed: int) -> None:
        if people < 1:
            raise SystemExit("--people must be at least 1")
        self.rng = random.Random(seed)
        self.people: list[Person] = []
        self.teams: list[Team] = []
        self.files: dict[str, bytes] = {}
        self.person_files: dict[str, OkrFile] = {}
        self._build_org(people)

    # -- organisation

    def _build_org(self, count: int) -> None:
        rng = self.rng
        width = max(5, len(str(count)))
        departments = max(1, round(count / 75))
        leaf_people = count - departments
        sizes: list[int] = []
        while sum(sizes) < leaf_people:
            sizes.append(rng.choice((5, 6, 7, 8, 9, 9)))
        if sizes:
            sizes[-1] -= sum(sizes) - leaf_people
            if sizes[-1] < 3 and len(sizes) > 1:
                sizes[-2] += sizes.pop()
        per_dept = [
            len(sizes) * (d + 1) // departments - len(sizes) * d // departments
            for d in range(departments)
        ]
        used_ids: set[str] = {COMPANY}
        next_person = 1
        size_iter = iter(sizes)

        def new_person(team: str) -> str:
            nonlocal next_person
            pid = f"p{next_person:0{width}d}"
            next_person += 1
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            email = f"{ascii_slug(first)}.{ascii_slug(last)}.{pid}@acme.test"
            self.people.append(Person(pid, f"{first} {last}", email, team))
            return pid

        for d in range(departments):
            base_id, base_name, short = DEPARTMENTS[d % len(DEPARTMENTS)]
            round_no = d // len(DEPARTMENTS)
            region = REGIONS[round_no % len(REGIONS)]
            suffix = "" if round_no < len(REGIONS) else f"-{round_no // len(REGIONS) + 1}"
            dept_id = base_id + (f"-{region}" if region else "") + suffix
            dept_name = (
                base_name
                + (f" {region.upper() if len(region) <= 4 else region.title()}" if region else "")
                + suffix.replace("-", " ")
            )
            used_ids.add(dept_id)
            dept = Team(dept_id, dept_name, None)
            self.teams.append(dept)
            dept.lead = new_person(dept_id)
            dept.members.append(dept.lead)
            areas = TEAM_AREAS[short].split()
            for t in range(per_dept[d]):
                area = areas[t % len(areas)]
                team_id = f"{short}-{region + '-' if region else ''}{area}{suffix}"
                n = 2
                while team_id in used_ids:
                    team_id = f"{short}-{region + '-' if region else ''}{area}{suffix}-{n}"
                    n += 1
                used_ids.add(team_id)
                team_name = " ".join(ACRONYMS.get(w, w.title()) for w in area.split("-"))
                team = Team(team_id, f"{dept_name} {team_name}", dept_id)
                self.teams.append(team)
                for _ in range(next(size_iter)):
                    team.members.append(new_person(team_id))
                team.lead = rng.choice(team.members)

    def org_yaml(self) -> bytes:
        out = [
            "# Generated organisation for okr benchmarks.",
            f"company: {{id: {COMPANY}, name: Acme Inc.}}",
            "teams:",
        ]
        for team in self.teams:
            parent = f", parent: {team.parent}" if team.parent else ""
            out.append(
                f"  {team.id}: {{name: {scalar(team.name, flow=True)}{parent}, lead: {team.lead}}}"
            )
        out.append("people:")
        for p in self.people:
            out.append(
                f"  {p.id}: {{name: {scalar(p.name, flow=True)}, team: {p.team}, email: {p.email}}}"
            )
        out.append("")
        return "\n".join(out).encode("utf-8")

    # -- OKR content

    def key_result(self, kr_id: str, explicit: bool) -> KeyResult:
        rng = self.rng
        roll = rng.random()
        if roll < 0.55:
            label, unit, low, high, decimals, direction = rng.choice(METRICS)
            start = round(rng.uniform(low, high), decimals)
            change = rng.uniform(0.2, 0.6) * min(start, high - low)
            target = round(start + change if direction == "up" else start - change, decimals)
            if unit == "%" and direction == "up" and start < 99 and target > 99:
                target = round(start + (99 - start) * rng.uniform(0.3, 0.7), decimals)
            if target == start:
                target = round(start + (1 if direction == "up" else -1) * 10**-decimals, decimals)
            verb = rng.choice(VERBS_UP if direction == "up" else VERBS_DOWN)
            title = (
                f"{verb} {label} from {in_title(start, decimals, unit)} "
                f"to {in_title(target, decimals, unit)}"
            )
            current = round(start + (target - start) * rng.uniform(0, 0.3), decimals)
            kr = KeyResult(
                kr_id,
                title,
                direction,
                start,
                target,
                current,
                decimals,
                unit,
                band=abs(target - start),
            )
            if rng.random() < 0.85:
                kr.confidence = round(rng.uniform(0.3, 0.9), 1)
        elif roll < 0.75:
            label, unit, target, keep, decimals, band, plural = rng.choice(THRESHOLDS)
            verb = ("stay" if plural else "stays") if rng.random() < 0.6 else "at or"
            title = f"{label} {verb} {keep} {in_title(target, decimals, unit)}"
            kr = KeyResult(kr_id, title, "threshold", 0, target, 0, decimals, unit, keep, band)
            kr.current = self.threshold_value(kr)
            if rng.random() < 0.85:
                kr.confidence = round(rng.uniform(0.4, 0.95), 1)
        else:
            title = rng.choice(MILESTONES) + rng.choice(MILESTONE_SUFFIXES)
            kr = KeyResult(kr_id, title, "milestone", done=rng.random() < 0.1)
            if rng.random() < 0.7:
                kr.confidence = round(rng.uniform(0.3, 0.9), 1)
        if rng.random() < 0.1:
            kr.weight = 2
        elif explicit:
            kr.weight = 1
        if rng.random() < 0.45:
            kr.comment = rng.choice(COMMENTS)
        return kr

    def threshold_value(self, kr: KeyResult) -> float:
        """A plausible reading of a threshold KR, mostly on the right side of its target."""
        offset = self.rng.uniform(-0.35, 1.0) * kr.band
        value = kr.target + offset if kr.keep == "above" else kr.target - offset
        if kr.unit == "%":
            value = min(value, 100.0)
        if kr.unit == "pts" and kr.target <= 5:
            value = min(value, 5.0)
        return max(0.0, round(value, kr.decimals))

    def objectives(
        self, parents: list[str], lateral: list[str], is_person: bool, aligned: bool = True
    ) -> list[Objective]:
        rng = self.rng
        result = []
        titles = rng.sample(OBJECTIVE_TITLES, 3)
        explicit = rng.random() < 0.75  # most owners spell out the defaults
        for n in range(1, 4):
            title = titles[n - 1] + rng.choice(OBJECTIVE_QUALIFIERS)
            objective = Objective(f"O{n}", title)
            if aligned:
                target = rng.choice(parents)
                if rng.random() < 0.1:
                    target += f"/KR{rng.randint(1, 3)}"
                objective.aligns.append(target)
            if lateral and rng.random() < 0.3:
                objective.depends_on.append(rng.choice(lateral))
            objective.committed = rng.random() < 0.15
            objective.private = is_person and rng.random() < 0.03
            objective.explicit = explicit
            if rng.random() < 0.7:
                objective.comment = rng.choice(OBJECTIVE_WHY)
            objective.key_results = [self.key_result(f"KR{k}", explicit) for k in range(1, 4)]
            result.append(objective)
        return result

    def build_files(self) -> None:
        rng = self.rng
        self.files["okr.yaml"] = (
            f"company: {COMPANY}\ncadence: quarterly\ncycle: {CYCLE}\ncheckin_every: 7\n"
        ).encode()
        self.files["org.yaml"] = self.org_yaml()
        annual = OkrFile(
            f"{YEAR}/{COMPANY}.yaml",
            f"{YEAR} company objectives of Acme Inc.",
            self.objectives([], [], False, aligned=False),
        )
        quarter = OkrFile(
            f"{CYCLE}/{COMPANY}.yaml",
            f"{CYCLE} company objectives of Acme Inc.",
            self.objectives([], [], False, aligned=False),
        )
        for n, objective in enumerate(quarter.objectives, 1):
            objective.aligns = [f"{YEAR}:{COMPANY}/O{n}"]
        for okr_file in (annual, quarter):
            self.files[okr_file.path] = okr_file.render()

        company_refs = [f"{COMPANY}/O{n}" for n in range(1, 4)]
        team_ids = [t.id for t in self.teams]
        by_id = {t.id: t for t in self.teams}
        for team in self.teams:
            parents = [f"{team.parent}/O{n}" for n in range(1, 4)] if team.parent else company_refs
            lateral = [f"{rng.choice(team_ids)}/O{rng.randint(1, 3)}" for _ in range(2)]
            lateral = [ref for ref in lateral if not ref.startswith(team.id + "/")]
            okr_file = OkrFile(
                f"{CYCLE}/{team.id}.yaml",
                f"{CYCLE} OKRs of {team.name}",
                self.objectives(parents, lateral, False),
            )
            self.files[okr_file.path] = okr_file.render()
        person_ids = [p.id for p in self.people]
        for person in self.people:
            team = by_id[person.team]
            parents = [f"{team.id}/O{n}" for n in range(1, 4)]
            lateral = [
                f"{rng.choice(person_ids)}/O{rng.randint(1, 3)}",
                f"{rng.choice(team_ids)}/O{rng.randint(1, 3)}",
            ]
            lateral = [ref for ref in lateral if not ref.startswith(person.id + "/")]
            okr_file = OkrFile(
                f"{CYCLE}/{person.id}.yaml",
                f"{CYCLE} OKRs of {person.name} ({team.name})",
                self.objectives(parents, lateral, True),
            )
            if team.parent and rng.random() < 0.05:  # a second, upward link to the department
                okr_file.objectives[0].aligns.append(f"{team.parent}/O{rng.randint(1, 3)}")
            self.person_files[person.id] = okr_file
            self.files[okr_file.path] = okr_file.render()

    # -- check-ins

    def checkin(self, kr: KeyResult) -> tuple[str, str]:
        """Move `kr` the way a week of work would; return (previous, value) as text."""
        rng = self.rng
        previous = kr.value_text()
        if kr.kind == "milestone":
            kr.done = True
        elif kr.kind == "threshold":
            for _ in range(5):
                kr.current = self.threshold_value(kr)
                if kr.value_text() != previous:
                    break
        else:
            span = kr.target - kr.start
            step = span * rng.uniform(0.03, 0.15) * (-0.5 if rng.random() < 0.15 else 1)
            low, high = sorted((kr.start, kr.target + 0.1 * span))
            value = round(min(max(kr.current + step, low), high), kr.decimals)
            if number(value, kr.decimals) == previous:
                unit = 10**-kr.decimals * (1 if span > 0 else -1)
                value = round(
                    value + unit if low <= value + unit <= high else value - unit, kr.decimals
                )
            kr.current = max(0.0, value)
        base = kr.confidence if kr.confidence is not None else rng.uniform(0.4, 0.8)
        kr.confidence = round(min(0.95, max(0.1, base + rng.uniform(-0.15, 0.15))), 1)
        return previous, kr.value_text()


# ---------------------------------------------------------------- writing


def git_env() -> dict[str, str]:
    """The environment for our git processes: none of the caller's repository variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    return env


def prepare_out(out: Path) -> None:
    """Make `out` an empty folder, removing an earlier generated repository but nothing else."""
    if out.exists():
        if not out.is_dir():
            raise SystemExit(f"{out} exists and is not a folder")
        if any(out.iterdir()):
            if not (out / MARKER).is_file():
                raise SystemExit(
                    f"{out} is not empty and was not made by this generator; choose another --out"
                )
            shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)


def write_tree(out: Path, files: dict[str, bytes]) -> None:
    made: set[Path] = set()
    for rel, data in files.items():
        path = out / rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_bytes(data)


def git_ident(person: Person, when: datetime) -> bytes:
    return f"{person.name} <{person.email}> {int(when.timestamp())} +0000".encode()


def data_block(payload: bytes) -> bytes:
    return b"data %d\n%s\n" % (len(payload), payload)


def write_history(out: Path, gen: Generator, checkins: int) -> None:
    """Make `out` a git repository: one commit with every file, then `checkins` check-ins."""
    env = git_env()
    subprocess.run(["git", "init", "-q", "-b", "main", str(out)], check=True, env=env)
    proc = subprocess.Popen(
        ["git", "-C", str(out), "fast-import", "--quiet", "--done"], stdin=subprocess.PIPE, env=env
    )
    assert proc.stdin is not None
    write = proc.stdin.write
    first = gen.people[0]
    write(b"commit refs/heads/main\n")
    write(b"author " + git_ident(first, FIRST_COMMIT) + b"\n")
    write(b"committer " + git_ident(first, FIRST_COMMIT) + b"\n")
    write(data_block(f"Set the {CYCLE} OKRs of Acme Inc.\n".encode()))
    for rel, payload in sorted(gen.files.items()):
        write(b"M 100644 inline " + rel.encode() + b"\n" + data_block(payload))

    rng = gen.rng
    begin, end = CHECKINS_FROM.timestamp(), CHECKINS_UNTIL.timestamp()
    stamps = sorted(int(rng.uniform(begin, end)) for _ in range(checkins))
    last = int(FIRST_COMMIT.timestamp())
    for stamp in stamps:
        stamp = max(stamp, last + 1)
        last = stamp
        while True:
            person = rng.choice(gen.people)
            okr_file = gen.person_files[person.id]
            candidates = [
                (o, kr)
                for o in okr_file.objectives
                for kr in o.key_results
                if not (kr.kind == "milestone" and kr.done)
            ]
            if candidates:
                break
        objective, kr = rng.choice(candidates)
        previous, value = gen.checkin(kr)
        ref = f"{person.id}/{objective.id}/{kr.id}"
        unit = f" {kr.unit}" if kr.kind != "milestone" and kr.unit else ""
        note = f"{rng.choice(NOTES)}\n\n" if rng.random() < 0.4 else ""
        message = (
            f"checkin {ref}: {previous} -> {value}{unit}\n\n{note}"
            f"Okr-Cycle: {CYCLE}\nOkr-KR: {ref}\nOkr-Value: {value}\n"
            f"Okr-Previous: {previous}\nOkr-Confidence: {number(kr.confidence, 1)}\n"
        )
        payload = okr_file.render()
        gen.files[okr_file.path] = payload
        when = datetime.fromtimestamp(stamp, tz=timezone.utc)
        write(b"commit refs/heads/main\n")
        write(b"author " + git_ident(person, when) + b"\n")
        write(b"committer " + git_ident(person, when) + b"\n")
        write(data_block(message.encode()))
        write(b"M 100644 inline " + okr_file.path.encode() + b"\n" + data_block(payload))
    write(b"done\n")
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "-C", str(out), "reset", "-q", "--hard", "main"], check=True, env=env)
    with open(out / ".git" / "info" / "exclude", "a", encoding="utf-8") as fh:
        fh.write(f"/{MARKER}\n")


def generate(people: int, out: Path, checkins: int = 0, seed: int = 1, quiet: bool = False) -> dict:
    """Generate the repository; return what run.py records about it (also kept in MARKER)."""
    started = time.perf_counter()
    prepare_out(out)
    gen = Generator(people, seed)
    gen.build_files()
    if checkins:
        write_history(out, gen, checkins)
    else:
        write_tree(out, gen.files)
    info = {
        "generator": GENERATOR_VERSION,
        "people": people,
        "checkins": checkins,
        "seed": seed,
        "teams": len(gen.teams),
        "files": len(gen.files),
        "bytes": sum(len(data) for data in gen.files.values()),
        "seconds": round(time.perf_counter() - started, 3),
    }
    (out / MARKER).write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
    if not quiet:
        history = f", {checkins:,} check-in commits" if checkins else ""
        print(
            f"{out}: {info['files']:,} files, {info['bytes']:,} bytes "
            f"({info['bytes'] / 1e6:.1f} MB), {people:,} people in {info['teams']:,} teams"
            f"{history}; {info['seconds']:.2f} s"
        )
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, required=True, help="number of people")
    parser.add_argument("--out", type=Path, help="target folder (default bench-out/people-N)")
    parser.add_argument(
        "--checkins", type=int, default=0, help="make a git history with this many check-in commits"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)
    out = args.out or Path("bench-out") / f"people-{args.people}"
    generate(args.people, out, args.checkins, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
