"""Loader corner cases that golden files cannot hold (empty folders) or that pin a position."""

from conftest import run


def test_empty_folder_named_like_a_bad_cycle_is_reported(okr_repo):
    root = okr_repo()
    (root / "2026-Q5").mkdir()
    result = run(["check"], cwd=root)
    assert result.exit_code == 1
    assert result.stdout.startswith("2026-Q5:1:1: error[cycle-unknown]: '2026-Q5' is not a valid cycle")


def test_company_mismatch_points_at_the_value_in_okr_yaml(okr_repo):
    root = okr_repo({"okr.yaml": "cycle: 2026-Q4\ncompany: acme-inc\n"})
    result = run(["check"], cwd=root)
    assert result.exit_code == 1
    assert result.stdout == ("okr.yaml:2:10: error[org]: okr.yaml names company 'acme-inc' "
                             "but org.yaml's company is 'acme'\n")


def test_keys_written_without_a_value_are_empty_lists(okr_repo):
    root = okr_repo({"2026-Q4/bob.yaml": """\
        objectives:
          - id: O1
            title: Faster builds
            aligns:
            key_results:
        """})
    result = run(["check"], cwd=root)
    assert result.exit_code == 1
    rules = [line.split("[")[1].split("]")[0] for line in result.stdout.splitlines()]
    assert rules == ["unaligned", "no-key-results"]


def test_summary_counts_every_file_read_broken_ones_too(okr_repo):
    root = okr_repo({"2026-Q4/bob.yaml": "objectives: [\n"})
    result = run(["check"], cwd=root)
    assert result.exit_code == 1
    assert result.stderr == "okr check: 1 error, 0 warnings in 4 files\n"


def test_quoted_boolean_and_exponent_numbers_get_a_hint(okr_repo):
    root = okr_repo({"2026-Q4/bob.yaml": """\
        objectives:
          - id: O1
            title: Faster builds
            standalone: Exploration
            key_results:
              - {id: KR1, title: Builds under 5 minutes, done: "true"}
              - {id: KR2, title: Cache entries served, target: 1e3}
        """})
    result = run(["check"], cwd=root)
    assert "must be true or false, not 'true'; remove the quotes" in result.stdout
    assert "must be a number, not 1e3; YAML 1.1 reads this exponent form as text" in result.stdout


def test_csv_cells_cannot_become_spreadsheet_formulas(okr_repo):
    import csv
    import io

    root = okr_repo({"2026-Q4/acme.yaml": """\
        objectives:
          - id: O1
            title: '=HYPERLINK("http://evil.test","x")'
            key_results:
              - {id: KR1, title: "@SUM(A1:A9)", start: -5, target: 10, current: -2}
        """})
    result = run(["export", "--format", "csv"], cwd=root)
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["objective_title"] == "'=HYPERLINK(\"http://evil.test\",\"x\")"
    assert rows[0]["kr_title"] == "'@SUM(A1:A9)"
    assert rows[0]["start"] == "-5" and rows[0]["current"] == "-2"  # numbers stay numbers
