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
from collections.abc import Mapping
from pathlib import Path

import yaml

from ..errors import Diagnostic, OkrError, Severity

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
# Bytes that can never be (part of) what _CONTROL_RE finds: a file of only these needs no search,
# which scans every character (5% of a whole `okr check`); a file with any other byte is searched.
_PLAIN_ASCII = bytes(range(0x20, 0x7F)) + b"\t\n\r"


class YMap(dict):
    """A mapping from a file. `pos[key]` is (key line, key col, key plain, value line,
    value col, value plain); lines and columns are 1-based."""

    __slots__ = ("col", "line", "pos")


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
        Path(os.path.realpath(path)).relative_to(os.path.realpath(root))
        return True
    except (ValueError, OSError, RuntimeError):  # RuntimeError: Path.resolve on a link loop
        return False


class _NotReadable(Exception):
    pass


def _read_regular(path: str | Path, limit: int) -> bytes:
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


def _limit(rel: str) -> int:
    return MAX_ORG_BYTES if rel == ORG_FILE else MAX_FILE_BYTES


def read_source(root: Path, rel: str) -> bytes | None:
    """The bytes of a file under the root, as `read_text` would read them; None when it would
    refuse or fail (a link out of the root, not a regular file, too large, unreadable): then
    `read_text` itself says why."""
    path = os.path.join(root, rel)  # a str: a Path of each of a thousand files costs more than its lstat
    try:
        if os.path.islink(path) and not _inside(root, Path(path)):
            return None
        return _read_regular(path, _limit(rel))
    except (_NotReadable, OSError):
        return None


def read_text(root: Path, rel: str, diags: list[Diagnostic], raw: bytes | None = None) -> str | None:
    """Read and decode one file (or `raw` bytes of it); None plus a diagnostic when it cannot be used."""
    limit = _limit(rel)
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
    bad = _CONTROL_RE.search(text) if raw.translate(None, _PLAIN_ASCII) else None
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


class _Failure:
    """What the parser said, and the source lines to look at."""

    def __init__(self, exc: yaml.MarkedYAMLError, text: str, line: int, col: int):
        self.exc, self.text, self.line, self.col = exc, text, line, col
        self.lines = text.split("\n")
        self.problem, self.context = exc.problem or "", exc.context or ""
        self.start = exc.context_mark.line + 1 if exc.context_mark is not None else line

    def source(self, n: int) -> str:
        return self.lines[n - 1] if 0 < n <= len(self.lines) else ""

    def above(self, n: int, skip_comments: bool = False) -> int | None:
        """The nearest line above line `n` that holds something (or a comment, unless skipped)."""
        return next((k for k in range(n - 1, 0, -1) if self.source(k).strip()
                     and not (skip_comments and self.source(k).lstrip().startswith("#"))), None)


def _plain_words(exc: yaml.MarkedYAMLError, text: str, line: int, col: int,
                 message: str) -> tuple[int, int, str]:
    """A parser error in plain words: the likely cause and the line to look at.

    libyaml says where it gave up ("did not find expected '-' indicator"); the
    mistake is often on that line or on the one where the construct began (the
    context mark). Returns (line, column, message); the parser's words when no
    cause is recognised.
    """
    f = _Failure(exc, text, line, col)
    for explain in (_missing_space, _colon_in_value, _block_mapping, _unclosed, _bad_start):
        found = explain(f)
        if found is not None:
            return found
    return line, col, message


def _missing_space(f: _Failure) -> tuple[int, int, str] | None:
    """`key:value` or `-item`: a space missing after ':' or '-'."""
    if f.problem not in ("could not find expected ':'", "mapping values are not allowed in this context"):
        return None
    line = f.line
    for n in dict.fromkeys((f.start, line - 1, line) if "simple key" in f.context else (line, line - 1)):
        found = _NO_SPACE_RE.match(f.source(n))
        if found:
            lead, key, rest = found.groups()
            return (n, len(lead) + len(key) + 2,
                    f"invalid YAML: a space is missing after '{key}:' on line {n}; write '{key}: {rest.strip()}'")
        found = _NO_DASH_SPACE_RE.match(f.source(n))
        if found:
            return (n, len(found.group(1)) + 2,
                    f"invalid YAML: a space is missing after '-' on line {n}; write '- {f.source(n).strip()[1:]}'")
    return None


def _colon_in_value(f: _Failure) -> tuple[int, int, str] | None:
    """A value holding ': ', or a line indented deeper than its mapping."""
    if f.problem != "mapping values are not allowed in this context":
        return None
    line, col = f.line, f.col
    found = _SECOND_COLON_RE.match(f.source(line))
    if found:
        key, value = found.groups()
        return (line, col, (f"invalid YAML: the value of '{key}' on line {line} holds ': '; "
                           f"quote it: {key}: \"{value.strip()}\""))
    above = f.above(line, skip_comments=True)
    than = f"line {above}" if above else "the key above it"
    return (line, col, (f"invalid YAML: line {line} is indented more than {than}, or {than} "
                       "less than it should be; check their indentation"))


def _block_mapping(f: _Failure) -> tuple[int, int, str] | None:
    """Text after a closing quote, a list item among keys, or a line out of step."""
    line, col, problem = f.line, f.col, f.problem
    if "block mapping" in f.context and problem == "did not find expected key":
        before = f.source(line)[:col - 1].rstrip()
        if before.strip() and before.endswith(('"', "'")):
            return (line, col, (f"invalid YAML: text after the closing quote on line {line}; "
                               "put the whole value inside the quotes"))
        here = f.source(line)
        n = f.above(line)
        above = f.source(n) if n is not None else ""
        indent = len(here) - len(here.lstrip())
        if here.lstrip().startswith("- ") and indent == len(above) - len(above.lstrip()):
            return (line, col, (f"invalid YAML: a list item ('- ') on line {line} where a key of "
                               f"the mapping above was expected (the block that starts on line "
                               f"{f.start}); check its indentation"))
    if problem == "did not find expected '-' indicator" or (
            "block mapping" in f.context and (problem == "did not find expected key"
                                              or problem.startswith("expected <block end>"))):
        return (line, col, (f"invalid YAML: line {line} does not line up with the lines above it "
                           f"(the block that starts on line {f.start}); check its indentation"))
    return None


def _unclosed(f: _Failure) -> tuple[int, int, str] | None:
    """A quote, '[' or '{' never closed."""
    if "quoted scalar" in f.context:
        mark = f.exc.context_mark
        return (f.start, mark.column + 1 if mark else 1,
                f"invalid YAML: the quote opened on line {f.start} is never closed; close it on that line")
    if "flow sequence" in f.context or "flow mapping" in f.context:
        bracket = "[ ]" if "sequence" in f.context else "{ }"
        return (f.line, f.col, (f"invalid YAML: the '{bracket[0]}' opened on line {f.start} is not closed; "
                               f"end it with '{bracket[2]}' (or quote the value)"))
    return None


def _bad_start(f: _Failure) -> tuple[int, int, str] | None:
    """A value starting with a character YAML reserves, or a tab."""
    line, col = f.line, f.col
    if f.problem == "found character that cannot start any token" and f.exc.problem_mark is not None:
        char = f.text[f.exc.problem_mark.index:f.exc.problem_mark.index + 1]
        if char and not char.isspace():
            return line, col, f"invalid YAML: a value cannot start with '{char}' (line {line}); quote it"
    if "tab" in f.problem:
        return line, col, f"invalid YAML: a tab character on line {line}; YAML indents with spaces only"
    return None


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
        if kind is _MappingNode or kind is _SequenceNode:
            return _COLLECTION
        return _PLAIN if implicit[0] else _QUOTED

    # The composer calls these around every node, for path resolvers okr never adds: builtins
    # that take the same arguments and do nothing cost a fifth of the composer's time less.
    descend_resolver = slice  # descend_resolver(parent, index)
    ascend_resolver = tuple  # ascend_resolver()


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


def _scalar(tag, value, start_mark, end_mark, style=None) -> tuple:
    """What the composer makes of a scalar while `_compose` runs: (tag, text, start mark).

    yaml.ScalarNode is a Python class with a Python `__init__`, the dearest part of composing
    (a seventh of it); a tuple holds all the conversion reads."""
    return tag, value, start_mark


# The module whose ScalarNode the composer calls: libyaml's, or the pure-Python composer's.
_COMPOSER = yaml._yaml if _Loader is getattr(yaml, "CSafeLoader", None) else yaml.composer


def _compose(loader):
    """The loader's single document, its scalars made by `_scalar` (restored right after: okr
    composes in one thread, and nothing else composes while this runs)."""
    _COMPOSER.ScalarNode = _scalar
    try:
        return loader.get_single_node()
    finally:
        _COMPOSER.ScalarNode = _ScalarNode


def _mark(node):
    return node[2] if type(node) is tuple else node.start_mark


def _convert(node, depth: int = 0):
    """A composed node as YMap / YSeq / str, refusing tags, reused nodes and deep nesting.

    Scalars are `_scalar` tuples. Those inside a collection are converted inline (most nodes
    are scalars: a call each would cost a third of the conversion); the checks and their
    order are the same as for a node on its own."""
    if depth > MAX_DEPTH:
        raise _Refused(_mark(node), _TOO_DEEP)
    if type(node) is tuple:
        tag = node[0]
        if tag is not _PLAIN and tag is not _QUOTED:
            raise _Refused(node[2], _tag_message(tag))
        return node[1]
    if node.tag is not _COLLECTION:
        raise _Refused(node.start_mark, f"explicit tags ({node.tag}) are not allowed")
    mark = node.start_mark
    deep = depth + 1 > MAX_DEPTH
    if type(node) is _MappingNode:
        out = YMap()
        out.line, out.col = mark.line + 1, mark.column + 1
        pos = out.pos = {}
        for key_node, value_node in node.value:
            if type(key_node) is not tuple:
                raise _Refused(key_node.start_mark, "mapping keys must be plain text")
            key_tag, key, km = key_node
            if deep:
                raise _Refused(km, _TOO_DEEP)
            if key_tag is not _PLAIN and key_tag is not _QUOTED:
                raise _Refused(km, _tag_message(key_tag))
            if key in out:
                raise _Duplicate(km, key, pos[key][0])
            if type(value_node) is tuple:
                tag, value, vm = value_node
                out[key] = value if tag is _PLAIN or tag is _QUOTED else _convert(value_node, depth + 1)
            else:
                tag, vm = value_node.tag, value_node.start_mark
                out[key] = _convert(value_node, depth + 1)
            pos[key] = (km.line + 1, km.column + 1, key_tag is _PLAIN, vm.line + 1, vm.column + 1, tag is _PLAIN)
        return out
    out = YSeq()
    out.line, out.col = mark.line + 1, mark.column + 1
    pos = out.pos = []
    for item in node.value:
        if type(item) is tuple:
            tag, value, m = item
            out.append(value if not deep and (tag is _PLAIN or tag is _QUOTED) else _convert(item, depth + 1))
        else:
            tag, m = item.tag, item.start_mark
            out.append(_convert(item, depth + 1))
        pos.append((m.line + 1, m.column + 1, tag is _PLAIN))
    return out


_TOO_DEEP = f"nesting deeper than {MAX_DEPTH} levels; OKR files are shallow"


def _tag_message(tag: str) -> str:
    return f"explicit tags ({tag}) are not allowed; write a plain value, quoted if it is text"


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
            node = _compose(loader)
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
                key_mark = _mark(key_node)
                if key_mark.index == mark.index and key_mark.line == mark.line:
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


# --- the walk of the root -------------------------------------------------------------------
#
# Nothing under the root is dropped in silence (SPEC 2, RELIABILITY 29): what okr reads is
# listed, what it does not read gets a `stray-file` warning saying what okr expected, and
# what it cannot read or follow (permissions, a symbolic link loop) is an error. The same
# walk runs over the files on disk and over a git tree (`--at`), through a small listing
# interface: `entries(folder)` gives (name, kind) pairs, kind being one of the _KIND_*.

_DIR, _FILE, _LINK_OUT, _LOOP, _GIT_LINK, _SUBMODULE = "dir", "file", "link-out", "loop", "git-link", "submodule"
STRAY = "stray-file"
_CYCLE_HELP = "YYYY, YYYY-H1..H2, YYYY-Q1..Q4 or YYYY-B1..B6"


class _Unreadable(Exception):
    def __init__(self, why: str):
        self.why = why


def _disk_kind(root: Path, entry: os.DirEntry) -> str:
    """What a folder entry is, following links inside the root; never raises."""
    try:
        if entry.is_symlink() and not _inside(root, Path(entry.path)):
            return _LINK_OUT
        if entry.is_dir():
            return _DIR
        return _FILE  # a file, a dangling link, a FIFO or device: the reader says which
    except OSError as exc:
        import errno

        return _LOOP if exc.errno == errno.ELOOP else f"error:{exc.strerror or exc}"


class _DiskTree:
    def __init__(self, root: Path):
        self.root = root

    def entries(self, folder: str) -> list[tuple[str, str]]:
        path = self.root / folder if folder else self.root
        try:
            with os.scandir(path) as it:
                found = [(e.name, _disk_kind(self.root, e)) for e in it]
        except OSError as exc:
            raise _Unreadable(exc.strerror or str(exc)) from None
        return sorted(found)


class _GitTree:
    """The paths of a git tree (root-relative path -> mode) seen as folders and entries."""

    def __init__(self, modes: Mapping[str, str]):
        special = {"120000": _GIT_LINK, "160000": _SUBMODULE}
        self.children: dict[str, dict[str, str]] = {}
        for rel, mode in modes.items():
            parts = rel.split("/")
            for depth in range(len(parts)):
                folder = "/".join(parts[:depth])
                kind = special.get(mode, _FILE) if depth == len(parts) - 1 else _DIR
                self.children.setdefault(folder, {}).setdefault(parts[depth], kind)

    def entries(self, folder: str) -> list[tuple[str, str]]:
        return sorted(self.children.get(folder, {}).items())


def _normal_ignore(ignore) -> set[str]:
    return {item.strip("/") for item in ignore or () if item.strip("/")}


def list_okr_files(root: Path, diags: list[Diagnostic], ignore=()) -> list[tuple[str, str, str]]:
    """(rel path, cycle folder name, owner) of every `<CYCLE>/<OWNER>.yaml` on disk, sorted;
    stray files, unreadable folders and link loops become diagnostics (see above)."""
    try:
        return walk_root(_DiskTree(root), diags, ignore)
    except _Unreadable as exc:  # only the root itself can raise here; cycle folders are findings
        raise OkrError(f"cannot list {root}: {exc.why}") from None


def list_okr_tree(modes: Mapping[str, str], diags: list[Diagnostic], ignore=()) -> list[tuple[str, str, str]]:
    """The same walk over a git tree: `modes` maps each root-relative path to its git mode."""
    return walk_root(_GitTree(modes), diags, ignore)


def walk_root(tree, diags: list[Diagnostic], ignore=()) -> list[tuple[str, str, str]]:
    from ..cycles import looks_like_cycle, parse_cycle

    ignored = _normal_ignore(ignore)
    found: list[tuple[str, str, str]] = []

    def note(rel: str, message: str, rule: str = STRAY, severity: Severity = Severity.WARNING) -> None:
        diags.append(Diagnostic(rel, 1, 1, severity, rule, message))

    def cannot(rel: str, kind: str) -> bool:
        """An entry okr cannot follow or read: an error finding, never a skip."""
        if kind == _LOOP:
            note(rel, "a symbolic link that loops (or is nested too deep); okr cannot follow it: "
                      "fix or remove the link", "yaml-syntax", Severity.ERROR)
        elif kind.startswith("error:"):
            note(rel, f"cannot read it: {kind[6:]}; okr cannot check what it holds", "yaml-syntax", Severity.ERROR)
        elif kind == _GIT_LINK:
            note(rel, "a symbolic link in git; okr does not follow links when reading a revision",
                 "yaml-syntax", Severity.ERROR)
        else:
            return False
        return True

    top = tree.entries("")
    cycles = sorted(n for n, k in top if k == _DIR and parse_cycle(n) is not None)
    example = cycles[-1] if cycles else "2026-Q4"
    for name, kind in top:
        if name.startswith(".") or name in ignored:
            continue
        if looks_like_cycle(name):
            if kind == _LINK_OUT:
                note(name, "this cycle folder is a symbolic link to outside the OKR root; okr does not follow it",
                     "schema", Severity.ERROR)
            elif cannot(name, kind):
                pass
            elif kind == _DIR:
                names = _walk_cycle(tree, name, ignored, note, cannot, found)
                if not names and parse_cycle(name) is None:
                    note(f"{name}/", f"'{name}' is not a valid cycle: use {_CYCLE_HELP}; rename the folder",
                         "cycle-unknown", Severity.ERROR)
            elif name.endswith(".yaml"):
                note(name, _root_yaml_hint(name, example))
            continue
        if name in (CONFIG_FILE, ORG_FILE):
            if kind == _DIR:
                note(name, f"'{name}' is a folder; okr reads {name} as a file")
            else:
                cannot(name, kind)
            continue
        if name.endswith(".yaml") or name in ("okr.yml", "org.yml"):  # mkdocs.yml & co. are not okr's
            if not cannot(name, kind):
                note(name, _root_yaml_hint(name, example))
        elif name[:1].isdigit() and (kind in (_DIR, _LOOP) or kind.startswith("error:")) \
                and not cannot(name, kind):
            note(name, f"'{name}' is not a cycle folder, so okr does not read it: name it {_CYCLE_HELP} "
                       f"(e.g. {_cycle_guess(name)}), or list it under 'ignore:' in okr.yaml")
    return found  # cycle folders in name order, each one's files in name order


def _walk_cycle(tree, cycle: str, ignored: set[str], note, cannot, found: list) -> list[str]:
    """The OKR files of one cycle folder (appended to `found`); the rest is noted."""
    try:
        entries = tree.entries(cycle)
    except _Unreadable as exc:
        note(f"{cycle}/", f"cannot read this cycle folder: {exc.why}; okr cannot check the files in it",
             "yaml-syntax", Severity.ERROR)
        return []
    names = []
    for name, kind in entries:
        rel = f"{cycle}/{name}"
        if name.startswith(".") or rel in ignored:
            continue
        if name.endswith(".yaml") and kind in (_FILE, _LINK_OUT):
            names.append(name)
            found.append((rel, cycle, name[: -len(".yaml")]))
        elif cannot(rel, kind):
            pass
        elif kind == _DIR and name.endswith((".yaml", ".yml")):
            note(f"{rel}/", f"'{name}' is a folder, not an OKR file; okr reads files named "
                            f"{cycle}/OWNER.yaml: rename or remove the folder")
        elif kind == _DIR:
            note(f"{rel}/", f"okr does not read folders inside a cycle folder: move the OKR files in {rel}/ "
                            f"up to {cycle}/OWNER.yaml, or list {rel} under 'ignore:' in okr.yaml")
        elif name.endswith(".yml"):
            note(rel, f"OKR files end in .yaml: rename {name} to {name[:-4]}.yaml")
        elif kind == _SUBMODULE:
            note(rel, "a git submodule inside a cycle folder; okr does not read it")
        else:
            note(rel, f"okr reads only OWNER.yaml files in a cycle folder, so {name} is not read: "
                      f"rename it to OWNER.yaml if it holds OKRs, or move it out of {cycle}/")
    return names


def _root_yaml_hint(name: str, cycle: str) -> str:
    stem = name.rsplit(".", 1)[0]
    if name.endswith(".yml") and stem in ("okr", "org"):
        return f"okr reads {stem}.yaml: rename {name} to {stem}.yaml"
    return (f"okr reads only okr.yaml and org.yaml at the root, so {name} is not read: OKR files go in "
            f"a cycle folder, e.g. {cycle}/{stem}.yaml")


def _cycle_guess(name: str) -> str:
    """`2026Q4` -> `2026-Q4`, `26-Q4` -> `2026-Q4`; else an example."""
    m = re.fullmatch(r"(\d{2}|\d{4})[-_ ]?([HQBhqb])([1-9])", name)
    if m:
        year = m.group(1) if len(m.group(1)) == 4 else "20" + m.group(1)
        return f"{year}-{m.group(2).upper()}{m.group(3)}"
    return "2026-Q4"
