"""`okr tree`, `okr show`, `okr list` and `okr export` through the CLI.

Goldens live in tests/golden/views/; regenerate them with OKR_UPDATE_GOLDEN=1
after checking the change is intended. Today is pinned with OKR_TODAY.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE, run

GOLDEN = Path(__file__).parent / "golden" / "views"
TODAY = {"OKR_TODAY": "2026-11-27"}


def okr(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None):
    return run(list(args), cwd=cwd, env={**TODAY, **(env or {})})


def acme(*args: str):
    return okr(*args, "--repo", str(EXAMPLE))


def golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("OKR_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"no golden {path}; run with OKR_UPDATE_GOLDEN=1 to write it"
    assert actual == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name, args", [
    ("export.json", ["export"]),
    ("export.csv", ["export", "--format", "csv"]),
    ("export-all-private.json", ["export", "--all-cycles", "--include-private"]),
    ("tree.txt", ["tree"]),
    ("tree-krs-platform.txt", ["tree", "--team", "platform", "--krs"]),
    ("tree.json", ["tree", "--format", "json"]),
    ("tree.mmd", ["tree", "--format", "mermaid"]),
    ("tree.dot", ["tree", "--format", "dot"]),
    ("list.txt", ["list"]),
    ("list-krs.csv", ["list", "--krs", "--format", "csv"]),
    ("list.json", ["list", "--team", "eng", "--format", "json"]),
    ("show-objective.txt", ["show", "sales/O1"]),
    ("show-objective.json", ["show", "platform/O1", "--format", "json"]),
    ("show-kr.txt", ["show", "product-eng/O2/KR2"]),
])
def test_golden_output_on_the_example(name, args):
    result = acme(*args)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    golden(name, result.stdout)


# ------------------------------------------------------------------ export

def test_export_json_has_the_spec_shape():
    doc = json.loads(acme("export").stdout)
    assert doc["cycle"] == "2026-Q4"
    obj = next(o for o in doc["objectives"] if o["ref"] == "2026-Q4:platform/O1")
    for key in ("ref", "cycle", "owner", "id", "title", "score", "status", "committed", "private", "aligns",
                "key_results"):
        assert key in obj
    assert obj["aligns"] == ["2026-Q4:eng/O1"]
    assert obj["owner_kind"] == "team"
    # weighted mean: KR1 1/3, KR2 (weight 2) 32/70, KR3 5/11
    assert obj["score"] == pytest.approx((1 / 3 + 2 * 32 / 70 + 5 / 11) / 4)
    kr = obj["key_results"][1]
    assert {k: kr[k] for k in ("ref", "id", "kind", "status", "confidence", "weight", "start", "target", "current")} \
        == {"ref": "2026-Q4:platform/O1/KR2", "id": "KR2", "kind": "numeric", "status": "at_risk",
            "confidence": 0.5, "weight": 2, "start": 120, "target": 50, "current": 88}
    assert kr["progress"] == kr["score"] == 32 / 70  # full float, not rounded
    for o in doc["objectives"]:
        assert o["status"] in ("on_track", "at_risk", "off_track")
        assert {k["kind"] for k in o["key_results"]} <= {"numeric", "threshold", "milestone"}


def test_export_review_score_and_standalone():
    doc = json.loads(acme("export").stdout)
    obj = next(o for o in doc["objectives"] if o["ref"] == "2026-Q4:product-eng/O3")
    assert obj["score"] == 0.9 and obj["review"]["score"] == 0.9
    assert obj["standalone"].startswith("Bottom-up")


def test_export_cycles():
    assert {o["cycle"] for o in json.loads(acme("export", "--cycle", "2026").stdout)["objectives"]} == {"2026"}
    doc = json.loads(acme("export", "--all-cycles").stdout)
    assert doc["cycle"] is None and doc["cycles"] == ["2026", "2026-Q4"]
    assert {o["cycle"] for o in doc["objectives"]} == {"2026", "2026-Q4"}
    assert acme("export", "--cycle", "2026-Q5").exit_code == 2
    assert acme("export", "--cycle", "2026", "--all-cycles").exit_code == 2
    assert acme("export", "--format", "yaml").exit_code == 2


def test_export_csv_is_one_row_per_kr():
    rows = list(csv.DictReader(io.StringIO(acme("export", "--format", "csv").stdout)))
    doc = json.loads(acme("export").stdout)
    assert len(rows) == sum(len(o["key_results"]) for o in doc["objectives"])
    row = next(r for r in rows if r["kr_ref"] == "2026-Q4:platform/O1/KR2")
    assert row["objective_ref"] == "2026-Q4:platform/O1" and row["weight"] == "2"
    assert float(row["progress"]) == 32 / 70


# ------------------------------------------------------------------ private objectives

def test_private_objectives_are_left_out_unless_asked():
    for args in (["export"], ["list"], ["tree"], ["tree", "--format", "json"], ["list", "--krs", "--format", "csv"]):
        assert "Series A data room" not in acme(*args).stdout, args
        assert "Series A data room" in acme(*args, "--include-private").stdout, args
    assert [o["private"] for o in json.loads(acme("export").stdout)["objectives"]].count(True) == 0
    result = acme("show", "ops/O2")
    assert result.exit_code == 2 and "--include-private" in result.stderr
    assert acme("show", "ops/O2", "--include-private").exit_code == 0


def _title_of_ops_o2() -> str:
    return next(o["title"] for o in json.loads(acme("export", "--include-private").stdout)["objectives"]
                if o["ref"] == "2026-Q4:ops/O2")


def test_example_private_title_is_what_the_tests_look_for():
    assert "Series A data room" in _title_of_ops_o2()


PRIVATE_PARENT = {
    "2026-Q4/eng.yaml": """\
        objectives:
          - id: O1
            title: Secret acquisition of a competitor
            private: true
            aligns: [acme/O1]
            key_results:
              - {id: KR1, title: Term sheet signed, done: false}
        """,
    "2026-Q4/bob.yaml": """\
        objectives:
          - id: O1
            title: Make the build cache migration painless
            aligns: [eng/O1]
            key_results:
              - {id: KR1, title: Services migrated from 0 to 10, target: 10, current: 5}
        """,
}


def test_public_objective_under_a_private_one(okr_repo):
    root = okr_repo(PRIVATE_PARENT)
    out = okr("tree", cwd=root).stdout
    assert "eng/O1  private objective" in out and "Secret" not in out
    assert "bob/O1" in out
    tree = json.loads(okr("tree", "--format", "json", cwd=root).stdout)
    placeholder = tree["tree"][0]["children"][0]
    assert placeholder == {**placeholder, "ref": "2026-Q4:eng/O1", "private": True, "title": None, "score": None}
    assert placeholder["children"][0]["ref"] == "2026-Q4:bob/O1"
    for fmt in ("mermaid", "dot"):
        assert "Secret" not in okr("tree", "--format", fmt, cwd=root).stdout
    shown = okr("show", "bob/O1", cwd=root).stdout
    assert "eng/O1  private objective" in shown and "Secret" not in shown
    detail = json.loads(okr("show", "bob/O1", "--format", "json", cwd=root).stdout)
    assert detail["parents"] == [{"ref": "2026-Q4:eng/O1", "title": None, "score": None, "status": None,
                                  "private": True, "missing": False, "via_kr": None}]
    assert "Secret" in okr("tree", "--include-private", cwd=root).stdout
    assert "Secret" not in okr("show", "acme/O1", cwd=root).stdout  # private children are not listed


# ------------------------------------------------------------------ the tree

def test_an_objective_with_two_parents_appears_under_both():
    out = acme("tree").stdout
    lines = [line for line in out.splitlines() if "sales/O1 " in line]
    assert len(lines) == 2
    assert all("↑ also under" in line for line in lines)
    assert "also under acme/O1" in lines[0] and "also under growth/O1" in lines[1]
    assert "see under growth/O1" in lines[1]
    doc = json.loads(acme("tree", "--format", "json").stdout)

    def walk(nodes):
        for n in nodes:
            yield n
            yield from walk(n["children"])

    appearances = [n for n in walk(doc["tree"]) if n["ref"] == "2026-Q4:sales/O1"]
    assert [n["repeated"] for n in appearances] == [False, True]
    assert [n["also_under"] for n in appearances] == [["2026-Q4:acme/O1"], ["2026-Q4:growth/O1"]]
    assert appearances[0]["children"][0]["ref"] == "2026-Q4:mei/O1"


def test_tree_sections_and_lateral_links():
    out = acme("tree").stdout
    assert out.index("Standalone") > out.index("2026:acme/O3")
    assert "product-eng/O3" in out.split("Standalone")[1]
    assert "⇢ depends on product-eng/O2" in out
    doc = json.loads(acme("tree", "--format", "json").stdout)
    assert {"from": "2026-Q4:sales/O1", "to": "2026-Q4:product-eng/O2"} in doc["links"]
    assert [n["ref"] for n in doc["standalone"]] == ["2026-Q4:product-eng/O3"]
    assert "-.->|depends on|" in acme("tree", "--format", "mermaid").stdout
    assert "style=dashed" in acme("tree", "--format", "dot").stdout


def test_unaligned_objectives_follow_the_tree(okr_repo):
    root = okr_repo({"2026-Q4/bob.yaml": """\
        objectives:
          - id: O1
            title: Faster builds
            key_results:
              - {id: KR1, title: Build time from 20 to 5 minutes, start: 20, target: 5, current: 20}
        """})
    out = okr("tree", cwd=root).stdout
    assert out.index("Unaligned") < out.index("bob/O1")
    assert json.loads(okr("tree", "--format", "json", cwd=root).stdout)["unaligned"][0]["ref"] == "2026-Q4:bob/O1"


def test_tree_from_a_reference_with_depth():
    out = acme("tree", "acme/O2", "--depth", "2").stdout
    assert out.splitlines()[2].startswith("acme/O2 ")
    assert "eng/O1" in out and "platform/O1" not in out and "1 more aligned objective" in out
    doc = json.loads(acme("tree", "2026:acme/O2", "--format", "json").stdout)
    assert doc["root"] == "2026:acme/O2" and doc["tree"][0]["ref"] == "2026:acme/O2"
    assert acme("tree", "--depth", "0").exit_code == 2


def test_tree_filters_keep_the_path_to_the_top():
    doc = json.loads(acme("tree", "--owner", "alice", "--format", "json").stdout)

    def walk(nodes):
        for n in nodes:
            yield n
            yield from walk(n["children"])

    nodes = list(walk(doc["tree"]))
    assert {n["owner"] for n in nodes if not n["context"]} == {"alice"}
    assert {"2026-Q4:platform/O1", "2026-Q4:eng/O1", "2026-Q4:acme/O2"} <= {n["ref"] for n in nodes if n["context"]}
    team = acme("tree", "--team", "platform").stdout
    assert "jun/O1" in team and "omar/O1" in team and "growth/O1" not in team
    assert acme("tree", "--team", "platfrom").exit_code == 2
    assert "did you mean platform?" in acme("tree", "--team", "platfrom").stderr
    assert acme("tree", "--team", "alice").exit_code == 2


def test_tree_handles_alignment_loops(okr_repo):
    root = okr_repo({
        "2026-Q4/bob.yaml": """\
            objectives:
              - id: O1
                title: Loop one
                aligns: [carol/O1]
                key_results: [{id: KR1, title: Done, done: true}]
            """,
        "2026-Q4/carol.yaml": """\
            objectives:
              - id: O1
                title: Loop two
                aligns: [bob/O1]
                key_results: [{id: KR1, title: Done, done: true}]
            """})
    result = okr("tree", cwd=root)
    assert result.exit_code == 0
    assert "Loop one" in result.stdout and "Loop two" in result.stdout


def test_a_long_chain_does_not_hit_the_recursion_limit(okr_repo):
    n = 1500
    items = ["objectives:"]
    for i in range(1, n + 1):
        parent = "acme/O1" if i == 1 else f"bob/O{i - 1}"
        items.append(f"  - {{id: O{i}, title: Step {i}, aligns: [{parent}], "
                     f"key_results: [{{id: KR1, title: Done, done: true}}]}}")
    root = okr_repo({"2026-Q4/bob.yaml": "\n".join(items) + "\n"})
    result = okr("tree", "--format", "json", cwd=root)
    assert result.exit_code == 0, result.stderr
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(10 * n)  # the json module itself recurses per level when reading
    try:
        doc = json.loads(result.stdout)
    finally:
        sys.setrecursionlimit(limit)
    node, depth = doc["tree"][0], 1
    while node["children"]:
        node, depth = node["children"][0], depth + 1
    assert depth == n + 1
    assert okr("tree", cwd=root).stdout.count("Step ") == n


# ------------------------------------------------------------------ list and show

def test_list_filters():
    def refs(*args, today=None):
        args = (*args, "--repo", str(EXAMPLE), "--format", "json")
        doc = json.loads(okr("list", *args, env={"OKR_TODAY": today} if today else None).stdout)
        return [o["ref"].split(":")[1] for o in doc["objectives"]]

    platform = refs("--team", "platform")
    assert {"platform/O1", "sre/O1", "alice/O1", "jun/O2", "omar/O1"} <= set(platform)
    assert not {"eng/O1", "growth/O1", "acme/O1"} & set(platform)
    assert set(refs("--owner", "alice")) == {"alice/O1", "alice/O2"}
    assert set(refs("--committed")) == {"eng/O3", "sre/O1"}
    assert "eng/O3" not in refs("--aspirational") and "acme/O1" in refs("--aspirational")
    # Status v2: on 2026-11-27 the milestone acme/O4/KR2 (not done, no confidence) is at risk;
    # on the cycle's last day it is off track, and with it its objective.
    assert "acme/O4" in refs("--status", "at_risk") and refs("--status", "off_track") == []
    assert set(refs("--status", "off_track", today="2026-12-31")) == {"acme/O4"}
    assert set(refs("--status", "off-track", today="2026-12-31")) == {"acme/O4"}
    assert refs("--team", "acme") == refs()
    assert acme("list", "--committed", "--aspirational").exit_code == 2
    assert acme("list", "--status", "late").exit_code == 2
    assert acme("list", "--owner", "nobody").exit_code == 2


def test_views_still_work_when_a_file_is_broken(okr_repo):
    root = okr_repo({"2026-Q4/bob.yaml": "objectives: [\n"})
    result = okr("list", cwd=root)
    assert result.exit_code == 0
    assert result.stdout.startswith("acme/O1 ")
    assert result.stderr == "okr: warning: errors in 1 file; what could not be read is left out (run okr check)\n"


def test_list_says_when_nothing_matches():
    result = acme("list", "--owner", "bob", "--status", "off_track")
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr == "okr list: nothing in 2026-Q4 matches\n"


def test_list_krs():
    doc = json.loads(okr("list", "--krs", "--status", "off_track", "--format", "json", "--repo", str(EXAMPLE),
                         env={"OKR_TODAY": "2026-12-31"}).stdout)
    assert [k["ref"] for k in doc["key_results"]] == ["2026-Q4:acme/O4/KR2"]
    assert doc["key_results"][0]["objective"] == "2026-Q4:acme/O4"


def test_show_objective_neighbours():
    doc = json.loads(acme("show", "sales/O1", "--format", "json").stdout)
    assert [p["ref"] for p in doc["parents"]] == ["2026-Q4:acme/O1/KR1", "2026-Q4:growth/O1"]
    assert [(c["ref"], c["via_kr"]) for c in doc["children"]] == [("2026-Q4:mei/O1", "KR2")]
    assert [d["ref"] for d in doc["dependencies"]] == ["2026-Q4:product-eng/O2"]
    doc = json.loads(acme("show", "product-eng/O2", "--format", "json").stdout)
    assert {(d["ref"], d["via_kr"]) for d in doc["dependents"]} == {("2026-Q4:sales/O1", None),
                                                                    ("2026-Q4:mei/O1", "KR2")}


def test_show_key_result():
    doc = json.loads(acme("show", "2026-Q4:platform/O1/KR1", "--format", "json").stdout)
    assert doc["type"] == "key_result"
    assert doc["key_result"]["ref"] == "2026-Q4:platform/O1/KR1"
    assert [c["ref"] for c in doc["children"]] == ["2026-Q4:alice/O1"]
    doc = json.loads(acme("show", "product-eng/O2/KR2", "--format", "json").stdout)
    assert [d["ref"] for d in doc["dependents"]] == ["2026-Q4:mei/O1"]


def test_show_another_cycle():
    assert json.loads(acme("show", "2026:acme/O1", "--format", "json").stdout)["objective"]["cycle"] == "2026"
    assert json.loads(acme("show", "acme/O1", "--cycle", "2026", "--format", "json").stdout)[
        "objective"]["title"].startswith("Become the default")


# ------------------------------------------------------------------ references on the command line

@pytest.mark.parametrize("ref, hint", [
    ("platfrom/O1", "did you mean platform/O1?"),
    ("platform/O9", "platform has O1, O2 in 2026-Q4"),
    ("platform/O1/KR9", "did you mean platform/O1/KR"),
    ("alcie/O1", "did you mean alice/O1?"),
    ("2026-Q4:acme/o1", "did you mean 2026-Q4:acme/O1?"),
    ("acme/O11", "did you mean acme/O1?"),
    ("2026-Q4:acme/O1/kr1", "did you mean 2026-Q4:acme/O1/KR1?"),
    ("Platform/O1", "did you mean platform/O1?"),
])
def test_a_reference_naming_nothing_exits_2_with_a_did_you_mean(ref, hint):
    for command in ("show", "tree"):
        result = acme(command, ref)
        assert result.exit_code == 2
        assert result.stdout == ""
        assert hint in result.stderr
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize("ref", ["../x", "/etc/passwd", "acme/O1\x00", "acme/O1\n", "acme/../O1", "2026-Q9:acme/O1",
                                 "acme", "acme/O1/KR1/x", "--foo"])
def test_bad_reference_syntax_exits_2(ref):
    result = acme("show", "--", ref) if ref.startswith("-") else acme("show", ref)
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert "\x00" not in result.stderr


# ------------------------------------------------------------------ hostile titles

HOSTILE = 'Ship "v2" [now] <script>alert(1)</script> [red]red[/red] [/b] a|b {x} #1 \x1b[31m \u202e'


def test_hostile_titles_are_escaped_in_every_format(okr_repo):
    title = HOSTILE.replace("\\", "\\\\").replace('"', '\\"').replace("\x1b", "\\e").replace("\u202e", "\\u202e")
    root = okr_repo({"2026-Q4/eng.yaml": f"""\
        objectives:
          - id: O1
            title: "{title}"
            aligns: [acme/O1]
            key_results:
              - {{id: KR1, title: "{title}", done: false}}
        """})
    mermaid = okr("tree", "--format", "mermaid", "--krs", cwd=root).stdout
    for line in mermaid.splitlines():
        label = re.match(r'^  n\d+\["(.*)"\]:::\w+$', line)
        if label:
            assert not re.search(r'["\[\]<>{}|`]', label.group(1).replace("<br/>", "")), line
    assert "<script>" not in mermaid and "#60;script#62;" in mermaid
    dot = okr("tree", "--format", "dot", "--krs", cwd=root).stdout
    for line in dot.splitlines():
        if "label=" in line and line.strip().startswith("n"):
            label = re.search(r'label="((?:[^"\\]|\\.)*)"', line).group(1)
            assert '\\"v2\\"' in label or "KR" in line or "acme" in label
            assert re.fullmatch(r'  n\d+ \[label="(?:[^"\\]|\\.)*", fillcolor="#\w+", color="#\w+"\];', line), line
    text = okr("tree", cwd=root).stdout
    assert "[red]red[/red] [/b]" in text and "<script>" in text
    assert "\x1b" not in text and "\\x1b[31m" in text and "\u202e" not in text and "\\u202e" in text
    shown = okr("show", "eng/O1", cwd=root).stdout
    assert "[red]red[/red]" in shown and "\x1b" not in shown
    doc = json.loads(okr("export", cwd=root).stdout)
    assert next(o for o in doc["objectives"] if o["owner"] == "eng")["title"] == HOSTILE  # JSON keeps the data


def test_markup_stays_literal_on_a_colour_terminal():
    from okrcli.commands.output import lines as write_lines

    out = io.StringIO()
    write_lines([[("[red]x[/red] [/b] [link=http://e]y[/link]", "bold"), (" z", "green")]], color=True, stream=out)
    assert out.getvalue() == "[red]x[/red] [/b] [link=http://e]y[/link] z\n"


# ------------------------------------------------------------------ options and help

@pytest.mark.parametrize("command", ["tree", "show", "list", "export"])
def test_help_has_an_example(command):
    result = okr(command, "--help")
    assert result.exit_code == 0
    assert "Example: okr " + command in result.stdout


def test_bad_format_and_bad_today():
    assert acme("tree", "--format", "svg").exit_code == 2
    assert acme("list", "--format", "dot").exit_code == 2
    result = okr("tree", "--repo", str(EXAMPLE), env={"OKR_TODAY": "yesterday"})
    assert result.exit_code == 2 and "OKR_TODAY" in result.stderr


def test_today_changes_status_by_pace():
    def status(day):
        doc = json.loads(okr("export", "--repo", str(EXAMPLE), env={"OKR_TODAY": day}).stdout)
        obj = next(o for o in doc["objectives"] if o["ref"] == "2026-Q4:acme/O4")
        return obj["key_results"][1]["status"]  # a milestone KR without confidence, not done

    assert status("2026-09-01") == "on_track"
    assert status("2026-12-31") == "off_track"


def test_default_cycle_follows_today_when_okr_yaml_pins_none(okr_repo):
    root = okr_repo({"okr.yaml": "company: acme\n"})
    assert json.loads(okr("export", cwd=root, env={"OKR_TODAY": "2026-11-27"}).stdout)["cycle"] == "2026-Q4"
    assert json.loads(okr("export", cwd=root, env={"OKR_TODAY": "2027-02-01"}).stdout)["cycle"] == "2027-Q1"
