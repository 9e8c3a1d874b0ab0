"""``silkway calibrate``: the time model fitted to, and checked against, published transit times.

Each transit-time observation of ``observations.csv`` whose origin and destination are hubs
becomes a *case*: the plan query its corridor and modes describe (a Middle Corridor trip avoids
Russia and must cross the Caspian by ferry from Kazakhstan, a Kashgar-road trip must cross
Irkeshtam or Torugart by truck, ...), answered by the fastest route that fits. Observations of
2022 are answered under the ``era-2022`` scenario (it changes the Caspian and Black Sea only).

The free parameters are multipliers on the sourced values (the priors): commercial speed of
each tariff (rail by country or region, sea, road), border dwell by crossing, handling by hub
profile and operation, and the waits of ferry and feeder services. With every route held fixed,
a route's median days are ``sum(moving / speed factor) + sum(factor * delay)`` over its parts,
simulated with common random numbers, so the fit sees a smooth function of the parameters.

The loss, stated: over the training cases, ``sum(rho(r_i**2)) + sum((log(f_j) / sigma_j)**2)``
minimised over the log factors within :data:`BOUNDS` (``scipy.optimize.least_squares``, trust
region, exact Jacobian). ``r_i`` is a case's log-distance from the middle of its published
range in units of the range's half-width in log space (at least :data:`LOG_TOLERANCE`), one-
sided for "at least" / "at most" figures; ``rho`` is the robust :data:`LOSS` (soft L1, f_scale
1), so a few rows the model cannot meet (a showcase train, a congestion era) pull with bounded
force; the prior terms stay quadratic (Gaussian priors) with sigma
:data:`PRIOR_SIGMA_SEA_SPEED` for ship speeds, :data:`PRIOR_SIGMA_SPEED` for a sourced land
speed, :data:`PRIOR_SIGMA_SOURCED` for another sourced value and :data:`PRIOR_SIGMA_ESTIMATE`
for an estimate. A case's median days are estimated on common random draws as the mean of the
central :data:`MEDIAN_BAND` of them, in the case's own scenario and month (an era for a 2022
figure). The solver starts from the priors and from ``STARTS - 1`` seeded draws of them; the
lowest training loss wins. Routes are re-chosen with the fitted values and the fit repeated
(:data:`ROUNDS` rounds). The split is deterministic: an observation is held out when the
SHA-256 of :data:`SPLIT_SALT` + its id falls in the lowest :data:`TEST_SHARE` of the range.

A *record* run (the quote, or the title of the source about that run, calls the time a record,
or says the run beat its target: arrived early, ahead of or prior to its schedule) is a lower
bound on the P50 (``at_least``);
a figure the source gives for the time *before* the service it announces ("used to take") is
not scored (nor one the source, or the table's quote, calls the previous arrangement a new
route replaces). A port a sea-only source names on the way is a call of the liner service, not a
transshipment, unless the source says the box changed ships there. A sea figure between places
that are not both ports includes the pre- or on-carriage by rail or road between the inland end
and the port of the sea haul, in the countries of the two and shorter than the haul
(``_by_sea``: Shanghai - Düsseldorf "by ship" lands at Rotterdam). A Middle Corridor case must
cross the Caspian by ferry when its ends lie on opposite sides of the sea; a country the
source names as a via point must be crossed (when a route of the corridor does), countries it
names in order one after the other (a country crossed between two of them is a detour, avoided
when a route without it follows the order: :func:`_between`); a sea it
names between two via hubs is crossed by ship between them (:data:`SEA_TARIFFS`: St
Petersburg - Astrakhan - Caspian Sea - Anzali takes the ferry, not the line round the sea). An hours
figure is a train's running time between stations: it is compared with the route's days
without the loading at the origin and the unloading at the destination.

Published figures differ by *service class*, read for each row from its quote and source title
(the ``service`` column of ``observations.csv``, never from the model's error):

* ``first-run``: the source reports the figure for an opening run of a route, service or
  operator (first, maiden, inaugural, the train of a launch, a second train the source counts as
  such, pilot, test, trial, demonstration, a train "welcomed" as a showcase), or what such a
  run is planned to take;
* ``express``: the source names or sells the figure as that of a scheduled express, speed,
  fast, high-speed or priority product, faster than the operator's standard trains (a whole
  service's brand, China Railway Express or Chengdu-Europe Express, is no class);
* ``regular``: everything else (ordinary services, schedules, averages, typical times, no class
  stated), also the first train of a year or after a pause on an established service, and a
  milestone train (the 10,000th).

The time model has a fitted service-class effect: for an express or first-run figure, a factor
on the speed of every rail leg and one on every stop (border dwell, handling, ferry and feeder
waits) relative to regular service (:data:`~.calibrate_fit.SERVICE_CLASSES`; prior 1, an
estimate with sigma :data:`~.calibrate_fit.PRIOR_SIGMA_SERVICE`); where a class's effect acts
is :data:`~.calibrate_fit.SERVICE_STRUCTURE`, chosen among :data:`~.calibrate_fit.STRUCTURES`
by cross-validation on the training split (:mod:`.calibrate_cv`). The chosen structure also
gives an *advertised* figure (an operator's sold or best-case time) its own factor on every stop
against an observed trip (``advertised/stops``; :data:`~silkway.data.timing.KIND_CLASSES`). A
case is answered under its row's class and kind: the plan's P50 times the ratio of the route's
median days with and without their factors (common random draws); plans answer for an observed
trip of regular service.

A case is *within range* when the plan's P50 lies in the published [low, high] widened by
:data:`TOLERANCE` (relative) on each side: single published figures are rounded and vary by
shipment; "at least" and "at most" figures are open on one side.

Published distances are reported beside the days, not fitted: the same rules pick a route for
each distance observation (:func:`case_of`) and :mod:`.calibrate_distances` compares its km.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import itertools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from statistics import median
from typing import Any

import numpy as np

from silkway.analysis.calibrate_fit import BOUNDS as BOUNDS  # re-exported: the fit's pieces
from silkway.analysis.calibrate_fit import (
    DRAWS,
    LOSS,
    PORT_KINDS,
    SEED,
    STARTS,
    Fit,
    Param,
    calibrated_rows,
    fit_factors,
    form_of,
)
from silkway.analysis.calibrate_fit import Form as Form
from silkway.analysis.calibrate_fit import calibrated_csv as calibrated_csv
from silkway.analysis.plan import Route, plan
from silkway.analysis.writers import save_figure
from silkway.data.tables import Tables
from silkway.data.timing import Calibrated, apply_calibrated
from silkway.errors import SilkwayError
from silkway.network.model import Network
from silkway.types import Mode

SPLIT_SALT = "silkway-calibration-v1"
TEST_SHARE = 0.3
TOLERANCE = 0.15
LOG_TOLERANCE = 0.10
ROUNDS = 2
ERA_2022 = "era-2022"
# What boxes took and what operators sell: the fit and the headline figures. Planned figures
# (targets of services not yet run, or projections) are reported beside them, not fitted.
FIT_KINDS = frozenset({"observed", "advertised"})
METRICS = {"transit_days": 1.0, "transit_hours": 1.0 / 24.0}

CASPIAN_LON = 51.0  # east of Baku, west of Aktau: a trip across it takes a Caspian ferry
# A record run (or one that beat its target: arrived early, ahead of or prior to its schedule,
# in the quote or in the title of the source about that run) is the fastest box, so a P50 must
# be at least it; a figure the source gives for
# the time *before* the service it announces describes an earlier network and is not scored.
RECORD = re.compile(r"\brecord\b|\bbeat\b|\b(?:ahead of|prior to) (?:the )?schedule\b"
                    r"|\barriv\w* early\b", re.I)
SUPERSEDED = re.compile(r"used to take|\bif before\b|\bprevious arrangement\b", re.I)
# A door-to-door time of consolidated (LCL) cargo adds collection, consolidation at a freight
# station, deconsolidation and delivery to the trip silkway plans (one container, terminal to
# terminal), so it is not scored.
DOOR_TO_DOOR = re.compile(r"\bdoor-to-door\b.*\bLCL\b|\bLCL\b.*\bdoor-to-door\b", re.I)
# A port a sea-only source names on the way is a call of its liner service unless the source
# says the box changed ships there: a direct sea leg of the network includes its calls, so such
# a via point does not force a transshipment (Rotterdam - Qingdao on a loop calling Port Klang).
TRANSSHIPPED = re.compile(r"trans-?s?hip|umschlag|aktarma", re.I)

# Country names the observations give as via points (the route must cross them, if one does).
COUNTRY_NAMES = {"kazakhstan": "KZ", "russia": "RU", "belarus": "BY", "poland": "PL",
                 "mongolia": "MN", "kyrgyzstan": "KG", "uzbekistan": "UZ", "turkmenistan": "TM",
                 "tajikistan": "TJ", "afghanistan": "AF", "pakistan": "PK", "iran": "IR",
                 "azerbaijan": "AZ", "georgia": "GE", "turkey": "TR", "türkiye": "TR",
                 "turkiye": "TR", "china": "CN", "germany": "DE", "romania": "RO",
                 "bulgaria": "BG", "hungary": "HU", "austria": "AT"}
# A sea the source names as a via point between two of its via hubs is crossed by ship between
# them (St Petersburg - Astrakhan - Caspian Sea - Anzali: the ferry from Astrakhan, not the rail
# line round the sea through Azerbaijan); the tariff of the network's ferries on that sea.
# A sea named last, after the last via hub, is crossed between that hub and the destination
# (Altynkol - Baku - Poti or Batumi - Black Sea - Constanta: the feeder from Georgia).
SEA_TARIFFS = {"caspian sea": "ferry_caspian", "black sea": "ferry_blacksea"}
# Via points the source gives as alternatives ("Poti or Batumi"): the case is answered by the
# fastest route through either.
ALTERNATIVES = re.compile(r"\s+or\s+", re.I)




def _crosses(route: Route, tariff: str) -> bool:
    return any(rl.directed.leg.mode is Mode.FERRY and rl.directed.leg.tariff.tariff == tariff
               for rl in route.legs)


def _has(route: Route, hubs: set[str]) -> bool:
    ids = {rl.directed.src for rl in route.legs} | {rl.directed.dst for rl in route.legs}
    return bool(ids & hubs)


def _across_caspian(route: Route) -> bool:
    """A Caspian ferry, or no need for one (both ends on the same side of the sea)."""
    lons = [route.legs[0].directed.leg.coords[0 if route.legs[0].directed.forward else -1][1],
            route.legs[-1].directed.leg.coords[-1 if route.legs[-1].directed.forward else 0][1]]
    same_side = all(lon < CASPIAN_LON for lon in lons) or all(lon > CASPIAN_LON for lon in lons)
    return same_side or _caspian_from(route, {"KZ"}) or _caspian_from(route, {"AZ"}) or _caspian_from(
        route, {"TM"})


def _caspian_from(route: Route, countries: set[str]) -> bool:
    return any(rl.directed.leg.mode is Mode.FERRY and rl.directed.leg.countries[0 if
               rl.directed.forward else -1] in countries for rl in route.legs)


def _by_sea(route: Route) -> bool:
    """A sea figure's route: one haul by sea (every leg from its first sea leg to its last is a
    sea leg), with pre- or on-carriage by land only at an end that is no port, only in the
    countries of that end and of the port the haul begins or ends at, and shorter than the haul
    (Changsha - Shanghai by rail, Rotterdam - Düsseldorf; not Hamada - Dalian by sea and the
    Trans-Siberian on to Moscow, a land route with a sea feeder)."""
    legs = route.legs
    sea = [i for i, rl in enumerate(legs) if rl.directed.leg.mode is Mode.SEA]
    if not sea or any(rl.directed.leg.mode is not Mode.SEA for rl in legs[sea[0]:sea[-1] + 1]):
        return False
    ends = {h.reason: h.hub for h in route.handling if h.reason in ("origin", "destination")}
    first, last = legs[sea[0]].directed, legs[sea[-1]].directed
    haul_km = sum(rl.directed.leg.distance_km for rl in legs[sea[0]:sea[-1] + 1])
    for land, end, port in ((legs[:sea[0]], ends.get("origin"),
                             first.leg.countries[0 if first.forward else -1]),
                            (legs[sea[-1] + 1:], ends.get("destination"),
                             last.leg.countries[-1 if last.forward else 0])):
        if not land:
            continue
        if end is None or end.kind in PORT_KINDS:
            return False  # a port's sea figure is port to port
        if (not {c for rl in land for c in rl.directed.leg.countries} <= {end.country, port}
                or sum(rl.directed.leg.distance_km for rl in land) >= haul_km):
            return False
    return True


def _short_of_iran(route: Route) -> bool:
    """A leg of the southern corridor that ends (or starts) in Turkmenistan, the last country
    before Iran, without crossing Russia: a train on its way to or from Iran observed at the
    Turkmen border (Altynkol - Serhetyaka) never enters Iran."""
    return "TM" in (route.countries[0], route.countries[-1]) and "RU" not in route.countries


# corridor -> (plan options, does a route belong to it)
CORRIDORS: dict[str, tuple[dict[str, Any], Callable[[Route], bool]]] = {
    "middle-corridor": ({"avoid": "RU,BY,IR"}, _across_caspian),
    "middle-corridor-turkmen": ({"avoid": "RU,BY,IR"}, lambda r: _has(r, {"TMKRW"})),
    "northern": ({}, lambda r: "RU" in r.countries and not _has(r, {"RUVVO", "RUVYP"})
                 and not any(rl.directed.leg.mode is Mode.FERRY for rl in r.legs)),
    "trans-siberian": ({}, lambda r: _has(r, {"RUVVO", "RUVYP"})),
    "sea-suez": ({"close": "cape"}, _by_sea),
    "sea-cape": ({"close": "suez"}, lambda r: True),
    "southern-iran": ({}, lambda r: "IR" in r.countries or _short_of_iran(r)),
    "trans-afghan": ({}, lambda r: "AF" in r.countries),
    "kashgar-road": ({}, lambda r: _has(r, {"KG-IRKESHTAM", "KG-TORUGART"})),
    "cku": ({"scenario": "cku-railway"}, lambda r: any(rl.directed.leg.status == "scenario"
                                                       for rl in r.legs)),
    "china-central-asia": ({"avoid": "RU"}, lambda r: True),
    "sea-intra-asia": ({}, lambda r: True),
}


@dataclass(frozen=True)
class Case:
    """One observation as a plan query and a published range (in days)."""

    id: str
    origin: str
    destination: str
    corridor: str
    modes: tuple[str, ...]
    via: tuple[str, ...]
    low: float
    high: float
    bound: str
    kind: str
    year: int | None
    split: str
    month: int | None = None
    countries: tuple[str, ...] = ()  # countries the published route names as via points
    station: bool = False  # a train's running time between stations (hours figures)
    service: str = "regular"  # the service class of the run or product (observations.csv)
    # (hub before, hub after, ferry tariff): a sea named between two via hubs (SEA_TARIFFS)
    crossings: tuple[tuple[str, str, str], ...] = ()
    # the same case through the other via points of a choice the source gives ("A or B")
    alternatives: tuple[Case, ...] = ()

    @property
    def mode_label(self) -> str:
        return "+".join(m for m in ("sea", "rail", "road", "ferry") if m in self.modes)

    def scenario(self) -> str | None:
        opts = CORRIDORS[self.corridor][0]
        if self.year == 2022 and "scenario" not in opts:
            return ERA_2022  # a 2022 figure is answered by the network as it was in 2022
        return opts.get("scenario")

    def window(self, tolerance: float = TOLERANCE) -> tuple[float, float]:
        """The range a P50 (or, with the distances' tolerance, a route's km) must fall in to
        count as within range: the published range widened by ``tolerance`` on each side,
        open on the side an "at least" or "at most" figure leaves open."""
        lo = self.low * (1 - tolerance) if self.bound != "at_most" else 0.0
        hi = self.high * (1 + tolerance) if self.bound != "at_least" else math.inf
        return lo, hi

    def residual(self, days: float) -> float:
        """Log-distance of ``days`` from the published range, in half-widths (0 inside)."""
        x = math.log(max(days, 1e-3))
        lo, hi = math.log(self.low), math.log(self.high)
        half = max((hi - lo) / 2, LOG_TOLERANCE)
        if self.bound == "at_least":
            return min(0.0, x - lo) / LOG_TOLERANCE
        if self.bound == "at_most":
            return max(0.0, x - hi) / LOG_TOLERANCE
        mid = (lo + hi) / 2
        return (x - mid) / half

    def slope(self, days: float) -> float:
        """d :meth:`residual` / d ``days``."""
        x = math.log(max(days, 1e-3))
        lo, hi = math.log(self.low), math.log(self.high)
        if self.bound == "at_least":
            return 1.0 / (LOG_TOLERANCE * days) if x < lo else 0.0
        if self.bound == "at_most":
            return 1.0 / (LOG_TOLERANCE * days) if x > hi else 0.0
        return 1.0 / (max((hi - lo) / 2, LOG_TOLERANCE) * days)

    def target(self) -> float:
        """A single published value for error measures: the middle of the range."""
        if self.bound == "at_least":
            return self.low
        if self.bound == "at_most":
            return self.high
        return math.sqrt(self.low * self.high)


def split_of(obs_id: str) -> str:
    """``test`` for the held-out share of observations, ``train`` otherwise (by hash)."""
    h = int(hashlib.sha256(f"{SPLIT_SALT}{obs_id}".encode()).hexdigest()[:8], 16)
    return "test" if h / 0xFFFFFFFF < TEST_SHARE else "train"


def cases_from(observations: Sequence[Any], network: Network) -> tuple[list[Case],
                                                                       list[tuple[str, str]]]:
    """The observations silkway can answer, and (id, reason) for those it cannot."""
    out, skipped = [], []
    for o in observations:
        if o.metric not in METRICS:
            continue
        if SUPERSEDED.search(o.quote):
            skipped.append((o.id, "the source gives it as the time before the service it announces"))
            continue
        if DOOR_TO_DOOR.search(o.quote):
            skipped.append((o.id, "the source gives a door-to-door time of consolidated (LCL) cargo"))
            continue
        record = RECORD.search(o.quote) or RECORD.search(o.source_title)
        case = case_of(o, network, METRICS[o.metric],
                       bound="at_least" if record and o.bound == "value" else o.bound)
        if isinstance(case, str):
            skipped.append((o.id, case))
        else:
            out.append(case)
    return out, skipped


class NotAHub(str):
    """Why an observation has no case: a place it names is not a hub of the network."""

    __slots__ = ()


def _is_hub(network: Network, name: str) -> bool:
    try:
        network.find(name)
    except SilkwayError:
        return False
    return True


def case_of(o: Any, network: Network, factor: float, *, bound: str | None = None) -> Case | str:
    """The plan query an observation describes (its corridor, via points and modes) with its
    published range times ``factor`` (to days, or to km), or why it has none."""
    if o.corridor not in CORRIDORS:
        return f"corridor {o.corridor} is not a route"
    try:
        a, b = network.find(o.origin), network.find(o.destination)
    except SilkwayError:
        return NotAHub(f"{o.origin} or {o.destination} is not a hub")
    if a.id == b.id:
        return "origin and destination are the same hub"
    choice = next((i for i, v in enumerate(o.via) if ALTERNATIVES.search(v.strip())), None)
    if choice is not None:
        # "Poti or Batumi": one case per alternative, the first carrying the others
        # (an alternative that is no hub is left out, as a via point that is no hub is)
        parts = [p for p in ALTERNATIVES.split(o.via[choice].strip()) if _is_hub(network, p)]
        options = [dataclasses.replace(o, via=(*o.via[:choice], *parts[:1], *o.via[choice + 1:]))]
        options += [dataclasses.replace(o, via=(*o.via[:choice], p, *o.via[choice + 1:]))
                    for p in parts[1:]]
        made = [case_of(x, network, factor, bound=bound) for x in options]
        cases = [c for c in made if isinstance(c, Case)]
        if not cases:
            return made[0]
        return dataclasses.replace(cases[0], alternatives=tuple(cases[1:]))
    via: list[str] = []
    countries: list[str] = []
    crossings: list[tuple[str, str, str]] = []
    pending: tuple[str, str] | None = None  # (hub before, tariff) of a sea just named
    last: str | None = None  # the via hub just named (None after a country)
    call_only = ({m.value for m in o.modes} == {"sea"}
                 and not TRANSSHIPPED.search(o.quote) and not TRANSSHIPPED.search(o.source_title))
    for v in o.via:
        name = v.strip().casefold()
        if name in COUNTRY_NAMES:
            countries.append(COUNTRY_NAMES[name])
            last = pending = None
            continue
        if name in SEA_TARIFFS:
            pending = (last, SEA_TARIFFS[name]) if last is not None else None
            continue
        # a country or sea named as a via point is no hub: the corridor rule covers it
        last = None
        with contextlib.suppress(SilkwayError):
            hub = network.find(v)
            if not (call_only and hub.kind == "port"):
                via.append(hub.id)
                if pending is not None:
                    crossings.append((pending[0], hub.id, pending[1]))
                last = hub.id
        pending = None
    if pending is not None:  # a sea named last: crossed on the way to the destination
        crossings.append((pending[0], b.id, pending[1]))
    modes = {m.value for m in o.modes}
    if modes == {"sea"} and not {a.kind, b.kind} <= PORT_KINDS:
        # a sea figure between places that are not both ports (Shanghai - Düsseldorf "by ship")
        # includes the pre- or on-carriage between the inland end and its port, by rail or road
        modes |= {"rail", "road"}
    if "sea" in modes:
        modes.add("ferry")  # Caspian and Black Sea crossings are ferry legs of the network
    month = int(o.date[5:7]) if len(o.date) >= 7 else None
    return Case(o.id, a.id, b.id, o.corridor, tuple(sorted(modes)), tuple(via),
                o.low * factor, o.high * factor, bound or o.bound, o.kind, o.year,
                split_of(o.id), month, tuple(countries), o.metric == "transit_hours", o.service,
                tuple(crossings))


def route_for(network: Network, case: Case) -> Route | None:
    """The fastest route of the case's corridor and modes, through its via hubs in the order
    the source names them. The candidates are the plan's Pareto routes and the best route of
    the case's named corridor, which the Pareto set need not hold (a slower corridor's route is
    dominated, yet it is the one the observation describes).

    ``None`` when no route of the corridor passes the via hubs: the network does not hold the
    line the published train took, and the time of another line is no answer to the figure
    (Chongqing - Moscow through Erenhot and Mongolia was answered through Kazakhstan, 6 days
    shorter, before the network held the Trans-Mongolian line).
    """
    if case.alternatives:
        found = [r for c in (dataclasses.replace(case, alternatives=()), *case.alternatives)
                 if (r := route_for(network, c)) is not None]
        return min(found, key=lambda r: r.expected_days) if found else None
    best = _fastest(network, case, ())
    if best is None:
        return None
    avoided: set[str] = set()
    if case.crossings:
        # A sea the source names between two via hubs is crossed by ship between them: when
        # the fastest route goes round it by land, the countries of that detour (neither end's,
        # none the source names) are avoided and the route searched for again.
        detour = set().union(*(_detour(network, best, a, b) for a, b, t in case.crossings
                               if not _crosses(best, t))) - set(case.countries)
        if detour:
            again = _fastest(network, case, tuple(sorted(detour)))
            if again is None or not all(_crosses(again, t) for _, _, t in case.crossings):
                return None
            best, avoided = again, detour
    # Countries the source names in order are crossed in that order, one after the other: a
    # country the route crosses between two of them (none the source names, no end's or via
    # hub's) is a detour, avoided and the route searched for again (Zhetygen - Uzbekistan -
    # Afghanistan - Pakistan - Karachi goes by Termez, not through Tajikistan). Sources leave
    # countries out (Urumqi - Kazakhstan - Russia - Poland - Duisburg crosses Belarus), so the
    # route searched for again is taken only when it follows the order; else the first stays.
    detour = _between(best, case.countries) - _kept(network, case)
    if detour:
        again = _fastest(network, case, tuple(sorted(avoided | detour)))
        if (again is not None and not _between(again, case.countries)
                and _in_order(again, case.countries)
                and all(_crosses(again, t) for _, _, t in case.crossings)):
            best = again
    return best


def _fastest(network: Network, case: Case, avoid: tuple[str, ...]) -> Route | None:
    opts, fits = CORRIDORS[case.corridor]
    kw = {k: v for k, v in opts.items() if k != "scenario"}
    if avoid:
        kw["avoid"] = ",".join(sorted({*filter(None, str(kw.get("avoid", "")).split(",")),
                                       *avoid}))
    via = tuple(dict.fromkeys(v for v in case.via if v not in (case.origin, case.destination)))
    try:
        result = plan(network, case.origin, case.destination,
                      modes=",".join(case.modes) or None, scenario=case.scenario(),
                      month=case.month, thin=0, max_routes=200, via=via, **kw)
    except SilkwayError:
        return None
    named = [a.route for a in result.corridors
             if a.route is not None and a.corridor.id == case.corridor]
    routes = [r for r in (*result.routes, *named) if fits(r)]
    if case.countries:
        routes = [r for r in routes if set(case.countries) <= set(r.countries)] or routes
    return min(routes, key=lambda r: r.expected_days) if routes else None


def _order(named: Sequence[str]) -> list[str]:
    """The named countries in order, a country named twice running counted once."""
    return [c for i, c in enumerate(named) if i == 0 or named[i - 1] != c]


def _positions(route: Route, named: Sequence[str]) -> tuple[list[str], list[int]] | None:
    """Where along :func:`_walk` the route first crosses each named country, each after the
    one named before it; ``None`` when it does not cross them all in that order."""
    walk, at, pos = route.crossings, [], 0
    for c in _order(named):
        if c not in walk[pos:]:
            return None
        pos = walk.index(c, pos)
        at.append(pos)
        pos += 1
    return walk, at


def _in_order(route: Route, named: Sequence[str]) -> bool:
    """``route`` crosses every named country, each after the one named before it."""
    return _positions(route, named) is not None


def _between(route: Route, named: Sequence[str]) -> set[str]:
    """The countries ``route`` crosses between two countries named one after the other, other
    than those two (a detour from the order the source names); empty when there is none or the
    route does not cross them in that order (:func:`_in_order` says which)."""
    found = _positions(route, named)
    if found is None:
        return set()
    walk, at = found
    return {c for i, j in itertools.pairwise(at) for c in walk[i + 1:j]} - set(named)


def _kept(network: Network, case: Case) -> set[str]:
    """Countries a case's route may never avoid: its ends', its via hubs' and the named ones."""
    return ({network.hub(h).country for h in (case.origin, case.destination, *case.via)}
            | set(case.countries))


def _detour(network: Network, route: Route, a: str, b: str) -> set[str]:
    """The countries ``route`` crosses between hubs ``a`` and ``b`` other than theirs."""
    ids = [rl.directed.src for rl in route.legs]
    i = ids.index(a) if a in ids else len(ids)
    j = next((k for k in range(i, len(ids)) if route.legs[k].directed.dst == b), None)
    if j is None:
        return set()
    crossed = {c for rl in route.legs[i:j + 1] for c in rl.directed.leg.countries}
    return crossed - {network.hub(a).country, network.hub(b).country}


def unmatched_reason(network: Network, case: Case) -> str:
    """Why :func:`route_for` has no route for ``case``: its via hubs (the network has a route
    of the corridor without them) or its corridor and modes."""
    via = [v for v in case.via if v not in (case.origin, case.destination)]
    what = f"no route of the {case.corridor} corridor by {case.mode_label or 'any mode'}"
    if via and route_for(network, dataclasses.replace(case, via=())) is not None:
        return f"{what} passes {', '.join(network.hub(v).name for v in via)}"
    return what


def service_factors(network: Network) -> dict[Param, float]:
    """The fitted service-class factors the network's calibrated rows carry (none: all 1)."""
    return {(c.target_type, c.key): c.factor for c in network.tables.calibrated
            if c.target_type == "service"}


def p50_of(case: Case, route: Route, factors: dict[Param, float] | None = None) -> float:
    """The P50 the case compares with the published figure: the plan's, or for a station-to-
    station figure the median of the route's days without its end lifts (seeded). A case of
    an express or first-run figure is answered under its class's ``factors``: the plan's P50
    times the ratio of the route's median days with and without them (common draws)."""
    f = form_of(route, ends=not case.station, service=case.service, kind=case.kind)
    scaled = any(p in (factors or {}) for p in f.service_params() or ())
    if not case.station and not scaled:
        return route.transit_days.p50
    with_class = float(np.median(f.days(factors or {}, np.random.default_rng(SEED))))
    if case.station:
        return with_class
    plain = float(np.median(f.days({}, np.random.default_rng(SEED))))
    return route.transit_days.p50 * with_class / plain


def with_rows(network: Network, base: Tables, rows: Sequence[Calibrated]) -> Network:
    """The network with the priors of ``base`` and the calibrated ``rows`` applied."""
    from silkway.network.model import reassemble

    return reassemble(network, apply_calibrated(dataclasses.replace(base, calibrated=()),
                                                list(rows)))


def fit(network_prior: Network, cases: Sequence[Case], *, rounds: int = ROUNDS,
        fitted_on: str | None = None, stats: list[Fit] | None = None) -> list[Calibrated]:
    """Fit the time model on the training cases; the calibrated rows, from the priors.

    Each round re-chooses the routes with the values of the round before and fits again from
    the priors; ``stats``, when given, receives each round's :class:`Fit`.
    """
    tables = network_prior.tables
    fitted_on = fitted_on or datetime.now(UTC).date().isoformat()
    train = [c for c in cases if c.split == "train" and c.kind in FIT_KINDS]
    net, rows = network_prior, []
    for _ in range(rounds):
        pairs = [(c, route_for(net, c)) for c in train]
        # forms at the *prior* values: the fit's factors are relative to the sourced table
        prior_pairs = [(c, route_for(network_prior, c) if r is None else r) for c, r in pairs]
        kept = [(c, r) for c, r in prior_pairs if r is not None]
        forms = [form_of(_on(as_case(network_prior, c), r), ends=not c.station,
                         service=c.service, kind=c.kind) for c, r in kept]
        uses: dict[Param, list[str]] = {}
        for (c, _), f in zip(kept, forms, strict=True):
            for p in {*f.moving, *(q for q, _ in f.parts), *(f.service_params() or ())}:
                uses.setdefault(p, []).append(c.id)
        result = fit_factors([c for c, _ in kept], forms, tables)
        if stats is not None:
            stats.append(result)
        rows = calibrated_rows(tables, result.factors, uses, fitted_on)
        net = with_rows(network_prior, tables, rows)
    return rows


def as_case(network: Network, case: Case) -> Network:
    """``network`` as the case's query sees it: its scenario (an era for a 2022 figure) and
    the seasonality of its month applied, as :func:`route_for`'s plan applies them."""
    from silkway.analysis import scenarios

    name = case.scenario()
    scen = scenarios.load_scenario(name, network.tables) if name is not None else None
    return scenarios.apply(network, scen, case.month)


def _on(network: Network, route: Route) -> Route:
    """The same legs and lifts with ``network``'s values (the route's own tables may differ)."""
    from silkway.analysis.plan import Handling, RouteLeg
    from silkway.routing.constraints import Constraints
    from silkway.routing.emission import CargoSpec
    from silkway.routing.graph import DirectedLeg, leg_figures

    spec = CargoSpec.of(network.tables, Constraints.make())
    by_key = {(leg.src, leg.dst, leg.mode, leg.variant): leg for leg in network.legs}
    legs = []
    for rl in route.legs:
        old = rl.directed.leg
        leg = by_key.get((old.src, old.dst, old.mode, old.variant), old)
        fwd = rl.directed.forward
        legs.append(RouteLeg(DirectedLeg(leg, fwd), leg_figures(leg, spec, network, fwd)))
    handling = tuple(Handling(network.hub(h.hub.id), h.reason, h.footprint, h.operation)
                     for h in route.handling)
    return dataclasses.replace(route, legs=tuple(legs), handling=handling)


# ---- evaluation and report ----------------------------------------------------------------


def evaluate(network: Network, cases: Sequence[Case]) -> list[dict[str, Any]]:
    """Each case's route and P50 on ``network``, within range or not, and % error."""
    out = []
    factors = service_factors(network)
    for c in cases:
        r = route_for(network, c)
        row: dict[str, Any] = {"id": c.id, "split": c.split if c.kind in FIT_KINDS else "planned",
                               "corridor": c.corridor, "service": c.service, "month": c.month,
                               "modes": c.mode_label, "kind": c.kind, "year": c.year,
                               "origin": c.origin, "destination": c.destination,
                               "low": c.low, "high": c.high, "bound": c.bound,
                               "scenario": c.scenario()}
        if r is None:
            row.update(p50=None, within=None, ape=None, route=None,
                       unmatched=unmatched_reason(network, c))
        else:
            lo, hi = c.window()
            p50 = p50_of(c, r, factors)  # compared unrounded: rounding first can move a P50 across a bound
            row.update(p50=round(p50, 2), within=bool(lo <= p50 <= hi),
                       ape=round(100 * abs(p50 - c.target()) / c.target(), 1), route=r.label,
                       unmatched=None)
        out.append(row)
    return out


def summarise(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Share within range (%) and median absolute percentage error over the rows with a
    route; ``unmatched`` counts those the network cannot answer by their corridor and modes."""
    live = [r for r in rows if r["p50"] is not None]
    n = len(live)
    apes = [r["ape"] for r in live]
    return {"n": n, "unmatched": len(rows) - n,
            "within_pct": round(100 * sum(r["within"] for r in live) / n, 1) if n else None,
            "mdape_pct": round(median(apes), 1) if apes else None}


def report(before: Sequence[dict[str, Any]], after: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Before/after summaries, overall and by split; the held-out split by corridor, mode,
    service class and kind of figure."""
    def groups(rows: Sequence[dict[str, Any]], key: str | None, split: str | None
               ) -> dict[str, Any]:
        sel = [r for r in rows if split is None or r["split"] == split]
        if key is None:
            return summarise(sel)
        return {k: summarise([r for r in sel if r[key] == k])
                for k in sorted({r[key] for r in sel})}

    out: dict[str, Any] = {"rule": {"tolerance": TOLERANCE, "test_share": TEST_SHARE,
                                    "split_salt": SPLIT_SALT, "draws": DRAWS, "seed": SEED}}
    for name, rows in (("before", before), ("after", after)):
        out[name] = {"all": groups([r for r in rows if r["split"] != "planned"], None, None),
                     "train": groups(rows, None, "train"),
                     "test": groups(rows, None, "test"),
                     "planned": groups(rows, None, "planned"),
                     "test_by_corridor": groups(rows, "corridor", "test"),
                     "test_by_mode": groups(rows, "modes", "test"),
                     "test_by_service": groups(rows, "service", "test"),
                     "test_by_kind": groups(rows, "kind", "test"),
                     "all_by_corridor": groups(rows, "corridor", None),
                     "all_by_mode": groups(rows, "modes", None)}
    out["cases"] = [{**a, "p50_before": b["p50"], "within_before": b["within"]}
                    for a, b in zip(after, before, strict=True)]
    return out


def chart(rep: dict[str, Any], path: str) -> None:
    """PNG: predicted P50 against the published figure, before and after, held-out marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 6.0), dpi=120)
    cases = [c for c in rep["cases"] if c["p50"] is not None]
    mid = [math.sqrt(c["low"] * c["high"]) for c in cases]
    err = [[m - c["low"] for m, c in zip(mid, cases, strict=True)],
           [c["high"] - m for m, c in zip(mid, cases, strict=True)]]
    ax.errorbar(mid, [c["p50_before"] or np.nan for c in cases], xerr=err, fmt="o",
                color="0.7", ms=4, lw=0.6, label="prior (sourced values)")
    for split, marker in (("train", "o"), ("test", "D")):
        sel = [(m, c) for m, c in zip(mid, cases, strict=True) if c["split"] == split]
        ax.scatter([m for m, _ in sel], [c["p50"] for _, c in sel], marker=marker, s=22,
                   label=f"calibrated, {split}", zorder=3)
    top = max([*mid, *(c["p50"] for c in cases)]) * 1.2
    xs = np.array([0.5, top])
    ax.plot(xs, xs, "k-", lw=0.8)
    ax.fill_between(xs, xs * (1 - TOLERANCE), xs * (1 + TOLERANCE), color="k", alpha=0.07)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("published transit days (range middle; bars: range)")
    ax.set_ylabel("silkway P50 days")
    t = rep["after"]["test"]
    ax.set_title(f"held-out: {t['within_pct']} % within range, MdAPE {t['mdape_pct']} %")
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    save_figure(fig, path)
    plt.close(fig)


# ---- one entry point for the CLI and the tests --------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What ``silkway calibrate`` computed: the report, and the calibrated rows it stands on."""

    report: dict[str, Any]
    rows: tuple[Calibrated, ...]
    skipped: tuple[tuple[str, str], ...]


def run(network: Network, observations: Sequence[Any], *, refit: bool = False,
        fitted_on: str | None = None) -> Outcome:
    """Score the prior and the calibrated time model on the observations (refitting first if
    asked); ``network`` is the shipped (calibrated) network."""
    from silkway.data.tables import load_tables
    from silkway.network.model import reassemble

    base = load_tables(calibrated=False)
    prior = reassemble(network, base)
    cases, skipped = cases_from(observations, prior)
    stats: list[Fit] = []
    rows = (tuple(fit(prior, cases, fitted_on=fitted_on, stats=stats)) if refit
            else tuple(network.tables.calibrated))
    after = with_rows(prior, base, rows)
    rep = report(evaluate(prior, cases), evaluate(after, cases))
    rep["skipped"] = [{"id": i, "why": why} for i, why in skipped]
    from silkway.analysis.calibrate_distances import distance_report

    rep["distances"] = distance_report(after, observations)  # report only: nothing fitted
    rep["parameters"] = [{"target_type": r.target_type, "key": r.key, "quantity": r.quantity,
                          "prior": r.prior, "fitted": r.fitted} for r in rows]
    rep["fitted_on"] = rows[0].fitted_on if rows else None
    if stats:  # how the fit went (a refit only; scoring the shipped values fits nothing)
        rep["fit"] = {"loss": LOSS, "starts": STARTS, "rounds": [
            {"cost": round(f.cost, 4), "data_cost": round(f.data_cost, 4),
             "start_costs": [round(c, 4) for c in f.start_costs], "nfev": f.nfev,
             "converged": f.converged} for f in stats]}
    return Outcome(rep, rows, tuple(skipped))
