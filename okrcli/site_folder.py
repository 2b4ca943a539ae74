"""Write a folder of files all-or-nothing: build it beside its place, then rename it into place.

`okr site` writes every page into a fresh temporary folder next to the target,
then renames it to the target. An existing target is replaced only when it is a
folder an earlier `okr site` wrote (it holds the marker file, a regular file
whose first line is `MARKER_LINE`) or an empty folder; anything else (another
folder, a file, a symbolic link, a place inside `.git`) is refused and left as
it is. If anything fails or the run is interrupted, the temporary folder is
removed and the target is as it was.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import tempfile
import threading
from pathlib import Path

from .edit import _umask
from .errors import OkrError

MARKER_LINE = "okr-site"


def _refuse(target: Path, why: str, hint: str | None = None) -> OkrError:
    return OkrError(f"--output {target}: {why}", hint=hint)


def check_target(target: Path, marker: str) -> bool:
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
        self.target = Path(target)
        self.marker = marker
        self.replaces = check_target(self.target, marker)
        parent = self.target.parent if str(self.target.parent) else Path(".")
        self.tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{self.target.name}.", suffix=".tmp"))
        os.chmod(self.tmp, 0o777 & ~_umask())  # mkdtemp makes it 0700; a site is for a web server to read
        self._dirs: set[str] = {""}
        self.files = 0
        self.bytes = 0

    def __enter__(self):
        # SIGTERM (a CI job cancelled, a container stopped) ends the build like Ctrl-C: cleaned up.
        self._term = None
        if threading.current_thread() is threading.main_thread():
            self._term = signal.signal(signal.SIGTERM, _interrupt)
        return self

    def __exit__(self, *exc) -> None:
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
        self.write(self.marker, [f"{MARKER_LINE}\n", ("This folder was written by okr site; okr site replaces "
                                 "it when run again with the same --output.\n")])
        replaces = check_target(self.target, self.marker)  # again: it may have changed meanwhile
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
