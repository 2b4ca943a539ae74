"""A report as JSON: the dataclass tree itself (hledger's habit), so JSON and text never disagree.

Dates are ISO strings, scores full floats. Lists of records are written one
record per line (compact inside), and only the objects that hold such lists are
spread over lines: readable, diffable, and written by the C encoder even when a
review of 10,000 people holds 100,000 records.
"""

from __future__ import annotations

import json
from dataclasses import fields, is_dataclass
from datetime import date, datetime

_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False)
_FIELDS: dict[type, tuple[tuple[str, bool], ...]] = {}


def _names(cls: type) -> tuple[tuple[str, bool], ...]:
    """(name, left out when empty) of a dataclass's fields (`metadata={"omit_empty": True}`)."""
    got = _FIELDS.get(cls)
    if got is None:
        got = _FIELDS[cls] = tuple((f.name, bool(f.metadata.get("omit_empty"))) for f in fields(cls))
    return got


def jsonable(value):
    """Dataclasses as dicts (their fields, in order), dates as ISO strings, tuples as lists."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if is_dataclass(value):
        out = {}
        for name, omit in _names(type(value)):
            item = getattr(value, name)
            if not (omit and not item):
                out[name] = jsonable(item)
        return out
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return str(value)


def _records(value) -> bool:
    return isinstance(value, list) and bool(value) and isinstance(value[0], dict)


def _holds_records(value) -> bool:
    return isinstance(value, dict) and any(_records(v) for v in value.values())


def _write(value, indent: str, out: list[str]) -> None:
    if _holds_records(value):
        inner = indent + "  "
        out.append("{")
        for n, (key, item) in enumerate(value.items()):
            out.append(("\n" if n == 0 else ",\n") + inner + _ENCODER.encode(key) + ": ")
            _write(item, inner, out)
        out.append("\n" + indent + "}")
    elif _records(value):
        inner = indent + "  "
        out.append("[")
        for n, item in enumerate(value):
            out.append(("\n" if n == 0 else ",\n") + inner)
            _write(item, inner, out)
        out.append("\n" + indent + "]")
    else:
        out.append(_ENCODER.encode(value))


def to_json(report) -> str:
    """The report (a dataclass) as a JSON document ending in a newline."""
    out: list[str] = []
    _write(jsonable(report), "", out)
    out.append("\n")
    return "".join(out)
