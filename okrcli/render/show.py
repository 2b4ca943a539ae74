"""`okr show` as text and JSON."""

from __future__ import annotations

from ..reports.show import KeyResultDetail, Neighbour, ObjectiveDetail
from ..reports.views import KRView, ObjectiveView
from .numbers import score as two_places
from .styled import (
    STATUS_STYLES,
    STATUS_WORDS,
    UNKNOWN,
    Line,
    incomplete_note,
    measure,
    num,
    score_segments,
    short_ref,
    user,
)


def to_json(detail: ObjectiveDetail | KeyResultDetail) -> str:
    from .json import dumps

    return dumps(detail)


def _status_line(label: str, score: float | None, band: str | None, status: str | None,
                 extra: str = "") -> Line:
    return [(f"  {label:<10}", "dim"), *score_segments(score, band, status), (extra, "dim")]


def _neighbour_lines(title: str, items: list[Neighbour], cycle: str, empty: str,
                     via: str = "drives") -> list[Line]:
    lines: list[Line] = [[], [(title, "bold")]]
    if not items:
        lines.append([(f"  {empty}", "dim")])
    for n in items:
        ref = short_ref(n.ref, cycle)
        if n.private:
            lines.append([("  ", ""), (ref, "bold"), ("  private objective", "dim italic")])
        elif n.missing:
            lines.append([("  ", ""), (ref, "bold"), ("  names nothing (okr check: align-dangling)", "red")])
        else:
            word = STATUS_WORDS.get(n.status or "", UNKNOWN)
            lines.append([("  ", ""), (ref, "bold"), (f"  {two_places(n.score)} ", ""),
                          (f"{word:<9}", STATUS_STYLES.get(n.status or "", "")), ("  ", ""),
                          (user(n.title), ""), (f"  · {via} {n.via_kr}" if n.via_kr and via else "", "dim")])
    return lines


def _kr_row(k: KRView) -> Line:
    extra = [f"({measure(k)})"]
    if k.confidence is not None:
        extra.append(f"confidence {num(k.confidence)}")
    if k.weight != 1:
        extra.append(f"weight {num(k.weight)}")
    if k.graded:
        extra.append("graded")
    return [("  ", ""), (f"{k.id}  ", "bold"), *score_segments(k.score, k.band, k.status), ("  ", ""),
            (user(k.title), ""), ("  " + " · ".join(extra), "dim")]


def _objective_head(v: ObjectiveView) -> list[Line]:
    kind = f" ({v.owner_kind})" if v.owner_kind else ""
    facts = [f"cycle {v.cycle}", f"owner {v.owner}{kind}", "committed" if v.committed else "aspirational"]
    if v.private:
        facts.append("private")
    lines: list[Line] = [[(short_ref(v.ref, v.cycle), "bold"), ("  ", ""), (user(v.title), "bold")],
                         [("  " + " · ".join(facts), "dim")],
                         _status_line("score", v.score, v.band, v.status,
                                      incomplete_note(v) if v.incomplete else
                                      "  (review score)" if v.review_score is not None else "")]
    if v.standalone:
        lines.append([("  standalone: ", "dim"), (user(v.standalone), "")])
    if v.description:
        lines.append([("  ", ""), (user(v.description), "italic")])
    if v.review_notes:
        lines.append([("  review: ", "dim"), (user(v.review_notes), "")])
    return lines


def text_lines(detail: ObjectiveDetail | KeyResultDetail) -> list[Line]:
    if isinstance(detail, ObjectiveDetail):
        v = detail.objective
        lines = _objective_head(v)
        lines += [[], [("Key results", "bold")]]
        lines += [_kr_row(k) for k in v.key_results] or [[("  none (okr check: no-key-results)", "red")]]
        lines += _neighbour_lines("Aligns to", detail.parents, v.cycle,
                                  "nothing" + ("" if v.owner_kind == "company" or v.standalone else " (unaligned)"))
        lines += _neighbour_lines("Aligned from", detail.children, v.cycle, "nothing aligns to it yet")
        lines += _neighbour_lines("Depends on", detail.dependencies, v.cycle, "nothing")
        lines += _neighbour_lines("Needed by", detail.dependents, v.cycle, "nothing depends on it", "needs")
        return lines
    k, v = detail.key_result, detail.objective
    extra = [k.kind, measure(k), f"progress {two_places(k.progress)}"]
    if k.confidence is not None:
        extra.append(f"confidence {num(k.confidence)}")
    extra.append(f"weight {num(k.weight)}")
    lines = [[(short_ref(k.ref, v.cycle), "bold"), ("  ", ""), (user(k.title), "bold")],
             [("  " + " · ".join(extra), "dim")],
             _status_line("score", k.score, k.band, k.status, "  (graded)" if k.graded else "")]
    lines += _neighbour_lines("Objective", [Neighbour(v.ref, v.title, v.score, v.status)], v.cycle, "")
    lines += _neighbour_lines("Driven by", detail.children, v.cycle, "no objective aligns to this key result", "")
    lines += _neighbour_lines("Needed by", detail.dependents, v.cycle, "nothing depends on it", "")
    lines += _checkin_lines(detail, k.unit)
    return lines


def _checkin_lines(detail: KeyResultDetail, unit: str | None) -> list[Line]:
    """`Last check-ins`: date, author, value (from the previous), confidence, note, links."""
    if not detail.checkins_asked:  # --checkins 0
        return []
    if detail.checkins is None:
        return [[], [("Last check-ins", "bold")], [("  none: not in a git repository", "dim")]]
    shown, total = detail.checkins, detail.checkins_total
    title = "Last check-ins" + (f" ({len(shown)} of {total})" if len(shown) < total else "")
    lines: list[Line] = [[], [(title, "bold")]]
    if not total:
        lines.append([("  none yet (okr checkin records one)", "dim")])
    for c in shown:
        value = _value(c.value, c.unit or unit)
        if c.previous is not None and c.previous != c.value:
            value = f"{_value(c.previous, None)} -> {value}"
        row: Line = [(f"  {c.date.date().isoformat()}  ", "dim"), (user(c.author_name), "bold"),
                     ("  ", ""), (value, "")]
        if c.confidence is not None:
            row.append((f"  confidence {num(c.confidence)}", "dim"))
        if c.kind == "edit":
            row.append(("  (edit)", "dim"))
        lines.append(row)
        for text in c.note.splitlines() if c.note else ():
            if text.strip():
                lines.append([("      ", ""), (user(text), "italic")])
        lines += [[("      ", ""), (user(link), "dim underline")] for link in c.links]
    return lines


def _value(value: object, unit: str | None) -> str:
    if type(value) is bool:
        return "done" if value else "not done"
    text = num(value) if isinstance(value, (int, float)) else user(str(value))
    return f"{text} {user(unit)}" if unit else text
