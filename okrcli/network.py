"""The alignment network: objectives as nodes, `aligns` (vertical) and `depends_on` (lateral) as edges.

Nodes are objective keys (`CYCLE:OWNER/ID`) across all cycles. An `aligns`
entry that names a key result counts as aligning to that KR's objective; the KR
id stays on the edge. References that name nothing are kept aside as
`dangling`, so the graph only ever holds real objectives.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Iterator

import networkx as nx

from .model import Objective, RefEntry, Repository


@dataclass(frozen=True, slots=True)
class Dangling:
    source: Objective
    entry: RefEntry
    field: str  # aligns | depends_on
    reason: str


class AlignmentNetwork:
    """Vertical alignment (child -> parent) and lateral dependencies (from -> to) of a repository."""

    def __init__(self, repo: Repository):
        self.repo = repo
        self.vertical = nx.DiGraph()
        self.lateral = nx.DiGraph()
        self.dangling: list[Dangling] = []
        objectives = repo.objectives
        self.vertical.add_nodes_from(objectives)
        self.lateral.add_nodes_from(objectives)
        for obj in objectives.values():
            for name, graph in (("aligns", self.vertical), ("depends_on", self.lateral)):
                for entry in getattr(obj, name):
                    target = self._resolve(obj, entry, name)
                    if target is not None:
                        graph.add_edge(obj.key, target, entry=entry, kr=entry.ref.kr)

    def _resolve(self, obj: Objective, entry: RefEntry, field: str) -> str | None:
        ref = entry.ref
        key = f"{ref.cycle or obj.cycle}:{ref.owner}/{ref.objective}"
        target = self.repo.objectives.get(key)
        if target is None:
            self.dangling.append(Dangling(obj, entry, field, self._why_missing(obj, entry)))
            return None
        if ref.kr is not None and target.kr(ref.kr) is None:
            ids = ", ".join(k.id for k in target.key_results) or "none"
            self.dangling.append(Dangling(obj, entry, field,
                                          f"{target.owner}/{target.id} has no key result {ref.kr} (it has: {ids})"))
            return None
        return key

    def _why_missing(self, obj: Objective, entry: RefEntry) -> str:
        import difflib

        ref = entry.ref
        cycle = ref.cycle or obj.cycle
        same_owner = [o.id for o in self.repo.objectives_in(cycle) if o.owner == ref.owner]
        if same_owner:
            close = difflib.get_close_matches(ref.objective, same_owner, n=1, cutoff=0.5)
            hint = f"; did you mean {ref.owner}/{close[0]}?" if close else f" (it has: {', '.join(same_owner)})"
            return f"{ref.owner} has no objective {ref.objective} in {cycle}{hint}"
        if self.repo.org.kind(ref.owner) is None:
            owners = list(self.repo.org.teams) + list(self.repo.org.people)
            if self.repo.org.company:
                owners.append(self.repo.org.company.id)
            close = difflib.get_close_matches(ref.owner, owners, n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            return f"'{ref.owner}' is not a team or person in org.yaml{hint}"
        return f"{ref.owner} has no objectives in {cycle}"

    # ------------------------------------------------------------ queries

    def parents(self, key: str) -> list[str]:
        return list(self.vertical.successors(key))

    def children(self, key: str) -> list[str]:
        return list(self.vertical.predecessors(key))

    def dependencies(self, key: str) -> list[str]:
        return list(self.lateral.successors(key))

    def dependents(self, key: str) -> list[str]:
        return list(self.lateral.predecessors(key))

    def descendants(self, key: str) -> set[str]:
        """Every objective that aligns to `key`, directly or through others."""
        return nx.ancestors(self.vertical, key)

    def is_acyclic(self) -> bool:
        return nx.is_directed_acyclic_graph(self.vertical)

    def cycles(self) -> Iterator[list[str]]:
        """One loop of `aligns` per strongly connected group (only searched when there is one)."""
        if self.is_acyclic():
            return
        for group in nx.strongly_connected_components(self.vertical):
            if len(group) == 1:
                node = next(iter(group))
                if not self.vertical.has_edge(node, node):
                    continue
                yield [node]
                continue
            sub = self.vertical.subgraph(group)
            start = min(group)
            yield [u for u, _v in nx.find_cycle(sub, source=start)]

    def reaching(self, roots: set[str]) -> set[str]:
        """The objectives from which following `aligns` reaches one of `roots` (roots included)."""
        seen = set(roots)
        queue = deque(roots)
        pred = self.vertical.pred
        while queue:
            for child in pred[queue.popleft()]:
                if child not in seen:
                    seen.add(child)
                    queue.append(child)
        return seen
