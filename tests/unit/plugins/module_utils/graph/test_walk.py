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


def _graph_run(width: int, rounds: int, max_concurrency: int):
    """Run root -> ``width * rounds`` independent nodes -> last; each middle node waits at a barrier
    of ``min(width, max_concurrency)`` parties, so it passes only if that many really run at once.
    Returns (failures, start order, peak number of nodes running at once)."""
    order, running, peak = [], [0], [0]
    lock = threading.Lock()
    # the barrier's timeout turns a runner that launches fewer nodes than allowed into a failure
    # (BrokenBarrierError), not a hang; it is never compared with a clock
    barrier = threading.Barrier(min(width, max_concurrency), timeout=10)

    def node(name, wait):
        def go():
            with lock:
                running[0] += 1
                peak[0] = max(peak[0], running[0])
                order.append(name)
            try:
                if wait:
                    barrier.wait()
            finally:
                with lock:
                    running[0] -= 1
        return go

    middle = [f"n{i:02d}" for i in range(width * rounds)]
    deps = {n: {"root"} for n in middle}
    deps["root"] = set()
    deps["last"] = set(middle)
    nodes = {n: node(n, True) for n in middle}
    nodes.update(root=node("root", False), last=node("last", False))
    return run_graph(nodes, deps, max_concurrency=max_concurrency), order, peak[0]


def test_run_graph_respects_dependencies_and_concurrency():
    # 9 ready nodes, at most 3 at once: three rounds of exactly 3 (a serial runner breaks the
    # barrier, an unbounded one exceeds the peak)
    failures, order, peak = _graph_run(width=3, rounds=3, max_concurrency=3)
    assert failures == {}
    assert order[0] == "root" and order[-1] == "last" and len(order) == 11
    assert peak == 3


def test_run_graph_reaches_the_width_of_the_graph_below_the_limit():
    # 4 ready nodes with room for 8: all 4 run at once, and never more than the graph allows
    failures, order, peak = _graph_run(width=4, rounds=1, max_concurrency=8)
    assert failures == {}
    assert order[0] == "root" and order[-1] == "last" and len(order) == 6
    assert peak == 4


def test_run_graph_stops_dependents_after_a_failure():
    ran = []

    def boom():
        raise RuntimeError("nope")

    failures = run_graph({"a": boom, "b": lambda: ran.append("b")}, {"b": {"a"}}, max_concurrency=2)
    assert list(failures) == ["a"] and ran == []


def test_run_graph_reports_cycles():
    failures = run_graph({"a": lambda: None, "b": lambda: None}, {"a": {"b"}, "b": {"a"}}, 2)
    assert "(graph)" in failures and "a, b" in str(failures["(graph)"])
