"""A file that is not readable YAML.

Fires when a file does not parse: a syntax error (the position comes from the
parser), invalid UTF-8, a control character or NUL byte, tabs used for
indentation, several documents in one file, or a file over 1 MiB.

Fix: open the file at the line and column shown and correct the YAML there.
Indent with spaces, save as UTF-8, keep one document per file.
"""

from collections.abc import Iterator

from ..errors import Diagnostic
from .context import CheckContext

ID = "yaml-syntax"
SEVERITY = "error"
# What a finding looks like, then (after ->) the fix: shown by `okr check --explain`.
EXAMPLE = """\
key_results:
  - id: KR1
    title:Faster builds     # a space must follow ':'
->
  - id: KR1
    title: Faster builds
"""


def check(ctx: CheckContext) -> Iterator[Diagnostic]:
    yield from ctx.loaded_findings(ID)
