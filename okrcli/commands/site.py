"""`okr site`: a static website of the OKR repository, for everyone who will not use a terminal."""

from __future__ import annotations

from pathlib import Path

import typer

from .common import RepoOption
from .viewing import AtOption, CycleOption, IncludePrivateOption, paused_gc


@paused_gc
def site(
    output: Path = typer.Option(Path("okr-site"), "--output", "-o", metavar="DIR",
                                help="The folder to write (default okr-site). An existing one is replaced only "
                                     "if an earlier okr site wrote it (or it is empty)."),
    cycle: str | None = CycleOption,
    at: str | None = AtOption,
    include_private: bool = IncludePrivateOption,
    repo: Path | None = RepoOption,
) -> None:
    """Write a static website of the OKRs: an index with the company's tree and the cycle's numbers
    (fill-in, check-ins up to date, the four values), a page per team, per person and per objective
    (key results with burn-ups, check-ins with notes, alignment up, down and sideways), the
    follow-up and the review.

    Relative links only, no JavaScript and nothing fetched from elsewhere: it works from
    file:// and from a sub-path of GitHub Pages. Private objectives are left out unless
    --include-private. The folder is written all at once: built beside DIR, then renamed.

    Example: okr site --output public --at 2026-12-31
    """
    from ..files import SiteFolder
    from ..reports.review import build_review
    from ..reports.site import MARKER, build_site
    from ..reports.spec import ReportSpec
    from .output import line
    from .viewing import open_with_history

    folder = SiteFolder(output, MARKER)  # refuses a target it must not replace before any work
    with folder:
        opened = open_with_history(repo, at, cycle, all_cycles=True)
        repository, today, rev = opened.as_of.repository, opened.as_of.today, opened.as_of.rev
        until = today if at else None
        review = build_review(repository, opened.history, ReportSpec(opened.cycle, today, rev,
                                                                     include_private=include_private, until=until))
        spec = ReportSpec(opened.cycle, today, rev or _head(opened.root), include_private=include_private, until=until)
        data = build_site(repository, opened.history, spec, work_tree=at is None, review=review,
                          unreadable=opened.unreadable)
        _write(folder, data, lambda: _follow_up(opened, include_private, until), output)
    line(f"wrote {output}/: {folder.files} files ({folder.bytes / 1e6:.1f} MB): the index, "
         f"{len(data.teams)} teams, {len(data.people)} people, {len(data.objectives)} objectives, the "
         f"follow-up and the review of {data.cycle}\nopen {output}/index.html")


def _write(folder, data, follow_up, output: Path) -> None:
    """Every page into the folder, the follow-up built beside (a forked child) meanwhile; then publish."""
    from .. import progress
    from ..beside import Beside
    from ..errors import OkrError
    from ..render.site import followup_page, pages, stylesheet
    from ..reports.site import FOLLOW_UP

    def write_follow_up() -> None:
        folder.write(FOLLOW_UP, followup_page(data, follow_up()))

    try:
        beside = Beside(write_follow_up)
        try:
            folder.write("style.css", [stylesheet()])
            total = 2 + len(data.teams) + len(data.people) + len(data.objectives)  # index and review too
            with progress.bar("Writing pages", total=total) as bar:
                for path, pieces in pages(data):
                    folder.write(path, pieces)
                    bar.advance()
        except BaseException:
            beside.cancel()
            raise
        if beside.finish():
            folder.adopt(FOLLOW_UP)
        folder.publish()
    except OSError as exc:  # a full disk, a folder made read-only meanwhile: nothing is replaced
        raise OkrError(f"--output {output}: cannot write the site: {exc.strerror or exc}",
                       hint="the earlier site, if any, is as it was") from None


def _follow_up(opened, include_private: bool, until):
    """`okr report`'s follow-up for the site: the window of checkin_every days before the day shown."""
    from ..load.window import read_window
    from ..reports.followup import build_report
    from ..reports.spec import ReportSpec

    repository, today, rev = opened.as_of.repository, opened.as_of.today, opened.as_of.rev
    window, baseline = read_window(opened.root, None, today, repository.settings.checkin_every, rev,
                                   opened.history is not None, repository)
    spec = ReportSpec(opened.cycle, today, rev, include_private=include_private, until=until)
    return build_report(repository, opened.history, spec, since=window, baseline=baseline)


def _head(root: Path) -> str | None:
    """The commit checked out, for the footer; None outside git."""
    from ..errors import OkrError
    from ..gitstore import open_repo

    try:
        return open_repo(root).head()
    except OkrError:
        return None
