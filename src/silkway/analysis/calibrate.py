"""``silkway calibrate``: the time model fitted to, and checked against, published transit times.

Each transit-time observation of ``observations.csv`` whose origin and destination are hubs
becomes a *case*: the plan query its corridor and modes describe (a Middle Corridor trip avoids
Russia and must cross the Caspian by ferry from Kazakhstan, a Kashgar-road trip must cross
Irkeshtam or Torugart by truck, ...), answered by the fastest route that fits. Observations of
2022 on the Middle Corridor are answered under the ``era-2022`` scenario.

The free parameters are multipliers on the sourced values (the priors): commercial speed of
each tariff (rail by country or region, sea, road), border dwell by crossing, handling by hub
profile and operation, and the waits of ferry and feeder services. With every route held fixed,
a route's median days are ``sum(moving / speed factor) + sum(factor * delay)`` over its parts,
simulated with common random numbers, so the fit sees a smooth function of the parameters.

The loss, stated: ``scipy.optimize.least_squares`` with ``loss="soft_l1"`` (f_scale 1) over
(a) each training case's log-distance from its published range in units of the range's
half-width in log space (at least :data:`LOG_TOLERANCE`), zero inside the range, and (b) one
prior residual per parameter, ``log(factor) / sigma`` with sigma :data:`PRIOR_SIGMA_SOURCED` for
a sourced prior and :data:`PRIOR_SIGMA_ESTIMATE` for an estimate, factors bounded to
:data:`BOUNDS`. Routes are re-chosen with the fitted values and the fit repeated
(:data:`ROUNDS` rounds). The split is deterministic: an observation is held out when the
SHA-256 of :data:`SPLIT_SALT` + its id falls in the lowest :data:`TEST_SHARE` of the range.

A *record* run (the quote, or the title of the source about that run, calls the time a record,
or says the run beat its target: arrived early, ahead of or prior to its schedule) is a lower
bound on the P50 (``at_least``);
a figure the source gives for the time *before* the service it announces ("used to take") is
not scored (nor one the source, or the table's quote, calls the previous arrangement a new
route replaces). A Middle Corridor case must cross the Caspian by ferry when its ends lie on
opposite sides of the sea; a country the source names as a via point must be crossed (when
a route of the corridor does). An hours figure is a train's running time between stations: it
is compared with the route's days without the loading at the origin and the unloading at the
destination.

A case is *within range* when the plan's P50 lies in the published [low, high] widened by
:data:`TOLERANCE` (relative) on each side: single published figures are rounded and vary by
shipment; "at least" and "at most" figures are open on one side.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from statistics import median
from typing import Any

import numpy as np
from numpy.typing import NDArray

from silkway.analysis.plan import Route, plan
from silkway.data.tables import LogNormal, Tables
from silkway.data.timing import Calibrated, apply_calibrated
from silkway.errors import SilkwayError
from silkway.network.model import Network
from silkway.types import Mode

SPLIT_SALT = "silkway-calibration-v1"
TEST_SHARE = 0.3
TOLERANCE = 0.15
LOG_TOLERANCE = 0.10
PRIOR_SIGMA_SOURCED = 0.3
PRIOR_SIGMA_ESTIMATE = 0.6
PRIOR_SIGMA_SEA_SPEED = 0.15  # ship speeds are physics and schedules, not a free guess
PRIOR_SIGMA_SPEED = 0.2  # a sourced land speed comes from timetables or published trip times
BOUNDS = {"tariff": (0.5, 1.6), "border": (0.25, 4.0), "handling": (0.25, 4.0),
          "wait": (0.25, 4.0)}
ROUNDS = 2
DRAWS = 1000
SEED = 20_261_201
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

# Country names the observations give as via points (the route must cross them, if one does).
COUNTRY_NAMES = {"kazakhstan": "KZ", "russia": "RU", "belarus": "BY", "poland": "PL",
                 "mongolia": "MN", "kyrgyzstan": "KG", "uzbekistan": "UZ", "turkmenistan": "TM",
                 "tajikistan": "TJ", "afghanistan": "AF", "pakistan": "PK", "iran": "IR",
                 "azerbaijan": "AZ", "georgia": "GE", "turkey": "TR", "türkiye": "TR",
                 "turkiye": "TR", "china": "CN", "germany": "DE", "romania": "RO",
                 "bulgaria": "BG", "hungary": "HU", "austria": "AT"}

# Loading and unloading are one parameter per hub profile: a trip read backwards pays the same.
TIED = {"end": "start", "land_end": "land_start"}
TIED_BACK = {"start": "end", "land_start": "land_end"}

Param = tuple[str, str]  # (target type, key): ("tariff", "rail_cn"), ("handling", "port_cn/end")


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


# corridor -> (plan options, does a route belong to it)
CORRIDORS: dict[str, tuple[dict[str, Any], Callable[[Route], bool]]] = {
    "middle-corridor": ({"avoid": "RU,BY,IR"}, _across_caspian),
    "middle-corridor-turkmen": ({"avoid": "RU,BY,IR"}, lambda r: _has(r, {"TMKRW"})),
    "northern": ({}, lambda r: "RU" in r.countries and not _has(r, {"RUVVO", "RUVYP"})
                 and not any(rl.directed.leg.mode is Mode.FERRY for rl in r.legs)),
    "trans-siberian": ({}, lambda r: _has(r, {"RUVVO", "RUVYP"})),
    "sea-suez": ({"close": "cape"}, lambda r: all(rl.directed.leg.mode is Mode.SEA
                                                  for rl in r.legs)),
    "sea-cape": ({"close": "suez"}, lambda r: True),
    "southern-iran": ({}, lambda r: "IR" in r.countries),
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

    @property
    def mode_label(self) -> str:
        return "+".join(m for m in ("sea", "rail", "road", "ferry") if m in self.modes)

    def scenario(self) -> str | None:
        opts = CORRIDORS[self.corridor][0]
        if self.year == 2022 and self.corridor.startswith("middle-corridor"):
            return ERA_2022
        return opts.get("scenario")

    def window(self) -> tuple[float, float]:
        """The range a P50 must fall in to count as within range."""
        lo = self.low * (1 - TOLERANCE) if self.bound != "at_most" else 0.0
        hi = self.high * (1 + TOLERANCE) if self.bound != "at_least" else math.inf
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
        if o.corridor not in CORRIDORS:
            skipped.append((o.id, f"corridor {o.corridor} is not a route"))
            continue
        try:
            a, b = network.find(o.origin), network.find(o.destination)
        except SilkwayError:
            skipped.append((o.id, f"{o.origin} or {o.destination} is not a hub"))
            continue
        if a.id == b.id:
            skipped.append((o.id, "origin and destination are the same hub"))
            continue
        via, countries = [], []
        for v in o.via:
            if v.strip().casefold() in COUNTRY_NAMES:
                countries.append(COUNTRY_NAMES[v.strip().casefold()])
                continue
            # a country or sea named as a via point is no hub: the corridor rule covers it
            with contextlib.suppress(SilkwayError):
                via.append(network.find(v).id)
        f = METRICS[o.metric]
        modes = {m.value for m in o.modes}
        if "sea" in modes:
            modes.add("ferry")  # Caspian and Black Sea crossings are ferry legs of the network
        month = int(o.date[5:7]) if len(o.date) >= 7 else None
        record = RECORD.search(o.quote) or RECORD.search(o.source_title)
        bound = "at_least" if record and o.bound == "value" else o.bound
        out.append(Case(o.id, a.id, b.id, o.corridor, tuple(sorted(modes)), tuple(via),
                        o.low * f, o.high * f, bound, o.kind, o.year, split_of(o.id), month,
                        tuple(countries), o.metric == "transit_hours"))
    return out, skipped


def route_for(network: Network, case: Case) -> Route | None:
    """The fastest route of the case's corridor and modes, through its via hubs in the order
    the source names them (the search is asked to pass them; when no route can, the via
    points are dropped). The candidates are the plan's Pareto routes and the best route of the
    case's named corridor, which the Pareto set need not hold (a slower corridor's route is
    dominated, yet it is the one the observation describes)."""
    opts, fits = CORRIDORS[case.corridor]
    kw = {k: v for k, v in opts.items() if k != "scenario"}
    via = tuple(dict.fromkeys(v for v in case.via if v not in (case.origin, case.destination)))
    for stages in ((via, ()) if via else ((),)):
        try:
            result = plan(network, case.origin, case.destination,
                          modes=",".join(case.modes) or None, scenario=case.scenario(),
                          month=case.month, thin=0, max_routes=200, via=stages, **kw)
        except SilkwayError:
            continue
        named = [a.route for a in result.corridors
                 if a.route is not None and a.corridor.id == case.corridor]
        routes = [r for r in (*result.routes, *named) if fits(r)]
        if case.countries:
            routes = [r for r in routes if set(case.countries) <= set(r.countries)] or routes
        if routes:
            return min(routes, key=lambda r: r.expected_days)
    return None


# ---- route -> parametric form -------------------------------------------------------------


@dataclass
class Form:
    """A route's days as parameters: moving days per tariff and delays per parameter."""

    moving: dict[Param, float] = field(default_factory=dict)
    parts: list[tuple[Param, LogNormal]] = field(default_factory=list)

    def samples(self, rng: np.random.Generator) -> NDArray[np.float64]:
        z = rng.standard_normal((len(self.parts), DRAWS))
        return np.array([np.exp(d.mu + d.sigma * z[i]) if d.p50 > 0 else np.zeros(DRAWS)
                         for i, (_, d) in enumerate(self.parts)]).reshape(len(self.parts), DRAWS)


def form_of(route: Route, *, ends: bool = True) -> Form:
    """The parametric form of a route's days (without the loading and unloading at its ends
    when not ``ends``: a train's running time between stations)."""
    f = Form()
    for rl in route.legs:
        leg = rl.directed.leg
        key: Param = ("tariff", leg.tariff.tariff)
        f.moving[key] = f.moving.get(key, 0.0) + rl.figures.moving_days
        if rl.figures.wait_days.p50 > 0:
            f.parts.append((("wait", leg.tariff.tariff), rl.figures.wait_days))
        if leg.border is not None:
            f.parts.append((("border", leg.border.border), rl.figures.dwell_days))
    for h in route.handling if ends else route.handling[1:-1]:
        op = TIED.get(h.operation, h.operation)
        f.parts.append((("handling", f"{h.hub.profile.profile}/{op}"), h.days))
    return f


def p50_of(case: Case, route: Route) -> float:
    """The P50 the case compares with the published figure: the plan's, or for a station-to-
    station figure the median of the route's days without its end lifts (seeded)."""
    if not case.station:
        return route.transit_days.p50
    f = form_of(route, ends=False)
    smp = f.samples(np.random.default_rng(SEED))
    return float(np.median(sum(f.moving.values()) + smp.sum(axis=0)))


def _sigma(tables: Tables, p: Param) -> float:
    kind, key = p
    if kind == "tariff" and tables.tariffs[key].mode in (Mode.SEA, Mode.FERRY):
        return PRIOR_SIGMA_SEA_SPEED
    if kind == "tariff" and tables.tariffs[key].provenance.source:
        return PRIOR_SIGMA_SPEED
    if kind in ("tariff", "wait"):
        prov = tables.tariffs[key].provenance
    elif kind == "border":
        prov = tables.borders[key].provenance
    else:
        prof, _, op = key.partition("/")
        pr = tables.profiles[prof]
        prov = next((o.provenance for o in pr.operations if o.operation == op), pr.provenance)
    return PRIOR_SIGMA_SOURCED if prov.source else PRIOR_SIGMA_ESTIMATE


def _prior_value(tables: Tables, p: Param) -> float:
    kind, key = p
    if kind == "tariff":
        return tables.tariffs[key].speed_kmh
    if kind == "border":
        return tables.borders[key].dwell_days.p50
    if kind == "wait":
        return 1.0
    prof, _, op = key.partition("/")
    return tables.profiles[prof].handling(op)[0].p50


def fit_factors(cases: Sequence[Case], forms: Sequence[Form], tables: Tables
                ) -> dict[Param, float]:
    """Least-squares factors (soft-L1 on log days, priors, bounds) for fixed routes."""
    from scipy.optimize import least_squares

    params = sorted({p for f in forms for p in (*f.moving, *(q for q, _ in f.parts))})
    index = {p: i for i, p in enumerate(params)}
    rng = np.random.default_rng(SEED)
    data = []
    for f in forms:
        mov = np.zeros(len(params))
        for p, d in f.moving.items():
            mov[index[p]] = d
        data.append((mov, np.array([index[p] for p, _ in f.parts], dtype=int), f.samples(rng)))
    sigma = np.array([_sigma(tables, p) for p in params])
    lo = np.log([BOUNDS[p[0]][0] for p in params])
    hi = np.log([BOUNDS[p[0]][1] for p in params])

    def residuals(logf: NDArray[np.float64]) -> NDArray[np.float64]:
        fac = np.exp(logf)
        res = []
        for case, (mov, idx, smp) in zip(cases, data, strict=True):
            total = float(mov @ (1.0 / fac)) + (fac[idx][:, None] * smp).sum(axis=0)
            res.append(case.residual(float(np.median(total))))
        return np.concatenate([np.asarray(res), logf / sigma])

    sol = least_squares(residuals, np.zeros(len(params)), bounds=(lo, hi), loss="soft_l1",
                        f_scale=1.0, diff_step=1e-3, max_nfev=200)
    return {p: float(np.exp(x)) for p, x in zip(params, sol.x, strict=True)}


def calibrated_rows(tables: Tables, factors: dict[Param, float], uses: dict[Param, list[str]],
                    fitted_on: str) -> list[Calibrated]:
    """``calibrated.csv`` rows for the factors that move a value by more than 1 %."""
    from silkway.data.tables import Provenance

    qty = {"tariff": "speed_kmh", "border": "dwell_days_p50", "handling": "handling_days_p50",
           "wait": "wait_factor"}
    rows = []
    for p, f in sorted(factors.items()):
        if abs(f - 1.0) < 0.01:
            continue
        prior = _prior_value(tables, p)
        fitted = round(prior * f, 3) if p[0] != "tariff" else round(prior * f, 1)
        if fitted == prior or fitted <= 0:
            continue
        obs = sorted(uses.get(p, []))
        note = (f"calibrated {fitted_on}: fitted by silkway calibrate to training observations "
                f"{', '.join(obs)} of observations.csv (prior {prior:g} from the sourced table)")
        rows.append(Calibrated(p[0], p[1], qty[p[0]], prior, fitted, tuple(obs), fitted_on,
                               Provenance("calibrated", note)))
        prof, _, op = p[1].partition("/")
        if p[0] == "handling" and op in TIED_BACK:  # the unloading moves with the loading
            twin = f"{prof}/{TIED_BACK[op]}"
            tprior = _prior_value(tables, ("handling", twin))
            tfit = round(tprior * f, 3)
            if tfit != tprior and tfit > 0:
                rows.append(Calibrated(p[0], twin, qty[p[0]], tprior, tfit, tuple(obs),
                                       fitted_on, Provenance("calibrated", note.replace(
                                           f"(prior {prior:g}", f"(tied to {p[1]}; prior "
                                           f"{tprior:g}"))))
    return rows


def calibrated_csv(rows: Sequence[Calibrated]) -> str:
    """The text of ``calibrated.csv``."""
    import csv
    import io

    from silkway.data.timing import CALIBRATED_HEADER

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CALIBRATED_HEADER.strip().split(","))
    for r in rows:
        w.writerow([r.target_type, r.key, r.quantity, f"{r.prior:g}", f"{r.fitted:g}",
                    ";".join(r.observations), r.fitted_on, r.provenance.source,
                    r.provenance.estimate])
    return buf.getvalue()


def with_rows(network: Network, base: Tables, rows: Sequence[Calibrated]) -> Network:
    """The network with the priors of ``base`` and the calibrated ``rows`` applied."""
    from silkway.network.model import reassemble

    return reassemble(network, apply_calibrated(dataclasses.replace(base, calibrated=()),
                                                list(rows)))


def fit(network_prior: Network, cases: Sequence[Case], *, rounds: int = ROUNDS,
        fitted_on: str | None = None) -> list[Calibrated]:
    """Fit the time model on the training cases; the calibrated rows, from the priors."""
    tables = network_prior.tables
    fitted_on = fitted_on or datetime.now(UTC).date().isoformat()
    train = [c for c in cases if c.split == "train" and c.kind in FIT_KINDS]
    net, rows = network_prior, []
    for _ in range(rounds):
        pairs = [(c, route_for(net, c)) for c in train]
        # forms at the *prior* values: the fit's factors are relative to the sourced table
        prior_pairs = [(c, route_for(network_prior, c) if r is None else r) for c, r in pairs]
        kept = [(c, r) for c, r in prior_pairs if r is not None]
        forms = [form_of(_on(network_prior, r), ends=not c.station) for c, r in kept]
        uses: dict[Param, list[str]] = {}
        for (c, _), f in zip(kept, forms, strict=True):
            for p in {*f.moving, *(q for q, _ in f.parts)}:
                uses.setdefault(p, []).append(c.id)
        factors = fit_factors([c for c, _ in kept], forms, tables)
        rows = calibrated_rows(tables, factors, uses, fitted_on)
        net = with_rows(network_prior, tables, rows)
    return rows


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
    for c in cases:
        r = route_for(network, c)
        row: dict[str, Any] = {"id": c.id, "split": c.split if c.kind in FIT_KINDS else "planned",
                               "corridor": c.corridor, "month": c.month,
                               "modes": c.mode_label, "kind": c.kind, "year": c.year,
                               "origin": c.origin, "destination": c.destination,
                               "low": c.low, "high": c.high, "bound": c.bound,
                               "scenario": c.scenario()}
        if r is None:
            row.update(p50=None, within=None, ape=None, route=None)
        else:
            lo, hi = c.window()
            p50 = p50_of(c, r)  # compared unrounded: rounding first can move a P50 across a bound
            row.update(p50=round(p50, 2), within=bool(lo <= p50 <= hi),
                       ape=round(100 * abs(p50 - c.target()) / c.target(), 1), route=r.label)
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
    """Before/after summaries, overall and by split, corridor and mode."""
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
    fig.savefig(path)
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
    rows = (tuple(fit(prior, cases, fitted_on=fitted_on)) if refit
            else tuple(network.tables.calibrated))
    after = with_rows(prior, base, rows)
    rep = report(evaluate(prior, cases), evaluate(after, cases))
    rep["skipped"] = [{"id": i, "why": why} for i, why in skipped]
    rep["parameters"] = [{"target_type": r.target_type, "key": r.key, "quantity": r.quantity,
                          "prior": r.prior, "fitted": r.fitted} for r in rows]
    rep["fitted_on"] = rows[0].fitted_on if rows else None
    return Outcome(rep, rows, tuple(skipped))
