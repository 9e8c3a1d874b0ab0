"""The cheapest path by one criterion that uses a required arc and enters no group or place twice.

A corridor's best route must not leave a country and come back. When the compiled shortest path
(:mod:`silkway.routing.best`) does, this exact label search answers: A* over (node, used a
required arc yet) with a label per set of groups visited, guided by the exact distances to the
end in the same graph without the group rule (consistent bounds), so the first label to reach
the end is the answer. One criterion and integer bit sets keep it a tight loop: the general
multi-criteria search (:func:`~silkway.routing.pareto.constrained_paths` with ``simple_in``)
finds the same path several times slower.

The rule is kept only for the groups and places that cheaper relaxations came back to
(decremental state-space relaxation, as in elementary shortest-path solvers): the first search
watches none, and each search whose cheapest path enters a group or a place twice adds those
to the watched ones for the next. Few labels differ in what they must still avoid, so each
search is small; a caller's ``hopeless`` bound cuts short the proof that no path is left within
a budget.

The search of one relaxation (:func:`_search`) runs compiled (``_simple_core``, built from
Cython by the install, chosen by the rule of :func:`~silkway.routing.pareto.load_core`:
:data:`CORE`) with its watched bits packed into two 64-bit words; with more than 128 bits
watched it runs in Python (:func:`python_search`, the reference), with the same answer, labels,
limit error and calls of ``hopeless``.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from silkway.routing.pareto import SearchLimitError, load_core

CORE: ModuleType | None = load_core("_simple_core")
"""The compiled country-simple search, or None for pure Python (the rule of
:func:`~silkway.routing.pareto.load_core`)."""


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
    lacks = ~mask
    for m in masks:  # noqa: SIM110 - a plain loop: any() over a generator is slower
        if not m & lacks:
            return True
    return False


Prepared = tuple[tuple[int, float, int, int, int, bool, bool], ...]
"""One node's usable arcs as (head, cost, ref, group bit, place bit, required, into another
group): see :class:`PreparedArcs`."""


class PreparedArcs:
    """The arcs of ``g`` that :func:`cheapest_simple` may use under ``allowed``, with their
    bits computed, per node as first searched from (in the arcs' order, so the search pops the
    same labels): worth keeping when one graph and mask are searched for many trips.

    ``within``: the same graph's prepared arcs under a mask that allows every arc ``allowed``
    does, with the same ``group`` and ``place`` and a ``required`` that agrees with this one's
    on the arcs ``allowed`` keeps (kept for many narrower masks): each node's arcs are then
    those of ``within`` that ``allowed`` keeps, in their order, with their bits as computed
    there."""

    def __init__(self, g: OneCriterion, *, allowed: Sequence[bool], required: Collection[int],
                 group: Sequence[int], place: Sequence[int],
                 within: PreparedArcs | None = None) -> None:
        self.g, self.allowed, self.required, self.group, self.place = (
            g, allowed, required, group, place)
        self.within = within
        self.shift = max(group) + 1
        self.nodes: list[Prepared | None] = [None] * len(g.heads)
        self.core: Any = None  # the compiled search's arrays of these arcs, made when first run

    def __getitem__(self, node: int) -> Prepared:
        got = self.nodes[node]
        if got is None and self.within is not None:
            allowed = self.allowed
            got = self.nodes[node] = tuple(a for a in self.within[node] if allowed[a[2]])
        elif got is None:
            g, allowed, required, group, place = (self.g, self.allowed, self.required,
                                                  self.group, self.place)
            shift, own = self.shift, group[node]
            got = self.nodes[node] = tuple(
                (head, c, ref, 1 << group[head], 1 << (shift + place[head]), ref in required,
                 group[head] != own)
                for head, c, ref in zip(g.heads[node], g.costs[node], g.refs[node], strict=True)
                if allowed[ref])
        return got


def cheapest_simple(g: OneCriterion, source: int, ends: Mapping[int, float], *,
                    allowed: Sequence[bool], required: Collection[int], group: Sequence[int],
                    place: Sequence[int], before: Sequence[float], after: Sequence[float],
                    budget: float | None = None, max_labels: int = 5_000,
                    prepared: PreparedArcs | None = None,
                    hopeless: Callable[[int], bool] | None = None,
                    relaxed: Sequence[int] | None = None) -> SimplePath | None:
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
    prepared
        :class:`PreparedArcs` of ``g`` with the same ``allowed``, ``required``, ``group``
        and ``place``, when kept (else made here).
    hopeless
        ``hopeless(groups)``, with the bits (``1 << group``) of some groups: True when a
        lower bound on every path that enters none of them twice exceeds the budget (e.g. a
        compiled shortest path per group). Asked when a search with those groups watched
        grows past :data:`EASY_LABELS`, so that proving there is no path within the budget
        takes one cheap bound instead of every label within it.
    relaxed
        The nodes of a cheapest path without the group and place rules, when known (e.g.
        from a compiled search): the search starts by watching the groups and places it
        enters twice, instead of finding that path again.

    Returns
    -------
    SimplePath or None
        The cheapest such path (its cost includes the end's), or None when there is none
        (within the budget).
    """
    limit = float("inf") if budget is None else budget
    if before[source] > limit:
        return None
    arcs_of = prepared if prepared is not None else PreparedArcs(
        g, allowed=allowed, required=required, group=group, place=place)
    # Decremental state-space relaxation: the search enforces the rules only for the groups
    # and places in ``watched``, starting with none; when its cheapest path enters a group or
    # a place twice, those are watched too and it searches again. A relaxation's cheapest path
    # that keeps the rules is the answer, and a relaxation with no path within the budget
    # proves there is none, so the few groups a trip could come back to are all it tracks.
    watched = 0 if relaxed is None else _entered_twice(relaxed, group, place, arcs_of.shift)
    work = max_labels
    while True:
        found, spent = _search(arcs_of, source, ends, before, after, limit, watched, work,
                               hopeless)
        if found is None:
            return None
        again = _entered_twice(found.nodes, group, place, arcs_of.shift)
        if not again:
            return found
        watched |= again
        work -= spent


EASY_LABELS = 400
"""Labels a relaxation's search makes before :func:`cheapest_simple` asks whether any path
within the budget can exist (most searches end well before)."""


def _entered_twice(nodes: Sequence[int], group: Sequence[int], place: Sequence[int],
                   shift: int) -> int:
    """The bits of the groups that ``nodes`` enter more than once, and from bit ``shift`` of
    the places they visit more than once."""
    seen = twice = 0
    last = -1
    for v in nodes:
        k = group[v]
        if k != last:
            if seen >> k & 1:
                twice |= 1 << k
            seen |= 1 << k
            last = k
    places: set[int] = set()
    for v in nodes:
        p = place[v]
        if p in places:
            twice |= 1 << (shift + p)
        places.add(p)
    return twice


def _search(arcs_of: PreparedArcs, source: int, ends: Mapping[int, float],
            before: Sequence[float], after: Sequence[float], limit: float, watched: int,
            max_labels: int, hopeless: Callable[[int], bool] | None
            ) -> tuple[SimplePath | None, int]:
    """:func:`cheapest_simple` with the group and place rules kept for the ``watched`` groups
    and places only (bits as in the labels): the cheapest path and the labels made. Compiled
    when :data:`CORE` is set and can run it, else :func:`python_search` (the same answer)."""
    core = CORE
    if core is not None:
        got = _compiled(core, arcs_of, source, ends, before, after, limit, watched, max_labels,
                        hopeless)
        if got is not None:
            return got
    return python_search(arcs_of, source, ends, before, after, limit, watched, max_labels,
                         hopeless)


def _compiled(core: ModuleType, arcs_of: PreparedArcs, source: int, ends: Mapping[int, float],
              before: Sequence[float], after: Sequence[float], limit: float, watched: int,
              max_labels: int, hopeless: Callable[[int], bool] | None
              ) -> tuple[SimplePath | None, int] | None:
    """:func:`_search` by the compiled core, or None when it cannot run this search (more
    than 128 bits watched)."""
    arcs = arcs_of.core
    if arcs is None:
        arcs = arcs_of.core = core.arcs_for(len(arcs_of.nodes))
    shift = arcs_of.shift
    asked = watched & ((1 << shift) - 1)  # the watched groups, which ``hopeless`` is asked
    asking = hopeless is not None and bool(asked)
    ask = min(EASY_LABELS, max_labels) if asking else max_labels
    try:
        status, labels, cost, nodes, refs = core.search(
            arcs, arcs_of, source, ends, before, after, limit, watched, asking, ask, max_labels,
            hopeless, asked, arcs_of.group[source], arcs_of.place[source], shift)
    except core.Unsupported:
        return None
    if status == 1:
        return SimplePath(cost, nodes, refs), labels
    if status == 2:
        raise SearchLimitError(max_labels, [])
    return None, labels


def python_search(arcs_of: PreparedArcs, source: int, ends: Mapping[int, float],
                  before: Sequence[float], after: Sequence[float], limit: float, watched: int,
                  max_labels: int, hopeless: Callable[[int], bool] | None
                  ) -> tuple[SimplePath | None, int]:
    """:func:`_search` in pure Python: the reference and the fallback."""
    group, place, shift = arcs_of.group, arcs_of.place, arcs_of.shift
    groups = (1 << shift) - 1
    asking = hopeless is not None and bool(watched & groups)
    ask = min(EASY_LABELS, max_labels) if asking else max_labels
    inf = float("inf")
    # labels: (cost, node, used (0/1), bits (watched groups visited, then from bit ``shift``
    # the places visited in the group it is in), parent, ref)
    labels: list[tuple[float, int, int, int, int, int]] = [
        (0.0, source, 0, ((1 << group[source]) | 1 << (shift + place[source])) & watched,
         -1, -1)]
    add = labels.append
    settled: dict[int, list[int]] = {}  # (node, used) -> bits of the labels popped there
    heap: list[tuple[float, int]] = [(before[source], 0)]
    pop, push = heapq.heappop, heapq.heappush
    done = -1
    while heap:
        _, i = pop(heap)
        cost, node, used, mask, _, _ = labels[i]
        if node < 0:  # the end: the first one popped is the cheapest
            done = i
            break
        key = node * 2 + used
        here = settled.get(key)
        if here is None:
            here = settled[key] = []
        elif _covered(here, mask):  # popped in order of cost: an earlier label with no more
            continue  # groups or places beats it
        here.append(mask)
        if node in ends:
            if used and cost + ends[node] <= limit:
                add((cost + ends[node], -1, 1, mask, i, -1))
                push(heap, (cost + ends[node], len(labels) - 1))
            continue
        if len(labels) > ask:
            if asking:  # once, before the work limit can end the search
                asking = False
                if hopeless is not None and hopeless(watched & groups):
                    return None, len(labels)
            if len(labels) > max_labels:
                raise SearchLimitError(max_labels, [])
            ask = max_labels
        for head, c, ref, bit, at, req, cross in arcs_of[node]:
            if cross:
                if mask & bit:
                    continue  # it would enter a watched group again
                nmask = (mask & groups) | ((bit | at) & watched)
            elif mask & at:
                continue  # it would come back to a watched place
            else:
                nmask = mask | (at & watched)
            now = 1 if used or req else 0
            new = cost + c
            bound = new + (after[head] if now else before[head])
            if bound > limit or bound == inf:
                continue
            there = settled.get(head * 2 + now)
            if there is not None and _covered(there, nmask):
                continue
            add((new, head, now, nmask, i, ref))
            push(heap, (bound, len(labels) - 1))
    if done < 0:
        return None, len(labels)
    nodes: list[int] = []
    path_refs: list[int] = []
    total = labels[done][0]
    i = labels[done][4]
    while i >= 0:
        _, node, _, _, parent, ref = labels[i]
        nodes.append(node)
        if ref >= 0:
            path_refs.append(ref)
        i = parent
    return SimplePath(total, tuple(reversed(nodes)), tuple(reversed(path_refs))), len(labels)
