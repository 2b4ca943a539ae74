"""`okr schema`: the JSON Schemas (draft-07) of OKR files, org.yaml and okr.yaml, for editors."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .common import choice, write

KINDS = {"okr-file": "okr-file.schema.json", "org": "org.schema.json", "config": "okr-config.schema.json"}


def schema_text(kind: str) -> str:
    from importlib.resources import files

    return (files("okrcli") / "schema" / KINDS[kind]).read_text(encoding="utf-8")


def schema(
    kind: str = typer.Argument("okr-file", metavar="[KIND]", help="okr-file, org or config."),
    write_to: Optional[Path] = typer.Option(None, "--write", metavar="DIR",
                                            help="Write all three schema files into DIR instead."),
) -> None:
    """Print the JSON Schema (draft-07) of OKR files, org.yaml or okr.yaml.

    Editors with yaml-language-server validate and complete a file whose first
    line is `# yaml-language-server: $schema=<path or URL of the schema>`.

    Example: okr schema org > org.schema.json
    """
    from ..errors import OkrError

    if write_to is not None:
        if not write_to.is_dir():
            raise OkrError(f"{write_to}: no such folder")
        for name in KINDS.values():
            target = write_to / name
            if target.exists():
                raise OkrError(f"{target} exists; okr schema --write does not overwrite files")
        for kind_name, name in KINDS.items():
            (write_to / name).write_text(schema_text(kind_name), encoding="utf-8")
            write(f"wrote {write_to / name}\n")
        return
    choice(kind, tuple(KINDS), "KIND")
    write(schema_text(kind))
