"""A tiny dependency graph: nodes, "requires" edges, readiness, waves, cycles.  Knows nothing of resources.

:class:`Readiness` is the one walk over a graph (Kahn's algorithm: a node is ready once every
node it requires is done). :meth:`Graph.waves` drives it round by round; the parallel walker
(``graph.walk.run_graph``) drives it as actions finish. A graph with many edges (Heat's "a
server needs every subnet") costs one counter decrement per edge.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import CycleError


class Graph:
    """Directed graph where ``requires[n]`` are the nodes ``n`` needs first."""

    def __init__(self, nodes: Iterable[str] = (), requires: Mapping[str, set] | None = None) -> None:
        self.requires: dict[str, set[str]] = {n: set() for n in nodes}
        if requires:
            for n, reqs in requires.items():
                self.requires[n] = reqs  # shared, not copied
                for r in reqs:
                    self.requires.setdefault(r, set())

    def add_edge(self, node: str, needs: str) -> None:
        """``node`` requires ``needs``."""
        self.requires.setdefault(node, set()).add(needs)
        self.requires.setdefault(needs, set())

    def reversed(self) -> Graph:
        """The same nodes with every edge turned round: dependants first (the deletion order)."""
        out = Graph(self.requires)
        for n, reqs in self.requires.items():
            for r in reqs:
                out.requires[r].add(n)
        return out

    def waves(self) -> list[list[str]]:
        """Creation waves (longest-path levels: wave 0 needs nothing), each sorted; raise CycleError naming a cycle."""
        ready = Readiness(self)
        out: list[list[str]] = []
        wave = ready.take()
        while wave:
            out.append(wave)
            for n in wave:
                ready.done(n)
            wave = ready.take()
        if ready.untaken:
            raise CycleError("Circular Dependency Found: %s" % " -> ".join(self.find_cycle()))
        return out

    def reverse_waves(self) -> list[list[str]]:
        """Deletion order: the creation waves reversed."""
        return list(reversed(self.waves()))

    def find_cycle(self) -> list[str]:
        """One cycle as a list of node names, first node repeated at the end."""
        color: dict[str, int] = {}
        for start in sorted(self.requires):
            if color.get(start):
                continue
            stack = [(start, iter(sorted(self.requires[start])))]
            path = [start]
            color[start] = 1
            while stack:
                node, it = stack[-1]
                nxt = next(it, None)
                if nxt is None:
                    stack.pop()
                    path.pop()
                    color[node] = 2
                    continue
                c = color.get(nxt, 0)
                if c == 1:
                    return path[path.index(nxt):] + [nxt]
                if c == 0:
                    color[nxt] = 1
                    path.append(nxt)
                    stack.append((nxt, iter(sorted(self.requires[nxt]))))
        return []


class Readiness:
    """Which nodes of a graph may start: those whose requirements are all done.

    Nodes are handed out by :meth:`take` (each once) and reported back by :meth:`done`; nodes
    still held back when nothing more becomes ready sit on (or after) a cycle, or after a node
    that was never reported done.
    """

    def __init__(self, graph: Graph) -> None:
        requires = graph.requires
        self._missing = {n: len(reqs) for n, reqs in requires.items()}
        self._dependants: dict[str, list[str]] = {n: [] for n in requires}
        for n, reqs in requires.items():
            for r in reqs:
                self._dependants[r].append(n)
        self._ready = {n for n, count in self._missing.items() if not count}
        self._untaken = set(requires)

    def take(self, limit: int | None = None) -> list[str]:
        """The ready nodes not handed out yet, in name order (at most ``limit``)."""
        nodes = sorted(self._ready)[:limit]
        self._ready.difference_update(nodes)
        self._untaken.difference_update(nodes)
        return nodes

    def done(self, node: str) -> None:
        """``node`` finished: its dependants stop waiting for it."""
        for d in self._dependants[node]:
            self._missing[d] -= 1
            if not self._missing[d]:
                self._ready.add(d)

    @property
    def untaken(self) -> int:
        """How many nodes were not handed out yet."""
        return len(self._untaken)

    def blocked(self) -> list[str]:
        """The nodes never handed out, in name order."""
        return sorted(self._untaken)
