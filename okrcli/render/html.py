"""`okr report` and `okr review` as one self-contained HTML page.

One file: inline CSS (readable from 375 px wide up, and printed), inline SVG
charts (`okrcli.render.svg`), no JavaScript, no external asset, no external
URL (a check-in's links are shown as text, not fetched or linked). Every user
string is escaped (`escape.html`: controls made visible, then `html.escape`), and
user text never contains a raw line break, so no line of the page starts with
user text.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Iterator

from ..reports.followup import FollowUp, TeamFollowUp
from ..reports.review import Review, ReviewedObjective, Rollup
from . import svg
from .escape import html as esc
from .numbers import score as two_places
from .report_words import (
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
    status_word,
    value_text,
)

CSS = """
:root{--red:#c92a2a;--yellow:#d98a00;--green:#2b8a3e;--ink:#212529;--muted:#5c636a;--line:#dee2e6;--soft:#f8f9fa}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
color:var(--ink);background:#fff}
.page{max-width:980px;margin:0 auto;padding:8px 16px 32px}
h1{font-size:1.6rem;line-height:1.25;margin:16px 0 4px}
h2{font-size:1.2rem;margin:32px 0 8px;padding-bottom:4px;border-bottom:2px solid var(--line)}
h3{font-size:1.05rem;margin:20px 0 6px}
p{margin:6px 0}
.meta,.muted{color:var(--muted)}
.principle{background:var(--soft);border-left:4px solid var(--muted);padding:8px 12px;margin:12px 0}
.note{color:var(--muted);font-style:italic}
code,.ref{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.88em;white-space:nowrap}
.t{overflow-wrap:anywhere}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%;font-size:.93rem}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;background:var(--soft)}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.band{display:inline-block;min-width:3.2em;padding:0 6px;border-radius:10px;color:#fff;font-size:.85em;
text-align:center;font-variant-numeric:tabular-nums}
.band.red{background:var(--red)}.band.yellow{background:var(--yellow);color:#212529}.band.green{background:var(--green)}
.status{white-space:nowrap;font-size:.9em}
.status.off_track{color:var(--red)}.status.at_risk{color:#9a6200}.status.on_track{color:var(--green)}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:12px;margin:12px 0}
.card{border:1px solid var(--line);border-radius:8px;padding:12px 14px;background:#fff}
.big{font-size:2rem;font-weight:700;font-variant-numeric:tabular-nums;line-height:1.1}
svg.chart{display:block;width:100%;height:auto}
svg.bar{max-width:340px}
svg.bands{max-width:400px}
.figure{max-width:400px}
svg.spark{width:80px;height:20px;display:inline-block;vertical-align:middle}
.objective{border:1px solid var(--line);border-radius:8px;padding:10px 14px;margin:12px 0;break-inside:avoid}
.objective h4{margin:0 0 4px;font-size:1rem}
.objective .tags{font-size:.85em;color:var(--muted)}
.krs{list-style:none;margin:8px 0 0;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(280px,1fr));
gap:10px}
.kr{border-top:1px solid var(--line);padding-top:6px;break-inside:avoid;display:flex;flex-direction:column}
.kr>svg,.kr>p{margin-top:auto}
.kr .head{display:flex;gap:8px;align-items:baseline;justify-content:space-between}
.kr .notes{font-size:.85em;margin-top:4px}.kr .notes ul{margin:2px 0 0;padding-left:1.1em}
.team-title{margin-top:28px}
blockquote{margin:6px 0 10px;padding:4px 12px;border-left:3px solid var(--line);color:#343a40}
ul.changes{margin:4px 0 12px;padding-left:20px}
.legend{font-size:.85em;color:var(--muted)}
.legend i{display:inline-block;width:18px;height:0;border-top:2px dashed var(--muted);vertical-align:middle;margin:0 4px}
.legend b{display:inline-block;width:18px;height:0;border-top:2px solid var(--green);vertical-align:middle;margin:0 4px}
footer{margin-top:32px;font-size:.85em;color:var(--muted)}
@media (max-width:600px){
body{font-size:15px}.page{padding:4px 10px 24px}h1{font-size:1.35rem}
.cards{grid-template-columns:repeat(2,minmax(0,1fr));gap:8px}.card{padding:8px 10px}.big{font-size:1.5rem}
.krs{grid-template-columns:1fr}
th,td{padding:5px 4px}.wide{display:none}
table.stack,.stack tbody,.stack tr,.stack td{display:block;width:100%}.stack thead{display:none}
.stack tr{border-bottom:1px solid var(--line);padding:6px 0}.stack td{border:0;padding:1px 0}
.stack td.n,.stack td.ref{text-align:left;white-space:normal}
.stack td[data-label]::before{content:attr(data-label) ": ";color:var(--muted);font-size:.85em}
.stack td.ref::before,.stack td.t::before{content:none}.stack td.ref{font-weight:600}
}
@media print{
body{font-size:10.5pt}.page{max-width:none;padding:0}
.scroll{overflow:visible}h2,h3{break-after:avoid}tr,.card,.objective,.kr{break-inside:avoid}
.principle,th{background:none}
.band,.kr svg,svg.chart{-webkit-print-color-adjust:exact;print-color-adjust:exact}
@page{margin:14mm}
}
""".strip()


_BATCH = 256  # body pieces joined per chunk: few writes, and never the whole page in memory


def _page_chunks(title: str, body: Iterable[str]) -> Iterator[str]:
    """A whole page around the `body` pieces (one per line), yielded a few hundred pieces at a time."""
    yield ("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
           f"<title>{title}</title>\n<style>\n{CSS}\n</style>\n</head>\n<body>\n<div class=\"page\">\n")
    batch: list[str] = []
    for piece in body:
        batch.append(piece)
        if len(batch) == _BATCH:
            yield "\n".join(batch) + "\n"
            batch.clear()
    if batch:
        yield "\n".join(batch) + "\n"
    yield "</div>\n</body>\n</html>\n"


def _lines(text: str | None) -> str:
    """Multi-line user text on one output line: escaped lines joined by <br>."""
    return "<br>".join(esc(line) for line in (text or "").splitlines())


def _band(score: float | None, band: str | None) -> str:
    if score is None:
        return '<span class="muted">n/a</span>'
    return f'<span class="band {band}">{two_places(score)}</span>'


@functools.lru_cache(maxsize=16)
def _status(status: str | None) -> str:
    return f'<span class="status {status or "unknown"}">{esc(status_word(status))}</span>'


def _table(head: list[tuple[str, str]], rows: Iterable[list[str]], stack: bool = True) -> str:
    """`head`: (label, css class) per column; `rows`: the cells' HTML. Each cell carries its column's
    label (`data-label`), which the narrow layout shows when rows become stacked blocks (`stack`; a
    table of short cells stays a table, its `wide` columns hidden)."""
    return "\n".join(_table_lines(head, rows, stack))


def _table_lines(head: list[tuple[str, str]], rows: Iterable[list[str]], stack: bool = True) -> Iterator[str]:
    """`_table` as lines (joined by newlines they are its text): a table of 10,000 owners is
    written row by row, not built as one string."""
    ths = "".join(f'<th class="{cls}">{label}</th>' if cls else f"<th>{label}</th>" for label, cls in head)
    starts = [f'<td class="{cls}" data-label="{label}">' if cls else f'<td data-label="{label}">'
              for label, cls in head]
    table = '<table class="stack">' if stack else "<table>"
    yield f'<div class="scroll">{table}<thead><tr>{ths}</tr></thead><tbody>'
    empty = True
    for row in rows:
        empty = False
        yield "<tr>" + "".join(f"{start}{cell}</td>" for start, cell in zip(starts, row)) + "</tr>"
    if empty:
        yield ""
    yield "</tbody></table></div>"


# ====================================================================== review

def _rollup_table(items: list[Rollup]) -> Iterator[str]:
    rows = ([f"<code>{esc(i.id)}</code>", esc(i.name), _band(i.score, i.band),
             str(i.objectives) + esc(left_out_text(i.left_out))] for i in items)
    return _table_lines([("Id", ""), ("Name", "t"), ("Score", "n"), ("Objectives", "n")], rows, stack=False)


OBJECTIVE_HEAD = [("Objective", "ref"), ("Title", "t"), ("Score", "n")]


def _objective_row(o: ReviewedObjective, cycle: str) -> list[str]:
    marks = " · ".join(m for m, on in (("committed", o.committed), ("graded", o.graded)) if on)
    if o.incomplete:
        marks = " · ".join(m for m in (marks, incomplete_text(o.incomplete)) if m)
    return [esc(short(o.ref, cycle)), esc(o.title) + (f' <span class="muted">({esc(marks)})</span>' if marks else ""),
            _band(o.score, o.band)]


def _objective_card(o: ReviewedObjective, r: Review) -> str:
    label = short(o.ref, r.cycle)
    tags = [t for t, on in (("committed", o.committed), ("aspirational", not o.committed), ("graded", o.graded),
                            ("standalone", bool(o.standalone)), ("private", o.private)) if on]
    out = [f'<article class="objective" id="{esc(o.ref)}">',
           f'<h4><span class="ref">{esc(label)}</span> <span class="t">{esc(o.title)}</span></h4>',
           f'<div class="tags">{esc(o.owner_name)} · {" · ".join(tags)} · {_status(o.status)}</div>',
           svg.score_bar(o.score, o.band, f"{label} {o.title}")]
    if o.incomplete:
        out.append(f'<p class="note">{esc(incomplete_text(o.incomplete))}</p>')
    if o.key_results:
        out.append('<ul class="krs">')
        for k in o.key_results:
            chart = (svg.burn_up([(p.date, p.progress) for p in k.history], r.start, r.end, r.as_of,
                                 f"{label}/{k.id}", k.band, k.start_progress)
                     if k.history else '<p class="muted">no check-ins</p>')
            out.append(f'<li class="kr"><div class="head"><span class="t"><code>{esc(k.id)}</code> '
                       f'{esc(k.title)}</span>{_band(k.score, k.band)}</div>{chart}{_notes(k)}</li>')
        out.append("</ul>")
    out.append("</article>")
    return "\n".join(out)


def _notes(k) -> str:
    """The key result's check-in notes, oldest first: date, author, what they wrote."""
    if not k.notes:
        return ""
    items = "".join(f'<li><span class="muted">{n.date.isoformat()} · {esc(n.author)}</span> '
                    f'{"<br>".join(esc(line) for line in n.note.splitlines())}</li>' for n in k.notes)
    return f'<div class="notes"><div class="muted">Check-in notes</div><ul>{items}</ul></div>'


def review_html(r: Review) -> str:
    """The review page as one string (`review_chunks` streams the same text)."""
    return "".join(review_chunks(r))


def review_chunks(r: Review) -> Iterator[str]:
    """The review page, piece by piece, for writing as it is produced."""
    return _page_chunks(f"Review: {esc(r.cycle)}", itertools.chain(review_body(r), [review_footer(r)]))


def review_footer(r: Review) -> str:
    return (f"<footer>okr review {esc(r.cycle)} · as of {r.as_of.isoformat()}"
            + (f" · commit {esc(r.rev[:12])}" if r.rev else "") + "</footer>")


def review_body(r: Review, objectives: bool = True) -> Iterator[str]:
    """The review's sections as HTML pieces; `objectives` adds every objective's card with its
    key results' burn-ups (`okr site` gives each objective a page of its own instead)."""
    yield from _review_header(r)
    yield from _summary_section(r)
    if r.teams:
        yield ('<section id="teams"><h2>Teams</h2><p class="muted">Mean over the team\'s own objectives and '
               "its members'. Listed by id.</p>")
        yield from _rollup_table(r.teams)
        yield "</section>"
    if r.owners:
        yield ('<section id="owners"><h2>Owners</h2><p class="muted">Mean of each owner\'s objectives. '
               "Listed by team and id.</p>")
        yield from _rollup_table(r.owners)
        yield "</section>"
    yield from _postmortems_section(r)
    yield from _perfect_and_standalone(r)
    yield from _discipline_section(r)
    yield from _notes_section(r)
    yield from _carry_over_section(r)
    if objectives:
        yield from _objectives_section(r)


def _review_header(r: Review) -> list[str]:
    state = {"ended": "ended", "running": "still running", "not_started": "not started"}[r.state]
    company = r.company.name if r.company is not None else ""
    return [f"<header><h1>Review: {esc(r.cycle)}{' · ' + esc(company) if company else ''}</h1>",
            f'<p class="meta">{r.start.isoformat()} to {r.end.isoformat()} ({state}) · as of {r.as_of.isoformat()}'
            + (f" · {esc(r.selection)}" if r.selection else "") + "</p>",
            f'<p class="principle">{esc(r.ordering)}</p>',
            *(f'<p class="note">{esc(m)}</p>' for m in r.messages),
            "</header>"]


def _summary_section(r: Review) -> list[str]:
    cards = []
    if r.company is not None:
        cards.append(f'<div class="card"><div class="muted">{esc(r.company.name)}: mean of '
                     f'{plural(r.company.objectives, "objective")}</div><div class="big">'
                     f'{score_text(r.company.score)}</div>'
                     + (svg.score_bar(r.company.score, r.company.band or "", r.company.name)
                        if r.company.score is not None else "") + "</div>")
    asp = r.aspirational
    cards.append(f'<div class="card"><div class="muted">Aspirational average ({plural(asp.objectives, "objective")})'
                 f'</div><div class="big">{score_text(asp.mean)}</div><p>{esc(VERDICTS[asp.verdict])}</p></div>')
    below, delivered = len(r.committed_below), len(r.committed_delivered)
    cards.append(f'<div class="card"><div class="muted">Committed objectives</div><div class="big">'
                 f"{delivered}/{below + delivered}</div><p>delivered at 1.0"
                 + (f"; {below} need{'s' * (below == 1)} a postmortem" if below else "") + "</p></div>")
    return ['<section id="summary"><h2>Summary</h2><div class="cards">', *cards, "</div>",
            f'<h3>Objectives by band ({r.bands.total})</h3><div class="figure">',
            svg.band_chart({"red": r.bands.red, "yellow": r.bands.yellow, "green": r.bands.green}),
            '</div><p class="legend">red &lt; 0.4 ≤ yellow &lt; 0.7 ≤ green</p></section>']


def _titled(o: ReviewedObjective, cycle: str) -> str:
    """An objective's heading: its short reference, its title and its score."""
    return (f'<h3><span class="ref">{esc(short(o.ref, cycle))}</span> <span class="t">{esc(o.title)}'
            f"</span> {_band(o.score, o.band)}</h3>")


def _postmortems_section(r: Review) -> Iterator[str]:
    ended = r.state == "ended"
    yield ('<section id="postmortems"><h2>Committed objectives below 1.0</h2>'
           '<p class="muted">A committed objective is expected to reach 1.0: each one below needs a '
           "postmortem (<code>review.notes</code>)"
           + (".</p>" if ended else " when the cycle ends. It is still running: these are below 1.0 so far.</p>"))
    if not r.committed_below:
        yield "<p>None: every committed objective landed.</p>" if ended else "<p>None.</p>"
    for ref in r.committed_below:
        o = r.objective(ref)
        yield _titled(o, r.cycle)
        if o.notes:
            yield f"<blockquote>{_lines(o.notes)}</blockquote>"
        elif ended:
            yield '<p class="status at_risk">Postmortem missing.</p>'
    if r.committed_delivered:
        yield f"<p>{plural(len(r.committed_delivered), 'committed objective')} delivered at 1.0.</p>"
    yield "</section>"


def _perfect_and_standalone(r: Review) -> Iterator[str]:
    if r.perfect:
        yield '<section id="perfect"><h2>Aspirational objectives at 1.0</h2>'
        yield '<p class="muted">Were they ambitious enough?</p>'
        yield from _table_lines(OBJECTIVE_HEAD, (_objective_row(r.objective(x), r.cycle) for x in r.perfect))
        yield "</section>"
    if r.standalone:
        rows = ([*_objective_row(o, r.cycle), esc(o.standalone)] for o in map(r.objective, r.standalone))
        yield '<section id="standalone"><h2>Standalone objectives</h2>'
        yield from _table_lines([*OBJECTIVE_HEAD, ("Why standalone", "t")], rows)
        yield "</section>"


def _discipline_section(r: Review) -> Iterator[str]:
    yield (f'<section id="discipline"><h2>Check-in discipline</h2><p class="muted">Periods of '
           f"{r.checkin_every} days; {r.weeks_over} of {r.weeks_in_cycle} over. On time: every key result "
           "checked in during the period; late: in the next one.</p>")
    if r.discipline is None:
        yield "<p>No git history.</p>"
    else:
        rows = ([f"<code>{esc(d.owner)}</code>", esc(d.name), f"{d.on_time}/{d.weeks}", str(d.late),
                 str(d.missed) + (f" ({d.pending} in its late window)" if d.pending else ""),
                 d.last_checkin.isoformat() if d.last_checkin else "never"] for d in r.discipline)
        yield from _table_lines([("Owner", ""), ("Name", "t wide"), ("On time", "n"), ("Late", "n"),
                                 ("Missed", "n"), ("Last check-in", "n wide")], rows, stack=False)
    yield "</section>"


def _notes_section(r: Review) -> Iterator[str]:
    if not r.notes:
        return
    yield '<section id="notes"><h2>Review notes</h2>'
    for ref in r.notes:
        o = r.objective(ref)
        yield f"{_titled(o, r.cycle)}<blockquote>{_lines(o.notes)}</blockquote>"
    yield "</section>"


def _carry_over_section(r: Review) -> Iterator[str]:
    yield ('<section id="carry-over"><h2>Carry-over candidates</h2>'
           '<p class="muted">Unfinished objectives: carry over, rewrite or drop.</p>')
    if not r.carry_over:
        yield "<p>None.</p>"
    else:
        rows = ([esc(short(c.ref, r.cycle)), esc(c.title) + (' <span class="muted">(committed)</span>' if c.committed
                                                              else ""),
                 two_places(c.score), esc(", ".join(c.unfinished)) or '<span class="muted">graded</span>']
                for c in r.carry_over)
        yield from _table_lines([("Objective", "ref"), ("Title", "t"), ("Score", "n"), ("Unfinished", "")], rows)
    yield "</section>"


def _objectives_section(r: Review) -> Iterator[str]:
    """Every objective's card, by team: the biggest part of the page, produced one card at a time."""
    yield ('<section id="objectives"><h2>Objectives and key results</h2>'
           '<p class="legend">Bars: the score, ticks at 0.4 and 0.7 (the band limits). Burn-up per key result: '
           "<b></b>progress at each check-in, <i></i>the straight "
           "line from 0 at the cycle's start to 1 at its end.</p>")
    team = None
    for o in r.objectives:
        if o.team != team:
            team = o.team
            name = o.team_name if o.team_name == team or not team else f"{o.team_name} ({team})"
            yield f'<h3 class="team-title">{esc(name)}</h3>'
        yield _objective_card(o, r)
    yield "</section>"


# ====================================================================== follow-up

def _team_html(team: TeamFollowUp, r: FollowUp) -> list[str]:
    cycle = r.cycle
    label = esc(team.name) if team.kind == "none" or team.name == team.team else \
        f"{esc(team.name)} <code>{esc(team.team)}</code>"
    out = [f'<section class="team"><h2>{label}</h2>']
    if team.moved:
        rows = []
        for m in team.moved:
            who = []
            for c in m.checkins:
                text = (f"{c.date.date().isoformat()} <strong>{esc(c.author)}</strong> "
                        f"{esc(moved_value(m, c.value))}")
                if c.confidence is not None:
                    text += f" · confidence {esc(value_text(c.confidence))}"
                if c.note:
                    text += f"<br>“{_lines(c.note)}”"
                for link in c.links:
                    text += f'<br><span class="muted">↳ <code>{esc(link)}</code></span>'
                who.append(f"<div>{text}</div>")
            for w in m.work:
                who.append(f'<div>{w.date.date().isoformat()} <strong>{esc(w.author)}</strong> '
                           f'<span class="muted">work <code>{esc(w.commit[:7])}</code></span> {esc(w.subject)}</div>')
            spark = svg.sparkline(m.recent, "green", short(m.ref, cycle))
            conf = confidence_text(m)
            rows.append([esc(short(m.ref, cycle)), f"{esc(m.title)}<br>{spark}",
                         esc(movement_text(m)) + (f'<br><span class="muted">{esc(conf)}</span>' if conf else ""),
                         _status(m.status), "".join(who)])
        out += ["<h3>Moved</h3>", _table([("Key result", "ref"), ("Title", "t"), ("Value", ""), ("Status", ""),
                                          ("Check-ins", "t")], rows)]
    if team.owed:
        rows = [[esc(short(o.ref, cycle)), esc(o.title), esc(o.owner_name or o.owner),
                 o.last_checkin.isoformat() if o.last_checkin else "never",
                 str(o.days_overdue)] for o in team.owed]
        out += [f"<h3>Owe a check-in (none within {r.checkin_every} days)</h3>",
                _table([("Key result", "ref"), ("Title", "t"), ("Owner", "t"), ("Last check-in", "n"),
                        ("Days overdue", "n")], rows)]
    if team.attention:
        rows = []
        for a in team.attention:
            why = (f"confidence {value_text(a.confidence)}" if a.why == "confidence" else
                   "threshold not held" if a.why == "threshold" else milestone_why(a) if a.why == "milestone" else
                   f"progress {two_places(a.progress)} vs {two_places(a.expected)} expected")
            rows.append([_status(a.status), esc(short(a.ref, cycle)), esc(a.title), esc(a.owner_name), esc(why)])
        out += ["<h3>Off track and at risk</h3>",
                _table([("Status", ""), ("Key result", "ref"), ("Title", "t"), ("Owner", ""), ("Why", "muted")],
                       rows)]
    if team.changes:
        out.append("<h3>Objectives added, removed or changed</h3><ul class=\"changes\">")
        for c in team.changes:
            details = "".join(f"<li>{esc(change_text(x))}</li>" for x in c.changes)
            out.append(f'<li><strong>{c.what}</strong> <span class="ref">{esc(short(c.ref, cycle))}</span> '
                       f'<span class="t">{esc(c.title)}</span>' + (f"<ul>{details}</ul>" if details else "") + "</li>")
        out.append("</ul>")
    out.append("</section>")
    return out


def followup_html(r: FollowUp) -> str:
    """The follow-up page as one string (`followup_chunks` streams the same text)."""
    return "".join(followup_chunks(r))


def followup_chunks(r: FollowUp) -> Iterator[str]:
    """The follow-up page, piece by piece."""
    footer = (f"<footer>okr report {esc(r.cycle)} · since {r.since.isoformat()} · as of {r.as_of.isoformat()}"
              + (f" · commit {esc(r.rev[:12])}" if r.rev else "") + "</footer>")
    return _page_chunks(f"Follow-up: {esc(r.cycle)}", itertools.chain(followup_body(r), [footer]))


def followup_body(r: FollowUp) -> list[str]:
    """The follow-up's sections as HTML pieces."""
    t = r.totals
    since = r.since.isoformat() + (f" ({esc(r.since_label)})" if r.since_label != r.since.isoformat() else "")
    body = [f"<header><h1>Follow-up: {esc(r.cycle)}</h1>",
            f'<p class="meta">Since {since} · as of {r.as_of.isoformat()}'
            + (f" · {esc(r.selection)}" if r.selection else "") + "</p></header>"]
    cards = [(f'<div class="card"><div class="muted">Moved</div><div class="big">{t.moved}</div>'
              f"<p>{plural(t.checkins, 'check-in')}</p></div>")]
    if r.history:
        cards.append(f'<div class="card"><div class="muted">Owe a check-in</div><div class="big">{t.owed}</div>'
                     f"<p>none within {r.checkin_every} days</p></div>")
    cards.append(f'<div class="card"><div class="muted">Off track / at risk</div><div class="big">'
                 f"{t.off_track} / {t.at_risk}</div><p>key results</p></div>")
    if r.history:
        cards.append(f'<div class="card"><div class="muted">Objectives</div><div class="big">+{t.added} '
                     f"~{t.changed} −{t.removed}</div><p>added, changed, removed</p></div>")
    body += ['<div class="cards">', *cards, "</div>"]
    body += [f'<p class="note">{esc(n)}</p>' for n in r.notes]
    for team in r.teams:
        body += _team_html(team, r)
    if not r.teams:
        body.append("<p>Nothing to follow up.</p>")
    return body
