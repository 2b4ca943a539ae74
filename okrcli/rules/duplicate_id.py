"""Two objectives of one owner and cycle, or two key results of one objective, share an id.

References such as `platform/O1/KR2` must name exactly one thing.

Fix: renumber one of them (and any reference to it).
"""

from collections.abc import Iterator

from ..errors import Diagnostic, Severity
from ..model import KeyResult, Objective
from .context import CheckContext

ID = "duplicate-id"
SEVERITY = "error"
# What a finding looks like, then (after ->) the fix: shown by `okr check --explain`.
EXAMPLE = """\
objectives:
  - id: O1
    title: Faster builds
  - id: O1                  # second O1 of this owner and cycle
->
  - id: O2
"""


def check(ctx: CheckContext) -> Iterator[Diagnostic]:
    for f in ctx.repo.files:
        seen: dict[str, Objective] = {}
        for obj in f.objectives:
            first = seen.setdefault(obj.id, obj)
            if first is not obj:
                yield Diagnostic.at(obj.at("id"), ID, f"objective id {obj.id} is used twice in this file "
                                    f"(first on line {first.at('id').line}); give each objective its own id",
                                    Severity.ERROR)
            krs: dict[str, KeyResult] = {}
            for kr in obj.key_results:
                kr_first = krs.setdefault(kr.id, kr)
                if kr_first is not kr:
                    yield Diagnostic.at(kr.at("id"), ID, f"key result id {kr.id} is used twice in {obj.owner}/{obj.id} "
                                        f"(first on line {kr_first.at('id').line}); give each key result its own id")
