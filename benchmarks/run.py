"""Time okr on generated repositories beside the floors of its stack, CPU and wall, in one run.

    python benchmarks/run.py                   # 50, 1,000 (50,000 check-ins) and 10,000 people
    python benchmarks/run.py --quick           # 1,000 people, 5,000 check-ins: under 2 minutes
    python benchmarks/run.py --scales 1000:50000,10000 --repeat 5 --json > bench.json
    python benchmarks/run.py --quick --baseline before.json
    python benchmarks/run.py --show bench.json            # the table of a saved run

For each scale (`PEOPLE` or `PEOPLE:CHECKINS`) it generates (or reuses) a git
repository under `--out` (or copies one, `--repo DIR`), then runs every figure
of `check_jobs`, `history_jobs` and `checkin_jobs` as a whole process, in
turns, and reports, beside the floor measured in the same run: the median
CPU time (user + system of the process and every child it waited for), the
median wall time, the peak RSS, the git processes it started (for the
check-in), the ratio to its floor and the limit issue 13 sets, passed or
failed. The floors: a bare Python process that composes every okr/org/OKR
file with libyaml, garbage collection paused, keeping nothing (no `okr check`
that keeps line/column marks can beat it); the one `git log` that `okr log`
runs; a bare `git commit --only -- FILE` of the check-in's edit; a cold
`okr check` for the commands that load the repository and then do more.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate

OKR = str(Path(sys.executable).parent / "okr")
GIT = shutil.which("git") or "git"
TODAY = "2026-12-21"  # pinned (OKR_TODAY) after the generated history, so figures do not drift
FULL_SCALES = "50,1000:50000,10000"
QUICK_SCALES = "1000:5000"
# --quick measures only the figures issue 13 sets limits for (and their floors).
QUICK_SKIPS = {"report", "review", "log.json", "log.warm", "tree.json", "export.json", "status", "health", "site", "diff"}

# Runs in a fresh `python -I -S` (about 8 MB resident) that spawns the measured command and
# reaps it with wait4. On Linux a child's ru_maxrss starts from the peak RSS of the process
# that spawned it, so spawning straight from this script would report this script's own
# peak (hundreds of MB after generating a repository) for every small command. CPU time is
# RUSAGE_CHILDREN after the reap: the measured process and every descendant it waited for
# (forked loaders, git); a daemon that detaches (git's background maintenance) is not counted.
LAUNCHER = r"""
import os, resource, sys, time
result, argv = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
try:
    pid = os.posix_spawn(argv[0], argv, os.environ)
except OSError as exc:
    os.write(2, str(exc).encode() + b"\n")
    wall, cpu, maxrss, code = 0.0, 0.0, 0, 127
else:
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = children.ru_utime + children.ru_stime
    maxrss, code = usage.ru_maxrss, os.waitstatus_to_exitcode(status)
with open(result, "w") as fh:
    fh.write(f"{wall} {cpu} {maxrss} {code}")
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

# The floor of `okr --help`: a Typer app of two commands printing its help.
TYPER_CODE = r"""
import typer
app = typer.Typer()
@app.command()
def check() -> None:
    "Check the repository."
@app.command()
def log() -> None:
    "Show check-ins."
app()
"""

# Used when tracing `okr log` finds no git log to run bare (okr's own, as of 2026-12).
GIT_LOG_FALLBACK = ["log", "--format=%x1e%H%x1f%P%x1f%aN%x1f%aE%x1f%aI%x1f%B%x1d%H",
                    "--no-show-signature", "--no-color", "--no-abbrev-commit", "--no-ext-diff",
                    "--no-textconv", "HEAD", "--"]
IDENTITY = {"GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@acme.test",
            "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@acme.test"}


# ---------------------------------------------------------------- limits (issue 13, "Done when")


@dataclass
class Limit:
    kind: str  # ratio (CPU to the floor) | cpu (seconds) | rss (MB) | git (processes) | no-git
    value: float
    text: str
    min_people: int = 0  # below this scale the limit is shown, not judged
    needs_history: bool = False  # nor without check-ins

    def holds(self, fig: Figure) -> bool | None:
        if self.kind == "no-git":  # GitPython stays out of the process
            return None if fig.imports is None else "git" not in fig.imports
        measured = {"ratio": fig.ratio, "cpu": fig.cpu_median, "git": fig.git_processes,
                    "rss": None if fig.maxrss_kb is None else fig.maxrss_kb / 1024}[self.kind]
        return None if measured is None else measured <= self.value + 1e-9


NO_GITPYTHON = Limit("no-git", 0, "no GitPython import")


def check_limit(ratio: float) -> Limit:
    """A ratio to the floor, judged from 1,000 people up (below, startup dominates)."""
    return Limit("ratio", ratio, f"<= {ratio:g}x (>= 1,000 people)", 1000)


def checkin_limits(people: int) -> list[Limit]:
    cpu = 0.3 if people <= 1000 else 0.4
    return [Limit("cpu", cpu, f"<= {cpu:g} s CPU"), Limit("git", 4, "<= 4 git processes")]


# ---------------------------------------------------------------- measuring


@dataclass
class Sample:
    wall: float  # seconds, spawn to reap
    cpu: float  # user + system seconds of the process and the children it waited for
    maxrss_kb: int  # peak resident set size (the process, or its largest child)
    exit_code: int
    stdout_bytes: int
    stderr: str


@dataclass
class Job:
    """One figure to measure: a command, how to run it, what it is compared with."""

    id: str
    label: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    floor: str | None = None  # id of the figure it is compared with
    limits: list[Limit] = field(default_factory=list)
    before: Callable[[int], None] | None = None  # untimed, before run n (warm-ups included)
    after: Callable[[int], None] | None = None  # untimed, after run n
    vary: Callable[[int], list[str]] | None = None  # the argv of run n, when runs differ
    trace_git: bool = False  # count the git processes of one extra, untimed run
    watch_imports: bool = False  # list the modules of one extra, untimed run
    cwd: Path | None = None
    prefill: bool = False  # its cache (env XDG_CACHE_HOME) is filled by one untimed run first


@dataclass
class Figure:
    id: str
    label: str
    argv: list[str]
    status: str = "ok"  # ok | failed | n/a
    exit_code: int | None = None
    cpu_median: float | None = None
    cpu_min: float | None = None
    wall_median: float | None = None
    wall_min: float | None = None
    cpus: list[float] = field(default_factory=list)
    walls: list[float] = field(default_factory=list)
    maxrss_kb: int | None = None
    stdout_bytes: int | None = None
    git_processes: int | None = None
    imports: list[str] | None = None  # packages of note and okrcli's subpackages it imported
    floor: str | None = None
    floor_label: str | None = None
    floor_cpu: float | None = None
    floor_wall: float | None = None
    ratio: float | None = None  # CPU to the floor's CPU
    wall_ratio: float | None = None
    limit: str = ""
    verdict: str = ""  # pass | fail | n/a (not judged at this scale or not measured) | ""
    baseline_cpu: float | None = None
    note: str = ""


class Runner:
    """Runs jobs as whole processes through LAUNCHER, in one base environment."""

    def __init__(self, repeat: int, warmup: int, timeout: float, cache_root: Path):
        self.repeat, self.warmup, self.timeout = repeat, warmup, timeout
        self.cache_root = cache_root
        self.base_env = {k: v for k, v in generate.git_env().items()
                         if not k.startswith("OKR_") and k != "GITHUB_ACTIONS"}
        self.base_env |= IDENTITY | {"NO_COLOR": "1", "OKR_TODAY": TODAY,
                                     "GIT_CONFIG_GLOBAL": os.devnull,
                                     "XDG_CACHE_HOME": str(cache_root / "default")}

    def run_once(self, argv: list[str], env: dict[str, str], cwd: Path | None) -> Sample:
        """Run one process, its output to temporary files; time it and read its rusage."""
        with (
            tempfile.TemporaryFile() as out,
            tempfile.TemporaryFile() as err,
            tempfile.NamedTemporaryFile("r", suffix=".txt") as measured,
        ):
            proc = subprocess.Popen(
                [sys.executable, "-I", "-S", "-c", LAUNCHER, measured.name, *argv],
                stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=cwd,
                env=self.base_env | env, start_new_session=True,
            )
            try:
                proc.wait(self.timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                return Sample(self.timeout, 0.0, 0, -signal.SIGKILL, 0,
                              f"timed out after {self.timeout:g} s")
            size = out.seek(0, os.SEEK_END)
            err.seek(0)
            stderr = err.read().decode("utf-8", "replace")
            wall, cpu, maxrss, code = measured.read().split()
        return Sample(float(wall), float(cpu), int(maxrss), int(code), size, stderr)

    def run_job(self, job: Job, n: int, env: dict[str, str] | None = None) -> Sample:
        """Run n of `job`: its `before`, the process, its `after` (those two untimed)."""
        if job.before is not None:
            job.before(n)
        try:
            return self.run_once(job.vary(n) if job.vary else job.argv, job.env | (env or {}),
                                 job.cwd)
        finally:
            if job.after is not None:
                job.after(n)

    def trace_git(self, job: Job, n: int) -> tuple[int, list[list[str]]] | None:
        """Run `job` once more, untimed, with GIT_TRACE2_EVENT: its git processes' argv."""
        with tempfile.TemporaryDirectory(prefix="okr-bench-trace-") as folder:
            trace = Path(folder) / "trace.json"
            sample = self.run_job(job, n, {"GIT_TRACE2_EVENT": str(trace)})
            if sample.exit_code != 0:
                return None
            text = trace.read_text(encoding="utf-8", errors="replace") if trace.exists() else ""
        starts = [json.loads(line) for line in text.splitlines() if '"event":"start"' in line]
        return len(starts), [s.get("argv", []) for s in starts]

    def measure(self, jobs: list[Job]) -> list[Figure]:
        """Run the jobs in turns, `warmup` untimed rounds then `repeat` timed ones, so a change
        in the machine's load moves a figure and its floor alike; a job that fails drops out."""
        figures = {job.id: Figure(job.id, job.label, job.argv, floor=job.floor) for job in jobs}
        samples: dict[str, list[Sample]] = {job.id: [] for job in jobs}
        active = []
        for job in jobs:
            if Path(job.argv[0]).exists():
                active.append(job)
            else:
                figures[job.id].status, figures[job.id].note = "n/a", f"{job.argv[0]} not found"
        for n in range(self.warmup + self.repeat):
            for job in list(active):
                sample = self.run_job(job, n)
                if sample.exit_code != 0:
                    active.remove(job)
                    drop(figures[job.id], sample)
                    samples[job.id] = [] if figures[job.id].status == "n/a" else [sample]
                elif n >= self.warmup:
                    samples[job.id].append(sample)
        for job in jobs:
            fig = figures[job.id]
            if samples[job.id]:
                summarise(fig, samples[job.id])
            if job.trace_git and fig.status == "ok":
                traced = self.trace_git(job, self.warmup + self.repeat)
                fig.git_processes = traced[0] if traced and traced[0] else None
                if fig.git_processes is None:
                    fig.note = "git processes not counted: no GIT_TRACE2_EVENT output"
            if job.watch_imports and fig.status == "ok":
                sample = self.run_job(job, self.warmup + self.repeat + 1,
                                      {"PYTHONPROFILEIMPORTTIME": "1"})
                fig.imports = imported(sample.stderr) if sample.exit_code == 0 else None
        return list(figures.values())


WATCHED = {"git", "networkx", "rich", "typer", "yaml", "pydantic", "jinja2", "markdown_it", "pygments"}


def imported(stderr: str) -> list[str]:
    """From `-X importtime` lines: the watched packages and okrcli's subpackages imported."""
    names = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            top = name.split(".")[0]
            if top in WATCHED:
                names.add(top)
            elif top == "okrcli":
                names.add(".".join(name.split(".")[:2]))
    return sorted(names)


def drop(fig: Figure, sample: Sample) -> None:
    """A run that failed: n/a for a command okr does not have, else failed."""
    fig.exit_code = sample.exit_code
    if "No such command" in sample.stderr:
        # Typer's usage error exits 2; any other code is a bug in okr's error path.
        fig.status = "n/a"
        fig.note = "no such command" + (
            "" if sample.exit_code == 2 else f", but exit {sample.exit_code}, not 2")
    else:
        fig.status = "failed"
        fig.note = " | ".join(sample.stderr.strip().splitlines()[-3:])


def summarise(fig: Figure, samples: list[Sample]) -> None:
    fig.cpus = [round(s.cpu, 4) for s in samples]
    fig.walls = [round(s.wall, 4) for s in samples]
    fig.cpu_median, fig.cpu_min = statistics.median(fig.cpus), min(fig.cpus)
    fig.wall_median, fig.wall_min = statistics.median(fig.walls), min(fig.walls)
    fig.maxrss_kb = max(s.maxrss_kb for s in samples)
    fig.exit_code, fig.stdout_bytes = samples[-1].exit_code, samples[-1].stdout_bytes


def history_limit(ratio: float) -> Limit:
    """A ratio for a command that reads the history: judged from 1,000 people with check-ins."""
    return Limit("ratio", ratio, f"<= {ratio:g}x (>= 1,000 people, history)", 1000, True)


def judge(fig: Figure, limits: list[Limit], people: int, checkins: int = 0) -> None:
    """Fill `limit` and `verdict`: pass when every limit that applies at this scale holds."""
    fig.limit = "; ".join(limit.text for limit in limits)
    if not limits:
        return
    if fig.status != "ok":
        fig.verdict = "fail" if fig.status == "failed" else "n/a"
        return
    held = [limit.holds(fig) for limit in limits
            if people >= limit.min_people and (checkins or not limit.needs_history)]
    if not held or None in held:
        fig.verdict = "n/a"
    else:
        fig.verdict = "pass" if all(held) else "fail"


def compare(fig: Figure, floor: Figure | None) -> None:
    if floor is None or floor.cpu_median is None:
        return
    fig.floor_label, fig.floor_cpu, fig.floor_wall = floor.label, floor.cpu_median, floor.wall_median
    if fig.cpu_median is not None and floor.cpu_median > 0:
        fig.ratio = fig.cpu_median / floor.cpu_median
    if fig.wall_median is not None and floor.wall_median:
        fig.wall_ratio = fig.wall_median / floor.wall_median


# ---------------------------------------------------------------- the repository


@dataclass
class Target:
    """The key result the check-in sets, in the file the `one file changed` run edits."""

    path: Path
    ref: str
    line: int  # 0-based line of the KR's `current:` value
    current: str
    start: float
    target: float

    def value(self, n: int) -> str:
        """A value for run n: differs from the previous run's and from the file's own."""
        for k in itertools.count(n):
            text = f"{self.start + (self.target - self.start) * (k % 89 + 1) / 100:.2f}"
            if text != self.current:
                return text
        raise AssertionError  # pragma: no cover

    def set_current(self, value: str) -> None:
        lines = self.path.read_bytes().decode("utf-8").splitlines(keepends=True)
        lines[self.line] = re.sub(r"(current:\s*)\S+", rf"\g<1>{value}", lines[self.line], count=1)
        self.path.write_bytes("".join(lines).encode("utf-8"))


CYCLE_FOLDER = re.compile(r"\d{4}(-[HQB]\d)?")


def cycle_folders(repo: Path) -> list[Path]:
    """The repository's cycle folders, latest first (2026-Q4 before 2026)."""
    return sorted((p for p in repo.iterdir() if p.is_dir() and CYCLE_FOLDER.fullmatch(p.name)),
                  key=lambda p: p.name, reverse=True)


def okr_files(repo: Path) -> list[Path]:
    return [path for folder in cycle_folders(repo) for path in sorted(folder.glob("*.yaml"))]


def find_target(repo: Path) -> Target:
    """The first key result with a start, a target and a number as its current value."""
    import yaml

    for path in okr_files(repo):
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        for objective in _items(_get(root, "objectives")):
            for kr in _items(_get(objective, "key_results")):
                node = {k.value: v for k, v in kr.value} if _get(kr, "id") else {}
                if {"start", "target", "current", "id"} <= node.keys():
                    try:
                        start, target = float(node["start"].value), float(node["target"].value)
                    except ValueError:
                        continue
                    ref = f"{path.stem}/{_get(objective, 'id').value}/{node['id'].value}"
                    current = node["current"]
                    return Target(path, ref, current.start_mark.line, current.value, start, target)
    raise SystemExit(f"{repo}: no key result with start, target and current to check in")


def _get(node, key: str):
    """The value node under `key` of a mapping node, or None."""
    import yaml

    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if getattr(k, "value", None) == key:
                return v
    return None


def _items(node) -> list:
    import yaml

    return node.value if isinstance(node, yaml.SequenceNode) else []


def git(repo: Path, *args: str) -> str:
    env = generate.git_env() | IDENTITY | {"GIT_CONFIG_GLOBAL": os.devnull}
    return subprocess.run([GIT, "-C", str(repo), *args], check=True, capture_output=True,
                          env=env).stdout.decode()


def ensure_repo(out: Path, people: int, checkins: int, seed: int) -> tuple[Path, dict, bool]:
    """The git repository for this scale, reused when its marker says it has the same shape."""
    name = f"people-{people}" + (f"-checkins-{checkins}" if checkins else "")
    repo = out / name
    marker = repo / generate.MARKER
    generated = True
    info: dict = {}
    if marker.is_file() and (repo / "okr.yaml").is_file():
        info = json.loads(marker.read_text(encoding="utf-8"))
        wanted = {"generator": generate.GENERATOR_VERSION, "people": people,
                  "checkins": checkins, "seed": seed}
        generated = not all(info.get(k) == v for k, v in wanted.items())
    if generated:
        print(f"generating {repo} ...", file=sys.stderr, flush=True)
        info = generate.generate(people, repo, checkins, seed, quiet=True)
    if not (repo / ".git").is_dir():  # no history asked for: one commit holding every file
        make_git(repo, generate.MARKER)
    return repo, info, generated


def make_git(repo: Path, marker: str) -> None:
    git(repo.parent, "init", "-q", "-b", "main", str(repo))
    with open(repo / ".git" / "info" / "exclude", "a", encoding="utf-8") as fh:
        fh.write(f"/{marker}\n")
    git(repo, "add", "-A")
    git(repo, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "Every OKR file")


COPY_MARKER = ".okr-bench-copy.json"


def copy_repo(source: Path, out: Path) -> tuple[Path, dict]:
    """A fresh copy of an existing OKR repository (its committed state, if it is in git) to
    measure: the check-in figures commit into it, and its own files stay untouched."""
    source = source.resolve()
    if not (source / "okr.yaml").is_file():
        raise SystemExit(f"{source}: no okr.yaml there; --repo takes an OKR repository's root")
    dest = out / f"copy-{source.name}"
    if dest.exists():
        if not (dest / COPY_MARKER).is_file():
            raise SystemExit(f"{dest} exists and was not made by run.py; choose another --out")
        shutil.rmtree(dest)
    out.mkdir(parents=True, exist_ok=True)
    if (source / ".git").exists():
        git(out, "clone", "-q", "--no-hardlinks", str(source), str(dest))
        with open(dest / ".git" / "info" / "exclude", "a", encoding="utf-8") as fh:
            fh.write(f"/{COPY_MARKER}\n")
    else:
        shutil.copytree(source, dest, ignore=shutil.ignore_patterns(COPY_MARKER))
        make_git(dest, COPY_MARKER)
    (dest / COPY_MARKER).write_text(json.dumps({"source": str(source)}) + "\n", encoding="utf-8")
    files = okr_files(dest)
    latest = cycle_folders(dest)[0] if cycle_folders(dest) else dest
    info = {"source": str(source), "people": len(list(latest.glob("*.yaml"))),
            "files": len(files) + 2, "bytes": sum(p.stat().st_size for p in files),
            "checkins": int(git(dest, "rev-list", "--count", "HEAD")) - 1, "seconds": 0.0}
    return dest, info


def cache_bytes(folder: Path) -> int:
    okr = folder / "okr"
    return sum(p.stat().st_size for p in okr.rglob("*") if p.is_file()) if okr.is_dir() else 0


# ---------------------------------------------------------------- the figures


def forked_workers() -> int:
    """The workers okr's loader would fork on this machine, at least 2."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(2, min(cpus or 1, 4))


def check_jobs(runner: Runner, repo: Path, target: Target) -> list[Job]:
    """Cold `okr check` (serial, forked, filling an empty cache), warm, and one file changed.

    The warm caches (`warm`, `changed`) are filled before the first round by `fill_caches`."""
    check = [OKR, "check", "--repo", str(repo)]
    cache = runner.cache_root
    workers = forked_workers()
    original = target.path.read_bytes()

    def edit(n: int) -> None:  # a trivial edit: a comment, different each run
        target.path.write_bytes(original + f"# edited by the benchmark, run {n}\n".encode())

    return [
        Job("floor.compose", "floor: compose, GC paused",
            [sys.executable, "-c", FLOOR_CODE, str(repo)]),
        Job("check.serial", "okr check (serial, cold)", check,
            {"OKR_WORKERS": "1", "OKR_CACHE": "0"}, "floor.compose",
            [check_limit(1.3), NO_GITPYTHON], watch_imports=True),
        Job("check.forked", f"okr check (forked x{workers}, cold)", check,
            {"OKR_WORKERS": str(workers), "OKR_CACHE": "0"}, "floor.compose", [check_limit(1.3)]),
        Job("check.fill", "okr check (empty cache)", check, {"XDG_CACHE_HOME": str(cache / "fill")},
            "floor.compose", before=lambda n: shutil.rmtree(cache / "fill", ignore_errors=True)),
        Job("check.warm", "okr check (warm cache)", check, {"XDG_CACHE_HOME": str(cache / "warm")},
            "floor.compose", [check_limit(0.5)], prefill=True),
        Job("check.one_changed", "okr check (warm, 1 file changed)", check,
            {"XDG_CACHE_HOME": str(cache / "changed")}, "check.warm", before=edit,
            after=lambda n: target.path.write_bytes(original), prefill=True),
    ]


def fill_caches(runner: Runner, jobs: list[Job]) -> str:
    """Fill the warm jobs' caches with one untimed run each; say what they hold."""
    stored = 0
    for job in jobs:
        if job.prefill:
            folder = Path(job.env["XDG_CACHE_HOME"])
            shutil.rmtree(folder, ignore_errors=True)
            runner.run_once(job.argv, job.env, None)
            if job.id == "check.warm":
                stored = cache_bytes(folder)
    return f"cache: {stored / 1e6:.1f} MB" if stored else "no cache written: warm = cold"


def history_jobs(runner: Runner, repo: Path, checkins: int, git_log: list[str],
                 quick: bool) -> list[Job]:
    """`okr log` beside its git log; the commands that load and then do more beside cold check.

    They run serial, as `check.serial` does, so their ratio is the work they add. `report` and
    `review` are judged with okr's cache warm (its default state after an earlier run of the
    command: the files' models and the parsed history are kept): cold, the one `git log` they
    must read is alone about as costly as cold `okr check`, so no cold run can stay within the
    limits; the cold figures are shown beside them."""
    r = str(repo)
    cold = {"OKR_WORKERS": "1", "OKR_CACHE": "0"}

    def warm(name: str) -> dict[str, str]:
        return {"OKR_WORKERS": "1", "XDG_CACHE_HOME": str(runner.cache_root / name)}

    site = site_folder(repo)
    jobs = [
        Job("floor.git_log", "floor: the git log okr log runs", git_log, cwd=repo),
        Job("log", "okr log", [OKR, "log", "--repo", r], cold, "floor.git_log",
            [history_limit(1.5)]),
        Job("log.json", "okr log --format json", [OKR, "log", "--format", "json", "--repo", r],
            cold, "floor.git_log"),
        Job("log.warm", "okr log (cache warm)", [OKR, "log", "--repo", r], warm("log"),
            "floor.git_log", prefill=True),
        Job("report", "okr report (cold)", [OKR, "report", "--repo", r], cold, "check.serial"),
        Job("report.warm", "okr report (cache warm)", [OKR, "report", "--repo", r],
            warm("report"), "check.serial", [history_limit(2)], prefill=True),
        Job("review", "okr review (cold)", [OKR, "review", "--repo", r], cold, "check.serial"),
        Job("review.warm", "okr review (cache warm)", [OKR, "review", "--repo", r],
            warm("review"), "check.serial", [history_limit(1.5)], prefill=True),
        Job("review.html", "okr review --format html",
            [OKR, "review", "--format", "html", "--repo", r], cold, "check.serial",
            [Limit("rss", 500, "<= 500 MB peak RSS")]),
        Job("tree.json", "okr tree --format json", [OKR, "tree", "--format", "json", "--repo", r],
            cold, "floor.compose"),
        Job("export.json", "okr export --format json",
            [OKR, "export", "--format", "json", "--repo", r], cold, "floor.compose"),
        Job("status", "okr status", [OKR, "status", "--repo", r], cold, "check.serial"),
        Job("health", "okr health", [OKR, "health", "--repo", r], cold, "check.serial"),
    ]
    # Into a fresh folder each run, as CI does: replacing an earlier site adds the deletion of
    # its files, which the file system dominates.
    jobs.append(Job("site", "okr site", [OKR, "site", "--output", str(site), "--repo", r],
                    cold, "check.serial", before=lambda n: shutil.rmtree(site, ignore_errors=True)))
    if checkins:
        back = min(300, checkins)
        jobs.append(Job("diff", f"okr diff HEAD~{back}..HEAD",
                        [OKR, "diff", f"HEAD~{back}..HEAD", "--repo", r], cold, "check.serial"))
    return [job for job in jobs if not (quick and job.id in QUICK_SKIPS)]


def checkin_jobs(repo: Path, people: int, target: Target, start: str) -> list[Job]:
    """`okr checkin` of one KR beside a bare `git commit --only` of the same edit; after each
    run the branch goes back to `start`, so every run checks in from the same state."""
    rel = str(target.path.relative_to(repo))

    def undo(n: int) -> None:
        git(repo, "reset", "-q", "--hard", start)

    return [
        Job("floor.commit", "floor: git commit --only -- FILE",
            [GIT, "commit", "-q", "--no-gpg-sign", "--only", "-m", "floor", "--", rel],
            before=lambda n: target.set_current(target.value(n)), after=undo,
            trace_git=True, cwd=repo),
        Job("checkin", f"okr checkin {target.ref} N", [OKR, "checkin", target.ref, "N"],
            {}, "floor.commit", checkin_limits(people), after=undo,
            vary=lambda n: [OKR, "checkin", target.ref, target.value(n), "--repo", str(repo)],
            trace_git=True, watch_imports=True, cwd=repo),
    ]


def site_folder(repo: Path) -> Path:
    return repo.parent / f"{repo.name}-site"


def traced_git_log(runner: Runner, repo: Path) -> list[str]:
    """The `git log` that `okr log` runs, found by tracing it; okr's known one if none is."""
    job = Job("trace", "okr log", [OKR, "log", "--repo", str(repo)], {"OKR_CACHE": "0"})
    traced = runner.trace_git(job, 0)
    for argv in traced[1] if traced else []:
        if git_subcommand(argv) == "log":
            return [GIT, *argv[1:]]
    return [GIT, *GIT_LOG_FALLBACK]


def git_subcommand(argv: list[str]) -> str | None:
    """`log` of `git -C x -c a=b log ...`."""
    words = iter(argv[1:])
    for word in words:
        if word in ("-c", "-C"):
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def one_file_limit(figures: dict[str, Figure], repo: Path) -> list[Limit]:
    """Warm plus the cost of one file: cold serial CPU over the files, 5% of warm for noise."""
    warm, serial = figures["check.warm"], figures["check.serial"]
    if warm.cpu_median is None or serial.cpu_median is None:
        return [Limit("cpu", 0, "<= warm + 1 file")]
    files = len(okr_files(repo)) + 2  # okr.yaml and org.yaml too
    allowed = warm.cpu_median * 1.05 + serial.cpu_median / files
    return [Limit("cpu", allowed, f"<= warm + 1 file ({allowed:.3f} s)")]


def measure_scale(runner: Runner, repo: Path, people: int, checkins: int, quick: bool) -> list[Figure]:
    """Every figure at one scale, in turns; the repository is left as it was found."""
    target = find_target(repo)
    original = target.path.read_bytes()
    if git(repo, "status", "--porcelain", "--", str(target.path)):
        raise SystemExit(f"{target.path} has uncommitted changes; regenerate the repository")
    start = git(repo, "rev-parse", "HEAD").strip()
    jobs = check_jobs(runner, repo, target)
    try:
        jobs += history_jobs(runner, repo, checkins, traced_git_log(runner, repo), quick)
        cache_note = fill_caches(runner, jobs)
        jobs += checkin_jobs(repo, people, target, start)
        figures = {fig.id: fig for fig in runner.measure(jobs)}
    finally:
        target.path.write_bytes(original)
        git(repo, "reset", "-q", "--hard", start)
    figures["check.warm"].note = figures["check.warm"].note or cache_note
    limits = {job.id: job.limits for job in jobs}
    limits["check.one_changed"] = one_file_limit(figures, repo)
    for fig in figures.values():
        compare(fig, figures.get(fig.floor or ""))
        judge(fig, limits[fig.id], people, checkins)
    return list(figures.values())


def measure_help(runner: Runner) -> list[Figure]:
    floor, fig = runner.measure([
        Job("floor.typer_help", "floor: a 2-command Typer app --help",
            [sys.executable, "-c", TYPER_CODE, "--help"]),
        Job("help", "okr --help", [OKR, "--help"], floor="floor.typer_help",
            watch_imports=True),
    ])
    compare(fig, floor)
    judge(fig, [NO_GITPYTHON], 0)
    fig.limit = f"<= 1.1x --baseline; {NO_GITPYTHON.text}"
    if fig.verdict == "pass":
        fig.verdict = "n/a"  # the CPU is judged only against a --baseline
    return [floor, fig]


# ---------------------------------------------------------------- baseline, output


def apply_baseline(report: dict, baseline: dict) -> None:
    """Put each figure's CPU from an earlier `--json` beside it; judge --help against it."""
    def key(scale: dict) -> tuple:  # a scale is the same when its repository is
        return scale["people"], scale.get("checkins"), scale["repo"].get("source")

    old = {(None, f["id"]): f for f in baseline.get("figures", [])}
    for scale in baseline.get("scales", []):
        old |= {(key(scale), f["id"]): f for f in scale.get("figures", [])}
    groups = [(None, report["figures"])] + [(key(s), s["figures"]) for s in report["scales"]]
    for scale, figures in groups:
        for fig in figures:
            before = old.get((scale, fig["id"]), {}).get("cpu_median")
            fig["baseline_cpu"] = before
            # a GitPython import has failed it already
            judged = fig["id"] == "help" and fig["verdict"] != "fail"
            if judged and before and fig["cpu_median"] is not None:
                fig["verdict"] = "pass" if fig["cpu_median"] <= before * 1.1 else "fail"


def environment() -> dict:
    import yaml

    version = subprocess.run([GIT, "--version"], capture_output=True, text=True, check=False)
    return {
        "python": platform.python_version(),
        "pyyaml": yaml.__version__,
        "libyaml": bool(yaml.__with_libyaml__),
        "git": version.stdout.strip().removeprefix("git version "),
        "cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "platform": platform.platform(),
        "okr": OKR,
        "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
    }


def _num(value: float | None, width: int, spec: str = ".3f") -> str:
    return f"{value:{width}{spec}}" if value is not None else f"{'-':>{width}}"


def fmt_row(f: dict, with_baseline: bool) -> str:
    if f["status"] == "n/a":
        return f"  {f['label']:<36} n/a ({f['note']})"
    rss = f["maxrss_kb"] / 1024 if f["maxrss_kb"] is not None else None
    floor = (f["floor_label"] or "").removeprefix("floor: ")
    verdict = {"pass": "pass", "fail": "FAIL", "n/a": "n/a"}.get(f["verdict"], "")
    base = ""
    if with_baseline:
        old = f.get("baseline_cpu")
        base = _num(f["cpu_median"] / old if old and f["cpu_median"] is not None else None, 7, ".2f")
    failed = "  <-- FAILED" if f["status"] == "failed" else ""
    return (f"  {f['label']:<36} {_num(f['cpu_median'], 7)} {_num(f['wall_median'], 7)}  "
            f"{floor[:30]:<30} {_num(f['floor_cpu'], 7)} {_num(f['floor_wall'], 7)} "
            f"{_num(f['ratio'], 7, '.2f')} {_num(rss, 7, '.1f')} "
            f"{_num(f['git_processes'], 3, 'd')}{base}  {f['limit']:<46} {verdict}{failed}")


def print_table(report: dict) -> None:
    env = report["environment"]
    print(f"okr benchmarks ({report['mode']}): Python {env['python']}, PyYAML {env['pyyaml']}"
          f"{' (libyaml)' if env['libyaml'] else ' (NO libyaml)'}, git {env['git']}, "
          f"{env['cpus']} CPUs; medians of {report['repeat']} run(s) after {report['warmup']} "
          "warm-up(s), in turns; CPU = user+sys of the process and its children, seconds")
    if env.get("load_average"):
        print(f"load average at the start: {' '.join(map(str, env['load_average']))} "
              "(CPU figures grow on a busy machine; compare ratios)")
    with_baseline = "baseline" in report
    header = (f"  {'figure':<36} {'CPU s':>7} {'wall s':>7}  {'floor':<30} {'CPU s':>7} "
              f"{'wall s':>7} {'x floor':>7} {'RSS MB':>7} {'git':>3}"
              f"{' x base' if with_baseline else ''}  {'limit (issue 13)':<46} verdict")
    groups = [("okr --help", report["figures"])]
    for scale in report["scales"]:
        repo = scale["repo"]
        how = ("generated in {:.1f} s".format(repo["seconds"]) if scale["generated"]
               else f"a copy of {repo['source']}" if repo.get("source") else "reused")
        who = "owners" if repo.get("source") else "people"
        title = (f"{repo['people']:,} {who}: {repo['files']:,} files, "
                 f"{repo['bytes'] / 1e6:.1f} MB, {scale['checkins']:,} check-ins  "
                 f"[{scale['path']}, {how}]")
        groups.append((title, scale["figures"]))
    for title, figures in groups:
        print(f"\n{title}\n{header}")
        for f in figures:
            print(fmt_row(f, with_baseline))
        for f in figures:
            if f["note"] and f["status"] != "n/a":
                print(f"  {f['label']}: {f['note']}")
            if f.get("imports") is not None:
                print(f"  {f['label']} imports: {', '.join(f['imports'])}")


# ---------------------------------------------------------------- main


def parse_scales(text: str, checkins: int) -> list[tuple[int, int]]:
    scales = []
    for part in (p.strip().replace("_", "") for p in text.split(",")):
        if part:
            people, _, history = part.partition(":")
            scales.append((int(people), int(history) if history else checkins))
    return scales


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"1 run after 1 warm-up, scales {QUICK_SCALES}, only the figures issue 13 "
                        "sets limits for (under 2 minutes)")
    parser.add_argument("--scales", help="comma-separated PEOPLE or PEOPLE:CHECKINS "
                        f"(default {FULL_SCALES}; with --quick {QUICK_SCALES})")
    parser.add_argument("--checkins", type=int, default=0,
                        help="check-ins of a scale given without :CHECKINS (default 0)")
    parser.add_argument("--repo", type=Path, action="append", default=[], metavar="DIR",
                        help="also measure a copy of this OKR repository (repeatable; e.g. "
                        "one made by `okr demo`); it is judged at its number of owners")
    parser.add_argument("--out", type=Path, default=Path("bench-out"),
                        help="folder for generated repositories (default bench-out)")
    parser.add_argument("--repeat", type=int, help="timed runs per figure (default 3; quick 1)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs first (default 1)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=900, help="seconds per process")
    parser.add_argument("--baseline", type=Path, help="an earlier --json output to compare with")
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    parser.add_argument("--show", type=Path, metavar="JSON",
                        help="measure nothing: print the table of an earlier --json output")
    args = parser.parse_args(argv)
    args.repeat = args.repeat if args.repeat is not None else (1 if args.quick else 3)
    if args.repeat < 1 or args.warmup < 0:
        parser.error("--repeat must be at least 1 and --warmup at least 0")
    default = "" if args.repo else (QUICK_SCALES if args.quick else FULL_SCALES)
    try:
        args.scales = parse_scales(args.scales if args.scales is not None else default,
                                   args.checkins)
    except ValueError:
        parser.error(f"--scales takes PEOPLE or PEOPLE:CHECKINS, comma-separated: {args.scales!r}")
    return args


def compile_okr() -> None:
    """Byte-compile the okrcli that `okr` runs, as `pip install` does: with
    PYTHONDONTWRITEBYTECODE set (or a read-only checkout) every measured process would otherwise
    compile each module it imports again, and that compile time would count as okr's."""
    found = subprocess.run([sys.executable, "-c", "import okrcli, os; print(os.path.dirname(okrcli.__file__))"],
                           check=False, capture_output=True, text=True)
    if found.returncode == 0 and found.stdout.strip():
        subprocess.run([sys.executable, "-m", "compileall", "-q", found.stdout.strip()],
                       stdout=subprocess.DEVNULL, check=False)


def measure_all(args: argparse.Namespace) -> dict:
    compile_okr()
    report: dict = {"environment": environment(), "mode": "quick" if args.quick else "full",
                    "repeat": args.repeat, "warmup": args.warmup, "scales": []}
    with tempfile.TemporaryDirectory(prefix="okr-bench-cache-") as cache:
        runner = Runner(args.repeat, args.warmup, args.timeout, Path(cache))
        report["figures"] = [asdict(f) for f in measure_help(runner)]
        targets = [(*ensure_repo(args.out.resolve(), people, checkins, args.seed), people, checkins)
                   for people, checkins in args.scales]
        for source in args.repo:
            repo, info = copy_repo(source, args.out.resolve())
            targets.append((repo, info, False, info["people"], info["checkins"]))
        for repo, info, generated, people, checkins in targets:
            print(f"measuring {repo.name} ...", file=sys.stderr, flush=True)
            figures = measure_scale(runner, repo, people, checkins, args.quick)
            report["scales"].append({"people": people, "checkins": checkins, "path": str(repo),
                                     "generated": generated, "repo": info,
                                     "figures": [asdict(f) for f in figures]})
    return report


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.show:
        report = json.loads(args.show.read_text(encoding="utf-8"))
    else:
        report = measure_all(args)
    if args.baseline:
        apply_baseline(report, json.loads(args.baseline.read_text(encoding="utf-8")))
        report["baseline"] = str(args.baseline)
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        print()
    else:
        print_table(report)
    every = report["figures"] + [f for s in report["scales"] for f in s["figures"]]
    return 1 if any(f["status"] == "failed" for f in every) else 0


if __name__ == "__main__":
    sys.exit(main())
