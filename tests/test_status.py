"""`okr status` on the crafted history of pulse_repo: every number counted by hand."""

from __future__ import annotations

import json

import pytest
from conftest import run
from gitrepo import git, init_repo, isolate_git
from pulse_repo import ORG, TODAY, build

ENV = {"OKR_TODAY": TODAY, "OKR_USER": ""}


@pytest.fixture
def crafted(tmp_path, monkeypatch):
    isolate_git(monkeypatch, tmp_path)
    return build(tmp_path / "okrs")


def status(root, *args, env=None):
    result = run(["status", *args], cwd=root, env={**ENV, **(env or {})})
    assert result.exit_code == 0, result.stderr
    return result


def group(id, kind, name, expected, filled, missing=()):
    return {"id": id, "kind": kind, "name": name, "expected": expected, "filled": filled,
            "rate": filled / expected, "missing": list(missing)}


def missing(owner, name, group, reason):
    return {"owner": owner, "kind": "person", "name": name, "group": group, "reason": reason,
            "path": f"2026-Q4/{owner}.yaml"}


def kr(ref, title, last, due, overdue):
    return {"ref": f"2026-Q4:{ref}", "title": title, "last_checkin": last, "due": due, "days_overdue": overdue}


def owed(owner, kind, name, last, overdue, krs):
    return {"owner": owner, "kind": kind, "name": name, "path": f"2026-Q4/{owner}.yaml", "last_checkin": last,
            "days_overdue": overdue, "key_results": krs}


ENG = owed("eng", "team", "Engineering", "2026-10-16", 9,
           [kr("eng/O1/KR1", "Deploys per week from 5 to 20", "2026-10-16", "2026-10-23", 9)])
SALES = owed("sales", "team", "Sales", "2026-10-09", 16,
             [kr("sales/O1/KR1", "New customers from 0 to 30", "2026-10-09", "2026-10-16", 16)])
# alice's latest check-in is Oct 27 (O1), but O2/KR1 was last checked in on Oct 20.
ALICE = owed("alice", "person", "Alice Chen", "2026-10-27", 5,
             [kr("alice/O2/KR1", "Reproducible builds on main", "2026-10-20", "2026-10-27", 5)])
# Never checked in: due 7 days after the cycle start (Oct 1); the private O2 is left out.
BOB = owed("bob", "person", "Bob Li", None, 24, [kr("bob/O1/KR1", "Flaky tests down to 5", None, "2026-10-08", 24)])
EMPTY = {"ref": "2026-Q4:sales/O2", "owner": "sales", "title": "Open a second market",
         "path": "2026-Q4/sales.yaml", "line": 10}


def test_json_counted_by_hand(crafted):
    got = json.loads(status(crafted, "--format", "json").stdout)
    assert got == {
        "cycle": "2026-Q4", "as_of": "2026-11-01", "checkin_every": 7, "state": "running", "selection": None,
        "fill_in": {
            "expected": 9, "filled": 6, "rate": 6 / 9,
            "groups": [group("acme", "company", "Acme Inc.", 1, 1), group("eng", "team", "Engineering", 2, 2),
                       group("platform", "team", "Platform", 3, 2, ["carol"]),
                       group("sales", "team", "Sales", 3, 1, ["dan", "erin"])],
            "missing": [missing("carol", "Carol Diaz", "platform", "no_file"),
                        missing("dan", "Dan Roe", "sales", "no_objectives"),
                        missing("erin", "Erin Oya", "sales", "no_file")],
        },
        # acme: KR1 checked in Oct 30, KR2 done; platform: Oct 27 (due Nov 3); eng's Nov 3 check-in is later.
        "follow_up": {"key_results": 4, "owners": [ENG, SALES, ALICE, BOB]},
        "objectives_without_key_results": [EMPTY],
    }


def test_text(crafted):
    assert status(crafted).stdout == """\
Status of 2026-Q4 as of 2026-11-01 (check-ins every 7 days)

Fill-in: 6 of 9 have objectives (67%)
  Acme Inc. (acme)     1 of 1  100%
  Engineering (eng)    2 of 2  100%
  Platform (platform)  2 of 3   67%  missing: carol (no file)
  Sales (sales)        1 of 3   33%  missing: dan (no objectives), erin (no file)

Check-ins owed: 4 key results of 4 owners
  Engineering (eng)  last check-in 2026-10-16
    eng/O1/KR1  Deploys per week from 5 to 20  (last 2026-10-16; 9 days overdue)
  Sales (sales)  last check-in 2026-10-09
    sales/O1/KR1  New customers from 0 to 30  (last 2026-10-09; 16 days overdue)
  Alice Chen (alice)  last check-in 2026-10-27
    alice/O2/KR1  Reproducible builds on main  (last 2026-10-20; 5 days overdue)
  Bob Li (bob)  last check-in never
    bob/O1/KR1  Flaky tests down to 5  (never checked in; 24 days overdue)

Objectives without key results: 1
  sales/O2  Open a second market
"""


def test_github_one_annotation_per_owner_owed(crafted):
    assert status(crafted, "--format", "github").stdout == """\
::warning file=2026-Q4/eng.yaml,line=6,title=okr status%3A check-ins owed::Engineering (eng) owes 1 check-in: eng/O1/KR1 (last 2026-10-16, 9 days overdue)
::warning file=2026-Q4/sales.yaml,line=6,title=okr status%3A check-ins owed::Sales (sales) owes 1 check-in: sales/O1/KR1 (last 2026-10-09, 16 days overdue)
::warning file=2026-Q4/alice.yaml,line=20,title=okr status%3A check-ins owed::Alice Chen (alice) owes 1 check-in: alice/O2/KR1 (last 2026-10-20, 5 days overdue)
::warning file=2026-Q4/bob.yaml,line=7,title=okr status%3A check-ins owed::Bob Li (bob) owes 1 check-in: bob/O1/KR1 (never, 24 days overdue)
::warning file=org.yaml,line=9,title=okr status%3A OKRs missing::Carol Diaz (carol) has no OKR file for 2026-Q4 (2026-Q4/carol.yaml)
::warning file=org.yaml,line=10,title=okr status%3A OKRs missing::Dan Roe (dan) has no objectives in 2026-Q4/dan.yaml
::warning file=org.yaml,line=11,title=okr status%3A OKRs missing::Erin Oya (erin) has no OKR file for 2026-Q4 (2026-Q4/erin.yaml)
::warning file=2026-Q4/sales.yaml,line=10,title=okr status%3A no key results::sales/O2 has no key results: Open a second market
"""


def test_markdown(crafted):
    assert status(crafted, "--format", "markdown").stdout == """\
## OKR status: 2026-Q4

As of 2026-11-01; check-ins every 7 days.

### Fill-in: 6 of 9 (67%)

| Team | Filled | Rate | Missing |
|---|---|---|---|
| Acme Inc. (acme) | 1 of 1 | 100% |  |
| Engineering (eng) | 2 of 2 | 100% |  |
| Platform (platform) | 2 of 3 | 67% | carol (no file) |
| Sales (sales) | 1 of 3 | 33% | dan (no objectives), erin (no file) |

### Check-ins owed: 4 key results

| Owner | Key result | Last check-in | Overdue |
|---|---|---|---|
| Engineering (eng) | eng/O1/KR1 Deploys per week from 5 to 20 | 2026-10-16 | 9 days |
| Sales (sales) | sales/O1/KR1 New customers from 0 to 30 | 2026-10-09 | 16 days |
| Alice Chen (alice) | alice/O2/KR1 Reproducible builds on main | 2026-10-20 | 5 days |
| Bob Li (bob) | bob/O1/KR1 Flaky tests down to 5 | never | 24 days |

### Objectives without key results

- sales/O2: Open a second market
"""


def test_me_from_okr_user_and_from_git_email(crafted):
    # alice leads eng (org.yaml `lead:`): her key results are hers and eng's, each under its owner.
    got = json.loads(status(crafted, "--me", "-f", "json", env={"OKR_USER": "alice"}).stdout)
    assert got["selection"] == "--me (alice, and eng, which alice leads)"
    assert got["fill_in"] == {"expected": 2, "filled": 2, "rate": 1.0,
                              "groups": [group("eng", "team", "Engineering", 2, 2)], "missing": []}
    assert got["follow_up"] == {"key_results": 2, "owners": [ENG, ALICE]}
    assert got["objectives_without_key_results"] == []
    git(crafted, "config", "user.email", "BOB@acme.test")  # matched without regard to case
    got = json.loads(status(crafted, "--me", "-f", "json").stdout)
    assert got["selection"] == "--me (bob, and platform, which bob leads)"
    assert got["follow_up"] == {"key_results": 1, "owners": [BOB]}  # platform/O1/KR1 was checked in on Oct 27
    assert got["fill_in"]["groups"] == [group("platform", "team", "Platform", 2, 2)]
    text = status(crafted, "--me", env={"OKR_USER": "carol"}).stdout  # leads nothing
    assert "for --me (carol)\n" in text


def test_me_unknown_and_me_with_owner_are_usage_errors(crafted):
    result = run(["status", "--me"], cwd=crafted, env={**ENV, "OKR_USER": "zed"})
    assert result.exit_code == 2 and "'zed' is not" in result.stderr and "org.yaml" in result.stderr
    result = run(["status", "--me", "--owner", "bob"], cwd=crafted, env=ENV)
    assert result.exit_code == 2 and "--me and --owner" in result.stderr


def test_team_and_owner(crafted):
    got = json.loads(status(crafted, "--team", "eng", "-f", "json").stdout)
    assert got["selection"] == "--team eng"
    assert got["fill_in"]["groups"] == [group("eng", "team", "Engineering", 2, 2),
                                        group("platform", "team", "Platform", 3, 2, ["carol"])]
    assert (got["fill_in"]["expected"], got["fill_in"]["filled"]) == (5, 4)
    assert got["follow_up"] == {"key_results": 3, "owners": [ENG, ALICE, BOB]}
    got = json.loads(status(crafted, "--owner", "sales", "-f", "json").stdout)
    assert got["fill_in"]["groups"] == [group("sales", "team", "Sales", 1, 1)]
    assert got["follow_up"] == {"key_results": 1, "owners": [SALES]}
    assert got["objectives_without_key_results"] == [EMPTY]
    result = run(["status", "--team", "bob"], cwd=crafted, env=ENV)
    assert result.exit_code == 2 and "'bob' is a person, not a team" in result.stderr


def test_at_a_date_reads_the_files_and_checkins_of_that_day(crafted):
    got = json.loads(status(crafted, "--at", "2026-10-18", "-f", "json").stdout)
    assert got["as_of"] == "2026-10-18"
    # dan's empty file came on Oct 22; the hand edit of platform on Oct 20.
    assert got["fill_in"]["missing"][1] == missing("dan", "Dan Roe", "sales", "no_file")
    assert got["follow_up"] == {"key_results": 3, "owners": [
        owed("platform", "team", "Platform", None, 10,
             [kr("platform/O1/KR1", "p95 deploy time down to 10 minutes", None, "2026-10-08", 10)]),
        owed("sales", "team", "Sales", "2026-10-09", 2,
             [kr("sales/O1/KR1", "New customers from 0 to 30", "2026-10-09", "2026-10-16", 2)]),
        owed("bob", "person", "Bob Li", None, 10,
             [kr("bob/O1/KR1", "Flaky tests down to 5", None, "2026-10-08", 10)]),
    ]}
    head = git(crafted, "rev-parse", "HEAD~3").strip()  # the check-in of Oct 27 (platform)
    got = json.loads(status(crafted, "--at", head, "-f", "json").stdout)
    assert got["as_of"] == "2026-10-27"
    assert [o["owner"] for o in got["follow_up"]["owners"]] == ["eng", "sales", "alice", "bob"]
    assert [o["days_overdue"] for o in got["follow_up"]["owners"]] == [4, 11, 0, 19]


def test_include_private(crafted):
    got = json.loads(status(crafted, "--owner", "bob", "--include-private", "-f", "json").stdout)
    # O2/KR1 (private, milestone not done) was checked in on Oct 3: due Oct 10, 22 days overdue.
    assert got["follow_up"]["owners"] == [owed("bob", "person", "Bob Li", "2026-10-03", 24, [
        BOB["key_results"][0], kr("bob/O2/KR1", "Private milestone", "2026-10-03", "2026-10-10", 22)])]


def test_cycles_not_running_owe_nothing(crafted):
    got = json.loads(status(crafted, "--cycle", "2026-Q3", "-f", "json").stdout)
    assert got["state"] == "ended" and got["follow_up"] == {"key_results": 0, "owners": []}
    assert (got["fill_in"]["expected"], got["fill_in"]["filled"]) == (9, 2)
    assert "Check-ins owed: none: 2026-Q3 has ended" in status(crafted, "--cycle", "2026-Q3").stdout
    got = json.loads(status(crafted, "--cycle", "2027-Q1", "-f", "json").stdout)
    assert got["state"] == "not_started" and got["follow_up"]["owners"] == []
    assert got["fill_in"]["filled"] == 0


def test_outside_git_the_follow_up_is_unknown(okr_repo):
    root = okr_repo({"2026-Q4/alice.yaml": "objectives: []\n"})
    result = run(["status", "-f", "json"], cwd=root, env=ENV)
    assert result.exit_code == 0
    assert "check-ins are left out" in result.stderr
    got = json.loads(result.stdout)
    assert got["follow_up"] is None
    assert got["fill_in"]["missing"][0]["owner"] == "eng"
    assert "Check-ins owed: unknown" in run(["status"], cwd=root, env=ENV).stdout


def test_usage_errors(crafted):
    for args in (["--format", "html"], ["--cycle", "2026-Q9"], ["--at", "2020-01-01"], ["--owner", "nobody"]):
        result = run(["status", *args], cwd=crafted, env=ENV)
        assert result.exit_code == 2, args
        assert result.stdout == ""


HOSTILE_NAME = "Eve [red]|</td><!-- @admins ::error::x %25\u202e"
HOSTILE_TITLE = "Ship | it <script>*now*</script> @everyone\r\n::error file=x::pwned %0A"


def _hostile_repo(tmp_path, monkeypatch):
    isolate_git(monkeypatch, tmp_path)
    org = ORG + f"  eve: {{name: {json.dumps(HOSTILE_NAME)}, team: sales}}\n"
    eve = ("objectives:\n  - id: O1\n    title: " + json.dumps(HOSTILE_TITLE) + "\n    aligns: [sales/O1]\n"
           "    key_results:\n      - id: KR1\n        title: " + json.dumps(HOSTILE_TITLE) + "\n"
           "        target: 3\n  - id: O2\n    title: " + json.dumps(HOSTILE_TITLE) + "\n    aligns: [sales/O1]\n"
           "    key_results: []\n")
    sales = "objectives:\n  - id: O1\n    title: Sell\n    key_results:\n      - {id: KR1, title: Deals, target: 3}\n"
    return init_repo(tmp_path / "okrs", {"okr.yaml": "company: acme\ncycle: 2026-Q4\n", "org.yaml": org,
                                         "2026-Q4/eve.yaml": eve, "2026-Q4/sales.yaml": sales})


def test_hostile_text_is_escaped(tmp_path, monkeypatch):
    root = _hostile_repo(tmp_path, monkeypatch)
    github = status(root, "-f", "github", "--owner", "eve").stdout
    lines = github.splitlines()
    assert len(lines) == 2 and all(line.startswith("::warning file=2026-Q4/eve.yaml,line=") for line in lines)
    assert "::error" not in github.replace("%3A", ":").split("::warning")[0]  # nothing before the command
    for line in lines:
        message = line.split("::", 2)[2]
        assert "::" in message  # the hostile text is inside the message, escaped, not a new command
        assert "\r" not in message and "%0A" not in message.replace("%250A", "")
    assert "%2525" in lines[0] and "\\u202e" in lines[0]  # the name's own "%25" and bidi override
    assert "\\r\\n" in lines[1] and "%250A" in lines[1]  # the title's line break and its own "%0A"
    md = status(root, "-f", "markdown", "--owner", "eve").stdout
    for raw in ("<script>", "</td>", "<!--", "@admins", "@everyone", "[red]", "*now*", "\u202e", "\r"):
        assert raw not in md
    assert "&lt;script&gt;" in md and "@\u200badmins" in md and "\\|" in md
    table_rows = [line for line in md.splitlines() if line.startswith("| ")]
    assert all(line.replace("\\|", "").count("|") == 5 for line in table_rows)
    text = status(root, "--owner", "eve").stdout
    assert "\u202e" not in text and "\r" not in text and "[red]" in text  # literal, never markup
