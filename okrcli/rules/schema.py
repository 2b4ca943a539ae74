"""A file whose structure does not match the OKR format.

Fires for a missing required field (`id`, `title`, `key_results`, a KR's
`target` or `done`), a value of the wrong type (text where a number belongs, a
number or boolean where text belongs: YAML 1.1 reads `no`, `on`, `010`, `1:30`
and `2026-11-27` as booleans, numbers and dates), an unknown key, a value out
of range (`confidence`, `score` outside 0..1, `weight` <= 0, NaN, infinity,
numbers beyond ±1e15), a malformed reference, and YAML features OKR files do
not use (tags such as `!!python/object`, anchors and aliases).

Fix: follow the message; quote text that YAML would read as something else
(`title: "2026"`), and see `okr schema` for the full format.
"""

from collections.abc import Iterator

from ..errors import Diagnostic
from .context import CheckContext

ID = "schema"
SEVERITY = "error"
# What a finding looks like, then (after ->) the fix: shown by `okr check --explain`.
EXAMPLE = """\
key_results:
  - id: KR1
    title: Uptime
    target: 99.9
    confidance: 0.6         # unknown key: did you mean 'confidence'?
->
    confidence: 0.6
"""


def check(ctx: CheckContext) -> Iterator[Diagnostic]:
    yield from ctx.loaded_findings(ID)
