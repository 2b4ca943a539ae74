from conftest import EXAMPLE, run


def test_example_passes_check():
    result = run(["check", "--repo", str(EXAMPLE)])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert "no problems" in result.stderr


def test_unaligned_person_objective_fails(okr_repo):
    root = okr_repo({"2026-Q4/bob.yaml": """\
        objectives:
          - id: O1
            title: Faster builds
            key_results:
              - {id: KR1, title: Build time from 20 to 5 minutes, start: 20, target: 5}
        """})
    result = run(["check"], cwd=root)
    assert result.exit_code == 1
    assert result.stdout == ("2026-Q4/bob.yaml:2:9: error[unaligned]: bob/O1 aligns to nothing; add "
                             "'aligns: [OWNER/OBJ]' naming the objective it serves, or 'standalone: \"<reason>\"'\n")
