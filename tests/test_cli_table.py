"""The command table: `okr COMMAND` imports and builds only that command; every other way in
(help, an unknown command, an option first, the test runner) sees all of them, alike."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE

from okrcli import cli

ROOT = Path(__file__).resolve().parent.parent
NAMES = [name for name, *_rest in cli.TABLE]
PROBE = ("import sys\nfrom okrcli.cli import main\nsys.argv = ['okr', *sys.argv[1:]]\n"
         "try:\n    main()\nexcept SystemExit:\n    pass\n"
         "sys.stderr.write('\\nCOMMANDS=' + ','.join(sorted(m.rsplit('.', 1)[1] for m in sys.modules\n"
         "                  if m.startswith('okrcli.commands.'))))\n")


def _probe(*args: str) -> tuple[str, set[str]]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}, check=False)
    head, _, modules = done.stderr.rpartition("\nCOMMANDS=")
    return done.stdout + head, set(modules.split(","))


def test_a_check_imports_no_other_command():
    out, modules = _probe("check", "--repo", str(EXAMPLE))
    assert "okr check:" in out
    assert modules == {"check", "common", "output"}


def test_help_and_an_unknown_command_see_every_command():
    out, modules = _probe("--help")
    assert all(name in out for name in NAMES)
    assert {"check", "checkin", "review", "who"} <= modules
    out, _modules = _probe("chek")
    assert "No such command 'chek'. Did you mean 'check', 'checkin', 'schema'?" in out


def _main(monkeypatch, capsys, args: list[str]) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["okr", *args])
    monkeypatch.setenv("NO_COLOR", "1")
    with pytest.raises(SystemExit) as exc:
        cli.main()
    captured = capsys.readouterr()
    return exc.value.code, captured.out, captured.err


def test_a_command_that_runs_others_gets_every_command(monkeypatch):
    monkeypatch.delitem(vars(cli), "app")  # as in `okr` itself
    assert {c.name for c in cli._application(["demo", "acme-demo"]).registered_commands} == set(NAMES)
    assert [c.name for c in cli._application(["tree"]).registered_commands] == ["tree"]


@pytest.mark.parametrize("name", [n for n in NAMES if n not in cli._RUNS_OTHERS])
def test_one_command_alone_parses_and_helps_as_in_the_whole_table(monkeypatch, capsys, name):
    whole = _main(monkeypatch, capsys, [name, "--help"]), _main(monkeypatch, capsys, [name, "--no-such-option"])
    monkeypatch.delitem(vars(cli), "app")  # as in `okr` itself: nothing made the whole table yet
    built = []
    real = cli.make_app
    monkeypatch.setattr(cli, "make_app", lambda names=None: (built.append(names), real(names))[1])
    alone = _main(monkeypatch, capsys, [name, "--help"]), _main(monkeypatch, capsys, [name, "--no-such-option"])
    assert built == [[name], [name]]
    assert alone == whole and whole[0][0] == 0 and whole[1][0] == 2


def _imported(*args: str) -> set[str]:
    code = ("import sys\nfrom okrcli.cli import main\nsys.argv = ['okr', *sys.argv[1:]]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "sys.stderr.write('\\nMODULES=' + ','.join(sorted(sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "OKR_CACHE": "0"},
                          check=False)
    return set(done.stderr.rpartition("\nMODULES=")[2].split(","))


def test_a_check_in_text_imports_what_only_machine_formats_need_nowhere():
    """json and hashlib (OpenSSL) are for the json, sarif and gitlab formats: the usual run,
    text, imports neither."""
    text = _imported("check", "--repo", str(EXAMPLE))
    assert "okrcli.render.findings" in text
    assert not {"json", "hashlib"} & text
    assert {"json", "hashlib"} <= _imported("check", "--repo", str(EXAMPLE), "--format", "gitlab")
