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


# Unrolled forms for the common dimensions: the search spends most of its time here.
_DOMINATES = {
    1: lambda a, b: a[0] <= b[0],
    2: lambda a, b: a[0] <= b[0] and a[1] <= b[1],
    3: lambda a, b: a[0] <= b[0] and a[1] <= b[1] and a[2] <= b[2],
    4: lambda a, b: a[0] <= b[0] and a[1] <= b[1] and a[2] <= b[2] and a[3] <= b[3],
}
_ADD = {
    1: lambda a, b: (a[0] + b[0],),
    2: lambda a, b: (a[0] + b[0], a[1] + b[1]),
    3: lambda a, b: (a[0] + b[0], a[1] + b[1], a[2] + b[2]),
    4: lambda a, b: (a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]),
}


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
    dim = next((len(arcs[0].cost) for arcs in adj if arcs), None)
    if dim is None:
        return []
    dom = _DOMINATES.get(dim, dominates)
    add = _ADD.get(dim, _add)
    settled: list[list[Vec]] = [[] for _ in adj]
    # label store: cost, node, parent label index, arc ref
    costs: list[Vec] = [(0.0,) * dim]
    nodes: list[int] = [source]
    parents: list[int] = [-1]
    refs: list[int] = [-1]
    found: list[int] = []
    found_costs: list[Vec] = []
    heap: list[tuple[Vec, int]] = [(costs[0], 0)]
    pop, push = heapq.heappop, heapq.heappush

    def beaten(cost: Vec, by: list[Vec]) -> bool:  # a plain loop: any() + genexpr is 2x slower
        for s in by:  # noqa: SIM110
            if dom(s, cost):
                return True
        return False

    while heap:
        cost, idx = pop(heap)
        node = nodes[idx]
        here = settled[node]
        if beaten(cost, here) or beaten(cost, found_costs):
            continue
        here.append(cost)
        if node in targets:
            found.append(idx)
            found_costs.append(cost)
            continue
        if len(costs) > max_labels:
            break
        for arc in adj[node]:
            new = add(cost, arc.cost)
            head = arc.head
            if beaten(new, settled[head]):
                continue
            if found_costs:
                bound = new if lower_bound is None else add(new, lower_bound[head])
                if beaten(bound, found_costs):
                    continue
            costs.append(new)
            nodes.append(head)
            parents.append(idx)
            refs.append(arc.ref)
            push(heap, (new, len(costs) - 1))
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
