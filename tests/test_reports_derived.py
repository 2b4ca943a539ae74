"""A derived key result's values over time are the same whatever order its sources come in."""

from __future__ import annotations

import pytest
from conftest import run
from gitrepo import isolate_git


@pytest.fixture
def demo(tmp_path, monkeypatch):
    isolate_git(monkeypatch, tmp_path)
    target = tmp_path / "okr-demo"
    assert run(["demo", str(target)]).exit_code == 0
    return target


def test_check_ins_of_one_moment_are_replayed_in_one_order(demo, monkeypatch):
    """Sources checked in by one commit move the roll-up in a fixed order, not in the order a set
    of their keys happens to iterate (which changes with PYTHONHASHSEED from run to run)."""
    from okrcli import derived
    from okrcli.load.build import load_repository
    from okrcli.load.history import read_history

    repository, _ = load_repository(demo)
    history = read_history(demo)
    key = "2026-Q4:product-eng/O1/KR2"  # rolled up from the objectives that build the wizard
    assert repository.derived[key].how == "rollup"
    leaves = derived.leaves
    series = []
    for reverse in (False, True):
        monkeypatch.setattr(derived, "leaves", lambda repo, k, r=reverse: sorted(leaves(repo, k), reverse=r))
        series.append([(c.date, c.value, c.previous) for c in derived.derived_series(repository, history, key)])
    assert len(series[0]) > 10
    assert series[0] == series[1]
    shown = run(["review", "--at", "2026-12-31"], cwd=demo)
    assert shown.exit_code == 0 and "▅▅▅▅▆▇▇▇▇▇▇▇" in shown.stdout
