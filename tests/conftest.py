"""Shared fixtures: run the CLI in-process and write small OKR repositories."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from okrcli.cli import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "acme"

BASIC_CONFIG = "company: acme\ncycle: 2026-Q4\n"
BASIC_ORG = """\
company: {id: acme, name: Acme Inc.}
teams:
  eng: {name: Engineering, lead: alice}
  platform: {name: Platform, parent: eng, lead: bob}
  sre: {name: SRE, parent: eng}
people:
  alice: {name: Alice Chen, team: eng, email: alice@acme.test}
  bob: {name: Bob Li, team: platform, email: bob@acme.test}
  carol: {name: Carol Diaz, team: sre, email: carol@acme.test}
"""
BASIC_COMPANY = """\
objectives:
  - id: O1
    title: Ship a product customers love
    key_results:
      - id: KR1
        title: Weekly active teams from 10 to 50
        start: 10
        target: 50
        current: 20
"""


# No test reads or writes the user's cache folder (okrcli.load.cache), not even a module's
# fixtures, which run before the fixture below gives each test an empty one of its own.
_CACHE_ROOT = tempfile.mkdtemp(prefix="okr-test-cache-")
os.environ["XDG_CACHE_HOME"] = _CACHE_ROOT
atexit.register(shutil.rmtree, _CACHE_ROOT, True)


@pytest.fixture(autouse=True)
def _own_cache(tmp_path_factory, monkeypatch):
    """Each test starts with an empty cache of loaded files (okrcli.load.cache) of its own, so
    no test sees what another one loaded, and none writes to the user's cache folder."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


def run(args: list[str], cwd: Path | None = None, env: dict[str, str] | None = None,
        input: str | None = None) -> Result:
    """Run `okr ARGS` in-process (through Typer's runner) from `cwd`, `input` on stdin."""
    runner = CliRunner()
    old = Path.cwd()
    full_env = {"NO_COLOR": "1", "GITHUB_ACTIONS": "", "OKR_REPO": ""}
    full_env.update(env or {})
    try:
        if cwd is not None:
            os.chdir(cwd)
        result = runner.invoke(app, args, env=full_env, catch_exceptions=False, input=input)
    finally:
        os.chdir(old)
    return Result(result.exit_code, result.stdout, result.stderr)


def write_repo(root: Path, files: dict[str, str], *, base: bool = True) -> Path:
    """Write an OKR repository; with `base`, okr.yaml, org.yaml and 2026-Q4/acme.yaml come first."""
    content: dict[str, str] = {}
    if base:
        content = {"okr.yaml": BASIC_CONFIG, "org.yaml": BASIC_ORG, "2026-Q4/acme.yaml": BASIC_COMPANY}
    content.update(files)
    for rel, text in content.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture
def okr_repo(tmp_path: Path):
    """A factory: okr_repo({"2026-Q4/bob.yaml": "..."}) -> root path of a fresh repository."""

    def make(files: dict[str, str] | None = None, base: bool = True) -> Path:
        return write_repo(tmp_path / "okrs", files or {}, base=base)

    return make
