"""`okr diff` in real git repositories: every change kind (JSON golden), impact through a chain,
--fail-on, the four ways to name the sides, goalpost moving by date, private objectives, and
escaping of hostile titles in Markdown and workflow commands."""

from __future__ import annotations

import json
import os
import re
import textwrap
from pathlib import Path

import pytest
from conftest import BASIC_ORG, run
from gitrepo import commit_all, git, init_repo, isolate_git, write_files

GOLDEN = Path(__file__).parent / "golden" / "diff"
BEFORE_CYCLE = "2026-09-20T12:00:00+00:00"  # 2026-Q4 starts on 2026-10-01
IN_CYCLE = "2026-10-15T12:00:00+00:00"

ORG = BASIC_ORG + "  dave: {name: Dave Ng, team: platform}\n  erin: {name: Erin Wu, team: platform}\n"


def okr_file(*objectives: str) -> str:
    """An OKR file of the given objectives (each a `- id: ...` block)."""
    return "objectives:\n" + "".join(textwrap.indent(textwrap.dedent(o), "  ") for o in objectives)


BASE = {
    "okr.yaml": "company: acme\ncycle: 2026-Q4\n",
    "org.yaml": ORG,
    "2026-Q4/acme.yaml": okr_file(
        """\
        - id: O1
          title: Ship a product customers love
          key_results:
            - {id: KR1, title: Weekly active teams from 10 to 50, start: 10, target: 50, current: 20}
        """,
        """\
        - id: O2
          title: Grow revenue
          key_results:
            - {id: KR1, title: ARR from 1 to 2 M, start: 1, target: 2, current: 1}
        """,
        """\
        - id: O3
          title: Old idea
          key_results:
            - {id: KR1, title: Something, done: false}
        """),
    "2026-Q4/eng.yaml": okr_file(
        """\
        - id: O1
          title: Make the platform fast
          aligns: [acme/O1]
          key_results:
            - {id: KR1, title: p95 from 900 to 300 ms, start: 900, target: 300, current: 700}
        """),
    "2026-Q4/platform.yaml": okr_file(
        """\
        - id: O1
          title: Make deploys boring
          aligns: [eng/O1]
          key_results:
            - id: KR1
              title: p95 deploy time down to 10 minutes
              start: 40
              target: 10
              current: 25
              unit: min
              confidence: 0.6
            - id: KR2
              title: Canary analysis on every service
              done: false
            - id: KR3
              title: Pages per week stay below 5
              target: 5
              keep: below
              current: 3
        """,
        """\
        - id: O2
          title: Keep the build cache warm
          aligns: [eng/O1]
          depends_on: [sre/O1]
          committed: true
          key_results:
            - {id: KR1, title: Hit rate from 70 to 90, start: 70, target: 90, current: 80}
        """,
        """\
        - id: O3
          title: Retire the old CI
          aligns: [eng/O1]
          key_results:
            - {id: KR1, title: Pipelines on the new CI from 0 to 40, start: 0, target: 40, current: 10}
            - {id: KR2, title: Old CI switched off, done: false}
        """),
    "2026-Q4/bob.yaml": okr_file(
        """\
        - id: O1
          title: Own the deploy pipeline
          aligns: [platform/O1]
          key_results:
            - {id: KR1, title: Deploys per day from 2 to 10, start: 2, target: 10, current: 4}
        """,
        """\
        - id: O2
          title: Try a new build tool
          standalone: exploring
          key_results:
            - {id: KR1, title: Prototype running, done: false}
        """),
    "2026-Q4/sre.yaml": okr_file(
        """\
        - id: O1
          title: Bill customers correctly
          aligns: [acme/O2]
          key_results:
            - {id: KR1, title: Invoice errors from 20 to 0, start: 20, target: 0, current: 12}
        """),
    "2026-Q4/carol.yaml": okr_file(
        """\
        - id: O1
          title: Automate invoice checks
          aligns: [sre/O1]
          key_results:
            - {id: KR1, title: Checks automated from 0 to 10, start: 0, target: 10, current: 2}
        """),
    "2026-Q4/alice.yaml": okr_file(
        """\
        - id: O1
          title: Secret reorg plan
          aligns: [eng/O1]
          private: true
          key_results:
            - {id: KR1, title: Plan written, done: false}
        """,
        """\
        - id: O2
          title: Mentor two engineers
          aligns: [eng/O1]
          key_results:
            - {id: KR1, title: Engineers mentored from 0 to 2, start: 0, target: 2, current: 1}
        """),
    "2026-Q4/dave.yaml": okr_file(
        """\
        - id: O1
          title: Pair with new engineers
          aligns: [alice/O2]
          key_results:
            - {id: KR1, title: Pairing hours from 0 to 20, start: 0, target: 20, current: 4}
        """),
}

# Every kind of change, applied to BASE.
HEAD = {
    "2026-Q4/acme.yaml": okr_file(
        """\
        - id: O1
          title: Ship a product customers love
          key_results:
            - {id: KR1, title: Weekly active teams from 10 to 50, start: 10, target: 50, current: 20}
        """,
        """\
        - id: O4
          title: Open a second office
          key_results:
            - {id: KR1, title: Office open, done: false}
        """),
    "2026-Q4/eng.yaml": okr_file(
        """\
        - id: O1
          title: Make the platform feel instant
          aligns: [acme/O1]
          key_results:
            - {id: KR1, title: p95 from 900 to 300 ms, start: 900, target: 300, current: 700}
        """),
    "2026-Q4/platform.yaml": okr_file(
        """\
        - id: O1
          title: Make deploys boring
          aligns: [eng/O1]
          key_results:
            - id: KR1
              title: p95 deploy time down to 10 minutes
              start: 45
              target: 15
              current: 30
              unit: min
              weight: 2
              confidence: 0.5
            - id: KR2
              title: Canary analysis on every critical service
              done: false
            - id: KR3
              title: Pages per week stay below 5
              target: 5
              keep: above
              current: 3
            - id: KR4
              title: Rollbacks take one command
              done: false
        """,
        """\
        - id: O2
          title: Keep the build cache warm
          aligns: [eng/O1]
          depends_on: [carol/O1]
          key_results:
            - {id: KR1, title: Hit rate from 70 to 90, start: 70, target: 90, current: 80}
        """,
        """\
        - id: O3
          title: Retire the old CI
          aligns: [eng/O1]
          key_results:
            - {id: KR1, title: Pipelines on the new CI, done: false}
        """),
    "2026-Q4/bob.yaml": okr_file(
        """\
        - id: O1
          title: Own the deploy pipeline
          aligns: [platform/O1]
          committed: true
          key_results:
            - {id: KR1, title: Deploys per day from 2 to 10, start: 2, target: 10, current: 4}
        """,
        """\
        - id: O2
          title: Try a new build tool
          aligns: [platform/O3]
          key_results:
            - {id: KR1, title: Prototype running, done: false}
        """,
        """\
        - id: O3
          title: Learn Rust
          standalone: personal growth
          key_results:
            - {id: KR1, title: Rust course finished, done: false}
        """),
    "2026-Q4/carol.yaml": okr_file(
        """\
        - id: O1
          title: Automate invoice checks
          aligns: [sre/O1]
          standalone: finishing what the old team started
          key_results:
            - {id: KR1, title: Checks automated from 0 to 10, start: 0, target: 10, current: 2}
        """),
    "2026-Q4/alice.yaml": okr_file(
        """\
        - id: O1
          title: Secret reorg plan
          aligns: [eng/O1]
          key_results:
            - {id: KR1, title: Plan written, done: false}
        """,
        """\
        - id: O2
          title: Mentor two engineers
          aligns: [eng/O1]
          private: true
          key_results:
            - {id: KR1, title: Engineers mentored from 0 to 2, start: 0, target: 2, current: 1}
        """),
}


@pytest.fixture
def repo(tmp_path, monkeypatch):
    isolate_git(monkeypatch, tmp_path)
    root = init_repo(tmp_path / "okrs")
    write_files(root, BASE)
    commit_all(root, "Q4 OKRs", date=BEFORE_CYCLE)
    return root


def change(root: Path, files: dict[str, str], date: str | None = IN_CYCLE, message: str = "Change OKRs") -> str | None:
    write_files(root, files)
    return commit_all(root, message, date=date) if date else None


def diff_json(root: Path, *args: str, today: str = "2026-11-02") -> dict:
    result = run(["diff", *args, "--format", "json"], cwd=root, env={"OKR_TODAY": today})
    assert result.exit_code == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def normalized(doc: dict) -> dict:
    for side in ("base", "head"):
        if doc[side]["sha"]:
            doc[side]["sha"] = "<sha>"
    return doc


def kinds(doc: dict) -> dict[str, list[str]]:
    return {o["ref"]: [c["kind"] for c in o["changes"]] for o in doc["objectives"]}


# ------------------------------------------------------------------ every kind, exactly

def test_every_change_kind_json_golden(repo):
    change(repo, HEAD)
    doc = normalized(diff_json(repo, "HEAD~1..HEAD", "--progress"))
    golden = GOLDEN / "every-kind.json"
    if os.environ.get("OKR_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert doc == json.loads(golden.read_text(encoding="utf-8"))
    seen = {k for ks in kinds(doc).values() for k in ks} | set(doc["summary"]["kinds"])
    from okrcli.reports.diff import KINDS

    assert seen == set(KINDS) - {"any"}, "the golden must cover every change kind"


def test_every_kind_by_objective(repo):
    change(repo, HEAD)
    doc = diff_json(repo, "HEAD~1..HEAD")
    assert kinds(doc) == {
        "2026-Q4:acme/O2": ["removed"],
        "2026-Q4:acme/O3": ["removed"],
        "2026-Q4:acme/O4": ["added"],
        "2026-Q4:alice/O1": ["made-public"],
        "2026-Q4:bob/O1": ["made-committed"],
        "2026-Q4:bob/O2": ["realigned", "standalone-removed"],
        "2026-Q4:alice/O2": ["made-private"],
        "2026-Q4:bob/O3": ["added"],
        "2026-Q4:carol/O1": ["standalone-added"],
        "2026-Q4:eng/O1": ["retitled"],
        "2026-Q4:platform/O1": ["target-moved", "start-moved", "kr-reweighted", "kr-retitled",
                                "target-moved", "kr-added"],
        "2026-Q4:platform/O2": ["depends-changed", "made-aspirational"],
        "2026-Q4:platform/O3": ["kr-retitled", "target-moved", "kr-removed"],
    }
    hidden = {o["ref"]: o for o in doc["objectives"]}["2026-Q4:alice/O2"]  # made private; dave aligns to it
    assert (hidden["title"], hidden["hidden"], [i["ref"] for i in hidden["impact"]]) == (None, True, ["2026-Q4:dave/O1"])
    assert doc["summary"]["kinds"]["goalpost"] == 4
    assert doc["summary"]["kinds"]["removed-aligned"] == 1
    assert "progress" not in doc["summary"]["kinds"]  # only with --progress


# ------------------------------------------------------------------ impact

def test_transitive_impact_through_a_three_level_chain(repo):
    text = BASE["2026-Q4/acme.yaml"].replace("Ship a product customers love", "Ship a product people love")
    change(repo, {"2026-Q4/acme.yaml": text})
    doc = diff_json(repo, "HEAD~1..HEAD")
    [obj] = doc["objectives"]
    assert obj["ref"] == "2026-Q4:acme/O1" and [c["kind"] for c in obj["changes"]] == ["retitled"]
    depth = {i["ref"]: (i["depth"], i["via"], i["through"]) for i in obj["impact"]}
    assert depth == {
        "2026-Q4:eng/O1": (1, "aligns", None),
        "2026-Q4:platform/O1": (2, "aligns", "2026-Q4:eng/O1"), "2026-Q4:platform/O2": (2, "aligns", "2026-Q4:eng/O1"),
        "2026-Q4:platform/O3": (2, "aligns", "2026-Q4:eng/O1"), "2026-Q4:alice/O1": (2, "aligns", "2026-Q4:eng/O1"),
        "2026-Q4:alice/O2": (2, "aligns", "2026-Q4:eng/O1"),
        "2026-Q4:bob/O1": (3, "aligns", "2026-Q4:platform/O1"), "2026-Q4:dave/O1": (3, "aligns", "2026-Q4:alice/O2"),
    }
    private = next(i for i in obj["impact"] if i["ref"] == "2026-Q4:alice/O1")
    assert private["private"] is True and private["title"] is None  # counted, title not shown
    # Only the owner of the direct child must re-align; the others are affected through their own parent.
    assert doc["realign"] == [{"owner": "eng", "name": "Engineering", "objectives": ["2026-Q4:eng/O1"],
                               "because_of": ["2026-Q4:acme/O1"]}]
    assert doc["summary"]["owners_to_realign"] == ["eng"]
    text = run(["diff", "HEAD~1..HEAD"], cwd=repo).stdout
    assert "    must re-align: 1 objective of 1 owner\n" in text
    assert "    affected through them: 7 objectives further down\n" in text
    assert "      2026-Q4:bob/O1  Own the deploy pipeline  (bob, affected through 2026-Q4:platform/O1)\n" in text
    assert text.rstrip().endswith("1 owner must re-align (1 file differs)")


@pytest.mark.parametrize("edit, realign", [
    (("committed: true", "committed: false"), False),  # made aspirational: the children's parent reads the same
    (("Ship a product customers love", "Ship a product people love"), True),  # retitled
])
def test_only_changes_to_what_children_align_to_ask_them_to_realign(repo, edit, realign):
    text = BASE["2026-Q4/acme.yaml"]
    if edit[0] not in text:
        text = text.replace("  - id: O1\n", "  - id: O1\n    committed: true\n", 1)
        change(repo, {"2026-Q4/acme.yaml": text})
    change(repo, {"2026-Q4/acme.yaml": text.replace(*edit)})
    doc = diff_json(repo, "HEAD~1..HEAD")
    [obj] = doc["objectives"]
    assert [c["kind"] for c in obj["changes"]] == (["retitled"] if realign else ["made-aspirational"])
    assert bool(doc["realign"]) is realign and bool(obj["impact"]) is realign, doc["realign"]


def test_removed_objective_impact_reads_the_dangling_links_of_the_head(repo):
    # acme/O2 goes; sre/O1 still names it (must re-align), carol/O1 sits below sre/O1.
    change(repo, {"2026-Q4/acme.yaml": HEAD["2026-Q4/acme.yaml"]})
    doc = diff_json(repo, "HEAD~1..HEAD")
    removed = {o["ref"]: o for o in doc["objectives"]}["2026-Q4:acme/O2"]
    assert [(i["ref"], i["depth"]) for i in removed["impact"]] == [("2026-Q4:sre/O1", 1), ("2026-Q4:carol/O1", 2)]
    # In the same change sre/O1 re-aligns elsewhere: nobody is left to tell.
    sre = BASE["2026-Q4/sre.yaml"].replace("acme/O2", "acme/O1")
    change(repo, {"2026-Q4/sre.yaml": sre})
    doc = diff_json(repo, "HEAD~2..HEAD")
    removed = {o["ref"]: o for o in doc["objectives"]}["2026-Q4:acme/O2"]
    assert removed["impact"] == []
    assert "removed-aligned" not in doc["summary"]["kinds"]


def test_a_removed_key_result_that_others_align_to_counts_in_the_impact(repo):
    bob = BASE["2026-Q4/bob.yaml"].replace("aligns: [platform/O1]", "aligns: [platform/O3/KR2]")
    change(repo, {"2026-Q4/bob.yaml": bob})
    change(repo, {"2026-Q4/platform.yaml": HEAD["2026-Q4/platform.yaml"]})
    doc = diff_json(repo, "HEAD~1..HEAD")
    o3 = {o["ref"]: o for o in doc["objectives"]}["2026-Q4:platform/O3"]
    assert [i["ref"] for i in o3["impact"]] == ["2026-Q4:bob/O1"]


# ------------------------------------------------------------------ --fail-on

@pytest.mark.parametrize("fail_on, code", [
    (None, 0), ("removed-aligned", 1), ("goalpost", 1), ("added,retitled", 1), ("any", 1),
    ("made-private", 1), ("progress", 1),  # progress implies --progress
    ("standalone-added", 1), ("kr-reweighted", 1),
])
def test_fail_on_exit_codes(repo, fail_on, code):
    change(repo, HEAD)
    args = ["diff", "HEAD~1..HEAD"] + (["--fail-on", fail_on] if fail_on else [])
    result = run(args, cwd=repo)
    assert result.exit_code == code, result.stdout + result.stderr
    assert ("--fail-on" in result.stderr) == bool(code)


def test_fail_on_removed_without_aligned_objectives(repo):
    acme = HEAD["2026-Q4/acme.yaml"].replace("- id: O4", "- id: O2\n    title: Grow revenue\n    key_results:\n"
                                             "      - {id: KR1, title: ARR from 1 to 2 M, start: 1, target: 2, current: 1}\n  - id: O4")
    change(repo, {"2026-Q4/acme.yaml": acme})
    assert kinds(diff_json(repo, "HEAD~1..HEAD")) == {"2026-Q4:acme/O3": ["removed"], "2026-Q4:acme/O4": ["added"]}
    assert run(["diff", "HEAD~1..HEAD", "--fail-on", "removed-aligned"], cwd=repo).exit_code == 0
    assert run(["diff", "HEAD~1..HEAD", "--fail-on", "removed"], cwd=repo).exit_code == 1


def test_fail_on_unknown_kind_is_a_usage_error(repo):
    result = run(["diff", "--fail-on", "goalposts"], cwd=repo)
    assert result.exit_code == 2
    assert "unknown change kind 'goalposts'" in result.stderr and "did you mean goalpost" in result.stderr


# ------------------------------------------------------------------ naming the sides

def test_sides_two_dots_three_dots_rev_and_work_tree(repo):
    eng = BASE["2026-Q4/eng.yaml"]
    git(repo, "checkout", "-q", "-b", "feature")
    change(repo, {"2026-Q4/eng.yaml": eng.replace("Make the platform fast", "Make the platform faster")})
    git(repo, "checkout", "-q", "main")
    change(repo, {"2026-Q4/acme.yaml": HEAD["2026-Q4/acme.yaml"]})  # main moves on meanwhile
    git(repo, "checkout", "-q", "feature")

    # A...B: only what the branch changed since it left main.
    doc = diff_json(repo, "main...feature")
    assert list(kinds(doc)) == ["2026-Q4:eng/O1"]
    assert doc["base"]["merge_base"] is True and doc["base"]["rev"] == "main"
    # A..B: main against feature, main's own changes included (reversed: acme/O4 is "removed").
    assert kinds(diff_json(repo, "main..feature")) == {
        "2026-Q4:acme/O2": ["added"], "2026-Q4:acme/O3": ["added"], "2026-Q4:acme/O4": ["removed"],
        "2026-Q4:eng/O1": ["retitled"]}
    # REV alone: REV against the working tree.
    write_files(repo, {"2026-Q4/bob.yaml": BASE["2026-Q4/bob.yaml"].replace("Own the deploy", "Run the deploy")})
    doc = diff_json(repo, "HEAD~1")
    assert list(kinds(doc)) == ["2026-Q4:bob/O1", "2026-Q4:eng/O1"]
    assert doc["head"] == {"rev": None, "sha": None, "date": "2026-11-02", "merge_base": False, "working_tree": True}
    # Nothing: HEAD against the working tree, untracked files included.
    write_files(repo, {"2026-Q4/erin.yaml": okr_file("""\
        - id: O1
          title: Learn the codebase
          aligns: [platform/O1]
          key_results:
            - {id: KR1, title: Areas learned from 0 to 5, start: 0, target: 5, current: 1}
        """)})
    assert kinds(diff_json(repo)) == {"2026-Q4:bob/O1": ["retitled"], "2026-Q4:erin/O1": ["added"]}
    # A clean work tree: nothing to say.
    git(repo, "checkout", "-q", "--", ".")
    os.remove(repo / "2026-Q4/erin.yaml")
    result = run(["diff"], cwd=repo)
    assert result.exit_code == 0 and "no OKR changes (0 files differ)" in result.stdout


def test_bad_revision_is_a_usage_error(repo):
    result = run(["diff", "nope..HEAD"], cwd=repo)
    assert result.exit_code == 2 and "'nope' is not a commit" in result.stderr


def test_okr_root_below_the_git_top(tmp_path, monkeypatch):
    isolate_git(monkeypatch, tmp_path)
    top = init_repo(tmp_path / "mono", {"README": "monorepo\n", **{f"okrs/{k}": v for k, v in BASE.items()}})
    write_files(top, {"okrs/2026-Q4/eng.yaml": BASE["2026-Q4/eng.yaml"].replace("fast", "quick"),
                      "other/2026-Q4/x.yaml": "not okr\n"})
    doc = diff_json(top / "okrs")
    assert kinds(doc) == {"2026-Q4:eng/O1": ["retitled"]} and doc["files_changed"] == 1


def test_a_new_okr_repository_is_all_added(tmp_path, monkeypatch):
    isolate_git(monkeypatch, tmp_path)
    top = init_repo(tmp_path / "r", {"README": "x\n"})
    write_files(top, BASE)
    commit_all(top, "Start OKRs")
    doc = diff_json(top, "HEAD~1..HEAD")
    assert {k for ks in kinds(doc).values() for k in ks} == {"added"}
    assert doc["notes"] == ["there was no okr.yaml at HEAD~1: every objective is new"]


def test_a_broken_file_is_noted(repo):
    write_files(repo, {"2026-Q4/bob.yaml": "objectives: [\n"})
    doc = diff_json(repo)
    assert kinds(doc) == {"2026-Q4:bob/O1": ["removed"], "2026-Q4:bob/O2": ["removed"]}
    assert doc["notes"][0].startswith("2026-Q4/bob.yaml has 1 error at working tree (run okr check)")


# ------------------------------------------------------------------ goalpost moving

def _moved_target(repo: Path, date: str | None) -> None:
    change(repo, {"2026-Q4/eng.yaml": BASE["2026-Q4/eng.yaml"].replace("target: 300", "target: 400")}, date=date)


@pytest.mark.parametrize("date, goalpost", [
    ("2026-09-30T23:00:00+00:00", False),  # before the cycle
    ("2026-10-01T09:00:00+00:00", False),  # on its first day
    ("2026-10-02T09:00:00+00:00", True),  # after it started
    ("2027-01-15T09:00:00+00:00", True),  # after it ended
])
def test_goalpost_by_the_head_commit_date(repo, date, goalpost):
    _moved_target(repo, date)
    doc = diff_json(repo, "HEAD~1..HEAD")
    [c] = doc["objectives"][0]["changes"]
    assert (c["kind"], c["kr"], c["before"], c["after"], c["goalpost"]) == ("target-moved", "KR1", 300, 400, goalpost)
    assert ("goalpost" in doc["summary"]["kinds"]) == goalpost


@pytest.mark.parametrize("today, goalpost", [("2026-09-25", False), ("2026-10-01", False), ("2026-10-20", True)])
def test_goalpost_in_the_work_tree_uses_today(repo, today, goalpost):
    _moved_target(repo, None)
    doc = diff_json(repo, today=today)
    assert doc["objectives"][0]["changes"][0]["goalpost"] is goalpost
    code = run(["diff", "--fail-on", "goalpost"], cwd=repo, env={"OKR_TODAY": today}).exit_code
    assert code == (1 if goalpost else 0)


def test_progress_is_left_out_unless_asked(repo):
    change(repo, {"2026-Q4/eng.yaml": BASE["2026-Q4/eng.yaml"].replace("current: 700", "current: 600")})
    doc = diff_json(repo, "HEAD~1..HEAD")
    assert doc["objectives"] == [] and doc["summary"]["progress_left_out"] == 1
    doc = diff_json(repo, "HEAD~1..HEAD", "--progress")
    [c] = doc["objectives"][0]["changes"]
    assert (c["kind"], c["field"], c["before"], c["after"]) == ("progress", "current", 700, 600)
    assert doc["objectives"][0]["impact"] == []  # progress asks nobody to re-align


# ------------------------------------------------------------------ private objectives

def test_private_changed_objective_others_align_to_is_shown_without_title(repo):
    bob = BASE["2026-Q4/bob.yaml"].replace("aligns: [platform/O1]", "aligns: [alice/O1]")
    change(repo, {"2026-Q4/bob.yaml": bob})
    alice = BASE["2026-Q4/alice.yaml"].replace("Secret reorg plan", "Even more secret plan")
    change(repo, {"2026-Q4/alice.yaml": alice})
    doc = diff_json(repo, "HEAD~1..HEAD")
    [obj] = doc["objectives"]
    assert (obj["ref"], obj["title"], obj["hidden"]) == ("2026-Q4:alice/O1", None, True)
    assert obj["changes"] == [{"kind": "retitled", "kr": None, "field": "title", "before": None, "after": None,
                               "goalpost": False, "line": 0}]
    assert [i["ref"] for i in obj["impact"]] == ["2026-Q4:bob/O1"]
    text = run(["diff", "HEAD~1..HEAD"], cwd=repo).stdout
    assert "secret" not in text.lower() and "private objective" in text
    shown = diff_json(repo, "HEAD~1..HEAD", "--include-private")["objectives"][0]
    assert shown["title"] == "Even more secret plan" and shown["changes"][0]["before"] == "Secret reorg plan"


# ------------------------------------------------------------------ hostile titles

HOSTILE = "a | b <!-- c --> @team `x` ::error::x 100% *y* [l](http://e) &amp;\nsecond line"


@pytest.fixture
def hostile(repo):
    eng = BASE["2026-Q4/eng.yaml"].replace("title: Make the platform fast", f"title: {json.dumps(HOSTILE)}")
    change(repo, {"2026-Q4/eng.yaml": eng, "org.yaml": ORG.replace("Alice Chen", "@alice | <b>")})
    return repo


def test_markdown_escapes_hostile_titles(hostile):
    result = run(["diff", "HEAD~1..HEAD", "--format", "markdown"], cwd=hostile)
    assert result.exit_code == 0
    out = result.stdout
    assert "<!--" not in out and "<b>" not in out and "@team" not in out and "@alice" not in out
    assert "\nsecond line" not in out and "*y*" not in out and "[l](" not in out and "`x`" not in out
    assert "&amp;amp;" in out  # an entity in a title stays text
    rows = [line for line in out.splitlines() if line.startswith("|")]
    for row in rows:  # every row has exactly its columns: no `|` of a title breaks out of its cell
        assert len(re.findall(r"(?<!\\)\|", row)) == 4, row
    # The one Markdown escaper (as okr report and okr status): `!` is text once `[` is escaped, and
    # `::` cannot start a workflow command when the comment is printed in a CI log.
    assert "a \\| b &lt;!-- c --&gt; @\u200bteam \\`x\\` :\u200b:error:\u200b:x 100% \\*y\\*" in out
    assert "::error" not in out


def test_github_commands_escape_hostile_titles(hostile):
    result = run(["diff", "HEAD~1..HEAD", "--format", "github"], cwd=hostile)
    lines = result.stdout.splitlines()
    assert lines and all(re.match(r"::(warning|notice|error) file=[^:]*::", line) for line in lines)
    retitled = next(line for line in lines if "title=okr diff%3A retitled" in line)
    assert "100%25" in retitled and "%0A" not in retitled and "\\nsecond line" in retitled
    assert retitled.startswith("::warning file=2026-Q4/eng.yaml,line=3,title=okr diff%3A retitled::2026-Q4:eng/O1 (")


def test_github_is_the_default_under_actions_and_fail_on_kinds_become_errors(repo):
    change(repo, HEAD)
    result = run(["diff", "HEAD~1..HEAD", "--fail-on", "goalpost"], cwd=repo, env={"GITHUB_ACTIONS": "true"})
    assert result.exit_code == 1
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error")]
    assert len(errors) == 4 and all("title=okr diff%3A goalpost" in e for e in errors)
    removed = next(line for line in result.stdout.splitlines() if "acme/O2" in line)
    assert removed.startswith("::warning file=2026-Q4/acme.yaml,title=okr diff%3A removed::")  # no line: it is gone


def test_text_output(repo):
    change(repo, HEAD)
    out = run(["diff", "HEAD~1..HEAD"], cwd=repo).stdout
    assert out.startswith("okr diff HEAD~1 (")
    assert "  ⚠ KR1 target 10 → 15 · goalpost moved after the cycle started (2026-10-01)\n" in out
    assert "    must re-align: 5 objectives of 2 owners\n" in out  # eng/O1 retitled
    assert "    affected through them: 3 objectives further down\n" in out
    assert out.rstrip().endswith("(6 files differ; 2 progress changes left out, --progress shows them)")


def test_help_lists_every_kind_and_an_example():
    from okrcli.reports.diff import KINDS

    out = run(["diff", "--help"]).stdout
    assert "Example: okr diff" in out
    assert all(name in out for name in KINDS)


# ------------------------------------------------------------------ the CI recipe

def test_the_example_workflow_commands_run_on_a_pull_request_clone(tmp_path, monkeypatch):
    """The diff step of examples/ci/github-actions.yml, as run in a clone of a pull request."""
    import shlex

    import yaml

    isolate_git(monkeypatch, tmp_path)
    origin = init_repo(tmp_path / "origin")
    write_files(origin, BASE)
    commit_all(origin, "Q4 OKRs", date=BEFORE_CYCLE)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(origin), str(clone))
    git(clone, "checkout", "-q", "-b", "feature")
    change(clone, {"2026-Q4/acme.yaml": HEAD["2026-Q4/acme.yaml"]})

    project = Path(__file__).parent.parent
    workflow = yaml.safe_load((project / "examples/ci/github-actions.yml").read_text())
    steps = workflow["jobs"]["check"]["steps"]
    assert steps[0]["with"]["fetch-depth"] == 0
    # The workflow uses the action (action.yml), whose last step runs okr diff.
    assert steps[1]["uses"].split("@")[0].endswith("/okr")
    fail_on = steps[1]["with"]["fail-on"]
    action = yaml.safe_load((project / "action.yml").read_text())
    assert action["inputs"]["fail-on"]["default"] == fail_on == "removed-aligned,goalpost"
    step = next(s for s in action["runs"]["steps"] if "okr diff" in s.get("run", ""))
    assert step["env"]["BASE_REF"] == "${{ github.base_ref }}"
    assert step["env"]["FAIL_ON"] == "${{ inputs.fail-on }}"
    summary = tmp_path / "summary.md"
    codes = []
    for line in step["run"].splitlines():
        if not line.startswith("okr diff"):
            continue
        # The shell's expansions with the inputs' values: no OKR root, the workflow's fail-on.
        line = (line.replace('${OKR_ROOT:+--repo "$OKR_ROOT"} ', "")
                .replace('${FAIL_ON:+--fail-on "$FAIL_ON"}', f'--fail-on "{fail_on}"'))
        line = line.replace("$BASE_REF", "main").replace('"$GITHUB_STEP_SUMMARY"', str(summary))
        words = shlex.split(line)
        redirect = ">>" in words
        args = words[1:words.index(">>")] if redirect else words[1:]
        result = run(args, cwd=clone, env={"GITHUB_ACTIONS": "true", "OKR_TODAY": "2026-11-02"})
        codes.append(result.exit_code)
        if redirect:
            summary.write_text(result.stdout)
    assert codes == [0, 1]  # acme/O2 is removed while sre/O1 still aligns to it
    text = summary.read_text()
    assert text.startswith("### OKR changes: merge-base with origin/main (")
    assert "| **2026-Q4:acme/O2** Grow revenue | removed | 1 objective: sre<br>affected through them: carol |" in text


def test_outside_git_is_a_usage_error(okr_repo):
    result = run(["diff"], cwd=okr_repo())
    assert result.exit_code == 2 and "not inside a git work tree" in result.stderr
