"""A folder named like a cycle that is not a valid cycle id.

Cycles are `YYYY` (a year), `YYYY-H1`..`H2` (halves), `YYYY-Q1`..`Q4`
(quarters) and `YYYY-B1`..`B6` (two-month periods). A folder such as `2026-Q5`
or `2026-q4` would otherwise be ignored silently.

Fix: rename the folder to a valid cycle id.
"""

from collections.abc import Iterator

from ..errors import Diagnostic
from .context import CheckContext

ID = "cycle-unknown"
SEVERITY = "error"
# What a finding looks like, then (after ->) the fix: shown by `okr check --explain`.
EXAMPLE = """\
2026-Q5/platform.yaml      # there is no fifth quarter
->
2026-Q4/platform.yaml
"""


def check(ctx: CheckContext) -> Iterator[Diagnostic]:
    yield from ctx.loaded_findings(ID)
