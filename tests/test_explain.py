"""`okr check --explain RULE`: each rule's documentation from the registry."""

from __future__ import annotations

import json

import pytest
from conftest import run

from okrcli.rules import RULE_IDS, registry


@pytest.mark.parametrize("module", registry(), ids=RULE_IDS)
def test_every_rule_explains_what_why_how_to_fix_and_an_example(module, tmp_path):
    result = run(["check", "--explain", module.ID], cwd=tmp_path)  # no OKR repository needed
    assert (result.exit_code, result.stderr) == (0, "")
    out = result.stdout
    doc = module.__doc__.strip()
    summary = doc.splitlines()[0]
    assert out.startswith(f"{module.ID} (default: {module.SEVERITY})\n\n{summary}\n\n")
    assert "Fix:" in out and "\nExample:\n\n" in out and "\nFixed:\n\n" in out
    found, fixed = module.EXAMPLE.split("\n->\n")
    for line in [*found.splitlines(), *fixed.splitlines()]:
        assert f"    {line}\n" in out
    # The whole docstring, paragraph by paragraph.
    for paragraph in doc.split("\n\n"):
        assert paragraph.strip() in out
    assert out.endswith(f"rules: {{{module.ID}: warning}} (error, warning or off).\n")


def test_unaligned_explained_exactly():
    out = run(["check", "--explain", "unaligned"]).stdout
    assert out == (
        "unaligned (default: error)\n\n"
        "A team's or person's objective that aligns to nothing.\n\n"
        "OKRs connect: every team and personal objective should say which objective\n"
        "above it serves (`aligns: [eng/O2]`, or a key result: `aligns: [acme/O1/KR2]`).\n"
        "Company objectives are exempt.\n\n"
        "Fix: add `aligns:` with the objective (or KR) this one drives. Bottom-up\n"
        "exploration is allowed but visible: write `standalone: \"<why>\"` instead.\n\n"
        "Example:\n\n"
        "      - id: O1                  # platform's objective, serving nothing above it\n"
        "        title: Make deploys boring\n\n"
        "Fixed:\n\n"
        "      - id: O1\n"
        "        title: Make deploys boring\n"
        "        aligns: [eng/O2]\n\n"
        "Severity: change it in okr.yaml, e.g. rules: {unaligned: warning} (error, warning or off).\n"
    )


def test_an_unknown_rule_is_a_usage_error_with_a_hint():
    result = run(["check", "--explain", "unalinged"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "okr: error: there is no rule 'unalinged'\nhint: did you mean unaligned?\n"
    other = run(["check", "--explain", "zzz"])
    assert other.exit_code == 2 and "okr check --list-rules lists them" in other.stderr


def test_list_rules_keeps_its_output_and_points_to_explain_on_stderr(okr_repo):
    root = okr_repo()
    text = run(["check", "--list-rules"], cwd=root)
    assert text.exit_code == 0
    assert text.stderr == "okr check --explain RULE prints a rule's documentation, with an example\n"
    assert [line.split()[0] for line in text.stdout.splitlines()] == list(RULE_IDS)
    rows = json.loads(run(["check", "--list-rules", "--format", "json"], cwd=root).stdout)
    assert [r["rule"] for r in rows] == list(RULE_IDS)
    assert "--explain RULE" in run(["check", "--help"]).stdout
