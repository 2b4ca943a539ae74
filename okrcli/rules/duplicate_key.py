"""A mapping that repeats a key.

YAML parsers silently keep the last of two equal keys, so a repeated
`current:` or `target:` hides a value you meant to keep. okr keeps the first
and reports the second, naming the line of the first.

Fix: delete one of the two lines.
"""

from collections.abc import Iterator

from ..errors import Diagnostic
from .context import CheckContext

ID = "duplicate-key"
SEVERITY = "error"
# What a finding looks like, then (after ->) the fix: shown by `okr check --explain`.
EXAMPLE = """\
  - id: KR1
    current: 20
    current: 25             # second 'current': which one is true?
->
    current: 25
"""


def check(ctx: CheckContext) -> Iterator[Diagnostic]:
    yield from ctx.loaded_findings(ID)
