"""A file or folder under the root that okr does not read.

Nothing under the root is dropped in silence. Fires for a `.yml` file, a subfolder
or a non-YAML file inside a cycle folder, a folder named like a file (`bob.yaml/`),
a root-level folder whose name starts with a digit but is no cycle (`2026Q4`,
`26-Q4`) and any root-level `.yaml` other than `okr.yaml` and `org.yaml`; the
message says what okr expected ("OKR files end in .yaml: rename kai.yml to
kai.yaml"). Hidden files and folders (`.git`, `.github`) are skipped. A folder or
link okr cannot read or follow (permissions, a symlink loop) is not this warning
but an error (`yaml-syntax`), so a pull request cannot hide a file from `okr check`.

Fix: rename or move the file as the message says, or, for a folder the team keeps
on purpose, list it in okr.yaml: `ignore: [archive, 2026-Q4/drafts]`.
"""

from collections.abc import Iterator

from ..errors import Diagnostic
from .context import CheckContext

ID = "stray-file"
SEVERITY = "warning"
# What a finding looks like, then (after ->) the fix: shown by `okr check --explain`.
EXAMPLE = """\
    2026-Q4/kai.yml          # okr reads .yaml files only: kai has no OKRs
->
    2026-Q4/kai.yaml
"""


def check(ctx: CheckContext) -> Iterator[Diagnostic]:
    yield from ctx.loaded_findings(ID)
