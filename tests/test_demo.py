"""`okr demo`: a deterministic quarter of check-in commits in a repository of its own.

The demo must give the same commits byte for byte on every run and machine (other
tests build goldens on it), be read back by `okr log` like real check-ins, pass
`okr check`, never touch another repository or the user's git config, and work
from an installed wheel, not only from a checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from datetime import date
from itertools import pairwise
from pathlib import Path

import pytest
from conftest import EXAMPLE, ROOT, run
from gitrepo import git, init_repo, isolate_git, write_files

from okrcli.plans.demo import FIRST_DAY, LAST_DAY, build_demo, bundled_example

LOG = ("log", "--format=%H%n%ad%n%an <%ae>%n%cd%n%cn <%ce>%n%B")
TODAY = {"OKR_TODAY": LAST_DAY.isoformat()}


def files_of(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(root).parts}


@pytest.fixture
def demo(tmp_path, monkeypatch) -> Path:
    isolate_git(monkeypatch, tmp_path, identity=False)
    return build_demo(tmp_path / "demo")


def test_two_runs_give_the_same_commits_and_files(tmp_path, monkeypatch):
    # The first run sees a pinned identity and dates in the environment, the second none:
    # the demo's commits depend on neither.
    isolate_git(monkeypatch, tmp_path, identity=True)
    one = build_demo(tmp_path / "one")
    isolate_git(monkeypatch, tmp_path, identity=False)
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    two = build_demo(tmp_path / "two")
    log = git(one, *LOG)
    assert log == git(two, *LOG)
    assert git(one, "rev-parse", "HEAD") == git(two, "rev-parse", "HEAD")
    assert files_of(one) == files_of(two)
    assert len(log) > 10_000


def test_the_repository_is_clean_and_its_own(demo, tmp_path):
    assert git(demo, "rev-parse", "--show-toplevel").strip() == str(demo.resolve())
    assert git(demo, "status", "--porcelain=v1", "-uall") == ""
    assert git(demo, "symbolic-ref", "HEAD").strip() == "refs/heads/main"
    assert git(demo, "config", "--local", "user.email").strip() == "alice@acme.test"
    assert not (tmp_path / "home" / ".gitconfig").exists()
    assert not (tmp_path / "home" / ".config" / "git").exists()
    assert sorted(files_of(demo)) == sorted(bundled_example())


def test_the_quarter_in_commits(demo):
    dates = git(demo, "log", "--format=%ad|%cd|%an <%ae>|%cn <%ce>", "--date=short").splitlines()
    assert len(dates) > 200
    assert all(a == c and author == committer for a, c, author, committer in (d.split("|") for d in dates))
    days = sorted(date.fromisoformat(d.split("|")[0]) for d in dates)
    assert days[0] < FIRST_DAY <= days[1] and days[-1] <= LAST_DAY
    authors = {d.split("|")[2] for d in dates}
    assert len(authors) >= 12
    assert all(a.endswith("@acme.test>") for a in authors)
    assert "Sam Okafor <sam@acme.test>" in authors


def test_okr_reads_the_history_like_real_checkins(demo):
    from okrcli.load.history import GRADE, checkins_from_message, read_history

    history = read_history(demo)
    assert len(history) > 500
    assert {c.kind for c in history} == {"checkin", GRADE}  # no hand edits: every commit has trailers
    assert any(c.links for c in history)
    assert any(c.note for c in history)
    grades = {c.ref: c.value for c in history if c.kind == GRADE}
    assert grades == {"eng/O3": 1, "product-eng/O3": 0.9}
    # Every commit but the first is a check-in or grade, parsed by the same code as okr log.
    messages = git(demo, "log", "--format=%B%x00").split("\0")[:-1]
    assert sum(1 for m in messages if checkins_from_message(
        m.strip("\n") + "\n", date=None, author_name="", author_email="", commit="")) == len(messages) - 1
    # Kofi was away for two weeks (Nov 16 - Nov 29): a missed week, then a late one.
    kofi = sorted(c.date.date() for c in history if c.owner == "kofi")
    assert not [d for d in kofi if date(2026, 11, 16) <= d <= date(2026, 11, 29)]
    # A confidence drop: platform's hermeticity KR falls from 0.6 to 0.3.
    series = [c.confidence for c in history.series("2026-Q4:platform/O2/KR1")]
    assert any(a - b >= 0.3 for a, b in pairwise(series))
    # A milestone done, then never checked in again.
    sso = history.series("2026-Q4:product-eng/O2/KR1")
    assert sso[-1].value is True and [c.value for c in sso].count(True) == 1


def test_the_demo_passes_check_and_tells_a_story(demo):
    check = run(["check", "--repo", str(demo)], env=TODAY)
    assert check.exit_code == 0, check.stdout + check.stderr
    log = run(["log", "--repo", str(demo), "--since", "2026-12-28"], env=TODAY)
    assert log.exit_code == 0 and "graded 1" in log.stdout
    data = json.loads(run(["export", "--repo", str(demo)], env=TODAY).stdout)
    objectives = {f"{o['owner']}/{o['id']}": o for o in data["objectives"]}
    finished = objectives["eng/O3"]
    assert finished["committed"] and finished["score"] == 1
    assert all(kr["score"] == 1 for kr in finished["key_results"])
    assert objectives["sre/O1"]["committed"] and objectives["sre/O1"]["score"] < 1  # needs a postmortem
    bands = {o["owner"] + "/" + o["id"]: o["score"] for o in data["objectives"]}
    assert min(bands.values()) < 0.4 and any(0.4 <= s < 0.7 for s in bands.values())
    # Time travel on the demo: on Nov 1 the Enterprise plan was half done.
    early = json.loads(run(["export", "--repo", str(demo), "--at", "2026-11-01"], env=TODAY).stdout)
    assert [o["score"] for o in early["objectives"] if o["owner"] == "eng" and o["id"] == "O3"] == [0.5]


def test_okr_demo_prints_the_tree_the_review_and_what_next(tmp_path, monkeypatch):
    isolate_git(monkeypatch, tmp_path, identity=False)
    (tmp_path / "work").mkdir()
    result = run(["demo"], cwd=tmp_path / "work", env={"OKR_TODAY": "2026-11-27"})
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    root = tmp_path / "work" / "okr-demo"
    assert (root / ".git").is_dir()
    out = result.stdout
    assert out.startswith("Created okr-demo: ")
    assert "2026-Q4 · as of 2027-01-01" in out  # today pinned to the day the demo quarter closed
    assert "(2026-10-01 – 2026-12-31, ended)" in out and "postmortem missing" in out
    for hint in ("cd okr-demo", "okr report --at 2026-12-31 --since 7d",
                 "okr review --at 2027-01-01 --format html --output review.html",
                 "okr tree --at 2026-11-01", "okr diff HEAD~5", "okr checkin alice/"):
        assert hint in out
    assert os.environ.get("OKR_TODAY") is None  # the pin does not outlive the demo


def test_okr_demo_into_an_empty_folder(tmp_path, monkeypatch):
    isolate_git(monkeypatch, tmp_path, identity=False)
    target = tmp_path / "empty"
    target.mkdir()
    result = run(["demo", str(target)], env=TODAY)
    assert result.exit_code == 0, result.stderr
    assert git(target, "status", "--porcelain") == ""


@pytest.mark.parametrize("kind", ["not-empty", "file", "hidden-file"])
def test_okr_demo_refuses_a_folder_that_holds_something(tmp_path, monkeypatch, kind):
    isolate_git(monkeypatch, tmp_path, identity=False)
    target = tmp_path / "taken"
    if kind == "file":
        target.write_text("mine\n")
    else:
        target.mkdir()
        (target / ("notes.txt" if kind == "not-empty" else ".keep")).write_text("mine\n")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    result = run(["demo", str(target)])
    assert result.exit_code == 2
    assert "okr demo" in result.stderr and str(target) in result.stderr
    assert result.stdout == ""
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before
    assert not (target / ".git").exists() if target.is_dir() else True


def test_okr_demo_inside_another_repository_leaves_it_alone(tmp_path, monkeypatch):
    isolate_git(monkeypatch, tmp_path)
    outer = init_repo(tmp_path / "project", {"README.md": "mine\n"})
    write_files(outer, {"README.md": "edited\n", "staged.txt": "staged\n"})
    git(outer, "add", "staged.txt")
    before = [git(outer, *args) for args in (("rev-parse", "HEAD"), ("ls-files", "-s"), ("diff", "--cached"),
                                             ("diff",), ("log", "--all", "--format=%H"), ("config", "--local", "-l"))]
    result = run(["demo", str(outer / "okr-demo")], env=TODAY)
    assert result.exit_code == 0, result.stderr
    after = [git(outer, *args) for args in (("rev-parse", "HEAD"), ("ls-files", "-s"), ("diff", "--cached"),
                                            ("diff",), ("log", "--all", "--format=%H"), ("config", "--local", "-l"))]
    assert after == before
    assert git(outer / "okr-demo", "rev-parse", "--show-toplevel").strip() == str((outer / "okr-demo").resolve())


def test_the_bundled_example_is_examples_acme():
    """okrcli/examples/acme is the package's copy of examples/acme: keep them identical."""
    if not EXAMPLE.is_dir():
        pytest.skip("not a checkout")
    expected = {p.relative_to(EXAMPLE).as_posix(): p.read_bytes() for p in EXAMPLE.rglob("*.yaml")}
    assert bundled_example() == dict(sorted(expected.items()))


def test_okr_demo_works_from_an_installed_wheel(tmp_path, monkeypatch):
    """Build the wheel from a copy of the sources, install it into a fresh venv, run okr demo there."""
    isolate_git(monkeypatch, tmp_path, identity=False)
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "okrcli", src / "okrcli", ignore=shutil.ignore_patterns("__pycache__"))
    wheels = tmp_path / "wheels"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    build = subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(src)],
                           check=False, capture_output=True, text=True, timeout=120)
    if build.returncode != 0:  # no `wheel` package for setuptools here: let pip fetch the build backend
        build = subprocess.run([*pip, "wheel", "--no-deps", "-w", str(wheels), str(src)],
                               check=False, capture_output=True, text=True, timeout=120)
    assert build.returncode == 0, build.stdout + build.stderr
    (wheel,) = wheels.glob("okrcli-*.whl")

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    install = subprocess.run([*pip, "install", "--no-deps", "--no-index", "--target", str(site), str(wheel)],
                             check=False, capture_output=True, text=True, timeout=120)
    assert install.returncode == 0, install.stdout + install.stderr
    # okr's dependencies come from this test's environment, okr itself only from the wheel.
    (site / "_okr_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script = ("import sys, okrcli; from okrcli.cli import main; "
              "assert okrcli.__file__.startswith(sys.argv.pop(1)), okrcli.__file__; main()")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "OKR_REPO")}
    env.update(NO_COLOR="1", OKR_TODAY="2026-11-27")
    result = subprocess.run([str(python), "-c", script, str(site), "demo", "acme-demo"], cwd=elsewhere,
                            check=False, capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2026-Q4 · as of 2027-01-01" in result.stdout
    demo_root = elsewhere / "acme-demo"
    assert git(demo_root, *LOG) == git(build_demo(tmp_path / "here"), *LOG)
