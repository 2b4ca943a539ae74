"""`okr schema`: the JSON Schemas (draft-07) of OKR files, org.yaml and okr.yaml, for editors."""

from __future__ import annotations

from pathlib import Path

import typer

from . import output
from .common import choice

KINDS = {"okr-file": "okr-file.schema.json", "org": "org.schema.json", "config": "okr-config.schema.json"}


def schema_text(kind: str) -> str:
    from importlib.resources import files

    return (files("okrcli") / "schema" / KINDS[kind]).read_text(encoding="utf-8")


def schema(
    kind: str = typer.Argument("okr-file", metavar="[KIND]", help="okr-file, org or config."),
    write_to: Path | None = typer.Option(None, "--write", metavar="DIR",
                                            help="Write all three schema files into DIR (created if missing) instead."),
) -> None:
    """Print the JSON Schema (draft-07) of OKR files, org.yaml or okr.yaml.

    Editors with yaml-language-server validate and complete a file whose first
    line is `# yaml-language-server: $schema=<path or URL of the schema>`.

    Example: okr schema org > org.schema.json
    """
    if write_to is not None:
        _write_schemas(write_to)
        return
    choice(kind, tuple(KINDS), "KIND")
    output.text(schema_text(kind))


def _write_schemas(write_to: Path) -> None:
    """All three schema files into `write_to` (made if missing), all or none, never replacing one."""
    import os

    from ..errors import OkrError
    from ..files import check_folder, make_folder
    from ..plans.init import create_files
    from ..safe_text import visible

    check_folder(write_to if write_to.is_dir() else write_to.parent)
    if os.path.lexists(write_to) and not write_to.is_dir():
        raise OkrError(f"{visible(str(write_to))} exists and is not a folder")
    if not os.path.lexists(write_to):
        if not write_to.parent.is_dir():
            raise OkrError(f"{visible(str(write_to.parent))}: no such folder")
        make_folder(write_to)
    for name in KINDS.values():
        target = write_to / name
        if os.path.lexists(target):  # a dangling symbolic link counts: never write through one
            raise OkrError(f"{target} exists; okr schema --write does not overwrite files")
    files = {write_to / name: schema_text(kind).encode("utf-8") for kind, name in KINDS.items()}
    for path in create_files(files, fallback=write_to, verb="write"):
        output.text(f"wrote {visible(str(path))}\n")
