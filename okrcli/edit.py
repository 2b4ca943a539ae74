"""In-place YAML edits that change only the bytes of the values being set.

`apply_changes(data, [Change(path, value), ...])` finds each target with
`yaml.compose` marks and splices a freshly formatted scalar into the text, so
comments, key order, quoting elsewhere, flow collections, blank lines, CRLF line
endings and a UTF-8 BOM stay byte for byte. A missing key is added after its
mapping's last entry (block) or before the closing brace (flow). Every result is
re-parsed and must equal the old document with exactly the requested changes;
otherwise `EditError` is raised and nothing is returned.

`write_atomic` replaces a file so that a crash leaves the old or the new one.
"""

from __future__ import annotations

import copy
import math
import os
import re
import stat
import tempfile
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


def write_atomic(path: Path, data: bytes, *, create_only: bool = False) -> None:
    """Replace `path` with `data`: temp file in the same folder, fsync, `os.replace`.

    The one writer of every file okr writes (OKR files, `--output`, `init`, `schema
    --write`, `new-cycle`). A crash leaves the old file or the new one, never a truncated
    one. The mode of an existing file is kept; a new file gets the usual mode (0666 minus
    umask). Refused (EditError, exit 2; see `check_target`): anything that is not a regular
    file or a missing name in an existing folder, a symbolic link, a read-only file and any
    path inside a git directory. With `create_only`, an existing path is never replaced
    (FileExistsError): the new file is hard-linked into place.
    """
    path = Path(path)
    st = check_target(path)
    if create_only and st is not None:
        raise FileExistsError(17, "File exists", str(path))
    mode = new_file_mode() if st is None else stat.S_IMODE(st.st_mode)
    tmp = write_beside(path, data, mode)
    if create_only:
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise FileExistsError(17, "File exists", str(path)) from None
        except OSError:  # no hard links here (some network or FAT file systems)
            with open(path, "xb") as out:
                out.write(data)
        finally:
            os.unlink(tmp)
        _fsync_dir(path.parent)
        return
    try:
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(path.parent)


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a device node"),
          (stat.S_ISBLK, "a device node"), (stat.S_ISSOCK, "a socket"))


def check_target(path: Path) -> os.stat_result | None:
    """Why okr must not write `path` (EditError), else its lstat (None: it does not exist yet)."""
    path = Path(path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise EditError(f"{path}: cannot be written: {exc.strerror or exc}") from None
    if st is not None:
        if stat.S_ISLNK(st.st_mode):
            raise EditError(f"{path} is a symbolic link; okr does not write through links")
        for test, what in _KINDS:
            if test(st.st_mode):
                raise EditError(f"{path} is {what}; okr writes only regular files",
                                hint="give the name of a file (an existing one is replaced)")
        if not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
            raise EditError(f"{path} is read-only (mode {stat.S_IMODE(st.st_mode):04o}); okr will not replace it",
                            hint=f"if it should change, make it writable first: chmod u+w {path}")
    if not path.is_absolute():  # a folder on the way that is a link (one a pull request committed)
        for n in range(1, len(path.parts)):
            step = Path(*path.parts[:n])
            if step.is_symlink():
                raise EditError(f"{path}: {step} is a symbolic link; okr does not write through links",
                                hint="give the real folder, or an absolute path")
    if path.name == ".git":  # a linked worktree's .git file, or the git directory itself
        raise EditError(f"{path} is git's own; okr never writes there",
                        hint="write it somewhere in the work tree or outside the repository")
    parent = path.parent
    if not parent.is_dir():
        raise EditError(f"{path}: the folder {parent} does not exist", hint="create the folder first")
    check_folder(parent)
    return st


def check_folder(folder: Path) -> None:
    """EditError when `folder` is inside a git directory (okr writes nothing there)."""
    inside = _git_dir_holding(folder)
    if inside is not None:
        raise EditError(f"{folder} is inside the git directory {inside}; okr never writes there",
                        hint="write it somewhere in the work tree or outside the repository")


def _git_dir_holding(folder: Path) -> Path | None:
    """The git directory `folder` is inside of (a `.git` folder, or where a `.git` file of a
    linked worktree or submodule points), else None. No git process: only paths are read."""
    real = Path(os.path.realpath(folder))
    for n, part in enumerate(real.parts):
        if part == ".git":
            return Path(*real.parts[: n + 1])
    for above in (real, *real.parents):
        dot_git = above / ".git"
        try:
            if not dot_git.is_file():
                continue
            text = dot_git.read_text(encoding="utf-8", errors="replace")[:4096]
        except OSError:
            continue
        if text.startswith("gitdir:"):
            target = Path(os.path.realpath(above / text[len("gitdir:"):].strip()))
            if real == target or target in real.parents:
                return target
    return None


_STALE_RE = re.compile(r"\.(?P<name>.+)\.(?P<pid>[0-9]+)\.[A-Za-z0-9_]+\.tmp\Z")


def write_beside(path: Path, data: bytes, mode: int) -> str:
    """A temporary file in `path`'s folder holding `data`, flushed to disk, with `mode`:
    ready to be moved or linked into place. Removed again if writing it fails.

    Its name carries okr's process id (`.NAME.PID.XXXX.tmp`), so a temporary file left by a
    killed okr (SIGKILL, a power cut) is recognised and removed by the next write."""
    remove_stale_temps(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


_SWEPT: set[str] = set()  # folders already swept by this process (new-cycle writes thousands)


def remove_stale_temps(path: Path) -> list[str]:
    """Remove okr's temporary files in `path`'s folder whose process is gone (once per folder
    and process); return their names."""
    removed: list[str] = []
    folder = os.path.realpath(path.parent)
    if folder in _SWEPT:
        return removed
    _SWEPT.add(folder)
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        found = _STALE_RE.match(entry.name)
        if found is None:
            continue
        pid = int(found.group("pid"))
        if pid == os.getpid() or _alive(pid):
            continue
        try:
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed.append(entry.name)
        except OSError:
            pass
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # another user's process (or a pid this system cannot name): leave its file
    return True


def new_file_mode() -> int:
    """The mode a new file gets: 0666 minus the umask."""
    return 0o666 & ~_umask()


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


# --- small OS helpers ----------------------------------------------------------------------


def _umask() -> int:
    try:  # Linux: read it without changing it (os.umask is process-wide).
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
