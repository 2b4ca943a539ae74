"""A reference in `aligns` or `depends_on` that names nothing.

References are `OWNER/OBJ` (same cycle), `OWNER/OBJ/KR` (a key result) and
`CYCLE:OWNER/OBJ` (another cycle). This fires when the owner has no such
objective in that cycle, or the objective has no such key result, typically
after an objective was renumbered or removed.

Fix: point the reference at an existing objective (the message suggests the
nearest match), or remove it.
"""

from collections.abc import Iterator

from ..errors import Diagnostic
from .context import CheckContext

ID = "align-dangling"
SEVERITY = "error"
# What a finding looks like, then (after ->) the fix: shown by `okr check --explain`.
EXAMPLE = """\
    aligns: [eng/O7]        # eng has no O7 in this cycle
->
    aligns: [eng/O2]
"""


def check(ctx: CheckContext) -> Iterator[Diagnostic]:
    for d in ctx.network.dangling:
        yield Diagnostic.at(d.entry.loc, ID, f"'{d.entry.text}' in {d.field} names nothing: {d.reason}")
