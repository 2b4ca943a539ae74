"""Shell completion of references (`okr show pla<TAB>`): owners, objectives and key results.

Completion runs on every TAB, so it reads as little as it can: the names of the
cycle folder's files for owners, and one owner's file (plain safe YAML, no
checks) for its objectives and key results. Anything it cannot read completes
to nothing; it never prints an error into the user's shell.
"""

from __future__ import annotations

from pathlib import Path

MAX_OWNERS = 200  # more matches than this: complete owners only, not every owner's file


def complete_ref(ctx, incomplete: str) -> list[str]:
    """References starting with `incomplete`, in the current cycle or the one it names."""
    try:
        return _complete(ctx, incomplete)
    except Exception:  # noqa: BLE001 - completion must never break the shell
        return []


def _complete(ctx, incomplete: str) -> list[str]:
    from .clock import today
    from .load.source import find_root
    from .settings import load_settings

    repo = (ctx.params.get("repo") if ctx is not None else None) or None
    root = find_root(repo)
    cycle_text, colon, rest = incomplete.rpartition(":")
    cycle = cycle_text if colon else load_settings(root, []).current_cycle(today())
    prefix = f"{cycle}:" if colon else ""
    folder = root / cycle
    if "/" in rest:
        return [prefix + ref for ref in _refs(folder, rest.split("/", 1)[0]) if ref.startswith(rest)]
    owners = sorted(p.stem for p in folder.glob("*.yaml") if p.stem.startswith(rest) and p.is_file())
    if len(owners) == 1 or (owners and len(owners) <= 3 and rest):
        return [prefix + ref for owner in owners for ref in _refs(folder, owner)]
    return [f"{prefix}{owner}/" for owner in owners[:MAX_OWNERS]]


def _refs(folder: Path, owner: str) -> list[str]:
    """`owner/O1`, `owner/O1/KR1`, ... from the owner's file, in file order.

    The file goes through okr's own safe reader (no anchors, no tags, bounded depth and size).
    """
    from .load.source import MAX_FILE_BYTES, parse_yaml

    path = folder / f"{owner}.yaml"
    if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
        return []
    data, ok = parse_yaml(path.read_bytes().decode("utf-8-sig"), path.name, [])
    if not ok or not isinstance(data, dict):
        return []
    out = []
    for obj in (data or {}).get("objectives") or ():
        if not isinstance(obj, dict) or not isinstance(obj.get("id"), str) or \
                str(obj.get("private")).lower() in ("true", "yes", "on"):
            continue  # private objectives are not offered (scalars are kept as written)
        out.append(f"{owner}/{obj['id']}")
        out += [f"{owner}/{obj['id']}/{kr['id']}" for kr in obj.get("key_results") or ()
                if isinstance(kr, dict) and isinstance(kr.get("id"), str)]
    return out
