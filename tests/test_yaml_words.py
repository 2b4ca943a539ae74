"""YAML mistakes in plain words: the likely cause (indentation, a missing space after ':',
a tab, an unclosed quote or bracket) and the line to look at; an unknown key that belongs
one level up or down says to check its indentation."""

from __future__ import annotations

import pytest
from conftest import run

HEAD = "objectives:\n  - id: O1\n    title: Calm on-call\n    aligns: [acme/O1]\n"


@pytest.mark.parametrize(("body", "expected"), [
    # a space missing after ':' (the parser stops on the next line; the finding is on this one)
    (HEAD + "    key_results:\n      - id: KR1\n        title:Pages\n        done: false\n",
     ("7:15: error[yaml-syntax]: invalid YAML: a space is missing after 'title:' on line 7; "
     "write 'title: Pages'")),
    (HEAD + "    key_results:\n      -id: KR1\n        title: Pages\n",
     ("6:8: error[yaml-syntax]: invalid YAML: a space is missing after '-' on line 6; "
     "write '- id: KR1'")),
    # a key indented too far
    (HEAD + "    key_results:\n      - id: KR1\n        title: Pages\n          done: false\n",
     ("8:15: error[yaml-syntax]: invalid YAML: line 8 is indented more than line 7, or line 7 "
     "less than it should be; check their indentation")),
    # a list item that does not line up with the others
    (HEAD + "    key_results:\n      - id: KR1\n        title: A\n        done: false\n"
            "     - id: KR2\n",
     ("9:6: error[yaml-syntax]: invalid YAML: line 9 does not line up with the lines above it "
     "(the block that starts on line 2); check its indentation")),
    (HEAD + "   key_results: []\n",
     ("5:4: error[yaml-syntax]: invalid YAML: line 5 does not line up with the lines above it "
     "(the block that starts on line 2); check its indentation")),
    # text after a closing quote; a list item where a key belongs
    ('objectives:\n  - id: O1\n    title: "Calm" on-call\n',
     ("3:19: error[yaml-syntax]: invalid YAML: text after the closing quote on line 3; "
      "put the whole value inside the quotes")),
    (HEAD + "    - id: KR1\n",
     ("5:5: error[yaml-syntax]: invalid YAML: a list item ('- ') on line 5 where a key of the "
      "mapping above was expected (the block that starts on line 2); check its indentation")),
    # a colon inside a plain value
    ("objectives:\n  - id: O1\n    title: Deploys: boring\n",
     ("3:19: error[yaml-syntax]: invalid YAML: the value of 'title' on line 3 holds ': '; "
     'quote it: title: "Deploys: boring"')),
    # an unclosed quote and an unclosed bracket: the line where they opened
    ('objectives:\n  - id: O1\n    title: "Calm\n    key_results: []\n',
     ("3:12: error[yaml-syntax]: invalid YAML: the quote opened on line 3 is never closed; "
     "close it on that line")),
    ("objectives:\n  - id: O1\n    aligns: [acme/O1\n    key_results: []\n",
     ("4:16: error[yaml-syntax]: invalid YAML: the '[' opened on line 3 is not closed; "
     "end it with ']' (or quote the value)")),
    ("objectives:\n  - id: O1\n    title: @home\n",
     "3:12: error[yaml-syntax]: invalid YAML: a value cannot start with '@' (line 3); quote it"),
    # a tab
    ("objectives:\n  - id: O1\n\ttitle: Tabs\n",
     "3:1: error[yaml-syntax]: a tab character here; YAML indents with spaces only"),
])
def test_syntax_errors_in_plain_words(okr_repo, body, expected):
    root = okr_repo({"2026-Q4/bob.yaml": body})
    result = run(["check"], cwd=root)
    assert (result.exit_code, result.stdout) == (1, f"2026-Q4/bob.yaml:{expected}\n")
    assert "while parsing" not in result.stdout and "while scanning" not in result.stdout


def test_an_unknown_key_that_belongs_a_level_up_or_down_says_check_its_indentation(okr_repo):
    root = okr_repo({"2026-Q4/bob.yaml": (
        HEAD
        + "    key_results:\n"
          "      - id: KR1\n"
          "        title: Pages per week from 9 to 3\n"
          "        start: 9\n"
          "        target: 3\n"
          "        depends_on: [sre/O1]\n"  # 10: an objective's key, indented into the KR
          "    current: 5\n"                # 11: the KR's current, dedented to the objective
          "    notes: a calm quarter\n"     # 12: review notes without review:
          "    review:\n"
          "      score: 0.5\n"
          "      standalone: why\n"         # 15
          "objectiv: []\n"                   # 16: a typo keeps its did-you-mean
    )})
    result = run(["check"], cwd=root)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert "2026-Q4/bob.yaml:10:9: error[schema]: unknown key 'depends_on' in a key result; "\
           "'depends_on' belongs to its objective: check its indentation" in lines
    assert "2026-Q4/bob.yaml:11:5: error[schema]: unknown key 'current' in an objective; "\
           "'current' belongs to a key result (under key_results:): check its indentation" in lines
    assert "2026-Q4/bob.yaml:12:5: error[schema]: unknown key 'notes' in an objective; "\
           "'notes' belongs to the objective's review (under review:): check its indentation" in lines
    assert "2026-Q4/bob.yaml:15:7: error[schema]: unknown key 'standalone' in a review; "\
           "'standalone' belongs to its objective: check its indentation" in lines
    assert "2026-Q4/bob.yaml:16:1: error[schema]: unknown key 'objectiv' in an OKR file; "\
           "did you mean 'objectives'?" in lines


def test_an_objective_key_at_the_top_level_says_check_its_indentation(okr_repo):
    root = okr_repo({"2026-Q4/bob.yaml": "title: Calm on-call\nobjectives: []\n"})
    result = run(["check"], cwd=root)
    assert result.stdout == ("2026-Q4/bob.yaml:1:1: error[schema]: unknown key 'title' in an OKR file; "
                             "'title' belongs to an objective (under objectives:): check its indentation\n")
