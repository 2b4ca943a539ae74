"""`okr report` and `okr review` as GitHub-flavoured Markdown, for the wiki or a pull request.

User text is escaped by `escape.markdown` (`md`): one line, control and bidi characters shown as
escapes, HTML and inline markup characters escaped (`<!--`, `<script>` stay
text), `|` cannot break a table, and `@` cannot mention a team. Multi-line
notes become block quotes, one escaped line each. No line ever starts with user
text, so a title such as `::error::x` cannot become a CI workflow command.
"""

from __future__ import annotations

import re

from ..reports.followup import FollowUp, TeamFollowUp
from ..reports.review import Review, ReviewedObjective, Rollup
from .escape import markdown as md
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

_URL_RE = re.compile(r"https?://[A-Za-z0-9._~/?#&=%+,;:-]+")


def _quote(text: str | None) -> list[str]:
    return [f"> {md(line)}" if line.strip() else ">" for line in (text or "").splitlines()] or [">"]


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out


def _ref(ref: str, cycle: str) -> str:
    return f"`{short(ref, cycle)}`"


# ====================================================================== follow-up

def _team(team: TeamFollowUp, r: FollowUp) -> list[str]:
    cycle = r.cycle
    label = md(team.name) if team.kind == "none" or team.name == team.team else f"{md(team.name)} (`{team.team}`)"
    out = ["", f"## {label}"]
    if team.moved:
        out += ["", "### Moved", ""]
        rows = []
        for m in team.moved:
            who = []
            for c in m.checkins:
                text = f"{c.date.date().isoformat()} {md(c.author)} {md(moved_value(m, c.value))}"
                if c.note:
                    text += ": “" + "<br>".join(md(line) for line in c.note.splitlines()) + "”"
                if c.links:
                    text += " " + " ".join(f"<{link}>" if _plain_url(link) else md(link) for link in c.links)
                who.append(text)
            for w in m.work:
                who.append(f"{w.date.date().isoformat()} {md(w.author)} work `{w.commit[:7]}` {md(w.subject)}")
            rows.append([_ref(m.ref, cycle), md(m.title), sparkline(m.recent), md(movement_text(m)),
                         md(confidence_text(m)), status_word(m.status), "<br>".join(who)])
        out += _table(["Key result", "Title", "Trend", "Value", "Confidence", "Status", "Check-ins"], rows)
    if team.owed:
        out += ["", f"### Owe a check-in (none within {r.checkin_every} days)", ""]
        out += _table(["Key result", "Title", "Owner", "Last check-in", "Overdue"],
                      [[_ref(o.ref, cycle), md(o.title), md(o.owner_name or o.owner),
                        o.last_checkin.isoformat() if o.last_checkin else "never",
                        plural(o.days_overdue, "day")] for o in team.owed])
    if team.attention:
        out += ["", "### Off track and at risk", ""]
        rows = []
        for a in team.attention:
            why = (f"confidence {value_text(a.confidence)}" if a.why == "confidence" else
                   "threshold not held" if a.why == "threshold" else milestone_why(a) if a.why == "milestone" else
                   f"progress {two_places(a.progress)} vs {two_places(a.expected)} expected")
            rows.append([status_word(a.status), _ref(a.ref, cycle), md(a.title), md(a.owner_name), why])
        out += _table(["Status", "Key result", "Title", "Owner", "Why"], rows)
    if team.changes:
        out += ["", "### Objectives added, removed or changed", ""]
        for c in team.changes:
            out.append(f"- **{c.what}** {_ref(c.ref, cycle)} {md(c.title)}")
            out += [f"  - {md(change_text(change))}" for change in c.changes]
    return out


def _plain_url(link: str) -> bool:
    """A URL that an autolink shows as it is: nothing that could end the link or break a table."""
    return bool(_URL_RE.fullmatch(link)) and "::" not in link


def followup_markdown(r: FollowUp) -> str:
    t = r.totals
    out = [f"# Follow-up: {r.cycle}", "",
           f"Since {r.since.isoformat()} ({md(r.since_label)}), as of {r.as_of.isoformat()}."
           + (f" Selection: {md(r.selection)}." if r.selection else ""), ""]
    out.append(f"- {plural(t.moved, 'key result')} moved ({plural(t.checkins, 'check-in')})")
    if r.history:
        out.append(f"- {plural(t.owed, 'key result')} {'owes' if t.owed == 1 else 'owe'} a check-in")
    out.append(f"- {t.off_track} off track, {t.at_risk} at risk")
    if r.history:
        out.append(f"- objectives: {t.added} added, {t.changed} changed, {t.removed} removed")
    for note in r.notes:
        out += ["", f"*Note: {md(note)}*"]
    for team in r.teams:
        out += _team(team, r)
    return "\n".join(out) + "\n"


# ====================================================================== review

def _rollups(items: list[Rollup]) -> list[str]:
    return _table(["Id", "Name", "Score", "Band", "Objectives"],
                  [[f"`{i.id}`", md(i.name), score_text(i.score), i.band or "",
                    str(i.objectives) + left_out_text(i.left_out)] for i in items])


def _objective_row(o: ReviewedObjective, cycle: str) -> list[str]:
    marks = [m for m, on in (("committed", o.committed), ("graded", o.graded)) if on]
    if o.incomplete:
        marks.append(md(incomplete_text(o.incomplete)))
    return [_ref(o.ref, cycle), md(o.title), two_places(o.score), o.band or "n/a", " ".join(marks)]


def review_markdown(r: Review) -> str:
    out = [*_review_head(r), *_review_committed(r), *_review_aspirational(r), *_review_discipline(r),
           *_review_carry_over(r), *_review_objectives(r)]
    return "\n".join(out) + "\n"


def _review_head(r: Review) -> list[str]:
    """Title, dates, notes, the company's score, the bands and the roll-ups."""
    state = {"ended": "ended", "running": "running", "not_started": "not started"}[r.state]
    out = [f"# Review: {r.cycle}", "",
           f"{r.start.isoformat()} to {r.end.isoformat()} ({state}), as of {r.as_of.isoformat()}."
           + (f" Selection: {md(r.selection)}." if r.selection else ""), "", f"*{r.ordering}*"]
    for message in r.messages:
        out += ["", f"*Note: {md(message)}*"]
    if r.company is not None:
        out += ["", (f"**{md(r.company.name)}**: {score_text(r.company.score)} over "
                     f"{plural(r.company.objectives, 'objective')}{left_out_text(r.company.left_out)}.")]
    out += ["", "## Objectives by band", ""]
    out += _table(["Band", "Objectives"], [[BAND_WORDS[b], str(getattr(r.bands, b))] for b in ("red", "yellow", "green")])
    if r.teams:
        out += ["", "## Teams", "", "Mean over the team's own objectives and its members'.", ""]
        out += _rollups(r.teams)
    if r.owners:
        out += ["", "## Owners", "", "Mean of each owner's objectives.", ""]
        out += _rollups(r.owners)
    return out


def _review_committed(r: Review) -> list[str]:
    ended = r.state == "ended"
    out = ["", "## Committed objectives below 1.0", "",
           "Each needs a postmortem (`review.notes`)." if ended else "So far: the cycle is still running."]
    if not r.committed_below:
        out += ["", "None: every committed objective landed." if ended else "None."]
    for ref in r.committed_below:
        o = r.objective(ref)
        out += ["", f"- {_ref(o.ref, r.cycle)} {md(o.title)}: **{two_places(o.score)}**"]
        out += ["", *_quote(o.notes)] if o.notes else ["  - *postmortem missing*"] if ended else []
    if r.committed_delivered:
        out += ["", f"{plural(len(r.committed_delivered), 'committed objective')} delivered at 1.0."]
    return out


def _review_aspirational(r: Review) -> list[str]:
    asp = r.aspirational
    out = ["", "## Aspirational objectives", ""]
    out.append("None." if asp.mean is None else
               f"Average **{two_places(asp.mean)}** over {plural(asp.objectives, 'objective')}: {VERDICTS[asp.verdict]}")
    if r.perfect:
        out += ["", "### At 1.0: were they ambitious enough?", ""]
        out += _table(["Objective", "Title", "Score", "Band", ""], [_objective_row(r.objective(x), r.cycle)
                                                                    for x in r.perfect])
    if r.standalone:
        out += ["", "## Standalone objectives", ""]
        out += _table(["Objective", "Title", "Score", "Why standalone"],
                      [[_ref(o.ref, r.cycle), md(o.title), two_places(o.score), md(o.standalone)]
                       for o in map(r.objective, r.standalone)])
    return out


def _review_discipline(r: Review) -> list[str]:
    """Check-in discipline, then the review notes."""
    out = ["", "## Check-in discipline", "",
           f"Periods of {r.checkin_every} days; {r.weeks_over} of {r.weeks_in_cycle} over.", ""]
    if r.discipline is None:
        out.append("No git history.")
    else:
        out += _table(["Owner", "Name", "On time", "Late", "Missed", "Last check-in"],
                      [[f"`{d.owner}`", md(d.name), f"{d.on_time}/{d.weeks}", str(d.late),
                        str(d.missed) + (f" ({d.pending} in its late window)" if d.pending else ""),
                        d.last_checkin.isoformat() if d.last_checkin else "never"] for d in r.discipline])
    if r.notes:
        out += ["", "## Review notes"]
        for ref in r.notes:
            o = r.objective(ref)
            out += ["", f"**{_ref(o.ref, r.cycle)} {md(o.title)}** ({two_places(o.score)})", "", *_quote(o.notes)]
    return out


def _review_carry_over(r: Review) -> list[str]:
    out = ["", "## Carry-over candidates", "", "Unfinished objectives: carry over, rewrite or drop.", ""]
    if not r.carry_over:
        out.append("None.")
    else:
        out += _table(["Objective", "Title", "Score", "Committed", "Unfinished key results"],
                      [[_ref(c.ref, r.cycle), md(c.title), two_places(c.score), "yes" if c.committed else "",
                        ", ".join(c.unfinished)] for c in r.carry_over])
    return out


def _review_objectives(r: Review) -> list[str]:
    out = ["", "## Objectives and key results", ""]
    rows = []
    for o in r.objectives:
        rows.append(_objective_row(o, r.cycle))
        for k in o.key_results:
            trend = sparkline([p.progress for p in k.history[-12:]])
            rows.append([f"↳ `{k.id}`", md(k.title), two_places(k.score), k.band, trend])
    return out + _table(["Objective / key result", "Title", "Score", "Band", "Trend"], rows)
