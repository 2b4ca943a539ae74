"""References typed on the command line: parse strictly, resolve, and say what was meant.

`OWNER/OBJ`, `OWNER/OBJ/KR` and `CYCLE:OWNER/OBJ[/KR]`; a reference without a
cycle names the current cycle (or the one the command was given). Anything
else (paths, options, control characters) is refused before it reaches the
model. Every failure is an `OkrError` (exit 2), with a did-you-mean hint when
something close exists.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from .cycles import parse_cycle
from .errors import OkrError
from .model import KeyResult, Objective, Repository
from .refs import REF_RE, Ref

_SYNTAX_HINT = "write OWNER/OBJECTIVE, OWNER/OBJECTIVE/KR or CYCLE:OWNER/OBJECTIVE, e.g. platform/O1/KR2"


@dataclass(frozen=True, slots=True)
class Target:
    """What a command-line reference names: an objective, and maybe one of its key results."""

    objective: Objective
    kr: KeyResult | None
    ref: Ref  # with its cycle made explicit

    @property
    def text(self) -> str:
        return str(self.ref)


def _shown(text: str) -> str:
    from .safe_text import visible

    return visible(text if len(text) <= 200 else text[:200] + "...")


def parse_cli_ref(text: str) -> Ref:
    """Parse a reference typed by a user; refuse anything that is not exactly one."""
    m = REF_RE.match(text) if text.isprintable() and text.isascii() and text == text.strip() else None
    if m is None or m.end() != len(text):
        raise OkrError(f"'{_shown(text)}' is not a reference", hint=_syntax_hint(text))
    ref = Ref(m.group("owner"), m.group("obj"), m.group("kr"), m.group("cycle"))
    if ref.cycle is not None and parse_cycle(ref.cycle) is None:
        raise OkrError(f"'{ref.cycle}' in '{text}' is not a cycle",
                       hint="use YYYY, YYYY-Hn, YYYY-Qn or YYYY-Bn, e.g. 2026-Q4")
    return ref


def _syntax_hint(text: str) -> str:
    """Suggest the spelling that would parse: owner ids are lower-case, no spaces around."""
    stripped = text.strip()
    head, sep, rest = stripped.partition("/")
    cycle, colon, owner = head.rpartition(":")
    guess = f"{cycle.upper()}{colon}{owner.lower()}{sep}{rest}"
    if sep and guess != text and guess.isprintable() and REF_RE.fullmatch(guess):
        why = "owner ids are lower-case" if guess != stripped else "no spaces around a reference"
        return f"{why}: did you mean {guess}?"
    return _SYNTAX_HINT


def _close(word: str, options: list[str]) -> str | None:
    got = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not got:
        lowered = {o.lower(): o for o in options}
        return lowered.get(word.lower())
    return got[0]


def resolve(repo: Repository, text: str, cycle: str) -> Target:
    """The objective (and key result) `text` names, reading a cycle-less reference in `cycle`."""
    typed = parse_cli_ref(text)
    ref = typed.in_cycle(cycle)
    prefix = f"{ref.cycle}:" if typed.cycle else ""
    obj = repo.objectives.get(f"{ref.cycle}:{ref.owner}/{ref.objective}")
    if obj is None:
        raise OkrError(f"no objective {ref.owner}/{ref.objective} in {ref.cycle}",
                       hint=_objective_hint(repo, ref, prefix))
    if ref.kr is None:
        return Target(obj, None, ref)
    kr = obj.kr(ref.kr)
    if kr is None:
        ids = [k.id for k in obj.key_results]
        close = _close(ref.kr, ids)
        shown = f"{prefix}{ref.owner}/{ref.objective}"
        hint = (f"did you mean {shown}/{close}?" if close
                else f"it has {', '.join(ids)}" if ids else "it has no key results")
        raise OkrError(f"{ref.owner}/{ref.objective} has no key result {ref.kr}", hint=hint)
    return Target(obj, kr, ref)


def _objective_hint(repo: Repository, ref: Ref, prefix: str) -> str:
    """Did you mean: another id of the same owner, the same objective in another cycle, a
    similar owner's objective; else what is there."""
    cycle = ref.cycle
    here = repo.objectives_in(cycle)
    suffix = f"/{ref.kr}" if ref.kr else ""
    same_owner = [o.id for o in here if o.owner == ref.owner]
    if same_owner:
        close = _close(ref.objective, same_owner)
        if close:
            return f"did you mean {prefix}{ref.owner}/{close}{suffix}?"
        return f"{ref.owner} has {', '.join(same_owner)} in {cycle}"
    elsewhere = sorted(o.cycle for o in repo.objectives.values()
                       if o.owner == ref.owner and o.id == ref.objective)
    if elsewhere:
        return f"did you mean {elsewhere[-1]}:{ref.owner}/{ref.objective}{suffix}?"
    owners_here = sorted({o.owner for o in here})
    org = repo.org
    known = owners_here + [o for o in (*org.teams, *org.people) if o not in owners_here]
    if org.company is not None and org.company.id not in known:
        known.append(org.company.id)
    close = _close(ref.owner, known)
    if close and close != ref.owner:
        ids = [o.id for o in here if o.owner == close]
        if not ids:
            return f"did you mean the owner {close}? It has no objectives in {cycle}"
        return f"did you mean {prefix}{close}/{_close(ref.objective, ids) or ids[0]}{suffix}?"
    if org.kind(ref.owner) is None:
        return f"'{ref.owner}' is not the company, a team or a person in org.yaml"
    return f"{ref.owner} has no objectives in {cycle}"
