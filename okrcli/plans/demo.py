"""The demo repository: Acme's fourth quarter of 2026 as a git history of weekly check-ins.

`build_demo(DIR)` copies the example bundled with the package (`okrcli/examples/acme`,
the same files as `examples/acme/` in a checkout), sets every key result of
2026-Q4 back to where the quarter started, and replays a fixed story: each
owner checks in every week (Mondays, mostly), with notes, links, a missed
week, confidence that drops and recovers, a committed objective finished and
graded, and an end-of-quarter grade. Every check-in is planned by the same code
as `okr checkin` / `okr grade` (in-place edits, the same commit message and
trailers), and all commits are written by one `git fast-import` with fixed
author and committer dates, so two runs give the same commits, byte for byte,
and other tests can build goldens on it.

The story is data (`PLOTS`, `NOTES`, `LINKS`, `AWAY`, `GRADES`); nothing here
prints. `okr demo` (commands/demo.py) builds it and shows it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from importlib import resources
from pathlib import Path

import yaml

from ..edit import Change, apply_changes
from ..errors import OkrError
from ..files import make_folders
from .checkin import Sources, plan_checkin, plan_grade

try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - only without libyaml
    _Loader = yaml.SafeLoader

Value = bool | int | float

CYCLE = "2026-Q4"
YEAR = "2026"
FIRST_DAY = date(2026, 10, 1)
LAST_DAY = date(2026, 12, 31)  # "today" in the demo's own output
WEEKS = 13  # Mondays Oct 5 .. Dec 28, one in each weekly period of the quarter
ZONE = timezone(timedelta(hours=1))
BRANCH = "main"
# Who the demo repository's git config says you are, so `okr checkin` knows your key results.
YOU = "alice"
# Who checks in for the company and for each team (else the team's lead in org.yaml).
SPEAKS_FOR = {"acme": "sam"}


def monday(week: int) -> date:
    """The Monday of week 1..13 of the quarter (week 0: the day before the quarter)."""
    return date(2026, 9, 30) if week == 0 else date(2026, 10, 5) + timedelta(weeks=week - 1)


def steps(changes: dict[int, Value], first: Value) -> tuple[Value, ...]:
    """Weekly values 1..13 that start at `first` and change at the given weeks."""
    out, value = [], first
    for week in range(1, WEEKS + 1):
        value = changes.get(week, value)
        out.append(value)
    return tuple(out)


@dataclass(frozen=True)
class Plot:
    """The quarter of one key result (`CYCLE:OWNER/OBJ/KR`, the cycle defaults to 2026-Q4).

    Numeric KRs move from where the quarter starts to `final`, reached in week
    `by`, along `fraction ** curve`; a milestone is done from week `done`;
    `values` gives every week's value outright (thresholds); `same` mirrors
    another KR. `confidence` maps a week (0 = the opening) to the confidence
    from then on; a KR that reaches its target or is done goes to 1.0.
    `weeks` limits the check-ins to those weeks.
    """

    ref: str
    final: Value | None = None
    by: int = WEEKS
    curve: float = 1.0
    done: int | None = None
    values: tuple[Value, ...] | None = None
    same: str | None = None
    confidence: dict[int, float] = field(default_factory=dict)
    opening: Value | None = None
    weeks: tuple[int, ...] | None = None


P = Plot
PLOTS: tuple[Plot, ...] = (
    # People, each their own.
    P("alice/O1/KR1", values=steps({4: 2, 9: 3}, 1), confidence={0: 0.7, 4: 0.8}),
    P("alice/O1/KR2", final=52, confidence={0: 0.8}),
    P("alice/O1/KR3", done=5),
    P("alice/O2/KR1", final=6, curve=1.3, confidence={0: 0.5, 6: 0.3}),
    P("bob/O1/KR1", values=steps({6: 1, 10: 2}, 0), confidence={0: 0.7}),
    P("bob/O1/KR2", done=12, confidence={0: 0.6}),
    P("omar/O1/KR1", final=0, by=11, confidence={0: 0.8}),
    P("omar/O1/KR2", final=8, confidence={0: 0.6}),
    P("jun/O1/KR1", final=64, by=12, confidence={0: 0.7}),
    P("jun/O1/KR2", values=(1350, 1420, 1380, 1510, 1460, 1890, 1640, 1490, 1420, 1400, 1380, 1390, 1370)),
    P("jun/O2/KR1", done=7, confidence={0: 0.5, 3: 0.7}),
    P("jun/O2/KR2", opening=0, values=steps({6: 1}, 0)),
    P("priya/O1/KR1", values=steps({3: 1, 6: 2, 9: 3}, 0), confidence={0: 0.7}),
    P("priya/O1/KR2", done=4),
    P("tom/O1/KR1", values=steps({3: 1, 7: 2, 10: 3}, 0), confidence={0: 0.8}),
    P("tom/O1/KR2", final=55, confidence={0: 0.6, 8: 0.5}),
    P("ines/O1/KR1", final=65, confidence={0: 0.6}),
    P("ines/O1/KR2", done=6),
    P("kofi/O1/KR1", values=steps({4: 1, 7: 2, 8: 3}, 0), confidence={0: 0.8}),
    P("kofi/O1/KR2", final=11600, curve=1.2, confidence={0: 0.4, 9: 0.2}),
    P("kofi/O1/KR3", done=11, confidence={0: 0.7}),
    P("rosa/O1/KR1", final=5.6, confidence={0: 0.6, 8: 0.5}),
    P("rosa/O1/KR2", final=33, confidence={0: 0.5, 8: 0.4}),
    P("mei/O1/KR1", values=steps({4: 1, 11: 2}, 0), confidence={0: 0.6, 6: 0.3, 10: 0.5}),
    P("mei/O1/KR2", final=150000, curve=1.3, confidence={0: 0.6}),
    # Teams, checked in by their leads.
    P("platform/O1/KR1", same="alice/O1/KR1", confidence={0: 0.6, 6: 0.5, 11: 0.3}),
    P("platform/O1/KR2", final=64, confidence={0: 0.5, 7: 0.6}),
    P("platform/O1/KR3", final=83, confidence={0: 0.7}),
    P("platform/O2/KR1", final=70, curve=0.6, confidence={0: 0.6, 6: 0.3, 12: 0.2}),
    P("platform/O2/KR2", confidence={0: 0.6, 6: 0.4, 11: 0.2}),
    P("sre/O1/KR1", values=(99.98, 99.99, 99.98, 99.97, 99.98, 99.93, 99.93, 99.94, 99.96, 99.97, 99.98,
                            99.98, 99.98)),
    P("sre/O1/KR2", final=5, confidence={0: 0.7, 10: 0.5}),
    P("sre/O1/KR3", final=100, by=11, confidence={0: 0.8}),
    P("sre/O2/KR1", final=2.45, confidence={0: 0.6, 8: 0.5}),
    P("sre/O2/KR2", done=4),
    P("product-eng/O1/KR1", final=12, curve=0.8, confidence={0: 0.6, 9: 0.8}),
    P("product-eng/O1/KR3", final=41, confidence={0: 0.5, 7: 0.4}),
    P("product-eng/O2/KR1", done=3),
    P("product-eng/O2/KR2", done=10, confidence={0: 0.7, 6: 0.4, 8: 0.6}),
    P("product-eng/O2/KR3", values=steps({5: 1, 10: 2}, 0), confidence={0: 0.5, 11: 0.4}),
    P("product-eng/O3/KR1", final=6, by=8),
    P("product-eng/O3/KR2", done=12),
    P("eng/O1/KR1", final=72, curve=0.9, confidence={0: 0.5, 5: 0.6}),
    P("eng/O1/KR2", done=9, confidence={0: 0.6, 5: 0.8}),
    P("eng/O2/KR1", same="product-eng/O1/KR1"),
    P("eng/O2/KR2", final=3, by=11, confidence={0: 0.8}),
    P("eng/O3/KR1", done=3),
    P("eng/O3/KR2", same="product-eng/O2/KR2"),
    P("growth/O1/KR1", final=17, curve=1.2, confidence={0: 0.5, 6: 0.4, 10: 0.3}),
    P("growth/O1/KR2", final=205, confidence={0: 0.7}),
    P("growth/O2/KR1", final=450, confidence={0: 0.5, 9: 0.4}),
    P("growth/O2/KR2", values=steps({4: 1, 7: 2, 8: 3, 11: 4}, 0), confidence={0: 0.8}),
    P("sales/O1/KR1", final=405000, curve=1.4, confidence={0: 0.6, 6: 0.5, 10: 0.7}),
    P("sales/O2/KR1", values=(0.9, 1.1, 0.8, 1.0, 1.2, 0.9, 0.7, 1.0, 1.3, 0.9, 0.8, 1.1, 0.9)),
    P("sales/O2/KR2", done=2),
    P("ops/O1/KR1", values=steps({3: 1, 7: 2, 11: 3}, 0), confidence={0: 0.5, 12: 0.2}),
    P("ops/O1/KR2", final=23, confidence={0: 0.7}),
    P("ops/O2/KR1", done=9, confidence={0: 0.6}),
    P("ops/O2/KR2", final=171, by=10, confidence={0: 0.8}),
    # The company's quarter, checked in by the CEO from the teams' numbers.
    P("acme/O1/KR1", same="sales/O1/KR1"),
    P("acme/O1/KR2", same="growth/O1/KR1"),
    P("acme/O1/KR3", same="product-eng/O2/KR2"),
    P("acme/O2/KR1", same="eng/O1/KR1"),
    P("acme/O2/KR2", same="platform/O1/KR3"),
    P("acme/O2/KR3", same="sre/O1/KR1"),
    P("acme/O3/KR1", same="product-eng/O1/KR1"),
    P("acme/O3/KR2", same="product-eng/O1/KR3"),
    P("acme/O4/KR1", same="ops/O1/KR1"),
    P("acme/O4/KR2", done=12),
    P("acme/O4/KR3", values=steps({9: 36}, 34)),
    # The company's year, checked in at the end of October, November and December.
    *(P(f"{YEAR}:{ref}", weeks=(4, 9, 13), values=values, confidence=confidence) for ref, values, confidence in (
        ("acme/O1/KR1", steps({4: 2550000, 9: 2690000, 13: 2890000}, 2480000), {0: 0.6, 13: 0.8}),
        ("acme/O1/KR2", steps({4: 174, 9: 179, 13: 186}, 171), {0: 0.7, 13: 0.5}),
        ("acme/O1/KR3", steps({9: 115, 13: 116}, 114), {}),
        ("acme/O2/KR1", steps({4: 77, 9: 80, 13: 83}, 76), {0: 0.6, 13: 0.7}),
        ("acme/O2/KR2", steps({4: 98, 9: 80, 13: 66}, 104), {}),
        ("acme/O2/KR3", steps({9: 99.95, 13: 99.96}, 99.97), {}),
        ("acme/O3/KR1", steps({9: 11, 13: 12}, 9), {0: 0.7}),
        ("acme/O3/KR2", steps({9: 36}, 34), {}),
        ("acme/O3/KR3", steps({13: 4}, 3), {}),
    )),
)

# When each owner checks in: days after Monday, and the time of day (in ZONE).
SCHEDULE: dict[str, tuple[int, time]] = {
    "alice": (0, time(9, 5)), "bob": (0, time(9, 20)), "omar": (0, time(9, 10)), "jun": (0, time(9, 40)),
    "priya": (0, time(9, 30)), "tom": (0, time(10, 15)), "ines": (0, time(10, 45)),
    "kofi": (1, time(9, 50)), "rosa": (1, time(11, 30)), "mei": (0, time(11, 0)),
    "sre": (0, time(14, 0)), "platform": (0, time(14, 30)), "product-eng": (0, time(15, 0)),
    "eng": (0, time(16, 0)), "growth": (0, time(15, 30)), "sales": (0, time(12, 0)),
    "ops": (2, time(10, 0)), "acme": (0, time(17, 30)), YEAR: (0, time(18, 0)),
}

# Weeks an owner did not check in.
AWAY: frozenset[tuple[str, int]] = frozenset({
    ("kofi", 7), ("kofi", 8),  # two conferences in a row: one week missed, one late
    ("mei", 12),  # on the road closing the Nordics deal: late by a week
    ("rosa", 13),  # on holiday from Dec 22; her key results owe a check-in at the end
})

NOTES: dict[tuple[str, int], str] = {
    ("acme", 1): "First Monday of the quarter: every team has checked in.",
    ("alice", 1): "Frankfurt racks are powered; traffic shadowing starts next week.",
    ("product-eng", 3): "SAML single sign-on is generally available, a week early.",
    ("eng", 3): "SSO shipped; the audit log is next.",
    ("alice", 4): "Frankfurt serves production traffic: EU runners fetch in half the time.",
    ("sre", 4): "Lifecycle rules move untouched artifacts to cold storage every night.",
    (YEAR, 4): "October close: 2.55M EUR ARR, 174 paying customers.",
    ("alice", 5): "Prefetching hot artifacts on warm-up is live in both PoPs.",
    ("sre", 6): "Virginia storage node ran out of disk on Nov 6: 26 minutes of cache misses. "
                "Postmortem written; capacity alerts now fire at 80%.",
    ("jun", 6): "The Nov 6 disk incident counts against the capacity KR; the forecast would have caught it.",
    ("platform", 6): "macOS images leak the Xcode path into every cache key. Fixing it needs the "
                     "toolchain normaliser, which will not land before the end of the quarter.",
    ("product-eng", 6): "The Datadog export needs a rewrite of the event pipeline: audit log GA moves "
                        "from Nov 16 to Dec 7.",
    ("eng", 6): "Audit log slips three weeks (Datadog export); still inside the quarter.",
    ("mei", 6): "Two of the three Enterprise deals wait for the audit log; both buyers know the new date.",
    ("jun", 7): "The capacity forecast is published every Monday.",
    ("kofi", 9): "Back from BuildConf and DevOpsDays: two talks given, and the remote caching post "
                 "spent a day on the front page of Hacker News.",
    ("alice", 9): "Virginia is live: three PoPs serve production traffic.",
    ("eng", 9): "Both new PoPs are in production.",
    (YEAR, 9): "November close: 2.69M EUR ARR, 179 paying customers.",
    ("product-eng", 10): "Audit log with S3 and Datadog export is generally available.",
    ("eng", 10): "The Enterprise plan is complete: SSO and audit log are both generally available.",
    ("mei", 10): "Audit log shipped. The Nordics deal signs next week; the third deal slips to January.",
    ("acme", 10): "The Enterprise plan is generally available.",
    ("platform", 11): "The Singapore PoP slips to Q1: its hardware is held in customs.",
    ("kofi", 11): "Tutorial published: a 1M-line monorepo cached in 9 minutes.",
    ("ops", 12): "Our fourth candidate declined; the search restarts in January.",
    ("rosa", 12): "Last check-in before my holidays; back on January 4.",
    ("product-eng", 12): "Go/no-go memo reviewed by the leadership team: go, as a paid add-on in 2027-H1.",
    ("sre", 13): "Pages per week end at 5, one short of the committed 4: the December traffic peak "
                 "brought two new noisy alerts.",
    ("platform", 13): "Hermeticity and the drift detector both wait for the toolchain normaliser; "
                      "we carry both into Q1.",
    ("acme", 13): "Last check-in of the quarter. Reviews this week.",
    (YEAR, 13): "Year-end close: 2.89M EUR ARR, 186 paying customers, 12 engineers hired.",
}

LINKS: dict[tuple[str, int], tuple[str, ...]] = {
    ("product-eng", 3): ("https://git.acme.test/cache/pull/1423",),
    ("sre", 6): ("https://wiki.acme.test/postmortems/2026-11-06-virginia-disk",),
    ("jun", 7): ("https://grafana.acme.test/d/capacity-forecast",),
    ("product-eng", 10): ("https://git.acme.test/cache/pull/1502", "https://acme.test/changelog/audit-log"),
    ("kofi", 11): ("https://acme.test/blog/cache-a-monorepo-in-10-minutes",),
}

# End-of-quarter grades: (day, time, who, objective, score, note).
GRADES: tuple[tuple[date, time, str, str, float, str], ...] = (
    (date(2026, 12, 29), time(10, 0), "maya", "eng/O3", 1.0,
     ("Committed and delivered: SSO on Oct 19, the audit log on Dec 7 after a three-week slip "
      "on the Datadog export. Next time: prototype every export target before committing a date.")),
    (date(2026, 12, 30), time(11, 0), "priya", "product-eng/O3", 0.9,
     ("Six design partners instead of five, and two asked to pay for it. The memo recommends a paid "
      "add-on in 2027-H1; the prototype's test ingestion will not scale past 10k tests per build and "
      "needs a rewrite.")),
)

OPENING_SUBJECT = "Acme's OKRs for 2026-Q4"
OPENING_NOTE = ("Agreed at the planning offsite on September 28: company objectives first, "
                "then every team and person aligned to them.")


# --- where the files come from -----------------------------------------------------------------


def bundled_example() -> dict[str, bytes]:
    """The example company shipped in the package: root-relative path -> bytes."""
    base = resources.files("okrcli") / "examples" / "acme"
    files: dict[str, bytes] = {}

    def walk(folder, prefix: str) -> None:
        for entry in folder.iterdir():
            rel = f"{prefix}{entry.name}"
            if entry.is_dir():
                walk(entry, rel + "/")
            elif entry.name.endswith(".yaml"):
                files[rel] = entry.read_bytes()

    if not base.is_dir():
        raise OkrError("the example bundled with okr is missing", hint="reinstall okr (pip install --force-reinstall okrcli)")
    walk(base, "")
    return dict(sorted(files.items()))


# --- the story as values ---------------------------------------------------------------------------


def _full(ref: str) -> str:
    return ref if ":" in ref else f"{CYCLE}:{ref}"


def _decimals(value: object) -> int:
    if isinstance(value, float) and not value.is_integer():
        return len(repr(value).partition(".")[2])
    return 0


@dataclass
class _KR:
    """A key result as its file states it (raw YAML values), and where it sits."""

    key: str  # CYCLE:OWNER/OBJ/KR
    path: tuple[str | int, ...]
    raw: dict

    @property
    def kind(self) -> str:
        if "done" in self.raw and "target" not in self.raw:
            return "milestone"
        return "threshold" if "keep" in self.raw else "numeric"

    def start(self) -> Value:
        return self.raw.get("start", 0)

    def reached(self, value: Value) -> bool:
        if self.kind == "milestone":
            return value is True
        if self.kind == "threshold":
            return False
        start, target = self.start(), self.raw["target"]
        return (value - start) / (target - start) >= 1

    def rounded(self, value: float) -> Value:
        """A value written as the file writes this KR's numbers."""
        numbers = [self.raw.get(k) for k in ("start", "target", "current")]
        numbers = [n for n in numbers if isinstance(n, (int, float)) and not isinstance(n, bool)]
        size = max((abs(n) for n in numbers), default=0)
        if size >= 100000:
            return round(value / 1000) * 1000
        if size >= 10000:
            return round(value / 100) * 100
        places = max((_decimals(n) for n in numbers), default=0)
        return round(value, places) if places else round(value)


def _key_results(files: dict[str, bytes]) -> dict[str, _KR]:
    """Every key result of the demo's files, by `CYCLE:OWNER/OBJ/KR`."""
    found = {}
    for rel, data in files.items():
        cycle, _, name = rel.partition("/")
        if not name.endswith(".yaml") or "/" in name:
            continue
        owner = name[:-5]
        doc = yaml.load(data, Loader=_Loader) or {}
        for i, obj in enumerate(doc.get("objectives") or ()):
            for j, kr in enumerate(obj.get("key_results") or ()):
                if "sum_of" in kr or "rollup" in kr:
                    continue  # derived: okr computes it from the KRs the story checks in
                key = f"{cycle}:{owner}/{obj['id']}/{kr['id']}"
                found[key] = _KR(key, ("objectives", i, "key_results", j), kr)
    return found


@dataclass(frozen=True)
class _Week:
    value: Value
    confidence: float | None


def _trajectories(krs: dict[str, _KR]) -> dict[str, list[_Week]]:
    """Each plotted KR's value and confidence for weeks 0 (the opening) to 13."""
    plots = {_full(p.ref): p for p in PLOTS}
    missing = sorted(k for k in krs if k.startswith(f"{CYCLE}:") and k not in plots)
    unknown = sorted(k for k in plots if k not in krs)
    if missing or unknown:  # the bundled example and the story must agree
        raise AssertionError(f"demo story out of step with the example: missing {missing}, unknown {unknown}")
    done: dict[str, list[_Week]] = {}

    def walk(key: str) -> list[_Week]:
        if key in done:
            return done[key]
        plot, kr = plots[key], krs[key]
        source = walk(_full(plot.same)) if plot.same else None
        weeks = []
        has_confidence = "confidence" in kr.raw or bool(plot.confidence)
        confidence = plot.confidence.get(0, kr.raw.get("confidence"))
        for week in range(WEEKS + 1):
            value = _value(plot, kr, week) if source is None else source[week].value
            if plot.confidence:
                confidence = plot.confidence.get(week, confidence)
            elif source is not None:
                confidence = source[week].confidence
            if has_confidence and kr.reached(value):
                confidence = 1.0
            weeks.append(_Week(value, confidence if has_confidence else None))
        done[key] = weeks
        return weeks

    for key in plots:
        walk(key)
    return done


def _value(plot: Plot, kr: _KR, week: int) -> Value:
    if kr.kind == "milestone":
        return plot.done is not None and week >= plot.done if week else bool(plot.opening)
    if week == 0:
        if plot.opening is not None:
            return plot.opening
        if not plot.ref.startswith(f"{CYCLE}:") and ":" in plot.ref:
            return kr.raw.get("current", kr.start())  # a longer cycle: as the file has it
        return plot.values[0] if kr.kind == "threshold" and plot.values else kr.start()
    if plot.values is not None:
        return plot.values[week - 1]
    start = kr.start()
    fraction = min(1.0, week / plot.by) ** plot.curve
    return kr.rounded(start + (plot.final - start) * fraction)


# --- the opening state ---------------------------------------------------------------------------------


def _drop_reviews(data: bytes) -> bytes:
    """The file without its objectives' `review:` blocks (a quarter starts ungraded)."""
    doc = yaml.load(data, Loader=_Loader) or {}
    if not any("review" in obj for obj in doc.get("objectives") or ()):
        return data
    lines = data.decode("utf-8").splitlines(keepends=True)
    out, blanks, skip_indent = [], [], None
    for line in lines:
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if skip_indent is not None:
            if not stripped.strip():
                blanks.append(line)
                continue
            if indent > skip_indent:
                blanks = []
                continue
            skip_indent = None
            out += blanks
            blanks = []
        if stripped.startswith("review:"):
            skip_indent = indent
            continue
        out.append(line)
    out += blanks
    result = "".join(out).encode("utf-8")
    expected = [{k: v for k, v in obj.items() if k != "review"} for obj in doc["objectives"]]
    if (yaml.load(result, Loader=_Loader) or {}).get("objectives") != expected:
        raise AssertionError("could not take the review out of the demo file")
    return result


def opening_files(example: dict[str, bytes], krs: dict[str, _KR],
                  story: dict[str, list[_Week]]) -> dict[str, bytes]:
    """The example as it stood on the first day of the quarter."""
    changes: dict[str, list[Change]] = {}
    for key, weeks in story.items():
        kr, first = krs[key], weeks[0]
        cycle, _, ref = key.partition(":")
        rel = f"{cycle}/{ref.split('/')[0]}.yaml"
        field_name = "done" if kr.kind == "milestone" else "current"
        wanted = [Change((*kr.path, field_name), first.value)]
        if first.confidence is not None:
            wanted.append(Change((*kr.path, "confidence"), first.confidence))
        changes.setdefault(rel, []).extend(
            c for c in wanted if kr.raw.get(c.path[-1]) != c.value or c.path[-1] not in kr.raw)
    out = {}
    for rel, data in example.items():
        if rel.startswith(f"{CYCLE}/"):
            data = _drop_reviews(data)
        out[rel] = apply_changes(data, changes[rel]) if changes.get(rel) else data
    return out


# --- the commits ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoCommit:
    when: datetime
    author: str  # person id
    message: str
    files: dict[str, bytes]  # root-relative path -> new bytes


def _speaker(owner: str, org) -> str:
    if owner in SPEAKS_FOR:
        return SPEAKS_FOR[owner]
    team = org.teams.get(owner)
    return team.lead if team is not None else owner


def _moment(owner: str, day: date) -> datetime:
    after, at = SCHEDULE[owner]
    return datetime.combine(day + timedelta(days=after), at, tzinfo=ZONE)


def _checkin_rounds(story: dict[str, list[_Week]]) -> Iterator[tuple[datetime, str, list[tuple[str, _Week]], str]]:
    """(when, owner, [(KR key, week's values)], schedule key) for every weekly check-in."""
    plots = {_full(p.ref): p for p in PLOTS}
    for week in range(1, WEEKS + 1):
        by_owner: dict[str, list[tuple[str, _Week]]] = {}
        for key, weeks in story.items():
            plot = plots[key]
            cycle, _, ref = key.partition(":")
            owner = ref.split("/")[0]
            slot = YEAR if cycle == YEAR else owner
            if plot.weeks is not None and week not in plot.weeks:
                continue
            if weeks[week - 1].value is True:  # a milestone done before this week: nothing to say
                continue
            if (owner, week) in AWAY:
                continue
            by_owner.setdefault(slot, []).append((key, weeks[week]))
        for slot, entries in by_owner.items():
            yield _moment(slot, monday(week)), slot, entries, (slot, week)


class _StorySources(Sources):
    """`checkin.Sources` reading the OKR files from memory (the story's files as they stand)."""

    def __init__(self, root: Path, settings, cycle: str, files: dict[str, bytes], parsed: dict):
        super().__init__(root, settings, cycle)
        self._story_files, self._parsed = files, parsed

    def load(self, cycle: str, owner: str) -> None:
        from ..load.build import load_okr_file

        rel = f"{cycle}/{owner}.yaml"
        if rel in self._files:
            return
        raw = self._story_files.get(rel)
        self._files[rel] = None
        if raw is None:
            return
        cached = self._parsed.get(rel)
        if cached is None or cached[0] is not raw:  # parse each version of a file once
            cached = (raw, load_okr_file(self.root, rel, cycle, owner, self.diagnostics, raw=raw))
            self._parsed[rel] = cached
        self.raw[rel], self._files[rel] = raw, cached[1]


def plan_commits(root: Path, files: dict[str, bytes], story: dict[str, list[_Week]]) -> Iterator[DemoCommit]:
    """Every check-in and grade of the quarter, oldest first, planned as `okr checkin` plans them.

    `files` (root-relative path -> bytes) starts as the opening state and is kept up to date.
    """
    from ..load.build import load_org
    from ..settings import load_settings

    settings = load_settings(root, [], raw=files["okr.yaml"])
    org = load_org(root, [], raw=files["org.yaml"])
    events = []
    for when, slot, entries, key in _checkin_rounds(story):
        owner = "acme" if slot == YEAR else slot
        events.append((when, _speaker(owner, org), "checkin", (entries, NOTES.get(key, ""), LINKS.get(key, ()))))
    for day, at, who, ref, score, note in GRADES:
        events.append((datetime.combine(day, at, tzinfo=ZONE), who, "grade", (ref, score, note)))
    events.sort(key=lambda e: e[0])
    parsed: dict = {}
    for when, who, kind, payload in events:
        sources = _StorySources(root, settings, CYCLE, files, parsed)
        if kind == "checkin":
            entries, note, links = payload
            wanted = [(sources.resolve(_shown_ref(key)), week.value, week.confidence) for key, week in entries]
            plan = plan_checkin(sources, wanted, note=note, links=links)
        else:
            ref, score, note = payload
            plan = plan_grade(sources, sources.resolve(ref), score, note=note)
        changed = {plan.rel(path): data for path, data in plan.changed.items()}
        files.update(changed)
        yield DemoCommit(when, who, plan.message(), changed)


def _shown_ref(key: str) -> str:
    cycle, _, ref = key.partition(":")
    return ref if cycle == CYCLE else key


# --- git -------------------------------------------------------------------------------------------------


def _stamp(when: datetime) -> str:
    return f"{int(when.timestamp())} {when.strftime('%z')}"


def fast_import_stream(commits: list[DemoCommit], people: dict[str, tuple[str, str]]) -> bytes:
    """The commits as one `git fast-import` stream on refs/heads/main (author = committer)."""
    out = bytearray()
    for n, commit in enumerate(commits, 1):
        name, email = people[commit.author]
        ident = f"{name} <{email}> {_stamp(commit.when)}"
        message = commit.message.encode("utf-8")
        out += f"commit refs/heads/{BRANCH}\nmark :{n}\nauthor {ident}\ncommitter {ident}\n".encode()
        out += b"data %d\n%s\n" % (len(message), message)
        for rel, data in sorted(commit.files.items()):
            out += f"M 100644 inline {rel}\n".encode() + b"data %d\n%s\n" % (len(data), data)
        out += b"\n"
    out += b"done\n"
    return bytes(out)


def _prepare(folder: Path) -> bool:
    """Refuse a folder that holds anything; create it if missing. True when it was created."""
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise OkrError(f"{folder} exists and is not a folder", hint="give okr demo a new folder: okr demo DIR")
    if folder.is_dir():
        if any(folder.iterdir()):
            raise OkrError(f"{folder} exists and is not empty; okr demo writes only into a new or empty folder",
                           hint="give okr demo another folder: okr demo DIR")
        return False
    try:
        make_folders(folder)
    except OSError as exc:
        raise OkrError(f"cannot create {folder}: {exc.strerror or exc}") from None
    return True


def build_demo(folder: Path) -> Path:
    """Create the demo repository in `folder` (new or empty) and return its absolute path.

    On any failure, what was created is removed again.
    """
    from ..files import check_folder

    folder = Path(folder).absolute()
    check_folder(folder)  # never a repository inside a git directory (okr's one rule for writes)
    created = _prepare(folder)
    try:
        _build(folder)
    except BaseException:
        if created:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            for entry in folder.iterdir():
                shutil.rmtree(entry, ignore_errors=True) if entry.is_dir() else entry.unlink()
        raise
    return folder


def _build(folder: Path) -> None:
    from ..load.build import load_org

    example = bundled_example()
    krs = _key_results(example)
    story = _trajectories(krs)
    opening = opening_files(example, krs, story)
    org = load_org(folder, [], raw=opening["org.yaml"])
    people = {p.id: (p.name, p.email or f"{p.id}@acme.test") for p in org.people.values()}
    first = DemoCommit(datetime.combine(monday(0), time(16, 0), tzinfo=ZONE), "sam",
                       f"{OPENING_SUBJECT}\n\n{OPENING_NOTE}\n", opening)
    files = dict(opening)
    commits = [first, *plan_commits(folder, files, story)]

    from ..gitstore import import_repository

    import_repository(folder, fast_import_stream(commits, people), branch=BRANCH, user=people[YOU])
