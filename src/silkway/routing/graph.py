"""The search graph for one set of constraints.

States are (hub, arrival class): a container that arrives by broad-gauge rail and leaves by
standard-gauge rail, or arrives by sea and leaves by rail, is lifted at the hub, which costs the
hub's handling time and money and counts as a transshipment. Classes: start, sea, ferry, road,
rail 1435 mm, rail 1520 mm. A box that arrives by sea and leaves by sea changes vessels (legs are
liner services), so it is lifted too.

What the lift costs depends on the operation (:func:`operation`): loading at the start (onto a
vessel, or onto a train or truck: a box that starts at a port by rail only passes its gate), a mode
change, a gauge change, boarding or leaving a ferry, a sea-sea transshipment, unloading at the
end; ``handling.csv`` gives each hub profile's days and cost per operation. The origin's loading
is part of the arcs that leave the start state, so arc costs add up to what the route builder
charges (the destination's unloading is added by the plan's end arcs, see :func:`lift`).

Each arc's cost vector is (expected days, USD, kg CO2e WTW) — plus the transshipment count when a
cap on transshipments is set, so that the cap never prunes a route that respects it.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from silkway._lru import LRU
from silkway.data.direction import bound, factors
from silkway.data.tables import OPERATIONS, ZERO, LogNormal
from silkway.network.model import Hub, Leg, Network
from silkway.routing.constraints import Constraints
from silkway.routing.emission import CargoSpec, Footprint, hub_footprint, leg_footprint
from silkway.routing.pareto import Arc
from silkway.types import Cargo, Mode

N_CLASSES = 6
START = 0
END = -1  # the "class" a box leaves the destination with: the trip ends
SEA, FERRY = 1, 2
_MODE_CLASS = {Mode.SEA: SEA, Mode.FERRY: FERRY, Mode.ROAD: 3}
_RAIL = frozenset({4, 5})


def operation(c_in: int, c_out: int) -> str | None:
    """What happens to a box at a hub between arriving in class ``c_in`` and leaving in
    ``c_out`` (``START`` in: the trip begins; ``END`` out: it ends); None: it stays on board."""
    if c_in == START:
        return {SEA: "start", FERRY: "ferry_board"}.get(c_out, "land_start")
    if c_out == END:
        return {SEA: "end", FERRY: "ferry_alight"}.get(c_in, "land_end")
    if c_in == c_out:
        return "sea_transship" if c_in in (SEA, FERRY) else None
    if c_out == FERRY:
        return "ferry_board"
    if c_in == FERRY:
        return "ferry_alight"
    if c_in in _RAIL and c_out in _RAIL:
        return "gauge_change"
    return "mode_change"


_OPERATIONS_INTO = tuple(tuple(operation(c_in, c_out) for c_in in range(N_CLASSES))
                         for c_out in range(N_CLASSES))
"""``_OPERATIONS_INTO[c_out][c_in]``: :func:`operation` of every pair of classes, once."""


def counts_as_transshipment(c_in: int, c_out: int) -> bool:
    """A lift between two legs (not the loading at the start or the unloading at the end)."""
    return c_in != START and c_out != END and operation(c_in, c_out) is not None


def leg_class(leg: Leg) -> int:
    """Arrival class of a container that travelled this leg."""
    if leg.mode is Mode.RAIL:
        return 4 if leg.gauge_mm == 1435 else 5
    return _MODE_CLASS[leg.mode]


@dataclass(frozen=True, slots=True)
class DirectedLeg:
    """A leg taken in one direction."""

    leg: Leg
    forward: bool

    @property
    def src(self) -> str:
        return self.leg.src if self.forward else self.leg.dst

    @property
    def dst(self) -> str:
        return self.leg.dst if self.forward else self.leg.src


@dataclass(frozen=True, slots=True)
class LegFigures:
    """Expected figures of one leg for a given cargo."""

    moving_days: float
    mean_days: float
    cost_usd: float
    footprint: Footprint
    var_days: float = 0.0
    wait_days: LogNormal = ZERO  # waiting for departure, in this direction of travel
    dwell_days: LogNormal = ZERO  # border dwell, in this direction of travel

    @property
    def co2e_wtw_kg(self) -> float:
        return self.footprint.wtw_kg

    @property
    def co2e_ttw_kg(self) -> float:
        return self.footprint.ttw_kg


@dataclass(frozen=True)
class CompiledGraph:
    """Arcs over (hub, class) states for every leg of one network, for one cargo.

    Built once per network (its figures: a scenario or month gives other figures), cargo, risk
    flag and transshipment cap; constraints are masks over it (:class:`SearchGraph`), so a new
    avoid set, mode set or closure costs a mask, not a graph build.
    """

    network: Network
    hub_index: dict[str, int]
    directed: tuple[DirectedLeg, ...]
    figures: tuple[LegFigures, ...]
    adj: tuple[tuple[Arc, ...], ...]
    transfer: tuple[dict[str, tuple[float, float, float, float]], ...]  # per hub, per operation:
    # days, USD, kg, var days
    hub_matrices: tuple[dict[int, dict[int, float]], ...]  # per criterion: min leg cost v <- u
    cargo: CargoSpec
    capped: bool
    _bounds: dict[int, tuple[tuple[float, ...], ...]] = field(default_factory=dict, repr=False)
    memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
    """Per-graph derived data (corridor masks, key legs), computed once by its users."""

    @property
    def payload_t(self) -> float:
        return self.cargo.payload_t

    def lift(self, hub: int, c_in: int, c_out: int) -> tuple[float, float, float, float] | None:
        """(days, USD, kg CO2e, var days) of the lift at ``hub`` between two classes, or None."""
        op = operation(c_in, c_out)
        return None if op is None else self.transfer[hub][op]

    def lower_bounds(self, target_hub: int) -> tuple[tuple[float, ...], ...]:
        """Consistent per-state lower bounds to ``target_hub``'s arrival states.

        Each criterion's exact shortest distance over the state graph of every leg (transfers
        included), so they stay admissible and consistent under any mask. Computed once per
        target and kept (the graph is immutable; a lost race only computes the same tuple
        twice)."""
        cached = self._bounds.get(target_hub)
        if cached is None:
            cached = self._bounds[target_hub] = self._compute_bounds(target_hub)
        return cached

    def _compute_bounds(self, target_hub: int) -> tuple[tuple[float, ...], ...]:
        import numpy as np

        from silkway.routing.best import least_costs

        # Graphs whose state matrices are equal share them (a month changes days, not costs;
        # several months change nothing).
        key = (self._matrix_keys, target_hub)
        shared = _BOUNDS.get(key)
        if shared is not None:
            return shared
        targets = [target_hub * N_CLASSES + k for k in range(1, N_CLASSES)]
        cols = []
        for m, mkey in zip(self._state_matrices, self._matrix_keys, strict=True):
            col = _DISTANCES.get((mkey, target_hub))
            if col is None:
                col = _DISTANCES.put((mkey, target_hub), least_costs(m, targets))
            cols.append(col)
        # one state's bounds a tuple of Python floats, read from the columns' bytes row by row:
        # the same floats as the columns' lists zipped, without three lists of every state's
        # float that each garbage collection while the tuples are made walks through again
        rows = np.column_stack(cols).tobytes()
        return _BOUNDS.put(key, tuple(struct.iter_unpack(f"{len(cols)}d", rows)))

    @cached_property
    def _matrix_keys(self) -> tuple[bytes, ...]:
        """Per criterion, a digest of its state matrix (equal digests: equal distances)."""
        import hashlib

        return tuple(hashlib.blake2b(b"|".join((
            str(m.shape).encode(), m.indptr.tobytes(), m.indices.tobytes(), m.data.tobytes())),
            digest_size=16).digest() for m in self._state_matrices)

    @property
    def dim(self) -> int:
        return len(self.hub_matrices) + self.capped

    @cached_property
    def slack(self) -> tuple[tuple[float, ...], ...]:
        """Per state: how much more any leg costs from it than from the cheapest state of its
        hub (the transfer it may pay), per criterion. The states of a hub have the same legs,
        so a label plus its state's slack that dominates a label at another state of the hub
        beats it (see :func:`~silkway.routing.pareto.pareto_paths`, ``peers``)."""
        import numpy as np

        tails, _, refs, cost = self.arc_arrays
        # a leg leaves one hub, so its cheapest cost over that hub's states is a min per ref
        cheapest = np.full((len(self.directed), self.dim), np.inf)
        np.minimum.at(cheapest, refs, cost)
        worst = np.zeros((len(self.adj), self.dim))
        np.maximum.at(worst, tails, cost - cheapest[refs])
        return tuple(map(tuple, worst.tolist()))

    @cached_property
    def arc_arrays(self) -> tuple[Any, Any, Any, Any]:
        """Every arc's tail state, head state, leg ref and cost vector, as arrays (int64, and
        float64 of shape (arcs, :attr:`dim`)), in the order of :attr:`adj`: made once, for the
        bounds, the slack and the corridor searches."""
        import numpy as np

        adj = self.adj
        tails = np.repeat(np.arange(len(adj)), [len(arcs) for arcs in adj])
        heads = np.fromiter((a.head for arcs in adj for a in arcs), dtype=np.int64,
                            count=len(tails))
        refs = np.fromiter((a.ref for arcs in adj for a in arcs), dtype=np.int64, count=len(tails))
        cost = np.array([a.cost for arcs in adj for a in arcs], dtype=np.float64).reshape(
            len(tails), self.dim)
        return tails, heads, refs, cost

    def mask(self, c: Constraints) -> tuple[bool, ...]:
        """Per directed leg: whether ``c`` lets a route use it (as :func:`leg_allowed`), from
        an index of the legs by mode, status, country, hub and passage."""
        ix = self._leg_index
        allowed = [True] * len(self.directed)
        keys: list[tuple[str, str]] = [("mode", m.value) for m in Mode if m not in c.modes]
        if not c.include_planned:
            keys.append(("status", "planned"))
        keys += [("country", x) for x in c.avoid]
        keys += [("hub", h) for h in c.closed_hubs]
        keys += [("passage", p.searoute_name) for p in c.closed]
        for key in keys:
            for ref in ix.get(key, ()):
                allowed[ref] = False
        return tuple(allowed)

    @cached_property
    def _leg_index(self) -> dict[tuple[str, str], list[int]]:
        out: dict[tuple[str, str], list[int]] = {}
        for ref, d in enumerate(self.directed):
            leg = d.leg
            keys = {("mode", leg.mode.value), ("status", leg.status), ("hub", leg.src),
                    ("hub", leg.dst), *(("country", x) for x in leg.countries),
                    *(("passage", p) for p in leg.passages)}
            for key in keys:
                out.setdefault(key, []).append(ref)
        return out

    @cached_property
    def _state_matrices(self) -> list[Any]:
        """Per criterion, the cheapest arc cost between two states, reversed (head -> tail) so
        that a search from the targets gives distances *to* them."""
        import numpy as np
        import scipy.sparse as sp

        tails, heads, _, cost = self.arc_arrays
        n = len(self.adj)
        key = heads * n + tails  # one entry per (head, tail): the least cost of its arcs
        order = np.argsort(key, kind="stable")
        key = key[order]
        first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        low = np.minimum.reduceat(cost[order], first, axis=0)
        rows, cols = key[first] // n, key[first] % n
        # explicit zeros stay edges in csgraph (a lift-free, emission-free arc costs 0 there)
        return [sp.csr_matrix((low[:, k], (rows, cols)), shape=(n, n)) for k in range(self.dim)]


@dataclass(frozen=True)
class SearchGraph:
    """One compiled graph under one set of constraints: ``allowed[ref]`` per directed leg."""

    compiled: CompiledGraph
    constraints: Constraints
    allowed: tuple[bool, ...]
    memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
    """Per-graph derived data (corridor masks, key legs), computed once by its users."""

    @property
    def network(self) -> Network:
        return self.compiled.network

    @property
    def hub_index(self) -> dict[str, int]:
        return self.compiled.hub_index

    @property
    def directed(self) -> tuple[DirectedLeg, ...]:
        return self.compiled.directed

    @property
    def figures(self) -> tuple[LegFigures, ...]:
        return self.compiled.figures

    @property
    def transfer(self) -> tuple[dict[str, tuple[float, float, float, float]], ...]:
        return self.compiled.transfer

    def lift(self, hub: int, c_in: int, c_out: int) -> tuple[float, float, float, float] | None:
        """See :meth:`CompiledGraph.lift`."""
        return self.compiled.lift(hub, c_in, c_out)

    @property
    def hub_matrices(self) -> tuple[dict[int, dict[int, float]], ...]:
        return self.compiled.hub_matrices

    @property
    def cargo(self) -> CargoSpec:
        return self.compiled.cargo

    @property
    def payload_t(self) -> float:
        return self.compiled.cargo.payload_t

    @property
    def dim(self) -> int:
        return len(self.compiled.hub_matrices) + self.compiled.capped

    def lower_bounds(self, target_hub: int) -> tuple[tuple[float, ...], ...]:
        """See :meth:`CompiledGraph.lower_bounds`."""
        return self.compiled.lower_bounds(target_hub)

    @cached_property
    def adj(self) -> tuple[tuple[Arc, ...], ...]:
        """The allowed arcs only, materialised (for inspection; the search uses the mask)."""
        ok = self.allowed
        return tuple(tuple(a for a in arcs if ok[a.ref]) for arcs in self.compiled.adj)


def _scaled(d: LogNormal, f: float) -> LogNormal:
    return d if f == 1.0 else LogNormal(d.p50 * f, d.p90 * f)


def leg_figures(leg: Leg, spec: CargoSpec, network: Network, forward: bool = True) -> LegFigures:
    """Expected days, cost and emissions of a leg for one container, in one direction.

    Direction matters through ``direction.csv``: the tariff's factors for the way the leg is
    travelled (west or east) scale its cost and its waiting for departure, and the border's
    factors for the country entered scale the crossing's fee and dwell (headhaul and backhaul,
    inbound and outbound clearance). Keys without a row there are symmetric.
    """
    t = leg.tariff
    table = network.tables.direction
    a, b = network.hub(leg.src), network.hub(leg.dst)
    if not forward:
        a, b = b, a
    t_cost, t_time = factors(table, "tariff", t.tariff, bound(a.lon, b.lon))
    wait = _scaled(leg.wait_days, t_time)
    moving = leg.distance_km / (t.speed_kmh * 24.0)
    dwell, b_cost = ZERO, 0.0
    if leg.border:
        f_cost, f_time = factors(table, "border", leg.border.border, b.country)
        dwell = _scaled(leg.border.dwell_days, f_time)
        b_cost = leg.border.cost_usd_feu * f_cost
    mean_days = moving + wait.mean + dwell.mean
    cost = (t.cost_usd_fixed_feu + t.cost_usd_per_km_feu * leg.distance_km
            + leg.fixed_cost_usd_feu) * t_cost
    if spec.cargo == Cargo.TEU.value:
        cost *= t.teu_cost_factor
    cost += b_cost
    var = wait.var + dwell.var
    return LegFigures(moving, mean_days, cost, leg_footprint(network.tables, leg, spec), var,
                      wait, dwell)


def leg_allowed(leg: Leg, c: Constraints) -> bool:
    """Whether the constraints let a route use this leg."""
    if leg.mode not in c.modes:
        return False
    if leg.status == "planned" and not c.include_planned:
        return False
    if c.avoid and not c.avoid.isdisjoint(leg.countries):
        return False
    if c.closed_hubs and (leg.src in c.closed_hubs or leg.dst in c.closed_hubs):
        return False
    closed = {p.searoute_name for p in c.closed}
    return not (closed and not closed.isdisjoint(leg.passages))


def _lifts(hub: Hub, kg: float) -> dict[str, tuple[float, float, float, float]]:
    out = {}
    for op in OPERATIONS:
        days, usd = hub.profile.handling(op)
        out[op] = (days.mean, usd, kg, days.var)
    return out


def search_graph(network: Network, constraints: Constraints, risk: bool = False) -> SearchGraph:
    """The state graph a plan searches: the compiled graph and the constraints' mask.

    The graph is compiled once per network, cargo, risk flag and transshipment cap (see
    :class:`CompiledGraph`) and the mask once per set of constraints; both are kept in bounded
    caches keyed by the network object (a month or a scenario is another network, itself
    cached), so the twelve months of a batch and any number of avoid sets never rebuild a graph.

    With ``risk``, the variance of the route's days is a further Pareto criterion (variances of
    independent delays add up), so a steady route is kept beside a faster but fat-tailed one.
    """
    spec = CargoSpec.of(network.tables, constraints)
    capped = constraints.max_transshipments is not None
    ckey = (network, spec, risk, capped)
    compiled = _COMPILED.get(ckey)
    if compiled is None:
        compiled = _COMPILED.put(ckey, compile_graph(network, spec, risk, capped))
    mkey = (ckey, constraints)
    graph = _MASKED.get(mkey)
    if graph is None or graph.compiled is not compiled:
        graph = _MASKED.put(mkey, SearchGraph(compiled, constraints, compiled.mask(constraints)))
    return graph


def compile_graph(network: Network, spec: CargoSpec, risk: bool = False,
                  capped: bool = False) -> CompiledGraph:
    """Build the state graph of every leg of ``network`` (see :class:`CompiledGraph`)."""
    hub_index = {h.id: i for i, h in enumerate(network.hubs)}
    directed: list[DirectedLeg] = []
    figures: list[LegFigures] = []
    for leg in network.legs:
        for fwd in (True, False):
            directed.append(DirectedLeg(leg, fwd))
            figures.append(leg_figures(leg, spec, network, fwd))
    transfer = tuple(_lifts(h, hub_footprint(network.tables, h, spec).wtw_kg)
                     for h in network.hubs)
    n_hubs = len(network.hubs)
    adj: list[list[Arc]] = [[] for _ in range(n_hubs * N_CLASSES)]
    n_crit = 4 if risk else 3
    mats: list[dict[tuple[int, int], float]] = [{} for _ in range(n_crit)]
    for ref, (d, fig) in enumerate(zip(directed, figures, strict=True)):
        u, v = hub_index[d.src], hub_index[d.dst]
        cls = leg_class(d.leg)
        base = (fig.mean_days, fig.cost_usd, fig.co2e_wtw_kg, fig.var_days)[:n_crit]
        for m, val in zip(mats, base, strict=True):
            m[(u, v)] = min(m.get((u, v), math.inf), val)
        head, lifts = v * N_CLASSES + cls, transfer[u]
        for c_in, op in enumerate(_OPERATIONS_INTO[cls]):
            if op is None:
                vec = (*base, 0.0) if capped else base
            else:
                lift = lifts[op]  # the same sums as adding the vectors term by term
                vec = ((base[0] + lift[0], base[1] + lift[1], base[2] + lift[2]) if n_crit == 3
                       else (base[0] + lift[0], base[1] + lift[1], base[2] + lift[2],
                             base[3] + lift[3]))
                if capped:
                    vec = (*vec, 0.0 if c_in == START else 1.0)
            adj[u * N_CLASSES + c_in].append(Arc(head, vec, ref))
    hub_matrices: list[dict[int, dict[int, float]]] = []
    for m in mats:
        # Reversed (v <- u) so a single-source Dijkstra from the target gives bounds *to* it.
        rev: dict[int, dict[int, float]] = {}
        for (u, v), val in m.items():
            rev.setdefault(v, {})[u] = val
        hub_matrices.append(rev)
    return CompiledGraph(network, hub_index, tuple(directed), tuple(figures),
                         tuple(tuple(a) for a in adj), transfer, tuple(hub_matrices), spec, capped)


# 12 months x a few cargo specs x risk/cap flags x scenarios fit; masks are a few kB each.
_COMPILED: LRU[tuple[Any, ...], CompiledGraph] = LRU(96)
_MASKED: LRU[tuple[Any, ...], SearchGraph] = LRU(8192)
# Lower bounds by state-matrix digests and target hub, shared by graphs with equal matrices
# (each about 130 kB: one destination's bounds for every state), and one criterion's distances.
_BOUNDS: LRU[tuple[Any, ...], tuple[tuple[float, ...], ...]] = LRU(2048)
_DISTANCES: LRU[tuple[bytes, int], Any] = LRU(8192)
