# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False
"""Compiled core of a batch row's fastest-path step (``silkway.analysis.fastest._fastest``):
the same two Dijkstra runs over a search graph's days and the same test of the arcs within the
budget, as C loops without the GIL.

Distances are the same floats as ``scipy.sparse.csgraph.dijkstra``'s: a state's distance is
the least of its settled neighbours' distance plus the arc, added in that order, whatever the
order ties settle in; a run with a limit keeps the distances at most the limit (as scipy does)
and leaves the others infinite. Arcs within the budget are tested in index order with the same
sum, ``from_origin[tail] + days + to_end[head]``, so the answer is the pure-Python step's.
"""

import numpy as np

from libc.stdint cimport int32_t, int64_t, uint8_t
from libc.stdlib cimport calloc, free, malloc


cdef double INF = float("inf")


cdef struct Item:
    double key
    int64_t node


cdef struct Heap:
    Item* items
    int64_t* at  # per state: its place in ``items``, -1 while it is not there
    int64_t size


cdef Heap empty_heap(int64_t n):
    """An empty heap for the states 0 to ``n - 1`` (``items`` or ``at`` NULL where that
    cannot be had: the caller raises MemoryError; it frees both when done)."""
    cdef Heap h
    cdef int64_t i
    h.size = 0
    h.items = <Item*>malloc((n + 1) * sizeof(Item))
    h.at = <int64_t*>malloc((n + 1) * sizeof(int64_t))
    if h.at != NULL:
        for i in range(n + 1):
            h.at[i] = -1
    return h


cdef void clear(Heap* h) noexcept nogil:
    cdef int64_t i
    for i in range(h.size):
        h.at[h.items[i].node] = -1
    h.size = 0


cdef void push(Heap* h, double key, int64_t node) noexcept nogil:
    """Put ``node`` in the heap at ``key``, or lower its key to ``key`` where it is there
    already (its key is then more): each state is in the heap at most once, so the heap
    holds at most one item per state and needs no room beyond that."""
    cdef int64_t i = h.at[node], parent
    if i < 0:
        i = h.size
        h.size += 1
    while i > 0:
        parent = (i - 1) >> 2
        if h.items[parent].key <= key:
            break
        h.items[i] = h.items[parent]
        h.at[h.items[i].node] = i
        i = parent
    h.items[i].key = key
    h.items[i].node = node
    h.at[node] = i


cdef Item pop(Heap* h) noexcept nogil:
    """The item of least key, taken out (a 4-ary heap: fewer levels to sift through)."""
    cdef Item top = h.items[0]
    cdef Item last
    cdef int64_t i = 0, child, k, stop
    h.at[top.node] = -1
    h.size -= 1
    if h.size > 0:
        last = h.items[h.size]
        while True:
            child = 4 * i + 1
            if child >= h.size:
                break
            stop = child + 4 if child + 4 < h.size else h.size
            for k in range(child + 1, stop):
                if h.items[k].key < h.items[child].key:
                    child = k
            if last.key <= h.items[child].key:
                break
            h.items[i] = h.items[child]
            h.at[h.items[i].node] = i
            i = child
        h.items[i] = last
        h.at[last.node] = i
    return top


cdef void dijkstra(Heap* h, const int32_t* indptr, const int32_t* heads, const double* weights,
                   const int64_t* order, double* dist, double limit, const double* end_days,
                   double budget, int32_t* pred, uint8_t* tied) noexcept nogil:
    """Settles ``dist`` (its sources already set and pushed) over the CSR rows ``indptr`` /
    ``heads``; arc ``j``'s weight is ``weights[order[j]]`` (``order`` NULL: ``weights[j]``).
    Distances over ``limit`` stay infinite. ``pred`` and ``tied`` (unless NULL): per state, the
    state whose arc last lowered its distance, and whether an arc from another state, settled
    at the same distance as that one, came to the same distance since. Weights are not negative, so an arc into a
    settled state never lowers its distance (no test of which states are settled is needed),
    and each state is popped once, at its final distance. With ``end_days`` (per state,
    infinite where the state is no end), the run stops once every state left is more than
    ``budget`` past the least end reached (``dist + end_days``): those states are on no path
    within the budget, and none of them is a nearer end."""
    cdef Item it
    cdef int64_t v, u, j
    cdef double d, best = INF
    while h.size > 0:
        it = pop(h)
        v = it.node
        if end_days != NULL:
            if it.key > best + budget:
                break
            if dist[v] + end_days[v] < best:
                best = dist[v] + end_days[v]
        for j in range(indptr[v], indptr[v + 1]):
            u = heads[j]
            d = dist[v] + (weights[order[j]] if order != NULL else weights[j])
            if d <= limit and d < dist[u]:
                dist[u] = d
                push(h, d, u)
                if pred != NULL:
                    pred[u] = v
                    tied[u] = 0
            elif (pred != NULL and d == dist[u] and pred[u] != v and pred[u] >= 0
                  and dist[v] == dist[pred[u]]):
                # the same cost through a neighbour settled at the same distance: which of the
                # two settles first is the heap's choice (a neighbour settled nearer, at a
                # smaller distance, is settled first by any heap, and keeps the state)
                tied[u] = 1


def fastest(const int32_t[::1] indptr, const int32_t[::1] heads, const int64_t[::1] starts,
            const int32_t[::1] rindptr, const int32_t[::1] rtails, const int64_t[::1] perm,
            const int64_t[::1] indptr_arcs, const int64_t[::1] arc_heads,
            const double[::1] days, const int64_t[::1] refs, const uint8_t[::1] ok,
            int64_t source, int64_t glo, int64_t ghi, int64_t cut0, int64_t cut1,
            const int64_t[::1] end_states, const double[::1] end_days, double budget):
    """(least days to the end, the arcs of the fastest path or None), as ``_fastest``.

    ``indptr``/``heads``: the groups of parallel arcs per tail state (``starts``: each group's
    first arc); ``rindptr``/``rtails``: the groups per head state, ``perm`` their group
    numbers; ``indptr_arcs``: the arcs per tail state, and per arc its head, days and leg
    (``ok``: per leg, allowed). The destination's arrival states lead only to the end: their
    groups ``glo`` to ``ghi - 1`` and arcs ``cut0`` to ``cut1 - 1`` are left out."""
    cdef int64_t n = indptr.shape[0] - 1, n_groups = heads.shape[0], n_arcs = days.shape[0]
    cdef int64_t n_ends = end_states.shape[0]
    cdef int64_t g, i, k, stop, node, last = -1, n_last = 0, n_near = 0, n_path = 0, t
    cdef double best = INF, limit, x, v
    cdef double* least = <double*>malloc((n_groups + 1) * sizeof(double))
    cdef double* fwd = <double*>malloc((n + 1) * sizeof(double))
    cdef double* back = <double*>malloc((n + 1) * sizeof(double))
    cdef double* ending = <double*>malloc((n + 1) * sizeof(double))
    cdef int64_t* step = <int64_t*>malloc((n + 1) * sizeof(int64_t))
    cdef Heap h = empty_heap(n)
    try:
        if (least == NULL or fwd == NULL or back == NULL or ending == NULL or step == NULL
                or h.items == NULL or h.at == NULL):
            raise MemoryError()
        with nogil:
            # per group the least allowed arc (the destination's arrival groups: none)
            for g in range(n_groups):
                stop = starts[g + 1] if g + 1 < n_groups else n_arcs
                x = INF
                for i in range(starts[g], stop):
                    if ok[refs[i]] and days[i] < x:
                        x = days[i]
                least[g] = x
            for g in range(glo, ghi):
                least[g] = INF
            for i in range(n):
                fwd[i] = INF
                back[i] = INF
                ending[i] = INF
                step[i] = -1
            for k in range(n_ends):
                ending[end_states[k]] = end_days[k]
            fwd[source] = 0.0
            push(&h, 0.0, source)
            # states past the least end plus the budget are left unsettled: their distance is
            # over the limit, as every sum below that uses it
            dijkstra(&h, &indptr[0], &heads[0], least, NULL, fwd, INF, ending, budget, NULL, NULL)
            for k in range(n_ends):
                x = fwd[end_states[k]] + end_days[k]
                if x < best:
                    best = x
        if best == INF:
            return INF, None
        limit = best + budget
        with nogil:
            clear(&h)
            for k in range(n_ends):  # the end state's arcs back to the arrival states
                x = 0.0 + end_days[k]
                if x <= limit and x < back[end_states[k]]:
                    back[end_states[k]] = x
                    push(&h, x, end_states[k])
                if fwd[end_states[k]] + end_days[k] <= limit:
                    n_last += 1
                    last = end_states[k]
            dijkstra(&h, &rindptr[0], &rtails[0], least, &perm[0], back, limit, NULL, 0.0, NULL, NULL)
        if n_last != 1:
            return best, None
        with nogil:
            # the arcs in index order (by tail), from the states within the limit
            for t in range(n):
                if not fwd[t] <= limit:
                    continue
                for i in range(indptr_arcs[t], indptr_arcs[t + 1]):
                    if cut0 <= i < cut1:
                        continue
                    v = days[i] if ok[refs[i]] else INF
                    if fwd[t] + v + back[arc_heads[i]] <= limit:
                        if step[t] >= 0:
                            n_near = -1  # two arcs out of one state come within the budget
                            break
                        step[t] = i
                        n_near += 1
                if n_near < 0:
                    break
        if n_near < 0:
            return best, None
        out = []
        node = source
        while node != last:
            i = step[node]
            if i < 0:
                return best, None
            step[node] = -1
            out.append(i)
            n_path += 1
            node = arc_heads[i]
        if n_path != n_near:  # arcs off the path come within the budget: another path might
            return best, None
        return best, out
    finally:
        free(least)
        free(fwd)
        free(back)
        free(ending)
        free(step)
        free(h.items)
        free(h.at)


def distances(const int32_t[::1] indptr, const int32_t[::1] indices, const double[::1] data,
              const int64_t[::1] sources, double limit):
    """Per state the least cost from any of ``sources`` over the CSR matrix (``indptr``,
    ``indices``, ``data``), infinite past ``limit``: ``scipy.sparse.csgraph.dijkstra(m,
    directed=True, indices=sources, min_only=True, limit=limit)``, the same floats."""
    cdef int64_t n = indptr.shape[0] - 1, k, s
    out = np.full(n, INF)
    cdef double[::1] dist = out
    cdef Heap h = empty_heap(n)
    try:
        if h.items == NULL or h.at == NULL:
            raise MemoryError()
        for k in range(sources.shape[0]):
            if not 0 <= sources[k] < n:
                raise ValueError(f"source {sources[k]} is not a state of the {n} states")
        with nogil:
            for k in range(sources.shape[0]):
                s = sources[k]
                if 0.0 < dist[s]:
                    dist[s] = 0.0
                    push(&h, 0.0, s)
            if data.shape[0]:
                dijkstra(&h, &indptr[0], &indices[0], &data[0], NULL, &dist[0], limit, NULL, 0.0,
                         NULL, NULL)
        return out
    finally:
        free(h.items)
        free(h.at)


def tree(const int32_t[::1] indptr, const int32_t[::1] indices, const double[::1] data,
         int64_t source):
    """(least costs, predecessors) from ``source`` over the CSR matrix (``indptr``,
    ``indices``, ``data``): those of ``scipy.sparse.csgraph.dijkstra(m, directed=True,
    indices=source, return_predecessors=True)`` at every state it reaches, or None where
    some state's least cost is reached through two neighbours settled at the same distance
    (SciPy names the one its Fibonacci heap settles first, an order this search does not
    follow). Where each state's is reached through one only, SciPy's predecessor is that
    neighbour, as here; where through several at different distances, the nearest, which
    every heap settles first and which no later arc of the same cost displaces, as here. States not
    reached: infinite, predecessor -9999 (where SciPy may name one across an infinite arc)."""
    cdef int64_t n = indptr.shape[0] - 1, u
    cdef bint two = False
    if not 0 <= source < n:
        raise ValueError(f"source {source} is not a state of the {n} states")
    out = np.full(n, INF)
    before = np.full(n, -9999, dtype=np.int32)
    cdef double[::1] dist = out
    cdef int32_t[::1] pred = before
    cdef uint8_t* tied = <uint8_t*>calloc(n + 1, 1)
    cdef Heap h = empty_heap(n)
    try:
        if h.items == NULL or h.at == NULL or tied == NULL:
            raise MemoryError()
        with nogil:
            dist[source] = 0.0
            push(&h, 0.0, source)
            if data.shape[0]:
                dijkstra(&h, &indptr[0], &indices[0], &data[0], NULL, &dist[0], INF, NULL, 0.0,
                         &pred[0], tied)
            for u in range(n):
                if tied[u] and dist[u] < INF and u != source:
                    two = True
                    break
        return None if two else (out, before)
    finally:
        free(tied)
        free(h.items)
        free(h.at)
