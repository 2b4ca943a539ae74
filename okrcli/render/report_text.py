"""`okr report` and `okr review` for the terminal: styled lines (plain when not a TTY).

Lines are built with plain string operations and printed through rich only on a
colour terminal (`commands.output.lines`), never as rich markup: a 10,000-person
review is tens of thousands of lines, and rich tables cost ~0.6 ms a row. User
text goes through `user()`, which shows control and bidi characters as escapes.
"""

from __future__ import annotations

from ..reports.followup import FollowUp, Movement, TeamFollowUp
from ..reports.review import SPARKLINE, Review, ReviewedObjective, Rollup
from .numbers import score as two_places
from .report_words import (
    BAND_WORDS,
    VERDICTS,
    change_text,
    confidence_text,
    incomplete_text,
    left_out_text,
    milestone_why,
    moved_value,
    movement_text,
    plural,
    score_text,
    short,
    sparkline,
    status_word,
    value_text,
)
from .styled import BAND_STYLES, STATUS_STYLES, Line, bar, user

RULE = "─"
_INDENT = ("      ", "")
_GAP = ("  ", "")


def _heading(text: str) -> list[Line]:
    return [[], [(text, "bold")]]


def _section_title(name: str, team: str, kind: str) -> Line:
    label = user(name) if kind == "none" or name == team else f"{user(name)} ({team})"
    return [(f"{RULE * 2} {label} ", "bold cyan"), (RULE * max(2, 60 - len(label)), "dim")]


# ====================================================================== follow-up

def _summary(r: FollowUp) -> str:
    t = r.totals
    parts = [f"{plural(t.moved, 'key result')} moved ({plural(t.checkins, 'check-in')})"]
    if r.history:
        parts.append(f"{plural(t.owed, 'key result')} {'owes' if t.owed == 1 else 'owe'} a check-in")
    parts.append(f"{t.off_track} off track, {t.at_risk} at risk")
    if r.history:
        parts.append(f"objectives: {t.added} added, {t.changed} changed, {t.removed} removed")
    return " · ".join(parts)


def _moved_lines(m: Movement, cycle: str) -> list[Line]:
    """A key result that moved, then one line per check-in and work commit (the unstyled pieces
    of a line are joined: they print the same)."""
    head = "  " + user(m.title) + "  "
    line: Line = [_GAP, (short(m.ref, cycle), "bold")]
    if m.recent:
        line += [(head, ""), (sparkline(m.recent), BAND_STYLES.get("green")), ("  " + user(movement_text(m)), "")]
    else:
        line.append((head + user(movement_text(m)), ""))
    conf = confidence_text(m)
    if conf:
        drop = m.confidence is not None and m.confidence_before is not None and m.confidence < m.confidence_before
        line += [_GAP, (conf, "red" if drop else "dim")]
    line += [_GAP, (status_word(m.status), STATUS_STYLES.get(m.status, ""))]
    out = [line]
    for c in m.checkins:
        text: Line = [_INDENT, (c.date.date().isoformat(), "dim"), _GAP, (user(c.author), "cyan"),
                      ("  " + user(moved_value(m, c.value)), "")]
        if c.kind == "edit":
            text.append(("  (edited by hand)", "dim"))
        if c.confidence is not None:
            text.append((f"  confidence {value_text(c.confidence)}", "dim"))
        if c.note:
            text += [_GAP, (f"“{user(c.note)}”", "italic")]
        out.append(text)
        for link in c.links:
            out.append([("        ↳ ", "dim"), (user(link), "blue")])
    for w in m.work:
        out.append([_INDENT, (w.date.date().isoformat(), "dim"), _GAP, (user(w.author), "cyan"),
                    ("  work ", "dim"), (w.commit[:7], "yellow"), ("  " + user(w.subject), "")])
    return out


def _team_lines(team: TeamFollowUp, r: FollowUp) -> list[Line]:
    cycle = r.cycle
    lines: list[Line] = [[], _section_title(team.name, team.team, team.kind)]
    if team.moved:
        lines.append([("Moved", "bold")])
        for m in team.moved:
            lines.extend(_moved_lines(m, cycle))
    if team.owed:
        lines.append([(f"Owe a check-in (none within {r.checkin_every} days)", "bold")])
        for o in team.owed:
            last = o.last_checkin.isoformat() if o.last_checkin else "never"
            late = f"{plural(o.days_overdue, 'day')} overdue" if o.days_overdue else "due today"
            lines.append([_GAP, (short(o.ref, cycle), "bold"), ("  " + user(o.title), ""),
                          (f"  owner {user(o.owner_name or o.owner)}", "cyan"),
                          (f"  last check-in {last}, {late}", "yellow")])
    if team.attention:
        lines.append([("Off track and at risk", "bold")])
        for a in team.attention:
            why = (f"confidence {value_text(a.confidence)}" if a.why == "confidence" else
                   "threshold not held" if a.why == "threshold" else milestone_why(a) if a.why == "milestone" else
                   f"progress {two_places(a.progress)}, {two_places(a.expected)} of the cycle gone")
            lines.append([_GAP, (f"{status_word(a.status):<9}", STATUS_STYLES.get(a.status, "")), _GAP,
                          (short(a.ref, cycle), "bold"), ("  " + user(a.title), ""),
                          (f"  owner {user(a.owner_name)}", "cyan"), (f"  ({why})", "dim")])
    if team.changes:
        lines.append([("Objectives added, removed or changed", "bold")])
        marks = {"added": ("+", "green"), "removed": ("-", "red"), "changed": ("~", "yellow")}
        for c in team.changes:
            mark, style = marks[c.what]
            lines.append([("  ", ""), (mark, style), (" ", ""), (short(c.ref, cycle), "bold"), ("  ", ""),
                          (user(c.title), ""), (f"  {c.what}" if c.what != "changed" else "", "dim")])
            for change in c.changes:
                lines.append([("      ", ""), (user(change_text(change)), "dim")])
    return lines


def followup_lines(r: FollowUp) -> list[Line]:
    since = f"since {r.since.isoformat()}" + (f" ({user(r.since_label)})" if r.since_label != r.since.isoformat()
                                               else "")
    lines: list[Line] = [
        [(f"Follow-up · {r.cycle} · {since} · as of {r.as_of.isoformat()}", "bold")]]
    if r.selection:
        lines.append([(f"selection: {user(r.selection)}", "dim")])
    lines.append([(_summary(r), "")])
    for note in r.notes:
        lines.append([(f"note: {user(note)}", "dim")])
    for team in r.teams:
        lines.extend(_team_lines(team, r))
    if not r.teams:
        lines += [[], [("nothing to follow up", "dim")]]
    return lines


# ====================================================================== review

def _score(score: float | None, band: str | None) -> list[tuple[str, str]]:
    if score is None:
        return [("░" * 10, "dim"), ("  n/a", "dim")]
    style = BAND_STYLES.get(band or "", "")
    return [(bar(score), style), (f" {two_places(score)}", style)]


def _rollup_lines(items: list[Rollup], label: str) -> list[Line]:
    width = max((len(i.id) for i in items), default=0)
    name_width = min(28, max((len(user(i.name)) for i in items), default=0))
    lines: list[Line] = []
    for i in items:
        lines.append([("  ", ""), (f"{i.id:<{width}}", "bold"), ("  ", ""), (f"{user(i.name):<{name_width}}", ""),
                      ("  ", ""), *_score(i.score, i.band),
                      (f"  {plural(i.objectives, 'objective')}{left_out_text(i.left_out)}", "dim")])
    return lines


def _band_chart(r: Review) -> Line:
    total = r.bands.total or 1
    width = 40
    line: Line = [("  ", "")]
    for band, glyph in (("red", "▒"), ("yellow", "▓"), ("green", "█")):  # told apart without colour too
        n = getattr(r.bands, band)
        line.append((glyph * round(width * n / total), BAND_STYLES[band]))
    return line


def _objective_line(o: ReviewedObjective, r: Review, indent: str = "  ") -> Line:
    line: Line = [(indent, ""), (short(o.ref, r.cycle), "bold"), _GAP, *_score(o.score, o.band),
                  ("  " + user(o.title), "")]
    marks = []
    if o.committed:
        marks.append("committed")
    if o.graded:
        marks.append("graded")
    if marks:
        line.append(("  · " + " · ".join(marks), "dim"))
    if o.incomplete:
        line.append((f"  ({incomplete_text(o.incomplete)})", "yellow"))
    return line


def review_lines(r: Review) -> list[Line]:
    return [*_review_head(r), *_review_bands(r), *_review_rollups(r), *_review_committed(r),
            *_review_aspirational(r), *_review_discipline(r), *_review_notes(r), *_review_carry_over(r),
            *_review_objectives(r)]


def _review_head(r: Review) -> list[Line]:
    span = f"{r.start.isoformat()} – {r.end.isoformat()}"
    state = {"ended": "ended", "running": "running", "not_started": "not started"}[r.state]
    lines: list[Line] = [[(f"Review · {r.cycle} ({span}, {state}) · as of {r.as_of.isoformat()}", "bold")],
                         [(r.ordering, "dim")]]
    if r.selection:
        lines.append([(f"selection: {user(r.selection)}", "dim")])
    for message in r.messages:
        lines.append([(f"note: {user(message)}", "dim")])
    if r.company is not None:
        lines += [[], [("Company  ", "bold"), (user(r.company.name), ""), ("  ", ""),
                       *_score(r.company.score, r.company.band),
                       (f"  {plural(r.company.objectives, 'objective')}{left_out_text(r.company.left_out)}", "dim")]]
    return lines


def _review_bands(r: Review) -> list[Line]:
    lines = [*_heading(f"Objectives by band ({r.bands.total})"), _band_chart(r)]
    for band in ("red", "yellow", "green"):
        glyph = {"red": "▒", "yellow": "▓", "green": "█"}[band]
        lines.append([("  ", ""), (glyph, BAND_STYLES[band]), (" ", ""), (f"{BAND_WORDS[band]:<17}", BAND_STYLES[band]),
                      (f"{getattr(r.bands, band):>5}", "")])
    return lines


def _review_rollups(r: Review) -> list[Line]:
    lines: list[Line] = []
    if r.teams:
        lines += _heading("Teams (own objectives and their members')")
        lines += _rollup_lines(r.teams, "team")
    if r.owners:
        lines += _heading("Owners (mean of their objectives)")
        lines += _rollup_lines(r.owners, "owner")
    return lines


def _review_committed(r: Review) -> list[Line]:
    ended = r.state == "ended"
    lines = _heading("Committed objectives below 1.0 (each needs a postmortem)" if ended else
                     "Committed objectives below 1.0 so far (the cycle is still running)")
    if not r.committed_below:
        lines.append([("  none: every committed objective landed" if ended else "  none", "dim")])
    for ref in r.committed_below:
        o = r.objective(ref)
        lines.append(_objective_line(o, r))
        if o.notes:
            lines.append([("      postmortem:", "dim")])
            lines += [[("      │ ", "dim"), (user(text), "italic")] for text in o.notes.splitlines()]
        elif ended:
            lines.append([("      postmortem missing: write it in review.notes", "yellow")])
    if r.committed_delivered:
        lines.append([(f"  {plural(len(r.committed_delivered), 'committed objective')} delivered at 1.0", "dim")])
    return lines


def _review_aspirational(r: Review) -> list[Line]:
    asp = r.aspirational
    lines = _heading("Aspirational objectives")
    if asp.mean is None:
        lines.append([("  none", "dim")])
    else:
        lines.append([("  average ", ""), (two_places(asp.mean), "bold"),
                      (f" over {plural(asp.objectives, 'objective')}: ", ""), (VERDICTS[asp.verdict], "")])
    if r.perfect:
        lines += _heading("Aspirational objectives at 1.0 (were they ambitious enough?)")
        lines += [_objective_line(r.objective(ref), r) for ref in r.perfect]
    if r.standalone:
        lines += _heading("Standalone objectives (bottom-up, not aligned on purpose)")
        for ref in r.standalone:
            o = r.objective(ref)
            lines.append(_objective_line(o, r))
            lines.append([("      ", ""), (f"why: {user(o.standalone)}", "dim")])
    return lines


def _review_discipline(r: Review) -> list[Line]:
    lines = _heading(f"Check-in discipline (periods of {r.checkin_every} days; {r.weeks_over} of "
                     f"{r.weeks_in_cycle} over)")
    if r.discipline is None:
        lines.append([("  no git history", "dim")])
    elif not r.discipline:
        lines.append([("  no key results owed check-ins", "dim")])
    else:
        width = max(len(d.owner) for d in r.discipline)
        for d in r.discipline:
            share = d.on_time / d.weeks if d.weeks else 0.0
            last = d.last_checkin.isoformat() if d.last_checkin else "never"
            lines.append([("  ", ""), (f"{d.owner:<{width}}", "bold"), ("  ", ""),
                          (bar(share), "green" if share >= 0.7 else "yellow" if share >= 0.4 else "red"),
                          (f"  {d.on_time}/{d.weeks} on time · {d.late} late · {d.missed} missed"
                           + (f" · {d.pending} in its late window" if d.pending else ""), ""),
                          (f"  last {last}", "dim")])
    return lines


def _review_notes(r: Review) -> list[Line]:
    if not r.notes:
        return []
    lines = _heading("Review notes")
    for ref in r.notes:
        o = r.objective(ref)
        lines.append(_objective_line(o, r))
        lines += [[("      │ ", "dim"), (user(text), "italic")] for text in (o.notes or "").splitlines()]
    return lines


def _review_carry_over(r: Review) -> list[Line]:
    lines = _heading("Carry-over candidates (unfinished objectives)")
    if not r.carry_over:
        lines.append([("  none", "dim")])
    for c in r.carry_over:
        lines.append([_GAP, (short(c.ref, r.cycle), "bold"), ("  " + user(c.title), ""),
                      (f"  {score_text(c.score)}", BAND_STYLES.get("yellow")),
                      (f"  unfinished: {', '.join(c.unfinished)}" if c.unfinished else "", "dim")])
    return lines


def _review_objectives(r: Review) -> list[Line]:
    """Every objective and its key results: the longest part of the review, one line each (the
    unstyled pieces of a line are joined: they print the same)."""
    lines = _heading("Objectives and key results")
    team = None
    append, indent, gap, score = lines.append, _INDENT, _GAP, _score
    for o in r.objectives:
        if o.team != team:
            team = o.team
            append([gap, (f"{RULE * 2} {team or 'not in org.yaml'}", "cyan")])
        append(_objective_line(o, r))
        for k in o.key_results:
            title = "  " + user(k.title)
            if k.history:
                append([indent, (k.id, "bold"), gap, *score(k.score, k.band), (title + "  ", ""),
                        (sparkline([p.progress for p in k.history[-SPARKLINE:]]), "green")])
            else:
                append([indent, (k.id, "bold"), gap, *score(k.score, k.band), (title, "")])
    return lines
