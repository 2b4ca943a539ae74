"""HTML is written as it is produced: `okr review --format html` (stdout or --output) and the
report page never hold the whole page in memory, and --output keeps its all-or-nothing write."""

from __future__ import annotations

import sys

import pytest
from conftest import run
from gitrepo import isolate_git
from report_repo import REPORT_DAY, REVIEW_DAY, november_repo, quarter_repo  # noqa: F401 (fixtures)

from okrcli.render import html


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    isolate_git(monkeypatch, tmp_path)


def _watch_cards(monkeypatch, seen):
    """Call `seen(n)` before the n-th objective card is rendered; pieces are flushed one by one."""
    real = html._objective_card
    count = [0]

    def card(o, r):
        seen(count[0])
        count[0] += 1
        return real(o, r)

    monkeypatch.setattr(html, "_objective_card", card)
    monkeypatch.setattr(html, "_BATCH", 1)
    return count


def test_review_html_reaches_stdout_card_by_card(quarter_repo, monkeypatch):  # noqa: F811
    env = {"OKR_TODAY": REVIEW_DAY}
    whole = run(["review", "--format", "html"], cwd=quarter_repo, env=env).stdout
    written_before: list[str] = []

    def seen(n):
        sys.stdout.flush()
        written_before.append(sys.stdout.buffer.getvalue().decode("utf-8"))

    count = _watch_cards(monkeypatch, seen)
    r = run(["review", "--format", "html"], cwd=quarter_repo, env=env)
    assert r.exit_code == 0, r.stderr
    assert r.stdout == whole  # the same page, byte for byte
    assert count[0] == 9 and len(written_before) == 9
    assert written_before[0].startswith("<!doctype html>") and "</html>" not in written_before[-1]
    # Before each card is rendered, every earlier card is already out.
    for n, out in enumerate(written_before):
        assert out.count('<article class="objective"') == n
        assert whole.startswith(out)


def test_review_html_output_is_written_beside_then_renamed(quarter_repo, tmp_path, monkeypatch):  # noqa: F811
    env = {"OKR_TODAY": REVIEW_DAY}
    whole = run(["review", "--format", "html"], cwd=quarter_repo, env=env).stdout
    out = tmp_path / "out"
    out.mkdir()
    target = out / "review.html"
    target.write_text("old\n")
    beside: list[tuple[str, int]] = []

    def seen(n):
        temps = [p for p in out.iterdir() if p.name != "review.html"]
        assert len(temps) == 1 and temps[0].name.startswith(".review.html.")
        assert target.read_text() == "old\n"  # the old page stays until the new one is whole
        beside.append((temps[0].name, temps[0].stat().st_size))

    _watch_cards(monkeypatch, seen)
    r = run(["review", "--format", "html", "--output", str(target)], cwd=quarter_repo, env=env)
    assert r.exit_code == 0, r.stderr
    assert target.read_text(encoding="utf-8") == whole
    assert [p.name for p in out.iterdir()] == ["review.html"]
    sizes = [size for _, size in beside]
    assert sizes == sorted(sizes) and sizes[0] > 0 and sizes[-1] < len(whole.encode())


def test_review_html_output_failing_midway_keeps_the_old_file(quarter_repo, tmp_path, monkeypatch):  # noqa: F811
    target = tmp_path / "review.html"
    target.write_text("old\n")

    def seen(n):
        if n == 4:
            raise OSError(28, "No space left on device")

    _watch_cards(monkeypatch, seen)
    r = run(["review", "--format", "html", "--output", str(target)], cwd=quarter_repo, env={"OKR_TODAY": REVIEW_DAY})
    assert r.exit_code == 2
    assert f"--output {target}: cannot write it: No space left on device" in r.stderr
    assert "Traceback" not in r.stderr
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir() if "review" in p.name] == ["review.html"]


def test_report_html_is_streamed_and_unchanged(november_repo, monkeypatch):  # noqa: F811
    env = {"OKR_TODAY": REPORT_DAY}
    whole = run(["report", "--format", "html"], cwd=november_repo, env=env).stdout
    real = html._page_chunks
    chunks: list[str] = []

    def page_chunks(title, body):
        for chunk in real(title, body):
            chunks.append(chunk)
            yield chunk

    monkeypatch.setattr(html, "_page_chunks", page_chunks)
    monkeypatch.setattr(html, "_BATCH", 1)
    r = run(["report", "--format", "html"], cwd=november_repo, env=env)
    assert r.exit_code == 0, r.stderr
    assert r.stdout == whole == "".join(chunks)  # the batch size never changes a byte
    assert len(chunks) > 20 and chunks[0].startswith("<!doctype html>") and chunks[-1].endswith("</html>\n")
