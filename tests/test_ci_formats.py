"""CI formats of `okr check`: GitLab Code Quality, SARIF fingerprints, and paths relative to
the git top-level when the OKR root is a folder of a monorepo (SPEC 4)."""

from __future__ import annotations

import hashlib
import json
import textwrap
from pathlib import Path

from conftest import run, write_repo
from gitrepo import commit_all, init_repo, isolate_git

# unaligned (2:9), weak-wording (6:16) twice (identical messages), kr-target (10:9)
BOB = """\
objectives:
  - id: O1
    title: Faster builds
    key_results:
      - id: KR1
        title: Help the release team
        done: false
      - id: KR2
        title: Help the build team
        done: false
      - id: KR3
        title: Build time stays
        start: 5
        target: 5
"""

GOLDEN = Path(__file__).parent / "golden" / "ci" / "gitlab.json"


def monorepo(tmp_path: Path, monkeypatch, bob: str = BOB) -> Path:
    """A git repository with code at its top and the OKR root in `okrs/`; returns the top."""
    isolate_git(monkeypatch, tmp_path)
    top = tmp_path / "mono"
    init_repo(top, {"src/app.py": "print('hi')\n"})
    write_repo(top / "okrs", {"2026-Q4/bob.yaml": bob})
    return top


def gitlab(top: Path, cwd: Path | None = None) -> tuple[int, list[dict]]:
    result = run(["check", "--format", "gitlab"], cwd=cwd or top / "okrs")
    assert result.stderr == ""
    return result.exit_code, json.loads(result.stdout)


def test_gitlab_code_quality_exact_output(tmp_path, monkeypatch):
    top = monorepo(tmp_path, monkeypatch)
    result = run(["check", "--format", "gitlab"], cwd=top / "okrs")
    assert (result.exit_code, result.stderr) == (1, "")
    assert result.stdout == GOLDEN.read_text(encoding="utf-8")
    items = json.loads(result.stdout)
    # Each fingerprint is the rule, the file, the message and its rank among identical ones.
    first = "\0".join(["unaligned", "okrs/2026-Q4/bob.yaml", items[0]["description"], "1"])
    assert items[0]["fingerprint"] == hashlib.sha256(first.encode()).hexdigest()[:32]
    assert len({item["fingerprint"] for item in items}) == 4  # the two identical messages differ
    assert run(["check", "--format", "gitlab"], cwd=top).exit_code == 2  # no okr.yaml at the top
    assert run(["check", "--format", "gitlab", "--repo", "okrs"], cwd=top).stdout == result.stdout
    assert "gitlab" in run(["check", "--help"]).stdout


def test_gitlab_without_findings_is_an_empty_report(tmp_path, monkeypatch):
    isolate_git(monkeypatch, tmp_path)
    root = write_repo(tmp_path / "okrs", {})
    assert gitlab(root, cwd=root) == (0, [])


def _sarif(top: Path, cwd: Path) -> list[dict]:
    result = run(["check", "--format", "sarif"], cwd=cwd)
    assert result.exit_code == 1
    return json.loads(result.stdout)["runs"][0]["results"]


def test_sarif_fingerprints_are_stable_across_runs_and_line_shifts(tmp_path, monkeypatch):
    top = monorepo(tmp_path, monkeypatch)
    first = _sarif(top, top / "okrs")
    second = _sarif(top, top / "okrs" / "2026-Q4")
    key = "okrFinding/v1"
    prints = [r["partialFingerprints"][key] for r in first]
    assert prints == [r["partialFingerprints"][key] for r in second]
    assert len(set(prints)) == len(prints) == 4
    # Three comment lines at the top of the file shift every finding down by 3 lines.
    bob = top / "okrs" / "2026-Q4" / "bob.yaml"
    bob.write_text("# Bob's OKRs\n#\n# reviewed weekly\n" + BOB, encoding="utf-8")
    shifted = _sarif(top, top / "okrs")
    lines = [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in first]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in shifted] == \
        [n + 3 for n in lines]
    assert [r["partialFingerprints"][key] for r in shifted] == prints
    # The GitLab report uses the same fingerprints.
    assert [item["fingerprint"] for item in gitlab(top)[1]] == prints
    # Fixing one of two identical findings leaves one such finding: it keeps the first id.
    bob.write_text(BOB.replace("Help the release team", "Release team ships weekly"), encoding="utf-8")
    fixed = [r["partialFingerprints"][key] for r in _sarif(top, top / "okrs")]
    assert fixed == [prints[0], prints[1], prints[3]]


def test_ci_formats_name_files_from_the_git_top_level(tmp_path, monkeypatch):
    top = monorepo(tmp_path, monkeypatch)
    for cwd in (top / "okrs", top / "okrs" / "2026-Q4", top, top / "src"):
        args = [] if cwd.is_relative_to(top / "okrs") else ["--repo", str(top / "okrs")]
        github = run(["check", "--format", "github", *args], cwd=cwd)
        assert github.exit_code == 1
        files = {line.split("file=", 1)[1].split(",", 1)[0] for line in github.stdout.splitlines()}
        assert files == {"okrs/2026-Q4/bob.yaml"}
        lab = json.loads(run(["check", "--format", "gitlab", *args], cwd=cwd).stdout)
        assert {item["location"]["path"] for item in lab} == {"okrs/2026-Q4/bob.yaml"}
        sarif = json.loads(run(["check", "--format", "sarif", *args], cwd=cwd).stdout)
        uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                for r in sarif["runs"][0]["results"]}
        assert uris == {"okrs/2026-Q4/bob.yaml"}
    # Text and json stay relative to the current folder.
    text = run(["check"], cwd=top / "okrs").stdout
    assert text.startswith("2026-Q4/bob.yaml:2:9: error[unaligned]")
    found = json.loads(run(["check", "--format", "json", "--repo", "okrs"], cwd=top).stdout)
    assert found[0]["path"] == "okrs/2026-Q4/bob.yaml"


def test_ci_paths_outside_git_are_relative_to_the_okr_root(tmp_path, monkeypatch):
    isolate_git(monkeypatch, tmp_path)
    root = write_repo(tmp_path / "plain", {"2026-Q4/bob.yaml": textwrap.dedent(BOB)})
    # github (as before): relative to the current folder; gitlab and sarif: to the OKR root.
    result = run(["check", "--format", "github", "--repo", str(root)], cwd=tmp_path)
    assert "file=plain/2026-Q4/bob.yaml," in result.stdout
    assert {i["location"]["path"] for i in gitlab(root, cwd=root)[1]} == {"2026-Q4/bob.yaml"}


def _annotated_files(stdout: str) -> set[str]:
    return {line.split("file=", 1)[1].split(",", 1)[0] for line in stdout.splitlines() if "file=" in line}


def test_status_and_diff_annotations_name_files_from_the_git_top_level(tmp_path, monkeypatch):
    """`okr status` and `okr diff` in `--format github` annotate the file GitHub knows: in a
    monorepo that is okrs/2026-Q4/bob.yaml, not the OKR-root-relative 2026-Q4/bob.yaml."""
    top = monorepo(tmp_path, monkeypatch)
    commit_all(top, "OKRs beside the code")
    bob = top / "okrs" / "2026-Q4" / "bob.yaml"
    bob.write_text(bob.read_text().replace("Faster builds", "Much faster builds"))
    env = {"OKR_TODAY": "2026-11-15"}
    for cwd, args in ((top / "okrs", []), (top, ["--repo", "okrs"])):
        diff = run(["diff", "--format", "github", *args], cwd=cwd, env=env)
        assert diff.exit_code == 0, diff.stderr
        assert _annotated_files(diff.stdout) == {"okrs/2026-Q4/bob.yaml"}, diff.stdout
        status = run(["status", "--format", "github", *args], cwd=cwd, env=env)
        assert status.exit_code == 0, status.stderr
        files = _annotated_files(status.stdout)
        assert {"okrs/2026-Q4/bob.yaml", "okrs/org.yaml"} <= files, status.stdout
        assert all(f.startswith("okrs/") and (top / f).is_file() for f in files), status.stdout
