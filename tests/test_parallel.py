"""Loading on several cores gives exactly what a serial load gives."""

import os
from pathlib import Path

import pytest
from conftest import EXAMPLE, run, write_repo

from okrcli.load import parallel
from okrcli.load.build import load_repository


def _repo_with_broken_files(root: Path) -> Path:
    files = {}
    for i in range(12):
        files[f"2026-Q4/p{i:02d}.yaml"] = f"""\
            objectives:
              - id: O1
                title: Faster builds {i}
                aligns: [acme/O1]
                key_results:
                  - {{id: KR1, title: Build minutes from 20 to 5, start: 20, target: 5, current: {i}}}
            """
    files["2026-Q4/p03.yaml"] = "objectives: [\n"  # a syntax error, found in a child
    files["2026-Q4/p09.yaml"] = "objectives:\n  - id: O1\n    title: no aligns\n    key_results: []\n"
    people = "".join(f"  p{i:02d}: {{name: P{i}, team: eng}}\n" for i in range(12))
    files["org.yaml"] = ("company: {id: acme, name: Acme}\nteams:\n  eng: {name: Engineering}\n"
                         f"people:\n{people}")
    return write_repo(root, files)


@pytest.mark.parametrize("workers", ["2", "3", "5"])
def test_forked_load_equals_serial_load(tmp_path, monkeypatch, workers):
    root = _repo_with_broken_files(tmp_path / "okrs")
    monkeypatch.setenv("OKR_WORKERS", "1")
    serial, serial_diags = load_repository(root)
    monkeypatch.setenv("OKR_WORKERS", workers)
    forked, forked_diags = load_repository(root)
    assert forked.files == serial.files
    assert [o.spans for f in forked.files for o in f.objectives] == \
           [o.spans for f in serial.files for o in f.objectives]
    assert forked_diags == serial_diags
    assert any(d.path == "2026-Q4/p03.yaml" and d.rule == "yaml-syntax" for d in forked_diags)


def test_a_failing_child_has_its_share_loaded_by_the_parent(tmp_path, monkeypatch):
    root = _repo_with_broken_files(tmp_path / "okrs")
    monkeypatch.setenv("OKR_WORKERS", "1")
    serial, serial_diags = load_repository(root)

    def broken(_file):
        raise RuntimeError("a child that cannot send its share")

    monkeypatch.setattr(parallel, "_pack_file", broken)  # inherited by the forked children
    monkeypatch.setenv("OKR_WORKERS", "3")
    forked, forked_diags = load_repository(root)
    assert forked.files == serial.files and forked_diags == serial_diags


def test_check_output_is_the_same_on_one_core_and_on_several():
    one = run(["check", "--repo", str(EXAMPLE), "--format", "json"], env={"OKR_WORKERS": "1"})
    several = run(["check", "--repo", str(EXAMPLE), "--format", "json"], env={"OKR_WORKERS": "4"})
    assert (one.exit_code, one.stdout) == (several.exit_code, several.stdout)


def test_worker_count_follows_the_setting_and_the_size(monkeypatch):
    monkeypatch.delenv("OKR_WORKERS", raising=False)
    assert parallel.worker_count(10) == 1  # too few files to be worth a fork
    assert 1 <= parallel.worker_count(100_000) <= parallel.MAX_WORKERS
    monkeypatch.setenv("OKR_WORKERS", "3")
    assert parallel.worker_count(10) == 3 and parallel.worker_count(2) == 2


@pytest.mark.parametrize("workers", ["2", "3"])
def test_a_forked_check_without_the_cache_gives_the_serial_output_and_sends_back_no_model(
        tmp_path, monkeypatch, workers):
    """With the cache off and several workers, `okr check` shares the files out: each child
    judges its own (loading findings, per-file rules, summaries) and sends back findings
    and summaries, never a model; the cross-file rules run here on the summaries."""
    from test_load_cache import EVERY, FORMATS

    from okrcli.load import incremental, okr_file

    root = write_repo(tmp_path / "okrs", EVERY, base=False)
    monkeypatch.setenv("OKR_CACHE", "0")
    monkeypatch.setenv("OKR_WORKERS", "1")
    incremental.last_path.clear()
    serial = [(r.exit_code, r.stdout, r.stderr) for r in (run(args, cwd=root) for args in FORMATS)]
    assert incremental.last_path == []  # one worker: the repository is loaded whole, as ever

    def no_model(_file):
        raise RuntimeError("a model packed to be sent back")

    monkeypatch.setattr(parallel, "_pack_file", no_model)  # inherited by the forked children
    here: list[str] = []
    real = okr_file.load_okr_file
    monkeypatch.setattr(okr_file, "load_okr_file", lambda root, rel, *a, **k: (here.append(rel), real(root, rel, *a, **k))[1])
    monkeypatch.setenv("OKR_WORKERS", workers)
    for args, expected in zip(FORMATS, serial):
        here.clear()
        r = run(args, cwd=root)
        assert (r.exit_code, r.stdout, r.stderr) == expected
        assert incremental.last_path == ["first"]
        entries = build_entries(root)
        for share in parallel.shares(entries, int(workers))[1:]:  # judged in a child that did not fail
            assert not {e[0] for e in share} <= set(here), share


def build_entries(root: Path) -> list:
    from okrcli.load.build import open_sources

    return open_sources(root).entries


def test_files_loaded_before_come_from_the_cache_without_a_fork(tmp_path, monkeypatch):
    """A file in the cache costs less to take from it than a child costs to send it back:
    with the cache warm, the loader forks only when many files are still to be parsed."""
    from test_load_cache import EVERY

    root = write_repo(tmp_path / "okrs", EVERY, base=False)
    monkeypatch.delenv("OKR_WORKERS", raising=False)
    monkeypatch.setattr(parallel, "FILES_PER_WORKER", 2)  # fork even for a few files
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 4)
    forks: list[int] = []
    real = parallel._fork
    monkeypatch.setattr(parallel, "_fork", lambda work: (forks.append(1), real(work))[1])
    from okrcli.load import cache

    def run_anew(args):  # as a new process: the cache folder's segments read again
        monkeypatch.setitem(cache._state, "store", None)
        return run(args, cwd=root)

    args = ["export", "--format", "json"]
    cold = run_anew(args)
    assert cold.exit_code == 0 and forks  # nothing cached yet: shared out
    forks.clear()
    warm = run_anew(args)
    assert (warm.exit_code, warm.stdout, warm.stderr) == (cold.exit_code, cold.stdout, cold.stderr)
    assert forks == []
    (root / "2026-Q4" / "bob.yaml").write_text((root / "2026-Q4" / "bob.yaml").read_text() + "# changed\n")
    for name in ("alice", "carol", "dan", "zed"):
        path = root / "2026-Q4" / f"{name}.yaml"
        path.write_text(path.read_text() + "# changed\n")
    again = run_anew(args)
    assert again.exit_code == 0 and forks  # many files to parse again: shared out
    assert again.stdout == cold.stdout
    monkeypatch.setenv("OKR_WORKERS", "3")
    forks.clear()
    assert run_anew(args).stdout == cold.stdout and forks  # a forced count is kept


def test_a_repository_with_a_file_that_cannot_be_read_is_read_once(tmp_path, monkeypatch):
    """A FIFO named like an OKR file: the cache's key and the shared-out check both give up
    on it, and neither reads the other files a second time to find that out."""
    from test_load_cache import EVERY

    from okrcli.load import build

    root = write_repo(tmp_path / "okrs", EVERY, base=False)
    os.mkfifo(root / "2026-Q4" / "fifo.yaml")
    reads: list[str] = []
    real = build.read_source
    monkeypatch.setattr(build, "read_source", lambda root, rel: (reads.append(rel), real(root, rel))[1])
    monkeypatch.setenv("OKR_WORKERS", "2")
    r = run(["check", "--format", "json"], cwd=root)
    assert r.exit_code == 1 and "2026-Q4/fifo.yaml" in r.stdout
    assert reads.count("2026-Q4/bob.yaml") == 1


def test_the_cache_probe_loads_the_bytes_it_is_given_never_the_disk(tmp_path, monkeypatch):
    """Files given as bytes (a git revision: `--at`, `okr diff`, a report's baseline) are
    loaded as given, an empty one too; the probe reads the disk only when given none."""
    from test_load_cache import EVERY

    root = write_repo(tmp_path / "okrs", EVERY, base=False)
    blobs = {rel: (root / rel).read_bytes() for rel in EVERY if rel.endswith(".yaml")}
    blobs["2026-Q4/zed.yaml"] = b""  # empty in the revision, an objective on disk
    monkeypatch.setattr(parallel, "FILES_PER_WORKER", 2)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 4)
    monkeypatch.setenv("OKR_WORKERS", "1")
    serial, serial_diags = load_repository(root, blobs=blobs)
    monkeypatch.delenv("OKR_WORKERS")
    for _ in range(2):  # a cold cache, then a warm one
        probed, probed_diags = load_repository(root, blobs=blobs)
        assert probed.files == serial.files and probed_diags == serial_diags
    assert not any(f.path == "2026-Q4/zed.yaml" and f.objectives for f in probed.files)


def test_shares_split_by_weight_when_given():
    entries = list(range(10))
    assert parallel.shares(entries, 2) == [entries[:5], entries[5:]]
    weights = [parallel.CACHED] * 6 + [1.0] * 4  # new files at the end: split where the work is
    first, second = parallel.shares(entries, 2, weights)
    assert first + second == entries and len(second) < 4
    assert [len(s) for s in parallel.shares(entries, 3, [1.0] * 10)] == [4, 3, 3]


def test_children_are_reaped_when_this_process_fails(monkeypatch):
    """An exception in this process's own share lets the children go (their pipes closed,
    so one still writing gets EPIPE) and reaps them before it goes on: no zombie, no fd."""
    forked: list[tuple[int, int]] = []
    real = parallel._fork

    def fork(work):
        handle = real(work)
        forked.append(handle)
        return handle

    monkeypatch.setattr(parallel, "_fork", fork)
    big = "x" * (1 << 20)  # more than a pipe holds: the child blocks writing until let go

    def own(part):
        raise RuntimeError("this process's share failed")

    with pytest.raises(RuntimeError, match="share failed"):
        parallel.fork_map([[0], [1], [2]], own, lambda part: big, lambda sent, part: sent)
    assert len(forked) == 2
    for pid, read_fd in forked:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # reaped already
        with pytest.raises(OSError):
            os.fstat(read_fd)  # closed


def test_the_probe_makes_each_files_key_once(tmp_path, monkeypatch):
    """The cache keys the probe makes (a hash of each file's bytes) are the ones the loader
    then reads under: no file is hashed twice."""
    from test_load_cache import EVERY

    from okrcli.load import okr_file
    from okrcli.load.build import open_sources

    root = write_repo(tmp_path / "okrs", EVERY, base=False)
    monkeypatch.delenv("OKR_WORKERS", raising=False)
    monkeypatch.setattr(parallel, "FILES_PER_WORKER", 2)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 4)
    entries = open_sources(root).entries
    expected = parallel.load_files(root, entries, [])
    made: list[str] = []
    real = okr_file.file_key

    def counting(rel, *args):
        made.append(rel)
        return real(rel, *args)

    monkeypatch.setattr(okr_file, "file_key", counting)
    monkeypatch.setattr(parallel, "file_key", counting)
    for _ in range(2):  # files to parse (forked), then files from the cache (here)
        made.clear()
        assert parallel.load_files(root, entries, []) == expected
        assert sorted(made) == sorted(e[0] for e in entries)
