# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False
"""Compiled core of the country-simple search ``silkway.routing.simple._search`` (the same
search, step for step).

A :class:`Arcs` keeps one :class:`~silkway.routing.simple.PreparedArcs`'s arcs as C arrays,
each node's read from its prepared tuple when a search first leaves that node (so a node is
converted once per prepared graph, however many searches run on it); the per-node scratch of
a search is one :class:`Scratch` that every search reuses. A search compresses the
``watched`` bits (groups, then places from bit ``shift``) into two 64-bit words through a table
from bit position to compact bit; labels leave the heap in the same total order as the Python
search's, (bound, label index), so the labels, the answer, the work, the limit error and the
moment ``hopeless`` is asked are all the same.
"""

from libc.stdint cimport int32_t, int64_t, uint32_t, uint64_t
from libc.stdlib cimport calloc, free, malloc

from silkway.routing._cmem cimport resized

cdef double INF = float("inf")


class Unsupported(Exception):
    """The search needs what this core does not do (more than 128 watched bits, or a search
    while another runs)."""


cdef struct Arc:
    int64_t head
    int64_t ref
    double cost
    int32_t gpos   # bit position of the head's group
    int32_t ppos   # bit position of the head's place (shift + place)
    unsigned char req
    unsigned char cross


cdef class Arcs:
    """The arcs of one prepared graph as C arrays, filled per node when first searched from
    (the prepared graph is given to each search, not kept: it keeps these)."""

    cdef int64_t n, n_arcs, cap
    cdef int32_t* first   # per node: first arc, -1 unread
    cdef int32_t* count
    cdef Arc* arcs

    def __cinit__(self, int64_t n):
        self.n = n
        self.first = <int32_t*>malloc((n if n else 1) * sizeof(int32_t))
        self.count = <int32_t*>malloc((n if n else 1) * sizeof(int32_t))
        self.cap = 64
        self.arcs = <Arc*>malloc(self.cap * sizeof(Arc))
        if self.first == NULL or self.count == NULL or self.arcs == NULL:
            raise MemoryError()
        cdef int64_t i
        for i in range(n):
            self.first[i] = -1

    def __dealloc__(self):
        free(self.first)
        free(self.count)
        free(self.arcs)

    cdef int load(self, prepared, int64_t node) except -1:
        """Node ``node``'s arcs in ``prepared`` into the arrays (in their order)."""
        cdef tuple got = tuple(prepared[node])
        cdef int64_t m = len(got), k = self.n_arcs, cap = self.cap
        cdef Arc* a
        if k + m > cap:
            while k + m > cap:
                cap *= 2
            self.arcs = <Arc*>resized(self.arcs, cap * sizeof(Arc))
            self.cap = cap
        for head, c, ref, bit, at, req, cross in got:
            a = &self.arcs[k]
            a.head = head
            a.cost = c
            a.ref = ref
            a.gpos = bit.bit_length() - 1
            a.ppos = at.bit_length() - 1
            a.req = bool(req)
            a.cross = bool(cross)
            k += 1
        self.first[node] = self.n_arcs
        self.count[node] = m
        self.n_arcs = k
        return 0


cdef class Scratch:
    """Per-node scratch of a search, shared by every search (stamped per search, so nothing is
    cleared between them; one search at a time)."""

    cdef int64_t n
    # per (node, used): the last label settled there, valid when its stamp is the search's
    cdef int64_t* here
    cdef uint32_t* here_stamp
    # per node: its bounds before and after a required arc, read once per search
    cdef double* before_v
    cdef double* after_v
    cdef uint32_t* before_stamp
    cdef uint32_t* after_stamp
    # per node: whether it is an end of this search (and the end's cost), asked once a search
    cdef double* end_cost
    cdef signed char* is_end
    cdef uint32_t* end_stamp
    cdef uint32_t stamp
    cdef bint busy

    def __cinit__(self, int64_t n):
        self.n = n
        self.here = <int64_t*>malloc((2 * n if n else 1) * sizeof(int64_t))
        self.here_stamp = <uint32_t*>calloc(2 * n if n else 1, sizeof(uint32_t))
        self.before_v = <double*>malloc((n if n else 1) * sizeof(double))
        self.after_v = <double*>malloc((n if n else 1) * sizeof(double))
        self.before_stamp = <uint32_t*>calloc(n if n else 1, sizeof(uint32_t))
        self.after_stamp = <uint32_t*>calloc(n if n else 1, sizeof(uint32_t))
        self.end_cost = <double*>malloc((n if n else 1) * sizeof(double))
        self.end_stamp = <uint32_t*>calloc(n if n else 1, sizeof(uint32_t))
        self.is_end = <signed char*>malloc(n if n else 1)
        if (self.here == NULL or self.here_stamp == NULL or self.before_v == NULL
                or self.after_v == NULL or self.before_stamp == NULL
                or self.after_stamp == NULL or self.end_cost == NULL or self.end_stamp == NULL
                or self.is_end == NULL):
            raise MemoryError()
        self.stamp = 0

    def __dealloc__(self):
        free(self.here)
        free(self.here_stamp)
        free(self.before_v)
        free(self.after_v)
        free(self.before_stamp)
        free(self.after_stamp)
        free(self.end_cost)
        free(self.end_stamp)
        free(self.is_end)


cdef Scratch _scratch = None  # the largest graph's so far


cdef struct Labels:
    int64_t n, cap
    double* cost
    double* bound
    int64_t* node   # -1: the end
    int64_t* used
    uint64_t* lo    # compact bits, words 0 and 1
    uint64_t* hi
    int64_t* parent
    int64_t* ref
    int64_t* next_here  # the label settled before it at its (node, used)


cdef int grow(Labels* L) except -1:
    cdef int64_t cap = L.cap * 2 if L.cap else 256
    L.cost = <double*>resized(L.cost, cap * sizeof(double))
    L.bound = <double*>resized(L.bound, cap * sizeof(double))
    L.node = <int64_t*>resized(L.node, cap * sizeof(int64_t))
    L.used = <int64_t*>resized(L.used, cap * sizeof(int64_t))
    L.lo = <uint64_t*>resized(L.lo, cap * sizeof(uint64_t))
    L.hi = <uint64_t*>resized(L.hi, cap * sizeof(uint64_t))
    L.parent = <int64_t*>resized(L.parent, cap * sizeof(int64_t))
    L.ref = <int64_t*>resized(L.ref, cap * sizeof(int64_t))
    L.next_here = <int64_t*>resized(L.next_here, cap * sizeof(int64_t))
    L.cap = cap
    return 0


cdef void release(Labels* L) noexcept:
    free(L.cost)
    free(L.bound)
    free(L.node)
    free(L.used)
    free(L.lo)
    free(L.hi)
    free(L.parent)
    free(L.ref)
    free(L.next_here)


cdef inline bint earlier(const double* bound, int64_t a, int64_t b) noexcept nogil:
    """Heap order: (bound, label index), as Python compares the tuples."""
    if bound[a] != bound[b]:
        return bound[a] < bound[b]
    return a < b


cdef inline bint covered(const Labels* L, int64_t i, uint64_t lo, uint64_t hi) noexcept nogil:
    """Whether a label of the settled list from ``i`` has no bit that (lo, hi) lacks."""
    while i >= 0:
        if (L.lo[i] & ~lo) == 0 and (L.hi[i] & ~hi) == 0:
            return True
        i = L.next_here[i]
    return False


def arcs_for(int64_t n):
    """A new :class:`Arcs` for a prepared graph of ``n`` nodes."""
    return Arcs(n)


def search(Arcs arcs, prepared, int64_t source, ends, before, after, double limit, watched,
           bint asking, int64_t ask, int64_t max_labels, hopeless, asked, int64_t source_group,
           int64_t source_place, int64_t shift):
    """The search of ``simple._search`` on ``arcs``, the arrays of ``prepared``.

    With ``asking``, ``hopeless(asked)`` is asked once the labels pass ``ask``. Returns ``(status,
    labels, cost, nodes, refs)``: status 0 no path, 1 found, 2 the work limit was passed, 3
    ``hopeless`` said so. Raises :class:`Unsupported` when more than
    128 bits are watched or a search on ``arcs`` is running."""
    cdef int64_t n = arcs.n
    cdef int64_t width = watched.bit_length()
    cdef int64_t pos, k, i, idx, node, used, key, a, a_end, now, head, child, parent, last, j
    cdef int64_t n_heap = 0, heap_cap = 256, done = -1, n_bits = 0
    cdef uint64_t lo, hi, nlo, nhi, glo = 0, ghi = 0, blo, bhi, alo, ahi
    cdef uint64_t* tlo = NULL   # per bit position: its compact bit in word 0 (0 unwatched)
    cdef uint64_t* thi = NULL
    cdef double cost, new, bound, end
    cdef Labels L
    cdef int64_t* heap = NULL
    cdef const Arc* arc
    cdef uint32_t stamp
    global _scratch
    cdef Scratch sc = _scratch
    if sc is not None and sc.busy:
        raise Unsupported("a search is running")
    if watched.bit_count() > 128:
        raise Unsupported("more than 128 watched bits")
    if not 0 <= source < n:
        raise Unsupported("the source is not a node")
    if sc is None or sc.n < n:
        sc = _scratch = Scratch(n)
    sc.busy = True
    memset_labels(&L)
    try:
        tlo = <uint64_t*>calloc(width if width else 1, sizeof(uint64_t))
        thi = <uint64_t*>calloc(width if width else 1, sizeof(uint64_t))
        heap = <int64_t*>malloc(heap_cap * sizeof(int64_t))
        if tlo == NULL or thi == NULL or heap == NULL:
            raise MemoryError()
        w = watched
        while w:
            low = w & -w
            pos = low.bit_length() - 1
            if n_bits < 64:
                tlo[pos] = (<uint64_t>1) << n_bits
                if pos < shift:
                    glo |= tlo[pos]
            else:
                thi[pos] = (<uint64_t>1) << (n_bits - 64)
                if pos < shift:
                    ghi |= thi[pos]
            n_bits += 1
            w ^= low
        sc.stamp += 1
        if sc.stamp == 0:  # wrapped: clear every stamp
            for i in range(2 * sc.n):
                sc.here_stamp[i] = 0
            for i in range(sc.n):
                sc.before_stamp[i] = 0
                sc.after_stamp[i] = 0
                sc.end_stamp[i] = 0
            sc.stamp = 1
        stamp = sc.stamp

        grow(&L)
        L.n = 1
        L.cost[0] = 0.0
        L.bound[0] = before[source]
        L.node[0] = source
        L.used[0] = 0
        lo = hi = 0
        if 0 <= source_group < width:
            lo |= tlo[source_group]
            hi |= thi[source_group]
        pos = shift + source_place
        if 0 <= pos < width:
            lo |= tlo[pos]
            hi |= thi[pos]
        L.lo[0] = lo
        L.hi[0] = hi
        L.parent[0] = -1
        L.ref[0] = -1
        heap[0] = 0
        n_heap = 1

        while n_heap:
            idx = heap[0]
            n_heap -= 1
            if n_heap:
                last = heap[n_heap]
                i = 0
                while True:
                    child = 2 * i + 1
                    if child >= n_heap:
                        break
                    if child + 1 < n_heap and earlier(L.bound, heap[child + 1], heap[child]):
                        child += 1
                    if earlier(L.bound, heap[child], last):
                        heap[i] = heap[child]
                        i = child
                    else:
                        break
                heap[i] = last
            node = L.node[idx]
            if node < 0:  # the end: the first one popped is the cheapest
                done = idx
                break
            cost = L.cost[idx]
            used = L.used[idx]
            lo = L.lo[idx]
            hi = L.hi[idx]
            key = node * 2 + used
            if sc.here_stamp[key] == stamp:
                if covered(&L, sc.here[key], lo, hi):
                    continue
                L.next_here[idx] = sc.here[key]
            else:
                sc.here_stamp[key] = stamp
                L.next_here[idx] = -1
            sc.here[key] = idx
            if sc.end_stamp[node] != stamp:  # ``node in ends``, asked once per search
                sc.end_stamp[node] = stamp
                sc.is_end[node] = node in ends
                if sc.is_end[node]:
                    sc.end_cost[node] = ends[node]
            if sc.is_end[node]:
                end = sc.end_cost[node]
                if used and cost + end <= limit:
                    if L.n == L.cap:
                        grow(&L)
                    j = L.n
                    L.cost[j] = cost + end
                    L.bound[j] = cost + end
                    L.node[j] = -1
                    L.used[j] = 1
                    L.lo[j] = lo
                    L.hi[j] = hi
                    L.parent[j] = idx
                    L.ref[j] = -1
                    L.n += 1
                    heap_cap = push(&heap, heap_cap, &n_heap, L.bound, j)
                continue
            if L.n > ask:
                if asking:  # once, before the work limit can end the search
                    asking = False
                    if hopeless(asked):
                        return 3, L.n, None, None, None
                if L.n > max_labels:
                    return 2, L.n, None, None, None
                ask = max_labels
            if arcs.first[node] < 0:
                arcs.load(prepared, node)
            a = arcs.first[node]
            a_end = a + arcs.count[node]
            while a < a_end:
                arc = &arcs.arcs[a]
                a += 1
                head = arc.head
                blo = bhi = alo = ahi = 0
                if arc.gpos < width:
                    blo = tlo[arc.gpos]
                    bhi = thi[arc.gpos]
                if arc.ppos < width:
                    alo = tlo[arc.ppos]
                    ahi = thi[arc.ppos]
                if arc.cross:
                    if (lo & blo) or (hi & bhi):
                        continue  # it would enter a watched group again
                    nlo = (lo & glo) | blo | alo
                    nhi = (hi & ghi) | bhi | ahi
                elif (lo & alo) or (hi & ahi):
                    continue  # it would come back to a watched place
                else:
                    nlo = lo | alo
                    nhi = hi | ahi
                now = 1 if used or arc.req else 0
                new = cost + arc.cost
                if now:
                    if sc.after_stamp[head] != stamp:
                        sc.after_v[head] = after[head]
                        sc.after_stamp[head] = stamp
                    bound = new + sc.after_v[head]
                else:
                    if sc.before_stamp[head] != stamp:
                        sc.before_v[head] = before[head]
                        sc.before_stamp[head] = stamp
                    bound = new + sc.before_v[head]
                if bound > limit or bound == INF:
                    continue
                key = head * 2 + now
                if sc.here_stamp[key] == stamp and covered(&L, sc.here[key], nlo, nhi):
                    continue
                if L.n == L.cap:
                    grow(&L)
                j = L.n
                L.cost[j] = new
                L.bound[j] = bound
                L.node[j] = head
                L.used[j] = now
                L.lo[j] = nlo
                L.hi[j] = nhi
                L.parent[j] = idx
                L.ref[j] = arc.ref
                L.n += 1
                heap_cap = push(&heap, heap_cap, &n_heap, L.bound, j)
        if done < 0:
            return 0, L.n, None, None, None
        nodes = []
        path_refs = []
        total = L.cost[done]
        i = L.parent[done]
        while i >= 0:
            nodes.append(L.node[i])
            if L.ref[i] >= 0:
                path_refs.append(L.ref[i])
            i = L.parent[i]
        nodes.reverse()
        path_refs.reverse()
        return 1, L.n, total, tuple(nodes), tuple(path_refs)
    finally:
        sc.busy = False
        release(&L)
        free(tlo)
        free(thi)
        free(heap)


cdef inline void memset_labels(Labels* L) noexcept:
    L.n = 0
    L.cap = 0
    L.cost = NULL
    L.bound = NULL
    L.node = NULL
    L.used = NULL
    L.lo = NULL
    L.hi = NULL
    L.parent = NULL
    L.ref = NULL
    L.next_here = NULL


cdef int64_t push(int64_t** heap_p, int64_t heap_cap, int64_t* n_heap, const double* bound,
                  int64_t j) except -1:
    """Label ``j`` onto the heap; the heap's capacity after."""
    cdef int64_t* heap = heap_p[0]
    cdef int64_t i, parent
    if n_heap[0] == heap_cap:
        heap_cap *= 2
        heap = <int64_t*>resized(heap, heap_cap * sizeof(int64_t))
        heap_p[0] = heap
    i = n_heap[0]
    n_heap[0] += 1
    while i > 0:
        parent = (i - 1) >> 1
        if earlier(bound, j, heap[parent]):
            heap[i] = heap[parent]
            i = parent
        else:
            break
    heap[i] = j
    return heap_cap
