"""The one writer: every file okr writes goes through this module.

- `write_atomic(path, data)`: replace (or, with `create_only`, create) one file: a temporary
  file beside it, fsync, rename. A crash leaves the old file or the new one.
- `write_chunks(path, chunks)`: the same for text produced piece by piece (a big HTML page),
  written as it comes instead of held whole in memory.
- `make_folder(path)`: one new folder (the writers above write only into existing ones).
- `SiteFolder`: a folder of files written all-or-nothing (built beside, renamed into place).
- `scratch_file(data)` and `lock_file(path)`: a private temporary file and a lock file, for
  the git layer.

Refused (WriteRefused, exit 2) everywhere: devices, FIFOs, sockets, folders where a file is
expected, symbolic links (the target or a folder on the way), read-only files and any place
inside a git directory. Temporary files carry okr's process id (`.NAME.PID.XXXX.tmp`), so one
left by a killed okr is removed by the next write into that folder; on any failure or Ctrl-C
nothing is left behind.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from .errors import OkrError


class WriteRefused(OkrError):
    """A place okr must not write (or cannot); nothing was written."""


def write_atomic(path: Path, data: bytes, *, create_only: bool = False) -> None:
    """Replace `path` with `data`: temp file in the same folder, fsync, `os.replace`.

    Used for OKR files, `--output`, `init`, `schema --write` and `new-cycle`. A crash leaves the old file or the new one, never a truncated
    one. The mode of an existing file is kept; a new file gets the usual mode (0666 minus
    umask). Refused (WriteRefused, exit 2; see `check_target`): anything that is not a regular
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


def write_chunks(path: Path, chunks: Iterable[str]) -> None:
    """Replace `path` with the text of `chunks` (UTF-8), written as they come: same refusals
    and guarantees as `write_atomic` (temporary file beside it, fsync, rename; the old file is
    kept and nothing is left behind if producing or writing a chunk fails or is interrupted)."""
    import tempfile

    path = Path(path)
    st = check_target(path)
    mode = new_file_mode() if st is None else stat.S_IMODE(st.st_mode)
    remove_stale_temps(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp")
    try:
        with open(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.writelines(chunks)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def make_folder(path: Path) -> None:
    """Create the folder `path` (its parent must exist); never inside a git directory.
    FileExistsError when something is there already."""
    path = Path(path)
    check_folder(path)
    os.mkdir(path, 0o777)


def make_folders(path: Path) -> list[Path]:
    """Create `path` and its missing parents; the folders created, outermost first."""
    missing = []
    path = Path(path)
    while not path.exists():
        missing.append(path)
        path = path.parent
    for created in reversed(missing):
        make_folder(created)
    return list(reversed(missing))


def create_all(files: dict[Path, bytes]) -> list[Path]:
    """Create every file, never replacing one, making missing folders: all or nothing. On any
    failure what this call created (files, then folders, innermost first) is removed and the
    error raised again. The files created, in order."""
    created: list[Path] = []
    made: list[Path] = []
    try:
        for path, data in files.items():
            made += make_folders(path.parent)
            write_atomic(path, data, create_only=True)
            created.append(path)
    except BaseException:
        for path in reversed(created):
            path.unlink(missing_ok=True)
        for folder in reversed(made):
            try:
                folder.rmdir()
            except OSError:
                pass
        raise
    return created


@contextlib.contextmanager
def scratch_file(data: bytes, prefix: str = "okr-", suffix: str = ".tmp") -> Iterator[str]:
    """A private temporary file (in the system's temp folder) holding `data`, removed on leaving."""
    import tempfile

    fd, name = tempfile.mkstemp(prefix=prefix, suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        yield name
    finally:
        os.unlink(name)


def write_private(folder: str, name: str, chunks: Iterable[bytes]) -> None:
    """Write `chunks` to `folder/name` for okr's own cache: the folder made private (0700) if
    missing, the file 0600, written beside under a temp name and renamed into place, so a
    reader sees the whole file or none (never through a link: the temp name is created
    exclusively). Not fsynced: a cache lost in a crash is rebuilt. Raises OSError (the caller
    carries on without its cache); no temp file of its own is left."""
    tmp = os.path.join(folder, f".tmp-{name}")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(tmp, flags, 0o600)
    except FileNotFoundError:  # the first write: make the folder, private
        os.makedirs(folder, mode=0o700, exist_ok=True)
        fd = os.open(tmp, flags, 0o600)
    try:  # from here on the temp file is this process's own
        try:
            for chunk in chunks:
                view = memoryview(chunk)
                while view:
                    view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        os.replace(tmp, os.path.join(folder, name))
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def lock_file(path: Path) -> int:
    """An open read-write descriptor of the lock file `path`, created (empty, 0600) if missing."""
    return os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a device node"),
          (stat.S_ISBLK, "a device node"), (stat.S_ISSOCK, "a socket"))


def check_target(path: Path) -> os.stat_result | None:
    """Why okr must not write `path` (WriteRefused), else its lstat (None: it does not exist yet)."""
    path = Path(path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise WriteRefused(f"{path}: cannot be written: {exc.strerror or exc}") from None
    if st is not None:
        if stat.S_ISLNK(st.st_mode):
            raise WriteRefused(f"{path} is a symbolic link; okr does not write through links")
        for test, what in _KINDS:
            if test(st.st_mode):
                raise WriteRefused(f"{path} is {what}; okr writes only regular files",
                                hint="give the name of a file (an existing one is replaced)")
        if not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
            raise WriteRefused(f"{path} is read-only (mode {stat.S_IMODE(st.st_mode):04o}); okr will not replace it",
                            hint=f"if it should change, make it writable first: chmod u+w {path}")
    if not path.is_absolute():  # a folder on the way that is a link (one a pull request committed)
        for n in range(1, len(path.parts)):
            step = Path(*path.parts[:n])
            if step.is_symlink():
                raise WriteRefused(f"{path}: {step} is a symbolic link; okr does not write through links",
                                hint="give the real folder, or an absolute path")
    if path.name == ".git":  # a linked worktree's .git file, or the git directory itself
        raise WriteRefused(f"{path} is git's own; okr never writes there",
                        hint="write it somewhere in the work tree or outside the repository")
    parent = path.parent
    if not parent.is_dir():
        raise WriteRefused(f"{path}: the folder {parent} does not exist", hint="create the folder first")
    check_folder(parent)
    return st


def check_folder(folder: Path) -> None:
    """WriteRefused when `folder` is inside a git directory (okr writes nothing there)."""
    inside = _git_dir_holding(folder)
    if inside is not None:
        raise WriteRefused(f"{folder} is inside the git directory {inside}; okr never writes there",
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
    import tempfile

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


# --- a folder written all-or-nothing (okr site) ------------------------------------------
# `okr site` writes every page into a fresh temporary folder next to the target, then renames
# it to the target. An existing target is replaced only when it is a folder an earlier `okr
# site` wrote (it holds the marker file, a regular file whose first line is `MARKER_LINE`) or an
# empty folder; anything else (another folder, a file, a symbolic link, a place inside `.git`)
# is refused and left as it is. If anything fails or the run is interrupted, the temporary
# folder is removed and the target is as it was.

MARKER_LINE = "okr-site"


def _refuse(target: Path, why: str, hint: str | None = None) -> OkrError:
    return WriteRefused(f"--output {target}: {why}", hint=hint)


def check_site_target(target: Path, marker: str) -> bool:
    """Whether `target` exists (and may be replaced); OkrError (exit 2) when okr must not touch it."""
    parent = target.parent if str(target.parent) else Path(".")
    if ".git" in Path(os.path.abspath(target)).parts:
        raise _refuse(target, "is inside a .git folder; okr never writes there")
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        if not parent.is_dir():
            raise _refuse(target, f"the folder {parent} does not exist") from None
        return False
    if stat.S_ISLNK(st.st_mode):
        raise _refuse(target, "is a symbolic link; okr does not write through links",
                      hint="give the real folder, or another --output")
    if not stat.S_ISDIR(st.st_mode):
        raise _refuse(target, "exists and is not a folder", hint="give another --output")
    if not is_earlier_site(target, marker):
        raise _refuse(target, f"exists and is not a site okr wrote (it holds no {marker} file from okr); "
                      "okr replaces only its own sites", hint="give another --output, or remove that folder yourself")
    return True


def is_earlier_site(folder: Path, marker: str) -> bool:
    """An empty folder, or one holding okr's marker file (a regular file starting with MARKER_LINE)."""
    try:
        entries = os.listdir(folder)
    except OSError as exc:
        raise _refuse(folder, f"cannot be read: {exc.strerror or exc}") from None
    if not entries:
        return True
    path = folder / marker
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode):
            return False
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.readline().strip() == MARKER_LINE
    except OSError:
        return False


class SiteFolder:
    """A temporary folder beside `target`; `write(rel)` opens a new file in it, `publish()` renames it
    into place. Use it as a context manager: leaving without `publish()` removes everything."""

    def __init__(self, target: Path, marker: str):
        import tempfile

        self.target = Path(target)
        self.marker = marker
        self.replaces = check_site_target(self.target, marker)
        parent = self.target.parent if str(self.target.parent) else Path(".")
        self.tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{self.target.name}.", suffix=".tmp"))
        os.chmod(self.tmp, 0o777 & ~_umask())  # mkdtemp makes it 0700; a site is for a web server to read
        self._dirs: set[str] = {""}
        self.files = 0
        self.bytes = 0

    def __enter__(self):
        # SIGTERM (a CI job cancelled, a container stopped) ends the build like Ctrl-C: cleaned up.
        import signal
        import threading

        self._term = None
        if threading.current_thread() is threading.main_thread():
            self._term = signal.signal(signal.SIGTERM, _interrupt)
        return self

    def __exit__(self, *exc) -> None:
        import shutil
        import signal

        if self._term is not None:
            signal.signal(signal.SIGTERM, self._term)
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    def _folder(self, rel_dir: str) -> None:
        if rel_dir in self._dirs:
            return
        self._folder(os.path.dirname(rel_dir))
        os.mkdir(self.tmp / rel_dir, 0o777)
        self._dirs.add(rel_dir)

    def write(self, rel: str, pieces) -> None:
        """A new file at `rel` (POSIX, inside the folder) holding the text pieces, written as they come."""
        if rel.startswith("/") or ".." in rel.split("/"):
            raise ValueError(f"not a path inside the site: {rel!r}")
        self._folder(os.path.dirname(rel))
        fd = os.open(self.tmp / rel, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666)
        with open(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.writelines(pieces)
            self.bytes += fh.tell()
        self.files += 1

    def adopt(self, rel: str) -> None:
        """Count a file another process wrote into the folder."""
        self.bytes += os.lstat(self.tmp / rel).st_size
        self.files += 1

    def publish(self) -> None:
        """Put the folder in place of the target (replacing an earlier site), all at once."""
        import shutil
        import tempfile

        self.write(self.marker, [f"{MARKER_LINE}\n", ("This folder was written by okr site; okr site replaces "
                                 "it when run again with the same --output.\n")])
        replaces = check_site_target(self.target, self.marker)  # again: it may have changed meanwhile
        if not replaces:
            os.rename(self.tmp, self.target)
        else:
            old = Path(tempfile.mkdtemp(dir=self.tmp.parent, prefix=f".{self.target.name}.", suffix=".old"))
            os.rmdir(old)
            os.rename(self.target, old)
            try:
                os.rename(self.tmp, self.target)
            except BaseException:
                os.rename(old, self.target)
                raise
            shutil.rmtree(old, ignore_errors=True)
        self.tmp = None


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


# --- small OS helpers -----------------------------------------------------------------


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
