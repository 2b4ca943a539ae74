"""What a rule sees: the repository, the diagnostics made while loading, and its settings."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from ..errors import Diagnostic
from ..model import Objective, Repository

if TYPE_CHECKING:
    from ..network import AlignmentNetwork


@dataclass
class CheckContext:
    repo: Repository
    loaded: list[Diagnostic] = field(default_factory=list)

    @cached_property
    def network(self) -> AlignmentNetwork:
        from ..network import AlignmentNetwork

        return AlignmentNetwork(self.repo)

    @cached_property
    def _loaded_by_rule(self) -> dict[str, list[Diagnostic]]:
        out: dict[str, list[Diagnostic]] = {}
        for d in self.loaded:
            out.setdefault(d.rule, []).append(d)
        return out

    def loaded_findings(self, rule_id: str) -> Iterator[Diagnostic]:
        """The findings of `rule_id` made while loading the files."""
        yield from self._loaded_by_rule.get(rule_id, ())

    def option(self, rule_id: str, name: str):
        """One of the rule's options: as okr.yaml sets it, else the rule's default (its OPTIONS)."""
        from . import option

        return option(self.repo.settings.rules, rule_id, name)

    def objectives(self) -> Iterator[Objective]:
        for f in self.repo.files:
            yield from f.objectives
