"""Time okr commands on generated repositories, beside the floor of the stack.

    python benchmarks/run.py                       # 50, 1,000 and 10,000 people
    python benchmarks/run.py --scales 1000 --repeat 5 --json > bench.json

For each scale it generates (or reuses) `<out>/people-N`, then runs every
command of `commands()` as a whole process and reports the median wall time,
the peak RSS of that process (from `os.wait4`), its exit code, and the ratio
to the floor: a bare Python process that reads every okr/org/OKR file and
composes each with libyaml, garbage collection paused, keeping nothing. No
implementation of `okr check` that keeps line/column marks can beat it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate

OKR = str(Path(sys.executable).parent / "okr")

# Runs in a fresh `python -I -S` (about 8 MB resident) that spawns the measured command and
# reaps it with wait4. On Linux a child's ru_maxrss starts from the peak RSS of the process
# that spawned it, so spawning straight from this script would report this script's own
# peak (hundreds of MB after generating a repository) for every small command.
LAUNCHER = r"""
import os, sys, time
result, argv = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
try:
    pid = os.posix_spawn(argv[0], argv, os.environ)
except OSError as exc:
    os.write(2, str(exc).encode() + b"\n")
    wall, maxrss, code = 0.0, 0, 127
else:
    _, status, usage = os.wait4(pid, 0)
    wall, maxrss, code = time.perf_counter() - started, usage.ru_maxrss, os.waitstatus_to_exitcode(status)
with open(result, "w") as fh:
    fh.write(f"{wall} {maxrss} {code}")
"""

FLOOR_CODE = r"""
import gc, os, re, sys, yaml
gc.disable()
root = sys.argv[1]
paths = [os.path.join(root, "okr.yaml"), os.path.join(root, "org.yaml")]
for name in sorted(os.listdir(root)):
    folder = os.path.join(root, name)
    if re.fullmatch(r"\d{4}(-[HQB]\d)?", name) and os.path.isdir(folder):
        paths += [os.path.join(folder, f) for f in sorted(os.listdir(folder)) if f.endswith(".yaml")]
for path in paths:
    with open(path, encoding="utf-8") as fh:
        yaml.compose(fh.read(), Loader=yaml.CSafeLoader)
"""


# The one `git log` okr's history reader runs (okrcli.gitstore.GitRepo.log), run bare.
GIT_LOG_FLOOR = ["log", "--format=%x1e%H%x1f%P%x1f%aN%x1f%aE%x1f%aI%x1f%B%x1d", "--no-show-signature",
                 "--no-color", "--no-abbrev-commit", "--no-ext-diff", "--no-textconv"]


def commands(repo: Path, checkins: int = 0) -> list[tuple[str, list[str]]]:
    """The okr commands measured at each scale: (label, argv). Add new ones here.

    With a check-in history, the commands that read it too, and the bare `git log`
    they stand on (their floor is `okr check` plus that git log)."""
    r = str(repo)
    measured = [
        ("okr check", [OKR, "check", "--repo", r]),
        ("okr tree --format json", [OKR, "tree", "--format", "json", "--repo", r]),
        ("okr export --format json", [OKR, "export", "--format", "json", "--repo", r]),
    ]
    if checkins:
        measured += [
            ("floor: bare git log", [shutil.which("git") or "git", "-C", r, *GIT_LOG_FLOOR]),
            ("okr log --format json", [OKR, "log", "--format", "json", "--repo", r]),
            ("okr report", [OKR, "report", "--repo", r]),
            ("okr review", [OKR, "review", "--repo", r]),
            ("okr review --format html", [OKR, "review", "--format", "html", "--repo", r]),
            # Writes beside the repository, into a fresh folder each run (as CI does): see FRESH.
            ("okr site", [OKR, "site", "--output", str(site_folder(repo)), "--repo", r]),
            ("okr status", [OKR, "status", "--repo", r]),
            ("okr health", [OKR, "health", "--repo", r]),
            ("okr diff HEAD~300..HEAD", [OKR, "diff", "HEAD~300..HEAD", "--repo", r]),
        ]
    return measured


def site_folder(repo: Path) -> Path:
    return repo.parent / f"{repo.name}-site"


# Labels whose output folder is removed (untimed) before each run, so each run builds it afresh:
# replacing an earlier site adds the deletion of its files, which the file system dominates.
FRESH = {"okr site": site_folder}


@dataclass
class Sample:
    wall: float  # seconds, spawn to reap
    maxrss_kb: int  # peak resident set size of this process alone
    exit_code: int
    stdout_bytes: int
    stderr: str


@dataclass
class Result:
    label: str
    argv: list[str]
    status: str = "ok"  # ok | failed | n/a
    exit_code: int | None = None
    wall_median: float | None = None
    wall_min: float | None = None
    walls: list[float] = field(default_factory=list)
    maxrss_kb: int | None = None
    stdout_bytes: int | None = None
    ratio_to_floor: float | None = None
    note: str = ""


def run_once(argv: list[str], timeout: float) -> Sample:
    """Run one process through LAUNCHER, its output to temporary files; time it, read its rusage."""
    env = dict(os.environ, NO_COLOR="1")
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r", suffix=".txt") as measured,
    ):
        proc = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", LAUNCHER, measured.name, *argv],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env=env,
            start_new_session=True,
        )
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return Sample(timeout, 0, -signal.SIGKILL, 0, f"timed out after {timeout:g} s")
        size = out.seek(0, os.SEEK_END)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
        wall, maxrss, code = measured.read().split()
    return Sample(float(wall), int(maxrss), int(code), size, stderr)


def measure(
    label: str, argv: list[str], repeat: int, timeout: float, expect: int = 0, warmup: int = 1,
    before=None,
) -> Result:
    """Median of `repeat` runs after `warmup` untimed ones; stop early on a failure. `before()` runs,
    untimed, before each run."""
    result = Result(label, argv)
    if not Path(argv[0]).exists():
        result.status, result.note = "n/a", f"{argv[0]} not found"
        return result
    samples: list[Sample] = []
    for n in range(warmup + repeat):
        if before is not None:
            before()
        sample = run_once(argv, timeout)
        if sample.exit_code != 0 and "No such command" in sample.stderr:
            # Typer's usage error exits 2; any other code is a bug in okr's error path.
            result.status, result.exit_code = "n/a", sample.exit_code
            result.note = "no such command" + (
                "" if sample.exit_code == 2 else f", but exit {sample.exit_code}, not 2"
            )
            return result
        if sample.exit_code != expect:
            samples = [sample]
            result.status = "failed"
            result.note = " | ".join(sample.stderr.strip().splitlines()[-3:])
            break
        if n >= warmup:
            samples.append(sample)
    walls = [s.wall for s in samples]
    result.walls = [round(w, 4) for w in walls]
    result.wall_median = statistics.median(walls)
    result.wall_min = min(walls)
    result.maxrss_kb = max(s.maxrss_kb for s in samples)
    result.exit_code = samples[-1].exit_code
    result.stdout_bytes = samples[-1].stdout_bytes
    return result


def ensure_repo(out: Path, people: int, checkins: int, seed: int) -> tuple[Path, dict, bool]:
    """The repository for this scale, reused when its marker says it has the same shape."""
    name = f"people-{people}" + (f"-checkins-{checkins}" if checkins else "")
    repo = out / name
    marker = repo / generate.MARKER
    if marker.is_file() and (repo / "okr.yaml").is_file():
        info = json.loads(marker.read_text(encoding="utf-8"))
        wanted = {
            "generator": generate.GENERATOR_VERSION,
            "people": people,
            "checkins": checkins,
            "seed": seed,
        }
        if all(info.get(k) == v for k, v in wanted.items()):
            return repo, info, False
    print(f"generating {repo} ...", file=sys.stderr, flush=True)
    return repo, generate.generate(people, repo, checkins, seed, quiet=True), True


def environment() -> dict:
    import yaml

    git = subprocess.run(
        ["git", "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "python": platform.python_version(),
        "pyyaml": yaml.__version__,
        "libyaml": bool(yaml.__with_libyaml__),
        "git": git.removeprefix("git version "),
        "cpus": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "platform": platform.platform(),
        "okr": OKR,
    }


def fmt_row(r: Result) -> str:
    if r.status == "n/a":
        return f"  {r.label:<28} {'n/a':>8}   ({r.note})"
    flag = "" if r.status == "ok" else "  <-- FAILED"
    ratio = f"{r.ratio_to_floor:8.2f}" if r.ratio_to_floor is not None else f"{'':8}"
    return (
        f"  {r.label:<28} {r.wall_median:8.3f} {r.wall_min:8.3f} "
        f"{r.maxrss_kb / 1024:10.1f} {r.exit_code:5d} {ratio}{flag}"
    )


def print_table(report: dict) -> None:
    env = report["environment"]
    print(
        f"okr benchmarks: Python {env['python']}, PyYAML {env['pyyaml']}"
        f"{' (libyaml)' if env['libyaml'] else ' (NO libyaml)'}, git {env['git']}, "
        f"{env['cpus']} CPUs; median of {report['repeat']} runs after a warm-up"
    )
    help_ = Result(**report["help"])
    if help_.status == "n/a":
        print(f"okr --help: n/a ({help_.note})")
    elif help_.status == "failed":
        print(f"okr --help: FAILED, exit {help_.exit_code}: {help_.note}")
    else:
        print(
            f"okr --help: {help_.wall_median:.3f} s, {help_.maxrss_kb / 1024:.1f} MB peak RSS "
            "(median of 5)"
        )
    for scale in report["scales"]:
        repo = scale["repo"]
        how = f"generated in {repo['seconds']:.1f} s" if scale["generated"] else "reused"
        history = f", {repo['checkins']:,} check-ins" if repo["checkins"] else ""
        print(
            f"\n{repo['people']:,} people: {repo['files']:,} files, "
            f"{repo['bytes'] / 1e6:.1f} MB{history}  [{scale['path']}, {how}]"
        )
        print(
            f"  {'command':<28} {'wall s':>8} {'min s':>8} {'peak RSS MB':>10} {'exit':>5} "
            f"{'x floor':>8}"
        )
        for row in scale["results"]:
            print(fmt_row(Result(**row)))
        for row in scale["results"]:
            if row["status"] == "failed" and row["note"]:
                print(f"  {row['label']}: {row['note']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scales",
        default="50,1000,10000",
        help="comma-separated numbers of people (default 50,1000,10000)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("bench-out"),
        help="folder for generated repositories (default bench-out)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per command")
    parser.add_argument(
        "--checkins",
        type=int,
        default=0,
        help="give each repository a git history of this many check-ins",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=900, help="seconds per process")
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    scales = [int(s.replace("_", "")) for s in args.scales.split(",") if s.strip()]

    report: dict = {"environment": environment(), "repeat": args.repeat, "scales": []}
    report["help"] = asdict(measure("okr --help", [OKR, "--help"], 5, args.timeout))
    failed = report["help"]["status"] == "failed"
    for people in scales:
        repo, info, generated = ensure_repo(args.out, people, args.checkins, args.seed)
        print(f"measuring {people:,} people ...", file=sys.stderr, flush=True)
        floor = measure(
            "floor: compose, GC paused",
            [sys.executable, "-c", FLOOR_CODE, str(repo)],
            args.repeat,
            args.timeout,
        )
        floor.argv = [sys.executable, "-c", "<FLOOR_CODE>", str(repo)]
        results = [floor]
        for label, cmd in commands(repo, args.checkins):
            fresh = FRESH.get(label)
            before = (lambda folder=fresh(repo): shutil.rmtree(folder, ignore_errors=True)) if fresh else None
            results.append(measure(label, cmd, args.repeat, args.timeout, before=before))
        for r in results:
            if r.wall_median is not None and floor.wall_median:
                r.ratio_to_floor = r.wall_median / floor.wall_median
            failed = failed or r.status == "failed"
        report["scales"].append(
            {
                "people": people,
                "path": str(repo),
                "generated": generated,
                "repo": info,
                "results": [asdict(r) for r in results],
            }
        )
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        print()
    else:
        print_table(report)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
