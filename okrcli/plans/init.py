"""`okr init` as data: the three files a new OKR repository starts with, checked before any is written.

`plan_init` validates the options and returns the files (path -> text); `create_files`
creates them all or none (a folder made on the way is removed again when a later file fails).
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

from ..errors import OkrError

CONFIG = """\
# yaml-language-server: $schema=https://okrcli.dev/schema/okr-config.json
# Settings of this OKR repository. Its presence marks the root: okr commands
# run anywhere below this folder find it.

company: {company_yaml}          # owner id of the company, as in org.yaml
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

company: {{id: {company_yaml}, name: {name}}}

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


def plan_init(directory: Path, company: str | None, name: str | None, cadence: str) -> dict[Path, str]:
    """The files of a new repository in `directory`; OkrError (exit 2) for a bad option or a file
    that exists (a dangling symbolic link counts: okr never writes through one)."""
    from ..cycles import current_cycle_id
    from ..refs import OWNER_RE

    company_id = company if company is not None else _slug(directory.absolute().name)
    if not OWNER_RE.fullmatch(company_id):
        raise OkrError(f"'{company_id}' is not a valid owner id",
                       hint="use lowercase letters, digits, - and _, e.g. --company acme")
    if name is not None and (not name.strip() or _BAD_NAME.search(name)):
        raise OkrError("--name must be a non-blank line of text without control characters",
                       hint='for example --name "Acme Inc."')
    display = name or company_id.replace("-", " ").title()
    if directory.exists() and not directory.is_dir():
        raise OkrError(f"{directory} is not a folder", hint="choose a folder: okr init DIR")
    cycle = current_cycle_id(date.today(), cadence)
    ident = _scalar(company_id)
    files = {
        directory / "okr.yaml": CONFIG.format(company_yaml=ident, cadence=cadence, cycle=cycle),
        directory / "org.yaml": ORG.format(company_yaml=ident, name=_flow_text(display)),
        directory / cycle / f"{company_id}.yaml": COMPANY_OKRS.format(cycle=cycle, company=company_id),
    }
    _refuse_existing(files, directory / cycle)
    return files


def _refuse_existing(files: dict[Path, str], cycle_dir: Path) -> None:
    existing = [str(p) for p in files if os.path.lexists(p)]
    if cycle_dir.is_symlink():
        raise OkrError(f"{cycle_dir} is a symbolic link; okr init does not write through links",
                       hint="choose another folder: okr init DIR")
    if existing:
        raise OkrError(f"{', '.join(existing)} already exist{'s' if len(existing) == 1 else ''}; "
                       "okr init never overwrites files", hint="choose another folder: okr init DIR")


def create_files(files: dict[Path, bytes], *, fallback: Path, verb: str = "create") -> list[Path]:
    """Create every file (never replacing one), making missing folders; on any failure remove
    what this call created and raise OkrError `cannot <verb> <file>: <why>; nothing was written`."""
    from ..files import create_all

    try:
        return create_all(files)
    except OkrError as exc:
        raise OkrError(f"{exc.message}; nothing was written", hint=exc.hint) from None
    except OSError as exc:
        where = exc.filename if exc.filename is not None else fallback
        raise OkrError(f"cannot {verb} {where}: {exc.strerror or exc}; nothing was written") from None


# A display name is one line of text: no control characters or line/paragraph separators.
_BAD_NAME = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def _scalar(text: str) -> str:
    """`text` as a YAML value that reads back as a string: quoted when YAML 1.1 would read a plain
    `no`, `2026` or `2026-11-27` as a boolean, number or date."""
    from ..load.build import implicit_type

    return text if implicit_type(text) == "str" else _flow_text(text)


def _flow_text(text: str) -> str:
    """`text` as a YAML scalar safe inside a flow mapping."""
    import json

    return json.dumps(text, ensure_ascii=False)
