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


def test_the_cache_is_bounded_in_segments_and_loses_nothing_for_it(tmp_path, monkeypatch):
    """Beyond MAX_SEGMENTS, the oldest segments go, their entries moved into the new one."""
    from okrcli.load import cache as okr_cache

    monkeypatch.setattr(okr_cache, "MAX_SEGMENTS", 6)
    folder = str(tmp_path / "okr")
    for n in range(20):  # twenty runs, each adding something new
        store = okr_cache._Store(folder)
        store.put(okr_cache.key("test", str(n)), n)
        store.flush()
        assert len(store.segments) <= 6
        assert len(os.listdir(folder)) <= 6
    store = okr_cache._Store(folder)
    assert len(store.segments) <= 6
    assert [store.get(okr_cache.key("test", str(n))) for n in range(20)] == list(range(20))
    assert not [p for p in (tmp_path / "okr").iterdir() if p.name.startswith(".tmp-")]


def test_the_cache_is_bounded_in_size_and_keeps_what_is_in_use(tmp_path, monkeypatch):
    from okrcli.load import cache as okr_cache

    monkeypatch.setattr(okr_cache, "MAX_BYTES", 60_000)
    folder = str(tmp_path / "okr")
    in_use = okr_cache.key("test", "in use")
    first = okr_cache._Store(folder)
    first.put(in_use, "kept")
    first.flush()
    for n in range(20):  # twenty runs, each adding 10 KB; each one also uses `in_use`
        store = okr_cache._Store(folder)
        assert store.get(in_use) == "kept", n
        store.put(okr_cache.key("test", str(n)), bytes([n]) * 10_000)
        store.flush()
        assert sum(size for _name, size in store.segments) <= 60_000
    store = okr_cache._Store(folder)
    assert store.get(in_use) == "kept"  # written again before its segment went
    assert store.get(okr_cache.key("test", "19")) == bytes([19]) * 10_000
    assert store.get(okr_cache.key("test", "0")) is None  # the oldest, unused, went
    assert not [p for p in (tmp_path / "okr").iterdir() if p.name.startswith(".tmp-")]


# ---------------------------------------------------------------- incremental check

EVERY_ORG = """\
    company: {id: acme, name: Acme Inc.}
    teams:
      eng: {name: Engineering, lead: alice}
      platform: {name: Platform, parent: eng, lead: bob}
      sre: {name: SRE, parent: eng}
      qa: {name: QA, parent: nowhere}
    people:
      alice: {name: Alice Chen, team: eng}
      bob: {name: Bob Li, team: platform}
      carol: {name: Carol Diaz, team: sre}
      dan: {name: Dan Roe, team: platform}
    """

EVERY = {  # a finding of every rule, several across files, and derived key results
    "okr.yaml": "company: acme\ncycle: 2026-Q4\n",
    "org.yaml": EVERY_ORG,
    "2026-Q4/acme.yaml": """\
        objectives:
          - id: O1
            title: Ship a product customers love
            key_results:
              - {id: KR1, title: Weekly active teams from 10 to 50, start: 10, target: 50, current: 20}
              - {id: KR2, title: Teams rolled up, rollup: aligned}
          - id: O2
            title: Keep the lights on
            key_results:
              - {id: KR1, title: Uptime, start: 99, target: 99.9, current: 99.5}
        """,
    "2026-Q4/eng.yaml": """\
        objectives:
          - id: O1
            title: Faster delivery
            aligns: [acme/O1]
            key_results:
              - {id: KR1, title: Lead time from 9 to 3 days, start: 9, target: 3, current: 7, unit: days}
          - id: O2
            title: Feed the roll-up
            aligns: [acme/O1/KR2]
            key_results:
              - {id: KR1, title: Deploys from 2 to 10, start: 2, target: 10, current: 4}
        """,
    "2026-Q4/platform.yaml": """\
        objectives:
          - id: O1
            title: Reliable builds
            aligns: [eng/O1]
            key_results:
              - {id: KR1, title: Green builds from 80 to 99, start: 80, target: 99, current: 85}
          - id: O2
            title: Nothing above it
            key_results:
              - {id: KR1, title: Docs pages from 1 to 9, start: 1, target: 9, current: 2}
          - id: O3
            title: Loop one way
            aligns: [sre/O1]
            key_results:
              - {id: KR1, title: Alerts from 50 to 5, start: 50, target: 5, current: 40}
        """,
    "2026-Q4/sre.yaml": """\
        objectives:
          - id: O1
            title: Loop the other way
            aligns: [platform/O3]
            key_results:
              - {id: KR1, title: Pages from 30 to 3, start: 30, target: 3, current: 20}
          - id: O2
            title: Explore
            standalone: bottom-up on purpose
            key_results:
              - {id: KR1, title: Spikes from 0 to 3, start: 0, target: 3, current: 1}
        """,
    "2026-Q4/bob.yaml": """\
        objectives:
          - id: O1
            title: Faster builds
            aligns: [platform/O9, platform/O1]
            key_results:
              - {id: KR1, title: Build minutes from 20 to 5, start: 20, target: 5, current: 12, unit: min}
              - {id: KR2, title: Work on flaky tests, start: 5, target: 5}
              - {id: KR2, title: Repeat, done: false}
          - id: O2
            title: Chained to a standalone
            aligns: [sre/O2]
            key_results:
              - {id: KR1, title: Retries from 9 to 1, start: 9, target: 1, current: 5}
          - id: O3
            title: Nothing measured
            aligns: [platform/O1]
            key_results: []
          - id: O4
            title: Out of its cycle
            aligns: ["2026-Q3:eng/O1"]
            key_results:
              - {id: KR1, title: Caches from 1 to 4, start: 1, target: 4, current: 2}
        """,
    "2026-Q4/alice.yaml": """\
        objectives:
          - {id: O1, title: Sum up, aligns: [eng/O1], key_results: [
              {id: KR1, title: Build minutes total, sum_of: [bob/O1/KR1], target: 40, unit: min},
              {id: KR2, title: Two, start: 0, target: 2}, {id: KR3, title: Three, start: 0, target: 3},
              {id: KR4, title: Four, start: 0, target: 4}, {id: KR5, title: Five, start: 0, target: 5},
              {id: KR6, title: Six, start: 0, target: 6}]}
          - {id: O2, title: Second, aligns: [eng/O1], key_results: [{id: KR1, title: A, sum_of: [sre/O2/KR9], target: 1}]}
          - {id: O3, title: Third, aligns: [eng/O1], key_results: [{id: KR1, title: A, start: 0, target: 1}]}
          - {id: O4, title: Fourth, aligns: [eng/O1], key_results: [{id: KR1, title: A, start: 0, target: 1}]}
          - {id: O5, title: Maintain the fifth, aligns: [eng/O1], key_results: [{id: KR1, title: A, start: 0, target: 1}]}
          - {id: O6, title: Sixth, aligns: [eng/O1], key_results: [{id: KR1, title: A, start: 0, target: 1}]}
        """,
    "2026-Q4/carol.yaml": "objectives: [\n",
    "2026-Q4/dan.yaml": "objectives:\n  - id: O1\n    title: a\n    title: b\n    aligns: [platform/O1]\n"
                        "    key_results: [{id: KR1, title: A, start: 0, target: 1}]\n",
    "2026-Q4/zed.yaml": "objectives:\n  - {id: O1, title: Who, standalone: x, key_results: [{id: KR1, title: A, "
                        "start: 0, target: 1}]}\n",
    "2026-Q4/notes.txt": "not an OKR file\n",
    "2026-Q5/kai.yaml": "objectives: []\n",
    "2026-Q3/eng.yaml": "objectives:\n  - id: O1\n    titel: Typo\n    title: Old\n    aligns: [acme/O1]\n"
                        "    key_results: [{id: KR1, title: A, start: 0, target: 1}]\n",
    "2026-Q3/acme.yaml": "objectives:\n  - {id: O1, title: Old, key_results: [{id: KR1, title: A, start: 0, target: 1}]}\n",
}


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


PLATFORM_O1 = "  - id: O1\n    title: Reliable builds\n    aligns: [eng/O1]\n"

# name: (change, which path the check takes (incremental.last_path), files it parses besides okr.yaml)
CHANGES = {
    "comment": (lambda r: _edit(r, "2026-Q4/bob.yaml", "objectives:\n", "# a note\nobjectives:\n"),
                "changed", ["2026-Q4/bob.yaml"]),
    "comment at the end": (lambda r: (r / "2026-Q4/bob.yaml").write_text(
        (r / "2026-Q4/bob.yaml").read_text() + "# the end\n"), "same", ["2026-Q4/bob.yaml"]),
    "a check-in value": (lambda r: _edit(r, "2026-Q4/bob.yaml", "current: 12", "current: 11"),
                         "changed, cross kept", ["2026-Q4/bob.yaml"]),
    "a title changed": (lambda r: _edit(r, "2026-Q4/zed.yaml", "title: Who", "title: Whom"),
                        "changed, cross kept", ["2026-Q4/zed.yaml"]),
    "new objective aligning to a missing parent": (lambda r: _edit(
        r, "2026-Q4/eng.yaml", "objectives:\n", "objectives:\n  - id: O7\n    title: New\n    aligns: [acme/O8]\n"
        "    key_results: [{id: KR1, title: A, start: 0, target: 1}]\n"), "changed", ["2026-Q4/eng.yaml"]),
    "removed objective others align to": (lambda r: _edit(
        r, "2026-Q4/platform.yaml", PLATFORM_O1, "  - id: O5\n    title: Reliable builds\n    aligns: [eng/O1]\n"),
        "changed", ["2026-Q4/platform.yaml"]),
    "the missing objective added": (lambda r: _edit(
        r, "2026-Q4/platform.yaml", "objectives:\n", "objectives:\n  - id: O9\n    title: Found\n    aligns: [eng/O1]\n"
        "    key_results: [{id: KR1, title: A, start: 0, target: 1}]\n"), "changed", ["2026-Q4/platform.yaml"]),
    "a duplicated id": (lambda r: _edit(r, "2026-Q4/sre.yaml", "  - id: O2\n", "  - id: O1\n"),
                        "changed", ["2026-Q4/sre.yaml"]),
    "lines moved": (lambda r: _edit(r, "2026-Q4/platform.yaml", "objectives:\n", "\n\n# moved down\nobjectives:\n"),
                    "changed", ["2026-Q4/platform.yaml"]),
    "the loop broken": (lambda r: _edit(r, "2026-Q4/sre.yaml", "aligns: [platform/O3]", "aligns: [eng/O1]"),
                        "changed", ["2026-Q4/sre.yaml"]),
    "a sum's unit changed elsewhere": (lambda r: _edit(r, "2026-Q4/bob.yaml", "unit: min}", "unit: s}"),
                                       "changed, cross kept", ["2026-Q4/bob.yaml"]),
    "nothing left to roll up": (lambda r: _edit(r, "2026-Q4/eng.yaml", "aligns: [acme/O1/KR2]", "aligns: [acme/O1]"),
                                "changed", ["2026-Q4/eng.yaml"]),
    "a file deleted": (lambda r: (r / "2026-Q4/sre.yaml").unlink(), "changed", []),
    "a file added": (lambda r: (r / "2026-Q4/carol2.yaml").write_text(
        "objectives:\n  - {id: O1, title: Hi, aligns: [bob/O1/KR9], key_results: []}\n"), "changed",
        ["2026-Q4/carol2.yaml"]),
    # The walk's findings changed: org.yaml's are made again with them; no OKR file is parsed.
    "a stray file added": (lambda r: (r / "2026-Q4/kai.yml").write_text("objectives: []\n"),
                           "changed, cross kept", ["org.yaml"]),
    "org.yaml changed": (lambda r: _edit(r, "org.yaml", "  bob: {name: Bob Li, team: platform}\n", ""),
                         "first", None),
    "okr.yaml changed": (lambda r: (r / "okr.yaml").write_text(
        "company: acme\ncycle: 2026-Q4\nrules: {weak-wording: off, kr-count: {max: 7}, schema: warning}\n"),
        "first", None),
}

SAME_FINDINGS = {"comment", "comment at the end", "a check-in value", "a title changed"}
FORMATS = (["check", "--format", "json"], ["check"], ["check", "--cycle", "2026-Q3"])


def _checks(root: Path, monkeypatch, cache_on: bool) -> list[tuple[int, str, str]]:
    from conftest import run

    monkeypatch.setenv("OKR_CACHE", "1" if cache_on else "0")
    return [(r.exit_code, r.stdout, r.stderr) for r in (run(args, cwd=root) for args in FORMATS)]


def test_the_repository_has_a_finding_of_every_rule(tmp_path, monkeypatch):
    from okrcli.rules import RULE_IDS

    root = write_repo(tmp_path / "okrs", EVERY, base=False)
    import json

    found = json.loads(_checks(root, monkeypatch, False)[0][1])
    rules = {f["rule"] for f in found}
    assert rules == set(RULE_IDS)
    assert any(f["rule"] == "schema" and "in sum_of names nothing" in f["message"] for f in found)  # derived


@pytest.mark.parametrize("name", list(CHANGES))
def test_one_change_checked_incrementally_is_byte_identical(tmp_path, monkeypatch, name):
    """After one change, a check that starts from the last one's state gives, byte for byte,
    what a check without any cache gives; it took the incremental path (never the load of
    the whole repository) and parsed only the files that changed."""
    from okrcli.load import build, incremental, source

    change, path, parses = CHANGES[name]
    root = write_repo(tmp_path / "okrs", EVERY, base=False)
    monkeypatch.setenv("OKR_WORKERS", "1")
    from conftest import run

    run(FORMATS[0], cwd=root)
    assert incremental.last_path == ["first"]
    before = _checks(root, monkeypatch, True)
    assert before == _checks(root, monkeypatch, False)
    change(root)
    expected = _checks(root, monkeypatch, False)
    assert expected != before or name in SAME_FINDINGS  # the edit shows: the comparisons mean something

    def no_full_load(self):
        raise AssertionError("the whole repository was loaded")

    parsed: list[str] = []
    real = source.parse_yaml
    monkeypatch.setattr(source, "parse_yaml", lambda text, rel, diags: (parsed.append(rel), real(text, rel, diags))[1])
    monkeypatch.setattr(build.Sources, "load", no_full_load)
    monkeypatch.setenv("OKR_CACHE", "1")
    first = run(FORMATS[0], cwd=root)
    assert ", ".join(incremental.last_path) == path
    if parses is not None:
        assert sorted(set(parsed)) == sorted(["okr.yaml", *parses])
    assert (first.exit_code, first.stdout, first.stderr) == expected[0]
    assert _checks(root, monkeypatch, True) == expected  # the rest: warm, or from the new state
