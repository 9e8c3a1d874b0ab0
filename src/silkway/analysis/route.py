"""Routes and plan results: the legs, lifts and simulated days of one route, each corridor's
answer, and the whole plan's answer with its JSON contract; and how a search path becomes a
route (:func:`build_route`)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import orjson

from silkway.analysis import export, scenarios
from silkway.analysis.reliability import (
    DEFAULT_DRAWS,
    DaysSummary,
    Part,
    simulate_days,
    simulate_many,
    summarise,
    summarise_many,
)
from silkway.data.notices import PassageNotice
from silkway.data.tables import LogNormal
from silkway.network.model import Hub, Leg, Network
from silkway.query import PlanQuery
from silkway.routing.constraints import Constraints
from silkway.routing.corridors import Corridor, corridor_by_bits, leg_bits, route_bits
from silkway.routing.emission import CargoSpec, Footprint, hub_footprint
from silkway.routing.graph import (
    END,
    START,
    DirectedLeg,
    LegFigures,
    SearchGraph,
    counts_as_transshipment,
    leg_class,
    operation,
)
from silkway.routing.pareto import ParetoPath
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


_LEG_DICTS: dict[tuple[int, int], tuple[DirectedLeg, LegFigures, dict[str, Any]]] = {}
"""A leg's dict (without geometry) by its directed leg and figures, which the compiled search
graph shares between plans: the entry holds both, so an id is never taken for another's."""
_LEG_DICTS_SIZE = 20_000  # about 1.5 kB each


def _geometry(directed: DirectedLeg) -> tuple[list[list[float]], dict[str, Any]]:
    """A directed leg's two geometry fields: ``geometry``, ``[lat, lon]`` rows rounded to 4
    decimals (kept as it always was), and ``geojson``, an RFC 7946 LineString (``[lon, lat]``)."""
    leg = directed.leg
    coords = leg.coords if directed.forward else leg.coords[::-1]
    return (np.round(coords, 4).tolist(),
            {"type": "LineString", "coordinates": export.lonlat(coords)})


_GEOMETRY_JSON: dict[tuple[int, bool], tuple[Leg, orjson.Fragment, orjson.Fragment]] = {}
"""The JSON of :func:`_geometry` by leg and direction (the leg held, so its id is not taken for
another's): most of a plan's bytes, and the same in every plan that uses the leg."""
_GEOMETRY_JSON_SIZE = 4_000  # a few kB each; the network has under 1,000 directed legs


def _geometry_json(directed: DirectedLeg) -> tuple[orjson.Fragment, orjson.Fragment]:
    leg, key = directed.leg, (id(directed.leg), directed.forward)
    made = _GEOMETRY_JSON.get(key)
    if made is None or made[0] is not leg:
        if len(_GEOMETRY_JSON) >= _GEOMETRY_JSON_SIZE:
            _GEOMETRY_JSON.clear()
        geometry, geojson = _geometry(directed)
        made = _GEOMETRY_JSON[key] = (leg, orjson.Fragment(orjson.dumps(geometry)),
                                      orjson.Fragment(orjson.dumps(geojson)))
    return made[1], made[2]


def _add_geometry_json(route: Route, made: dict[str, Any]) -> None:
    """Add the geometry fields to ``made``, the dict of ``route`` without them, as JSON written
    once per leg (the keys land where :meth:`RouteLeg.to_dict` puts them: last)."""
    for rl, leg in zip(route.legs, made["legs"], strict=True):
        leg["geometry"], leg["geojson"] = _geometry_json(rl.directed)


@dataclass(frozen=True, slots=True)
class RouteLeg:
    """One leg of a planned route, in travel direction."""

    directed: DirectedLeg
    figures: LegFigures

    def to_dict(self, *, geometry: bool = False) -> dict[str, Any]:
        directed, fig = self.directed, self.figures
        made = _LEG_DICTS.get((id(directed), id(fig)))
        if made is not None and made[0] is directed and made[1] is fig:
            base = made[2]
        else:
            base = self._dict()
            if len(_LEG_DICTS) >= _LEG_DICTS_SIZE:
                _LEG_DICTS.clear()
            _LEG_DICTS[id(directed), id(fig)] = (directed, fig, base)
        out = base.copy()  # a new dict and new lists each time: the caller may change them
        out["countries"] = base["countries"].copy()
        out["passages"] = base["passages"].copy()
        if geometry:
            out["geometry"], out["geojson"] = _geometry(directed)
        return out

    def _dict(self) -> dict[str, Any]:
        directed, fig = self.directed, self.figures
        leg, forward, fp = directed.leg, directed.forward, fig.footprint
        border = leg.border
        return {
            "from": leg.src if forward else leg.dst, "to": leg.dst if forward else leg.src,
            "mode": leg.mode.value, "distance_km": round(leg.distance_km, 1),
            "days": round(fig.mean_days, 2), "cost_usd": round(fig.cost_usd, 2),
            "co2e_kg": round(fp.wtw_kg, 2),
            "countries": list(leg.countries if forward else reversed(leg.countries)),
            "distance_source": contract_source(leg), "co2e_kg_ttw": round(fp.ttw_kg, 2),
            "tkm": round(fp.activity, 1), "emission_factor": fp.factor_key,
            "co2e_g_per_tkm": round(fp.intensity[0], 2),
            "estimated_km": round(leg.estimated_km, 1),
            "moving_days": round(fig.moving_days, 2),
            "gauge_mm": leg.gauge_mm or None, "passages": self.passages,
            "border": border.border if border else None,
            "tariff": leg.tariff.tariff, "status": leg.status,
            "distance_published": leg.distance_source == "published",
        }

    @property
    def passages(self) -> list[str]:
        """Chokepoints passed, in travel order."""
        leg = self.directed.leg
        if not leg.passages and not leg.passage_order:
            return []
        order = list(leg.passage_order) or sorted(leg.passages)
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
    refs: tuple[tuple[int, bool], ...] = field(init=False, repr=False, compare=False)
    """The route's identity: its legs (index, direction) in order."""
    distance_km: float = field(init=False, repr=False, compare=False)
    bits: tuple[int, int] = field(init=False, repr=False, compare=False)
    """:func:`~silkway.routing.corridors.route_bits` of its legs."""
    pending: tuple[float, tuple[Part, ...]] | None = field(default=None, repr=False,
                                                           compare=False)
    """Until its days are simulated (:func:`simulated`): the fixed days and the delays to
    draw; ``transit_days`` is :data:`PENDING` meanwhile."""

    def __post_init__(self) -> None:  # kept: a plan compares routes by them many times
        object.__setattr__(self, "refs", tuple((rl.directed.leg.index, rl.directed.forward)
                                               for rl in self.legs))
        object.__setattr__(self, "distance_km",
                           sum(rl.directed.leg.distance_km for rl in self.legs))
        object.__setattr__(self, "bits", route_bits(rl.directed.leg for rl in self.legs))

    @property
    def transshipments(self) -> int:
        return sum(1 for h in self.handling if h.reason == "transshipment")

    @property
    def crossings(self) -> list[str]:
        """The countries the route crosses in the order it crosses them (a country again each
        time the route comes back to it)."""
        out: list[str] = []
        for rl in self.legs:
            leg = rl.directed.leg
            for c in leg.countries if rl.directed.forward else reversed(leg.countries):
                if not out or out[-1] != c:
                    out.append(c)
        return out

    @property
    def countries(self) -> list[str]:
        return list(dict.fromkeys(self.crossings))

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
            "corridor": self.corridor.id if self.corridor else None,
            "repositioning_usd": round(self.repositioning_usd, 2),
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

    def to_dict(self, best: Route | None, *, geometry: bool = False,
                route: dict[str, Any] | None = None) -> dict[str, Any]:
        """The corridor's answer; ``route``: its route's dict when already made (a plan's
        listed route that is also this corridor's answer is made once)."""
        r = self.route
        gap = self.gap(best)
        if route is None and r is not None:
            route = r.to_dict(geometry=geometry)
        return {"id": self.corridor.id, "name": self.corridor.name,
                "in_pareto": self.in_pareto, "route_number": self.route_number,
                "route": route, "reason": self.reason, "gap": gap}


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
    notices: tuple[PassageNotice, ...] = ()
    """What the data's period says of a passage a shown route uses (see :func:`notices_for`)."""

    def __post_init__(self) -> None:
        shown = [*self.routes, *(a.route for a in self.corridors if a.route is not None)]
        if any(r.pending is not None for r in shown):  # a bug, never a silent NaN
            raise RuntimeError("a route of the plan was never simulated")

    def to_dict(self, *, geometry: bool = False) -> dict[str, Any]:
        """The plan JSON contract of DESIGN.md (extra fields only ever added). A route that
        is both listed and a corridor's answer is one dict in both places."""
        c = self.constraints
        q = self.query
        best = self.routes[0] if self.routes else None
        routes = [r.to_dict(geometry=geometry) for r in self.routes]
        made = {id(r): d for r, d in zip(self.routes, routes, strict=True)}
        return {
            "origin": self.origin.to_dict(), "destination": self.destination.to_dict(),
            "cargo": {"type": c.cargo.value, "payload_t": self.payload_t,
                      "teu": self.cargo.teu if self.cargo else None, "reefer": c.reefer,
                      "allocation": c.allocation},
            "routes": routes,
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
            "corridors": [a.to_dict(best, geometry=geometry,
                                    route=made.get(id(a.route)) if a.route else None)
                          for a in self.corridors],
            "complete": self.complete,
            "notices": [self.notice_dict(n) for n in self.notices],
        }

    def to_json(self, *, geometry: bool = False) -> bytes:
        """The plan JSON contract as bytes: those of
        ``silkway.result.plan_json(self.to_dict(geometry=geometry))``, with each leg's geometry
        (most of the bytes) written once per leg and direction and reused after that."""
        from silkway.result import plan_json

        d = self.to_dict()
        if geometry:
            for r, made in zip(self.routes, d["routes"], strict=True):
                _add_geometry_json(r, made)
            for a, answer in zip(self.corridors, d["corridors"], strict=True):
                if a.route is not None:  # a listed route's dict is shared: set again, the same
                    _add_geometry_json(a.route, answer["route"])
        try:
            return orjson.dumps(d)
        except TypeError:  # what orjson does not write goes through the contract model
            return plan_json(self.to_dict(geometry=geometry))

    def notice_dict(self, n: PassageNotice) -> dict[str, Any]:
        """One of :attr:`notices` as the plan JSON gives it: with the numbers of the listed
        routes and the ids of the corridor answers that use its passage."""
        name = n.passage.searoute_name
        return {**notice_fields(n),
                "routes": [i for i, r in enumerate(self.routes, 1) if passes(r, name)],
                "corridors": [a.corridor.id for a in self.corridors
                              if a.route is not None and passes(a.route, name)]}

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


_GROUPS: dict[int, tuple[object, tuple[dict[str, int], list[float]]]] = {}


def _groups(network: Network) -> tuple[dict[str, int], list[float]]:
    """Correlation group index of each member key, and each group's rho (kept per correlation
    table, by identity: the entry holds the table, so its id is not reused while kept)."""
    table = network.tables.correlation
    got = _GROUPS.get(id(table))
    if got is not None and got[0] is table:
        return got[1]
    index: dict[str, int] = {}
    rho: list[float] = []
    for i, grp in enumerate(table):
        rho.append(grp.rho)
        for m in grp.members:
            index[m] = i
    if len(_GROUPS) > 256:  # the tables of many scenario networks: start again
        _GROUPS.clear()
    _GROUPS[id(table)] = (table, (index, rho))
    return index, rho


class _Step(NamedTuple):
    """One directed leg as a route takes it: what :func:`build_route` reads of it, once."""

    leg: RouteLeg
    arrival: int  # the class a box arrives in by it
    parts: tuple[Part, ...]  # its delays (waiting for departure, border dwell)
    means: tuple[float, ...]  # their means
    moving_days: float
    cost_usd: float
    wtw_kg: float
    ttw_kg: float
    distance_km: float
    bits: tuple[int, int]  # :func:`~silkway.routing.corridors.leg_bits`
    ref: tuple[int, bool]  # (leg index, forward), as in :attr:`Route.refs`


def _step(g: SearchGraph, r: int, member: dict[str, int]) -> _Step:
    rl = RouteLeg(g.directed[r], g.figures[r])
    leg, fig = rl.directed.leg, rl.figures
    own = [Part(fig.wait_days, member.get(f"tariff:{leg.tariff.tariff}", -1))]
    if leg.border:
        own.append(Part(fig.dwell_days, member.get(f"border:{leg.border.border}", -1)))
    return _Step(rl, leg_class(leg), tuple(own), tuple(p.dist.mean for p in own),
                 fig.moving_days, fig.cost_usd, fig.co2e_wtw_kg, fig.co2e_ttw_kg,
                 leg.distance_km, leg_bits(leg), (leg.index, rl.directed.forward))


def _steps(g: SearchGraph) -> list[_Step | None]:
    """Per directed leg of ``g``, once built: its :class:`_Step` (the compiled graph's figures,
    shared by every route that uses the leg under any constraints)."""
    memo = g.compiled.memo  # the compiled graph's: the same for every set of constraints
    got: list[_Step | None] | None = memo.get("route steps")
    if got is None:
        got = memo.setdefault("route steps", [None] * len(g.directed))
    return got


class _Lift(NamedTuple):
    """One lift as a route makes it: its handling, delay and figures."""

    handling: Handling
    part: Part
    mean_days: float
    cost_usd: float
    wtw_kg: float
    ttw_kg: float


def build_route(g: SearchGraph, path: ParetoPath, origin: Hub, destination: Hub,
                 sim: SimOptions, *, simulate: bool = True) -> Route:
    """The route of a search path: its legs, lifts, figures and simulated days (without
    ``simulate``, its days are left :data:`PENDING` until :func:`simulated`)."""
    network = g.network
    member, rho = _groups(network)
    per_ref = _steps(g)
    steps: list[_Step] = []
    for r in path.refs:
        got = per_ref[r]
        if got is None:
            got = per_ref[r] = _step(g, r, member)
        steps.append(got)
    lifts: dict[tuple[str, str, int, int], _Lift] = g.compiled.memo.setdefault(
        "route lifts", {})

    def lift(hub: Hub, reason: str, c_in: int, c_out: int) -> _Lift:
        key = (hub.id, reason, c_in, c_out)
        got = lifts.get(key)
        if got is None:
            h = Handling(hub, reason, hub_footprint(network.tables, hub, g.cargo),
                         operation(c_in, c_out) or "start")
            got = lifts[key] = _Lift(h, Part(h.days, member.get(
                f"hub_profile:{h.hub.profile.profile}", -1)), h.days.mean, h.cost_usd,
                h.footprint.wtw_kg, h.footprint.ttw_kg)
        return got

    lifted = [lift(origin, "origin", START, steps[0].arrival)]
    for before, step in itertools.pairwise(steps):
        if counts_as_transshipment(before.arrival, step.arrival):
            lifted.append(lift(network.hub(step.leg.directed.src), "transshipment",
                               before.arrival, step.arrival))
    lifted.append(lift(destination, "destination", steps[-1].arrival, END))
    parts = [x.part for x in lifted] + [p for s in steps for p in s.parts]
    moving = sum([s.moving_days for s in steps])
    days = _simulate(moving, parts, rho, sim) if simulate else PENDING
    # in the order of ``parts``
    expected = moving + sum([x.mean_days for x in lifted] + [m for s in steps for m in s.means])
    # Repositioning depends only on the destination, the same for every route of a plan: added
    # after the search, it changes no route's rank.
    repo = network.tables.repositioning.get(destination.country)
    reposition = 0.0 if repo is None else (
        repo.cost_usd_teu if g.cargo.cargo == Cargo.TEU.value else repo.cost_usd_feu)
    key = excl = 0
    for s in steps:
        key |= s.bits[0]
        excl |= s.bits[1]
    corridor = corridor_by_bits((key, excl))
    legs = tuple(s.leg for s in steps)
    transfers = [x.handling.hub for x in lifted[1:-1]]
    return _route_of(
        label=_label(legs, transfers, corridor), legs=legs,
        handling=tuple(x.handling for x in lifted), transit_days=days, expected_days=expected,
        cost_usd=sum([s.cost_usd for s in steps]) + sum([x.cost_usd for x in lifted])
        + reposition,
        co2e_wtw_kg=sum([s.wtw_kg for s in steps]) + sum([x.wtw_kg for x in lifted]),
        co2e_ttw_kg=sum([s.ttw_kg for s in steps]) + sum([x.ttw_kg for x in lifted]),
        repositioning_usd=reposition, corridor=corridor,
        refs=tuple(s.ref for s in steps), distance_km=sum([s.distance_km for s in steps]),
        bits=(key, excl), pending=None if simulate else (moving, tuple(parts)))


def _route_of(**fields: Any) -> Route:
    """A :class:`Route` of every field's value, its derived ones (``refs``, ``distance_km``,
    ``bits``) included: what :meth:`Route.__post_init__` would compute, known already."""
    if fields.keys() != _ROUTE_FIELDS:
        raise TypeError(f"a route needs exactly the fields {sorted(_ROUTE_FIELDS)}")
    out = object.__new__(Route)
    for name, value in fields.items():
        object.__setattr__(out, name, value)
    return out


_ROUTE_FIELDS = frozenset(Route.__slots__)  # type: ignore[attr-defined]


def contract_source(leg: Leg) -> str:
    """A leg's ``distance_source`` as the plan contract names it: a leg with a published line
    length (``published`` in the network) is traced on its base network, and says so; its
    ``distance_published`` flag tells that the km are the line's published length."""
    if leg.distance_source != "published":
        return leg.distance_source
    return "world_railways" if leg.mode is Mode.RAIL else "world_highways"


def notice_fields(n: PassageNotice) -> dict[str, Any]:
    """A passage notice's own fields, as the plan and compare JSON give them."""
    return {"passage": n.passage.value, "name": n.passage.display_name, "as_of": n.as_of,
            "notice": n.notice, "scenario": n.scenario,
            "source": n.provenance.source or n.provenance.estimate}


def passes(route: Route, searoute_name: str) -> bool:
    """Whether one of ``route``'s legs goes through the passage of that searoute name."""
    return any(searoute_name in rl.directed.leg.passages for rl in route.legs)


def notices_for(network: Network, routes: Sequence[Route]) -> tuple[PassageNotice, ...]:
    """The notices of the network's period (``passage_notices.csv``) on a passage one of
    ``routes`` uses: a passage the tables keep open that boxes mostly did not use then."""
    return tuple(n for n in network.tables.notices if n.as_of == network.as_of
                 and any(passes(r, n.passage.searoute_name) for r in routes))


PENDING = DaysSummary(float("nan"), float("nan"), float("nan"))
"""The days of a route built without its simulation (see :func:`build_route`)."""


def _simulate(moving: float, parts: Sequence[Part], rho: Sequence[float],
              sim: SimOptions) -> DaysSummary:
    samples = simulate_days(moving, parts, rho=rho, draws=sim.draws, rng=sim.rng)
    return summarise(samples, deadline_days=sim.deadline_days, histogram=sim.histogram)


def simulated(routes: Sequence[Route], network: Network, sim: SimOptions) -> list[Route]:
    """``routes`` with their days simulated (each itself when they are), in one vectorised
    pass: one matrix of draws and one sort for all of them. With the fixed block of normals
    (``sim.rng`` None) a route's days do not depend on when or with which others it is
    simulated; with a generator, the routes draw in turn (as one by one in that order)."""
    pending = list({id(r): r for r in routes if r.pending is not None}.values())
    if not pending:
        return list(routes)
    samples = simulate_many([r.pending for r in pending if r.pending is not None],
                            rho=_groups(network)[1], draws=sim.draws, rng=sim.rng)
    days = summarise_many(samples, deadline_days=sim.deadline_days, histogram=sim.histogram)
    done: dict[int, Route] = {}
    for route, summary in zip(pending, days, strict=True):
        # a copy: dataclasses.replace would compute refs and bits again
        done[id(route)] = _route_of(**{**{name: getattr(route, name) for name in _ROUTE_FIELDS},
                                       "transit_days": summary, "pending": None})
    return [done.get(id(r), r) for r in routes]


def order_key(objective: str) -> Callable[[Route], tuple[float, float, float, str]]:
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


def thin_routes(routes: list[Route], rel: float, objective: str) -> list[Route]:
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
