"""Exit codes (RELIABILITY "Exit codes", SPEC 6): 0 ok, 1 findings, 2 usage or no repository,
3 internal error in one line, 130 interrupted; plain output without a TTY or with NO_COLOR."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE, run

OKR_EXE = Path(sys.executable).parent / "okr"
ANSI = re.compile(r"\x1b[\[\]]")
BOB_UNALIGNED = """\
objectives:
  - id: O1
    title: Faster builds
    key_results:
      - {id: KR1, title: Build time from 20 to 5 minutes, start: 20, target: 5}
"""


def _no_traceback(r) -> None:
    assert "Traceback" not in r.stdout + r.stderr


# ---------------------------------------------------------------- 0 and 1

def test_clean_repository_exits_0(okr_repo):
    r = run(["check"], cwd=okr_repo())
    assert (r.exit_code, r.stdout) == (0, ""), r.stderr
    assert "no problems" in r.stderr


def test_findings_exit_1(okr_repo):
    r = run(["check"], cwd=okr_repo({"2026-Q4/bob.yaml": BOB_UNALIGNED}))
    assert r.exit_code == 1
    assert r.stdout.startswith("2026-Q4/bob.yaml:2:9: error[unaligned]: ")


def test_warnings_exit_0_unless_strict(okr_repo):
    bob = BOB_UNALIGNED.replace("    key_results:", "    standalone: Exploring\n    key_results:").replace(
        "title: Build time", "title: Help with build time")
    root = okr_repo({"2026-Q4/bob.yaml": bob})
    r = run(["check"], cwd=root)
    assert r.exit_code == 0 and "warning[weak-wording]" in r.stdout, r.stdout
    assert run(["check", "--strict"], cwd=root).exit_code == 1


# ---------------------------------------------------------------- 2: usage, no repository

def test_no_okr_yaml_exits_2_with_hint(tmp_path):
    r = run(["check"], cwd=tmp_path)
    assert r.exit_code == 2
    assert r.stdout == ""
    assert r.stderr.startswith("okr: error: no okr.yaml in ")
    assert "\nhint: " in r.stderr and "okr init" in r.stderr
    _no_traceback(r)


@pytest.mark.parametrize("args, says", [
    (["check", "--repo", "{tmp}/missing"], "no such folder"),
    (["check", "--repo", "{tmp}"], "no okr.yaml"),
    (["check", "--repo", "{tmp}/file.txt"], "no such folder"),
    (["check", "--repo", "{repo}", "--format", "xml"], "--format"),
    (["check", "--repo", "{repo}", "--cycle", "2026-Q5"], "not a cycle"),
    (["check", "--repo", "{repo}", "--cycle", "Q4"], "not a cycle"),
    (["schema", "nope"], "KIND"),
    (["schema", "--write", "{tmp}/missing/deeper"], "no such folder"),
    (["init", "{tmp}/new", "--cadence", "weekly"], "--cadence"),
    (["init", "{tmp}/new", "--company", "Not Valid"], "owner id"),
])
def test_usage_errors_exit_2_in_one_message(okr_repo, tmp_path, args, says):
    repo = okr_repo()
    (tmp_path / "file.txt").write_text("x")
    args = [a.format(tmp=tmp_path, repo=repo) for a in args]
    r = run(args, cwd=tmp_path)
    assert r.exit_code == 2, r.stdout + r.stderr
    assert r.stderr.startswith("okr: error: ") and says in r.stderr.splitlines()[0], r.stderr
    assert len(r.stderr.splitlines()) <= 2
    _no_traceback(r)
    assert not (tmp_path / "new").exists()


def test_okr_repo_environment_variable(okr_repo, tmp_path):
    root = okr_repo({"2026-Q4/bob.yaml": BOB_UNALIGNED})
    assert run(["check"], cwd=tmp_path, env={"OKR_REPO": str(root)}).exit_code == 1
    r = run(["check"], cwd=tmp_path, env={"OKR_REPO": str(tmp_path / "missing")})
    assert r.exit_code == 2 and "no such folder" in r.stderr


@pytest.mark.parametrize("args", [["frobnicate"], ["check", "--bogus"], ["check", "--strict=yes"],
                                  ["check", "--format"], ["schema", "a", "b"], []])
def test_unknown_command_or_option_exits_2(tmp_path, args):
    r = run(args, cwd=tmp_path)
    assert r.exit_code == 2, r.stdout + r.stderr
    _no_traceback(r)


# ---------------------------------------------------------------- 3: internal errors

def _boom(*args, **kwargs):
    raise RuntimeError("kaboom in the loader")


def test_internal_error_exits_3_in_one_line(okr_repo, monkeypatch):
    monkeypatch.setattr("okrcli.load.okr_file.load_okr_file", _boom)
    r = run(["check"], cwd=okr_repo(), env={"OKR_DEBUG": ""})
    assert r.exit_code == 3
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("okr: internal error: RuntimeError: kaboom in the loader")
    assert "OKR_DEBUG=1" in lines[0]
    _no_traceback(r)


def test_internal_error_with_okr_debug_propagates(okr_repo, monkeypatch):
    monkeypatch.setattr("okrcli.load.okr_file.load_okr_file", _boom)
    with pytest.raises(RuntimeError, match="kaboom"):
        run(["check"], cwd=okr_repo(), env={"OKR_DEBUG": "1"})


def test_internal_error_in_a_renderer_exits_3(okr_repo, monkeypatch):
    monkeypatch.setattr("okrcli.render.findings.render_json", lambda *a: {}["missing"])
    r = run(["check", "--format", "json"], cwd=okr_repo({"2026-Q4/bob.yaml": BOB_UNALIGNED}), env={"OKR_DEBUG": ""})
    assert r.exit_code == 3 and len(r.stderr.splitlines()) == 1 and "KeyError" in r.stderr
    _no_traceback(r)


# ---------------------------------------------------------------- 130: interrupted

def _interrupt(*args, **kwargs):
    raise KeyboardInterrupt


def test_ctrl_c_inside_a_command_exits_130(okr_repo, monkeypatch):
    monkeypatch.setattr("okrcli.load.okr_file.load_okr_file", _interrupt)
    r = run(["check"], cwd=okr_repo())
    assert r.exit_code == 130
    _no_traceback(r)
    assert len(r.stderr.splitlines()) <= 1


# ---------------------------------------------------------------- okrcli.cli:main in-process

def _main(monkeypatch, capsys, args: list[str], cwd: Path, debug: str = "") -> tuple[int, str, str]:
    from okrcli.cli import main

    monkeypatch.chdir(cwd)
    monkeypatch.setattr(sys, "argv", ["okr", *args])
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("OKR_DEBUG", debug)
    monkeypatch.delenv("OKR_REPO", raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    with pytest.raises(SystemExit) as exc:
        main()
    out, err = capsys.readouterr()
    return exc.value.code, out, err


def test_main_exit_codes(okr_repo, tmp_path, monkeypatch, capsys):
    assert _main(monkeypatch, capsys, ["check"], okr_repo())[0] == 0
    code, out, err = _main(monkeypatch, capsys, ["check"], okr_repo({"2026-Q4/bob.yaml": BOB_UNALIGNED}))
    assert code == 1 and "error[unaligned]" in out
    code, out, err = _main(monkeypatch, capsys, ["check"], tmp_path / "okrs" / "2026-Q4")
    assert code == 1  # found from a subfolder
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, err = _main(monkeypatch, capsys, ["check"], empty)
    assert code == 2 and err.startswith("okr: error: no okr.yaml")
    code, out, err = _main(monkeypatch, capsys, ["--version"], empty)
    assert code == 0 and out.startswith("okr ")


@pytest.mark.parametrize("args, says", [(["frobnicate"], "No such command"), (["check", "--bogus"], "No such option"),
                                        (["check", "--format"], "requires an argument"), ([], "Usage:")])
def test_main_usage_errors_exit_2(tmp_path, monkeypatch, capsys, args, says):
    code, out, err = _main(monkeypatch, capsys, args, tmp_path)
    assert code == 2 and says in out + err
    assert "Traceback" not in out + err


def test_main_internal_error_and_interrupt(okr_repo, monkeypatch, capsys):
    root = okr_repo()
    monkeypatch.setattr("okrcli.load.okr_file.load_okr_file", _boom)
    code, _out, err = _main(monkeypatch, capsys, ["check"], root)
    assert code == 3 and len(err.splitlines()) == 1 and "OKR_DEBUG=1" in err and "Traceback" not in err
    monkeypatch.setattr("okrcli.load.okr_file.load_okr_file", _interrupt)
    assert _main(monkeypatch, capsys, ["check"], root)[0] == 130


def test_main_with_okr_debug_raises_the_original_error(okr_repo, monkeypatch, capsys):
    monkeypatch.setattr("okrcli.load.okr_file.load_okr_file", _boom)
    with pytest.raises(RuntimeError, match="kaboom"):
        _main(monkeypatch, capsys, ["check"], okr_repo(), debug="1")


def test_main_interrupt_outside_a_command(monkeypatch, capsys, tmp_path):
    from okrcli import cli

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "app", interrupted)
    assert _main(monkeypatch, capsys, ["check"], tmp_path)[0] == 130


# ---------------------------------------------------------------- the console script

def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("NO_COLOR", "FORCE_COLOR", "OKR_REPO", "OKR_DEBUG", "GITHUB_ACTIONS", "CLICOLOR_FORCE")}
    env.update(extra)
    return env


def test_console_script_exit_codes(okr_repo, tmp_path):
    assert OKR_EXE.exists()
    p = subprocess.run(check=False, args=[str(OKR_EXE), "check", "--repo", str(EXAMPLE)], capture_output=True, text=True,
                       timeout=30, env=_env())
    assert (p.returncode, p.stdout) == (0, ""), p.stderr
    root = okr_repo({"2026-Q4/bob.yaml": BOB_UNALIGNED})
    p = subprocess.run(check=False, args=[str(OKR_EXE), "check"], cwd=root, capture_output=True, text=True, timeout=30, env=_env())
    assert p.returncode == 1 and p.stdout.startswith("2026-Q4/bob.yaml:2:9: error[unaligned]")
    assert not ANSI.search(p.stdout + p.stderr)  # not a TTY: plain
    empty = tmp_path / "empty"
    empty.mkdir()
    p = subprocess.run(check=False, args=[str(OKR_EXE), "check"], cwd=empty, capture_output=True, text=True, timeout=30, env=_env())
    assert p.returncode == 2 and p.stderr.startswith("okr: error: ") and "Traceback" not in p.stderr


def test_console_script_usage_error_exits_2(tmp_path):
    p = subprocess.run(check=False, args=[str(OKR_EXE), "frobnicate"], cwd=tmp_path, capture_output=True, text=True, timeout=30,
                       env=_env())
    assert p.returncode == 2, p.stderr
    assert "No such command" in p.stderr and "Traceback" not in p.stderr


def _run_in_tty(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, bytes]:
    master, slave = pty.openpty()
    try:
        p = subprocess.Popen(args, cwd=cwd, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, env=env)
    finally:
        os.close(slave)
    out = b""
    try:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
    finally:
        os.close(master)
    return p.wait(timeout=30), out


def test_no_color_in_a_terminal_is_plain(okr_repo):
    root = okr_repo({"2026-Q4/bob.yaml": BOB_UNALIGNED})
    code, out = _run_in_tty([str(OKR_EXE), "check"], root, _env(TERM="xterm-256color"))
    assert code == 1
    assert b"\x1b[" in out  # a terminal without NO_COLOR gets colour ...
    code, out = _run_in_tty([str(OKR_EXE), "check"], root, _env(TERM="xterm-256color", NO_COLOR="1"))
    assert code == 1 and b"error[unaligned]" in out
    assert not ANSI.search(out.decode())  # ... and with NO_COLOR none
