"""Key results that update themselves (SPEC 2, "Derived KRs"): sums, mirrors and roll-ups.

- `sum_of: [REF, ...]`: the KR's `current` is the sum of the named key results' `current`
  (one reference mirrors a KR). They may belong to other owners and to cycles this KR's
  cycle encloses; units must match; `start` and `target` stay the KR's own.
- `rollup: aligned`: the KR's progress is the weighted mean score of the objectives whose
  `aligns` names it, each weighing the sum of its KRs' weights (1 without KRs). Private
  objectives count; views leave them out of the sources they show.

`resolve` computes every derived value once, right after loading, and puts it in the model:
a sum's `current` is the sum, a roll-up is a numeric KR from 0 to 1 whose `current` is its
progress. Scoring, statuses, views and reports then read derived KRs like any numeric KR,
and `Repository.derived` says which KRs are derived and from what. Problems become `schema`
findings at the node that has them.

`DerivedHistory` answers `series(KEY)` of a derived KR with its value over time, computed
from its sources' check-ins (never from a check-in of its own).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from .cycles import parse_cycle
from .errors import Diagnostic, Loc, Severity
from .load.history import History
from .model import KeyResult, Objective, OkrFile, Repository

if TYPE_CHECKING:
    from .load.history import CheckIn

SUM_OF, ROLLUP = "sum_of", "rollup"
DERIVED = "derived"  # the kind of the points of a derived KR's history


@dataclass(frozen=True, slots=True)
class Derivation:
    """Where a derived KR's value comes from."""

    key: str  # CYCLE:OWNER/OBJ/KR
    how: str  # sum_of | rollup
    sources: tuple[str, ...]  # sum_of: the KR keys added up; rollup: the aligned objectives' keys
    weights: tuple[float, ...] = ()  # rollup: each source objective's weight
    private: frozenset[str] = frozenset()  # rollup: the sources that are private objectives

    def shown_sources(self, include_private: bool = False) -> list[str]:
        """The sources a view may name: private objectives only with `include_private`."""
        return [s for s in self.sources if include_private or s not in self.private]

    def describe(self, include_private: bool = False) -> str:
        """`sum of a, b` / `mirror of a` / `rolled up from 3 objectives`, for people."""
        if self.how == ROLLUP:
            n = len(self.sources)
            hidden = len(self.private) if not include_private else 0
            text = f"rolled up from {n} objective{'s' * (n != 1)}"
            return text + (f" ({hidden} private)" if hidden else "")
        own = self.key.split(":", 1)[0] + ":"
        names = [s.removeprefix(own) for s in self.sources]
        if len(names) == 1:
            return f"mirror of {names[0]}"
        return "sum of " + ", ".join(names) if names else "sum of nothing"


def kr_key(obj: Objective, kr: KeyResult) -> str:
    return f"{obj.key}/{kr.id}"


# ------------------------------------------------------------------ evaluation

class _Evaluator:
    """Derived values from the values of the plain KRs (`value_of`), each computed once."""

    def __init__(self, derivations: dict[str, Derivation], krs: dict[str, tuple[Objective, KeyResult]],
                 objectives: dict[str, Objective], value_of: Callable[[str], object]):
        self.derivations, self.krs, self.objectives, self.value_of = derivations, krs, objectives, value_of
        self.memo: dict[str, float] = {}
        self.scores: dict[str, float] = {}  # objective scores, kept while their KRs' values stay
        self.derived_objectives: dict[str, bool] = {}
        self.path: list[str] = []  # the derived KRs being evaluated, outermost first
        self.on_path: set[str] = set()
        self.loops: list[list[str]] = []

    def changed(self, key: str) -> None:
        """A plain KR's value changed: forget what depends on it (every derived value, the
        score of its objective and of the objectives that hold derived KRs)."""
        self.memo.clear()
        self.scores.pop(self.krs[key][0].key, None)
        for okey in [k for k in self.scores if self._holds_derived(k)]:
            del self.scores[okey]

    def _holds_derived(self, okey: str) -> bool:
        got = self.derived_objectives.get(okey)
        if got is None:
            got = self.derived_objectives[okey] = any(kr.derived for kr in self.objectives[okey].key_results)
        return got

    def value(self, key: str) -> float:
        """A KR's numeric value: `current` of a plain KR, the sum, or the roll-up's progress.

        Iterative (no recursion): a chain of 5,000 sums is evaluated like a short one. A
        derived KR met again on its own path is a loop: recorded, and counted as 0 there."""
        got = self.memo.get(key)
        if got is not None:
            return got
        if key not in self.derivations:
            value = self.value_of(key)
            return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0
        if key in self.on_path:
            return 0.0  # the edge that closes a loop
        stack = [(key, False)]
        while stack:
            k, expanded = stack.pop()
            if expanded:
                self.path.pop()
                self.on_path.discard(k)
                self.memo[k] = self._compute(k)
                continue
            if k in self.memo:
                continue
            self.path.append(k)
            self.on_path.add(k)
            stack.append((k, True))
            for dep in self._derived_deps(k):
                if dep in self.memo:
                    continue
                if dep in self.on_path:
                    self.loops.append(self.path[self.path.index(dep):] + [dep])
                else:
                    stack.append((dep, False))
        return self.memo[key]

    def _derived_deps(self, key: str) -> list[str]:
        """The derived KRs whose values `key`'s value needs."""
        d = self.derivations[key]
        if d.how == SUM_OF:
            return [s for s in d.sources if s in self.derivations]
        return [kr_key(self.objectives[o], kr) for o in d.sources for kr in self.objectives[o].key_results
                if kr.derived is not None and kr_key(self.objectives[o], kr) in self.derivations]

    def _compute(self, key: str) -> float:
        """`key`'s value once the derived values it needs are known (0 for a loop's edge)."""
        d = self.derivations[key]
        if d.how == SUM_OF:
            return float(sum(self.value(s) for s in d.sources))
        total = sum(d.weights)
        return sum(self.objective_score(s) * w for s, w in zip(d.sources, d.weights)) / total if total > 0 else 0.0

    def kr_score(self, key: str) -> float:
        """SPEC 3's KR score (its `score` when set, else progress) for the values in effect."""
        from .scoring import clamp, numeric_progress

        _obj, kr = self.krs[key]
        if kr.score is not None:
            return clamp(kr.score)
        if kr.kind == "milestone":
            return 1.0 if self.value_of(key) is True else 0.0
        value = self.value(key)
        if kr.kind == "threshold":
            if kr.target is None:
                return 0.0
            return 1.0 if (value >= kr.target if kr.keep == "above" else value <= kr.target) else 0.0
        return numeric_progress(kr.start, kr.target, value) if kr.target is not None else 0.0

    def objective_score(self, okey: str) -> float:
        """SPEC 3's objective score (`review.score`, else the weighted mean of its KRs' scores)."""
        got = self.scores.get(okey)
        if got is not None:
            return got
        from .scoring import objective_score

        obj = self.objectives[okey]
        got = objective_score(obj, [self.kr_score(kr_key(obj, kr)) for kr in obj.key_results])
        self.scores[okey] = got
        return got


# ------------------------------------------------------------------ resolving after a load

def _canonical(repo: Repository) -> list[Objective]:
    objs = repo.objectives
    return [o for f in repo.files for o in f.objectives if objs.get(o.key) is o]


def _same_unit(a: str | None, b: str | None) -> bool:
    return (a or "").strip().casefold() == (b or "").strip().casefold()


def kr_index(repo: Repository) -> dict[str, tuple[Objective, KeyResult]]:
    """Every key result of the repository's objectives (the first of repeated ids), by key."""
    return _kr_index(_canonical(repo))


def _kr_index(objectives: list[Objective]) -> dict[str, tuple[Objective, KeyResult]]:
    krs: dict[str, tuple[Objective, KeyResult]] = {}
    for o in objectives:
        for kr in o.key_results:
            krs.setdefault(kr_key(o, kr), (o, kr))
    return krs


def _sum_sources(obj: Objective, kr: KeyResult, krs: dict, diags: list[Diagnostic]) -> tuple[str, ...]:
    """The valid KR keys of a `sum_of`, each problem reported at its entry."""
    def bad(loc: Loc, message: str) -> None:
        diags.append(Diagnostic(loc.path, loc.line, loc.column, Severity.ERROR, "schema", message))

    own = parse_cycle(obj.cycle)
    found: list[str] = []
    for entry in kr.sum_of:
        ref, text = entry.ref, entry.text
        if ref is None:
            continue
        if ref.kr is None:
            bad(entry.loc, f"'{text}' in sum_of names an objective; name a key result (OWNER/OBJ/KR)")
            continue
        cycle = ref.cycle or obj.cycle
        other = parse_cycle(cycle)
        if own is not None and other is not None and not own.encloses(other):
            bad(entry.loc, f"'{text}' in sum_of is in {cycle}, which {obj.cycle} does not enclose; a sum adds "
                           "key results of its own cycle or of the cycles inside it")
            continue
        key = f"{cycle}:{ref.owner}/{ref.objective}/{ref.kr}"
        target = krs.get(key)
        if target is None:
            bad(entry.loc, f"'{text}' in sum_of names nothing: no such key result (run okr list --krs)")
            continue
        source = target[1]
        if source.kind == "milestone":
            bad(entry.loc, f"'{text}' in sum_of is a milestone (done or not done): a sum adds numbers; "
                           "name a numeric key result")
            continue
        if source.derived == ROLLUP:
            bad(entry.loc, f"'{text}' in sum_of is rolled up (a score from 0 to 1), not a number to add")
            continue
        if not _same_unit(source.unit, kr.unit):
            theirs = f"'{source.unit}'" if source.unit else "no unit"
            ours = f"'{kr.unit}'" if kr.unit else "no unit"
            bad(entry.loc, f"'{text}' in sum_of counts in {theirs}, this key result in {ours}: "
                           "the units of a sum must match")
            continue
        if key in found:
            bad(entry.loc, f"'{text}' is named twice in sum_of; each key result counts once")
            continue
        found.append(key)
    return tuple(found)


def derivations_of(repo: Repository, diags: list[Diagnostic]) -> tuple[dict[str, Derivation], dict]:
    """Every derived KR's `Derivation` (problems with their sources appended to `diags`)."""
    canonical = _canonical(repo)
    krs = _kr_index(canonical)
    aligned: dict[str, list[str]] = {}
    if any(kr.derived == ROLLUP for _o, kr in krs.values()):
        for o in canonical:
            for e in o.aligns:
                r = e.ref
                if r is not None and r.kr is not None:
                    into = aligned.setdefault(f"{r.cycle or o.cycle}:{r.owner}/{r.objective}/{r.kr}", [])
                    if o.key not in into:
                        into.append(o.key)
    derivations: dict[str, Derivation] = {}
    for key, (obj, kr) in krs.items():
        if kr.derived == SUM_OF:
            derivations[key] = Derivation(key, SUM_OF, _sum_sources(obj, kr, krs, diags))
        elif kr.derived == ROLLUP:
            sources = tuple(aligned.get(key, ()))
            objs = repo.objectives
            weights = tuple(sum(k.weight for k in objs[s].key_results) or 1.0 for s in sources)
            private = frozenset(s for s in sources if objs[s].private)
            derivations[key] = Derivation(key, ROLLUP, sources, weights, private)
            if not sources:
                at = kr.at("rollup")
                ref = key.split(":", 1)[1] if key.startswith(f"{obj.cycle}:") else key
                diags.append(Diagnostic(at.path, at.line, at.column, Severity.WARNING, "schema",
                                        f"nothing aligns to {ref}: its roll-up stays 0 until an objective "
                                        f"writes aligns: [{ref}]"))
    return derivations, krs


def plain_value(kr: KeyResult) -> object:
    return kr.done if kr.kind == "milestone" else kr.current


def resolve(repo: Repository, diags: list[Diagnostic],
            rebuild: Callable[[list[OkrFile]], Repository]) -> Repository:
    """The repository with every derived KR's value computed (see the module doc); `rebuild`
    makes a repository of the files with those values (the loader's own builder)."""
    derivations, krs = derivations_of(repo, diags)
    ev = _Evaluator(derivations, krs, repo.objectives, lambda key: plain_value(krs[key][1]))
    values = {key: _tidy(ev.value(key)) for key in derivations}
    reported: set[str] = set()
    for loop in ev.loops:
        names = [k.split(":", 1)[1] for k in loop]
        chain = " -> ".join(names) if len(names) <= 6 else \
            " -> ".join(names[:3]) + f" -> ... ({len(names) - 1} key results) -> " + names[-1]
        for key in loop[:-1]:
            if key in reported:
                continue
            reported.add(key)
            at = krs[key][1].at(derivations[key].how, value=False)
            diags.append(Diagnostic(at.path, at.line, at.column, Severity.ERROR, "schema",
                                    f"a loop of derived key results: {chain}; a key result cannot add up "
                                    "or roll up itself"))
    for key in reported:  # a loop has no value
        values[key] = krs[key][1].start
    files = []
    for f in repo.files:
        objectives = []
        for o in f.objectives:
            if repo.objectives.get(o.key) is o and any(kr.derived for kr in o.key_results):
                o = replace(o, key_results=tuple(
                    replace(kr, current=values[kr_key(o, kr)]) if kr_key(o, kr) in values
                    and krs[kr_key(o, kr)][1] is kr else kr for kr in o.key_results))
            objectives.append(o)
        files.append(replace(f, objectives=tuple(objectives)))
    resolved = rebuild(files)
    return replace(resolved, derived=derivations)


# ------------------------------------------------------------------ history of derived values

def leaves(repo: Repository, key: str) -> set[str]:
    """The plain (not derived) KRs a derived KR's value depends on, through sums and roll-ups."""
    found: set[str] = set()
    seen: set[str] = set()
    stack = [key]
    while stack:
        k = stack.pop()
        if k in seen:
            continue
        seen.add(k)
        d = repo.derived.get(k)
        if d is None:
            found.add(k)
        elif d.how == SUM_OF:
            stack.extend(d.sources)
        else:
            for okey in d.sources:
                obj = repo.objectives.get(okey)
                if obj is not None:
                    stack.extend(kr_key(obj, kr) for kr in obj.key_results)
    return found


def history_cycles(repo: Repository, cycle: str | None) -> set[str]:
    """The cycles whose check-ins the derived KRs of `cycle` (every cycle when None) stand on."""
    cycles: set[str] = set()
    for key in repo.derived:
        if cycle is None or key.startswith(f"{cycle}:"):
            cycles.update(k.split(":", 1)[0] for k in leaves(repo, key))
    return cycles


def _usable(kr: KeyResult, value: object) -> bool:
    if kr.kind == "milestone":
        return isinstance(value, bool)
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def derived_series(repo: Repository, history: History, key: str,
                   krs: dict[str, tuple[Objective, KeyResult]] | None = None) -> list[CheckIn]:
    """A derived KR's value after each check-in of its sources, oldest first.

    Each point is a `CheckIn` of kind "derived": the derived KR's reference, its value
    then (a sum, or a roll-up's progress) and the one before, with the date, author and
    commit of the source's check-in that moved it and that source named in the note.
    A source's value before its first check-in is that check-in's previous value (else
    its start, or not done); a source never checked in keeps its value in the file. A point
    moved by a private objective's KR names neither that KR nor who checked it in. `krs`
    may pass `kr_index(repo)` when the caller has it."""
    from .load.history import CheckIn

    derivation = repo.derived.get(key)
    if derivation is None:
        return []
    krs = krs if krs is not None else kr_index(repo)
    if key not in krs:
        return []
    _obj, kr = krs[key]
    own = History.series
    events: list[CheckIn] = []
    values: dict[str, object] = {}
    for leaf in sorted(leaves(repo, key)):  # sorted: check-ins of one moment are replayed in one order
        got = krs.get(leaf)
        if got is None:
            continue
        source = got[1]
        series = [c for c in own(history, leaf) if _usable(source, c.value)]
        if series:
            first = series[0].previous
            values[leaf] = first if _usable(source, first) else (
                False if source.kind == "milestone" else source.start)
            events.extend(series)
        else:
            values[leaf] = plain_value(source)
    if not events:
        return []
    events.sort(key=lambda c: c.date)
    ev = _Evaluator(repo.derived, krs, repo.objectives, values.get)
    cycle, ref = key.split(":", 1)
    before = ev.value(key)
    points = []
    for c in events:
        if values.get(c.key) != c.value or type(values.get(c.key)) is not type(c.value):
            values[c.key] = c.value
            ev.changed(c.key)
        now = ev.value(key)
        source = c.ref if c.cycle == cycle else c.key
        name, email, note = c.author_name, c.author_email, f"from {source}"
        if krs[c.key][0].private:  # counted, never shown: no reference, no author
            name, email, note = "", "", "from a private objective"
        points.append(CheckIn(DERIVED, cycle, ref, _tidy(now), _tidy(before), None, kr.unit, c.date,
                              name, email, c.commit, note))
        before = now
    return points


def _tidy(value: float) -> int | float:
    """A computed value without float noise (0.1 + 0.2 is 0.3); whole numbers as ints."""
    value = round(value, 9)
    return int(value) if value.is_integer() and abs(value) < 1e15 else value


@dataclass(frozen=True)
class DerivedHistory(History):
    """A `History` whose `series` and `last` of a derived KR are its computed values over time.

    Iterating it yields the recorded check-ins only: derived points are never check-ins."""

    repo: Repository | None = field(default=None, repr=False, compare=False)
    _derived_cache: dict[str, list] = field(default_factory=dict, repr=False, compare=False)
    _index: dict = field(default_factory=dict, repr=False, compare=False)  # kr_index, built once

    def _derived(self, key: str) -> list[CheckIn]:
        got = self._derived_cache.get(key)
        if got is None:
            if not self._index:
                self._index.update(kr_index(self.repo))
            got = self._derived_cache[key] = derived_series(self.repo, self, key, self._index)
        return got

    def series(self, key: str) -> list[CheckIn]:
        if self.repo is not None and key in self.repo.derived:
            return list(self._derived(key))
        return super().series(key)

    def last(self, key: str) -> CheckIn | None:
        if self.repo is not None and key in self.repo.derived:
            found = self._derived(key)
            return found[-1] if found else None
        return super().last(key)


def with_derived(repo: Repository, history: History | None) -> History | None:
    """`history` answering derived KRs' series too (itself when the repository has none)."""
    if history is None or not repo.derived:
        return history
    from dataclasses import fields

    kept = {f.name: getattr(history, f.name) for f in fields(History) if not f.name.startswith("_")}
    return DerivedHistory(**kept, repo=repo)
