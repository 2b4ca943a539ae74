"""okrcli/files.py is the one writer: a scan of the source proves no other module writes a file,
and write_chunks keeps write_atomic's guarantees for text that comes in pieces."""

from __future__ import annotations

import ast
import os
import stat
from pathlib import Path

import pytest

import okrcli
from okrcli import files
from okrcli.files import WriteRefused, write_chunks

PACKAGE = Path(okrcli.__file__).parent
THE_WRITER = PACKAGE / "files.py"

# What puts a name into the file system or changes a file's bytes. Writing to a stream that is
# already open (stdout, a pipe, a handle files.py returned) is not writing a file; /dev/null is
# not a file either.
_OS_WRITERS = {"replace", "rename", "renames", "link", "symlink", "mkdir", "makedirs", "mkfifo", "mknod",
               "truncate", "ftruncate"}
_MODULE_WRITERS = {
    "os": _OS_WRITERS,
    "shutil": {"copy", "copy2", "copyfile", "copytree", "copyfileobj", "move"},
    "tempfile": {"mkstemp", "mkdtemp", "NamedTemporaryFile", "TemporaryDirectory", "SpooledTemporaryFile"},
}
_PATH_WRITERS = {"write_text", "write_bytes", "mkdir", "touch", "symlink_to", "hardlink_to", "rename"}
_WRITE_FLAGS = {"O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND"}


def _is_devnull(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "devnull"


def _mode(call: ast.Call, position: int) -> str | None:
    arg = call.args[position] if len(call.args) > position else None
    for kw in call.keywords:
        if kw.arg == "mode":
            arg = kw.value
    if arg is None:
        return None
    return arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else "?"


def _writes(call: ast.Call, imported: dict[str, str]) -> str | None:
    """What `call` writes to the file system, if anything (a short description)."""
    func = call.func
    first = call.args[0] if call.args else None
    if isinstance(func, ast.Name):
        if func.id == "open" and not _is_devnull(first):
            mode = _mode(call, 1)
            if mode is not None and (mode == "?" or set(mode) & set("wxa+")):
                return f"open(..., {mode!r})"
        if func.id in imported:
            return f"{imported[func.id]}.{func.id}()"
        return None
    if not isinstance(func, ast.Attribute):
        return None
    owner = func.value.id if isinstance(func.value, ast.Name) else None
    if owner in _MODULE_WRITERS and func.attr in _MODULE_WRITERS[owner]:
        return f"{owner}.{func.attr}()"
    if owner == "os" and func.attr == "open" and not _is_devnull(first):
        flags = {getattr(n, "attr", None) for n in ast.walk(call.args[1])} if len(call.args) > 1 else set()
        if flags & _WRITE_FLAGS:
            return "os.open(..., write flags)"
    if owner == "os" and func.attr == "fdopen":
        mode = _mode(call, 1)
        if mode is not None and (mode == "?" or set(mode) & set("wxa+")):
            return f"os.fdopen(..., {mode!r})"
    if owner not in _MODULE_WRITERS and func.attr in _PATH_WRITERS:
        return f".{func.attr}()"
    return None


def file_writes(source: str) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    imported = {alias.asname or alias.name: node.module for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.module in _MODULE_WRITERS
                for alias in node.names if alias.name in _MODULE_WRITERS[node.module] or alias.name == "open"}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            what = _writes(node, imported)
            if what is not None:
                found.append((node.lineno, what))
    return found


def test_only_files_py_writes_files():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == THE_WRITER:
            continue
        for line, what in file_writes(path.read_text(encoding="utf-8")):
            offenders.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {what}")
    assert offenders == [], "write files through okrcli/files.py:\n" + "\n".join(offenders)


@pytest.mark.parametrize("source", [
    "open(p, 'w')", "open(p, mode='ab')", "open(p, 'r+')", "open(p, m)", "Path(p).write_text('x')",
    "p.write_bytes(b'')", "p.mkdir()", "p.touch()", "p.rename(q)", "os.replace(a, b)", "os.rename(a, b)",
    "os.mkdir(p)", "os.makedirs(p)", "os.link(a, b)", "os.symlink(a, b)", "shutil.copy(a, b)",
    "shutil.move(a, b)", "tempfile.mkstemp()", "tempfile.mkdtemp()", "tempfile.NamedTemporaryFile()",
    "os.open(p, os.O_WRONLY | os.O_CREAT)", "os.open(p, os.O_RDWR)", "os.fdopen(fd, 'wb')",
    "from os import replace\nreplace(a, b)", "from shutil import copyfile as c\nc(a, b)",
])
def test_the_scan_sees_every_way_of_writing(source):
    assert file_writes(source), source


@pytest.mark.parametrize("source", [
    "open(p)", "open(p, 'rb')", "open(p, encoding='utf-8')", "open(os.devnull, 'w')",
    "os.open(os.devnull, os.O_WRONLY)", "os.open(p, os.O_RDONLY)", "sys.stdout.write(x)", "fh.writelines(x)",
    "text.replace('a', 'b')", "Sources.open(root)", "p.read_bytes()", "tempfile.TemporaryFile()",
])
def test_the_scan_leaves_reading_and_streams_alone(source):
    assert file_writes(source) == [], source


# --- write_chunks ------------------------------------------------------------------------


def _chunks_then(fail: BaseException, n: int = 3):
    for i in range(n):
        yield f"piece {i}\n"
    raise fail


def test_write_chunks_writes_pieces_and_keeps_the_mode(tmp_path):
    target = tmp_path / "page.html"
    target.write_text("old\n")
    os.chmod(target, 0o640)
    write_chunks(target, (f"<p>{i}</p>\n" for i in range(1000)))
    assert target.read_text() == "".join(f"<p>{i}</p>\n" for i in range(1000))
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]


def test_write_chunks_new_file_gets_the_usual_mode(tmp_path):
    write_chunks(tmp_path / "new.html", ["é\n", "ü"])
    assert (tmp_path / "new.html").read_bytes() == "é\nü".encode()
    assert stat.S_IMODE((tmp_path / "new.html").stat().st_mode) == files.new_file_mode()


@pytest.mark.parametrize("fail", [KeyboardInterrupt(), OSError(28, "No space left on device"), ValueError("x")])
def test_write_chunks_failure_midway_keeps_the_old_file_and_leaves_nothing(tmp_path, fail):
    target = tmp_path / "page.html"
    target.write_text("old\n")
    with pytest.raises(type(fail)):
        write_chunks(target, _chunks_then(fail))
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]


def test_write_chunks_refuses_what_write_atomic_refuses(tmp_path):
    (tmp_path / "real.html").write_text("x")
    (tmp_path / "link.html").symlink_to(tmp_path / "real.html")
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "folder").mkdir()
    (tmp_path / ".git").mkdir()
    for target, why in [("link.html", "symbolic link"), ("fifo", "FIFO"), ("folder", "a folder"),
                        (".git/x.html", "git directory"), ("missing/x.html", "does not exist")]:
        with pytest.raises(WriteRefused, match=why):
            write_chunks(tmp_path / target, ["never\n"])
    assert (tmp_path / "real.html").read_text() == "x"
    assert not list((tmp_path / ".git").iterdir())


def test_write_chunks_removes_a_temp_file_a_killed_okr_left(tmp_path):
    dead = tmp_path / ".page.html.999999999.abcd.tmp"  # no such process
    dead.write_text("half")
    mine = tmp_path / f".page.html.{os.getpid()}.abcd.tmp"
    mine.write_text("mine")
    files._SWEPT.discard(os.path.realpath(tmp_path))
    write_chunks(tmp_path / "page.html", ["ok\n"])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["page.html", mine.name])


def test_make_folder_refuses_the_git_directory(tmp_path):
    (tmp_path / ".git").mkdir()
    with pytest.raises(WriteRefused, match="git directory"):
        files.make_folder(tmp_path / ".git" / "hooks2")
    files.make_folder(tmp_path / "new")
    assert (tmp_path / "new").is_dir()


def test_create_all_removes_what_it_made_when_a_later_file_fails(tmp_path):
    (tmp_path / "taken").write_text("a file, not a folder\n")
    wanted = {tmp_path / "new" / "deep" / "a.yaml": b"a: 1\n",
              tmp_path / "taken" / "b.yaml": b"b: 2\n"}
    with pytest.raises(WriteRefused, match="Not a directory"):
        files.create_all(wanted)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]  # no file, no folder left
    assert (tmp_path / "taken").read_text() == "a file, not a folder\n"


def test_create_all_never_replaces_a_file_and_keeps_the_earlier_ones_out(tmp_path):
    (tmp_path / "b.yaml").write_bytes(b"mine\n")
    with pytest.raises(FileExistsError):
        files.create_all({tmp_path / "a.yaml": b"a: 1\n", tmp_path / "b.yaml": b"b: 2\n"})
    assert not (tmp_path / "a.yaml").exists()
    assert (tmp_path / "b.yaml").read_bytes() == b"mine\n"


def test_create_all_creates_every_file_in_order(tmp_path):
    wanted = {tmp_path / "x" / "a.yaml": b"a\n", tmp_path / "b.yaml": b"b\n"}
    assert files.create_all(wanted) == list(wanted)
    assert [p.read_bytes() for p in wanted] == [b"a\n", b"b\n"]
