"""`okr diff` as text, Markdown (a pull-request comment or $GITHUB_STEP_SUMMARY), JSON and
GitHub workflow commands. Renderers only format the `DiffReport`; they compute nothing.

User text (titles, reasons, names, revisions) is escaped for each target: control
characters made visible everywhere; in Markdown, `|`, `<`, `&`, backticks and the
other inline markup characters are escaped and `@` can no longer start a mention;
in workflow commands, as @actions/core escapes (`%`, CR, LF; also `:` and `,` in
properties), so nothing a title holds can start a table row, an HTML comment, a
mention or a workflow command.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..reports.diff import KINDS, Change, DiffReport, ObjectiveDiff
from .escape import github_data, github_property
from .escape import markdown as md
from .escape import text as visible
from .findings import ci_path

MAX_IMPACT_SHOWN = 20  # per changed objective, in text and Markdown (JSON has all)
MAX_OWNERS_SHOWN = 50

_WORDS = {
    "added": "added", "removed": "removed", "retitled": "retitled", "realigned": "re-aligned",
    "depends-changed": "depends_on changed", "made-committed": "made committed",
    "made-aspirational": "made aspirational", "made-private": "made private", "made-public": "made public",
    "standalone-added": "made standalone", "standalone-removed": "no longer standalone",
    "kr-added": "key result added", "kr-removed": "key result removed", "kr-retitled": "key result retitled",
    "target-moved": "target moved", "start-moved": "start moved", "kr-reweighted": "weight changed",
    "progress": "progress",
}


def _num(value: object) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _short(ref: str, cycle: str) -> str:
    return ref[len(cycle) + 1:] if ref.startswith(cycle + ":") else ref


def describe(obj: ObjectiveDiff, c: Change, esc: Callable[[str], str], cycle_start: str | None = None) -> str:
    """One change in words, user text passed through `esc`."""
    word = _WORDS[c.kind]
    if obj.hidden:
        what = f"{c.kr} {word}" if c.kr else word
        return what + (" (goalpost moved)" if c.goalpost else "")

    def quoted(text: object) -> str:
        return f'"{esc(str(text))}"'

    def refs(items: object) -> str:
        return ", ".join(esc(_short(r, obj.cycle)) for r in items) if items else "(none)"

    k = c.kind
    if k in ("added", "removed", "made-committed", "made-aspirational", "made-private", "made-public",
             "standalone-removed"):
        text = word
    elif k == "retitled":
        text = f"retitled: {quoted(c.before)} → {quoted(c.after)}"
    elif k in ("realigned", "depends-changed"):
        text = f"{word}: {refs(c.before)} → {refs(c.after)}"
    elif k == "standalone-added":
        text = f"made standalone: {quoted(c.after)}"
    elif k == "kr-added":
        text = f"{esc(c.kr)} added: {quoted(c.after)}"
    elif k == "kr-removed":
        text = f"{esc(c.kr)} removed: {quoted(c.before)}"
    elif k == "kr-retitled":
        text = f"{esc(c.kr)} retitled: {quoted(c.before)} → {quoted(c.after)}"
    elif k == "target-moved" and c.field == "kind":
        text = f"{esc(c.kr)} changed from {c.before} to {c.after}"
    else:
        name = c.field if c.kr is None else f"{esc(c.kr)} {c.field}"
        text = f"{name} {esc(_num(c.before))} → {esc(_num(c.after))}"
    if c.goalpost:
        text += " · goalpost moved after the cycle started" + (f" ({cycle_start})" if cycle_start else "")
    return text


def _cycle_start(cycle: str) -> str | None:
    from ..cycles import parse_cycle

    parsed = parse_cycle(cycle)
    return parsed.start.isoformat() if parsed else None


def _title(obj: ObjectiveDiff, esc: Callable[[str], str]) -> str:
    return "private objective" if obj.hidden else esc(obj.title or "")


def _range(report: DiffReport, esc: Callable[[str], str]) -> tuple[str, str]:
    def side(s) -> str:
        if s.sha is None:
            return f"working tree ({s.date.isoformat()})"
        return f"{esc(s.label)} ({s.sha[:12]}, {s.date.isoformat()})"

    return side(report.base), side(report.head)


def _files(report: DiffReport) -> str:
    n = report.files_changed
    text = "1 file differs" if n == 1 else f"{n} files differ"
    if report.progress_left_out:
        text += f"; {report.progress_left_out} progress change{'s' * (report.progress_left_out != 1)} " \
                "left out, --progress shows them"
    return text


def _summary(report: DiffReport) -> str:
    n = len(report.objectives)
    if not n:
        return "no OKR changes"
    counts = report.kind_counts()
    parts = [f"{n} objective{'s' * (n != 1)} changed"]
    for name in ("added", "removed", "removed-aligned", "goalpost"):
        if counts.get(name):
            label = {"removed-aligned": "removed with objectives aligned to them",
                     "goalpost": "goalposts moved" if counts[name] != 1 else "goalpost moved"}.get(name, name)
            parts.append(f"{counts[name]} {label}")
    owners = len(report.realign)
    if owners:
        parts.append(f"{owners} owner{'s' * (owners != 1)} must re-align")
    return ", ".join(parts)


# ------------------------------------------------------------------ text

def text_lines(report: DiffReport) -> list[list[tuple[str, str]]]:
    """Lines of (text, style) segments, for rich on a terminal or plain text."""
    esc = visible
    base, head = _range(report, esc)
    lines: list[list[tuple[str, str]]] = [[("okr diff ", "bold"), (f"{base} → {head}", "")]]
    for note in report.notes:
        lines.append([("note: ", "yellow"), (esc(note), "")])
    for obj in report.objectives:
        lines.append([])
        kinds = set(obj.kinds)
        style = "green" if kinds == {"added"} else "red" if "removed" in kinds else "bold"
        lines.append([(obj.ref, style), ("  ", ""), (_title(obj, esc), "dim italic" if obj.hidden else "")])
        start = _cycle_start(obj.cycle)
        for c in obj.changes:
            mark = "⚠ " if c.goalpost else "  "
            lines.append([("  ", ""), (mark, "yellow"), (describe(obj, c, esc, start),
                                                         "yellow" if c.goalpost else "")])
        direct, affected = obj.direct, obj.affected
        if direct:
            owners = obj.impact_owners
            lines.append([("    must re-align: ", "bold"),
                          ((f"{len(direct)} objective{'s' * (len(direct) != 1)} of "
                           f"{len(owners)} owner{'s' * (len(owners) != 1)}"), "")])
        if affected:
            lines.append([("    affected through them: ", "bold"),
                          (f"{len(affected)} objective{'s' * (len(affected) != 1)} further down", "")])
        for i in (direct + affected)[:MAX_IMPACT_SHOWN]:
            how = "depends on it" if i.via == "depends_on" else \
                "aligned to it" if i.direct else f"affected through {i.through}"
            title = "private objective" if i.title is None else esc(i.title)
            lines.append([("      ", ""), (i.ref, ""), ("  ", ""), (title, "dim italic" if i.title is None else ""),
                          (f"  ({esc(i.owner)}, {how})", "dim")])
        if len(obj.impact) > MAX_IMPACT_SHOWN:
            lines.append([(f"      … and {len(obj.impact) - MAX_IMPACT_SHOWN} more (--format json lists all)",
                           "dim")])
    lines.append([])
    lines.append([(_summary(report), "bold"),
                  (f" ({_files(report)})", "dim")])
    return lines


# ------------------------------------------------------------------ markdown

def render_markdown(report: DiffReport) -> str:
    base, head = _range(report, md)
    out = [f"### OKR changes: {base} → {head}", ""]
    out.append(f"**{md(_summary(report))}** ({_files(report)})")
    out.append("")
    for note in report.notes:
        out += [f"> {md(note)}", ""]
    if report.objectives:
        out += ["| Objective | Changes | Must re-align |", "| --- | --- | --- |"]
        for obj in report.objectives:
            start = _cycle_start(obj.cycle)
            changes = "<br>".join(("⚠️ " if c.goalpost else "") + describe(obj, c, md, start) for c in obj.changes)
            who = ""
            if obj.direct:
                owners = obj.impact_owners
                shown = ", ".join(md(o) for o in owners[:10]) + (f" and {len(owners) - 10} more" if len(owners) > 10 else "")
                who = f"{len(obj.direct)} objective{'s' * (len(obj.direct) != 1)}: {shown}"
            if obj.affected:
                deeper = sorted({i.owner for i in obj.affected})
                who += ("<br>" if who else "") + f"affected through them: {', '.join(md(o) for o in deeper[:10])}" \
                    + (f" and {len(deeper) - 10} more" if len(deeper) > 10 else "")
            out.append(f"| **{md(obj.ref)}** {_title(obj, md)} | {changes} | {who} |")
        out.append("")
    if report.realign:
        out += ["#### Who must re-align", "", "| Owner | Their objectives | Because of |", "| --- | --- | --- |"]
        for r in report.realign[:MAX_OWNERS_SHOWN]:
            name = md(r.owner) + (f" ({md(r.name)})" if r.name else "")
            objs = r.objectives[:5]
            theirs = "<br>".join(f"{md(i.ref)} " + ("private objective" if i.title is None else md(i.title))
                                 for i in objs)
            if len(r.objectives) > len(objs):
                theirs += f"<br>… and {len(r.objectives) - len(objs)} more"
            out.append(f"| {name} | {theirs} | {', '.join(md(c) for c in r.because_of[:10])}"
                       f"{' …' if len(r.because_of) > 10 else ''} |")
        if len(report.realign) > MAX_OWNERS_SHOWN:
            out += ["", (f"… and {len(report.realign) - MAX_OWNERS_SHOWN} more owners "
                        "(`okr diff --format json` lists all).")]
        out.append("")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------ json

def render_json(report: DiffReport) -> str:
    from .json import dumps

    return dumps(report)


# ------------------------------------------------------------------ github

def render_github(report: DiffReport, root: Path, fail_on: list[str]) -> str:
    """One workflow command per change: ::error for what --fail-on names, else ::warning or ::notice."""
    out = []
    for obj in report.objectives:
        start = _cycle_start(obj.cycle)
        impact = ""
        if obj.direct:
            owners = obj.impact_owners
            impact = (f" · {len(obj.direct)} objective{'s' * (len(obj.direct) != 1)} of "
                      f"{len(owners)} owner{'s' * (len(owners) != 1)} must re-align: {', '.join(owners[:10])}"
                      + (" …" if len(owners) > 10 else ""))
        title = "" if obj.hidden else f" ({obj.title})"
        for c in obj.changes:
            if any(obj.matches(n, c) for n in fail_on):
                level = "error"
            else:
                level = "warning" if c.goalpost else KINDS[c.kind][0]
            props = [f"file={github_property(ci_path(root, obj.path, outside_git='cwd'))}"]
            if c.line or obj.line:
                props.append(f"line={c.line or obj.line}")
            name = "goalpost" if c.goalpost else c.kind
            props.append(f"title={github_property(f'okr diff: {name}')}")
            message = f"{obj.ref}{title}: {describe(obj, c, str, start)}{impact}"
            out.append(f"::{level} {','.join(props)}::{github_data(message)}\n")
    return "".join(out)
