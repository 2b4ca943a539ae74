"""Check-ins read from git: trailers first, then hand edits, in as few git processes as possible.

A check-in commit made by okr carries one trailer group per key result (see
README, "Check-ins are commits"): `Okr-Cycle`, `Okr-KR`, `Okr-Value`, ... A
grade carries `Okr-Cycle`, `Okr-Grade`, `Okr-Score`. `read_history` reads every
commit message with ONE `git log` and parses the trailers itself, from the stream:
the usual record (one key result, okr's own wording) by one regular expression,
each distinct value checked once, without a LogCommit; any other record carefully. Commits that
touched OKR files without okr's trailers may be hand edits: only those are
listed with their paths (one more `git log --no-walk`), only their OKR files
are read, at the commit and at its first parent (one `git cat-file --batch`),
and a key result whose `current` or `done` differs between the two becomes a
check-in of kind "edit". Merge commits are not diffed: what they bring in was
committed, and is read, on its own branch.

`read_work` reads the `Okr-Ref:` trailers of ordinary commits (work on a key
result, never a check-in) with one `git log --grep` of the whole branch.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from ..cycles import parse_cycle
from ..errors import OkrError
from ..refs import ITEM_ID, OWNER_ID

if TYPE_CHECKING:
    from ..gitstore import GitRepo

Value = bool | int | float | str

CHECKIN, EDIT, GRADE = "checkin", "edit", "grade"
# Trailer keys are case-insensitive, as in git (character classes: faster than re.IGNORECASE).
_TRAILER_RE = re.compile(r"^([Oo][Kk][Rr]-[A-Za-z]+):(.*)$", re.MULTILINE)
_CYCLE_LINE_RE = re.compile(r"^[Oo][Kk][Rr]-[Cc][Yy][Cc][Ll][Ee]:", re.MULTILINE)
# The trailers of a check-in of one key result without links, as okr writes them.
_ONE_CHECKIN_RE = re.compile(
    r"Okr-Cycle: (\S+)\nOkr-KR: (\S+)\nOkr-Value: (\S+)\n(?:Okr-Previous: (\S+)\n)?"
    r"(?:Okr-Confidence: (\S+)\n)?(?:Okr-Unit: (\S[^\n]*?)[ \t]*\n)?\Z")
_GROUP_START = "okr-cycle"
_KEYS = {k: k.lower() for k in ("Okr-Cycle", "Okr-KR", "Okr-Value", "Okr-Previous", "Okr-Confidence",
                                "Okr-Unit", "Okr-Link", "Okr-Grade", "Okr-Score")}
_KR_REF_RE = re.compile(rf"^{OWNER_ID}/{ITEM_ID}/{ITEM_ID}$")
_OBJ_OR_KR_RE = re.compile(rf"^{OWNER_ID}/{ITEM_ID}(?:/{ITEM_ID})?$")
_OKR_FILE_RE = re.compile(rf"^([0-9]{{4}}(?:-[A-Z][0-9]+)?)/({OWNER_ID})\.yaml$")
_NUMBER_RE = re.compile(r"^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$")
MILESTONE_WORDS: dict[str, bool] = {"done": True, "true": True, "not-done": False, "false": False}


class CheckIn(NamedTuple):
    """One recorded value of a key result (or a grade of an objective or KR).

    `ref` is `OWNER/OBJ/KR` (`OWNER/OBJ` for an objective's grade) within `cycle`;
    `key` is the full `CYCLE:OWNER/OBJ/KR`. Milestone values are booleans. (A
    NamedTuple: immutable, and five times cheaper to make than a frozen dataclass,
    which counts over 50,000 commits.)
    """

    kind: str  # "checkin" | "edit" | "grade"
    cycle: str
    ref: str
    value: Value | None
    previous: Value | None
    confidence: float | None
    unit: str | None
    date: datetime
    author_name: str
    author_email: str
    commit: str
    note: str = ""
    links: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.cycle}:{self.ref}"

    @property
    def owner(self) -> str:
        return self.ref.split("/", 1)[0]

    def as_json(self) -> dict:
        return {
            "date": self.date.isoformat(), "kind": self.kind, "ref": self.key, "cycle": self.cycle,
            "value": self.value, "previous": self.previous, "unit": self.unit,
            "confidence": self.confidence, "author": {"name": self.author_name, "email": self.author_email},
            "commit": self.commit, "note": self.note, "links": list(self.links),
        }


@dataclass(frozen=True)
class History:
    """Check-ins, newest first; `shallow` when the clone's history is cut."""

    checkins: tuple[CheckIn, ...]
    shallow: bool = False
    skipped: tuple[tuple[str, str], ...] = ()  # (commit sha, why) of trailers left out
    _by_key: dict[str, list[CheckIn]] = field(default_factory=dict, repr=False, compare=False)

    def _series(self) -> dict[str, list[CheckIn]]:
        """Key result -> its check-ins and edits, oldest first (built on first use)."""
        if not self._by_key and self.checkins:
            for checkin in reversed(self.checkins):
                if checkin.kind != GRADE:
                    self._by_key.setdefault(checkin.key, []).append(checkin)
        return self._by_key

    def __iter__(self) -> Iterator[CheckIn]:
        return iter(self.checkins)

    def __len__(self) -> int:
        return len(self.checkins)

    def series(self, key: str) -> list[CheckIn]:
        """The values of one key result (`CYCLE:OWNER/OBJ/KR`), oldest first; grades left out."""
        return list(self._series().get(key, ()))

    def recorded_by_key(self) -> dict[str, list[CheckIn]]:
        """Every key result's recorded check-ins and edits, oldest first, in the order the
        history first names them (the history's own index: callers must not change it)."""
        return self._series()

    def last(self, key: str) -> CheckIn | None:
        """The latest check-in or edit of one key result."""
        found = self._series().get(key)
        return found[-1] if found else None


# --- trailers --------------------------------------------------------------------------------


_MAX_MAGNITUDE = 1e15  # load.MAX_MAGNITUDE, without importing the loader here
MAX_VALUE_CHARS = 40  # a trailer value longer than this is no number okr wrote (bounded before converting)


def parse_value(text: str) -> Value:
    """A trailer value: `done`/`not-done` (or true/false) as booleans, numbers as numbers.

    Anything else comes back as the text itself (never raising): too long, not a number,
    not finite or outside the loader's ±1e15. History is untrusted input; `usable` tells."""
    if len(text) > MAX_VALUE_CHARS:  # bounded before converting: int() of 5,000 digits raises
        return text
    word = MILESTONE_WORDS.get(text.lower())
    if word is not None:
        return word
    if not _NUMBER_RE.match(text):
        return text
    number: int | float = float(text) if ("." in text or "e" in text or "E" in text) else int(text)
    if abs(number) > _MAX_MAGNITUDE:  # also infinity (1e999)
        return text
    return number


def usable(value: Value) -> bool:
    """True for a value a check-in can carry: a boolean or a number (not left-over text)."""
    return not isinstance(value, str)


def _trailer_block(message: str) -> tuple[int, int] | None:
    """Where okr's trailers are: the last paragraph holding an `Okr-Cycle:` line."""
    pos = message.rfind("\nOkr-Cycle:")
    if pos < 0 or "\nokr-cycle:" in message[pos + 1 :].lower():  # rare: a key in another case
        last = None
        for last in _CYCLE_LINE_RE.finditer(message):
            pass
        if last is None:
            return None
        pos = last.start() - 1
    start = message.rfind("\n\n", 0, pos + 1)
    end = message.find("\n\n", pos + 1)
    return (0 if start < 0 else start + 2), (len(message) if end < 0 else end)


def trailer_groups(message: str) -> list[dict[str, list[str]]]:
    """okr's trailer groups in a commit message: one `{lower-case key: [values]}` per group.

    The trailers are the last paragraph holding `Okr-Cycle:` lines (git reads the last
    paragraph; a hook may append a `Signed-off-by` paragraph after it). A group starts
    at each `Okr-Cycle`; a line starting with a blank continues the value before it.
    """
    block = _trailer_block(message)
    return [] if block is None else _groups(message[block[0]:block[1]])


def _groups(text: str) -> list[dict[str, list[str]]]:
    if "\n " in text or "\n\t" in text:  # folded values: unfold first
        text = re.sub(r"\n[ \t]+", " ", text)
    groups: list[dict[str, list[str]]] = []
    group: dict[str, list[str]] = {}
    for key, value in _TRAILER_RE.findall(text):
        key = _KEYS.get(key) or key.lower()
        if key == _GROUP_START:
            group = {}
            groups.append(group)
        if key in group:
            group[key].append(value.strip())
        else:
            group[key] = [value.strip()]
    return groups


def message_note(message: str, block: tuple[int, int] | None = None) -> str:
    """The body of an okr commit message: the paragraphs between the subject and the trailers."""
    block = block or _trailer_block(message) or (len(message), len(message))
    subject_end = message.find("\n\n")
    if subject_end < 0 or subject_end >= block[0]:
        return ""
    return message[subject_end:block[0]].strip()


def checkins_from_message(
    message: str, *, date: datetime, author_name: str, author_email: str, commit: str,
    skipped: list[str] | None = None,
) -> list[CheckIn]:
    """The check-ins and grades a commit message records (empty when it has no okr trailers).

    A trailer group that does not parse (a cycle that is no cycle, a reference or value that
    is not one) is left out, and why goes to `skipped` when given; this never raises."""
    block = _trailer_block(message)
    if block is None:
        return []
    text = message[block[0]:block[1]]
    about = (date, author_name, author_email, commit, message_note(message, block))
    problems: list[str] = [] if skipped is None else skipped
    one = _ONE_CHECKIN_RE.match(text)
    if one is not None:  # the usual message, parsed by one regex: one key result, no links
        cycle, kr, value, previous, confidence, unit = one.groups()
        found = _checkin(cycle, kr, None, value, None, previous, confidence, unit, None, about, problems)
        return [found] if found is not None else []
    made = (_checkin(_first(g, "okr-cycle"), _first(g, "okr-kr"), _first(g, "okr-grade"),
                     _first(g, "okr-value"), _first(g, "okr-score"), _first(g, "okr-previous"),
                     _first(g, "okr-confidence"), _first(g, "okr-unit"), g.get("okr-link"), about, problems)
            for g in _groups(text))
    return [c for c in made if c is not None]


def _first(group: dict[str, list[str]], key: str) -> str | None:
    values = group.get(key)
    return values[0] if values else None


def _shown(text: str | None) -> str:
    """A trailer value as a warning quotes it: short, controls made visible."""
    from ..safe_text import visible

    text = text or ""
    return visible(text if len(text) <= 24 else f"{text[:20]}... ({len(text):,} characters)")


def _checkin(cycle: str | None, kr: str | None, graded: str | None, value: str | None,
             score: str | None, previous: str | None, confidence: str | None, unit: str | None,
             links: list[str] | None, about: tuple, problems: list[str]) -> CheckIn | None:
    """One trailer group as a CheckIn; None (and the reason in `problems`) when it does not parse."""
    if cycle is None or parse_cycle(cycle) is None:
        problems.append(f"Okr-Cycle '{_shown(cycle)}' is not a cycle (check-in skipped)")
        return None
    if kr is not None and _KR_REF_RE.match(kr):
        kind, ref = CHECKIN, kr
    elif graded is not None and _OBJ_OR_KR_RE.match(graded):
        kind, ref, value = GRADE, graded, score
    else:
        what = "Okr-KR" if kr is not None or graded is None else "Okr-Grade"
        problems.append(f"{what} '{_shown(kr if kr is not None else graded)}' is not a reference (check-in skipped)")
        return None
    parsed = None if value is None else parse_value(value)
    if parsed is not None and not usable(parsed):
        problems.append(f"{'Okr-Value' if kind == CHECKIN else 'Okr-Score'} '{_shown(value)}' is not a value "
                        "okr can use (check-in skipped)")
        return None
    before = None if previous is None else parse_value(previous)
    if before is not None and not usable(before):
        problems.append(f"Okr-Previous '{_shown(previous)}' is not a value okr can use (left out)")
        before = None
    level = None if confidence is None else _fraction(confidence)
    if confidence is not None and level is None:
        problems.append(f"Okr-Confidence '{_shown(confidence)}' is not a number from 0 to 1 (left out)")
    if unit is not None and (len(unit) > 64 or not _plain_text(unit)):
        problems.append(f"Okr-Unit '{_shown(unit)}' is too long or holds control characters (left out)")
        unit = None
    kept = tuple(v for v in links if v and _plain_text(v)) if links else ()
    if links and len(kept) != len([v for v in links if v]):
        problems.append("an Okr-Link holds control characters (left out)")
    return CheckIn(kind, cycle, ref, parsed, before, level, unit or None, *about, kept)


def _plain_text(text: str) -> bool:
    """No control or bidi characters: what a terminal would act on (escape sequences)."""
    from ..safe_text import visible

    return visible(text) == text


def _fraction(text: str) -> float | None:
    if len(text) > MAX_VALUE_CHARS or not _NUMBER_RE.match(text):
        return None
    value = float(text)
    return value if 0 <= value <= 1 else None


# --- reading git -----------------------------------------------------------------------------


def open_git(root: Path) -> GitRepo:
    """The git work tree whose history holds the check-ins of `root` (OkrError outside one)."""
    from ..gitstore import open_repo

    try:
        return open_repo(root)
    except OkrError as exc:
        raise OkrError(f"cannot read check-ins: {exc.message}",
                       hint="check-ins are git commits: the OKR folder must be in a git work tree") from None


def read_history(
    root: Path,
    *,
    owners: Iterable[str] | None = None,
    cycle: str | None = None,
    since: date | None = None,
    since_commit: str | None = None,
    author: str | None = None,
    hand_edits: bool = True,
    git: GitRepo | None = None,
) -> History:
    """Check-ins of the OKR root `root`, newest first (one `git log`, plus one pass for edits).

    `owners` / `cycle` keep only those owners' / that cycle's key results; `since`
    keeps check-ins authored on or after that day; `since_commit` keeps commits after
    that one (`REV..HEAD`); `author` is a fixed string matched in "name <email>".
    Raises OkrError when `root` is not inside a git work tree.
    """
    git = git or open_git(root)
    prefix = _prefix(git.top, root)
    wanted = _Filter(set(owners) if owners is not None else None, cycle, since)
    if since is None and since_commit is None and author is None and hand_edits:
        from .history_cache import read_through_cache

        everything = _Filter(None, None, None)
        cached = read_through_cache(git, prefix, lambda base, tip: _read_log(
            git, root, prefix, everything, True, since_commit=base, tip=tip), CheckIn)
        if cached is not None:
            found, skipped = cached
            if not wanted.everything:
                found = wanted.kept(found)
            return History(tuple(found), shallow=git.is_shallow(), skipped=tuple(skipped))
    found, skipped = _read_log(git, root, prefix, wanted, hand_edits, since_commit=since_commit, author=author)
    return History(tuple(found), shallow=git.is_shallow(), skipped=tuple(skipped))


def _read_log(git: GitRepo, root: Path, prefix: str, wanted: _Filter, hand_edits: bool, *,
              since_commit: str | None = None, author: str | None = None,
              tip: str = "HEAD") -> tuple[list[CheckIn], list]:
    """The check-ins `wanted` keeps of the log of `tip` (of `since_commit..tip`), hand edits in
    their place, and the commits whose trailers were left out: one `git log`, one pass for edits."""
    # Path-limiting is slow without a commit-graph (git diffs every commit's tree), so the
    # whole branch is read when the root is the top-level folder and trailers say the rest.
    paths = [prefix] if prefix else []
    reading = _Reading(wanted, hand_edits)
    if git.head() is not None:
        from ..gitstore.read import log_records
        from ..progress import bar

        stream = git.log_stream(paths, since_commit=since_commit, author=author,
                                since_date=_git_since(wanted.since), tip=tip)
        with bar("Reading check-ins") as shown:
            for batch in log_records(stream):
                reading.add(batch)
                shown.advance(len(batch))
    found = reading.found
    if reading.candidates:
        found = _in_git_order(found, reading.candidates, _hand_edits(
            git, root, prefix, [commit for commit, _ in reading.candidates.values()], wanted))
    return found, reading.skipped


# The trailers of a check-in of one key result without links, as okr writes them, ending the
# record: read by one match from the last "\n\nOkr-Cycle: " of the message (the only place
# it can start: a field cannot hold a newline), its values checked once per distinct text.
_FAST_TRAILERS_RE = re.compile(
    r"\n\nOkr-Cycle: (\S+)\nOkr-KR: (\S+)\nOkr-Value: (\S+)\n(?:Okr-Previous: (\S+)\n)?"
    r"(?:Okr-Confidence: (\S+)\n)?(?:Okr-Unit: (\S[^\n]*?)[ \t]*\n)?\x1d[0-9a-f]{40}(?:[0-9a-f]{24})?\n?\Z")
_TRAILERS_AT = "\n\nOkr-Cycle: "


_MAKE = partial(tuple.__new__, CheckIn)  # a CheckIn from a tuple, without NamedTuple's Python __new__
_UNSEEN = object()


class _Reading:
    """The check-ins of a log as its records come: the usual record (one parent, okr's own
    trailers of one key result) by string splits and one anchored match, without a LogCommit;
    any other through `checkins_from_message` (which also says why a trailer is skipped)."""

    def __init__(self, wanted: _Filter, hand_edits: bool):
        self.wanted, self.hand_edits = wanted, hand_edits
        self.found: list[CheckIn] = []
        self.skipped: list[tuple[str, str]] = []
        self.candidates: dict = {}  # sha -> (commit, its place in `found`)
        self._values: dict[str | None, Value | None] = {None: None}
        self._levels: dict[str | None, float | None] = {None: None}
        self._names: dict[tuple[str, str], bool] = {}
        self._units: dict[str | None, bool] = {None: True}

    def add(self, records: list[str]) -> None:
        trailers, found, wanted, names = _FAST_TRAILERS_RE.match, self.found, self.wanted, self._names
        values, levels, units, iso, make = self._values, self._levels, self._units, datetime.fromisoformat, _MAKE
        everything, at = wanted.everything, _TRAILERS_AT
        for text in records:
            fields = text.split("\x1f", 5)
            match = None
            if len(fields) == 6 and len(fields[1]) in (40, 64):  # one parent: no space in 40 or 64
                body = fields[5]
                cut = body.rfind(at)
                match = trailers(body, cut) if cut >= 0 else None
            if match is None:
                self._slow(log_commit(text))
                continue
            cycle, kr, value, previous, confidence, unit = match.groups()
            # Each distinct text is checked once, then looked up (_UNSEEN: not checked yet).
            usual = names.get((cycle, kr), _UNSEEN)
            parsed, before, level = values.get(value, _UNSEEN), values.get(previous, _UNSEEN), \
                levels.get(confidence, _UNSEEN)
            if usual is _UNSEEN or parsed is _UNSEEN or before is _UNSEEN or level is _UNSEEN or unit not in units:
                self._learn(cycle, kr, value, previous, confidence, unit)
                usual = names[cycle, kr]
                parsed, before, level = values[value], values[previous], levels[confidence]
            if not usual or not units[unit] or parsed is None or (before is None and previous is not None) or \
                    (level is None and confidence is not None):
                self._slow(log_commit(text))  # something to say about it: read it carefully
                continue
            try:
                when = iso(fields[4])
            except ValueError:  # a date Python cannot hold
                self._slow(log_commit(text))
                continue
            if everything or wanted.keeps(cycle, kr.partition("/")[0], when):
                note = body.find("\n\n")
                found.append(make((CHECKIN, cycle, kr, parsed, before, level, unit or None, when, fields[2],
                                   fields[3], fields[0], body[note:cut].strip() if note < cut else "", ())))

    def _learn(self, cycle: str, kr: str, value: str, previous: str | None, confidence: str | None,
               unit: str | None) -> None:
        """Check each text of a record once; `add` then finds them all (or reads it carefully)."""
        if (cycle, kr) not in self._names:
            self._names[cycle, kr] = parse_cycle(cycle) is not None and bool(_KR_REF_RE.match(kr))
        for text in (value, previous):
            if text not in self._values:
                parsed = parse_value(text)
                self._values[text] = parsed if usable(parsed) else None
        if confidence not in self._levels:
            self._levels[confidence] = _fraction(confidence)
        if unit not in self._units:
            self._units[unit] = len(unit) <= 64 and _plain_text(unit)

    def _slow(self, commit) -> None:
        try:
            when = datetime.fromisoformat(commit.date)
        except ValueError:  # git prints any stored date; Python's datetime stops at year 9999
            self.skipped.append((commit.sha, f"its date {_shown(commit.date)} is out of range (commit skipped)"))
            return
        problems: list[str] = []
        recorded = checkins_from_message(commit.message, date=when, author_name=commit.author_name,
                                         author_email=commit.author_email, commit=commit.sha,
                                         skipped=problems)
        if problems:
            self.skipped.append((commit.sha, "; ".join(problems)))
        wanted = self.wanted
        if recorded:
            self.found.extend(recorded if wanted.everything else
                              [c for c in recorded if wanted.keeps(c.cycle, c.owner, when)])
        elif self.hand_edits and len(commit.parents) == 1 and wanted.keeps_date(when):
            self.candidates[commit.sha] = (commit, len(self.found))


def log_commit(text: str):
    from ..gitstore.read import log_commit as parse

    return parse(text, False)


def warn_skipped(history: History | None, out=None) -> None:
    """One warning line per commit whose trailers were left out (on stderr)."""
    import sys

    if history is None:
        return
    out = out or sys.stderr
    for sha, why in history.skipped[:_WARN_AT_MOST]:
        out.write(f"okr: warning: commit {sha[:12]}: {why}\n")
    more = len(history.skipped) - _WARN_AT_MOST
    if more > 0:
        out.write(f"okr: warning: {more} more commit{'s' * (more != 1)} with trailers okr cannot use (skipped "
                  "or left out)\n")


_WARN_AT_MOST = 10  # one bad commit is worth a line each; a thousand are worth a count


def _git_since(since: date | None) -> str | None:
    """A `git log --since` that surely includes the day: git reads a bare date as that day at
    the current time of day (and in local time), so ask from midnight a day earlier; the
    exact day is then kept by `_Filter.keeps_date`, from each commit's own date."""
    if since is None:
        return None
    from datetime import timedelta

    return f"{(since - timedelta(days=1)).isoformat()} 00:00:00"


def _in_git_order(found: list[CheckIn], candidates: dict, edits: list[CheckIn]) -> list[CheckIn]:
    """`found` with each hand edit put back where its commit stands in git's log."""
    at: dict[int, list[CheckIn]] = {}
    for edit in edits:
        at.setdefault(candidates[edit.commit][1], []).append(edit)
    merged: list[CheckIn] = []
    for place, checkin in enumerate(found):
        merged += at.get(place, ())
        merged.append(checkin)
    return merged + at.get(len(found), [])


@dataclass(frozen=True)
class _Filter:
    owners: set[str] | None
    cycle: str | None
    since: date | None

    @property
    def everything(self) -> bool:
        return self.owners is None and self.cycle is None and self.since is None

    def keeps_date(self, when: datetime) -> bool:
        return self.since is None or when.date() >= self.since

    def kept(self, checkins: list[CheckIn]) -> list[CheckIn]:
        """The check-ins this filter keeps (as `keeps` tells of each)."""
        if self.owners is None and self.since is None:
            cycle = self.cycle
            return [c for c in checkins if c.cycle == cycle]
        return [c for c in checkins if self.keeps(c.cycle, c.ref.partition("/")[0], c.date)]

    def keeps(self, cycle: str, owner: str, when: datetime) -> bool:
        return ((self.cycle is None or cycle == self.cycle)
                and (self.owners is None or owner in self.owners) and self.keeps_date(when))


def _prefix(top: Path, root: Path) -> str:
    """The OKR root's path inside the work tree, `""` or ending in `/`."""
    import os

    rel = Path(os.path.realpath(root)).relative_to(top).as_posix()
    return "" if rel == "." else rel + "/"


def _hand_edits(git, root: Path, prefix: str, candidates: list, wanted: _Filter) -> list[CheckIn]:
    """Key results whose `current` or `done` a commit without okr trailers changed."""
    by_sha = {c.sha: c for c in candidates}
    touched = git.log([prefix] if prefix else [], commits=list(by_sha), name_only=True)
    pairs = []  # (commit, rel inside root, cycle, owner)
    for listed in touched:
        commit = by_sha.get(listed.sha)
        if commit is None:
            continue
        for path in listed.paths:
            if not path.startswith(prefix):
                continue
            rel = path[len(prefix):]
            found = _OKR_FILE_RE.match(rel)
            if found is None or parse_cycle(found.group(1)) is None:
                continue
            cycle, owner = found.groups()
            if wanted.keeps(cycle, owner, datetime.fromisoformat(commit.date)):
                pairs.append((commit, rel, cycle, owner))
    if not pairs:
        return []
    specs = [f"{rev}:{prefix}{rel}" for commit, rel, _, _ in pairs
             for rev in (commit.sha, commit.parents[0])]
    blobs = git.read_blobs(specs)
    edits = []
    for commit, rel, cycle, owner in pairs:
        after = _kr_values(root, rel, cycle, owner, blobs.get(f"{commit.sha}:{prefix}{rel}"))
        before = _kr_values(root, rel, cycle, owner, blobs.get(f"{commit.parents[0]}:{prefix}{rel}"))
        when = datetime.fromisoformat(commit.date)
        for ref, (value, confidence, unit) in after.items():
            old = before.get(ref)
            if old is None or _same_value(old[0], value):
                continue
            edits.append(CheckIn(
                kind=EDIT, cycle=cycle, ref=f"{owner}/{ref}", value=value, previous=old[0],
                confidence=confidence, unit=unit, date=when, author_name=commit.author_name,
                author_email=commit.author_email, commit=commit.sha,
                note=commit.message.strip().splitlines()[0] if commit.message.strip() else "",
            ))
    return edits


def _same_value(a: Value, b: Value) -> bool:
    """Equal values of the same kind (a milestone's True is not the number 1)."""
    return (type(a) is bool) == (type(b) is bool) and a == b


def _kr_values(root: Path, rel: str, cycle: str, owner: str,
               raw: bytes | None) -> dict[str, tuple[Value, float | None, str | None]]:
    """`{"OBJ/KR": (current or done, confidence, unit)}` of one version of an OKR file."""
    if raw is None:
        return {}
    from .okr_file import load_okr_file

    okr_file = load_okr_file(root, rel, cycle, owner, [], raw=raw)
    if okr_file is None:
        return {}
    return {f"{obj.id}/{kr.id}": (kr.done if kr.kind == "milestone" else kr.current, kr.confidence, kr.unit)
            for obj in okr_file.objectives for kr in obj.key_results
            if kr.derived is None}  # a derived KR's value is computed, never edited


# --- work linked to key results (Okr-Ref trailers) -------------------------------------------

WORK_REF_KEY = "Okr-Ref"
MAX_WORK_REFS = 20  # Okr-Ref lines read per commit; more are reported, not read
MAX_REF_CHARS = 200
MAX_SUBJECT_CHARS = 200
_WORK_LINE_RE = re.compile(r"^[Oo][Kk][Rr]-[Rr][Ee][Ff]:[ \t]*(.*?)[ \t]*$", re.MULTILINE)


class WorkCommit(NamedTuple):
    """An ordinary commit whose `Okr-Ref:` trailer names a key result: work on it, never a check-in.

    `cycle` and `ref` (`OWNER/OBJ/KR`) name the key result; a reference without a cycle is read in
    the cycle the commit's date falls in. The subject is cut to `MAX_SUBJECT_CHARS` as read (made
    visible, never interpreted, by whoever shows it)."""

    cycle: str
    ref: str
    subject: str
    author_name: str
    author_email: str
    date: datetime
    commit: str
    text: str = ""  # the reference as the trailer wrote it

    @property
    def key(self) -> str:
        return f"{self.cycle}:{self.ref}"

    def as_json(self) -> dict:
        return {"date": self.date.isoformat(), "ref": self.key, "cycle": self.cycle, "subject": self.subject,
                "author": {"name": self.author_name, "email": self.author_email}, "commit": self.commit}


class BadWorkRef(NamedTuple):
    """An `Okr-Ref:` value that names no key result: as written (cut), and its commit."""

    text: str
    commit: str


@dataclass(frozen=True)
class Work:
    """The work commits read, newest first, and the refs that could not be read."""

    commits: tuple[WorkCommit, ...]
    bad: tuple[BadWorkRef, ...] = ()

    def on(self, key: str) -> list[WorkCommit]:
        """The work on one key result (`CYCLE:OWNER/OBJ/KR`), newest first."""
        return [w for w in self.commits if w.key == key]


def work_refs(message: str) -> list[str]:
    """The values of the `Okr-Ref:` lines of a commit message's last paragraph (git's trailers)."""
    body = message.rstrip()
    cut = body.rfind("\n\n")
    if cut < 0:
        return []  # a subject alone has no trailers
    return _WORK_LINE_RE.findall(body[cut + 2:])


def read_work(root: Path, *, cycle_of: Callable[[date], str], git: GitRepo | None = None,
              since: date | None = None, since_commit: str | None = None, until: str | None = None) -> Work:
    """Commits of the work tree's branch (the whole repository, not only the OKR folder: work
    lands beside it in a monorepo) with `Okr-Ref:` trailers, from ONE `git log --grep`.

    `cycle_of(day)` is the cycle a reference without one is read in. `since` / `since_commit`
    limit the commits read; `until` is the commit to read back from (HEAD by default). What a
    trailer says is data: it is parsed, bounded and kept as text, never run or followed."""
    from ..refs import RefSyntaxError, parse_ref

    git = git or open_git(root)
    if git.head() is None:
        return Work(())
    commits = git.log([], grep=f"^{WORK_REF_KEY}:", since_date=_git_since(since), since_commit=since_commit,
                      tip=until or "HEAD")
    found: list[WorkCommit] = []
    bad: list[BadWorkRef] = []
    for commit in commits:
        if _trailer_block(commit.message) is not None:
            continue  # a check-in or grade: its own trailers say what it did
        refs = work_refs(commit.message)
        if not refs:
            continue
        try:
            when = datetime.fromisoformat(commit.date)
        except ValueError:  # a date Python cannot hold (year 10000): not work okr can place
            continue
        if since is not None and when.date() < since:
            continue
        subject = commit.message.strip().split("\n", 1)[0][:MAX_SUBJECT_CHARS]
        for text in refs[MAX_WORK_REFS:]:
            bad.append(BadWorkRef(text[:MAX_REF_CHARS], commit.sha))
        seen: set[str] = set()
        for text in refs[:MAX_WORK_REFS]:
            ref = None
            if len(text) <= MAX_REF_CHARS:
                try:
                    ref = parse_ref(text)
                except RefSyntaxError:
                    ref = None
            cycle = (ref.cycle or cycle_of(when.date())) if ref is not None else None
            if ref is None or ref.kr is None or parse_cycle(cycle) is None:
                bad.append(BadWorkRef(text[:MAX_REF_CHARS], commit.sha))
                continue
            item = WorkCommit(cycle, f"{ref.owner}/{ref.objective}/{ref.kr}", subject, commit.author_name,
                              commit.author_email, when, commit.sha, text)
            if item.key not in seen:
                seen.add(item.key)
                found.append(item)
    return Work(tuple(found), tuple(bad))


def work_cycle_of(settings) -> Callable[[date], str]:
    """The cycle a work reference without one is read in: the one its commit's day falls in
    (okr.yaml's pinned `cycle` when the day is inside it)."""
    from ..cycles import current_cycle_id

    pinned = parse_cycle(settings.cycle) if settings.cycle else None

    def cycle_of(day: date) -> str:
        if pinned is not None and pinned.contains(day):
            return pinned.id
        return current_cycle_id(day, settings.cadence)

    return cycle_of


def unknown_work(work: Work, exists: Callable[[str], bool]) -> Work:
    """`work` without the commits whose key result does not exist (`exists(KEY)` is False),
    those refs added to `bad`."""
    kept, bad = [], list(work.bad)
    for w in work.commits:
        if exists(w.key):
            kept.append(w)
        else:
            bad.append(BadWorkRef(w.text or w.key, w.commit))
    return Work(tuple(kept), tuple(bad))


def bad_work_warning(work: Work) -> str | None:
    """One warning line for every `Okr-Ref` that names nothing (None when there is none)."""
    from ..safe_text import visible

    if not work.bad:
        return None
    n = len(work.bad)
    shown = ", ".join(f"{b.commit[:7]} '{visible(b.text[:60])}'" for b in work.bad[:3])
    more = f" and {n - 3} more" if n > 3 else ""
    return (f"okr: warning: {n} Okr-Ref trailer{'s' * (n != 1)} name{'s' * (n == 1)} no key result: "
            f"{shown}{more} (write Okr-Ref: OWNER/OBJ/KR or CYCLE:OWNER/OBJ/KR)\n")
