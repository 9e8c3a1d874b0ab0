"""``plan()``: Pareto routes between two places, each named corridor's best route beside them,
with simulated transit-time distributions."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload

import numpy as np

from silkway.analysis import export, scenarios
from silkway.analysis.reliability import (
    DEFAULT_DRAWS,
    DaysSummary,
    Part,
    simulate_days,
    summarise,
)
from silkway.data.tables import LogNormal
from silkway.errors import ConstraintError, NoRouteError
from silkway.network.model import Hub, Network
from silkway.query import PlanQuery, make_query
from silkway.routing.best import ArcArrays, LayeredMatrix, best_path, layered
from silkway.routing.constraints import Constraints
from silkway.routing.corridors import Corridor, corridor_of, corridors, route_bits
from silkway.routing.emission import CargoSpec, Footprint, hub_footprint
from silkway.routing.graph import (
    END,
    N_CLASSES,
    START,
    DirectedLeg,
    LegFigures,
    SearchGraph,
    counts_as_transshipment,
    leg_class,
    operation,
    search_graph,
)
from silkway.routing.pareto import Arc, ParetoPath, SearchLimitError, constrained_paths
from silkway.types import Cargo, Mode

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

OBJECTIVES = {
    "days": "expected (mean) transit days, then cost in USD, then CO2e WTW, then label",
    "p90": "simulated 90th-percentile transit days, then cost in USD, then CO2e WTW, then label",
    "cost": "cost in USD, then expected transit days, then CO2e WTW, then label",
    "co2e": "CO2e WTW, then expected transit days, then cost in USD, then label",
}
ORDER_RULE = OBJECTIVES["days"]


@dataclass(frozen=True, slots=True)
class RouteLeg:
    """One leg of a planned route, in travel direction."""

    directed: DirectedLeg
    figures: LegFigures

    def to_dict(self, *, geometry: bool = False) -> dict[str, Any]:
        leg = self.directed.leg
        countries = list(leg.countries if self.directed.forward else reversed(leg.countries))
        out: dict[str, Any] = {
            "from": self.directed.src, "to": self.directed.dst, "mode": leg.mode.value,
            "distance_km": round(leg.distance_km, 1), "days": round(self.figures.mean_days, 2),
            "cost_usd": round(self.figures.cost_usd, 2),
            "co2e_kg": round(self.figures.co2e_wtw_kg, 2),
            "countries": countries, "distance_source": leg.distance_source,
            "co2e_kg_ttw": round(self.figures.co2e_ttw_kg, 2),
            "tkm": round(self.figures.footprint.activity, 1),
            "emission_factor": self.figures.footprint.factor_key,
            "co2e_g_per_tkm": round(self.figures.footprint.intensity[0], 2),
            "estimated_km": round(leg.estimated_km, 1),
            "moving_days": round(self.figures.moving_days, 2),
            "gauge_mm": leg.gauge_mm or None, "passages": self.passages,
            "border": leg.border.border if leg.border else None,
            "tariff": leg.tariff.tariff, "status": leg.status,
        }
        if geometry:
            coords = leg.coords if self.directed.forward else leg.coords[::-1]
            out["geometry"] = np.round(coords, 4).tolist()  # [lat, lon], kept as it always was
            out["geojson"] = export.linestring(self)  # RFC 7946: [lon, lat]
        return out

    @property
    def passages(self) -> list[str]:
        """Chokepoints passed, in travel order."""
        order = list(self.directed.leg.passage_order) or sorted(self.directed.leg.passages)
        return order if self.directed.forward else order[::-1]

    def __repr__(self) -> str:
        leg, f = self.directed.leg, self.figures
        return (f"<RouteLeg {leg.mode.value} {self.directed.src}→{self.directed.dst}: "
                f"{export.fmt_km(leg.distance_km)} km, {export.fmt_days(f.mean_days)} d, "
                f"{export.fmt_usd(f.cost_usd)} USD, {export.fmt_t(f.co2e_wtw_kg)} t CO2e>")


@dataclass(frozen=True, slots=True)
class Handling:
    """A container lift at a hub: loading at origin, unloading at destination, or a transfer.

    ``operation`` says what happens there (start, end, mode_change, gauge_change, ferry_board,
    ferry_alight, sea_transship); days and cost are the hub profile's for that operation."""

    hub: Hub
    reason: str  # origin | destination | transshipment
    footprint: Footprint
    operation: str = "start"

    @property
    def days(self) -> LogNormal:
        return self.hub.profile.handling(self.operation)[0]

    @property
    def cost_usd(self) -> float:
        return self.hub.profile.handling(self.operation)[1]

    def to_dict(self) -> dict[str, Any]:
        return {"hub": self.hub.id, "reason": self.reason,
                "days": round(self.days.mean, 2),
                "cost_usd": round(self.cost_usd, 2),
                "co2e_kg": round(self.footprint.wtw_kg, 3),
                "co2e_kg_ttw": round(self.footprint.ttw_kg, 3),
                "operation": self.footprint.factor_key,
                "hub_operation": self.operation}

    def __repr__(self) -> str:
        return f"<Handling {self.reason} at {self.hub.id}>"


@dataclass(frozen=True, slots=True)
class Route:
    """One Pareto-optimal route."""

    label: str
    legs: tuple[RouteLeg, ...]
    handling: tuple[Handling, ...]
    transit_days: DaysSummary
    expected_days: float
    cost_usd: float
    co2e_wtw_kg: float
    co2e_ttw_kg: float
    repositioning_usd: float = 0.0  # empty-box repositioning at the destination (in cost_usd)
    corridor: Corridor | None = None

    @property
    def refs(self) -> tuple[tuple[int, bool], ...]:
        """The route's identity: its legs (index, direction) in order."""
        return tuple((rl.directed.leg.index, rl.directed.forward) for rl in self.legs)

    @property
    def distance_km(self) -> float:
        return sum(rl.directed.leg.distance_km for rl in self.legs)

    @property
    def transshipments(self) -> int:
        return sum(1 for h in self.handling if h.reason == "transshipment")

    @property
    def countries(self) -> list[str]:
        out: list[str] = []
        for rl in self.legs:
            leg = rl.directed.leg
            for c in leg.countries if rl.directed.forward else reversed(leg.countries):
                if not out or out[-1] != c:
                    out.append(c)
        return list(dict.fromkeys(out))

    @property
    def modes(self) -> list[str]:
        return list(dict.fromkeys(rl.directed.leg.mode.value for rl in self.legs))

    def to_dict(self, *, geometry: bool = False) -> dict[str, Any]:
        return {
            "label": self.label, "countries": self.countries,
            "distance_km": round(self.distance_km, 1),
            "transit_days": self.transit_days.to_dict(),
            "cost_usd": round(self.cost_usd, 2),
            "co2e_kg": {"wtw": round(self.co2e_wtw_kg, 2), "ttw": round(self.co2e_ttw_kg, 2)},
            "transshipments": self.transshipments,
            "legs": [rl.to_dict(geometry=geometry) for rl in self.legs],
            "expected_days": round(self.expected_days, 2),
            "estimated_km": round(sum(rl.directed.leg.estimated_km for rl in self.legs), 1),
            "modes": self.modes,
            "handling": [h.to_dict() for h in self.handling],
            "repositioning_usd": round(self.repositioning_usd, 2),
            "corridor": self.corridor.id if self.corridor else None,
        }

    def __repr__(self) -> str:
        return export.short_repr(self)


@dataclass(frozen=True, slots=True)
class CorridorAnswer:
    """One named corridor for one trip: its best route under the plan's constraints, or why not."""

    corridor: Corridor
    route: Route | None
    reason: str | None
    in_pareto: bool = False
    route_number: int | None = None  # the route's number in the plan, when it is listed

    def gap(self, best: Route | None) -> dict[str, float] | None:
        """This corridor's best route minus ``best`` (the plan's route 1), or None."""
        r = self.route
        if r is None or best is None:
            return None
        return {"days_p50": round(r.transit_days.p50 - best.transit_days.p50, 2),
                "days_p90": round(r.transit_days.p90 - best.transit_days.p90, 2),
                "cost_usd": round(r.cost_usd - best.cost_usd, 2),
                "co2e_kg": round(r.co2e_wtw_kg - best.co2e_wtw_kg, 2)}

    def to_dict(self, best: Route | None, *, geometry: bool = False) -> dict[str, Any]:
        r = self.route
        gap = self.gap(best)
        return {"id": self.corridor.id, "name": self.corridor.name,
                "in_pareto": self.in_pareto, "route_number": self.route_number,
                "route": r.to_dict(geometry=geometry) if r is not None else None,
                "reason": self.reason, "gap": gap}


@dataclass(frozen=True)
class PlanResult:
    """The answer to one plan query: the Pareto routes, best first (see :data:`ORDER_RULE`),
    and each named corridor's best route (or why it cannot serve the trip)."""

    origin: Hub
    destination: Hub
    constraints: Constraints
    payload_t: float
    routes: tuple[Route, ...]
    network_key: str
    objective: str = "days"
    cargo: CargoSpec | None = None
    scenario: scenarios.Scenario | None = None
    month: int | None = None
    as_of: str = ""
    corridors: tuple[CorridorAnswer, ...] = ()
    query: PlanQuery | None = None
    via: tuple[Hub, ...] = ()
    complete: bool = True

    def to_dict(self, *, geometry: bool = False) -> dict[str, Any]:
        """The plan JSON contract of DESIGN.md (extra fields only ever added)."""
        c = self.constraints
        q = self.query
        best = self.routes[0] if self.routes else None
        return {
            "origin": self.origin.to_dict(), "destination": self.destination.to_dict(),
            "cargo": {"type": c.cargo.value, "payload_t": self.payload_t,
                      "teu": self.cargo.teu if self.cargo else None, "reefer": c.reefer,
                      "allocation": c.allocation},
            "routes": [r.to_dict(geometry=geometry) for r in self.routes],
            "constraints": {"avoid": sorted(c.avoid), "modes": sorted(m.value for m in c.modes),
                            "closed": sorted(p.value for p in c.closed),
                            "max_transshipments": c.max_transshipments,
                            "include_planned": c.include_planned,
                            "closed_hubs": sorted(c.closed_hubs),
                            "via": [h.id for h in self.via],
                            "corridor": q.corridor if q else None,
                            "exclude_corridor": list(q.exclude_corridor) if q else []},
            "objective": self.objective,
            "scenario": self.scenario.to_dict() if self.scenario else None,
            "month": self.month,
            "order": OBJECTIVES[self.objective],
            "network": self.network_key[:16],
            "as_of": self.as_of,
            "corridors": [a.to_dict(best, geometry=geometry) for a in self.corridors],
            "complete": self.complete,
        }

    def __repr__(self) -> str:
        o, d = self.origin, self.destination
        head = f"<PlanResult {o.name} ({o.id}) → {d.name} ({d.id}): {len(self.routes)} routes"
        if not self.routes:
            return head + ">"
        return head + f"; best {export.short_repr(self.routes[0], 1)}>"

    def _repr_html_(self) -> str:
        return export.html_table(self)

    def to_geojson(self) -> dict[str, Any]:
        """RFC 7946 FeatureCollection, a LineString Feature per leg (see :mod:`~silkway.analysis.export`).

        Examples
        --------
        >>> fc = silkway.plan(net, "Kashgar", "Osh", modes="road").to_geojson()
        >>> {f["properties"]["mode"] for f in fc["features"]}
        {'road'}
        """
        return export.to_geojson(self)

    def to_csv(self) -> str:
        """CSV text, one row per leg with its route number."""
        return export.to_csv(self)

    def to_dataframe(self) -> pd.DataFrame:
        """The routes as a pandas DataFrame indexed by route number (1 = best).

        Examples
        --------
        >>> df = silkway.plan(net, "Toyama", "Bishkek", avoid="RU,BY").to_dataframe()
        >>> df.index.name, "JP" in df.loc[1, "countries"], "RU" in df["countries"].sum()
        ('route', True, False)
        """
        return export.routes_frame(self)

    def legs_dataframe(self) -> pd.DataFrame:
        """Every leg as a pandas DataFrame indexed by (route, leg).

        Examples
        --------
        >>> legs = silkway.plan(net, "Kashgar", "Osh", modes="road").legs_dataframe()
        >>> list(legs.index.names), legs["mode"].unique().tolist()
        (['route', 'leg'], ['road'])
        """
        return export.legs_frame(self)

    def to_geodataframe(self) -> Any:
        """Every leg as a geopandas GeoDataFrame in EPSG:4326 (needs the optional geopandas)."""
        return export.geo_frame(self)

    def route_table(self) -> dict[str, Any]:
        """The route table as shown by the CLI and the page (see :func:`export.route_table`)."""
        return export.route_table(self)


def _modes_words(route_legs: Sequence[RouteLeg]) -> str:
    modes = {rl.directed.leg.mode for rl in route_legs}
    if modes == {Mode.SEA}:
        return "All sea"
    return " + ".join(m.value for m in sorted(modes, key=list(Mode).index)).capitalize()


def _label(route_legs: Sequence[RouteLeg], transfers: Sequence[Hub],
           corridor: Corridor | None) -> str:
    name = corridor.name if corridor is not None else _modes_words(route_legs)
    via = [h.name for h in transfers][:4]
    return name + (f" via {', '.join(via)}" if via else "")


@dataclass(frozen=True)
class SimOptions:
    """How a route's days are simulated and summarised."""

    draws: int = DEFAULT_DRAWS
    rng: np.random.Generator | None = None
    deadline_days: float | None = None
    histogram: bool = False


def _groups(network: Network) -> tuple[dict[str, int], list[float]]:
    """Correlation group index of each member key, and each group's rho."""
    index: dict[str, int] = {}
    rho: list[float] = []
    for i, grp in enumerate(network.tables.correlation):
        rho.append(grp.rho)
        for m in grp.members:
            index[m] = i
    return index, rho


def _build_route(g: SearchGraph, path: ParetoPath, origin: Hub, destination: Hub,
                 sim: SimOptions) -> Route:
    network = g.network
    legs = [RouteLeg(g.directed[r], g.figures[r]) for r in path.refs]

    def lift(hub: Hub, reason: str, c_in: int, c_out: int) -> Handling:
        return Handling(hub, reason, hub_footprint(network.tables, hub, g.cargo),
                        operation(c_in, c_out) or "start")

    classes = [leg_class(rl.directed.leg) for rl in legs]
    handling = [lift(origin, "origin", START, classes[0])]
    for rl, c_in, c_out in zip(legs[1:], classes, classes[1:], strict=False):
        if counts_as_transshipment(c_in, c_out):
            handling.append(lift(network.hub(rl.directed.src), "transshipment", c_in, c_out))
    handling.append(lift(destination, "destination", classes[-1], END))
    member, rho = _groups(network)
    parts: list[Part] = [Part(h.days, member.get(f"hub_profile:{h.hub.profile.profile}", -1))
                         for h in handling]
    for rl in legs:
        leg = rl.directed.leg
        parts.append(Part(rl.figures.wait_days, member.get(f"tariff:{leg.tariff.tariff}", -1)))
        if leg.border:
            parts.append(Part(rl.figures.dwell_days,
                              member.get(f"border:{leg.border.border}", -1)))
    moving = sum(rl.figures.moving_days for rl in legs)
    samples = simulate_days(moving, parts, rho=rho, draws=sim.draws, rng=sim.rng)
    days = summarise(samples, deadline_days=sim.deadline_days, histogram=sim.histogram)
    expected = moving + sum(p.dist.mean for p in parts)
    # Repositioning depends only on the destination, the same for every route of a plan: added
    # after the search, it changes no route's rank.
    repo = network.tables.repositioning.get(destination.country)
    reposition = 0.0 if repo is None else (
        repo.cost_usd_teu if g.cargo.cargo == Cargo.TEU.value else repo.cost_usd_feu)
    cost = sum(rl.figures.cost_usd for rl in legs) + sum(
        h.cost_usd for h in handling) + reposition
    route = Route("", tuple(legs), tuple(handling), days, expected, cost,
                  sum(rl.figures.co2e_wtw_kg for rl in legs)
                  + sum(h.footprint.wtw_kg for h in handling),
                  sum(rl.figures.co2e_ttw_kg for rl in legs)
                  + sum(h.footprint.ttw_kg for h in handling), reposition)
    transfers = [h.hub for h in handling if h.reason == "transshipment"]
    corridor = corridor_of([rl.directed.leg for rl in legs])
    return dataclasses.replace(route, label=_label(legs, transfers, corridor), corridor=corridor)


def _key(objective: str) -> Callable[[Route], tuple[float, float, float, str]]:
    def key(r: Route) -> tuple[float, float, float, str]:
        days, usd, co2 = round(r.expected_days, 6), round(r.cost_usd, 4), round(r.co2e_wtw_kg, 4)
        if objective == "cost":
            return (usd, days, co2, r.label)
        if objective == "co2e":
            return (co2, days, usd, r.label)
        if objective == "p90":
            return (round(r.transit_days.p90, 6), usd, co2, r.label)
        return (days, usd, co2, r.label)
    return key


def _thin(routes: list[Route], rel: float, objective: str) -> list[Route]:
    def days(r: Route) -> float:
        return r.transit_days.p90 if objective == "p90" else r.expected_days

    kept: list[Route] = []
    for r in routes:
        f = 1.0 + rel
        if any(days(k) <= days(r) * f and k.cost_usd <= r.cost_usd * f
               and k.co2e_wtw_kg <= r.co2e_wtw_kg * f for k in kept):
            continue
        kept.append(r)
    return kept


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


def _plan(network: Network, q: PlanQuery, constraints: Constraints | None,
          rng: np.random.Generator | None,
          scenario: scenarios.Scenario | None = None) -> PlanResult:
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
    only = _corridor(q.corridor) if q.corridor else None
    excluded = tuple(_corridor(x) for x in q.exclude_corridor)
    if only is not None and only in excluded:
        raise ConstraintError(f"corridor {only.id} is both required and excluded")
    c = constraints or Constraints.make(
        avoid=q.avoid, modes=q.modes, close=q.close, cargo=q.cargo, payload_t=q.payload_t,
        max_transshipments=q.max_transshipments, include_planned=q.include_planned,
        allocation=q.allocation, reefer=q.reefer)
    if scen is not None:
        c = scen.constrain(c)
    for hub, role in [(o, "origin"), (d, "destination")] + [(v, "via point") for v in via]:
        if hub.country in c.avoid:
            raise NoRouteError(f"the {role} {hub.name} is in an avoided country ({hub.country})")
        if hub.id in c.closed_hubs:
            raise NoRouteError(f"the {role} {hub.name} is closed in this scenario")
    g = search_graph(network, c, q.objective == "p90")
    s = _Search(g, o, d, via, SimOptions(q.draws, rng, q.deadline_days, q.histogram))
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
        routes = s.routes(base_allowed, None, partial=True)
    if not routes and not s.complete:
        raise NoRouteError(f"the route search from {o.name} to {d.name} stopped at its work "
                           f"limit of {MAX_LABELS:,} labels before it found a route")
    if not routes:
        raise NoRouteError(_why_none(o, d, c, via, excluded))
    routes.sort(key=_key(q.objective))
    listed = (_thin(routes, q.thin, q.objective) if q.thin > 0 else routes)[:q.max_routes]
    answers = () if q.corridors == "none" else tuple(
        a for a in (_answer(s, cor, only, excluded, q, routes, listed) for cor in corridors())
        if q.corridors == "all" or a.route is not None)
    return PlanResult(o, d, c, g.payload_t, tuple(listed), network.key, q.objective, g.cargo,
                      scen, month, network.as_of, answers, q, via, s.complete)


def _one_criterion(adj: Sequence[Sequence[Arc]], crit: int) -> list[tuple[Arc, ...]]:
    """``adj`` with each arc's cost cut to criterion ``crit``."""
    return [tuple(Arc(a.head, (a.cost[crit],), a.ref) for a in arcs) for arcs in adj]


class _Ones(Sequence[tuple[float, ...]]):
    """Numbers read as 1-vectors (lazily)."""

    def __init__(self, values: list[float]) -> None:
        self.values = values

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, i: int) -> tuple[float, ...]:  # type: ignore[override]
        return (self.values[i],)


class _WithEnd(Sequence[Sequence[Arc]]):
    """The search graph's arcs, where the destination's arrival states lead only to one end
    state by an arc that costs the unloading for that arrival class (so a box that arrives by
    rail at a ferry port pays a train's unloading, not the ferry boarding)."""

    def __init__(self, adj: Sequence[Sequence[Arc]], ends: dict[int, tuple[Arc, ...]]) -> None:
        self._adj, self.ends = adj, ends

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


class _Peers(Sequence[int]):
    """Each search state's hub as its peer group (see ``pareto_paths``), but none for the
    destination's states, whose only arcs are their own unloading, and the end state."""

    def __init__(self, n: int, destination: int) -> None:
        self.n, self.destination = n, destination

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> int:  # type: ignore[override]
        hub = i // N_CLASSES
        return -1 if hub == self.destination or i >= self.n - 1 else hub


class _Slack(Sequence[tuple[float, ...]]):
    """The compiled graph's per-state slack, and none for the end state."""

    def __init__(self, slack: Sequence[tuple[float, ...]], dim: int) -> None:
        self.slack, self.zero = slack, (0.0,) * dim

    def __len__(self) -> int:
        return len(self.slack) + 1

    def __getitem__(self, i: int) -> tuple[float, ...]:  # type: ignore[override]
        return self.slack[i] if i < len(self.slack) else self.zero


def _end_arcs(g: SearchGraph, di: int, bounds: Sequence[tuple[float, ...]]
              ) -> tuple[_WithEnd, frozenset[int], list[tuple[float, ...]]]:
    """Arcs, target set and lower bounds with an end state after the destination ``di``."""
    end = len(g.compiled.adj)
    dims, n_crit = len(bounds[0]), len(g.hub_matrices)  # + 1 with a transshipment cap
    ends: dict[int, tuple[Arc, ...]] = {}
    for k in range(1, N_CLASSES):
        lift = g.lift(di, k, END) or (0.0, 0.0, 0.0, 0.0)
        vec = tuple(lift[:n_crit]) + (0.0,) * (dims - n_crit)
        ends[di * N_CLASSES + k] = (Arc(end, vec, -1),)
    return _WithEnd(g.compiled.adj, ends), frozenset({end}), [*bounds, (0.0,) * dims]


def _corridor(corridor_id: str) -> Corridor:
    from silkway.routing.corridors import corridor

    return corridor(corridor_id)


class _Search:
    """One plan's searches over one search graph: the main one and one per corridor."""

    def __init__(self, g: SearchGraph, o: Hub, d: Hub, via: tuple[Hub, ...],
                 sim: SimOptions) -> None:
        self.g, self.o, self.d, self.sim, self.via = g, o, d, sim, via
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
                ) -> tuple[bool, ...]:
        """Per directed leg of the compiled graph: usable by a route under the plan's
        constraints that avoids ``excluded`` and fits ``only``."""
        if not excluded and only is None:
            return self.g.allowed

        def make() -> tuple[bool, ...]:
            return tuple(ok and not any(x.is_key(dl.leg) for x in excluded)
                         and (only is None or not only.excludes(dl.leg))
                         for ok, dl in zip(self.g.allowed, self.g.directed, strict=True))

        return self._memo(("allowed", tuple(x.id for x in excluded), only and only.id), make)  # type: ignore[no-any-return]

    def key_refs(self, cor: Corridor, allowed: Sequence[bool] | None) -> frozenset[int]:
        keys: frozenset[int] = self._shared(("keys", cor.id), lambda: frozenset(
            r for r, dl in enumerate(self.g.directed) if cor.is_key(dl.leg)))
        return keys if allowed is None else frozenset(r for r in keys if allowed[r])

    def routes(self, allowed: Sequence[bool] | None, required: frozenset[int] | None,
               best_by: str | None = None, *, simple: bool = False,
               max_labels: int | None = None, partial: bool = False) -> list[Route]:
        """Pareto routes (simple in hubs, within the transshipment cap) under the masks.

        With ``best_by`` (an objective whose order the search's cost vectors give: days, cost
        or co2e), only the best such route is built and returned. When every path found passes
        a hub twice (a via point reached and left the way it came), the search is run again on
        hub-simple paths only (``simple``: exact, and slower). A search that reaches
        ``max_labels`` raises :class:`SearchLimitError`, or with ``partial`` returns what it
        found and marks the search incomplete (``self.complete``)."""
        if not self.reachable:
            return []
        max_labels = MAX_LABELS if max_labels is None else max_labels
        plain = required is None and not self.stages and not simple
        try:
            paths = constrained_paths(
                self.adj, self.source, self.targets, allowed=allowed, required=required,
                stages=self.stages, lower_bound=self.bounds, dim=self.dim,
                required_bound=self.through(required) if required else None,
                stage_bounds=self.via_bounds() if self.stages else None,
                simple_in=self.groups() if simple else None,
                max_labels=min(max_labels, 50_000) if simple else max_labels,
                peers=_Peers(len(self.adj), self.di) if plain else None,
                slack=_Slack(self.g.compiled.slack, self.dim) if plain else None)
        except SearchLimitError as e:
            if not partial:
                raise
            self.complete = False  # the plan says so: "complete": false
            paths = e.paths
        if best_by is not None:
            order = _COST_ORDER[best_by]
            paths.sort(key=lambda p: tuple(round(p.cost[i], 6) for i in order))
        out = []
        for p in paths:
            hubs_seq = [n // N_CLASSES for n in p.nodes[:-1]]  # the last node is the end state
            if len(set(hubs_seq)) != len(hubs_seq):
                continue  # revisits a hub: not a route anyone would run
            r = _build_route(self.g, p, self.o, self.d, self.sim)
            if self.cap is None or r.transshipments <= self.cap:
                out.append(r)
                if best_by is not None:
                    break
        if not out and paths and self.stages and not simple:
            return self.routes(allowed, required, best_by, simple=True, max_labels=max_labels,
                               partial=partial)
        return out

    def best_simple(self, allowed: Sequence[bool] | None, required: frozenset[int],
                    objective: str, known: Sequence[Route] = (),
                    budget: float | None = None) -> tuple[Route | None, float]:
        """The best route by a single-criterion objective (days, cost or co2e) that uses a
        ``required`` leg and enters no country twice, and a lower bound on any route's cost.

        An exact label search on that one criterion, guided by the exact distances to the
        destination in the same graph without the country rule (one compiled backward
        search): a label beats another at its state when it costs no more and has visited no
        country the other has not, so the first target label popped is the answer. (A route
        that leaves a country and comes back would be reported as a detour anyway.) No route
        costing more than ``budget`` is looked for. Raises :class:`SearchLimitError` past
        :data:`CORRIDOR_LABELS`."""
        crit = _COST_ORDER[objective][0]
        arcs, lay = self._matrix(allowed, required, crit)
        n = lay.n
        back = self._to_end(arcs, lay, crit).tolist()
        lower = back[0 * n + self.source]
        if not np.isfinite(lower) or (budget is not None and lower > budget):
            return None, lower
        one = self._shared(("one", crit), lambda: _one_criterion(self.g.compiled.adj, crit))
        adj = _WithEnd(one, {t: _one_criterion([arcs_t], crit)[0]
                             for t, arcs_t in self.adj.ends.items()})
        inf = float("inf")
        # the search's layered states number the base graph plus its end state (n + 1)
        paths = constrained_paths(
            adj, self.source, self.targets, allowed=allowed, required=required,
            lower_bound=_Ones([*back[n:2 * n], 0.0]), dim=1,
            required_bound=_Ones([*back[:n], inf]), simple_in=self.countries(),
            max_labels=CORRIDOR_LABELS, first=True,
            budget=None if budget is None else (budget,))
        return (self._route(paths[0], known) if paths else None), lower

    def _matrix(self, allowed: Sequence[bool] | None, required: frozenset[int], crit: int
                ) -> tuple[ArcArrays, LayeredMatrix]:
        """The arcs as arrays and one layered matrix of criterion ``crit`` for the corridor
        masks (kept on the search graph: the same for every query)."""
        arcs: ArcArrays = self._shared(("arcs",), lambda: ArcArrays.of(self.g.compiled.adj,
                                                                        self.dim))
        n_refs = len(self.g.directed)

        def make() -> LayeredMatrix:
            req = np.zeros(n_refs, dtype=bool)
            req[list(required)] = True
            base = (np.ones(n_refs, dtype=bool) if allowed is None
                    else np.fromiter(allowed, dtype=bool, count=n_refs))
            return layered(arcs, criterion=crit, allowed=base, required=req, stages=self.stages)

        lay: LayeredMatrix = (make() if self.stages else self._memo(
            ("layered", crit, id(allowed), required), make))
        return arcs, lay

    def _to_end(self, arcs: ArcArrays, lay: LayeredMatrix, crit: int) -> np.ndarray:
        """Per layered state: a consistent lower bound on the cost from there to the end of
        the trip (the exact least cost to an arrival in the last layer, by one backward
        compiled search, plus the least unloading)."""
        from scipy.sparse.csgraph import dijkstra

        n, last = lay.n, lay.layers - 1
        back = self._memo(("transposed", id(lay)), lambda: lay.mat.T.tocsr())
        ends = min(a.cost[crit] for t in self.targets_in for a in self.adj[t])
        dist = dijkstra(back, directed=True, indices=[last * n + t for t in self.targets_in],
                        min_only=True)
        return np.asarray(dist) + ends

    def countries(self) -> list[int]:
        """The country of each search state, as a group number (the end state its own)."""
        def make() -> list[int]:
            net, index = self.g.network, dict[str, int]()
            hubs = sorted(self.g.hub_index, key=self.g.hub_index.__getitem__)
            per_hub = [index.setdefault(net.hub(h).country, len(index)) for h in hubs]
            n = len(self.g.compiled.adj)
            return [per_hub[i // N_CLASSES] for i in range(n)] + [len(index)]

        return self._shared(("countries",), make)  # type: ignore[no-any-return]

    def _route(self, path: ParetoPath, known: Sequence[Route]) -> Route:
        """The route of ``path`` (one already built when ``known`` has it)."""
        directed = self.g.directed
        refs = tuple((directed[r].leg.index, directed[r].forward) for r in path.refs)
        return next((r for r in known if r.refs == refs), None) or _build_route(
            self.g, path, self.o, self.d, self.sim)

    def best(self, allowed: Sequence[bool] | None, required: frozenset[int],
             objective: str, known: Sequence[Route] = ()) -> Route | bool | None:
        """The best route by a single-criterion objective (days, cost or co2e; without a
        transshipment cap), from one compiled shortest-path search; False when no path at all
        meets the requirements; None when the best path passes a hub twice (then
        :meth:`best_simple` answers)."""
        if not self.reachable:
            return False
        # One layered matrix per corridor and criterion for the whole graph (not per query):
        # the destination's unloading is added on arrival instead of by an end arc.
        crit = _COST_ORDER[objective][0]
        arcs, lay = self._matrix(allowed, required, crit)
        ends = {t: arc.cost[crit] for t in self.targets_in for arc in self.adj[t]}
        path = best_path(arcs, lay, self.source, self.targets_in, target_cost=ends)
        if path is None:
            return False
        hubs_seq = [x // N_CLASSES for x in path.nodes]
        if len(set(hubs_seq)) != len(hubs_seq):
            return None  # it passes a hub twice
        return self._route(path, known)

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
        ``required`` legs: min over those legs (u -> v) of x(origin -> u) + leg + x(v ->
        destination), by the cheapest legs between hubs (handling left out)."""
        days, km = _hub_distances(self.g)[0], _hub_km(self.g)
        directed, index, figures = self.g.directed, self.g.hub_index, self.g.figures
        refs = list(required)
        us = [index[directed[r].src] for r in refs]
        vs = [index[directed[r].dst] for r in refs]
        leg_days = np.fromiter((figures[r].mean_days for r in refs), dtype=float, count=len(refs))
        leg_km = np.fromiter((directed[r].leg.distance_km for r in refs), dtype=float,
                             count=len(refs))
        oi, di = self.source // N_CLASSES, self.di
        return (float((days[oi, us] + leg_days + days[vs, di]).min()),
                float((km[oi, us] + leg_km + km[vs, di]).min()))

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
        if avoided:
            words.append(f"it needs {', '.join(sorted(avoided))}, which "
                         f"{'is' if len(avoided) == 1 else 'are'} avoided")
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


def _before(cor: Corridor) -> tuple[Corridor, ...]:
    table = corridors()
    return table[:table.index(cor)]


def _member(cor: Corridor, legs: Sequence[Any]) -> bool:
    """Whether a route belongs to the shipped corridor ``cor`` and uses no leg defining a
    corridor listed before it."""
    i = corridors().index(cor)
    key, excl = route_bits(legs)
    return bool(key >> i & 1) and not excl >> i & 1 and not key & ((1 << i) - 1)


_COST_ORDER = {"days": (0, 1, 2), "cost": (1, 0, 2), "co2e": (2, 0, 1)}


def _hub_km(g: SearchGraph) -> np.ndarray:
    """All-pairs hub-to-hub shortest distances in km over every leg of the compiled graph."""
    memo = g.compiled.memo
    if "km" not in memo:
        import scipy.sparse as sp
        from scipy.sparse.csgraph import dijkstra

        n = len(g.hub_index)
        best: dict[tuple[int, int], float] = {}
        for d in g.directed:
            key = (g.hub_index[d.src], g.hub_index[d.dst])
            best[key] = min(best.get(key, np.inf), max(d.leg.distance_km, 1e-9))
        rows, cols = zip(*best, strict=True) if best else ((), ())
        memo["km"] = dijkstra(sp.csr_matrix((list(best.values()), (rows, cols)), shape=(n, n)),
                              directed=True)
    return memo["km"]  # type: ignore[no-any-return]


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


def _answer(s: _Search, cor: Corridor, only: Corridor | None, excluded: Sequence[Corridor],
            q: PlanQuery, main: Sequence[Route], listed: Sequence[Route]) -> CorridorAnswer:
    if only is not None and only.id != cor.id:
        return CorridorAnswer(cor, None, f"left out: the plan is restricted to {only.name}")
    # A corridor's answer uses no leg that defines a corridor listed before it, so that each
    # answer is a route of that corridor and no other (the route is labelled with it).
    before = _before(cor)
    allowed = s.allowed((*excluded, *before), cor)
    required = s.key_refs(cor, allowed)
    if not required:
        return CorridorAnswer(cor, None, s.why_unusable(cor, excluded))
    key = _key(q.objective)
    # Routes of the main Pareto set that belong to the corridor are candidates too: the
    # corridor search drops paths that revisit a hub, which may hide one of them.
    found = [r for r in main if _member(cor, [rl.directed.leg for rl in r.legs])]
    if not found:  # a corridor far off the trip needs no search
        lower, km = s.through_bounds(required)
        fastest, shortest = _fastest(main), min(r.distance_km for r in main)
        if not np.isfinite(lower):
            return CorridorAnswer(cor, None, f"no route from {s.o.name} to {s.d.name} runs by it")
        if lower > DETOUR_DAYS * fastest:
            return CorridorAnswer(cor, None, _slow(lower, fastest))
        if km > DETOUR_FACTOR * shortest:
            return CorridorAnswer(cor, None, (
                f"it serves this trip only by a detour: every route by it is at least {km:,.0f} "
                f"km, over {DETOUR_FACTOR:g} times the shortest route's {shortest:,.0f} km"))
    # P90 is no sum of leg figures: its candidates are the corridor's Pareto routes and its
    # fastest route by expected days.
    by = "days" if q.objective == "p90" else q.objective
    try:
        if s.cap is not None:  # the count of transshipments is a criterion: a label search
            found += s.routes(allowed, required, None if q.objective == "p90" else by,
                              max_labels=CORRIDOR_LABELS)
        elif isinstance(fast := s.best(allowed, required, by, main), Route):
            found.append(fast)
        elif fast is None and not s.via:  # it passes a hub twice: an exact label search
            budget = DETOUR_DAYS * _fastest(main) if by == "days" else None
            simple, lower = s.best_simple(allowed, required, by, main, budget)
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
    if not found:
        via = f" via {', '.join(h.name for h in s.via)}" if s.via else ""
        return CorridorAnswer(cor, None, f"no route from {s.o.name} to {s.d.name}{via} runs by it")
    best = min(found, key=key)
    detour = _detour(best, main)
    if detour:
        return CorridorAnswer(cor, None, f"it serves this trip only by a detour: its best route "
                                         f"({best.transit_days.p50:.1f} d) {detour}")
    number = next((i for i, r in enumerate(listed, 1) if r.refs == best.refs), None)
    return CorridorAnswer(cor, best, None, any(r.refs == best.refs for r in main), number)


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


def _fastest(routes: Sequence[Route]) -> float:
    return min(r.expected_days for r in routes)


def _slow(days: float, fastest: float, *, once: bool = False) -> str:
    """Why a corridor whose every route (``once``: that enters each country once) takes more
    than :data:`DETOUR_DAYS` times the plan's fastest route is not shown."""
    which = "none of its routes that enter each country once" if once else "none of its routes"
    return (f"it serves this trip only by a detour: {which} takes less than {DETOUR_DAYS:g} "
            f"times the fastest route's {fastest:.1f} d"
            + (f" (at least {days:.1f} d)" if days > DETOUR_DAYS * fastest else ""))


def _detour(route: Route, main: Sequence[Route]) -> str | None:
    """Why ``route`` is a detour (it leaves a country and comes back, is far longer than the
    shortest route of the plan, or is no Pareto trade-off and far slower than the fastest), or
    None."""
    seq: list[str] = []
    for rl in route.legs:
        leg = rl.directed.leg
        for c in leg.countries if rl.directed.forward else reversed(leg.countries):
            if not seq or seq[-1] != c:
                seq.append(c)
    again = next((c for i, c in enumerate(seq) if c in seq[:i]), None)
    if again is not None:
        return f"leaves {again} and comes back"
    shortest = min((r.distance_km for r in main), default=route.distance_km)
    if route.distance_km > DETOUR_FACTOR * shortest:
        return (f"is {route.distance_km:,.0f} km, {route.distance_km / shortest:.1f} times the "
                f"shortest route's {shortest:,.0f} km")
    fastest = _fastest(main) if main else route.expected_days
    if route.expected_days > DETOUR_DAYS * fastest and route.refs not in {r.refs for r in main}:
        return (f"takes {route.expected_days:.1f} d, {route.expected_days / fastest:.1f} times "
                f"the fastest route's {fastest:.1f} d")
    return None


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
