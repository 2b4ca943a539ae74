"""`okr check`: validate the repository for humans and CI."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from . import output
from .common import RepoOption, choice, find_root
from .output import color_wanted, lines
from .output import text as write

FORMATS = ("text", "json", "github", "sarif", "gitlab")


def check(
    files: list[Path] | None = typer.Argument(
        None, metavar="[FILE]...",
        help="Files being committed (as pre-commit passes them): check the OKR repository "
             "each lies in (the nearest okr.yaml above it); files in none are ignored. "
             "Default: the repository of the current folder.",
    ),
    repo: Path | None = RepoOption,
    format: str | None = typer.Option(
        None, "--format", "-f", metavar="FORMAT",
        help="text, json, github (workflow annotations), sarif (code scanning) or gitlab "
             "(Code Quality report). "
             "Default: github when GITHUB_ACTIONS is set, else text.",
    ),
    strict: bool = typer.Option(False, "--strict", help="Fail (exit 1) on warnings too."),
    cycle: str | None = typer.Option(None, "--cycle", help="Only report findings in this cycle's files."),
    list_rules: bool = typer.Option(False, "--list-rules", help="List the rules with their severities and exit."),
    explain: str | None = typer.Option(
        None, "--explain", metavar="RULE",
        help="Print a rule's documentation (what it finds, why, how to fix it, an example) and exit."),
    no_cache: bool = typer.Option(
        False, "--no-cache",
        help="Parse every file again instead of reusing what an earlier run of okr loaded from the same "
             "bytes (kept in $XDG_CACHE_HOME/okr, default ~/.cache/okr). OKR_CACHE=0 does the same."),
) -> None:
    """Validate every OKR file, org.yaml and okr.yaml; exit 1 on errors.

    Findings read `path:line:col: severity[rule]: message`. Configure rules in
    okr.yaml under `rules:`. `okr check --explain RULE` prints a rule's documentation.

    Example: okr check --repo examples/acme --strict
    """
    from ..cycles import parse_cycle
    from ..errors import OkrError

    if explain is not None:
        write(explain_rule(explain))
        return
    fmt = format if format is not None else ("github" if os.environ.get("GITHUB_ACTIONS") else "text")
    choice(fmt, FORMATS, "--format")
    if cycle is not None and parse_cycle(cycle) is None:
        raise OkrError(f"'{cycle}' is not a cycle id", hint="use YYYY, YYYY-Hn, YYYY-Qn or YYYY-Bn, e.g. 2026-Q4")
    from ..load import cache

    roots = _roots(files, fmt) if files and repo is None and not list_rules else [find_root(repo)]
    with cache.turned_off(no_cache):
        raise typer.Exit(max((_check_root(root, fmt, strict, cycle, list_rules) for root in roots), default=0))


def _check_root(root: Path, fmt: str, strict: bool, cycle: str | None, list_rules: bool) -> int:
    """Check one OKR repository (or list its rules): print the findings, return the exit code."""
    from ..checks import exit_code

    findings, file_count, settings = _findings(root, cycle, list_rules)
    if list_rules:
        _list_rules(settings, fmt)
        return 0
    _render(findings, root, fmt)
    if fmt == "text":
        errors = sum(d.severity.value == "error" for d in findings)
        warnings = len(findings) - errors
        summary = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}" \
            if findings else "no problems"
        output.note(f"okr check: {summary} in {file_count} files\n")
    return exit_code(findings, strict)


def _findings(root: Path, cycle: str | None, list_rules: bool):
    """(findings, files read, settings) of a repository. The findings depend on nothing but
    the bytes of its files and the walk of its folders: when a run already checked the same,
    they come from the cache, and no file is parsed; when a few files changed since, only
    those are checked again (`load.incremental`)."""
    from ..checks import finish, run_checks
    from ..load import build, cache
    from ..load.packing import pack_diags, unpack_diags

    sources = build.open_sources(root)
    if list_rules:
        return [], sources.file_count, sources.settings
    key = sources.digest("check", cycle or "")
    hit = cache.get(key) if key is not None else None
    if hit is not None:
        try:
            return unpack_diags(hit), sources.file_count, sources.settings
        except (TypeError, ValueError, KeyError):
            pass  # not what okr writes: check again
    found = None
    if key is not None or _shared_out(sources):
        from ..load import incremental

        found = incremental.check(sources)
    if found is not None:
        findings = finish(found, cycle)
        cache.put(key, pack_diags(findings))
        cache.flush()
        return findings, sources.file_count, sources.settings
    repository, loaded = build.load_repository(root, sources=sources)
    findings = run_checks(repository, loaded, cycle)
    if key is not None:
        cache.put(key, pack_diags(findings))
        cache.flush()
    return findings, repository.file_count, repository.settings


def _shared_out(sources) -> bool:
    """When the cache gives no key (off, or a file it cannot read), whether the files can be
    read and are many enough to share out to forked processes: then each judges its files
    and sends back findings and summaries, never models (`load.incremental`), which costs
    less than loading the repository across processes."""
    from ..load.parallel import worker_count

    return hasattr(os, "fork") and worker_count(len(sources.entries)) > 1 and sources.read()


def _roots(files: list[Path], fmt: str) -> list[Path]:
    """The OKR repositories of the files pre-commit passes (none: nothing to check)."""
    from ..errors import OkrError

    roots = _roots_of(files)
    if len(roots) > 1 and fmt in ("json", "sarif", "gitlab"):
        raise OkrError(f"the files lie in {len(roots)} OKR repositories; --format {fmt} describes one",
                       hint="check each with --repo PATH")
    return roots


def _roots_of(files: list[Path]) -> list[Path]:
    """The OKR roots (nearest folder holding okr.yaml) of the given files, in first-seen order."""
    from ..load.source import CONFIG_FILE

    roots: dict[Path, None] = {}
    seen: dict[Path, Path | None] = {}
    for file in files:
        start = (Path.cwd() / file).absolute().parent
        if start not in seen:
            seen[start] = next((f for f in (start, *start.parents) if (f / CONFIG_FILE).is_file()), None)
        if seen[start] is not None:
            roots[seen[start]] = None
    return list(roots)


def _render(findings, root: Path, fmt: str) -> None:
    from .. import __version__
    from ..render import findings as render

    if fmt == "json":
        write(render.render_json(findings, root))
    elif fmt == "github":
        write(render.render_github(findings, root))
    elif fmt == "gitlab":
        write(render.render_gitlab(findings, root))
    elif fmt == "sarif":
        from ..rules import registry

        write(render.render_sarif(findings, root, registry(), __version__))
    elif color_wanted():
        lines(([(line, style)] for line, style in render.render_text(findings, root, color=True)), color=True)
    else:
        write("".join(f"{line}\n" for line, _ in render.render_text(findings, root, color=False)))


def _list_rules(settings, fmt: str) -> None:
    import json

    from ..rules import registry

    rows = []
    for rule in registry():
        conf = settings.rules.get(rule.ID)
        severity = conf.severity if conf and conf.severity else rule.SEVERITY
        summary = (rule.__doc__ or "").strip().split("\n")[0]
        rows.append({"rule": rule.ID, "default": rule.SEVERITY, "severity": severity, "summary": summary})
    if fmt == "json":
        write(json.dumps(rows, indent=2) + "\n")
        return
    width = max(len(r["rule"]) for r in rows)
    for r in rows:
        note = "" if r["severity"] == r["default"] else f" (default {r['default']})"
        write(f"{r['rule']:<{width}}  {r['severity']:<7}  {r['summary']}{note}\n")
    output.note("okr check --explain RULE prints a rule's documentation, with an example\n")


def explain_rule(rule_id: str) -> str:
    """A rule's documentation from the registry: its docstring, default severity and example."""
    import difflib

    from ..errors import OkrError
    from ..rules import RULE_IDS, registry

    if rule_id not in RULE_IDS:
        close = difflib.get_close_matches(rule_id, RULE_IDS, n=1, cutoff=0.5)
        raise OkrError(f"there is no rule '{rule_id}'",
                       hint=f"did you mean {close[0]}?" if close else "okr check --list-rules lists them")
    rule = registry()[RULE_IDS.index(rule_id)]
    doc = (rule.__doc__ or "").strip()
    summary, _, body = doc.partition("\n")
    out = [f"{rule.ID} (default: {rule.SEVERITY})", "", summary.strip()]
    if body.strip():
        out += ["", body.strip()]
    example = getattr(rule, "EXAMPLE", "")
    if example:
        found, _, fixed = example.partition("\n->\n")
        out += ["", "Example:", "", *(f"    {line}" for line in found.rstrip().splitlines())]
        if fixed:
            out += ["", "Fixed:", "", *(f"    {line}" for line in fixed.rstrip().splitlines())]
    out += ["", f"Severity: change it in okr.yaml, e.g. rules: {{{rule.ID}: warning}} (error, warning or off)."]
    return "\n".join(out) + "\n"
