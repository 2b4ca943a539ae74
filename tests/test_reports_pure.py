"""Reports are pure builders: one ReportSpec in, dataclasses out, their JSON the dataclass tree.

The source checks read okrcli/reports/ as text (imports inside functions count too); the CLI
checks run okr on a real repository and compare its JSON with the builders' dataclasses.
"""

from __future__ import annotations

import ast
import inspect
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from conftest import run
from gitrepo import isolate_git
from pulse_repo import TODAY, build

from okrcli.json_fields import json_meta
from okrcli.render.json import dumps, plain, records, streamed

REPORTS = Path(__file__).resolve().parent.parent / "okrcli" / "reports"
FORBIDDEN = ("okrcli.gitstore", "okrcli.render", "okrcli.commands", "subprocess", "typer", "rich", "git")
READERS = ("open", "read_bytes", "read_text", "git", "run_git", "popen")
ENV = {"OKR_TODAY": TODAY, "OKR_USER": ""}


def _modules() -> list[Path]:
    return sorted(REPORTS.glob("*.py"))


def _imported(path: Path) -> list[str]:
    """Every module `path` imports, at the top or inside a function, as an absolute name."""
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = "okrcli" if node.level == 2 else "okrcli.reports" if node.level == 1 else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            names += [module] + [f"{module}.{a.name}" for a in node.names]
    return names


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.name)
def test_a_report_imports_no_git_render_or_command(path):
    bad = [n for n in _imported(path) if any(n == f or n.startswith(f + ".") for f in FORBIDDEN)]
    assert bad == [], f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.name)
def test_a_report_reads_no_file_and_runs_no_git(path):
    calls = [n for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.Call)]
    names = [c.func.attr if isinstance(c.func, ast.Attribute) else getattr(c.func, "id", "") for c in calls]
    assert [n for n in names if n in READERS] == []


def _builders():
    import importlib

    for path in _modules():
        module = importlib.import_module(f"okrcli.reports.{path.stem}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("build_") and fn.__module__ == module.__name__:
                yield pytest.param(fn, id=f"{path.stem}.{name}")


@pytest.mark.parametrize("builder", list(_builders()))
def test_every_builder_takes_one_report_spec(builder):
    params = inspect.signature(builder).parameters
    assert "spec" in params, f"{builder.__name__} takes no ReportSpec"
    assert params["spec"].annotation in ("ReportSpec", "ReportSpec | None")


def _lengths(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text())
    return [(n.end_lineno - n.lineno + 1, n.name) for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]


@pytest.mark.parametrize("path", [*_modules(), REPORTS.parent / "commands" / "log.py"], ids=lambda p: p.name)
def test_no_builder_is_longer_than_60_lines(path):
    assert [(n, name) for n, name in _lengths(path) if n > 60] == []


def test_the_log_command_body_is_at_most_30_lines():
    tree = ast.parse((REPORTS.parent / "commands" / "log.py").read_text())
    fn = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "log")
    body = fn.body[1:] if isinstance(fn.body[0], ast.Expr) else fn.body  # after the docstring
    assert body[-1].end_lineno - body[0].lineno + 1 <= 30


# ------------------------------------------------------------------ the encoder

def _follow(report) -> dict:
    return {"total": report.count * 2}


@dataclass
class _Inner:
    a: int
    b: date


@dataclass
class _Report:
    name: str
    count: int = field(metadata=json_meta(then=("double",)))
    hidden: str = field(metadata=json_meta(omit=True))
    renamed: str = field(metadata=json_meta(key="other"))
    inner: _Inner = field(metadata=json_meta(flatten=True))
    made: int = field(metadata=json_meta(value=_follow))
    empty: list = field(metadata=json_meta(omit_empty=True))
    sometimes: int = field(metadata=json_meta(when=lambda r: r.count > 5))
    dropped: _Inner = field(metadata=json_meta(drop=("b",)))
    items: tuple = ()

    @property
    def double(self) -> int:
        return self.count * 2


def test_field_metadata_shapes_the_json():
    r = _Report("x", 3, "secret", "r", _Inner(1, date(2026, 11, 2)), 0, [], 9, _Inner(4, date(2026, 1, 1)),
                (1, "two"))
    assert list(plain(r).items()) == [
        ("name", "x"), ("count", 3), ("double", 6), ("other", "r"), ("a", 1), ("b", "2026-11-02"),
        ("made", {"total": 6}), ("dropped", {"a": 4}), ("items", [1, "two"])]
    assert json.loads(dumps(r)) == plain(r)
    assert dumps(r).startswith('{\n  "name": "x",\n')
    assert records(r) == json.dumps(plain(r), ensure_ascii=False, separators=(", ", ": ")) + "\n"
    assert "".join(streamed(r, "items")).splitlines()[1:] == ["1,", '"two"', "]}"]


def test_nan_is_refused_unless_allowed():
    r = _Report("x", 3, "", "", _Inner(1, date(2026, 1, 1)), 0, [], 0, _Inner(1, date(2026, 1, 1)), (float("nan"),))
    with pytest.raises(ValueError):
        dumps(r)
    assert "NaN" in dumps(r, allow_nan=True)


# ------------------------------------------------------------------ through the CLI

@pytest.fixture
def crafted(tmp_path, monkeypatch):
    isolate_git(monkeypatch, tmp_path)
    return build(tmp_path / "okrs")


def test_status_json_is_the_status_dataclass(crafted):
    """Keys left out (org_line, line), renamed (follow_up), computed (rate, days_overdue) as the metadata says."""
    from okrcli.load.build import load_repository
    from okrcli.load.history import read_history
    from okrcli.reports.pulse import build_status
    from okrcli.reports.spec import ReportSpec

    shown = run(["status", "--format", "json"], cwd=crafted, env=ENV)
    assert shown.exit_code == 0, shown.stderr
    doc = json.loads(shown.stdout)
    repository, _ = load_repository(crafted)
    built = build_status(repository, read_history(crafted),
                         ReportSpec(repository.settings.current_cycle(date.fromisoformat(TODAY)),
                                    date.fromisoformat(TODAY)))
    assert doc == plain(built)
    assert list(doc) == ["cycle", "as_of", "checkin_every", "state", "selection", "fill_in", "follow_up",
                         "objectives_without_key_results"]
    owners = doc["follow_up"]["owners"]
    assert owners and all(list(o) == ["owner", "kind", "name", "path", "last_checkin", "days_overdue",
                                      "key_results"] for o in owners)
    assert all("line" not in k for o in owners for k in o["key_results"])
    assert all("org_line" not in m for m in doc["fill_in"]["missing"])
    assert doc["follow_up"]["key_results"] == sum(len(o["key_results"]) for o in owners)


def test_health_json_inlines_the_current_figures(crafted):
    shown = run(["health", "--format", "json"], cwd=crafted, env=ENV)
    assert shown.exit_code == 0, shown.stderr
    scope = json.loads(shown.stdout)["scopes"][0]
    assert list(scope)[:9] == ["id", "kind", "name", "parent", "indices", "fill_in_rate", "checkin_rate",
                               "components", "counts"]
    assert list(scope)[9:] == ["previous", "trend"]


# ------------------------------------------------------------------ the window reads only what changed

def test_files_where_only_values_changed_are_not_parsed_again(tmp_path, monkeypatch):
    """After a week of check-ins, the baseline takes the old values from the changed lines; a
    file with any other change (eng: retitled, target moved) is parsed; the report is the same."""
    from report_repo import REPORT_DAY
    from report_repo import build as build_report_repo

    from okrcli.load.build import load_repository
    from okrcli.load.history import read_history
    from okrcli.load.window import read_baseline, read_since
    from okrcli.reports.followup import build_report
    from okrcli.reports.spec import ReportSpec

    isolate_git(monkeypatch, tmp_path)
    root = build_report_repo(tmp_path / "okrs", until=REPORT_DAY)
    repository, _ = load_repository(root)
    today = date.fromisoformat(REPORT_DAY)
    since = read_since(root, "7d", today, 7, None)
    quick = read_baseline(root, since, None, repository)
    full = read_baseline(root, since, None)
    assert quick.changed == full.changed
    assert quick.values_only and "2026-Q4/eng.yaml" in quick.changed - quick.values_only
    assert not full.values_only and quick.values  # the old values, per key result
    spec, history = ReportSpec("2026-Q4", today), read_history(root)
    assert plain(build_report(repository, history, spec, since=since, baseline=quick)) == plain(
        build_report(repository, history, spec, since=since, baseline=full))
    shown = run(["report", "--format", "json"], cwd=root, env={"OKR_TODAY": REPORT_DAY})
    assert json.loads(shown.stdout) == plain(build_report(repository, history, spec, since=since, baseline=full))
