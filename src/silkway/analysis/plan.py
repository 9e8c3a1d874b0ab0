"""``plan()``: Pareto routes between two places, each named corridor's best route beside them,
with simulated transit-time distributions.

The result types live in :mod:`~silkway.analysis.route` and the searches in
:mod:`~silkway.analysis.corridor_search`; their public names are re-exported here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
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
from silkway.analysis.fastest import first_routes
from silkway.analysis.route import (
    OBJECTIVES,
    ORDER_RULE,
    CorridorAnswer,
    Handling,
    PlanResult,
    Route,
    RouteLeg,
    SimOptions,
    notices_for,
    order_key,
    thin_routes,
)
from silkway.errors import ConstraintError, NoRouteError
from silkway.network.model import Hub, Network
from silkway.query import PlanQuery, make_query
from silkway.routing.constraints import Constraints
from silkway.routing.corridors import Corridor, corridor, corridors
from silkway.routing.graph import search_graph
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
    if constraints is not None:
        given = [f for f in _CONSTRAINT_FIELDS
                 if getattr(query, f) != PlanQuery.model_fields[f].default]
        if given:  # avoid="AZ" beside constraints= was dropped unsaid, and routes crossed AZ
            raise ConstraintError(
                f"pass constraints= or {given[0]}=, not both: the ready-made constraints "
                f"would override {given[0]} (put it into the constraints)")
    return _plan(network, query, constraints, rng, scen_obj)


_CONSTRAINT_FIELDS = ("avoid", "modes", "close", "cargo", "payload_t", "max_transshipments",
                      "include_planned", "allocation", "reefer")
"""The query fields that ``plan(constraints=...)`` overrides."""


def plan_first(network: Network, query: PlanQuery,
               scenario: scenarios.Scenario | None = None) -> PlanResult:
    """The first route of ``plan(network, query)`` alone, as a batch row keeps it.

    The same answer as :func:`plan` (the same route 1, figures, errors and ``complete`` flag),
    with ``routes`` holding route 1 only and no corridor section. For the ``days`` objective
    without via points or a required corridor, only the Pareto routes whose expected days tie
    with the fastest are searched for and built (see :mod:`~silkway.analysis.fastest`);
    otherwise the whole Pareto set is, as by :func:`plan`.

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
    if scen is not None and scen.month is not None and q.month not in (None, scen.month):
        # caspian-winter is a January departure: its changes double January's ferry waits, so
        # under July's seasonality they describe no month at all
        raise ConstraintError(
            f"scenario {scen.name} describes a departure in month {scen.month}; month {q.month} "
            f"contradicts it: leave the month out, or give a scenario of your own with "
            f"month: {q.month}")
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
            how = ("a country the scenario closes" if hub.country in c.closed_countries
                   else "an avoided country")
            raise NoRouteError(f"the {role} {hub.name} is in {how} ({hub.country})")
        if hub.id in c.closed_hubs:
            raise NoRouteError(f"the {role} {hub.name} is closed in this scenario")
    g = search_graph(network, c, q.objective == "p90")
    # Days are simulated only for the routes shown, unless the objective ranks by P90 or a
    # generator's draws would then depend on the order of simulation.
    s = Search(g, o, d, via, SimOptions(q.draws, rng, q.deadline_days, q.histogram),
               lazy=rng is None and q.objective != "p90")
    base_allowed = s.allowed(excluded)
    if only is not None:
        # The routes of one corridor are those labelled with it: they use a key leg of it and
        # no leg defining a corridor listed before it (the corridor section's rule).
        earlier = corridor_search.before(only)
        allowed = s.allowed((*excluded, *earlier), only)
        required = s.key_refs(only, allowed)
        if not required:
            raise NoRouteError(f"no route by the {only.name} corridor: "
                               f"{s.why_unusable(only, excluded)}")
        routes = s.routes(allowed, required, partial=True)
        if not routes:
            names = (", ".join(x.name for x in earlier) if len(earlier) < 3 else
                     f"one of the {len(earlier)} corridors listed before it (`silkway corridors`)")
            label = (f"; a route that also uses a leg defining {names} is labelled with that "
                     "corridor" if earlier else "")
            raise NoRouteError(f"no route from {o.name} to {d.name} by the {only.name} "
                               f"corridor {_why_words(c, via)}".rstrip() + label)
    else:
        tied = (first_routes(s, base_allowed, q.objective)
                if first_only and rng is None and not via else None)
        routes = s.routes(base_allowed, None, partial=True) if tied is None else tied
    if not routes and not s.complete:
        raise NoRouteError(f"the route search from {o.name} to {d.name} stopped at its work "
                           f"limit of {corridor_search.MAX_LABELS:,} labels before it found a route")
    if not routes:
        raise NoRouteError(_why_none(o, d, c, via, excluded))
    routes.sort(key=order_key(q.objective))
    if first_only:  # route 1 is routes[0] whatever the thinning and the listing length
        first = s.finish(routes[:1])[0]
        return PlanResult(o, d, c, g.payload_t, (first,), network.key, q.objective, g.cargo,
                          scen, month, network.as_of, (), q, via, s.complete,
                          notices_for(network, [first]))
    listed = (thin_routes(routes, q.thin, q.objective) if q.thin > 0 else routes)[:q.max_routes]
    answers = () if q.corridors == "none" else tuple(
        a for a in (corridor_answer(s, cor, only, excluded, q, routes, listed) for cor in corridors())
        if q.corridors == "all" or a.route is not None)
    # the days of every route shown, listed or a corridor's answer, simulated in one pass
    by_corridor = [a.route for a in answers if a.route is not None]
    done = s.finish([*listed, *by_corridor])
    listed, by_corridor = done[:len(listed)], done[len(listed):]
    kept = iter(by_corridor)
    answers = tuple(a if a.route is None else replace(a, route=next(kept)) for a in answers)
    shown = [*listed, *by_corridor]
    return PlanResult(o, d, c, g.payload_t, tuple(listed), network.key, q.objective, g.cargo,
                      scen, month, network.as_of, answers, q, via, s.complete,
                      notices_for(network, shown))


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
