"""A team's or person's objective that aligns to nothing.

OKRs connect: every team and personal objective should say which objective
above it serves (`aligns: [eng/O2]`, or a key result: `aligns: [acme/O1/KR2]`).
Company objectives are exempt.

Fix: add `aligns:` with the objective (or KR) this one drives. Bottom-up
exploration is allowed but visible: write `standalone: "<why>"` instead.
"""

from collections.abc import Iterator

from ..errors import Diagnostic
from .context import CheckContext

ID = "unaligned"
SEVERITY = "error"
# What a finding looks like, then (after ->) the fix: shown by `okr check --explain`.
EXAMPLE = """\
  - id: O1                  # platform's objective, serving nothing above it
    title: Make deploys boring
->
  - id: O1
    title: Make deploys boring
    aligns: [eng/O2]
"""


def check(ctx: CheckContext) -> Iterator[Diagnostic]:
    org = ctx.repo.org
    for obj in ctx.objectives():
        if obj.aligns or obj.standalone is not None:
            continue
        if org.kind(obj.owner) in ("team", "person"):
            yield Diagnostic.at(obj.at("id"), ID,
                                f"{obj.owner}/{obj.id} aligns to nothing; add 'aligns: [OWNER/OBJ]' naming the "
                                "objective it serves, or 'standalone: \"<reason>\"'")
