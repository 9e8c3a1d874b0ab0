# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False
"""Compiled core of :func:`silkway.routing.pareto.pareto_paths` (the same search, step for step).

The graph comes as arrays: the arcs of node ``u`` are ``starts[u]:stops[u]`` of ``heads``,
``refs`` and ``costs`` (one row of criteria per arc). Everything else is read from the same
Python objects the pure-Python search reads, each entry once, when the search first needs it.
Labels leave the heap in the same total order, (cost + bound, label index), so the labels,
the answer and the work are the same as the Python search's.
"""

from libc.stdint cimport int64_t, uint64_t
from libc.stdlib cimport free, malloc
from libc.string cimport memset

from silkway.routing._cmem cimport resized

cdef double INF = float("inf")


class Unsupported(Exception):
    """The search needs what this core does not do (more than 64 groups for ``simple_in``)."""


cdef struct Labels:
    int64_t n, cap, dim
    double* cost      # cap * dim
    double* bound     # cap * dim: cost plus the node's lower bound (the heap key)
    double* beside    # cap * dim: cost plus the node's slack (settled labels with peers)
    int64_t* node
    int64_t* parent
    int64_t* ref
    uint64_t* mask
    int64_t* next_here   # next settled label at the same node
    int64_t* next_group  # next settled label in the same peer group


cdef int grow(Labels* L) except -1:
    cdef int64_t cap = L.cap * 2 if L.cap else 256
    cdef int64_t d = L.dim
    L.cost = <double*>resized(L.cost, cap * d * sizeof(double))
    L.bound = <double*>resized(L.bound, cap * d * sizeof(double))
    L.beside = <double*>resized(L.beside, cap * d * sizeof(double))
    L.node = <int64_t*>resized(L.node, cap * sizeof(int64_t))
    L.parent = <int64_t*>resized(L.parent, cap * sizeof(int64_t))
    L.ref = <int64_t*>resized(L.ref, cap * sizeof(int64_t))
    L.mask = <uint64_t*>resized(L.mask, cap * sizeof(uint64_t))
    L.next_here = <int64_t*>resized(L.next_here, cap * sizeof(int64_t))
    L.next_group = <int64_t*>resized(L.next_group, cap * sizeof(int64_t))
    L.cap = cap
    return 0


cdef void release(Labels* L) noexcept:
    free(L.cost)
    free(L.bound)
    free(L.beside)
    free(L.node)
    free(L.parent)
    free(L.ref)
    free(L.mask)
    free(L.next_here)
    free(L.next_group)


cdef inline bint dom(const double* a, const double* b, int64_t dim) noexcept nogil:
    """``a`` no worse than ``b`` in every criterion."""
    cdef int64_t k
    for k in range(dim):
        if not a[k] <= b[k]:
            return False
    return True


cdef inline bint before(const double* bound, int64_t dim, int64_t a, int64_t b) noexcept nogil:
    """Heap order: (bound tuple, label index), lexicographic (as Python compares tuples)."""
    cdef const double* x = bound + a * dim
    cdef const double* y = bound + b * dim
    cdef int64_t k
    for k in range(dim):
        if x[k] != y[k]:
            return x[k] < y[k]
    return a < b


cdef inline bint beaten_list(const double* cost, const double* store, const int64_t* nxt,
                             int64_t first, int64_t dim) noexcept nogil:
    """Whether a label of the linked list from ``first`` (vectors in ``store``) dominates."""
    cdef int64_t i = first
    while i >= 0:
        if dom(store + i * dim, cost, dim):
            return True
        i = nxt[i]
    return False


cdef inline bint beaten_found(const double* cost, const double* store, const int64_t* found,
                              int64_t n_found, int64_t dim) noexcept nogil:
    cdef int64_t j
    for j in range(n_found):
        if dom(store + found[j] * dim, cost, dim):
            return True
    return False


cdef inline bint beaten_simple(const double* cost, uint64_t mask, const Labels* L,
                               const int64_t* here, int64_t node) noexcept nogil:
    cdef int64_t i = here[node]
    cdef int64_t dim = L.dim
    while i >= 0:
        if (L.mask[i] & ~mask) == 0 and dom(L.cost + i * dim, cost, dim):
            return True
        i = L.next_here[i]
    return False


def search(const int64_t[::1] starts, const int64_t[::1] stops, const int64_t[::1] heads,
           const int64_t[::1] refs, const double[:, ::1] costs, int64_t source,
           targets, lower_bound, int64_t max_labels, int64_t dim, simple_in, bint first,
           budget, allowed, peers, slack):
    """The search of :func:`~silkway.routing.pareto.pareto_paths` over arrays.

    Returns ``(paths, labels, complete)``, each path a tuple (cost, refs, nodes); raises
    :class:`Unsupported` when ``simple_in`` has more than 64 groups."""
    cdef int64_t n = starts.shape[0]
    cdef int64_t k, i, j, a, idx, node, head, ref, group, at, here_at, n_found = 0
    cdef int64_t n_heap = 0, heap_cap = 256, child, parent, last
    cdef uint64_t mask = 0, bit = 0
    cdef bint complete = True, grouped = simple_in is not None, peered = peers is not None
    cdef bint bounded = lower_bound is not None, skip
    cdef Labels L
    cdef double* c
    cdef double* nw
    cdef double* bnd
    cdef double* arc_cost
    cdef double* budget_v = NULL
    cdef double* lb = NULL
    cdef double* sl = NULL
    cdef signed char* lb_have = NULL  # per node: lower bound read
    cdef signed char* sl_have = NULL  # per node: slack read
    cdef signed char* is_target = NULL
    cdef signed char* ok = NULL  # per ref: -1 unread, 0 forbidden, 1 allowed
    cdef int64_t n_ok = 0
    cdef int64_t* here = NULL  # per node: first settled label, -1 none
    cdef int64_t* peer = NULL  # per node: peer group, -2 unread
    cdef int64_t* group_first = NULL  # per peer group: first settled label
    cdef int64_t n_groups = 0
    cdef int64_t* gbit = NULL  # per node: bit index of its simple_in group (-1 none, -2 unread)
    cdef int64_t* gid = NULL  # per node: its simple_in group
    cdef int64_t* heap = NULL
    cdef int64_t* found = NULL
    cdef int64_t found_cap = 16
    cdef double* tmp = NULL
    bits: dict = {}

    memset(&L, 0, sizeof(Labels))
    L.dim = dim
    try:
        grow(&L)
        tmp = <double*>malloc(2 * dim * sizeof(double))
        here = <int64_t*>malloc(n * sizeof(int64_t))
        is_target = <signed char*>malloc(n)
        heap = <int64_t*>malloc(heap_cap * sizeof(int64_t))
        found = <int64_t*>malloc(found_cap * sizeof(int64_t))
        if tmp == NULL or here == NULL or is_target == NULL or heap == NULL or found == NULL:
            raise MemoryError()
        for i in range(n):
            here[i] = -1
        memset(is_target, 0, n)
        for t in targets:
            i = t
            if 0 <= i < n:
                is_target[i] = 1
        if budget is not None:
            budget_v = <double*>malloc(dim * sizeof(double))
            if budget_v == NULL:
                raise MemoryError()
            for k in range(dim):
                budget_v[k] = budget[k]
        if bounded:
            lb = <double*>malloc(n * dim * sizeof(double))
            lb_have = <signed char*>malloc(n)
            if lb == NULL or lb_have == NULL:
                raise MemoryError()
            memset(lb_have, 0, n)
        if allowed is not None:
            n_ok = len(allowed)
            ok = <signed char*>malloc(n_ok if n_ok else 1)
            if ok == NULL:
                raise MemoryError()
            memset(ok, -1, n_ok)
        if grouped:
            gbit = <int64_t*>malloc(n * sizeof(int64_t))
            gid = <int64_t*>malloc(n * sizeof(int64_t))
            if gbit == NULL or gid == NULL:
                raise MemoryError()
            for i in range(n):
                gbit[i] = -2
        elif peered:
            peer = <int64_t*>malloc(n * sizeof(int64_t))
            sl = <double*>malloc(n * dim * sizeof(double))
            sl_have = <signed char*>malloc(n)
            if peer == NULL or sl == NULL or sl_have == NULL:
                raise MemoryError()
            memset(sl_have, 0, n)
            for i in range(n):
                peer[i] = -2

        # label 0: the source
        L.n = 1
        for k in range(dim):
            L.cost[k] = 0.0
        if bounded:
            row = lower_bound[source]
            for k in range(dim):
                lb[source * dim + k] = row[k]
            lb_have[source] = 1
            for k in range(dim):
                L.bound[k] = lb[source * dim + k]
        else:
            for k in range(dim):
                L.bound[k] = 0.0
        L.node[0] = source
        L.parent[0] = -1
        L.ref[0] = -1
        if grouped:
            at = simple_in[source]
            gid[source] = at
            if at >= 0:
                bits[at] = 0
                gbit[source] = 0
                L.mask[0] = 1
            else:
                gbit[source] = -1
                L.mask[0] = 0
        heap[0] = 0
        n_heap = 1

        while n_heap:
            # pop the least (bound, index)
            idx = heap[0]
            n_heap -= 1
            if n_heap:
                last = heap[n_heap]
                i = 0
                while True:
                    child = 2 * i + 1
                    if child >= n_heap:
                        break
                    if child + 1 < n_heap and before(L.bound, dim, heap[child + 1], heap[child]):
                        child += 1
                    if before(L.bound, dim, heap[child], last):
                        heap[i] = heap[child]
                        i = child
                    else:
                        break
                heap[i] = last
            bnd = L.bound + idx * dim
            if bnd[0] == INF:
                break
            c = L.cost + idx * dim
            node = L.node[idx]
            if grouped:
                mask = L.mask[idx]
                if (beaten_simple(c, mask, &L, here, node)
                        or beaten_found(bnd, L.cost, found, n_found, dim)):
                    continue
            elif ((here[node] >= 0 and beaten_list(c, L.cost, L.next_here, here[node], dim))
                  or beaten_found(bnd, L.cost, found, n_found, dim)):
                continue
            elif peered:
                if peer[node] == -2:
                    peer[node] = peers[node]
                group = peer[node]
                if group >= 0:
                    if group >= n_groups:
                        j = max(group + 1, 2 * n_groups)
                        group_first = <int64_t*>resized(group_first, j * sizeof(int64_t))
                        for i in range(n_groups, j):
                            group_first[i] = -1
                        n_groups = j
                    if group_first[group] >= 0 and beaten_list(
                            c, L.beside, L.next_group, group_first[group], dim):
                        continue
                    if not sl_have[node]:
                        row = slack[node]
                        for k in range(dim):
                            sl[node * dim + k] = row[k]
                        sl_have[node] = 1
                    for k in range(dim):
                        L.beside[idx * dim + k] = c[k] + sl[node * dim + k]
                    L.next_group[idx] = group_first[group]
                    group_first[group] = idx
            L.next_here[idx] = here[node]
            here[node] = idx
            if is_target[node]:
                if n_found == found_cap:
                    found_cap *= 2
                    found = <int64_t*>resized(found, found_cap * sizeof(int64_t))
                found[n_found] = idx
                n_found += 1
                if first:
                    break
                continue
            if L.n > max_labels:
                complete = False
                break
            for a in range(starts[node], stops[node]):
                ref = refs[a]
                if ok != NULL and ref >= 0:
                    if ref >= n_ok:
                        allowed[ref]  # the same IndexError as the Python search
                    if ok[ref] < 0:
                        ok[ref] = 1 if allowed[ref] else 0
                    if not ok[ref]:
                        continue
                head = heads[a]
                c = L.cost + idx * dim  # (labels may have moved)
                nw = tmp
                for k in range(dim):
                    nw[k] = c[k] + costs[a, k]
                if grouped:
                    if gbit[head] == -2:
                        at = simple_in[head]
                        gid[head] = at
                        if at < 0:
                            gbit[head] = -1
                        else:
                            j = bits.get(at, -1)
                            if j < 0:
                                j = len(bits)
                                if j >= 64:
                                    raise Unsupported("more than 64 groups")
                                bits[at] = j
                            gbit[head] = j
                    at = gid[head]
                    bit = (<uint64_t>1) << gbit[head] if gbit[head] >= 0 else 0
                    if ((mask & bit and at != gid[node])
                            or beaten_simple(nw, mask | bit, &L, here, head)):
                        continue
                else:
                    if here[head] >= 0 and beaten_list(nw, L.cost, L.next_here, here[head], dim):
                        continue
                    if peered:
                        if peer[head] == -2:
                            peer[head] = peers[head]
                        group = peer[head]
                        if (group >= 0 and group < n_groups and group_first[group] >= 0
                                and beaten_list(nw, L.beside, L.next_group, group_first[group],
                                                dim)):
                            continue
                bnd = tmp + dim
                if bounded:
                    if not lb_have[head]:
                        row = lower_bound[head]
                        for k in range(dim):
                            lb[head * dim + k] = row[k]
                        lb_have[head] = 1
                    for k in range(dim):
                        bnd[k] = nw[k] + lb[head * dim + k]
                else:
                    for k in range(dim):
                        bnd[k] = nw[k]
                if (bnd[0] == INF or (n_found and beaten_found(bnd, L.cost, found, n_found, dim))
                        or (budget_v != NULL and not dom(bnd, budget_v, dim))):
                    continue
                if L.n == L.cap:
                    grow(&L)
                j = L.n
                for k in range(dim):
                    L.cost[j * dim + k] = nw[k]
                    L.bound[j * dim + k] = bnd[k]
                if grouped:
                    L.mask[j] = mask | bit
                L.node[j] = head
                L.parent[j] = idx
                L.ref[j] = ref
                L.n += 1
                # push
                if n_heap == heap_cap:
                    heap_cap *= 2
                    heap = <int64_t*>resized(heap, heap_cap * sizeof(int64_t))
                i = n_heap
                n_heap += 1
                while i > 0:
                    parent = (i - 1) >> 1
                    if before(L.bound, dim, j, heap[parent]):
                        heap[i] = heap[parent]
                        i = parent
                    else:
                        break
                heap[i] = j

        out = []
        for j in range(n_found):
            idx = found[j]
            path_refs = []
            path_nodes = []
            i = idx
            while i >= 0:
                path_nodes.append(L.node[i])
                if L.ref[i] >= 0:
                    path_refs.append(L.ref[i])
                i = L.parent[i]
            path_refs.reverse()
            path_nodes.reverse()
            out.append((tuple([L.cost[idx * dim + k] for k in range(dim)]), tuple(path_refs),
                        tuple(path_nodes)))
        return out, L.n, complete
    finally:
        release(&L)
        free(tmp)
        free(here)
        free(is_target)
        free(heap)
        free(found)
        free(budget_v)
        free(lb)
        free(lb_have)
        free(sl)
        free(sl_have)
        free(ok)
        free(peer)
        free(group_first)
        free(gbit)
        free(gid)
