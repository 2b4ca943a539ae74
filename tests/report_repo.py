"""A deterministic OKR repository with a quarter of backdated weekly check-ins, for `okr report`
and `okr review` (goldens in tests/golden/report/).

2026-Q4 runs Oct 1 - Dec 31; weekly check-in periods start on Thursdays (Oct 1, 8, ... Dec 24).
Four people check in as themselves (git author = the person), with okr's trailers, notes and
links, one commit per person and day (several key results in one commit when they own several).
The story:
- acme/O1 (company, checked in by alice) climbs weekly; its launch milestone lands on Dec 11.
- platform/O1/KR1 (bob) drops its confidence from 0.8 to 0.4 on Nov 25 ("build cache
  regressed"), back to 0.6 in December; platform/O1/KR2 is done on Dec 20.
- bob/O1 is committed and finishes at 1.0 (flaky tests 50 -> 5 on Dec 6).
- carol misses the period Oct 29 - Nov 4 and drops her confidence to 0.3 on Nov 25; her
  standalone, aspirational carol/O2 is done on Nov 30: 1.0, ambitious enough?
- dan/O1 is committed and ends at 21/30 (0.7): its postmortem is written on Dec 30. Dan has no
  check-in in Oct 15-21 and catches up on Oct 26 (late).
- alice edits eng/O1/KR1 by hand on Nov 23 (no trailers: a hand edit), retitles eng/O1 and
  moves its target on Nov 25 (a goalpost moved); dan adds sales/O2 on Nov 24.
- alice/O1 is private: its check-ins never show without --include-private.

`build(path, until=...)` stops after the last commit on or before `until`.
"""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from pathlib import Path

from gitrepo import git, git_env, init_repo

CONFIG = "company: acme\ncycle: 2026-Q4\ncheckin_every: 7\n"
ORG = """\
company: {id: acme, name: Acme Inc.}
teams:
  eng: {name: Engineering, lead: alice}
  platform: {name: Platform, parent: eng, lead: bob}
  sales: {name: Sales, lead: dan}
people:
  alice: {name: Alice Chen, team: eng, email: alice@acme.test}
  bob: {name: Bob Li, team: platform, email: bob@acme.test}
  carol: {name: Carol Diaz, team: platform, email: carol@acme.test}
  dan: {name: Dan Roe, team: sales, email: dan@acme.test}
"""
PEOPLE = {"alice": "Alice Chen", "bob": "Bob Li", "carol": "Carol Diaz", "dan": "Dan Roe"}
START = date(2026, 10, 1)
REPORT_DAY = "2026-11-27"
REVIEW_DAY = "2027-01-04"


def initial_state() -> dict[str, list[dict]]:
    """OKR file -> its objectives (plain dicts, written by `emit`)."""
    return {
        "2026-Q4/acme.yaml": [
            {"id": "O1", "title": "Ship a product customers love", "key_results": [
                {"id": "KR1", "title": "Weekly active teams from 10 to 50", "start": 10, "target": 50, "current": 10},
                {"id": "KR2", "title": "Public launch", "done": False}]}],
        "2026-Q4/eng.yaml": [
            {"id": "O1", "title": "Ship every day", "aligns": ["acme/O1"], "key_results": [
                {"id": "KR1", "title": "Deploys per week from 5 to 20", "start": 5, "target": 20, "current": 5}]}],
        "2026-Q4/platform.yaml": [
            {"id": "O1", "title": "Make deploys boring", "aligns": ["eng/O1"], "key_results": [
                {"id": "KR1", "title": "p95 deploy time down to 10 minutes", "start": 40, "target": 10,
                 "current": 40, "unit": "min", "confidence": 0.8},
                {"id": "KR2", "title": "Canary analysis on every service", "done": False}]}],
        "2026-Q4/bob.yaml": [
            {"id": "O1", "title": "Make the test suite trustworthy", "aligns": ["platform/O1"], "committed": True,
             "key_results": [
                 {"id": "KR1", "title": "Flaky tests down to 5", "start": 50, "target": 5, "current": 50}]}],
        "2026-Q4/carol.yaml": [
            {"id": "O1", "title": "Cut on-call pages", "aligns": ["platform/O1"], "key_results": [
                {"id": "KR1", "title": "Pages per week stay below 5", "target": 5, "keep": "below", "current": 9,
                 "confidence": 0.7}]},
            {"id": "O2", "title": "Learn Rust", "standalone": "Bottom-up, agreed with Bob", "key_results": [
                {"id": "KR1", "title": "Ship one Rust service", "done": False}]}],
        "2026-Q4/dan.yaml": [
            {"id": "O1", "title": "Win the first customers", "aligns": ["acme/O1"], "committed": True,
             "key_results": [{"id": "KR1", "title": "New customers from 0 to 30", "target": 30, "current": 0}]}],
        "2026-Q4/sales.yaml": [
            {"id": "O1", "title": "Build a repeatable sales motion", "aligns": ["acme/O1"], "key_results": [
                {"id": "KR1", "title": "Qualified leads per week from 5 to 40", "start": 5, "target": 40,
                 "current": 5}]}],
        "2026-Q4/alice.yaml": [
            {"id": "O1", "title": "Hire a VP of sales", "aligns": ["acme/O1"], "private": True, "key_results": [
                {"id": "KR1", "title": "Signed offer", "done": False}]}],
    }


_ORDER = ("id", "title", "aligns", "committed", "private", "standalone", "key_results", "review")
_KR_ORDER = ("id", "title", "start", "target", "keep", "current", "done", "unit", "confidence")


def _scalar(value: object) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def emit(objectives: list[dict]) -> str:
    out = ["objectives:"]
    for obj in objectives:
        first = True
        for key in _ORDER:
            if key not in obj:
                continue
            lead = "  - " if first else "    "
            first = False
            if key == "key_results":
                out.append(f"{lead}key_results:")
                for kr in obj["key_results"]:
                    kr_first = True
                    for k in _KR_ORDER:
                        if k in kr:
                            out.append(f"{'      - ' if kr_first else '        '}{k}: {_scalar(kr[k])}")
                            kr_first = False
            elif key == "review":
                out.append(f"{lead}review:")
                for k, v in obj["review"].items():
                    out.append(f"      {k}: {_scalar(v)}")
            else:
                out.append(f"{lead}{key}: {_scalar(obj[key])}")
    return "\n".join(out) + "\n"


def _kr(state: dict, ref: str) -> tuple[str, dict]:
    owner, obj_id, kr_id = ref.split("/")
    path = f"2026-Q4/{owner}.yaml"
    obj = next(o for o in state[path] if o["id"] == obj_id)
    return path, next(k for k in obj["key_results"] if k["id"] == kr_id)


def _value_text(value: object) -> str:
    return "done" if value is True else "not-done" if value is False else _scalar(value)


# (day, person, [(kr ref, value, confidence or None)], note, links)
Checkin = tuple[str, str, list[tuple[str, object, float | None]], str, list[str]]


def checkins() -> list[Checkin]:
    found: list[Checkin] = []

    def day(week: int, offset: int) -> str:
        return (START + timedelta(days=7 * week + offset)).isoformat()

    for w in range(13):
        # alice: the company's weekly active teams every week; its launch on Dec 10 (week 10).
        updates: list[tuple[str, object, float | None]] = [("acme/O1/KR1", 10 + 2 * w + (w > 6) * 2, None)]
        if w == 10:
            updates.append(("acme/O1/KR2", True, None))
        found.append((day(w, 1), "alice", updates, "Launch is live" if w == 10 else "", []))
        if w % 2 == 0 and w != 8:
            found.append((day(w, 2), "alice", [("eng/O1/KR1", 5 + w, None)], "", []))
        if w == 2:
            found.append((day(w, 2), "alice", [("alice/O1/KR1", False, None)], "Interviews started", []))
        # bob: platform (decreasing p95, confidence drop on Nov 19) and his committed flaky tests.
        p95 = [40, 37, 34, 31, 29, 27, 25, 26, 24, 22, 20, 18, 16][w]
        conf = 0.8 if w < 7 else 0.4 if w < 9 else 0.6
        flaky = max(5, 50 - 5 * w)
        updates = [("platform/O1/KR1", p95, conf), ("bob/O1/KR1", flaky, None)]
        if w == 11:
            updates.append(("platform/O1/KR2", True, None))
        note = {7: "Build cache regressed after the runner upgrade; rolling back",
                9: "Cache fixed, p95 falling again", 10: "Flaky tests at 5: done"}.get(w, "")
        links = ["https://ci.acme.test/dashboards/p95"] if w in (7, 9) else []
        found.append((day(w, 6 if w == 7 else 3), "bob", updates, note, links))
        # carol: pages (threshold) - misses the period Oct 29 - Nov 4 (week 4).
        if w != 4:
            pages = [9, 8, 7, 6, 0, 6, 5, 7, 6, 4, 4, 5, 3][w]
            conf = 0.7 if w < 7 else 0.3 if w < 9 else 0.6
            updates = [("carol/O1/KR1", pages, conf)]
            if w == 8:
                updates.append(("carol/O2/KR1", True, None))
            note = {7: "Two noisy alerts came back with the new cluster", 8: "First Rust service in production"}
            found.append((day(w, 6 if w == 7 else 4), "carol", updates, note.get(w, ""), []))
        # dan: customers (committed) and the team's leads; late on week 2 (checked in Oct 26).
        if w != 2:
            customers = [0, 1, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21][w]
            leads = 5 + 2 * w
            found.append((day(w, 5 if w != 3 else 4), "dan",
                          [("dan/O1/KR1", customers, None), ("sales/O1/KR1", leads, None)],
                          {3: "Catching up on last week", 7: "Two pilots converted"}.get(w, ""), []))
    return sorted(found, key=lambda c: (c[0], c[1]))


def _message(state: dict, updates: list[tuple[str, object, float | None]], note: str, links: list[str]) -> str:
    groups, parts = [], []
    for ref, value, conf in updates:
        _path, kr = _kr(state, ref)
        previous = kr["done"] if "done" in kr else kr.get("current", kr.get("start", 0))
        parts.append(f"{ref}: {_value_text(previous)} -> {_value_text(value)}")
        lines = ["Okr-Cycle: 2026-Q4", f"Okr-KR: {ref}", f"Okr-Value: {_value_text(value)}",
                 f"Okr-Previous: {_value_text(previous)}"]
        if conf is not None:
            lines.append(f"Okr-Confidence: {_scalar(conf)}")
        if kr.get("unit"):
            lines.append(f"Okr-Unit: {kr['unit']}")
        lines += [f"Okr-Link: {link}" for link in links]
        groups.append("\n".join(lines))
    subject = "checkin " + ", ".join(parts)
    return "\n\n".join([subject, *([note] if note else []), "\n".join(groups)]) + "\n"


def _write(repo: Path, state: dict) -> None:
    for rel, objectives in state.items():
        path = repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(emit(objectives), encoding="utf-8")


def _commit(repo: Path, message: str, when: str, person: str | None, paths: list[str]) -> None:
    name, email = (PEOPLE[person], f"{person}@acme.test") if person else ("Okr Tester", "tester@acme.test")
    env = git_env(GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when, GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email,
                  GIT_COMMITTER_NAME=name, GIT_COMMITTER_EMAIL=email)
    git(repo, "add", "--", *paths, env=env)
    git(repo, "commit", "-q", "--no-gpg-sign", "--allow-empty", "-F", "-", input=message.encode(), env=env)


def events() -> list[tuple[str, str, object]]:
    """(when, kind, payload) in order: check-ins, hand edits, objective changes, review notes."""
    found: list[tuple[str, str, object]] = []
    per_day: dict[str, int] = {}
    for c in checkins():
        n = per_day.get(c[0], 0)
        per_day[c[0]] = n + 1
        found.append((f"{c[0]}T{9 + n:02d}:00:00+00:00", "checkin", c))
    found += [
        ("2026-11-23T16:00:00+00:00", "hand-edit", None),
        ("2026-11-24T16:00:00+00:00", "add-objective", None),
        ("2026-11-25T16:00:00+00:00", "retitle", None),
        ("2026-12-30T10:00:00+00:00", "postmortem", None),
    ]
    return sorted(found, key=lambda e: e[0])


def build(path: Path, until: str | None = None, state: dict | None = None) -> Path:
    """The repository at `path`, with every commit dated on or before `until` (all when None)."""
    state = copy.deepcopy(state or initial_state())
    init_repo(path)
    (path / "okr.yaml").write_text(CONFIG, encoding="utf-8")
    (path / "org.yaml").write_text(ORG, encoding="utf-8")
    _write(path, state)
    _commit(path, "Q4 OKRs\n", "2026-10-01T08:00:00+00:00", None, ["."])
    for when, kind, payload in events():
        if until is not None and when[:10] > until:
            break
        if kind == "checkin":
            _day, person, updates, note, links = payload
            message = _message(state, updates, note, links)
            touched = set()
            for ref, value, conf in updates:
                rel, kr = _kr(state, ref)
                kr["done" if "done" in kr else "current"] = value
                if conf is not None:
                    kr["confidence"] = conf
                touched.add(rel)
            _write(path, state)
            _commit(path, message, when, person, sorted(touched))
        elif kind == "hand-edit":
            _rel, kr = _kr(state, "eng/O1/KR1")
            kr["current"] = kr["current"] + 1
            _write(path, state)
            _commit(path, "Count the hotfix deploys too\n", when, "alice", ["2026-Q4/eng.yaml"])
        elif kind == "add-objective":
            state["2026-Q4/sales.yaml"].append(
                {"id": "O2", "title": "Open a second market", "aligns": ["acme/O1"], "key_results": [
                    {"id": "KR1", "title": "Signed partner in Germany", "done": False}]})
            _write(path, state)
            _commit(path, "Add the second-market objective\n", when, "dan", ["2026-Q4/sales.yaml"])
        elif kind == "retitle":
            obj = state["2026-Q4/eng.yaml"][0]
            obj["title"] = "Ship every day, safely"
            obj["key_results"][0]["target"] = 25
            obj["key_results"][0]["title"] = "Deploys per week from 5 to 25"
            _write(path, state)
            _commit(path, "Raise the deploy goal\n", when, "alice", ["2026-Q4/eng.yaml"])
        elif kind == "postmortem":
            dan = state["2026-Q4/dan.yaml"][0]
            dan["review"] = {"notes": "Pilots converted late: procurement took 6 weeks, not 2.\n"
                                      "Next time: start legal review in week 1."}
            carol = state["2026-Q4/carol.yaml"][0]
            carol["review"] = {"score": 0.5, "notes": "Pages held below 5 only half of the weeks."}
            _write(path, state)
            _commit(path, "Q4 postmortems\n", when, "alice", ["2026-Q4/dan.yaml", "2026-Q4/carol.yaml"])
    return path


# --- fixtures (import them into a test module to use them) -----------------------------------------

import pytest


def _built(tmp_path_factory, name: str, until: str | None) -> Path:
    from gitrepo import isolate_git

    base = tmp_path_factory.mktemp(name)
    with pytest.MonkeyPatch.context() as mp:
        isolate_git(mp, base)
        return build(base / "okrs", until=until)


@pytest.fixture(scope="session")
def quarter_repo(tmp_path_factory) -> Path:
    """The whole quarter, postmortems included (read-only: tests must not change it)."""
    return _built(tmp_path_factory, "quarter", None)


@pytest.fixture(scope="session")
def november_repo(tmp_path_factory) -> Path:
    """The same history cut after the last commit of 2026-11-27, the day of the weekly report."""
    return _built(tmp_path_factory, "november", REPORT_DAY)
