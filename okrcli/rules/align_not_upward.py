"""`aligns` pointing to an owner outside this owner's chain of command.

Vertical alignment goes up: a person aligns to their team, its parent teams or
the company; a team to its parent teams or the company. Aligning to a peer
team hides a lateral dependency inside the vertical tree.

Fix: align to an objective of your own chain, and name the peer's objective in
`depends_on` instead.
"""

from collections.abc import Iterator

from ..errors import Diagnostic, Severity
from .context import CheckContext

ID = "align-not-upward"
SEVERITY = "warning"
# What a finding looks like, then (after ->) the fix: shown by `okr check --explain`.
EXAMPLE = """\
# bob is in team platform; sre is a peer team
    aligns: [sre/O1]
->
    aligns: [platform/O1]
    depends_on: [sre/O1]
"""


def check(ctx: CheckContext) -> Iterator[Diagnostic]:
    org = ctx.repo.org
    chains: dict[str, set[str]] = {}
    for obj in ctx.objectives():
        if org.kind(obj.owner) is None:
            continue
        allowed = chains.get(obj.owner)
        if allowed is None:
            allowed = chains[obj.owner] = {obj.owner, *org.chain_of_command(obj.owner)}
        for entry in obj.aligns:
            owner = entry.ref.owner
            if owner not in allowed and org.kind(owner) is not None:
                yield Diagnostic.at(entry.loc, ID,
                                    f"{obj.owner} aligns to {owner}, which is outside its chain of command "
                                    f"({' -> '.join(org.chain_of_command(obj.owner)) or 'none'}); "
                                    "use depends_on for a lateral link", Severity.WARNING)
