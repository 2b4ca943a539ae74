"""Check-ins and grades: parse what was typed, plan the in-place edits, word the commit.

The plan is data: for each OKR file its old and new bytes (edited in place by
`edit.apply_changes`), the values set, and the commit message with one trailer
group per key result (README, "Check-ins are commits"). The command writes
the files itself (`--no-commit`) or hands them to `GitRepo.commit_files`.
Only the OKR files a check-in names are read and parsed; the whole repository is
loaded only to explain a reference that names nothing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from ..edit import Change, EditError, apply_changes, read_or_none
from ..errors import Diagnostic, OkrError
from ..load.build import MAX_MAGNITUDE
from ..load.history import MILESTONE_WORDS
from ..model import KeyResult, Objective, Org, Repository, Settings

if TYPE_CHECKING:
    from ..resolve import Target

Value = bool | int | float
YamlPath = tuple[str | int, ...]

SUBJECT_WIDTH = 72
_NUMBER_RE = re.compile(r"^(-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)[ \t]*(.*?)$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")

try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - only without libyaml
    _Loader = yaml.SafeLoader


# --- what was typed ------------------------------------------------------------------------


def parse_kr_value(kr: KeyResult, ref: str, text: str) -> Value:
    """The value typed for a key result: done/not-done for a milestone, else a number.

    A number may carry the KR's unit (`25min`, `25 min`); any other unit is refused.
    """
    typed = text.strip()
    if kr.kind == "milestone":
        word = MILESTONE_WORDS.get(typed.lower())
        if word is None:
            raise OkrError(f"{ref} is a milestone: its value is done or not-done, not '{_shown(text)}'",
                           hint=f"okr checkin {ref} done")
        return word
    if typed.lower() in MILESTONE_WORDS:
        raise OkrError(f"{ref} is a {kr.kind} key result: its value is a number, not '{_shown(text)}'",
                       hint=f"okr checkin {ref} {format_value(kr.current, kr.unit, spaced=False)}")
    found = _NUMBER_RE.match(typed)
    if found is None:
        raise OkrError(f"'{_shown(text)}' is not a number (for {ref})",
                       hint="write it as 25, 2.5 or -3")
    number_text, unit = found.groups()
    if unit and not _same_unit(unit, kr.unit):
        wanted = f"its unit is {kr.unit}" if kr.unit else "it has no unit"
        raise OkrError(f"'{_shown(text)}' does not match {ref}: {wanted}",
                       hint=f"write {number_text}" + (f" or {number_text}{kr.unit}" if kr.unit else ""))
    return _number(number_text, ref)


def _same_unit(typed: str, unit: str | None) -> bool:
    return unit is not None and typed.strip().casefold() == unit.strip().casefold()


def _number(text: str, what: str) -> int | float:
    if len(text) > 40:  # bounded before converting: int() of 5,000 digits raises
        raise OkrError(f"{_shown(text)} is out of range for {what}", hint="keep numbers within ±1e15")
    value: int | float = float(text) if re.search(r"[.eE]", text) else int(text)
    if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
        raise OkrError(f"{text} is out of range for {what}")
    return value


def parse_fraction(text: str | float, what: str) -> float:
    """A confidence or score: a number from 0 to 1."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        value = math.nan
    if not 0 <= value <= 1:
        raise OkrError(f"{what} must be a number from 0 to 1, not {_shown(str(text))}",
                       hint="for example 0.7")
    return value


def check_text(text: str, what: str, *, multiline: bool) -> str:
    """A note or link as it may go into a commit message: no control characters."""
    allowed = text.replace("\n", "").replace("\t", "") if multiline else text
    if _CONTROL_RE.search(allowed):
        raise OkrError(f"the {what} holds a control character; remove it")
    return text.strip()


def _shown(text: str) -> str:
    from ..safe_text import visible

    return visible(text if len(text) <= 80 else text[:80] + "...")


def format_value(value: object, unit: str | None = None, *, spaced: bool = True,
                 words: tuple[str, str] = ("done", "not done")) -> str:
    """A value as people read it: `25 min`, `0.6`, `done` / `not done`."""
    if type(value) is bool:
        return words[0] if value else words[1]
    if type(value) is float and value.is_integer() and abs(value) < 1e15:
        text = str(int(value))
    else:
        text = str(value)
    return f"{text}{' ' if spaced else ''}{unit}" if unit else text


def trailer_value(value: object) -> str:
    """A value as a trailer holds it: numbers as written, milestones `done` / `not-done`."""
    return format_value(value, words=("done", "not-done"))


# --- reading only the files a check-in names ---------------------------------------------------


class Sources:
    """The OKR files of one check-in, each read once: their bytes and their model.

    `resolve` answers from these files alone; only a reference that names nothing
    loads the whole repository, for a did-you-mean hint.
    """

    def __init__(self, root: Path, settings: Settings, cycle: str):
        self.root, self.settings, self.cycle = root, settings, cycle
        self.raw: dict[str, bytes] = {}
        self._files: dict[str, object] = {}
        self.diagnostics: list[Diagnostic] = []

    @classmethod
    def open(cls, root: Path) -> Sources:
        from ..clock import today
        from ..settings import load_settings

        diags: list[Diagnostic] = []
        settings = load_settings(root, diags)
        return cls(root, settings, settings.current_cycle(today()))

    def load(self, cycle: str, owner: str) -> None:
        """Read and load `<cycle>/<owner>.yaml` once (a symbolic link is not followed)."""
        from ..load.build import load_okr_file

        rel = f"{cycle}/{owner}.yaml"
        if rel in self._files:
            return
        path = self.root / rel
        self._files[rel] = None
        if path.is_symlink():
            raise OkrError(f"{rel} is a symbolic link; okr does not edit through links")
        if not path.is_file():
            return
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise OkrError(f"cannot read {rel}: {exc.strerror or exc}") from None
        okr_file = load_okr_file(self.root, rel, cycle, owner, self.diagnostics, raw=raw)
        if okr_file is not None:
            self.raw[rel] = raw
            self._files[rel] = okr_file

    def repository(self) -> Repository:
        from ..load.build import build_repository

        files = [f for f in self._files.values() if f is not None]
        return build_repository(self.root, self.settings, Org(None, {}, {}), files)

    def resolve(self, text: str) -> Target:
        """The `resolve.Target` a command-line reference names (OkrError with a hint if none)."""
        from ..resolve import parse_cli_ref, resolve

        ref = parse_cli_ref(text).in_cycle(self.cycle)
        self.load(ref.cycle, ref.owner)
        try:
            return resolve(self.repository(), text, self.cycle)
        except OkrError as narrow:
            from ..load.build import load_repository

            whole, _ = load_repository(self.root)
            try:
                resolve(whole, text, self.cycle)
            except OkrError as explained:
                raise explained from None
            raise narrow from None


# --- the plan --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Update:
    """One value a check-in or grade sets, in one OKR file."""

    file: Path
    cycle: str
    ref: str  # OWNER/OBJ/KR, or OWNER/OBJ for an objective's grade
    previous: Value | None
    value: Value
    unit: str | None = None
    confidence: float | None = None  # in effect after the check-in
    changes: tuple[Change, ...] = ()  # the in-place edits (none when the file holds it already)
    previous_confidence: float | None = None
    links: tuple[str, ...] = ()  # this KR's own evidence (okr checkin --from), after the plan's


@dataclass(frozen=True)
class Plan:
    """The edits and the commit message of one check-in or grade."""

    kind: str  # checkin | grade
    root: Path
    updates: tuple[Update, ...]
    files: dict[Path, tuple[bytes, bytes]]  # path -> (old bytes, new bytes)
    current_cycle: str
    note: str = ""
    links: tuple[str, ...] = ()

    @property
    def changed(self) -> dict[Path, bytes]:
        """The files whose bytes change (empty for a check-in that repeats every value)."""
        return {path: new for path, (old, new) in self.files.items() if old != new}

    def stale(self) -> list[Path]:
        """The files that no longer hold the bytes this plan was made from (another check-in,
        an editor or a git pull changed them since); empty when the plan still holds."""
        return [path for path, (old, _) in self.files.items() if read_or_none(path) != old]

    def rel(self, path: Path) -> str:
        """A file's path inside the OKR root."""
        return path.relative_to(self.root).as_posix()

    def shown_ref(self, update: Update) -> str:
        return update.ref if update.cycle == self.current_cycle else f"{update.cycle}:{update.ref}"

    def describe(self, update: Update) -> str:
        """`platform/O1/KR1: 32 -> 25 min` (a grade: `platform/O1: 0.7`)."""
        if self.kind == "grade":
            return f"{self.shown_ref(update)}: {format_value(update.value)}"
        if (_same(update.previous, update.value) and update.confidence is not None
                and not _same(update.previous_confidence, update.confidence)):
            # A confidence-only check-in: `platform/O1/KR1: confidence 0.6 -> 0.4 (25 min)`
            before = "none" if update.previous_confidence is None else format_value(update.previous_confidence)
            return (f"{self.shown_ref(update)}: confidence {before} -> {format_value(update.confidence)} "
                    f"({format_value(update.value, update.unit)})")
        before = format_value(update.previous)
        return f"{self.shown_ref(update)}: {before} -> {format_value(update.value, update.unit)}"

    def subject(self) -> str:
        """All updates when they fit in 72 columns, else `checkin 5 KRs: a, b, ... (3 more)`."""
        text = f"{self.kind} " + ", ".join(self.describe(u) for u in self.updates)
        if len(text) <= SUBJECT_WIDTH or len(self.updates) == 1:
            return text
        refs = [self.shown_ref(u) for u in self.updates]
        text = f"{self.kind} {len(refs)} KRs: {refs[0]}"
        for n, ref in enumerate(refs[1:], 1):
            more = f", ... ({len(refs) - n} more)"
            rest = len(refs) - n - 1
            if len(f"{text}, {ref}") + (len(more) if rest else 0) > SUBJECT_WIDTH:
                return text + more
            text = f"{text}, {ref}"
        return text

    def message(self) -> str:
        """Subject, the note as body, then one trailer group per update."""
        groups = []
        for u in self.updates:
            lines = [f"Okr-Cycle: {u.cycle}"]
            if self.kind == "grade":
                lines += [f"Okr-Grade: {u.ref}", f"Okr-Score: {trailer_value(u.value)}"]
            else:
                lines += [f"Okr-KR: {u.ref}", f"Okr-Value: {trailer_value(u.value)}"]
            if u.previous is not None:
                lines.append(f"Okr-Previous: {trailer_value(u.previous)}")
            if u.confidence is not None:
                lines.append(f"Okr-Confidence: {trailer_value(u.confidence)}")
            if u.unit:
                lines.append(f"Okr-Unit: {u.unit}")
            lines += [f"Okr-Link: {link}" for link in (*self.links, *u.links)]
            groups.append("\n".join(lines))
        return "\n\n".join([self.subject(), *([self.note] if self.note else []), "\n".join(groups)]) + "\n"

    def holds(self, path: Path, data: bytes) -> bool:
        """True when `data` (the committed `path`) holds every value this plan sets there.

        It verifies the commit: a hook may reformat the file, but not change a value.
        """
        try:
            loaded = yaml.load(data, Loader=_Loader)
        except yaml.YAMLError:
            return False
        return all(_holds(loaded, change.path, change.value)
                   for u in self.updates if u.file == path for change in u.changes)


def _holds(data: object, path: YamlPath, value: Value) -> bool:
    for key in path:
        if isinstance(key, int):
            if not isinstance(data, list) or key >= len(data):
                return False
        elif not isinstance(data, dict) or key not in data:
            return False
        data = data[key]
    return _same(data, value)


def _same(a: object, b: object) -> bool:
    """Equal values of the same kind (a milestone's true is not the number 1)."""
    return (type(a) is bool) == (type(b) is bool) and a == b


# --- planning ----------------------------------------------------------------------------------


@dataclass
class _Editor:
    """Collects the changes to each file, then applies them once per file."""

    sources: Sources
    changes: dict[str, list[Change]] = field(default_factory=dict)
    _data: dict[str, object] = field(default_factory=dict)

    def objective_path(self, obj: Objective) -> YamlPath:
        """`("objectives", i)`: where the objective sits in its file, found by its id."""
        rel = obj.loc.path
        if rel not in self._data:
            raw = self.sources.raw[rel]
            text = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
            self._data[rel] = yaml.load(text, Loader=_Loader)
        data = self._data[rel]
        return ("objectives", _only_index(data.get("objectives"), obj.id, f"{obj.owner}/{obj.id}"))

    def kr_path(self, obj: Objective, kr: KeyResult) -> YamlPath:
        where = self.objective_path(obj)
        data = self._data[obj.loc.path]["objectives"][where[1]]
        return (*where, "key_results",
                _only_index(data.get("key_results"), kr.id, f"{obj.owner}/{obj.id}/{kr.id}"))

    def add(self, obj: Objective, changes: list[Change]) -> tuple[Change, ...]:
        self.changes.setdefault(obj.loc.path, []).extend(changes)
        return tuple(changes)

    def files(self, touched: list[str]) -> dict[Path, tuple[bytes, bytes]]:
        out = {}
        for rel in touched:
            old = self.sources.raw[rel]
            changes = self.changes.get(rel)
            try:
                out[self.sources.root / rel] = (old, apply_changes(old, changes) if changes else old)
            except EditError as exc:
                raise EditError(f"{rel}: {exc.message}", hint=exc.hint) from None
        return out


def _only_index(items: object, item_id: str, ref: str) -> int:
    found = [n for n, item in enumerate(items if isinstance(items, list) else ())
             if isinstance(item, dict) and item.get("id") == item_id]
    if len(found) != 1:
        raise EditError(f"cannot edit {ref} in place: its id appears {len(found)} times in the file",
                        hint="run okr check, fix the file, then retry")
    return found[0]


def plan_checkin(
    sources: Sources,
    entries: Sequence[tuple],
    *,
    note: str = "",
    links: Sequence[str] = (),
) -> Plan:
    """Set each `(target, value, confidence or None[, links])`: `current` (or `done`) and
    `confidence`; the optional fourth item is that KR's own links (`okr checkin --from`).

    A value equal to the one in the file changes no byte; the check-in is still recorded
    (so is a confidence-only or note-only check-in, which passes the value it keeps).
    """
    editor = _Editor(sources)
    updates, touched = [], []
    for target, value, confidence, *own in entries:
        obj, kr = target.objective, target.kr
        ref = f"{obj.owner}/{obj.id}/{kr.id}"
        if kr.derived is not None:
            refuse_derived(sources, obj, kr)
        if any(u.cycle == obj.cycle and u.ref == ref for u in updates):
            raise OkrError(f"{ref} is named twice; check each key result in once per call")
        where = editor.kr_path(obj, kr)
        milestone = kr.kind == "milestone"
        previous = kr.done if milestone else kr.current
        changes = []
        if not _same(previous, value):
            changes.append(Change((*where, "done" if milestone else "current"), value))
        if confidence is not None and not _same(kr.confidence, confidence):
            changes.append(Change((*where, "confidence"), confidence))
        updates.append(Update(
            file=sources.root / obj.loc.path, cycle=obj.cycle, ref=ref, previous=previous, value=value,
            unit=None if milestone else kr.unit,
            confidence=confidence if confidence is not None else kr.confidence,
            changes=editor.add(obj, changes),
            previous_confidence=kr.confidence, links=tuple(own[0]) if own else (),
        ))
        touched.append(obj.loc.path)
    return Plan("checkin", sources.root, tuple(updates), editor.files(list(dict.fromkeys(touched))),
                sources.cycle, note, tuple(links))


def refuse_derived(sources: Sources, obj: Objective, kr: KeyResult) -> None:
    """A derived KR takes no check-in: OkrError (exit 2) naming what its value comes from."""
    ref = f"{obj.owner}/{obj.id}/{kr.id}"
    if kr.derived == "sum_of":
        names = ", ".join(_shown(e.text) for e in kr.sum_of) or "nothing yet"
        first = kr.sum_of[0].text if kr.sum_of else "REF"
        what = f"mirrors {names}" if len(kr.sum_of) == 1 else f"is the sum of {names}"
        raise OkrError(f"{ref} {what}: okr computes its value, it takes no check-in",
                       hint=f"check in what it adds up, e.g. okr checkin {_shown(first)} VALUE")
    from ..load.build import load_repository

    whole, _ = load_repository(sources.root)
    derivation = whole.derived.get(f"{obj.key}/{kr.id}")
    aligned = [k.split(":", 1)[1] if k.startswith(f"{obj.cycle}:") else k
               for k in (derivation.shown_sources() if derivation is not None else [])]
    hidden = len(derivation.private) if derivation is not None else 0
    names = ", ".join(aligned) + (f" and {hidden} private objective{'s' * (hidden != 1)}" if hidden else "")
    raise OkrError(f"{ref} is rolled up from the objectives aligned to it ({names or 'none yet'}): okr "
                   "computes its value, it takes no check-in",
                   hint="check in the key results of those objectives")


def replan_checkin(root: Path, entries: Sequence[tuple], *,
                   note: str = "", links: Sequence[str] = ()) -> Plan:
    """The same check-in planned again from the files as they are now (after another check-in,
    an editor or a git pull changed them): each key result found again by its reference."""
    sources = Sources.open(root)
    fresh = []
    for target, value, confidence, *own in entries:  # own: a KR's links (okr checkin --from)
        again = sources.resolve(str(target.ref))
        if again.kr is None or again.kr.kind != target.kr.kind:
            raise OkrError(f"{target.ref} changed while okr was working on it; nothing was written",
                           hint="run the check-in again")
        fresh.append((again, value, confidence, *own))
    return plan_checkin(sources, fresh, note=note, links=links)


def plan_grade(sources: Sources, target: Target, score: float, *, note: str = "") -> Plan:
    """A KR's `score`, or an objective's `review.score` (and `review.notes` from the note)."""
    editor = _Editor(sources)
    obj, kr = target.objective, target.kr
    if kr is not None:
        ref, previous = f"{obj.owner}/{obj.id}/{kr.id}", kr.score
        changes = [] if _same(previous, score) else [Change((*editor.kr_path(obj, kr), "score"), score)]
    else:
        ref = f"{obj.owner}/{obj.id}"
        previous = obj.review.score if obj.review else None
        where = (*editor.objective_path(obj), "review")
        changes = [] if _same(previous, score) else [Change((*where, "score"), score)]
        if note and (obj.review is None or obj.review.notes != note):
            changes.append(Change((*where, "notes"), note))
    update = Update(file=sources.root / obj.loc.path, cycle=obj.cycle, ref=ref, previous=previous,
                    value=score, changes=editor.add(obj, changes))
    return Plan("grade", sources.root, (update,), editor.files([obj.loc.path]), sources.cycle, note)


# --- whose key results -----------------------------------------------------------------------


def current_user(root: Path, as_id: str | None, git_email: str | None) -> str:
    """The owner whose key results `okr checkin` walks: --as, else OKR_USER, else git's email."""
    import os

    from ..load.build import load_org

    org = load_org(root, [])
    chosen = as_id or os.environ.get("OKR_USER") or None
    if chosen:
        owner_kind(org, chosen, what="a person or team", hint="use --as ID with an id from org.yaml")
        return chosen
    if not git_email:
        raise OkrError("okr does not know who you are: give --as ID, set OKR_USER, or set git's user.email "
                       "to your email in org.yaml")
    matches = [p.id for p in org.people.values() if p.email and p.email.casefold() == git_email.casefold()]
    if len(matches) != 1:
        problem = "no person" if not matches else f"{len(matches)} people ({', '.join(matches)})"
        raise OkrError(f"{problem} in org.yaml {'has' if not matches else 'have'} the email {_shown(git_email)} "
                       "(git's user.email)", hint="give --as ID or set OKR_USER")
    return matches[0]


def owner_kind(org: Org, owner: str, *, what: str = "the company, a team or a person",
               hint: str = "use an owner id from org.yaml") -> str:
    """'company', 'team' or 'person'; OkrError (with a did-you-mean) for an id org.yaml lacks."""
    import difflib

    kind = org.kind(owner)
    if kind is not None:
        return kind
    close = difflib.get_close_matches(owner, [*org.people, *org.teams], n=1, cutoff=0.6)
    raise OkrError(f"'{_shown(owner)}' is not {what} in org.yaml",
                   hint=f"did you mean {close[0]}?" if close else hint)


def my_key_results(sources: Sources, user: str) -> list[tuple[Objective, KeyResult]]:
    """A person's key results: their own, then those of the teams they lead (`lead:` in
    org.yaml), each owner's in file order. Private objectives of a team are left out: they
    are the team's, not the lead's to walk through."""
    from ..load.build import load_org

    owners = load_org(sources.root, []).mine(user)
    found = []
    for owner in owners:
        found += [(obj, kr) for obj, kr in owner_key_results(sources, owner)
                  if owner == user or not obj.private]
    return found


def owner_key_results(sources: Sources, owner: str) -> list[tuple[Objective, KeyResult]]:
    """The key results of `owner` in the current cycle, in file order."""
    sources.load(sources.cycle, owner)
    repo = sources.repository()
    return [(obj, kr) for obj in repo.objectives_in(sources.cycle) if obj.owner == owner
            for kr in obj.key_results if kr.derived is None]
