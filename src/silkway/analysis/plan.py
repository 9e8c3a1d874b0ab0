"""``plan()``: Pareto routes between two places, with simulated transit-time distributions."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
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
from silkway.routing.constraints import Constraints
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
from silkway.routing.pareto import Arc, ParetoPath, pareto_paths
from silkway.types import Cargo, Mode, Passage

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

OBJECTIVES = {
    "days": "expected (mean) transit days, then cost in USD, then CO2e WTW, then label",
    "p90": "simulated 90th-percentile transit days, then cost in USD, then CO2e WTW, then label",
    "cost": "cost in USD, then expected transit days, then CO2e WTW, then label",
    "co2e": "CO2e WTW, then expected transit days, then cost in USD, then label",
}
ORDER_RULE = OBJECTIVES["days"]
_PASSAGE_WORDS = {"suez": "Suez", "south_africa": "the Cape", "bosporus": "the Bosporus"}


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
        }

    def __repr__(self) -> str:
        return export.short_repr(self)


@dataclass(frozen=True)
class PlanResult:
    """The answer to one plan query: the Pareto routes, best first (see :data:`ORDER_RULE`)."""

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

    def to_dict(self, *, geometry: bool = False) -> dict[str, Any]:
        """The plan JSON contract of DESIGN.md (extra fields only ever added)."""
        c = self.constraints
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
                            "closed_hubs": sorted(c.closed_hubs)},
            "objective": self.objective,
            "scenario": self.scenario.to_dict() if self.scenario else None,
            "month": self.month,
            "order": OBJECTIVES[self.objective],
            "network": self.network_key[:16],
            "as_of": self.as_of,
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


def _resolve(network: Network, place: str | Hub) -> Hub:
    """The hub of ``network`` a place names. A :class:`Hub` is looked up again by id, so one from
    the baseline network gets the scenario's and the month's handling times and costs."""
    return network.hub(place.id) if isinstance(place, Hub) else network.find(place)


def _corridor(route_legs: list[RouteLeg], countries: list[str], passages: list[str]) -> str:
    modes = {rl.directed.leg.mode for rl in route_legs}
    cset = set(countries)
    caspian = any(rl.directed.leg.mode is Mode.FERRY and {"KZ", "AZ", "TM"} & set(
        rl.directed.leg.countries) for rl in route_legs)
    if caspian:
        return "Middle Corridor"
    if Mode.RAIL in modes and {"RU", "BY"} <= cset:
        return "Northern rail (RU-BY)"
    if Mode.RAIL in modes and "RU" in cset and "KZ" not in cset:
        return "Trans-Siberian"
    if "AF" in cset and "PK" in cset:
        return "Trans-Afghan"
    if "IR" in cset and modes - {Mode.SEA}:
        return "Southern (Iran)"
    if modes == {Mode.SEA}:
        words = [_PASSAGE_WORDS[p] for p in passages if p in _PASSAGE_WORDS]
        return "All sea" + (f" via {', '.join(words)}" if words else "")
    return " + ".join(m.value for m in sorted(modes, key=list(Mode).index)).capitalize()


def _label(route_legs: list[RouteLeg], transfers: list[Hub],
           countries: list[str]) -> str:
    passages = list(dict.fromkeys(p for rl in route_legs for p in rl.passages))  # travel order
    corridor = _corridor(route_legs, countries, passages)
    via = [h.name for h in transfers][:4]
    if corridor.startswith("All sea") and set(passages) & set(_PASSAGE_WORDS):
        return corridor + (f" (via {', '.join(via)})" if via else "")
    return corridor + (f" via {', '.join(via)}" if via else "")


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
    return dataclasses.replace(route, label=_label(legs, transfers, route.countries))


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


def plan(network: Network, origin: str | Hub, destination: str | Hub, *,
         avoid: Iterable[str] | str | None = None,
         modes: Iterable[Mode | str] | str | None = None,
         close: Iterable[Passage | str] | str | None = None,
         cargo: Cargo | str = Cargo.FEU, payload_t: float | None = None,
         max_transshipments: int | None = None, include_planned: bool = False,
         allocation: str = "mass", reefer: bool = False, objective: str = "days",
         scenario: str | scenarios.Scenario | None = None, month: int | None = None,
         deadline_days: float | None = None, histogram: bool = False,
         constraints: Constraints | None = None, max_routes: int = 8, thin: float = 0.02,
         draws: int = DEFAULT_DRAWS, rng: np.random.Generator | None = None) -> PlanResult:
    """Plan container routes from ``origin`` to ``destination``.

    Parameters
    ----------
    network
        From :func:`silkway.load_network`.
    origin, destination
        UN/LOCODE, hub id, name or alias (or a :class:`Hub`).
    avoid, modes, close, cargo, payload_t, max_transshipments, include_planned, allocation, reefer
        Constraints (see :class:`~silkway.routing.constraints.Constraints`); or pass
        ``constraints`` directly.
    objective
        ``days`` (default), ``cost``, ``co2e`` or ``p90``: which criterion orders the routes
        (see :data:`OBJECTIVES`). With ``p90`` the variance of the days joins the Pareto
        criteria, so a steady route is kept beside a faster but fat-tailed one.
    scenario
        A shipped scenario name, a ``.yaml`` file or a :class:`~silkway.analysis.scenarios.Scenario`.
    month
        Month of departure (1-12): seasonal delays apply (overrides the scenario's month).
    deadline_days
        Each route reports the probability of arriving within this many days.
    histogram
        Each route carries a histogram of its simulated days.
    max_routes
        At most this many routes are returned, best first.
    thin
        Relative tolerance: a route within ``thin`` of an already listed route on days, cost and
        CO2e alike is left out as a near-duplicate (0 keeps the full Pareto set).
    draws, rng
        Monte Carlo draws per route and an optional generator (None: fixed seed).

    Raises
    ------
    UnknownPlaceError
        For an origin or destination that matches no hub.
    ConstraintError
        For invalid constraints or the same origin and destination.
    NoRouteError
        When no route satisfies the constraints.
    """
    if objective not in OBJECTIVES:
        raise ConstraintError(f"unknown objective {objective!r}; use {', '.join(OBJECTIVES)}")
    if month is not None and not 1 <= month <= 12:
        raise ConstraintError(f"month {month} is not 1-12")
    if deadline_days is not None and not 0 < deadline_days <= 365:
        raise ConstraintError(f"deadline {deadline_days} d is outside (0, 365] days")
    if draws < 100 or draws > 1_000_000:
        raise ConstraintError(f"draws {draws} is outside [100, 1,000,000]")
    scen = (scenarios.load_scenario(scenario, network.tables) if isinstance(scenario, str)
            else scenario)
    network = scenarios.apply(network, scen, month)
    o = _resolve(network, origin)
    d = _resolve(network, destination)
    if o.id == d.id:
        raise ConstraintError(f"origin and destination are the same hub ({o.name})")
    c = constraints or Constraints.make(avoid=avoid, modes=modes, close=close, cargo=cargo,
                                        payload_t=payload_t,
                                        max_transshipments=max_transshipments,
                                        include_planned=include_planned,
                                        allocation=allocation, reefer=reefer)
    if scen is not None:
        c = scen.constrain(c)
    for hub, role in ((o, "origin"), (d, "destination")):
        if hub.country in c.avoid:
            raise NoRouteError(f"the {role} {hub.name} is in an avoided country ({hub.country})")
        if hub.id in c.closed_hubs:
            raise NoRouteError(f"the {role} {hub.name} is closed in this scenario")
    g = search_graph(network, c, objective == "p90")
    oi, di = g.hub_index[o.id], g.hub_index[d.id]
    bounds = g.lower_bounds(di)
    if not np.isfinite(bounds[oi * N_CLASSES][0]):
        raise NoRouteError(_why_none(o, d, c))
    adj, targets, end_bounds = _end_arcs(g, di, bounds)
    paths = pareto_paths(adj, oi * N_CLASSES + START, targets, lower_bound=end_bounds)
    sim = SimOptions(draws, rng, deadline_days, histogram)
    cap = c.max_transshipments
    routes = []
    for p in paths:
        hubs_seq = [n // N_CLASSES for n in p.nodes[:-1]]  # the last node is the end state
        if len(set(hubs_seq)) != len(hubs_seq):
            continue  # revisits a hub: not a route anyone would run
        r = _build_route(g, p, o, d, sim)
        if cap is None or r.transshipments <= cap:
            routes.append(r)
    if not routes:
        raise NoRouteError(_why_none(o, d, c))
    routes.sort(key=_key(objective))
    routes = _thin(routes, thin, objective) if thin > 0 else routes
    return PlanResult(o, d, c, g.payload_t, tuple(routes[:max_routes]), network.key, objective,
                      g.cargo, scen, month if month is not None else (scen.month if scen else None),
                      network.as_of)


class _WithEnd(Sequence[Sequence[Arc]]):
    """The search graph's arcs, where the destination's arrival states lead only to one end
    state by an arc that costs the unloading for that arrival class (so a box that arrives by
    rail at a ferry port pays a train's unloading, not the ferry boarding)."""

    def __init__(self, adj: Sequence[Sequence[Arc]], ends: dict[int, tuple[Arc, ...]]) -> None:
        self._adj, self._ends = adj, ends

    def __len__(self) -> int:
        return len(self._adj) + 1

    @overload
    def __getitem__(self, i: int) -> Sequence[Arc]: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Sequence[Arc]]: ...
    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i in self._ends:
            return self._ends[i]
        if i == len(self._adj) or i == -1:
            return ()
        return self._adj[i]


def _end_arcs(g: SearchGraph, di: int, bounds: Sequence[tuple[float, ...]]
              ) -> tuple[_WithEnd, frozenset[int], list[tuple[float, ...]]]:
    """Arcs, target set and lower bounds with an end state after the destination ``di``."""
    end = len(g.adj)
    dims, n_crit = len(bounds[0]), len(g.hub_matrices)  # + 1 with a transshipment cap
    ends: dict[int, tuple[Arc, ...]] = {}
    for k in range(1, N_CLASSES):
        lift = g.lift(di, k, END) or (0.0, 0.0, 0.0, 0.0)
        vec = tuple(lift[:n_crit]) + (0.0,) * (dims - n_crit)
        ends[di * N_CLASSES + k] = (Arc(end, vec, -1),)
    return _WithEnd(g.adj, ends), frozenset({end}), [*bounds, (0.0,) * dims]


def _why_none(o: Hub, d: Hub, c: Constraints) -> str:
    parts = []
    if c.avoid:
        parts.append(f"avoiding {','.join(sorted(c.avoid))}")
    if set(c.modes) != set(Mode):
        parts.append(f"by {','.join(sorted(m.value for m in c.modes))} only")
    if c.closed:
        parts.append(f"with {','.join(sorted(p.value for p in c.closed))} closed")
    if c.max_transshipments is not None:
        parts.append(f"with at most {c.max_transshipments} transshipments")
    why = " ".join(parts) if parts else "on the network"
    return f"no route from {o.name} to {d.name} {why}"
