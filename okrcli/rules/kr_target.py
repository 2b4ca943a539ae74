"""A numeric key result whose start equals its target.

Progress is `(current - start) / (target - start)`, which means nothing when
start and target are equal (and `start` defaults to 0, so `target: 0` without
a start hits this too).

Fix: set `start` to where you began, or make it a threshold KR
(`keep: above` or `keep: below`) if the aim is to hold a level.
"""

from collections.abc import Iterator

from ..errors import Diagnostic
from .context import CheckContext

ID = "kr-target"
SEVERITY = "error"
# What a finding looks like, then (after ->) the fix: shown by `okr check --explain`.
EXAMPLE = """\
  - id: KR1
    title: Keep pages at 5 a week
    target: 5
    start: 5                # start == target: progress means nothing
->
    target: 5
    keep: below
"""


def check(ctx: CheckContext) -> Iterator[Diagnostic]:
    for obj in ctx.objectives():
        for kr in obj.key_results:
            if kr.kind == "numeric" and kr.start == kr.target:
                yield Diagnostic.at(kr.at("target"), ID,
                                    f"{obj.owner}/{obj.id}/{kr.id} starts at its target ({kr.target:g}); "
                                    "set 'start' to where you began, or use 'keep: above|below' for a threshold")
