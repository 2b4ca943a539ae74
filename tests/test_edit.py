"""In-place YAML edits: byte-exact results, and only the intended value changes."""

from __future__ import annotations

import os
import stat
import textwrap
from collections import Counter

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okrcli.edit import Change, EditError, apply_changes, format_scalar
from okrcli.files import WriteRefused, write_atomic

KR = ("objectives", 0, "key_results")


def doc(text: str) -> bytes:
    return textwrap.dedent(text).lstrip("\n").encode("utf-8")


def edit(source: bytes, *changes: Change) -> bytes:
    return apply_changes(source, list(changes))


ALICE = doc(
    """
    # Alice's OKRs for 2026-Q4
    objectives:
      - id: O1
        title: "Make deploys boring"   # the big one
        aligns: [eng/O2, "2026:acme/O1"]
        key_results:
          - id: KR1
            title: 'p95 deploy time down to 10 minutes'
            start: 40
            target: 10
            current: 25   # minutes

            confidence: 0.6
          - {id: KR2, title: Canary analysis, target: 5, current: 1}
          - {id: KR3, title: "Flaky tests: zero", target: 0}
    """
)


def test_value_replaced_and_comments_kept():
    out = edit(ALICE, Change((*KR, 0, "current"), 22))
    assert out == ALICE.replace(b"current: 25   # minutes", b"current: 22   # minutes")


def test_float_and_confidence_replaced_together():
    out = edit(ALICE, Change((*KR, 0, "current"), 12.5), Change((*KR, 0, "confidence"), 0.75))
    expected = ALICE.replace(b"current: 25 ", b"current: 12.5 ").replace(
        b"confidence: 0.6", b"confidence: 0.75"
    )
    assert out == expected


def test_flow_mapping_value_replaced():
    out = edit(ALICE, Change((*KR, 1, "current"), 3))
    assert out == ALICE.replace(b"target: 5, current: 1}", b"target: 5, current: 3}")


def test_flow_mapping_key_added_before_closing_brace():
    out = edit(ALICE, Change((*KR, 2, "current"), 4))
    assert out == ALICE.replace(b'zero", target: 0}', b'zero", target: 0, current: 4}')


def test_quoted_values_elsewhere_untouched():
    out = edit(ALICE, Change((*KR, 0, "target"), 8))
    assert b'title: "Make deploys boring"   # the big one' in out
    assert b"title: 'p95 deploy time down to 10 minutes'" in out
    assert b'aligns: [eng/O2, "2026:acme/O1"]' in out
    assert out == ALICE.replace(b"target: 10\n", b"target: 8\n")


def test_string_values_are_quoted_when_yaml_would_misread_them():
    out = edit(ALICE, Change(("objectives", 0, "title"), "no"))
    assert b'title: "no"   # the big one' in out
    out = edit(ALICE, Change(("objectives", 0, "title"), "It's 2026-11-27: ship"))
    assert b'title: "It\'s 2026-11-27: ship"   # the big one' in out


def test_quoted_value_keeps_its_quote_style():
    out = edit(ALICE, Change((*KR, 0, "title"), "p95 under 9 minutes"))
    assert out == ALICE.replace(b"'p95 deploy time down to 10 minutes'", b"'p95 under 9 minutes'")


def test_crlf_file_keeps_crlf_and_new_lines_use_it():
    source = ALICE.replace(b"\n", b"\r\n")
    out = edit(source, Change((*KR, 0, "current"), 20), Change((*KR, 0, "score"), 0.5))
    assert out == source.replace(b"current: 25 ", b"current: 20 ").replace(
        b"confidence: 0.6\r\n", b"confidence: 0.6\r\n        score: 0.5\r\n"
    )


def test_bom_is_kept_and_offsets_account_for_it():
    source = b"\xef\xbb\xbf" + ALICE
    out = edit(source, Change((*KR, 0, "current"), 30))
    assert out == b"\xef\xbb\xbf" + ALICE.replace(b"current: 25 ", b"current: 30 ")


def test_non_ascii_text_before_the_value():
    source = doc(
        """
        objectives:
          - id: O1
            title: Zuverlässige Deploys 🚀 für alle — ça marche
            key_results:
              - {id: KR1, title: "Ünïcode ✓", target: 10, current: 1}
              - id: KR2
                title: 日本語のタイトル
                target: 5
                current: 2
        """
    )
    out = edit(source, Change((*KR, 0, "current"), 7), Change((*KR, 1, "current"), 3))
    assert out == source.replace(b"current: 1}", b"current: 7}").replace(
        b"current: 2\n", b"current: 3\n"
    )


MISSING = doc(
    """
    objectives:
      - id: O1
        title: One
        key_results:
          - id: KR1
            title: First
            target: 10
            # a comment that belongs to KR1
          - id: KR2
            title: Second
            target: 5
      - id: O2
        title: Two
        key_results:
          - id: KR1
            title: Last of the file
            target: 3
    """
)


def test_missing_current_added_when_another_kr_follows():
    out = edit(MISSING, Change((*KR, 0, "current"), 4))
    assert out == MISSING.replace(b"target: 10\n", b"target: 10\n        current: 4\n")


def test_missing_current_added_after_nested_content_of_last_kr():
    out = edit(MISSING, Change((*KR, 1, "current"), 2))
    assert out == MISSING.replace(b"target: 5\n", b"target: 5\n        current: 2\n")


def test_missing_current_added_to_last_kr_of_last_objective():
    out = edit(MISSING, Change(("objectives", 1, "key_results", 0, "current"), 1))
    assert out == MISSING + b"        current: 1\n"


def test_missing_current_added_at_end_of_file_without_newline():
    source = MISSING.rstrip(b"\n")
    out = edit(source, Change(("objectives", 1, "key_results", 0, "current"), 1))
    assert out == source + b"\n        current: 1"


def test_missing_review_mapping_added_as_block():
    out = edit(MISSING, Change(("objectives", 0, "review", "score"), 0.7))
    assert out == MISSING.replace(
        b"        target: 5\n", b"        target: 5\n    review:\n      score: 0.7\n"
    )


def test_empty_review_gets_notes_with_escaped_newlines():
    source = doc(
        """
        objectives:
          - id: O1
            title: One
            review:   # to fill in at the end
            key_results: []
        """
    )
    out = edit(source, Change(("objectives", 0, "review", "notes"), 'Went "well".\nLearned: a lot'))
    assert out == source.replace(
        b"review:   # to fill in at the end\n",
        b'review:   # to fill in at the end\n      notes: "Went \\"well\\".\\nLearned: a lot"\n',
    )
    assert yaml.safe_load(out)["objectives"][0]["review"]["notes"] == 'Went "well".\nLearned: a lot'


def test_existing_review_gets_score_and_notes_in_one_go():
    source = doc(
        """
        objectives:
          - id: O1
            title: One
            key_results: []
            review:
              notes: first
        """
    )
    out = edit(
        source,
        Change(("objectives", 0, "review", "score"), 0.4),
        Change(("objectives", 0, "review", "notes"), "second"),
    )
    assert out == source.replace(b"notes: first\n", b"notes: second\n      score: 0.4\n")


def test_block_scalar_replaced_as_a_whole_and_blank_lines_kept():
    source = doc(
        """
        objectives:
          - id: O1
            review:
              notes: |
                Line one.
                Line two.

              score: 0.3
        """
    )
    out = edit(source, Change(("objectives", 0, "review", "notes"), "Short."))
    assert out == source.replace(b"|\n        Line one.\n        Line two.\n", b"Short.\n")


def test_key_added_after_block_scalar_that_ends_the_mapping():
    source = doc(
        """
        objectives:
          - id: O1
            review:
              notes: >
                Folded
                text.

          - id: O2
        """
    )
    out = edit(source, Change(("objectives", 0, "review", "score"), 1))
    assert out == source.replace(b"text.\n", b"text.\n      score: 1\n")


def test_milestone_done_flag():
    source = doc(
        """
        objectives:
          - id: O1
            key_results:
              - id: KR2
                done: false   # milestone
        """
    )
    out = edit(source, Change((*KR, 0, "done"), True))
    assert out == source.replace(b"done: false", b"done: true")


@pytest.mark.parametrize(
    "source, change, reason",
    [
        (b"objectives: [1, 2]\n", Change(("objectives", 5, "x"), 1), r"no objectives\[5\]"),
        (b"a: {b: 1}\n", Change(("a",), 3), "mapping or a list"),
        (b"a: 1\na: 2\n", Change(("a",), 3), "more than once"),
        (b"a: &x 1\nb: *x\n", Change(("b",), 3), "alias"),
        (b"a: [\n", Change(("a",), 3), "not valid YAML"),
        (b"\xff\xfe", Change(("a",), 3), "UTF-8"),
        (b"", Change(("a",), 3), "empty"),
    ],
)
def test_edits_that_cannot_be_made_safely_raise(source, change, reason):
    with pytest.raises(EditError, match=reason):
        apply_changes(source, [change])


def test_anchor_on_edited_value_is_caught_by_the_reparse_check():
    with pytest.raises(EditError, match="would not load"):
        apply_changes(b"a: &x 1\nb: *x\n", [Change(("a",), 3)])


@pytest.mark.parametrize(
    "value, text",
    [
        (25, "25"),
        (0.6, "0.6"),
        (25.0, "25.0"),
        (1e20, "1.0e+20"),
        (-3, "-3"),
        (True, "true"),
        (False, "false"),
        ("plain words", "plain words"),
        ("no", '"no"'),
        ("On", '"On"'),
        ("010", '"010"'),
        ("1:30", '"1:30"'),
        ("2026-11-27", '"2026-11-27"'),
        ("1.10", '"1.10"'),
        ("", '""'),
        ("~", '"~"'),
        ("null", '"null"'),
        ("a: b", '"a: b"'),
        ("x # y", '"x # y"'),
        ("[red]", '"[red]"'),
        ("two\nlines", '"two\\nlines"'),
        ("bidi\u202e", '"bidi\\u202E"'),
        ("tab\there", '"tab\\there"'),
        ("élan", "élan"),
        ("- item", '"- item"'),
    ],
)
def test_format_scalar(value, text):
    assert format_scalar(value) == text
    assert yaml.load(f"k: {text}\n", Loader=yaml.CSafeLoader)["k"] == value
    assert yaml.load(f"{{k: {text}}}\n", Loader=yaml.CSafeLoader)["k"] == value


@given(st.one_of(st.text(max_size=30), st.integers(), st.floats(allow_nan=False), st.booleans()))
def test_format_scalar_round_trips(value):
    for wrapped in (f"k: {format_scalar(value)}\n", f"[{format_scalar(value)}]\n"):
        loaded = yaml.load(wrapped, Loader=yaml.CSafeLoader)
        back = loaded["k"] if isinstance(loaded, dict) else loaded[0]
        assert back == value and type(back) is type(value)


def test_write_atomic_keeps_mode_and_leaves_no_temp_file(tmp_path):
    target = tmp_path / "alice.yaml"
    target.write_bytes(b"old\n")
    os.chmod(target, 0o640)
    write_atomic(target, b"new\n")
    assert target.read_bytes() == b"new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alice.yaml"]


def test_write_atomic_creates_a_new_file_and_refuses_symlinks(tmp_path):
    write_atomic(tmp_path / "new.yaml", b"x\n")
    assert (tmp_path / "new.yaml").read_bytes() == b"x\n"
    (tmp_path / "link.yaml").symlink_to(tmp_path / "new.yaml")
    with pytest.raises(WriteRefused, match="symbolic link"):
        write_atomic(tmp_path / "link.yaml", b"y\n")
    assert (tmp_path / "new.yaml").read_bytes() == b"x\n"


def test_write_atomic_failure_keeps_old_file(tmp_path, monkeypatch):
    target = tmp_path / "alice.yaml"
    target.write_bytes(b"old\n")

    def crash(src, dst):
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk gone"):
        write_atomic(target, b"new\n")
    assert target.read_bytes() == b"old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alice.yaml"]


# --- property: editing one numeric value changes exactly that value ---------------------------

_words = st.text(
    alphabet=st.characters(
        codec="utf-8", exclude_categories=("Cc", "Cs", "Cf", "Zl", "Zp", "Co", "Cn")
    ),
    min_size=1,
    max_size=20,
)
_numbers = st.one_of(st.integers(-(10**6), 10**6), st.floats(-1e6, 1e6, allow_nan=False).map(float))


@st.composite
def okr_files(draw):
    """An OKR file in varied layouts: (text, numeric value paths, missing `current` paths)."""
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    bom = draw(st.booleans())
    lines, numeric, missing = [], [], []
    if draw(st.booleans()):
        lines.append("# " + draw(_words).replace("\n", " "))
    lines.append("objectives:")
    for o in range(draw(st.integers(1, 3))):
        lines.append(f"  - id: O{o + 1}")
        lines.append(f"    title: {draw(st.sampled_from(_TITLE_STYLES))(draw(_words))}")
        lines.append("    key_results:")
        for k in range(draw(st.integers(1, 3))):
            fields = {"start": draw(_numbers), "target": draw(_numbers)}
            if draw(st.booleans()):
                fields["current"] = draw(_numbers)
            title = draw(st.sampled_from(_TITLE_STYLES))(draw(_words))
            if draw(st.booleans()):  # flow mapping
                body = ", ".join(f"{key}: {format_scalar(val)}" for key, val in fields.items())
                lines.append(f"      - {{id: KR{k + 1}, title: {title}, {body}}}")
            else:
                lines.append(f"      - id: KR{k + 1}")
                lines.append(f"        title: {title}")
                for key, val in fields.items():
                    comment = draw(st.sampled_from(["", "  # note", "   # é ✓"]))
                    lines.append(f"        {key}: {format_scalar(val)}{comment}")
                    if draw(st.booleans()):
                        lines.append("")
            numeric += [("objectives", o, "key_results", k, key) for key in fields]
            if "current" not in fields:
                missing.append(("objectives", o, "key_results", k, "current"))
    text = nl.join(lines) + nl
    return ("\ufeff" if bom else "") + text, numeric, missing


_TITLE_STYLES = [
    format_scalar,
    lambda s: format_scalar(s, '"'),
    lambda s: format_scalar(s, "'"),
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(okr_files(), st.data())
def test_editing_one_numeric_value_changes_exactly_that_value(generated, data):
    text, numeric, _ = generated
    source = text.encode("utf-8")
    path = data.draw(st.sampled_from(numeric))
    new_value = data.draw(_numbers)
    out = apply_changes(source, [Change(path, new_value)])

    before = yaml.load(source.decode("utf-8-sig"), Loader=yaml.CSafeLoader)
    after = yaml.load(out.decode("utf-8-sig"), Loader=yaml.CSafeLoader)
    node = before
    for key in path[:-1]:
        node = node[key]
    old_value = node[path[-1]]
    node[path[-1]] = new_value
    assert after == before
    _, obj, _, kr, key = path
    got = after["objectives"][obj]["key_results"][kr][key]
    assert type(got) is type(new_value)

    # Byte level: only one contiguous stretch differs, and it holds just the value.
    prefix = len(os.path.commonprefix([source, out]))
    suffix = len(os.path.commonprefix([source[prefix:][::-1], out[prefix:][::-1]]))
    old_middle, new_middle = source[prefix : len(source) - suffix], out[prefix : len(out) - suffix]
    assert old_middle in format_scalar(old_value).encode()
    assert new_middle in format_scalar(new_value).encode()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(okr_files(), st.data())
def test_adding_a_missing_current_adds_exactly_that_key(generated, data):
    text, _, missing = generated
    if not missing:
        return
    source = text.encode("utf-8")
    path = data.draw(st.sampled_from(missing))
    new_value = data.draw(_numbers)
    out = apply_changes(source, [Change(path, new_value)])
    before = yaml.load(source.decode("utf-8-sig"), Loader=yaml.CSafeLoader)
    after = yaml.load(out.decode("utf-8-sig"), Loader=yaml.CSafeLoader)
    _, obj, _, kr, _ = path
    before["objectives"][obj]["key_results"][kr]["current"] = new_value
    assert after == before
    assert out.startswith(b"\xef\xbb\xbf") == source.startswith(b"\xef\xbb\xbf")
    # Every old line is still there, in order; exactly one line was added or one flow entry grew.
    nl = b"\r\n" if b"\r\n" in source else b"\n"
    old_lines, new_lines = source.split(nl), out.split(nl)
    assert len(new_lines) - len(old_lines) in (0, 1)
    if len(new_lines) == len(old_lines):
        changed = [(a, b) for a, b in zip(old_lines, new_lines) if a != b]
        assert len(changed) == 1
        old_line, new_line = changed[0]
        assert new_line == old_line[:-1] + b", current: " + format_scalar(new_value).encode() + b"}"
    else:
        added = Counter(new_lines) - Counter(old_lines)
        assert list(added.elements()) == [b"        current: " + format_scalar(new_value).encode()]
