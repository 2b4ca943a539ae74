"""`okr site` on the demo: every page walked, every link followed, nothing external, nothing private;
and the folder written all-or-nothing, replacing only an earlier site."""

from __future__ import annotations

import json
import os
import posixpath
import re
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import run, write_repo
from gitrepo import commit_all, init_repo, isolate_git

AT = "2026-12-31"


class Links(HTMLParser):
    """The tags, attributes and text of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(text: str) -> Links:
    page = Links()
    page.feed(text)
    page.close()
    return page


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo repository and its site as of the quarter's last day (built once for the module)."""
    from okrcli.plans.demo import build_demo

    tmp = tmp_path_factory.mktemp("site")
    with pytest.MonkeyPatch.context() as mp:
        isolate_git(mp, tmp, identity=False)
        root = build_demo(tmp / "demo")
        result = run(["site", "--at", AT, "--output", str(tmp / "site")], cwd=root)
        assert result.exit_code == 0, result.stderr
        export = json.loads(run(["export", "--format", "json", "--at", AT, "--include-private"], cwd=root).stdout)
        log = json.loads(run(["log", "--format", "json"], cwd=root).stdout)["checkins"]
        yield root, tmp / "site", result, export, log


def pages(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8") for p in sorted(site.rglob("*.html"))}


def test_the_demo_site_has_the_pages_it_promises(demo):
    _root, site, result, export, _ = demo
    written = pages(site)
    public = [o for o in export["objectives"] if not o["private"]]
    people = ["alice", "bob", "diego", "hana", "ines", "jun", "kofi", "lena", "maya", "mei", "omar", "priya",
              "rosa", "sam", "tom"]
    teams = ["eng", "growth", "ops", "platform", "product-eng", "sales", "sre"]
    expected = {"index.html", "review.html", "follow-up.html",
                *(f"teams/{t}.html" for t in teams), *(f"people/{p}.html" for p in people),
                *(f"objectives/2026-Q4/{o['owner']}/{o['id']}.html" for o in public)}
    annual = {p for p in written if p.startswith("objectives/2026/")}  # what the quarter aligns to
    assert annual and set(written) == expected | annual
    assert (site / "style.css").is_file() and (site / ".okr-site").is_file()
    assert result.stdout.startswith(f"wrote {site}/: {len(written) + 2} files")


def test_every_page_is_self_contained_and_every_link_resolves(demo):
    _, site, _, _, _ = demo
    written = set(pages(site)) | {"style.css"}
    linked: set[str] = set()
    for rel, text in pages(site).items():
        assert text.startswith("<!doctype html>\n"), rel
        lowered = text.lower()
        assert "http://" not in lowered and "https://" not in lowered, rel
        assert "<script" not in lowered and "@import" not in lowered and "url(" not in lowered, rel
        page = parse(text)
        stylesheets = [a for t, a in page.tags if t == "link"]
        assert stylesheets == [{"rel": "stylesheet", "href": posixpath.relpath("style.css", posixpath.dirname(rel)
                                                                                 or ".")}], rel
        for tag, attrs in page.tags:
            assert tag not in ("script", "img", "iframe", "object", "embed", "base", "form"), (rel, tag)
            assert not any(k.startswith("on") for k in attrs), (rel, tag, attrs)
            assert "src" not in attrs, (rel, tag)
            href = attrs.get("href")
            if href is None:
                continue
            assert not re.match(r"^([a-z][a-z0-9+.-]*:|/|#)", href), (rel, href)  # relative, no scheme
            target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), href))
            assert target in written, (rel, href)
            linked.add(target)
        # A breadcrumb and the footer on every page.
        assert '<nav class="crumbs" aria-label="Breadcrumb">' in text, rel
        assert re.search(r"<footer>Generated from commit [0-9a-f]{12} on 2026-12-31 by okr site", text), rel
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text
    assert linked == written  # every page is reachable from another page, and the stylesheet from all
    css = (site / "style.css").read_text(encoding="utf-8")
    assert "@media print" in css and "@media (max-width:600px)" in css
    assert "url(" not in css and "@import" not in css and "http" not in css


def test_private_objectives_appear_nowhere(demo):
    _, site, _, export, log = demo
    private = [o for o in export["objectives"] if o["private"]]
    assert private, "the demo has a private objective"
    secrets = {o["title"] for o in private} | {k["title"] for o in private for k in o["key_results"]}
    keys = {k["ref"] for o in private for k in o["key_results"]}
    public_notes = {c["note"] for c in log if c["ref"] not in keys}  # one commit may check in both kinds
    secrets |= {c["note"] for c in log if c["ref"] in keys and c["note"] and c["note"] not in public_notes}
    secrets |= {f"{o['owner']}/{o['id']}" for o in private}  # not even its reference
    assert len(secrets) >= 4
    everything = "\n".join(pages(site).values()) + (site / "style.css").read_text(encoding="utf-8")
    for secret in secrets:
        for line in secret.splitlines():
            assert line.strip() and line not in everything, line
    for o in private:
        assert f"{o['owner']}/{o['id']}.html" not in "\n".join(pages(site)), o["ref"]
    # A public objective aligned to by nothing private still counts only public objectives.
    assert f"Company roll-up ({sum(1 for o in export['objectives'] if not o['private'] and o['cycle'] == '2026-Q4')}" \
        in (site / "index.html").read_text(encoding="utf-8")


def test_objective_pages_carry_their_check_in_notes_links_and_burn_ups(demo):
    root, site, _, export, log = demo
    written = pages(site)
    review = json.loads(run(["review", "--format", "json", "--at", AT], cwd=root).stdout)
    reviewed = {o["ref"]: o for o in review["objectives"]}
    checked = 0
    for o in (o for o in export["objectives"] if not o["private"] and o["cycle"] == "2026-Q4"):
        text = written[f"objectives/2026-Q4/{o['owner']}/{o['id']}.html"]
        page_text = " ".join("".join(parse(text).text).split())
        krs = {k["ref"] for k in o["key_results"]}
        for c in log:
            if c["ref"] in krs and c["date"][:10] <= AT:
                if c["note"]:
                    assert " ".join(c["note"].split()) in page_text, (o["ref"], c["note"])
                    checked += 1
                for link in c["links"]:  # shown as text, never as a link
                    assert link in page_text and f'href="{link}' not in text
        # One burn-up per key result with a history, as the review counts them (derived KRs included).
        with_history = [k for k in reviewed[o["ref"]]["key_results"] if k["history"]]
        assert text.count('class="chart burnup"') == len(with_history) > 0, o["ref"]
    assert checked > 20


def test_alignment_up_down_and_sideways_are_links_between_objective_pages(demo):
    _, site, _, _, _ = demo
    text = pages(site)["objectives/2026-Q4/platform/O1.html"]
    sections = {m.group(1): m.group(2) for m in re.finditer(r"<h3>(Up|Down|Sideways: what depends on it)[^<]*"
                                                              r"</h3>(.*?)(?=<h3>|</section>)", text, re.DOTALL)}
    assert 'href="../eng/O1.html"' in sections["Up"]  # the shortest relative link
    assert 'href="../alice/O1.html"' in sections["Down"] and "(drives KR1)" in sections["Down"]
    assert 'href="../product-eng/O1.html"' in sections["Sideways: what depends on it"]


def test_the_index_has_the_tree_the_numbers_and_every_team(demo):
    _, site, _, export, _ = demo
    text = (site / "index.html").read_text(encoding="utf-8")
    for team in ("eng", "growth", "ops", "platform", "product-eng", "sales", "sre"):
        assert f'href="teams/{team}.html"' in text
    for label in ("Fill-in", "Check-ins up to date", "Focus", "Follow-up", "Collaboration", "Activation"):
        assert f'<div class="muted">{label}</div>' in text
    health = json.loads(run(["health", "--format", "json", "--at", AT], cwd=demo[0]).stdout)["scopes"][0]
    focus = Decimal(repr(health["indices"]["focus"])).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    assert f'<div class="muted">Focus</div><div class="big">{focus}</div>' in text  # SPEC 3: one decimal
    public = [o for o in export["objectives"] if not o["private"] and o["cycle"] == "2026-Q4"]
    for o in public:  # the whole quarter's tree, each objective linked to its page
        assert f'href="objectives/2026-Q4/{o["owner"]}/{o["id"]}.html"' in text


def test_the_site_is_the_same_on_every_run_and_replaces_its_earlier_self(demo, tmp_path):
    root, site, _, _, _ = demo
    before = pages(site)
    again = run(["site", "--at", AT, "--output", str(site)], cwd=root)
    assert again.exit_code == 0, again.stderr
    assert pages(site) == before
    assert [p.name for p in site.parent.iterdir() if p.name.startswith(".site.")] == []  # no temporary left


@pytest.fixture
def small(tmp_path, monkeypatch):
    isolate_git(monkeypatch, tmp_path)
    return write_repo(tmp_path / "okrs", {})


@pytest.mark.parametrize("make", ["folder", "file", "symlink", "symlink-to-site", "marker-not-okrs",
                                  "marker-a-link"])
def test_a_target_that_is_not_an_earlier_site_is_refused_and_left_alone(small, tmp_path, make):
    target = tmp_path / "out"
    if make == "folder":
        target.mkdir()
        (target / "notes.txt").write_text("mine", encoding="utf-8")
    elif make == "file":
        target.write_text("mine", encoding="utf-8")
    elif make.startswith("marker"):
        target.mkdir()
        (target / "index.html").write_text("my own page", encoding="utf-8")
        if make == "marker-a-link":
            (tmp_path / "elsewhere").write_text("okr-site\n", encoding="utf-8")
            os.symlink(tmp_path / "elsewhere", target / ".okr-site")
        else:
            (target / ".okr-site").write_text("not okr\n", encoding="utf-8")
    else:
        real = tmp_path / "real"
        assert run(["site", "--output", str(real)], cwd=small).exit_code == 0
        os.symlink(real if make == "symlink-to-site" else tmp_path, target)
    snapshot = sorted((p.relative_to(tmp_path).as_posix(), p.is_symlink()) for p in tmp_path.rglob("*"))
    result = run(["site", "--output", str(target)], cwd=small)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"okr: error: --output {target}: ")
    assert "Traceback" not in result.stderr
    if make == "folder" or make.startswith("marker"):
        assert "is not a site okr wrote (it holds no .okr-site file from okr)" in result.stderr
    elif make == "file":
        assert "is not a folder" in result.stderr
    else:
        assert "is a symbolic link; okr does not write through links" in result.stderr
    assert sorted((p.relative_to(tmp_path).as_posix(), p.is_symlink()) for p in tmp_path.rglob("*")) == snapshot


def test_a_fresh_folder_an_empty_one_and_a_missing_parent(small, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run(["site", "--output", str(empty)], cwd=small).exit_code == 0
    assert (empty / "index.html").is_file() and (empty / ".okr-site").is_file()
    default = run(["site"], cwd=small)
    assert default.exit_code == 0 and (small / "okr-site" / "index.html").is_file()
    missing = run(["site", "--output", str(tmp_path / "no" / "such")], cwd=small)
    assert missing.exit_code == 2 and f"the folder {tmp_path / 'no'} does not exist" in missing.stderr
    inside_git = run(["site", "--output", str(tmp_path / ".git" / "site")], cwd=small)
    assert inside_git.exit_code == 2 and "inside a .git folder" in inside_git.stderr


def test_a_failure_while_writing_leaves_the_earlier_site_and_no_temporary_folder(small, tmp_path, monkeypatch):
    target = tmp_path / "out"
    assert run(["site", "--output", str(target)], cwd=small).exit_code == 0
    before = pages(target)
    from okrcli.render import site as render

    def broken(site_data):
        yield "index.html", iter(["<!doctype html>\n"])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(render, "pages", broken)
    result = run(["site", "--output", str(target)], cwd=small)
    assert result.exit_code == 2
    assert result.stderr.endswith(f"okr: error: --output {target}: cannot write the site: No space left on "
                                  "device\nhint: the earlier site, if any, is as it was\n")
    assert pages(target) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")) == []

    def interrupted(site_data):
        yield "index.html", iter(["<!doctype html>\n"])
        raise KeyboardInterrupt

    monkeypatch.setattr(render, "pages", interrupted)
    result = run(["site", "--output", str(target)], cwd=small)
    assert result.exit_code == 130 and result.stderr.endswith("okr: interrupted\n")
    assert pages(target) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")) == []


HOSTILE = '<script>alert(1)</script> [red]x[/] "q" \u202e'


def test_user_text_is_escaped_and_private_left_out_unless_asked(small, tmp_path):
    (small / "2026-Q4" / "bob.yaml").write_text(f"""\
objectives:
  - id: O1
    title: '{HOSTILE}'
    aligns: [acme/O1]
    key_results:
      - {{id: KR1, title: 'KR <b>bold</b>', target: 5}}
  - id: O2
    title: Secret acquisition of Initech
    private: true
    aligns: [acme/O1]
    key_results:
      - {{id: KR1, title: Term sheet signed, done: false}}
""", encoding="utf-8")
    out = tmp_path / "s"
    assert run(["site", "--output", str(out)], cwd=small).exit_code == 0
    everything = "\n".join(pages(out).values())
    assert "<script>" not in everything and "<b>bold</b>" not in everything
    assert "&lt;script&gt;alert(1)&lt;/script&gt; [red]x[/] &quot;q&quot; \\u202e" in everything
    assert "Initech" not in everything and "Term sheet" not in everything
    assert not (out / "objectives" / "2026-Q4" / "bob" / "O2.html").exists()
    assert "private objective" not in everything  # nothing public aligns to it
    assert run(["site", "--output", str(out), "--include-private"], cwd=small).exit_code == 0
    assert "Initech" in (out / "objectives" / "2026-Q4" / "bob" / "O2.html").read_text(encoding="utf-8")
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "includes private objectives" in index
    assert "<footer>Generated from the files on disk (not a git repository) on " in index


def test_check_in_notes_of_private_key_results_stay_out(small, tmp_path):
    (small / "2026-Q4" / "bob.yaml").write_text("""\
objectives:
  - id: O1
    title: Make builds fast
    aligns: [acme/O1]
    key_results:
      - {id: KR1, title: Build minutes from 30 to 10, start: 30, target: 10, current: 30}
  - id: O2
    title: Quietly buy a competitor
    private: true
    aligns: [acme/O1]
    key_results:
      - {id: KR1, title: Term sheet signed, done: false}
""", encoding="utf-8")
    init_repo(small)
    commit_all(small, "OKRs")
    env = {"OKR_TODAY": "2026-11-02"}
    assert run(["checkin", "bob/O2/KR1", "done", "--note", "Initech said yes", "--link", "https://x.test/deal"],
               cwd=small, env=env).exit_code == 0
    assert run(["checkin", "bob/O1/KR1", "20", "--note", "Cache warmed"], cwd=small, env=env).exit_code == 0
    out = tmp_path / "s"
    assert run(["site", "--output", str(out)], cwd=small, env=env).exit_code == 0
    everything = "\n".join(pages(out).values())
    assert "Cache warmed" in everything  # on bob/O1's page, and in the follow-up
    assert "Initech" not in everything and "x.test" not in everything and "Term sheet" not in everything
    assert run(["site", "--output", str(out), "--include-private"], cwd=small, env=env).exit_code == 0
    secret = (out / "objectives" / "2026-Q4" / "bob" / "O2.html").read_text(encoding="utf-8")
    assert "Initech said yes" in secret and "https&#58;//x.test/deal" in secret


def test_team_pages_list_the_check_ins_owed_in_the_team_and_below_it(tmp_path, monkeypatch):
    from pulse_repo import TODAY, build

    isolate_git(monkeypatch, tmp_path)
    root = build(tmp_path / "okrs")
    out = tmp_path / "s"
    assert run(["site", "--output", str(out)], cwd=root, env={"OKR_TODAY": TODAY}).exit_code == 0

    def owed(page: str) -> list[str]:
        text = (out / page).read_text(encoding="utf-8")
        section = text.split("<h2>Check-ins owed", 1)[1]
        return re.findall(r'<span class="ref">([a-z]+/O\d/KR\d)</span>', section)

    # eng owes itself and alice is in eng; bob, in platform below it, is counted in its subteams' table.
    assert owed("teams/eng.html") == ["eng/O1/KR1", "alice/O2/KR1"]
    eng = (out / "teams" / "eng.html").read_text(encoding="utf-8")
    assert re.search(r'<a href="platform.html">Platform</a></td>.*<td class="n wide" data-label="Check-ins owed">1'
                     r"</td></tr>", eng)
    assert "And 1 key result in its subteams" in eng
    assert owed("teams/platform.html") == ["bob/O1/KR1"]
    assert owed("teams/sales.html") == ["sales/O1/KR1"]
    assert owed("people/alice.html") == ["alice/O2/KR1"]
    assert owed("people/carol.html") == []
    carol = (out / "people" / "carol.html").read_text(encoding="utf-8")
    assert "No objectives for 2026-Q4 yet." in carol and "None: Carol Diaz is up to date." in carol
    platform = (out / "teams" / "platform.html").read_text(encoding="utf-8")
    assert '<h2>Without OKRs for 2026-Q4</h2><ul class="links"><li><a href="../people/carol.html">' in \
        platform.replace("\n", "")


def test_the_one_html_escaper_shows_controls_and_escapes_markup_for_any_text():
    import html

    from hypothesis import given
    from hypothesis import strategies as st

    from okrcli.render.svg import esc
    from okrcli.safe_text import visible

    @given(st.text())
    def same(text):
        assert esc(text) == html.escape(visible(text), quote=True)

    same()
    assert esc("a\u202eb<\n") == "a\\u202eb&lt;\\n"


def test_the_follow_up_built_beside_is_the_one_built_here(demo, tmp_path):
    root = demo[0]
    forked = tmp_path / "forked"
    serial = tmp_path / "serial"
    assert run(["site", "--at", AT, "--output", str(forked)], cwd=root).exit_code == 0
    assert run(["site", "--at", AT, "--output", str(serial)], cwd=root, env={"OKR_WORKERS": "1"}).exit_code == 0
    assert pages(forked) == pages(serial)
    assert "Moved" in pages(forked)["follow-up.html"]


def test_work_beside_is_done_here_when_the_child_fails(tmp_path):
    from okrcli.beside import Beside

    parent = os.getpid()
    mark = tmp_path / "done"

    def work():
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        mark.write_text("parent", encoding="utf-8")

    assert Beside(work).finish() is False
    assert mark.read_text(encoding="utf-8") == "parent"

    def quiet_work():
        print("never shown")
        (tmp_path / "child").write_text(str(os.getpid() != parent), encoding="utf-8")

    assert Beside(quiet_work).finish() is True
    assert (tmp_path / "child").read_text(encoding="utf-8") == "True"


def test_chart_coordinates_keep_their_one_decimal_form():
    from hypothesis import given
    from hypothesis import strategies as st

    from okrcli.render.svg import _f

    @given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
    def same(x):
        assert _f(x) == f"{x:.1f}".rstrip("0").rstrip(".")  # the form the charts always had

    same()
    assert (_f(10.0), _f(0.04), _f(-0.04), _f(12.25)) == ("10", "0", "-0", "12.2")


def test_an_objective_whose_key_result_failed_to_load_reads_n_a(tmp_path, monkeypatch):
    """SPEC 3: its score is unknown; the site says so and where, instead of failing."""
    isolate_git(monkeypatch, tmp_path)
    broken = ("objectives:\n  - id: O1\n    title: Ship a product customers love\n    key_results:\n"
              "      - {id: KR1, title: Weekly active teams to 50, start: 10, target: \"50\", current: 20}\n"
              "      - {id: KR2, title: Launch page live, done: true}\n")
    root = init_repo(tmp_path / "repo", {"okr.yaml": "company: acme\ncycle: 2026-Q4\n",
                                         "org.yaml": "company: {id: acme, name: Acme Inc.}\n",
                                         "2026-Q4/acme.yaml": broken})
    result = run(["site", "--output", "site"], cwd=root, env={"OKR_TODAY": "2026-11-15"})
    assert result.exit_code == 0, result.stderr
    page = next((root / "site" / "objectives").rglob("O1.html")).read_text(encoding="utf-8")
    assert '<div class="big">n/a</div>' in page
    assert "a key result failed to load at 2026-Q4/acme.yaml:5" in page
