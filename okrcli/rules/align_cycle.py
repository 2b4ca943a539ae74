"""Alignments that loop: following `aligns` returns to where it started.

Alignment runs upward, from individual to team to company; a loop means two
objectives each claim to serve the other, so neither rolls up anywhere.

Fix: decide which objective is the parent and remove the `aligns` entry that
points the other way (use `depends_on` for a lateral link).
"""

from collections.abc import Iterator

from ..errors import Diagnostic
from .context import CheckContext

ID = "align-cycle"
SEVERITY = "error"
# What a finding looks like, then (after ->) the fix: shown by `okr check --explain`.
EXAMPLE = """\
# 2026-Q4/platform.yaml      # 2026-Q4/sre.yaml
- id: O1                      - id: O1
  aligns: [sre/O1]              aligns: [platform/O1]
->
- id: O1                      - id: O1
  aligns: [eng/O2]              depends_on: [platform/O1]
"""


def _short(key: str, cycle: str) -> str:
    return key.split(":", 1)[1] if key.startswith(cycle + ":") else key


def check(ctx: CheckContext) -> Iterator[Diagnostic]:
    network = ctx.network
    for loop in network.cycles():
        first = ctx.repo.objectives[loop[0]]
        following = loop[1] if len(loop) > 1 else loop[0]
        entry = network.up[loop[0]][following]
        path = " -> ".join(_short(k, first.cycle) for k in [*loop, loop[0]])
        yield Diagnostic.at(entry.loc, ID,
                            f"alignment loop: {path}; remove the 'aligns' entry that points back down")
