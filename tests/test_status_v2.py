"""Status v2 (SPEC 3) through the CLI: one fixed repository, its statuses on day 2, 20, 45 and 80
of 2026-Q4 and after the quarter, every one worked out by hand below.

2026-Q4 runs Oct 1 - Dec 31: 92 days. `e`, the share of the cycle gone by the end of the day:
  day 2  (Oct 2)  e = 2/92  = 0.022      day 45 (Nov 14) e = 45/92 = 0.489
  day 20 (Oct 20) e = 20/92 = 0.217      day 80 (Dec 19) e = 80/92 = 0.870
  after  (2027-01-15)       e = 1
Numeric: on track when p >= 0.7e or e - p <= 0.10; at risk when p >= 0.5e or e - p <= 0.25.
Milestone not done: by halves of the time from Oct 1 to `due` (default Dec 31). Threshold: holds
or not. Confidence, when set, decides.
"""

from __future__ import annotations

import json

import pytest
from conftest import run, write_repo

DAYS = {"day 2": "2026-10-02", "day 20": "2026-10-20", "day 45": "2026-11-14", "day 80": "2026-12-19",
        "after": "2027-01-15"}
ON, AT, OFF = "on_track", "at_risk", "off_track"

FILES = {
    "2026-Q4/acme.yaml": """\
objectives:
  - id: O1
    title: Grow usage
    key_results:
      - {id: KR1, title: Teams from 0 to 100, start: 0, target: 100, current: 30}
      - {id: KR2, title: Build minutes from 40 down to 10, start: 40, target: 10, current: 25}
      - {id: KR3, title: Partners from 0 to 10, target: 10, current: 0}
  - id: O2
    title: Stay dependable
    key_results:
      - {id: KR1, title: Uptime stays above 99.9, target: 99.9, keep: above, current: 99.95}
      - {id: KR2, title: Open P1 bugs stay below 5, target: 5, keep: below, current: 7}
      - {id: KR3, title: Pages stay below 3, target: 3, keep: below, current: 4, confidence: 0.75}
  - id: O3
    title: Ship the enterprise plan
    key_results:
      - {id: KR1, title: SSO live, done: false}
      - {id: KR2, title: Audit log live, done: false, due: 2026-10-31}
      - {id: KR3, title: Pricing page live, done: true}
      - {id: KR4, title: SCIM live, done: false, confidence: 0.8}
  - id: O4
    title: Open a second market
    key_results:
      - {id: KR1, title: Customers in Germany from 0 to 100, target: 100, current: 0, confidence: 0.5}
""",
}

# KR -> statuses on day 2, day 20, day 45, day 80, after the quarter.
EXPECTED = {
    # p = 0.3. Day 45: 0.7e = 0.342 > 0.3 and e - p = 0.189 > 0.10, but 0.5e = 0.245 <= 0.3: at risk.
    # Day 80: 0.5e = 0.435 > 0.3 and e - p = 0.570 > 0.25: off track; after: the same.
    "O1/KR1": (ON, ON, AT, OFF, OFF),
    # Decreasing, p = (25 - 40) / (10 - 40) = 0.5. Day 45: 0.7e = 0.342 <= 0.5. Day 80: 0.7e = 0.609 > 0.5,
    # e - p = 0.370, 0.5e = 0.435 <= 0.5: at risk. After: 0.5e = 0.5 <= 0.5: at risk.
    "O1/KR2": (ON, ON, ON, AT, AT),
    # p = 0. Day 2: e - p = 0.022 <= 0.10: on track (not red on day two). Day 20: 0.217 <= 0.25: at risk.
    # Day 45: 0.489 > 0.25: off track.
    "O1/KR3": (ON, AT, OFF, OFF, OFF),
    "O2/KR1": (ON, ON, ON, ON, ON),  # holds
    "O2/KR2": (OFF, OFF, OFF, OFF, OFF),  # 7 is not below 5
    "O2/KR3": (ON, ON, ON, ON, ON),  # does not hold, but confidence 0.75 >= 0.7
    # No due: halves of the quarter. Day 45: 0.489 < 0.5 on track; day 80: 0.870 at risk; after: off.
    "O3/KR1": (ON, ON, ON, AT, OFF),
    # Due Oct 31: 31 days. Day 2: 2/31 = 0.065 on track; day 20: 20/31 = 0.645 at risk; day 45: past due.
    "O3/KR2": (ON, AT, OFF, OFF, OFF),
    "O3/KR3": (ON, ON, ON, ON, ON),  # done
    "O3/KR4": (ON, ON, ON, ON, ON),  # not done, confidence 0.8
    "O4/KR1": (AT, AT, AT, AT, AT),  # confidence 0.5, whatever the pace
}
# An objective is as weak as its weakest key result.
OBJECTIVES = {
    "O1": (ON, AT, OFF, OFF, OFF),
    "O2": (OFF, OFF, OFF, OFF, OFF),
    "O3": (ON, AT, OFF, OFF, OFF),
    "O4": (AT, AT, AT, AT, AT),
}


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return write_repo(tmp_path_factory.mktemp("v2") / "okrs", FILES)


def _list(root, day: str, *args: str) -> dict:
    result = run(["list", *args, "--format", "json"], cwd=root, env={"OKR_TODAY": day})
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("n, label", list(enumerate(DAYS)))
def test_key_result_statuses(root, n, label):
    doc = _list(root, DAYS[label], "--krs", "--owner", "acme")
    got = {k["ref"].split("/", 1)[1]: k["status"] for k in doc["key_results"]}
    assert got == {ref: statuses[n] for ref, statuses in EXPECTED.items()}, label


@pytest.mark.parametrize("n, label", list(enumerate(DAYS)))
def test_objective_statuses(root, n, label):
    doc = _list(root, DAYS[label], "--owner", "acme")
    assert {o["id"]: o["status"] for o in doc["objectives"]} == {o: s[n] for o, s in OBJECTIVES.items()}, label


def test_text_says_the_same(root):
    text = run(["list", "--krs", "--owner", "acme"], cwd=root, env={"OKR_TODAY": DAYS["day 20"]}).stdout
    assert "acme/O1/KR3  ░░░░░░░░░░ 0.00  at risk " in text
    assert "acme/O3/KR2  ░░░░░░░░░░ 0.00  at risk    Audit log live  (not done, due 2026-10-31)" in text


def test_export_carries_due(root):
    result = run(["export"], cwd=root, env={"OKR_TODAY": DAYS["day 2"]})
    krs = {k["ref"]: k for o in json.loads(result.stdout)["objectives"] for k in o["key_results"]}
    assert krs["2026-Q4:acme/O3/KR2"]["due"] == "2026-10-31"
    assert krs["2026-Q4:acme/O3/KR1"]["due"] is None and krs["2026-Q4:acme/O1/KR1"]["due"] is None
    csv = run(["export", "--format", "csv"], cwd=root, env={"OKR_TODAY": DAYS["day 2"]}).stdout
    assert ",due," in csv.splitlines()[0] and ",2026-10-31," in csv


@pytest.mark.parametrize("kr, message", [
    ("{id: KR1, title: T, done: false, due: 2027-01-05}",
     "'due' 2027-01-05 is outside the cycle 2026-Q4 (2026-10-01 to 2026-12-31); pick a day inside it"),
    ("{id: KR1, title: T, done: false, due: soon}", "'due' must be a date written YYYY-MM-DD, not soon"),
    ("{id: KR1, title: T, done: false, due: '2026-02-30'}", "'due' must be a date written YYYY-MM-DD, not 2026-02-30"),
    ("{id: KR1, title: T, target: 5, due: 2026-11-01}",
     "'due' is for milestone key results (with 'done'); remove it"),
])
def test_due_findings(okr_repo, kr, message):
    root = okr_repo({"2026-Q4/bob.yaml": f"objectives:\n  - id: O1\n    title: T\n    standalone: s\n"
                                         f"    key_results:\n      - {kr}\n"})
    result = run(["check", "--format", "json"], cwd=root)
    assert result.exit_code == 1
    found = [(f["path"], f["line"], f["rule"], f["message"]) for f in json.loads(result.stdout)]
    assert ("2026-Q4/bob.yaml", 6, "schema", message) in found


def test_the_follow_up_says_why_a_milestone_needs_attention(root):
    result = run(["report", "--format", "json"], cwd=root, env={"OKR_TODAY": DAYS["day 20"]})
    attention = {a["ref"]: a for t in json.loads(result.stdout)["teams"] for a in t["attention"]}
    audit = attention["2026-Q4:acme/O3/KR2"]
    assert (audit["status"], audit["why"], audit["due"], audit["expected"]) == (AT, "milestone", "2026-10-31", 20 / 31)
    text = run(["report"], cwd=root, env={"OKR_TODAY": DAYS["day 20"]}).stdout
    assert "acme/O3/KR2  Audit log live  owner Acme Inc.  (not done, 0.65 of the time to its due day 2026-10-31 " \
           "gone)" in text
