"""The benchmark harness (benchmarks/run.py) on a tiny scale: every figure of issue 13, with its floor.

It measures nothing worth reading at 20 people; it proves the harness runs end to end, prints
each figure beside a floor measured in the same run, and leaves the repository as it found it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parent.parent / "benchmarks" / "run.py"

# Figure id -> the floor it is compared with (issue 13, "Done when").
DONE_WHEN = {
    "check.serial": "floor.compose",
    "check.forked": "floor.compose",
    "check.warm": "floor.compose",
    "check.one_changed": "check.warm",
    "checkin": "floor.commit",
    "log": "floor.git_log",
    "report.warm": "check.serial",
    "review.warm": "check.serial",
    "review.html": "check.serial",
}


def run_bench(out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(RUN), "--scales", "20:40", "--quick", "--repeat", "1", "--warmup", "0",
         "--out", str(out), *extra],
        capture_output=True, text=True, timeout=300, check=False,
    )


@pytest.fixture(scope="module")
def bench(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("bench")
    done = run_bench(out, "--json")
    assert done.returncode == 0, done.stderr
    return out, json.loads(done.stdout)


def test_every_figure_has_its_floor_cpu_and_wall(bench):
    _, report = bench
    (scale,) = report["scales"]
    figures = {f["id"]: f for f in scale["figures"]}
    for fid, floor in DONE_WHEN.items():
        fig = figures[fid]
        assert fig["status"] == "ok", fig
        assert fig["floor"] == floor
        assert fig["cpu_median"] > 0 and fig["wall_median"] > 0
        assert fig["floor_cpu"] == figures[floor]["cpu_median"] > 0
        assert fig["floor_wall"] == figures[floor]["wall_median"] > 0
        assert fig["ratio"] == pytest.approx(fig["cpu_median"] / fig["floor_cpu"])
        assert fig["limit"], f"{fid} has no limit from issue 13"
        assert fig["verdict"] in ("pass", "fail", "n/a")
        assert fig["maxrss_kb"] > 0


def test_git_processes_are_counted_for_the_checkin_and_its_floor(bench):
    _, report = bench
    figures = {f["id"]: f for f in report["scales"][0]["figures"]}
    assert figures["checkin"]["git_processes"] >= 1
    # a bare `git commit` is one git process at least (its own maintenance may add one)
    assert 1 <= figures["floor.commit"]["git_processes"] <= 3
    assert figures["floor.git_log"]["argv"][1:2] == ["log"]


def test_help_is_measured_beside_a_bare_typer_app(bench):
    _, report = bench
    figures = {f["id"]: f for f in report["figures"]}
    assert figures["help"]["floor"] == "floor.typer_help"
    assert figures["help"]["cpu_median"] > 0 and figures["help"]["floor_cpu"] > 0
    assert report["mode"] == "quick"


def test_limits_are_judged_only_where_issue_13_sets_them(bench):
    _, report = bench
    figures = {f["id"]: f for f in report["scales"][0]["figures"]}
    # below 1,000 people the ratios to the floor are startup, not judged
    assert figures["check.forked"]["verdict"] == "n/a"
    assert figures["report.warm"]["verdict"] == figures["review.warm"]["verdict"] == "n/a"
    # GitPython stays out of `okr check` and `okr --help` at every scale
    assert "git" not in figures["check.serial"]["imports"]
    assert figures["check.serial"]["verdict"] == "pass"
    help_ = next(f for f in report["figures"] if f["id"] == "help")
    assert "git" not in help_["imports"] and "okrcli.cli" in help_["imports"]
    # the RSS limit holds at every scale
    assert figures["review.html"]["verdict"] == "pass"
    assert figures["checkin"]["verdict"] in ("pass", "fail")


def test_report_and_review_are_judged_warm_after_a_run_filled_their_cache(bench):
    _, report = bench
    figures = {f["id"]: f for f in report["scales"][0]["figures"]}
    for fid in ("report.warm", "review.warm"):
        assert "cache warm" in figures[fid]["label"] and figures[fid]["status"] == "ok"
    # --quick measures only what issue 13 judges: the cold runs are in the full run
    assert "report" not in figures and "review" not in figures


def test_the_repository_is_left_as_it_was(bench):
    out, report = bench
    repo = Path(report["scales"][0]["path"])
    assert repo.parent == out

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                              check=True).stdout

    assert git("status", "--porcelain") == ""
    assert int(git("rev-list", "--count", "HEAD")) == 41  # the first commit and 40 check-ins
    assert git("log", "-1", "--format=%an").strip() != "Bench"


def test_the_table_of_a_saved_run_beside_a_baseline(bench, tmp_path):
    _, report = bench
    saved, baseline = tmp_path / "after.json", tmp_path / "before.json"
    saved.write_text(json.dumps(report), encoding="utf-8")
    report["figures"] = [dict(f, cpu_median=100.0) if f["id"] == "help" else f
                         for f in report["figures"]]
    baseline.write_text(json.dumps(report), encoding="utf-8")
    done = subprocess.run([sys.executable, str(RUN), "--show", str(saved), "--baseline", str(baseline)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    help_line = next(line for line in lines if line.lstrip().startswith("okr --help "))
    assert help_line.rstrip().endswith("pass")  # far below a baseline of 100 s
    assert "x base" in done.stdout
    for label in ("okr check (serial, cold)", "okr checkin", "floor: git commit --only -- FILE",
                  "okr review --format html", "floor: the git log okr log runs"):
        assert any(line.lstrip().startswith(label) for line in lines), label


def load_run_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_run", RUN)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_repo_measures_a_copy_and_leaves_the_source_alone(bench, tmp_path):
    bench_run = load_run_module()
    _, report = bench
    source = Path(report["scales"][0]["path"])
    head = subprocess.run(["git", "-C", str(source), "rev-parse", "HEAD"], capture_output=True,
                          text=True, check=True).stdout
    copy, info = bench_run.copy_repo(source, tmp_path / "out")
    assert copy == tmp_path / "out" / f"copy-{source.name}"
    assert subprocess.run(["git", "-C", str(copy), "rev-parse", "HEAD"], capture_output=True,
                          text=True, check=True).stdout == head
    assert info["checkins"] == 40 and info["people"] == len(list((source / "2026-Q4").glob("*.yaml")))
    (copy / "2026-Q4" / "acme.yaml").write_text("changed\n", encoding="utf-8")
    copy, _ = bench_run.copy_repo(source, tmp_path / "out")  # a fresh copy each time
    assert (copy / "2026-Q4" / "acme.yaml").read_bytes() == (source / "2026-Q4" / "acme.yaml").read_bytes()
    # a folder that is no OKR repository, or an output folder run.py did not make, is refused
    with pytest.raises(SystemExit, match="no okr.yaml"):
        bench_run.copy_repo(tmp_path, tmp_path / "out")
    (tmp_path / "mine" / f"copy-{source.name}").mkdir(parents=True)
    with pytest.raises(SystemExit, match="not made by run.py"):
        bench_run.copy_repo(source, tmp_path / "mine")
    # a repository outside git is copied and given one commit
    plain = tmp_path / "plain"
    shutil.copytree(source, plain, ignore=shutil.ignore_patterns(".git"))
    copy, info = bench_run.copy_repo(plain, tmp_path / "out")
    assert info["checkins"] == 0
    assert subprocess.run(["git", "-C", str(copy), "status", "--porcelain"], capture_output=True,
                          text=True, check=True).stdout == ""
