"""An objective with more than `max` key results (default 5).

Two to five key results are enough to say what success means; more usually
lists tasks.

Fix: keep the KRs that measure the outcome and drop or merge the rest.
Configure the limit in okr.yaml: `rules: {kr-count: {max: 6}}`.
"""

from collections.abc import Iterator

from ..errors import Diagnostic, Severity
from . import Option
from .context import CheckContext

ID = "kr-count"
SEVERITY = "warning"
# What a finding looks like, then (after ->) the fix: shown by `okr check --explain`.
EXAMPLE = """\
    key_results: [KR1, KR2, KR3, KR4, KR5, KR6, KR7]   # seven
->
    key_results: [KR1, KR2, KR3]                      # the outcomes
"""
OPTIONS = {"max": Option("count", 5)}  # key results per objective


def check(ctx: CheckContext) -> Iterator[Diagnostic]:
    limit = ctx.option(ID, "max")
    for obj in ctx.objectives():
        if len(obj.key_results) > limit:
            yield Diagnostic.at(obj.key_results[limit].loc, ID,
                                f"{obj.owner}/{obj.id} has {len(obj.key_results)} key results, more than {limit}; "
                                "keep the ones that measure the outcome", Severity.WARNING)
