"""History read from one git log stream: the quick reading of the usual record gives exactly
what the careful reading gives, for any message, split into parts anywhere."""

from __future__ import annotations

from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from okrcli.gitstore.read import LOG_FORMAT, log_commit, log_records
from okrcli.load.history import _Filter, _Reading, checkins_from_message

SHA, PARENT = "a" * 40, "b" * 40
assert LOG_FORMAT.startswith("%x1e%H%x1f%P")


def record(message: str, date: str = "2026-11-02T10:00:00+01:00", sha: str = SHA, parents: str = PARENT) -> str:
    return f"{sha}\x1f{parents}\x1fAlice Chen\x1falice@acme.test\x1f{date}\x1f{message}\x1d{sha}\n"


def careful(text: str) -> tuple[list, list]:
    commit = log_commit(text, False)
    problems: list[str] = []
    try:
        when = datetime.fromisoformat(commit.date)
    except ValueError:
        return [], ["date"]
    found = checkins_from_message(commit.message, date=when, author_name=commit.author_name,
                                  author_email=commit.author_email, commit=commit.sha, skipped=problems)
    return found, problems


def quick(text: str) -> tuple[list, list]:
    reading = _Reading(_Filter(None, None, None), hand_edits=False)
    reading.add([text])
    reading.add([text])  # the second time every text is known: the quick path, if any
    assert reading.found[: len(reading.found) // 2] == reading.found[len(reading.found) // 2:]
    return reading.found[: len(reading.found) // 2], [why for _, why in reading.skipped[:1]]


values = st.sampled_from(["25", "-3", "1e3", "done", "not-done", "0.5", "1e999", "x" * 41, "12abc", "true"])
levels = st.sampled_from(["0.6", "1", "1.5", "-0.1", "high"])
units = st.sampled_from(["min", "%", "req/s", "a" * 70, "m\x1b[31m"])
refs = st.sampled_from(["alice/O1/KR1", "alice/O1", "bad ref", "a/b/c/d"])
cycles = st.sampled_from(["2026-Q4", "2026", "Q4", "2026-Q9"])


@st.composite
def messages(draw) -> str:
    lines = [f"Okr-Cycle: {draw(cycles)}", f"Okr-KR: {draw(refs)}", f"Okr-Value: {draw(values)}"]
    if draw(st.booleans()):
        lines.append(f"Okr-Previous: {draw(values)}")
    if draw(st.booleans()):
        lines.append(f"Okr-Confidence: {draw(levels)}")
    if draw(st.booleans()):
        lines.append(f"Okr-Unit: {draw(units)}")
    head = draw(st.sampled_from(["checkin alice/O1/KR1: 3", "subject\n\nbody line\n\nmore", "s\n", "s\n\n\nx"]))
    tail = draw(st.sampled_from(["\n", "", "\n\n", "\nSigned-off-by: A <a@b>\n", "\n\nSigned-off-by: A <a@b>\n"]))
    return head + "\n\n" + "\n".join(lines) + tail


@settings(max_examples=300, deadline=None)
@given(messages(), st.sampled_from(["2026-11-02T10:00:00+01:00", "10000-01-01T00:00:00+00:00"]))
def test_the_quick_reading_equals_the_careful_one(message, date):
    text = record(message, date)
    found, problems = careful(text)
    quick_found, quick_problems = quick(text)
    assert quick_found == found
    assert bool(quick_problems) == bool(problems)


@settings(max_examples=100, deadline=None)
@given(st.lists(messages(), min_size=1, max_size=6), st.integers(min_value=1, max_value=97))
def test_records_split_anywhere_come_out_whole(found_messages, size):
    texts = [record(m + "\x1e" + SHA + "x", sha=f"{n:040x}") for n, m in enumerate(found_messages)]
    stream = "".join("\x1e" + t for t in texts).encode()
    parts = [stream[i:i + size] for i in range(0, len(stream), size)]
    assert [t for batch in log_records(parts) for t in batch] == texts


@settings(max_examples=100, deadline=None)
@given(st.lists(messages(), min_size=1, max_size=5), st.integers(min_value=1, max_value=97),
       st.lists(st.integers(min_value=0, max_value=4), min_size=1, max_size=5))
def test_a_record_made_up_inside_a_message_is_part_of_that_message(found_messages, size, forged):
    """A message may hold what looks like the start (and the end) of another record, with
    another author: it stays in its message, and no record is cut short or made up."""
    fake = record("checkin\n\nOkr-Cycle: 2026-Q4\nOkr-KR: mallory/O1/KR1\nOkr-Value: 9", sha="f" * 40)
    texts = []
    for n, message in enumerate(found_messages):
        inside = "".join("\x1e" + fake for _ in range(forged[n % len(forged)]))
        texts.append(record(f"{message[:5]}{inside}{message[5:]}", sha=f"{n:040x}"))
    stream = "".join("\x1e" + t for t in texts).encode()
    parts = [stream[i:i + size] for i in range(0, len(stream), size)]
    got = [t for batch in log_records(parts) for t in batch]
    assert got == texts
    assert [log_commit(t, False).message for t in got] == [t.split("\x1f", 5)[5].rsplit("\x1d", 1)[0] for t in texts]


def test_the_usual_record_is_read_without_the_careful_reading(monkeypatch):
    text = record("checkin alice/O1/KR1: 3 -> 4 min\n\nwarmed the cache\n\nOkr-Cycle: 2026-Q4\n"
                  "Okr-KR: alice/O1/KR1\nOkr-Value: 4\nOkr-Previous: 3\nOkr-Confidence: 0.6\nOkr-Unit: min\n")
    reading = _Reading(_Filter(None, None, None), hand_edits=False)
    reading.add([text])  # the texts are learned here
    careful_reads = []
    monkeypatch.setattr(_Reading, "_slow", lambda self, commit: careful_reads.append(commit))
    reading.add([text])
    assert careful_reads == []
    first, second = reading.found
    assert first == second and second.note == "warmed the cache" and second.unit == "min"
    assert (second.value, second.previous, second.confidence) == (4, 3, 0.6)
