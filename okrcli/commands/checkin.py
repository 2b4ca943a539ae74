"""`okr checkin`: set key result values in place and record them as one git commit."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from typer.core import TyperCommand

from . import output
from .common import RepoOption, complete_ref

if TYPE_CHECKING:
    from ..gitstore import GitRepo
    from ..load.history import History
    from ..plans.checkin import Plan, Sources

_NEGATIVE = r"^-(?:[0-9]|\.[0-9])"  # patterns, compiled on first use: startup stays fast
NoCommitOption = typer.Option(False, "--no-commit", help="Only edit the file; make no commit.")
NoVerifyOption = typer.Option(False, "--no-verify", help="Skip the pre-commit and commit-msg hooks.")


class _CheckinCommand(TyperCommand):
    """Reads `-5` or `-0.5` as a value, not as an unknown option (no `--` needed)."""

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        takes_value = {name: not (getattr(p, "is_flag", False) or getattr(p, "count", False))
                       for p in self.params if getattr(p, "param_type_name", "") == "option"
                       for name in (*p.opts, *p.secondary_opts)}
        options, positional = [], []
        tokens = iter(args)
        for token in tokens:
            if token == "--":
                positional.extend(tokens)
                break
            if not token.startswith("-") or token == "-" or re.match(_NEGATIVE, token):
                positional.append(token)
                continue
            options.append(token)
            following = next(tokens, None) if takes_value.get(token) else None
            if following is not None:  # `--note TEXT`: TEXT is the option's, whatever it looks like
                options.append(following)
        return super().parse_args(ctx, [*options, "--", *positional] if positional else options)


RefsArgument = typer.Argument(
    None, metavar="[REF [VALUE]]...",
    help="Key results and their new values: a number (with or without the KR's unit, "
         "25 or 25min; -3 needs no --), or done / not-done for a milestone. A REF without "
         "a VALUE keeps its value (with --confidence or --note). None: walk your key results.",
    autocompletion=complete_ref,
)
ConfidenceOption = typer.Option(
    None, "--confidence", metavar="[REF=]X",
    help="Your confidence (0 to 1) that the key results will land; REF=X sets one key "
         "result's (repeatable: --confidence alice/O1/KR1=0.8 --confidence alice/O1/KR2=0.3).")
FromOption = typer.Option(
    None, "--from", metavar="FILE|-",
    help="Read the check-ins from FILE (- for stdin): a JSON list of {ref, value, confidence?, "
         "note?, link?} or CSV with that header. All rows are checked before anything is "
         "written; one commit for all.")


def checkin(
    args: list[str] | None = RefsArgument,
    confidence: list[str] | None = ConfidenceOption,
    note: str | None = typer.Option(None, "--note", "-m", metavar="TEXT", help="What changed (the commit body)."),
    link: list[str] | None = typer.Option(
        None, "--link", metavar="URL", help="Evidence: a pull request, a dashboard (repeatable)."),
    done: bool = typer.Option(False, "--done", help="Mark every REF given (milestones) as done."),
    from_file: str | None = FromOption,
    no_commit: bool = NoCommitOption,
    no_verify: bool = NoVerifyOption,
    as_id: str | None = typer.Option(
        None, "--as", metavar="ID", help="Whose key results to walk (default: OKR_USER, else git's user.email)."),
    repo: Path | None = RepoOption,
) -> None:
    """Record progress: set key results' values in place and commit them, with trailers.

    Example: okr checkin platform/O1/KR1 25 --confidence 0.6 --note "cache warmed"

    Several at once: okr checkin alice/O1/KR1 3 alice/O1/KR2 done, each with its
    own confidence: --confidence alice/O1/KR1=0.8 --confidence alice/O1/KR2=0.3.
    Only the confidence or a note: okr checkin alice/O1/KR1 --confidence 0.4
    --note "blocked on vendor". Negative values need no --: okr checkin
    acme/O2/KR1 -3. From CI: jq ... | okr checkin --from -. With no REF it asks,
    key result by key result, for yours (Enter keeps a value).
    """
    from ..errors import OkrError
    from ..plans.checkin import Sources, check_text, plan_checkin, replan_checkin
    from .common import find_root

    root = find_root(repo)
    sources = Sources.open(root)
    note_text = check_text(note or "", "note", multiline=True)
    links = [check_text(item, "link", multiline=False) for item in link or ()]
    if any(not item for item in links):
        raise OkrError("--link needs a URL")
    if from_file is not None:
        entries, note_text = _from_file(sources, from_file, note_text, bool(args or done or confidence))
        git = None if no_commit else open_git(root)
    else:
        git = None if no_commit else open_git(root)
        level, per_kr = _confidences(confidence or ())
        if args:
            entries = _entries(sources, args, done, level, per_kr, has_note=bool(note_text))
        else:
            entries, note_text = _walk(sources, git, as_id, level, per_kr, note_text, note is not None)
            if not entries:
                output.line("nothing to check in")
                return
    record(plan_checkin(sources, entries, note=note_text, links=links), git, no_verify=no_verify,
           replan=lambda: replan_checkin(root, entries, note=note_text, links=links))


checkin.command_class = _CheckinCommand


def _from_file(sources: Sources, source: str, note: str, more: bool) -> tuple[list, str]:
    from ..errors import OkrError
    from .checkin_from import read_rows

    if more:
        raise OkrError("--from reads every check-in from its file",
                       hint="put the refs, values and confidences in the file, not on the command line")
    return read_rows(sources, source, note)


def _confidences(given) -> tuple[float | None, dict[str, float]]:
    """`--confidence X` (every KR) and `--confidence REF=X` (one KR), checked."""
    from ..errors import OkrError
    from ..plans.checkin import parse_fraction

    level, per_kr = None, {}
    for item in given:
        ref, sep, text = item.rpartition("=")
        if not sep:
            if level is not None:
                raise OkrError("--confidence X is given twice",
                               hint="give one, or one per key result: --confidence REF=X")
            level = parse_fraction(item, "--confidence")
            continue
        if not ref.strip():
            raise OkrError(f"--confidence {item}: name the key result before '='",
                           hint="--confidence alice/O1/KR1=0.8")
        if ref.strip() in per_kr:
            raise OkrError(f"--confidence names {ref.strip()} twice")
        per_kr[ref.strip()] = parse_fraction(text, f"--confidence {ref.strip()}")
    return level, per_kr


def open_git(root: Path) -> GitRepo:
    """The git work tree holding the OKR root (OkrError, exit 2, outside one)."""
    from ..gitstore import open_repo

    return open_repo(root)


# OWNER/OBJ/KR, optionally CYCLE:; anything else after a REF is its value (25, -3, 25req/s).
_KR_REF = r"^(?:[0-9A-Za-z-]+:)?[^/\s:]+/[^/\s]+/[^/\s]+$"


def _entries(sources: Sources, args: list[str], done: bool, confidence: float | None,
             per_kr: dict[str, float], *, has_note: bool) -> list:
    """`(target, value, confidence)` for `REF [VALUE]...` (or REF... with --done).

    A REF without a VALUE keeps its value: a confidence-only or note-only check-in.
    """
    from ..errors import OkrError
    from ..plans.checkin import parse_kr_value

    pairs: list[tuple[str, str | None]] = []
    for token in args:
        if pairs and pairs[-1][1] is None and not done and not re.match(_KR_REF, token):
            pairs[-1] = (pairs[-1][0], token)
        else:
            pairs.append((token, "done" if done else None))
    levels = {}
    for ref_text, level in per_kr.items():
        target = sources.resolve(ref_text)
        if target.kr is None:
            raise OkrError(f"--confidence {ref_text}: that is an objective; name a key result")
        levels[_key(target)] = (ref_text, level)
    entries, named = [], set()
    for text, value in pairs:
        target = sources.resolve(text)
        if target.kr is None:
            ids = ", ".join(kr.id for kr in target.objective.key_results) or "none"
            raise OkrError(f"{text} is an objective; okr checkin sets a key result",
                           hint=f"name one of its key results ({ids}), e.g. {text}/KR1")
        own = levels.get(_key(target))
        level = own[1] if own else confidence
        named.add(_key(target))
        if value is None:
            if level is None and not has_note:
                raise OkrError(f"{text} has no value: give one, a confidence or a note",
                               hint=f"okr checkin {text} 25, okr checkin {text} --confidence 0.6, "
                                    f"or okr checkin {text} --note TEXT")
            kr = target.kr
            entries.append((target, kr.done if kr.kind == "milestone" else kr.current, level))
            continue
        entries.append((target, parse_kr_value(target.kr, text, value), level))
    for key, (ref_text, _) in levels.items():
        if key not in named:
            raise OkrError(f"--confidence {ref_text}=...: {ref_text} is not checked in here",
                           hint=f"name it too: okr checkin {ref_text} [VALUE] --confidence {ref_text}=X")
    return entries


def _key(target) -> tuple:
    return (target.objective.cycle, target.objective.owner, target.objective.id, target.kr.id)


def record(plan: Plan, git: GitRepo | None, *, no_verify: bool, replan=None) -> None:
    """Write the plan's files (no git) or commit them; say what happened on stdout.

    A compare-and-swap: the plan keeps the bytes it was planned from, and they are proved
    under okr's lock right before writing. When a file changed since (another check-in, an
    editor, a git pull), `replan()` plans once more from the file as it is now, still under
    the lock; without `replan`, or if the file changes again, nothing is written (exit 2)."""
    from ..files import write_atomic
    from ..gitstore import FileChanged

    try:
        if git is None:
            stale = plan.stale()
            if stale:
                raise FileChanged(f"{plan.rel(stale[0])} changed while okr was working on it; "
                                  "nothing was written", hint="run the command again")
            changed = plan.changed
            what = ", ".join(plan.describe(u) for u in plan.updates)
            rels = ", ".join(plan.rel(p) for p in (changed or plan.files))
            for path, data in changed.items():
                write_atomic(path, data)
            output.line(f"edited {rels} (not committed): {what}" if changed
                       else f"nothing to write: {rels} already holds {what}")
            return
        git.check_state()  # merge, rebase, detached HEAD, identity: before queueing for the lock
        with git.exclusive():
            if replan is not None and plan.stale():
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
    output.line(f"[{sha[:12]}] {plan.subject()}")


# --- walking the user's key results ---------------------------------------------------------


def _walk(sources: Sources, git: GitRepo | None, as_id: str | None, confidence: float | None,
          per_kr: dict[str, float], note: str, note_given: bool) -> tuple[list, str]:
    """Ask for each of the user's key results; Enter keeps a value (Enter twice records nothing)."""
    from ..errors import OkrError
    from ..plans.checkin import (
        check_text,
        current_user,
        my_key_results,
        parse_fraction,
        parse_kr_value,
    )
    from ..refs import Ref
    from ..resolve import Target

    if per_kr:
        ref, level = next(iter(per_kr.items()))
        raise OkrError("--confidence REF=X names a key result; name it as REF too",
                       hint=f"okr checkin {ref} --confidence {level:g}")
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
            output.line(f"── {obj.owner}: a team you lead ──")  # marked by owner
        ref = f"{obj.owner}/{obj.id}/{kr.id}"
        _show_kr(ref, kr, history.last(f"{obj.cycle}:{ref}") if history else None)
        value = _ask(functools.partial(parse_kr_value, kr, ref), _value_prompt(kr))
        if value is None and confidence is not None:
            continue
        level = confidence
        if level is None:  # asked even when the value is kept: a confidence-only check-in
            shown = "" if kr.confidence is None else f" [{kr.confidence:g}]"
            level = _ask(functools.partial(parse_fraction, what="the confidence"),
                         f"  Confidence (0-1){shown}")
        if value is None:
            if level is None:  # Enter twice: nothing to record for this key result
                continue
            value = kr.done if kr.kind == "milestone" else kr.current
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
    from ..load.history import read_history

    if git is None:
        return None
    return read_history(sources.root, owners=owners, cycle=sources.cycle, git=git)


def _show_kr(ref: str, kr, last) -> None:
    from ..plans.checkin import format_value
    from ..safe_text import visible

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
    output.line(f"{ref}  {visible(kr.title)}\n  {now}; {seen}")


def _value_prompt(kr) -> str:
    from ..plans.checkin import format_value

    if kr.kind == "milestone":
        return f"  Done or not-done [{format_value(kr.done, words=('done', 'not-done'))}]"
    return f"  New value [{format_value(kr.current, kr.unit)}]"


def _ask(parse, label: str):
    """Prompt until `parse` accepts the answer; Enter gives None (keep the value)."""
    from ..errors import OkrError
    from ..safe_text import visible

    while True:
        answer = typer.prompt(label, default="", show_default=False).strip()
        if not answer:
            return None
        try:
            return parse(answer)
        except OkrError as exc:
            output.note(f"okr: {visible(exc.message)}\n")
