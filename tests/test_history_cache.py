"""The history cache (okrcli.load.history_cache) through the CLI: every command that reads
check-ins prints byte for byte what it prints with the cache off, after nothing changed
(nothing parsed), after new commits (only those parsed), and after history was rewritten,
merged, deepened or damaged (all of it parsed again)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, run
from gitrepo import commit_all, git, init_repo, isolate_git, write_files

from okrcli.load import history as history_module

COMMANDS = (["log"], ["log", "--format", "json"], ["report"], ["review", "--format", "json"], ["status"],
            ["health"])
QUICK = (["log"], ["log", "--format", "json"], ["status", "--format", "json"])
DAY = {"OKR_TODAY": "2026-12-20"}


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch, tmp_path):
    isolate_git(monkeypatch, tmp_path)


@pytest.fixture
def parsed(monkeypatch) -> list[int]:
    """How many `git log` records okr parsed, per run (appended by `outputs`)."""
    counts = [0]
    add = history_module._Reading.add

    def counting(self, records):
        counts[-1] += len(records)
        return add(self, records)

    monkeypatch.setattr(history_module._Reading, "add", counting)
    return counts


@pytest.fixture
def generated(tmp_path) -> Path:
    out = tmp_path / "generated"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--people", "12", "--checkins",
                    "90", "--out", str(out)], check=True, capture_output=True, timeout=120)
    return out


def outputs(repo: Path, parsed: list[int], commands=COMMANDS, **env: str) -> list[tuple[int, str, str]]:
    """Each command's exit code, stdout and stderr; how many records it parsed in all goes to `parsed`."""
    parsed.append(0)
    found = []
    for args in commands:
        result = run([*args, "--repo", str(repo)], env={**DAY, **env})
        found.append((result.exit_code, result.stdout, result.stderr))
    return found


def cold(repo: Path, parsed: list[int], commands=COMMANDS) -> list[tuple[int, str, str]]:
    found = outputs(repo, parsed, commands, OKR_CACHE="0")
    parsed.pop()
    return found


def commits(repo: Path, *args: str) -> int:
    return int(git(repo, "rev-list", "--count", "HEAD", *(args or ("--",))).strip())


def checkin(repo: Path, day: int, *args: str, month: int = 12) -> None:
    stamp = f"2026-{month:02d}-{day:02d}T10:00:00+00:00"
    result = run(["checkin", *args, "--repo", str(repo)],  # the cache off: it holds what the test put there
                 env={"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp, "OKR_CACHE": "0", **DAY})
    assert result.exit_code == 0, result.stderr


def numeric_kr(repo: Path) -> tuple[str, float]:
    """A key result with a numeric check-in in the log, and its last value."""
    entries = json.loads(run(["log", "--format", "json", "--repo", str(repo)],
                             env={"OKR_CACHE": "0", **DAY}).stdout)["checkins"]
    entry = next(e for e in entries if isinstance(e["value"], (int, float)) and not isinstance(e["value"], bool))
    return entry["ref"], entry["value"]


def test_a_warm_run_reads_no_history_and_prints_the_same(generated, parsed):
    expected = cold(generated, parsed)
    assert all(code == 0 for code, _, _ in expected)
    assert outputs(generated, parsed) == expected  # fills the cache
    assert outputs(generated, parsed) == expected
    assert parsed[-2] >= commits(generated) and parsed[-1] == 0


def test_new_commits_are_the_only_ones_read(generated, parsed):
    outputs(generated, parsed, QUICK)
    ref, value = numeric_kr(generated)
    checkin(generated, 21, ref, str(value + 1), "--note", "moved")
    write_files(generated, {"README.md": "notes\n"})
    commit_all(generated, "Not an OKR file")
    checkin(generated, 22, ref, str(value + 2), "--confidence", "0.4")
    path = min(generated.glob("2026-Q4/*.yaml"))
    path.write_text(path.read_text(encoding="utf-8").replace("current: ", "current: 1", 1), encoding="utf-8")
    commit_all(generated, "A value edited by hand")  # a hand edit: found among the new commits
    expected = cold(generated, parsed)
    assert outputs(generated, parsed) == expected
    assert parsed[-1] == 4  # the four new commits, then nothing
    assert any("(edit)" in out for _, out, _ in expected)
    assert outputs(generated, parsed) == expected and parsed[-1] == 0


def test_the_range_read_starts_at_the_last_tip_read(generated, parsed, monkeypatch):
    outputs(generated, parsed, QUICK[:1])
    tip = git(generated, "rev-parse", "HEAD").strip()
    ref, value = numeric_kr(generated)
    checkin(generated, 21, ref, str(value + 1))
    from okrcli.gitstore.repo import GitRepo

    ranges = []
    stream = GitRepo.log_stream

    def recording(self, paths, **options):
        if options.get("commits") is None:
            ranges.append(options.get("since_commit"))
        return stream(self, paths, **options)

    monkeypatch.setattr(GitRepo, "log_stream", recording)
    assert outputs(generated, parsed, QUICK[:1]) == cold(generated, parsed, QUICK[:1])
    assert ranges[0] == tip and ranges[1:] == [None]  # the cached run read TIP..HEAD; the cold one all


@pytest.mark.parametrize("rewrite", ["amend", "reset", "rebase"])
def test_rewritten_history_is_read_whole(generated, parsed, rewrite):
    ref, value = numeric_kr(generated)
    checkin(generated, 21, ref, str(value + 1), "--note", "first")
    outputs(generated, parsed, QUICK)  # the cache holds this tip, and only it
    if rewrite == "amend":
        git(generated, "commit", "--amend", "-q", "-m",
            git(generated, "log", "-1", "--format=%B").replace("first", "rewritten"))
    elif rewrite == "reset":
        git(generated, "reset", "-q", "--hard", "HEAD~3")
    else:
        git(generated, "rebase", "-q", "HEAD~3", "--onto", "HEAD~4")  # drops the check-in at HEAD~3
    expected = cold(generated, parsed, QUICK)
    assert outputs(generated, parsed, QUICK) == expected
    assert parsed[-1] >= commits(generated)  # the whole log, at least once
    assert outputs(generated, parsed, QUICK) == expected and parsed[-1] == 0


def test_a_merge_is_read_whole_then_what_follows_it_alone(generated, parsed):
    ref, value = numeric_kr(generated)
    outputs(generated, parsed, QUICK)
    git(generated, "checkout", "-q", "-b", "side", "HEAD~5")
    # Older than most of main's history: a full log shows it far down, not beside the merge.
    checkin(generated, 5, ref, str(value + 3), "--note", "on the side", month=10)
    git(generated, "checkout", "-q", "-")
    checkin(generated, 22, ref, str(value + 1), "--note", "on main")
    git(generated, "merge", "-q", "--no-ff", "-X", "ours", "-m", "Merge side", "side")
    expected = cold(generated, parsed, QUICK)
    assert outputs(generated, parsed, QUICK) == expected
    assert parsed[-1] >= commits(generated)  # a merge since the last tip read: all of it again
    checkin(generated, 23, ref, str(value + 2))
    expected = cold(generated, parsed, QUICK)
    assert outputs(generated, parsed, QUICK) == expected
    assert parsed[-1] == 1  # the merge is a tip now: one new commit on it


def test_a_damaged_cache_is_a_full_read(generated, parsed, tmp_path):
    expected = cold(generated, parsed, QUICK)
    outputs(generated, parsed, QUICK)
    import os

    for segment in (Path(os.environ["XDG_CACHE_HOME"]) / "okr").glob("seg-*"):
        data = bytearray(segment.read_bytes())
        for at in range(len(data) // 2, len(data), 97):
            data[at] ^= 0x55
        segment.write_bytes(bytes(data))
    assert outputs(generated, parsed, QUICK) == expected
    assert parsed[-1] >= commits(generated)


def _damage(repo: Path, tip: str, change) -> dict:
    """The cache entry of `tip` changed by `change` and stored again (as a later segment)."""
    from okrcli.gitstore import log_inputs, open_repo
    from okrcli.load import cache, history_cache

    key = history_cache._entry_key(tip, "", log_inputs(open_repo(repo)))
    entry = cache.get(key)
    assert entry is not None and entry["tip"] == tip
    before = json.loads(json.dumps(entry))
    change(entry)
    cache.put(key, entry)
    cache.flush()
    return before


@pytest.mark.parametrize("damage", ["types", "columns", "tip", "version"])
def test_an_entry_that_is_not_what_okr_writes_is_a_full_read(generated, parsed, damage):
    ref, value = numeric_kr(generated)
    outputs(generated, parsed, QUICK[:2])
    base = git(generated, "rev-parse", "HEAD").strip()
    checkin(generated, 21, ref, str(value + 1))
    outputs(generated, parsed, QUICK[:2])  # an entry of one commit, on the whole one of `base`
    changes = {"types": lambda e: e["columns"][3].__setitem__(0, ["not", "a", "value"]),
               "columns": lambda e: e["columns"].pop(), "tip": lambda e: e.__setitem__("tip", "0" * 40),
               "version": lambda e: e.__setitem__("v", 99)}
    assert not _damage(generated, base, changes[damage])["base"]
    expected = cold(generated, parsed, QUICK[:2])
    assert outputs(generated, parsed, QUICK[:2]) == expected
    assert parsed[-1] >= commits(generated)


def test_an_entry_whose_base_is_gone_falls_back_to_an_older_tip(generated, parsed):
    ref, value = numeric_kr(generated)
    outputs(generated, parsed, QUICK[:2])
    base = git(generated, "rev-parse", "HEAD").strip()
    checkin(generated, 21, ref, str(value + 1))
    outputs(generated, parsed, QUICK[:2])
    head = git(generated, "rev-parse", "HEAD").strip()
    assert _damage(generated, head, lambda e: e.__setitem__("base", "0" * 40))["base"] == base
    expected = cold(generated, parsed, QUICK[:2])
    assert outputs(generated, parsed, QUICK[:2]) == expected
    assert parsed[-1] == 1  # HEAD's entry is unusable; `base` is on its chain, read whole before


def test_an_okr_folder_inside_a_bigger_repository(generated, parsed, tmp_path):
    import shutil

    mono = tmp_path / "mono"
    init_repo(mono, {"src/app.py": "print(0)\n"}, message="Code first")
    (mono / "okrs").mkdir()
    for name in ("okr.yaml", "org.yaml", "2026", "2026-Q4"):
        copy = shutil.copytree if (generated / name).is_dir() else shutil.copy
        copy(generated / name, mono / "okrs" / name)
    commit_all(mono, "The OKRs, in a folder")
    root = mono / "okrs"
    ref, value = numeric_kr(generated)
    for n in range(3):
        checkin(root, 10 + n, ref, str(value + n))
        write_files(mono, {"src/app.py": f"print({n + 1})\n"})
        commit_all(mono, f"Code {n}")
    expected = cold(root, parsed, QUICK)
    assert ref.split(":")[1] in expected[0][1]
    assert outputs(root, parsed, QUICK) == expected
    assert parsed[-1] == commits(mono, "--", "okrs")  # git reads the folder's commits only
    write_files(mono, {"src/app.py": "print(9)\n"})
    commit_all(mono, "More code")
    checkin(root, 21, ref, str(value + 5))
    expected = cold(root, parsed, QUICK)
    assert outputs(root, parsed, QUICK) == expected
    assert parsed[-1] == 1  # the check-in; the code commit is outside the folder git reads


def test_a_shallow_clone_deepened_is_read_whole(generated, parsed, tmp_path):
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "30", f"file://{generated}", str(shallow))
    expected = cold(shallow, parsed, QUICK)
    assert "shallow clone" in expected[0][2]
    assert outputs(shallow, parsed, QUICK) == expected
    git(shallow, "fetch", "-q", "--deepen", "20")
    expected = cold(shallow, parsed, QUICK)
    assert outputs(shallow, parsed, QUICK) == expected
    assert parsed[-1] >= commits(shallow) == 50


def test_a_new_mailmap_is_read_whole(generated, parsed):
    outputs(generated, parsed, QUICK)
    email = git(generated, "log", "-1", "--format=%ae").strip()
    write_files(generated, {".mailmap": f"Someone Else <{email}>\n"})
    expected = cold(generated, parsed, QUICK)
    assert "Someone Else" in expected[0][1]
    assert outputs(generated, parsed, QUICK) == expected
    assert parsed[-1] >= commits(generated)


def test_replace_refs_turn_the_cache_off(generated, parsed):
    outputs(generated, parsed, QUICK)
    first = git(generated, "rev-parse", "HEAD~2").strip()
    git(generated, "replace", first, git(generated, "rev-parse", "HEAD~3").strip())
    expected = cold(generated, parsed, QUICK)
    assert outputs(generated, parsed, QUICK) == expected
    assert outputs(generated, parsed, QUICK) == expected
    assert parsed[-1] >= commits(generated) - 1  # read again every time: git rewrites history in place


def test_hostile_trailers_warn_the_same_from_the_cache(generated, parsed):
    for n, trailers in enumerate([
        "Okr-Cycle: 2026-Q9\nOkr-KR: p00001/O1/KR1\nOkr-Value: 3",
        "Okr-Cycle: 2026-Q4\nOkr-KR: p00001/O1/KR1\nOkr-Value: 1e999",
        "Okr-Cycle: 2026-Q4\nOkr-KR: p00001/O1/KR1\nOkr-Value: 4\nOkr-Unit: m\x1b[31m",
        ("Okr-Cycle: 2026-Q4\nOkr-KR: p00001/O1/KR1\nOkr-Value: 5\nOkr-Link: https://x.test/\x1b]8;;\n"
         "Okr-Cycle: 2026-Q4\nOkr-KR: p00001/O1/KR2\nOkr-Value: done"),
    ]):
        git(generated, "commit", "-q", "--allow-empty", "-m", f"checkin {n}\n\nnote \x1d\x1e{'a' * 40}\x1f\n\n{trailers}")
    expected = cold(generated, parsed, QUICK)
    assert "okr: warning: commit" in expected[0][2]
    assert outputs(generated, parsed, QUICK) == expected
    assert outputs(generated, parsed, QUICK) == expected and parsed[-1] == 0


def test_off_means_nothing_kept(generated, parsed, tmp_path):
    import os

    cold(generated, parsed, QUICK)
    folder = Path(os.environ["XDG_CACHE_HOME"]) / "okr"
    assert not folder.exists() or not list(folder.glob("seg-*"))
