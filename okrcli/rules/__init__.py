"""The rules of `okr check`: one module each, listed in `REGISTRY` in the order of SPEC 4.

Each rule module has `ID`, `SEVERITY` (its default), `OPTIONS` (the settings it
takes in okr.yaml besides `severity`, each with its kind and default), a docstring
that is the user documentation (what it finds and how to fix a finding), and
`check(ctx) -> Iterator[Diagnostic]`. Findings made while loading (syntax,
schema, duplicate keys, cycles, org) are claimed by the rule of the same id.

okr.yaml `rules:` is validated from these declarations (okrcli.settings), and
every reader of a rule's option (the rule itself, `okr health`) gets its value
through `option()`, so a default is written once, in its rule.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..model import RuleConfig

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


def rule(rule_id: str) -> ModuleType:
    """The module of one rule (imported on first use: reading okr.yaml imports only the rules it names)."""
    return importlib.import_module(module_name(rule_id))


@dataclass(frozen=True)
class Option:
    """One setting of a rule in okr.yaml: `count` (a whole number, `low` or more) or `words`
    (a list of words or phrases, kept lowercase); `default` applies when okr.yaml has none."""

    kind: str
    default: object
    low: int = 0


def options(rule_id: str) -> Mapping[str, Option]:
    """The options `rule_id` takes besides `severity` (none for most rules)."""
    return getattr(rule(rule_id), "OPTIONS", {})


def option(rules: Mapping[str, RuleConfig], rule_id: str, name: str):
    """The value of one option of a rule: as okr.yaml sets it, else the rule's default."""
    conf = rules.get(rule_id)
    value = getattr(conf, name, None) if conf is not None else None
    return options(rule_id)[name].default if value is None else value
