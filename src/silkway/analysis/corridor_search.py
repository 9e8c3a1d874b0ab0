"""The searches of one plan over one search graph (:class:`Search`): its Pareto routes, and
each named corridor's best route or why there is none (:func:`corridor_answer`)."""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any, overload

import numpy as np

from silkway._lru import LRU
from silkway.analysis.route import (
    CorridorAnswer,
    Route,
    SimOptions,
    build_route,
    order_key,
    simulated,
)
from silkway.network.model import Hub
from silkway.query import PlanQuery
from silkway.routing.best import (
    ArcArrays,
    LayeredMatrix,
    LayerEntries,
    Trees,
    best_path,
    best_through,
    entries,
    from_source,
    layered,
    least_costs,
    matrix,
    to_end,
    trees,
    usable,
)
from silkway.routing.corridors import Corridor, corridor_by_bits, corridors, leg_bits
from silkway.routing.graph import (
    END,
    N_CLASSES,
    START,
    DirectedLeg,
    SearchGraph,
)
from silkway.routing.pareto import (
    Arc,
    ArcPool,
    ParetoPath,
    SearchLimitError,
    constrained_paths,
)
from silkway.routing.simple import OneCriterion, PreparedArcs, cheapest_simple
from silkway.types import Mode


class Relaxed(float):
    """The cost of a corridor's best path that passes a hub or enters a country twice (a lower
    bound on its best route's), with the path's ``nodes``."""

    nodes: tuple[int, ...]

    def __new__(cls, cost: float, nodes: tuple[int, ...]) -> Relaxed:
        out = super().__new__(cls, cost)
        out.nodes = nodes
        return out


class Mask(list[bool]):
    """Per directed leg, usable or not, with the corridor rules it stands for (``key``:
    excluded corridor ids and the only corridor's id)."""

    def __init__(self, key: tuple[tuple[str, ...], str | None], values: list[bool]) -> None:
        super().__init__(values)
        self.key = key


def _one_criterion(adj: Sequence[Sequence[Arc]], crit: int) -> OneCriterion:
    """``adj`` with each arc's cost cut to criterion ``crit``."""
    return OneCriterion(tuple(tuple(a.head for a in arcs) for arcs in adj),
                        tuple(tuple(a.cost[crit] for a in arcs) for arcs in adj),
                        tuple(tuple(a.ref for a in arcs) for arcs in adj))


class _WithEnd(Sequence[Sequence[Arc]]):
    """The search graph's arcs, where the destination's arrival states lead only to one end
    state by an arc that costs the unloading for that arrival class (so a box that arrives by
    rail at a ferry port pays a train's unloading, not the ferry boarding)."""

    def __init__(self, adj: Sequence[Sequence[Arc]], ends: dict[int, tuple[Arc, ...]],
                 pool: ArcPool) -> None:
        self._adj, self.ends, self._pool = adj, ends, pool

    def arc_pool(self) -> ArcPool:
        """These arcs as arrays (see :class:`~silkway.routing.pareto.ArcPool`): the compiled
        graph's pool (:func:`_end_pool`), which holds every hub's end arcs after the graph's
        own, with the destination's arrival states pointed at theirs (two small arrays)."""
        pool = self._pool
        starts, stops = pool.starts.copy(), pool.stops.copy()
        first = int(starts[-1])  # the end state's (empty) run: where the end arcs start
        for state in self.ends:
            row = first + (state // N_CLASSES) * (N_CLASSES - 1) + state % N_CLASSES - 1
            starts[state], stops[state] = row, row + 1
        return ArcPool(starts, stops, pool.heads, pool.refs, pool.costs)

    def __len__(self) -> int:
        return len(self._adj) + 1

    @overload
    def __getitem__(self, i: int) -> Sequence[Arc]: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Sequence[Arc]]: ...
    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i in self.ends:
            return self.ends[i]
        if i == len(self._adj) or i == -1:
            return ()
        return self._adj[i]


class _Peers(list[int]):
    """Each search state's hub as its peer group (see ``pareto_paths``), but none for the
    destination's states, whose only arcs are their own unloading, and the end state."""

    def __init__(self, n: int, destination: int) -> None:
        super().__init__(_peer_groups(n, destination))


@lru_cache(maxsize=1024)
def _peer_groups(n: int, destination: int) -> tuple[int, ...]:
    hub = np.arange(n) // N_CLASSES
    hub[(hub == destination) | (np.arange(n) >= n - 1)] = -1
    return tuple(hub.tolist())


class _Slack(list[tuple[float, ...]]):
    """The compiled graph's per-state slack, and none for the end state."""

    def __init__(self, slack: Sequence[tuple[float, ...]], dim: int) -> None:
        super().__init__(slack)
        self.append((0.0,) * dim)


def _end_arc(g: SearchGraph, di: int, k: int, dims: int) -> Arc:
    """The arc from the destination ``di``'s arrival state of class ``k`` to the end state: the
    unloading for that class."""
    n_crit = len(g.hub_matrices)  # + 1 with a transshipment cap
    lift = g.lift(di, k, END) or (0.0, 0.0, 0.0, 0.0)
    return Arc(len(g.compiled.adj), tuple(lift[:n_crit]) + (0.0,) * (dims - n_crit), -1)


def _end_pool(g: SearchGraph, dims: int) -> ArcPool:
    """The compiled graph's arcs as arrays with an end state (no arcs) and, after its own arcs,
    every hub's end arcs by arrival class (see :meth:`_WithEnd.arc_pool`); kept per compiled
    graph (the end arcs do not depend on the constraints)."""
    compiled = g.compiled
    key = ("end pool", dims)
    pool: ArcPool | None = compiled.memo.get(key)
    if pool is None:
        tails, heads, refs, costs = compiled.arc_arrays  # dims is the compiled graph's dim
        n, hubs = len(compiled.adj), len(compiled.adj) // N_CLASSES
        lens = np.bincount(tails, minlength=n)  # a state's arcs are one run of them
        stops = np.cumsum(lens)
        starts = stops - lens
        ends = [_end_arc(g, h, k, dims) for h in range(hubs) for k in range(1, N_CLASSES)]
        m = len(heads)
        pool = compiled.memo[key] = ArcPool(
            np.append(starts, m), np.append(stops, m),
            np.concatenate([heads, np.full(len(ends), n, dtype=np.int64)]),
            np.concatenate([refs, np.full(len(ends), -1, dtype=np.int64)]),
            np.concatenate([costs, np.array([a.cost for a in ends], dtype=np.float64)
                            .reshape(len(ends), dims)]))
    return pool


def _end_arcs(g: SearchGraph, di: int, bounds: Sequence[tuple[float, ...]]
              ) -> tuple[_WithEnd, frozenset[int], list[tuple[float, ...]]]:
    """Arcs, target set and lower bounds with an end state after the destination ``di``."""
    end = len(g.compiled.adj)
    dims = len(bounds[0])
    ends: dict[int, tuple[Arc, ...]] = {
        di * N_CLASSES + k: (_end_arc(g, di, k, dims),) for k in range(1, N_CLASSES)}
    return (_WithEnd(g.compiled.adj, ends, _end_pool(g, dims)), frozenset({end}),
            [*bounds, (0.0,) * dims])


class Search:
    """One plan's searches over one search graph: the main one and one per corridor."""

    def __init__(self, g: SearchGraph, o: Hub, d: Hub, via: tuple[Hub, ...],
                 sim: SimOptions, *, lazy: bool = False) -> None:
        self.g, self.o, self.d, self.sim, self.via = g, o, d, sim, via
        # with ``lazy``, routes are built without their days (most are thinned away or lose
        # to another candidate), then simulated by :meth:`finish`
        self.lazy = lazy
        oi, di = g.hub_index[o.id], g.hub_index[d.id]
        self.di = di
        self.source = oi * N_CLASSES + START
        bounds = g.lower_bounds(di)
        self.reachable = bool(bounds) and bool(np.isfinite(bounds[oi * N_CLASSES + START][0]))
        # Paths end in one end state after the destination (its unloading by arrival class).
        self.adj, self.targets, self.bounds = _end_arcs(g, di, bounds)
        self.targets_in = frozenset(di * N_CLASSES + k for k in range(1, N_CLASSES))
        self.stages = tuple(frozenset(g.hub_index[v.id] * N_CLASSES + k for k in range(N_CLASSES))
                            for v in via)
        self.dim = len(self.bounds[0]) if self.bounds else 3
        self.cap = g.constraints.max_transshipments
        self.complete = True
        self.reject: Sequence[Route] | None = None  # the plan's routes, to reject detours by
        self._tree: dict[int, Trees] = {}  # per criterion: the trip's two trees
        self._through: dict[int, np.ndarray] = {}  # per criterion: see :meth:`_via`
        self._km: np.ndarray | None = None  # see :meth:`through_bounds`
        self.shapes: dict[tuple[tuple[int, bool], ...], str | None] = {}  # see _detour_of

    def _memo(self, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        """Data kept on the search graph (one set of constraints)."""
        memo = self.g.memo
        if key not in memo:
            memo[key] = make()
        return memo[key]

    def _shared(self, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        """Data that does not depend on the constraints, kept on the compiled graph."""
        memo = self.g.compiled.memo
        if key not in memo:
            memo[key] = make()
        return memo[key]

    def allowed(self, excluded: Sequence[Corridor], only: Corridor | None = None
                ) -> Sequence[bool]:
        """Per directed leg of the compiled graph: usable by a route under the plan's
        constraints that avoids ``excluded`` and fits ``only`` (a :class:`Mask`)."""
        if not excluded and only is None:
            return self.g.allowed
        key = (tuple(x.id for x in excluded), only.id if only is not None else None)

        def make() -> Mask:
            return Mask(key, (self._static(key) & self._constrained()).tolist())

        return self._memo(("allowed", key), make)  # type: ignore[no-any-return]

    def _static(self, key: tuple[tuple[str, ...], str | None]) -> np.ndarray:
        """Per directed leg: allowed by the corridor rules of a :class:`Mask` ``key`` alone
        (the same for every set of constraints, so kept on the compiled graph)."""
        def make() -> np.ndarray:
            excluded, only = key
            rank = _rank()
            banned = sum(1 << rank[x] for x in excluded)
            bit = 1 << rank[only] if only is not None else 0
            keys, excludes = self._bits()
            return ((keys & banned) == 0) & ((excludes & bit) == 0)

        return self._shared(("static", key), make)  # type: ignore[no-any-return]

    def _bits(self) -> tuple[np.ndarray, np.ndarray]:
        """Per directed leg: the :func:`leg_bits` of its leg, the corridors it is a key leg of
        and those it excludes, as two arrays (computed once, not once per corridor)."""
        def make() -> tuple[np.ndarray, np.ndarray]:
            bits = [leg_bits(dl.leg) for dl in self.g.directed]
            kind = np.int64 if len(_rank()) < 63 else object  # bit i: the i-th corridor
            return (np.array([k for k, _ in bits], dtype=kind),
                    np.array([x for _, x in bits], dtype=kind))

        return self._shared(("bits",), make)  # type: ignore[no-any-return]

    def _constrained(self) -> np.ndarray:
        """The constraints' mask as an array."""
        return _allowed_array(self.g)

    def key_refs(self, cor: Corridor, allowed: Sequence[bool] | np.ndarray | None
                 ) -> frozenset[int]:
        keys: frozenset[int] = self._shared(("keys", cor.id), lambda: frozenset(
            r for r, dl in enumerate(self.g.directed) if cor.is_key(dl.leg)))
        if allowed is None:
            return keys
        if isinstance(allowed, Mask) or allowed is self.g.allowed:  # kept with the mask
            mask = allowed
            return self._memo(  # type: ignore[no-any-return]
                ("keys in", cor.id, mask.key if isinstance(mask, Mask) else None),
                lambda: frozenset(r for r in keys if mask[r]))
        return frozenset(r for r in keys if allowed[r])

    def routes(self, allowed: Sequence[bool] | None, required: frozenset[int] | None,
               best_by: str | None = None, *, simple: bool = False,
               max_labels: int | None = None, partial: bool = False) -> list[Route]:
        """Pareto routes (simple in hubs, within the transshipment cap) under the masks.

        With ``best_by`` (an objective whose order the search's cost vectors give: days, cost
        or co2e), only the best such route is built and returned. When a path found through
        via points passes a hub twice (a via point reached and left the way it came), the
        search is run again on hub-simple paths only (``simple``: exact, and slower). A search
        that reaches ``max_labels`` raises :class:`SearchLimitError`, or with ``partial``
        returns what it found and marks the search incomplete (``self.complete``)."""
        if not self.reachable:
            return []
        max_labels = MAX_LABELS if max_labels is None else max_labels
        # With ``simple``, decremental state-space relaxation: the search keeps hubs apart only
        # for the hubs that its own paths came back to (none at first), and searches again
        # with those watched until every Pareto path it finds passes each hub once. A hub-simple
        # path that no relaxed path dominates is Pareto-optimal among hub-simple paths, so the
        # last relaxation's Pareto set is theirs; tracking every hub made the search keep
        # nearly every label (Xi'an - Duisburg via Aktau stopped at 200,000 labels).
        watching: set[int] = set()  # hubs the paths found came back to
        work = min(max_labels, 50_000) if simple else max_labels
        while True:
            plain = required is None and not self.stages and not simple
            spent: dict[str, int] = {}
            try:
                paths = constrained_paths(
                    self.adj, self.source, self.targets, allowed=allowed, required=required,
                    stages=self.stages, lower_bound=self.bounds, dim=self.dim,
                    required_bound=self.through(required) if required else None,
                    stage_bounds=self.via_bounds() if self.stages else None,
                    simple_in=self._watching(watching) if simple else None, max_labels=work,
                    peers=_Peers(len(self.adj), self.di) if plain else None,
                    slack=_Slack(self.g.compiled.slack, self.dim) if plain else None,
                    stats=spent)
            except SearchLimitError as e:
                if not partial:
                    raise
                self.complete = False  # the plan says so: "complete": false
                paths = e.paths
                if simple:
                    break
            again = set().union(*map(_revisited, paths)) if simple or self.stages else set()
            if not again:
                break
            watching |= again
            if not simple:
                # A path through the via points that comes back to a hub is no route, but it
                # may dominate a hub-simple one: Nagoya - Istanbul via Aktau listed only 57-day
                # routes while a 28-day Middle Corridor route went unseen behind a 26-day loop.
                simple, work = True, min(max_labels, 50_000)
                continue
            work -= spent.get("labels", 0)
            if work <= 0:
                if not partial:
                    raise SearchLimitError(min(max_labels, 50_000), [])
                self.complete = False
                paths = [p for p in paths if not _revisited(p)]
                break
        if best_by is not None:
            order = _COST_ORDER[best_by]
            paths.sort(key=lambda p: tuple(round(p.cost[i], 6) for i in order))
        built, out = [], []
        for p in paths:
            hubs_seq = [n // N_CLASSES for n in p.nodes[:-1]]  # the last node is the end state
            if len(set(hubs_seq)) != len(hubs_seq):
                continue  # revisits a hub: not a route anyone would run
            r = build_route(self.g, p, self.o, self.d, self.sim, simulate=False)
            built.append(r)
            if self.cap is None or r.transshipments <= self.cap:
                out.append(r)
                if best_by is not None:
                    break
        if not self.lazy:  # every route built simulated in one pass (in the order built)
            done = dict(zip(map(id, built), self.finish(built), strict=True))
            out = [done[id(r)] for r in out]
        return out

    def best_simple(self, allowed: Sequence[bool], required: frozenset[int],
                    objective: str, known: Sequence[Route] = (),
                    budget: float | None = None, lower: float = 0.0
                    ) -> tuple[Route | None, float]:
        """The best route by a single-criterion objective (days, cost or co2e) that uses a
        ``required`` leg and enters no country twice, and a lower bound on any route's cost.

        An exact label search on that one criterion, guided by the exact distances to the
        destination in the same graph without the country rule (one compiled backward
        search): a label beats another at its state when it costs no more and has visited no
        country the other has not, so the first target label popped is the answer. (A route
        that leaves a country and comes back would be reported as a detour anyway.) No route
        costing more than ``budget`` is looked for (none at all when a known ``lower`` bound
        on its cost exceeds it; a :class:`Relaxed` ``lower`` from :meth:`best` also says
        which countries and hubs its path enters twice, so the search watches those from its
        start). Raises :class:`SearchLimitError` past :data:`CORRIDOR_LABELS`."""
        if budget is not None and lower > budget:
            return None, lower
        relaxed = lower.nodes if isinstance(lower, Relaxed) else None
        crit = _COST_ORDER[objective][0]
        arcs, lay = self._matrix(allowed, required, crit)
        n = lay.n
        back = self._to_end(arcs, lay, crit)
        lower = max(lower, float(back[self.source]))
        if not np.isfinite(lower) or (budget is not None and lower > budget):
            return None, lower
        one = self._one(crit)

        def arcs_of() -> PreparedArcs:
            return PreparedArcs(one, allowed=allowed, required=required,
                                group=self.countries(), place=self.groups(),
                                within=self._prepared(allowed, crit))

        ready = (self._memo(("simple arcs", allowed.key, required, crit), arcs_of)
                 if isinstance(allowed, Mask) else arcs_of())  # kept with the corridor's mask
        path = cheapest_simple(one, self.source, self._ends(crit), allowed=allowed,
                               required=required,
                               group=self.countries(), place=self.groups(),
                               # the bounds before and after a key leg, as Python floats
                               # (a copy of the bytes, where tolist() made a float object each)
                               before=array("d", back[:n].tobytes()),
                               after=array("d", back[n:2 * n].tobytes()),
                               budget=budget, max_labels=CORRIDOR_LABELS, prepared=ready,
                               hopeless=None if budget is None else
                               self._hopeless(lay, crit, budget),
                               relaxed=relaxed)
        if path is None:
            return None, lower
        found = ParetoPath((path.cost,), path.refs, path.nodes)
        # the path's cost counts the unloading, so a search by days gives expected days
        return self._route(found, known, path.cost if objective == "days" else None), lower

    def _prepared(self, allowed: Sequence[bool], crit: int) -> PreparedArcs | None:
        """For a corridor's :class:`Mask` ``allowed``: the arcs of criterion ``crit`` under
        its corridor rules alone, prepared for :func:`cheapest_simple` with the corridor's key
        legs required (as :meth:`_matrix` requires them: the required legs of a corridor's
        search are its key legs under the mask), kept on the compiled graph; else None."""
        if not isinstance(allowed, Mask) or allowed.key[1] is None:
            return None
        key, only = allowed.key, allowed.key[1]

        def make() -> PreparedArcs:
            static = self._static(key).tolist()
            cor = corridors()[_rank()[only]]
            return PreparedArcs(self._one(crit), allowed=static,
                                required=self.key_refs(cor, static),
                                group=self.countries(), place=self.groups())

        return self._shared(("corridor arcs", key, crit), make)  # type: ignore[no-any-return]

    def _one(self, crit: int) -> OneCriterion:
        """The compiled graph's arcs with criterion ``crit`` alone."""
        return self._shared(  # type: ignore[no-any-return]
            ("one", crit), lambda: _one_criterion(self.g.compiled.adj, crit))

    def _hopeless(self, lay: LayeredMatrix, crit: int, budget: float) -> Callable[[int], bool]:
        """For :func:`cheapest_simple`: whether, for one of the countries given (as bits), the
        least cost of a path in ``lay`` that enters it at most once exceeds ``budget`` (a
        lower bound on every path that enters none of them twice). Per country a compiled
        search over three copies of ``lay``: before the country, in it, after it."""

        n, size = lay.n, lay.mat.shape[0]
        least: dict[int, float] = {}
        country = self.countries()

        def once(k: int) -> float:
            last = [(lay.layers - 1) * n + t for t in self.targets_in]
            end = min(self._ends(crit).values())
            m = self._country_copies(lay, k)
            start = self.source + (size if country[self.source] == k else 0)
            dist = least_costs(m, start, limit=budget - end + _SAME_DAYS)
            return float(min(dist[t + p * size] for t in last for p in range(3))) + end

        def hopeless(bits: int) -> bool:
            for k in range(bits.bit_length()):
                if bits >> k & 1:
                    if k not in least:
                        least[k] = once(k)
                    if least[k] > budget + _SAME_DAYS:
                        return True
            return False

        return hopeless

    def _country_copies(self, lay: LayeredMatrix, k: int) -> Any:
        """For :meth:`_hopeless`: three copies of ``lay`` (before country ``k``, in it, after
        it), the cheapest arc of each pair of states in each, joined by the arcs that enter
        ``k`` (first copy to second) and leave it (second to third). Kept per matrix (with
        its cheapest arcs and their countries) for every trip that asks of that country."""
        import scipy.sparse as sp

        kept: dict[Any, Any] = _kept(_COUNTRY_COPIES, (id(lay),), lay, dict)
        if k in kept:
            return kept[k]
        n, size = lay.n, lay.mat.shape[0]
        if "arcs" not in kept:
            country = np.asarray(self.countries()[:n])
            r, c, w = lay.cheapest()
            kept["arcs"] = (r, c, w, country[r % n], country[c % n])
        r, c, w, tail, head = kept["arcs"]
        stay, enter, leave = (tail == k) == (head == k), (tail != k) & (head == k), (
            (tail == k) & (head != k))
        rows = np.concatenate([r[stay], r[stay] + size, r[stay] + 2 * size, r[enter],
                               r[leave] + size])
        cols = np.concatenate([c[stay], c[stay] + size, c[stay] + 2 * size, c[enter] + size,
                               c[leave] + 2 * size])
        data = np.concatenate([w[stay]] * 3 + [w[enter], w[leave]])
        kept[k] = sp.csr_matrix((data, (rows, cols)), shape=(3 * size, 3 * size))
        return kept[k]

    def _matrix(self, allowed: Sequence[bool], required: frozenset[int], crit: int
                ) -> tuple[ArcArrays, LayeredMatrix]:
        """The arcs as arrays and one layered matrix of criterion ``crit`` for a corridor's
        mask: built once per compiled graph from the corridor rules, then the plan's
        constraints applied by giving the arcs they forbid an infinite cost."""
        arcs = self._arcs()
        n_refs = len(self.g.directed)

        def build(mask: np.ndarray, keys: Iterable[int]) -> LayeredMatrix:
            req = np.zeros(n_refs, dtype=bool)
            req[list(keys)] = True
            return layered(arcs, criterion=crit, allowed=mask, required=req, stages=self.stages)

        if self.stages or not isinstance(allowed, Mask):  # via stages differ by query
            return arcs, build(np.fromiter(allowed, dtype=bool, count=n_refs), required)
        only = allowed.key[1]
        static = self._static(allowed.key)

        def base() -> LayerEntries:
            keys = (self.key_refs(corridors()[_rank()[only]], static) if only is not None
                    else frozenset())
            req = np.zeros(n_refs, dtype=bool)
            req[list(keys)] = True
            return entries(arcs, criterion=crit, allowed=static, required=req)

        every = self._shared(("entries", allowed.key, crit), base)
        lay = self._memo(("layered", allowed.key, crit), lambda: matrix(
            every, usable(every, self._constrained())))
        return arcs, lay

    def _to_end(self, arcs: ArcArrays, lay: LayeredMatrix, crit: int) -> np.ndarray:
        """Per layered state: a consistent lower bound on the cost from there to the end of
        the trip (the exact least cost to an arrival in the last layer, by one backward
        compiled search, plus the least unloading)."""

        def make() -> np.ndarray:
            n, last = lay.n, lay.layers - 1
            dist = least_costs(lay.transposed(), [last * n + t for t in self.targets_in])
            out = np.asarray(dist) + min(self._ends(crit).values())
            out.setflags(write=False)
            return out

        return self._to_destination("bounds", lay, crit, make)  # type: ignore[no-any-return]

    def _to_destination(self, what: str, lay: LayeredMatrix, crit: int,
                        make: Callable[[], Any]) -> Any:
        """Data towards the destination that serves every origin: kept per matrix (one set of
        constraints and corridor masks), destination and criterion in a bounded cache whose
        entries hold their matrix, so that its id is not reused while they are kept."""
        return _kept(_TO_DESTINATION, (what, id(lay), self.di, crit), lay, make)

    def _from_origin(self, lay: LayeredMatrix) -> tuple[np.ndarray, np.ndarray]:
        """:func:`~silkway.routing.best.from_source` of ``lay`` and the plan's origin, which
        serves every destination: kept per matrix and origin as :meth:`_to_destination` keeps
        its data (a matrix with via stages is the query's own, and not kept)."""
        if lay.stages:
            return from_source(lay, self.source)
        return _kept(_FROM_ORIGIN, (id(lay), self.source), lay,  # type: ignore[no-any-return]
                     lambda: from_source(lay, self.source))

    def _ends(self, crit: int) -> dict[int, float]:
        """Per arrival state at the destination: criterion ``crit`` of its unloading."""
        return {t: a.cost[crit] for t in self.targets_in for a in self.adj[t]}

    def countries(self) -> list[int]:
        """The country of each search state, as a group number (the end state its own)."""
        def make() -> list[int]:
            net, index = self.g.network, dict[str, int]()
            hubs = sorted(self.g.hub_index, key=self.g.hub_index.__getitem__)
            per_hub = [index.setdefault(net.hub(h).country, len(index)) for h in hubs]
            n = len(self.g.compiled.adj)
            return [per_hub[i // N_CLASSES] for i in range(n)] + [len(index)]

        return self._shared(("countries",), make)  # type: ignore[no-any-return]

    def _route(self, path: ParetoPath, known: Sequence[Route], days: float | None = None
               ) -> Route:
        """The route of ``path`` (one already built when ``known`` has it). With
        :attr:`reject` set and the path's expected ``days`` known, a path that is a detour
        raises :class:`_Detour` before its route is built (simulated)."""
        directed = self.g.directed
        refs = tuple((directed[r].leg.index, directed[r].forward) for r in path.refs)
        done = next((r for r in known if r.refs == refs), None)
        if done is not None:
            return done
        if self.reject is not None and days is not None:
            why = _detour_of([directed[r] for r in path.refs], days, self.reject, self.g,
                             self.shapes)
            if why is not None:
                raise _Detour(days, why)
        return build_route(self.g, path, self.o, self.d, self.sim, simulate=not self.lazy)

    def finish(self, routes: Sequence[Route]) -> list[Route]:
        """``routes`` with their days simulated (in one pass)."""
        return simulated(routes, self.g.network, self.sim)

    def _unloading(self, path: ParetoPath, crit: int = 0) -> float:
        """Criterion ``crit`` (expected days, USD, kg CO2e) of the unloading at the
        destination, by the path's arrival class."""
        arrival = next(n for n in reversed(path.nodes) if n in self.targets_in)
        lift = self.g.lift(self.di, arrival % N_CLASSES, END)
        return lift[crit] if lift else 0.0

    def best(self, allowed: Sequence[bool], required: frozenset[int],
             objective: str, known: Sequence[Route] = ()) -> Route | float | None:
        """The best route by a single-criterion objective (days, cost or co2e; without a
        transshipment cap), from one compiled shortest-path search; None when no path at all
        meets the requirements; when the best path passes a hub twice, its cost (with the
        unloading): a lower bound for :meth:`best_simple`, which answers then."""
        if not self.reachable:
            return None
        # One layered matrix per corridor and criterion for the whole graph (not per query):
        # the destination's unloading is added on arrival instead of by an end arc.
        crit = _COST_ORDER[objective][0]
        path, settled = (None, False) if self.stages else self._through_tree(
            allowed, required, crit)
        if not settled:
            arcs, lay = self._matrix(allowed, required, crit)
            path = best_path(arcs, lay, self.source, self.targets_in,
                             target_cost=self._ends(crit), reached=self._from_origin(lay))
        if path is None:
            return None
        hubs_seq = [x // N_CLASSES for x in path.nodes]
        if len(set(hubs_seq)) != len(hubs_seq) or (  # it passes a hub twice, or (with no via
                not self.via and _reentered(  # point, which the simple search cannot take)
                    [self.g.directed[r] for r in path.refs]) is not None):  # a country
            return Relaxed(path.cost[crit] + self._unloading(path, crit), path.nodes)
        return self._route(path, known, path.cost[0] + self._unloading(path))

    def _watching(self, hubs: set[int]) -> list[int]:
        """:meth:`groups` for the ``hubs`` watched only (-1: a state the rule leaves free)."""
        n = len(self.g.compiled.adj)
        return [h if (h := i // N_CLASSES) in hubs else -1 for i in range(n)] + [-1]

    def groups(self) -> list[int]:
        """The hub of each search state (the end state its own), so constrained searches never
        pass a hub twice."""
        def make() -> list[int]:
            n = len(self.g.compiled.adj)
            return [i // N_CLASSES for i in range(n)] + [n // N_CLASSES + 1]

        return self._shared(("groups",), make)  # type: ignore[no-any-return]

    def via_bounds(self) -> list[tuple[tuple[float, ...], ...]]:
        """Admissible per-state bounds for each via stage: dist(x -> next via point) + the
        distances between the remaining via points in order + dist(last -> destination)."""
        dist = _hub_distances(self.g)
        order = [self.g.hub_index[v.id] for v in self.via] + [self.di]
        out = []
        for k in range(len(self.via) + 1):
            cols = []
            for d in dist:
                tail = sum(d[a, b] for a, b in itertools.pairwise(order[k:]))
                cols.append(d[:, order[k]] + tail)
            pad = self.dim - len(cols)
            rows = [tuple(float(c[h]) for c in cols) + (0.0,) * pad for h in range(len(cols[0]))]
            out.append((*(row for row in rows for _ in range(N_CLASSES)), (0.0,) * self.dim))
        return out

    def through(self, required: frozenset[int]) -> tuple[tuple[float, ...], ...]:
        """Admissible per-state bounds to the destination through one of the ``required`` legs:
        min over those legs (u -> v) of dist(x -> u) + leg + dist(v -> destination)."""
        def make() -> tuple[tuple[float, ...], ...]:
            dist = _hub_distances(self.g)
            refs = sorted(required)
            us = np.array([self.g.hub_index[self.g.directed[r].src] for r in refs])
            vs = np.array([self.g.hub_index[self.g.directed[r].dst] for r in refs])
            fig = [self.g.figures[r] for r in refs]
            leg_cost = [np.array([f.mean_days for f in fig]), np.array([f.cost_usd for f in fig]),
                        np.array([f.co2e_wtw_kg for f in fig]), np.array([f.var_days for f in fig])]
            cols = []
            for k, d in enumerate(dist):
                w = leg_cost[k] + d[vs, self.di]
                cols.append((d[:, us] + w[None, :]).min(axis=1))
            pad = self.dim - len(cols)
            rows = [tuple(float(c[h]) for c in cols) + (0.0,) * pad for h in range(len(cols[0]))]
            return (*(row for row in rows for _ in range(N_CLASSES)), (0.0,) * self.dim)

        return self._memo(("through", self.di, required), make)  # type: ignore[no-any-return]

    def through_bounds(self, required: frozenset[int]) -> tuple[float, float]:
        """Lower bounds on the expected days and on the km of any route that uses one of the
        ``required`` legs. Days: the least over those legs of the best path through the leg
        under the plan's constraints, handling and unloading included (from the plan's two
        trees). Km: min over those legs (u -> v) of km(origin -> u) + leg + km(v ->
        destination)."""
        km = _hub_km(self.g)
        if self._km is None:  # per directed leg: the km of the shortest route through it
            src, dst, leg_km = _leg_arrays(self.g)
            self._km = km[self.source // N_CLASSES, src] + leg_km + km[dst, self.di]
        refs, cand = self._key_arcs(required)
        least = np.minimum.reduce  # ndarray.min without its Python wrapper (a few per plan)
        return float(least(self._via(0)[cand])), float(least(self._km[refs]))

    def _via(self, crit: int) -> np.ndarray:
        """Per arc of :meth:`_arcs`: criterion ``crit`` of the best path through it under the
        plan's constraints (from the plan's two trees), computed once for every corridor."""
        if crit not in self._through:
            arcs, t = self._trees(crit)
            self._through[crit] = t.start[arcs.tail] + arcs.cost[:, crit] + t.end[arcs.head]
        return self._through[crit]

    def _key_arcs(self, required: frozenset[int]) -> tuple[np.ndarray, np.ndarray]:
        """The ``required`` legs as an array, and their arcs (indices into :meth:`_arcs`: one
        per class of arrival at the leg's tail hub)."""
        def make() -> np.ndarray:
            arcs = self._arcs()
            return np.argsort(arcs.ref, kind="stable").reshape(len(self.g.directed), -1)

        by_ref: np.ndarray = self._shared(("by ref",), make)

        def pick() -> tuple[np.ndarray, np.ndarray]:
            refs = np.fromiter(required, dtype=np.int64, count=len(required))
            return refs, by_ref[refs].ravel()

        return self._memo(("key arcs", required), pick)  # type: ignore[no-any-return]

    def _arcs(self) -> ArcArrays:
        compiled = self.g.compiled
        return self._shared(("arcs",),  # type: ignore[no-any-return]
                            lambda: ArcArrays(*compiled.arc_arrays, len(compiled.adj)))

    def _trees(self, crit: int) -> tuple[ArcArrays, Trees]:
        """The arcs and both shortest-path trees of the trip by criterion ``crit`` under the
        plan's constraints (one pair per plan and criterion)."""
        if crit not in self._tree:
            arcs = self._arcs()
            every = self._shared(("entries", None, crit), lambda: entries(arcs, criterion=crit))
            lay = self._memo(("plain", crit), lambda: matrix(
                every, usable(every, self._constrained())))
            ending = self._to_destination("tree", lay, crit, lambda: to_end(
                lay, lay.transposed(), self._ends(crit)))
            self._tree[crit] = trees(lay, self.source, ending, self._from_origin(lay))
        return self._arcs(), self._tree[crit]

    def _through_tree(self, allowed: Sequence[bool], required: frozenset[int], crit: int
                      ) -> tuple[ParetoPath | None, bool]:
        """The best path by criterion ``crit`` through a ``required`` leg under the plan's
        constraints, from the plan's two trees, and whether it settles the question: it does
        when there is none, or when every leg of it is ``allowed`` (then it is the best path
        under ``allowed`` too, which allows less)."""
        arcs, t = self._trees(crit)
        path = best_through(arcs, t, self._key_arcs(required)[1], crit, self._via(crit))
        if path is None:
            return None, True
        return (path, True) if all(allowed[r] for r in path.refs) else (None, False)

    def why_unusable(self, cor: Corridor, excluded: Sequence[Corridor]) -> str:
        """Why no leg that defines ``cor`` may be used, in words."""
        net = self.g.network
        keys = self._shared(("key legs", cor.id), lambda: [
            leg for leg in net.legs if cor.is_key(leg)])
        if not keys:
            return cor.unavailable
        if any(x.id == cor.id for x in excluded):
            return "it is excluded (--exclude-corridor)"
        c = self.g.constraints
        closed = {p.searoute_name: p.value for p in c.closed}
        avoided: set[str] = set()
        modes: set[str] = set()
        passages: set[str] = set()
        hubs: set[str] = set()
        planned = False
        for leg in keys:  # the first thing that blocks each leg
            if c.avoid.intersection(leg.countries):
                avoided |= c.avoid.intersection(leg.countries)
            elif leg.mode not in c.modes:
                modes.add(leg.mode.value)
            elif set(closed).intersection(leg.passages):
                passages |= {closed[p] for p in leg.passages if p in closed}
            elif leg.src in c.closed_hubs or leg.dst in c.closed_hubs:
                hubs |= {h for h in (leg.src, leg.dst) if h in c.closed_hubs}
            elif leg.status == "planned" and not c.include_planned:
                planned = True
        words = []
        for codes, how in ((avoided - c.closed_countries, "avoided"),
                           (avoided & c.closed_countries, "closed by the scenario")):
            if codes:
                words.append(f"it needs {', '.join(sorted(codes))}, which "
                             f"{'is' if len(codes) == 1 else 'are'} {how}")
        if modes:
            words.append(f"it needs {', '.join(sorted(modes))} legs, which are not among the "
                         "allowed modes")
        if passages:
            words.append(f"it needs {', '.join(sorted(passages))}, which "
                         f"{'is' if len(passages) == 1 else 'are'} closed")
        if hubs:
            words.append(f"its hubs {', '.join(sorted(hubs))} are closed in this scenario")
        if planned:
            words.append("its links are planned (use --planned)")
        if not words:
            words.append("every leg that defines it is excluded by another corridor constraint")
        return "; ".join(words)


_TO_DESTINATION: LRU[tuple[str, int, int, int], tuple[LayeredMatrix, Any]] = LRU(2048)
"""See :meth:`Search._to_destination`: a corridor's bounds to the end of the trip (16 kB) and
the plan's tree to the end (12 kB)."""

_FROM_ORIGIN: LRU[tuple[int, int], tuple[LayeredMatrix, Any]] = LRU(1024)
"""See :meth:`Search._from_origin`: the least costs and predecessors from an origin in the
plan's one-layer matrix (12 kB) or a corridor's layered one (28 kB)."""


_COUNTRY_COPIES: LRU[tuple[int], tuple[LayeredMatrix, Any]] = LRU(16)
"""See :meth:`Search._country_copies`: per corridor matrix, its three copies around each
country asked of (about 0.5 MB each; a trip asks of one to three)."""


def _kept(cache: LRU[Any, tuple[LayeredMatrix, Any]], key: tuple[Any, ...],
          lay: LayeredMatrix, make: Callable[[], Any]) -> Any:
    """``make()`` kept in ``cache`` by a key that holds ``id(lay)``: the entry holds ``lay``,
    so that its id is not reused while the entry is kept."""
    hit = cache.get(key)
    if hit is None or hit[0] is not lay:
        hit = cache.put(key, (lay, make()))
    return hit[1]


def before(cor: Corridor) -> tuple[Corridor, ...]:
    """The shipped corridors listed before ``cor`` (a route using a leg that defines one of
    them is labelled with it, not with ``cor``)."""
    return corridors()[:_rank()[cor.id]]


@lru_cache(maxsize=1)
def _rank() -> dict[str, int]:
    """Each shipped corridor's place in the table (its bit in the leg bitmasks)."""
    return {c.id: i for i, c in enumerate(corridors())}


def _member(cor: Corridor, bits: tuple[int, int]) -> bool:
    """Whether a route of :func:`~silkway.routing.corridors.route_bits` ``bits`` belongs to
    the shipped corridor ``cor`` and uses no leg defining a corridor listed before it."""
    i = _rank()[cor.id]
    key, excl = bits
    return bool(key >> i & 1) and not excl >> i & 1 and not key & ((1 << i) - 1)


_COST_ORDER = {"days": (0, 1, 2), "cost": (1, 0, 2), "co2e": (2, 0, 1)}


def _hub_km(g: SearchGraph) -> np.ndarray:
    """All-pairs hub-to-hub shortest distances in km over every leg of the compiled graph."""
    memo = g.compiled.memo
    if "km" not in memo:
        from scipy.sparse.csgraph import dijkstra

        memo["km"] = dijkstra(_km_matrix(g, None), directed=True)
    return memo["km"]  # type: ignore[no-any-return]


def _leg_arrays(g: SearchGraph) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per directed leg of the compiled graph: its hubs' indices and its km."""
    memo = g.compiled.memo
    if "leg arrays" not in memo:
        directed, index = g.directed, g.hub_index
        memo["leg arrays"] = (np.array([index[d.src] for d in directed], dtype=np.int64),
                              np.array([index[d.dst] for d in directed], dtype=np.int64),
                              np.array([d.leg.distance_km for d in directed]))
    return memo["leg arrays"]  # type: ignore[no-any-return]


def _km_matrix(g: SearchGraph, ok: np.ndarray | None, *, reverse: bool = False) -> Any:
    """The hub-to-hub km of the directed legs ``ok`` marks (None: all), the shortest of
    parallel legs, as a sparse matrix (``[x, y]``: x to y; ``reverse``: ``[y, x]``)."""
    import scipy.sparse as sp

    src, dst, km = _leg_arrays(g)
    if ok is not None:
        src, dst, km = src[ok], dst[ok], km[ok]
    rows, cols, w = (dst, src, np.maximum(km, 1e-9)) if reverse else (
        src, dst, np.maximum(km, 1e-9))
    order = np.lexsort((w, cols, rows))  # of parallel legs, the shortest first
    rows, cols, w = rows[order], cols[order], w[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    n = len(g.hub_index)
    return sp.csr_matrix((w[first], (rows[first], cols[first])), shape=(n, n))


def _hub_distances(g: SearchGraph) -> list[np.ndarray]:
    """All-pairs hub-to-hub shortest leg costs, one matrix per criterion (``[x, y]``: x to y)."""
    memo = g.compiled.memo
    if "dist" not in memo:
        import scipy.sparse as sp
        from scipy.sparse.csgraph import dijkstra

        n = len(g.hub_index)
        out = []
        for m in g.hub_matrices:  # m[v][u]: the cheapest leg u -> v
            rows = [u for v, row in m.items() for u in row]
            cols = [v for v, row in m.items() for _ in row]
            vals = [max(c, 1e-12) for row in m.values() for c in row.values()]
            out.append(dijkstra(sp.csr_matrix((vals, (rows, cols)), shape=(n, n)), directed=True))
        memo["dist"] = out
    return memo["dist"]  # type: ignore[no-any-return]


def corridor_answer(s: Search, cor: Corridor, only: Corridor | None, excluded: Sequence[Corridor],
            q: PlanQuery, main: Sequence[Route], listed: Sequence[Route]) -> CorridorAnswer:
    if only is not None and only.id != cor.id:
        return CorridorAnswer(cor, None, f"left out: the plan is restricted to {only.name}")
    # A corridor's answer uses no leg that defines a corridor listed before it, so that each
    # answer is a route of that corridor and no other (the route is labelled with it).
    earlier = before(cor)
    allowed = s.allowed((*excluded, *earlier), cor)
    required = s.key_refs(cor, allowed)
    if not required:
        return CorridorAnswer(cor, None, s.why_unusable(cor, excluded))
    key = order_key(q.objective)
    # Routes of the main Pareto set that belong to the corridor are candidates too: the
    # corridor search drops paths that revisit a hub, which may hide one of them.
    found = [r for r in main if _member(cor, r.bits)]
    if not found:  # a corridor far off the trip needs no search
        lower, km = s.through_bounds(required)
        fastest, shortest = _fastest(main), min(r.distance_km for r in main)
        if not np.isfinite(lower):
            return CorridorAnswer(cor, None, _no_route(s, cor, main, listed))
        if lower > DETOUR_DAYS * fastest:
            return CorridorAnswer(cor, None, _slow(lower, fastest))
        if km > DETOUR_FACTOR * shortest:
            return CorridorAnswer(cor, None, (
                f"it serves this trip only by a detour: every route by it is at least {km:,.0f} "
                f"km, over {DETOUR_FACTOR:g} times the shortest route's {shortest:,.0f} km"))
    # P90 is no sum of leg figures: its candidates are the corridor's Pareto routes and its
    # fastest route by expected days.
    by = "days" if q.objective == "p90" else q.objective
    s.reject = main if not found else None  # a lone candidate that is a detour is not built
    try:
        if s.cap is not None:  # the count of transshipments is a criterion: a label search
            found += s.routes(allowed, required, None if q.objective == "p90" else by,
                              max_labels=CORRIDOR_LABELS)
        elif isinstance(fast := s.best(allowed, required, by, main), Route):
            found.append(fast)
        elif fast is not None and not s.via:  # it passes a hub twice: an exact label search
            budget = DETOUR_DAYS * _fastest(main) if by == "days" else None
            if found and q.objective == "days":  # a route slower than one found loses to it
                budget = min(DETOUR_DAYS * _fastest(main),
                             min(r.expected_days for r in found) + _SAME_DAYS)
            simple, lower = s.best_simple(allowed, required, by, main, budget, fast)
            if simple is not None:
                found.append(simple)
            elif not found and np.isfinite(lower):
                return CorridorAnswer(cor, None, _slow(lower, _fastest(main), once=True) if budget
                                      else "it serves this trip only by a detour: each of "
                                      "its routes leaves a country and comes back")
    except SearchLimitError:
        if not found:
            return CorridorAnswer(cor, None, "its best route was not found within the "
                                  f"search's work limit ({CORRIDOR_LABELS:,} labels)")
    except _Detour as d:
        return CorridorAnswer(cor, None, _detour_words(d.days, d.why))
    finally:
        s.reject = None
    if not found:
        return CorridorAnswer(cor, None, _no_route(s, cor, main, listed))
    best = min(found, key=key)
    detour = _detour_of([rl.directed for rl in best.legs], best.expected_days, main, s.g,
                        s.shapes)
    if detour:
        return CorridorAnswer(cor, None, _detour_words(best.expected_days, detour))
    number = next((i for i, r in enumerate(listed, 1) if r.refs == best.refs), None)
    best = listed[number - 1] if number is not None else best  # simulated by plan() with the rest
    return CorridorAnswer(cor, best, None, any(r.refs == best.refs for r in main), number)


def _no_route(s: Search, cor: Corridor, main: Sequence[Route], listed: Sequence[Route]) -> str:
    """Why ``cor`` has no route for the trip when none of its own was found: with the plan's
    routes that use a leg defining it but are labelled with a corridor listed before it (a
    route belongs to the first corridor whose defining legs it uses), which those are."""
    via = f" via {', '.join(h.name for h in s.via)}" if s.via else ""
    i = _rank()[cor.id]
    labels = [c for r in main if r.bits[0] >> i & 1
              and (c := corridor_by_bits(r.bits)) is not None and _rank()[c.id] < i]
    if not labels:
        return f"no route from {s.o.name} to {s.d.name}{via} runs by it"
    names = " or ".join(dict.fromkeys(c.name for c in labels))
    numbers = [n for n, r in enumerate(listed, 1) if r.bits[0] >> i & 1
               and (c := corridor_by_bits(r.bits)) is not None and _rank()[c.id] < i]
    which = (f" ({'route' if len(numbers) == 1 else 'routes'} "
             f"{', '.join(str(n) for n in numbers)})" if numbers else "")
    return (f"no route from {s.o.name} to {s.d.name}{via} runs by it alone: the routes found "
            f"that use it{which} also use a leg defining {names}, listed before it, and are "
            "labelled with that corridor")


MAX_LABELS = 200_000
"""Work limit of a plan's route search: past it the plan lists what it found and says it is
incomplete (``"complete": false``)."""

CORRIDOR_LABELS = 5_000
"""Work limit of a corridor's label search (run only when the compiled search cannot answer):
past it the corridor's answer says its best route was not found within the limit."""

DETOUR_FACTOR = 3.0
"""A corridor's best route longer than this many times the plan's shortest route is a detour."""

DETOUR_DAYS = 2.0
"""A corridor's best route that is no Pareto trade-off and takes more than this many times the
expected days of the plan's fastest route is a detour."""


_SAME_DAYS = 1e-5
"""A margin on a search's expected days over a route's: the search adds the same figures in
another order, and routes are ranked by their expected days rounded to 1e-6."""


def _fastest(routes: Sequence[Route]) -> float:
    return min(r.expected_days for r in routes)


def _slow(days: float, fastest: float, *, once: bool = False) -> str:
    """Why a corridor whose every route (``once``: that enters each country once) takes more
    than :data:`DETOUR_DAYS` times the plan's fastest route is not shown."""
    which = "none of its routes that enter each country once" if once else "none of its routes"
    return (f"it serves this trip only by a detour: {which} takes less than {DETOUR_DAYS:g} "
            f"times the fastest route's expected {fastest:.1f} d"
            + (f" (at least {days:.1f} d)" if days > DETOUR_DAYS * fastest else ""))


class _Detour(Exception):  # noqa: N818 - a signal, caught in corridor_answer
    """A corridor's best path is a detour (raised before its route is built)."""

    def __init__(self, days: float, why: str) -> None:
        super().__init__(why)
        self.days, self.why = days, why


def _detour_words(days: float, why: str) -> str:
    return f"it serves this trip only by a detour: its best route (expected {days:.1f} d) {why}"


def _revisited(path: ParetoPath) -> set[int]:
    """The hubs a search path passes more than once (its last node is the end state)."""
    seen: set[int] = set()
    twice: set[int] = set()
    for h in (n // N_CLASSES for n in path.nodes[:-1]):
        (twice if h in seen else seen).add(h)
    return twice


def _reentered(legs: Sequence[DirectedLeg]) -> str | None:
    """The first country a route of ``legs`` leaves and comes back to, or None. Countries are
    those of the hubs it passes (as in :meth:`Search.best_simple`): a line that crosses a
    neighbour's land between two hubs of one country (Astana - Aktobe runs through Russia) is
    no choice of the route's, and no detour."""
    seen: set[str] = set()
    last = None
    for dl in legs:
        ends = dl.leg.countries[0], dl.leg.countries[-1]
        for c in ends if dl.forward else reversed(ends):
            if c != last:
                if c in seen:
                    return c
                seen.add(c)
                last = c
    return None


def _sea_km(g: SearchGraph) -> np.ndarray:
    """All-pairs hub-to-hub shortest distances in km by sea legs alone, under the plan's
    constraints (a closed passage or an avoided country's waters lengthen them)."""
    if "sea_km" not in g.memo:
        from scipy.sparse.csgraph import dijkstra

        memo = g.compiled.memo
        if "sea legs" not in memo:
            memo["sea legs"] = np.array([d.leg.mode is Mode.SEA for d in g.directed])
        ok = memo["sea legs"] & _allowed_array(g)
        g.memo["sea_km"] = dijkstra(_km_matrix(g, ok), directed=True)
    return g.memo["sea_km"]  # type: ignore[no-any-return]


def _allowed_array(g: SearchGraph) -> np.ndarray:
    """The plan's constraints' mask (per directed leg) as an array, kept on the search graph."""
    if ("constrained",) not in g.memo:
        g.memo[("constrained",)] = np.fromiter(g.allowed, dtype=bool, count=len(g.allowed))
    return g.memo[("constrained",)]  # type: ignore[no-any-return]


def _land_between_seas(legs: Sequence[DirectedLeg], g: SearchGraph) -> str | None:
    """Why a route of ``legs`` that leaves the sea and takes to it again is a detour: from a
    port X it sails from, its way over land to the port B where it boards again is longer
    than the sea from X to B (the box left a ship to cross land it need not cross), or None."""
    sea = [dl.leg.mode is Mode.SEA for dl in legs]
    km = [0.0]
    for dl in legs:
        km.append(km[-1] + dl.leg.distance_km)
    for i, dl in enumerate(legs):
        if not sea[i] or i == 0 or sea[i - 1] or not any(sea[:i]):
            continue
        # legs[i] boards again at its src B after a land section; the ports sailed from before
        b = g.hub_index[dl.src]
        by_sea = _sea_km(g)  # kept on the search graph
        for j in range(i):
            if sea[j]:
                x = g.hub_index[legs[j].src]
                direct = by_sea[x, b]
                if np.isfinite(direct) and km[i] - km[j] > direct:
                    land = next(k for k in range(j, i) if not sea[k])
                    return (f"leaves the sea at {_hub_name(g, legs[land].src)} and boards again "
                            f"at {_hub_name(g, dl.src)}: {km[i] - km[j]:,.0f} km from "
                            f"{_hub_name(g, legs[j].src)}, where the sea between them is "
                            f"{direct:,.0f} km")
    return None


def _same_sea_twice(legs: Sequence[DirectedLeg], g: SearchGraph) -> str | None:
    """Why a route of ``legs`` that takes two ferries over one sea (the Caspian south, then
    north again) is a detour, or None. Ferries of one sea share their tariff."""
    crossed: dict[str, DirectedLeg] = {}
    for dl in legs:
        if dl.leg.mode is not Mode.FERRY:
            continue
        tariff = dl.leg.tariff
        first = crossed.setdefault(tariff.tariff, dl)
        if first is not dl:
            sea = tariff.region.split(" (")[0]
            return (f"crosses the {sea} twice by ferry ({_leg_words(first, g)}, then "
                    f"{_leg_words(dl, g)})")
    return None


def _leg_words(dl: DirectedLeg, g: SearchGraph) -> str:
    return f"{_hub_name(g, dl.src)} - {_hub_name(g, dl.dst)}"


PASS_BY_FACTOR = 3.0
"""A route that, from a hub it passes, goes on for more than this many times the shortest way
from that hub to the destination (and :data:`PASS_BY_KM` more) is a detour."""

PASS_BY_KM = 1_000.0
"""See :data:`PASS_BY_FACTOR`: a loop shorter than this, a terminal or a port near the
destination, is no detour."""


def _to_destination_km(g: SearchGraph, di: int) -> np.ndarray:
    """Per hub: the shortest way in km to hub index ``di`` over the legs the plan's constraints
    allow (kept on the search graph, as is the reversed hub matrix every destination reads)."""
    key = ("km_to", di)
    if key not in g.memo:
        g.memo[key] = least_costs(_reversed_km(g), di)
    return g.memo[key]  # type: ignore[no-any-return]


def _reversed_km(g: SearchGraph) -> Any:
    """The hub-to-hub km of the legs the plan's constraints allow, reversed (``[y, x]``: the
    shortest leg x -> y), so that one tree from a destination answers every hub."""
    if "km reversed" not in g.memo:
        g.memo["km reversed"] = _km_matrix(g, _allowed_array(g), reverse=True)
    return g.memo["km reversed"]


def _passes_by(legs: Sequence[DirectedLeg], g: SearchGraph) -> str | None:
    """Why a route of ``legs`` is a detour because it passes near the destination and turns
    away: from a hub it passes, the rest of the route is more than :data:`PASS_BY_FACTOR` times
    (and :data:`PASS_BY_KM` more than) the shortest way from there under the plan's
    constraints (``Toyama Bishkek --avoid RU,BY``: a Trans-Afghan answer that reaches Urumqi,
    1,255 km from Bishkek, and goes on for 4,853 km through Uzbekistan and Afghanistan), or
    None."""
    if not legs:
        return None
    to_d = _to_destination_km(g, g.hub_index[legs[-1].dst])
    rest = sum(dl.leg.distance_km for dl in legs)
    for dl in legs:
        rest -= dl.leg.distance_km
        if rest <= 0:
            break
        short = float(to_d[g.hub_index[dl.dst]])
        if np.isfinite(short) and rest > PASS_BY_FACTOR * short and rest - short > PASS_BY_KM:
            return (f"passes {_hub_name(g, dl.dst)}, {short:,.0f} km from "
                    f"{_hub_name(g, legs[-1].dst)} by the shortest way, and goes on for "
                    f"{rest:,.0f} km")
    return None


def _hub_name(g: SearchGraph, hub_id: str) -> str:
    return g.network.hub(hub_id).name


def _detour_of(legs: Sequence[DirectedLeg], days: float, main: Sequence[Route],
               g: SearchGraph, shapes: dict[tuple[tuple[int, bool], ...], str | None] | None = None
               ) -> str | None:
    """Why a route of ``legs`` taking an expected ``days`` is a detour (it leaves a country and
    comes back, is far longer than the shortest route of the plan, or is no Pareto route and
    either far slower than the fastest, crosses land between two seas for longer than the sea
    between them or passes near the destination and turns away), or None. ``shapes``: the
    answers of the last two checks (which depend on the legs alone) kept for one plan."""
    again = _reentered(legs)
    if again is not None:
        return f"leaves {again} and comes back"
    km = sum(dl.leg.distance_km for dl in legs)
    shortest = min((r.distance_km for r in main), default=km)
    if km > DETOUR_FACTOR * shortest:
        return (f"is {km:,.0f} km, {km / shortest:.1f} times the shortest route's "
                f"{shortest:,.0f} km")
    fastest = _fastest(main) if main else days
    refs = tuple((dl.leg.index, dl.forward) for dl in legs)
    if any(r.refs == refs for r in main):
        return None
    if days > DETOUR_DAYS * fastest:
        return f"is {days / fastest:.1f} times slower than the fastest route's {fastest:.1f} d"
    if shapes is None:
        return _shape_detour(legs, g)
    if refs not in shapes:  # the same for any days: a route is checked before and once built
        shapes[refs] = _shape_detour(legs, g)
    return shapes[refs]


def _shape_detour(legs: Sequence[DirectedLeg], g: SearchGraph) -> str | None:
    """The checks of :func:`_detour_of` that depend on the legs alone."""
    return _land_between_seas(legs, g) or _same_sea_twice(legs, g) or _passes_by(legs, g)
