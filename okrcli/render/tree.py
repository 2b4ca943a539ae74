"""`okr tree` as text, JSON, Mermaid and Graphviz dot.

Text is built line by line with plain string operations (a huge tree is tens
of thousands of lines; rich's Tree costs ~0.1 ms a node), then printed plain or
coloured. JSON nests children and is written iteratively, one node per line,
so a deep chain of alignments cannot hit the recursion limit. Mermaid and dot
draw the network itself: every objective once, an edge per alignment.
"""

from __future__ import annotations

from ..reports.tree import Tree, TreeNode
from .escape import dot, mermaid
from .json import compact as dumps
from .json import plain
from .numbers import score as two_places
from .styled import UNKNOWN, Line, incomplete_note, measure, score_segments, short_ref, user

SECTIONS = (("roots", None), ("standalone", "Standalone (bottom-up, not aligned on purpose)"),
            ("unaligned", "Unaligned (aligned to nothing; okr check reports these)"))


# ------------------------------------------------------------------ text

def _node_line(node: TreeNode, tree: Tree, head: str) -> Line:
    ref = short_ref(node.ref, tree.cycle)
    v = node.objective
    if v is None:
        return [(head, "dim"), (ref, "bold"), ("  private objective", "dim italic")]
    line: Line = [(head, "dim"), (ref, "dim" if node.context else "bold"), ("  ", ""),
                  *score_segments(v.score, v.band, v.status), ("  ", ""), (user(v.title), "dim" if node.context else "")]
    marks = []
    if node.via_kr and not tree.krs:
        marks.append(f"drives {node.via_kr}")
    if not tree.krs:
        marks.extend(f"{k.id} {k.derived_text}" for k in v.key_results if k.derived is not None)
    if v.committed:
        marks.append("committed")
    if v.standalone and not node.also_under and node.via_kr is None:
        marks.append(f"standalone: {user(v.standalone)}")
    if marks:
        line.append(("  · " + " · ".join(marks), "dim"))
    if node.also_under:
        line.append((f"  ↑ also under {', '.join(short_ref(p, tree.cycle) for p in node.also_under)}", "cyan"))
    if node.repeated:
        line.append((f"  ↓ see under {short_ref(node.first_under or '', tree.cycle)}", "dim"))
    if v.depends_on:
        line.append((f"  ⇢ depends on {', '.join(short_ref(d, tree.cycle) for d in v.depends_on)}", "magenta"))
    if v.incomplete:
        line.append((incomplete_note(v), "yellow"))
    return line


def _kr_line(kr, head: str) -> Line:
    return [(head, "dim"), (kr.id, "bold"), ("  ", ""), *score_segments(kr.score, kr.band, kr.status),
            ("  ", ""), (user(kr.title), ""), (f"  ({measure(kr)})", "dim")]


def _items(item: tuple, tree: Tree) -> list[tuple]:
    """What is drawn below an item: KRs (with --krs), aligned objectives, a `--depth` note."""
    if item[0] == "kr":
        return [("node", n) for n in item[2]]
    if item[0] != "node":
        return []
    node: TreeNode = item[1]
    out: list[tuple] = []
    children = node.children
    if tree.krs and node.objective is not None:
        ids = {k.id for k in node.objective.key_results}
        out = [("kr", k, [c for c in children if c.via_kr == k.id]) for k in node.objective.key_results]
        if node.context:  # shown for orientation: only the key results something here drives
            out = [item for item in out if item[2]]
        children = [c for c in children if c.via_kr not in ids]
    out.extend(("node", c) for c in children)
    if node.hidden_children:
        n = node.hidden_children
        out.append(("more", f"… {n} more aligned objective{'s' * (n != 1)} (raise --depth)"))
    return out


def _section_lines(tops: list[TreeNode], tree: Tree) -> list[Line]:
    lines: list[Line] = []
    stack: list[tuple[tuple, str, bool | None]] = [(("node", n), "", None) for n in reversed(tops)]
    while stack:
        item, prefix, last = stack.pop()
        if last is None:
            head, below = "", ""
        else:
            head, below = prefix + ("└── " if last else "├── "), prefix + ("    " if last else "│   ")
        if item[0] == "node":
            lines.append(_node_line(item[1], tree, head))
        elif item[0] == "kr":
            lines.append(_kr_line(item[1], head))
        else:
            lines.append([(head, "dim"), (item[1], "dim")])
        sub = _items(item, tree)
        stack.extend((s, below, i == len(sub) - 1) for i, s in reversed(list(enumerate(sub))))
    return lines


def text_lines(tree: Tree) -> list[Line]:
    where = f"below {tree.root}" if tree.root else tree.cycle
    lines: list[Line] = [[(f"{where} · as of {tree.as_of.isoformat()}", "bold")]]
    shown = False
    for name, title in SECTIONS:
        tops = getattr(tree, name)
        if not tops:
            continue
        lines.append([])
        if title:
            lines.append([(title, "bold")])
        lines.extend(_section_lines(tops, tree))
        shown = True
    if not shown:
        lines.append([("no objectives to show", "dim")])
    return lines


# ------------------------------------------------------------------ json

def _node_dict(node: TreeNode, tree: Tree) -> dict:
    v = node.objective
    if v is None:
        d = {"ref": node.ref, "private": True, "title": None, "score": None, "band": None, "status": None}
    else:
        d = plain(v)  # its key results last, when the view shows them
        if not tree.krs:
            del d["key_results"]
    d.update(via_kr=node.via_kr, also_under=list(node.also_under), context=node.context,
             repeated=node.repeated, first_under=node.first_under, hidden_children=node.hidden_children)
    return d


def to_json(tree: Tree) -> str:
    head = {"cycle": tree.cycle, "root": tree.root, "as_of": tree.as_of.isoformat(), "krs": tree.krs,
            "links": [{"from": a, "to": b} for a, b in tree.links]}
    parts = [dumps(head)[:-1]]
    for n, (name, _title) in enumerate(SECTIONS):
        key = "tree" if name == "roots" else name
        parts.append(f', "{key}": [')
        stack: list = [(t, i == 0) for i, t in reversed(list(enumerate(getattr(tree, name))))]
        while stack:
            top, first = stack.pop()
            if first is None:
                parts.append(top)
                continue
            d = _node_dict(top, tree)
            parts.append(("\n" if first else ",\n") + dumps(d)[:-1] + ', "children": [')
            stack.append(("]}", None))
            stack.extend((c, i == 0) for i, c in reversed(list(enumerate(top.children))))
        parts.append("]")
    parts.append("}\n")
    return "".join(parts)


# ------------------------------------------------------------------ mermaid and dot

_FILL = {"green": "#d3f9d8", "yellow": "#fff3bf", "red": "#ffe3e3", "private": "#eeeeee"}
_STROKE = {"green": "#2b8a3e", "yellow": "#e67700", "red": "#c92a2a", "private": "#868e96"}


def _graph(tree: Tree):
    """Each objective once (in display order), its label lines and class, and the alignment edges."""
    ids: dict[str, str] = {}
    labels: dict[str, tuple[list[str], str]] = {}
    edges: dict[tuple[str, str], str | None] = {}
    for node in tree.nodes():
        if node.ref not in ids:
            ids[node.ref] = f"n{len(ids)}"
            v = node.objective
            ref = short_ref(node.ref, tree.cycle)
            if v is None:
                labels[node.ref] = ([ref, "private objective"], "private")
            else:
                lines = [ref, user(v.title), f"{two_places(v.score)} · {(v.status or UNKNOWN).replace('_', ' ')}"]
                if tree.krs:
                    lines += [f"{k.id} {two_places(k.score)} · {user(k.title)}" for k in v.key_results]
                labels[node.ref] = (lines, v.band or "private")  # unknown score: grey, like a private one
        for child in node.children:
            edges.setdefault((node.ref, child.ref), child.via_kr)
    links = [(a, b) for a, b in tree.links if a in ids and b in ids]
    return ids, labels, edges, links


def to_mermaid(tree: Tree) -> str:
    ids, labels, edges, links = _graph(tree)
    out = ["flowchart TB"]
    for ref, nid in ids.items():
        lines, cls = labels[ref]
        out.append(f'  {nid}["{"<br/>".join(mermaid(line) for line in lines)}"]:::{cls}')
    for (a, b), kr in edges.items():
        out.append(f"  {ids[a]} -->{f'|{kr}|' if kr else ''} {ids[b]}")
    for a, b in links:
        out.append(f"  {ids[a]} -.->|depends on| {ids[b]}")
    for cls in ("green", "yellow", "red", "private"):
        out.append(f"  classDef {cls} fill:{_FILL[cls]},stroke:{_STROKE[cls]},color:#212529")
    return "\n".join(out) + "\n"


def to_dot(tree: Tree) -> str:
    ids, labels, edges, links = _graph(tree)
    out = ["digraph okr {", "  rankdir=TB;",
           '  node [shape=box, style="rounded,filled", fontname="Helvetica"];']
    for ref, nid in ids.items():
        lines, cls = labels[ref]
        label = "\\n".join(dot(line) for line in lines)
        out.append(f'  {nid} [label="{label}", fillcolor="{_FILL[cls]}", color="{_STROKE[cls]}"];')
    for (a, b), kr in edges.items():
        attrs = f' [label="{kr}"]' if kr else ""
        out.append(f"  {ids[a]} -> {ids[b]}{attrs};")
    for a, b in links:
        out.append(f'  {ids[a]} -> {ids[b]} [style=dashed, label="depends on", constraint=false];')
    out.append("}")
    return "\n".join(out) + "\n"
