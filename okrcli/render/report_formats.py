"""One entry point per report for every format: `render(report, fmt)`, `chunks(report, fmt)` and
`text_lines(report)`.

The demo and other Python callers build a report (`build_report`, `build_review`)
and call `render` for a string; the commands hand it to `commands.output.report`,
which prints (in colour on a terminal) or writes `--output FILE`.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..reports.followup import FollowUp
from ..reports.review import Review

FORMATS = ("text", "markdown", "json", "html")


def chunks(report: FollowUp | Review, fmt: str) -> Iterable[str]:
    """The report in `fmt` as pieces to write one after the other: HTML is produced as it is
    written (a review page at 10,000 people is a hundred megabytes); the others are one string."""
    if fmt == "html":
        from . import html

        return html.review_chunks(report) if isinstance(report, Review) else html.followup_chunks(report)
    whole = render(report, fmt)
    return [whole] if isinstance(whole, str) else whole


def render(report: FollowUp | Review, fmt: str) -> str:
    """The report as one document in `fmt` (text is plain, without colour)."""
    if fmt == "json":
        from .json import to_json

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
