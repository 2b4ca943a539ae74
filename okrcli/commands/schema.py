"""`okr schema`: the JSON Schemas (draft-07) of OKR files, org.yaml and okr.yaml, for editors."""

from __future__ import annotations

from pathlib import Path

import typer

from .common import choice, write

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
    from ..errors import OkrError

    if write_to is not None:
        import os

        from ..files import check_folder, make_folder, write_atomic
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
        written: list[Path] = []
        try:
            for kind_name, name in KINDS.items():
                write_atomic(write_to / name, schema_text(kind_name).encode("utf-8"), create_only=True)
                written.append(write_to / name)
        except (OSError, OkrError) as exc:  # nothing half-done
            for path in written:
                path.unlink(missing_ok=True)
            if isinstance(exc, OkrError):
                raise OkrError(f"{exc.message}; nothing was written", hint=exc.hint) from None
            raise OkrError(f"cannot write {exc.filename or write_to}: {exc.strerror or exc}; "
                           "nothing was written") from None
        for path in written:
            write(f"wrote {visible(str(path))}\n")
        return
    choice(kind, tuple(KINDS), "KIND")
    write(schema_text(kind))
