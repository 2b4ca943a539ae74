"""`okr tree` as plain data: the alignment tree of a cycle, or below one objective."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from ..model import Repository
from ..network import AlignmentNetwork
from .spec import ReportSpec
from .views import (
    KIND_RANK,
    ObjectiveView,
    Scorer,
    _natural,
)

# ------------------------------------------------------------------ okr tree

@dataclass(slots=True)
class TreeNode:
    """One appearance of an objective in the tree."""

    ref: str  # the objective's key
    objective: ObjectiveView | None  # None: a private objective shown without title or score
    via_kr: str | None = None  # the parent's key result this objective drives
    also_under: tuple[str, ...] = ()  # its other parents shown in this tree (keys)
    repeated: bool = False  # its children are shown where it first appears
    first_under: str | None = None  # where it first appears, when repeated
    context: bool = False  # outside the selection, shown to connect it to the top
    hidden_children: int = 0  # children cut off by --depth
    children: list[TreeNode] = field(default_factory=list)

    @property
    def private(self) -> bool:
        return self.objective is None


@dataclass
class Tree:
    cycle: str  # the cycle shown (the root's when rooted at a reference)
    as_of: date
    root: str | None  # the reference the tree starts from, if any
    roots: list[TreeNode]  # company objectives (and their parents in enclosing cycles) at the top
    standalone: list[TreeNode]  # objectives marked standalone, with what aligns to them
    unaligned: list[TreeNode]  # objectives aligned to nothing (or only to a loop)
    links: list[tuple[str, str]]  # depends_on edges between shown objectives (from, to)
    krs: bool  # key results are part of the view

    def nodes(self) -> Iterable[TreeNode]:
        """Every appearance, depth first, in display order."""
        stack = list(reversed(self.roots + self.standalone + self.unaligned))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))


class _TreeBuilder:
    """What one tree shows (the selection, its ancestors) and the order it lists objectives in."""

    def __init__(self, repo: Repository, network: AlignmentNetwork, scorer: Scorer, spec: ReportSpec):
        self.objs, self.network, self.scorer, self.spec = repo.objectives, network, scorer, spec
        self.kind = repo.org.kind
        root, up = spec.root, network.up
        base = network.reaching({root}) if root is not None else {
            k for k, o in self.objs.items() if o.cycle == spec.cycle}
        self.selected = {k for k in base if self.shown(k) and (spec.owners is None or self.objs[k].owner in spec.owners)}
        display = set(self.selected)
        stack = list(self.selected)
        while stack:  # ancestors, for context and private placeholders
            for parent in up[stack.pop()]:
                if parent not in display and (root is None or parent in base):
                    display.add(parent)
                    stack.append(parent)
        if root is not None and root not in display and self.shown(root):
            display.add(root)
        self.display = display
        self._cycles: dict[str, tuple] = {}
        self.first_under: dict[str, str | None] = {}

    def shown(self, key: str) -> bool:
        return self.spec.include_private or not self.objs[key].private

    def order(self, key: str) -> tuple:
        o = self.objs[key]
        c = self._cycles.get(o.cycle)
        if c is None:
            parsed = self.scorer.cycle(o.cycle)
            c = self._cycles[o.cycle] = (parsed.start, -parsed.days if parsed.kind != "unknown" else 0)
        return (*c, KIND_RANK.get(self.kind(o.owner), 3), o.owner, _natural(o.id))

    def make(self, key: str, parent: str | None) -> TreeNode:
        view = self.scorer.view(self.objs[key]) if self.shown(key) else None
        parents = [p for p in self.network.up[key] if p in self.display]
        return TreeNode(
            ref=key, objective=view,
            via_kr=self.network.down[parent][key].ref.kr if parent is not None else None,
            also_under=tuple(p for p in parents if p != parent),
            context=key not in self.selected and view is not None,
        )

    def tops(self) -> dict[str, list[TreeNode]]:
        """The objectives with no parent shown, in their sections: roots, standalone, unaligned."""
        up = self.network.up
        sections: dict[str, list[TreeNode]] = {"roots": [], "standalone": [], "unaligned": []}
        for key in sorted((k for k in self.display if not any(p in self.display for p in up[k])), key=self.order):
            o = self.objs[key]
            if self.spec.root is not None or up[key] or self.kind(o.owner) == "company":
                section = "roots"
            elif o.standalone:
                section = "standalone"
            else:
                section = "unaligned"
            sections[section].append(self.make(key, None))
        return sections

    def grow(self, top: TreeNode) -> None:
        """The children under `top`, depth first; a repeated objective's children only where it first appears."""
        down, depth, first_under = self.network.down, self.spec.depth, self.first_under
        work = [(top, 1, None)]
        while work:
            node, level, parent = work.pop()
            kids = [c for c in down[node.ref] if c in self.display]
            if node.ref in first_under:
                node.repeated = bool(kids)
                node.first_under = first_under[node.ref]
                continue
            first_under[node.ref] = parent
            if not kids:
                continue
            if depth is not None and level >= depth:
                node.hidden_children = len(kids)
                continue
            kids.sort(key=self.order)
            node.children = [self.make(k, node.ref) for k in kids]
            work.extend((child, level + 1, node.ref) for child in reversed(node.children))

    def loops(self, unaligned: list[TreeNode]) -> None:
        """Objectives in loops of `aligns` that reach no top (align-cycle): added as unaligned tops."""
        down, display = self.network.down, self.display
        reached: set[str] = set()

        def spread(keys: Iterable[str]) -> None:
            frontier = [k for k in keys if k not in reached]
            reached.update(frontier)
            while frontier:
                for child in down[frontier.pop()]:
                    if child in display and child not in reached:
                        reached.add(child)
                        frontier.append(child)

        spread(self.first_under)  # including what --depth cut off below the tops
        for key in sorted(display - reached, key=self.order):
            if key not in reached:
                node = self.make(key, None)
                unaligned.append(node)
                self.grow(node)
                spread([key])


def build_tree(repo: Repository, network: AlignmentNetwork, scorer: Scorer, spec: ReportSpec) -> Tree:
    """The alignment tree of `spec.cycle` (or below the objective `spec.root`, across cycles).

    With `spec.owners`, only their objectives are selected; the objectives they align
    to are added as context so the tree still reads from the company down. An
    objective with several parents appears under each; its children are listed
    at its first appearance only."""
    b = _TreeBuilder(repo, network, scorer, spec)
    sections = b.tops()
    for section in ("roots", "standalone", "unaligned"):
        for top in sections[section]:
            b.grow(top)
    b.loops(sections["unaligned"])
    links = sorted((a, t) for a in b.display if b.shown(a) for t in network.out[a] if t in b.display)
    root = spec.root
    return Tree(cycle=spec.cycle if root is None else repo.objectives[root].cycle, as_of=scorer.today, root=root,
                roots=sections["roots"], standalone=sections["standalone"],
                unaligned=sections["unaligned"], links=links, krs=spec.krs)
