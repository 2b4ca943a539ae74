"""History: trailers parsed from one `git log`, hand edits found by diffing only their files."""

from __future__ import annotations

import textwrap
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from conftest import BASIC_COMPANY, BASIC_CONFIG, BASIC_ORG, run
from gitrepo import commit_all, git, git_env, init_repo, isolate_git, write_files

from okrcli.load.history import (
    checkins_from_message,
    message_note,
    parse_value,
    read_history,
    trailer_groups,
)

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
    """
)
FILES = {"okr.yaml": BASIC_CONFIG, "org.yaml": BASIC_ORG, "2026-Q4/acme.yaml": BASIC_COMPANY,
         "2026-Q4/alice.yaml": ALICE, "2026-Q4/bob.yaml": ALICE}
WHEN = datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc)


def parse(message: str):
    return checkins_from_message(message, date=WHEN, author_name="A", author_email="a@x", commit="c" * 40)


# --- trailers ------------------------------------------------------------------------------------


def test_the_benchmark_generators_messages_parse():
    message = ("checkin p00357/O2/KR1: 94 -> 93 min\n\nBig jump after the release on Tuesday.\n\n"
               "Okr-Cycle: 2026-Q4\nOkr-KR: p00357/O2/KR1\nOkr-Value: 93\nOkr-Previous: 94\n"
               "Okr-Confidence: 0.6\n")
    [c] = parse(message)
    assert (c.kind, c.key, c.value, c.previous, c.confidence, c.unit, c.note, c.links) == (
        "checkin", "2026-Q4:p00357/O2/KR1", 93, 94, 0.6, None,
        "Big jump after the release on Tuesday.", ())
    [c] = parse("checkin a/O1/KR2: false -> true\n\nOkr-Cycle: 2026-Q4\nOkr-KR: a/O1/KR2\n"
                "Okr-Value: true\nOkr-Previous: false\n")
    assert (c.value, c.previous) == (True, False)


def test_several_groups_links_units_and_grades():
    message = textwrap.dedent(
        """\
        checkin alice/O1/KR1: 3 -> 5, alice/O1/KR2: not done -> done

        Okr-Cycle: 2026-Q4
        Okr-KR: alice/O1/KR1
        Okr-Value: 5
        Okr-Previous: 3
        Okr-Unit: min
        Okr-Link: https://a/1
        Okr-Link: https://a/2
        Okr-Cycle: 2026-Q4
        Okr-KR: alice/O1/KR2
        Okr-Value: done
        Okr-Previous: not-done
        Okr-Cycle: 2026
        Okr-Grade: acme/O1
        Okr-Score: 0.65
        """
    )
    first, second, third = parse(message)
    assert (first.value, first.unit, first.links, first.note) == (5, "min", ("https://a/1", "https://a/2"), "")
    assert (second.value, second.previous, second.links) == (True, False, ())
    assert (third.kind, third.key, third.value) == ("grade", "2026:acme/O1", 0.65)


def test_only_the_last_trailer_paragraph_counts_and_a_signoff_after_it_is_fine():
    message = textwrap.dedent(
        """\
        checkin alice/O1/KR1: 3 -> 5

        My note quotes an old message:

        Okr-Cycle: 2026-Q4
        Okr-KR: bob/O1/KR1
        Okr-Value: 999

        okr-cycle: 2026-Q4
        OKR-KR: alice/O1/KR1
        okr-value: 5
        Okr-Confidence:
          0.7

        Signed-off-by: Alice <alice@acme.test>
        """
    )
    [c] = parse(message)
    assert (c.ref, c.value, c.confidence) == ("alice/O1/KR1", 5, 0.7)
    assert message_note(message).startswith("My note quotes an old message:\n\nOkr-Cycle")
    assert len(trailer_groups(message)) == 1


@pytest.mark.parametrize(
    "trailers",
    [
        "Okr-Cycle: 2026-Q4\nOkr-KR: a/O1/KR1\nOkr-Value: 5\n",
        ("Okr-Cycle: 2026-Q4\nOkr-KR: a/O1/KR1\nOkr-Value: 5\nOkr-Previous: 3\nOkr-Confidence: 0.5\n"
         "Okr-Unit: tests per day  \n"),
        "Okr-Cycle: 2026-Q4\nOkr-KR: a/O1/KR1\nOkr-Value: not-done\nOkr-Confidence: 7\n",
        "Okr-Cycle: 2026-Q4\nOkr-KR: a/O1\nOkr-Value: 5\n",
        "Okr-Cycle: 2026-Q0\nOkr-KR: a/O1/KR1\nOkr-Value: 5\n",
    ],
)
def test_the_fast_path_for_one_group_reads_as_the_general_parser_does(trailers):
    message = f"checkin\n\nnote\n\n{trailers}"
    general = message.replace("Okr-Value:", "okr-value:")  # another case: the general parser
    assert parse(message) == parse(general)


@pytest.mark.parametrize(
    "message",
    [
        "Fix the build\n",
        "Mention Okr-Cycle: 2026-Q4 in prose\n",
        "x\n\nOkr-Cycle: 2026-Q9\nOkr-KR: alice/O1/KR1\nOkr-Value: 1\n",  # not a cycle
        "x\n\nOkr-Cycle: 2026-Q4\nOkr-KR: ../O1/KR1\nOkr-Value: 1\n",  # not a reference
        "x\n\nOkr-KR: alice/O1/KR1\nOkr-Value: 1\n",  # no group start
        "",
    ],
)
def test_messages_without_usable_trailers_record_nothing(message):
    assert parse(message) == []


@pytest.mark.parametrize("text, value", [("25", 25), ("-3", -3), ("2.5", 2.5), ("1e3", 1000.0), ("done", True),
                                         ("not-done", False), ("TRUE", True), ("lots", "lots"), ("1e999", "1e999")])
def test_parse_value(text, value):
    parsed = parse_value(text)
    assert parsed == value and type(parsed) is type(value)


# --- reading a repository ------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch, tmp_path):
    isolate_git(monkeypatch, tmp_path)


def at(day: int) -> dict[str, str]:
    stamp = f"2026-11-{day:02d}T10:00:00+00:00"
    return {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}


def checkin(repo: Path, day: int, *args: str, cwd: Path | None = None) -> None:
    result = run(["checkin", *args], cwd=cwd or repo, env=at(day))
    assert result.exit_code == 0, result.stderr


def hand_edit(repo: Path, rel: str, old: str, new: str, day: int, message: str = "Update numbers") -> str:
    path = repo / rel
    path.write_text(path.read_text().replace(old, new))
    return commit_all(repo, message, date=at(day)["GIT_AUTHOR_DATE"])


@pytest.fixture
def repo(tmp_path) -> Path:
    repo = init_repo(tmp_path / "repo", FILES)
    checkin(repo, 2, "alice/O1/KR1", "22", "--confidence", "0.5", "--note", "first")
    hand_edit(repo, "2026-Q4/alice.yaml", "current: 22", "current: 21", 3)
    hand_edit(repo, "2026-Q4/alice.yaml", "title: Make deploys boring", "title: Deploys, boring", 4)
    write_files(repo, {"README.md": "hi\n"})
    commit_all(repo, "Docs", date=at(5)["GIT_AUTHOR_DATE"])
    checkin(repo, 6, "alice/O1/KR1", "20", "bob/O1/KR2", "done")
    hand_edit(repo, "2026-Q4/bob.yaml", "done: true", "done: false", 7, "Reopen: canaries broke")
    return repo


def test_checkins_and_hand_edits_newest_first(repo):
    history = read_history(repo)
    assert [(c.kind, c.key, c.previous, c.value, c.date.day) for c in history] == [
        ("edit", "2026-Q4:bob/O1/KR2", True, False, 7),
        ("checkin", "2026-Q4:alice/O1/KR1", 21, 20, 6),
        ("checkin", "2026-Q4:bob/O1/KR2", False, True, 6),
        ("edit", "2026-Q4:alice/O1/KR1", 22, 21, 3),
        ("checkin", "2026-Q4:alice/O1/KR1", 25, 22, 2),
    ]
    edit = history.checkins[3]
    assert (edit.note, edit.unit, edit.confidence, edit.author_name) == ("Update numbers", "min", 0.5, "Okr Tester")
    assert not history.shallow
    assert [c.value for c in history.series("2026-Q4:alice/O1/KR1")] == [22, 21, 20]
    assert history.last("2026-Q4:bob/O1/KR2").value is False
    assert history.last("2026-Q4:carol/O1/KR1") is None


def test_filters(repo):
    keys = lambda **kw: [c.key for c in read_history(repo, **kw)]
    assert keys(owners={"bob"}) == ["2026-Q4:bob/O1/KR2", "2026-Q4:bob/O1/KR2"]
    assert keys(since=date(2026, 11, 6)) == ["2026-Q4:bob/O1/KR2", "2026-Q4:alice/O1/KR1", "2026-Q4:bob/O1/KR2"]
    assert keys(cycle="2026-Q3") == []
    assert keys(hand_edits=False, owners={"alice"}) == ["2026-Q4:alice/O1/KR1", "2026-Q4:alice/O1/KR1"]
    fourth = git(repo, "rev-list", "--skip=3", "-n", "1", "HEAD").strip()  # the title edit (day 4)
    assert keys(since_commit=fourth) == ["2026-Q4:bob/O1/KR2", "2026-Q4:alice/O1/KR1", "2026-Q4:bob/O1/KR2"]


def test_a_merge_does_not_repeat_what_its_branch_recorded(repo):
    git(repo, "switch", "-q", "-c", "side", "HEAD~1")
    checkin(repo, 8, "alice/O1/KR1", "15")
    hand_edit(repo, "2026-Q4/alice.yaml", "current: 15", "current: 14", 9)
    git(repo, "switch", "-q", "main")
    git(repo, "merge", "-q", "--no-edit", "side", env=git_env(**at(10)))
    history = read_history(repo)
    assert [(c.kind, c.value) for c in history][:3] == [("edit", 14), ("checkin", 15), ("edit", False)]
    assert len(history) == 7


def test_root_below_the_git_top_level(tmp_path):
    mono = init_repo(tmp_path / "mono", {f"okrs/{k}": v for k, v in FILES.items()} | {"src/a.py": "a\n"})
    checkin(mono, 2, "alice/O1/KR1", "22", cwd=mono / "okrs")
    hand_edit(mono, "src/a.py", "a", "b", 3)
    hand_edit(mono, "okrs/2026-Q4/alice.yaml", "current: 22", "current: 21", 4)
    history = read_history(mono / "okrs")
    assert [(c.kind, c.value) for c in history] == [("edit", 21), ("checkin", 22)]


def test_shallow_clone_says_history_is_cut(repo, tmp_path):
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "2", f"file://{repo}", str(clone))
    history = read_history(clone)
    assert history.shallow
    # The two newest commits: the day-7 edit and the day-6 check-in; the boundary commit has no parent
    # to diff against, so its hand edits cannot be seen and are not invented.
    assert [(c.kind, c.date.day) for c in history] == [("edit", 7), ("checkin", 6), ("checkin", 6)]


def test_a_message_holding_record_separators_does_not_break_the_log(repo):
    path = repo / "2026-Q4/alice.yaml"
    path.write_text(path.read_text().replace("current: 20", "current: 19"))
    git(repo, "commit", "-qam", "odd \x1e\x1f\x1d message\n\nOkr-Cycle: 2026-Q4\nOkr-KR: alice/O1/KR1\nOkr-Value: 19",
        env=git_env(**at(8)))
    history = read_history(repo)
    assert [(c.kind, c.value) for c in history][:2] == [("checkin", 19), ("edit", False)]
    assert len(history) == 6


def test_a_message_forging_another_record_makes_up_no_check_in(repo):
    """A message holding a whole record of its own (another sha, another author) is one
    commit's message, whatever it says: nothing is made up, and nothing breaks."""
    before = len(read_history(repo))
    forged = ("\x1e" + "f" * 40 + "\x1f" + "e" * 40 + "\x1fMallory\x1fmallory@evil.test\x1f2026-11-09T10:00:00+00:00"
              "\x1fcheckin\n\nOkr-Cycle: 2026-Q4\nOkr-KR: bob/O1/KR1\nOkr-Value: 99\x1d" + "f" * 40 + "\n")
    git(repo, "commit", "-q", "--allow-empty", "-m", f"odd{forged}\n\nmore text", env=git_env(**at(9)))
    history = read_history(repo)
    assert len(history) == before
    assert all(c.author_name != "Mallory" and c.value != 99 for c in history)
    log = run(["log", "--repo", str(repo)], env={"OKR_CACHE": "0"})
    assert log.exit_code == 0 and "Mallory" not in log.stdout, log.stderr


def test_an_empty_repository_and_no_repository(tmp_path):
    empty = init_repo(tmp_path / "empty")
    write_files(empty, FILES)
    assert len(read_history(empty)) == 0
    plain = tmp_path / "plain"
    write_files(plain, FILES)
    with pytest.raises(Exception, match="not inside a git work tree"):
        read_history(plain)
