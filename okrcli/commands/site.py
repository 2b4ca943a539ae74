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
    from .output import line
    from .viewing import open_with_history

    folder = SiteFolder(output, MARKER)  # refuses a target it must not replace before any work
    with folder:
        opened = open_with_history(repo, at, cycle, all_cycles=True)
        repository, today, rev = opened.as_of.repository, opened.as_of.today, opened.as_of.rev
        until = today if at else None
        review = build_review(repository, opened.history, cycle=opened.cycle, today=today,
                              include_private=include_private, rev=rev, until=until)
        data = build_site(repository, opened.history, cycle=opened.cycle, today=today,
                          rev=rev or _head(opened.root), work_tree=at is None, review=review,
                          include_private=include_private, unreadable=opened.unreadable, until=until)
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
    from ..reports.followup import build_report, read_baseline, read_since

    repository, today, rev = opened.as_of.repository, opened.as_of.today, opened.as_of.rev
    every = repository.settings.checkin_every
    window, baseline = _no_window(today, every), None
    if opened.history is not None:
        window = read_since(opened.root, None, today, every, rev)
        baseline = read_baseline(opened.root, window, rev)
    return build_report(repository, opened.history, cycle=opened.cycle, today=today, since=window,
                        baseline=baseline, include_private=include_private, rev=rev, until=until)


def _no_window(today, every: int):
    from ..reports.followup import Since, parse_since

    label, day = parse_since(None, today, every)
    return Since(label, day or today, None, None)


def _head(root: Path) -> str | None:
    """The commit checked out, for the footer; None outside git."""
    from ..errors import OkrError
    from ..gitstore import open_repo

    try:
        return open_repo(root).head()
    except OkrError:
        return None
