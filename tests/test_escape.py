"""One escaper per output format (okrcli/render/escape.py): for any text, what it returns cannot
leave its context, and every command that prints a title in that format goes through it."""

from __future__ import annotations

import csv
import html as html_module
import io
import json
import re
import unicodedata

import pytest
from conftest import run
from gitrepo import commit_all, init_repo, isolate_git
from hypothesis import example, given, settings
from hypothesis import strategies as st

from okrcli.render import escape
from okrcli.safe_text import visible

# Any text, with more of the characters that matter than chance would give.
HOSTILE_CHARS = "|<>&@:`*_[]()#+-=!~$\\\"'%,;{}\n\r\t\x1b\x00\x7f\u202e\u2066\u200b 0123456789."
texts = st.text(alphabet=st.one_of(st.sampled_from(HOSTILE_CHARS), st.characters()), max_size=60)
PROPERTY = settings(max_examples=300, deadline=None)

CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _unescaped(char: str, out: str) -> list[int]:
    """Positions of `char` in `out` not preceded by an odd number of backslashes."""
    found = []
    for m in re.finditer(re.escape(char), out):
        slashes = len(out[: m.start()]) - len(out[: m.start()].rstrip("\\"))
        if slashes % 2 == 0:
            found.append(m.start())
    return found


def _md_unescape(out: str) -> str:
    text = re.sub(r"\\(.)", r"\1", out.replace("\u200b", ""))
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


@PROPERTY
@given(texts)
@example("a | b <!-- c --> @team ::error::x")
@example("# heading")
@example("1. list")
@example("2.7 s")
@example("---")
@example("::::")
def test_markdown_stays_in_its_cell(text):
    out = escape.markdown(text)
    assert "\n" not in out and "\r" not in out and not CONTROLS.search(out)
    assert "<" not in out and ">" not in out
    for char in "|`*_[]~$":
        assert _unescaped(char, out) == [], (char, out)
    assert not re.search(r"@(?!\u200b)", out)  # no mention
    assert "::" not in out  # no workflow command when printed in a CI log
    # Opens no block after "> " or "- ": no heading, list item, setext underline or rule.
    assert not re.match(r"(#{1,6}|[+-]|[0-9]{1,9}[.)])([ \t]|\Z)", out) and not re.fullmatch(r"[=-]+[ \t]*", out)
    # A table row with the text in a cell still has exactly its three cells.
    row = f"| a | {out} | c |"
    assert len(_unescaped("|", row)) == 4
    if "\u200b" not in text:  # (a zero-width space of its own would be taken for one okr added)
        assert _md_unescape(out) == visible(text)  # nothing lost, only escaped


@PROPERTY
@given(texts)
def test_html_has_no_markup_and_round_trips(text):
    out = escape.html(text)
    assert not set("<>\"'") & set(out)
    assert not re.search(r"&(?!amp;|lt;|gt;|quot;|#x27;)", out)  # every & starts one of its entities
    assert "\n" not in out and not CONTROLS.search(out)
    assert html_module.unescape(out) == visible(text)


@PROPERTY
@given(texts, st.booleans())
def test_github_message_cannot_end_its_command(text, keep_newlines):
    out = escape.github_data(text, keep_newlines=keep_newlines)
    assert "\n" not in out and "\r" not in out and not CONTROLS.search(out.replace("\t", ""))
    back = out.replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")
    assert back == visible(text, keep_newlines=keep_newlines)


@PROPERTY
@given(texts)
def test_github_property_cannot_end_its_value(text):
    out = escape.github_property(text)
    assert not set("\n\r:,") & set(out)
    back = out.replace("%2C", ",").replace("%3A", ":").replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")
    assert back == visible(text)
    line = f"::warning file={out},title=t::message"
    assert re.fullmatch(r"::warning file=[^:,\n]*,title=t::message", line)


@PROPERTY
@given(st.lists(st.one_of(texts, st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False)), max_size=5))
def test_csv_cells_round_trip_and_never_start_a_formula(values):
    cells = [escape.csv_cell(v) for v in values]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    assert out.getvalue().count("\n") == 1  # one record on one line
    if cells:
        assert next(csv.reader(io.StringIO(out.getvalue()))) == cells
    for value, cell in zip(values, cells):
        if isinstance(value, str):
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
            shown = visible(value)
            assert cell == ("'" + shown if shown.startswith(("=", "+", "-", "@")) else shown)


@PROPERTY
@given(texts)
def test_mermaid_label_stays_quoted(text):
    out = escape.mermaid(text)
    assert not set('"[](){}<>|`\\\n') & set(out)
    back = re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), out)
    assert back == visible(text)


@PROPERTY
@given(texts)
def test_dot_label_stays_quoted(text):
    out = escape.dot(text)
    assert "\n" not in out and _unescaped('"', out) == []
    assert re.sub(r"\\(.)", r"\1", out) == visible(text)


@PROPERTY
@given(texts)
def test_text_is_one_visible_line(text):
    out = escape.text(text)
    assert "\n" not in out and not CONTROLS.search(out)
    assert all(unicodedata.category(c) != "Cc" for c in out)


# --- every command that prints a title, in every format, through the one escaper ----------

TITLE = "a | b <!-- c --> @team `x` ::error::x 100% *y* [l](u) & # \x1b[31m \u202e \"q\" {z} \\ , =1+2"
KR_TITLE = "=cmd|' /C calc'!A0 | <b>k</b>"
ORG = """\
company: {id: acme, name: Acme Inc.}
teams:
  eng: {name: Engineering, lead: alice}
people:
  alice: {name: Alice Chen, team: eng, email: alice@acme.test}
"""


def _okrs(title: str) -> str:
    return (f"objectives:\n  - id: O1\n    title: {json.dumps(title)}\n    key_results:\n"
            f"      - id: KR1\n        title: {json.dumps(KR_TITLE)}\n        start: 0\n        target: 10\n"
            "        current: 2\n  - id: O2\n    title: " + json.dumps(title + " 2") + "\n    key_results: []\n")


@pytest.fixture
def hostile(tmp_path, monkeypatch):
    isolate_git(monkeypatch, tmp_path)
    repo = init_repo(tmp_path / "repo", {"okr.yaml": "company: acme\ncycle: 2026-Q4\n", "org.yaml": ORG,
                                         "2026-Q4/acme.yaml": _okrs("Old title")})
    (repo / "2026-Q4" / "acme.yaml").write_text(_okrs(TITLE), encoding="utf-8")
    commit_all(repo, "Retitle")
    checked = run(["checkin", "acme/O1/KR1", "5"], cwd=repo, env=ENV)  # so okr report shows the KR moved
    assert checked.exit_code == 0, checked.stderr
    return repo


ENV = {"OKR_TODAY": "2026-11-20"}


def _out(repo, *args) -> str:
    r = run(list(args), cwd=repo, env=ENV)
    assert r.exit_code in (0, 1), (args, r.stderr)
    assert "Traceback" not in r.stderr
    return r.stdout


@pytest.mark.parametrize("args,title", [
    (("review", "--format", "markdown"), TITLE), (("status", "--format", "markdown"), TITLE),
    (("diff", "HEAD~2..HEAD~1", "--format", "markdown"), TITLE), (("report", "--format", "markdown"), KR_TITLE),
])
def test_markdown_commands_print_the_one_escaping(hostile, args, title):
    out = _out(hostile, *args)
    assert escape.markdown(title) in out
    assert "<!--" not in out and "@team" not in out and "::error" not in out and "\x1b" not in out
    tables: list[list[int]] = [[]]
    for line in out.splitlines():
        if line.startswith("|"):
            tables[-1].append(len(_unescaped("|", line)))
        elif tables[-1]:
            tables.append([])
    assert any(tables)
    for cells in tables:  # every row of a table has as many cells as its header: no title breaks out
        assert len(set(cells)) <= 1, cells


@pytest.mark.parametrize("args", [("review", "--format", "html"), ("report", "--format", "html")])
def test_html_commands_print_the_one_escaping(hostile, args):
    out = _out(hostile, *args)
    assert escape.html(TITLE if args[0] == "review" else KR_TITLE) in out
    assert "<!--" not in out and "<b>k" not in out and "\x1b" not in out and "\u202e" not in out


def test_site_pages_print_the_one_escaping(hostile, tmp_path):
    r = run(["site", "--output", str(tmp_path / "site")], cwd=hostile, env=ENV)
    assert r.exit_code == 0, r.stderr
    pages = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "site").rglob("*.html")}
    assert any(escape.html(TITLE) in text for text in pages.values())
    for text in pages.values():
        assert "<!--" not in text and "<b>k" not in text and "\x1b" not in text


@pytest.mark.parametrize("args", [("diff", "HEAD~2..HEAD~1", "--format", "github")])
def test_github_commands_print_the_one_escaping(hostile, args):
    out = _out(hostile, *args)
    assert out
    for line in out.splitlines():
        assert re.match(r"::(warning|notice|error) [^:\n]*::", line), line
    assert escape.github_data(TITLE) in out and "\x1b" not in out


def test_status_github_annotations_escape_names_and_titles(hostile):
    out = _out(hostile, "status", "--format", "github")
    for line in out.splitlines():
        assert re.match(r"::(warning|notice|error) [^:\n]*::", line), line
    assert "\x1b" not in out


@pytest.mark.parametrize("args", [("export", "--format", "csv"), ("list", "--format", "csv", "--krs")])
def test_csv_commands_print_the_one_escaping(hostile, args):
    out = _out(hostile, *args)
    rows = list(csv.reader(io.StringIO(out)))
    cells = {c for row in rows for c in row}
    assert escape.csv_cell(TITLE) in cells
    assert escape.csv_cell(KR_TITLE) in cells and not any(c.startswith("=") for c in cells)


@pytest.mark.parametrize("fmt,escaper", [("mermaid", escape.mermaid), ("dot", escape.dot)])
def test_graph_commands_print_the_one_escaping(hostile, fmt, escaper):
    out = _out(hostile, "tree", "--format", fmt)
    assert escaper(TITLE) in out and "\x1b" not in out
    labels = re.findall(r'\["(.*?)"\]' if fmt == "mermaid" else r'label="((?:[^"\\]|\\.)*)"', out)
    assert any(escaper(TITLE) in label for label in labels)


@pytest.mark.parametrize("args", [("tree",), ("show", "acme/O1"), ("list",), ("review",), ("status",)])
def test_text_commands_print_the_one_escaping(hostile, args):
    out = _out(hostile, *args)
    assert escape.text(TITLE) in out and "\x1b" not in out and "\u202e" not in out


@PROPERTY
@given(texts)
@example("Plain title, 40% of it")
@example("1. first")
@example("= rule")
def test_markdown_returns_plain_text_as_it_is_only_when_every_step_would(text):
    """The shortcut for text without markup, controls or mentions gives what every step gives."""
    assert escape.markdown(text) == escape._markdown_escaped(text)
    assert escape.text(text) == visible(text)
