"""`aligns` pointing into a cycle that does not enclose this one.

An objective of 2026-Q4 may align to objectives of 2026-Q4, 2026-H2 or 2026
(the cycles that contain it), not to 2026-Q3 or 2027: its results cannot roll
up into a period it is not part of.

Fix: align to an objective of this cycle or of an enclosing one; for a link to
another period's work, use `depends_on`.
"""

from collections.abc import Iterator

from ..cycles import parse_cycle
from ..errors import Diagnostic
from .context import CheckContext

ID = "align-cross-cycle"
SEVERITY = "error"
# What a finding looks like, then (after ->) the fix: shown by `okr check --explain`.
EXAMPLE = """\
# in 2026-Q4/platform.yaml
    aligns: ["2026-Q3:eng/O1"]   # Q3 does not contain Q4
->
    aligns: ["2026:acme/O1"]
"""


def check(ctx: CheckContext) -> Iterator[Diagnostic]:
    for obj in ctx.objectives():
        own = parse_cycle(obj.cycle)
        for entry in obj.aligns:
            target = entry.ref.cycle
            if target is None or target == obj.cycle:
                continue
            other = parse_cycle(target)
            if other is not None and not other.encloses(own):
                yield Diagnostic.at(entry.loc, ID,
                                    f"'{entry.text}' is in {target}, which does not enclose {obj.cycle}; "
                                    f"align to {obj.cycle} or an enclosing cycle, or use depends_on")
