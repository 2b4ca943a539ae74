"""`okr check` after a few OKR files changed: check those files, not the repository again.

The findings of a repository fall in four parts, each computed from its own inputs:

- per file: what loading an OKR file found and what the rules of `checks.per_file_rules()`
  find in it; they read that file, okr.yaml and org.yaml only;
- whole: what okr.yaml, org.yaml and the walk of the folders gave (`org` and the findings
  made while loading them), computed from those alone;
- derived: what computing the derived key results (sum_of, rollup) found;
- cross: what the rules of `checks.CROSS_FILE` find (references, loops, chains to the
  company), computed from a summary of every file (its objectives' ids, key result ids,
  references and where they are written: `summarize`), never from full model objects.

The cache keeps, per root, okr.yaml and org.yaml (`_state_key`), the last check's state:
each OKR file's content hash and the four parts. A check whose whole-repository entry
misses (`commands/check.py`) starts from that state:

1. every file with its old hash keeps its per-file findings; the others are loaded
   (through the cache of loaded files) and compared with what the old bytes loaded to;
2. when the files are the same set and each changed one loaded to the same model and
   findings as before (a comment, blank lines, quoting: same values at the same
   places), the check's findings are the state's, and nothing else runs (the state is
   written again only when more than one file changed: for one, the old state holds);
3. else the per-file rules run on the changed files, the cross-file rules on the
   summaries of all (kept in the cache by each file's hash; when every changed file
   summarizes as before, a title or a value changed, their findings are kept), the
   derived key results are computed again from the files that hold them or feed them
   (kept too when none of those changed), and `whole` again only when okr.yaml's
   findings or the walk's changed.

A changed okr.yaml or org.yaml is another state key: every file is checked again, as a
first check is. A first check of many files shares them out to forked processes
(`_judge`): each loads and judges its files and sends back their per-file findings and
summaries, never a model, which costs less than sending the models back; with the cache
off, `okr check` on several cores takes this path too.

Whatever is read back is checked like the rest of the cache: a state of another shape is
a miss. The result is the same list, finding for finding, as
`checks.run_checks` over the loaded repository (tests/test_load_cache.py compares them).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable

from ..errors import Diagnostic, Loc
from ..model import OkrFile, Org, RefEntry, Repository
from . import cache
from .packing import pack_diags, pack_file, unpack_diags

FORMAT = 1
MANY = 32  # more changed files than this: load them in one go, as a first check does
Entry = tuple[str, str, str]

# What the last run did, for tests that prove which path ran: "same" (step 2),
# "changed" (step 3 from a state; then "cross kept" when the cross-file findings were
# kept), "first" (no state) or "full" (the caller loads the whole repository).
last_path: list[str] = []


class _Fallback(Exception):
    """Something this module does not reproduce exactly (never seen): load the whole repository."""


def check(sources) -> list[Diagnostic] | None:
    """Every finding of `okr check` for `sources` (after `Sources.digest`), unsorted and in
    every cycle, from the last check's state; None when the caller must load the repository."""
    last_path[:] = ["full"]  # unless a path below says otherwise: the caller loads everything
    if sources.hashes is None or sources.raws is None or sources.index or sources.extra:
        return None
    skey = _state_key(sources)
    state = _read_state(cache.get(skey))
    around = cache.content_hash(repr((sources.head, sources.tail)).encode("utf-8", "surrogateescape"))
    loaded: dict[str, tuple[OkrFile | None, list[Diagnostic]]] = {}
    if state is not None:
        old_hashes = state[2]
        changed = _changed(sources, old_hashes)
        if (state[1] == around and len(old_hashes) == len(sources.entries) and len(changed) <= MANY
                and _same_meaning(sources, changed, old_hashes, loaded)):
            last_path[:] = ["same"]
            if len(changed) > 1:  # one file: the old state says the same; spare the write
                state = (FORMAT, around, dict(sources.hashes), *state[3:])
                cache.put(skey, state)
            return _findings_of(state)
    try:
        state = _recompute(sources, state, around, loaded)
    except _Fallback:
        last_path[:] = ["full"]
        return None
    cache.put(skey, state)
    return _findings_of(state)


def _changed(sources, old_hashes: dict) -> list[Entry]:
    """The entries whose hash is not the one in `old_hashes` (new files too), in walk order."""
    hashes, get = sources.hashes, old_hashes.get
    return [e for e in sources.entries if get(e[0]) != hashes[e[0]]]


def _state_key(sources, kind: str = "check-state") -> str:
    """Where the last check of this root, with this okr.yaml and org.yaml, left its `kind`
    (their hashes are the ones `Sources.digest` took)."""
    from .build import _NO_ORG

    config_hash, org_hash = sources.settings_hashes
    return cache.key(kind, os.path.realpath(sources.root), config_hash, str(sources.org is _NO_ORG), org_hash)


def _read_state(value) -> tuple | None:
    """The state as stored, or None when it is not one this okr wrote (then it is rebuilt)."""
    try:
        fmt, around, hashes, *parts = value
        if fmt != FORMAT or not isinstance(around, bytes) or not isinstance(hashes, dict) or len(parts) != 4:
            return None
        for part in parts:
            unpack_diags(part)
        return (fmt, around, hashes, *parts)
    except (TypeError, ValueError, KeyError):
        return None


def _findings_of(state: tuple) -> list[Diagnostic]:
    return [d for part in state[3:] for d in unpack_diags(part)]


def _same_meaning(sources, changed: list[Entry], old_hashes: dict, loaded: dict) -> bool:
    """Load the changed files (into `loaded`); True when each loads to exactly what its old
    bytes loaded to, model and findings, types and positions alike."""
    from .okr_file import file_key, load_okr_files

    salt = sources.config or b""
    same = True
    for entry in changed:
        rel, cycle, owner = entry
        diags: list[Diagnostic] = []
        files = load_okr_files(sources.root, [entry], diags, sources.raws, salt)
        model = files[0] if files else None
        loaded[rel] = (model, diags)
        if same:
            digest = old_hashes.get(rel)
            old = cache.get(file_key(rel, cycle, owner, digest, salt)) if isinstance(digest, bytes) else None
            same = old is not None and repr(old) == repr((pack_file(model) if model else None, pack_diags(diags)))
    return same


# ------------------------------------------------------------------ step 3

def _recompute(sources, state: tuple | None, around: bytes, loaded: dict) -> tuple:
    """The state of `sources`, reusing from `state` what the files it hashed the same give."""
    old_hashes = state[2] if state is not None else {}
    changed = _changed(sources, old_hashes)
    last_path[:] = ["changed" if state is not None else "first"]
    enabled = gc.isenabled()
    gc.disable()  # loading allocates many small objects that are never garbage
    try:
        whole_again = state is None or state[1] != around
        org, org_diags = _org(sources, whole_again)
        kept = set(sources.hashes).difference(e[0] for e in changed)
        per_file = [d for d in unpack_diags(state[3]) if d.path in kept] if state is not None else []
        judged, fresh = _judge(sources, org, [e for e in changed if e[0] not in loaded], loaded)
        early = [e for e in changed if e[0] not in fresh]  # loaded already, by _same_meaning
        per_file += judged + (_per_file(sources, org, early, loaded) if early else [])
        summaries, earlier = _summaries(sources, loaded, fresh)
        same_shape = state is not None and _same_shape(sources, changed, old_hashes, earlier, summaries)
        needed = _derived_files(summaries)
        if same_shape:
            last_path.append("cross kept")
        cross = unpack_diags(state[6]) if same_shape else _cross(sources, org, summaries)
        if same_shape and needed.isdisjoint(e[0] for e in changed):
            derived = unpack_diags(state[5])
        else:
            derived = _derived(sources, org, summaries, loaded, needed)
        whole = pack_diags(_whole(sources, org, org_diags)) if whole_again else state[4]
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
    return (FORMAT, around, dict(sources.hashes), pack_diags(per_file), whole, pack_diags(derived),
            pack_diags(cross))


def _load(sources, entries: list[Entry], loaded: dict, forked: bool = True, items=None) -> None:
    """Load `entries` (forked when many, unless not `forked`; here from `items` when given: the
    same entries, through a progress bar) into `loaded`: rel -> (model or None, its findings)."""
    from .okr_file import load_okr_files
    from .parallel import load_files

    if not entries:
        return
    diags: list[Diagnostic] = []
    salt = sources.config or b""
    files = (load_files(sources.root, entries, diags, sources.raws, salt=salt) if forked
             else load_okr_files(sources.root, entries if items is None else items, diags, sources.raws, salt))
    models = {f.path: f for f in files}
    by_path: dict[str, list[Diagnostic]] = {e[0]: [] for e in entries}
    for d in diags:
        if d.path not in by_path:
            raise _Fallback(f"{d.path}: a finding of loading another file")
        by_path[d.path].append(d)
    for rel, _cycle, _owner in entries:
        loaded[rel] = (models.get(rel), by_path[rel])


def _judge(sources, org: Org, entries: list[Entry], loaded: dict) -> tuple[list[Diagnostic], dict]:
    """Load `entries` and judge each on its own: (their per-file findings, their summaries by
    path). Many files are shared out to forked processes, which send back only findings and
    summaries, never a model; the models of the files loaded in this process go into `loaded`
    (letting them go early would cost more: Python hands freed memory back to the system and
    faults it in again for the next file)."""
    from ..progress import iterate
    from .parallel import fork_map, shares, worker_count

    workers = worker_count(len(entries)) if hasattr(os, "fork") else 1
    parts = shares(entries, workers)

    def own(share: list[Entry]) -> tuple[list[Diagnostic], dict]:
        part: dict = {}
        # The bar follows this process's share (the children's are as large), started after the forks.
        items = iterate(share, "Loading OKR files", len(entries), step=workers) if share is parts[0] else None
        _load(sources, share, part, forked=False, items=items)
        loaded.update(part)
        found = _per_file(sources, org, share, part) if share else []
        return found, {rel: summarize(model) if model is not None else None for rel, (model, _d) in part.items()}

    def child(share: list[Entry]) -> tuple:
        found, summaries = own(share)
        cache.flush()  # what this child parsed, for the next run
        return pack_diags(found), summaries

    def unpack(sent, share: list[Entry]) -> tuple[list[Diagnostic], dict]:
        packed, summaries = sent
        if not isinstance(summaries, dict) or summaries.keys() != {e[0] for e in share}:
            raise ValueError("not the summaries of this share")
        return unpack_diags(packed), summaries

    if workers <= 1:
        return own(parts[0])
    findings: list[Diagnostic] = []
    summaries: dict = {}
    for found, part_summaries in fork_map(parts, own, child, unpack):
        findings += found
        summaries.update(part_summaries)
    return findings, summaries


def _repository(sources, org: Org, files: list[OkrFile]) -> Repository:
    objectives: dict = {}
    for f in files:
        for obj in f.objectives:
            objectives.setdefault(obj.key, obj)
    return Repository(root=sources.root, settings=sources.settings, org=org, files=tuple(files),
                      objectives=objectives, file_count=sources.file_count)


def _context(sources, org: Org, files: list, loaded: list[Diagnostic]):
    from ..rules.context import CheckContext

    return CheckContext(_repository(sources, org, files), loaded)


def _per_file(sources, org: Org, changed: list[Entry], loaded: dict) -> list[Diagnostic]:
    """The per-file findings of the changed files: their loading's and the per-file rules'."""
    from ..checks import WHOLE_ORG, per_file_rules, run_rules

    rels = {e[0] for e in changed}
    files = [loaded[e[0]][0] for e in changed if loaded[e[0]][0] is not None]
    diags = [d for e in changed for d in loaded[e[0]][1]]
    if any(d.rule in WHOLE_ORG for d in diags):
        raise _Fallback("loading an OKR file found something of a whole-org rule")
    found = run_rules(_context(sources, org, files, diags), per_file_rules(), sources.settings)
    if any(d.path not in rels for d in found):
        raise _Fallback("a per-file rule found something in another file")
    return found


def _whole(sources, org: Org, org_diags: list[Diagnostic]) -> list[Diagnostic]:
    """okr.yaml's, org.yaml's and the walk's findings (no OKR file in sight)."""
    from ..checks import WHOLE_ORG, per_file_rules, run_rules

    loaded = [*sources.head, *org_diags, *sources.tail]
    return run_rules(_context(sources, org, [], loaded), (*per_file_rules(), *WHOLE_ORG), sources.settings)


# ------------------------------------------------------------------ org.yaml

def _org(sources, real: bool) -> tuple[Org, list[Diagnostic]]:
    """org.yaml's model and findings when `real` (or nothing else is cached), else the org
    the per-file and cross-file rules read, from the cache: owner ids, parents, teams."""
    from .build import _NO_ORG, load_org, missing_org

    key = cache.key("org-summary", cache.content_hash(b"" if sources.org is _NO_ORG else sources.org),
                    str(sources.org is _NO_ORG))
    if not real:
        org = _org_from(cache.get(key))
        if org is not None:
            return org, []
    diags: list[Diagnostic] = []
    org = missing_org(diags) if sources.org is _NO_ORG else load_org(sources.root, diags, sources.org)
    cache.put(key, (org.company.id if org.company else None,
                    tuple((t.id, t.parent) for t in org.teams.values()),
                    tuple((p.id, p.team) for p in org.people.values())))
    return org, diags


def _org_from(value) -> Org | None:
    from ..model import Company, Person, Team

    try:
        company, teams, people = value
        at = Loc("org.yaml")
        return Org(Company(company, company, at) if company is not None else None,
                   {t: Team(t, t, parent, None, at, {}) for t, parent in teams},
                   {p: Person(p, p, team, None, at, {}) for p, team in people})
    except (TypeError, ValueError):
        return None


# ------------------------------------------------------------------ summaries

def _ref(e: RefEntry) -> tuple:
    r = e.ref
    return (e.text, r.owner, r.objective, r.kr, r.cycle, e.loc.line, e.loc.column)


def summarize(f: OkrFile) -> tuple:
    """What the cross-file rules and derived key results read of one file: per objective its
    id, key result ids, `aligns` and `depends_on` (parsed, with positions) and where its
    `aligns` is; whether a key result is derived, and the files a `sum_of` names."""
    objectives = []
    derived = False
    sums: list[str] = []
    for o in f.objectives:
        for kr in o.key_results:
            if kr.derived:
                derived = True
                sums += [f"{e.ref.cycle or f.cycle}/{e.ref.owner}.yaml" for e in kr.sum_of]
        at = o.at("aligns")
        objectives.append((o.id, tuple(kr.id for kr in o.key_results), tuple(map(_ref, o.aligns)),
                           tuple(map(_ref, o.depends_on)), at.line, at.column))
    return (tuple(objectives), derived, tuple(sums))


def _same_shape(sources, changed: list[Entry], old_hashes: dict, earlier: dict, summaries: list) -> bool:
    """True when the files are the state's and each changed one summarizes as the version the
    state has did (a title, a value, a unit changed): the cross-file rules find what they found."""
    if len(old_hashes) != len(sources.entries) or any(e[0] not in old_hashes for e in sources.entries):
        return False
    now = {entry[0]: summary for entry, summary in summaries}
    for rel, _cycle, _owner in changed:
        was = earlier.get(rel)
        if not (isinstance(was, tuple) and len(was) == 2 and was[0] == old_hashes[rel] and was[1] == now[rel]):
            return False
    return True


def _summaries(sources, loaded: dict, fresh: dict) -> tuple[list[tuple[Entry, tuple | None]], dict]:
    """Every file's summary (None: it loaded to no model), in the walk's order: `fresh` (the
    files judged in this run), else made from the files loaded in this run, else kept from an
    earlier run (one entry for the root, by each file's hash, read only here), else made from
    loading the file again; and what was kept."""
    key = _state_key(sources, "check-summaries")
    kept = cache.get(key)
    kept = kept if isinstance(kept, dict) else {}
    found: dict[str, tuple | None] = {}
    missing: list[Entry] = []
    for entry in sources.entries:
        rel = entry[0]
        if rel in fresh:
            found[rel] = fresh[rel]
            continue
        if rel in loaded:
            model = loaded[rel][0]
            found[rel] = summarize(model) if model is not None else None
            continue
        hit = kept.get(rel)
        if isinstance(hit, tuple) and len(hit) == 2 and hit[0] == sources.hashes[rel]:
            found[rel] = hit[1]
        else:
            missing.append(entry)
    if missing:
        again: dict = {}
        _load(sources, missing, again)
        for rel, (model, _diags) in again.items():
            found[rel] = summarize(model) if model is not None else None
    cache.put(key, {rel: (sources.hashes[rel], summary) for rel, summary in found.items()})
    return [(entry, found[entry[0]]) for entry in sources.entries], kept


class _KeyResult:
    __slots__ = ("id",)

    def __init__(self, kr_id: str):
        self.id = kr_id


class _Entry:
    """An entry of `aligns` or `depends_on` as a summary has it: its own `ref` (owner,
    objective, kr, cycle) and a `loc` made when a finding asks for it."""

    __slots__ = ("column", "cycle", "kr", "line", "objective", "owner", "path", "text")

    def __init__(self, path: str, packed: tuple):
        self.path = path
        self.text, self.owner, self.objective, self.kr, self.cycle, self.line, self.column = packed

    @property
    def ref(self) -> _Entry:
        return self

    @property
    def loc(self) -> Loc:
        return Loc(self.path, self.line, self.column)


class _Objective:
    """An objective as its file's summary has it: what the cross-file rules read, no more."""

    __slots__ = ("_aligns_at", "_kr_ids", "aligns", "cycle", "depends_on", "id", "key", "owner")

    def __init__(self, path: str, cycle: str, owner: str, summary: tuple):
        obj_id, self._kr_ids, aligns, depends_on, line, col = summary
        self.cycle, self.owner, self.id, self.key = cycle, owner, obj_id, f"{cycle}:{owner}/{obj_id}"
        self.aligns = tuple(_Entry(path, e) for e in aligns)
        self.depends_on = tuple(_Entry(path, e) for e in depends_on)
        self._aligns_at = (path, line, col)

    @property
    def key_results(self) -> tuple[_KeyResult, ...]:
        return tuple(map(_KeyResult, self._kr_ids))

    def kr(self, kr_id: str) -> _KeyResult | None:
        return _KeyResult(kr_id) if kr_id in self._kr_ids else None

    def at(self, key: str, value: bool = True) -> Loc:
        if key == "aligns" and value:
            return Loc(*self._aligns_at)
        raise NotImplementedError(f"a file's summary does not say where '{key}' is")  # summarize() must keep it


def _cross(sources, org: Org, summaries: list) -> list[Diagnostic]:
    """The cross-file rules' findings, run on the summaries of every file."""
    from ..checks import CROSS_FILE, run_rules

    files = [OkrFile(rel, cycle, owner, tuple(_Objective(rel, cycle, owner, o) for o in summary[0]))
             for (rel, cycle, owner), summary in summaries if summary is not None]
    return run_rules(_context(sources, org, files, []), CROSS_FILE, sources.settings)


# ------------------------------------------------------------------ derived key results

def _derived_files(summaries: list) -> set[str]:
    """The files derived key results are computed from: those that hold one, the files their
    `sum_of` names and the files aligning to one of their key results (a roll-up's sources)."""
    holders = {rel for (rel, _c, _o), summary in summaries if summary is not None and summary[1]}
    if not holders:
        return set()
    needed = set(holders)
    for (rel, cycle, _owner), summary in summaries:
        if summary is None:
            continue
        needed.update(summary[2])
        for objective in summary[0]:
            if any(e[3] is not None and f"{e[4] or cycle}/{e[1]}.yaml" in holders for e in objective[2]):
                needed.add(rel)
    return needed


def _derived(sources, org: Org, summaries: list, loaded: dict, needed: set[str]) -> list[Diagnostic]:
    """What computing the derived key results of the `needed` files finds."""
    from ..checks import per_file_rules, run_rules

    if not needed:
        return []
    subset = [entry for entry, _summary in summaries if entry[0] in needed]
    _load(sources, [e for e in subset if e[0] not in loaded], loaded)
    files = [loaded[e[0]][0] for e in subset if loaded[e[0]][0] is not None]
    diags: list[Diagnostic] = []
    from ..derived import resolve

    rebuild: Callable[[list[OkrFile]], Repository] = lambda fs: _repository(sources, org, fs)
    resolve(_repository(sources, org, files), diags, rebuild)
    rules = per_file_rules()
    if any(d.rule not in rules for d in diags):
        raise _Fallback("a derived key result's finding of a whole-org or cross-file rule")
    return run_rules(_context(sources, org, [], diags), rules, sources.settings)
