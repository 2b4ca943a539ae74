"""Time travel: the OKR repository exactly as it stood at a commit or on a date.

`--at REV|DATE` reads the files from git objects (trees and blobs through the
one `cat-file --batch` of gitstore), never from or into the work tree, and loads them with the
same loader as the files on disk. The date the reports use as "today" becomes
the `--at` date, or the commit's date for a revision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..errors import Diagnostic, OkrError
from ..model import Repository
from .source import CONFIG_FILE


@dataclass(frozen=True)
class AsOf:
    repository: Repository
    diagnostics: list[Diagnostic]
    today: date
    rev: str | None  # the commit read, None for the work tree


def read_revision(root: Path, at: str) -> tuple[dict[str, bytes], str, date]:
    """Root-relative path -> bytes of every file under `root` at `at`; plus the sha and its date."""
    from ..gitstore import list_tree, open_repo, read_blobs, resolve_revision

    day = _as_date(at)
    try:
        repo = open_repo(root)
    except OkrError as exc:
        raise OkrError(f"--at {at} reads the repository from git, but {exc.message}",
                       hint="run okr inside a git work tree, or leave out --at") from None
    sha, when = resolve_revision(repo, at)
    prefix = repo.relpath(root) if Path(root).resolve() != repo.top else ""
    prefix = "" if prefix in ("", ".") else prefix
    listed = list_tree(repo, sha, prefix)
    cut = len(prefix) + 1 if prefix else 0
    entries = [e for e in listed if e.path.endswith(".yaml")]
    # Symbolic links (mode 120000) are never followed, here as on disk.
    wanted = {e.path[cut:]: e.sha for e in entries if e.mode not in ("120000", "160000")}
    if CONFIG_FILE not in wanted:
        raise OkrError(f"there was no {CONFIG_FILE} in {prefix or 'the repository root'} at {at}",
                       hint="the OKR repository did not exist yet at that revision")
    contents = read_blobs(repo, list(wanted.values()))
    as_of = day or date.fromisoformat(when[:10])
    tree = TreeBlobs({rel: contents[sha] for rel, sha in wanted.items()})
    tree.modes = {e.path[cut:]: e.mode for e in listed}  # every path: the walk notes what it skips
    return tree, sha, as_of


class TreeBlobs(dict):
    """Root-relative path -> bytes of a revision's YAML files, with `modes`: every path of
    the tree (YAML or not) -> its git mode, so the loader walks it as it walks the disk."""

    modes: dict[str, str]


def _as_date(at: str) -> date | None:
    """The date `at` names (YYYY-MM-DD), None for a revision; an impossible date is refused."""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", at):
        return None
    try:
        day = date.fromisoformat(at)
    except ValueError:
        raise OkrError(f"--at {at}: there is no such day", hint="write a date as YYYY-MM-DD, e.g. 2026-11-01") from None
    from ..cycles import MAX_YEAR, MIN_YEAR

    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise OkrError(f"--at {at}: okr handles the years {MIN_YEAR}-{MAX_YEAR}")
    return day


def load_as_of(root: Path, at: str | None, today: date) -> AsOf:
    """The repository now (at=None: the files on disk) or at a revision or date."""
    from .build import load_repository

    if at is None:
        repository, diags = load_repository(root)
        return AsOf(repository, diags, today, None)
    blobs, sha, as_of = read_revision(root, at)
    repository, diags = load_repository(root, blobs)
    return AsOf(repository, diags, as_of, sha)
