"""`okr log` as text: aligned columns, one check-in (or work commit) per line."""

from __future__ import annotations

from ..reports.log import CheckInLog, WorkLog
from ..safe_text import visible


def checkin_lines(log: CheckInLog, current: str) -> list[str]:
    """`date  author  ref  old -> new unit  confidence  note`, in aligned columns.

    Built column by column: what repeats (an author's name made safe, a value as shown, a
    confidence) is worked out once per distinct text, not once per check-in."""
    checkins = log.checkins
    dates = _each_once([c.date.date() for c in checkins], _day)
    names = _each_once([c.author_name for c in checkins], visible)
    refs = [c.ref if c.cycle == current else f"{c.cycle}:{c.ref}" for c in checkins]
    changes = [_change(c) for c in checkins]
    levels = _each_once([c.confidence for c in checkins], _confidence)
    notes = _each_once([c.note for c in checkins], _first_line)
    names, refs, changes, levels = (_padded(names, min(_widest(names), 24)), _padded(refs, _widest(refs)),
                                    _padded(changes, _widest(changes)), _padded(levels, _widest(levels)))
    return [f"{d}  {n}  {r}  {v}  {k}  {t}".rstrip() for d, n, r, v, k, t in zip(dates, names, refs, changes, levels,
                                                                                notes)]


def _each_once(items: list, make) -> list[str]:
    """`make(item)` for each item, each distinct item made once (a false one told apart by its
    text too: 0.0 == -0.0, and `confidence -0` is what a trailer `-0` shows)."""
    done: dict = {}
    return [done[key] if key in done else done.setdefault(key, make(item))
            for item in items for key in (item if item else (type(item), str(item)),)]


def _padded(column: list[str], width: int) -> list[str]:
    """Each text of a column padded to `width` (as `f"{text:<{width}}"`), each distinct text once."""
    return _each_once(column, lambda text: text.ljust(width))


def _day(day) -> str:
    return day.isoformat()


def _first_line(note: str) -> str:
    return visible(note.split("\n", 1)[0]) if note else ""


def _widest(column: list[str]) -> int:
    return max(map(len, column), default=0)


def _confidence(level: float | None) -> str:
    return "" if level is None else f"confidence {level:g}"


_SHOWN: dict = {}  # (type, value, unit) -> as format_value shows it: values repeat across check-ins


def _shown(value: object, unit: str | None = None) -> str:
    """`plans.checkin.format_value`, once per distinct value (its type in the key: True == 1)."""
    memo = (type(value), value, unit)
    found = _SHOWN.get(memo)
    if found is None:
        from ..plans.checkin import format_value

        found = _SHOWN[memo] = format_value(value, unit)
    return found


def _change(c) -> str:
    if c.kind == "grade":
        return f"graded {_shown(c.value)}"
    if c.kind == "derived":
        return f"{_derived_value(c.previous)} -> {_derived_value(c.value, c.unit)} (derived)"
    new = _shown(c.value, c.unit)
    change = new if c.previous is None else f"{_shown(c.previous)} -> {new}"
    return change + " (edit)" if c.kind == "edit" else change


def _derived_value(value: object, unit: str | None = None) -> str:
    """A computed value as shown: at most two decimals (a roll-up is a score from 0 to 1)."""
    from ..plans.checkin import format_value
    from .numbers import fixed

    if isinstance(value, float):
        value = fixed(value).rstrip("0").rstrip(".")
    return format_value(value, unit)


def work_lines(log: WorkLog, current: str) -> list[str]:
    """`date  author  ref  commit  subject`, in aligned columns."""
    rows = [(w.date.date().isoformat(), visible(w.author_name)[:24], w.ref if w.cycle == current else w.key,
             w.commit[:7], visible(w.subject)) for w in log.work]
    widths = [max(len(row[n]) for row in rows) for n in range(3)]
    return [f"{r[0]}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}  {r[4]}".rstrip() for r in rows]


def checkin_json(log: CheckInLog) -> str:
    """`render.json.dumps(log, allow_nan=True)` of a check-in log, byte for byte, written as one
    template per check-in (the standard encoder indents in Python, one value at a time)."""
    from json.encoder import encode_basestring as text

    from ..load.history import CheckIn

    if not log.checkins:
        return f'{{\n  "shallow": {_scalar(log.shallow)},\n  "checkins": []\n}}\n'
    heads: dict[tuple, str] = {}  # what repeats across check-ins is encoded once
    middles: dict[tuple, str] = {}
    tails: dict[tuple, str] = {}
    parts = []
    for c in log.checkins:
        if type(c) is not CheckIn:  # not a record of the history: the general encoder
            from .json import dumps

            return dumps(log, allow_nan=True)
        head = heads.get((c.kind, c.cycle, c.ref))
        if head is None:
            head = heads[c.kind, c.cycle, c.ref] = (
                f'      "kind": {text(c.kind)},\n      "ref": {text(f"{c.cycle}:{c.ref}")},\n'
                f'      "cycle": {text(c.cycle)},\n')
        # Types in the key (True == 1), and zeros as text (0.0 == -0.0, which JSON tells apart).
        values = (type(c.value), c.value or str(c.value), type(c.previous), c.previous or str(c.previous), c.unit,
                  type(c.confidence), c.confidence or str(c.confidence))
        middle = middles.get(values)
        if middle is None:
            middle = middles[values] = (
                f'      "value": {_scalar(c.value)},\n      "previous": {_scalar(c.previous)},\n'
                f'      "unit": {_scalar(c.unit)},\n      "confidence": {_scalar(c.confidence)},\n')
        who = (c.author_name, c.author_email)
        author = tails.get(who)
        if author is None:
            author = tails[who] = (f'      "author": {{\n        "name": {text(c.author_name)},\n'
                                   f'        "email": {text(c.author_email)}\n      }},\n')
        links = "[]" if not c.links else \
            "[\n" + ",\n".join(f"        {text(link)}" for link in c.links) + "\n      ]"
        parts.append(f'    {{\n      "date": "{c.date.isoformat()}",\n{head}{middle}{author}'
                     f'      "commit": {text(c.commit)},\n      "note": {text(c.note)},\n'
                     f'      "links": {links}\n    }}')
    return f'{{\n  "shallow": {_scalar(log.shallow)},\n  "checkins": [\n' + ",\n".join(parts) + "\n  ]\n}\n"


def _scalar(value: object) -> str:
    """A value as the standard JSON encoder writes it (allow_nan: NaN and Infinity as JavaScript)."""
    import math
    from json.encoder import encode_basestring

    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is str:
        return encode_basestring(value)
    if type(value) is float:
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return float.__repr__(value)
    if type(value) is int:
        return int.__repr__(value)
    import json

    return json.dumps(value, allow_nan=True)
