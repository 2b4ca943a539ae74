"""okr.yaml, read and checked: `load_settings(root, diags) -> Settings`, and `rule_option`.

The `rules:` section is validated from the rules' own declarations (`okrcli.rules`:
each rule's `OPTIONS` next to its `ID` and `SEVERITY`): an unknown rule, an option the
rule does not take, or a value of the wrong kind is a `schema` finding at its line and
column. Every reader of a rule's limit (the rule itself, `okr health`, `okr status`) goes
through `rule_option`, so a default is written once, in its rule.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from .cycles import parse_cycle
from .errors import Diagnostic
from .load.reader import Reader, implicit_type, top_mapping
from .load.source import CONFIG_FILE, YMap, load_yaml_file
from .model import RuleConfig, Settings
from .refs import OWNER_RE

TOP_KEYS = ("company", "cadence", "cycle", "checkin_every", "rules", "ignore")
CADENCES = ("quarterly", "bimonthly")
SEVERITIES = ("error", "warning", "off")
_DEFAULT = Settings()  # what okr.yaml leaves out (model.Settings holds the defaults)


def load_settings(root: Path, diags: list[Diagnostic], raw: bytes | None = None) -> Settings:
    """okr.yaml under `root` (or `raw`, its bytes from git); what is wrong goes to `diags` and
    falls back to the default."""
    value, ok = load_yaml_file(root, CONFIG_FILE, diags, raw)
    m = top_mapping(value, ok, CONFIG_FILE, diags, "okr.yaml is a mapping of settings")
    if m is None:
        return Settings()
    r = Reader(m, CONFIG_FILE, diags, "okr.yaml")
    r.keys(TOP_KEYS, ("company",))
    company = r.text("company", pattern=OWNER_RE, what="owner id (lowercase letters, digits, - and _)")
    cadence, cycle, every = _cadence(r), _cycle(r), _checkin_every(r)
    ignore = _ignore_list(r)
    return Settings(company=company, cadence=cadence or _DEFAULT.cadence, cycle=cycle,
                    checkin_every=every if every is not None else _DEFAULT.checkin_every, rules=_rules(r),
                    spans=m.pos, ignore=ignore)


def rule_option(settings: Settings, rule_id: str, name: str):
    """One option of a rule (`kr-count`'s `max`): as okr.yaml sets it, else the rule's default."""
    from .rules import option

    return option(settings.rules, rule_id, name)


def _cadence(r: Reader) -> str | None:
    cadence = r.text("cadence")
    if cadence is not None and cadence not in CADENCES:
        p = r.m.pos["cadence"]
        r.err(p[3], p[4], f"'cadence' must be quarterly or bimonthly, not {cadence}")
        return None
    return cadence


def _cycle(r: Reader) -> str | None:
    cycle = r.text("cycle")
    if cycle is not None and parse_cycle(cycle) is None:
        p = r.m.pos["cycle"]
        r.err(p[3], p[4], f"'{cycle}' is not a valid cycle (YYYY, YYYY-Hn, YYYY-Qn or YYYY-Bn)")
        return None
    return cycle


def _checkin_every(r: Reader) -> int | None:
    every = r.number("checkin_every")
    if every is not None and (every != int(every) or every < 1):
        p = r.m.pos["checkin_every"]
        r.err(p[3], p[4], f"'checkin_every' must be a whole number of days, 1 or more, not {every:g}")
        return None
    return int(every) if every is not None else None


_IGNORE_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_][A-Za-z0-9_.-]*)?/?\Z")


def _ignore_list(r: Reader) -> tuple[str, ...]:
    """okr.yaml `ignore:`: folders under the root (`archive`, `2026-Q4/drafts`) okr does not walk."""
    seq = r.seq("ignore")
    if seq is None:
        return ()
    kept = []
    for item, (line, col, plain) in zip(seq, seq.pos):
        if not isinstance(item, str) or (plain and implicit_type(item) != "str"):
            r.err(line, col, "each entry of 'ignore' must be a folder name such as archive; quote it")
        elif not _IGNORE_RE.match(item) or ".." in item.split("/"):
            r.err(line, col, f"'{item}' is not a folder under the OKR root: write a name such as archive "
                             "or 2026-Q4/drafts (no leading /, no ..)")
        else:
            kept.append(item.rstrip("/"))
    return tuple(kept)


# ---------------------------------------------------------------- rules:

def _rules(r: Reader) -> dict[str, RuleConfig]:
    """`rules:`: each entry a severity or a mapping of `severity` and the rule's own options."""
    from .rules import RULE_IDS

    rules: dict[str, RuleConfig] = {}
    rm = r.mapping("rules")
    for rule_id, conf in (rm or {}).items():
        p = rm.pos[rule_id]
        if rule_id not in RULE_IDS:
            close = difflib.get_close_matches(rule_id, RULE_IDS, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else "; see `okr check --list-rules`"
            r.err(p[0], p[1], f"unknown rule '{rule_id}'{hint}")
        elif isinstance(conf, str):
            if conf in SEVERITIES:
                rules[rule_id] = RuleConfig(severity=conf)
            else:
                r.err(p[3], p[4], f"severity of '{rule_id}' must be error, warning or off, not {conf}")
        elif isinstance(conf, YMap):
            rules[rule_id] = _rule_settings(r, rule_id, conf)
        else:
            r.err(p[3], p[4], f"'{rule_id}' takes a severity (error, warning, off) or a mapping")
    return rules


def _rule_settings(r: Reader, rule_id: str, conf: YMap) -> RuleConfig:
    """`{severity: ..., <option>: ...}` for one rule, its options as the rule declares them."""
    from .rules import options

    declared = options(rule_id)
    cr = Reader(conf, r.path, r.diags, f"rule '{rule_id}'")
    cr.keys(("severity", *declared))
    values = {}
    for name, option in declared.items():
        value = _count(cr, name, option.low) if option.kind == "count" else _words(cr, name)
        if value is not None:
            values[name] = value
    return RuleConfig(_severity(cr), **values)


def _severity(cr: Reader) -> str | None:
    """A severity as written; `off` stays `off` (YAML 1.1 would read it as false)."""
    conf = cr.m
    if "severity" not in conf:
        return None
    value = conf["severity"]
    sev = value if isinstance(value, str) and value in SEVERITIES else cr.text("severity")
    if sev is not None and sev not in SEVERITIES:
        q = conf.pos["severity"]
        cr.err(q[3], q[4], f"severity must be error, warning or off, not {sev}")
        return None
    return sev


def _count(cr: Reader, name: str, low: int) -> int | None:
    limit = cr.number(name)
    if limit is not None and (limit != int(limit) or limit < low):
        q = cr.m.pos[name]
        cr.err(q[3], q[4], f"'{name}' must be a whole number, {low} or more, not {limit:g}")
        return None
    return int(limit) if limit is not None else None


def _words(cr: Reader, name: str) -> tuple[str, ...] | None:
    seq = cr.seq(name)
    if seq is None:
        return None
    words = []
    for item, (line, col, plain) in zip(seq, seq.pos):
        if isinstance(item, str) and item.strip() and not (plain and implicit_type(item) != "str"):
            words.append(item.strip().lower())
        else:
            cr.err(line, col, f"each entry of '{name}' must be a word or phrase")
    return tuple(words)
