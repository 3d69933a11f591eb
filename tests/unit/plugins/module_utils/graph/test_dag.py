"""Unit tests of the dependency graph's readiness walk, its reversal and the parallel walker."""

from __future__ import annotations

import time

import pytest

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import CycleError
from ansible_collections.heatlike.cloud.plugins.module_utils.graph.dag import Graph, Readiness
from ansible_collections.heatlike.cloud.plugins.module_utils.graph.walk import run_graph


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


def test_run_graph_ignores_requirements_outside_the_nodes():
    ran = []
    failures = run_graph({"a": lambda: ran.append("a")}, {"a": {"gone"}, "gone": set()}, 1)
    assert failures == {} and ran == ["a"]


def test_run_graph_stops_at_the_deadline():
    ran = []
    failures = run_graph({"a": lambda: ran.append("a")}, {}, 2, deadline=time.monotonic() - 1)
    assert list(failures) == ["(stack)"] and ran == []


def test_run_graph_runs_what_it_can_before_reporting_a_cycle():
    ran = []
    nodes = {n: (lambda n=n: ran.append(n)) for n in ("a", "b", "c", "free")}
    failures = run_graph(nodes, {"a": {"b"}, "b": {"a"}, "c": {"b"}}, 2)
    assert ran == ["free"]
    assert str(failures["(graph)"]) == "dependency cycle among: a, b, c"
