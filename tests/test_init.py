"""`okr init`: a new repository that passes `okr check --strict`, and never an overwrite."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
import yaml
from conftest import run

from okrcli.cycles import current_cycle_id


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() or p.is_symlink())


def _strict_check(root: Path) -> None:
    r = run(["check", "--strict", "--repo", str(root)])
    assert r.exit_code == 0, r.stdout + r.stderr
    assert r.stdout == ""
    r = run(["check", "--strict"], cwd=root)
    assert r.exit_code == 0, r.stdout + r.stderr


def test_init_creates_a_repository_that_passes_strict_check(tmp_path):
    root = tmp_path / "okrs"
    r = run(["init", str(root)])
    assert r.exit_code == 0, r.stdout + r.stderr
    cycle = current_cycle_id(date.today())
    assert _files(root) == sorted(["okr.yaml", "org.yaml", f"{cycle}/okrs.yaml"])
    for rel in _files(root):
        assert f"created {root / rel}" in r.stdout
    assert "okr check --repo" in r.stdout
    config = yaml.safe_load((root / "okr.yaml").read_text())
    org = yaml.safe_load((root / "org.yaml").read_text())
    assert config["company"] == "okrs" and config["cadence"] == "quarterly"
    assert org["company"] == {"id": "okrs", "name": "Okrs"}
    _strict_check(root)


def test_init_in_the_current_folder(tmp_path):
    root = tmp_path / "Acme Labs!"
    root.mkdir()
    r = run(["init"], cwd=root)
    assert r.exit_code == 0, r.stdout + r.stderr
    assert (root / current_cycle_id(date.today()) / "acme-labs.yaml").is_file()
    _strict_check(root)


def test_company_and_name(tmp_path):
    root = tmp_path / "repo"
    name = 'Acme "Rockets": {Inc.} # [1], & co\'s - *star* %50 | ümlaut \u202e'
    r = run(["init", str(root), "--company", "acme-2", "--name", name])
    assert r.exit_code == 0, r.stdout + r.stderr
    assert (root / current_cycle_id(date.today()) / "acme-2.yaml").is_file()
    org = yaml.safe_load((root / "org.yaml").read_text())
    assert org["company"] == {"id": "acme-2", "name": name}
    assert yaml.safe_load((root / "okr.yaml").read_text())["company"] == "acme-2"
    _strict_check(root)


@pytest.mark.parametrize("company", ["no", "on", "y", "null", "2026", "010", "0x1f", "1_000", "2026-11-27", "true"])
def test_company_ids_that_yaml_would_misread_still_pass(tmp_path, company):
    root = tmp_path / "repo"
    r = run(["init", str(root), "--company", company])
    assert r.exit_code == 0, r.stdout + r.stderr
    assert yaml.safe_load((root / "okr.yaml").read_text())["company"] == company
    assert yaml.safe_load((root / "org.yaml").read_text())["company"]["id"] == company
    _strict_check(root)


def test_bimonthly_cadence(tmp_path):
    root = tmp_path / "repo"
    r = run(["init", str(root), "--company", "acme", "--cadence", "bimonthly"])
    assert r.exit_code == 0, r.stdout + r.stderr
    cycle = current_cycle_id(date.today(), "bimonthly")
    assert "-B" in cycle
    assert _files(root) == sorted(["okr.yaml", "org.yaml", f"{cycle}/acme.yaml"])
    assert yaml.safe_load((root / "okr.yaml").read_text())["cadence"] == "bimonthly"
    _strict_check(root)


@pytest.mark.parametrize("existing", ["okr.yaml", "org.yaml", "{cycle}/acme.yaml"])
def test_refuses_when_any_file_exists_and_writes_nothing(tmp_path, existing):
    root = tmp_path / "repo"
    rel = existing.format(cycle=current_cycle_id(date.today()))
    (root / rel).parent.mkdir(parents=True)
    (root / rel).write_text("mine\n")
    before = _files(root)
    r = run(["init", str(root), "--company", "acme"])
    assert r.exit_code == 2
    assert r.stdout == ""
    assert str(root / rel) in r.stderr and "overwrite" in r.stderr
    assert "Traceback" not in r.stderr
    assert _files(root) == before
    assert (root / rel).read_text() == "mine\n"


def test_refuses_naming_every_existing_file(tmp_path):
    root = tmp_path / "repo"
    assert run(["init", str(root), "--company", "acme"]).exit_code == 0
    contents = {rel: (root / rel).read_bytes() for rel in _files(root)}
    r = run(["init", str(root), "--company", "acme", "--name", "Other"])
    assert r.exit_code == 2
    for rel in contents:
        assert str(root / rel) in r.stderr
    assert {rel: (root / rel).read_bytes() for rel in _files(root)} == contents


def test_refuses_a_dangling_symlink(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    (root / "okr.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    r = run(["init", str(root), "--company", "acme"])
    assert r.exit_code == 2 and "okr.yaml" in r.stderr
    assert not (tmp_path / "elsewhere.yaml").exists()
    assert _files(root) == ["okr.yaml"]


def test_refuses_a_symlinked_cycle_folder(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / current_cycle_id(date.today())).symlink_to(elsewhere, target_is_directory=True)
    r = run(["init", str(root), "--company", "acme"])
    assert r.exit_code == 2, r.stdout + r.stderr
    assert list(elsewhere.iterdir()) == []
    assert not (root / "okr.yaml").exists()


@pytest.mark.parametrize("company", ["Acme", "acme inc", "-acme", "_acme", "acme/x", "../acme", "a" * 65, "ácme",
                                     "acme.yaml", ""])
def test_invalid_company_exits_2(tmp_path, company):
    root = tmp_path / "repo"
    r = run(["init", str(root), "--company", company])
    assert r.exit_code == 2, r.stdout + r.stderr
    assert r.stderr.startswith("okr: error: ") and "owner id" in r.stderr
    assert not root.exists()


@pytest.mark.parametrize("name", ["", "   ", "a\nb", "a\x7fb", "a\x1b[2Jb", "a\u2028b", "a\x85b"])
def test_invalid_name_exits_2(tmp_path, name):
    root = tmp_path / "repo"
    r = run(["init", str(root), "--company", "acme", "--name", name])
    assert r.exit_code == 2, r.stdout + r.stderr
    assert r.stderr.startswith("okr: error: ") and "--name" in r.stderr
    assert not root.exists()


def test_dir_that_is_a_file_exits_2(tmp_path):
    (tmp_path / "file").write_text("x")
    for target in (tmp_path / "file", tmp_path / "file" / "sub"):
        r = run(["init", str(target), "--company", "acme"])
        assert r.exit_code == 2, r.stdout + r.stderr
        assert "Traceback" not in r.stderr and "internal error" not in r.stderr
    assert (tmp_path / "file").read_text() == "x"


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_unwritable_dir_exits_2_and_leaves_nothing(tmp_path):
    root = tmp_path / "ro"
    root.mkdir()
    root.chmod(0o555)
    try:
        r = run(["init", str(root), "--company", "acme"])
    finally:
        root.chmod(0o755)
    assert r.exit_code == 2, r.stdout + r.stderr
    assert "internal error" not in r.stderr
    assert list(root.iterdir()) == []


def test_write_failure_midway_leaves_nothing(tmp_path, monkeypatch):
    """A failure writing the third file removes the two already written (and the folder made)."""
    from okrcli import files

    root = tmp_path / "repo"
    real_write = files.write_beside

    def failing_write(path, data, mode):  # okr's one writer fails on the disk for the third file
        if str(path).endswith("acme.yaml"):
            raise OSError(28, "No space left on device", str(path))
        return real_write(path, data, mode)

    monkeypatch.setattr(files, "write_beside", failing_write)
    r = run(["init", str(root), "--company", "acme"])
    monkeypatch.undo()
    assert r.exit_code == 2, r.stdout + r.stderr
    assert "No space left" in r.stderr and "nothing was written" in r.stderr
    assert not root.exists()


def test_paths_with_controls_are_printed_visibly(tmp_path):
    root = tmp_path / "x\x1b[2Jy"
    r = run(["init", str(root), "--company", "acme"])
    assert r.exit_code == 0, r.stderr
    assert "\x1b" not in r.stdout and "x\\x1b[2Jy" in r.stdout
