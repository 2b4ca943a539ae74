"""`okr init`: start an OKR repository that passes `okr check`."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Optional

import typer

from .common import write

CONFIG = """\
# yaml-language-server: $schema=https://okrcli.dev/schema/okr-config.json
# Settings of this OKR repository. Its presence marks the root: okr commands
# run anywhere below this folder find it.

company: {company}          # owner id of the company, as in org.yaml
cadence: {cadence}        # quarterly | bimonthly
# cycle: {cycle}          # pin the current cycle (default: the one containing today)
checkin_every: 7            # days between expected check-ins

# Per-rule severity (error | warning | off) and limits; see `okr check --list-rules`.
# rules:
#   unaligned: error
#   too-many-objectives: {{severity: warning, max: 5}}
"""

ORG = """\
# yaml-language-server: $schema=https://okrcli.dev/schema/org.json
# The company, its teams and its people. Owner ids (company, teams, people)
# share one namespace: lowercase letters, digits, - and _.

company: {{id: {company}, name: {name}}}

teams: {{}}
#   eng:      {{name: Engineering, lead: ada}}
#   platform: {{name: Platform, parent: eng}}

people: {{}}
#   ada: {{name: Ada Lovelace, team: eng, email: ada@example.com}}
"""

COMPANY_OKRS = """\
# yaml-language-server: $schema=https://okrcli.dev/schema/okr-file.json
# Company objectives for {cycle}. Teams align to them with `aligns: [{company}/O1]`.

objectives:
  - id: O1
    title: Run the company on OKRs kept in git
    key_results:
      - id: KR1
        title: Every team has objectives aligned to this one
        start: 0
        target: 100
        current: 0
        unit: "%"
        confidence: 0.7
      - id: KR2
        title: First weekly follow-up held with okr report
        done: false
"""


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-_")[:64]
    return slug if slug and slug[0].isalnum() else "company"


def init(
    directory: Path = typer.Argument(Path("."), metavar="[DIR]", help="Where to create the repository."),
    company: Optional[str] = typer.Option(None, "--company", help="Company owner id (default: from DIR's name)."),
    name: Optional[str] = typer.Option(None, "--name", help="Company display name."),
    cadence: str = typer.Option("quarterly", "--cadence", help="quarterly or bimonthly."),
) -> None:
    """Create okr.yaml, org.yaml and the current cycle's company OKR file.

    Refuses to overwrite any existing file.

    Example: okr init okrs --company acme --name "Acme Inc."
    """
    from ..cycles import current_cycle_id
    from ..errors import OkrError
    from ..refs import OWNER_RE
    from .common import choice

    choice(cadence, ("quarterly", "bimonthly"), "--cadence")
    company_id = company or _slug(directory.absolute().name)
    if not OWNER_RE.match(company_id):
        raise OkrError(f"'{company_id}' is not a valid owner id",
                       hint="use lowercase letters, digits, - and _, e.g. --company acme")
    display = name or company_id.replace("-", " ").title()
    cycle = current_cycle_id(date.today(), cadence)
    files = {
        directory / "okr.yaml": CONFIG.format(company=company_id, cadence=cadence, cycle=cycle),
        directory / "org.yaml": ORG.format(company=company_id, name=_flow_text(display)),
        directory / cycle / f"{company_id}.yaml": COMPANY_OKRS.format(cycle=cycle, company=company_id),
    }
    existing = [str(p) for p in files if p.exists()]
    if existing:
        raise OkrError(f"{', '.join(existing)} already exist{'s' if len(existing) == 1 else ''}; "
                       "okr init never overwrites files", hint="choose another folder: okr init DIR")
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8") as fh:
            fh.write(text)
        write(f"created {path}\n")
    write(f"\nNext: add teams and people to org.yaml, then run `okr check --repo {directory}`.\n")


def _flow_text(text: str) -> str:
    """`text` as a YAML scalar safe inside a flow mapping."""
    import json

    return json.dumps(text, ensure_ascii=False)
