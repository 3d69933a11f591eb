"""A tiny dependency graph: nodes, "requires" edges, waves, cycles.  Knows nothing of resources.

Waves are computed in one depth-first pass whose per-node work is done with set operations,
so a graph with many edges (Heat's "a server needs every subnet") stays fast.
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

    def add_node(self, node: str) -> None:
        self.requires.setdefault(node, set())

    def add_edge(self, node: str, needs: str) -> None:
        """``node`` requires ``needs``."""
        self.requires.setdefault(node, set()).add(needs)
        self.requires.setdefault(needs, set())

    def required_by(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {n: set() for n in self.requires}
        for n, reqs in self.requires.items():
            for r in reqs:
                out[r].add(n)
        return out

    def levels(self) -> dict[str, int]:
        """Longest-path level of every node (0 = needs nothing); raise CycleError on a cycle."""
        req = self.requires
        level: dict[str, int] = {}
        gray: set[str] = set()
        for root in req:
            if root in level:
                continue
            stack: list[tuple[str, bool]] = [(root, False)]
            while stack:
                node, leaving = stack.pop()
                if leaving:
                    deps = req[node]
                    level[node] = max(map(level.__getitem__, deps), default=-1) + 1
                    gray.discard(node)
                    continue
                if node in level:
                    continue
                deps = req[node]
                if deps & gray or node in deps:
                    raise CycleError("Circular Dependency Found: %s"
                                     % " -> ".join(self.find_cycle()))
                gray.add(node)
                stack.append((node, True))
                for d in deps:
                    if d not in level:
                        stack.append((d, False))
        return level

    def waves(self) -> list[list[str]]:
        """Creation waves (nodes of equal level), each sorted; raise CycleError naming a cycle."""
        level = self.levels()
        out: list[list[str]] = [[] for _level in range(max(level.values(), default=-1) + 1)]
        for n, lv in level.items():
            out[lv].append(n)
        for w in out:
            w.sort()
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
