"""Derived key results (SPEC 2): sums, mirrors and roll-ups, computed once and seen everywhere.

Every expected number is worked out by hand in the comments next to it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import BASIC_CONFIG, BASIC_ORG, run, write_repo
from gitrepo import commit_all, init_repo, isolate_git, write_files

TODAY = "2026-11-15"  # 2026-Q4 (Oct 1 - Dec 31, 92 days): 46 days elapsed, e = 0.5
ENV = {"OKR_TODAY": TODAY, "OKR_USER": ""}

COMPANY = """\
objectives:
  - id: O1
    title: Ship a product customers love
    key_results:
      - id: KR1
        title: Signups from 0 to 100 this quarter
        target: 100
        unit: signups
        sum_of: [platform/O1/KR1, alice/O1/KR1]
      - id: KR2
        title: Teams deliver what they promised
        rollup: aligned
"""
ANNUAL = """\
objectives:
  - id: O1
    title: Grow all year
    key_results:
      - id: KR1
        title: Signups from 0 to 400 in 2026
        target: 400
        unit: signups
        sum_of: ["2026-Q4:platform/O1/KR1", "2026-Q4:alice/O1/KR1"]
"""
PLATFORM = """\
objectives:
  - id: O1
    title: Onboard teams
    aligns: [acme/O1/KR2]
    key_results:
      - {id: KR1, title: Signups from platform, target: 100, current: 30, unit: signups, weight: 1}
      - {id: KR2, title: Docs pages from 0 to 10, target: 10, current: 5, weight: 3}
"""
ALICE = """\
objectives:
  - id: O1
    title: Hand-held onboarding
    private: true
    aligns: [acme/O1/KR2]
    key_results:
      - {id: KR1, title: Signups by hand, target: 50, current: 12, unit: signups}
"""
BOB = """\
objectives:
  - id: O1
    title: Mirror the platform number
    aligns: [platform/O1]
    key_results:
      - id: KR1
        title: Platform signups from 20 to 40
        start: 20
        target: 40
        unit: signups
        sum_of: [platform/O1/KR1]
"""
FILES = {"okr.yaml": BASIC_CONFIG, "org.yaml": BASIC_ORG, "2026-Q4/acme.yaml": COMPANY, "2026/acme.yaml": ANNUAL,
         "2026-Q4/platform.yaml": PLATFORM, "2026-Q4/alice.yaml": ALICE, "2026-Q4/bob.yaml": BOB}


def export(root: Path, *args: str) -> dict[str, dict]:
    result = run(["export", "--format", "json", "--all-cycles", *args], cwd=root, env=ENV)
    assert result.exit_code == 0, result.stderr
    return {k["ref"]: k for o in json.loads(result.stdout)["objectives"] for k in o["key_results"]}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_repo(tmp_path / "repo", FILES, base=False)


def test_a_sum_across_owners_adds_their_current_values(repo):
    krs = export(repo, "--include-private")
    kr = krs["2026-Q4:acme/O1/KR1"]
    # platform 30 + alice 12 = 42 of 0 -> 100: progress 0.42
    assert (kr["current"], kr["start"], kr["target"], kr["progress"]) == (42, 0, 100, pytest.approx(0.42))
    assert kr["derived"] == "sum_of"
    assert kr["sources"] == ["2026-Q4:platform/O1/KR1", "2026-Q4:alice/O1/KR1"]


def test_a_sum_in_the_annual_cycle_adds_quarterly_key_results(repo):
    kr = export(repo)["2026:acme/O1/KR1"]
    # the same 30 + 12 = 42, of the annual KR's own 0 -> 400: 0.105
    assert (kr["current"], kr["target"], kr["progress"]) == (42, 400, pytest.approx(0.105))


def test_a_mirror_keeps_its_own_start_and_target(repo):
    kr = export(repo)["2026-Q4:bob/O1/KR1"]
    # mirrors platform's 30 on bob's own scale 20 -> 40: (30 - 20) / 20 = 0.5
    assert (kr["current"], kr["start"], kr["target"], kr["progress"]) == (30, 20, 40, pytest.approx(0.5))
    assert kr["sources"] == ["2026-Q4:platform/O1/KR1"]


def test_a_rollup_is_the_weighted_mean_of_the_aligned_objectives_private_ones_counted_not_shown(repo):
    # platform/O1: KR1 0.3 (weight 1), KR2 0.5 (weight 3): score (0.3 + 1.5) / 4 = 0.45, weighs 4
    # alice/O1 (private): KR1 12/50 = 0.24, weighs 1
    # roll-up: (0.45 * 4 + 0.24 * 1) / 5 = 2.04 / 5 = 0.408
    public = export(repo)
    kr = public["2026-Q4:acme/O1/KR2"]
    assert kr["progress"] == pytest.approx(0.408)
    assert kr["derived"] == "rollup" and kr["sources"] == ["2026-Q4:platform/O1"]
    assert "2026-Q4:alice/O1/KR1" not in public
    tree = run(["tree"], cwd=repo, env=ENV)
    assert "KR2 rolled up from 2 objectives (1 private)" in tree.stdout
    assert "Hand-held" not in tree.stdout
    shown = export(repo, "--include-private")["2026-Q4:acme/O1/KR2"]
    assert shown["sources"] == ["2026-Q4:alice/O1", "2026-Q4:platform/O1"]  # in file order
    everything = run(["tree", "--include-private"], cwd=repo, env=ENV).stdout
    assert "KR2 rolled up from 2 objectives" in everything and "private)" not in everything
    # the company objective: (0.42 + 0.408) / 2 = 0.414
    obj = json.loads(run(["export", "--format", "json"], cwd=repo, env=ENV).stdout)["objectives"][0]
    assert obj["score"] == pytest.approx(0.414)


def test_show_and_list_say_what_a_derived_kr_comes_from(repo):
    shown = run(["show", "acme/O1/KR1"], cwd=repo, env=ENV)
    assert "0 → 100 signups, now 42, sum of platform/O1/KR1, alice/O1/KR1" in shown.stdout
    listed = run(["list", "--krs", "--owner", "bob"], cwd=repo, env=ENV)
    assert "mirror of platform/O1/KR1" in listed.stdout
    rows = json.loads(run(["list", "--krs", "--format", "json"], cwd=repo, env=ENV).stdout)["key_results"]
    assert {r["ref"]: r.get("derived") for r in rows}["2026-Q4:acme/O1/KR2"] == "rollup"


def test_a_derived_krs_status_is_by_pace(repo):
    krs = export(repo)
    # e = 46/92 = 0.5. acme KR1 at 0.42: 0.42 >= 0.7 * 0.5 = 0.35, on track.
    assert krs["2026-Q4:acme/O1/KR1"]["status"] == "on_track"
    # bob's mirror at 0.5 on track; the annual sum at 0.105 with e = (31+30+31+30+31+31+30+31+30+31+15)/365
    # = 321/365 = 0.879: 0.105 < 0.5 * 0.879 and 0.879 - 0.105 > 0.25: off track
    assert krs["2026-Q4:bob/O1/KR1"]["status"] == "on_track"
    assert krs["2026:acme/O1/KR1"]["status"] == "off_track"
    # at e = 1 (after the quarter), 0.42 is below 0.5 and 1 - 0.42 > 0.25: off track
    late = run(["export", "--format", "json"], cwd=repo, env={**ENV, "OKR_TODAY": "2027-01-10"})
    kr = json.loads(late.stdout)["objectives"][0]["key_results"][0]
    assert kr["status"] == "off_track"


def test_status_in_git_owes_only_plain_krs(tmp_path, monkeypatch):
    isolate_git(monkeypatch, tmp_path)
    root = init_repo(tmp_path / "repo")
    write_files(root, FILES)
    commit_all(root, "Q4 OKRs", date="2026-10-01T12:00:00+00:00")
    data = json.loads(run(["status", "--format", "json"], cwd=root, env=ENV).stdout)
    owed = {kr["ref"] for o in data["follow_up"]["owners"] for kr in o["key_results"]}
    assert owed == {"2026-Q4:platform/O1/KR1", "2026-Q4:platform/O1/KR2"}  # alice's is private


def test_checkin_refuses_a_derived_kr_naming_its_sources(repo, tmp_path, monkeypatch):
    isolate_git(monkeypatch, tmp_path)
    root = init_repo(tmp_path / "git", FILES)
    before = (root / "2026-Q4/acme.yaml").read_bytes()
    result = run(["checkin", "acme/O1/KR1", "50"], cwd=root, env=ENV)
    assert result.exit_code == 2
    assert "acme/O1/KR1 is the sum of platform/O1/KR1, alice/O1/KR1" in result.stderr
    mirror = run(["checkin", "bob/O1/KR1", "31"], cwd=root, env=ENV)
    assert mirror.exit_code == 2 and "bob/O1/KR1 mirrors platform/O1/KR1" in mirror.stderr
    rolled = run(["checkin", "acme/O1/KR2", "0.5"], cwd=root, env=ENV)
    assert rolled.exit_code == 2
    assert "rolled up from the objectives aligned to it (platform/O1 and 1 private objective)" in rolled.stderr
    assert "Hand-held" not in rolled.stderr
    both = run(["checkin", "platform/O1/KR1", "31", "acme/O1/KR1", "50"], cwd=root, env=ENV)
    assert both.exit_code == 2
    assert (root / "2026-Q4/acme.yaml").read_bytes() == before
    assert "checkin" not in run(["log"], cwd=root, env=ENV).stdout
    assert "Traceback" not in result.stderr + rolled.stderr


def test_interactive_checkin_does_not_ask_for_a_derived_kr(tmp_path, monkeypatch):
    isolate_git(monkeypatch, tmp_path)
    bob = BOB + "      - {id: KR2, title: Plain count, target: 10, current: 1}\n"
    root = init_repo(tmp_path / "git", {**FILES, "2026-Q4/bob.yaml": bob})
    result = run(["checkin", "--as", "bob"], cwd=root, env=ENV, input="")
    assert "bob/O1/KR2  Plain count" in result.stdout
    assert "bob/O1/KR1" not in result.stdout + result.stderr


# --- validation -------------------------------------------------------------------------------------


def check(root: Path) -> list[dict]:
    result = run(["check", "--format", "json"], cwd=root, env=ENV)
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout)


def findings_for(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, int, str, str]]:
    root = write_repo(tmp_path / "bad", {**FILES, **files}, base=False)
    return [(f["path"], f["line"], f["severity"], f["message"]) for f in check(root) if f["rule"] == "schema"]


def test_the_example_files_are_clean(repo):
    assert check(repo) == []


def test_a_derived_kr_with_current_or_done(tmp_path):
    found = findings_for(tmp_path, {"2026-Q4/bob.yaml": BOB.replace("        unit: signups\n",
                                                                      "        unit: signups\n        current: 3\n")})
    assert found == [("2026-Q4/bob.yaml", 11, "error", ("a derived key result (sum_of) has no 'current': okr adds "
                      "up the key results in 'sum_of'; remove 'current'"))]
    found = findings_for(tmp_path / "2", {"2026-Q4/acme.yaml": COMPANY.replace(
        "        rollup: aligned\n", "        rollup: aligned\n        done: false\n")})
    assert [(p, line, m.split(":")[0]) for p, line, _s, m in found] == [
        ("2026-Q4/acme.yaml", 13, "a derived key result (rollup) has no 'done'")]


def test_a_unit_mismatch_a_milestone_and_nothing(tmp_path):
    alice = ALICE.replace("unit: signups", "unit: leads") + "      - {id: KR2, title: Launch, done: false}\n"
    company = COMPANY.replace("[platform/O1/KR1, alice/O1/KR1]",
                              "[platform/O1/KR1, alice/O1/KR1, alice/O1/KR2, sre/O9/KR1, platform/O1]")
    found = findings_for(tmp_path, {"2026-Q4/alice.yaml": alice, "2026-Q4/acme.yaml": company})
    assert found == [
        ("2026-Q4/acme.yaml", 9, "error", ("'alice/O1/KR1' in sum_of counts in 'leads', this key result in "
                                          "'signups': the units of a sum must match")),
        ("2026-Q4/acme.yaml", 9, "error", ("'alice/O1/KR2' in sum_of is a milestone (done or not done): a sum "
                                          "adds numbers; name a numeric key result")),
        ("2026-Q4/acme.yaml", 9, "error", ("'sre/O9/KR1' in sum_of names nothing: no such key result "
                                          "(run okr list --krs)")),
        ("2026-Q4/acme.yaml", 9, "error", ("'platform/O1' in sum_of names an objective; name a key result "
                                          "(OWNER/OBJ/KR)")),
        ("2026/acme.yaml", 9, "error", ("'2026-Q4:alice/O1/KR1' in sum_of counts in 'leads', this key result in "
                                       "'signups': the units of a sum must match")),
    ]
    # what is valid still counts: platform's 30 alone
    krs = export(tmp_path / "bad")
    assert krs["2026-Q4:acme/O1/KR1"]["current"] == 30


def test_a_loop_of_sums(tmp_path):
    platform = PLATFORM.replace("{id: KR1, title: Signups from platform, target: 100, current: 30, unit: signups,",
                                "{id: KR1, title: Signups from platform, target: 100, sum_of: [bob/O1/KR1], "
                                "unit: signups,")
    found = findings_for(tmp_path, {"2026-Q4/platform.yaml": platform})
    loops = [f for f in found if "loop" in f[3]]
    assert sorted((p, line) for p, line, _s, _m in loops) == [("2026-Q4/bob.yaml", 11), ("2026-Q4/platform.yaml", 6)]
    assert all(s == "error" for _p, _l, s, _m in loops)
    assert "bob/O1/KR1 -> 2026-Q4:platform/O1/KR1" in loops[0][3] or "platform/O1/KR1 -> " in loops[0][3]
    assert run(["tree"], cwd=tmp_path / "bad", env=ENV).exit_code == 0


def test_a_rollup_with_nothing_aligned_is_a_warning(tmp_path):
    found = findings_for(tmp_path, {"2026-Q4/platform.yaml": PLATFORM.replace("aligns: [acme/O1/KR2]",
                                                                               "aligns: [acme/O1]"),
                                    "2026-Q4/alice.yaml": ALICE.replace("aligns: [acme/O1/KR2]", "aligns: [acme/O1]")})
    assert found == [("2026-Q4/acme.yaml", 12, "warning", ("nothing aligns to acme/O1/KR2: its roll-up stays 0 "
                      "until an objective writes aligns: [acme/O1/KR2]"))]
    assert run(["check"], cwd=tmp_path / "bad", env=ENV).exit_code == 0


def test_a_sum_of_a_cycle_not_enclosed(tmp_path):
    company = COMPANY.replace("[platform/O1/KR1, alice/O1/KR1]", '[platform/O1/KR1, "2026:acme/O1/KR1"]')
    found = findings_for(tmp_path, {"2026-Q4/acme.yaml": company})
    assert found == [("2026-Q4/acme.yaml", 9, "error", ("'2026:acme/O1/KR1' in sum_of is in 2026, which 2026-Q4 "
                      "does not enclose; a sum adds key results of its own cycle or of the cycles inside it"))]


def test_sum_of_must_be_a_list_of_references(tmp_path):
    found = findings_for(tmp_path, {"2026-Q4/bob.yaml": BOB.replace("sum_of: [platform/O1/KR1]", "sum_of: []")})
    assert [m for _p, _l, _s, m in found] == [
        "'sum_of' lists no key result: name one (a mirror) or more, such as [platform/O1/KR1]"]
    found = findings_for(tmp_path / "2", {"2026-Q4/bob.yaml": BOB.replace("sum_of: [platform/O1/KR1]",
                                                                           "rollup: everything")})
    assert any("'rollup' must be aligned" in m for _p, _l, _s, m in found)


# --- history: the derived value over time, from its sources' check-ins --------------------------------


def dated(day: str) -> dict[str, str]:
    when = f"{day}T12:00:00+00:00"
    return {**ENV, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}


@pytest.fixture
def checked_in(tmp_path: Path, monkeypatch) -> Path:
    """FILES committed on Oct 1, then platform/O1/KR1 40 (Oct 10), alice/O1/KR1 20 (Oct 20),
    platform/O1/KR1 55 (Nov 10). The sum acme/O1/KR1 (and the annual one) goes
    42 -> 52 -> 60 -> 75."""
    isolate_git(monkeypatch, tmp_path)
    root = init_repo(tmp_path / "repo")
    write_files(root, FILES)
    commit_all(root, "Q4 OKRs", date="2026-10-01T12:00:00+00:00")
    for day, ref, value in (("2026-10-10", "platform/O1/KR1", "40"), ("2026-10-20", "alice/O1/KR1", "20"),
                            ("2026-11-10", "platform/O1/KR1", "55")):
        result = run(["checkin", ref, value], cwd=root, env=dated(day))
        assert result.exit_code == 0, result.stderr
    return root


def test_log_of_a_derived_kr_shows_its_value_after_each_source_check_in(checked_in):
    result = run(["log", "acme/O1/KR1", "--format", "json"], cwd=checked_in, env=ENV)
    assert result.exit_code == 0, result.stderr
    got = [(c["date"][:10], c["kind"], c["ref"], c["previous"], c["value"], c["note"])
           for c in json.loads(result.stdout)["checkins"]]
    assert got == [
        ("2026-11-10", "derived", "2026-Q4:acme/O1/KR1", 60, 75, "from platform/O1/KR1"),
        ("2026-10-20", "derived", "2026-Q4:acme/O1/KR1", 52, 60, "from a private objective"),
        ("2026-10-10", "derived", "2026-Q4:acme/O1/KR1", 42, 52, "from platform/O1/KR1"),
    ]
    text = run(["log", "acme/O1/KR1"], cwd=checked_in, env=ENV).stdout.splitlines()
    assert "acme/O1/KR1  60 -> 75 signups (derived)" in text[0] and text[0].endswith("from platform/O1/KR1")
    # the annual sum adds the same quarterly check-ins
    annual = json.loads(run(["log", "2026:acme/O1/KR1", "--format", "json"], cwd=checked_in, env=ENV).stdout)
    assert [c["value"] for c in annual["checkins"]] == [75, 60, 52]
    assert next(c["note"] for c in annual["checkins"]) == "from 2026-Q4:platform/O1/KR1"


def test_log_of_everything_lists_check_ins_only(checked_in):
    data = json.loads(run(["log", "--format", "json"], cwd=checked_in, env=ENV).stdout)
    assert [c["kind"] for c in data["checkins"]] == ["checkin"] * 2  # alice's private one left out
    everything = json.loads(run(["log", "--include-private", "--format", "json"], cwd=checked_in, env=ENV).stdout)
    assert [c["kind"] for c in everything["checkins"]] == ["checkin"] * 3
    since = json.loads(run(["log", "acme/O1/KR1", "--since", "2026-10-15", "--format", "json"],
                           cwd=checked_in, env=ENV).stdout)
    assert [c["value"] for c in since["checkins"]] == [75, 60]
    by = json.loads(run(["log", "acme/O1/KR1", "--author", "tester@acme", "--format", "json"],
                        cwd=checked_in, env=ENV).stdout)
    assert [c["value"] for c in by["checkins"]] == [75, 52]  # the private objective's point names no author
    nobody = run(["log", "acme/O1/KR1", "--author", "nobody", "--format", "json"], cwd=checked_in, env=ENV)
    assert json.loads(nobody.stdout)["checkins"] == []
    objective = json.loads(run(["log", "platform/O1", "--format", "json"], cwd=checked_in, env=ENV).stdout)
    assert [(c["kind"], c["value"]) for c in objective["checkins"]] == [("checkin", 55), ("checkin", 40)]


def test_rollup_history_in_the_log(checked_in):
    data = json.loads(run(["log", "acme/O1/KR2", "--format", "json"], cwd=checked_in, env=ENV).stdout)
    # platform/O1 = (KR1 + 3 * 0.5) / 4 weighs 4, alice/O1 = KR1/50 weighs 1 (see the roll-up test):
    # Oct 10: KR1 0.4: (1.9 + 0.24) / 5 = 0.428; Oct 20: alice 0.4: (1.9 + 0.4) / 5 = 0.46;
    # Nov 10: KR1 0.55: (2.05 + 0.4) / 5 = 0.49
    got = [(c["previous"], c["value"]) for c in reversed(data["checkins"])]
    assert got == [(0.408, 0.428), (0.428, 0.46), (0.46, 0.49)]


def test_review_burn_up_of_a_derived_kr(checked_in):
    result = run(["review", "--format", "json"], cwd=checked_in, env={**ENV, "OKR_TODAY": "2027-01-04"})
    assert result.exit_code == 0, result.stderr
    krs = {k["ref"]: k for o in json.loads(result.stdout)["objectives"] for k in o["key_results"]}
    kr = krs["2026-Q4:acme/O1/KR1"]
    assert kr["history"] == [{"date": "2026-10-10", "value": 52, "progress": 0.52},
                             {"date": "2026-10-20", "value": 60, "progress": 0.6},
                             {"date": "2026-11-10", "value": 75, "progress": 0.75}]
    assert kr["start_progress"] == pytest.approx(0.42)
    mirror = krs["2026-Q4:bob/O1/KR1"]  # 20 -> 40: 40 is 1.0, 55 is past the target
    assert [(p["value"], p["progress"]) for p in mirror["history"]] == [(40, 1.0), (55, 1.0)]
    rolled = krs["2026-Q4:acme/O1/KR2"]
    assert [p["progress"] for p in rolled["history"]] == pytest.approx([0.428, 0.46, 0.49])
    # the annual review reads the quarter's check-ins: 52, 60, 75 of 400
    annual = json.loads(run(["review", "2026", "--format", "json"], cwd=checked_in,
                            env={**ENV, "OKR_TODAY": "2027-01-04"}).stdout)
    [okr] = [k for o in annual["objectives"] for k in o["key_results"]]
    assert [p["progress"] for p in okr["history"]] == [0.13, 0.15, 0.1875]


def test_report_moved_shows_the_derived_value_and_the_source_check_ins(checked_in):
    result = run(["report", "--since", "2026-10-15", "--format", "json"], cwd=checked_in, env=ENV)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    moved = {m["ref"]: m for t in data["teams"] for m in t["moved"]}
    kr = moved["2026-Q4:acme/O1/KR1"]
    assert (kr["before"], kr["now"], kr["progress_before"], kr["progress"]) == (52, 75, 0.52, 0.75)
    assert [(c["kind"], c["value"], c["note"]) for c in kr["checkins"]] == [
        ("derived", 60, "from a private objective"), ("derived", 75, "from platform/O1/KR1")]
    assert [c["author"] for c in kr["checkins"]] == ["", "Okr Tester"]
    owed = {o["ref"] for t in data["teams"] for o in t["owed"]}
    assert not owed & {"2026-Q4:acme/O1/KR1", "2026-Q4:acme/O1/KR2", "2026-Q4:bob/O1/KR1"}
    assert kr["derived"] == "sum_of"
    rolled = moved["2026-Q4:acme/O1/KR2"]  # a roll-up's values read as scores
    assert (rolled["before"], rolled["now"], rolled["derived"]) == (0.428, 0.49, "rollup")
    text = run(["report", "--since", "2026-10-15"], cwd=checked_in, env=ENV).stdout
    assert "0.43 → 0.49" in text
    # a window with no source check-in: the derived KR did not move
    quiet = json.loads(run(["report", "--since", "2026-11-12", "--format", "json"], cwd=checked_in,
                           env=ENV).stdout)
    assert "2026-Q4:acme/O1/KR1" not in {m["ref"] for t in quiet["teams"] for m in t["moved"]}


def test_at_a_date_computes_derived_values_from_the_files_then(checked_in):
    krs = export(checked_in, "--at", "2026-10-15")
    assert krs["2026-Q4:acme/O1/KR1"]["current"] == 52  # platform 40 + alice 12
    assert krs["2026:acme/O1/KR1"]["current"] == 52
    assert krs["2026-Q4:bob/O1/KR1"]["current"] == 40
    assert krs["2026-Q4:acme/O1/KR2"]["progress"] == pytest.approx(0.428)
    now = export(checked_in)
    assert now["2026-Q4:acme/O1/KR1"]["current"] == 75
    tree = run(["tree", "--krs", "--at", "2026-10-15"], cwd=checked_in, env=ENV).stdout
    assert "0 → 100 signups, now 52, sum of platform/O1/KR1, alice/O1/KR1" in tree


def test_editing_a_derived_krs_own_fields_by_hand_is_no_edit_of_its_value(checked_in):
    bob = checked_in / "2026-Q4/bob.yaml"
    bob.write_text(bob.read_text(encoding="utf-8").replace("start: 20", "start: 15"), encoding="utf-8")
    commit_all(checked_in, "Bob's mirror starts at 15", date="2026-11-12T12:00:00+00:00")
    data = json.loads(run(["log", "--include-private", "--format", "json"], cwd=checked_in, env=ENV).stdout)
    assert [c["kind"] for c in data["checkins"]] == ["checkin"] * 3
    kr = export(checked_in)["2026-Q4:bob/O1/KR1"]
    assert (kr["current"], kr["progress"]) == (55, 1.0)  # still the mirror of platform's 55


def test_hostile_sum_of_and_rollup_values_are_findings(tmp_path):
    bob = BOB.replace("sum_of: [platform/O1/KR1]", 'sum_of: [1, "../../etc/O1/KR1"]') + \
        "      - {id: KR2, title: Rolled, rollup: [aligned]}\n" + \
        '      - {id: KR3, title: Rolled, rollup: "al\\u202eigned"}\n'
    found = findings_for(tmp_path, {"2026-Q4/bob.yaml": bob})
    messages = [m for _p, _l, _s, m in found]
    assert messages[0] == "each entry of 'sum_of' must be a reference such as platform/O1/KR1; quote it"
    assert messages[1].startswith("'../../etc/O1/KR1' is not a reference")
    assert "'rollup' must be a single value, not a list" in messages
    assert "'rollup' must be aligned (the objectives aligned to this key result), not al\u202eigned" in messages
    text = run(["check"], cwd=tmp_path / "bad", env=ENV).stdout
    assert "\u202e" not in text and "not al\\u202eigned" in text  # made visible on a terminal


@pytest.mark.parametrize("workers", ["1", "3"])
def test_the_forked_loader_keeps_what_derives_a_kr(repo, monkeypatch, workers):
    from okrcli.load.build import load_repository

    monkeypatch.setenv("OKR_WORKERS", "1")
    serial, serial_diags = load_repository(repo)
    monkeypatch.setenv("OKR_WORKERS", workers)
    forked, forked_diags = load_repository(repo)
    assert forked.files == serial.files and forked_diags == serial_diags
    assert forked.derived == serial.derived
    kr = forked.objectives["2026-Q4:acme/O1"].kr("KR1")
    assert (kr.derived, [e.text for e in kr.sum_of], kr.current) == (
        "sum_of", ["platform/O1/KR1", "alice/O1/KR1"], 42)
    assert [(e.loc.line, e.loc.column) for e in kr.sum_of] == [(9, 18), (9, 35)]


def test_a_chain_of_1500_sums_and_a_loop_as_long_are_evaluated_without_recursion(tmp_path):
    n = 1500
    chain = [f"      - {{id: KR{i}, title: k{i}, target: 10, sum_of: [bob/O1/KR{i + 1}]}}" for i in range(1, n)]
    loop = [f"      - {{id: KR{i}, title: k{i}, target: 10, sum_of: [bob/O2/KR{i % n + 1}]}}" for i in range(1, n + 1)]
    bob = "\n".join(["objectives:", "  - id: O1", "    title: Deep", "    aligns: [platform/O1]", "    key_results:",
                     *chain, f"      - {{id: KR{n}, title: last, target: 10, current: 7}}",
                     "  - id: O2", "    title: Round", "    aligns: [platform/O1]", "    key_results:", *loop]) + "\n"
    root = write_repo(tmp_path / "deep", {**FILES, "2026-Q4/bob.yaml": bob}, base=False)
    found = [f for f in check(root) if f["rule"] == "schema"]
    assert len(found) == n and all("a loop of derived key results" in f["message"] for f in found)
    assert len(found[0]["message"]) < 300  # the chain is cut, not written out 1,500 times
    krs = export(root)
    assert krs["2026-Q4:bob/O1/KR1"]["current"] == 7  # through 1,499 mirrors (deeper than Python recursion)
    assert krs["2026-Q4:bob/O2/KR1"]["current"] == 0  # a loop has no value


def test_checkin_from_a_file_refuses_a_derived_kr_and_writes_nothing(tmp_path, monkeypatch):
    isolate_git(monkeypatch, tmp_path)
    root = init_repo(tmp_path / "git", FILES)
    before = {rel: (root / rel).read_bytes() for rel in ("2026-Q4/acme.yaml", "2026-Q4/platform.yaml")}
    rows = json.dumps([{"ref": "platform/O1/KR1", "value": 31}, {"ref": "acme/O1/KR1", "value": 50}])
    result = run(["checkin", "--from", "-"], cwd=root, env=ENV, input=rows)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "acme/O1/KR1 is the sum of platform/O1/KR1, alice/O1/KR1" in result.stderr
    assert {rel: (root / rel).read_bytes() for rel in before} == before  # the good row is not written either
    assert "checkin" not in run(["log"], cwd=root, env=ENV).stdout


def test_log_json_of_derived_values_is_what_the_standard_encoder_writes(checked_in):
    for ref in ("acme/O1/KR1", "acme/O1/KR2", "2026:acme/O1/KR1"):
        out = run(["log", ref, "--format", "json"], cwd=checked_in, env=ENV).stdout
        assert out == json.dumps(json.loads(out), indent=2, ensure_ascii=False, allow_nan=True) + "\n"
