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
from libc.stdlib cimport free, malloc

from silkway.routing._cmem cimport resized

cdef double INF = float("inf")


cdef struct Item:
    double key
    int64_t node


cdef struct Heap:
    Item* items
    int64_t size
    int64_t cap


cdef Heap empty_heap():
    """A heap with room for 64 items (``items`` NULL where that cannot be had: the caller
    raises MemoryError; it frees ``items`` when done)."""
    cdef Heap h
    h.cap = 64
    h.size = 0
    h.items = <Item*>malloc(h.cap * sizeof(Item))
    return h


cdef int push(Heap* h, double key, int64_t node) except -1 nogil:
    cdef int64_t i, parent
    if h.size == h.cap:
        with gil:
            h.items = <Item*>resized(h.items, 2 * h.cap * sizeof(Item))
        h.cap *= 2
    i = h.size
    h.size += 1
    while i > 0:
        parent = (i - 1) >> 1
        if h.items[parent].key <= key:
            break
        h.items[i] = h.items[parent]
        i = parent
    h.items[i].key = key
    h.items[i].node = node
    return 0


cdef Item pop(Heap* h) noexcept nogil:
    cdef Item top = h.items[0]
    cdef Item last
    cdef int64_t i = 0, child
    h.size -= 1
    if h.size > 0:
        last = h.items[h.size]
        while True:
            child = 2 * i + 1
            if child >= h.size:
                break
            if child + 1 < h.size and h.items[child + 1].key < h.items[child].key:
                child += 1
            if last.key <= h.items[child].key:
                break
            h.items[i] = h.items[child]
            i = child
        h.items[i] = last
    return top


cdef int dijkstra(Heap* h, const int32_t* indptr, const int32_t* heads, const double* weights,
                  const int64_t* order, double* dist, uint8_t* done, double limit,
                  const double* end_days, double budget) except -1 nogil:
    """Settles ``dist`` (its sources already set and pushed) over the CSR rows ``indptr`` /
    ``heads``; arc ``j``'s weight is ``weights[order[j]]`` (``order`` NULL: ``weights[j]``).
    Distances over ``limit`` stay infinite. With ``end_days`` (per state, infinite where the
    state is no end), the run stops once every state left is more than ``budget`` past the
    least end reached (``dist + end_days``): those states are on no path within the budget,
    and none of them is a nearer end."""
    cdef Item it
    cdef int64_t v, u, j
    cdef double d, best = INF
    while h.size > 0:
        it = pop(h)
        v = it.node
        if done[v] or it.key > dist[v]:
            continue
        if end_days != NULL:
            if it.key > best + budget:
                break
            if dist[v] + end_days[v] < best:
                best = dist[v] + end_days[v]
        done[v] = 1
        for j in range(indptr[v], indptr[v + 1]):
            u = heads[j]
            if done[u]:
                continue
            d = dist[v] + (weights[order[j]] if order != NULL else weights[j])
            if d <= limit and d < dist[u]:
                dist[u] = d
                push(h, d, u)
    return 0


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
    cdef uint8_t* done = <uint8_t*>malloc(n + 1)
    cdef int64_t* step = <int64_t*>malloc((n + 1) * sizeof(int64_t))
    cdef Heap h = empty_heap()
    try:
        if (least == NULL or fwd == NULL or back == NULL or ending == NULL or done == NULL
                or step == NULL or h.items == NULL):
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
                done[i] = 0
                step[i] = -1
            for k in range(n_ends):
                ending[end_states[k]] = end_days[k]
            fwd[source] = 0.0
            push(&h, 0.0, source)
            # states past the least end plus the budget are left unsettled: their distance is
            # over the limit, as every sum below that uses it
            dijkstra(&h, &indptr[0], &heads[0], least, NULL, fwd, done, INF, ending, budget)
            for k in range(n_ends):
                x = fwd[end_states[k]] + end_days[k]
                if x < best:
                    best = x
        if best == INF:
            return INF, None
        limit = best + budget
        with nogil:
            h.size = 0
            for i in range(n):
                done[i] = 0
            for k in range(n_ends):  # the end state's arcs back to the arrival states
                x = 0.0 + end_days[k]
                if x <= limit and x < back[end_states[k]]:
                    back[end_states[k]] = x
                    push(&h, x, end_states[k])
                if fwd[end_states[k]] + end_days[k] <= limit:
                    n_last += 1
                    last = end_states[k]
            dijkstra(&h, &rindptr[0], &rtails[0], least, &perm[0], back, done, limit, NULL, 0.0)
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
        free(done)
        free(step)
        free(h.items)


def distances(const int32_t[::1] indptr, const int32_t[::1] indices, const double[::1] data,
              const int64_t[::1] sources, double limit):
    """Per state the least cost from any of ``sources`` over the CSR matrix (``indptr``,
    ``indices``, ``data``), infinite past ``limit``: ``scipy.sparse.csgraph.dijkstra(m,
    directed=True, indices=sources, min_only=True, limit=limit)``, the same floats."""
    cdef int64_t n = indptr.shape[0] - 1, k, s
    out = np.full(n, INF)
    cdef double[::1] dist = out
    cdef uint8_t* done = <uint8_t*>malloc(n + 1)
    cdef Heap h = empty_heap()
    try:
        if done == NULL or h.items == NULL:
            raise MemoryError()
        for k in range(sources.shape[0]):
            if not 0 <= sources[k] < n:
                raise ValueError(f"source {sources[k]} is not a state of the {n} states")
        with nogil:
            for k in range(n):
                done[k] = 0
            for k in range(sources.shape[0]):
                s = sources[k]
                if 0.0 < dist[s]:
                    dist[s] = 0.0
                    push(&h, 0.0, s)
            if data.shape[0]:
                dijkstra(&h, &indptr[0], &indices[0], &data[0], NULL, &dist[0], done, limit,
                         NULL, 0.0)
        return out
    finally:
        free(done)
        free(h.items)
