"""`quick(cls)`: the loader's fast constructor gives the same frozen objects as `cls(...)`."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from okrcli.errors import Diagnostic, Loc, Severity
from okrcli.frozen import quick
from okrcli.model import KeyResult, Objective, OkrFile, Person, RefEntry, Review, Team
from okrcli.refs import Ref

LOC = Loc("2026-Q4/bob.yaml", 3, 5)
REF = Ref("platform", "O1", "KR2", "2026-Q4")
KR_ARGS = ("KR1", "Ship it", "numeric", 0, 10, 4, None, None, "users", 0.5, 1, None, LOC, {"id": (1, 1, True, 1, 5, True)})
CASES = [
    (Loc, ("a.yaml",), {}),
    (Loc, ("a.yaml", 2, 7), {}),
    (Diagnostic, ("a.yaml", 1, 2, Severity.WARNING, "schema", "says"), {}),
    (Ref, ("acme", "O1"), {}),
    (Ref, ("acme", "O1"), {"kr": "KR1", "cycle": "2026"}),
    (RefEntry, ("platform/O1/KR2", REF, LOC), {}),
    (Review, (0.7, "notes"), {}),
    (KeyResult, KR_ARGS, {}),
    (KeyResult, KR_ARGS, {"due": date(2026, 11, 2), "derived": "sum_of", "sum_of": (RefEntry("a/O1/KR1", REF, LOC),)}),
    (Objective, ("2026-Q4", "bob", "O1", "Title", (), (), (), True, False, None, "d", None, 0, LOC, {}), {}),
    (OkrFile, ("2026-Q4/bob.yaml", "2026-Q4", "bob", ()), {}),
    (Team, ("eng", "Engineering", None, "alice", LOC, {}), {"github": "acme/eng"}),
    (Person, ("bob", "Bob", "eng", None, LOC, {}), {}),
]


@pytest.mark.parametrize(("cls", "args", "kwargs"), CASES)
def test_quick_builds_the_same_frozen_object(cls, args, kwargs):
    made, slow = cls.quick(*args, **kwargs), cls(*args, **kwargs)
    assert type(made) is cls
    assert made == slow and hash(made) == hash(slow) and repr(made) == repr(slow)
    assert dataclasses.asdict(made) == dataclasses.asdict(slow)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.__setattr__(dataclasses.fields(cls)[0].name, "changed")
    assert dataclasses.replace(made) == slow


def test_quick_refuses_missing_arguments_as_the_class_does():
    with pytest.raises(TypeError):
        Loc.quick()
    with pytest.raises(TypeError):
        Loc()


def test_quick_refuses_a_field_with_a_factory():
    @quick
    @dataclasses.dataclass(frozen=True, slots=True)
    class Bag:
        items: list = dataclasses.field(default_factory=list)

    with pytest.raises(TypeError, match="plain fields"):
        Bag.quick()
