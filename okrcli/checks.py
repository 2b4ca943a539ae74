"""Run every rule over a loaded repository and apply the severities configured in okr.yaml."""

from __future__ import annotations

from dataclasses import replace

from .errors import Diagnostic, Severity
from .model import Repository
from .rules import registry
from .rules.context import CheckContext


def run_checks(repo: Repository, loaded: list[Diagnostic], cycle: str | None = None) -> list[Diagnostic]:
    """All findings, sorted by file and position; rules set to `off` are dropped.

    With `cycle`, only findings in that cycle's files and in the root files are kept
    (references into other cycles are still resolved)."""
    ctx = CheckContext(repo, loaded)
    findings: list[Diagnostic] = []
    for rule in registry():
        configured = repo.settings.rules.get(rule.ID)
        severity = Severity(configured.severity) if configured and configured.severity else None
        if severity is Severity.OFF:
            continue
        for d in rule.check(ctx):
            findings.append(replace(d, severity=severity) if severity and d.severity is not severity else d)
    if cycle is not None:
        prefix = cycle + "/"
        findings = [d for d in findings if d.path.startswith(prefix) or "/" not in d.path]
    findings.sort(key=Diagnostic.sort_key)
    return findings


def exit_code(findings: list[Diagnostic], strict: bool = False) -> int:
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    return 1 if any(d.severity in failing for d in findings) else 0
