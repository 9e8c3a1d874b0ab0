"""The cheapest path by one criterion that uses a required arc and enters no group or place twice.

A corridor's best route must not leave a country and come back. When the compiled shortest path
(:mod:`silkway.routing.best`) does, this exact label search answers: A* over (node, used a
required arc yet) with a label per set of groups visited, guided by the exact distances to the
end in the same graph without the group rule (consistent bounds), so the first label to reach
the end is the answer. One criterion and integer bit sets keep it a tight loop: the general
multi-criteria search (:func:`~silkway.routing.pareto.constrained_paths` with ``simple_in``)
finds the same path several times slower.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from silkway.routing.pareto import SearchLimitError


@dataclass(frozen=True)
class OneCriterion:
    """A graph's arcs with one cost each, as per-node tuples (built once, searched often)."""

    heads: tuple[tuple[int, ...], ...]
    costs: tuple[tuple[float, ...], ...]
    refs: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class SimplePath:
    cost: float  # arcs plus the cost of the end
    nodes: tuple[int, ...]
    refs: tuple[int, ...]


def _covered(masks: list[int], mask: int) -> bool:
    """Whether one of ``masks`` has no group that ``mask`` lacks."""
    for m in masks:  # noqa: SIM110 - a plain loop: any() over a generator is slower
        if m & ~mask == 0:
            return True
    return False


def cheapest_simple(g: OneCriterion, source: int, ends: Mapping[int, float], *,
                    allowed: Sequence[bool], required: Collection[int], group: Sequence[int],
                    place: Sequence[int], before: Sequence[float], after: Sequence[float],
                    budget: float | None = None, max_labels: int = 5_000) -> SimplePath | None:
    """The cheapest path from ``source`` to the end that uses an arc whose ref is in
    ``required``, never enters a group again once it has left it and never comes back to a
    place.

    Parameters
    ----------
    g
        The arcs; an arc is usable when ``allowed[ref]``.
    ends
        The nodes where a path may end, each with the cost of ending there. A path reaching
        one of them ends there (it never goes on).
    group
        Per node, its group (e.g. its country): moving between nodes of one group is free, but
        a path that leaves a group never comes back to it.
    place
        Per node, its place (e.g. its hub, whose states are nodes): a path visits each place at
        most once. (Places of a group it has left are out of reach anyway, so a label keeps the
        groups it visited and the places of the group it is in, as one set of bits.)
    before, after
        Consistent lower bounds on the cost from each node to the end, before and after a
        required arc was used (e.g. the exact distances without the group rule); ``inf``
        where the end cannot be reached.
    budget
        No path costing more is looked for.
    max_labels
        Work limit: past it, :class:`SearchLimitError` (with no paths).

    Returns
    -------
    SimplePath or None
        The cheapest such path (its cost includes the end's), or None when there is none
        (within the budget).
    """
    inf = float("inf")
    limit = inf if budget is None else budget
    f0 = before[source]
    if f0 > limit:
        return None
    # labels: cost, node, used (0/1), bits (groups visited, then from bit ``shift`` the places
    # visited in the group it is in), parent, ref
    shift = max(group) + 1
    groups = (1 << shift) - 1
    cost_of, node_of, used_of = [0.0], [source], [0]
    mask_of = [1 << group[source] | 1 << (shift + place[source])]
    parent_of, ref_of = [-1], [-1]
    settled: dict[int, list[int]] = {}  # (node, used) -> bits of the labels popped there
    heap: list[tuple[float, int]] = [(f0, 0)]
    pop, push = heapq.heappop, heapq.heappush
    heads, costs, refs = g.heads, g.costs, g.refs
    done = -1
    while heap:
        _, i = pop(heap)
        node = node_of[i]
        if node < 0:  # the end: the first one popped is the cheapest
            done = i
            break
        used, mask = used_of[i], mask_of[i]
        key = node * 2 + used
        here = settled.get(key)
        if here is None:
            here = settled[key] = []
        elif _covered(here, mask):  # popped in order of cost: an earlier label with no more
            continue  # groups or places beats it
        here.append(mask)
        cost = cost_of[i]
        if node in ends:
            if used and cost + ends[node] <= limit:
                cost_of.append(cost + ends[node])
                node_of.append(-1)
                used_of.append(1)
                mask_of.append(mask)
                parent_of.append(i)
                ref_of.append(-1)
                push(heap, (cost + ends[node], len(cost_of) - 1))
            continue
        if len(cost_of) > max_labels:
            raise SearchLimitError(max_labels, [])
        own = group[node]
        for head, c, ref in zip(heads[node], costs[node], refs[node], strict=True):
            if not allowed[ref]:
                continue
            grp = group[head]
            bit = 1 << grp
            at = 1 << (shift + place[head])
            if grp != own:
                if mask & bit:
                    continue  # it would enter a group again
                nmask = (mask & groups) | bit | at
            elif mask & at:
                continue  # it would come back to a place
            else:
                nmask = mask | at
            now = 1 if used or ref in required else 0
            new = cost + c
            bound = new + (after[head] if now else before[head])
            if bound > limit or bound == inf:
                continue
            there = settled.get(head * 2 + now)
            if there is not None and _covered(there, nmask):
                continue
            cost_of.append(new)
            node_of.append(head)
            used_of.append(now)
            mask_of.append(nmask)
            parent_of.append(i)
            ref_of.append(ref)
            push(heap, (bound, len(cost_of) - 1))
    if done < 0:
        return None
    nodes: list[int] = []
    path_refs: list[int] = []
    i = parent_of[done]
    total = cost_of[done]
    while i >= 0:
        nodes.append(node_of[i])
        if ref_of[i] >= 0:
            path_refs.append(ref_of[i])
        i = parent_of[i]
    return SimplePath(total, tuple(reversed(nodes)), tuple(reversed(path_refs)))
