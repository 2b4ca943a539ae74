"""The example GitHub workflows: the keys GitHub requires, and their scripts run on the demo.

Each `run:` step is run with bash as GitHub runs it (`bash --noprofile --norc -eo pipefail`), with
the step's `env:` expressions filled in, `okr` from this environment, a stand-in `gh` that records
what it is asked, and a bare repository as the remote the check-in pushes to.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT
from gitrepo import isolate_git

CI = ROOT / "examples" / "ci"
OKR_BIN = Path(sys.executable).parent
WORKFLOWS = ("okr-site.yml", "okr-status-weekly.yml", "okr-checkin.yml")
EXPRESSION = re.compile(r"\$\{\{\s*([A-Za-z_.]+)\s*\}\}")


def load(name: str) -> dict:
    return yaml.safe_load((CI / name).read_text(encoding="utf-8"))


def triggers(workflow: dict) -> dict:
    return workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true


@pytest.mark.parametrize("name", WORKFLOWS)
def test_each_workflow_has_the_keys_github_requires(name):
    workflow = load(name)
    assert isinstance(workflow["name"], str) and workflow["name"]
    assert isinstance(triggers(workflow), dict) and triggers(workflow)
    assert workflow["jobs"]
    for job_id, job in workflow["jobs"].items():
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", job_id)
        assert job["runs-on"] == "ubuntu-latest"
        assert job["steps"]
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), step
            if "uses" in step:
                assert re.fullmatch(r"actions/[a-z-]+@v\d+", step["uses"]), step
            else:  # untrusted input never pasted into a script: it arrives through env
                assert "${{" not in step["run"], step["run"]


def test_the_site_workflow_builds_on_main_and_deploys_with_pages_permissions_on_the_deploy_job_only():
    workflow = load("okr-site.yml")
    assert triggers(workflow)["push"] == {"branches": ["main"]}
    assert workflow["permissions"] == {"contents": "read"}
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert "permissions" not in build
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    uses = [s.get("uses", "").split("@")[0] for s in build["steps"]]
    assert "actions/checkout" in uses and uses[-1] == "actions/upload-pages-artifact"
    assert build["steps"][-1]["with"] == {"path": "_site"}
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    assert build["steps"][0]["with"]["fetch-depth"] == 0


def test_the_weekly_status_runs_on_mondays_and_may_comment_on_issues():
    workflow = load("okr-status-weekly.yml")
    (cron,) = [t["cron"] for t in triggers(workflow)["schedule"]]
    assert cron.split()[4] == "1"  # day of week: Monday
    assert workflow["permissions"] == {"contents": "read", "issues": "write"}


def test_the_checkin_form_has_the_five_inputs_and_may_push():
    workflow = load("okr-checkin.yml")
    inputs = triggers(workflow)["workflow_dispatch"]["inputs"]
    assert list(inputs) == ["key_result", "value", "confidence", "note", "link"]
    assert [name for name, i in inputs.items() if i["required"]] == ["key_result", "value"]
    assert all(i["type"] == "string" and i["description"] for i in inputs.values())
    assert workflow["permissions"] == {"contents": "write"}


# ---------------------------------------------------------------- the scripts, run on the demo

FAKE_GH = """#!/bin/sh
# Records its arguments (and a comment's body) instead of calling GitHub.
printf '%s' "$*" | tr '\\n' ' ' >> "$GH_LOG"
echo >> "$GH_LOG"
if [ "$1" = api ]; then echo 12; fi
if [ "$1 $2" = "issue comment" ]; then
  while [ $# -gt 0 ]; do
    if [ "$1" = --body-file ]; then cat "$2" > "$GH_BODY"; fi
    shift
  done
fi
"""


@pytest.fixture
def checkout(tmp_path, monkeypatch):
    """The demo pushed to a bare `origin`, cloned as actions/checkout would (full history)."""
    from okrcli.plans.demo import build_demo

    isolate_git(monkeypatch, tmp_path, identity=False)
    demo = build_demo(tmp_path / "demo")
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(demo), str(origin)], check=True)
    work = tmp_path / "work"
    subprocess.run(["git", "clone", "-q", str(origin), str(work)], check=True)
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "gh").write_text(FAKE_GH, encoding="utf-8")
    (fake / "gh").chmod(stat.S_IRWXU)
    return work, origin, fake


def run_workflow(name: str, work: Path, fake: Path, context: dict[str, str]) -> list[subprocess.CompletedProcess]:
    """Every `run:` step of every job, in order, until one fails (as GitHub stops a job)."""
    done = []
    for job in load(name)["jobs"].values():
        for step in job["steps"]:
            script = step.get("run")
            if script is None or script.startswith("pip install"):
                continue
            env = {k: v for k, v in os.environ.items() if not k.startswith("OKR_")}
            env.update({"PATH": f"{fake}{os.pathsep}{OKR_BIN}{os.pathsep}{env['PATH']}", "NO_COLOR": "1",
                        "GITHUB_REPOSITORY": "acme/okrs", "GITHUB_ACTIONS": "", "OKR_TODAY": "2026-12-31",
                        "GH_LOG": str(fake / "gh.log"), "GH_BODY": str(fake / "body.md")})
            env.update({key: EXPRESSION.sub(lambda m: context.get(m.group(1), ""), str(value))
                        for key, value in step.get("env", {}).items()})
            result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], check=False,
                                    cwd=work,
                                    env=env, capture_output=True, text=True, timeout=120)
            done.append(result)
            if result.returncode != 0:
                return done
    return done


def test_the_site_workflow_builds_the_site(checkout):
    work, _, fake = checkout
    (result,) = run_workflow("okr-site.yml", work, fake, {})
    assert result.returncode == 0, result.stderr
    assert (work / "_site" / "index.html").is_file()
    assert (work / "_site" / "objectives" / "2026-Q4" / "platform" / "O1.html").is_file()


@pytest.mark.parametrize("issue", ["7", ""])
def test_the_weekly_status_comments_with_mentions_on_the_pinned_issue(checkout, issue):
    work, _, fake = checkout
    annotate, comment = run_workflow("okr-status-weekly.yml", work, fake,
                                     {"github.token": "t0ken", "vars.OKR_STATUS_ISSUE": issue})
    assert annotate.returncode == 0 and "::warning " in annotate.stdout
    assert comment.returncode == 0, comment.stderr
    calls = (fake / "gh.log").read_text(encoding="utf-8").splitlines()
    assert calls[-1] == f"issue comment {issue or '12'} --body-file okr-status.md"
    if issue:
        assert len(calls) == 1
    else:  # the first pinned issue of the repository, asked of GitHub's API
        assert len(calls) == 2 and calls[0].startswith("api graphql -F owner=acme -F name=okrs ")
        assert "pinnedIssues(first: 1)" in calls[0]
    body = (fake / "body.md").read_text(encoding="utf-8")
    assert body.startswith("## OKR status: 2026-Q4\n") and "### Reminders" in body
    assert re.search(r"^- @acme-demo-[a-z]+ \(", body, re.MULTILINE)


def test_the_weekly_status_fails_clearly_without_an_issue(checkout):
    work, _, fake = checkout
    (fake / "gh").write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")  # no pinned issue
    _, comment = run_workflow("okr-status-weekly.yml", work, fake, {"vars.OKR_STATUS_ISSUE": ""})
    assert comment.returncode == 1
    assert "no issue to comment on: pin one, or set the variable OKR_STATUS_ISSUE" in comment.stdout


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def test_the_checkin_form_checks_in_as_the_person_who_pressed_the_button_and_pushes(checkout):
    work, origin, fake = checkout
    before = _git(origin, "rev-parse", "HEAD").strip()
    inputs = {"github.actor": "ACME-DEMO-JUN", "inputs.key_result": "jun/O1/KR1", "inputs.value": "61",
              "inputs.confidence": "0.8", "inputs.note": "Forecast dashboard live; $(touch pwned) `id`",
              "inputs.link": "https://grafana.acme.test/d/forecast"}
    steps = run_workflow("okr-checkin.yml", work, fake, inputs)
    assert [s.returncode for s in steps] == [0, 0], [s.stderr for s in steps]
    assert not (work / "pwned").exists()  # input is data, never a command
    assert _git(origin, "rev-parse", "HEAD~1").strip() == before
    author = _git(origin, "log", "-1", "--format=%an <%ae>").strip()
    assert author == "Jun Park <jun@acme.test>"
    message = _git(origin, "log", "-1", "--format=%B")
    assert "Forecast dashboard live; $(touch pwned) `id`" in message
    assert "Okr-KR: jun/O1/KR1" in message and "Okr-Value: 61" in message
    assert "Okr-Confidence: 0.8" in message and "Okr-Link: https://grafana.acme.test/d/forecast" in message


@pytest.mark.parametrize("inputs, message", [
    ({"github.actor": "acme-demo-jun", "inputs.key_result": "jun/O9/KR1", "inputs.value": "3"}, "jun/O9"),
    ({"github.actor": "acme-demo-jun", "inputs.key_result": "jun/O1/KR1", "inputs.value": "lots"}, "lots"),
    ({"github.actor": "acme-demo-jun", "inputs.key_result": "jun/O1/KR1", "inputs.value": "3",
      "inputs.confidence": "2"}, "confidence"),
    ({"github.actor": "someone-else", "inputs.key_result": "jun/O1/KR1", "inputs.value": "3"},
     "no person in org.yaml has github: someone-else"),
])
def test_a_wrong_input_fails_the_run_with_okrs_message_and_pushes_nothing(checkout, inputs, message):
    work, origin, fake = checkout
    before = _git(origin, "rev-parse", "HEAD").strip()
    steps = run_workflow("okr-checkin.yml", work, fake, inputs)
    assert len(steps) == 1 and steps[0].returncode == 2
    assert steps[0].stderr.startswith("okr: error: ") and message in steps[0].stderr
    assert "Traceback" not in steps[0].stderr
    assert _git(origin, "rev-parse", "HEAD").strip() == before
    assert _git(work, "status", "--porcelain") == ""


def test_jq_is_there_as_on_githubs_runners():
    assert shutil.which("jq"), "the check-in workflow reads okr who's JSON with jq"
