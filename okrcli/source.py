"""Find the OKR root and read its YAML files safely, keeping line and column of every node.

Files are composed by libyaml (never constructed, so nothing in a file can run
code) and converted into `YMap` / `YSeq` / `str` values that remember
positions; the node tree is dropped right after. The converter refuses what an
OKR file never needs and what makes YAML dangerous: tags, anchors and aliases
(refused from the event stream before any alias is expanded), several
documents, deep nesting. It keeps scalars as the text that was written, with a
flag saying whether it was plain (unquoted), so the model can tell `no` from
`"no"`.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import yaml

from .errors import Diagnostic, Loc, OkrError, Severity

MAX_FILE_BYTES = 1024 * 1024
MAX_ORG_BYTES = 16 * 1024 * 1024  # org.yaml lists everyone: ~110 bytes a person, 10,000 people > 1 MiB
MAX_DEPTH = 32
CONFIG_FILE = "okr.yaml"
ORG_FILE = "org.yaml"

try:  # libyaml is 7-10x faster; fall back only where it is missing.
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - exercised only without libyaml
    _Loader = yaml.SafeLoader

_AliasEvent = yaml.AliasEvent

_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f\ufeff\ufffe\uffff]")


class YMap(dict):
    """A mapping from a file. `pos[key]` is (key line, key col, key plain, value line,
    value col, value plain); lines and columns are 1-based."""

    __slots__ = ("col", "line", "pos")

    def key_loc(self, path: str, key: str) -> Loc:
        p = self.pos[key]
        return Loc(path, p[0], p[1])

    def value_loc(self, path: str, key: str) -> Loc:
        p = self.pos[key]
        return Loc(path, p[3], p[4])


class YSeq(list):
    """A sequence from a file. `pos[i]` is (line, col, plain) of item i."""

    __slots__ = ("col", "line", "pos")


def find_root(repo: str | os.PathLike | None = None, cwd: Path | None = None) -> Path:
    """The OKR root: `repo` (from --repo or OKR_REPO) or the nearest folder holding okr.yaml."""
    if repo is None:
        repo = os.environ.get("OKR_REPO") or None
    if repo is not None:
        root = Path(repo)
        if not root.is_dir():
            raise OkrError(f"{repo}: no such folder", hint="pass --repo the folder that holds okr.yaml")
        if not (root / CONFIG_FILE).is_file():
            raise OkrError(
                f"{repo}: no {CONFIG_FILE} here",
                hint="an OKR repository is marked by okr.yaml at its root; run `okr init` to create one",
            )
        return root.absolute()
    start = (cwd or Path.cwd()).absolute()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    raise OkrError(
        f"no {CONFIG_FILE} in {start} or any folder above it",
        hint="run `okr init` to start an OKR repository, or pass --repo PATH",
    )


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _inside(root: Path, path: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except (ValueError, OSError):
        return False


class _NotReadable(Exception):
    pass


def _read_regular(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; a FIFO or device is never read."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _NotReadable("not a regular file (a pipe, socket or device); okr reads only files")
        if info.st_size > limit:
            raise _NotReadable(f"file is {info.st_size:,} bytes, over the {limit >> 20} MiB limit; split it")
        chunks = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_text(root: Path, rel: str, diags: list[Diagnostic], raw: bytes | None = None) -> str | None:
    """Read and decode one file (or `raw` bytes of it); None plus a diagnostic when it cannot be used."""
    limit = MAX_ORG_BYTES if rel == ORG_FILE else MAX_FILE_BYTES
    if raw is None:
        path = root / rel
        if path.is_symlink() and not _inside(root, path):
            diags.append(Diagnostic(rel, 1, 1, Severity.ERROR, "schema",
                                    "this file is a symbolic link to outside the OKR root; okr does not follow it"))
            return None
        try:
            raw = _read_regular(path, limit)
        except _NotReadable as exc:
            diags.append(Diagnostic(rel, 1, 1, Severity.ERROR, "yaml-syntax", str(exc)))
            return None
        except OSError as exc:
            diags.append(Diagnostic(rel, 1, 1, Severity.ERROR, "yaml-syntax", f"cannot read file: {exc.strerror}"))
            return None
    if len(raw) > limit:
        diags.append(Diagnostic(rel, 1, 1, Severity.ERROR, "yaml-syntax",
                                f"file is {len(raw):,} bytes, over the {limit >> 20} MiB limit; split it"))
        return None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_col(raw[: exc.start].decode("utf-8", "replace"), exc.start)
        diags.append(Diagnostic(rel, line, col, Severity.ERROR, "yaml-syntax",
                                f"invalid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8"))
        return None
    bad = _CONTROL_RE.search(text)
    if bad:
        line, col = _line_col(text, bad.start())
        diags.append(Diagnostic(rel, line, col, Severity.ERROR, "yaml-syntax",
                                f"control character U+{ord(bad.group()):04X} is not allowed; remove it"))
        return None
    return text


def _syntax_message(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None) or str(exc).split("\n")[0]
    context = getattr(exc, "context", None)
    if context == "expected a single document in the stream":
        return "several YAML documents in one file; keep one (remove the extra ---)"
    msg = f"{context}: {problem}" if context else problem
    return f"invalid YAML: {msg}"


_NO_SPACE_RE = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][A-Za-z0-9_-]*):(?=[^\s/])(.*)$")
_NO_DASH_SPACE_RE = re.compile(r"^(\s*)-(?=[A-Za-z0-9_\"'{\[])")
_SECOND_COLON_RE = re.compile(r"^\s*(?:-\s+)?([A-Za-z_][A-Za-z0-9_-]*):\s+(.*?:(?:\s|$).*)$")


def _plain_words(exc: yaml.MarkedYAMLError, text: str, line: int, col: int,
                 message: str) -> tuple[int, int, str]:
    """A parser error in plain words: the likely cause and the line to look at.

    libyaml says where it gave up ("did not find expected '-' indicator"); the
    mistake is often on that line or on the one where the construct began (the
    context mark). Returns (line, column, message); the parser's words when no
    cause is recognised.
    """
    lines = text.split("\n")
    problem, context = exc.problem or "", exc.context or ""
    start = exc.context_mark.line + 1 if exc.context_mark is not None else line

    def source(n: int) -> str:
        return lines[n - 1] if 0 < n <= len(lines) else ""

    if problem in ("could not find expected ':'", "mapping values are not allowed in this context"):
        for n in dict.fromkeys((start, line - 1, line) if "simple key" in context else (line, line - 1)):
            found = _NO_SPACE_RE.match(source(n))
            if found:
                lead, key, rest = found.groups()
                return (n, len(lead) + len(key) + 2,
                        (f"invalid YAML: a space is missing after '{key}:' on line {n}; "
                        f"write '{key}: {rest.strip()}'"))
            found = _NO_DASH_SPACE_RE.match(source(n))
            if found:
                return (n, len(found.group(1)) + 2,
                        (f"invalid YAML: a space is missing after '-' on line {n}; "
                        f"write '- {source(n).strip()[1:]}'"))
    if problem == "mapping values are not allowed in this context":
        found = _SECOND_COLON_RE.match(source(line))
        if found:
            key, value = found.groups()
            return (line, col, (f"invalid YAML: the value of '{key}' on line {line} holds ': '; "
                               f"quote it: {key}: \"{value.strip()}\""))
        above = next((n for n in range(line - 1, 0, -1)
                      if source(n).strip() and not source(n).lstrip().startswith("#")), None)
        than = f"line {above}" if above else "the key above it"
        return (line, col, (f"invalid YAML: line {line} is indented more than {than}, or {than} "
                           "less than it should be; check their indentation"))
    if "block mapping" in context and problem == "did not find expected key":
        before = source(line)[:col - 1].rstrip()
        if before.strip() and before.endswith(('"', "'")):
            return (line, col, (f"invalid YAML: text after the closing quote on line {line}; "
                                "put the whole value inside the quotes"))
        here = source(line)
        above = next((source(n) for n in range(line - 1, 0, -1) if source(n).strip()), "")
        indent = len(here) - len(here.lstrip())
        if here.lstrip().startswith("- ") and indent == len(above) - len(above.lstrip()):
            return (line, col, (f"invalid YAML: a list item ('- ') on line {line} where a key of "
                                f"the mapping above was expected (the block that starts on line "
                                f"{start}); check its indentation"))
    if problem == "did not find expected '-' indicator" or (
            "block mapping" in context and (problem == "did not find expected key"
                                            or problem.startswith("expected <block end>"))):
        return (line, col, (f"invalid YAML: line {line} does not line up with the lines above it "
                           f"(the block that starts on line {start}); check its indentation"))
    if "quoted scalar" in context:
        return (start, exc.context_mark.column + 1 if exc.context_mark else 1,
                f"invalid YAML: the quote opened on line {start} is never closed; close it on that line")
    if "flow sequence" in context or "flow mapping" in context:
        bracket = "[ ]" if "sequence" in context else "{ }"
        return (line, col, (f"invalid YAML: the '{bracket[0]}' opened on line {start} is not closed; "
                           f"end it with '{bracket[2]}' (or quote the value)"))
    if problem == "found character that cannot start any token" and exc.problem_mark is not None:
        char = text[exc.problem_mark.index:exc.problem_mark.index + 1]
        if char and not char.isspace():
            return (line, col, (f"invalid YAML: a value cannot start with '{char}' (line {line}); "
                               "quote it"))
    if "tab" in problem:
        return (line, col, f"invalid YAML: a tab character on line {line}; YAML indents with spaces only")
    return line, col, message


# What the composer's resolver records instead of a type: whether a scalar was written
# plain (so YAML 1.1 may read it as a number, boolean or date) or quoted/block.
_PLAIN, _QUOTED, _COLLECTION = "plain", "quoted", "collection"
_ScalarNode, _MappingNode, _SequenceNode = yaml.ScalarNode, yaml.MappingNode, yaml.SequenceNode
_ANCHORS = "anchors (&name) and aliases (*name) are not allowed in OKR files; write the value out"


class _MarkingLoader(_Loader):
    """libyaml's composer, whose resolver only notes plain versus quoted.

    Types are decided later, by the model, for the fields that need them; this
    skips YAML's regular-expression resolver for every scalar (a third of the
    composer's time). No constructor ever runs."""

    def resolve(self, kind, value, implicit):
        if kind is _ScalarNode:
            return _PLAIN if implicit[0] else _QUOTED
        return _COLLECTION


class _Refused(Exception):
    def __init__(self, mark, message: str):
        self.mark, self.message = mark, message


def _first_anchor(text: str):
    """The mark of the first anchor or alias event in `text`, or None."""
    loader = _Loader(text)
    try:
        while loader.check_event():
            ev = loader.get_event()
            if type(ev) is _AliasEvent or getattr(ev, "anchor", None) is not None:
                return ev.start_mark
    finally:
        loader.dispose()
    return None


def _convert(node, depth: int = 0):
    """A composed node as YMap / YSeq / str, refusing tags, reused nodes and deep nesting."""
    if depth > MAX_DEPTH:
        raise _Refused(node.start_mark, f"nesting deeper than {MAX_DEPTH} levels; OKR files are shallow")
    cls = type(node)
    if cls is _ScalarNode:
        if node.tag is not _PLAIN and node.tag is not _QUOTED:
            raise _Refused(node.start_mark, f"explicit tags ({node.tag}) are not allowed; "
                                            "write a plain value, quoted if it is text")
        return node.value
    if node.tag is not _COLLECTION:
        raise _Refused(node.start_mark, f"explicit tags ({node.tag}) are not allowed")
    mark = node.start_mark
    if cls is _MappingNode:
        out = YMap()
        out.line, out.col = mark.line + 1, mark.column + 1
        pos = out.pos = {}
        for key_node, value_node in node.value:
            if type(key_node) is not _ScalarNode:
                raise _Refused(key_node.start_mark, "mapping keys must be plain text")
            key = _convert(key_node, depth + 1)
            km, vm = key_node.start_mark, value_node.start_mark
            if key in out:
                raise _Duplicate(km, key, pos[key][0])
            out[key] = _convert(value_node, depth + 1)
            pos[key] = (km.line + 1, km.column + 1, key_node.tag is _PLAIN,
                        vm.line + 1, vm.column + 1, value_node.tag is _PLAIN)
        return out
    out = YSeq()
    out.line, out.col = mark.line + 1, mark.column + 1
    pos = out.pos = []
    for item in node.value:
        m = item.start_mark
        out.append(_convert(item, depth + 1))
        pos.append((m.line + 1, m.column + 1, item.tag is _PLAIN))
    return out


class _Duplicate(Exception):
    pass


def parse_yaml(text: str, rel: str, diags: list[Diagnostic]) -> tuple[object, bool]:
    """Convert one YAML text. Returns (value, ok); value is None for an empty file.

    Never raises on bad input: every problem becomes a diagnostic and ok=False.
    Duplicate keys are reported and the first one is kept; the file stays usable."""

    def refuse(mark, message: str, rule: str = "schema") -> tuple[object, bool]:
        diags.append(Diagnostic(rel, mark.line + 1, mark.column + 1, Severity.ERROR, rule, message))
        return None, False

    try:
        if "&" in text or "*" in text:  # anchors must be refused before anything expands an alias
            mark = _first_anchor(text)
            if mark is not None:
                return refuse(mark, _ANCHORS)
        loader = _MarkingLoader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = _syntax_message(exc)
        if mark is not None and text[mark.index:mark.index + 1] == "\t":
            message = "a tab character here; YAML indents with spaces only"
        else:
            line, col, message = _plain_words(exc, text, line, col, message)
        diags.append(Diagnostic(rel, line, col, Severity.ERROR, "yaml-syntax", message))
        return None, False
    except yaml.YAMLError as exc:  # reader errors carry only a character position
        pos = getattr(exc, "position", None)
        line, col = _line_col(text, pos) if isinstance(pos, int) else (1, 1)
        diags.append(Diagnostic(rel, line, col, Severity.ERROR, "yaml-syntax", _syntax_message(exc)))
        return None, False
    if node is None:
        return None, True
    while True:
        try:
            return _convert(node), True
        except _Refused as exc:
            return refuse(exc.mark, exc.message)
        except _Duplicate as exc:
            mark, key, first_line = exc.args
            diags.append(Diagnostic(rel, mark.line + 1, mark.column + 1, Severity.ERROR, "duplicate-key",
                                    f"key '{key}' repeats line {first_line}; keep one of them"))
            _drop_repeats(node, mark)


def _drop_repeats(node, mark) -> None:
    """Remove the repeated key at `mark` from the composed tree, so conversion can go on."""
    stack = [node]
    while stack:
        current = stack.pop()
        if type(current) is _MappingNode:
            for i, (key_node, value_node) in enumerate(current.value):
                if key_node.start_mark.index == mark.index and key_node.start_mark.line == mark.line:
                    del current.value[i]
                    return
                stack.append(value_node)
        elif type(current) is _SequenceNode:
            stack.extend(current.value)


def load_yaml_file(root: Path, rel: str, diags: list[Diagnostic], raw: bytes | None = None) -> tuple[object, bool]:
    """Read, check and convert one file: (value, ok)."""
    text = read_text(root, rel, diags, raw)
    if text is None:
        return None, False
    return parse_yaml(text, rel, diags)


def list_okr_files(root: Path, diags: list[Diagnostic]) -> list[tuple[str, str, str]]:
    """(rel path, cycle folder name, owner) of every `<CYCLE>/<OWNER>.yaml`, sorted.

    Folders that do not look like cycles are ignored; symbolic links that lead
    outside the root are reported and not followed."""
    from .cycles import looks_like_cycle, parse_cycle

    found: list[tuple[str, str, str]] = []
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError as exc:
        raise OkrError(f"cannot list {root}: {exc.strerror}") from exc
    for entry in entries:
        if not looks_like_cycle(entry.name) or not entry.is_dir():
            continue
        folder = root / entry.name
        if entry.is_symlink() and not _inside(root, folder):
            diags.append(Diagnostic(entry.name, 1, 1, Severity.ERROR, "schema",
                                    "this cycle folder is a symbolic link to outside the OKR root; okr does not follow it"))
            continue
        try:
            names = sorted(e.name for e in os.scandir(folder) if e.name.endswith(".yaml") and not e.is_dir())
        except OSError:
            continue
        if not names and parse_cycle(entry.name) is None:
            diags.append(Diagnostic(f"{entry.name}/", 1, 1, Severity.ERROR, "cycle-unknown",
                                    f"'{entry.name}' is not a valid cycle: use YYYY, YYYY-H1..H2, "
                                    "YYYY-Q1..Q4 or YYYY-B1..B6; rename the folder"))
        for name in names:
            found.append((f"{entry.name}/{name}", entry.name, name[: -len(".yaml")]))
    return found
