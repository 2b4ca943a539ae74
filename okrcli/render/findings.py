"""Render `okr check` findings: text, json, github (workflow commands), sarif (2.1.0), gitlab.

Text and json name files relative to the current folder; the CI formats (github,
sarif, gitlab) relative to the git top-level, where the platforms look for them,
even when the OKR root is a folder of a monorepo.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote

from ..errors import Diagnostic, Severity
from .escape import github_data, github_property
from .escape import text as visible


def display_path(root: Path, rel: str, base: Path | None = None) -> str:
    """`rel` (root-relative) as a path relative to `base` (the current directory)."""
    full = root / rel
    try:
        shown = os.path.relpath(full, base or Path.cwd())
    except ValueError:  # another drive on Windows
        shown = str(full)
    return shown.replace(os.sep, "/")


def line(d: Diagnostic, path: str) -> str:
    return f"{visible(path)}:{d.line}:{d.column}: {d.severity.value}[{d.rule}]: {visible(d.message)}"


def render_text(findings: list[Diagnostic], root: Path, color: bool) -> Iterable[tuple[str, str | None]]:
    """(line, style) pairs; the CLI prints them with rich when colour is wanted."""
    for d in findings:
        style = None
        if color:
            style = "red" if d.severity is Severity.ERROR else "yellow"
        yield line(d, display_path(root, d.path)), style


def _dumps(doc: object) -> str:
    """A machine format's document as indented JSON (json is imported by the formats that
    write it: `okr check` in text, the usual run, imports neither it nor hashlib)."""
    import json

    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render_json(findings: list[Diagnostic], root: Path) -> str:
    items = [{"path": display_path(root, d.path), "line": d.line, "column": d.column,
              "severity": d.severity.value, "rule": d.rule, "message": d.message} for d in findings]
    return _dumps(items)


def render_github(findings: list[Diagnostic], root: Path) -> str:
    out = []
    for d in findings:
        level = "error" if d.severity is Severity.ERROR else "warning"
        props = ",".join([
            f"file={github_property(ci_path(root, d.path, outside_git='cwd'))}",
            f"line={d.line}", f"col={d.column}", f"title={github_property(d.rule)}",
        ])
        out.append(f"::{level} {props}::{github_data(d.message, keep_newlines=True)}\n")
    return "".join(out)


SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "okrFinding/v1"


def _repo_top(root: Path) -> Path:
    """The git top-level above the OKR root (CI paths are relative to it), else the root."""
    return _git_top(root) or root


def _git_top(root: Path) -> Path | None:
    for folder in (root, *root.parents):
        if (folder / ".git").exists():
            return folder
    return None


def ci_path(root: Path, rel: str, *, outside_git: str = "root") -> str:
    """`rel` (root-relative) as a POSIX path relative to the git top-level.

    Outside git: relative to the OKR root, or with `outside_git="cwd"` to the current folder.
    """
    resolved = root.resolve()
    top = _git_top(resolved)
    if top is None:
        return display_path(root, rel) if outside_git == "cwd" else rel
    return (resolved / rel).relative_to(top).as_posix()


_LINE_WORDS_RE = re.compile(r"\b(line|column) [0-9]+")


def fingerprints(findings: list[Diagnostic], root: Path) -> list[str]:
    """One stable id per finding: the same finding gets the same id run after run.

    It hashes the rule, the file and the message (line numbers in it left out), plus
    the finding's rank among identical ones in that file, never its own line: an
    edit that shifts lines elsewhere in the file changes no fingerprint.
    """
    import hashlib

    seen: dict[tuple[str, str, str], int] = {}
    out = []
    for d in findings:
        key = (d.rule, ci_path(root, d.path), _LINE_WORDS_RE.sub(r"\1 N", d.message))
        seen[key] = seen.get(key, 0) + 1
        text = "\0".join([*key, str(seen[key])])
        out.append(hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:32])
    return out


GITLAB_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor"}


def render_gitlab(findings: list[Diagnostic], root: Path) -> str:
    """GitLab Code Quality JSON (artifacts: reports: codequality:)."""
    items = [{
        "description": d.message,
        "check_name": d.rule,
        "fingerprint": print_,
        "severity": GITLAB_SEVERITY.get(d.severity, "info"),
        "location": {"path": ci_path(root, d.path), "lines": {"begin": d.line}},
    } for d, print_ in zip(findings, fingerprints(findings, root))]
    return _dumps(items)


def render_sarif(findings: list[Diagnostic], root: Path, rules: list, version: str) -> str:
    top = _repo_top(root.resolve())
    index = {r.ID: i for i, r in enumerate(rules)}
    driver_rules = []
    for r in rules:
        doc = (r.__doc__ or "").strip()
        summary, _, rest = doc.partition("\n")
        driver_rules.append({
            "id": r.ID,
            "name": "".join(part.capitalize() for part in r.ID.split("-")),
            "shortDescription": {"text": summary.strip()},
            "fullDescription": {"text": " ".join(rest.split()) or summary.strip()},
            "defaultConfiguration": {"level": r.SEVERITY},
            "help": {"text": doc},
        })
    results = []
    for d, print_ in zip(findings, fingerprints(findings, root)):
        # A URI reference (RFC 3986): a space, '%' or '#' in a path is percent-encoded.
        rel = quote((root.resolve() / d.path).relative_to(top).as_posix(), safe="/")
        results.append({
            "ruleId": d.rule,
            **({"ruleIndex": index[d.rule]} if d.rule in index else {}),
            "level": "error" if d.severity is Severity.ERROR else "warning",
            "message": {"text": d.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": rel, "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": d.line, "startColumn": d.column},
            }}],
            "partialFingerprints": {FINGERPRINT_KEY: print_},
        })
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "okr", "version": version, "rules": driver_rules}},
            "columnKind": "unicodeCodePoints",  # columns count characters, as YAML marks do
            "results": results,
        }],
    }
    return _dumps(doc)
