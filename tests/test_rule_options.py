"""Rules own their options: okr.yaml `rules:` is validated from each rule's `OPTIONS`, and every
reader of a limit (the rule, `okr health`) takes its default from there."""

from __future__ import annotations

import json

from conftest import run, write_repo
from test_check_formats import _objectives

from okrcli.rules import RULE_IDS, Option, options, registry
from okrcli.settings import load_settings

ROOT_FILES = "company: acme\ncycle: 2026-Q4\nrules:\n"


def _config(rules: str) -> dict[str, str]:
    return {"okr.yaml": ROOT_FILES + rules}


def test_an_option_the_rule_does_not_take_is_a_finding_where_it_is_written(tmp_path):
    root = write_repo(tmp_path, _config("  unaligned: {max: 3}\n  kr-count: {max: many, kr_verbs: [x]}\n"
                                        "  weak-wording: {max: 2}\n"))
    r = run(["check"], cwd=root)
    assert (r.exit_code, r.stdout) == (1, (
        "okr.yaml:4:15: error[schema]: unknown key 'max' in rule 'unaligned'; allowed: severity\n"
        "okr.yaml:5:19: error[schema]: 'max' must be a number, not many\n"
        "okr.yaml:5:25: error[schema]: unknown key 'kr_verbs' in rule 'kr-count'; allowed: severity, max\n"
        "okr.yaml:6:18: error[schema]: unknown key 'max' in rule 'weak-wording'; allowed: severity, "
        "kr_verbs, objective_verbs\n"
    ))


def test_a_misspelt_option_gets_a_suggestion_and_a_bad_count_its_bound(tmp_path):
    root = write_repo(tmp_path, _config("  too-many-objectives: {maxx: 3}\n  kr-count: {max: 2.5}\n"))
    r = run(["check"], cwd=root)
    assert (r.exit_code, r.stdout) == (1, (
        "okr.yaml:4:25: error[schema]: unknown key 'maxx' in rule 'too-many-objectives'; did you mean 'max'?\n"
        "okr.yaml:5:19: error[schema]: 'max' must be a whole number, 0 or more, not 2.5\n"
    ))


def test_every_rule_declares_its_options():
    for rule in registry():
        declared = getattr(rule, "OPTIONS", {})
        assert all(isinstance(o, Option) and o.kind in ("count", "words") for o in declared.values()), rule.ID
    assert {r: sorted(options(r)) for r in RULE_IDS if options(r)} == {
        "too-many-objectives": ["max"], "kr-count": ["max"], "weak-wording": ["kr_verbs", "objective_verbs"]}


def test_the_documented_defaults_are_the_declared_ones():
    """`okr check --explain` and `--list-rules` show a rule's docstring: its "(default N)" is OPTIONS'."""
    counts = [(rule, name, option) for rule in registry() for name, option in getattr(rule, "OPTIONS", {}).items()
              if option.kind == "count"]
    assert len(counts) == 2
    for rule, name, option in counts:
        assert f"more than `{name}` " in rule.__doc__ and f"(default {option.default})" in rule.__doc__, rule.ID


def test_the_config_schema_allows_exactly_the_declared_options():
    from okrcli.commands.schema import schema_text

    doc = json.loads(schema_text("config"))
    rules = doc["properties"]["rules"]["properties"]
    assert set(rules) == set(RULE_IDS)
    for rule_id, entry in rules.items():
        name = entry["allOf"][0]["$ref"].rsplit("/", 1)[1]
        allowed = set(doc["definitions"][name]["oneOf"][1]["properties"])
        assert allowed == {"severity", *options(rule_id)}, rule_id


def test_a_default_is_declared_once_and_read_by_the_rule_and_by_health(tmp_path, monkeypatch):
    """Lowering kr-count's declared default changes `okr check` and `okr health` alike."""
    from okrcli.rules import kr_count

    monkeypatch.setenv("OKR_CACHE", "0")  # the default changes in memory, not in okr's code the cache keys on
    root = write_repo(tmp_path, {"2026-Q4/bob.yaml": _objectives(1, krs=2)})

    def seen() -> tuple[str, int]:
        found = run(["check"], cwd=root).stdout
        scope = json.loads(run(["health", "-f", "json", "--cycle", "2026-Q4"], cwd=root).stdout)["scopes"][0]
        return found, scope["counts"]["focused_owners"]

    before_check, before_focused = seen()
    assert "kr-count" not in before_check
    monkeypatch.setitem(kr_count.OPTIONS, "max", Option("count", 1))
    after_check, after_focused = seen()
    assert "bob/O1 has 2 key results, more than 1" in after_check
    assert after_focused == before_focused - 1  # bob holds too many key results now


def test_load_settings_keeps_what_okr_yaml_sets(tmp_path):
    (tmp_path / "okr.yaml").write_text(ROOT_FILES + "  kr-count: {severity: error, max: 7}\n"
                                       "  weak-wording: {kr_verbs: [Help, ' work on ']}\n  unaligned: off\n")
    diags: list = []
    settings = load_settings(tmp_path, diags)
    assert diags == []
    assert (settings.rules["kr-count"].severity, settings.rules["kr-count"].max) == ("error", 7)
    assert settings.rules["weak-wording"].kr_verbs == ("help", "work on")
    assert settings.rules["unaligned"].severity == "off"
