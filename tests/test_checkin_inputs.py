"""What `okr checkin` accepts: confidence-only and note-only check-ins, a confidence per key
result, negative values without `--`, the interactive confidence question, a hook's output with
its line breaks, and `--from FILE|-` (JSON or CSV, validated whole before anything is written)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from conftest import run
from gitrepo import assert_nothing_lost, git, init_repo, isolate_git, snapshot
from test_checkin import ALICE, FILES, OKR, with_value

from okrcli.load.history import trailer_groups

PRIVATE = (
    b"  - id: O2\n"
    b"    title: Hire a staff engineer\n"
    b"    private: true\n"
    b"    aligns: [eng/O1]\n"
    b"    key_results:\n"
    b"      - {id: KR1, title: Candidates interviewed, start: 0, target: 8, current: 2}\n"
)


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch, tmp_path):
    isolate_git(monkeypatch, tmp_path)


@pytest.fixture
def repo(tmp_path) -> Path:
    return init_repo(tmp_path / "repo", {**FILES, OKR: ALICE + PRIVATE})


BASE = ALICE + PRIVATE


def checkin(repo: Path, *args: str, **kwargs):
    return run(["checkin", *args], cwd=repo, **kwargs)


def head(repo: Path) -> str:
    return git(repo, "log", "-1", "--format=%B")


def groups(repo: Path) -> list[dict[str, list[str]]]:
    return trailer_groups(head(repo))


# --- confidence-only, note-only ------------------------------------------------------------------


def test_a_confidence_only_checkin_keeps_the_value_and_commits_the_trailers(repo):
    before = snapshot(repo, (OKR,))
    result = checkin(repo, "alice/O1/KR1", "--confidence", "0.4", "--note", "blocked on vendor")
    assert result.exit_code == 0, result.stderr
    expected = with_value(BASE, b"confidence: 0.6\n", b"confidence: 0.4\n")
    assert_nothing_lost(repo, before, committed={OKR: expected})
    assert result.stdout.endswith("] checkin alice/O1/KR1: confidence 0.6 -> 0.4 (25 min)\n")
    message = head(repo)
    assert message.startswith("checkin alice/O1/KR1: confidence 0.6 -> 0.4 (25 min)\n\n"
                              "blocked on vendor\n\n")
    assert groups(repo) == [{"okr-cycle": ["2026-Q4"], "okr-kr": ["alice/O1/KR1"], "okr-value": ["25"],
                             "okr-previous": ["25"], "okr-confidence": ["0.4"], "okr-unit": ["min"]}]
    # okr log shows it as a check-in of the same value.
    log = run(["log", "alice/O1/KR1", "--format", "json"], cwd=repo)
    assert log.exit_code == 0 and json.loads(log.stdout)["checkins"][0]["confidence"] == 0.4


def test_a_note_only_checkin_records_an_empty_commit(repo):
    before = snapshot(repo, (OKR,))
    result = checkin(repo, "alice/O1/KR2", "--note", "vendor signed")
    assert result.exit_code == 0, result.stderr
    assert_nothing_lost(repo, before, committed={OKR: BASE}, empty_commit=True)
    assert head(repo).startswith("checkin alice/O1/KR2: not done -> not done\n\nvendor signed\n\n")
    assert groups(repo)[0]["okr-value"] == ["not-done"]


def test_a_ref_without_value_confidence_or_note_is_refused(repo):
    before = snapshot(repo, (OKR,))
    result = checkin(repo, "alice/O1/KR1", "alice/O1/KR3", "12")
    assert result.exit_code == 2
    assert result.stderr.startswith("okr: error: alice/O1/KR1 has no value: give one, a confidence or a note\n")
    assert "--confidence 0.6" in result.stderr
    assert_nothing_lost(repo, before)


# --- a confidence per key result -----------------------------------------------------------------


def test_each_key_result_can_carry_its_own_confidence(repo):
    before = snapshot(repo, (OKR,))
    result = checkin(repo, "alice/O1/KR1", "20", "alice/O1/KR3", "12", "alice/O2/KR1", "3",
                     "--confidence", "alice/O1/KR1=0.8", "--confidence", "alice/O1/KR3=0.3",
                     "--confidence", "0.5")
    assert result.exit_code == 0, result.stderr
    expected = (with_value(ALICE).replace(b"confidence: 0.6\n", b"confidence: 0.8\n")
                .replace(b'unit: "tests"\n', b'unit: "tests"\n        current: 12\n        confidence: 0.3\n')
                + PRIVATE.replace(b"current: 2}", b"current: 3, confidence: 0.5}"))
    assert_nothing_lost(repo, before, committed={OKR: expected})
    assert [(g["okr-kr"], g["okr-confidence"]) for g in groups(repo)] == [
        (["alice/O1/KR1"], ["0.8"]), (["alice/O1/KR3"], ["0.3"]), (["alice/O2/KR1"], ["0.5"])]
    assert "REF=X" in run(["checkin", "--help"]).stdout


@pytest.mark.parametrize(("args", "words"), [
    (["alice/O1/KR1", "20", "--confidence", "alice/O1/KR3=0.3"], "alice/O1/KR3 is not checked in here"),
    (["--confidence", "alice/O1/KR3=0.3"], "--confidence REF=X names a key result; name it as REF too"),
    (["alice/O1/KR1", "20", "--confidence", "alice/O1/KR1=1.5"], "must be a number from 0 to 1"),
    (["alice/O1/KR1", "20", "--confidence", "=0.5"], "name the key result before '='"),
    (["alice/O1/KR1", "20", "--confidence", "0.5", "--confidence", "0.6"], "--confidence X is given twice"),
    (["alice/O1/KR1", "20", "--confidence", "alice/O1=0.5"], "that is an objective"),
])
def test_bad_confidences_are_refused(repo, args, words):
    before = snapshot(repo, (OKR,))
    result = checkin(repo, *args)
    assert result.exit_code == 2 and words in result.stderr, result.stderr
    assert_nothing_lost(repo, before)


# --- negative values -----------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "written"), [
    (["alice/O1/KR1", "-3"], b"current: -3 "),
    (["alice/O1/KR1", "-0.5", "--confidence", "0.2"], b"current: -0.5 "),
    (["--note", "-5 is bad", "alice/O1/KR1", "-12min"], b"current: -12 "),
    (["alice/O1/KR1", "--", "-3"], b"current: -3 "),
])
def test_negative_values_need_no_double_dash(repo, args, written):
    result = checkin(repo, "--no-commit", *args)
    assert result.exit_code == 0, result.stderr
    assert written in (repo / OKR).read_bytes()


def test_an_unknown_option_is_still_refused(repo):
    result = checkin(repo, "alice/O1/KR1", "3", "--confidnce", "0.5")
    assert result.exit_code == 2 and "No such option: --confidnce" in result.stderr
    assert (repo / OKR).read_bytes() == BASE


# --- interactive: the confidence is asked even when the value is kept ----------------------------


def test_interactive_asks_the_confidence_when_the_value_is_kept(repo):
    before = snapshot(repo, (OKR,))
    # KR1: keep 25, confidence 0.3; KR2, KR3 and O2/KR1: Enter twice each; then the note.
    answers = "\n0.3\n" + "\n\n" * 3 + "Vendor late\n"
    result = checkin(repo, env={"OKR_USER": "alice"}, input=answers)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("Confidence (0-1)") == 4
    expected = with_value(BASE, b"confidence: 0.6\n", b"confidence: 0.3\n")
    assert_nothing_lost(repo, before, committed={OKR: expected})
    assert head(repo).startswith("checkin alice/O1/KR1: confidence 0.6 -> 0.3 (25 min)\n\nVendor late\n")


# --- a hook's output keeps its line breaks -------------------------------------------------------


def test_a_rejecting_hooks_output_keeps_its_line_breaks(repo):
    path = repo / ".git" / "hooks" / "pre-commit"
    path.write_text("#!/bin/sh\necho 'first problem'\necho 'second problem'\nexit 1\n")
    path.chmod(0o755)
    result = checkin(repo, "alice/O1/KR1", "20")
    assert result.exit_code == 2
    assert "okr: error: a git hook rejected the commit:\n  first problem\n  second problem\n" in result.stderr
    assert "\\n" not in result.stderr
    assert (repo / OKR).read_bytes() == BASE


# --- --from FILE|- -------------------------------------------------------------------------------


ROWS = [
    {"ref": "alice/O1/KR1", "value": 20, "note": "p95 from the deploy dashboard",
     "link": "https://ci.acme.test/runs/7"},
    {"ref": "alice/O1/KR2", "value": "done"},
    {"ref": "alice/O1/KR3", "value": 30, "confidence": 0.9},  # unchanged: still recorded
    {"ref": "alice/O2/KR1", "value": 3},  # a private objective's KR
]
FROM_EXPECTED = (with_value(ALICE).replace(b"done: false}", b"done: true}")
                 .replace(b'unit: "tests"\n', b'unit: "tests"\n        confidence: 0.9\n')
                 + PRIVATE.replace(b"current: 2}", b"current: 3}"))


def _check_from_commit(repo: Path, result, before, kr2_links: list[str] | None = None) -> None:
    assert result.exit_code == 0, result.stderr
    assert_nothing_lost(repo, before, committed={OKR: FROM_EXPECTED})
    assert git(repo, "rev-list", "--count", "HEAD") == "2\n"  # one commit for the lot
    found = groups(repo)
    assert [(g["okr-kr"][0], g["okr-value"][0], g["okr-previous"][0]) for g in found] == [
        ("alice/O1/KR1", "20", "25"), ("alice/O1/KR2", "done", "not-done"),
        ("alice/O1/KR3", "30", "30"), ("alice/O2/KR1", "3", "2")]
    assert found[0]["okr-link"] == ["https://ci.acme.test/runs/7"]
    assert found[1].get("okr-link") == kr2_links and found[2]["okr-confidence"] == ["0.9"]
    assert "\n\np95 from the deploy dashboard\n\n" in head(repo)


def test_from_json_on_stdin(repo):
    before = snapshot(repo, (OKR,))
    result = checkin(repo, "--from", "-", input=json.dumps(ROWS, indent=2))
    _check_from_commit(repo, result, before)


def test_from_a_csv_file(repo, tmp_path):
    data = tmp_path / "measured.csv"
    data.write_text("ref,value,confidence,note,link\n"
                    "alice/O1/KR1,20,,p95 from the deploy dashboard,https://ci.acme.test/runs/7\n"
                    "alice/O1/KR2,done,,,https://a.test/1 https://a.test/2\n"
                    "\n"
                    "alice/O1/KR3,30,0.9,,\n"
                    "alice/O2/KR1,3,,,\n")
    before = snapshot(repo, (OKR,))
    result = checkin(repo, "--from", str(data))
    _check_from_commit(repo, result, before, kr2_links=["https://a.test/1", "https://a.test/2"])


def test_from_a_json_file_with_notes_on_several_rows(repo, tmp_path):
    data = tmp_path / "m.json"
    data.write_text(json.dumps([{"ref": "alice/O1/KR1", "value": 21, "note": "dashboard"},
                                {"ref": "alice/O1/KR3", "value": 12, "note": "CI flake report"}]))
    result = checkin(repo, "--from", str(data), "--note", "Weekly numbers from CI")
    assert result.exit_code == 0, result.stderr
    assert head(repo).startswith("checkin alice/O1/KR1: 25 -> 21 min, alice/O1/KR3: 30 -> 12 tests\n\n"
                                 "Weekly numbers from CI\n\n"
                                 "alice/O1/KR1: dashboard\nalice/O1/KR3: CI flake report\n\n")


def test_from_with_bad_rows_names_each_with_its_line_and_writes_nothing(repo, tmp_path):
    data = tmp_path / "bad.json"
    data.write_text(textwrap.dedent("""\
        [
          {"ref": "alice/O1/KR1", "value": 20},
          {"ref": "alice/O1/KR2", "value": 3},
          {"ref": "alcie/O1/KR1", "value": 3},
          {"ref": "alice/O1/KR3", "value": 12, "confidence": 1.5},
          {"ref": "alice/O1/KR1", "value": 21},
          {"ref": "alice/O1/KR3", "valeu": 12},
          "alice/O1/KR3",
          {"ref": "alice/O1", "value": 1}
        ]
        """))
    before = snapshot(repo, (OKR,))
    result = checkin(repo, "--from", str(data))
    assert (result.exit_code, result.stdout) == (2, "")
    lines = result.stderr.splitlines()
    assert [line.split(": ", 1)[0] for line in lines[:7]] == [f"{data}:{n}" for n in (3, 4, 5, 6, 7, 8, 9)]
    assert "alice/O1/KR2 is a milestone" in lines[0]
    assert "alcie" in lines[1]
    assert "must be a number from 0 to 1" in lines[2]
    assert "already checked in on line 2" in lines[3]
    assert "unknown field 'valeu'" in lines[4]
    assert "each item must be an object" in lines[5]
    assert "is an objective" in lines[6]
    assert lines[7] == f"okr: error: 7 bad rows in {data} (above); nothing was written"
    assert_nothing_lost(repo, before)


@pytest.mark.parametrize(("text", "words"), [
    ('[{"ref": "alice/O1/KR1", "value": 20},\n {"ref": }]', "<stdin>:2: not valid JSON"),
    ('[{"ref": "alice/O1/KR1", "value": NaN}]', "<stdin>:1: NaN is not a number JSON allows"),
    ("ref,valeur\nalice/O1/KR1,3\n", "<stdin>:1: unknown column 'valeur'"),
    ("", "<stdin> holds no check-ins"),
    ("[]", "<stdin> holds no check-ins"),
    ("ref,value\nalice/O1/KR1,3,4\n", "<stdin>:2: has 3 cells, the header 2"),
])
def test_from_unreadable_input_is_refused(repo, text, words):
    before = snapshot(repo, (OKR,))
    result = checkin(repo, "--from", "-", input=text)
    assert result.exit_code == 2 and words in result.stderr, result.stderr
    assert_nothing_lost(repo, before)


def test_from_refuses_refs_on_the_command_line_too(repo):
    result = checkin(repo, "alice/O1/KR1", "3", "--from", "-", input="[]")
    assert result.exit_code == 2 and "--from reads every check-in from its file" in result.stderr
    missing = checkin(repo, "--from", "nowhere.json")
    assert missing.exit_code == 2 and "cannot read nowhere.json" in missing.stderr


def test_from_with_no_commit_only_edits_the_file(repo):
    before = snapshot(repo, (OKR,))
    result = checkin(repo, "--from", "-", "--no-commit", input=json.dumps(ROWS))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("edited 2026-Q4/alice.yaml (not committed): alice/O1/KR1: 25 -> 20 min")
    assert (repo / OKR).read_bytes() == FROM_EXPECTED
    assert git(repo, "rev-parse", "HEAD") == before.head + "\n"
