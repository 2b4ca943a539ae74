"""The loader composes scalars as tuples (`source._scalar`) and gives PyYAML its own ScalarNode
back after every file, parsed or refused, so other YAML work in the process is unchanged."""

from __future__ import annotations

import yaml
from conftest import EXAMPLE, run

from okrcli.load import source

GOOD = "objectives:\n  - id: O1\n    title: 'Quoted'\n    key_results: [a, {b: 1}]\n"
BROKEN = ["a: [1, 2\n", "a: b\n  c: d\n", "key: !!python/object x\n", "a: &x 1\nb: *x\n", "a: 1\na: 2\n"]


def _real_nodes() -> bool:
    node = yaml.compose("a: b\n", Loader=yaml.CSafeLoader)
    key, value = node.value[0]
    return type(key) is yaml.ScalarNode and type(value) is yaml.ScalarNode and value.value == "b"


def test_scalars_compose_to_what_the_conversion_reads_and_the_node_class_comes_back():
    value, ok = source.parse_yaml(GOOD, "2026-Q4/x.yaml", [])
    assert ok and value == {"objectives": [{"id": "O1", "title": "Quoted", "key_results": ["a", {"b": "1"}]}]}
    item = value["objectives"][0]
    assert item.pos["id"][5] is True and item.pos["title"][5] is False  # plain versus quoted kept
    assert source._COMPOSER.ScalarNode is yaml.ScalarNode and _real_nodes()


def test_the_node_class_comes_back_after_a_refused_or_broken_file():
    for text in BROKEN:
        diags: list = []
        source.parse_yaml(text, "2026-Q4/x.yaml", diags)
        assert diags, text
        assert source._COMPOSER.ScalarNode is yaml.ScalarNode and _real_nodes(), text


def test_a_check_leaves_pyyaml_as_it_found_it():
    r = run(["check", "--repo", str(EXAMPLE)])
    assert r.exit_code in (0, 1) and "okr check:" in r.stderr
    assert source._COMPOSER.ScalarNode is yaml.ScalarNode and _real_nodes()
