"""Run every rule over a loaded repository and apply the severities configured in okr.yaml."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from .errors import Diagnostic, Severity

if TYPE_CHECKING:
    from .model import Repository, Settings
    from .rules.context import CheckContext

# The rules that look across OKR files: what they find in one file depends on others.
# `okrcli.load.incremental` runs them on a summary of every file. Each other rule finds
# in one OKR file from that file alone (with org.yaml and okr.yaml), or in org.yaml and
# okr.yaml only (`org`), or passes on what loading found. (The rules are imported when
# they run: importing this module costs nothing a check that runs none would pay.)
CROSS_FILE = ("align-dangling", "align-cycle", "align-orphan-chain")
WHOLE_ORG = ("org",)


def per_file_rules() -> tuple[str, ...]:
    """The ids of the rules that are neither CROSS_FILE nor WHOLE_ORG, in SPEC order."""
    from .rules import RULE_IDS

    return tuple(r for r in RULE_IDS if r not in CROSS_FILE and r not in WHOLE_ORG)


def run_checks(repo: Repository, loaded: list[Diagnostic], cycle: str | None = None) -> list[Diagnostic]:
    """All findings, sorted by file and position; rules set to `off` are dropped.

    With `cycle`, only findings in that cycle's files and in the root files are kept
    (references into other cycles are still resolved)."""
    from .rules import registry
    from .rules.context import CheckContext

    return finish(run_rules(CheckContext(repo, loaded), registry(), repo.settings), cycle)


def run_rules(ctx: CheckContext, rules: Iterable, settings: Settings) -> list[Diagnostic]:
    """The findings of `rules` (modules, or ids) in `ctx`, with okr.yaml's severities; unsorted."""
    from .rules import rule

    findings: list[Diagnostic] = []
    for module in rules:
        if isinstance(module, str):
            module = rule(module)
        configured = settings.rules.get(module.ID)
        severity = Severity(configured.severity) if configured and configured.severity else None
        if severity is Severity.OFF:
            continue
        for d in module.check(ctx):
            findings.append(replace(d, severity=severity) if severity and d.severity is not severity else d)
    return findings


def finish(findings: list[Diagnostic], cycle: str | None = None) -> list[Diagnostic]:
    """`findings` kept to `cycle`'s files and the root files (all when None), sorted."""
    if cycle is not None:
        prefix = cycle + "/"
        findings = [d for d in findings if d.path.startswith(prefix) or "/" not in d.path]
    findings.sort(key=Diagnostic.sort_key)
    return findings


def exit_code(findings: list[Diagnostic], strict: bool = False) -> int:
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    return 1 if any(d.severity in failing for d in findings) else 0
