"""An objective without key results.

An objective says where to go; its key results say how you will know you got
there. Without them it cannot be scored or followed up.

Fix: add one to five measurable key results under `key_results:`.
"""

from collections.abc import Iterator

from ..errors import Diagnostic
from .context import CheckContext

ID = "no-key-results"
SEVERITY = "error"
# What a finding looks like, then (after ->) the fix: shown by `okr check --explain`.
EXAMPLE = """\
  - id: O1
    title: Make deploys boring
    key_results: []
->
    key_results:
      - {id: KR1, title: p95 deploy time down to 10 minutes, start: 40, target: 10}
"""


def check(ctx: CheckContext) -> Iterator[Diagnostic]:
    for obj in ctx.objectives():
        if obj.written_krs == 0 and "key_results" in obj.spans:
            yield Diagnostic.at(obj.at("key_results", value=False), ID,
                                f"{obj.owner}/{obj.id} has no key results; add measurable ones under key_results")
