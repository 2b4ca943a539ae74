"""The CI pieces: action.yml (a composite GitHub Action), the workflow and GitLab examples,
and the pre-commit hook, parsed with the keys their platforms require and run on real
repositories (the action's shell steps on `okr demo`, the hook in a monorepo)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, run, write_repo
from gitrepo import git, init_repo, isolate_git

CI = ROOT / "examples" / "ci"
OKR = Path(sys.executable).parent / "okr"
EXPR = re.compile(r"\$\{\{\s*([a-z_.-]+)\s*\}\}")


def load(path: Path):
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=yaml.BaseLoader)  # strings only, as the platforms read keys


# ------------------------------------------------------------------ action.yml

def action() -> dict:
    doc = load(ROOT / "action.yml")
    for key in ("name", "description", "runs"):
        assert doc.get(key), f"action.yml needs '{key}'"
    assert doc["runs"]["using"] == "composite"
    return doc


def test_action_yml_has_what_github_requires():
    doc = action()
    assert set(doc["inputs"]) >= {"repo", "args", "fail-on"}
    for name, spec in doc["inputs"].items():
        assert spec["description"], name
    steps = doc["runs"]["steps"]
    for step in steps:
        assert ("uses" in step) != ("run" in step), step
        if "run" in step:
            assert step["shell"] == "bash"  # a composite run step must name its shell
            # Inputs reach the script through env, never pasted into it.
            assert "${{" not in step["run"], step["name"]
    assert steps[0]["uses"].startswith("actions/setup-python@")
    install = next(s for s in steps if s.get("name") == "Install okr")
    assert install["env"]["OKR_ACTION_PATH"] == "${{ github.action_path }}"
    assert '"$OKR_ACTION_PATH"' in install["run"]
    assert (ROOT / "pyproject.toml").is_file()  # what `pip install "$OKR_ACTION_PATH"` installs


def _expand(text: str, values: dict[str, str]) -> str:
    return EXPR.sub(lambda m: values[m.group(1)], text)


def run_action(cwd: Path, inputs: dict[str, str], event: str, base_ref: str, summary: Path) -> list:
    """Run action.yml's shell steps (not setup-python, not the pip install: okr is installed)
    as the runner does: bash, the step's env with expressions expanded, `if` honoured."""
    doc = action()
    values = {f"inputs.{k}": v.get("default", "") for k, v in doc["inputs"].items()}
    values.update({f"inputs.{k}": v for k, v in inputs.items()})
    values.update({"github.action_path": str(ROOT), "github.base_ref": base_ref,
                   "github.event_name": event})
    env = {**os.environ, "PATH": f"{OKR.parent}{os.pathsep}{os.environ['PATH']}",
           "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_ACTIONS": "true", "NO_COLOR": "1"}
    env.pop("OKR_REPO", None)
    results, failed = [], False
    for step in doc["runs"]["steps"]:
        if "run" not in step or step["name"] == "Install okr":
            continue
        condition = step.get("if")
        if condition is not None:
            assert condition == "${{ !cancelled() && github.event_name == 'pull_request' }}"
            if event != "pull_request":
                continue
        elif failed:
            continue
        step_env = {k: _expand(v, values) for k, v in step.get("env", {}).items()}
        done = subprocess.run(["bash", "-e", "-c", step["run"]], check=False, cwd=cwd, env={**env, **step_env},
                              capture_output=True, text=True, stdin=subprocess.DEVNULL)
        failed = failed or done.returncode != 0
        results.append((step["name"], done.returncode, done.stdout, done.stderr))
    return results


@pytest.fixture
def demo(tmp_path, monkeypatch) -> Path:
    isolate_git(monkeypatch, tmp_path)
    folder = tmp_path / "demo"
    assert run(["demo", str(folder)]).exit_code == 0
    # The pull request's base: the branch as it stood 20 check-ins ago.
    git(folder, "update-ref", "refs/remotes/origin/main", "HEAD~20")
    return folder


def test_the_action_checks_and_summarises_a_pull_request_on_the_demo(demo, tmp_path):
    summary = tmp_path / "summary.md"
    steps = run_action(demo, {}, "pull_request", "main", summary)
    assert [(name, code) for name, code, _, _ in steps] == [
        ("Check the OKRs", 0), ("What this pull request changes in the OKRs", 0)]
    expected = run(["diff", "origin/main...HEAD", "--format", "markdown"], cwd=demo).stdout
    assert expected.strip() and summary.read_text(encoding="utf-8") == expected
    # On a push there is no pull request: only the check runs.
    pushed = run_action(demo, {}, "push", "", tmp_path / "push.md")
    assert [name for name, *_ in pushed] == ["Check the OKRs"]
    assert not (tmp_path / "push.md").exists()


def test_the_action_fails_with_annotations_and_still_summarises(demo, tmp_path):
    # A dangling alignment breaks the check; args and fail-on reach okr.
    path = next((demo / "2026-Q4").glob("*.yaml"))
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("aligns: [", "aligns: [acme/O99, ", 1), encoding="utf-8")
    assert "acme/O99" in path.read_text(encoding="utf-8")
    git(demo, "commit", "-qam", "break an alignment")
    summary = tmp_path / "summary.md"
    steps = run_action(demo, {"args": "--strict --cycle 2026-Q4", "fail-on": "any"},
                       "pull_request", "main", summary)
    (_, check_code, check_out, _), (_, diff_code, diff_out, _) = steps
    assert check_code == 1
    assert f"file=2026-Q4/{path.name}," in check_out and "title=align-dangling::" in check_out
    assert diff_code == 1  # --fail-on any: the pull request changed OKRs
    assert diff_out.startswith("::")
    assert summary.read_text(encoding="utf-8").strip()


def test_the_action_takes_the_okr_root_of_a_monorepo(tmp_path, monkeypatch):
    isolate_git(monkeypatch, tmp_path)
    top = tmp_path / "mono"
    init_repo(top, {"src/app.py": "print('hi')\n"})
    write_repo(top / "okrs", {"2026-Q4/bob.yaml": (
        "objectives:\n  - id: O1\n    title: Faster builds\n    key_results:\n"
        "      - {id: KR1, title: Build time from 20 to 5 minutes, start: 20, target: 5}\n")})
    (check,) = run_action(top, {"repo": "okrs"}, "push", "", tmp_path / "s.md")
    assert check[1] == 1
    assert check[2].startswith("::error file=okrs/2026-Q4/bob.yaml,line=2,col=9,title=unaligned::")


# ------------------------------------------------------------------ workflow examples

def test_the_github_workflow_example_uses_the_action():
    doc = load(CI / "github-actions.yml")
    assert doc["name"] and "jobs" in doc and ("on" in doc)
    steps = doc["jobs"]["check"]["steps"]
    assert doc["jobs"]["check"]["runs-on"]
    assert steps[0]["uses"].startswith("actions/checkout@") and steps[0]["with"]["fetch-depth"] == "0"
    used = steps[1]["uses"]
    assert re.fullmatch(r"[A-Za-z0-9-]+/okr@\S+", used)
    assert set(steps[1]["with"]) <= set(action()["inputs"])


def test_the_gitlab_example_publishes_a_code_quality_report(tmp_path, monkeypatch):
    doc = load(CI / "gitlab-ci.yml")
    job = doc["okr-check"]
    assert job["image"] and job["script"]
    report = job["artifacts"]["reports"]["codequality"]
    assert job["artifacts"]["when"] == "always"  # the report is kept when the job fails
    # Run its script as GitLab does (one shell, `set -eo pipefail`), okr on PATH.
    isolate_git(monkeypatch, tmp_path)
    top = tmp_path / "mono"
    init_repo(top, {"README.md": "code\n"})
    write_repo(top / "okrs", {"2026-Q4/bob.yaml": (
        "objectives:\n  - id: O1\n    title: Faster builds\n    key_results:\n"
        "      - {id: KR1, title: Build time from 20 to 5 minutes, start: 20, target: 5}\n")})
    script = "set -eo pipefail\n" + "\n".join(job["script"])
    env = {**os.environ, "PATH": f"{OKR.parent}{os.pathsep}{os.environ['PATH']}",
           "OKR_REPO": "okrs", "NO_COLOR": "1"}
    done = subprocess.run(["bash", "-c", script], check=False, cwd=top, env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 1
    items = json.loads((top / report).read_text(encoding="utf-8"))
    assert [(i["check_name"], i["location"]["path"], i["location"]["lines"]["begin"])
            for i in items] == [("unaligned", "okrs/2026-Q4/bob.yaml", 2)]
    assert "okrs/2026-Q4/bob.yaml:2:9: error[unaligned]" in done.stdout


# ------------------------------------------------------------------ pre-commit

HOOK_KEYS = {"id", "name", "entry", "language"}


def test_the_pre_commit_hook_and_example_are_well_formed():
    hooks = load(ROOT / ".pre-commit-hooks.yaml")
    (hook,) = hooks
    assert HOOK_KEYS <= set(hook) and hook["id"] == "okr-check"
    assert hook["pass_filenames"] == "true" and re.search(hook["files"], "okrs/2026-Q4/bob.yaml")
    example = load(CI / "pre-commit-config.yaml")
    (repo,) = example["repos"]
    # A local hook needs no rev; a remote one would need a rev that exists.
    assert repo["repo"] == "local" and "rev" not in repo
    (local,) = repo["hooks"]
    assert HOOK_KEYS <= set(local)
    assert {k: local[k] for k in ("id", "entry", "pass_filenames", "files")} == \
        {k: hook[k] for k in ("id", "entry", "pass_filenames", "files")}
    assert "v0.1.0" not in (CI / "pre-commit-config.yaml").read_text(encoding="utf-8")


def test_okr_check_finds_the_root_from_the_files_it_is_given(tmp_path, monkeypatch):
    # What pre-commit runs in a monorepo: `okr check FILE...` from the git top-level.
    isolate_git(monkeypatch, tmp_path)
    top = tmp_path / "mono"
    init_repo(top, {".github/workflows/ci.yml": "on: push\n"})
    write_repo(top / "okrs", {"2026-Q4/bob.yaml": (
        "objectives:\n  - id: O1\n    title: Faster builds\n    key_results:\n"
        "      - {id: KR1, title: Build time from 20 to 5 minutes, start: 20, target: 5}\n")})
    result = run(["check", ".github/workflows/ci.yml", "okrs/2026-Q4/bob.yaml", "okrs/org.yaml"], cwd=top)
    assert result.exit_code == 1
    assert result.stdout.startswith("okrs/2026-Q4/bob.yaml:2:9: error[unaligned]: ")
    assert result.stdout.count("\n") == 1
    # Only files outside any OKR repository: nothing to check, the commit goes through.
    other = run(["check", ".github/workflows/ci.yml"], cwd=top)
    assert (other.exit_code, other.stdout, other.stderr) == (0, "", "")
    # Without files it still needs an okr.yaml at or above the current folder.
    assert run(["check"], cwd=top).exit_code == 2


@pytest.mark.skipif(shutil.which("pre-commit", path=str(OKR.parent)) is None,
                    reason="pre-commit is not installed beside okr")
def test_the_pre_commit_example_runs_with_pre_commit(tmp_path, monkeypatch):
    home = isolate_git(monkeypatch, tmp_path)
    top = tmp_path / "mono"
    init_repo(top, {"src/app.py": "x = 1\n"})
    shutil.copy(CI / "pre-commit-config.yaml", top / ".pre-commit-config.yaml")
    write_repo(top / "okrs", {"2026-Q4/bob.yaml": (
        "objectives:\n  - id: O1\n    title: Faster builds\n    key_results:\n"
        "      - {id: KR1, title: Build time from 20 to 5 minutes, start: 20, target: 5}\n")})
    git(top, "add", "-A")
    env = {**os.environ, "PATH": f"{OKR.parent}{os.pathsep}{os.environ['PATH']}",
           "PRE_COMMIT_HOME": str(home / "pre-commit"), "NO_COLOR": "1"}
    pre_commit = str(OKR.parent / "pre-commit")
    failed = subprocess.run([pre_commit, "run", "--color", "never"], check=False, cwd=top, env=env,
                            capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "okrs/2026-Q4/bob.yaml:2:9: error[unaligned]" in failed.stdout
    bob = top / "okrs" / "2026-Q4" / "bob.yaml"
    bob.write_text(bob.read_text().replace("    key_results:", "    aligns: [acme/O1]\n    key_results:"))
    git(top, "add", "-A")
    passed = subprocess.run([pre_commit, "run", "--color", "never"], check=False, cwd=top, env=env,
                            capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout
