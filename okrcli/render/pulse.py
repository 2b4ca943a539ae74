"""`okr status` and `okr health` as text, JSON, Markdown and GitHub workflow commands.

User text (names, titles) is made safe for each target: control and bidi
characters become visible escapes everywhere; in Markdown, HTML and inline
markup characters are escaped and `@` cannot start a mention; in workflow
commands, values are escaped as @actions/core escapes them. JSON is the report
itself; dates are ISO strings, shares full floats, indices 0-100 full floats.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from ..reports.pulse import ENDED, INDICES, NOT_STARTED, Health, Status
from .escape import github_data, github_property
from .escape import markdown as md
from .findings import ci_path
from .json import dumps
from .numbers import index as index_text
from .numbers import percent, signed
from .styled import Line, user

INDEX_NAMES = {"focus": "Focus", "follow_up": "Follow-up", "collaboration": "Collaboration",
               "activation": "Activation"}
REASONS = {"no_file": "no file", "no_objectives": "no objectives", "unreadable": "file unreadable"}
BAR_WIDTH = 20


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _pct(value: float | None) -> str:
    return "n/a" if value is None else percent(value)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"




def _owner_label(name: str, owner: str) -> str:
    return owner if name == owner else f"{name} ({owner})"


# ====================================================================== okr status

def status_json(s: Status) -> str:
    return dumps(s, allow_nan=True)


def _short(ref: str, cycle: str) -> str:
    return ref[len(cycle) + 1:] if ref.startswith(cycle + ":") else ref


def _overdue(days: int) -> str:
    return "due today" if days == 0 else f"{_plural(days, 'day')} overdue"


def _followup_note(s: Status) -> str | None:
    """Why nothing is owed, when the cycle is not running or history is missing."""
    if s.owed is None:
        return "unknown: check-ins are read from git, and this is not a git work tree"
    if s.state == ENDED:
        return f"none: {s.cycle} has ended (okr review looks back on it)"
    if s.state == NOT_STARTED:
        return f"none: {s.cycle} has not started"
    return None


def status_text_lines(s: Status) -> list[Line]:
    fill = s.fill_in
    head = f"Status of {s.cycle} as of {s.as_of.isoformat()} (check-ins every {_plural(s.checkin_every, 'day')})"
    lines: list[Line] = [[(head, "bold")]]
    if s.selection:
        lines.append([(f"for {user(s.selection)}", "dim")])
    lines += [[], [(f"Fill-in: {fill.filled} of {fill.expected} have objectives ({_pct(fill.rate)})", "bold")]]
    missing = {m.owner: m for m in fill.missing}
    labels = [_owner_label(user(g.name), g.id) for g in fill.groups]
    width = max((len(label) for label in labels), default=0)
    for g, label in zip(fill.groups, labels):
        line: Line = [(f"  {label:<{width}}  {g.filled} of {g.expected}  {_pct(g.rate):>4}", "")]
        if g.missing:
            who = ", ".join(f"{m} ({REASONS[missing[m].reason]})" for m in g.missing)
            line.append((f"  missing: {who}", "yellow"))
        lines.append(line)
    lines.append([])
    note = _followup_note(s)
    if note is not None:
        lines.append([(f"Check-ins owed: {note}", "bold")])
    elif not s.owed:
        lines.append([("Check-ins owed: none", "bold")])
    else:
        lines.append([((f"Check-ins owed: {_plural(s.owed_key_results, 'key result')} of "
                       f"{_plural(len(s.owed), 'owner')}"), "bold")])
        for o in s.owed:
            last = o.last_checkin.isoformat() if o.last_checkin else "never"
            lines.append([(f"  {_owner_label(user(o.name), o.owner)}", "bold"), (f"  last check-in {last}", "dim")])
            for k in o.key_results:
                since = f"last {k.last_checkin.isoformat()}" if k.last_checkin else "never checked in"
                lines.append([(f"    {_short(k.ref, s.cycle)}  ", ""), (user(k.title), ""),
                              (f"  ({since}; {_overdue(k.days_overdue)})", "yellow")])
    if s.empty_objectives:
        lines += [[], [(f"Objectives without key results: {len(s.empty_objectives)}", "bold")]]
        for e in s.empty_objectives:
            lines.append([(f"  {_short(e.ref, s.cycle)}  ", ""), (user(e.title), "")])
    return lines


def status_markdown(s: Status, mentions: Mapping[str, str | None] | None = None) -> str:
    """The status as GitHub Markdown; with `mentions` (owner -> github handle), a Reminders list that
    @mentions each owner who owes something. Elsewhere `@` never starts a mention."""
    fill = s.fill_in
    out = [f"## OKR status: {md(s.cycle)}", "",
           f"As of {s.as_of.isoformat()}; check-ins every {_plural(s.checkin_every, 'day')}."
           + (f" Selection: {md(s.selection)}." if s.selection else ""), "",
           f"### Fill-in: {fill.filled} of {fill.expected} ({_pct(fill.rate)})", ""]
    reasons = {m.owner: m.reason for m in fill.missing}
    out += ["| Team | Filled | Rate | Missing |", "|---|---|---|---|"]
    for g in fill.groups:
        who = ", ".join(f"{md(m)} ({REASONS[reasons[m]]})" for m in g.missing)
        out.append(f"| {md(_owner_label(g.name, g.id))} | {g.filled} of {g.expected} | {_pct(g.rate)} | {who} |")
    out.append("")
    note = _followup_note(s)
    if note is not None or not s.owed:
        out += [f"### Check-ins owed: {md(note or 'none')}", ""]
    else:
        out += [f"### Check-ins owed: {_plural(s.owed_key_results, 'key result')}", "",
                "| Owner | Key result | Last check-in | Overdue |", "|---|---|---|---|"]
        for o in s.owed:
            for k in o.key_results:
                last = k.last_checkin.isoformat() if k.last_checkin else "never"
                out.append(f"| {md(_owner_label(o.name, o.owner))} | {md(_short(k.ref, s.cycle))} {md(k.title)} "
                           f"| {last} | {_plural(k.days_overdue, 'day')} |")
        out.append("")
    if s.empty_objectives:
        out += ["### Objectives without key results", ""]
        out += [f"- {md(_short(e.ref, s.cycle))}: {md(e.title)}" for e in s.empty_objectives]
        out.append("")
    if mentions is not None:
        out += _reminders(s, mentions)
    return "\n".join(out)


_HANDLE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}(?:/[A-Za-z0-9][A-Za-z0-9_-]{0,99})?$")


def _reminders(s: Status, mentions: Mapping[str, str | None]) -> list[str]:
    """One line per owner who owes check-ins or has no OKRs, starting with their `@handle` (org.yaml
    `github:`), so a comment with this report notifies them; owners without one are named, not mentioned."""
    owing: dict[str, tuple[str, list[str]]] = {}
    for o in s.owed or ():
        owing.setdefault(o.owner, (o.name, []))[1].append(_plural(len(o.key_results), "check-in") + " owed")
    for m in s.fill_in.missing:
        what = {"no_file": f"no OKRs for {s.cycle} yet", "no_objectives": f"no objectives in {m.path}",
                "unreadable": f"an OKR file okr cannot read ({m.path})"}[m.reason]
        owing.setdefault(m.owner, (m.name, []))[1].append(what)
    if not owing:
        return []
    out = ["### Reminders", ""]
    for owner, (name, what) in owing.items():
        handle = mentions.get(owner)
        if handle is not None and _HANDLE.match(handle):
            out.append(f"- @{handle} ({md(_owner_label(name, owner))}): {md('; '.join(what))}")
        else:
            out.append(f"- {md(_owner_label(name, owner))}: {md('; '.join(what))} (no `github:` in org.yaml)")
    out.append("")
    return out


def _command(level: str, props: dict[str, object], message: str) -> str:
    shown = ",".join(f"{k}={github_property(v)}" for k, v in props.items())
    return f"::{level} {shown}::{github_data(message)}\n"


def status_github(s: Status, root: Path) -> str:
    """One warning per owner owing check-ins (on their OKR file), per owner without OKRs (on their
    org.yaml entry), and per objective without key results."""
    out = []
    for o in s.owed or ():
        krs = "; ".join(
            f"{_short(k.ref, s.cycle)} ({'last ' + k.last_checkin.isoformat() if k.last_checkin else 'never'}, "
            f"{_overdue(k.days_overdue)})" for k in o.key_results)
        out.append(_command("warning", {"file": ci_path(root, o.path, outside_git="cwd"), "line": o.key_results[0].line,
                                        "title": "okr status: check-ins owed"},
                            f"{_owner_label(o.name, o.owner)} owes {_plural(len(o.key_results), 'check-in')}: {krs}"))
    for m in s.fill_in.missing:
        what = {"no_file": f"has no OKR file for {s.cycle} ({m.path})",
                "no_objectives": f"has no objectives in {m.path}",
                "unreadable": f"has an OKR file that okr cannot read ({m.path}; run okr check)"}[m.reason]
        out.append(_command("warning", {"file": ci_path(root, "org.yaml", outside_git="cwd"), "line": m.org_line,
                                        "title": "okr status: OKRs missing"},
                            f"{_owner_label(m.name, m.owner)} {what}"))
    for e in s.empty_objectives:
        out.append(_command("warning", {"file": ci_path(root, e.path, outside_git="cwd"), "line": e.line,
                                        "title": "okr status: no key results"},
                            f"{_short(e.ref, s.cycle)} has no key results: {e.title}"))
    return "".join(out)


# ====================================================================== okr health

def health_json(h: Health) -> str:
    return dumps(h, allow_nan=True)


def _bar(value: float, fancy: bool) -> str:
    filled = min(BAR_WIDTH, max(0, int(value / 100 * BAR_WIDTH + 0.5)))
    full, empty = ("█", "░") if fancy else ("#", "-")
    return full * filled + empty * (BAR_WIDTH - filled)


def _style(value: float) -> str:
    return "green" if value >= 70 else "yellow" if value >= 40 else "red"


def _delta(value: float | None) -> str:
    if value is None:
        return ""
    return signed(value)


def _rate_line(label: str, rate: float | None, num: int, den: int) -> str:
    return f"{label} {_pct(rate)} ({num} of {den})" if den else f"{label} n/a"


def health_text_lines(h: Health, fancy: bool) -> list[Line]:
    """Indices as bars; `fancy` draws them with block characters (a terminal), else `#` and `-`."""
    head = f"Health of {h.cycle} as of {h.as_of.isoformat()}"
    head += f" (trend against {h.previous_cycle})" if h.previous_cycle else " (no earlier cycle to compare)"
    lines: list[Line] = [[(head, "bold")]]
    if not h.history:
        lines.append([("no git history: follow-up and check-in rate are unknown", "yellow")])
    width = max(len(n) for n in INDEX_NAMES.values())
    for scope in h.scopes:
        f = scope.current
        lines += [[], [(_owner_label(user(scope.name), scope.id), "bold"),
                       (f"  {scope.kind}" + (f" in {scope.parent}" if scope.parent else ""), "dim")]]
        for index in INDICES:
            value = f.indices[index]
            label = f"  {INDEX_NAMES[index]:<{width}}  "
            if value is None:
                lines.append([(label, ""), ("n/a (nothing to count yet)", "dim")])
                continue
            line: Line = [(label, ""), (_bar(value, fancy), _style(value)), (f" {index_text(value):>5}", _style(value))]
            trend = scope.trend.get(index) if scope.trend else None
            if trend is not None:
                line.append((f"  {_delta(trend)} vs {h.previous_cycle}", "dim"))
            lines.append(line)
        c = f.counts
        lines.append([((f"  {_rate_line('Fill-in', f.fill_in_rate, c.owners_filled, c.owners)}"
                       f" · {_rate_line('check-ins up to date', f.checkin_rate, c.up_to_date_key_results, c.open_key_results)}"),
                       "dim")])
    lines += [[], [("Formulas: README, \"okr health (the four values)\". Teams count their subteams.", "dim")]]
    return lines


def _md_cell(value: float | None, trend: float | None) -> str:
    if value is None:
        return "n/a"
    return index_text(value) + (f" ({_delta(trend)})" if trend is not None else "")


def health_markdown(h: Health) -> str:
    out = [f"## OKR health: {md(h.cycle)}", "",
           f"As of {h.as_of.isoformat()}. Indices 0-100"
           + (f"; in brackets, the change since {md(h.previous_cycle)}." if h.previous_cycle else ".")
           + " Teams count their subteams.", "",
           "| Scope | Focus | Follow-up | Collaboration | Activation | Fill-in | Check-ins up to date |",
           "|---|---|---|---|---|---|---|"]
    for scope in h.scopes:
        f = scope.current
        cells = [_md_cell(f.indices[i], scope.trend.get(i) if scope.trend else None) for i in INDICES]
        out.append(f"| {md(_owner_label(scope.name, scope.id))} | " + " | ".join(cells)
                   + f" | {_pct(f.fill_in_rate)} | {_pct(f.checkin_rate)} |")
    out.append("")
    return "\n".join(out)
