"""An owner with more than `max` objectives in one cycle (default 5).

OKRs are about focus: a handful of objectives that matter most. Long lists are
task lists and dilute attention.

Fix: merge or drop objectives, or move some to the next cycle. Configure the
limit in okr.yaml: `rules: {too-many-objectives: {max: 6}}`.
"""

from collections.abc import Iterator

from ..errors import Diagnostic, Loc, Severity
from . import Option
from .context import CheckContext

ID = "too-many-objectives"
SEVERITY = "warning"
# What a finding looks like, then (after ->) the fix: shown by `okr check --explain`.
EXAMPLE = """\
# 2026-Q4/platform.yaml with O1 .. O7
->
# keep the five that matter most; move the rest to 2027-Q1
"""
OPTIONS = {"max": Option("count", 5)}  # objectives per owner and cycle


def check(ctx: CheckContext) -> Iterator[Diagnostic]:
    limit = ctx.option(ID, "max")
    for f in ctx.repo.files:
        if len(f.objectives) > limit:
            extra = f.objectives[limit]
            yield Diagnostic.at(Loc(f.path, extra.loc.line, extra.loc.column), ID,
                                f"{f.owner} has {len(f.objectives)} objectives in {f.cycle}, more than {limit}; "
                                "focus on the few that matter most", Severity.WARNING)
