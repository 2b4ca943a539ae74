"""Input and output safety (RELIABILITY C21-25) for `okr check`, `okr init` and `okr schema`.

C21 references and ids that try to leave the root are refused; C22 symbolic
links out of the root are not followed; C23 user text in messages is printed
literally with controls made visible; C24 `--format github` cannot be turned
into workflow commands; C25 big titles and big files are handled in linear time.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import run

SECRET = "SECRET_TOKEN_5f1e"
OUTSIDE_OKRS = f"objectives: []\n{SECRET}: 1\n"
RAW_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
FINDING_RE = re.compile(r"^(?P<path>[^\n]+?):(?P<line>\d+):(?P<col>\d+): (?:error|warning)\[(?P<rule>[a-z-]+)\]: ")
OKR_EXE = Path(sys.executable).parent / "okr"

BOB = """\
objectives:
  - id: O1
    title: Faster builds
    aligns: [acme/O1]
    key_results:
      - {id: KR1, title: Build time down to 5 minutes, start: 20, target: 5}
"""


def _all_formats(root: Path, *extra: str) -> dict[str, object]:
    return {fmt: run(["check", "--format", fmt, *extra], cwd=root) for fmt in ("text", "json", "github", "sarif")}


def _assert_never_shown(results: dict, text: str) -> None:
    for fmt, r in results.items():
        assert text not in r.stdout and text not in r.stderr, (fmt, r.stdout, r.stderr)


# ---------------------------------------------------------------- C22: symbolic links

@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    (folder / "2026-Q3").mkdir(parents=True)
    (folder / "bob.yaml").write_text(OUTSIDE_OKRS)
    (folder / "2026-Q3" / "bob.yaml").write_text(OUTSIDE_OKRS)
    (folder / "okr.yaml").write_text(f"company: acme\n{SECRET}: 1\n")
    (folder / "org.yaml").write_text(f"company: {{id: acme, name: Acme}}\n{SECRET}: 1\n")
    return folder


@pytest.mark.parametrize("how", ["absolute", "relative", "chain"])
def test_symlinked_okr_file_outside_the_root_is_not_read(okr_repo, outside, how):
    root = okr_repo()
    link = root / "2026-Q4" / "bob.yaml"
    if how == "absolute":
        link.symlink_to(outside / "bob.yaml")
    elif how == "relative":
        link.symlink_to(os.path.relpath(outside / "bob.yaml", link.parent))
    else:  # a link to a link inside the root that leads out
        (root / "hop.yaml").symlink_to(outside / "bob.yaml")
        link.symlink_to("../hop.yaml")
    results = _all_formats(root)
    r = results["text"]
    assert r.exit_code == 1, r.stdout + r.stderr
    assert r.stdout.startswith("2026-Q4/bob.yaml:1:1: error["), r.stdout
    assert "symbolic link" in r.stdout
    _assert_never_shown(results, SECRET)


def test_symlinked_cycle_folder_outside_the_root_is_not_read(okr_repo, outside):
    root = okr_repo()
    (root / "2026-Q3").symlink_to(outside / "2026-Q3", target_is_directory=True)
    results = _all_formats(root)
    r = results["text"]
    assert r.exit_code == 1, r.stdout + r.stderr
    assert r.stdout.startswith("2026-Q3:1:1: error["), r.stdout
    assert "symbolic link" in r.stdout
    _assert_never_shown(results, SECRET)


@pytest.mark.parametrize("name", ["okr.yaml", "org.yaml"])
def test_symlinked_root_files_outside_the_root_are_not_read(okr_repo, outside, name):
    root = okr_repo()
    (root / name).unlink()
    (root / name).symlink_to(outside / name)
    results = _all_formats(root)
    assert results["text"].exit_code == 1
    assert f"{name}:1:1: error[" in results["text"].stdout
    _assert_never_shown(results, SECRET)


def test_symlinks_inside_the_root_are_read(okr_repo):
    root = okr_repo({"shared/bob.yaml": BOB})
    (root / "2026-Q4" / "bob.yaml").symlink_to("../shared/bob.yaml")
    r = run(["check"], cwd=root)
    assert r.exit_code == 0, r.stdout + r.stderr


def test_okr_file_that_is_not_a_regular_file_does_not_hang(okr_repo):
    """A FIFO (or device) named like an OKR file must be a finding, not a blocking read."""
    root = okr_repo({"2026-Q4/carol.yaml": BOB.replace("Faster builds", "Faster pages")})
    os.mkfifo(root / "2026-Q4" / "bob.yaml")
    try:
        p = subprocess.run(check=False, args=[str(OKR_EXE), "check"], cwd=root, capture_output=True, text=True, timeout=5,
                           stdin=subprocess.DEVNULL, env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1",
                                                          "XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"]})
    except subprocess.TimeoutExpired:
        pytest.fail("okr check blocked reading a FIFO named 2026-Q4/bob.yaml")
    assert p.returncode == 1, p.stdout + p.stderr
    assert p.stdout.startswith("2026-Q4/bob.yaml:1:1: error["), p.stdout


def test_init_and_schema_write_nothing_through_symlinks(tmp_path, outside):
    """okr init and okr schema --write never write through a link: a (dangling) link is refused."""
    target = tmp_path / "new"
    target.mkdir()
    (target / "org.yaml").symlink_to(outside / "not-there.yaml")
    r = run(["init", str(target), "--company", "acme"])
    assert r.exit_code == 2, r.stdout + r.stderr
    assert "org.yaml" in r.stderr
    assert not (outside / "not-there.yaml").exists()
    assert sorted(p.name for p in target.iterdir()) == ["org.yaml"]

    folder = tmp_path / "schemas"
    folder.mkdir()
    (folder / "org.schema.json").symlink_to(outside / "schema-not-there.json")
    r = run(["schema", "--write", str(folder)])
    assert r.exit_code == 2, r.stdout + r.stderr
    assert not (outside / "schema-not-there.json").exists()
    assert sorted(p.name for p in folder.iterdir()) == ["org.schema.json"]


# ---------------------------------------------------------------- C21: leaving the root

@pytest.mark.parametrize("ref", [
    "../outside/O1", "../../etc/passwd", "/etc/passwd", "acme/../O1", "acme/O1/../../x",
    "2026-Q4/../../acme/O1", "C:/Windows/O1", "--help/O1", "-rf/O1", "acme/--force", "acme/O1\\0",
    "acme\\\\O1", "~/O1", "file:///etc/passwd",
])
def test_references_that_leave_the_root_are_refused(okr_repo, ref):
    bob = BOB.replace("aligns: [acme/O1]", f'aligns: [acme/O1, "{ref}"]')
    root = okr_repo({"2026-Q4/bob.yaml": bob})
    r = run(["check"], cwd=root)
    assert r.exit_code == 1, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("2026-Q4/bob.yaml:4:23: error[schema]: "), r.stdout
    assert "not a reference" in lines[0]
    assert not RAW_CONTROLS.search(r.stdout)


@pytest.mark.parametrize("cycle", ["../2026-Q4", "/etc", "2026-Q4/..", "--help", "-x", "2026-Q4\n2026-Q3"])
def test_cycle_option_that_leaves_the_root_is_refused(okr_repo, cycle):
    root = okr_repo()
    r = run(["check", f"--cycle={cycle}"], cwd=root)
    assert r.exit_code == 2, r.stdout + r.stderr
    assert r.stdout == ""
    assert r.stderr.startswith("okr: error: ") and "Traceback" not in r.stderr
    assert not RAW_CONTROLS.search(r.stderr.replace("\n", ""))


def test_config_cycle_that_leaves_the_root_is_a_finding(okr_repo):
    root = okr_repo({"okr.yaml": "company: acme\ncycle: ../../etc\n"})
    r = run(["check"], cwd=root)
    assert r.exit_code == 1
    assert r.stdout.startswith("okr.yaml:2:8: error[schema]: "), r.stdout


# ---------------------------------------------------------------- C23: user text in messages

HOSTILE_TEXT = r"[red]x[/red] [link=http://e]y[/link] [/b] \e[2J \e]8;;http://e\a \u202e gnp.exe"
LITERAL = ["[red]x[/red]", "[link=http://e]y[/link]", "[/b]", "\\x1b[2J", "\\x1b]8;;http://e\\x07", "\\u202e gnp.exe"]


def _hostile_repo(okr_repo) -> Path:
    bob = f'''\
objectives:
  - id: O1
    title: "{HOSTILE_TEXT}"
    aligns: [acme/O1, "{HOSTILE_TEXT}"]
    "{HOSTILE_TEXT}": 1
    review: {{notes: "{HOSTILE_TEXT}"}}
    key_results:
      - {{id: KR1, title: "[b]{HOSTILE_TEXT} boom now", target: 5}}
'''
    config = f'company: acme\ncycle: 2026-Q4\nrules:\n  weak-wording: {{kr_verbs: ["[b]{HOSTILE_TEXT} boom"]}}\n'
    return okr_repo({"okr.yaml": config, "2026-Q4/bob.yaml": bob})


def _assert_literal(out: str, expect: int) -> None:
    assert not RAW_CONTROLS.search(out), repr(out)
    for piece in LITERAL:
        assert out.count(piece) >= expect, (piece, out)


def test_markup_and_escapes_in_messages_are_printed_literally(okr_repo):
    root = _hostile_repo(okr_repo)
    r = run(["check"], cwd=root)
    assert r.exit_code == 1, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 3, r.stdout  # bad reference, unknown key, weak wording
    assert all(FINDING_RE.match(line) for line in lines)
    assert "[weak-wording]" in r.stdout
    _assert_literal(r.stdout, 3)


def test_markup_is_literal_in_colour_output(okr_repo, monkeypatch):
    from okrcli.commands import check

    monkeypatch.setattr(check, "color_wanted", lambda *a, **k: True)
    root = _hostile_repo(okr_repo)
    r = run(["check"], cwd=root, env={"NO_COLOR": "", "FORCE_COLOR": "1", "TERM": "xterm-256color",
                                      "COLUMNS": "100000"})
    assert r.exit_code == 1, r.stdout + r.stderr
    assert "\x1b[31m" in r.stdout  # rich did style the lines ...
    plain = re.sub(r"\x1b\[[0-9;]*m", "", r.stdout)  # ... and only with its own SGR sequences
    _assert_literal(plain, 3)
    assert "\x1b]8;" not in r.stdout  # no hyperlink from [link=...]


def test_error_messages_show_controls_visibly(tmp_path):
    r = run(["check", "--repo", str(tmp_path / "x\x1b[2J\u202e[red]y")])
    assert r.exit_code == 2
    assert "\\x1b[2J\\u202e[red]y" in r.stderr and not RAW_CONTROLS.search(r.stderr.replace("\n", ""))
    r = run(["check", "--repo", str(tmp_path), "--cycle", "\x1b[2J[red]"])
    assert r.exit_code == 2
    assert "\\x1b[2J[red]" in r.stderr and not RAW_CONTROLS.search(r.stderr.replace("\n", ""))


def test_file_names_with_controls_are_shown_visibly(okr_repo):
    """A file name cannot forge a finding line or send escapes to the terminal."""
    root = okr_repo()
    (root / "2026-Q4" / "x\x1b[2J\u202e\nforged.yaml:1:1: error[schema]: fake.yaml").write_text("objectives: []\n")
    for fmt in ("text", "github"):
        r = run(["check", "--format", fmt], cwd=root)
        assert r.exit_code == 1, r.stdout + r.stderr
        lines = r.stdout.splitlines()
        assert len(lines) == 1, r.stdout
        assert not RAW_CONTROLS.search(r.stdout.replace("\n", "")), repr(r.stdout)


# ---------------------------------------------------------------- C24: GitHub workflow commands

def test_github_annotations_cannot_start_workflow_commands(okr_repo):
    bob = r'''objectives:
  - id: O1
    title: T
    aligns: [acme/O1, "::error::x %0A %25 \n::warning::injected\r\n::add-mask::y"]
    "::set-output name=x::1\n::error file=evil::pwned %": 1
    ? "\n::stop-commands::token\n"
    : 2
    key_results:
      - {id: KR1, title: K, target: 5}
'''
    root = okr_repo({"2026-Q4/bob.yaml": bob})
    r = run(["check"], cwd=root, env={"GITHUB_ACTIONS": "true"})  # github is the default there
    assert r.exit_code == 1
    lines = r.stdout.split("\n")
    assert lines[-1] == "" and len(lines) == 4, r.stdout
    for line in lines[:-1]:
        assert line.startswith(("::error ", "::warning ")), line
        assert "\r" not in line
        head, sep, message = line.partition("::")[2].partition("::")
        assert sep and re.fullmatch(r"(error|warning) file=[^:,]+,line=\d+,col=\d+,title=[a-z-]+", head), line
        assert "%0A" in message or "%0D" in message
        assert re.fullmatch(r"(?:[^%]|%25|%0A|%0D)*", message), message  # every % is an escape
    assert "%250A %2525" in r.stdout


def test_github_annotations_show_controls_visibly(okr_repo):
    root = _hostile_repo(okr_repo)
    r = run(["check", "--format", "github"], cwd=root)
    assert r.exit_code == 1
    assert all(line.startswith(("::error ", "::warning ")) for line in r.stdout.splitlines())
    _assert_literal(r.stdout, 3)


# ---------------------------------------------------------------- C25: big inputs

def _objectives(n: int, title: str = "Faster builds") -> str:
    return "objectives:\n" + "".join(
        f"  - {{id: O{i}, title: {title}, aligns: [acme/O1], key_results: [{{id: KR1, title: K, target: 5}}]}}\n"
        for i in range(1, n + 1))


def test_100_kb_title_and_reference(okr_repo):
    long = "x" * 100_000
    bob = BOB.replace("title: Faster builds", f"title: {long}").replace("[acme/O1]", f"[acme/O1, {long}]")
    root = okr_repo({"2026-Q4/bob.yaml": bob})
    start = time.perf_counter()
    r = run(["check"], cwd=root)
    assert time.perf_counter() - start < 5
    assert r.exit_code == 1
    assert r.stdout.startswith("2026-Q4/bob.yaml:4:23: error[schema]: 'xxxx")
    assert len(r.stdout) > 100_000


def _timed_check(root: Path, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        r = run(["check", "--format", "json"], cwd=root)
        best = min(best, time.perf_counter() - start)
        assert r.exit_code == 0, r.stderr
        assert '"too-many-objectives"' in r.stdout
    return best


def test_10000_objectives_in_linear_time(okr_repo, tmp_path):
    from okrcli.load.source import MAX_FILE_BYTES

    big = _objectives(10_000)
    assert len(big.encode()) < MAX_FILE_BYTES
    root = okr_repo({"2026-Q4/bob.yaml": _objectives(2_500)})
    small_time = _timed_check(root, 3)
    (root / "2026-Q4" / "bob.yaml").write_text(big)
    big_time = _timed_check(root, 2)
    assert big_time < 10
    assert big_time / small_time < 8, (small_time, big_time)
