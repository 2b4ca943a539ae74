"""The help and the README document every command."""

import re

import pytest
from conftest import ROOT, run

from okrcli.cli import app

COMMANDS = sorted(c.name for c in app.registered_commands)
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_spec_minimum_set_of_commands_exists():
    spec = {"init", "check", "tree", "show", "list", "checkin", "grade", "log", "report", "review",
            "diff", "status", "health", "new-cycle", "export", "schema", "demo"}
    assert spec <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_an_example(name):
    result = run([name, "--help"])
    assert result.exit_code == 0, result.stderr
    assert re.search(r"^\s*Example: okr ", result.stdout, re.MULTILINE), result.stdout


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_in_the_readme_command_table(name):
    assert re.search(rf"^\| `okr {re.escape(name)}\b", README, re.MULTILINE)


def test_the_readme_table_names_only_real_commands():
    listed = re.findall(r"^\| `okr ([a-z-]+)", README, re.MULTILINE)
    assert sorted(set(listed)) == COMMANDS


def test_top_level_help_lists_every_command():
    result = run(["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert re.search(rf"^\s+{re.escape(name)}\s", result.stdout, re.MULTILINE), name
