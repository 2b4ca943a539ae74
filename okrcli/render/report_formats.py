"""One entry point per report for every format: `render(report, fmt)` and `deliver(...)`.

The demo and other Python callers build a report (`build_report`, `build_review`)
and call `render` for a string; the commands call `deliver`, which prints (in
colour on a terminal) or writes `--output FILE` atomically, never through a link.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from ..reports.followup import FollowUp
from ..reports.review import Review

FORMATS = ("text", "markdown", "json", "html")


def chunks(report: FollowUp | Review, fmt: str) -> Iterable[str]:
    """The report in `fmt` as pieces to write one after the other: HTML is produced as it is
    written (a review page at 10,000 people is a hundred megabytes); the others are one string."""
    if fmt == "html":
        from . import html

        return html.review_chunks(report) if isinstance(report, Review) else html.followup_chunks(report)
    return [render(report, fmt)]


def render(report: FollowUp | Review, fmt: str) -> str:
    """The report as one document in `fmt` (text is plain, without colour)."""
    if fmt == "json":
        from .report_json import to_json

        return to_json(report)
    if fmt == "text":
        from .styled import plain

        return plain(text_lines(report))
    if fmt == "markdown":
        from . import markdown

        return markdown.review_markdown(report) if isinstance(report, Review) else markdown.followup_markdown(report)
    if fmt == "html":
        from . import html

        return html.review_html(report) if isinstance(report, Review) else html.followup_html(report)
    raise ValueError(f"unknown format {fmt!r}")


def text_lines(report: FollowUp | Review):
    from . import report_text

    return report_text.review_lines(report) if isinstance(report, Review) else report_text.followup_lines(report)


def deliver(report: FollowUp | Review, fmt: str, output: Path | None, color: bool) -> None:
    """Print the report, or write it to `output` (replacing the file, never writing through a link)."""
    if output is not None:
        from ..errors import OkrError
        from ..files import write_chunks

        target = Path(output)
        if target.is_dir() and not target.is_symlink():
            raise OkrError(f"--output {output}: is a folder", hint="give a file name, e.g. review.html")
        if not target.parent.exists():
            raise OkrError(f"--output {output}: the folder {target.parent} does not exist")
        try:
            write_chunks(target, chunks(report, fmt))
        except OkrError as exc:
            raise OkrError(f"--output {output}: {exc.message}", hint=exc.hint) from None
        except OSError as exc:
            raise OkrError(f"--output {output}: cannot write it: {exc.strerror or exc}") from None
        return
    if fmt == "text":
        from .styled import write_lines

        write_lines(text_lines(report), color)
        return
    for piece in chunks(report, fmt):
        sys.stdout.write(piece)
