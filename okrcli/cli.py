"""The `okr` command line: Typer wiring only; each command lives in `okrcli.commands`.

Heavy modules (networkx, gitpython, rich for rendering) are imported inside the
commands that need them, so `okr --help` and `okr check` start fast.
"""

from __future__ import annotations

import errno
import functools
import os
import sys
from collections.abc import Callable, Iterable

import typer

from . import __version__
from .errors import ExitCode, OkrError


def report_error(err: OkrError) -> None:
    from .safe_text import visible

    # Several lines (a hook's output) keep their breaks, indented: no line can pass for okr's own.
    first, *more = err.message.split("\n")
    sys.stderr.write(f"okr: error: {visible(first)}\n" + "".join(f"  {visible(m)}\n" for m in more))
    if err.hint:
        sys.stderr.write(f"hint: {visible(err.hint)}\n")


def guarded(func: Callable) -> Callable:
    """Turn expected failures into one line and exit 2, bugs into exit 3, Ctrl-C into 130,
    SIGTERM into 143, a closed pipe into a quiet 141, a full disk on stdout into exit 2."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except OkrError as err:
            report_error(err)
            raise typer.Exit(int(err.code)) from None
        except KeyboardInterrupt as exc:
            raise typer.Exit(int(interrupted(exc))) from None
        except (OSError, UnicodeEncodeError) as exc:
            code = output_trouble(exc)
            if code is None:
                if os.environ.get("OKR_DEBUG") == "1":
                    raise
                _internal(exc)
                code = ExitCode.INTERNAL
            raise typer.Exit(int(code)) from None
        except Exception as exc:  # a bug: say so in one line
            if os.environ.get("OKR_DEBUG") == "1":
                raise
            _internal(exc)
            raise typer.Exit(int(ExitCode.INTERNAL)) from None

    return wrapper


def _internal(exc: BaseException) -> None:
    _say(f"okr: internal error: {type(exc).__name__}: {exc} "
         "(this is a bug; run with OKR_DEBUG=1 for the traceback)\n")


def _say(text: str) -> None:
    """One line on stderr, whatever state stderr is in."""
    try:
        sys.stderr.write(text)
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass


def interrupted(exc: BaseException) -> ExitCode:
    """Ctrl-C (130) or SIGTERM (143), said in one line; cleanups have run on the way out."""
    from .errors import Terminated

    if isinstance(exc, Terminated):
        _say("okr: terminated\n")
        return ExitCode.TERMINATED
    _say("okr: interrupted\n")
    return ExitCode.INTERRUPTED


# errno values that mean "the output cannot be written" (not a bug of okr)
_OUTPUT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EBADF, errno.EFBIG, errno.EROFS}


def output_trouble(exc: BaseException) -> ExitCode | None:
    """The exit code for a failure writing stdout (None: not that kind of failure).

    EPIPE (`okr export | head -1`) ends quietly with 141, as a shell reports a reader that
    went away; a full disk, a closed stdout or an encoding that cannot show a character end
    with one line and exit 2. stdout is then pointed at /dev/null, so the interpreter's own
    last flush cannot print a traceback."""
    if isinstance(exc, BrokenPipeError):
        _silence_stdout()
        return ExitCode.BROKEN_PIPE
    if isinstance(exc, UnicodeEncodeError):
        _say(f"okr: error: the output holds a character the terminal's encoding ({exc.encoding}) "
             "cannot show\nhint: use a UTF-8 locale (e.g. LC_ALL=C.UTF-8) or PYTHONIOENCODING=utf-8\n")
        return ExitCode.USAGE
    if isinstance(exc, OSError) and exc.errno in _OUTPUT_ERRNOS:
        _silence_stdout()
        _say(f"okr: error: cannot write the output: {exc.strerror or exc}\n")
        return ExitCode.USAGE
    return None


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.__stdout__.fileno() if sys.__stdout__ is not None else 1)
        finally:
            os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


class _Closed:
    """Stands in for a standard stream that was closed before okr started (`okr ... >&-`)."""

    encoding = "utf-8"
    errors = "replace"

    def __init__(self, name: str, *, raises: bool = True):
        self.name, self.raises = name, raises

    def write(self, text) -> int:
        if self.raises:  # stdout: the output the user asked for cannot go anywhere
            raise OSError(errno.EBADF, f"standard {self.name} is closed")
        return len(text)  # stderr: messages are lost, the command still does its work

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise OSError(errno.EBADF, f"standard {self.name} is closed")


def _prepare_streams() -> None:
    """Make stdout and stderr safe to write before anything runs.

    A stream closed at start gets a stand-in (its fd slot is filled with /dev/null, so no
    file okr opens lands on fd 1 or 2); an encoding that cannot show every character
    writes `?` instead of raising (`PYTHONIOENCODING=ascii`, a Latin-1 terminal)."""
    for name, fd in (("stdout", 1), ("stderr", 2)):
        stream = getattr(sys, name)
        if stream is None:
            try:
                held = os.open(os.devnull, os.O_WRONLY)
                if held != fd:
                    os.close(held)
            except OSError:
                pass
            setattr(sys, name, _Closed("output", raises=True) if name == "stdout" else _Closed("error", raises=False))
            continue
        try:
            if getattr(stream, "errors", "strict") == "strict":
                stream.reconfigure(errors="replace")
        except (AttributeError, ValueError, OSError):
            pass


def _on_sigterm(signum, frame) -> None:
    """SIGTERM raises `Terminated` (a KeyboardInterrupt) where the program is, so every
    rollback Ctrl-C gets runs; a second SIGTERM during that cleanup is ignored."""
    import signal

    from .errors import Terminated

    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Terminated()


def register(app: typer.Typer, name: str, func: Callable, summary: str) -> None:
    # A command may bring its own parser class (checkin: negative numbers as values).
    extra = {"cls": func.command_class} if hasattr(func, "command_class") else {}
    app.command(name, help=func.__doc__, short_help=summary, **extra)(guarded(func))


def _version(value: bool) -> None:
    if value:
        from .commands.output import text

        text(f"okr {__version__}\n")
        raise typer.Exit()


def root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """Objectives and Key Results as plain YAML files in git."""
    from . import progress

    progress.quiet(False)  # each command decides again (in-process runs share the module)
    progress.set_display(_rich_bar)


def _rich_bar(label: str, total: int | None):
    from .commands.progress_bar import RichBar

    return RichBar(label, total)


# In the order a team meets them: start, check, see, update, follow up, review, change.
# (name, module in okrcli.commands, function, summary): a module is imported when its command is needed.
TABLE = (
    ("demo", "demo", "demo", "Create a demo repository with a quarter of check-ins."),
    ("init", "init", "init", "Start an OKR repository here or in DIR."),
    ("check", "check", "check", "Validate every file; exit 1 on errors (for CI)."),
    ("tree", "tree", "tree", "Show the alignment network: company -> team -> person."),
    ("show", "show", "show", "Show one objective or key result in full."),
    ("list", "list_cmd", "list_objectives", "List objectives or key results, filtered."),
    ("export", "export", "export", "Export objectives and key results as JSON or CSV."),
    ("checkin", "checkin", "checkin", "Update key results and record a git commit."),
    ("grade", "grade", "grade", "Score a key result or an objective."),
    ("log", "log", "log", "Show the check-in history."),
    ("report", "report", "report", "The weekly follow-up: what moved, who owes what."),
    ("status", "status", "status", "Who still owes OKRs and check-ins."),
    ("health", "health", "health", "The four values: focus, follow-up, collaboration, activation."),
    ("review", "review", "review", "The end-of-cycle review."),
    ("site", "site", "site", "Write a static website of the OKRs for everyone."),
    ("diff", "diff", "diff", "What changed between revisions, and who must re-align."),
    ("new-cycle", "new_cycle", "new_cycle", "Start the next cycle, carrying unfinished objectives."),
    ("schema", "schema", "schema", "Print JSON Schemas for editors."),
    ("who", "who", "who", "Find a person of org.yaml by GitHub handle."),
)


def _command(module: str, function: str) -> Callable:
    from importlib import import_module

    return getattr(import_module(f"{__package__}.commands.{module}"), function)


def make_app(names: Iterable[str] | None = None) -> typer.Typer:
    """The command line with the commands `names` (all of them when None), in table order."""
    wanted = None if names is None else set(names)
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
    app.callback()(root)
    for name, module, function, summary in TABLE:
        if wanted is None or name in wanted:
            register(app, name, _command(module, function), summary)
    return app


def __getattr__(name: str):
    """`app` (every command) and `COMMANDS` ((name, function, summary) of each), made on first
    use: `okr` itself builds only the command it runs (`_application`)."""
    if name == "app":
        globals()["app"] = made = make_app()
        return made
    if name == "COMMANDS":
        globals()["COMMANDS"] = made = tuple((n, _command(m, f), s) for n, m, f, s in TABLE)
        return made
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _application(argv: list[str]) -> typer.Typer:
    """What `main` runs: `app` when something made it already (a test, a patch); else, for
    `okr COMMAND ...`, a command line of that one command, so that its run imports no other
    command's module and Typer builds no other command's parser. Anything else (help, a
    completion, an unknown command, an option first) gets every command, as before."""
    made = globals().get("app")
    if made is not None:
        return made
    known = {name for name, *_rest in TABLE}
    if argv and argv[0] in known and argv[0] not in _RUNS_OTHERS and not os.environ.get("_OKR_COMPLETE"):
        return make_app([argv[0]])
    return make_app()


# Commands that run others through the root command (`okr demo` shows the tree and the review).
_RUNS_OTHERS = frozenset({"demo"})


def main() -> None:
    """The console script: run the app and turn every way out into an exit code."""
    import signal

    from .gitstore.env import clean_environment

    clean_environment()  # a hook's GIT_DIR / GIT_INDEX_FILE must not redirect okr's git processes
    _prepare_streams()
    try:
        signal.signal(signal.SIGTERM, _on_sigterm)
    except (ValueError, OSError):  # not the main thread: leave the default
        pass
    try:
        code = _application(sys.argv[1:])(standalone_mode=False)
        sys.stdout.flush()
    except KeyboardInterrupt as exc:
        code = interrupted(exc)
    except typer.Abort as exc:  # click turns Ctrl-C outside a command into Abort
        code = interrupted(exc.__context__ if isinstance(exc.__context__, KeyboardInterrupt) else exc)
    except (OSError, UnicodeEncodeError) as exc:
        code = output_trouble(exc)
        if code is None:
            if os.environ.get("OKR_DEBUG") == "1":
                raise
            _say(f"okr: internal error: {type(exc).__name__}: {exc}\n")
            code = ExitCode.INTERNAL
    except Exception as exc:
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):  # a usage error from the parser
            exc.show()
            code = exc.exit_code
        elif hasattr(exc, "exit_code"):  # typer.Exit
            code = exc.exit_code
        else:
            if os.environ.get("OKR_DEBUG") == "1":
                raise
            _say(f"okr: internal error: {type(exc).__name__}: {exc}\n")
            code = ExitCode.INTERNAL
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        _silence_stdout()
    sys.exit(int(code or 0))
