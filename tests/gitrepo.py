"""Real git repositories for tests, isolated from the machine's git setup.

Import it as `from gitrepo import ...` (pytest puts `tests/` on sys.path; there
is no `tests/__init__.py`). Typical use:

    def test_something(tmp_path, monkeypatch):
        isolate_git(monkeypatch, tmp_path)          # os.environ: pinned identity, no global config
        repo = init_repo(tmp_path / "repo", {"okr.yaml": "company: acme\\n"})
        git(repo, "log", "--oneline")

Every repository gets `commit.gpgsign=false`, a pinned identity and dates, and
git runs without GIT_DIR / GIT_INDEX_FILE / GIT_WORK_TREE (or any other
repository-local variable) leaking in from the environment.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest

AUTHOR_NAME = "Okr Tester"
AUTHOR_EMAIL = "tester@acme.test"
PINNED_DATE = "2026-01-05T12:00:00+00:00"

PINNED_IDENTITY = {
    "GIT_AUTHOR_NAME": AUTHOR_NAME,
    "GIT_AUTHOR_EMAIL": AUTHOR_EMAIL,
    "GIT_AUTHOR_DATE": PINNED_DATE,
    "GIT_COMMITTER_NAME": AUTHOR_NAME,
    "GIT_COMMITTER_EMAIL": AUTHOR_EMAIL,
    "GIT_COMMITTER_DATE": PINNED_DATE,
}

# Variables that redirect git to another repository or index (git rev-parse --local-env-vars).
LEAKY_GIT_VARS = (
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_CONFIG",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_OBJECT_DIRECTORY",
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_IMPLICIT_WORK_TREE",
    "GIT_GRAFT_FILE",
    "GIT_INDEX_FILE",
    "GIT_NO_REPLACE_OBJECTS",
    "GIT_REPLACE_REF_BASE",
    "GIT_PREFIX",
    "GIT_INTERNAL_SUPER_PREFIX",
    "GIT_SHALLOW_FILE",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_CEILING_DIRECTORIES",
    "GIT_CONFIG_GLOBAL",
    "GIT_CONFIG_SYSTEM",
)


def isolate_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *, identity: bool = True) -> Path:
    """Point os.environ at an empty HOME under tmp_path, with no system config.

    The code under test then sees the same git setup as the helpers below. With
    `identity`, author and committer names, emails and dates are pinned through
    GIT_AUTHOR_* / GIT_COMMITTER_*. Returns the HOME folder.
    """
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    for name in LEAKY_GIT_VARS + ("EMAIL",) + tuple(PINNED_IDENTITY):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    if identity:
        for name, value in PINNED_IDENTITY.items():
            monkeypatch.setenv(name, value)
    return home


def git_env(**overrides: str) -> dict[str, str]:
    """os.environ without leaky GIT_* variables, with the pinned identity unless overridden."""
    env = {k: v for k, v in os.environ.items() if k not in LEAKY_GIT_VARS}
    env.setdefault("GIT_CONFIG_NOSYSTEM", "1")
    for name, value in PINNED_IDENTITY.items():
        env.setdefault(name, value)
    env.update(overrides)
    return env


def git(
    cwd: Path,
    *args: str,
    input: bytes | None = None,
    check: bool = True,
    env: Mapping[str, str] | None = None,
) -> str:
    """Run git in `cwd` (stdin closed unless `input`) and return stdout as text."""
    result = git_run(cwd, *args, input=input, env=env)
    if check and result.returncode != 0:
        raise AssertionError(
            f"git {' '.join(args)} failed ({result.returncode}):\n"
            + result.stderr.decode(errors="replace")
        )
    return result.stdout.decode("utf-8", "surrogateescape")


def git_run(
    cwd: Path, *args: str, input: bytes | None = None, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Run git in `cwd` and return the completed process (bytes), whatever the exit code."""
    return subprocess.run(
        ["git", *args],
        cwd=cwd,
        input=input,
        stdin=None if input is not None else subprocess.DEVNULL,
        capture_output=True,
        env=dict(env) if env is not None else git_env(),
        timeout=60,
        check=False,
    )


def write_files(root: Path, files: Mapping[str, str | bytes]) -> None:
    """Write `files` ({relative path: text or bytes}) under `root`, creating folders."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_bytes(content.encode("utf-8"))
        else:
            path.write_bytes(content)


def init_repo(
    path: Path,
    files: Mapping[str, str | bytes] | None = None,
    *,
    message: str = "Initial OKRs",
    branch: str = "main",
    config: Mapping[str, str] | None = None,
) -> Path:
    """Create a repository at `path`; if `files` is given, write and commit them.

    `config` adds repository-level settings (e.g. {"core.autocrlf": "true"}),
    applied before the first commit.
    """
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", branch)
    settings = {
        "user.name": AUTHOR_NAME,
        "user.email": AUTHOR_EMAIL,
        "commit.gpgsign": "false",
        "tag.gpgsign": "false",
        **(config or {}),
    }
    for key, value in settings.items():
        git(path, "config", key, value)
    if files:
        write_files(path, files)
        commit_all(path, message)
    return path


def commit_all(repo: Path, message: str, *, date: str | None = None) -> str:
    """Stage everything and commit it (optionally at `date`, ISO 8601); return the sha."""
    git(repo, "add", "-A")
    env = git_env(**({"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date} if date else {}))
    git(repo, "commit", "-q", "--no-gpg-sign", "-m", message, env=env)
    return git(repo, "rev-parse", "HEAD").strip()
