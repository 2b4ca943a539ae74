"""The rules of `okr check`: one module each, listed in `REGISTRY` in the order of SPEC 4.

Each rule module has `ID`, `SEVERITY` (its default), a docstring that is the
user documentation (what it finds and how to fix a finding), and
`check(ctx) -> Iterator[Diagnostic]`. Findings made while loading (syntax,
schema, duplicate keys, cycles, org) are claimed by the rule of the same id.
"""

from __future__ import annotations

import importlib
from types import ModuleType

RULE_IDS = (
    "yaml-syntax", "schema", "duplicate-key", "duplicate-id", "unknown-owner", "cycle-unknown",
    "org", "kr-target", "no-key-results", "unaligned", "align-dangling", "align-cycle",
    "align-cross-cycle", "align-not-upward", "align-orphan-chain", "too-many-objectives",
    "kr-count", "stray-file", "weak-wording",
)


def module_name(rule_id: str) -> str:
    return "okrcli.rules." + rule_id.replace("-", "_")


def registry() -> list[ModuleType]:
    """Every rule module, in SPEC order."""
    return [importlib.import_module(module_name(rule_id)) for rule_id in RULE_IDS]
