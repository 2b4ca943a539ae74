"""Shell completion through Typer: --show-completion, --install-completion, and the completions
themselves (commands and options), run through the installed `okr` as a shell runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import run

OKR = Path(sys.executable).parent / "okr"


def okr(*args: str, home: Path, **env: str) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if not k.startswith("_OKR_COMPLETE")}
    # Typer's switch for tests: the shell is named, not detected from the process tree.
    full.update({"HOME": str(home), "NO_COLOR": "1", "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1",
                 **env})
    return subprocess.run([str(OKR), *args], env=full, capture_output=True, text=True, check=False,
                          stdin=subprocess.DEVNULL)


def test_help_offers_completion():
    result = run(["--help"])
    assert result.exit_code == 0
    assert "--install-completion" in result.stdout and "--show-completion" in result.stdout


def test_show_completion_prints_the_script_for_the_shell(tmp_path):
    bash = okr("--show-completion", "bash", home=tmp_path)
    assert bash.returncode == 0
    assert "_okr_completion()" in bash.stdout and "_OKR_COMPLETE=complete_bash" in bash.stdout
    assert "complete -o default -F _okr_completion okr" in bash.stdout
    zsh = okr("--show-completion", "zsh", home=tmp_path)
    assert zsh.returncode == 0 and "#compdef okr" in zsh.stdout


def test_install_completion_writes_the_script_and_sources_it(tmp_path):
    result = okr("--install-completion", "bash", home=tmp_path)
    assert result.returncode == 0, result.stderr
    script = tmp_path / ".bash_completions" / "okr.sh"
    assert "_okr_completion" in script.read_text()
    assert f"source '{script}'" in (tmp_path / ".bashrc").read_text()


def test_completions_name_commands_and_options(tmp_path):
    commands = okr(home=tmp_path, _OKR_COMPLETE="complete_bash", COMP_WORDS="okr chec", COMP_CWORD="1")
    assert commands.stdout.split() == ["check", "checkin"]
    options = okr(home=tmp_path, _OKR_COMPLETE="complete_bash", COMP_WORDS="okr check --exp",
                  COMP_CWORD="2")
    assert options.stdout.split() == ["--explain"]


def test_references_complete_from_the_files(tmp_path):
    from conftest import write_repo

    root = write_repo(tmp_path / "okrs", {
        "2026-Q4/bob.yaml": ("objectives:\n  - id: O1\n    title: Faster builds\n    aligns: [acme/O1]\n"
                             "    key_results:\n      - {id: KR1, title: Build time from 20 to 5, start: 20, target: 5}\n"
                             "  - id: O2\n    title: Hiring\n    private: true\n    aligns: [acme/O1]\n"
                             "    key_results:\n      - {id: KR1, title: Hires from 0 to 2, target: 2}\n"),
        "2026-Q4/alice.yaml": "objectives: []\n",
    })

    def complete(words: str, cwd: Path = root) -> list[str]:
        done = subprocess.run([str(OKR)], cwd=cwd, capture_output=True, text=True, check=False,
                              env={**os.environ, "_OKR_COMPLETE": "complete_bash", "COMP_WORDS": words,
                                   "COMP_CWORD": str(len(words.split(" ")) - 1), "OKR_REPO": ""})
        return done.stdout.split()

    assert complete("okr show ") == ["acme/", "alice/", "bob/"]
    # One owner matches: its objectives and key results (a private objective is not offered).
    assert complete("okr show b") == ["bob/O1", "bob/O1/KR1"]
    assert complete("okr show acme/O1/") == ["acme/O1/KR1"]
    assert complete("okr checkin bob/O1/KR1 3 ac") == ["acme/O1", "acme/O1/KR1"]
    assert complete("okr show 2026-Q4:bob/") == ["2026-Q4:bob/O1", "2026-Q4:bob/O1/KR1"]
    assert complete("okr show nobody") == []
    assert complete("okr show b", cwd=tmp_path) == []  # no OKR repository: nothing, no error
