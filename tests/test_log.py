"""`okr log` through the CLI: what it shows, what REF and the options select, where it works."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from conftest import BASIC_COMPANY, BASIC_CONFIG, BASIC_ORG, run
from gitrepo import commit_all, git, git_env, init_repo, isolate_git, write_files

ALICE = textwrap.dedent(
    """\
    objectives:
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
          - {id: KR2, title: Canary analysis, done: false}
      - id: O2
        title: Make on-call calm
        standalone: Bottom-up
        key_results:
          - {id: KR1, title: Pages per week below 5, target: 5, keep: below, current: 3}
    """
)
OWNERS = ("alice", "bob", "carol", "platform")
FILES = {"okr.yaml": BASIC_CONFIG, "org.yaml": BASIC_ORG, "2026-Q4/acme.yaml": BASIC_COMPANY} | {
    f"2026-Q4/{owner}.yaml": ALICE for owner in OWNERS} | {"2026-Q3/alice.yaml": ALICE}
PEOPLE = {"alice": ("Alice Chen", "alice@acme.test"), "bob": ("Bob Li", "bob@acme.test"),
          "carol": ("Carol Diaz", "carol@acme.test")}


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch, tmp_path):
    isolate_git(monkeypatch, tmp_path)


def as_of(day: int, who: str = "alice") -> dict[str, str]:
    stamp = f"2026-11-{day:02d}T10:00:00+00:00"
    name, email = PEOPLE[who]
    return {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp, "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email}


def checkin(repo: Path, day: int, who: str, *args: str, cwd: Path | None = None) -> None:
    result = run(["checkin", *args], cwd=cwd or repo, env=as_of(day, who))
    assert result.exit_code == 0, result.stderr


def log(cwd: Path, *args: str, **kwargs):
    return run(["log", *args], cwd=cwd, **kwargs)


@pytest.fixture
def repo(tmp_path) -> Path:
    repo = init_repo(tmp_path / "repo", FILES)
    checkin(repo, 2, "alice", "alice/O1/KR1", "22", "--confidence", "0.5", "--note", "Cache warmed\n\nDetails.",
            "--link", "https://ci/1")
    checkin(repo, 3, "bob", "bob/O1/KR2", "done")
    checkin(repo, 4, "carol", "carol/O2/KR1", "4")
    checkin(repo, 5, "bob", "platform/O1/KR1", "30")
    checkin(repo, 6, "alice", "2026-Q3:alice/O1/KR1", "35")
    path = repo / "2026-Q4/alice.yaml"
    path.write_text(path.read_text().replace("current: 22", "current: 21"))
    commit_all(repo, "Fix a typo in the numbers", date="2026-11-07T10:00:00+00:00")
    return repo


def refs(result) -> list[str]:
    return [c["ref"] for c in json.loads(result.stdout)["checkins"]]


def test_text_shows_date_author_ref_change_confidence_and_note_newest_first(repo):
    result = log(repo)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "2026-11-07  Okr Tester  alice/O1/KR1          22 -> 21 min (edit)  confidence 0.5  Fix a typo in the numbers",
        "2026-11-06  Alice Chen  2026-Q3:alice/O1/KR1  25 -> 35 min",
        "2026-11-05  Bob Li      platform/O1/KR1       25 -> 30 min",
        "2026-11-04  Carol Diaz  carol/O2/KR1          3 -> 4",
        "2026-11-03  Bob Li      bob/O1/KR2            not done -> done",
        "2026-11-02  Alice Chen  alice/O1/KR1          25 -> 22 min         confidence 0.5  Cache warmed",
    ]
    assert result.stderr == ""


def test_json_carries_everything(repo):
    result = log(repo, "alice/O1/KR1", "--format", "json")
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["shallow"] is False
    edit, first = payload["checkins"]
    assert edit["kind"] == "edit" and edit["value"] == 21 and edit["previous"] == 22
    sha = git(repo, "rev-list", "-n", "1", "--skip=5", "HEAD").strip()
    assert first == {
        "date": "2026-11-02T10:00:00+00:00", "kind": "checkin", "ref": "2026-Q4:alice/O1/KR1",
        "cycle": "2026-Q4", "value": 22, "previous": 25, "unit": "min", "confidence": 0.5,
        "author": {"name": "Alice Chen", "email": "alice@acme.test"}, "commit": sha,
        "note": "Cache warmed\n\nDetails.", "links": ["https://ci/1"],
    }


@pytest.mark.parametrize(
    "args, expected",
    [
        (["alice/O1/KR1"], ["2026-Q4:alice/O1/KR1", "2026-Q4:alice/O1/KR1"]),
        (["2026-Q3:alice/O1"], ["2026-Q3:alice/O1/KR1"]),
        (["bob/O1"], ["2026-Q4:bob/O1/KR2"]),
        (["bob"], ["2026-Q4:bob/O1/KR2"]),
        (["platform"], ["2026-Q4:platform/O1/KR1", "2026-Q4:bob/O1/KR2"]),  # a team: its members too
        (["eng"], ["2026-Q4:alice/O1/KR1", "2026-Q3:alice/O1/KR1", "2026-Q4:platform/O1/KR1",
                   "2026-Q4:carol/O2/KR1", "2026-Q4:bob/O1/KR2", "2026-Q4:alice/O1/KR1"]),
        (["acme", "-n", "2"], ["2026-Q4:alice/O1/KR1", "2026-Q3:alice/O1/KR1"]),
        (["--cycle", "2026-Q3"], ["2026-Q3:alice/O1/KR1"]),
        (["--since", "2026-11-05"], ["2026-Q4:alice/O1/KR1", "2026-Q3:alice/O1/KR1", "2026-Q4:platform/O1/KR1"]),
        (["--since", "3d"], ["2026-Q4:alice/O1/KR1", "2026-Q3:alice/O1/KR1"]),
        (["--since", "5d", "--author", "bob"], ["2026-Q4:platform/O1/KR1"]),
        (["--author", "bob"], ["2026-Q4:platform/O1/KR1", "2026-Q4:bob/O1/KR2"]),
        (["--author", "CAROL DIAZ"], ["2026-Q4:carol/O2/KR1"]),
        (["--author", "nobody"], []),
    ],
)
def test_selection(repo, args, expected):
    result = log(repo, "--format", "json", *args, env={"OKR_TODAY": "2026-11-09"})
    assert result.exit_code == 0, result.stderr
    assert refs(result) == expected


def test_since_a_revision(repo):
    third = git(repo, "rev-list", "-n", "1", "--skip=3", "HEAD").strip()  # carol's day-4 check-in
    result = log(repo, "--since", third[:10], "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert refs(result) == ["2026-Q4:alice/O1/KR1", "2026-Q3:alice/O1/KR1", "2026-Q4:platform/O1/KR1"]


def test_from_a_folder_below_the_git_top_level(tmp_path):
    mono = init_repo(tmp_path / "mono", {f"okrs/{k}": v for k, v in FILES.items()} | {"app/main.py": "x\n"})
    checkin(mono, 2, "alice", "alice/O1/KR1", "22", cwd=mono / "okrs")
    (mono / "app/main.py").write_text("y\n")
    commit_all(mono, "Code change", date="2026-11-03T10:00:00+00:00")
    result = log(mono / "okrs" / "2026-Q4")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "2026-11-02  Alice Chen  alice/O1/KR1  25 -> 22 min\n"


def test_shallow_clone_warns_that_history_is_cut(repo, tmp_path):
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "5", f"file://{repo}", str(clone))
    result = log(clone)
    assert result.exit_code == 0, result.stderr
    assert "shallow clone" in result.stderr and "--unshallow" in result.stderr
    assert len(result.stdout.splitlines()) == 5  # the day-2 check-in is beyond the cut
    assert json.loads(log(clone, "--format", "json").stdout)["shallow"] is True


def test_user_text_is_printed_literally(repo):
    checkin(repo, 8, "alice", "alice/O2/KR1", "2", "--note", "[red]alert[/red] \u202egnp.exe")
    line = log(repo, "-n", "1").stdout
    assert "[red]alert[/red] \\u202egnp.exe" in line


@pytest.mark.parametrize(
    "args, words",
    [
        (["alcie"], "did you mean alice"),
        (["alice/O9"], "alice/O9"),
        (["../x/O1"], "not a reference"),
        (["--since", "someday"], "not a date"),
        (["--since", "2026-13-01"], "not a date"),
        (["--cycle", "2026-Q7"], "not a cycle"),
        (["--format", "xml"], "--format"),
    ],
)
def test_refusals(repo, args, words):
    result = log(repo, *args)
    assert result.exit_code == 2
    assert words in result.stderr and "Traceback" not in result.stderr


def test_outside_git_and_with_no_history(tmp_path):
    plain = tmp_path / "plain"
    write_files(plain, FILES)
    result = log(plain)
    assert result.exit_code == 2 and "not inside a git work tree" in result.stderr
    fresh = init_repo(tmp_path / "fresh", FILES)
    result = log(fresh)
    assert result.exit_code == 0 and result.stdout == "" and "no check-ins" in result.stderr


def standard(text: str) -> str:
    """A JSON document as the standard encoder writes it, indented by two (render.json.dumps)."""
    return json.dumps(json.loads(text), indent=2, ensure_ascii=False, allow_nan=True) + "\n"


def test_json_is_byte_for_byte_what_the_standard_encoder_writes(repo):
    checkin(repo, 8, "alice", "alice/O2/KR1", "2.75", "--note", "Ünïcode \"quoted\" \\ back\tslash \u202e",
            "--link", "https://ci/2", "--link", "https://ci/\"3\"")
    checkin(repo, 9, "bob", "bob/O1/KR2", "not-done", "--confidence", "1")
    for args in ([], ["alice"], ["--include-private"], ["--cycle", "2026-Q3"], ["-n", "2"], ["nobody"]):
        result = log(repo, "--format", "json", *args)
        if result.exit_code == 0:
            assert result.stdout == standard(result.stdout), args
    assert '"links": [\n        "https://ci/2",' in log(repo, "--format", "json").stdout


def test_zero_and_minus_zero_are_told_apart(repo):
    """Values that compare equal but print differently (0.0 and -0.0) are each shown as written."""
    import math

    for day, sign in ((8, ""), (9, "-")):
        git(repo, "commit", "-q", "--allow-empty", "-m",
            f"checkin\n\nOkr-Cycle: 2026-Q4\nOkr-KR: alice/O1/KR1\nOkr-Value: {sign}0.5e-400\n"
            f"Okr-Previous: {sign}0.0\nOkr-Confidence: {sign}0", env=git_env(**as_of(day)))
    newest, older = log(repo).stdout.splitlines()[:2]
    assert newest.endswith("confidence -0") and older.endswith("confidence 0")
    result = log(repo, "--format", "json")
    first, second = json.loads(result.stdout)["checkins"][:2]
    assert [math.copysign(1, first[k]) for k in ("value", "previous", "confidence")] == [-1, -1, -1]
    assert [math.copysign(1, second[k]) for k in ("value", "previous", "confidence")] == [1, 1, 1]
    assert result.stdout == standard(result.stdout)
