"""`okr health` on the crafted history of pulse_repo: every count, share and index worked out by hand."""

from __future__ import annotations

import ast
import json
import operator
import re

import pytest
from conftest import ROOT, run
from gitrepo import isolate_git, write_files
from pulse_repo import TODAY, build

from okrcli.reports.pulse import COMPONENTS, FORMULAS

ENV = {"OKR_TODAY": TODAY}
NAMES = ("owners", "owners_filled", "owners_with_objectives", "focused_owners", "key_results",
         "outcome_key_results", "kr_weeks", "kr_weeks_checked", "open_key_results", "up_to_date_key_results",
         "objectives", "non_company_objectives", "aligned_objectives", "lateral_objectives", "people",
         "people_filled", "bottom_up_objectives", "aspirational_objectives")


@pytest.fixture
def crafted(tmp_path, monkeypatch):
    isolate_git(monkeypatch, tmp_path)
    return build(tmp_path / "okrs")


def health(root, *args):
    result = run(["health", *args], cwd=root, env=ENV)
    assert result.exit_code == 0, result.stderr
    return result


def figures(counts: tuple[int, ...], focus, follow_up, collaboration, activation) -> dict:
    c = dict(zip(NAMES, counts, strict=True))

    def share(num, den):
        return c[num] / c[den] if c[den] else None

    return {"indices": {"focus": focus, "follow_up": follow_up, "collaboration": collaboration,
                        "activation": activation},
            "fill_in_rate": share("owners_filled", "owners"),
            "checkin_rate": share("up_to_date_key_results", "open_key_results"),
            "components": {"focused_owner_share": share("focused_owners", "owners_with_objectives"),
                           "outcome_kr_share": share("outcome_key_results", "key_results"),
                           "kr_week_checkin_share": share("kr_weeks_checked", "kr_weeks"),
                           "aligned_share": share("aligned_objectives", "non_company_objectives"),
                           "lateral_share": share("lateral_objectives", "objectives"),
                           "people_fill_share": share("people_filled", "people"),
                           "bottom_up_share": share("bottom_up_objectives", "objectives"),
                           "aspirational_share": share("aspirational_objectives", "objectives")},
            "counts": c}


def scope(id, kind, name, parent, now: dict, before: dict | None) -> dict:
    trend = None
    if before is not None:
        trend = {k: None if v is None or before["indices"][k] is None else v - before["indices"][k]
                 for k, v in now["indices"].items()}
    return {"id": id, "kind": kind, "name": name, "parent": parent, **now, "previous": before, "trend": trend}


# 2026-Q4 on Nov 1 (public objectives: acme/O1, eng/O1, platform/O1, alice/O1, alice/O2, bob/O1, sales/O1, sales/O2).
# Counts, in NAMES order. Owners: acme, eng, platform, sales, alice..erin; filled: all but carol, dan, erin.
# Focus: sales is not focused (O2 has no KR); alice/O1/KR1 "Help ..." is an activity.
# KR-weeks (discipline): acme 5 (5 on time), eng 4 (2), platform 4 (2), alice 12 (11), bob 4 (0), sales 4 (1).
# Up to date on Nov 1: acme/O1/KR1, platform/O1/KR1, alice/O1/KR1, alice/O1/KR2 (acme/O1/KR2 is done: not open).
# Aligned: all non-company objectives but alice/O2 (standalone). Lateral: platform/O1 -> sales/O1 (bob/O1 ->
# platform/O1 stays inside platform). Bottom-up: alice/O1, alice/O2 (standalone), bob/O1. Committed: acme/O1, alice/O2.
Q4 = {
    "acme": figures((9, 6, 6, 5, 9, 8, 33, 21, 8, 4, 8, 7, 6, 2, 5, 2, 3, 6),
                    100 * (0.5 * (5 / 6) + 0.5 * (8 / 9)), 100 * (1.0 * (21 / 33)),
                    100 * (0.7 * (6 / 7) + 0.3 * (2 / 8)), 100 * (0.4 * (2 / 5) + 0.3 * (3 / 8) + 0.3 * (6 / 8))),
    # eng, platform, alice, bob, carol; objectives eng/O1, platform/O1, alice/O1, alice/O2, bob/O1.
    "eng": figures((5, 4, 4, 4, 6, 5, 24, 15, 6, 3, 5, 5, 4, 1, 3, 2, 3, 4),
                   100 * (0.5 * (4 / 4) + 0.5 * (5 / 6)), 100 * (1.0 * (15 / 24)),
                   100 * (0.7 * (4 / 5) + 0.3 * (1 / 5)), 100 * (0.4 * (2 / 3) + 0.3 * (3 / 5) + 0.3 * (4 / 5))),
    "platform": figures((3, 2, 2, 2, 2, 2, 8, 2, 2, 1, 2, 2, 2, 1, 2, 1, 1, 2),
                        100 * (0.5 * (2 / 2) + 0.5 * (2 / 2)), 100 * (1.0 * (2 / 8)),
                        100 * (0.7 * (2 / 2) + 0.3 * (1 / 2)), 100 * (0.4 * (1 / 2) + 0.3 * (1 / 2) + 0.3 * (2 / 2))),
    "sales": figures((3, 1, 1, 0, 1, 1, 4, 1, 1, 0, 2, 2, 2, 1, 2, 0, 0, 2),
                     100 * (0.5 * (0 / 1) + 0.5 * (1 / 1)), 100 * (1.0 * (1 / 4)),
                     100 * (0.7 * (2 / 2) + 0.3 * (1 / 2)), 100 * (0.4 * (0 / 2) + 0.3 * (0 / 2) + 0.3 * (2 / 2))),
}
# 2026-Q3, over (13 periods): acme/O1 (never checked in), alice/O1 (Jul 1 and Sep 29 on time). On Sep 30, the
# cycle's last day both KRs stand at their target (5 of 5), so neither owes a check-in (SPEC 3): none is open.
Q3 = {
    "acme": figures((9, 2, 2, 2, 2, 2, 26, 2, 0, 0, 2, 1, 1, 0, 5, 1, 1, 2),
                    100 * (0.5 * (2 / 2) + 0.5 * (2 / 2)), 100 * (1.0 * (2 / 26)),
                    100 * (0.7 * (1 / 1) + 0.3 * (0 / 2)), 100 * (0.4 * (1 / 5) + 0.3 * (1 / 2) + 0.3 * (2 / 2))),
    "eng": figures((5, 1, 1, 1, 1, 1, 13, 2, 0, 0, 1, 1, 1, 0, 3, 1, 1, 1),
                   100 * (0.5 * (1 / 1) + 0.5 * (1 / 1)), 100 * (1.0 * (2 / 13)),
                   100 * (0.7 * (1 / 1) + 0.3 * (0 / 1)), 100 * (0.4 * (1 / 3) + 0.3 * (1 / 1) + 0.3 * (1 / 1))),
    "platform": figures((3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0), None, None, None, None),
    "sales": figures((3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0), None, None, None, None),
}
SCOPES = [("acme", "company", "Acme Inc.", None), ("eng", "team", "Engineering", "acme"),
          ("platform", "team", "Platform", "eng"), ("sales", "team", "Sales", "acme")]


def test_json_counted_by_hand(crafted):
    got = json.loads(health(crafted, "--format", "json").stdout)
    assert got == {
        "cycle": "2026-Q4", "as_of": "2026-11-01", "checkin_every": 7, "previous_cycle": "2026-Q3",
        "history": True, "include_private": False, "max_objectives": 5, "max_key_results": 5,
        "scopes": [scope(*s, Q4[s[0]], Q3[s[0]]) for s in SCOPES],
    }


def _readme_formulas() -> dict[str, str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## okr health (the four values)", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```\n(focus .*?)```", section, re.DOTALL).group(1)
    pairs = (line.split(" = ", 1) for line in (raw.strip() for raw in block.splitlines()) if line)
    return {name.strip(): expression.strip() for name, expression in pairs}


_OPS = {ast.Add: operator.add, ast.Mult: operator.mul}


def _evaluate(expression: str, names: dict[str, float]) -> float:
    """The README formula with the JSON's components: numbers, names, + and * only."""
    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return node.value
        if isinstance(node, ast.Name):
            return names[node.id]
        raise AssertionError(f"unexpected in a README formula: {ast.dump(node)}")

    return walk(ast.parse(expression, mode="eval"))


def test_readme_formulas_recompute_every_index_from_the_json(crafted):
    formulas = _readme_formulas()
    assert sorted(formulas) == sorted(FORMULAS)
    got = json.loads(health(crafted, "--format", "json").stdout)
    checked = 0
    for s in got["scopes"]:
        for figures_ in (s, s["previous"]):
            for index, expression in formulas.items():
                if figures_["indices"][index] is None:
                    continue
                assert _evaluate(expression, figures_["components"]) == figures_["indices"][index], (s["id"], index)
                checked += 1
    assert checked == 4 * 4 + 2 * 4
    # ... and each README share names the counts the code divides.
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## okr health (the four values)", 1)[1]
    for component, (num, den) in COMPONENTS.items():
        assert f"| `{component}` | `{num} / {den}` |" in section


def test_text_with_plain_bars(crafted):
    assert health(crafted, "--team", "platform").stdout == """\
Health of 2026-Q4 as of 2026-11-01 (trend against 2026-Q3)

Platform (platform)  team in eng
  Focus          #################### 100.0
  Follow-up      #####---------------  25.0
  Collaboration  #################---  85.0
  Activation     #############-------  65.0
  Fill-in 67% (2 of 3) · check-ins up to date 50% (1 of 2)

Formulas: README, "okr health (the four values)". Teams count their subteams.
"""
    text = health(crafted).stdout
    # Indices to one decimal, half-up (SPEC 3): 100 * (0.5 * 5/6 + 0.5 * 8/9) = 86.1, 100 * 21/33 = 63.6; and
    # Collaboration 100 * (0.7 * 6/7 + 0.3 * 2/8) = 67.5, Activation 100 * (0.16 + 0.1125 + 0.225) = 49.75 -> 49.8.
    assert "  Focus          #################---  86.1  -13.9 vs 2026-Q3\n" in text
    assert "  Follow-up      #############-------  63.6  +55.9 vs 2026-Q3\n" in text
    assert "  Collaboration  ##############------  67.5  -2.5 vs 2026-Q3\n" in text
    assert "  Activation     ##########----------  49.8  -3.3 vs 2026-Q3\n" in text
    assert "█" not in text


def test_fancy_bars_on_a_terminal(crafted):
    from datetime import date

    from okrcli.load.build import load_repository
    from okrcli.load.history import read_history
    from okrcli.network import AlignmentNetwork
    from okrcli.render.pulse import health_text_lines
    from okrcli.render.styled import plain
    from okrcli.reports.pulse import build_health
    from okrcli.reports.spec import ReportSpec

    repository, _ = load_repository(crafted)
    report = build_health(repository, AlignmentNetwork(repository), read_history(crafted),
                          ReportSpec("2026-Q4", date(2026, 11, 1), team="sales"))
    assert "  Focus          ██████████░░░░░░░░░░  50.0\n" in plain(health_text_lines(report, fancy=True))


def test_team_selects_it_and_its_subteams(crafted):
    got = json.loads(health(crafted, "--team", "eng", "-f", "json").stdout)
    assert got["scopes"] == [scope(*s, Q4[s[0]], Q3[s[0]]) for s in SCOPES[1:3]]
    got = json.loads(health(crafted, "--team", "acme", "-f", "json").stdout)
    assert [s["id"] for s in got["scopes"]] == ["acme", "eng", "platform", "sales"]
    for bad in ("bob", "nobody"):
        result = run(["health", "--team", bad], cwd=crafted, env=ENV)
        assert result.exit_code == 2 and result.stdout == ""


def test_at_a_date(crafted):
    got = json.loads(health(crafted, "--at", "2026-10-18", "-f", "json").stdout)
    acme = got["scopes"][0]
    # Periods 0 and 1 are over. On time: acme 3 of 3, eng 1 of 2 (Oct 16 makes p1 late), platform 0 of 2 (its
    # edit came on Oct 20), alice 6 of 6, bob 0 of 2, sales 1 of 2.
    assert (acme["counts"]["kr_weeks"], acme["counts"]["kr_weeks_checked"]) == (17, 11)
    assert acme["indices"]["follow_up"] == 100 * (1.0 * (11 / 17))
    # Up to date on Oct 18: acme/O1/KR1 (Oct 17), eng (Oct 16), alice's three (Oct 13); not platform, bob, sales.
    assert (acme["counts"]["open_key_results"], acme["counts"]["up_to_date_key_results"]) == (8, 5)
    assert got["as_of"] == "2026-10-18"


def test_no_previous_cycle_no_trend(crafted):
    got = json.loads(health(crafted, "--cycle", "2026-Q3", "-f", "json").stdout)
    assert got["previous_cycle"] is None
    assert got["scopes"] == [scope(*s, Q3[s[0]], None) for s in SCOPES]
    assert "(no earlier cycle to compare)" in health(crafted, "--cycle", "2026-Q3").stdout
    assert "  Focus          n/a (nothing to count yet)\n" in health(crafted, "--cycle", "2026-Q3").stdout


def test_markdown(crafted):
    assert health(crafted, "-f", "markdown").stdout == """\
## OKR health: 2026-Q4

As of 2026-11-01. Indices 0-100; in brackets, the change since 2026-Q3. Teams count their subteams.

| Scope | Focus | Follow-up | Collaboration | Activation | Fill-in | Check-ins up to date |
|---|---|---|---|---|---|---|
| Acme Inc. (acme) | 86.1 (-13.9) | 63.6 (+55.9) | 67.5 (-2.5) | 49.8 (-3.3) | 67% | 50% |
| Engineering (eng) | 91.7 (-8.3) | 62.5 (+47.1) | 62.0 (-8.0) | 68.7 (-4.7) | 80% | 50% |
| Platform (platform) | 100.0 | 25.0 | 85.0 | 65.0 | 67% | 50% |
| Sales (sales) | 50.0 | 25.0 | 85.0 | 30.0 | 33% | 0% |
"""


def test_hostile_team_names_in_markdown_and_text(crafted):
    org = (crafted / "org.yaml").read_text()
    org = org.replace("{name: Sales,", '{name: "Sales | <!-- @all [b]x\\u202e\\n# h",')
    write_files(crafted, {"org.yaml": org})
    md = health(crafted, "-f", "markdown").stdout
    row = next(line for line in md.splitlines() if "(sales)" in line)
    # The visible escapes of the bidi override and the newline keep their backslash (doubled in Markdown).
    assert row.startswith("| Sales \\| &lt;!-- @\u200ball \\[b\\]x\\\\u202e\\\\n# h (sales) | ")
    assert row.replace("\\|", "").count("|") == 8
    text = health(crafted).stdout
    assert "Sales | <!-- @all [b]x\\u202e\\n# h (sales)" in text and "\u202e" not in text


def test_weak_wording_and_limits_follow_okr_yaml(crafted):
    (crafted / "okr.yaml").write_text("company: acme\ncycle: 2026-Q4\nrules:\n"
                                      "  weak-wording: {kr_verbs: [new]}\n  too-many-objectives: {max: 1}\n")
    got = json.loads(health(crafted, "-f", "json").stdout)["scopes"][0]
    # "New customers ..." is now the activity; alice (2 objectives) is no longer focused.
    assert (got["counts"]["outcome_key_results"], got["counts"]["focused_owners"]) == (8, 4)
    assert got["counts"]["kr_weeks"] == 33  # checkin_every defaults to 7
