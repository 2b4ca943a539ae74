"""References: `OWNER/OBJ`, `OWNER/OBJ/KR` and `CYCLE:OWNER/OBJ[/KR]` (SPEC 2, "References")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .frozen import quick

OWNER_ID = r"[a-z0-9][a-z0-9_-]{0,63}"
ITEM_ID = r"[A-Za-z0-9][A-Za-z0-9_-]*"
OWNER_RE = re.compile(rf"^{OWNER_ID}\Z")
ITEM_RE = re.compile(rf"^{ITEM_ID}\Z")
REF_RE = re.compile(
    rf"^(?:(?P<cycle>\d{{4}}(?:-[A-Z][0-9]+)?):)?(?P<owner>{OWNER_ID})"
    rf"/(?P<obj>{ITEM_ID})(?:/(?P<kr>{ITEM_ID}))?\Z"
)


class RefSyntaxError(ValueError):
    pass


@quick
@dataclass(frozen=True, slots=True)
class Ref:
    """A parsed reference. `cycle` is None when the reference names the same cycle."""

    owner: str
    objective: str
    kr: str | None = None
    cycle: str | None = None

    def in_cycle(self, cycle: str) -> Ref:
        """This reference with its cycle made explicit (the referrer's cycle when it had none)."""
        return self if self.cycle else Ref(self.owner, self.objective, self.kr, cycle)

    @property
    def objective_ref(self) -> Ref:
        return Ref(self.owner, self.objective, None, self.cycle)

    def __str__(self) -> str:
        path = f"{self.owner}/{self.objective}" + (f"/{self.kr}" if self.kr else "")
        return f"{self.cycle}:{path}" if self.cycle else path


_PARSED: dict[str, Ref] = {}  # references recur: every objective aligned to one KR names it alike


def parse_ref(text: str) -> Ref:
    """Parse a reference; raise RefSyntaxError with a message that says what is wrong."""
    ref = _PARSED.get(text)
    if ref is not None:
        return ref
    m = REF_RE.match(text)
    if not m:
        raise RefSyntaxError(
            f"'{text}' is not a reference; write OWNER/OBJECTIVE, OWNER/OBJECTIVE/KR "
            "or CYCLE:OWNER/OBJECTIVE (for example platform/O1/KR2 or 2026:acme/O1)"
        )
    ref = Ref.quick(m.group("owner"), m.group("obj"), m.group("kr"), m.group("cycle"))
    if len(_PARSED) < 1 << 16:
        _PARSED[text] = ref
    return ref
