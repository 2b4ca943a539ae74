"""`okr checkin`: set key result values in place and record them as one git commit."""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from .common import RepoOption

if TYPE_CHECKING:
    from ..checkin import Plan, Sources
    from ..gitstore import GitRepo
    from ..history import History

NoCommitOption = typer.Option(False, "--no-commit", help="Only edit the file; make no commit.")
NoVerifyOption = typer.Option(False, "--no-verify", help="Skip the pre-commit and commit-msg hooks.")


def checkin(
    args: list[str] | None = typer.Argument(
        None, metavar="[REF VALUE]...",
        help="Key results and their new values: a number (with or without the KR's unit, "
             "25 or 25min), or done / not-done for a milestone. None: walk your key results.",
    ),
    confidence: float | None = typer.Option(
        None, "--confidence", metavar="X", help="Your confidence (0 to 1) that the key results will land."),
    note: str | None = typer.Option(None, "--note", "-m", metavar="TEXT", help="What changed (the commit body)."),
    link: list[str] | None = typer.Option(
        None, "--link", metavar="URL", help="Evidence: a pull request, a dashboard (repeatable)."),
    done: bool = typer.Option(False, "--done", help="Mark every REF given (milestones) as done."),
    no_commit: bool = NoCommitOption,
    no_verify: bool = NoVerifyOption,
    as_id: str | None = typer.Option(
        None, "--as", metavar="ID", help="Whose key results to walk (default: OKR_USER, else git's user.email)."),
    repo: Path | None = RepoOption,
) -> None:
    """Record progress: set key results' values in place and commit them, with trailers.

    Example: okr checkin platform/O1/KR1 25 --confidence 0.6 --note "cache warmed"

    Several at once: okr checkin alice/O1/KR1 3 alice/O1/KR2 done. With no REF it
    asks, key result by key result, for yours (Enter keeps a value). A negative
    value goes after --: okr checkin acme/O2/KR1 -- -3.
    """
    from ..checkin import Sources, check_text, parse_fraction, plan_checkin, replan_checkin
    from ..errors import OkrError
    from .common import find_root

    root = find_root(repo)
    sources = Sources.open(root)
    git = None if no_commit else open_git(root)
    note_text = check_text(note or "", "note", multiline=True)
    links = [check_text(item, "link", multiline=False) for item in link or ()]
    if any(not item for item in links):
        raise OkrError("--link needs a URL")
    level = None if confidence is None else parse_fraction(confidence, "--confidence")
    if args:
        entries = _entries(sources, args, done, level)
    else:
        entries, note_text = _walk(sources, git, as_id, level, note_text, note is not None)
        if not entries:
            typer.echo("nothing to check in")
            return
    plan = plan_checkin(sources, entries, note=note_text, links=links)
    record(plan, git, no_verify=no_verify,
           replan=lambda: replan_checkin(root, entries, note=note_text, links=links))


def open_git(root: Path) -> GitRepo:
    """The git work tree holding the OKR root (OkrError, exit 2, outside one)."""
    from ..gitstore import open_repo

    return open_repo(root)


def _entries(sources: Sources, args: list[str], done: bool, confidence: float | None) -> list:
    """`(target, value, confidence)` for REF VALUE pairs (or REF... with --done)."""
    from ..checkin import parse_kr_value
    from ..errors import OkrError

    if done:
        pairs = [(ref, "done") for ref in args]
    else:
        if len(args) % 2:
            raise OkrError(f"{args[-1]!r} has no value: okr checkin takes REF VALUE pairs",
                         hint="for example: okr checkin platform/O1/KR1 25 (or REF --done for a milestone)")
        pairs = list(zip(args[::2], args[1::2]))
    entries = []
    for text, value in pairs:
        target = sources.resolve(text)
        if target.kr is None:
            ids = ", ".join(kr.id for kr in target.objective.key_results) or "none"
            raise OkrError(f"{text} is an objective; okr checkin sets a key result",
                         hint=f"name one of its key results ({ids}), e.g. {text}/KR1")
        entries.append((target, parse_kr_value(target.kr, text, value), confidence))
    return entries


def record(plan: Plan, git: GitRepo | None, *, no_verify: bool, replan=None) -> None:
    """Write the plan's files (no git) or commit them; say what happened on stdout.

    A compare-and-swap: the plan keeps the bytes it was planned from, and they are proved
    under okr's lock right before writing. When a file changed since (another check-in, an
    editor, a git pull), `replan()` plans once more from the file as it is now, still under
    the lock; without `replan`, or if the file changes again, nothing is written (exit 2)."""
    from ..edit import write_atomic
    from ..gitstore import FileChanged

    try:
        if git is None:
            for path, (old, _new) in plan.files.items():
                if _read(path) != old:
                    raise FileChanged(f"{plan.rel(path)} changed while okr was working on it; "
                                      "nothing was written", hint="run the command again")
            changed = plan.changed
            what = ", ".join(plan.describe(u) for u in plan.updates)
            rels = ", ".join(plan.rel(p) for p in (changed or plan.files))
            for path, data in changed.items():
                write_atomic(path, data)
            typer.echo(f"edited {rels} (not committed): {what}" if changed
                       else f"nothing to write: {rels} already holds {what}")
            return
        git.check_state()  # merge, rebase, detached HEAD, identity: before queueing for the lock
        with git.exclusive():
            if replan is not None and any(_read(path) != old for path, (old, _) in plan.files.items()):
                plan = replan()
            changed = plan.changed
            # A check-in that repeats every value changes no byte; an empty commit still records it.
            contents = changed or {path: new for path, (_, new) in plan.files.items()}
            sha = git.commit_files(contents, plan.message(), no_verify=no_verify, verify=plan.holds,
                                   allow_empty=not changed,
                                   expected={path: old for path, (old, _) in plan.files.items()})
    except OSError as exc:  # writing the file failed (disk full, permissions): it is as it was
        from ..errors import OkrError

        rels = ", ".join(plan.rel(p) for p in plan.files)
        raise OkrError(f"could not write {rels}: {exc.strerror or exc}; nothing was changed "
                       "or committed") from None
    typer.echo(f"[{sha[:12]}] {plan.subject()}")


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


# --- walking the user's key results ---------------------------------------------------------


def _walk(sources: Sources, git: GitRepo | None, as_id: str | None, confidence: float | None,
          note: str, note_given: bool) -> tuple[list, str]:
    """Ask for each of the user's key results; Enter keeps a value (and records nothing)."""
    from ..checkin import (
        check_text,
        current_user,
        my_key_results,
        parse_fraction,
        parse_kr_value,
    )
    from ..errors import OkrError
    from ..refs import Ref
    from ..resolve import Target

    reader = git or _reader(sources.root)
    user = current_user(sources.root, as_id, reader.user_email() if reader else None)
    krs = my_key_results(sources, user)
    if not krs:
        raise OkrError(f"{user} has no key results in {sources.cycle}",
                       hint=f"their OKRs go in {sources.cycle}/{user}.yaml; "
                            "or name a key result: okr checkin REF VALUE")
    history = _history(sources, reader, {obj.owner for obj, _ in krs})
    entries = []
    for n, (obj, kr) in enumerate(krs):
        if obj.owner != user and (n == 0 or krs[n - 1][0].owner != obj.owner):
            typer.echo(f"── {obj.owner}: a team you lead ──")  # marked by owner
        ref = f"{obj.owner}/{obj.id}/{kr.id}"
        _show_kr(ref, kr, history.last(f"{obj.cycle}:{ref}") if history else None)
        value = _ask(functools.partial(parse_kr_value, kr, ref), _value_prompt(kr))
        if value is None:
            continue
        level = confidence
        if level is None:
            shown = "" if kr.confidence is None else f" [{kr.confidence:g}]"
            level = _ask(functools.partial(parse_fraction, what="the confidence"),
                         f"  Confidence (0-1){shown}")
        entries.append((Target(obj, kr, Ref(obj.owner, obj.id, kr.id, obj.cycle)), value, level))
    if entries and not note_given:
        note = check_text(typer.prompt("Note (optional)", default="", show_default=False),
                          "note", multiline=True)
    return entries, note


def _reader(root: Path) -> GitRepo | None:
    """The git work tree for reading (history, user.email), if there is one."""
    from ..errors import OkrError

    try:
        return open_git(root)
    except OkrError:
        return None


def _history(sources: Sources, git: GitRepo | None, owners: set[str]) -> History | None:
    from ..history import read_history

    if git is None:
        return None
    return read_history(sources.root, owners=owners, cycle=sources.cycle, git=git)


def _show_kr(ref: str, kr, last) -> None:
    from ..checkin import format_value
    from ..render.text_safety import visible

    if kr.kind == "milestone":
        now = f"now {format_value(kr.done)}"
    else:
        now = (f"now {format_value(kr.current, kr.unit)}, start {format_value(kr.start)}, "
               f"target {format_value(kr.target, kr.unit)}")
        if kr.keep:
            now += f" (keep {kr.keep})"
    if kr.confidence is not None:
        now += f", confidence {format_value(kr.confidence)}"
    if last is not None:
        seen = f"last check-in {last.date.date().isoformat()} by {visible(last.author_name)}"
        if last.previous is not None:
            seen += f": {format_value(last.previous)} -> {format_value(last.value, kr.unit)}"
        else:
            seen += f": {format_value(last.value, kr.unit)}"
    else:
        seen = "no check-in yet"
    typer.echo(f"{ref}  {visible(kr.title)}\n  {now}; {seen}")


def _value_prompt(kr) -> str:
    from ..checkin import format_value

    if kr.kind == "milestone":
        return f"  Done or not-done [{format_value(kr.done, words=('done', 'not-done'))}]"
    return f"  New value [{format_value(kr.current, kr.unit)}]"


def _ask(parse, label: str):
    """Prompt until `parse` accepts the answer; Enter gives None (keep the value)."""
    from ..errors import OkrError
    from ..render.text_safety import visible

    while True:
        answer = typer.prompt(label, default="", show_default=False).strip()
        if not answer:
            return None
        try:
            return parse(answer)
        except OkrError as exc:
            sys.stderr.write(f"okr: {visible(exc.message)}\n")
