"""Two objectives of one owner and cycle, or two key results of one objective, share an id.

References such as `platform/O1/KR2` must name exactly one thing.

Fix: renumber one of them (and any reference to it).
"""

from typing import Iterator

from ..errors import Diagnostic, Severity
from .context import CheckContext

ID = "duplicate-id"
SEVERITY = "error"


def check(ctx: CheckContext) -> Iterator[Diagnostic]:
    for f in ctx.repo.files:
        seen: dict[str, int] = {}
        for obj in f.objectives:
            if obj.id in seen:
                yield Diagnostic.at(obj.at("id"), ID, f"objective id {obj.id} is used twice in this file "
                                    f"(first on line {seen[obj.id]}); give each objective its own id", Severity.ERROR)
            else:
                seen[obj.id] = obj.at("id").line
            krs: dict[str, int] = {}
            for kr in obj.key_results:
                if kr.id in krs:
                    yield Diagnostic.at(kr.at("id"), ID, f"key result id {kr.id} is used twice in {obj.owner}/{obj.id} "
                                        f"(first on line {krs[kr.id]}); give each key result its own id")
                else:
                    krs[kr.id] = kr.at("id").line
