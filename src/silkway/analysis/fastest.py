"""Route 1 of a plan by expected days without its whole Pareto set (what a batch row keeps).

Route 1 by the ``days`` order is the least, by days rounded to 1e-6, then cost, CO2e and label,
of the Pareto routes that are simple in hubs and within the transshipment cap. The fastest path
is the first of the Pareto set; when it is such a route, route 1 takes at most
:data:`TIE_DAYS` more days than it, so only the Pareto paths within :data:`BUDGET_DAYS` of the
fastest need finding (:func:`first_routes`):

* two Dijkstra runs over the allowed arcs' days (from the origin, and back from the end of the
  trip) give each arc the days of the fastest path through it; when only one path's arcs come
  within the budget, that path is the only candidate (any other path uses an arc off it, so
  takes longer than the budget). The step runs in C (``silkway.routing._days_core``, built by
  the install; the forward run stops past the budget) or, without it, in SciPy;
* otherwise a label search with that budget on days finds them: labels over the budget never
  settle, so the paths within it are exactly those the full search finds, in the same order.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

import numpy as np

from silkway.analysis.corridor_search import MAX_LABELS, Search
from silkway.analysis.route import Route, build_route
from silkway.routing.graph import N_CLASSES, CompiledGraph
from silkway.routing.pareto import (
    Arc,
    ArcPool,
    ParetoPath,
    SearchLimitError,
    load_core,
    pareto_paths,
)

TIE_DAYS = 1e-5
"""Days within which a path's expected days count as tied with the fastest path's: far above
the rounding of route figures (routes are ranked on days rounded to 1e-6) and the float error
of adding a path's legs in another order."""

BUDGET_DAYS = 10 * TIE_DAYS
"""How far past the fastest path's days candidates are looked for."""

CORE: ModuleType | None = load_core("_days_core")
"""The compiled fastest-path step, or None for :func:`_fastest_python` (the rule of
:func:`~silkway.routing.pareto.load_core`)."""


def first_routes(s: Search, allowed: Sequence[bool], objective: str) -> list[Route] | None:
    """The plan's routes that can rank first by expected days (see the module), or None (other
    objectives, a fastest path that revisits a hub or exceeds the cap, a search at its work
    limit) when the plan must search the whole Pareto set."""
    if objective != "days" or not s.reachable:
        return None
    days, only = _fastest(s, allowed)
    if days == float("inf"):  # no path at all: the full search finds none either
        return []
    if only is not None:
        paths = [only]
    else:
        adj, peers, slack = _plain(s)
        budget = (days + BUDGET_DAYS,) + (float("inf"),) * (s.dim - 1)
        try:
            paths = pareto_paths(adj, s.source, s.targets, budget=budget, allowed=allowed,
                                 lower_bound=s.bounds, dim=s.dim, max_labels=MAX_LABELS,
                                 peers=peers, slack=slack)
        except SearchLimitError:
            return None
    routes: list[Route] = []
    fastest_usable = False
    # a lone candidate within the cap is route 1: simulated as it is built (its days do not
    # depend on when it is simulated) instead of built, then copied with its days
    now = not s.lazy or (len(paths) == 1 and s.cap is None)
    for p in paths:
        hubs = [n // N_CLASSES for n in p.nodes[:-1]]  # the last node is the end state
        if len(set(hubs)) != len(hubs):
            continue
        r = build_route(s.g, p, s.o, s.d, s.sim, simulate=now)
        if s.cap is None or r.transshipments <= s.cap:
            routes.append(r)
            fastest_usable = fastest_usable or p.cost[0] <= days + TIE_DAYS
    return routes if fastest_usable else None


def _fastest(s: Search, allowed: Sequence[bool]) -> tuple[float, ParetoPath | None]:
    """Least expected days from the origin to the end of the trip over the arcs ``allowed``
    (the unloading included), and the fastest path when it is the only path within
    :data:`BUDGET_DAYS` of that (else None): by the compiled core where the install built it
    (:data:`CORE`), else :func:`_fastest_python`, the reference it is held against."""
    compiled = s.g.compiled
    a = compiled.memo.get(("days arcs",))
    if a is None:
        a = compiled.memo[("days arcs",)] = _DaysArcs(compiled)
    if CORE is None:
        return _fastest_python(s, a, allowed)
    ends = sorted(s.adj.ends.items())
    end_states = np.array([state for state, _ in ends], dtype=np.int64)
    end_days = np.array([arcs[0].cost[0] for _, arcs in ends], dtype=np.float64)
    lo, hi = s.di * N_CLASSES + 1, (s.di + 1) * N_CLASSES
    days, chosen = CORE.fastest(
        a.indptr, a.heads, a.starts, a.rindptr, a.rindices, a.perm, a.indptr_arcs,
        a.arc_heads, a.days, a.refs, _allowed_legs(s, allowed).view(np.uint8), s.source,
        int(a.indptr[lo]), int(a.indptr[hi]), int(a.indptr_arcs[lo]), int(a.indptr_arcs[hi]),
        end_states, end_days, BUDGET_DAYS)
    return days, None if chosen is None else _path(s, a, chosen)


def _fastest_python(s: Search, a: _DaysArcs, allowed: Sequence[bool]
                    ) -> tuple[float, ParetoPath | None]:
    """:func:`_fastest` in Python and SciPy: the search graph's days as two matrices, forward
    and reversed with an end state, parallel arcs reduced to the least allowed one, forbidden
    arcs (and the arcs out of the destination's arrival states, which lead only to the end)
    infinite."""
    from scipy.sparse.csgraph import dijkstra

    n, inf = a.n, np.inf
    vals, least = _allowed_days(s, a, allowed)
    # the destination's arrival states lead only to the end: their arcs (one run of arcs and of
    # groups, sorted by tail) are infinite
    lo, hi = s.di * N_CLASSES + 1, (s.di + 1) * N_CLASSES
    least[a.indptr[lo]:a.indptr[hi]] = inf
    forward, backward = a.matrices()
    forward.data[:] = least
    from_origin = dijkstra(forward, directed=True, indices=s.source)
    ends = sorted(s.adj.ends.items())
    end_states = np.array([state for state, _ in ends])
    end_days = np.array([arcs[0].cost[0] for _, arcs in ends])
    through_end = from_origin[end_states] + end_days
    days = float(through_end.min())
    if not np.isfinite(days):
        return inf, None
    back = backward.data
    back[len(least):] = inf
    back[:len(least)] = least[a.perm]
    back[len(least) + end_states - end_states // N_CLASSES - 1] = end_days  # END -> them
    limit = days + BUDGET_DAYS
    # distances to the end past the budget stay infinite: an arc whose head is that far from
    # the end is on no path within the budget either way
    to_end = dijkstra(backward, directed=True, indices=n, limit=limit)
    near = np.flatnonzero(from_origin[a.tails] + vals + to_end[a.arc_heads] <= limit)
    cut = a.indptr_arcs[lo], a.indptr_arcs[hi]  # the destination's arrival arcs
    near = near[(near < cut[0]) | (near >= cut[1])]
    last = end_states[through_end <= limit]
    if len(last) != 1:
        return days, None
    step: dict[int, int] = {}
    for i in near.tolist():
        tail = int(a.tails[i])
        if tail in step:
            return days, None  # two arcs out of one state come within the budget
        step[tail] = i
    chosen = []
    node = s.source
    while node != last[0]:
        i = step.pop(node, -1)
        if i < 0:
            return days, None
        chosen.append(i)
        node = a.arcs[i].head
    if step:  # arcs off the path come within the budget: another path might
        return days, None
    return days, _path(s, a, chosen)


def _path(s: Search, a: _DaysArcs, chosen: Sequence[int]) -> ParetoPath:
    """The search path of the arcs ``chosen`` (indices into ``a.arcs``, from the origin to an
    arrival state of the destination), with its end arc and its cost added in path order, as
    the label search adds them."""
    arcs_on = [a.arcs[i] for i in chosen]
    nodes = [s.source, *(arc.head for arc in arcs_on)]
    arcs_on.append(s.adj.ends[nodes[-1]][0])
    nodes.append(len(s.g.compiled.adj))  # the end state
    cost = [0.0] * s.dim
    for arc in arcs_on:
        for k, x in enumerate(arc.cost):
            cost[k] += x
    return ParetoPath(tuple(cost), tuple(arc.ref for arc in arcs_on[:-1]), tuple(nodes))


def _allowed_legs(s: Search, allowed: Sequence[bool]) -> Any:
    """``allowed`` as an array of bools per leg."""
    if allowed is s.g.allowed:  # the constraints' own mask, as an array kept on the graph
        return s._constrained()
    return np.fromiter(allowed, dtype=bool, count=len(allowed))


def _allowed_days(s: Search, a: _DaysArcs, allowed: Sequence[bool]) -> tuple[Any, Any]:
    """Per arc its days, infinite where ``allowed`` forbids its leg, and per group of parallel
    arcs the least of them."""
    vals = np.where(_allowed_legs(s, allowed)[a.refs], a.days, np.inf)
    return vals, a.least(vals)


class _DaysArcs:
    """A compiled graph's arcs by (tail, head, days), grouped by (tail, head), with the CSR
    layouts of the groups forward and reversed (reversed with an end state, index ``n``, that
    leads back to every hub's arrival states)."""

    def __init__(self, compiled: CompiledGraph) -> None:
        adj = compiled.adj
        self.n = n = len(adj)
        flat = [a for arcs in adj for a in arcs]
        tails, heads, refs, cost = compiled.arc_arrays  # in the order of ``flat``
        days = cost[:, 0]
        order = np.lexsort((days, heads, tails))
        self.arcs: list[Arc] = [flat[i] for i in order.tolist()]
        self.tails, self.arc_heads, self.days = tails[order], heads[order], days[order]
        self.refs = refs[order]
        self.indptr_arcs = np.searchsorted(self.tails, np.arange(n + 1))
        key = self.tails * n + self.arc_heads
        self.starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        g_tails, g_heads = self.tails[self.starts], self.arc_heads[self.starts]
        self.heads = g_heads.astype(np.int32)
        self.indptr = np.searchsorted(g_tails, np.arange(n + 1)).astype(np.int32)
        # the groups with a second, third, ... arc (few: parallel legs of other modes)
        sizes = np.diff(np.r_[self.starts, len(tails)])
        self.more = [np.flatnonzero(sizes > k) for k in range(1, int(sizes.max(initial=1)))]
        self.perm = np.argsort(g_heads, kind="stable")  # reversed: rows are heads
        # state h * N_CLASSES + k (k >= 1) is arrival number h * (N_CLASSES - 1) + k - 1
        arrivals = np.array([i for i in range(n) if i % N_CLASSES])
        self.rindices = np.concatenate([g_tails[self.perm], arrivals]).astype(np.int32)
        self.rindptr = np.r_[np.searchsorted(g_heads[self.perm], np.arange(n + 1)),
                             len(self.rindices)].astype(np.int32)
        self._local = threading.local()

    def matrices(self) -> tuple[Any, Any]:
        """This thread's two CSR matrices of the layouts (forward, and reversed with the end
        state), whose ``data`` a search fills in (building two per query cost about 35 us of
        scipy's checks, a fifteenth of this step)."""
        import scipy.sparse as sp

        got = getattr(self._local, "matrices", None)
        if got is None:
            n = self.n
            got = self._local.matrices = (
                sp.csr_matrix((np.zeros(len(self.heads)), self.heads, self.indptr),
                              shape=(n, n)),
                sp.csr_matrix((np.zeros(len(self.rindices)), self.rindices, self.rindptr),
                              shape=(n + 1, n + 1)))
        return got  # type: ignore[no-any-return]

    def least(self, vals: Any) -> Any:
        """Per group, the least of its arcs' ``vals`` (``np.minimum.reduceat(vals, starts)``
        without its cost per group)."""
        least = vals[self.starts]
        for k, groups in enumerate(self.more, 1):
            least[groups] = np.minimum(least[groups], vals[self.starts[groups] + k])
        return least


class _Listed(list[Sequence[Arc]]):
    """A plain list of arcs per state that also gives them as arrays (``arc_pool``)."""

    arc_pool: Callable[[], ArcPool]


def _plain(s: Search) -> tuple[list[Sequence[Arc]], list[int], list[tuple[float, ...]]]:
    """The arcs (with the end arcs), peer groups and slack that :meth:`Search.routes` searches
    with, as plain lists: the same values as its lazy views, read faster in the search loop."""
    compiled = s.g.compiled
    key = ("plain lists", s.di)  # the end arcs depend on the compiled graph alone
    got: Any = compiled.memo.get(key)
    if got is None:
        adj = _Listed([*compiled.adj, ()])
        for state, arcs in s.adj.ends.items():
            adj[state] = arcs
        adj.arc_pool = s.adj.arc_pool  # the same arcs as arrays (for the compiled search)
        peers = [i // N_CLASSES for i in range(len(compiled.adj))] + [-1]
        # the destination's states lead only to the end: no peers
        peers[s.di * N_CLASSES:(s.di + 1) * N_CLASSES] = [-1] * N_CLASSES
        got = compiled.memo[key] = (adj, peers, [*compiled.slack, (0.0,) * s.dim])
    return got  # type: ignore[no-any-return]
