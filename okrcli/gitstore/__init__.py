"""Every git call okr makes, on GitPython; nothing else in okr runs git or a subprocess.

- `env.py`: the environment git runs in (the redirecting GIT_* variables removed).
- `run.py`: one git process through GitPython's command object (timeouts that stop
  git with SIGTERM, stdin closed), and streaming output.
- `repo.py`: `open_repo` / `GitRepo`: discovery in one `rev-parse`, state, config,
  identity and references read from files, revisions.
- `read.py`: trees and blobs through one persistent `cat-file --batch`, history from
  one `git log` stream, comparing revisions, sparse checkouts.
- `commit.py`: `git commit --only`, okr's check-in lock, verification, roll back.
- `fast_import.py`: a whole new repository from one fast-import stream (the demo).

Names are imported from their module on first use (`from okrcli.gitstore import
open_repo` loads repo.py then), so importing the package costs nothing; GitPython
itself loads only when a git process starts or a file is read through it, never
on `okr --help` or `okr check`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # what the names are, for readers and type checkers; loaded lazily below
    from .commit import LOCK_WAIT, FileChanged
    from .env import LOCAL_ENV_VARS, clean_environment
    from .fast_import import import_repository
    from .read import (
        LOG_FORMAT,
        LogCommit,
        ObjectReader,
        TreeEntry,
        changed_paths,
        commit_before,
        commits_in,
        committed_on,
        index_only_files,
        list_tree,
        log_inputs,
        log_paths,
        merge_base,
        okr_pathspecs,
        parse_log,
        read_blobs,
        read_paths_at,
        resolve_revision,
        single_parent_chain,
    )
    from .repo import CHECKIN_LOCK, CHECKIN_LOCK_WAIT, NO_COMMIT_HINT, GitRepo, RepoInfo, open_repo
    from .run import COMMIT_TIMEOUT, READ_TIMEOUT, GitResult, GitTimeout, run_git, stream_git

_HOMES = {
    "env": ("clean_environment", "LOCAL_ENV_VARS"),
    "run": ("COMMIT_TIMEOUT", "READ_TIMEOUT", "GitResult", "GitTimeout", "run_git", "stream_git"),
    "repo": ("CHECKIN_LOCK", "CHECKIN_LOCK_WAIT", "NO_COMMIT_HINT", "GitRepo", "RepoInfo", "open_repo"),
    "read": ("LOG_FORMAT", "LogCommit", "ObjectReader", "TreeEntry", "changed_paths", "commit_before",
             "commits_in", "committed_on", "index_only_files", "list_tree", "log_inputs", "log_paths",
             "merge_base", "okr_pathspecs", "parse_log", "read_blobs", "read_paths_at", "resolve_revision",
             "single_parent_chain"),
    "commit": ("LOCK_WAIT", "FileChanged"),
    "fast_import": ("import_repository",),
}
_WHERE = {name: module for module, names in _HOMES.items() for name in names}
_OLD_NAMES = {"_LOG_FORMAT": "LOG_FORMAT", "_parse_log": "parse_log"}  # as callers knew them

__all__ = [  # the names of _HOMES
    "CHECKIN_LOCK",
    "CHECKIN_LOCK_WAIT",
    "COMMIT_TIMEOUT",
    "LOCAL_ENV_VARS",
    "LOCK_WAIT",
    "LOG_FORMAT",
    "NO_COMMIT_HINT",
    "READ_TIMEOUT",
    "FileChanged",
    "GitRepo",
    "GitResult",
    "GitTimeout",
    "LogCommit",
    "ObjectReader",
    "RepoInfo",
    "TreeEntry",
    "changed_paths",
    "clean_environment",
    "commit_before",
    "commits_in",
    "committed_on",
    "import_repository",
    "index_only_files",
    "list_tree",
    "log_inputs",
    "log_paths",
    "merge_base",
    "okr_pathspecs",
    "open_repo",
    "parse_log",
    "read_blobs",
    "read_paths_at",
    "resolve_revision",
    "run_git",
    "single_parent_chain",
    "stream_git",
]


def __getattr__(name: str):
    wanted = _OLD_NAMES.get(name, name)
    module = _WHERE.get(wanted)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), wanted)
    globals()[name] = value
    return value
