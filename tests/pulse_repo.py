"""A crafted OKR repository with a backdated check-in history, for `okr status`, `okr health`
and check-in discipline tests. Every number those commands print about it is worked out by
hand in the tests (README, "okr status" and "okr health (the four values)").

Today is pinned to 2026-11-01 (OKR_TODAY). The current cycle is 2026-Q4 (Oct 1 - Dec 31, 92
days): with weekly check-ins its periods are Oct 1-7, 8-14, 15-21, 22-28, Oct 29-Nov 4, ...;
four are over on Nov 1. 2026-Q3 is the previous cycle (13 periods, all over).

Org: acme (company); teams eng (alice), platform (parent eng: bob, carol), sales (dan, erin).
"""

from __future__ import annotations

from pathlib import Path

from gitrepo import commit_all, git, git_env, init_repo, write_files

TODAY = "2026-11-01"

CONFIG = "company: acme\ncycle: 2026-Q4\ncheckin_every: 7\n"
ORG = """\
company: {id: acme, name: Acme Inc.}
teams:
  eng: {name: Engineering, lead: alice}
  platform: {name: Platform, parent: eng, lead: bob}
  sales: {name: Sales, lead: dan}
people:
  alice: {name: Alice Chen, team: eng, email: alice@acme.test}
  bob: {name: Bob Li, team: platform, email: bob@acme.test}
  carol: {name: Carol Diaz, team: platform, email: carol@acme.test}
  dan: {name: Dan Roe, team: sales, email: dan@acme.test}
  erin: {name: Erin Oya, team: sales, email: erin@acme.test}
"""
Q4 = {
    "2026-Q4/acme.yaml": """\
objectives:
  - id: O1
    title: Ship a product customers love
    committed: true
    key_results:
      - id: KR1
        title: Weekly active teams from 10 to 50
        start: 10
        target: 50
        current: 20
      - id: KR2
        title: Public launch
        done: true
""",
    "2026-Q4/eng.yaml": """\
objectives:
  - id: O1
    title: Ship every day
    aligns: [acme/O1]
    key_results:
      - id: KR1
        title: Deploys per week from 5 to 20
        start: 5
        target: 20
        current: 8
""",
    "2026-Q4/platform.yaml": """\
objectives:
  - id: O1
    title: Make deploys boring
    aligns: [eng/O1]
    depends_on: [sales/O1]
    key_results:
      - id: KR1
        title: p95 deploy time down to 10 minutes
        start: 40
        target: 10
        current: 40
""",
    "2026-Q4/alice.yaml": """\
objectives:
  - id: O1
    title: Move every service to the new pipeline
    aligns: [eng/O1]
    key_results:
      - id: KR1
        title: Help the platform team migrate
        target: 10
        current: 3
      - id: KR2
        title: Services on the new pipeline from 2 to 12
        start: 2
        target: 12
        current: 6
  - id: O2
    title: Make builds reproducible
    standalone: Bottom-up, agreed with the team
    committed: true
    key_results:
      - id: KR1
        title: Reproducible builds on main
        done: false
""",
    "2026-Q4/bob.yaml": """\
objectives:
  - id: O1
    title: Make the test suite trustworthy
    aligns: [platform/O1]
    depends_on: [platform/O1]
    key_results:
      - id: KR1
        title: Flaky tests down to 5
        start: 50
        target: 5
        current: 50
  - id: O2
    title: A private plan
    aligns: [platform/O1]
    private: true
    key_results:
      - id: KR1
        title: Private milestone
        done: false
""",
    "2026-Q4/sales.yaml": """\
objectives:
  - id: O1
    title: Win the first customers
    aligns: [acme/O1]
    key_results:
      - id: KR1
        title: New customers from 0 to 30
        target: 30
        current: 4
  - id: O2
    title: Open a second market
    aligns: [acme/O1]
    key_results: []
""",
}
Q3 = {
    "2026-Q3/acme.yaml": """\
objectives:
  - id: O1
    title: Find product-market fit
    key_results:
      - id: KR1
        title: Paying pilots from 0 to 5
        target: 5
        current: 5
""",
    "2026-Q3/alice.yaml": """\
objectives:
  - id: O1
    title: A pipeline we trust
    aligns: [acme/O1]
    key_results:
      - id: KR1
        title: Services on the pipeline from 0 to 5
        target: 5
        current: 5
""",
}

# (day, [(cycle, ref, value)]) of okr check-in commits (trailers only, no file change).
CHECKINS = [
    ("2026-07-01", [("2026-Q3", "alice/O1/KR1", "2")]),
    ("2026-09-28", [("2026-Q4", "sales/O1/KR1", "1")]),
    ("2026-09-29", [("2026-Q3", "alice/O1/KR1", "5")]),
    ("2026-10-02", [("2026-Q4", "eng/O1/KR1", "6")]),
    ("2026-10-03", [("2026-Q4", "acme/O1/KR1", "12"), ("2026-Q4", "bob/O2/KR1", "not-done")]),
    ("2026-10-05", [("2026-Q4", "acme/O1/KR2", "done")]),
    ("2026-10-06", [("2026-Q4", "alice/O1/KR1", "1"), ("2026-Q4", "alice/O1/KR2", "3"),
                    ("2026-Q4", "alice/O2/KR1", "not-done")]),
    ("2026-10-09", [("2026-Q4", "sales/O1/KR1", "2")]),
    ("2026-10-10", [("2026-Q4", "acme/O1/KR1", "14")]),
    ("2026-10-13", [("2026-Q4", "alice/O1/KR1", "2"), ("2026-Q4", "alice/O1/KR2", "4"),
                    ("2026-Q4", "alice/O2/KR1", "not-done")]),
    ("2026-10-16", [("2026-Q4", "eng/O1/KR1", "7")]),
    ("2026-10-17", [("2026-Q4", "acme/O1/KR1", "16")]),
    ("2026-10-20", [("2026-Q4", "alice/O1/KR1", "3"), ("2026-Q4", "alice/O1/KR2", "5"),
                    ("2026-Q4", "alice/O2/KR1", "not-done")]),
    ("2026-10-24", [("2026-Q4", "acme/O1/KR1", "18")]),
    ("2026-10-27", [("2026-Q4", "alice/O1/KR1", "3"), ("2026-Q4", "alice/O1/KR2", "6")]),
    ("2026-10-27", [("2026-Q4", "platform/O1/KR1", "30")]),
    ("2026-10-30", [("2026-Q4", "acme/O1/KR1", "20")]),
    ("2026-11-03", [("2026-Q4", "eng/O1/KR1", "8")]),  # after "today": not counted
]


def _when(day: str) -> str:
    return f"{day}T12:00:00+00:00"


def empty_commit(repo: Path, message: str, day: str) -> None:
    env = git_env(GIT_AUTHOR_DATE=_when(day), GIT_COMMITTER_DATE=_when(day))
    git(repo, "commit", "-q", "--allow-empty", "--no-gpg-sign", "-m", message, env=env)


def checkin_message(groups: list[tuple[str, str, str]]) -> str:
    trailers = "\n".join(f"Okr-Cycle: {cycle}\nOkr-KR: {ref}\nOkr-Value: {value}" for cycle, ref, value in groups)
    return f"checkin {', '.join(ref for _, ref, _ in groups)}\n\n{trailers}\n"


def build(path: Path) -> Path:
    """The crafted repository at `path` (its git top-level is the OKR root)."""
    repo = init_repo(path)
    write_files(repo, {"okr.yaml": CONFIG, "org.yaml": ORG, **Q3, **Q4})
    commit_all(repo, "OKRs for 2026-Q3 and 2026-Q4", date=_when("2026-06-25"))
    for day, groups in CHECKINS:
        if day == "2026-10-24":
            # A hand edit (no trailers) of platform/O1/KR1, then dan's empty file, then a grade.
            text = (repo / "2026-Q4/platform.yaml").read_text().replace("current: 40", "current: 35")
            write_files(repo, {"2026-Q4/platform.yaml": text})
            commit_all(repo, "Platform: deploy time 35 min", date=_when("2026-10-20"))
            write_files(repo, {"2026-Q4/dan.yaml": "objectives: []\n"})
            commit_all(repo, "dan: OKRs to come", date=_when("2026-10-22"))
            empty_commit(repo, "grade sales/O1: 0.2\n\nOkr-Cycle: 2026-Q4\nOkr-Grade: sales/O1\nOkr-Score: 0.2\n",
                         "2026-10-23")
        empty_commit(repo, checkin_message(groups), day)
    return repo
