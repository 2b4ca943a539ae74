"""Build the model from an OKR root: `load_repository(root) -> (Repository, diagnostics)`.

Loading never stops at the first problem. Each file is read, parsed and
converted on its own; what is wrong becomes a `Diagnostic` and what is right
becomes part of the model. Schema checks happen here, while positions are at
hand; the rules in `okrcli.rules` then look at the model as a whole.
"""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from ..cycles import parse_cycle
from ..errors import Diagnostic, Loc, Severity
from ..model import Company, Objective, OkrFile, Org, Person, Repository, Settings, Team
from ..refs import OWNER_RE
from ..settings import load_settings
from .okr_file import load_okr_file, load_okr_files
from .reader import _TYPE_NAMES, MAX_MAGNITUDE, Reader, _reads_as_text, implicit_type, top_mapping
from .source import (
    CONFIG_FILE,
    ORG_FILE,
    YMap,
    list_okr_files,
    list_okr_tree,
    load_yaml_file,
    read_source,
)

# Names other modules import from here.
__all__ = ["MAX_MAGNITUDE", "Reader", "implicit_type", "load_okr_file", "load_okr_files", "load_org",
           "load_repository"]

# ---------------------------------------------------------------- org.yaml

def _owner_key(key: str, p: tuple, path: str, diags: list[Diagnostic], what: str) -> bool:
    if p[2] and not _reads_as_text(key):
        diags.append(Diagnostic(path, p[0], p[1], Severity.ERROR, "org",
                                f"{what} id {key} is read by YAML as {_TYPE_NAMES.get(implicit_type(key))}; "
                                f"quote it: \"{key}\""))
        return False
    if not OWNER_RE.match(key):
        diags.append(Diagnostic(path, p[0], p[1], Severity.ERROR, "org",
                                f"'{key}' is not a valid {what} id: use lowercase letters, digits, - and _ "
                                "(up to 64, starting with a letter or digit)"))
        return False
    return True


def missing_org(diags: list[Diagnostic]) -> Org:
    diags.append(Diagnostic(ORG_FILE, 1, 1, Severity.ERROR, "org",
                            "org.yaml is missing: it lists the company, its teams and people"))
    return Org(None, {}, {})


def _owner_entries(r: Reader, section: str, what: str, keys: tuple[str, ...], example: str):
    """(id, Reader, where) of each valid entry of org.yaml's `teams` or `people` mapping."""
    entries = r.mapping(section)
    for key, item in (entries or {}).items():
        p = entries.pos[key]
        if not _owner_key(key, p, r.path, r.diags, what):
            continue
        if not isinstance(item, YMap):
            r.err(p[3], p[4], f"{what} '{key}' must be a mapping such as {example}")
            continue
        reader = Reader(item, r.path, r.diags, f"{what} '{key}'")
        reader.keys(keys, ("name",))
        yield key, reader, Loc.quick(r.path, p[0], p[1])


def load_org(root: Path, diags: list[Diagnostic], raw: bytes | None = None) -> Org:
    rel = ORG_FILE
    if raw is None and not (root / rel).exists():
        return missing_org(diags)
    value, ok = load_yaml_file(root, rel, diags, raw)
    m = top_mapping(value, ok, rel, diags, "org.yaml is a mapping with company, teams and people")
    if m is None:
        return Org(None, {}, {})
    r = Reader(m, rel, diags, "org.yaml")
    r.keys(("company", "teams", "people"), ("company",))
    company = None
    cm = r.mapping("company")
    if cm is not None:
        cr = Reader(cm, rel, diags, "the company")
        cr.keys(("id", "name", "description"), ("id", "name"))
        cid = cr.text("id")
        if cid is not None and not OWNER_RE.match(cid):
            p = cm.pos["id"]
            cr.err(p[3], p[4], f"'{cid}' is not a valid owner id: use lowercase letters, digits, - and _", "org")
            cid = None
        name = cr.text("name")
        cr.text("description", allow_empty=True)
        if cid is not None:
            company = Company(cid, name or cid, cr.loc)
    teams: dict[str, Team] = {}
    for key, tr, loc in _owner_entries(r, "teams", "team", ("name", "parent", "lead", "description", "github"),
                                       "{name: Platform, parent: eng}"):
        teams[key] = Team.quick(key, tr.text("name") or key, tr.text("parent"), tr.text("lead"), loc, tr.m.pos,
                                _github(tr, GITHUB_TEAM_RE, "ORG/TEAM, e.g. acme/platform"))
        tr.text("description", allow_empty=True)
    people: dict[str, Person] = {}
    for key, pr, loc in _owner_entries(r, "people", "person", ("name", "team", "email", "title", "github"),
                                       "{name: Ada, team: platform}"):
        people[key] = Person.quick(key, pr.text("name") or key, pr.text("team"), pr.text("email"), loc,
                                   pr.m.pos, _github(pr, GITHUB_USER_RE, "a GitHub username, e.g. ada-lovelace"))
        pr.text("title", allow_empty=True)
    _unique_github(people, rel, diags)
    return Org(company, teams, people)


# GitHub's rules: a username is 1-39 letters, digits or single inner hyphens; an organisation
# name the same; a team slug letters, digits, '-' and '_'.
_GITHUB_LOGIN = r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}"
GITHUB_USER_RE = re.compile(rf"^{_GITHUB_LOGIN}$")
GITHUB_TEAM_RE = re.compile(rf"^{_GITHUB_LOGIN}/[A-Za-z0-9][A-Za-z0-9_-]{{0,99}}$")


def _github(r: Reader, pattern: re.Pattern, what: str) -> str | None:
    """`github:` of a person or team: a handle reminders can mention, checked against GitHub's rules."""
    value = r.text("github")
    if value is None:
        return None
    if pattern.match(value):
        return value
    p = r.m.pos["github"]
    if value.startswith("@") and pattern.match(value[1:]):
        problem = f"github: '{value}' starts with @; write the handle without it: {value[1:]}"
    else:
        problem = f"github: '{value}' is not a valid GitHub handle: write {what}"
    r.err(p[3], p[4], f"{r.what}: {problem}", "org")
    return None


def _unique_github(people: dict[str, Person], path: str, diags: list[Diagnostic]) -> None:
    """Two people with one GitHub account: a check-in from GitHub could not tell who pressed the button."""
    seen: dict[str, Person] = {}
    for person in people.values():
        if person.github is None:
            continue
        first = seen.setdefault(person.github.casefold(), person)
        if first is not person:
            p = person.spans["github"]
            diags.append(Diagnostic(path, p[3], p[4], Severity.ERROR, "org",
                                    f"person '{person.id}' has github: {person.github}, like '{first.id}' "
                                    f"(line {first.loc.line}); a GitHub account belongs to one person"))


# ---------------------------------------------------------------- the repository

def load_repository(root: Path, blobs: Mapping[str, bytes] | None = None,
                    sources: Sources | None = None) -> tuple[Repository, list[Diagnostic]]:
    """Load every file under `root`; return the model and all diagnostics found while loading.

    With `blobs` (root-relative path -> bytes, e.g. the files of a git revision),
    those are loaded instead of the files on disk. `sources` is what `open_sources`
    already found for this root (okr check looks at it first)."""
    return (sources or open_sources(root, blobs)).load()


_NO_ORG = b"\0there is no org.yaml"  # compared by identity, never by value


@dataclass
class Sources:
    """What a repository is made of, found before anything but okr.yaml is parsed: its
    settings, the OKR files the walk lists (and a sparse checkout's, from git's index) and
    the findings so far. `digest()` hashes every input, so a result computed from them can
    be cached; `load()` builds the model."""

    root: Path
    blobs: Mapping[str, bytes] | None
    config: bytes | None  # okr.yaml's bytes
    settings: Settings
    head: list[Diagnostic]  # okr.yaml's findings
    tail: list[Diagnostic]  # the walk's findings, after org.yaml's
    entries: list[tuple[str, str, str]]  # (rel, cycle, owner) of the files to load
    index: dict[str, bytes]  # sparse checkout: files only in git's index
    extra: list[tuple[str, str, str]]  # their entries
    file_count: int
    raws: dict[str, bytes | None] | None = None  # the files' bytes, once `read` read them
    org: bytes | None = None  # org.yaml's bytes (or _NO_ORG), once `read` read them
    hashes: dict[str, bytes] | None = None  # content_hash of each of `raws`, once `read` read them
    settings_hashes: tuple[bytes, bytes] | None = None  # of okr.yaml and org.yaml, by `read` too
    readable: bool | None = None  # what `read` found, once it ran

    def digest(self, kind: str, *parts: str) -> str | None:
        """A cache key for a result of `kind` computed from the whole repository: the bytes
        of every file, the walk's findings and `parts`. None when some file cannot be read
        (its finding comes from loading it) or the files come from git."""
        from . import cache

        if not cache.enabled() or not self.read():
            return None
        has_org = self.org is not _NO_ORG
        h = [self.settings_hashes[0], str(has_org), self.settings_hashes[1], repr(self.head), repr(self.tail)]
        for rel, digest in self.hashes.items():
            h += [rel, digest]
        for rel, raw in self.index.items():
            h += [rel, cache.content_hash(raw)]
        return cache.key(kind, *parts, *h)

    def read(self) -> bool:
        """Read org.yaml and every OKR file on disk (into `org`, `raws`) and hash them
        (`settings_hashes`, `hashes`: what `digest` and `load.incremental` compare). False
        when okr.yaml or a file cannot be read (its finding comes from loading it) or the
        files come from git. The files are read once, whatever it answers."""
        if self.blobs is not None or self.config is None:
            return False
        if self.readable is None:
            self.readable = self._read()
        return self.readable

    def _read(self) -> bool:
        from . import cache

        has_org = (self.root / ORG_FILE).exists()
        org = read_source(self.root, ORG_FILE) if has_org else b""
        if org is None:
            return False
        self.org = org if has_org else _NO_ORG  # load() reads these very bytes: result and key agree
        raws = self.raws = {rel: read_source(self.root, rel) for rel, _cycle, _owner in self.entries}
        if any(raw is None for raw in raws.values()):
            return False
        self.settings_hashes = cache.content_hash(self.config), cache.content_hash(org)
        self.hashes = {rel: cache.content_hash(raw) for rel, raw in raws.items()}
        return True

    def load(self) -> tuple[Repository, list[Diagnostic]]:
        from .parallel import load_files

        root, blobs = self.root, self.blobs
        diags = list(self.head)
        gc_was_enabled = gc.isenabled()
        gc.disable()  # parsing allocates millions of small objects that are never garbage
        try:
            if blobs is None:
                org = missing_org(diags) if self.org is _NO_ORG else load_org(root, diags, self.org)
            else:
                org = load_org(root, diags, blobs[ORG_FILE]) if ORG_FILE in blobs else missing_org(diags)
            diags += self.tail
            salt = self.config or b""
            files = load_files(root, self.entries, diags, blobs if blobs is not None else self.raws, salt=salt)
            self.raws = None
            from . import cache

            cache.flush()
            if self.index:
                files += load_files(root, self.extra, diags, self.index, salt=salt)
                order = {rel: n for n, rel in enumerate(sorted([e[0] for e in self.entries] + list(self.index),
                                                               key=_folder_order))}
                files.sort(key=lambda f: order.get(f.path, len(order)))
            repository = build_repository(root, self.settings, org, files, self.file_count)
            if any(kr.derived for f in files for o in f.objectives for kr in o.key_results):
                from ..derived import resolve

                settings, count = self.settings, self.file_count
                repository = resolve(repository, diags,
                                     lambda files: build_repository(root, settings, org, files, count))
        finally:
            # The model lives as long as the command: move it out of the collector's sight, or
            # every later collection would walk millions of objects that can never be garbage.
            gc.freeze()
            if gc_was_enabled:
                gc.enable()
        return replace(repository, file_count=self.file_count), diags


def open_sources(root: Path, blobs: Mapping[str, bytes] | None = None) -> Sources:
    """The settings and the listing of `root` (or of `blobs`), nothing parsed yet but okr.yaml."""
    head: list[Diagnostic] = []
    tail: list[Diagnostic] = []
    index: dict[str, bytes] = {}
    extra: list[tuple[str, str, str]] = []
    if blobs is None:
        config = read_source(root, CONFIG_FILE)
        settings = load_settings(root, head, config)
        listing = list_okr_files(root, tail, settings.ignore)
        has_org = (root / ORG_FILE).exists()
    else:
        config = blobs.get(CONFIG_FILE, b"")
        settings = load_settings(root, head, config)
        modes = getattr(blobs, "modes", None)  # a whole git tree (--at): walked like the disk
        listing = okr_files_in(blobs) if modes is None else list_okr_tree(modes, tail, settings.ignore)
        has_org = ORG_FILE in blobs
    entries = []
    for rel, cycle, owner in listing:
        if parse_cycle(cycle) is None:
            tail.append(Diagnostic(rel, 1, 1, Severity.ERROR, "cycle-unknown",
                                   f"'{cycle}' is not a valid cycle: use YYYY, YYYY-H1..H2, "
                                   "YYYY-Q1..Q4 or YYYY-B1..B6; rename the folder"))
        else:
            entries.append((rel, cycle, owner))
    if blobs is None:
        index, extra = _sparse_index(root, settings, tail)
    count = len(listing) + len(extra) + 1 + has_org
    return Sources(root, blobs, config, settings, head, tail, entries, index, extra, count)


def _sparse_index(root: Path, settings: Settings,
                  diags: list[Diagnostic]) -> tuple[dict[str, bytes], list[tuple[str, str, str]]]:
    """The files a sparse checkout left out of the work tree, read from git's index (never
    reported as removed or missing), and their entries; a file whose content a partial clone
    does not hold is said to be not checked out. Outside a sparse checkout: nothing."""
    def wanted(rel: str) -> bool:
        folder, _, name = rel.partition("/")
        return (bool(name) and "/" not in name and name.endswith(".yaml") and parse_cycle(folder) is not None
                and folder not in settings.ignore and not name.startswith("."))

    if not _may_be_sparse(root):
        return {}, []
    from ..gitstore import index_only_files

    index, missing = index_only_files(root, wanted)
    for rel in missing:
        diags.append(Diagnostic(rel, 1, 1, Severity.WARNING, "yaml-syntax",
                                "not checked out (sparse checkout) and not in this partial clone; okr leaves "
                                f"it out: git sparse-checkout add {rel.split('/')[0]}"))
    extra = sorted((rel, rel.split("/")[0], rel.split("/")[1][: -len(".yaml")]) for rel in index)
    return index, extra


def _may_be_sparse(root: Path) -> bool:
    """False when no folder from `root` up holds a `.git` whose `info/sparse-checkout` exists:
    then the git layer (and its imports) is not needed. A `.git` file (a worktree, a
    submodule) or anything unexpected says maybe, and `index_only_files` decides."""
    try:
        here = Path(os.path.realpath(root))
        for above in (here, *here.parents):
            dot_git = above / ".git"
            if dot_git.is_dir():
                return (dot_git / "info" / "sparse-checkout").exists()
            if dot_git.exists():
                return True
    except OSError:
        return True
    return False


def _folder_order(rel: str) -> tuple[str, str]:
    folder, _, name = rel.partition("/")
    return folder, name


def okr_files_in(blobs: Mapping[str, bytes]) -> list[tuple[str, str, str]]:
    """(rel, cycle folder, owner) of the `<CYCLE>/<OWNER>.yaml` paths among `blobs`, sorted."""
    from ..cycles import looks_like_cycle

    found = []
    for rel in blobs:
        folder, _, name = rel.partition("/")
        if name and "/" not in name and name.endswith(".yaml") and looks_like_cycle(folder):
            found.append((rel, folder, name[: -len(".yaml")]))
    return sorted(found)



def build_repository(root: Path, settings: Settings, org: Org, files: list[OkrFile],
                     file_count: int = 0) -> Repository:
    objectives: dict[str, Objective] = {}
    for f in files:
        for obj in f.objectives:
            objectives.setdefault(obj.key, obj)
    return Repository(root=root, settings=settings, org=org, files=tuple(files), objectives=objectives,
                      file_count=file_count)


# A `private` key whose value is anything but a plain false (`private: false`, `no`, `off`): the
# only files worth parsing to find private objectives.
_MAY_BE_PRIVATE = re.compile(rb"private[\"']?[ \t]*:(?![ \t]*(?:false|no|off|n)[ \t]*(?:[#,}\r\n]|$))",
                             re.IGNORECASE)


def private_objectives(root: Path, files: set[tuple[str, str]]) -> tuple[set[str], set[str]]:
    """Keys (`CYCLE:OWNER/ID`) of the private objectives in the OKR files of the given
    `(cycle, owner)` pairs, and the paths of those that may hold one but could not be read.

    For `okr log`, which reads history without loading the repository: only files that may
    set `private` to something other than false are parsed, so this costs little more than
    reading the bytes."""
    keys: set[str] = set()
    unreadable: set[str] = set()
    for cycle, owner in files:
        rel = f"{cycle}/{owner}.yaml"
        path = root / rel
        try:
            raw = path.read_bytes() if path.is_file() else b""
        except OSError:
            unreadable.add(rel)
            continue
        if b"private" not in raw or not _MAY_BE_PRIVATE.search(raw):
            continue
        diags: list[Diagnostic] = []
        okr_file = load_okr_file(root, rel, cycle, owner, diags, raw)
        if okr_file is None or any(d.severity == Severity.ERROR for d in diags if d.rule == "yaml-syntax"):
            unreadable.add(rel)
            continue
        keys.update(o.key for o in okr_file.objectives if o.private)
    return keys, unreadable
