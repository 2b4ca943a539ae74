"""The error catalogue: one small repository per rule and the exact `okr check` output for it.

Each `tests/golden/rules/<rule-id>/` is a complete OKR repository (okr.yaml, org.yaml,
cycle folders) that triggers that rule and no other, and `expected.txt` is the
exact stdout of `okr check --format text` run inside it. The exit code follows
from the severities in expected.txt (1 when a line is an error, else 0).

To update after an intended change of a message or position, run
`OKR_REGEN_GOLDEN=1 pytest tests/test_rules_golden.py` and review the diff of
tests/golden/ like any other change: every line and column in it was checked by
hand against the YAML next to it.
"""

from __future__ import annotations

import importlib
import os
import re
from pathlib import Path

import pytest
from conftest import run

from okrcli.rules import RULE_IDS, module_name

GOLDEN = Path(__file__).resolve().parent / "golden" / "rules"
REGEN = os.environ.get("OKR_REGEN_GOLDEN") == "1"
FINDING = re.compile(r"^(?P<path>[^:]+):(?P<line>[1-9]\d*):(?P<col>[1-9]\d*): "
                     r"(?P<severity>error|warning)\[(?P<rule>[a-z-]+)\]: (?P<message>.+)$")


def golden_folders() -> list[str]:
    return sorted(p.name for p in GOLDEN.iterdir() if p.is_dir())


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_is_documented_and_has_a_golden(rule_id):
    module = importlib.import_module(module_name(rule_id))
    assert module.ID == rule_id
    assert module.SEVERITY in ("error", "warning")
    doc = (module.__doc__ or "").strip()
    name = module.__name__
    assert doc, f"{name} has no docstring (it is the rule's user documentation)"
    assert len(doc.splitlines()) > 1, f"{name}: the docstring must also say how to fix a finding"
    assert re.search(r"\bfix\b", doc, re.IGNORECASE), f"{name}: the docstring does not say how to fix"
    folder = GOLDEN / rule_id
    assert (folder / "okr.yaml").is_file(), f"no golden repository tests/golden/{rule_id}/"
    assert (folder / "expected.txt").is_file() or REGEN, f"tests/golden/{rule_id}/expected.txt is missing"


def test_every_golden_folder_is_a_rule():
    assert set(golden_folders()) <= set(RULE_IDS)


@pytest.mark.parametrize("rule_id", golden_folders())
def test_golden_output(rule_id):
    folder = GOLDEN / rule_id
    expected_file = folder / "expected.txt"
    result = run(["check", "--format", "text"], cwd=folder)
    assert result.exit_code in (0, 1), result.stderr
    if REGEN:
        expected_file.write_bytes(result.stdout.encode("utf-8"))
    expected = expected_file.read_bytes().decode("utf-8")

    assert result.stdout == expected

    lines = expected.splitlines()
    assert lines, f"the golden for {rule_id} triggers nothing"
    assert expected.endswith("\n")
    for line in lines:
        m = FINDING.match(line)
        assert m, f"not a finding line: {line!r}"
        assert m["rule"] == rule_id, f"the golden for {rule_id} also triggers {m['rule']}: {line}"
        assert not m["path"].startswith(("/", "..")), line
    errors = sum(FINDING.match(line)["severity"] == "error" for line in lines)
    warnings = len(lines) - errors
    assert result.exit_code == (1 if errors else 0)
    assert result.stderr.startswith(f"okr check: {errors} error{'s' * (errors != 1)}, "
                                    f"{warnings} warning{'s' * (warnings != 1)} in ")
