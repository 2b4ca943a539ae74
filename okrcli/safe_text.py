"""Make user text safe for a terminal: control characters and bidi overrides become visible escapes."""

from __future__ import annotations

import re

# C0/C1 controls (except tab and newline handled by callers), DEL, and the Unicode
# bidirectional formatting characters that can reorder what a reader sees.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def visible(text: str, keep_newlines: bool = False) -> str:
    """`text` with every control or bidi character shown as an escape (`\\x1b`, `\\u202e`)."""
    if not keep_newlines:
        text = text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", " ")

    def esc(m: re.Match) -> str:
        code = ord(m.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _UNSAFE.sub(esc, text)
