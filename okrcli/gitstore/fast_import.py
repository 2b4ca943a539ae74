"""A new repository written in one go by `git fast-import` (the demo's history).

Every command names the repository with `--git-dir` and `--work-tree`, so nothing
around the new folder (a repository it sits in) is touched.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import OkrError
from .run import run_git

TIMEOUT = 60.0


def _git(folder: Path, *args: str, input: bytes | None = None) -> None:
    result = run_git([f"--git-dir={folder / '.git'}", f"--work-tree={folder}", *args], folder, input=input,
                     timeout=TIMEOUT)
    if not result.ok:
        raise OkrError(f"git {args[0]} failed while building the demo:\n{result.err.strip()}")


def import_repository(folder: Path, stream: bytes, *, branch: str, user: tuple[str, str]) -> None:
    """Create a repository in `folder` (which exists) from a fast-import `stream` writing
    `refs/heads/BRANCH`; `user` (name, email) goes into its config; the work tree and the
    index are checked out from the branch's last commit by git itself."""
    _git(folder, "init", "-q")
    _git(folder, "symbolic-ref", "HEAD", f"refs/heads/{branch}")
    _git(folder, "config", "user.name", user[0])
    _git(folder, "config", "user.email", user[1])
    _git(folder, "fast-import", "--quiet", "--done", "--date-format=raw", input=stream)
    _git(folder, "checkout", "-q", "-f", branch)
