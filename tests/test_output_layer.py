"""One output layer: commands print their results only through okrcli/commands/output.py, which
takes text or text in pieces, for stdout or `--output FILE`."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import run, write_repo

COMMANDS = Path(__file__).resolve().parent.parent / "okrcli" / "commands"
OWN_OUTPUT = {"output.py", "progress_bar.py"}  # the output layer and the progress bar on stderr


def _printing(path: Path) -> list[str]:
    """Every way `path` writes to a standard stream itself, as `line: what`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "sys" \
                and node.attr in ("stdout", "stderr"):
            found.append(f"{node.lineno}: sys.{node.attr}")
        elif isinstance(node, ast.Attribute) and node.attr in ("echo", "secho") and \
                isinstance(node.value, ast.Name) and node.value.id == "typer":
            found.append(f"{node.lineno}: typer.{node.attr}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
            found.append(f"{node.lineno}: print()")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            found += [f"{node.lineno}: import {n}" for n in names if n.split(".")[0] == "rich"]
    return found


def test_commands_print_only_through_the_output_layer():
    seen = {p.name: _printing(p) for p in sorted(COMMANDS.glob("*.py")) if p.name not in OWN_OUTPUT}
    assert len(seen) > 15
    assert {name: found for name, found in seen.items() if found} == {}


def test_the_check_catches_a_command_printing_itself(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import sys\nimport typer\ndef f():\n    from rich.console import Console\n"
                   "    typer.echo('x')\n    sys.stdout.write('y')\n    print('z')\n")
    assert sorted(_printing(bad)) == ["4: import rich.console", "5: typer.echo", "6: sys.stdout", "7: print()"]


def _pieces(text: str):
    """The document in small pieces, as a streaming renderer yields it."""
    for start in range(0, len(text), 7):
        yield text[start:start + 7]


def test_a_report_in_pieces_prints_and_writes_as_one_document(tmp_path, monkeypatch):
    from okrcli.render import report_formats

    root = write_repo(tmp_path / "repo", {})
    whole = run(["review", "2026-Q4", "--format", "markdown"], cwd=root)
    assert whole.exit_code == 0, whole.stderr
    assert whole.stdout.startswith("#")
    real = report_formats.render
    monkeypatch.setattr(report_formats, "render", lambda report, fmt: _pieces(real(report, fmt)))
    streamed = run(["review", "2026-Q4", "--format", "markdown"], cwd=root)
    assert (streamed.exit_code, streamed.stdout) == (0, whole.stdout)
    target = tmp_path / "review.md"
    written = run(["review", "2026-Q4", "--format", "markdown", "--output", str(target)], cwd=root)
    assert (written.exit_code, written.stdout) == (0, "")
    assert target.read_text(encoding="utf-8") == whole.stdout


def test_output_into_a_folder_is_refused_with_the_option_named(tmp_path):
    root = write_repo(tmp_path / "repo", {})
    r = run(["review", "2026-Q4", "--format", "markdown", "--output", str(tmp_path)], cwd=root)
    assert r.exit_code == 2
    assert f"okr: error: --output {tmp_path}: is a folder" in r.stderr
