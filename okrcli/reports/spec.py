"""What a report describes (hledger's ReportSpec): one value every builder in `okrcli.reports` takes.

The command fills it from its options; a builder reads what it needs and ignores the rest.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ReportSpec:
    """The cycle, the day, the revision and the selection a report is built for."""

    cycle: str | None  # None: every cycle (`okr export --all-cycles`) or the root's (`okr tree REF`)
    today: date  # the as-of day statuses and the window are computed for
    rev: str | None = None  # the commit described (`--at`), None for the work tree
    owners: AbstractSet[str] | None = None  # `--team` / `--owner`: the owners selected, None for everyone
    team: str | None = None  # the team selected (its subtree is the review's list of teams)
    selection: str | None = None  # the selection as the user wrote it (`--team platform`)
    include_private: bool = False  # private objectives shown (SPEC 2)
    until: date | None = None  # check-ins dated after it are left out (`--at`: history read from HEAD)
    root: str | None = None  # `okr tree REF`: the objective the tree starts from
    depth: int | None = None  # `okr tree --depth`
    krs: bool = False  # key results are part of the view (tree, list)
    status: str | None = None  # `okr list --status`
    committed: bool | None = None  # `okr list --committed / --aspirational`
    progress: bool = False  # `okr diff --progress`: progress changes reported too

    @property
    def as_of(self) -> date:
        return self.today

    def wants(self, private: bool, owner: str) -> bool:
        """Whether an objective of `owner` (private or not) is part of the report."""
        return (self.include_private or not private) and (self.owners is None or owner in self.owners)
