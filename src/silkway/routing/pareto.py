"""Multi-criteria label-setting search (Pareto over several additive costs).

A generic, exact algorithm on an explicit directed graph with non-negative cost vectors:
labels are popped in lexicographic order, a popped label that no settled label at its node
dominates is settled, and a label is discarded as soon as a settled label at its node, or a
settled label at a target plus the node's lower bound to the target, dominates it. With
non-negative costs this returns every Pareto-optimal path (one per distinct cost vector), a
classic result (Martins 1984; Mandow & Pérez de la Cruz's NAMOA* adds the lower bounds).

Paths are *simple in the search graph*; callers that want simple paths in a coarser sense
(e.g. never revisiting a hub) encode that in the graph or filter the result.

The search runs compiled (``_pareto_core``, built from Cython by the install) when that module
is importable and ``SILKWAY_PURE_PYTHON=1`` is not set (:data:`CORE`, decided once, here);
:func:`python_pareto_paths` is the reference and the fallback, and both give the same answer
and the same work. The compiled search reads the graph as arrays (:class:`ArcPool`), which an
adjacency list may keep for itself (an ``arc_pool()`` method); otherwise they are made per call.
"""

from __future__ import annotations

import heapq
import importlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from silkway._lru import LRU

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


def _beaten2(cost: Vec, by: list[Vec]) -> bool:
    a, b = cost
    for s in by:  # noqa: SIM110 - plain loops: any() over a generator is 2x slower
        if s[0] <= a and s[1] <= b:
            return True
    return False


def _beaten3(cost: Vec, by: list[Vec]) -> bool:
    a, b, c = cost
    for s in by:  # noqa: SIM110
        if s[0] <= a and s[1] <= b and s[2] <= c:
            return True
    return False


def _beaten4(cost: Vec, by: list[Vec]) -> bool:
    a, b, c, d = cost
    for s in by:  # noqa: SIM110
        if s[0] <= a and s[1] <= b and s[2] <= c and s[3] <= d:
            return True
    return False


_BEATEN = {2: _beaten2, 3: _beaten3, 4: _beaten4}
"""Whether a cost vector is dominated by one in a list, unrolled for the common dimensions
(about a tenth of a search's time)."""


class SearchLimitError(RuntimeError):
    """A search stopped at its label limit before it had found the whole Pareto set.

    ``paths`` holds what it had found: real paths, but Pareto-optimal ones may be missing and
    a listed one may be dominated by a missed one."""

    def __init__(self, max_labels: int, paths: list[ParetoPath]) -> None:
        super().__init__(f"the route search stopped at its limit of {max_labels:,} labels "
                         "before it had found every Pareto-optimal route")
        self.max_labels, self.paths = max_labels, paths


@dataclass(frozen=True, slots=True)
class ArcPool:
    """An adjacency list as arrays, what the compiled search reads: the arcs leaving node ``u``
    are rows ``starts[u]:stops[u]`` of ``heads``, ``refs`` (int64) and ``costs`` (float64, one
    row of criteria per arc). Rows not between a node's start and stop are never read."""

    starts: Any
    stops: Any
    heads: Any
    refs: Any
    costs: Any

    @classmethod
    def of(cls, adj: Sequence[Sequence[Arc]], dim: int) -> ArcPool:
        import numpy as np

        lens = np.fromiter(map(len, adj), dtype=np.int64, count=len(adj))
        stops = np.cumsum(lens)
        m = int(stops[-1]) if len(stops) else 0
        heads = np.fromiter((a.head for arcs in adj for a in arcs), dtype=np.int64, count=m)
        refs = np.fromiter((a.ref for arcs in adj for a in arcs), dtype=np.int64, count=m)
        costs = np.array([a.cost for arcs in adj for a in arcs], dtype=np.float64).reshape(m, dim)
        return cls(stops - lens, stops, heads, refs, costs)


def load_core(name: str) -> ModuleType | None:
    """The compiled module ``silkway.routing.<name>``, or None for pure Python: the one rule
    for every compiled search (compiled when the install built it, unless the environment sets
    ``SILKWAY_PURE_PYTHON=1``)."""
    if os.environ.get("SILKWAY_PURE_PYTHON", "") not in ("", "0"):
        return None
    try:
        return importlib.import_module(f"silkway.routing.{name}")
    except ImportError:  # built without a compiler: the pure-Python search
        return None


CORE: ModuleType | None = load_core("_pareto_core")
"""The compiled search module, or None for the pure-Python search: the one place that decides
(compiled when the install built it, unless the environment sets ``SILKWAY_PURE_PYTHON=1``)."""


def pareto_paths(adj: Sequence[Sequence[Arc]], source: int, targets: frozenset[int], *,
                 lower_bound: Sequence[Vec] | None = None,
                 max_labels: int = 200_000, dim: int | None = None,
                 simple_in: Sequence[int] | None = None,
                 first: bool = False, budget: Vec | None = None,
                 allowed: Sequence[bool] | None = None,
                 stats: dict[str, int] | None = None,
                 peers: Sequence[int] | None = None,
                 slack: Sequence[Vec] | None = None) -> list[ParetoPath]:
    """All Pareto-optimal source-target paths, sorted lexicographically by cost.

    Compiled when :data:`CORE` is set and the graph is an explicit one (a lazy layered graph
    searches in Python); otherwise :func:`python_pareto_paths`, whose parameters and answer
    these are: the same paths in the same order, the same ``stats`` and the same
    :class:`SearchLimitError` either way."""
    if dim is None:
        dim = next((len(arcs[0].cost) for arcs in adj if arcs), None)
    if dim is None:
        return []
    if CORE is not None and not isinstance(adj, _Layered):
        got = _compiled(CORE, adj, source, targets, lower_bound=lower_bound,
                        max_labels=max_labels, dim=dim, simple_in=simple_in, first=first,
                        budget=budget, allowed=allowed, stats=stats, peers=peers, slack=slack)
        if got is not None:
            return got
    return python_pareto_paths(adj, source, targets, lower_bound=lower_bound,
                               max_labels=max_labels, dim=dim, simple_in=simple_in,
                               first=first, budget=budget, allowed=allowed, stats=stats,
                               peers=peers, slack=slack)


_POOLS: LRU[tuple[int, int], tuple[Sequence[Sequence[Arc]], ArcPool]] = LRU(8)
"""Arrays of the last few immutable graphs searched that keep none of their own (a compiled
graph's tuple of arcs, say), by identity: making them costs about 2 us an arc, 20 times a
plan's whole search on today's network."""


def arc_pool(adj: Sequence[Sequence[Arc]], dim: int) -> ArcPool | None:
    """``adj`` as arrays: its own ``arc_pool()`` when it keeps them, else made from its arcs
    (kept for a tuple of tuples, which cannot change; None when its cost vectors are not all
    ``dim`` long)."""
    make = getattr(adj, "arc_pool", None)
    frozen = make is None and type(adj) is tuple and all(type(a) is tuple for a in adj[:1])
    if frozen:
        hit = _POOLS.get((id(adj), dim))
        if hit is not None and hit[0] is adj:
            return hit[1]
    try:
        pool: ArcPool = make() if make is not None else ArcPool.of(adj, dim)
    except ValueError:  # ragged or mismatched cost vectors: the Python search says so
        return None
    if not (pool.costs.ndim == 2 and pool.costs.shape[1] == dim):
        return None
    if frozen:
        _POOLS.put((id(adj), dim), (adj, pool))
    return pool


def _compiled(core: ModuleType, adj: Sequence[Sequence[Arc]], source: int,
              targets: frozenset[int], *, dim: int, max_labels: int, first: bool,
              stats: dict[str, int] | None, **options: Any) -> list[ParetoPath] | None:
    """:func:`pareto_paths` by the compiled core, or None when it cannot run this search."""
    pool = arc_pool(adj, dim)
    if pool is None or not 0 <= source < len(pool.starts):
        return None
    try:
        raw, labels, complete = core.search(
            pool.starts, pool.stops, pool.heads, pool.refs, pool.costs, source, targets,
            options["lower_bound"], max_labels, dim, options["simple_in"], first,
            options["budget"], options["allowed"], options["peers"], options["slack"])
    except core.Unsupported:  # e.g. more than 64 groups to keep paths simple in
        return None
    out = [ParetoPath(cost, refs, nodes) for cost, refs, nodes in raw]
    if stats is not None:
        stats["labels"] = labels
    if not complete:
        raise SearchLimitError(max_labels, out)
    return out


def python_pareto_paths(adj: Sequence[Sequence[Arc]], source: int, targets: frozenset[int], *,
                        lower_bound: Sequence[Vec] | None = None,
                        max_labels: int = 200_000, dim: int | None = None,
                        simple_in: Sequence[int] | None = None,
                        first: bool = False, budget: Vec | None = None,
                        allowed: Sequence[bool] | None = None,
                        stats: dict[str, int] | None = None,
                        peers: Sequence[int] | None = None,
                        slack: Sequence[Vec] | None = None) -> list[ParetoPath]:
    """All Pareto-optimal source-target paths, sorted lexicographically by cost (the pure-Python
    search: the reference for the compiled one, and its fallback).

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
        Safety valve on work per query: a search that reaches it raises
        :class:`SearchLimitError` (never a silently partial answer).
    dim
        Number of criteria (read from the first arc when not given).
    simple_in
        Optional group of each node (e.g. its hub, or its country; -1: none): paths never
        enter a group again once they have left it (moving between nodes of the group they
        are in is allowed). A label then dominates another only if it also visited no group the other
        did not (the exact rule for elementary paths), so the answer is every Pareto-optimal
        such path.
    first
        Stop at the first target label: the path that is least in lexicographic order of
        cost (exact with consistent bounds, e.g. true shortest distances in a graph with more
        arcs).
    budget
        Optional cost vector no path may exceed (component-wise): labels whose cost plus
        lower bound exceeds it are dropped.
    allowed
        Optional mask per arc ``ref``: arcs whose ref it marks False are not used (arcs with
        a negative ref always are).
    stats
        Optional dict that receives the work done: ``labels`` created.
    peers, slack
        Optional dominance across nodes (not with ``simple_in``): ``peers[u]`` (-1: none)
        puts nodes whose arcs are the same (by ``ref``, to the same heads) in one group, and
        ``slack[u]`` bounds how much more any arc costs from ``u`` than the same arc from
        another node of its group. A label at ``u`` then also beats a label at another node of
        the group when its cost plus ``slack[u]`` dominates, since every way on costs it no
        more. For the (hub, arrival class) states of a plan, a group is a hub and the slack
        what its transfers cost more than the cheapest; the answer does not change.

    Returns
    -------
    list of ParetoPath
        Non-dominated paths; among paths with equal cost vectors, the first found.
    """
    if dim is None:
        dim = next((len(arcs[0].cost) for arcs in adj if arcs), None)
    if dim is None:
        return []
    dom = _DOMINATES.get(dim, dominates)
    add = _ADD.get(dim, _add)
    # settled labels by node, filled as the search reaches nodes (a layered graph is large)
    settled: dict[int, list[Vec]] = {}
    none: list[Vec] = []
    # label store: cost, node, parent label index, arc ref
    costs: list[Vec] = [(0.0,) * dim]
    groups = simple_in
    masks: list[int] = ([1 << groups[source] if groups[source] >= 0 else 0]
                        if groups is not None else [])
    settled_masks: dict[int, list[int]] = {}
    by_group: dict[int, list[Vec]] = {}  # per peer group: settled costs plus their slack
    nodes: list[int] = [source]
    parents: list[int] = [-1]
    refs: list[int] = [-1]
    found: list[int] = []
    found_costs: list[Vec] = []
    zero = costs[0]
    inf = float("inf")
    heap: list[tuple[Vec, int]] = [(zero if lower_bound is None else lower_bound[source], 0)]
    pop, push = heapq.heappop, heapq.heappush
    complete = True

    def any_beats(cost: Vec, by: list[Vec]) -> bool:
        for s in by:  # noqa: SIM110 - a plain loop: any() + genexpr is 2x slower
            if dom(s, cost):
                return True
        return False

    beaten = _BEATEN.get(dim, any_beats)

    def beaten_simple(cost: Vec, mask: int, node: int) -> bool:
        if node not in settled_masks:
            return False
        for s, m in zip(settled[node], settled_masks[node], strict=True):
            if m & ~mask == 0 and dom(s, cost):
                return True
        return False

    # Labels leave the heap in lexicographic order of cost + lower bound (NAMOA*): the bound is
    # the same for every label at a node, so a settled label is never dominated by a later one.
    while heap:
        f, idx = pop(heap)
        if f[0] == inf:
            break
        cost = costs[idx]
        node = nodes[idx]
        here = settled.get(node)
        if groups is not None:
            mask = masks[idx]
            if beaten_simple(cost, mask, node) or beaten(f, found_costs):
                continue
            settled_masks.setdefault(node, []).append(mask)
        elif (here is not None and beaten(cost, here)) or beaten(f, found_costs):
            continue
        elif peers is not None and (group := peers[node]) >= 0:
            beside = by_group.get(group)
            if beside is None:
                beside = by_group[group] = []
            elif beaten(cost, beside):
                continue
            beside.append(add(cost, slack[node]))  # type: ignore[index]
        if here is None:
            here = settled[node] = []
        here.append(cost)
        if node in targets:
            found.append(idx)
            found_costs.append(cost)
            if first:
                break
            continue
        if len(costs) > max_labels:
            complete = False
            break
        for arc in adj[node]:
            if allowed is not None and arc.ref >= 0 and not allowed[arc.ref]:
                continue
            new = add(cost, arc.cost)
            head = arc.head
            if groups is not None:
                at = groups[head]
                bit = 1 << at if at >= 0 else 0  # a node in no group (-1) is never kept out
                if ((mask & bit and at != groups[node])
                        or beaten_simple(new, mask | bit, head)):
                    continue
            elif beaten(new, settled.get(head, none)) or (
                    peers is not None and (group := peers[head]) >= 0
                    and beaten(new, by_group.get(group, none))):
                continue
            bound = new if lower_bound is None else add(new, lower_bound[head])
            if (bound[0] == inf or (found_costs and beaten(bound, found_costs))
                    or (budget is not None and not dom(bound, budget))):
                continue
            costs.append(new)
            if groups is not None:
                masks.append(mask | bit)
            nodes.append(head)
            parents.append(idx)
            refs.append(arc.ref)
            push(heap, (bound, len(costs) - 1))
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
    if stats is not None:
        stats["labels"] = len(costs)
    if not complete:
        raise SearchLimitError(max_labels, out)
    return out


class _Layered(Sequence[tuple[Arc, ...]]):
    """The base graph copied into layers that record what a path has done so far.

    A layer is ``stage * flags + flag``: ``stage`` counts the ordered via-node sets reached so
    far, ``flag`` (when a required arc set is given) whether one of those arcs was used. Arcs
    are expanded lazily, once per node a search reaches, and arcs not ``allowed`` are left out.
    """

    def __init__(self, adj: Sequence[Sequence[Arc]], allowed: Sequence[bool] | None,
                 required: frozenset[int] | None, stages: Sequence[frozenset[int]]) -> None:
        self.base = adj
        self.n = len(adj)
        self.allowed = allowed
        self.required = required
        self.stages = tuple(stages)
        self.flags = 2 if required is not None else 1
        self.layers = (len(self.stages) + 1) * self.flags
        self._memo: dict[int, tuple[Arc, ...]] = {}

    def __len__(self) -> int:
        return self.n * self.layers

    def layer_of(self, stage: int, flag: int) -> int:
        return stage * self.flags + flag

    def __getitem__(self, index: int) -> tuple[Arc, ...]:  # type: ignore[override]
        got = self._memo.get(index)
        if got is not None:
            return got
        layer, node = divmod(index, self.n)
        stage, flag = divmod(layer, self.flags)
        nxt = self.stages[stage] if stage < len(self.stages) else None
        out = []
        allowed, required, n = self.allowed, self.required, self.n
        for arc in self.base[node]:
            if allowed is not None and arc.ref >= 0 and not allowed[arc.ref]:
                continue
            s = stage + 1 if nxt is not None and arc.head in nxt else stage
            f = 1 if flag or (required is not None and arc.ref in required) else 0
            out.append(Arc((s * self.flags + f) * n + arc.head, arc.cost, arc.ref))
        got = self._memo[index] = tuple(out)
        return got


class _Groups(Sequence[int]):
    def __init__(self, base: Sequence[int], n: int, size: int) -> None:
        self.base, self.n, self.size = base, n, size

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: int) -> int:  # type: ignore[override]
        return self.base[index % self.n]


class _Bounds(Sequence[Vec]):
    """Lower bounds of a layered graph: the base bounds, or a tighter set for some layers."""

    def __init__(self, base: Sequence[Vec], n: int, size: int,
                 by_layer: dict[int, Sequence[Vec]]) -> None:
        self.base, self.n, self.size, self.by_layer = base, n, size, by_layer

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: int) -> Vec:  # type: ignore[override]
        layer, node = divmod(index, self.n)
        return self.by_layer.get(layer, self.base)[node]


def constrained_paths(adj: Sequence[Sequence[Arc]], source: int, targets: frozenset[int], *,
                      allowed: Sequence[bool] | None = None,
                      required: frozenset[int] | None = None,
                      stages: Sequence[frozenset[int]] = (),
                      lower_bound: Sequence[Vec] | None = None, dim: int,
                      required_bound: Sequence[Vec] | None = None,
                      stage_bounds: Sequence[Sequence[Vec]] | None = None,
                      simple_in: Sequence[int] | None = None,
                      max_labels: int = 200_000, first: bool = False,
                      budget: Vec | None = None, peers: Sequence[int] | None = None,
                      slack: Sequence[Vec] | None = None,
                      stats: dict[str, int] | None = None) -> list[ParetoPath]:
    """All Pareto-optimal paths that satisfy route-level requirements.

    Parameters
    ----------
    adj, source, targets, lower_bound, max_labels, first, budget
        As for :func:`pareto_paths` (the bounds of the unconstrained graph stay admissible).
    peers, slack
        As for :func:`pareto_paths`; only used without ``required`` and ``stages``.
    stats
        As for :func:`pareto_paths`.
    allowed
        Per arc ``ref``: whether a path may use the arc (None: every arc).
    required
        Arc refs of which a path must use at least one (None: no such requirement).
    stages
        Ordered node sets a path must pass through, one after the other (e.g. the states of
        each via hub); a node of the next set counts when the path arrives there.
    dim
        Number of criteria.
    required_bound
        Optional admissible bound for a path that has not yet used a ``required`` arc: the
        cheapest way to the targets *through* one of them (tighter than ``lower_bound``).
    simple_in
        Optional group of each base node: paths never enter a group twice, in any layer
        (see :func:`pareto_paths`).
    stage_bounds
        Optional admissible bounds per stage (``len(stages) + 1`` of them): the cheapest way
        to the targets through the via sets not yet reached, in order.

    Returns
    -------
    list of ParetoPath
        As :func:`pareto_paths`, with ``nodes`` in the base graph's numbering. Paths are simple
        in the layered graph: a path may come back to a base node in a later layer.
    """
    if required is None and not stages:
        return pareto_paths(adj, source, targets, lower_bound=lower_bound,
                            max_labels=max_labels, dim=dim, simple_in=simple_in, first=first,
                            budget=budget, allowed=allowed, peers=peers, slack=slack,
                            stats=stats)
    lay = _Layered(adj, allowed, required, stages)
    start = lay.layer_of(1 if stages and source in stages[0] else 0, 0)
    last = lay.layer_of(len(lay.stages), lay.flags - 1)
    goal = frozenset(last * lay.n + t for t in targets)
    tighter: dict[int, Sequence[Vec]] = {}
    for st in range(len(lay.stages) + 1):
        base = stage_bounds[st] if stage_bounds is not None else None
        if base is not None:
            tighter[lay.layer_of(st, lay.flags - 1)] = base
        if required_bound is not None and required is not None:
            tighter[lay.layer_of(st, 0)] = required_bound if base is None else [
                tuple(max(x, y) for x, y in zip(a, b, strict=True))
                for a, b in zip(base, required_bound, strict=True)]
    bounds = None if lower_bound is None else _Bounds(lower_bound, lay.n, len(lay), tighter)
    groups = None if simple_in is None else _Groups(simple_in, lay.n, len(lay))

    def in_base(paths: list[ParetoPath]) -> list[ParetoPath]:
        return [ParetoPath(p.cost, p.refs, tuple(x % lay.n for x in p.nodes)) for p in paths]

    try:
        paths = pareto_paths(lay, start * lay.n + source, goal, lower_bound=bounds,
                             max_labels=max_labels, dim=dim, simple_in=groups, first=first,
                             budget=budget, stats=stats)
    except SearchLimitError as e:
        raise SearchLimitError(e.max_labels, in_base(e.paths)) from None
    return in_base(paths)
