"""In-place YAML edits that change only the bytes of the values being set.

`apply_changes(data, [Change(path, value), ...])` finds each target with
`yaml.compose` marks and splices a freshly formatted scalar into the text, so
comments, key order, quoting elsewhere, flow collections, blank lines, CRLF line
endings and a UTF-8 BOM stay byte for byte. A missing key is added after its
mapping's last entry (block) or before the closing brace (flow). Every result is
re-parsed and must equal the old document with exactly the requested changes;
otherwise `EditError` is raised and nothing is returned.

Writing the result is `files.write_atomic`'s job (okr's one writer); `read_or_none` reads
what a file holds now.
"""

from __future__ import annotations

import copy
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import OkrError

try:  # libyaml: the same parser the loader uses, and 7-10x faster.
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - only without libyaml
    _Loader = yaml.SafeLoader

Key = str | int
_BOM = b"\xef\xbb\xbf"
_BREAK_RE = re.compile(r"\r\n|\r|\n")
_INDENT_STEP = 2
_STR_TAG = "tag:yaml.org,2002:str"
_NULL_TAG = "tag:yaml.org,2002:null"
# Words some YAML reader (1.1 or 1.2) takes for a boolean or null: always quote them.
_SPECIAL_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}
_PLAIN_BAD_START = set("-?:,[]{}#&*!|>'\"%@`+.~0123456789 \t")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0"}


class EditError(OkrError):
    """An in-place edit that cannot be made safely; the file is left untouched."""


@dataclass(frozen=True)
class Change:
    """Set the value at `path` (mapping keys are `str`, list positions `int`).

    Example: `Change(("objectives", 0, "key_results", 1, "current"), 25)`.
    Missing mapping keys on the way are created; list items never are.
    """

    path: tuple[Key, ...]
    value: str | int | float | bool


# --- public API -------------------------------------------------------------------


def apply_changes(data: bytes, changes: Sequence[Change]) -> bytes:
    """Return `data` with every change applied and every other byte unchanged."""
    bom = _BOM if data.startswith(_BOM) else b""
    try:
        text = data[len(bom) :].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EditError(
            f"cannot edit the file in place: it is not valid UTF-8 ({exc.reason})"
        ) from None
    before = _load(text, "it is not valid YAML")
    expected = copy.deepcopy(before)
    for change in changes:
        _check_change(change)
        text = _apply_one(text, change)
        _set_in(expected, change.path, change.value)
    after = _load(text, "the edited file would not load")
    if not _same(after, expected):
        raise EditError(
            "cannot edit the file in place: the result would differ from the intended change",
            hint="edit the file by hand, then commit it",
        )
    return bom + text.encode("utf-8")


def format_scalar(value: object, style: str | None = None) -> str:
    """A single-line YAML scalar that every YAML reader reads back as `value`.

    Integers as written (`25`), floats always with a dot (`0.6`, `25.0`, `1.0e+20`),
    `true`/`false`, strings plain when that is unambiguous, else double-quoted with
    escapes (`"no"`, `"2026-11-27"`, `"line 1\\nline 2"`). `style` ("'" or '"') asks
    for that quoting of a string where it can represent the value.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _format_float(float(value))
    if not isinstance(value, str):
        raise TypeError(f"cannot write a {type(value).__name__} as a YAML scalar")
    if style == '"':
        return _double_quoted(value)
    if style == "'" and not any(_needs_escape(c) or c in "\n\t" for c in value):
        return "'" + value.replace("'", "''") + "'"
    return value if _plain_is_safe(value) else _double_quoted(value)


def read_or_none(path: Path) -> bytes | None:
    """The bytes a file holds now, or None when it does not exist."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


# --- locating and splicing ----------------------------------------------------------


def _apply_one(text: str, change: Change) -> str:
    """Splice one change into `text` (re-composed per change, so changes compose)."""
    node = _compose(text)
    holder: tuple[yaml.MappingNode, yaml.Node] | None = None  # (mapping, key node) of `node`
    path = change.path
    for depth, key in enumerate(path):
        where = _describe(path[: depth + 1])
        if isinstance(key, int):
            if not isinstance(node, yaml.SequenceNode):
                raise EditError(
                    f"cannot set {_describe(path)}: {_describe(path[:depth])} is not a list"
                )
            if not 0 <= key < len(node.value):
                raise EditError(f"cannot set {_describe(path)}: there is no {where}")
            node, holder = node.value[key], None
            continue
        if isinstance(node, yaml.MappingNode):
            entry = _find_key(node, key, where)
            if entry is None:
                return _insert_into_mapping(text, node, path[depth:], change.value)
            key_node, child = entry
            if child.start_mark.index < key_node.end_mark.index:
                raise EditError(f"cannot set {where}: its value is an alias (*name)")
            node, holder = child, (node, key_node)
            continue
        if holder is not None and _is_null(node):
            return _fill_null(text, node, holder, path[depth:], change.value)
        raise EditError(f"cannot set {_describe(path)}: {_describe(path[:depth])} is not a mapping")
    if not isinstance(node, yaml.ScalarNode):
        raise EditError(f"cannot set {_describe(path)}: it holds a mapping or a list, not a value")
    return _replace_scalar(text, node, change.value)


def _find_key(
    mapping: yaml.MappingNode, key: str, where: str
) -> tuple[yaml.Node, yaml.Node] | None:
    found = [
        (k, v)
        for k, v in mapping.value
        if isinstance(k, yaml.ScalarNode) and k.tag == _STR_TAG and k.value == key
    ]
    if len(found) > 1:
        raise EditError(f"cannot set {where}: the key `{key}` appears more than once")
    return found[0] if found else None


def _replace_scalar(text: str, node: yaml.ScalarNode, value: object) -> str:
    """Replace a scalar's whole span (quotes, tag, block lines) with the new value."""
    start, end = node.start_mark.index, node.end_mark.index
    style = node.style if node.style in ("'", '"') and isinstance(value, str) else None
    new = format_scalar(value, style)
    if start == end:  # an empty (implicit null) value: after `:`/`-`, or at the next token
        return text[:start] + _space_after(text, start) + new + text[end:]
    if node.style in ("|", ">"):
        # A block scalar's span runs over its trailing line breaks: keep those as lines.
        end = start + len(text[start:end].rstrip(" \t\r\n"))
    return text[:start] + new + text[end:]


def _insert_into_mapping(
    text: str, mapping: yaml.MappingNode, rest: tuple[Key, ...], value: object
) -> str:
    """Add `rest[0]` (and any deeper keys of `rest`) with `value` to `mapping`."""
    if mapping.flow_style:
        entry = _flow_entry(rest, value)
        if not mapping.value:
            close = mapping.end_mark.index - 1
            if text[close : close + 1] != "}":
                raise EditError(f"cannot add {_describe(rest)}: unexpected flow mapping layout")
            return text[:close] + entry + text[close:]
        last = mapping.value[-1][1]
        pos = last.end_mark.index
        sep = ", " if last.start_mark.index < pos else _space_after(text, pos) + ", "
        return text[:pos] + sep + entry + text[pos:]
    indent = mapping.value[0][0].start_mark.column
    pos, at_line_start = _block_end(text, mapping)
    lines = _block_lines(rest, value, indent)
    return _insert_lines(text, pos, at_line_start, lines)


def _fill_null(
    text: str,
    null: yaml.ScalarNode,
    holder: tuple[yaml.MappingNode, yaml.Node],
    rest: tuple[Key, ...],
    value: object,
) -> str:
    """Turn `key:` (empty or `~`) into a mapping holding `rest` = `value`."""
    mapping, key_node = holder
    start, end = null.start_mark.index, null.end_mark.index
    if mapping.flow_style or start != end:
        flow = "{" + _flow_entry(rest, value) + "}"
        return (
            text[:start] + (_space_after(text, start) if start == end else "") + flow + text[end:]
        )
    lines = _block_lines(rest, value, key_node.start_mark.column + _INDENT_STEP)
    return _insert_lines(text, _line_end(text, start), False, lines)


def _insert_lines(text: str, pos: int, at_line_start: bool, lines: list[str]) -> str:
    nl = _line_ending(text)
    block = nl.join(lines)
    if at_line_start:
        return text[:pos] + block + nl + text[pos:]
    return text[:pos] + nl + block + text[pos:]


def _block_end(text: str, node: yaml.Node) -> tuple[int, bool]:
    """Where a new sibling line goes after a block collection's last content.

    Returns (position, at_line_start): either the end of the last content line
    (before its line break), or the start of a line (after a kept block scalar).
    """
    if isinstance(node, yaml.MappingNode) and not node.flow_style:
        return _block_end(text, node.value[-1][1]) if node.value else (node.end_mark.index, False)
    if isinstance(node, yaml.SequenceNode) and not node.flow_style:
        return _block_end(text, node.value[-1]) if node.value else (node.end_mark.index, False)
    start, end = node.start_mark.index, node.end_mark.index
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        header = re.match(r"[|>][0-9+-]*", text[start:end])
        if header and "+" in header.group() and end and text[end - 1] in "\r\n":
            return end, True  # `|+` keeps trailing blank lines as content
        end = start + len(text[start:end].rstrip(" \t\r\n"))
    return _line_end(text, end), False


def _block_lines(rest: tuple[Key, ...], value: object, indent: int) -> list[str]:
    lines = []
    for depth, key in enumerate(rest):
        if not isinstance(key, str):
            raise EditError(f"cannot add {_describe(rest)}: list items are never created")
        pad = " " * (indent + depth * _INDENT_STEP)
        last = depth == len(rest) - 1
        lines.append(f"{pad}{format_scalar(key)}:" + (f" {format_scalar(value)}" if last else ""))
    return lines


def _flow_entry(rest: tuple[Key, ...], value: object) -> str:
    if not isinstance(rest[0], str):
        raise EditError(f"cannot add {_describe(rest)}: list items are never created")
    inner = format_scalar(value) if len(rest) == 1 else "{" + _flow_entry(rest[1:], value) + "}"
    return f"{format_scalar(rest[0])}: {inner}"


def _space_after(text: str, pos: int) -> str:
    """A space to put after `key:` (YAML needs one) unless there is one already."""
    return "" if pos and text[pos - 1] in " \t" else " "


def _line_end(text: str, pos: int) -> int:
    found = _BREAK_RE.search(text, pos)
    return found.start() if found else len(text)


def _line_ending(text: str) -> str:
    found = _BREAK_RE.search(text)
    return found.group() if found else "\n"


# --- parsing and checking -------------------------------------------------------------


def _compose(text: str) -> yaml.Node:
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise EditError(
            f"cannot edit the file in place: it is not valid YAML ({_yaml_problem(exc)})"
        ) from None
    if node is None:
        raise EditError("cannot edit the file in place: it is empty")
    return node


def _load(text: str, problem: str) -> object:
    try:
        return yaml.load(text, Loader=_Loader)
    except (yaml.YAMLError, ValueError, TypeError, AttributeError, KeyError) as exc:
        raise EditError(
            f"cannot edit the file in place: {problem} ({_yaml_problem(exc)})"
        ) from None


def _yaml_problem(exc: Exception) -> str:
    """`found unexpected ':' at line 3, column 6`, or the first line of any other error."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    if problem and mark is not None:
        return f"{problem} at line {mark.line + 1}, column {mark.column + 1}"
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _check_change(change: Change) -> None:
    if not change.path:
        raise EditError("cannot set the whole document")
    for key in change.path:
        if isinstance(key, bool) or not isinstance(key, (str, int)):
            raise EditError(f"cannot set {_describe(change.path)}: bad path element {key!r}")
    format_scalar(change.value)  # TypeError for values that are not scalars


def _set_in(data: object, path: tuple[Key, ...], value: object) -> None:
    """Apply one change to plain loaded data: the reference the edited text must match."""
    for depth, key in enumerate(path[:-1]):
        nxt = path[depth + 1]
        if isinstance(data, dict):
            if data.get(key) is None and isinstance(nxt, str):
                data[key] = {}
            data = data[key]
        elif isinstance(data, list) and isinstance(key, int):
            data = data[key]
        else:
            raise EditError(f"cannot set {_describe(path)}")
    if isinstance(data, dict) or (isinstance(data, list) and isinstance(path[-1], int)):
        data[path[-1]] = value
    else:
        raise EditError(f"cannot set {_describe(path)}")


def _same(a: object, b: object) -> bool:
    """Equality that also requires equal types (1, 1.0 and True differ) and key order."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == _NULL_TAG


def _describe(path: Sequence[Key]) -> str:
    out = ""
    for key in path:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out or "the document"


# --- scalar formatting ------------------------------------------------------------------


def _format_float(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value)
    if "e" in text and "." not in text:  # YAML 1.1 floats need a dot: 1e+20 -> 1.0e+20
        mantissa, exponent = text.split("e")
        text = f"{mantissa}.0e{exponent}"
    return text


def _needs_escape(char: str) -> bool:
    code = ord(char)
    if code < 0x20 or 0x7F <= code <= 0x9F or char == "\ufeff":
        return True
    return code > 0x7F and unicodedata.category(char) in ("Cf", "Cs", "Cn", "Zl", "Zp")


def _double_quoted(value: str) -> str:
    out = []
    for char in value:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif _needs_escape(char):
            code = ord(char)
            out.append(
                f"\\x{code:02X}"
                if code <= 0xFF
                else f"\\u{code:04X}"
                if code <= 0xFFFF
                else f"\\U{code:08X}"
            )
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _plain_is_safe(value: str) -> bool:
    """True when `value` can be written unquoted, in block and flow context alike."""
    if not value or value != value.strip() or value[0] in _PLAIN_BAD_START:
        return False
    if value.lower() in _SPECIAL_WORDS or value.endswith(":"):
        return False
    if any(c in ",[]{}\t\n\r" or _needs_escape(c) for c in value):
        return False
    if ": " in value or " #" in value:
        return False
    try:
        back = yaml.load(f"- {value}\n- [{value}]\n", Loader=_Loader)
    except (yaml.YAMLError, ValueError):
        return False
    return back == [value, [value]] and type(back[0]) is str


