"""An OKR file whose owner is not in org.yaml.

An OKR file is `<CYCLE>/<OWNER>.yaml`, and OWNER must be the company, a team
or a person listed in org.yaml (owner ids are lowercase letters, digits, `-`
and `_`).

Fix: rename the file to an existing owner id, or add the team or person to
org.yaml.
"""

import difflib
from collections.abc import Iterator

from ..errors import Diagnostic, Loc
from ..refs import OWNER_RE
from .context import CheckContext

ID = "unknown-owner"
SEVERITY = "error"
# What a finding looks like, then (after ->) the fix: shown by `okr check --explain`.
EXAMPLE = """\
2026-Q4/platfrom.yaml      # no 'platfrom' in org.yaml
->
2026-Q4/platform.yaml
"""


def check(ctx: CheckContext) -> Iterator[Diagnostic]:
    org = ctx.repo.org
    if org.company is None and not org.teams and not org.people:
        return  # org.yaml is missing or broken: the `org` finding says so once
    owners = [*org.teams, *org.people] + ([org.company.id] if org.company else [])
    for f in ctx.repo.files:
        if org.kind(f.owner) is not None:
            continue
        if not OWNER_RE.match(f.owner):
            message = (f"'{f.owner}' is not a valid owner id (lowercase letters, digits, - and _); "
                       "rename the file")
        else:
            close = difflib.get_close_matches(f.owner, owners, n=1)
            hint = f"did you mean {close[0]}.yaml? " if close else ""
            message = f"'{f.owner}' is not the company, a team or a person in org.yaml; {hint}" \
                      "rename the file or add the owner to org.yaml"
        yield Diagnostic.at(Loc(f.path), ID, message)
