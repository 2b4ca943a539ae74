"""`github:` handles in org.yaml: validated on load, mentioned by `okr status --mention`, found by `okr who`."""

from __future__ import annotations

import json

import pytest
from conftest import BASIC_COMPANY, BASIC_CONFIG, run, write_repo
from gitrepo import isolate_git
from pulse_repo import ORG, TODAY, build

ENV = {"OKR_TODAY": TODAY, "OKR_USER": ""}

# The crafted pulse repository's org.yaml with handles: alice and bob (who owe check-ins), carol and
# erin (no OKRs), the team sales (owes a check-in); eng (owes one too) and dan (no objectives) have none.
HANDLES = (ORG.replace("sales: {name: Sales, lead: dan}", "sales: {name: Sales, lead: dan, github: acme/sales-team}")
           .replace("email: alice@acme.test}", "email: alice@acme.test, github: alice-chen}")
           .replace("email: bob@acme.test}", "email: bob@acme.test, github: BobLi}")
           .replace("email: carol@acme.test}", "email: carol@acme.test, github: carol}")
           .replace("email: erin@acme.test}", "email: erin@acme.test, github: erin-oya}"))


@pytest.fixture
def crafted(tmp_path, monkeypatch):
    isolate_git(monkeypatch, tmp_path)
    root = build(tmp_path / "okrs")
    (root / "org.yaml").write_text(HANDLES, encoding="utf-8")
    return root


def status(root, *args):
    result = run(["status", *args], cwd=root, env=ENV)
    assert result.exit_code == 0, result.stderr
    return result.stdout


REMINDERS = """\
### Reminders

- Engineering (eng): 1 check-in owed (no `github:` in org.yaml)
- @acme/sales-team (Sales (sales)): 1 check-in owed
- @alice-chen (Alice Chen (alice)): 1 check-in owed
- @BobLi (Bob Li (bob)): 1 check-in owed
- @carol (Carol Diaz (carol)): no OKRs for 2026-Q4 yet
- Dan Roe (dan): no objectives in 2026-Q4/dan.yaml (no `github:` in org.yaml)
- @erin-oya (Erin Oya (erin)): no OKRs for 2026-Q4 yet
"""


def test_mention_ends_the_markdown_with_one_reminder_per_owner_owing_something(crafted):
    plain = status(crafted, "--format", "markdown")
    mentioned = status(crafted, "--format", "markdown", "--mention")
    assert mentioned == plain + "\n" + REMINDERS
    # Every @ that mentions is at the start of a reminder, followed by a handle from org.yaml.
    mentions = [line.split()[1] for line in mentioned.splitlines() if line.startswith("- @")]
    assert mentions == ["@acme/sales-team", "@alice-chen", "@BobLi", "@carol", "@erin-oya"]


def test_without_mention_no_at_sign_can_mention_anyone(crafted):
    (crafted / "org.yaml").write_text(HANDLES.replace("name: Bob Li,", "name: \"@BobLi <b>\","), encoding="utf-8")
    plain = status(crafted, "--format", "markdown")
    assert "Reminders" not in plain
    assert "@\u200bBobLi &lt;b&gt;" in plain  # the name's @ is broken by a zero-width space, < escaped
    assert "@B" not in plain and "@a" not in plain
    mentioned = status(crafted, "--format", "markdown", "--mention")
    assert "- @BobLi (@\u200bBobLi &lt;b&gt; (bob)): 1 check-in owed" in mentioned


def test_mention_is_for_markdown_only(crafted):
    result = run(["status", "--mention"], cwd=crafted, env=ENV)
    assert result.exit_code == 2
    assert "--mention goes with --format markdown" in result.stderr


def test_mention_with_nothing_owed_adds_nothing(tmp_path):
    root = write_repo(tmp_path, {"org.yaml": "company: {id: acme, name: Acme Inc.}\n"})
    plain = run(["status", "-f", "markdown"], cwd=root, env=ENV)
    mentioned = run(["status", "-f", "markdown", "--mention"], cwd=root, env=ENV)
    assert mentioned.exit_code == 0 and mentioned.stdout == plain.stdout
    assert "Reminders" not in mentioned.stdout


BAD_ORG = """\
company: {id: acme, name: Acme Inc.}
teams:
  eng: {name: Engineering, github: engineering}
  sre: {name: SRE, github: acme/sre}
people:
  alice: {name: Alice Chen, team: eng, github: "@alice"}
  bob: {name: Bob Li, team: eng, github: bob--li}
  carol: {name: Carol Diaz, team: sre, github: Carol-D}
  dave: {name: Dave Roe, team: sre, github: carol-d}
  erin: {name: Erin Oya, team: sre, github: 42}
"""


def test_invalid_and_repeated_handles_are_org_findings_with_their_position(tmp_path):
    root = write_repo(tmp_path, {"okr.yaml": BASIC_CONFIG, "org.yaml": BAD_ORG, "2026-Q4/acme.yaml": BASIC_COMPANY},
                      base=False)
    result = run(["check"], cwd=root)
    assert result.exit_code == 1
    assert result.stdout == (
        "org.yaml:3:36: error[org]: team 'eng': github: 'engineering' is not a valid GitHub handle: write "
        "ORG/TEAM, e.g. acme/platform\n"
        "org.yaml:6:48: error[org]: person 'alice': github: '@alice' starts with @; write the handle without "
        "it: alice\n"
        "org.yaml:7:42: error[org]: person 'bob': github: 'bob--li' is not a valid GitHub handle: write a "
        "GitHub username, e.g. ada-lovelace\n"
        "org.yaml:9:45: error[org]: person 'dave' has github: carol-d, like 'carol' (line 8); a GitHub account "
        "belongs to one person\n"
        "org.yaml:10:45: error[schema]: 'github' must be text, but YAML reads 42 as a number; quote it: \"42\"\n")


@pytest.fixture
def team_repo(tmp_path):
    org = ("company: {id: acme, name: Acme Inc.}\nteams:\n  eng: {name: Engineering}\npeople:\n"
           "  alice: {name: Alice Chen, team: eng, email: alice@acme.test, github: Alice-Chen}\n"
           "  bob: {name: Bob Li, team: eng}\n")
    return write_repo(tmp_path, {"org.yaml": org})


def test_who_finds_the_person_by_handle_ignoring_case(team_repo):
    for handle in ("Alice-Chen", "alice-chen", "@ALICE-CHEN"):
        result = run(["who", "--github", handle], cwd=team_repo)
        assert (result.exit_code, result.stdout) == (0, "alice\n")
    got = run(["who", "--github", "alice-chen", "--format", "json"], cwd=team_repo)
    assert json.loads(got.stdout) == {"id": "alice", "name": "Alice Chen", "team": "eng",
                                      "email": "alice@acme.test", "github": "Alice-Chen"}


def test_who_without_a_match_is_a_usage_error_with_what_to_do(team_repo):
    result = run(["who", "--github", "mallory\x1b[31m"], cwd=team_repo)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == ("okr: error: no person in org.yaml has github: mallory\\x1b[31m\n"
                             "hint: add github: mallory\\x1b[31m to your entry under people: in org.yaml\n")
