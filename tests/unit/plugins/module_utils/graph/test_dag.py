"""Unit tests of the dependency graph's readiness walk, and its reversal."""

from __future__ import annotations

import pytest

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import CycleError
from ansible_collections.heatlike.cloud.plugins.module_utils.graph.dag import Graph, Readiness


def test_waves_are_longest_path_levels():
    g = Graph(requires={"d": {"a", "c"}, "c": {"b"}, "b": {"a"}})
    assert g.waves() == [["a"], ["b"], ["c"], ["d"]]


def test_waves_name_a_cycle():
    g = Graph(requires={"a": {"b"}, "b": {"c"}, "c": {"a"}, "x": set()})
    with pytest.raises(CycleError, match="a -> b -> c -> a"):
        g.waves()


def test_reversed_turns_every_edge_round_and_keeps_lone_nodes():
    g = Graph(["lone"], {"c": {"a", "b"}, "b": {"a"}})
    rev = g.reversed()
    assert rev.requires == {"lone": set(), "a": {"b", "c"}, "b": {"c"}, "c": set()}
    assert rev.waves() == [["c", "lone"], ["b"], ["a"]]
    assert g.requires["c"] == {"a", "b"}


def test_readiness_hands_out_each_node_once_in_name_order():
    ready = Readiness(Graph(requires={"c": {"a"}, "b": {"a"}, "d": set()}))
    assert ready.take(1) == ["a"]
    assert ready.take() == ["d"]
    assert ready.take() == []
    ready.done("a")
    assert ready.take() == ["b", "c"]
    assert ready.untaken == 0 and ready.blocked() == []
