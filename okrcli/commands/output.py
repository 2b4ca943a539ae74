"""The one way a command prints its result: stdout, or `--output FILE` through the one writer.

A result is text (`str`) or text in pieces (`Iterable[str]`, written as they come, so a large
HTML page is never one string in memory), or styled lines (`render.styled.Line`: plain text,
or rich `Text` on a colour terminal, never markup, so `[red]` in a title stays `[red]`).
Messages about the work (warnings, notes) go to stderr through `note`.

Nothing here catches a failure writing stdout: a closed pipe (exit 141), a full disk or an
encoding that cannot show a character (exit 2) are turned into exit codes by `cli.guarded`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path

Chunks = str | Iterable[str]


def color_wanted(stream=None) -> bool:
    """Colour on a terminal, unless NO_COLOR is set."""
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR"):
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def text(data: Chunks) -> None:
    """Write text, or text in pieces as they come, to stdout (never through rich)."""
    out = sys.stdout
    if isinstance(data, str):
        out.write(data)
        return
    for piece in data:
        out.write(piece)


def line(message: str) -> None:
    """One message line on stdout (what a command did), flushed at once: a prompt may follow."""
    out = sys.stdout
    out.write(message + "\n")
    out.flush()


def lines(styled, color: bool | None = None, stream=None) -> None:
    """Write styled lines: coloured through rich when `color` (default: on a terminal, unless
    NO_COLOR), else plain text."""
    from ..render.styled import plain

    stream = stream or sys.stdout
    if not (color_wanted(stream) if color is None else color):
        stream.write(plain(styled))
        return
    from rich.console import Console
    from rich.text import Text

    console = Console(file=stream, highlight=False, soft_wrap=True, emoji=False, markup=False)
    for line in styled:
        row = Text()
        for chunk, style in line:
            row.append(chunk, style or None)
        console.print(row)


def note(message: str) -> None:
    """A message about the work on stderr (a warning, a note): never part of the result."""
    sys.stderr.write(message)


def to_file(output: Path, data: Chunks) -> None:
    """Write the result to `--output FILE`: replaced atomically, never through a link; a folder,
    a missing parent or a failed write is an OkrError naming the option."""
    from ..errors import OkrError
    from ..files import write_chunks

    target = Path(output)
    if target.is_dir() and not target.is_symlink():
        raise OkrError(f"--output {output}: is a folder", hint="give a file name, e.g. review.html")
    if not target.parent.exists():
        raise OkrError(f"--output {output}: the folder {target.parent} does not exist")
    try:
        write_chunks(target, [data] if isinstance(data, str) else data)
    except OkrError as exc:
        raise OkrError(f"--output {output}: {exc.message}", hint=exc.hint) from None
    except OSError as exc:
        raise OkrError(f"--output {output}: cannot write it: {exc.strerror or exc}") from None


def result(data: Chunks, output: Path | None = None) -> None:
    """The result on stdout, or in `output` when given."""
    if output is not None:
        to_file(output, data)
    else:
        text(data)


def report(report, fmt: str, output: Path | None) -> None:
    """A follow-up or a review in `fmt`: printed (text in colour on a terminal) or written to
    `output`."""
    from ..render.report_formats import chunks, text_lines

    if output is None and fmt == "text":
        lines(text_lines(report))
    else:
        result(chunks(report, fmt), output)
