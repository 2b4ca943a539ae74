"""Time `okr checkin` and `okr log` on a repository with a long check-in history.

    python benchmarks/checkin_bench.py                          # 1,000 people, 50,000 check-ins
    python benchmarks/checkin_bench.py --people 1000 --checkins 50000 --repeat 5

The repository is generated once by `generate.py --checkins` (one `git
fast-import`) under `bench-out/hist-P-C` and reused. Each measured command runs
as a whole process, in turns with its floor, `--repeat` times; the median and
the minimum wall time are printed beside the floor:

- one `okr checkin` of one key result (parse, in-place edit, checks, commit,
  verification) beside a bare `git commit --only -- FILE` of the same edit
  (the file written beforehand, outside the timing);
- `okr log` over all history (stdout to /dev/null) beside the one `git log`
  it runs, with the same arguments, output to /dev/null.

The check-in commits are undone at the end (`git reset --hard` to the start).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate

OKR = str(Path(sys.executable).parent / "okr")
KR = "p00001/O1/KR1"
FILE = "2026-Q4/p00001.yaml"


def git(repo: Path, *args: str, **kwargs) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          env=generate.git_env(), **kwargs).stdout.decode()


def wall(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    """Wall time of one whole process, output discarded; it must succeed."""
    started = time.perf_counter()
    code = subprocess.run(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, check=False,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    elapsed = time.perf_counter() - started
    if code != 0:
        raise SystemExit(f"{' '.join(argv)} exited {code}")
    return elapsed


def prepare(people: int, checkins: int, out: Path) -> None:
    if (out / ".git").is_dir() and int(git(out, "rev-list", "--count", "HEAD")) >= checkins + 1:
        return
    generate.generate(people, out, checkins)


def log_argv() -> list[str]:
    """The `git log` that `okr log` runs (gitstore.GitRepo.log, the root at the top level)."""
    from okrcli.gitstore import _LOG_FORMAT

    return ["git", "log", f"--format={_LOG_FORMAT}", "--no-show-signature", "--no-color",
            "--no-abbrev-commit", "--no-ext-diff", "--no-textconv", "HEAD", "--"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--checkins", type=int, default=50000)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    out = (args.out or Path("bench-out") / f"hist-{args.people}-{args.checkins}").resolve()
    prepare(args.people, args.checkins, out)
    if git(out, "status", "--porcelain", "--", FILE):
        raise SystemExit(f"{out / FILE} has uncommitted changes; regenerate the repository")
    start = git(out, "rev-parse", "HEAD").strip()
    env = {k: v for k, v in generate.git_env().items() if k != "OKR_REPO"} | {
        "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@acme.test",
        "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@acme.test"}
    times: dict[str, list[float]] = {k: [] for k in ("checkin", "commit", "log", "git log")}
    path = out / FILE
    try:
        wall([OKR, "log", "-n", "1"], out, env)  # warm the page cache and Python's bytecode
        for n in range(args.repeat):
            times["checkin"].append(wall([OKR, "checkin", KR, str(10 + n)], out, env))
            # the same edit for the floor: KR1's is the file's first `current:`
            path.write_bytes(path.read_bytes().replace(f"current: {10 + n}".encode(),
                                                       f"current: {50 + n}".encode(), 1))
            times["commit"].append(wall(["git", "commit", "-q", "--only", "-m", "floor", "--", FILE],
                                        out, env))
            times["log"].append(wall([OKR, "log"], out, env))
            times["git log"].append(wall(log_argv(), out, env))
    finally:
        git(out, "reset", "-q", "--hard", start)
    commits = int(git(out, "rev-list", "--count", "HEAD"))
    print(f"{out}: {commits:,} commits, {args.people:,} people; median (min) of {args.repeat}, wall")
    for name, floor in (("checkin", "commit"), ("log", "git log")):
        mine, bare = statistics.median(times[name]), statistics.median(times[floor])
        label = {"checkin": f"okr checkin {KR} N", "log": "okr log (all history)"}[name]
        floor_label = {"commit": "git commit --only -- FILE", "git log": "git log --format=... (the one okr runs)"}
        print(f"  {label:<34} {mine:7.3f} s ({min(times[name]):.3f})   floor {floor_label[floor]}: "
              f"{bare:.3f} s ({min(times[floor]):.3f})   x{mine / bare:.1f}")


if __name__ == "__main__":
    os.environ.pop("OKR_REPO", None)
    main()
