"""The package's layering, read from the source (every `import`, at the top or inside a function).

The layers, lowest first; a module may import its own layer and the layers below, never above:

  0 core      errors, frozen, safe_text, cycles, refs, clock, model, scoring, network, resolve,
              progress, beside, __init__
  1 rules     rules/*, checks (the rules read the model only; okr.yaml is validated from
              their declarations, so the loader sits above them)
  2 load      load/*, settings, derived, gitstore (and gitstore/*), edit, files,
              completion
  3 plans     plans/*, reports/*
  4 render    render/*
  5 commands  commands/*
  6 cli       cli

Besides the order:
- no import circle between modules, whatever their layers (an import under `if TYPE_CHECKING:`
  names a type for annotations and never runs, so it counts for the order but not as a circle);
- reports/ imports nothing of render/, commands/ or gitstore/ (reports are pure builders);
- typer and rich are imported only in commands/ and cli.py (the output layer,
  commands/output.py, and the progress bar, commands/progress_bar.py, live there);
- GitPython (`import git`) and `subprocess` only inside gitstore/.

"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "okrcli"

LAYERS = (
    ("core", ("errors", "frozen", "safe_text", "cycles", "refs", "clock", "model", "scoring", "network", "resolve",
              "progress", "beside", "json_fields", "__init__")),
    ("rules", ("rules", "checks")),
    ("load", ("load", "settings", "derived", "gitstore", "edit", "files", "completion")),
    ("plans", ("plans", "reports")),
    ("render", ("render",)),
    ("commands", ("commands",)),
    ("cli", ("cli",)),
)



def module_name(path: Path, package: Path) -> str:
    rel = path.relative_to(package.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _type_only(tree: ast.Module) -> set[int]:
    """The ids of the import nodes under `if TYPE_CHECKING:` (never run)."""
    return {id(inner) for node in ast.walk(tree)
            if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
            for stmt in node.body for inner in ast.walk(stmt)}


def imports_of(source: str, module: str, is_package: bool, known: set[str], runtime: bool = False) -> set[str]:
    """Every module `source` imports (top level and inside functions): okrcli modules by full
    name (`from . import x` names the submodule x when it is one), others by their top name.
    With `runtime`, the imports that run only (not those under `if TYPE_CHECKING:`)."""
    found: set[str] = set()
    tree = ast.parse(source)
    skipped = _type_only(tree) if runtime else set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                name = alias.name
                found.add(name if name.startswith("okrcli") else name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            target = _absolute(node, module, is_package)
            if not target.startswith("okrcli"):
                found.add(target.split(".")[0])
                continue
            subs = {f"{target}.{alias.name}" for alias in node.names} & known
            found |= subs or {target}
            if len(subs) < len(node.names):
                found.add(target)
    if module in found:
        found.discard(module)
    return found


def package_graph(package: Path = PACKAGE, runtime: bool = False) -> dict[str, set[str]]:
    files = {module_name(p, package): p for p in package.rglob("*.py")}
    known = set(files)
    graph = {}
    for name, path in files.items():
        deps = imports_of(path.read_text(encoding="utf-8"), name, path.name == "__init__.py", known, runtime)
        # `okrcli` itself (the package __init__) is named by `from .. import __version__`
        graph[name] = {d for d in deps if d in known or not d.startswith("okrcli")}
    return graph


def layer_of(module: str) -> int | None:
    parts = module.split(".")
    head = parts[1] if len(parts) > 1 else "__init__"
    for rank, (_, heads) in enumerate(LAYERS):
        if head in heads:
            return rank
    return None


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of okrcli modules with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(start: str) -> None:  # iterative, so a deep graph cannot overflow the stack
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def violations(graph: dict[str, set[str]], runs: dict[str, set[str]] | None = None) -> set[tuple[str, str, str]]:
    """(kind, importer, imported) for every import against the layering; circles are looked for
    in `runs` (the imports that run), the order in `graph` (every import)."""
    found: set[tuple[str, str, str]] = set()
    runs = graph if runs is None else runs
    for group in circles(runs):
        for a in group:
            for b in sorted(runs[a] & set(group)):
                if a < b and a in runs.get(b, ()):
                    found.add(("circle", a, b))
        if not any(k == "circle" and a in group for k, a, _ in found):
            found.add(("circle", group[0], group[1]))
    for module, deps in graph.items():
        parts = module.split(".")
        area = parts[1] if len(parts) > 1 else ""
        in_git = area == "gitstore"
        for dep in deps:
            if dep in ("typer", "rich", "click") and area not in ("commands", "cli"):
                found.add(("typer/rich below commands", module, dep))
            if dep == "git" and not in_git:
                found.add(("git outside gitstore", module, dep))
            if dep == "subprocess" and not in_git:
                found.add(("subprocess outside gitstore", module, dep))
            if not dep.startswith("okrcli"):
                continue
            dep_area = dep.split(".")[1] if "." in dep else ""
            if area == "reports" and dep_area in ("render", "commands", "gitstore"):
                found.add(("reports importing " + dep_area, module, dep))
            mine, theirs = layer_of(module), layer_of(dep)
            if mine is not None and theirs is not None and theirs > mine:
                found.add(("upward", module, dep))
    return found


def test_every_module_has_a_layer():
    unplaced = sorted(m for m in package_graph() if layer_of(m) is None)
    assert unplaced == [], f"add these modules to LAYERS: {unplaced}"


def test_the_package_follows_its_layers():
    found = violations(package_graph(), package_graph(runtime=True))
    new = sorted(found)
    assert new == [], "imports against the layering:\n" + "\n".join(f"  {k}: {a} -> {b}" for k, a, b in new)


def test_imports_inside_functions_count():
    source = "def f():\n    from ..render import html\n    import subprocess\n"
    found = imports_of(source, "okrcli.reports.x", False, {"okrcli.render.html", "okrcli.render"})
    assert found == {"okrcli.render.html", "subprocess"}


@pytest.mark.parametrize(("graph", "expected"), [
    ({"okrcli.a.x": {"okrcli.b.y"}, "okrcli.b.y": {"okrcli.a.x"}}, ("circle", "okrcli.a.x", "okrcli.b.y")),
    ({"okrcli.reports.r": {"okrcli.render.html"}, "okrcli.render.html": set()},
     ("reports importing render", "okrcli.reports.r", "okrcli.render.html")),
    ({"okrcli.reports.r": {"okrcli.gitstore"}, "okrcli.gitstore": set()},
     ("reports importing gitstore", "okrcli.reports.r", "okrcli.gitstore")),
    ({"okrcli.render.x": {"rich"}}, ("typer/rich below commands", "okrcli.render.x", "rich")),
    ({"okrcli.load.build": {"typer"}}, ("typer/rich below commands", "okrcli.load.build", "typer")),
    ({"okrcli.reports.r": {"git"}}, ("git outside gitstore", "okrcli.reports.r", "git")),
    ({"okrcli.plans.demo": {"subprocess"}}, ("subprocess outside gitstore", "okrcli.plans.demo", "subprocess")),
    ({"okrcli.model": {"okrcli.load.build"}, "okrcli.load.build": set()},
     ("upward", "okrcli.model", "okrcli.load.build")),
    ({"okrcli.render.x": {"okrcli.commands.y"}, "okrcli.commands.y": set()},
     ("upward", "okrcli.render.x", "okrcli.commands.y")),
])
def test_a_violation_is_caught(graph, expected):
    assert expected in violations(graph)


def test_a_clean_graph_passes():
    graph = {"okrcli.cli": {"okrcli.commands.tree", "typer"}, "okrcli.commands.tree": {"okrcli.render.tree", "rich"},
             "okrcli.render.tree": {"okrcli.reports.views"}, "okrcli.reports.views": {"okrcli.model"},
             "okrcli.model": set(), "okrcli.gitstore.read": {"git", "subprocess"}}
    assert violations(graph) == set()


def test_a_circle_of_three_is_caught():
    graph = {"okrcli.a": {"okrcli.b"}, "okrcli.b": {"okrcli.c"}, "okrcli.c": {"okrcli.a"}}
    assert any(kind == "circle" for kind, _, _ in violations(graph))


def test_the_graph_is_read_from_files(tmp_path):
    """A synthetic package on disk: a relative import inside a function makes a circle."""
    pkg = tmp_path / "okrcli"
    (pkg / "reports").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "reports" / "__init__.py").write_text("")
    (pkg / "reports" / "a.py").write_text("def f():\n    from . import b\n")
    (pkg / "reports" / "b.py").write_text("from .a import f\nfrom ..render import html\n")
    (pkg / "render").mkdir()
    (pkg / "render" / "__init__.py").write_text("")
    (pkg / "render" / "html.py").write_text("")
    found = violations(package_graph(pkg))
    assert ("circle", "okrcli.reports.a", "okrcli.reports.b") in found
    assert ("reports importing render", "okrcli.reports.b", "okrcli.render.html") in found


def test_a_type_only_import_orders_but_does_not_circle(tmp_path):
    """An import under `if TYPE_CHECKING:` never runs: it is no circle, yet it still counts for
    the order (a report naming a renderer's type is still caught)."""
    pkg = tmp_path / "okrcli"
    (pkg / "reports").mkdir(parents=True)
    (pkg / "render").mkdir()
    for init in (pkg / "__init__.py", pkg / "reports" / "__init__.py", pkg / "render" / "__init__.py"):
        init.write_text("")
    (pkg / "reports" / "a.py").write_text("from .b import g\n")
    (pkg / "reports" / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import f\n    from ..render.html import H\n")
    (pkg / "render" / "html.py").write_text("")
    found = violations(package_graph(pkg), package_graph(pkg, runtime=True))
    assert not any(kind == "circle" for kind, _, _ in found)
    assert ("reports importing render", "okrcli.reports.b", "okrcli.render.html") in found
    (pkg / "reports" / "b.py").write_text("from .a import f\n")
    found = violations(package_graph(pkg), package_graph(pkg, runtime=True))
    assert ("circle", "okrcli.reports.a", "okrcli.reports.b") in found


def test_the_command_table_imports_no_report_builder_or_model():
    """`okr --help` (importing okrcli.cli) loads no report builder, renderer, the model or rich."""
    import subprocess
    import sys

    code = ("import sys, okrcli.cli; print(sorted(m for m in sys.modules if m.startswith(('okrcli.reports', "
            "'okrcli.render', 'okrcli.model', 'okrcli.load', 'rich', 'networkx', 'git'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_diff_help_still_lists_every_change_kind():
    from conftest import run

    from okrcli.reports.diff import KINDS

    shown = run(["diff", "--help"]).stdout
    assert "Change kinds (for --fail-on):" in shown
    assert all(f"  {name} " in shown for name in KINDS)
