"""The single best path by one criterion under route-level requirements, on compiled arrays.

A plan reports, for each named corridor, its best route by the plan's objective. That is a
shortest path, not a Pareto set: the search graph is copied into layers that record whether a
required leg was used and how many via points were reached (as in
:func:`silkway.routing.pareto.constrained_paths`), flattened into one sparse matrix per
criterion, and solved with Dijkstra's search (compiled code, microseconds per query: the
core's of :data:`CORE`, or SciPy's).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra

from silkway.routing.pareto import Arc, ParetoPath, load_core

CORE = load_core("_days_core")
"""The compiled Dijkstra of :func:`least_costs` and :func:`shortest_tree`, or None for SciPy's
(the rule of :func:`~silkway.routing.pareto.load_core`)."""


def _core_for(m: sp.csr_matrix) -> Any:
    """The compiled core when it is built and takes ``m`` as it is (int32 structure, float64
    costs: the types SciPy keeps; any other would need a copy), else None."""
    if (m.indptr.dtype == np.int32 and m.indices.dtype == np.int32
            and m.data.dtype == np.float64):
        return CORE
    return None


def least_costs(m: sp.csr_matrix, sources: int | Sequence[int], *, limit: float = np.inf
                ) -> NDArray[np.float64]:
    """Per state of ``m`` the least cost from any of ``sources``, infinite past ``limit``:
    SciPy's ``dijkstra(m, directed=True, indices=sources, min_only=True, limit=limit)``, by
    the compiled core where the install built it (the same floats; without predecessors, so
    no tie between equal paths can be broken another way)."""
    if (core := _core_for(m)) is not None:
        return core.distances(m.indptr, m.indices, m.data,  # type: ignore[no-any-return]
                              np.atleast_1d(np.asarray(sources, dtype=np.int64)), limit)
    return dijkstra(m, directed=True, indices=sources, min_only=True,  # type: ignore[no-any-return]
                    limit=limit)


def shortest_tree(m: sp.csr_matrix, source: int
                  ) -> tuple[NDArray[np.float64], NDArray[np.int32]]:
    """Per state of ``m`` the least cost from ``source`` and its predecessor: SciPy's
    ``dijkstra(m, directed=True, indices=source, return_predecessors=True)`` at every state it
    reaches, by the compiled core where the install built it and that is the same: where each
    state's least cost is reached through one neighbour, or through several settled at
    different distances (the nearest, as in any heap). Where through two settled at the same
    distance the core says so, and SciPy answers (it names the one its Fibonacci heap settled
    first). A state not reached may have another predecessor than SciPy's, which no path
    reads."""
    if (core := _core_for(m)) is not None:
        got = core.tree(m.indptr, m.indices, m.data, source)
        if got is not None:
            return got  # type: ignore[no-any-return]
    return dijkstra(m, directed=True, indices=source,  # type: ignore[no-any-return]
                    return_predecessors=True)


@dataclass(frozen=True)
class ArcArrays:
    """The arcs of an adjacency list as parallel arrays."""

    tail: NDArray[np.int64]
    head: NDArray[np.int64]
    ref: NDArray[np.int64]
    cost: NDArray[np.float64]  # (arcs, criteria)
    n: int

    @classmethod
    def of(cls, adj: Sequence[Sequence[Arc]], dim: int | None = None) -> ArcArrays:
        tail, head, ref, cost = [], [], [], []
        for u, arcs in enumerate(adj):
            for a in arcs:
                tail.append(u)
                head.append(a.head)
                ref.append(a.ref)
                cost.append(a.cost)
        dim = dim or (len(cost[0]) if cost else 1)
        return cls(np.array(tail, dtype=np.int64), np.array(head, dtype=np.int64),
                   np.array(ref, dtype=np.int64),
                   np.array(cost, dtype=np.float64).reshape(len(cost), dim), len(adj))


@dataclass(frozen=True)
class LayeredMatrix:
    """A layered copy of a graph as one sparse matrix of one criterion's costs.

    The matrix holds every arc of its :class:`LayerEntries`, parallel arcs included, in their
    order; an arc the constraints forbid costs infinity (a Dijkstra search never relaxes it), so
    a new set of constraints is a new data array over one structure, not a new matrix."""

    mat: sp.csr_matrix
    keys: NDArray[np.int64]  # per entry, sorted: tail * size + head
    arc: NDArray[np.int64]  # per entry: its index into ``arcs``
    n: int
    flags: int
    stages: tuple[frozenset[int], ...]
    entries: LayerEntries = field(repr=False, compare=False)  # the structure it was made of
    _t: list[sp.csr_matrix] = field(init=False, repr=False, compare=False, default_factory=list)

    @property
    def layers(self) -> int:
        return (len(self.stages) + 1) * self.flags

    def cheapest(self) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
        """Rows, columns and costs of the cheapest usable arc of each (tail, head) pair."""
        coo = self.mat.tocoo()
        ok = np.isfinite(coo.data)
        r, c, w = coo.row[ok], coo.col[ok], coo.data[ok]  # in the entries' order: cheapest first
        first = np.ones(len(r), dtype=bool)
        first[1:] = (r[1:] != r[:-1]) | (c[1:] != c[:-1])
        return r[first], c[first], w[first]

    def transposed(self) -> sp.csr_matrix:
        """The matrix's transpose (arcs reversed), over its entries' kept transposed
        structure: made once and kept with the matrix (its costs once more, in the
        transpose's order), for the searches back from every destination."""
        if not self._t:
            order, indices, indptr = self.entries.transposed()
            size = self.mat.shape[0]
            self._t.append(sp.csr_matrix((self.mat.data[order], indices, indptr),
                                         shape=(size, size)))
        return self._t[0]


@dataclass(frozen=True)
class LayerEntries:
    """Every arc of a layered copy of a graph, sorted by (tail, head, cost): the structure of
    every :class:`LayeredMatrix` made from it (see :func:`matrix`)."""

    rows: NDArray[np.int64]
    cols: NDArray[np.int64]
    cost: NDArray[np.float64]
    arc: NDArray[np.int64]  # per entry: its index into ``arcs``
    n: int
    flags: int
    stages: tuple[frozenset[int], ...]
    ref: NDArray[np.int64] = field(repr=False, compare=False)
    """Per entry: its arc's ref; for an arc without one (ref -1), a number past every ref,
    where :func:`usable` reads a True appended to the per-ref mask."""
    weight: NDArray[np.float64] = field(init=False, repr=False, compare=False)
    indptr: NDArray[np.int32] = field(init=False, repr=False, compare=False)
    indices: NDArray[np.int32] = field(init=False, repr=False, compare=False)
    """The matrices' structure (``cols``) in the index type SciPy keeps: given as int64, every
    matrix made of them would first be copied to it."""
    keys: NDArray[np.int64] = field(init=False, repr=False, compare=False)
    _t: list[tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.int32]]] = field(
        init=False, repr=False, compare=False, default_factory=list)

    def __post_init__(self) -> None:
        size = self.n * (len(self.stages) + 1) * self.flags
        # Zero-weight arcs would vanish from a sparse matrix: lift them by a negligible epsilon.
        object.__setattr__(self, "weight", np.maximum(self.cost, 1e-12))
        object.__setattr__(self, "indptr", _index(np.searchsorted(self.rows,
                                                                  np.arange(size + 1))))
        object.__setattr__(self, "indices", _index(self.cols))
        object.__setattr__(self, "keys", self.rows * size + self.cols)

    @property
    def size(self) -> int:
        return len(self.indptr) - 1

    def transposed(self) -> tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.int32]]:
        """The transpose's structure: the entries' order in it, its indices and indptr."""
        if not self._t:
            order = np.lexsort((self.rows, self.cols))
            self._t.append((order, _index(self.rows[order]),
                            _index(np.searchsorted(self.cols[order], np.arange(self.size + 1)))))
        return self._t[0]


def _index(a: NDArray[np.int64]) -> NDArray[np.int32]:
    """``a`` as SciPy's sparse index type (int32 while the values fit, as SciPy chooses)."""
    if len(a) and int(a.max()) > np.iinfo(np.int32).max:
        return a  # type: ignore[return-value]  # (SciPy keeps int64 then too)
    return a.astype(np.int32)


def entries(arcs: ArcArrays, *, criterion: int, allowed: NDArray[np.bool_] | None = None,
            required: NDArray[np.bool_] | None = None,
            stages: Sequence[frozenset[int]] = ()) -> LayerEntries:
    """The layered graph's arcs for :func:`matrix` (see :func:`layered` for the arguments)."""
    n, n_stages = arcs.n, len(stages)
    flags = 2 if required is not None else 1
    layers = (n_stages + 1) * flags
    real = arcs.ref >= 0  # arcs with ref -1 (e.g. to an end state) are always usable
    kept = np.flatnonzero(np.ones(len(arcs.ref), dtype=bool) if allowed is None
                          else ~real | allowed[np.where(real, arcs.ref, 0)])
    tail, head, ref = arcs.tail[kept], arcs.head[kept], arcs.ref[kept]
    cost = arcs.cost[kept, criterion]
    req = ((required[np.where(ref >= 0, ref, 0)] & (ref >= 0)) if required is not None
           else np.zeros(len(ref), dtype=bool)).astype(np.int64)
    in_stage = [np.isin(head, np.fromiter(st, dtype=np.int64)) for st in stages]
    rows, cols = [], []
    for stage in range(n_stages + 1):
        step = (in_stage[stage] if stage < n_stages else np.zeros(len(head), dtype=bool)).astype(
            np.int64)
        for flag in range(flags):
            new_flag = np.maximum(flag, req) if flags == 2 else 0
            rows.append((stage * flags + flag) * n + tail)
            cols.append(((stage + step) * flags + new_flag) * n + head)
    r = np.concatenate(rows)
    c = np.concatenate(cols)
    w = np.tile(cost, layers)
    a = np.tile(kept, layers)
    order = np.lexsort((w, c, r))
    a = a[order]
    ref = arcs.ref[a]
    return LayerEntries(r[order], c[order], w[order], a, n, flags, tuple(stages),
                        np.where(ref >= 0, ref, len(arcs.ref)))  # -1: past every ref


def matrix(e: LayerEntries, usable: NDArray[np.bool_] | None = None) -> LayeredMatrix:
    """One sparse matrix of the layered graph, where each entry ``usable`` does not mark
    (per entry; None: every one is usable) costs infinity. Parallel arcs stay: SciPy's
    Dijkstra relaxes each, so the cheapest usable one counts."""
    data = e.weight if usable is None else np.where(usable, e.weight, np.inf)
    mat = sp.csr_matrix((data, e.indices, e.indptr), shape=(e.size, e.size))
    return LayeredMatrix(mat, e.keys, e.arc, e.n, e.flags, e.stages, e)


def layered(arcs: ArcArrays, *, criterion: int, allowed: NDArray[np.bool_] | None = None,
            required: NDArray[np.bool_] | None = None,
            stages: Sequence[frozenset[int]] = ()) -> LayeredMatrix:
    """Flatten the layered graph for :func:`best_path` (worth keeping for repeated queries).

    Parameters
    ----------
    criterion
        Index of the cost component to minimise (ties are broken arbitrarily).
    allowed
        Per arc ref: may a path use it (None: all).
    required
        Per arc ref: a path must use at least one arc so marked (None: no requirement).
    stages
        Ordered node sets a path must pass through one after the other.
    """
    return matrix(entries(arcs, criterion=criterion, allowed=allowed, required=required,
                          stages=stages))


def usable(e: LayerEntries, allowed: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Per entry of ``e``: whether ``allowed`` (per arc ref) lets a path use it."""
    return np.append(allowed, True)[np.minimum(e.ref, len(allowed))]


def start_state(lay: LayeredMatrix, source: int) -> int:
    """The layered state a path from ``source`` starts in (past the first via stage when the
    source is in it)."""
    return (lay.flags if lay.stages and source in lay.stages[0] else 0) * lay.n + source


def from_source(lay: LayeredMatrix, source: int
                ) -> tuple[NDArray[np.float64], NDArray[np.int32]]:
    """Per layered state: the least cost from ``source`` and its predecessor
    (:func:`shortest_tree`; read-only, so a caller may keep them for every trip from
    ``source``)."""
    dist, pred = shortest_tree(lay.mat, start_state(lay, source))
    dist.setflags(write=False)
    pred.setflags(write=False)
    return dist, pred


def _path(arcs: ArcArrays, lay: LayeredMatrix, pairs: list[int],
          inserted: tuple[int, int] | None = None
          ) -> tuple[tuple[float, ...], tuple[int, ...]]:
    """The cost vector (arcs only) and arc refs of a path by the arcs of ``lay`` between the
    consecutive states ``pairs`` (each ``tail * states + head``); ``inserted``: (position, arc)
    of one arc given outright, not read from the matrix."""
    want = np.array(pairs, dtype=np.int64)
    at = np.searchsorted(lay.keys, want)
    data = lay.mat.data
    # of parallel arcs (cheapest first), the first usable one (finite)
    while len(off := np.flatnonzero(~np.isfinite(data[at]))):
        at[off] += 1
        if at[off].max() >= len(data) or (lay.keys[at[off]] != want[off]).any():
            raise ValueError("a path by an arc its matrix forbids")
    idx = lay.arc[at].tolist()
    if inserted is not None:
        idx.insert(*inserted)
    total = arcs.cost[idx].sum(axis=0)
    return tuple(total.tolist()), tuple(x for x in arcs.ref[idx].tolist() if x >= 0)


def best_path(arcs: ArcArrays, lay: LayeredMatrix, source: int, targets: frozenset[int], *,
              target_cost: dict[int, float] | None = None,
              reached: tuple[NDArray[np.float64], NDArray[np.int32]] | None = None
              ) -> ParetoPath | None:
    """The cheapest path of the layered graph from ``source`` to a target that meets every
    requirement (all via stages passed, a required arc used), or None.

    Parameters
    ----------
    target_cost
        A cost added on arrival at each target (e.g. the unloading by arrival class).
    reached
        :func:`from_source` of ``lay`` and ``source``, when kept (else computed here).

    Returns
    -------
    ParetoPath or None
        Its full cost vector (arcs only), arc refs and base nodes. Like any shortest path in
        the layered graph, it may return to a base node in a later layer: callers that want
        simple paths check ``nodes``.
    """
    n = lay.n
    start = start_state(lay, source)
    dist, pred = reached if reached is not None else from_source(lay, source)
    last = lay.layers - 1
    extra = target_cost or {}
    best_t = min(targets, key=lambda t: dist[last * n + t] + extra.get(t, 0.0))
    best = last * n + best_t
    if not np.isfinite(dist[best]):
        return None
    states = [best]
    while states[-1] != start:
        states.append(int(pred[states[-1]]))
    states.reverse()
    size = n * lay.layers
    cost, refs = _path(arcs, lay, [u * size + v for u, v in itertools.pairwise(states)])
    return ParetoPath(cost, refs, tuple(st % n for st in states))


@dataclass(frozen=True)
class Trees:
    """The two shortest-path trees of a one-layer matrix for one trip: from the source, and to
    the end of the trip (the targets, each with the cost of arriving there)."""

    lay: LayeredMatrix
    start: NDArray[np.float64]  # per state: least cost from the source
    before: NDArray[np.int32]  # per state: its predecessor from the source (< 0: none)
    end: NDArray[np.float64]  # per state: least cost to the end of the trip
    after: NDArray[np.int32]  # per state: the next state towards the end (n: the end)
    walk: tuple[Sequence[int], Sequence[int]] = field(init=False, repr=False, compare=False)
    """``before`` and ``after`` read as Python ints, for walking paths state by state (views:
    a walk reads a few states, and a list of every state cost more than the searches)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "walk", (self.before.data, self.after.data))


def trees(lay: LayeredMatrix, source: int,
          ending: tuple[NDArray[np.float64], NDArray[np.int32]],
          starting: tuple[NDArray[np.float64], NDArray[np.int32]] | None = None) -> Trees:
    """Both trees of ``lay`` (one layer, no stages): the tree from the source (``starting``,
    from :func:`from_source`; computed here when not given), and the tree to the end of the
    trip ``ending`` (from :func:`to_end`)."""
    return Trees(lay, *(starting if starting is not None else from_source(lay, source)),
                 *ending)


def to_end(lay: LayeredMatrix, back: sp.csr_matrix, target_cost: dict[int, float]
           ) -> tuple[NDArray[np.float64], NDArray[np.int32]]:
    """Per state of ``lay`` (``back`` its transpose): the least cost to the end of the trip and
    the next state towards it (``lay.n``: the end), by one search (:func:`shortest_tree`) from
    an end state joined to every target by its cost."""
    n = lay.n
    t = np.fromiter(target_cost, dtype=np.int32, count=len(target_cost))
    w = np.maximum(np.fromiter(target_cost.values(), dtype=np.float64, count=len(t)), 1e-12)
    joined = sp.csr_matrix((np.concatenate([back.data, w]), np.concatenate([back.indices, t]),
                            np.append(back.indptr, back.indptr[-1] + len(t))),
                           shape=(n + 1, n + 1))
    end, after = shortest_tree(joined, n)
    end, after = end[:n], after[:n]
    end.setflags(write=False)  # kept and shared by the plans to one destination
    after.setflags(write=False)
    return end, after


def best_through(arcs: ArcArrays, t: Trees, candidates: NDArray[np.int64], criterion: int,
                 through: NDArray[np.float64] | None = None) -> ParetoPath | None:
    """The cheapest path from the source to the end of the trip that uses one of the arcs
    ``candidates`` (indices into ``arcs``), from the two trees, or None when there is none.

    Exact over all such paths of the tree's matrix (which may return to a state: callers check
    ``nodes``). Its cost vector counts the arcs only, as :func:`best_path` does. ``through``:
    per arc, the cost of the best path through it, when already computed (for many sets of
    candidates on one pair of trees)."""
    if len(candidates) == 0:
        return None
    via = (t.start[arcs.tail[candidates]] + arcs.cost[candidates, criterion]
           + t.end[arcs.head[candidates]]) if through is None else through[candidates]
    k = int(via.argmin())
    if not np.isfinite(via[k]):
        return None
    arc = int(candidates[k])
    before, after = t.walk
    head, first = [int(arcs.head[arc])], [int(arcs.tail[arc])]
    while before[first[-1]] >= 0:
        first.append(before[first[-1]])
    first.reverse()
    n = t.lay.n
    while after[head[-1]] != n:
        head.append(after[head[-1]])
    # the arcs of the tree from the source, the candidate, then those of the tree to the end
    cost, refs = _path(arcs, t.lay, [u * n + v for u, v in itertools.pairwise(first)]
                       + [u * n + v for u, v in itertools.pairwise(head)],
                       (len(first) - 1, arc))
    return ParetoPath(cost, refs, tuple(first + head))
