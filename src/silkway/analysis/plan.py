"""``plan()``: Pareto routes between two places, each named corridor's best route beside them,
with simulated transit-time distributions.

The result types live in :mod:`~silkway.analysis.route` and the searches in
:mod:`~silkway.analysis.corridor_search`; their public names are re-exported here.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from silkway.analysis import corridor_search, scenarios
from silkway.analysis.corridor_search import (
    CORRIDOR_LABELS,
    DETOUR_DAYS,
    DETOUR_FACTOR,
    MAX_LABELS,
    Search,
    corridor_answer,
)
from silkway.analysis.route import (
    OBJECTIVES,
    ORDER_RULE,
    CorridorAnswer,
    Handling,
    PlanResult,
    Route,
    RouteLeg,
    SimOptions,
    build_route,
    order_key,
    thin_routes,
)
from silkway.errors import ConstraintError, NoRouteError
from silkway.network.model import Hub, Network
from silkway.query import PlanQuery, make_query
from silkway.routing.constraints import Constraints
from silkway.routing.corridors import Corridor, corridor, corridors
from silkway.routing.graph import N_CLASSES, search_graph
from silkway.routing.pareto import Arc, SearchLimitError, pareto_paths
from silkway.types import Mode

__all__ = ["CORRIDOR_LABELS", "DETOUR_DAYS", "DETOUR_FACTOR", "MAX_LABELS", "OBJECTIVES",
           "ORDER_RULE", "CorridorAnswer", "Handling", "PlanResult", "Route", "RouteLeg",
           "SimOptions", "plan"]


def plan(network: Network, origin: str | Hub | PlanQuery, destination: str | Hub | None = None,
         *, constraints: Constraints | None = None, rng: np.random.Generator | None = None,
         **options: Any) -> PlanResult:
    """Plan container routes from ``origin`` to ``destination``.

    Parameters
    ----------
    network
        From :func:`silkway.load_network`.
    origin, destination
        UN/LOCODE, hub id, name or alias (or a :class:`Hub`); or a whole
        :class:`~silkway.query.PlanQuery` as ``origin`` and no ``destination``.
    constraints
        Ready-made constraints, overriding the query's avoid, modes, close, cargo, payload,
        transshipment cap, planned links, allocation and reefer fields.
    rng
        An optional generator for fresh Monte Carlo draws (None: a fixed seed, so the same
        query always gives the same answer).
    **options
        Any field of :class:`~silkway.query.PlanQuery`: ``avoid``, ``modes``, ``close``,
        ``via``, ``corridor``, ``exclude_corridor``, ``max_transshipments``,
        ``include_planned``, ``cargo``, ``payload_t``, ``reefer``, ``allocation``,
        ``objective`` (``days``, ``p90``, ``cost`` or ``co2e``: see :data:`OBJECTIVES`),
        ``scenario``, ``month``, ``deadline_days``, ``histogram``, ``draws``, ``max_routes``,
        ``thin`` and ``corridors`` (``all``, ``available`` or ``none``).

    Raises
    ------
    UnknownPlaceError
        For an origin, destination or via point that matches no hub.
    ConstraintError
        For invalid options, an unknown corridor, or the same origin and destination.
    NoRouteError
        When no route satisfies the constraints.

    Examples
    --------
    >>> import silkway
    >>> net = silkway.load_network()
    >>> result = silkway.plan(net, "Nagoya", "Istanbul", avoid="RU,BY,IR")
    >>> "middle-corridor" in [a.corridor.id for a in result.corridors if a.route]
    True
    """
    scen_obj = options.pop("scenario", None)
    if isinstance(scen_obj, scenarios.Scenario):
        pass  # a parsed scenario (e.g. saved through the API): the query records its name
    elif scen_obj is not None:
        options["scenario"] = scen_obj
        scen_obj = None
    if isinstance(origin, PlanQuery):
        if destination is not None or options:
            raise ConstraintError("pass either a PlanQuery or places and options, not both")
        query = origin
    else:
        if destination is None:
            raise ConstraintError("a plan needs an origin and a destination")
        query = make_query(origin=origin.id if isinstance(origin, Hub) else origin,
                           destination=destination.id if isinstance(destination, Hub)
                           else destination, **options)
    if scen_obj is not None:
        query = query.replace(scenario=scen_obj.name)
    return _plan(network, query, constraints, rng, scen_obj)


def plan_first(network: Network, query: PlanQuery,
               scenario: scenarios.Scenario | None = None) -> PlanResult:
    """The first route of ``plan(network, query)`` alone, as a batch row keeps it.

    The same answer as :func:`plan` (the same route 1, figures, errors and ``complete`` flag),
    with ``routes`` holding route 1 only and no corridor section. For the ``days`` objective
    without via points or a required corridor, only the Pareto routes whose expected days tie
    with the fastest are searched for and built (see :func:`_first_routes`); otherwise the
    whole Pareto set is, as by :func:`plan`.

    Parameters
    ----------
    network
        From :func:`silkway.load_network`.
    query
        The plan query (its ``corridors``, ``max_routes`` and ``thin`` do not change route 1).
    scenario
        A parsed scenario for the query's ``scenario`` name (e.g. one saved through the API).
    """
    if scenario is not None:
        query = query.replace(scenario=scenario.name)
    return _plan(network, query, None, None, scenario, first_only=True)


@lru_cache(maxsize=4096)
def _constraints(avoid: tuple[str, ...], modes: tuple[str, ...] | None, close: tuple[str, ...],
                 cargo: str, payload_t: float | None, max_transshipments: int | None,
                 include_planned: bool, allocation: str, reefer: bool) -> Constraints:
    """A query's constraints (immutable, so a batch's repeated avoid sets share them)."""
    return Constraints.make(avoid=avoid, modes=modes, close=close, cargo=cargo,
                            payload_t=payload_t, max_transshipments=max_transshipments,
                            include_planned=include_planned, allocation=allocation,
                            reefer=reefer)


def _plan(network: Network, q: PlanQuery, constraints: Constraints | None,
          rng: np.random.Generator | None,
          scenario: scenarios.Scenario | None = None, *, first_only: bool = False) -> PlanResult:
    scen = scenario if scenario is not None else (
        scenarios.load_scenario(q.scenario, network.tables) if q.scenario is not None else None)
    month = q.month if q.month is not None else (scen.month if scen else None)
    network = scenarios.apply(network, scen, q.month)
    o = network.find(q.origin)
    d = network.find(q.destination)
    if o.id == d.id:
        raise ConstraintError(f"origin and destination are the same hub ({o.name})")
    via = tuple(network.find(v) for v in q.via)
    for v in via:
        if v.id in (o.id, d.id):
            raise ConstraintError(f"via {v.name} is the origin or the destination")
    if len({v.id for v in via}) != len(via):
        raise ConstraintError("a via point is given twice")
    only = corridor(q.corridor) if q.corridor else None
    excluded = tuple(corridor(x) for x in q.exclude_corridor)
    if only is not None and only in excluded:
        raise ConstraintError(f"corridor {only.id} is both required and excluded")
    c = constraints or _constraints(q.avoid, q.modes, q.close, q.cargo, q.payload_t,
                                    q.max_transshipments, q.include_planned, q.allocation,
                                    q.reefer)
    if scen is not None:
        c = scen.constrain(c)
    for hub, role in [(o, "origin"), (d, "destination")] + [(v, "via point") for v in via]:
        if hub.country in c.avoid:
            raise NoRouteError(f"the {role} {hub.name} is in an avoided country ({hub.country})")
        if hub.id in c.closed_hubs:
            raise NoRouteError(f"the {role} {hub.name} is closed in this scenario")
    g = search_graph(network, c, q.objective == "p90")
    # Days are simulated only for the routes shown, unless the objective ranks by P90 or a
    # generator's draws would then depend on the order of simulation.
    s = Search(g, o, d, via, SimOptions(q.draws, rng, q.deadline_days, q.histogram),
               lazy=rng is None and q.objective != "p90")
    base_allowed = s.allowed(excluded)
    if only is not None:
        allowed = s.allowed(excluded, only)
        required = s.key_refs(only, allowed)
        if not required:
            raise NoRouteError(f"no route by the {only.name} corridor: "
                               f"{s.why_unusable(only, excluded)}")
        routes = s.routes(allowed, required, partial=True)
        if not routes:
            raise NoRouteError(f"no route from {o.name} to {d.name} by the {only.name} "
                               f"corridor {_why_words(c, via)}".rstrip())
    else:
        tied = (_first_routes(s, base_allowed, q.objective)
                if first_only and rng is None and not via else None)
        routes = s.routes(base_allowed, None, partial=True) if tied is None else tied
    if not routes and not s.complete:
        raise NoRouteError(f"the route search from {o.name} to {d.name} stopped at its work "
                           f"limit of {corridor_search.MAX_LABELS:,} labels before it found a route")
    if not routes:
        raise NoRouteError(_why_none(o, d, c, via, excluded))
    routes.sort(key=order_key(q.objective))
    if first_only:  # route 1 is routes[0] whatever the thinning and the listing length
        return PlanResult(o, d, c, g.payload_t, (s.finish(routes[0]),), network.key, q.objective,
                          g.cargo, scen, month, network.as_of, (), q, via, s.complete)
    listed = [s.finish(r) for r in (thin_routes(routes, q.thin, q.objective) if q.thin > 0
                                    else routes)[:q.max_routes]]
    answers = () if q.corridors == "none" else tuple(
        a for a in (corridor_answer(s, cor, only, excluded, q, routes, listed) for cor in corridors())
        if q.corridors == "all" or a.route is not None)
    return PlanResult(o, d, c, g.payload_t, tuple(listed), network.key, q.objective, g.cargo,
                      scen, month, network.as_of, answers, q, via, s.complete)


_TIE_DAYS = 1e-5
"""Days within which a path's expected days count as tied with the fastest path's: far above
the rounding of route figures (routes are ranked on days rounded to 1e-6) and the float error
of adding a path's legs in another order."""


def _first_routes(s: Search, allowed: Sequence[bool], objective: str) -> list[Route] | None:
    """The plan's routes that can rank first by expected days, or None to search them all.

    Route 1 by the ``days`` order is the least, by days rounded to 1e-6, then cost, CO2e and
    label, of the Pareto routes that are simple in hubs and within the transshipment cap. The
    fastest path (its days from one compiled Dijkstra run, :func:`_fastest_days`) is the first
    of the Pareto set; when it is such a route, route 1 takes at most :data:`_TIE_DAYS` more
    days than it, so a search with a budget just above that on days finds every candidate:
    labels over the budget never settle, so the paths within it are exactly those the full
    search finds, in the same order. Any other case (other objectives, a fastest path that
    revisits a hub or exceeds the cap, a search at its work limit) returns None, and the plan
    searches the whole Pareto set.
    """
    if objective != "days" or not s.reachable:
        return None
    days = _fastest_days(s, allowed)
    if days == float("inf"):  # no path at all: the full search finds none either
        return []
    adj, peers, slack = _plain(s)
    kw: dict[str, Any] = {"allowed": allowed, "lower_bound": s.bounds, "dim": s.dim,
                          "max_labels": MAX_LABELS, "peers": peers, "slack": slack}
    try:
        budget = (days + 10 * _TIE_DAYS,) + (float("inf"),) * (s.dim - 1)
        paths = pareto_paths(adj, s.source, s.targets, budget=budget, **kw)
    except SearchLimitError:
        return None
    routes: list[Route] = []
    fastest_usable = False
    for p in paths:
        hubs = [n // N_CLASSES for n in p.nodes[:-1]]  # the last node is the end state
        if len(set(hubs)) != len(hubs):
            continue
        r = build_route(s.g, p, s.o, s.d, s.sim, simulate=not s.lazy)
        if s.cap is None or r.transshipments <= s.cap:
            routes.append(r)
            fastest_usable = fastest_usable or p.cost[0] <= days + _TIE_DAYS
    return routes if fastest_usable else None


def _fastest_days(s: Search, allowed: Sequence[bool]) -> float:
    """Least expected days from the origin to the end of the trip over the arcs ``allowed``
    (the unloading included): one SciPy Dijkstra run on the compiled graph's days, parallel
    arcs reduced to the least allowed one, forbidden arcs infinite."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import dijkstra

    compiled = s.g.compiled
    arrays = compiled.memo.get(("days arcs",))
    if arrays is None:
        arrays = compiled.memo[("days arcs",)] = _days_arcs(compiled.adj)
    days, refs, starts, heads, indptr = arrays
    ok = np.fromiter(allowed, dtype=bool, count=len(allowed))[refs]
    least = np.minimum.reduceat(np.where(ok, days, np.inf), starts)
    n = len(compiled.adj)
    dist = dijkstra(sp.csr_matrix((least, heads, indptr), shape=(n, n)), directed=True,
                    indices=s.source)
    return min(float(dist[state]) + arcs[0].cost[0] for state, arcs in s.adj.ends.items())


def _days_arcs(adj: Sequence[Sequence[Arc]]) -> tuple[np.ndarray, ...]:
    """Every arc's days and ref, grouped by (tail, head), and the CSR layout of the groups."""
    tails = np.fromiter((u for u, arcs in enumerate(adj) for _ in arcs), dtype=np.int64)
    heads = np.fromiter((a.head for arcs in adj for a in arcs), dtype=np.int64)
    days = np.fromiter((a.cost[0] for arcs in adj for a in arcs), dtype=np.float64)
    refs = np.fromiter((a.ref for arcs in adj for a in arcs), dtype=np.int64)
    order = np.lexsort((days, heads, tails))
    tails, heads, days, refs = tails[order], heads[order], days[order], refs[order]
    key = tails * len(adj) + heads
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    indptr = np.searchsorted(tails[starts], np.arange(len(adj) + 1))
    return days, refs, starts, heads[starts].astype(np.int32), indptr.astype(np.int32)


def _plain(s: Search) -> tuple[list[Sequence[Arc]], list[int], list[tuple[float, ...]]]:
    """The arcs (with the end arcs), peer groups and slack that :meth:`Search.routes` searches
    with, as plain lists: the same values as its lazy views, read faster in the search loop."""
    compiled = s.g.compiled
    key = ("plain lists", s.di)  # the end arcs depend on the compiled graph alone
    got = compiled.memo.get(key)
    if got is None:
        adj: list[Sequence[Arc]] = [*compiled.adj, ()]
        for state, arcs in s.adj.ends.items():
            adj[state] = arcs
        peers = [i // N_CLASSES for i in range(len(compiled.adj))] + [-1]
        # the destination's states lead only to the end: no peers
        peers[s.di * N_CLASSES:(s.di + 1) * N_CLASSES] = [-1] * N_CLASSES
        got = compiled.memo[key] = (adj, peers, [*compiled.slack, (0.0,) * s.dim])
    return got  # type: ignore[no-any-return]


def _why_words(c: Constraints, via: Sequence[Hub]) -> str:
    parts = []
    if c.avoid:
        parts.append(f"avoiding {','.join(sorted(c.avoid))}")
    if set(c.modes) != set(Mode):
        parts.append(f"by {','.join(sorted(m.value for m in c.modes))} only")
    if c.closed:
        parts.append(f"with {','.join(sorted(p.value for p in c.closed))} closed")
    if c.max_transshipments is not None:
        parts.append(f"with at most {c.max_transshipments} transshipments")
    if via:
        parts.append(f"via {', '.join(h.name for h in via)}")
    return " ".join(parts)


def _why_none(o: Hub, d: Hub, c: Constraints, via: Sequence[Hub] = (),
              excluded: Sequence[Corridor] = ()) -> str:
    why = _why_words(c, via)
    if excluded:
        why = (why + " " if why else "") + f"without {', '.join(x.name for x in excluded)}"
    return f"no route from {o.name} to {d.name} {why or 'on the network'}"
