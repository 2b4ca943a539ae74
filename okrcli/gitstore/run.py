"""Running one git process through GitPython's command object, safely.

`git.Git.execute(..., as_process=True)` starts the process; okr then feeds its
stdin and reads its output itself, because two parts of GitPython are unsafe
for a check-in and are never used here:

- `kill_after_timeout` stops git with SIGKILL: git cannot run its signal handler
  and leaves `index.lock` behind, which blocks every later commit. okr's timeout
  sends SIGTERM first (git removes its lock files), SIGKILL only 5 s later.
- `env=` can only add variables to a copy of `os.environ`, so a GIT_DIR or
  GIT_INDEX_FILE exported by a hook would still redirect the call.
  `env.clean_environment` removes them from `os.environ` itself: once at the CLI
  entry, and again before every process (a library caller may have set them).

Output is read until git exits, not until every copy of its pipes is closed:
a grandchild that outlives git (a hook's background job) cannot block okr.
stdin is /dev/null unless okr has input for git. GitPython is imported here,
lazily: `okr --help` and `okr check` never load it.
"""

from __future__ import annotations

import os
import re
import selectors
import subprocess
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import OkrError
from .env import LOCAL_ENV_VARS, clean_environment  # noqa: F401 - LOCAL_ENV_VARS: for callers

READ_TIMEOUT = 30.0
COMMIT_TIMEOUT = 120.0  # hooks and gpg (a pinentry prompt) may legitimately take a while
_CHUNK = 1 << 20
_GATHER = 256 << 10  # a read shorter than this waits a little before the next one (streams)

@dataclass(frozen=True)
class GitResult:
    """The outcome of one git process."""

    args: tuple[str, ...]
    returncode: int
    stdout: bytes
    stderr: bytes

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def out(self) -> str:
        return os.fsdecode(self.stdout)

    @property
    def err(self) -> str:
        return self.stderr.decode("utf-8", "replace")


class GitTimeout(OkrError):
    """A git process did not finish in time and was stopped."""


def start(args: Iterable[str], cwd: Path, *, stdin: bool = False,
          env: Mapping[str, str] | None = None) -> subprocess.Popen:
    """Start `git ARGS` in `cwd` through GitPython (stdin a pipe only with `stdin`)."""
    clean_environment()
    if not os.path.isdir(cwd) or not os.access(cwd, os.X_OK):  # GitPython would run git in os.getcwd()
        raise OkrError(f"cannot run git in {cwd}: it is not a folder okr can enter")
    try:
        import git as gitpython  # GitPython, imported only inside okrcli/gitstore
    except ImportError as exc:  # pragma: no cover - GitPython is a dependency
        raise OkrError(f"okr needs GitPython and git: {exc}") from None
    argv = ["git", *args]
    try:
        handle = gitpython.Git(str(cwd)).execute(
            argv, as_process=True, istream=subprocess.PIPE if stdin else None, env=env or None)
    except gitpython.GitCommandNotFound:
        raise OkrError("git is not installed (or not on PATH)") from None
    proc = handle.proc
    handle.proc = None  # okr waits for it (SIGTERM first); GitPython's handle no longer does
    return proc


def run_git(args: Iterable[str], cwd: Path, *, input: bytes | None = None, timeout: float = READ_TIMEOUT,
            env: Mapping[str, str] | None = None) -> GitResult:
    """Run `git ARGS` in `cwd`; never raises for a non-zero exit, except for ownership."""
    argv = tuple(args)
    proc = start(argv, cwd, stdin=input is not None, env=env)
    out, err = bytearray(), bytearray()
    try:
        for data in _pump(proc, input, timeout, err, command_name(argv)):
            out += data
    except BaseException:
        stop(proc)
        raise
    result = GitResult(argv, proc.returncode, bytes(out), bytes(err))
    if not result.ok and DUBIOUS_RE.search(result.err):
        raise dubious_ownership(result.err, cwd)
    return result


def stream_git(args: Iterable[str], cwd: Path, *, input: bytes | None = None,
               timeout: float = READ_TIMEOUT) -> Iterator[bytes]:
    """Run `git ARGS` in `cwd` and yield its standard output as it comes.

    For long outputs (a whole history): okr parses one part while git writes the
    next. A failing git raises OkrError after its output has been read."""
    argv = tuple(args)
    proc = start(argv, cwd, stdin=input is not None)
    err = bytearray()
    try:
        _widen_pipe(proc.stdout.fileno())
        yield from _pump(proc, input, timeout, err, command_name(argv), gather=True)
    except BaseException:  # also GeneratorExit: the reader stopped early
        stop(proc)
        raise
    if proc.returncode != 0:
        message = err.decode("utf-8", "replace")
        if DUBIOUS_RE.search(message):
            raise dubious_ownership(message, cwd)
        raise OkrError(f"git {command_name(argv)} failed:\n{tail(message)}")


def command_name(argv: tuple[str, ...]) -> str:
    """The git command of an argument list (`commit` in `-c k=v commit ...`)."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "-c":
            skip = True
        elif not arg.startswith("-"):
            return arg
    return argv[0] if argv else "git"


def _pump(proc: subprocess.Popen, input: bytes | None, timeout: float, err: bytearray,
          what: str, gather: bool = False) -> Iterator[bytes]:
    """Feed `input`, yield stdout chunks, collect stderr into `err`, until git exits.

    With `gather` (a long output), a short read is followed by a pause of a millisecond
    or two, so the pipe holds more at the next read: git writes a few KiB at a time, and
    waking up for each costs more CPU than the parsing of it. Raises GitTimeout (the
    caller stops git) after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    pending = memoryview(input) if input is not None else None
    with selectors.DefaultSelector() as waiting:
        for stream in (proc.stdout, proc.stderr):
            os.set_blocking(stream.fileno(), False)
            waiting.register(stream.fileno(), selectors.EVENT_READ, stream is proc.stdout)
        if pending is not None:
            if pending:
                os.set_blocking(proc.stdin.fileno(), False)
                waiting.register(proc.stdin.fileno(), selectors.EVENT_WRITE, None)
            else:
                proc.stdin.close()
        open_streams = 2
        while open_streams:
            left = deadline - time.monotonic()
            if left <= 0:
                raise GitTimeout(f"`git {what}` did not finish within {timeout:g} s "
                                 "and was stopped", hint="a git hook or gpg.program may be waiting for input")
            events = waiting.select(min(left, 0.05))
            if not events and proc.poll() is not None:
                break  # git is gone; whatever still holds its pipes is not okr's concern
            for key, _ in events:
                if key.data is None:  # stdin
                    pending = _feed(proc, waiting, key.fd, pending)
                    continue
                try:
                    data = os.read(key.fd, _CHUNK)
                except BlockingIOError:
                    continue
                if not data:
                    waiting.unregister(key.fd)
                    open_streams -= 1
                elif key.data:
                    yield data
                    if gather and len(data) < _GATHER:
                        time.sleep(0.002)
                else:
                    err += data
    _finish(proc, deadline, what)


def _feed(proc: subprocess.Popen, waiting: selectors.BaseSelector, fd: int, pending: memoryview) -> memoryview:
    """Write what git's stdin takes now; close it once all is written (or git stopped reading)."""
    try:
        sent = os.write(fd, pending[:65536])
    except BrokenPipeError:
        sent = len(pending)
    pending = pending[sent:]
    if not pending:
        waiting.unregister(fd)
        proc.stdin.close()
    return pending


def _finish(proc: subprocess.Popen, deadline: float, what: str) -> None:
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None and not stream.closed:
            stream.close()
    try:
        proc.wait(timeout=max(deadline - time.monotonic(), 1.0))
    except subprocess.TimeoutExpired:
        raise GitTimeout(f"`git {what}` did not finish in time and was stopped") from None


def _widen_pipe(fd: int) -> None:
    """Ask Linux for a 1 MiB pipe (fewer switches between git and okr); harmless elsewhere."""
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), _CHUNK)
    except (ImportError, OSError):
        pass


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM first: git's handler removes its lock files; SIGKILL would leave them."""
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None and not stream.closed:
            try:
                stream.close()
            except OSError:
                pass
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


DUBIOUS_RE = re.compile(r"dubious ownership|--add safe\.directory")


def dubious_ownership(message: str, cwd: Path) -> OkrError:
    found = re.search(r"--add safe\.directory (.+)", message)
    where = found.group(1).strip() if found else str(cwd)
    return OkrError(
        f"git refuses to work in {where}: the repository belongs to another user "
        "(dubious ownership)",
        hint=f"if you trust it: git config --global --add safe.directory {where}",
    )


def tail(text: str, lines: int = 20) -> str:
    """The end of some git or hook output, control characters made visible."""
    kept = "\n".join(text.strip().splitlines()[-lines:])
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", lambda m: f"\\x{ord(m.group()):02x}", kept)


def literal(rel: str) -> str:
    """A pathspec that matches exactly this path (no globs, no magic)."""
    return f":(literal){rel}"
