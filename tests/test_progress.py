"""Progress on stderr: shown (then erased) when stderr is a terminal and the work lasts, never
when piped, with NO_COLOR, with OKR_PROGRESS=0, or in a machine format; stdout never changes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import write_repo
from gitrepo import git, init_repo, isolate_git

pty = pytest.importorskip("pty")
OKR = Path(sys.executable).parent / "okr"
PERSON = ("objectives:\n  - id: O1\n    title: Grow more\n    aligns: [acme/O1]\n    key_results:\n"
          "      - {id: KR1, title: Deals from 1 to 5, start: 1, target: 5}\n")


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("big") / "okrs"
    people = "".join(f"  p{i}: {{name: P {i}, team: eng}}\n" for i in range(120))
    write_repo(root, {"org.yaml": f"company: {{id: acme, name: Acme}}\nteams:\n  eng: {{name: Eng}}\n"
                                  f"people:\n{people}",
                      **{f"2026-Q4/p{i}.yaml": PERSON for i in range(120)}})
    return root


def okr(args: list[str], cwd: Path, *, tty: bool, **env: str) -> tuple[int, str, str]:
    """Run okr with stderr on a pseudo-terminal (or a pipe); returns (code, stdout, stderr)."""
    full = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "OKR_PROGRESS", "GITHUB_ACTIONS")}
    full.update({"TERM": "xterm", "OKR_PROGRESS_DELAY": "0", "OKR_REPO": "", **env})
    if not tty:
        done = subprocess.run([str(OKR), *args], cwd=cwd, env=full, capture_output=True, check=False,
                              stdin=subprocess.DEVNULL)
        return done.returncode, done.stdout.decode(), done.stderr.decode()
    master, slave = pty.openpty()
    try:
        done = subprocess.run([str(OKR), *args], cwd=cwd, env=full, stdout=subprocess.PIPE, stderr=slave,
                              check=False, stdin=subprocess.DEVNULL)
    finally:
        os.close(slave)
    err = b""
    while True:
        try:
            chunk = os.read(master, 1 << 16)
        except OSError:  # the terminal is gone once everything is read
            break
        if not chunk:
            break
        err += chunk
    os.close(master)
    return done.returncode, done.stdout.decode(), err.decode(errors="replace")


@pytest.mark.parametrize("workers", ["1", "2"])
def test_loading_shows_a_bar_on_a_terminal_and_changes_no_output(big, workers):
    code, out, err = okr(["check", "--strict"], big, tty=True, OKR_WORKERS=workers)
    plain = okr(["check", "--strict"], big, tty=False, OKR_WORKERS=workers)
    assert "Loading OKR files" in err and "/121" in err  # 120 people and the company
    assert err.endswith("okr check: no problems in 123 files\r\n")  # the bar erased itself
    assert (code, out) == plain[:2] == (0, "")
    assert "Loading" not in plain[2]


@pytest.mark.parametrize(("args", "env"), [
    (["check"], {"NO_COLOR": "1"}),
    (["check"], {"OKR_PROGRESS": "0"}),
    (["check"], {"TERM": "dumb"}),
    (["check", "--format", "json"], {}),
    (["check", "--format", "sarif"], {}),
    (["tree", "--format", "json"], {}),
])
def test_no_bar_with_no_color_when_turned_off_or_in_a_machine_format(big, args, env):
    code, out, err = okr(args, big, tty=True, **env)
    assert "Loading" not in err and "\x1b[" not in err
    assert (code, out) == okr(args, big, tty=False, **env)[:2]


def test_no_bar_for_quick_work(big):
    # The default delay: a small repository is done before a bar would appear.
    _, _, err = okr(["check"], big, tty=True, OKR_PROGRESS_DELAY="30")
    assert "Loading" not in err


def test_reading_history_shows_a_bar(tmp_path, monkeypatch):
    isolate_git(monkeypatch, tmp_path)
    repo = init_repo(tmp_path / "repo", {"okr.yaml": "company: acme\ncycle: 2026-Q4\n",
                                         "org.yaml": "company: {id: acme, name: Acme}\n",
                                         "2026-Q4/acme.yaml": PERSON.replace("    aligns: [acme/O1]\n", "")})
    for n in range(2, 5):
        assert okr(["checkin", "acme/O1/KR1", str(n)], repo, tty=False)[0] == 0
    code, out, err = okr(["log"], repo, tty=True)
    assert code == 0 and "Reading check-ins" in err
    assert out == okr(["log"], repo, tty=False)[1] and out.count("acme/O1/KR1") == 3
    assert git(repo, "rev-list", "--count", "HEAD") == "4\n"


def test_the_helper_counts_and_stays_silent_off_a_terminal(capsys):
    from okrcli import progress

    with progress.bar("Writing pages", total=3) as shown:
        for _ in range(3):
            shown.advance()
    assert (shown.done, shown.shown) == (3, False)  # stderr is captured: not a terminal
    assert list(progress.iterate([1, 2, 3], "Items")) == [1, 2, 3]
    assert capsys.readouterr().err == ""


def test_writing_a_site_shows_a_bar_and_changes_no_output(big, tmp_path):
    code, out, err = okr(["site", "--output", str(tmp_path / "tty-site")], big, tty=True, OKR_TODAY="2026-11-15")
    plain = okr(["site", "--output", str(tmp_path / "piped-site")], big, tty=False, OKR_TODAY="2026-11-15")
    assert code == plain[0] == 0, err
    assert "Writing pages" in err and "/244" in err  # index, review, 1 team, 120 people, 121 objectives
    assert "Writing pages" not in plain[2]
    assert out.replace("tty-site", "piped-site") == plain[1]
