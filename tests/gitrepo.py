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
from dataclasses import dataclass
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


# --- the "nothing lost" conditions of RELIABILITY.md section A -----------------------------------


@dataclass(frozen=True)
class Snapshot:
    """Everything of a repository but its OKR files that a check-in must leave alone."""

    okr_files: tuple[str, ...]
    head: str | None
    staged: str
    unstaged: str
    status: str
    index: str
    others: dict[str, bytes]


def snapshot(repo: Path, okr_files: tuple[str, ...]) -> Snapshot:
    """Staged and unstaged diffs, status, index and bytes of every path but `okr_files`."""
    exclude = [f":(exclude){rel}" for rel in okr_files]
    head = git_run(repo, "rev-parse", "-q", "--verify", "HEAD").stdout.decode().strip() or None
    index = [
        line
        for line in git(repo, "ls-files", "-s").splitlines()
        if line.split("\t", 1)[1] not in okr_files
    ]
    others = {
        str(p.relative_to(repo)): p.read_bytes()
        for p in repo.rglob("*")
        if p.is_file()
        and ".git" not in p.relative_to(repo).parts
        and p.relative_to(repo).as_posix() not in okr_files
    }
    return Snapshot(
        okr_files=okr_files,
        head=head,
        staged=git(repo, "diff", "--cached", "--binary", "--", ".", *exclude),
        unstaged=git(repo, "diff", "--binary", "--", ".", *exclude),
        status=git(repo, "status", "--porcelain=v1", "-uall", "--", ".", *exclude),
        index="\n".join(index),
        others=others,
    )


def lock_files(repo: Path) -> list[Path]:
    git_dir = Path(git(repo, "rev-parse", "--absolute-git-dir").strip())
    return sorted(git_dir.rglob("*.lock"))


def assert_nothing_lost(
    repo: Path,
    before: Snapshot,
    *,
    committed: dict[str, bytes] | None = None,
    restored: dict[str, bytes | None] | None = None,
    empty_commit: bool = False,
) -> None:
    """RELIABILITY A's promise after a check-in, from a `snapshot` taken before it.

    `committed`: {path: bytes} of the one new commit (with `empty_commit`, a commit that
    changes no file, as a check-in repeating a value makes); `restored`: {path: old bytes,
    or None for a file that did not exist}. Neither: HEAD must not have moved.
    """
    okr_files = tuple((committed or {}) | (restored or {})) or before.okr_files
    after = snapshot(repo, okr_files)
    assert after.staged == before.staged
    assert after.unstaged == before.unstaged
    assert after.status == before.status
    assert after.index == before.index
    assert after.others == before.others
    assert lock_files(repo) == []
    if committed:
        parents = git(repo, "rev-list", "--parents", "-n", "1", "HEAD").split()[1:]
        assert parents == ([before.head] if before.head else [])
        touched = git(repo, "diff-tree", "--root", "--no-commit-id", "--name-only", "-r", "HEAD")
        assert sorted(touched.split()) == ([] if empty_commit else sorted(committed))
        for rel, data in committed.items():
            assert (repo / rel).read_bytes() == data
            assert git_run(repo, "show", f"HEAD:{rel}").stdout == data
            clean = git(repo, "status", "--porcelain=v1", "--", rel)
            assert clean == "", f"{rel} is not clean after its commit: {clean!r}"
    else:
        assert after.head == before.head
    for rel, data in (restored or {}).items():
        if data is None:
            assert not (repo / rel).exists()
            assert git(repo, "ls-files", "--", rel) == ""
        else:
            assert (repo / rel).read_bytes() == data
            assert git(repo, "status", "--porcelain=v1", "--", rel) == ""
