"""The parallel graph walker: dependencies, concurrency, failures, cycles, deadline."""

from __future__ import annotations

import threading
import time

from ansible_collections.heatlike.cloud.plugins.module_utils.graph.walk import run_graph


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


def test_run_graph_respects_dependencies_and_concurrency():
    order, running, peak = [], [0], [0]
    lock = threading.Lock()

    def node(name):
        def go():
            with lock:
                running[0] += 1
                peak[0] = max(peak[0], running[0])
                order.append(name)
            with lock:
                running[0] -= 1
        return go

    names = [f"n{i}" for i in range(10)]
    deps = {n: ({"root"} if n != "root" else set()) for n in names + ["root"]}
    deps["last"] = set(names)
    failures = run_graph({n: node(n) for n in names + ["root", "last"]}, deps, max_concurrency=3)
    assert failures == {}
    assert order[0] == "root" and order[-1] == "last"
    assert peak[0] <= 3


def test_run_graph_stops_dependents_after_a_failure():
    ran = []

    def boom():
        raise RuntimeError("nope")

    failures = run_graph({"a": boom, "b": lambda: ran.append("b")}, {"b": {"a"}}, max_concurrency=2)
    assert list(failures) == ["a"] and ran == []


def test_run_graph_reports_cycles():
    failures = run_graph({"a": lambda: None, "b": lambda: None}, {"a": {"b"}, "b": {"a"}}, 2)
    assert "(graph)" in failures and "a, b" in str(failures["(graph)"])
