"""Key results worded as activities, objectives worded as maintenance.

A key result measures an outcome; one that starts with an activity verb (help,
consult, analyze, participate, support, assist, work on) describes effort
instead. An objective that starts with a maintenance verb (maintain, continue,
keep doing) describes business as usual rather than a change.

Fix: reword the KR as a measurable result ("p95 latency down to 200 ms", not
"Work on latency"), and the objective as the change you want. Word lists are
configurable: `rules: {weak-wording: {kr_verbs: [...], objective_verbs: [...]}}`.
"""

import re
from collections.abc import Iterator

from ..errors import Diagnostic, Severity
from . import Option
from .context import CheckContext

ID = "weak-wording"
SEVERITY = "warning"
# What a finding looks like, then (after ->) the fix: shown by `okr check --explain`.
EXAMPLE = """\
      - id: KR1
        title: Work on latency
->
      - id: KR1
        title: p95 latency down to 200 ms
"""
OPTIONS = {
    "kr_verbs": Option("words", ("help", "consult", "analyze", "analyse", "participate", "support", "assist",
                                 "work on")),
    "objective_verbs": Option("words", ("maintain", "continue", "keep doing")),
}


def pattern(verbs: tuple[str, ...]) -> re.Pattern | None:
    """Match a title that starts with one of `verbs`, allowing -s and -ing forms of the first word.

    Past tenses are left alone: "Supported services from 4 to 12" states a result."""
    if not verbs:
        return None
    alternatives = []
    for verb in verbs:
        first, *rest = verb.split()
        stem = re.escape(first[:-1]) if first.endswith("e") else re.escape(first)
        head = f"(?:{re.escape(first)}|{stem}(?:es|s|ing))"
        alternatives.append(r"\s+".join([head, *map(re.escape, rest)]))
    return re.compile(rf"^\s*(?:{'|'.join(alternatives)})\b", re.IGNORECASE)


def check(ctx: CheckContext) -> Iterator[Diagnostic]:
    kr_re = pattern(ctx.option(ID, "kr_verbs"))
    obj_re = pattern(ctx.option(ID, "objective_verbs"))
    for obj in ctx.objectives():
        m = obj_re.match(obj.title) if obj_re else None
        if m:
            yield Diagnostic.at(obj.at("title"), ID,
                                f"objective title starts with '{m.group().strip()}', which describes business as "
                                "usual; say what should change", Severity.WARNING)
        for kr in obj.key_results:
            m = kr_re.match(kr.title) if kr_re else None
            if m:
                yield Diagnostic.at(kr.at("title"), ID,
                                    f"key result title starts with '{m.group().strip()}', an activity; state the "
                                    "measurable result instead", Severity.WARNING)
