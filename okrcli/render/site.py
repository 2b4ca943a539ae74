"""`okr site` as HTML pages: one generator of pieces per page, written to disk as they come.

Every page links the site's one stylesheet (`style.css`: the reports' CSS plus a
few rules for navigation) by a relative path, so the site works from a sub-path
of GitHub Pages and from `file://`. No JavaScript, no external asset, no
external URL: a check-in's links are shown as text. Charts are the reports' SVG
charts (`okrcli.render.svg`), user text goes through the one escaper (`escape.html`),
and the review and follow-up pages reuse the reports' HTML sections.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Iterator

from ..reports.followup import FollowUp
from ..reports.pulse import INDICES, HealthFigures
from ..reports.show import Neighbour
from ..reports.site import (
    FOLLOW_UP,
    INDEX,
    REVIEW,
    ObjectivePage,
    Site,
    objective_page,
    person_path,
    team_path,
)
from ..reports.tree import TreeNode
from . import svg
from .escape import html as _escape
from .html import CSS, _band, _lines, _status, _table, followup_body, review_body
from .numbers import index as index_text
from .numbers import percent
from .numbers import score as score_text_of
from .report_words import incomplete_text, plural, score_text, short, value_text

# The one escaper, remembered: a site repeats the same names, values, ids and titles on many pages.
esc = functools.lru_cache(maxsize=1 << 16)(_escape)

INDEX_NAMES = {"focus": "Focus", "follow_up": "Follow-up", "collaboration": "Collaboration",
               "activation": "Activation"}
TREE_LIMIT = 600  # objectives on the index tree; above it, people's objectives stay on their team pages

SITE_CSS = """
a{color:#1c5fb8}a:visited{color:#5a3e99}
nav.crumbs{font-size:.9rem;color:var(--muted);padding:8px 0;border-bottom:1px solid var(--line)}
nav.crumbs ol{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:2px 0}
nav.crumbs li+li::before{content:"›";padding:0 6px;color:var(--muted)}
nav.site{font-size:.9rem;margin:6px 0 0;display:flex;flex-wrap:wrap;gap:4px 14px}
ul.tree,ul.tree ul{list-style:none;margin:0;padding:0}
ul.tree ul{margin-left:10px;padding-left:10px;border-left:1px solid var(--line)}
ul.tree li{margin:4px 0}
.node{display:flex;flex-wrap:wrap;align-items:center;gap:2px 8px}
.node .t{flex:1 1 14em;min-width:0}
.node svg.bar{width:120px;flex:0 0 120px}.node svg.bar text,.ix svg.bar text{display:none}
.node .owner{font-size:.85em;color:var(--muted)}
ul.links{padding-left:20px}ul.links li{margin:3px 0}
ol.checkins{list-style:none;margin:4px 0 8px;padding:0}
ol.checkins li{border-top:1px solid var(--line);padding:5px 0}
ol.checkins .when{font-size:.88em;color:var(--muted)}ol.checkins .when b{color:var(--ink);font-weight:600}
.pad1{padding-left:16px}.pad2{padding-left:32px}.pad3{padding-left:48px}.pad4{padding-left:64px}
@media (max-width:600px){.node .t{flex-basis:100%}ul.tree ul{margin-left:2px;padding-left:8px}}
@media print{nav.site{display:none}a{color:inherit;text-decoration:none}}
""".strip()


def stylesheet() -> str:
    return CSS + "\n" + SITE_CSS + "\n"


# ====================================================================== the frame of every page

def _rel(page: str, target: str) -> str:
    """`target` (site-relative) as a link from `page` (site-relative): up to the folder they share,
    then down (plain string work: a 10,000-person site makes a million links)."""
    here = page.split("/")[:-1]
    there = target.split("/")
    n = 0
    while n < len(here) and n < len(there) - 1 and here[n] == there[n]:
        n += 1
    return "../" * (len(here) - n) + "/".join(there[n:])


def _a(page: str, target: str | None, text_html: str) -> str:
    # Site paths are made of ids checked on load (reports.site._file_name): nothing to escape.
    return f'<a href="{_rel(page, target)}">{text_html}</a>' if target else text_html


def footer(site: Site) -> str:
    """The footer of every page, made once."""
    if not site.footer:
        site.footer = _generated(site)
    return site.footer


def _generated(site: Site) -> str:
    where = f"commit {esc(site.rev[:12])}" if site.rev else "the files on disk (not a git repository)"
    if site.rev and site.work_tree:
        where += " (the work tree)"
    return (f"<footer>Generated from {where} on {site.as_of.isoformat()} by okr site · {esc(site.cycle)}"
            + (" · includes private objectives" if site.include_private else "") + "</footer>")


def _frame(site: Site, page: str, title: str, crumbs: list[tuple[str, str | None]],
           body: Iterable[str]) -> Iterator[str]:
    """The page around `body`: head, breadcrumb (label, target; the last is the page itself), site
    navigation, footer. `title` and crumb labels are plain text."""
    yield ('<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
           '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
           f"<title>{esc(title)}</title>\n"
           f'<link rel="stylesheet" href="{_rel(page, "style.css")}">\n</head>\n<body>\n<div class="page">\n')
    items = []
    for n, (label, target) in enumerate(crumbs):
        last = n == len(crumbs) - 1
        items.append('<li aria-current="page">' + esc(label) + "</li>" if last
                     else f"<li>{_a(page, target, esc(label))}</li>")
    nav = [_a(page, INDEX, "Company"), _a(page, FOLLOW_UP, "Follow-up"), _a(page, REVIEW, "Review")]
    yield (f'<nav class="crumbs" aria-label="Breadcrumb"><ol>{"".join(items)}</ol></nav>\n'
           f'<nav class="site" aria-label="Site">{"".join(nav)}</nav>\n')
    chunk: list[str] = []
    for piece in body:  # joined a few hundred at a time: streamed, without a call per small piece
        chunk.append(piece)
        if len(chunk) == 256:
            yield _no_address("\n".join(chunk)) + "\n"
            chunk.clear()
    if chunk:
        yield _no_address("\n".join(chunk)) + "\n"
    yield footer(site) + "\n</div>\n</body>\n</html>\n"


@functools.lru_cache(maxsize=1 << 14, typed=True)  # typed: True and 1 are different values
def _value(value: object, unit: str | None) -> str:
    return esc(value_text(value, unit))


def _no_address(text: str) -> str:
    """User text may hold addresses (a check-in's links): shown as text, with the colon written as a
    character reference, so no page holds a fetchable `scheme://` and no autolinker links it."""
    return text.replace("://", "&#58;//")


def _home(site: Site) -> tuple[str, str]:
    return (site.company_name or "Company", INDEX)


def _team_crumbs(site: Site, teams: list[str]) -> list[tuple[str, str]]:
    return [(site.teams[t].name if t in site.teams else t, team_path(t)) for t in teams]


# ====================================================================== small parts

def _owner_link(site: Site, page: str, owner: str) -> str:
    if owner in site.people:
        return _a(page, person_path(owner), esc(site.people[owner].name))
    if owner in site.teams:
        return _a(page, team_path(owner), esc(site.teams[owner].name))
    if owner == site.company:
        return _a(page, INDEX, esc(site.company_name))
    return f"<code>{esc(owner)}</code>"


def _objective_key(ref: str) -> str:
    """The objective key of a reference to an objective or to one of its key results."""
    cycle, rest = ref.split(":", 1) if ":" in ref else ("", ref)
    parts = rest.split("/")
    return f"{cycle}:{'/'.join(parts[:2])}"


def _ref_link(site: Site, page: str, ref: str) -> str:
    label = f'<span class="ref">{esc(short(ref, site.cycle))}</span>'
    return _a(page, site.paths.get(_objective_key(ref)), label)


def _figure_card(label: str, value: float | None, detail: str) -> str:
    """A card with an index 0-100 as a big number and a bar (the reports' score bar)."""
    if value is None:
        return f'<div class="card"><div class="muted">{esc(label)}</div><div class="big">n/a</div><p>{detail}</p></div>'
    band = "green" if value >= 70 else "yellow" if value >= 40 else "red"
    return (f'<div class="card"><div class="muted">{esc(label)}</div><div class="big">{index_text(value)}</div>'
            f'<div class="ix">{svg.score_bar(value / 100, band, label)}</div><p>{detail}</p></div>')


def _rate(num: int, den: int, rate: float | None) -> str:
    return "n/a" if rate is None else f"{percent(rate)} ({num} of {den})"


def _figures(f: HealthFigures | None, history: bool) -> list[str]:
    """The cards of a scope's health: fill-in, check-ins up to date, the four values."""
    if f is None:
        return []
    c = f.counts
    cards = [(f'<div class="card"><div class="muted">Fill-in</div><div class="big">'
             f'{"n/a" if f.fill_in_rate is None else percent(f.fill_in_rate)}</div>'
             f"<p>{c.owners_filled} of {c.owners} teams and people have objectives</p></div>")]
    if history:
        rate = f.checkin_rate
        cards.append(f'<div class="card"><div class="muted">Check-ins up to date</div><div class="big">'
                     f'{"n/a" if rate is None else percent(rate)}</div>'
                     f"<p>{c.up_to_date_key_results} of {c.open_key_results} open key results</p></div>")
    for index in INDICES:
        cards.append(_figure_card(INDEX_NAMES[index], f.indices[index], "index 0-100"))
    return ['<div class="cards">', *cards, "</div>"]


def _objective_line(site: Site, page: str, key: str) -> str:
    """One objective in a list: reference, linked title, band, status, score bar."""
    o = site.scorer.view(site.repository.objectives[key])
    label = short(o.ref, site.cycle)
    tags = " · ".join(t for t, on in (("committed", o.committed), ("private", o.private)) if on)
    return (f'<li><div class="node"><span class="t"><span class="ref">{esc(label)}</span> '
            f'{_a(page, site.paths.get(key), esc(o.title))}'
            + (f' <span class="muted">({tags})</span>' if tags else "") + "</span> "
            f"{_band(o.score, o.band)} {_status(o.status)} {svg.score_bar(o.score, o.band, f'{label} {o.title}')}"
            "</div></li>")


def _objective_list(site: Site, page: str, keys: list[str], empty: str) -> list[str]:
    if not keys:
        return [f'<p class="muted">{empty}</p>']
    return ['<ul class="tree">', *(_objective_line(site, page, k) for k in keys), "</ul>"]


def _owed_table(site: Site, page: str, owed) -> list[str]:
    rows = []
    for o in owed:
        for k in o.key_results:
            rows.append([_owner_link(site, page, o.owner), _ref_link(site, page, k.ref), esc(k.title),
                         k.last_checkin.isoformat() if k.last_checkin else "never", str(k.days_overdue)])
    if not rows:
        return []
    return [_table([("Owner", ""), ("Key result", "ref"), ("Title", "t"), ("Last check-in", "n"),
                    ("Days overdue", "n")], rows)]


def _owed_section(site: Site, page: str, owed, who: str) -> list[str]:
    if not site.history:
        return ['<h2>Check-ins owed</h2><p class="muted">Unknown: check-ins are read from git history.</p>']
    if site.state != "running":
        return ["<h2>Check-ins owed</h2>", f'<p class="muted">None: {esc(site.cycle)} is '
                + ("over" if site.state == "ended" else "not started") + ".</p>"]
    table = _owed_table(site, page, owed)
    head = f"<h2>Check-ins owed (none within {site.status.checkin_every} days)</h2>"
    return [head, *table] if table else [head, f"<p>None: {who} up to date.</p>"]


# ====================================================================== index

def _tree_html(site: Site, page: str) -> list[str]:
    tree = site.tree
    tops = tree.roots + tree.standalone + tree.unaligned
    kind = site.repository.org.kind
    objs = site.repository.objectives
    people_too = sum(1 for _ in tree.nodes()) <= TREE_LIMIT
    out = []
    if not people_too:
        out.append(f'<p class="muted">More than {TREE_LIMIT} objectives: the tree shows the company\'s and the '
                   "teams' objectives; people's objectives are on their team's and their own pages.</p>")

    def keep(node: TreeNode) -> bool:
        return people_too or kind(objs[node.ref].owner) != "person"

    out.append('<ul class="tree">')
    # Depth first without recursion (alignment chains may be thousands deep): ("open", node) or ("close", None).
    work: list[tuple[str, TreeNode | None]] = [("node", n) for n in reversed(tops) if keep(n)]
    while work:
        what, node = work.pop()
        if what == "close":
            out.append("</ul></li>")
            continue
        out.append("<li>" + _node(site, page, node))
        kids = [c for c in node.children if keep(c)]
        if kids:
            out.append("<ul>")
            work.append(("close", None))
            work.extend(("node", c) for c in reversed(kids))
        else:
            out[-1] += "</li>"
    out.append("</ul>")
    return out


def _node(site: Site, page: str, node: TreeNode) -> str:
    if node.objective is None:
        return '<div class="node"><span class="muted">private objective</span></div>'
    o = node.objective
    label = short(o.ref, site.cycle)
    extra = []
    if node.via_kr:
        extra.append(f"drives {esc(node.via_kr)}")
    if node.repeated:
        extra.append("its children are shown where it first appears")
    if node.context:
        extra.append("context")
    return (f'<div class="node"><span class="t"><span class="ref">{esc(label)}</span> '
            f'{_a(page, site.paths.get(o.ref), esc(o.title))} '
            f'<span class="owner">{_owner_link(site, page, o.owner)}'
            + (f" · {' · '.join(extra)}" if extra else "") + "</span></span> "
            f"{_band(o.score, o.band)} {_status(o.status)} {svg.score_bar(o.score, o.band, f'{label} {o.title}')}"
            "</div>")


def _teams_table(site: Site, page: str, teams: list[str], depth_of=None) -> list[str]:
    fill = {g.id: g for g in site.status.fill_in.groups}
    rows = []
    for t in teams:
        team = site.teams[t]
        depth = min(4, depth_of(t)) if depth_of else 0
        pad = f'<span class="pad{depth}"></span>' if depth else ""
        r = team.rollup
        g = fill.get(t)
        owed = team.owed_below
        rows.append([pad + _a(page, team_path(t), esc(team.name)),
                     _band(r.score, r.band) if r is not None else '<span class="muted">n/a</span>',
                     str(len(team.objectives)),
                     f"{g.filled} of {g.expected}" if g is not None else "n/a",
                     str(owed) if site.history and site.state == "running" else "–"])
    return [_table([("Team", "t"), ("Roll-up", "n"), ("Own objectives", "n wide"), ("Fill-in", "n"),
                    ("Check-ins owed", "n wide")], rows, stack=False)]


def index_page(site: Site) -> Iterator[str]:
    page = INDEX
    review = site.review
    state = {"ended": "ended", "running": "running", "not_started": "not started"}[site.state]
    company = next((s for s in site.health.scopes if s.kind == "company"), None)
    body = [f"<header><h1>{esc(site.company_name or 'OKRs')} · {esc(site.cycle)}</h1>",
            (f'<p class="meta">{site.start.isoformat()} to {site.end.isoformat()} ({state}) · as of '
            f"{site.as_of.isoformat()}</p>"),
            f'<p class="principle">{esc(review.ordering)}</p></header>',
            '<section id="numbers"><h2>The cycle in numbers</h2>']
    cards = []
    if review.company is not None:
        c = review.company
        cards.append(f'<div class="card"><div class="muted">Company roll-up ({plural(c.objectives, "objective")})'
                     f'</div><div class="big">{score_text(c.score)}</div>'
                     + (svg.score_bar(c.score, c.band or "", c.name) if c.score is not None else "") + "</div>")
    b = review.bands
    cards.append(f'<div class="card"><div class="muted">Objectives by band ({b.total})</div>'
                 f'{svg.band_chart({"red": b.red, "yellow": b.yellow, "green": b.green})}</div>')
    body += ['<div class="cards">', *cards, "</div>"]
    body += _figures(company.current if company else None, site.history)
    if not site.history:
        body.append('<p class="note">No git history: check-ins, burn-ups and follow-up are left out.</p>')
    body.append("</section>")
    body.append('<section id="tree"><h2>Company tree</h2><p class="legend">Each objective with its score '
                "(bar ticks at 0.4 and 0.7, the band limits) and status; what aligns to it below it.</p>")
    if site.company_objectives or site.tree.roots or site.tree.standalone or site.tree.unaligned:
        body += _tree_html(site, page)
    else:
        body.append(f'<p class="muted">No objectives for {esc(site.cycle)} yet.</p>')
    body.append("</section>")
    body.append('<section id="teams"><h2>Teams</h2>')
    if site.teams:
        body += _teams_table(site, page, list(site.teams), site.team_depth)
    else:
        body.append('<p class="muted">org.yaml lists no teams.</p>')
    body.append("</section>")
    loose = [p for p in site.people.values() if p.team is None]
    if loose:
        body.append("<section><h2>People outside a team</h2><ul class=\"links\">")
        body += [f"<li>{_a(page, person_path(p.id), esc(p.name))}</li>" for p in loose]
        body.append("</ul></section>")
    return _frame(site, page, f"{site.company_name or 'OKRs'} · {site.cycle}", [_home(site)], body)


# ====================================================================== team and person pages

def team_page(site: Site, tid: str) -> Iterator[str]:
    team = site.teams[tid]
    page = team_path(tid)
    org = site.repository.org
    above = list(reversed(org.team_ancestors(tid)))[:-1]
    meta = []
    if team.parent:
        meta.append("part of " + _a(page, team_path(team.parent), esc(site.teams[team.parent].name)))
    if team.lead:
        meta.append("led by " + _owner_link(site, page, team.lead))
    if team.github:
        meta.append(f"GitHub <code>@{esc(team.github)}</code>")
    body = [f'<header><h1>{esc(team.name)} <code>{esc(tid)}</code></h1>',
            f'<p class="meta">{" · ".join(meta) or "a team of " + esc(site.company_name)}</p></header>']
    r = team.rollup
    cards = [f'<div class="card"><div class="muted">Roll-up ({plural(r.objectives if r else 0, "objective")}, '
             f'with subteams and people)</div><div class="big">{score_text(r.score if r else None)}</div>'
             + (svg.score_bar(r.score, r.band or "", team.name) if r is not None and r.score is not None else "")
             + "</div>"]
    body += ['<div class="cards">', *cards, "</div>"]
    body += _figures(team.health.current if team.health else None, site.history)
    body += ["<h2>Objectives</h2>", *_objective_list(site, page, team.objectives,
                                                       f"No team objectives for {esc(site.cycle)}.")]
    body.append("<h2>People</h2>")
    if team.people:
        rows = []
        for pid in team.people:
            p = site.people[pid]
            rows.append([_a(page, person_path(pid), esc(p.name)), f"<code>{esc(pid)}</code>",
                         str(len(p.objectives)),
                         _band(p.rollup.score, p.rollup.band) if p.rollup else '<span class="muted">none</span>'])
        body.append(_table([("Name", "t"), ("Id", "wide"), ("Objectives", "n"), ("Score", "n")], rows, stack=False))
    else:
        body.append('<p class="muted">No people in this team itself.</p>')
    if team.subteams:
        body += ["<h2>Subteams</h2>", *_teams_table(site, page, team.subteams)]
    if team.missing:
        body += [f"<h2>Without OKRs for {esc(site.cycle)}</h2>", '<ul class="links">',
                 *(f"<li>{_owner_link(site, page, m)}</li>" for m in team.missing), "</ul>"]
    body += _owed_section(site, page, team.owed, "the team and its people are")
    if team.subteams and site.history and site.state == "running" and team.owed_below:
        below = team.owed_below - sum(len(o.key_results) for o in team.owed)
        if below:
            body.append(f'<p class="muted">And {plural(below, "key result")} in its subteams: see the table of '
                        "subteams above.</p>")
    crumbs = [_home(site), *_team_crumbs(site, above), (team.name, None)]
    return _frame(site, page, f"{team.name} · {site.cycle}", crumbs, body)


def person_page(site: Site, pid: str) -> Iterator[str]:
    person = site.people[pid]
    page = person_path(pid)
    org = site.repository.org
    above = list(reversed(org.team_ancestors(person.team))) if person.team else []
    meta = []
    if person.team:
        meta.append("in " + _a(page, team_path(person.team), esc(site.teams[person.team].name)))
    if person.github:
        meta.append(f"GitHub <code>@{esc(person.github)}</code>")
    body = [f"<header><h1>{esc(person.name)} <code>{esc(pid)}</code></h1>",
            f'<p class="meta">{" · ".join(meta) or "reports to the company"}</p></header>']
    r = person.rollup
    if r is not None:
        body += ['<div class="cards"><div class="card"><div class="muted">Mean of '
                 f'{plural(r.objectives, "objective")}</div><div class="big">{score_text(r.score)}</div>'
                 + (svg.score_bar(r.score, r.band or "", person.name) if r.score is not None else "")
                 + "</div></div>"]
    body += ["<h2>Objectives</h2>",
             *_objective_list(site, page, person.objectives, f"No objectives for {esc(site.cycle)} yet.")]
    body += _owed_section(site, page, [person.owed] if person.owed else [], f"{esc(person.name)} is")
    crumbs = [_home(site), *_team_crumbs(site, above), (person.name, None)]
    return _frame(site, page, f"{person.name} · {site.cycle}", crumbs, body)


# ====================================================================== objective pages

def _neighbours(site: Site, page: str, items: list[Neighbour], title: str, empty: str) -> list[str]:
    out = [f"<h3>{title}</h3>"]
    if not items:
        return [*out, f'<p class="muted">{empty}</p>']
    out.append('<ul class="links">')
    for n in items:
        if n.private:
            out.append('<li><span class="muted">private objective</span></li>')
            continue
        if n.missing:
            out.append(f'<li><span class="ref">{esc(short(n.ref, site.cycle))}</span> '
                       '<span class="muted">(names nothing: run okr check)</span></li>')
            continue
        via = f' <span class="muted">(drives {esc(n.via_kr)})</span>' if n.via_kr else ""
        score = f" {_band(n.score, _band_of(n.score))}" if n.score is not None else ""
        status = f" {_status(n.status)}" if n.status else ""
        target = site.paths.get(_objective_key(n.ref))
        out.append(f'<li><span class="ref">{esc(short(n.ref, site.cycle))}</span> '
                   f'<span class="t">{_a(page, target, esc(n.title or ""))}</span>{via}{score}{status}</li>')
    out.append("</ul>")
    return out


def _band_of(score: float) -> str:
    from ..scoring import band

    return band(score)


def _kr_target(k) -> str:
    v = k.view
    if v.kind == "milestone":
        return "done" if v.done else "not done yet"
    if v.kind == "threshold":
        return f"{value_text(v.current, v.unit)}, keep {v.keep} {value_text(v.target, v.unit)}"
    return f"{value_text(v.start)} → {value_text(v.current, v.unit)} of {value_text(v.target, v.unit)}"


def _checkins_list(k) -> list[str]:
    """The key result's check-ins, newest first: when, who, value, confidence, then the note and links."""
    if not k.checkins:
        return ['<p class="muted">No check-ins yet.</p>']
    out = ['<ol class="checkins" reversed>']
    for c in k.checkins:
        head = [c.date.date().isoformat(), f"<b>{esc(c.author_name)}</b>", _value(c.value, k.view.unit)]
        if c.confidence is not None:
            head.append(f"confidence {_value(c.confidence, None)}")
        if c.kind == "edit":
            head.append("edited by hand")
        note = f"<div>{_lines(c.note)}</div>" if c.note else ""
        links = "".join(f'<div class="muted">↳ <code>{esc(link)}</code></div>' for link in c.links)
        out.append(f'<li><div class="when">{" · ".join(head)}</div>{note}{links}</li>')
    out.append("</ol>")
    return out


def objective_html(site: Site, key: str, data: ObjectivePage) -> Iterator[str]:
    page = site.paths[key]
    o = data.detail.objective
    label = short(o.ref, site.cycle)
    tags = [t for t, on in (("committed", o.committed), ("aspirational", not o.committed),
                            ("private", o.private), ("standalone", bool(o.standalone)),
                            ("graded", o.review_score is not None)) if on]
    body = [f'<header><h1><span class="ref">{esc(label)}</span> <span class="t">{esc(o.title)}</span></h1>',
            (f'<p class="meta">{_owner_link(site, page, o.owner)} · {esc(o.cycle)} · {" · ".join(tags)} · '
            f"{_status(o.status)}</p></header>"),
            ('<div class="cards"><div class="card"><div class="muted">Score</div>'
            f'<div class="big">{score_text_of(o.score)}</div>'
            f'{"" if o.score is None else svg.score_bar(o.score, o.band, f"{label} {o.title}")}</div></div>')]
    if o.incomplete:  # its score is unknown, not computed from the key results that loaded
        body.append(f'<p class="note">{esc(incomplete_text(o.incomplete))}</p>')
    if o.description:
        body.append(f"<p>{_lines(o.description)}</p>")
    if o.standalone:
        body.append(f'<p class="muted">Standalone: {esc(o.standalone)}</p>')
    if o.review_notes:
        body.append(f"<h2>Review notes</h2><blockquote>{_lines(o.review_notes)}</blockquote>")
    d = data.detail
    body += ['<section id="alignment"><h2>Alignment</h2>',
             *_neighbours(site, page, d.parents, "Up: what it aligns to", "Aligns to nothing."),
             *_neighbours(site, page, d.children, "Down: what aligns to it", "Nothing aligns to it."),
             *_neighbours(site, page, d.dependencies, "Sideways: what it depends on", "Depends on nothing."),
             *_neighbours(site, page, d.dependents, "Sideways: what depends on it", "Nothing depends on it."),
             "</section>"]
    body.append('<section id="key-results"><h2>Key results</h2><p class="legend">Burn-up: <b></b>progress at '
                "each check-in, <i></i>the straight line from 0 at the cycle's start to 1 at its end.</p>")
    if not data.key_results:
        body.append('<p class="muted">No key results.</p>')
    cycle = site.repository.cycle(o.cycle)
    for k in data.key_results:
        v = k.view
        conf = f" · confidence {esc(value_text(v.confidence))}" if v.confidence is not None else ""
        chart = (svg.burn_up([(p.date, p.progress) for p in k.points], cycle.start, cycle.end, site.as_of,
                             f"{label}/{v.id}", v.band, k.start_progress)
                 if k.points and cycle is not None else "")
        body += [(f'<article class="objective" id="{esc(v.id)}"><h3><code>{esc(v.id)}</code> '
                 f'<span class="t">{esc(v.title)}</span> {_band(v.score, v.band)}</h3>'),
                 f'<p class="tags">{esc(v.kind)} · {esc(_kr_target(k))}{conf} · {_status(v.status)}'
                 + (" · graded" if v.graded else "") + "</p>",
                 f'<div class="figure">{chart}</div>' if chart else "",
                 "<h4>Check-ins</h4>", *_checkins_list(k), "</article>"]
    body.append("</section>")
    org = site.repository.org
    crumbs = [_home(site), *_team_crumbs(site, site.chain(o.owner))]
    if o.owner in site.people:
        crumbs.append((site.people[o.owner].name, person_path(o.owner)))
    elif o.owner in site.teams:
        crumbs.append((site.teams[o.owner].name, team_path(o.owner)))
    elif org.kind(o.owner) is None:
        crumbs.append((o.owner, None))
    crumbs.append((label, None))
    return _frame(site, page, f"{label} {o.title}", crumbs, body)


# ====================================================================== review and follow-up

def review_page(site: Site) -> Iterator[str]:
    body = itertools.chain(review_body(site.review, objectives=False), [
        ('<section id="objectives"><h2>Objectives and key results</h2><p>Every objective has a page '
        "with its key results, their burn-ups and check-ins: find it on its "
        f'{_a(REVIEW, INDEX, "company tree")} or its team\'s page.</p></section>')])
    return _frame(site, REVIEW, f"Review · {site.cycle}", [_home(site), (f"Review {site.cycle}", None)], body)


def followup_page(site: Site, followup: FollowUp) -> Iterator[str]:
    body = followup_body(followup)
    return _frame(site, FOLLOW_UP, f"Follow-up · {site.cycle}", [_home(site), (f"Follow-up {site.cycle}", None)],
                  body)


# ====================================================================== every page

def pages(site: Site) -> Iterator[tuple[str, Iterator[str]]]:
    """(site-relative path, the page's pieces) for every page but the follow-up (`followup_page`,
    built from its own report), each built when it is reached."""
    yield INDEX, index_page(site)
    yield REVIEW, review_page(site)
    for tid in site.teams:
        yield team_path(tid), team_page(site, tid)
    for pid in site.people:
        yield person_path(pid), person_page(site, pid)
    for key in site.objectives:
        yield site.paths[key], objective_html(site, key, objective_page(site, key))
