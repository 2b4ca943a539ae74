"""The `okr` command line: Typer wiring only; each command lives in `okrcli.commands`.

Heavy modules (networkx, gitpython, rich for rendering) are imported inside the
commands that need them, so `okr --help` and `okr check` start fast.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable

import typer

from . import __version__
from .errors import ExitCode, OkrError

app = typer.Typer(
    name="okr",
    help="Objectives and Key Results as plain YAML files in git.\n\n"
         "Example: okr demo && cd okr-demo && okr tree",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def report_error(err: OkrError) -> None:
    from .render.text_safety import visible

    # Several lines (a hook's output) keep their breaks, indented: no line can pass for okr's own.
    first, *more = err.message.split("\n")
    sys.stderr.write(f"okr: error: {visible(first)}\n" + "".join(f"  {visible(m)}\n" for m in more))
    if err.hint:
        sys.stderr.write(f"hint: {visible(err.hint)}\n")


def guarded(func: Callable) -> Callable:
    """Turn expected failures into one line and exit 2, bugs into exit 3, Ctrl-C into 130."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except OkrError as err:
            report_error(err)
            raise typer.Exit(int(err.code)) from None
        except KeyboardInterrupt:
            sys.stderr.write("okr: interrupted\n")
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except Exception as exc:  # a bug: say so in one line
            if os.environ.get("OKR_DEBUG") == "1":
                raise
            sys.stderr.write(f"okr: internal error: {type(exc).__name__}: {exc} "
                             "(this is a bug; run with OKR_DEBUG=1 for the traceback)\n")
            raise typer.Exit(int(ExitCode.INTERNAL)) from None

    return wrapper


def register(name: str, func: Callable, summary: str) -> None:
    # A command may bring its own parser class (checkin: negative numbers as values).
    extra = {"cls": func.command_class} if hasattr(func, "command_class") else {}
    app.command(name, help=func.__doc__, short_help=summary, **extra)(guarded(func))


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"okr {__version__}\n")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """Objectives and Key Results as plain YAML files in git."""
    from . import progress

    progress.quiet(False)  # each command decides again (in-process runs share the module)
    progress.set_display(_rich_bar)


def _rich_bar(label: str, total: int | None):
    from .render.progress_bar import RichBar

    return RichBar(label, total)


from .commands import check as _check
from .commands import checkin as _checkin
from .commands import demo as _demo
from .commands import diff as _diff
from .commands import export as _export
from .commands import grade as _grade
from .commands import health as _health
from .commands import init as _init
from .commands import list_cmd as _list
from .commands import log as _log
from .commands import new_cycle as _new_cycle
from .commands import report as _report
from .commands import review as _review
from .commands import schema as _schema
from .commands import show as _show
from .commands import status as _status
from .commands import tree as _tree

# In the order a team meets them: start, check, see, update, follow up, review, change.
COMMANDS = (
    ("demo", _demo.demo, "Create a demo repository with a quarter of check-ins."),
    ("init", _init.init, "Start an OKR repository here or in DIR."),
    ("check", _check.check, "Validate every file; exit 1 on errors (for CI)."),
    ("tree", _tree.tree, "Show the alignment network: company -> team -> person."),
    ("show", _show.show, "Show one objective or key result in full."),
    ("list", _list.list_objectives, "List objectives or key results, filtered."),
    ("export", _export.export, "Export objectives and key results as JSON or CSV."),
    ("checkin", _checkin.checkin, "Update key results and record a git commit."),
    ("grade", _grade.grade, "Score a key result or an objective."),
    ("log", _log.log, "Show the check-in history."),
    ("report", _report.report, "The weekly follow-up: what moved, who owes what."),
    ("status", _status.status, "Who still owes OKRs and check-ins."),
    ("health", _health.health, "The four values: focus, follow-up, collaboration, activation."),
    ("review", _review.review, "The end-of-cycle review."),
    ("diff", _diff.diff, "What changed between revisions, and who must re-align."),
    ("new-cycle", _new_cycle.new_cycle, "Start the next cycle, carrying unfinished objectives."),
    ("schema", _schema.schema, "Print JSON Schemas for editors."),
)
for _name, _func, _summary in COMMANDS:
    register(_name, _func, _summary)


def main() -> None:
    """The console script: run the app and turn every way out into an exit code."""
    try:
        code = app(standalone_mode=False)
    except (KeyboardInterrupt, typer.Abort):
        sys.stderr.write("okr: interrupted\n")
        code = ExitCode.INTERRUPTED
    except Exception as exc:
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):  # a usage error from the parser
            exc.show()
            code = exc.exit_code
        elif hasattr(exc, "exit_code"):  # typer.Exit
            code = exc.exit_code
        else:
            if os.environ.get("OKR_DEBUG") == "1":
                raise
            sys.stderr.write(f"okr: internal error: {type(exc).__name__}: {exc}\n")
            code = ExitCode.INTERNAL
    sys.exit(int(code or 0))
