"""The HTML reports: one self-contained page, one chart per objective and per key result with
history, no script, no external URL; and user text escaped in every format (RELIABILITY C23-24).
"""

from __future__ import annotations

import json
import re
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import run
from gitrepo import commit_all, git, git_env, init_repo, isolate_git
from report_repo import REPORT_DAY, REVIEW_DAY, november_repo, quarter_repo  # noqa: F401 (fixtures)


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    isolate_git(monkeypatch, tmp_path)


class Page(HTMLParser):
    """Every start tag with its attributes, the text, and the charts by kind."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.charts: dict[str, list[dict]] = {}
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "svg":
            classes = (attributes.get("class") or "").split()
            assert "chart" in classes
            kind = next(c for c in classes if c != "chart")
            self.charts.setdefault(kind, []).append(attributes)

    def handle_data(self, data):
        self.text.append(data)


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    return page


def assert_self_contained(text: str, page: Page) -> None:
    assert text.startswith("<!doctype html>\n")
    assert "<script" not in text.lower()
    assert not re.search(r"(https?:)?//[a-z0-9]", "".join(
        v or "" for _, attrs in page.tags for v in attrs.values())), "an attribute names a URL"
    for tag, attrs in page.tags:
        assert tag not in ("script", "link", "img", "iframe", "object", "embed", "base", "a")
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        assert "src" not in attrs and "href" not in attrs
    assert "@import" not in text and "url(" not in text
    assert [t for t, _ in page.tags].count("style") == 1
    for attrs in (a for kind in page.charts.values() for a in kind):
        assert attrs.get("role") == "img" and attrs.get("aria-label")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text
    assert "@media print" in text and "@media (max-width:600px)" in text


def test_review_page_has_one_chart_per_objective_and_per_kr_with_history(quarter_repo):  # noqa: F811
    env = {"OKR_TODAY": REVIEW_DAY}
    text = run(["review", "--format", "html"], cwd=quarter_repo, env=env).stdout
    data = json.loads(run(["review", "--format", "json"], cwd=quarter_repo, env=env).stdout)
    page = parse(text)
    assert_self_contained(text, page)
    objectives = data["objectives"]
    with_history = [k for o in objectives for k in o["key_results"] if k["history"]]
    assert len(objectives) == 9 and len(with_history) == 10
    # One bar per objective (plus the company's), one burn-up per KR with history, one band chart.
    bars = [a["aria-label"] for a in page.charts["bar"]]
    assert len(bars) == len(objectives) + 1
    for o in objectives:
        ref = o["ref"].split(":")[1]
        assert sum(label.startswith(f"{ref} ") for label in bars) == 1
        shown = Decimal(repr(o["score"])).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)  # half-up, SPEC 3
        assert any(f"score {shown}, {o['band']}" in label for label in bars if label.startswith(ref))
    burnups = [a["aria-label"] for a in page.charts["burnup"]]
    assert sorted(label.split(":")[0] for label in burnups) == sorted(k["ref"].split(":")[1] for k in with_history)
    assert len(page.charts["bands"]) == 1
    assert "1 red, 3 yellow, 5 green" in page.charts["bands"][0]["aria-label"]


def test_report_page(november_repo):  # noqa: F811
    text = run(["report", "--format", "html"], cwd=november_repo, env={"OKR_TODAY": REPORT_DAY}).stdout
    page = parse(text)
    assert_self_contained(text, page)
    data = json.loads(run(["report", "--format", "json"], cwd=november_repo, env={"OKR_TODAY": REPORT_DAY}).stdout)
    moved = [m for t in data["teams"] for m in t["moved"] if m["recent"]]
    assert len(page.charts["spark"]) == len(moved) == 7
    # A check-in's link is shown as text, never fetched or linked.
    assert "https://ci.acme.test/dashboards/p95" in "".join(page.text)


# ------------------------------------------------------------------ escaping, every format

HOSTILE = "<script>alert(1)</script> | ::error::pwned [red]x[/] @acme/eng <!-- `code` *b*"
HOSTILE_NOTE = "first line\n::error file=a,line=1::boom\n<script>alert(2)</script> | cell | <!-- x"


def hostile_repo(base: Path) -> Path:
    def q(text: str) -> str:
        return json.dumps(text)

    files = {
        "okr.yaml": "company: acme\ncycle: 2026-Q4\n",
        "org.yaml": ("company: {id: acme, name: " + q(HOSTILE) + "}\n"
                     "teams:\n  eng: {name: " + q(HOSTILE) + "}\n"
                     "people:\n  eve: {name: " + q(HOSTILE) + ", team: eng, email: eve@acme.test}\n"),
        "2026-Q4/acme.yaml": ("objectives:\n  - id: O1\n    title: " + q(HOSTILE) + "\n    committed: true\n"
                              "    review:\n      notes: " + q(HOSTILE_NOTE) + "\n"
                              "    key_results:\n      - id: KR1\n        title: " + q(HOSTILE) + "\n"
                              "        target: 10\n        current: 0\n        unit: " + q("<b>|") + "\n"),
        "2026-Q4/eve.yaml": ("objectives:\n  - id: O1\n    title: " + q(HOSTILE) + "\n    standalone: "
                             + q(HOSTILE) + "\n    key_results:\n      - id: KR1\n        title: " + q(HOSTILE)
                             + "\n        done: false\n"),
    }
    repo = init_repo(base, files, message="OKRs")
    git(repo, "commit", "--amend", "-q", "--no-gpg-sign", "--no-edit", "--date=2026-11-01T10:00:00+00:00",
        env=git_env(GIT_COMMITTER_DATE="2026-11-01T10:00:00+00:00"))
    (repo / "2026-Q4/acme.yaml").write_text(
        (repo / "2026-Q4/acme.yaml").read_text(encoding="utf-8").replace("current: 0", "current: 4"),
        encoding="utf-8")
    message = (f"checkin acme/O1/KR1\n\n{HOSTILE_NOTE}\n\nOkr-Cycle: 2026-Q4\nOkr-KR: acme/O1/KR1\n"
               "Okr-Value: 4\nOkr-Previous: 0\nOkr-Link: javascript:alert(3)\n"
               "Okr-Link: https://x.test/a|b<c>\n")
    commit_all(repo, message, date="2026-11-25T10:00:00+00:00")
    return repo


def no_workflow_command(text: str) -> None:
    for line in text.splitlines():
        assert not line.lstrip().startswith("::"), line


@pytest.mark.parametrize("command, today", [("report", "2026-11-27"), ("review", "2027-01-04")])
def test_user_text_is_escaped_in_every_format(tmp_path, command, today):
    repo = hostile_repo(tmp_path / "hostile")
    env = {"OKR_TODAY": today}
    out = {fmt: run([command, "--format", fmt], cwd=repo, env=env) for fmt in ("text", "markdown", "json", "html")}
    for fmt, result in out.items():
        assert result.exit_code == 0, (fmt, result.stderr)
        no_workflow_command(result.stdout)

    html = out["html"].stdout
    page = parse(html)
    assert_self_contained(html, page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;script&gt;alert(2)" in html
    assert "<!-- " not in html and "&lt;!-- " in html
    if command == "report":
        assert "javascript:alert(3)" in "".join(page.text)  # a check-in's link: shown as text only
    assert HOSTILE in "".join(page.text)  # and reads exactly as written

    md = out["markdown"].stdout
    assert "<script>" not in md and "<!--" not in md and "@acme" not in md
    columns = None
    for line in md.splitlines():  # every row of a table has as many cells as its header
        cells = len(re.findall(r"(?<!\\)\|", line))
        if not line.startswith("|"):
            columns = None
        elif columns is None:
            columns = cells
        else:
            assert cells == columns, line
    assert "\\[red\\]" in md

    text = out["text"].stdout
    assert "[red]x[/]" in text  # printed literally, not read as markup
    assert "<script>alert(1)</script>" in text  # a terminal shows it as text

    data = json.loads(out["json"].stdout)
    assert HOSTILE in json.dumps(data, ensure_ascii=False)


def test_the_demo_company_review_page(tmp_path, monkeypatch):
    """The page `okr demo` suggests: Acme's quarter, fifteen people, every chart in place."""
    from okrcli.plans.demo import build_demo

    isolate_git(monkeypatch, tmp_path, identity=False)
    root = build_demo(tmp_path / "demo")
    env = {"OKR_TODAY": "2027-01-04"}
    out = tmp_path / "review.html"
    assert run(["review", "--format", "html", "--output", str(out)], cwd=root, env=env).exit_code == 0
    text = out.read_text(encoding="utf-8")
    page = parse(text)
    assert_self_contained(text, page)
    data = json.loads(run(["review", "--format", "json"], cwd=root, env=env).stdout)
    with_history = sum(1 for o in data["objectives"] for k in o["key_results"] if k["history"])
    assert len(page.charts["bar"]) == len(data["objectives"]) + 1
    assert len(page.charts["burnup"]) == with_history > 0
    report = run(["report", "--since", "2026-12-01", "--format", "html"], cwd=root, env=env)
    assert report.exit_code == 0
    assert_self_contained(report.stdout, parse(report.stdout))
