"""`okr check` outputs and options: json, github, sarif, --strict, --cycle, --list-rules,
rule settings in okr.yaml, paths relative to the current folder, and one run for all files."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import jsonschema
import pytest
from conftest import run, write_repo

from okrcli.rules import RULE_IDS, registry

UNALIGNED = ("aligns to nothing; add 'aligns: [OWNER/OBJ]' naming the objective it serves, "
             "or 'standalone: \"<reason>\"'")
HELP_KR = "key result title starts with 'Help', an activity; state the measurable result instead"
OBJECTIVE_KEYS = ("id, title, aligns, depends_on, committed, private, standalone, key_results, "
                  "review, description")

# unaligned (2:9), weak-wording (6:16), schema: NaN (12:18)
SMALL = {"2026-Q4/bob.yaml": """\
    objectives:
      - id: O1
        title: Faster builds
        key_results:
          - id: KR1
            title: Help the release team
            done: false
          - id: KR2
            title: Build time from 20 to 5 minutes
            start: 20
            target: 5
            current: .nan
    """}

SMALL_FINDINGS = [
    {"path": "2026-Q4/bob.yaml", "line": 2, "column": 9, "severity": "error", "rule": "unaligned",
     "message": f"bob/O1 {UNALIGNED}"},
    {"path": "2026-Q4/bob.yaml", "line": 6, "column": 16, "severity": "warning",
     "rule": "weak-wording", "message": HELP_KR},
    {"path": "2026-Q4/bob.yaml", "line": 12, "column": 18, "severity": "error", "rule": "schema",
     "message": "'current' must be a finite number, not .nan"},
]

# Only a warning: weak-wording at 6:26.
WARNING_ONLY = {"2026-Q4/bob.yaml": """\
    objectives:
      - id: O1
        title: Faster builds
        aligns: [acme/O1]
        key_results:
          - {id: KR1, title: Help the release team, done: false}
    """}


def _no_constants(name: str):
    raise AssertionError(f"JSON output contains {name}")


# ------------------------------------------------------------------ json

def test_json_lists_every_finding_exactly(okr_repo):
    root = okr_repo(SMALL)
    result = run(["check", "--format", "json"], cwd=root)
    assert result.exit_code == 1
    assert result.stderr == ""
    findings = json.loads(result.stdout, parse_constant=_no_constants)  # NaN/Infinity are not JSON
    assert findings == SMALL_FINDINGS
    assert "NaN" not in result.stdout


def test_json_without_findings_is_an_empty_list(okr_repo):
    result = run(["check", "--format", "json"], cwd=okr_repo())
    assert (result.exit_code, json.loads(result.stdout)) == (0, [])


# ------------------------------------------------------------------ github

@pytest.mark.skipif(os.name == "nt", reason="',', '%' and ':' in a file name")
def test_github_annotations_are_escaped_like_actions_core(okr_repo):
    root = okr_repo({
        "2026-Q4/bob.yaml": r"""
            objectives:
              - id: O1
                title: Faster builds
                aligns: [acme/O1]
                "a::error::b,%\r\n::warning::c": 1
                key_results:
                  - {id: KR1, title: Help the release team, done: false}
            """.lstrip("\n"),
        "2026-Q4/x,y%:z.yaml": "objectives: []\n",
    })
    expected = (
        "::error file=2026-Q4/bob.yaml,line=5,col=5,title=schema::unknown key "
        f"'a::error::b,%25\\x0d%0A::warning::c' in an objective; allowed: {OBJECTIVE_KEYS}\n"
        f"::warning file=2026-Q4/bob.yaml,line=7,col=26,title=weak-wording::{HELP_KR}\n"
        "::error file=2026-Q4/x%2Cy%25%3Az.yaml,line=1,col=1,title=unknown-owner::"
        "'x,y%25:z' is not a valid owner id (lowercase letters, digits, - and _); rename the file\n"
    )
    result = run(["check", "--format", "github"], cwd=root)
    assert (result.exit_code, result.stdout, result.stderr) == (1, expected, "")

    # Each finding is one workflow command: user text cannot end it or start another.
    lines = result.stdout.split("\n")
    assert lines.pop() == "" and len(lines) == 3
    for line in lines:
        assert line.startswith(("::error ", "::warning ")) and "\r" not in line
        command, _message = line[2:].split("::", 1)
        properties = command.split(" ", 1)[1].split(",")
        assert [p.split("=", 1)[0] for p in properties] == ["file", "line", "col", "title"]

    # The text format shows the same key with visible escapes, one line per finding.
    text = run(["check"], cwd=root).stdout
    assert len(text.splitlines()) == 3
    assert "unknown key 'a::error::b,%\\r\\n::warning::c'" in text


def test_github_is_the_default_under_github_actions(okr_repo):
    root = okr_repo(SMALL)
    default = run(["check"], cwd=root, env={"GITHUB_ACTIONS": "true"})
    explicit = run(["check", "--format", "github"], cwd=root)
    assert default.stdout == explicit.stdout
    assert default.stdout.startswith(
        "::error file=2026-Q4/bob.yaml,line=2,col=9,title=unaligned::bob/O1 ")
    assert (default.exit_code, default.stdout.count("\n")) == (1, 3)
    text = run(["check", "--format", "text"], cwd=root, env={"GITHUB_ACTIONS": "true"})
    assert text.stdout.startswith("2026-Q4/bob.yaml:2:9: error[unaligned]: ")


# ------------------------------------------------------------------ sarif

# A compact subset of the SARIF 2.1.0 schema: what code scanning reads.
SARIF_SUBSET = {
    "type": "object",
    "required": ["$schema", "version", "runs"],
    "properties": {
        "$schema": {"type": "string", "format": "uri"},
        "version": {"const": "2.1.0"},
        "runs": {"type": "array", "minItems": 1, "items": {
            "type": "object",
            "required": ["tool", "results"],
            "properties": {
                "tool": {"type": "object", "required": ["driver"], "properties": {
                    "driver": {"type": "object", "required": ["name", "rules"], "properties": {
                        "name": {"type": "string", "minLength": 1},
                        "version": {"type": "string"},
                        "rules": {"type": "array", "items": {
                            "type": "object", "required": ["id"],
                            "properties": {
                                "id": {"type": "string", "minLength": 1},
                                "shortDescription": {"$ref": "#/definitions/message"},
                                "fullDescription": {"$ref": "#/definitions/message"},
                                "help": {"$ref": "#/definitions/message"},
                                "defaultConfiguration": {"type": "object", "properties": {
                                    "level": {"$ref": "#/definitions/level"}}},
                            },
                        }},
                    }},
                }},
                "columnKind": {"enum": ["utf16CodeUnits", "unicodeCodePoints"]},
                "results": {"type": "array", "items": {
                    "type": "object",
                    "required": ["ruleId", "message", "locations"],
                    "properties": {
                        "ruleId": {"type": "string", "minLength": 1},
                        "ruleIndex": {"type": "integer", "minimum": 0},
                        "level": {"$ref": "#/definitions/level"},
                        "message": {"$ref": "#/definitions/message"},
                        "locations": {"type": "array", "minItems": 1, "items": {
                            "type": "object", "required": ["physicalLocation"], "properties": {
                                "physicalLocation": {"$ref": "#/definitions/physicalLocation"}}}},
                    },
                }},
            },
        }},
    },
    "definitions": {
        "level": {"enum": ["none", "note", "warning", "error"]},
        "message": {"type": "object", "required": ["text"],
                    "properties": {"text": {"type": "string"}}},
        "physicalLocation": {
            "type": "object", "required": ["artifactLocation", "region"], "properties": {
                "artifactLocation": {"type": "object", "required": ["uri"], "properties": {
                    # a relative URI reference: no leading '/', no '\\' or space, '%' only as %XX
                    "uri": {"type": "string", "pattern": r"^[^/\\ %]([^\\ %]|%[0-9A-F]{2})*$"},
                    "uriBaseId": {"type": "string"}}},
                "region": {"type": "object", "required": ["startLine"], "properties": {
                    "startLine": {"type": "integer", "minimum": 1},
                    "startColumn": {"type": "integer", "minimum": 1}}},
            }},
    },
}


def sarif_result(rule_id: str, level: str, message: str, uri: str, line: int, column: int) -> dict:
    return {
        "ruleId": rule_id, "ruleIndex": RULE_IDS.index(rule_id), "level": level,
        "message": {"text": message},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": line, "startColumn": column},
        }}],
    }


def check_sarif(stdout: str) -> dict:
    doc = json.loads(stdout, parse_constant=_no_constants)
    jsonschema.Draft7Validator(SARIF_SUBSET).validate(doc)
    for r in doc["runs"][0]["results"]:
        assert doc["runs"][0]["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == r["ruleId"]
    return doc


def test_sarif_exact_results_and_rules(okr_repo):
    root = okr_repo(SMALL)
    result = run(["check", "--format", "sarif"], cwd=root)
    assert result.exit_code == 1
    doc = check_sarif(result.stdout)
    assert doc["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert doc["version"] == "2.1.0"
    assert len(doc["runs"]) == 1
    run_ = doc["runs"][0]
    prints = [r.pop("partialFingerprints") for r in run_["results"]]
    assert [list(p) for p in prints] == [["okrFinding/v1"]] * 3  # tests/test_ci_formats.py
    assert run_["results"] == [
        sarif_result(f["rule"], f["severity"], f["message"], f["path"], f["line"], f["column"])
        for f in SMALL_FINDINGS
    ]
    assert run_["columnKind"] == "unicodeCodePoints"  # YAML marks count characters
    driver = run_["tool"]["driver"]
    assert driver["name"] == "okr"
    assert [r["id"] for r in driver["rules"]] == list(RULE_IDS)
    for rule, module in zip(driver["rules"], registry()):
        assert rule["defaultConfiguration"] == {"level": module.SEVERITY}
        assert rule["shortDescription"]["text"] == module.__doc__.strip().splitlines()[0]
        assert rule["help"]["text"] == module.__doc__.strip()


def test_sarif_with_nothing_to_report_is_still_a_valid_log(okr_repo):
    result = run(["check", "--format", "sarif"], cwd=okr_repo())
    assert result.exit_code == 0
    assert check_sarif(result.stdout)["runs"][0]["results"] == []


def _git_init(folder: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    subprocess.run(["git", "init", "-q", str(folder)], check=True, env=env, stdin=subprocess.DEVNULL)


def test_sarif_paths_are_relative_to_the_git_top_level(tmp_path):
    mono = tmp_path / "mono"
    root = write_repo(mono / "plans" / "okr data", SMALL)
    _git_init(mono)
    # Run from inside the OKR root, below the git top-level: the URIs do not depend on where.
    result = run(["check", "--format", "sarif"], cwd=root / "2026-Q4")
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in check_sarif(result.stdout)["runs"][0]["results"]]
    assert uris == ["plans/okr%20data/2026-Q4/bob.yaml"] * 3
    # Paths in the other formats stay relative to the current folder.
    found = json.loads(run(["check", "--format", "json"], cwd=root / "2026-Q4").stdout)
    assert found[0]["path"] == "bob.yaml"


def test_sarif_paths_outside_git_are_relative_to_the_okr_root(tmp_path):
    root = write_repo(tmp_path / "okrs", SMALL)
    result = run(["check", "--format", "sarif", "--repo", str(root)], cwd=tmp_path)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in check_sarif(result.stdout)["runs"][0]["results"]}
    assert uris == {"2026-Q4/bob.yaml"}


def test_sarif_levels_follow_configured_severities(okr_repo):
    root = okr_repo({**SMALL, **config("  weak-wording: error\n")})
    doc = check_sarif(run(["check", "--format", "sarif"], cwd=root).stdout)
    results = doc["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("unaligned", "error"), ("weak-wording", "error"), ("schema", "error")]


# ------------------------------------------------------------------ --strict

def test_strict_fails_on_warnings(tmp_path):
    root = write_repo(tmp_path / "warning", WARNING_ONLY)
    expected = f"2026-Q4/bob.yaml:6:26: warning[weak-wording]: {HELP_KR}\n"
    plain = run(["check"], cwd=root)
    strict = run(["check", "--strict"], cwd=root)
    assert (plain.exit_code, plain.stdout) == (0, expected)
    assert (strict.exit_code, strict.stdout) == (1, expected)
    assert run(["check", "--strict"], cwd=write_repo(tmp_path / "clean", {})).exit_code == 0


# ------------------------------------------------------------------ rules: in okr.yaml

def config(rules: str) -> dict[str, str]:
    return {"okr.yaml": "company: acme\ncycle: 2026-Q4\nrules:\n" + rules}


def test_a_warning_raised_to_error_fails(okr_repo):
    root = okr_repo({**WARNING_ONLY, **config("  weak-wording: error\n")})
    result = run(["check"], cwd=root)
    expected = f"2026-Q4/bob.yaml:6:26: error[weak-wording]: {HELP_KR}\n"
    assert (result.exit_code, result.stdout) == (1, expected)


UNALIGNED_BOB = {"2026-Q4/bob.yaml": """\
    objectives:
      - id: O1
        title: Faster builds
        key_results:
          - {id: KR1, title: Build time from 20 to 5 minutes, start: 20, target: 5}
    """}


def test_an_error_lowered_to_warning_passes(okr_repo):
    root = okr_repo({**UNALIGNED_BOB, **config("  unaligned: warning\n")})
    result = run(["check"], cwd=root)
    expected = f"2026-Q4/bob.yaml:2:9: warning[unaligned]: bob/O1 {UNALIGNED}\n"
    assert (result.exit_code, result.stdout) == (0, expected)
    assert run(["check", "--strict"], cwd=root).exit_code == 1


@pytest.mark.parametrize("setting", [
    "unaligned: off", 'unaligned: "off"', "unaligned: {severity: off}", "unaligned: {severity: 'off'}"])
def test_off_drops_the_rule(tmp_path, setting):
    assert run(["check"], cwd=write_repo(tmp_path / "default", UNALIGNED_BOB)).exit_code == 1
    root = write_repo(tmp_path / "off", {**UNALIGNED_BOB, **config(f"  {setting}\n")})
    result = run(["check", "--strict"], cwd=root)
    assert (result.exit_code, result.stdout) == (0, "")


def _objectives(n: int, krs: int = 1) -> str:
    out = ["objectives:"]
    for i in range(1, n + 1):
        out += [f"  - id: O{i}", f"    title: Objective {i}", "    aligns: [acme/O1]",
                "    key_results:"]
        out += [f"      - {{id: KR{k}, title: Result {k} from 0 to 10, target: 10}}"
                for k in range(1, krs + 1)]
    return "\n".join(out) + "\n"


def test_max_objectives_and_key_results_are_configurable(okr_repo):
    files = {"2026-Q4/bob.yaml": _objectives(3, krs=2)}
    assert run(["check"], cwd=okr_repo(files)).stdout == ""
    root = okr_repo({**files, **config("  too-many-objectives: {max: 2}\n"
                                       "  kr-count:\n    max: 1\n")})
    result = run(["check"], cwd=root)
    assert result.exit_code == 0
    # O<n> starts on line 2, 8, 14; its second KR is on line 7, 13, 19.
    assert result.stdout == (
        "2026-Q4/bob.yaml:7:9: warning[kr-count]: bob/O1 has 2 key results, more than 1; "
        "keep the ones that measure the outcome\n"
        "2026-Q4/bob.yaml:13:9: warning[kr-count]: bob/O2 has 2 key results, more than 1; "
        "keep the ones that measure the outcome\n"
        "2026-Q4/bob.yaml:14:5: warning[too-many-objectives]: bob has 3 objectives in 2026-Q4, "
        "more than 2; focus on the few that matter most\n"
        "2026-Q4/bob.yaml:19:9: warning[kr-count]: bob/O3 has 2 key results, more than 1; "
        "keep the ones that measure the outcome\n"
    )


def test_weak_wording_verbs_are_configurable(okr_repo):
    files = {"2026-Q4/bob.yaml": """\
        objectives:
          - id: O1
            title: Improve the build
            aligns: [acme/O1]
            key_results:
              - {id: KR1, title: Help the release team, done: false}
              - {id: KR2, title: Reduce build time to 5 minutes, start: 20, target: 5}
          - id: O2
            title: Maintain the cache
            aligns: [acme/O1]
            key_results:
              - {id: KR1, title: Cache hit rate at 80 percent, target: 80}
        """}
    root = okr_repo({**files, **config("  weak-wording:\n    kr_verbs: [reduce]\n"
                                       "    objective_verbs: [Improve]\n")})
    result = run(["check"], cwd=root)
    assert (result.exit_code, result.stdout) == (0, (
        "2026-Q4/bob.yaml:3:12: warning[weak-wording]: objective title starts with 'Improve', "
        "which describes business as usual; say what should change\n"
        "2026-Q4/bob.yaml:7:26: warning[weak-wording]: key result title starts with 'Reduce', "
        "an activity; state the measurable result instead\n"
    ))
    root = okr_repo({**files, **config("  weak-wording: {kr_verbs: [], objective_verbs: []}\n")})
    assert run(["check"], cwd=root).stdout == ""


def test_an_unknown_rule_in_okr_yaml_is_a_schema_finding(okr_repo):
    root = okr_repo(config("  unaligned: error\n  unalinged: warning\n  made-up: off\n"))
    result = run(["check"], cwd=root)
    assert (result.exit_code, result.stdout) == (1, (
        "okr.yaml:5:3: error[schema]: unknown rule 'unalinged'; did you mean 'unaligned'?\n"
        "okr.yaml:6:3: error[schema]: unknown rule 'made-up'; see `okr check --list-rules`\n"
    ))


# ------------------------------------------------------------------ --cycle

def test_cycle_keeps_that_cycles_findings_and_the_root_files(okr_repo):
    root = okr_repo({
        **UNALIGNED_BOB,
        "2026-Q3/bob.yaml": UNALIGNED_BOB["2026-Q4/bob.yaml"],
        "okr.yaml": "company: acme\ncycle: 2026-Q4\ncadense: quarterly\n",
    })
    okr_line = "okr.yaml:3:1: error[schema]: unknown key 'cadense' in okr.yaml; did you mean 'cadence'?\n"
    q3 = f"2026-Q3/bob.yaml:2:9: error[unaligned]: bob/O1 {UNALIGNED}\n"
    q4 = f"2026-Q4/bob.yaml:2:9: error[unaligned]: bob/O1 {UNALIGNED}\n"
    assert run(["check"], cwd=root).stdout == q3 + q4 + okr_line
    result = run(["check", "--cycle", "2026-Q4"], cwd=root)
    assert (result.exit_code, result.stdout) == (1, q4 + okr_line)


@pytest.mark.parametrize("cycle", ["2026-Q5", "2026-q4", "Q4", ""])
def test_an_invalid_cycle_is_a_usage_error(okr_repo, cycle):
    result = run(["check", "--cycle", cycle], cwd=okr_repo(UNALIGNED_BOB))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(f"okr: error: '{cycle}' is not a cycle id\n")


# ------------------------------------------------------------------ --list-rules

def test_list_rules_json_shows_configured_severities(okr_repo):
    root = okr_repo(config("  unaligned: warning\n  weak-wording: off\n  kr-count: {max: 3}\n"))
    result = run(["check", "--list-rules", "--format", "json"], cwd=root)
    assert result.exit_code == 0
    configured = {"unaligned": "warning", "weak-wording": "off"}
    assert json.loads(result.stdout) == [
        {"rule": m.ID, "default": m.SEVERITY, "severity": configured.get(m.ID, m.SEVERITY),
         "summary": m.__doc__.strip().splitlines()[0]}
        for m in registry()
    ]


def test_list_rules_text(okr_repo):
    root = okr_repo(config("  unaligned: warning\n"))
    result = run(["check", "--list-rules"], cwd=root)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == list(RULE_IDS)
    assert lines[RULE_IDS.index("unaligned")].split()[1] == "warning"
    assert lines[RULE_IDS.index("unaligned")].endswith("(default error)")
    assert lines[RULE_IDS.index("kr-count")].split()[1] == "warning"
    assert lines[RULE_IDS.index("yaml-syntax")] == (
        "yaml-syntax          error    A file that is not readable YAML.")


# ------------------------------------------------------------------ paths

PATHS_REPO = {
    **UNALIGNED_BOB,
    "org.yaml": """\
        company: {id: acme, name: Acme Inc.}
        people:
          bob: {name: Bob Li, team: platfrom}
        """,
}
BOB = f":2:9: error[unaligned]: bob/O1 {UNALIGNED}\n"
ORG = ":3:29: error[org]: 'bob' is in team 'platfrom', which is not a team in org.yaml\n"


def test_paths_are_relative_to_the_current_folder(tmp_path):
    root = write_repo(tmp_path / "okrs", PATHS_REPO)
    (tmp_path / "elsewhere").mkdir()
    assert run(["check"], cwd=root).stdout == f"2026-Q4/bob.yaml{BOB}org.yaml{ORG}"
    assert run(["check"], cwd=root / "2026-Q4").stdout == f"bob.yaml{BOB}../org.yaml{ORG}"
    outside = f"okrs/2026-Q4/bob.yaml{BOB}okrs/org.yaml{ORG}"
    assert run(["check", "--repo", "okrs"], cwd=tmp_path).stdout == outside
    assert run(["check", "--repo", "../okrs"], cwd=tmp_path / "elsewhere").stdout == \
        f"../okrs/2026-Q4/bob.yaml{BOB}../okrs/org.yaml{ORG}"
    assert run(["check"], cwd=tmp_path, env={"OKR_REPO": str(root)}).stdout == outside
    found = json.loads(run(["check", "--format", "json"], cwd=root / "2026-Q4").stdout)
    assert [f["path"] for f in found] == ["bob.yaml", "../org.yaml"]
    github = run(["check", "--format", "github", "--repo", "okrs"], cwd=tmp_path).stdout
    assert github.startswith("::error file=okrs/2026-Q4/bob.yaml,line=2,col=9,title=unaligned::")


# ------------------------------------------------------------------ one run, every file

def test_every_file_is_reported_in_one_run(okr_repo):
    root = okr_repo({
        "okr.yaml": "company: acme\ncycle: 2026-Q4\nchecking_every: 7\n",
        "2026-Q4/alice.yaml": "objectives:\n  - id: O1\n    title: [unclosed\n",
        "2026-Q4/bob.yaml": UNALIGNED_BOB["2026-Q4/bob.yaml"],
        "2026-Q4/carol.yaml": """\
            objectives:
              - id: O1
                title: Calm on-call
                aligns: [sre/O1]
                key_results: []
            """,
        "2026-Q4/platform.yaml": """\
            objectives:
              - id: O1
                title: x
                title: y
                standalone: Try
                key_results:
                  - {id: KR1, title: Cache hits, target: 60, weight: -1}
            """,
        "2026-Q4/sre.yaml": "objectives:\n\t- id: O1\n",
        "2026-Q3/zed.yaml": "objectives: []\n",
    })
    result = run(["check", "--format", "json"], cwd=root)
    assert result.exit_code == 1
    got = [(f["path"], f["line"], f["column"], f["rule"]) for f in json.loads(result.stdout)]
    assert got == [
        ("2026-Q3/zed.yaml", 1, 1, "unknown-owner"),
        ("2026-Q4/alice.yaml", 4, 1, "yaml-syntax"),
        ("2026-Q4/bob.yaml", 2, 9, "unaligned"),
        ("2026-Q4/carol.yaml", 4, 14, "align-dangling"),
        ("2026-Q4/carol.yaml", 5, 5, "no-key-results"),
        ("2026-Q4/platform.yaml", 4, 5, "duplicate-key"),
        ("2026-Q4/platform.yaml", 7, 58, "schema"),
        ("2026-Q4/sre.yaml", 2, 1, "yaml-syntax"),
        ("okr.yaml", 3, 1, "schema"),
    ]
