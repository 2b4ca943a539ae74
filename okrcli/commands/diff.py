"""`okr diff`: what changed in the OKRs between two revisions, and who must re-align."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from typer.core import TyperCommand

from . import output
from .common import RepoOption, choice, find_root
from .viewing import IncludePrivateOption, paused_gc

FORMATS = ("text", "markdown", "json", "github")


@paused_gc
def diff(
    range: str | None = typer.Argument(
        None, metavar="[A..B | A...B | REV]",
        help="A..B compares A with B; A...B compares the merge-base of A and B with B (what a pull "
             "request changes); REV alone compares REV with the working tree. Default: HEAD against "
             "the working tree. A side may also be a date (YYYY-MM-DD: the last commit that day)."),
    repo: Path | None = RepoOption,
    format: str | None = typer.Option(
        None, "--format", "-f", metavar="FORMAT",
        help="text, markdown (a pull-request comment or $GITHUB_STEP_SUMMARY), json, or github "
             "(one workflow command per change). Default: github when GITHUB_ACTIONS is set, else text."),
    fail_on: str | None = typer.Option(
        None, "--fail-on", metavar="KINDS",
        help="Exit 1 when a change of one of these kinds (comma-separated, see the list above) is present."),
    progress: bool = typer.Option(
        False, "--progress", help="Also report progress (current, done, confidence, scores); "
                                  "left out by default since a check-in changes no structure."),
    include_private: bool = IncludePrivateOption,
) -> None:
    from .. import clock
    from ..render import diff as render
    from ..reports.diff import build_diff, parse_fail_on

    fmt = format or ("github" if os.environ.get("GITHUB_ACTIONS") else "text")
    choice(fmt, FORMATS, "--format")
    names = parse_fail_on(fail_on)
    root = find_root(repo)
    report = build_diff(root, range, clock.today(), include_private=include_private,
                        progress=progress or "progress" in names)
    if fmt == "json":
        output.text(render.render_json(report))
    elif fmt == "markdown":
        output.text(render.render_markdown(report))
    elif fmt == "github":
        output.text(render.render_github(report, root, names))
    else:
        output.lines(render.text_lines(report))
    failing = report.failing(names)
    if failing:
        output.note(f"okr diff: {len(failing)} change{'s' * (len(failing) != 1)} "
                         f"match{'es' * (len(failing) == 1)} --fail-on {','.join(names)}\n")
    raise typer.Exit(1 if failing else 0)


_HELP = """Compare the OKRs of two revisions objective by objective, and name who must re-align.

Reports objectives added, removed, retitled, re-aligned, made committed or
private, key results added or removed, and targets or starts moved (flagged as
goalpost moving when moved after the cycle started, judged by the head's commit
date, or today for the working tree). For each changed or removed objective it
lists the objectives aligned to it, directly and through others, and those that
depend on it, with their owners. Private objectives are left out unless
--include-private; one that others align to is shown without its title.

\b
Change kinds (for --fail-on):
{kinds}

Example: okr diff origin/main...HEAD --fail-on removed-aligned,goalpost
"""
diff.__doc__ = _HELP.format(kinds="  (see okr diff --help)")


def help_text() -> str:
    """The help with the table of change kinds, read from the diff builder when help is shown."""
    from ..reports.diff import KINDS

    return _HELP.format(kinds="\n".join(f"  {name:<19}{text}" for name, (_level, text) in KINDS.items()))


class _DiffCommand(TyperCommand):
    """`okr diff` whose help lists the change kinds, without importing the diff builder (and the
    model) on every command just to have that table ready."""

    def format_help_text(self, ctx, formatter) -> None:
        self.help = help_text()
        super().format_help_text(ctx, formatter)


diff.command_class = _DiffCommand
