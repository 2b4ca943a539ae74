"""An objective whose alignments never reach a company objective.

Alignment exists so that everyone's work traces up to the company's goals. An
objective aligned only to objectives that are themselves standalone, unaligned
or looping is connected, but to nothing the company set.

Fix: align the objective (or the one it aligns to) to an objective whose chain
reaches the company's objectives.
"""

from collections.abc import Iterator

from ..errors import Diagnostic, Severity
from .context import CheckContext

ID = "align-orphan-chain"
SEVERITY = "warning"
# What a finding looks like, then (after ->) the fix: shown by `okr check --explain`.
EXAMPLE = """\
# bob/O1 aligns to platform/O1, which is `standalone`
    aligns: [platform/O1]
->
    aligns: [platform/O2]     # an objective whose chain reaches acme
"""


def check(ctx: CheckContext) -> Iterator[Diagnostic]:
    org = ctx.repo.org
    if org.company is None:
        return
    network = ctx.network
    company = org.company.id
    roots = {o.key for o in ctx.objectives() if o.owner == company}
    reaching = network.reaching(roots)
    for obj in ctx.objectives():
        if obj.owner == company or obj.key in reaching or not network.parents(obj.key):
            continue
        yield Diagnostic.at(obj.at("aligns"), ID,
                            f"{obj.owner}/{obj.id} aligns only to objectives that never reach a company "
                            "objective; align it (or its parent) to an objective that does",
                            Severity.WARNING)
