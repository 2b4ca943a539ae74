"""`okr checkin --from FILE|-`: check-ins from a file or stdin, for CI jobs that measure them.

The input is a JSON list of `{ref, value, confidence?, note?, link?}` or CSV with
that header. Every row is read and checked (the reference, the value against its
key result, the confidence, the text) before anything is written; one bad row and
nothing changes: each bad row is named with its line, and the command exits 2.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from . import output

if TYPE_CHECKING:
    from ..plans.checkin import Sources

MAX_INPUT_BYTES = 16 * 1024 * 1024
FIELDS = ("ref", "value", "confidence", "note", "link")


class _BadRow(str):
    """A CSV row that cannot be a check-in (the reason)."""


class _Bad(Exception):
    """The whole input is unreadable (not JSON, no header): one message with its line."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line, self.message = line, message


def read_rows(sources: Sources, source: str, note: str) -> tuple[list, str]:
    """The check-in entries of `source` (a path, or - for stdin) and the commit body."""
    from ..errors import OkrError
    from ..safe_text import visible

    name = "<stdin>" if source == "-" else source
    text = _read(source, name)
    try:
        rows = _json_rows(text) if text.lstrip().startswith("[") else _csv_rows(text)
    except _Bad as bad:
        raise OkrError(f"{name}:{bad.line}: {bad.message}; nothing was written",
                       hint="give a JSON list of {\"ref\": ..., \"value\": ...} objects, or CSV "
                            "with the header ref,value,confidence,note,link") from None
    if not rows:
        raise OkrError(f"{name} holds no check-ins; nothing was written",
                       hint='for example: [{"ref": "platform/O1/KR1", "value": 25}]')
    entries, notes, problems, seen = [], [], [], {}
    for line, row in rows:
        try:
            entry, row_note = _entry(sources, row)
        except OkrError as exc:
            hint = f" ({exc.hint})" if exc.hint else ""
            problems.append(f"{name}:{line}: {exc.message}{hint}")
            continue
        key = (entry[0].objective.cycle, entry[0].objective.ref, entry[0].kr.id)
        if key in seen:
            problems.append(f"{name}:{line}: {row['ref']} is already checked in on line {seen[key]}")
            continue
        seen[key] = line
        entries.append(entry)
        if row_note:
            notes.append((str(row["ref"]).strip(), row_note))
    if problems:
        for problem in problems:
            output.note(f"{visible(problem)}\n")
        count = len(problems)
        raise OkrError(f"{count} bad row{'s' * (count != 1)} in {name} (above); nothing was written",
                       hint="fix those rows and run okr checkin --from again")
    return entries, _body(note, notes)


def _read(source: str, name: str) -> str:
    from ..errors import OkrError

    try:
        if source == "-":
            data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1) if hasattr(sys.stdin, "buffer") \
                else sys.stdin.read(MAX_INPUT_BYTES + 1).encode("utf-8", "surrogateescape")
        else:
            with open(Path(source), "rb") as f:
                data = f.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise OkrError(f"cannot read {name}: {exc.strerror or exc}") from None
    if len(data) > MAX_INPUT_BYTES:
        raise OkrError(f"{name} is larger than 16 MiB; nothing was written")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise OkrError(f"{name}:{line}: not UTF-8 text; nothing was written") from None


def _skip(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t\r\n":
        at += 1
    return at


def _line(text: str, at: int) -> int:
    return text.count("\n", 0, at) + 1


def _json_rows(text: str) -> list[tuple[int, object]]:
    """`(line, item)` for each item of a JSON list (the line where the item starts)."""

    def no_constant(word: str):
        raise ValueError(f"{word} is not a number JSON allows")

    decoder = json.JSONDecoder(parse_constant=no_constant)
    at = _skip(text, 0) + 1  # past '['
    rows: list[tuple[int, object]] = []
    at = _skip(text, at)
    if at < len(text) and text[at] == "]":
        at += 1
    else:
        while True:
            line = _line(text, at)
            try:
                item, at = decoder.raw_decode(text, at)
            except json.JSONDecodeError as exc:
                raise _Bad(exc.lineno, f"not valid JSON: {exc.msg}") from None
            except ValueError as exc:
                raise _Bad(line, str(exc)) from None
            rows.append((line, item))
            at = _skip(text, at)
            if at < len(text) and text[at] == ",":
                at = _skip(text, at + 1)
                continue
            if at < len(text) and text[at] == "]":
                at += 1
                break
            raise _Bad(_line(text, at), "not valid JSON: expected ',' or ']' after an item")
    if _skip(text, at) != len(text):
        raise _Bad(_line(text, at), "not valid JSON: text after the list")
    return rows


def _csv_rows(text: str) -> list[tuple[int, object]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            return []
        columns = [h.strip().lower() for h in header]
        unknown = [c for c in columns if c not in FIELDS]
        if unknown or "ref" not in columns or len(set(columns)) != len(columns):
            problem = (f"unknown column '{unknown[0]}'" if unknown else
                       "no 'ref' column" if "ref" not in columns else "a column is repeated")
            raise _Bad(1, f"{problem} in the CSV header; columns: {', '.join(FIELDS)}")
        rows: list[tuple[int, object]] = []
        line = reader.line_num + 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                if len(cells) > len(columns):
                    rows.append((line, _BadRow(f"has {len(cells)} cells, the header {len(columns)}")))
                else:
                    rows.append((line, {c: v for c, v in zip(columns, cells) if v.strip() != ""}))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise _Bad(reader.line_num, f"not valid CSV: {exc}") from None
    return rows


def _entry(sources: Sources, row: object) -> tuple[tuple, str]:
    """One row as `(target, value, confidence, links)` and its note; OkrError if it is bad."""
    from ..errors import OkrError
    from ..plans.checkin import check_text, parse_fraction, parse_kr_value

    if isinstance(row, _BadRow):
        raise OkrError(str(row))
    if not isinstance(row, dict):
        raise OkrError('each item must be an object: {"ref": ..., "value": ...}')
    unknown = [k for k in row if k not in FIELDS]
    if unknown:
        raise OkrError(f"unknown field '{unknown[0]}'; fields: {', '.join(FIELDS)}")
    ref = row.get("ref")
    if not isinstance(ref, str) or not ref.strip():
        raise OkrError("no 'ref': name the key result, e.g. platform/O1/KR1")
    ref = ref.strip()
    target = sources.resolve(ref)
    if target.kr is None:
        raise OkrError(f"{ref} is an objective; name one of its key results")
    kr = target.kr
    note = row.get("note")
    if note is not None and not isinstance(note, str):
        raise OkrError(f"{ref}: 'note' must be text")
    note = check_text(note or "", "note", multiline=True)
    links = row.get("link")
    links = [] if links is None else links.split() if isinstance(links, str) else links  # URLs have no spaces
    if not isinstance(links, list) or not all(isinstance(item, str) and item.strip() for item in links):
        raise OkrError(f"{ref}: 'link' must be a URL or a list of URLs")
    links = [check_text(item, "link", multiline=False) for item in links]
    level = row.get("confidence")
    if level is not None:
        if isinstance(level, bool) or not isinstance(level, (int, float, str)):
            raise OkrError(f"{ref}: the confidence must be a number from 0 to 1")
        level = parse_fraction(level, f"the confidence of {ref}")
    value = row.get("value")
    if value is None or value == "":
        if level is None and not note:
            raise OkrError(f"{ref} has no value: give a value, a confidence or a note")
        value = kr.done if kr.kind == "milestone" else kr.current
    else:
        if isinstance(value, bool):
            value = "done" if value else "not-done"
        elif isinstance(value, (int, float)):
            value = repr(value)
        elif not isinstance(value, str):
            raise OkrError(f"{ref}: the value must be a number, or done / not-done for a milestone")
        value = parse_kr_value(kr, ref, value)
    return (target, value, level, links), note


def _body(note: str, notes: list[tuple[str, str]]) -> str:
    """The commit body: the --note, then each row's note (alone, or as `REF: note` lines)."""
    parts = [note] if note else []
    if len(notes) == 1 and not note:
        parts.append(notes[0][1])
    elif notes:
        parts.append("\n".join(f"{ref}: {text}" for ref, text in notes))
    return "\n\n".join(parts)
