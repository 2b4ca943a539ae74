"""Hostile YAML (RELIABILITY B12-20, B26): every bad file is a `path:line:col` finding.

Each case puts the hostile file at 2026-Q4/bob.yaml next to 2026-Q4/carol.yaml,
a valid file with a finding of its own, and runs `okr check`: the exit code is
1, the hostile file gets a finding with the right rule, carol's finding is still
reported (a broken file hides nothing), and nothing prints a traceback. Cases
about blowups run `okr check` in a subprocess limited to 10 s and 512 MiB.
"""

from __future__ import annotations

import ast
import json
import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

HOSTILE = "2026-Q4/bob.yaml"
CAROL = """\
objectives:
  - id: O1
    title: Faster pages
    key_results:
      - {id: KR1, title: p95 from 900 to 300 ms, start: 900, target: 300}
"""
CAROL_FINDING = "2026-Q4/carol.yaml:2:9: error[unaligned]: carol/O1 aligns to nothing"
FINDING_RE = re.compile(
    r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning)\[(?P<rule>[a-z-]+)\]: (?P<message>.*)$"
)
OKR_EXE = Path(sys.executable).parent / "okr"


def _bob(obj: str = "", kr: str = "{id: KR1, title: Build time down to 5 minutes, target: 5}") -> str:
    """A valid objective of bob's (aligned, one KR) with extra lines `obj` under the objective."""
    return ("objectives:\n"
            "  - id: O1\n"
            "    title: Faster builds\n"
            "    aligns: [acme/O1]\n"
            f"{obj}"
            "    key_results:\n"
            f"      - {kr}\n")


def _repo(okr_repo, hostile: bytes | str) -> Path:
    root = okr_repo({"2026-Q4/carol.yaml": CAROL})
    raw = hostile.encode("utf-8") if isinstance(hostile, str) else hostile
    (root / HOSTILE).write_bytes(raw)
    return root


def _findings(stdout: str) -> list[dict]:
    out = []
    for text in stdout.splitlines():
        m = FINDING_RE.match(text)
        assert m, f"not a path:line:col finding: {text!r}"
        out.append({**m.groupdict(), "line": int(m["line"]), "col": int(m["col"])})
    return out


def _assert_hostile_reported(code: int, stdout: str, stderr: str, rule: str,
                             at: tuple[int, int] | None = None, says: str | None = None) -> dict:
    assert code == 1, stdout + stderr
    for stream in (stdout, stderr):
        assert "Traceback" not in stream and "internal error" not in stream, stream
    found = _findings(stdout)
    mine = [f for f in found if f["path"] == HOSTILE]
    assert [f["rule"] for f in mine] == [rule], stdout
    if at is not None:
        assert (mine[0]["line"], mine[0]["col"]) == at, stdout
    if says is not None:
        assert says.lower() in mine[0]["message"].lower(), stdout
    assert any(line.startswith(CAROL_FINDING) for line in stdout.splitlines()), stdout
    return mine[0]


def _check(okr_repo, hostile, rule, at=None, says=None) -> dict:
    root = _repo(okr_repo, hostile)
    r = run(["check"], cwd=root)
    return _assert_hostile_reported(r.exit_code, r.stdout, r.stderr, rule, at, says)


# ---------------------------------------------------------------- B12, B13: tags

@pytest.mark.parametrize("text, at", [
    ("objectives: !!python/object/apply:os.system ['touch PWNED']\n", (1, 13)),
    ("objectives: !!python/object/new:subprocess.Popen [['touch', 'PWNED']]\n", (1, 13)),
    ("objectives: !!python/name:os.system\n", (1, 13)),
    ("objectives:\n  - id: !!int abc\n", (2, 9)),
    ("objectives:\n  - id: !!timestamp x\n", (2, 9)),
    ("objectives:\n  - id: !!bool x\n", (2, 9)),
    ("objectives:\n  - id: !!str O1\n", (2, 9)),
    ("objectives: !foo bar\n", (1, 13)),
    ("objectives: !<tag:example.com,2026:x> {}\n", (1, 13)),
], ids=["python-apply", "python-new", "python-name", "int", "timestamp", "bool", "str", "custom", "verbatim"])
def test_explicit_tags_are_rejected(okr_repo, text, at):
    root = _repo(okr_repo, text)
    r = run(["check"], cwd=root)
    f = _assert_hostile_reported(r.exit_code, r.stdout, r.stderr, "schema", at, says="tag")
    assert not (root / "PWNED").exists() and not Path("PWNED").exists()
    assert f["message"]


# ---------------------------------------------------------------- B14: anchors and aliases

@pytest.mark.parametrize("text, at", [
    ("objectives: &list []\n", (1, 13)),
    ("x: &a O1\nobjectives: *a\n", (1, 4)),
    ("objectives:\n  - &o {id: O1, title: T, standalone: s, key_results: [{id: KR1, title: K, target: 1}]}\n"
     + "  - *o\n", (2, 5)),
    ("base: &b {title: T}\nobjectives:\n  - <<: *b\n", (1, 7)),
], ids=["anchor", "alias", "anchored-objective", "merge-key"])
def test_anchors_and_aliases_are_rejected(okr_repo, text, at):
    _check(okr_repo, text, "schema", at, says="anchors")


# ---------------------------------------------------------------- B16: duplicate keys

def test_duplicate_key_names_both_lines(okr_repo):
    text, at = _at(_bob(kr="{id: KR1, title: K, target: 5,\n          current: 1,\n          @@: 4}"), "current")
    f = _check(okr_repo, text, "duplicate-key", at=at)
    assert "'current'" in f["message"] and f"line {at[0] - 1}" in f["message"]
    text = "objectives: []\n\n\nobjectives: []\n"
    f = _check(okr_repo, text, "duplicate-key", at=(4, 1))
    assert "line 1" in f["message"]  # the finding sits on line 4, its message names line 1


# ---------------------------------------------------------------- B17: YAML 1.1 implicit types

IMPLICIT = ["NO", "on", "010", "1:30", "2026-11-27", "1.10", "yes", "0x1F", ".inf"]


def _at(template: str, value: str) -> tuple[str, tuple[int, int]]:
    """`template` with @@ replaced by `value`, and the line and column where @@ was."""
    i = template.index("@@")
    return template.replace("@@", value), (template.count("\n", 0, i) + 1, i - template.rfind("\n", 0, i))


PLACES = {
    "objective-id": _bob().replace("id: O1", "id: @@"),
    "objective-title": _bob().replace("title: Faster builds", "title: @@"),
    "aligns": _bob().replace("[acme/O1]", "[acme/O1, @@]"),
    "depends_on": _bob(obj="    depends_on: [acme/O1, @@]\n"),
    "kr-id": _bob(kr="{id: @@, title: K, target: 5}"),
    "kr-title": _bob(kr="{id: KR1, title: @@, target: 5}"),
    "kr-title-block": _bob(kr="id: KR1\n        title: @@\n        target: 5"),
    "standalone": _bob(obj="    standalone: @@\n"),
    "unit": _bob(kr="{id: KR1, title: K, target: 5, unit: @@}"),
    "review-notes": _bob(obj="    review: {notes: @@}\n"),
}


@pytest.mark.parametrize("value", IMPLICIT)
@pytest.mark.parametrize("place", list(PLACES))
def test_yaml11_implicit_types_must_be_quoted(okr_repo, place, value):
    text, at = _at(PLACES[place], value)
    root = _repo(okr_repo, text)
    r = run(["check"], cwd=root)
    assert r.exit_code == 1 and "Traceback" not in r.stdout + r.stderr
    mine = [f for f in _findings(r.stdout) if f["path"] == HOSTILE and f["rule"] == "schema"]
    assert [(f["line"], f["col"]) for f in mine] == [at], r.stdout
    assert "quote" in mine[0]["message"], r.stdout
    assert any(line.startswith(CAROL_FINDING) for line in r.stdout.splitlines())


@pytest.mark.parametrize("place, value", [
    ("objective-id", '"O1\\n"'), ("kr-id", '"KR1\\n"'), ("aligns", '"acme/O1\\n"'), ("depends_on", '"acme/O1\\n"'),
    ("aligns", '"2026-Q4:acme/O1\\n"'), ("objective-id", "'O1\n\n      '"),
])
def test_ids_and_references_with_a_trailing_newline_are_rejected(okr_repo, place, value):
    """`$` in a Python regex also matches before a final newline: "O1\\n" is not the id O1."""
    text, at = _at(PLACES[place], value)
    root = _repo(okr_repo, text)
    r = run(["check"], cwd=root)
    mine = [f for f in _findings(r.stdout) if f["path"] == HOSTILE and f["rule"] == "schema"]
    assert [(f["line"], f["col"]) for f in mine] == [at], r.stdout


def test_owner_ids_with_a_trailing_newline_are_rejected(okr_repo):
    org = 'company: {id: acme, name: Acme}\nteams:\n  "eng\\n": {name: Engineering}\n'
    root = okr_repo({"org.yaml": org})
    r = run(["check"], cwd=root)
    assert r.exit_code == 1
    assert any(f["path"] == "org.yaml" and (f["line"], f["col"]) == (3, 3) and f["rule"] == "org"
               for f in _findings(r.stdout)), r.stdout


@pytest.mark.parametrize("value", ["'NO'", '"on"', '"010"', "'1:30'", '"2026-11-27"', '"1.10"'])
def test_quoted_yaml11_values_are_accepted(okr_repo, value):
    root = okr_repo({HOSTILE: _bob().replace("title: Faster builds", f"title: {value}")})
    r = run(["check"], cwd=root)
    assert r.exit_code == 0, r.stdout + r.stderr


# ---------------------------------------------------------------- B18: encoding and shape

@pytest.mark.parametrize("raw, rule, at, says", [
    (b"objectives:\n  - id: O1\n    title: caf\xe9\n", "yaml-syntax", (3, 15), "UTF-8"),
    (b"objectives: [\xed\xa0\x80]\n", "yaml-syntax", (1, 14), "UTF-8"),
    (b"\xff\xfeo\x00b\x00", "yaml-syntax", (1, 1), "UTF-8"),
    (b"objectives: [a\x00b]\n", "yaml-syntax", (1, 15), "U+0000"),
    (b"objectives: []\n# \x07 bell\n", "yaml-syntax", (2, 3), "U+0007"),
    (b"objectives: []\n\x1b[2J\n", "yaml-syntax", (2, 1), "U+001B"),
    ("objectives: []\n# \u0085\n".encode(), "yaml-syntax", (2, 3), "U+0085"),
    (b"objectives:\n\t- id: O1\n", "yaml-syntax", (2, 1), None),
    (b"objectives:\n  - id: O1\n\t title: T\n", "yaml-syntax", None, None),
    (b"objectives: []\n---\nobjectives: []\n", "yaml-syntax", (2, 1), "documents"),
    (b"---\nobjectives: []\n...\n---\n", "yaml-syntax", (4, 1), "documents"),
    (b"", "schema", (1, 1), "empty"),
    (b"# only a comment\n\n", "schema", (1, 1), "empty"),
    (b"- id: O1\n- id: O2\n", "schema", (1, 1), "list"),
    (b"hello\n", "schema", (1, 1), "single value"),
    (b"42\n", "schema", (1, 1), "single value"),
    (b"objectives: [\n", "yaml-syntax", None, None),
    (b"objectives: {a: 1\n", "yaml-syntax", None, None),
    (b"objectives:\n  - id: 'O1\n", "yaml-syntax", None, None),
    (b"? [a, b]\n: 1\n", "schema", None, "keys"),
    (b"objectives: '\\x'\n", "schema", None, None),
    (b'objectives: "\\ud800"\n', "yaml-syntax", None, None),
], ids=["latin1", "surrogate", "utf16", "nul", "bell", "escape", "nel", "tab-indent", "tab-mixed",
        "two-docs", "doc-end-then-doc", "empty", "comment-only", "top-list", "top-scalar", "top-number",
        "open-flow", "open-map", "open-quote", "complex-key", "scalar-objectives", "bad-escape"])
def test_broken_files_are_findings(okr_repo, raw, rule, at, says):
    _check(okr_repo, raw, rule, at, says)


def test_utf8_bom_is_accepted(okr_repo):
    root = okr_repo()
    (root / HOSTILE).write_bytes(b"\xef\xbb\xbf" + _bob().encode())
    r = run(["check"], cwd=root)
    assert r.exit_code == 0, r.stdout + r.stderr


# ---------------------------------------------------------------- B19: size limit

def test_file_over_1_mib_is_a_finding_before_parsing(okr_repo, monkeypatch):
    from okrcli.load import source

    parsed: list[str] = []
    real = source.parse_yaml
    monkeypatch.setattr(source, "parse_yaml", lambda text, rel, diags: (parsed.append(rel), real(text, rel, diags))[1])
    body = _bob().encode()
    big = body + b"#" * (source.MAX_FILE_BYTES + 1 - len(body))
    f = _check(okr_repo, big, "yaml-syntax", at=(1, 1), says="MiB")
    assert "1,048,577" in f["message"]
    assert HOSTILE not in parsed and "2026-Q4/carol.yaml" in parsed


def test_file_of_exactly_1_mib_is_read(okr_repo):
    from okrcli.load.source import MAX_FILE_BYTES

    body = _bob().encode()
    root = okr_repo()
    (root / HOSTILE).write_bytes(body + b"#" * (MAX_FILE_BYTES - len(body)))
    r = run(["check"], cwd=root)
    assert r.exit_code == 0, r.stdout + r.stderr


# ---------------------------------------------------------------- B20: numbers

@pytest.mark.parametrize("kr, says", [
    ("{id: KR1, title: K, target: .nan}", "finite"),
    ("{id: KR1, title: K, target: .NaN}", "finite"),
    ("{id: KR1, title: K, target: .inf}", "finite"),
    ("{id: KR1, title: K, target: -.Inf}", "finite"),
    ("{id: KR1, title: K, target: 1.0e+400}", "finite"),
    ("{id: KR1, title: K, target: 1e400}", "number"),
    ("{id: KR1, title: K, target: 1000000000000000000000000000000}", "too large"),
    ("{id: KR1, title: K, target: 5, start: -1000000000000000000000000000000.5}", "too large"),
    ("{id: KR1, title: K, target: 5, current: 0x7fffffffffffffffffffffffff}", "too large"),
    ("{id: KR1, title: K, target: 5, weight: -1}", "greater than 0"),
    ("{id: KR1, title: K, target: 5, weight: 0}", "greater than 0"),
    ("{id: KR1, title: K, target: 5, weight: .nan}", "finite"),
    ("{id: KR1, title: K, target: 5, confidence: .nan}", "finite"),
    ("{id: KR1, title: K, target: 5, confidence: 1.5}", "between"),
    ("{id: KR1, title: K, target: 5, score: -.inf}", "finite"),
    ("{id: KR1, title: K, target: 5, score: -0.1}", "between"),
], ids=["nan", "NaN", "inf", "minus-inf", "overflow-float", "1e400", "10**30", "minus-10**30", "hex-huge",
        "weight-negative", "weight-zero", "weight-nan", "confidence-nan", "confidence-high", "score-minus-inf",
        "score-negative"])
def test_bad_numbers_are_schema_findings(okr_repo, kr, says):
    f = _check(okr_repo, _bob(kr=kr), "schema", says=says)
    assert f["line"] == 6


def test_review_score_nan_is_a_schema_finding(okr_repo):
    text, at = _at(_bob(obj="    review: {score: @@}\n"), ".nan")
    _check(okr_repo, text, "schema", at=at, says="finite")


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_machine_output_never_contains_nan(okr_repo, fmt):
    values = [".nan", ".NaN", ".inf", "-.inf", "1e400", "1.0e+400", "1000000000000000000000000000000"]
    krs = "".join(f"      - {{id: KR{i}, title: K, target: 5, current: {v}, confidence: {v}}}\n"
                  for i, v in enumerate(values, 1))
    text = _bob(obj="    review: {score: .nan}\n") + krs
    root = _repo(okr_repo, text)
    r = run(["check", "--format", fmt], cwd=root)
    assert r.exit_code == 1

    def no_constants(name):
        raise AssertionError(f"{name} in JSON output")

    data = json.loads(r.stdout, parse_constant=no_constants)
    assert data
    assert not re.search(r"(?<![\w.])(NaN|-?Infinity)(?![\w])", re.sub(r'"(?:[^"\\]|\\.)*"', '""', r.stdout))


# ---------------------------------------------------------------- blowups, in a bounded subprocess

def _limit_memory():  # pragma: no cover - runs in the child
    resource.setrlimit(resource.RLIMIT_AS, (512 << 20, 512 << 20))


BILLION_LAUGHS = ('a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
                  + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join(["*" + chr(97 + i)] * 9) + "]\n"
                            for i in range(8))
                  + "objectives: *i\n")


@pytest.mark.parametrize("raw, rule, at", [
    (BILLION_LAUGHS.encode(), "schema", (1, 4)),
    (b"a: &a [*a]\n", "schema", (1, 4)),
    (b"objectives: &o [{key_results: *o}]\n", "schema", (1, 13)),
    (b"objectives: " + b"[" * 5000 + b"\n", "yaml-syntax", None),
    (b"objectives: " + b"[" * 5000 + b"]" * 5000 + b"\n", "yaml-syntax", None),
    (b"objectives: " + b"{a: " * 5000 + b"\n", None, None),
    (b"objectives:\n" + b"- " * 5000 + b"x\n", None, None),
    (("".join(" " * i + "k:\n" for i in range(1000)) + " " * 1000 + "v\n").encode(), None, None),
    (b"objectives: []\n" + b"# padding line\n" * (2 * 1024 * 1024 // 15), "yaml-syntax", (1, 1)),
], ids=["billion-laughs", "recursive-alias", "recursive-mapping", "5000-open-brackets", "5000-brackets",
        "5000-open-braces", "5000-dashes", "deep-block-mapping", "2-mib"])
def test_blowups_are_bounded(okr_repo, raw, rule, at):
    root = _repo(okr_repo, raw)
    p = subprocess.run(check=False, args=[str(OKR_EXE), "check"], cwd=root, capture_output=True, text=True, timeout=10,
                       preexec_fn=_limit_memory, env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1",
                                                       "XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"]})
    mine = [f for f in _findings(p.stdout) if f["path"] == HOSTILE]
    if rule is None:  # too deep: the parser's own limit or okr's, whichever comes first
        assert mine and mine[0]["rule"] in ("schema", "yaml-syntax"), p.stdout
    _assert_hostile_reported(p.returncode, p.stdout, p.stderr, rule or mine[0]["rule"], at)
    assert "RecursionError" not in p.stdout + p.stderr and "MemoryError" not in p.stdout + p.stderr


# ---------------------------------------------------------------- B12: only safe loaders in the package

SAFE_LOADERS = {"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"}
LOADING_CALLS = {"load", "load_all", "compose", "compose_all", "parse", "scan"}
FORBIDDEN = re.compile(
    r"unsafe_load|full_load|FullLoader|UnsafeLoader|CLoader\b|CFullLoader|CUnsafeLoader|"
    r"yaml\.Loader\b|Loader\s*=\s*(?:yaml\.)?Loader\b|add_(?:multi_)?constructor|"
    r"from\s+yaml\s+import\s+[^\n]*\b(?:load|load_all|Loader)\b"
)


def _safe_loader_expr(node: ast.expr, assigned: dict[str, list[ast.expr]]) -> bool:
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "yaml":
        return node.attr in SAFE_LOADERS
    if isinstance(node, ast.Name):
        values = assigned.get(node.id, [])
        return bool(values) and all(_safe_loader_expr(v, {}) for v in values)
    return False


def test_package_uses_only_safe_yaml_loaders():
    files = sorted((ROOT / "okrcli").rglob("*.py"))
    assert files
    problems = []
    for path in files:
        source = path.read_text(encoding="utf-8")
        rel = path.relative_to(ROOT)
        for m in FORBIDDEN.finditer(source):
            problems.append(f"{rel}:{source.count(chr(10), 0, m.start()) + 1}: {m.group()}")
        tree = ast.parse(source)
        assigned: dict[str, list[ast.expr]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        assigned.setdefault(target.id, []).append(node.value)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "yaml" \
                    and func.attr in LOADING_CALLS:
                loader = next((k.value for k in node.keywords if k.arg == "Loader"),
                              node.args[1] if len(node.args) > 1 else None)
                if loader is None or not _safe_loader_expr(loader, assigned):
                    problems.append(f"{rel}:{node.lineno}: yaml.{func.attr} without a safe Loader")
            # a loader class used directly, as in `_Loader(text)`
            if isinstance(func, ast.Name) and func.id in assigned and func.id.endswith("Loader") \
                    and not _safe_loader_expr(func, assigned):
                problems.append(f"{rel}:{node.lineno}: {func.id}(...) is not a safe loader")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- B26: fuzz

OKR_KEYS = ["objectives", "id", "title", "aligns", "depends_on", "committed", "private", "standalone",
            "key_results", "review", "description", "start", "target", "current", "unit", "keep", "done",
            "confidence", "weight", "score", "notes"]
TRICKY = ["NO", "on", "010", "1:30", "2026-11-27", "1.10", ".nan", "-.inf", "1e400", "~", "", "O1", "KR1",
          "acme/O1", "acme/O1/KR1", "2026:acme/O1", "2026-Q5:acme/O1", "../../etc/passwd", "above", "below",
          "[red]x[/red]", "\x1b[2J", "\u202e", "::error::x", "%0A"]
_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12),
                     st.sampled_from(TRICKY))
_keys = st.one_of(st.sampled_from(OKR_KEYS), st.text(max_size=6))
_docs = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(_keys, inner, max_size=6)),
                     max_leaves=30)
_objective = st.fixed_dictionaries(
    {"id": _scalars, "title": _scalars},
    optional={k: _docs for k in ("aligns", "depends_on", "committed", "standalone", "review", "x")}
    | {"key_results": st.lists(st.dictionaries(st.sampled_from(OKR_KEYS), _scalars, max_size=8), max_size=3)},
)
_yaml_docs = st.one_of(_docs, st.fixed_dictionaries({"objectives": st.lists(_objective, max_size=3)}))


def _run_fuzz(root: Path, raw: bytes) -> None:
    (root / HOSTILE).write_bytes(raw)
    r = run(["check", "--format", "json"], cwd=root)
    assert r.exit_code in (0, 1), (raw, r.stdout, r.stderr)
    for stream in (r.stdout, r.stderr):
        assert "internal error" not in stream and "Traceback" not in stream, (raw, stream)


_FUZZ = settings(max_examples=100, deadline=None, derandomize=True,
                 suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@_FUZZ
@given(raw=st.binary(max_size=400))
def test_fuzz_random_bytes(okr_repo, raw):
    _run_fuzz(okr_repo(), raw)


@settings(_FUZZ, max_examples=150)
@given(doc=_yaml_docs, flow=st.booleans(), mutate=st.one_of(st.none(), st.tuples(st.integers(0), st.integers(0, 255))))
def test_fuzz_yaml_shaped_documents(okr_repo, doc, flow, mutate):
    try:
        raw = yaml.safe_dump(doc, default_flow_style=flow, allow_unicode=True).encode("utf-8")
    except yaml.YAMLError:
        return
    if mutate is not None and raw:
        i = mutate[0] % len(raw)
        raw = raw[:i] + bytes([mutate[1]]) + raw[i + 1:]
    _run_fuzz(okr_repo(), raw)
