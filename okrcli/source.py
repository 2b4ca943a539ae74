"""Find the OKR root and read its YAML files safely, keeping line and column of every node.

Files are parsed with libyaml's event stream (never a constructor, so nothing in a
file can run code) and converted on the fly into `YMap` / `YSeq` / `str` values
that remember positions. The converter refuses what an OKR file never needs and
what makes YAML dangerous: tags, anchors and aliases, several documents, deep
nesting. It keeps scalars as the text that was written, with a flag saying whether
it was plain (unquoted), so the model can tell `no` from `"no"`.
"""

from __future__ import annotations

import os
import re
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

_ScalarEvent = yaml.ScalarEvent
_MappingStartEvent = yaml.MappingStartEvent
_MappingEndEvent = yaml.MappingEndEvent
_SequenceStartEvent = yaml.SequenceStartEvent
_SequenceEndEvent = yaml.SequenceEndEvent
_AliasEvent = yaml.AliasEvent
_DocumentStartEvent = yaml.DocumentStartEvent

_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f\ufeff\ufffe\uffff]")


class YMap(dict):
    """A mapping from a file. `pos[key]` is (key line, key col, key plain, value line,
    value col, value plain); lines and columns are 1-based."""

    __slots__ = ("line", "col", "pos")

    def key_loc(self, path: str, key: str) -> Loc:
        p = self.pos[key]
        return Loc(path, p[0], p[1])

    def value_loc(self, path: str, key: str) -> Loc:
        p = self.pos[key]
        return Loc(path, p[3], p[4])


class YSeq(list):
    """A sequence from a file. `pos[i]` is (line, col, plain) of item i."""

    __slots__ = ("line", "col", "pos")


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
            size = path.stat().st_size
            if size > limit:
                diags.append(Diagnostic(rel, 1, 1, Severity.ERROR, "yaml-syntax",
                                        f"file is {size:,} bytes, over the {limit >> 20} MiB limit; split it"))
                return None
            raw = path.read_bytes()
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
    msg = f"{context}: {problem}" if context else problem
    return f"invalid YAML: {msg}"


def parse_yaml(text: str, rel: str, diags: list[Diagnostic]) -> tuple[object, bool]:
    """Convert one YAML text. Returns (value, ok); value is None for an empty file.

    Never raises on bad input: every problem becomes a diagnostic and ok=False
    (duplicate keys are reported but the file stays usable, keeping the first)."""
    loader = _Loader(text)
    root: object = None
    docs = 0
    ok = True
    # A frame is [container, is_map, pending_key, key_line, key_col, key_plain].
    stack: list[list] = []
    no_key = _NO_KEY

    def fail(mark, message: str, rule: str = "schema") -> tuple[object, bool]:
        diags.append(Diagnostic(rel, mark.line + 1, mark.column + 1, Severity.ERROR, rule, message))
        return None, False

    try:
        get_event, check_event = loader.get_event, loader.check_event
        while check_event():
            ev = get_event()
            cls = type(ev)
            if cls is _ScalarEvent:
                if ev.anchor is not None:
                    return fail(ev.start_mark, "anchors (&name) and aliases (*name) are not allowed in OKR files; write the value out")
                if ev.tag is not None and ev.tag != "!":
                    return fail(ev.start_mark, f"explicit tags ({ev.tag}) are not allowed; write a plain value, quoted if it is text")
                value: object = ev.value
                plain = ev.implicit[0]
                container = None
            elif cls is _MappingStartEvent or cls is _SequenceStartEvent:
                if ev.anchor is not None:
                    return fail(ev.start_mark, "anchors (&name) and aliases (*name) are not allowed in OKR files; write the value out")
                if ev.tag is not None and ev.tag != "!":
                    return fail(ev.start_mark, f"explicit tags ({ev.tag}) are not allowed")
                if len(stack) >= MAX_DEPTH:
                    return fail(ev.start_mark, f"nesting deeper than {MAX_DEPTH} levels; OKR files are shallow")
                container = YMap() if cls is _MappingStartEvent else YSeq()
                container.line = ev.start_mark.line + 1
                container.col = ev.start_mark.column + 1
                container.pos = {} if cls is _MappingStartEvent else []
                value = container
                plain = False
            elif cls is _MappingEndEvent or cls is _SequenceEndEvent:
                stack.pop()
                continue
            elif cls is _AliasEvent:
                return fail(ev.start_mark, "anchors (&name) and aliases (*name) are not allowed in OKR files; write the value out")
            elif cls is _DocumentStartEvent:
                docs += 1
                if docs > 1:
                    return fail(ev.start_mark, "several YAML documents in one file; keep one (remove the extra ---)", "yaml-syntax")
                continue
            else:
                continue
            line = ev.start_mark.line + 1
            col = ev.start_mark.column + 1
            if not stack:
                root = value
            else:
                frame = stack[-1]
                parent = frame[0]
                if not frame[1]:
                    parent.append(value)
                    parent.pos.append((line, col, plain))
                elif frame[2] is no_key:
                    if container is not None:
                        return fail(ev.start_mark, "mapping keys must be plain text")
                    frame[2], frame[3], frame[4], frame[5] = value, line, col, plain
                else:
                    key = frame[2]
                    frame[2] = no_key
                    if key in parent:
                        ok_first = parent.pos[key]
                        diags.append(Diagnostic(rel, frame[3], frame[4], Severity.ERROR, "duplicate-key",
                                                f"key '{key}' repeats line {ok_first[0]}; keep one of them"))
                    else:
                        parent[key] = value
                        parent.pos[key] = (frame[3], frame[4], frame[5], line, col, plain)
            if container is not None:
                stack.append([container, cls is _MappingStartEvent, no_key, 0, 0, False])
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        diags.append(Diagnostic(rel, line, col, Severity.ERROR, "yaml-syntax", _syntax_message(exc)))
        return None, False
    except yaml.YAMLError as exc:  # reader errors carry only a character position
        pos = getattr(exc, "position", None)
        line, col = _line_col(text, pos) if isinstance(pos, int) else (1, 1)
        diags.append(Diagnostic(rel, line, col, Severity.ERROR, "yaml-syntax", _syntax_message(exc)))
        return None, False
    finally:
        loader.dispose()
    return root, ok


class _NoKey:
    __slots__ = ()


_NO_KEY = _NoKey()


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
    from .cycles import looks_like_cycle

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
        for name in names:
            found.append((f"{entry.name}/{name}", entry.name, name[: -len(".yaml")]))
    return found
