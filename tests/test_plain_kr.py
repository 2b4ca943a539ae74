"""A key result of the common shape is read in one pass (`okr_file._plain_kr`): it must be the very
object the full reading builds, and any key result the full reading finds something in (or reads
differently) must go to the full reading."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from okrcli.load import okr_file, source

KEYS = {
    "id": ["KR1", "kr-2", "'KR3'", "yes", "1", "K R", "''"],
    "title": ["Ship it", "'Quoted'", "\"\"", "' '", "yes", "12", "null", "2026-01-02", "[a, b]"],
    "start": ["0", "10", "-2.5", "'5'", "1e3", "0x10", "yes", "[1]", "1234567890123456"],
    "target": ["50", "0", "7.25", "'50'", "no", "+3", "{a: 1}"],
    "current": ["20", "-1", "3.5", "'x'", "~"],
    "confidence": ["0.5", "1", "0", "1.5", "-0.1", "'0.5'"],
    "weight": ["1", "2", "0", "-1", "0.5"],
    "score": ["0.7", "2", "'0.7'"],
    "done": ["true", "false", "yes", "off", "'true'", "maybe", "1"],
    "keep": ["above", "below", "'above'", "sideways", "yes"],
    "unit": ["users", "'%'", "''", "yes", "3"],
    "description": ["Why", "''", "no"],
    "due": ["2026-11-02", "2027-01-01", "soon"],
    "sum_of": ["[a/O1/KR1]", "[]"],
    "rollup": ["aligned", "sideways"],
    "extra": ["1"],
}


def _mapping(pairs: list[tuple[str, str]]):
    text = "".join(f"{key}: {value}\n" for key, value in pairs)
    diags: list = []
    value, ok = source.parse_yaml(text, "2026-Q4/bob.yaml", diags)
    return (value if ok and not diags else None), text


def _compare(pairs: list[tuple[str, str]]) -> None:
    m, text = _mapping(pairs)
    if m is None:
        return
    fast = okr_file._plain_kr(m, 4, 7, "2026-Q4/bob.yaml")
    diags: list = []
    full = okr_file._read_key_result(m, 4, 7, "2026-Q4/bob.yaml", diags, None)
    if fast is None:
        return
    assert diags == [], text
    assert full is not None and type(fast) is type(full), text
    assert dataclasses.astuple(fast) == dataclasses.astuple(full), text  # spans too (compare=False in ==)
    assert fast.spans is m.pos and fast.loc == full.loc


pairs = st.lists(st.sampled_from(sorted(KEYS)).flatmap(lambda k: st.tuples(st.just(k), st.sampled_from(KEYS[k]))),
                 max_size=8, unique_by=lambda p: p[0])


@settings(max_examples=600, deadline=None)
@given(pairs)
def test_the_one_pass_reading_is_the_full_reading_or_declines(items):
    _compare(items)


def test_the_common_shapes_take_the_one_pass_reading():
    shapes = [
        [("id", "KR1"), ("title", "Raise it"), ("start", "10"), ("target", "50"), ("current", "20"),
         ("unit", "users"), ("confidence", "0.6"), ("weight", "1")],
        [("id", "KR2"), ("title", "Ship it"), ("done", "false"), ("confidence", "0.9"), ("weight", "2")],
        [("id", "KR3"), ("title", "Keep it low"), ("target", "5"), ("keep", "below"), ("description", "''")],
    ]
    for shape in shapes:
        m, text = _mapping(shape)
        assert okr_file._plain_kr(m, 1, 1, "2026-Q4/bob.yaml") is not None, text
        _compare(shape)


def test_anything_to_report_goes_to_the_full_reading():
    for shape in ([("id", "KR1"), ("title", "x"), ("target", "'50'")],
                  [("id", "KR1"), ("title", "x"), ("done", "true"), ("target", "5")],
                  [("id", "KR1"), ("title", "x"), ("target", "5"), ("keep", "sideways")],
                  [("id", "KR1"), ("title", "x")],
                  [("id", "KR1"), ("title", "x"), ("done", "true"), ("due", "2026-11-02")],
                  [("id", "KR1"), ("title", "x"), ("target", "5"), ("extra", "1")]):
        m, text = _mapping(shape)
        assert okr_file._plain_kr(m, 1, 1, "2026-Q4/bob.yaml") is None, text
