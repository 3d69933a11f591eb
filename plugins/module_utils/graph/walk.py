"""The parallel walker: runs the nodes of a dependency graph, each after the nodes it requires."""

from __future__ import annotations

import concurrent.futures as cf
import time
from typing import Callable, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.graph.dag import Graph, Readiness


def run_graph(nodes: Mapping[str, Callable[[], None]], deps: Mapping[str, set], max_concurrency: int,
              deadline: float | None = None) -> dict[str, BaseException]:
    """Run ``nodes`` so that each starts after its ``deps``; stop launching after a failure.

    At most ``max_concurrency`` nodes run at once; ready nodes start in name order. Requirements
    that are not in ``nodes`` are ignored. Returns the failures by node name (empty when
    everything succeeded). Nodes never started because of a failure, the ``deadline``
    (``time.monotonic()``) or a dependency cycle are absent from the result and were not run.
    """
    names = set(nodes)
    graph = Graph(nodes, {n: set(d) & names for n, d in deps.items() if n in names})
    ready = Readiness(graph)
    limit = max(1, max_concurrency)
    failures: dict[str, BaseException] = {}
    running: dict[cf.Future, str] = {}
    with cf.ThreadPoolExecutor(max_workers=limit) as pool:
        while True:
            if not failures:
                if deadline is not None and time.monotonic() > deadline and ready.untaken:
                    failures["(stack)"] = TimeoutError("stack timeout reached")
                else:
                    for n in ready.take(limit - len(running)):
                        running[pool.submit(nodes[n])] = n
            if not running:
                if ready.untaken and not failures:
                    failures["(graph)"] = RuntimeError("dependency cycle among: " + ", ".join(ready.blocked()))
                break
            finished, _pending = cf.wait(list(running), return_when=cf.FIRST_COMPLETED)
            for fut in finished:
                name = running.pop(fut)
                exc = fut.exception()
                if exc is not None:
                    failures[name] = exc
                else:
                    ready.done(name)
    return failures
