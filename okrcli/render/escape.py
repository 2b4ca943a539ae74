"""One escaper per output format: every renderer puts user text (a title, a name, a note, a
path from the repository) through the one of its format, so the same title comes out the same
in every command.

- `text`: control and bidi characters shown as escapes (`\\x1b`, `\\u202e`), one line.
- `markdown`: GitHub-flavoured Markdown, in a paragraph or a table cell: one line, no markup,
  no HTML (`<!--` stays text), no table break, no @mention, no `::` that a CI log could run.
- `html`: text or a quoted attribute value; controls made visible first.
- `github_data`, `github_property`: a workflow command's message and property values, as
  @actions/core escapes them (no raw line break can end the command early).
- `csv_cell`: a CSV cell (the csv module quotes): controls made visible, a leading apostrophe
  before what a spreadsheet would run as a formula.
- `mermaid`, `dot`: inside a quoted node label of Mermaid or Graphviz DOT.

JSON needs none of these: `json.dumps` escapes.
"""

from __future__ import annotations

import re

from ..safe_text import visible


def text(value: object, keep_newlines: bool = False) -> str:
    """User text for a terminal or plain text: controls and bidi characters made visible."""
    value = value if type(value) is str else str(value)
    if value.isprintable():  # no control, bidi or line-break character: `visible` would return it as is
        return value
    return visible(value, keep_newlines=keep_newlines)


# ------------------------------------------------------------------ markdown

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~$])")  # what starts markup anywhere in a line or a cell
# What opens a block when it starts a line, as text after "> " or "- " does: a heading (`# `),
# a list item (`- `, `+ `, `1. `, `1) `), a setext underline or a thematic break (`===`, `---`).
# `>` is already `&gt;`; `*` and `_` are escaped everywhere. Anywhere else these are plain text.
_MD_BLOCK_START = re.compile(r"\A(?:#{1,6}|[+-]|[0-9]{1,9}[.)])(?=[ \t]|\Z)|\A[=-]+[ \t]*\Z")
_COLONS = re.compile(":(?=:)")
_ZWSP = "\u200b"  # a zero-width space: the text reads the same, and is no longer markup


def _block_start(m: re.Match) -> str:
    found = m.group()
    if found[0].isdigit():  # `1.` -> `1\.`
        return found[:-1] + "\\" + found[-1]
    return "\\" + found


_MD_ANY = re.compile(r"[&<>\\`*_\[\]|~$@:]")  # every character `markdown` may change, controls aside
_MD_FIRST = frozenset("#+-=0123456789")  # what a block start (`_MD_BLOCK_START`) begins with


def markdown(value: object) -> str:
    """User text safe inside a GitHub Markdown paragraph or table cell (see the module doc)."""
    value = value if type(value) is str else str(value)
    if value and value[0] not in _MD_FIRST and value.isprintable() and _MD_ANY.search(value) is None:
        return value  # nothing in it is markup, a control or a mention: as it is
    return _markdown_escaped(value)


def _markdown_escaped(value: str) -> str:
    """`markdown`, every step taken."""
    out = visible(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    out = _MD_SPECIAL.sub(r"\\\1", out)
    out = _MD_BLOCK_START.sub(_block_start, out, count=1)
    return _COLONS.sub(":" + _ZWSP, out.replace("@", "@" + _ZWSP))


# ------------------------------------------------------------------ html


def html(value: object) -> str:
    """User text for HTML (text or a quoted attribute): controls and bidi shown, then escaped."""
    value = str(value)
    # Printable text holds no control, bidi or line-break character: `visible` would return it as is.
    value = value if value.isprintable() else visible(value)
    # As html.escape(value, quote=True), without importing it on every command (str.replace
    # is several times faster than str.translate here, and pages hold thousands of strings).
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#x27;"))


# ------------------------------------------------------------------ github workflow commands

def github_data(value: object, keep_newlines: bool = False) -> str:
    """A workflow command's message (`::error file=x::MESSAGE`), as @actions/core escapes it;
    with `keep_newlines`, a line break shows as one in GitHub's annotation (`%0A`)."""
    return visible(str(value), keep_newlines=keep_newlines).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(value: object) -> str:
    """A workflow command's property value (`file=`, `title=`), as @actions/core escapes it."""
    return github_data(value).replace(":", "%3A").replace(",", "%2C")


# ------------------------------------------------------------------ csv

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """A CSV cell. Control and bidi characters are made visible (`\\x1b`, `\\u202e`) as the text
    format does; text that a spreadsheet would run as a formula (`=HYPERLINK(...)`, `@SUM`,
    `+cmd`) gets a leading apostrophe, the usual guard; numbers are written as they are."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        value = visible(value)  # ESC, bidi overrides (U+202E), newlines: shown, as in text output
        return "'" + value if value.startswith(_FORMULA_START) else value
    return str(value)


# ------------------------------------------------------------------ graphs

_MERMAID = str.maketrans({c: f"#{ord(c)};" for c in '"#&<>[](){}|`\\'})
_DOT = str.maketrans({"\\": "\\\\", '"': '\\"'})


def mermaid(value: object) -> str:
    """User text inside a quoted Mermaid node label (`n0["..."]`): markup as entity codes."""
    return visible(str(value)).translate(_MERMAID)


def dot(value: object) -> str:
    """User text inside a quoted Graphviz DOT string (`label="..."`)."""
    return visible(str(value)).translate(_DOT)
