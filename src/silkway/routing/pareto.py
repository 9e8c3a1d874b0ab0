"""Multi-criteria label-setting search (Pareto over several additive costs).

A generic, exact algorithm on an explicit directed graph with non-negative cost vectors:
labels are popped in lexicographic order, a popped label that no settled label at its node
dominates is settled, and a label is discarded as soon as a settled label at its node, or a
settled label at a target plus the node's lower bound to the target, dominates it. With
non-negative costs this returns every Pareto-optimal path (one per distinct cost vector), a
classic result (Martins 1984; Mandow & Pérez de la Cruz's NAMOA* adds the lower bounds).

Paths are *simple in the search graph*; callers that want simple paths in a coarser sense
(e.g. never revisiting a hub) encode that in the graph or filter the result.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

Vec = tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Arc:
    """A directed arc ``tail -> head`` with a cost vector and an opaque payload id."""

    head: int
    cost: Vec
    ref: int


@dataclass(frozen=True, slots=True)
class ParetoPath:
    """One Pareto-optimal path: its cost vector and the ``ref`` of each arc, in order."""

    cost: Vec
    refs: tuple[int, ...]
    nodes: tuple[int, ...]


def dominates(a: Vec, b: Vec) -> bool:
    """True if ``a`` is no worse than ``b`` in every criterion (ties count as dominating)."""
    return all(x <= y for x, y in zip(a, b, strict=True))


def _add(a: Vec, b: Vec) -> Vec:
    return tuple(x + y for x, y in zip(a, b, strict=True))


def pareto_paths(adj: Sequence[Sequence[Arc]], source: int, targets: frozenset[int], *,
                 lower_bound: Sequence[Vec] | None = None,
                 max_labels: int = 200_000) -> list[ParetoPath]:
    """All Pareto-optimal source-target paths, sorted lexicographically by cost.

    Parameters
    ----------
    adj
        ``adj[u]`` lists the arcs leaving node ``u``.
    source
        Start node.
    targets
        Nodes that end a path (the search never continues from a target).
    lower_bound
        Optional admissible per-node lower bound on the remaining cost to any target
        (component-wise); it only prunes, never changes the answer.
    max_labels
        Safety valve on work per query; exceeded only by pathological graphs.

    Returns
    -------
    list of ParetoPath
        Non-dominated paths; among paths with equal cost vectors, the first found.
    """
    n = len(adj)
    dim = None
    settled: list[list[Vec]] = [[] for _ in range(n)]
    # label store: cost, node, parent label index, arc ref
    costs: list[Vec] = []
    nodes: list[int] = []
    parents: list[int] = []
    refs: list[int] = []
    found: list[int] = []
    found_costs: list[Vec] = []
    zero: Vec | None = None
    heap: list[tuple[Vec, int]] = []

    def push(cost: Vec, node: int, parent: int, ref: int) -> None:
        idx = len(costs)
        costs.append(cost)
        nodes.append(node)
        parents.append(parent)
        refs.append(ref)
        heapq.heappush(heap, (cost, idx))

    for arcs in adj:
        if arcs:
            dim = len(arcs[0].cost)
            break
    if dim is None:
        return []
    zero = (0.0,) * dim
    push(zero, source, -1, -1)
    while heap:
        cost, idx = heapq.heappop(heap)
        node = nodes[idx]
        here = settled[node]
        if any(dominates(s, cost) for s in here):
            continue
        if any(dominates(f, cost) for f in found_costs):
            continue
        here.append(cost)
        if node in targets:
            found.append(idx)
            found_costs.append(cost)
            continue
        if len(costs) > max_labels:
            break
        for arc in adj[node]:
            new = _add(cost, arc.cost)
            head = arc.head
            if any(dominates(s, new) for s in settled[head]):
                continue
            if found_costs:
                bound = new if lower_bound is None else _add(new, lower_bound[head])
                if any(dominates(f, bound) for f in found_costs):
                    continue
            push(new, head, idx, arc.ref)
    out = []
    for idx in found:
        path_refs: list[int] = []
        path_nodes: list[int] = []
        i = idx
        while i >= 0:
            path_nodes.append(nodes[i])
            if refs[i] >= 0:
                path_refs.append(refs[i])
            i = parents[i]
        out.append(ParetoPath(costs[idx], tuple(reversed(path_refs)), tuple(reversed(path_nodes))))
    return out
