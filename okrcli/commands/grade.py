"""`okr grade`: write a key result's score or an objective's review score, as one commit."""

from __future__ import annotations

from pathlib import Path

import typer

from .checkin import NoCommitOption, NoVerifyOption
from .common import RepoOption


def grade(
    ref: str = typer.Argument(..., metavar="REF", help="An objective (OWNER/OBJ) or key result (OWNER/OBJ/KR)."),
    score: str = typer.Argument(..., metavar="SCORE", help="The grade, from 0 to 1 (0.7 is a good stretch)."),
    note: str | None = typer.Option(
        None, "--note", "-m", metavar="TEXT",
        help="What went well, what did not (an objective's review.notes; the commit body)."),
    no_commit: bool = NoCommitOption,
    no_verify: bool = NoVerifyOption,
    repo: Path | None = RepoOption,
) -> None:
    """Grade an objective (review.score) or a key result (score) and commit it, with trailers.

    Example: okr grade platform/O1 0.7 --note "Deploys are boring; canaries slipped."

    A key result's score replaces its progress in every roll-up; an objective's
    review score replaces the mean of its key results (SPEC 3).
    """
    from ..plans.checkin import Sources, check_text, parse_fraction, plan_grade
    from .checkin import open_git, record
    from .common import find_root

    root = find_root(repo)
    sources = Sources.open(root)
    git = None if no_commit else open_git(root)
    value = parse_fraction(score, "SCORE")
    note_text = check_text(note or "", "note", multiline=True)
    plan = plan_grade(sources, sources.resolve(ref), value, note=note_text)

    def replan():  # the file changed meanwhile: grade it again as it is now
        fresh = Sources.open(root)
        return plan_grade(fresh, fresh.resolve(ref), value, note=note_text)

    record(plan, git, no_verify=no_verify, replan=replan)
