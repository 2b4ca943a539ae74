"""The cache of loaded files (okrcli.load.cache): results byte-identical with and without it,
cold, warm and after one file changed; broken or unwritable caches are ignored; OKR_CACHE=0
and --no-cache write nothing; two processes can share one cache folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE, ROOT, write_repo

OKR_EXE = Path(sys.executable).parent / "okr"

BROKEN = {  # findings of every kind: syntax, schema, duplicates, stray files, derived values
    "2026-Q4/bob.yaml": """\
        objectives:
          - id: O1
            title: Faster builds
            aligns: [platform/O9, acme/O1]
            key_results:
              - {id: KR1, title: Build minutes from 20 to 5, start: 20, target: 5, current: 12}
              - {id: KR2, title: Flaky tests, target: "ten"}
              - {id: KR2, title: Repeat, done: yes, due: 2026-11-30}
          - id: O2
            title: Total
            standalone: kept apart on purpose
            key_results:
              - {id: KR1, title: Sum of builds, sum_of: [bob/O1/KR1], target: 40}
        """,
    "2026-Q4/carol.yaml": "objectives: [\n",
    "2026-Q4/dave.yaml": "objectives:\n  - id: O1\n    title: a\n    title: b\n    key_results: []\n",
    "2026-Q4/notes.txt": "not an OKR file\n",
    "2026-Q3/eve.yaml": "objectives:\n  - id: O1\n    titel: Typo\n    key_results:\n      - {id: KR1}\n",
}


def _okr(args: list[str], cache: Path | None, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    full = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NO_COLOR": "1", "HOME": str(cwd),
            "OKR_WORKERS": "1", **env}
    if cache is not None:
        full["XDG_CACHE_HOME"] = str(cache)
    else:
        full["OKR_CACHE"] = "0"
        full["XDG_CACHE_HOME"] = str(cwd / "no-cache-expected")
    return subprocess.run([str(OKR_EXE), *args], cwd=cwd, env=full, capture_output=True, timeout=120, check=False)


COMMANDS = (["check", "--format", "json"], ["export", "--format", "json"], ["check"])


def _outputs(root: Path, cache: Path | None, **env: str) -> list[tuple[int, bytes, bytes]]:
    out = []
    for args in COMMANDS:
        p = _okr([*args, "--repo", str(root)], cache, root.parent, **env)
        out.append((p.returncode, p.stdout, p.stderr))
    return out


def _entries(cache: Path) -> list[Path]:
    return sorted(p for p in (cache / "okr").rglob("*") if p.is_file()) if (cache / "okr").exists() else []


def _generated(tmp_path: Path, people: int = 50) -> Path:
    out = tmp_path / "generated"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--people", str(people),
                    "--out", str(out)], check=True, capture_output=True, timeout=120)
    return out


def _repositories(tmp_path: Path, name: str) -> dict[str, Path]:
    acme = tmp_path / "acme"
    shutil.copytree(EXAMPLE, acme)
    found = {"acme": acme, "broken": write_repo(tmp_path / "broken", BROKEN)}
    if name == "generated":
        found["generated"] = _generated(tmp_path)
    for kind in ("no-org", "empty-org"):
        found[kind] = write_repo(tmp_path / kind, BROKEN)
    (found["no-org"] / "org.yaml").unlink()
    (found["empty-org"] / "org.yaml").write_text("")
    return found


def _change_one_file(root: Path) -> None:
    path = min(root.glob("2026-Q4/*.yaml"))
    text = path.read_text(encoding="utf-8")
    assert "title: " in text
    path.write_text(text.replace("title: ", "title: Edited ", 1), encoding="utf-8")


@pytest.mark.parametrize("name", ["acme", "broken", "generated", "no-org", "empty-org"])
def test_results_are_byte_identical_cold_warm_and_after_a_change(tmp_path, name):
    root = _repositories(tmp_path, name)[name]
    cache = tmp_path / "cache"
    plain = _outputs(root, None)
    assert not (root.parent / "no-cache-expected").exists()
    assert plain[0][1].startswith(b"[") or plain[0][1].startswith(b"{")
    cold = _outputs(root, cache)
    written = _entries(cache)
    assert written, "a cold run fills the cache"
    warm = _outputs(root, cache)
    assert cold == plain and warm == plain
    assert _entries(cache) == written, "a warm run adds nothing"
    _change_one_file(root)
    changed_plain = _outputs(root, None)
    assert changed_plain != plain  # the edit shows: the comparison below means something
    assert _outputs(root, cache) == changed_plain
    assert _outputs(root, cache) == changed_plain
    assert not list(root.rglob("*okr*cache*")) and not (root / ".cache").exists()


def test_a_warm_check_parses_nothing(tmp_path, monkeypatch):
    """Warm: neither the files (their model) nor the findings are computed again."""
    from conftest import run

    from okrcli.load import source

    root = write_repo(tmp_path / "okrs", BROKEN)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("OKR_WORKERS", "1")
    first = run(["check", "--format", "json"], cwd=root)
    parsed: list[str] = []
    real = source.parse_yaml
    monkeypatch.setattr(source, "parse_yaml", lambda text, rel, diags: (parsed.append(rel), real(text, rel, diags))[1])
    again = run(["check", "--format", "json"], cwd=root)
    assert (again.exit_code, again.stdout) == (first.exit_code, first.stdout)
    assert parsed == ["okr.yaml"]
    export = run(["export", "--format", "json"], cwd=root)  # export builds the model: files from the cache
    assert export.exit_code == 0 and "okr.yaml" in parsed and "2026-Q4/bob.yaml" not in parsed
    (root / "2026-Q4" / "bob.yaml").write_text(BROKEN["2026-Q4/bob.yaml"].replace("Faster", "Quicker"))
    parsed.clear()
    changed = run(["check", "--format", "json"], cwd=root)
    assert "Quicker" not in first.stdout and changed.exit_code == first.exit_code
    # Only the changed OKR file; not org.yaml either: the rules read what the cache kept of it.
    assert sorted(parsed) == ["2026-Q4/bob.yaml", "okr.yaml"]


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x10]) + data[at + 1:]


CORRUPTIONS = {
    "truncated": lambda data: data[: len(data) // 2],
    "index only": lambda data: data[:40],
    "entry bit flipped": lambda data: _flip(data, len(data) - 3),
    "index bit flipped": lambda data: _flip(data, 32),
    "length too large": lambda data: data[:22] + (1 << 40).to_bytes(8, "little") + data[30:],
    "empty": lambda data: b"",
    "foreign": lambda data: b"\x80\x04garbage that is not okr's at all",
}


@pytest.mark.parametrize("how", list(CORRUPTIONS))
def test_corrupt_truncated_and_foreign_entries_are_rebuilt(tmp_path, how):
    root = write_repo(tmp_path / "okrs", BROKEN)
    cache = tmp_path / "cache"
    plain = _outputs(root, None)
    assert _outputs(root, cache) == plain
    segments = _entries(cache)
    assert segments
    for segment in segments:
        segment.write_bytes(CORRUPTIONS[how](segment.read_bytes()))
    assert _outputs(root, cache) == plain
    assert _outputs(root, cache) == plain  # and what was rebuilt is good


def _rewrite_entries(cache: Path, value: object) -> None:
    """Replace every segment by one whose entries (same keys, valid checksums) all hold `value`."""
    from okrcli.load import cache as okr_cache

    keys = []
    for segment in _entries(cache):
        store = okr_cache._Store(str(segment.parent))
        keys += list(store.index)
        segment.unlink()
    store = okr_cache._Store(str(cache / "okr"))
    for k in keys:
        store.put(k, value)
    store.flush()
    assert set(okr_cache._Store(str(cache / "okr")).index) == set(keys)


def test_entries_of_the_right_form_but_wrong_shape_are_rebuilt(tmp_path):
    """Entries that pass the checksum but hold something else (another okr's layout)."""
    root = write_repo(tmp_path / "okrs", BROKEN)
    cache = tmp_path / "cache"
    plain = _outputs(root, cache)
    _rewrite_entries(cache, ("not", "a", "file", {"x": 1}))
    assert _outputs(root, cache) == plain


def test_an_unwritable_cache_folder_means_no_cache(tmp_path):
    root = write_repo(tmp_path / "okrs", BROKEN)
    plain = _outputs(root, None)
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would go\n")  # mkdir fails, even as root
    assert _outputs(root, blocked) == plain
    readonly = tmp_path / "readonly"
    (readonly / "okr").mkdir(parents=True)
    (readonly / "okr").chmod(0o500)
    try:
        assert _outputs(root, readonly) == plain
    finally:
        (readonly / "okr").chmod(0o700)


@pytest.mark.parametrize("how", ["env", "option"])
def test_okr_cache_0_and_no_cache_write_nothing(tmp_path, how):
    root = write_repo(tmp_path / "okrs", BROKEN)
    cache = tmp_path / "cache"
    plain = _outputs(root, None)
    if how == "env":
        assert _outputs(root, cache, OKR_CACHE="0") == plain
        assert _outputs(root, cache, OKR_CACHE="0") == plain
    else:
        for _ in range(2):
            p = _okr(["check", "--format", "json", "--no-cache", "--repo", str(root)], cache, tmp_path)
            assert (p.returncode, p.stdout, p.stderr) == plain[0]
    assert not (cache / "okr").exists()


def test_no_cache_does_not_read_the_cache_either(tmp_path):
    """--no-cache ignores entries: a poisoned (but well-formed) cache cannot change its answer."""
    root = write_repo(tmp_path / "okrs", BROKEN)
    cache = tmp_path / "cache"
    plain = _outputs(root, None)
    _outputs(root, cache)
    _rewrite_entries(cache, [("okr.yaml", 1, 1, "error", "schema", "poisoned")])
    poisoned = _okr(["check", "--format", "json", "--repo", str(root)], cache, tmp_path)
    assert b"poisoned" in poisoned.stdout  # the entries are read when the cache is on...
    p = _okr(["check", "--format", "json", "--no-cache", "--repo", str(root)], cache, tmp_path)
    assert (p.returncode, p.stdout, p.stderr) == plain[0]  # ...and never with --no-cache
    p = _okr(["check", "--format", "json", "--repo", str(root)], cache, tmp_path, OKR_CACHE="0")
    assert (p.returncode, p.stdout, p.stderr) == plain[0]


def test_two_processes_share_one_cache_folder(tmp_path):
    root = _generated(tmp_path)
    cache = tmp_path / "cache"
    plain = _okr(["export", "--format", "json", "--repo", str(root)], None, tmp_path)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NO_COLOR": "1", "XDG_CACHE_HOME": str(cache),
           "OKR_WORKERS": "1", "HOME": str(tmp_path)}
    for _round in range(2):  # both cold, then both warm
        procs = [subprocess.Popen([str(OKR_EXE), *args, "--repo", str(root)], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
                 for args in (["export", "--format", "json"], ["export", "--format", "json"],
                              ["check", "--format", "json"], ["check", "--format", "json"])]
        outputs = [p.communicate(timeout=120) for p in procs]
        results = [(p.returncode, out, err) for p, (out, err) in zip(procs, outputs)]
        assert results[0] == results[1] == (plain.returncode, plain.stdout, plain.stderr)
        assert results[2] == results[3] and results[2][0] == 0
    assert not [p for p in _entries(cache) if p.name.startswith(".tmp-")]


@pytest.mark.parametrize("workers", ["1", "3"])
def test_the_forked_loader_reads_and_fills_the_cache(tmp_path, workers):
    root = _generated(tmp_path)
    cache = tmp_path / "cache"
    plain = _outputs(root, None, OKR_WORKERS="1")
    assert _outputs(root, cache, OKR_WORKERS=workers) == plain  # the children write entries
    from okrcli.load import cache as okr_cache

    keys = okr_cache._Store(str(cache / "okr")).index
    assert len(keys) > len(list(root.glob("*/*.yaml")))  # every OKR file, and the findings
    assert _outputs(root, cache, OKR_WORKERS="3") == plain
    _change_one_file(root)
    assert _outputs(root, cache, OKR_WORKERS=workers) == _outputs(root, None, OKR_WORKERS="1")


def test_the_cache_is_bounded_and_keeps_what_is_in_use(tmp_path, monkeypatch):
    from okrcli.load import cache as okr_cache

    monkeypatch.setattr(okr_cache, "MAX_SEGMENTS", 6)
    folder = str(tmp_path / "okr")
    in_use = okr_cache.key("test", "in use")
    first = okr_cache._Store(folder)
    first.put(in_use, "kept")
    first.flush()
    for n in range(20):  # twenty runs, each adding something new; each one also uses `in_use`
        store = okr_cache._Store(folder)
        assert store.get(in_use) == "kept", n
        store.put(okr_cache.key("test", str(n)), n)
        store.flush()
        assert len(store.segments) <= 6
    store = okr_cache._Store(folder)
    assert len(store.segments) <= 6
    assert store.get(in_use) == "kept"  # written again before its segment went
    assert store.get(okr_cache.key("test", "19")) == 19
    assert store.get(okr_cache.key("test", "0")) is None  # the oldest, unused, went
    assert not [p for p in (tmp_path / "okr").iterdir() if p.name.startswith(".tmp-")]
