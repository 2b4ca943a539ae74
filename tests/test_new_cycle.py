"""`okr new-cycle`: carry-over that passes `okr check`, partial carry, --carry all/none,
re-pointed alignments, enclosing cycles, and the refusal to overwrite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run

from okrcli.load.build import load_repository

CONFIG = "company: acme\ncycle: 2026-Q4\n"
ORG = """\
company: {id: acme, name: Acme Inc.}
teams:
  eng: {name: Engineering, lead: alice}
  platform: {name: Platform, parent: eng, lead: bob}
  sre: {name: SRE, parent: eng}
people:
  alice: {name: Alice Chen, team: eng}
  bob: {name: Bob Li, team: platform}
"""
HOSTILE = 'Ship it: "fast" # really, and [safely]\nsecond line'

FILES = {
    "okr.yaml": CONFIG,
    "org.yaml": ORG,
    "2026/acme.yaml": """\
objectives:
  - id: O1
    title: A great year
    key_results:
      - {id: KR1, title: Revenue from 1 to 3 M, start: 1, target: 3, current: 2}
""",
    "2026-Q4/acme.yaml": """\
objectives:
  - id: O1
    title: Ship a product customers love
    aligns: ["2026:acme/O1"]
    key_results:
      - {id: KR1, title: Weekly active teams from 10 to 50, start: 10, target: 50, current: 20}
  - id: O2
    title: Close the year's books
    key_results:
      - {id: KR1, title: Books closed, done: true}
""",
    "2026-Q4/eng.yaml": """\
objectives:
  - id: O1
    title: Make the platform fast
    aligns: [acme/O1]
    key_results:
      - {id: KR1, title: p95 from 900 to 300 ms, start: 900, target: 300, current: 700}
  - id: O2
    title: Audit-ready engineering
    aligns: [acme/O2]
    key_results:
      - {id: KR1, title: Controls documented from 0 to 20, start: 0, target: 20, current: 5}
""",
    "2026-Q4/platform.yaml": """\
# The platform team's OKRs.
objectives:
  - id: O1
    title: Make deploys boring
    aligns: [eng/O1/KR1]
    depends_on: [sre/O1, bob/O1, "2026:acme/O1"]
    committed: true
    key_results:
      - id: KR1
        title: p95 deploy time down to 10 minutes
        start: 40
        target: 10
        current: 25
        unit: min
        confidence: 0.6
        weight: 2
      - id: KR2
        title: Canary analysis on every service
        done: false
      - id: KR3
        title: Pages per week stay below 5
        target: 5
        keep: below
        current: 3
        unit: pages
      - id: KR4
        title: Services on the new pipeline from 0 to 12
        start: 0
        target: 12
        current: 12
        score: 0.9
    review:
      score: 0.5
      notes: Half way there.
""",
    "2026-Q4/bob.yaml": f"""\
objectives:
  - id: O1
    title: {json.dumps(HOSTILE)}
    aligns: [platform/O1]
    private: true
    key_results:
      - {{id: KR1, title: Deploys per day from 2 to 10, start: 2, target: 10, current: 4.5}}
  - id: O2
    title: Try a new build tool
    standalone: exploring
    key_results:
      - {{id: KR1, title: Prototype running, done: false}}
""",
    "2026-Q4/sre.yaml": """\
objectives:
  - id: O1
    title: Make on-call calm
    aligns: [eng/O1]
    key_results:
      - {id: KR1, title: Runbooks written, done: true}
""",
}

PLATFORM_NEXT = """\
# yaml-language-server: $schema=https://okrcli.dev/schema/okr-file.json
# 2027-Q1 objectives of platform, started by `okr new-cycle` from 2026-Q4.
# Unfinished objectives keep their ids; numeric key results start where they stood.

objectives:
  - id: O1
    title: Make deploys boring
    aligns: [eng/O1/KR1]
    depends_on: [bob/O1, "2026:acme/O1"]
    committed: true
    key_results:
      - id: KR1
        title: p95 deploy time down to 10 minutes
        start: 25
        target: 10
        unit: min
        weight: 2
      - id: KR2
        title: Canary analysis on every service
        done: false
      - id: KR3
        title: Pages per week stay below 5
        target: 5
        keep: below
        current: 3
        unit: pages
      - id: KR4
        title: Services on the new pipeline from 0 to 12
        start: 0
        target: 12
        current: 12
"""


@pytest.fixture
def root(okr_repo):
    return okr_repo(FILES, base=False)


def new_cycle(root: Path, *args: str):
    return run(["new-cycle", *args], cwd=root, env={"OKR_TODAY": "2026-12-20"})


def check_passes(root: Path, *args: str) -> None:
    result = run(["check", *args], cwd=root)
    assert result.exit_code == 0, result.stdout + result.stderr


def loaded(root: Path) -> dict:
    repository, diags = load_repository(root)
    assert not diags
    return repository.objectives


def test_the_base_repository_passes_check(root):
    check_passes(root)


def test_carry_unfinished_passes_check(root):
    result = new_cycle(root, "2027-Q1")  # --from defaults to the current cycle, 2026-Q4
    assert result.exit_code == 0, result.stdout + result.stderr
    assert sorted(p.name for p in (root / "2027-Q1").iterdir()) == \
        ["acme.yaml", "bob.yaml", "eng.yaml", "platform.yaml", "sre.yaml"]
    # Its link to the private bob/O1, which stays behind, goes (with --include-private it stays: below).
    assert (root / "2027-Q1/platform.yaml").read_text() == \
        PLATFORM_NEXT.replace('[bob/O1, "2026:acme/O1"]', '["2026:acme/O1"]')
    check_passes(root)
    check_passes(root, "--cycle", "2027-Q1")
    objs = loaded(root)
    # acme/O2 and sre/O1 were finished: they stay behind; so does the private bob/O1 (no --include-private).
    assert sorted(k for k in objs if k.startswith("2027-Q1:")) == [
        "2027-Q1:acme/O1", "2027-Q1:bob/O2", "2027-Q1:eng/O1", "2027-Q1:eng/O2", "2027-Q1:platform/O1"]
    assert objs["2027-Q1:bob/O2"].standalone == "exploring"
    platform = objs["2027-Q1:platform/O1"]
    assert platform.review is None and all(k.confidence is None and k.score is None for k in platform.key_results)
    assert "sre/O1" in result.stdout and "left behind in 2026-Q4" in result.stdout


def test_private_objectives_stay_behind_without_include_private(root):
    result = new_cycle(root, "2027-Q1")
    assert result.exit_code == 0, result.stderr
    assert "private: true" not in (root / "2027-Q1/bob.yaml").read_text()
    assert HOSTILE not in (root / "2027-Q1/bob.yaml").read_text() and HOSTILE not in result.stdout
    assert "1 private objective stayed in 2026-Q4: add --include-private to carry private objectives" in result.stdout


def test_private_objectives_carry_with_include_private(root):
    result = new_cycle(root, "2027-Q1", "--include-private")
    assert result.exit_code == 0, result.stderr
    assert (root / "2027-Q1/platform.yaml").read_text() == PLATFORM_NEXT
    bob = loaded(root)["2027-Q1:bob/O1"]
    assert bob.title == HOSTILE and bob.private and [e.text for e in bob.aligns] == ["platform/O1"]
    assert bob.key_results[0].start == 4.5 and bob.key_results[0].current == 4.5
    check_passes(root, "--cycle", "2027-Q1")


def test_partial_carry_reports_what_needs_attention(root):
    result = new_cycle(root, "2027-Q1")
    out = result.stdout
    # The company objective's annual parent does not enclose 2027-Q1.
    assert "acme/O1: aligns 2026:acme/O1 is in a cycle that does not enclose 2027-Q1: removed" in out
    # eng/O2's parent acme/O2 was finished: the alignment goes, and eng/O2 is marked standalone.
    assert "eng/O2: aligns acme/O2 stayed behind in 2026-Q4 (finished or not carried): removed" in out
    assert "eng/O2: aligns to nothing now: marked standalone until you align it" in out
    assert "platform/O1: depends_on sre/O1 stayed behind in 2026-Q4 (finished or not carried): removed" in out
    assert "okr.yaml pins cycle: 2026-Q4; change it to 2027-Q1" in out
    assert "private objective" in out and "Ship it" not in out  # bob/O1 is private
    eng = loaded(root)["2027-Q1:eng/O2"]
    assert eng.aligns == () and eng.standalone.startswith("Carried from 2026-Q4 without its parent objective")
    assert [e.text for e in loaded(root)["2027-Q1:eng/O1"].aligns] == ["acme/O1"]  # re-pointed to the carried parent


def test_carry_all(root):
    result = new_cycle(root, "2027-Q1", "--carry", "all", "--include-private", "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["left_behind"] == [] and sum(len(f["carried"]) for f in doc["files"]) == 8
    objs = loaded(root)
    assert [e.text for e in objs["2027-Q1:eng/O2"].aligns] == ["acme/O2"] and objs["2027-Q1:eng/O2"].standalone is None
    assert objs["2027-Q1:acme/O2"].key_results[0].done is True  # a milestone keeps its `done`
    assert [e.text for e in objs["2027-Q1:platform/O1"].depends_on] == ["sre/O1", "bob/O1", "2026:acme/O1"]
    check_passes(root)


def test_carry_none_writes_empty_files(root):
    result = new_cycle(root, "2027-Q1", "--carry", "none")
    assert result.exit_code == 0
    text = (root / "2027-Q1/eng.yaml").read_text()
    assert text.endswith("# Nothing was carried over from 2026-Q4: write this cycle's objectives below.\n\n"
                         "objectives: []\n")
    assert not any(k.startswith("2027-Q1:") for k in loaded(root))
    check_passes(root)


def test_enclosing_cycle_alignment_is_kept(okr_repo):
    files = {k: v for k, v in FILES.items() if not k.startswith("2026-Q4/")}
    files["2026-Q3/acme.yaml"] = FILES["2026-Q4/acme.yaml"]
    files["2026-Q3/eng.yaml"] = FILES["2026-Q4/eng.yaml"]
    root = okr_repo(files, base=False)
    result = new_cycle(root, "2026-Q4", "--from", "2026-Q3")
    assert result.exit_code == 0, result.stderr
    objs = loaded(root)
    assert [e.text for e in objs["2026-Q4:acme/O1"].aligns] == ["2026:acme/O1"]
    assert "does not enclose" not in result.stdout
    check_passes(root)


def test_refuses_to_overwrite_and_writes_nothing(root):
    (root / "2027-Q1").mkdir()
    (root / "2027-Q1/eng.yaml").write_text("objectives: []\n")
    result = new_cycle(root, "2027-Q1")
    assert result.exit_code == 2
    assert "2027-Q1/eng.yaml already exists" in result.stderr and "nothing was written" in result.stderr
    assert [p.name for p in (root / "2027-Q1").iterdir()] == ["eng.yaml"]
    assert (root / "2027-Q1/eng.yaml").read_text() == "objectives: []\n"


def test_refuses_a_dangling_link_in_place_of_a_file(root):
    (root / "2027-Q1").mkdir()
    (root / "2027-Q1/bob.yaml").symlink_to(root / "elsewhere.yaml")
    result = new_cycle(root, "2027-Q1")
    assert result.exit_code == 2 and "2027-Q1/bob.yaml already exists" in result.stderr
    assert not (root / "elsewhere.yaml").exists()


@pytest.mark.parametrize("args, message", [
    (["2026-Q3"], "2026-Q3 does not come after 2026-Q4"),
    (["2026-Q4"], "2026-Q4 does not come after 2026-Q4"),
    (["2027-Q5"], "'2027-Q5' is not a cycle id"),
    (["2027-Q1", "--from", "2025-Q4"], "there are no OKR files in 2025-Q4"),
    (["2027-Q1", "--carry", "some"], "--carry must be one of unfinished, all, none"),
])
def test_usage_errors(root, args, message):
    result = new_cycle(root, *args)
    assert result.exit_code == 2 and message in result.stderr
    assert not (root / "2027-Q1").exists()


def test_dry_run_writes_nothing(root):
    result = new_cycle(root, "2027-Q1", "--dry-run")
    assert result.exit_code == 0
    assert "would create 2027-Q1/platform.yaml  1 objective carried" in result.stdout
    assert not (root / "2027-Q1").exists()


def test_help_has_an_example():
    assert "Example: okr new-cycle" in run(["new-cycle", "--help"]).stdout
