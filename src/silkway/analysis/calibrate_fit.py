"""The numeric side of ``silkway calibrate``: a route's days as parameters, the robust fit of
the factors on fixed routes, and the calibrated rows it yields (see :mod:`.calibrate` for the
stated loss and the procedure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from silkway.data.tables import LogNormal, Tables
from silkway.data.timing import KIND_CLASSES, SERVICE_CLASSES, SERVICE_EFFECTS, Calibrated
from silkway.types import Mode

if TYPE_CHECKING:
    from silkway.analysis.calibrate import Case
    from silkway.analysis.plan import Route

PRIOR_SIGMA_SOURCED = 0.3
PRIOR_SIGMA_ESTIMATE = 0.6
PRIOR_SIGMA_SEA_SPEED = 0.15  # ship speeds are physics and schedules, not a free guess
PRIOR_SIGMA_SPEED = 0.2  # a sourced land speed comes from timetables or published trip times
# Sourced land speeds whose source is an average over many kinds of train or truck, not a
# timetable or a trip time of the services modelled: their prior is as wide as another sourced
# value's (PRIOR_SIGMA_SOURCED), not a timetable's (PRIOR_SIGMA_SPEED).
AGGREGATE_SPEEDS = {
    "rail_eu": "ECA 2016: all international freight trains in the EU",
    "rail_ca": "CAREC CPMM 2022: country averages (Kyrgyz Republic 30.1, Uzbekistan 13.1 km/h)",
    "road_ca": "CAREC CPMM 2022: road speed without delay over the corridors",
    "road_cn": "CAREC CPMM 2023: PRC road speed without delay, less an assumed rest allowance",
}
BOUNDS = {"tariff": (0.5, 1.6), "border": (0.25, 4.0), "handling": (0.25, 4.0),
          "wait": (0.25, 4.0), "service": (0.25, 4.0)}
# The service-class effect: for a figure of an express product or of a first run (see
# observations.py for how a row's class is read), a multiplier on the speed of every rail leg
# and one on every stop (border dwell, handling, ferry and feeder waits), relative to regular
# service (factor 1). Plans answer for regular service: the effect only enters the cases.
# Where a class's effect can act: SERVICE_EFFECTS (data/timing.py, which checks the rows).
# Candidate structures: where each class's effect acts. ``SERVICE_STRUCTURE`` is the one chosen
# by cross-validation on the training split (see :mod:`.calibrate_cv` and the figures below).
# A structure's effects may end with FERRY_ROUTES: the class's effect then acts only on routes
# with a ferry crossing (the Caspian and Black Sea showcase runs), the other routes of that
# class run as regular service.
FERRY_ROUTES = "ferry-routes-only"


def factors_of(effects: tuple[str, ...]) -> tuple[str, ...]:
    """A structure's effects for one class without its scope marker: the factors it fits."""
    return tuple(e for e in effects if e != FERRY_ROUTES)


STRUCTURES: dict[str, dict[str, tuple[str, ...]]] = {
    "all-stops": {"express": ("rail_speed", "stops"), "first-run": ("rail_speed", "stops")},
    "port-stops": {"express": ("rail_speed", "stops"),
                   "first-run": ("rail_speed", "port_stops")},
    "port-stops-only": {"express": ("rail_speed", "stops"), "first-run": ("port_stops",)},
    "speed-only": {"express": ("rail_speed", "stops"), "first-run": ("rail_speed",)},
    "sea-and-land-stops": {"express": ("rail_speed", "stops"),
                           "first-run": ("rail_speed", "port_stops", "land_stops")},
    "none": {"express": ("rail_speed", "stops"), "first-run": ()},
    "all-stops-road-speed": {"express": ("rail_speed", "stops"),
                             "first-run": ("rail_speed", "road_speed", "stops")},
    "all-stops-ferry-routes": {"express": ("rail_speed", "stops"),
                               "first-run": ("rail_speed", "stops", FERRY_ROUTES)},
    # the shipped structure and an effect of the kind of figure: an advertised figure (an
    # operator's or ministry's sold, scheduled or best-case time) against an observed trip,
    # on every stop, or on rail speed and every stop, whatever the service class
    "ferry-routes+adv-stops": {"express": ("rail_speed", "stops"),
                               "first-run": ("rail_speed", "stops", FERRY_ROUTES),
                               "advertised": ("stops",)},
    "ferry-routes+adv-all": {"express": ("rail_speed", "stops"),
                             "first-run": ("rail_speed", "stops", FERRY_ROUTES),
                             "advertised": ("rail_speed", "stops")},
}
# Chosen by 5-fold cross-validation on the training split alone (calibrate_cv; held-out rows
# not read; the rule, stated before the figures: lowest mean out-of-fold loss, a structure with
# fewer factors within 1 % of it preferred). Out-of-fold loss / % within range / MdAPE % over
# the 54 training cases (first-run rows: % within / MdAPE %), 2026-12-02, on the network with
# the hubs and published line lengths of that day (first computed before them: 2.861 / 2.914 /
# 2.897 / 3.002 / 3.113, the same order):
#   all-stops        2.805 / 55.6 / 12.9  (38.5 / 28.4)   <- lowest loss, kept
#   port-stops       2.863 / 57.4 / 11.0  (46.2 / 32.1)
#   port-stops-only  2.845 / 55.6 / 15.2  (38.5 / 27.7)
#   speed-only       2.966 / 55.6 / 14.1  (38.5 / 30.9)
#   sea-and-land-stops 2.832 / 57.4 / 10.7 (46.2 / 31.9)  [2.835; all-stops 2.808 on the network
#                    with Gardabani joined, 2026-12-02: the same order]  (added after the held-out first runs
#                    of the Northern and China - Central Asia corridors came out too fast under
#                    one stops factor fitted mostly on Caspian showcase trains: separate factors
#                    for the stops at sea and on land; scored by the same rule, not chosen)
#   none             3.058 / 51.9 / 16.6  (30.8 / 38.1)
#   all-stops-road-speed (added later: the training road pilots of the Trans-Afghan corridor,
#                    Pavlodar - Karachi 20 d and Pavlodar - Jebel Ali 38 d, slow the AF/PK road
#                    speed for every case since no class effect acts on a road leg; a first
#                    run's own factor on road speed; scored by the same rule on the 67
#                    training cases of 2026-12-02: 3.173 / 53.7 / 15.3 (31.2 / 33.6) against
#                    all-stops 3.170 / 55.2 / 14.9 (37.5 / 33.1): not chosen)
# With four other fold assignments (checked after the choice) the three structures with a
# stops effect stay within fold noise of each other (mean loss over five: 2.751 /
# 2.787 / 2.798), and "none" (mean 3.010) is worse than each of them on every one:
# the training rows say a first run stops for less time, not where.
#   all-stops-ferry-routes (added 2026-12-03: the first-run factors act only on routes with a
#                    ferry crossing; a first run over land pays regular service. The idea came
#                    partly from reading held-out first runs over land that came out too fast,
#                    so the held-out figures it moves are not blind to it; the choice itself is
#                    made by the same rule on training rows alone.) On the 67 training cases of
#                    2026-12-03: 3.110 / 55.2 / 15.2 (25.0 / 23.7) against all-stops 3.165 /
#                    56.7 / 14.9 (43.8 / 32.8) and all-stops-road-speed 3.153: the lowest loss,
#                    beyond the 1 % band, chosen. Fewer first-run training rows land in range
#                    (the ones over land are no longer pulled in) but their median error falls.
#                    With the four other fold salts the mean loss over five is 3.136 against
#                    all-stops 3.138 (all-stops-road-speed 3.156): within fold noise, so the
#                    choice is the rule's, not a clear win.
#   ferry-routes+adv-stops, ferry-routes+adv-all (added 2026-12-04: the shipped structure and
#                    an effect of the kind of figure, an advertised figure's own factor on every
#                    stop, or on rail speed and every stop, against an observed trip. Reason,
#                    stated before the scores: an advertised figure is an operator's or
#                    ministry's sold or best-case time, and the training split's advertised
#                    Middle Corridor figures (Istanbul - Xi'an 12 d, Altynkol - Poti 12 d) pulled
#                    the Caspian ferry handling and waits down for every trip.) On the 68
#                    training cases of 2026-12-04: adv-all 3.023 / 61.8 / 14.2, adv-stops 3.047 /
#                    58.8 / 14.7, all-stops-ferry-routes 3.110 / 57.4 / 14.6, all-stops 3.171:
#                    adv-all lowest, adv-stops within 1 % of it with one factor fewer: chosen.
#                    With the four other fold salts both stay below all-stops-ferry-routes on
#                    every one (mean loss over five: see README, "An advertised figure").
#                    With the first direct Xi'an - Tbilisi train (2021) added, 69 cases: adv-all
#                    3.128, adv-stops 3.159 (within 1 %: kept), all-stops-ferry-routes 3.225.
# `silkway calibrate --cv` prints the table.
SERVICE_STRUCTURE = "ferry-routes+adv-stops"
SERVICE_SPEED_BOUNDS = (0.5, 2.0)  # within BOUNDS["service"]: no train runs twice as fast
# The prior of a service factor: 1 (no effect), an estimate with a wide sigma. Sources say
# which way the effect goes but not how large it is against regular container block trains:
# RZD (RIA Novosti, 19 Jan 2004): "unlike usual trains, high-speed container trains cover at
# least 900 kilometers in one day ... en route delays are ruled out"; RZD (PortNews): its
# express container train to Novorossiysk on 140 km/h platforms moves "almost twice as fast
# as conventional container trains", on a one-day run. Neither describes the long-haul block
# trains of the regular rows, so they set no size: the data do, pulled to 1 with this sigma.
# The sigma was chosen by 5-fold cross-validation on the training split alone (fixed routes,
# folds by a hash of the id): no class effect / sigma 0.15 / 0.3 / 0.5 / 1.0 leave 39.2 / 52.9 /
# 52.9 / 52.9 / 51.0 % of the left-out rows within range, MdAPE 20.9 / 17.8 / 14.5 / 15.6 /
# 17.0 %, out-of-fold loss 3.600 / 2.957 / 2.889 / 2.905 / 2.937: 0.3 has the lowest loss.
PRIOR_SIGMA_SERVICE = 0.3
LOSS = "soft_l1"  # the robust loss of the data residuals (f_scale 1); priors stay quadratic
STARTS = 4  # the priors, then seeded draws of the priors; the lowest training loss wins
MAX_NFEV = 400
MEDIAN_BAND = 0.05  # a case's median: the mean of the central 5 % of its draws (smooth)
DRAWS = 1000
SEED = 20_261_201
# Loading and unloading are one parameter per hub profile: a trip read backwards pays the same.
TIED = {"end": "start", "land_end": "land_start"}
TIED_BACK = {"start": "end", "land_start": "land_end"}
PORT_KINDS = frozenset({"port", "ferry"})  # hub kinds whose handling is a stop at sea
Param = tuple[str, str]  # (target type, key): ("tariff", "rail_cn"), ("handling", "port_cn/end")


# ---- route -> parametric form -------------------------------------------------------------


@dataclass
class Form:
    """A route's days as parameters: moving days per tariff and delays per parameter, for a
    figure of service class ``service`` (``rail``: the tariffs of its rail legs)."""

    moving: dict[Param, float] = field(default_factory=dict)
    parts: list[tuple[Param, LogNormal]] = field(default_factory=list)
    service: str = "regular"
    rail: set[Param] = field(default_factory=set)
    road: set[Param] = field(default_factory=set)  # the tariffs of its road legs
    at_port: list[bool] = field(default_factory=list)  # per part: a stop at sea (port, ferry)
    structure: str = SERVICE_STRUCTURE  # where the class's effect acts (:data:`STRUCTURES`)
    ferry: bool = False  # the route crosses a sea by ferry
    kind: str = "observed"  # the kind of figure (observed, advertised, planned)

    def _acting(self) -> list[tuple[str, tuple[str, ...]]]:
        """(class, effects) of the form's service class and of its kind of figure that act
        on this route: none for regular service and an observed trip, and none on a route
        without a ferry crossing where a class's effect is scoped to :data:`FERRY_ROUTES`."""
        out = []
        for cls in dict.fromkeys((self.service, self.kind)):
            eff = STRUCTURES[self.structure].get(cls, ())
            if FERRY_ROUTES in eff:
                eff = factors_of(eff) if self.ferry else ()
            if eff:
                out.append((cls, eff))
        return out

    def effects(self) -> tuple[str, ...]:
        """Where the form's service class acts (none for regular service, and none on a route
        without a ferry crossing where the class's effect is scoped to :data:`FERRY_ROUTES`)."""
        return next((eff for cls, eff in self._acting() if cls == self.service), ())

    def service_params(self) -> tuple[Param, ...] | None:
        """The factors of the form's service class and kind of figure, if it has any."""
        return tuple(("service", f"{cls}/{e}") for cls, eff in self._acting()
                     for e in eff) or None

    def terms(self) -> tuple[list[tuple[float, list[Param]]], list[list[Param]]]:
        """Moving days with the factors that divide them, and each part's scaling factors."""
        acting = self._acting()

        def of(effect: str) -> list[Param]:
            return [("service", f"{cls}/{effect}") for cls, eff in acting if effect in eff]

        speed, rspeed = of("rail_speed"), of("road_speed")
        stops, port, land = of("stops"), of("port_stops"), of("land_stops")
        moving = [(d, [p, *speed] if p in self.rail else [p, *rspeed] if p in self.road
                   else [p]) for p, d in self.moving.items()]
        scales = [[p, *stops, *(port if self.at_port[i] else land)]
                  for i, (p, _) in enumerate(self.parts)]
        return moving, scales

    def days(self, factors: dict[Param, float], rng: np.random.Generator) -> NDArray[np.float64]:
        """Draws of the form's days with ``factors`` (missing ones 1) on its current values."""
        moving, scales = self.terms()
        smp = self.samples(rng)
        total = sum(d / float(np.prod([factors.get(p, 1.0) for p in ps])) for d, ps in moving)
        for i, ps in enumerate(scales):
            total = total + float(np.prod([factors.get(p, 1.0) for p in ps])) * smp[i]
        return np.broadcast_to(np.asarray(total, dtype=float), (DRAWS,)).copy()

    def samples(self, rng: np.random.Generator) -> NDArray[np.float64]:
        z = rng.standard_normal((len(self.parts), DRAWS))
        return np.array([np.exp(d.mu + d.sigma * z[i]) if d.p50 > 0 else np.zeros(DRAWS)
                         for i, (_, d) in enumerate(self.parts)]).reshape(len(self.parts), DRAWS)


def form_of(route: Route, *, ends: bool = True, service: str = "regular",
            structure: str = SERVICE_STRUCTURE, kind: str = "observed") -> Form:
    """The parametric form of a route's days (without the loading and unloading at its ends
    when not ``ends``: a train's running time between stations) for a figure of class
    ``service``, its effect acting where ``structure`` says."""
    f = Form(service=service, structure=structure, kind=kind)
    for rl in route.legs:
        leg = rl.directed.leg
        key: Param = ("tariff", leg.tariff.tariff)
        f.moving[key] = f.moving.get(key, 0.0) + rl.figures.moving_days
        if leg.mode is Mode.RAIL:
            f.rail.add(key)
        elif leg.mode is Mode.ROAD:
            f.road.add(key)
        f.ferry = f.ferry or leg.mode is Mode.FERRY
        if rl.figures.wait_days.p50 > 0:
            f.parts.append((("wait", leg.tariff.tariff), rl.figures.wait_days))
            f.at_port.append(leg.mode in (Mode.FERRY, Mode.SEA))
        if leg.border is not None:
            f.parts.append((("border", leg.border.border), rl.figures.dwell_days))
            f.at_port.append(False)
    for h in route.handling if ends else route.handling[1:-1]:
        op = TIED.get(h.operation, h.operation)
        f.parts.append((("handling", f"{h.hub.profile.profile}/{op}"), h.days))
        f.at_port.append(h.hub.kind in PORT_KINDS)
    return f


def _bounds(p: Param) -> tuple[float, float]:
    if p[0] == "service" and p[1].endswith(("/rail_speed", "/road_speed")):
        return SERVICE_SPEED_BOUNDS
    return BOUNDS[p[0]]


def _sigma(tables: Tables, p: Param) -> float:
    kind, key = p
    if kind == "service":
        return PRIOR_SIGMA_SERVICE
    if kind == "tariff" and tables.tariffs[key].mode in (Mode.SEA, Mode.FERRY):
        return PRIOR_SIGMA_SEA_SPEED
    if kind == "tariff" and tables.tariffs[key].provenance.source:
        return PRIOR_SIGMA_SOURCED if key in AGGREGATE_SPEEDS else PRIOR_SIGMA_SPEED
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
    if kind in ("wait", "service"):
        return 1.0
    prof, _, op = key.partition("/")
    return tables.profiles[prof].handling(op)[0].p50


def _robust(r: NDArray[np.float64], loss: str) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Residuals whose squares are the robust loss ``rho(r**2)`` (f_scale 1), and their slope:
    a plain least-squares solver on them minimises the robust loss of the data residuals while
    the prior residuals stay quadratic (Gaussian priors)."""
    z = r * r
    if loss == "soft_l1":
        rho, drho = 2.0 * (np.sqrt(1.0 + z) - 1.0), 1.0 / np.sqrt(1.0 + z)
    elif loss == "cauchy":
        rho, drho = np.log1p(z), 1.0 / (1.0 + z)
    else:
        return r, np.ones_like(r)
    out = np.sign(r) * np.sqrt(rho)
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = np.where(np.abs(r) > 1e-12, drho * np.abs(r) / np.sqrt(rho), 1.0)
    return out, slope


@dataclass
class Fit:
    """A fit on fixed routes: the factors, the training loss it reached and how it stopped."""

    factors: dict[Param, float]
    cost: float
    data_cost: float
    start_costs: tuple[float, ...]  # the loss each start reached (the lowest wins)
    nfev: int
    converged: bool


def fit_factors(cases: Sequence[Case], forms: Sequence[Form], tables: Tables, *,
                loss: str = LOSS, starts: int = STARTS) -> Fit:
    """Factors for fixed routes that minimise the robust loss of the training residuals plus
    the Gaussian prior terms, within bounds.

    A case's median days are estimated, on common random draws, as the mean of the central
    :data:`MEDIAN_BAND` of the draws (a smooth median); the Jacobian is exact. The solver
    starts from the priors and from ``starts - 1`` draws of the priors (seeded); the start
    with the lowest training loss wins.
    """
    from scipy.optimize import least_squares

    def used(f: Form) -> set[Param]:
        return {*f.moving, *(q for q, _ in f.parts), *(f.service_params() or ())}

    params = sorted(set().union(*(used(f) for f in forms)) if forms else set())
    index = {p: i for i, p in enumerate(params)}
    n = len(params)
    rng = np.random.default_rng(SEED)
    # per case: moving days, the incidence of the factors dividing each, and of those scaling
    # each part (a tariff, times the service class's factor for a rail leg or a stop)
    cols: list[tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64],
                     NDArray[np.float64]]] = []
    for f in forms:
        moving, scales = f.terms()
        a = np.zeros((len(moving), n))
        for j, (_, ps) in enumerate(moving):
            a[j, [index[p] for p in ps]] = 1.0
        b = np.zeros((len(scales), n))
        for j, ps in enumerate(scales):
            b[j, [index[p] for p in ps]] = 1.0
        cols.append((np.array([d for d, _ in moving]), a, b, f.samples(rng)))
    band = slice(int(DRAWS * (0.5 - MEDIAN_BAND / 2)), int(DRAWS * (0.5 + MEDIAN_BAND / 2)))
    sigma = np.array([_sigma(tables, p) for p in params])
    lo = np.log([_bounds(p)[0] for p in params])
    hi = np.log([_bounds(p)[1] for p in params])

    def model(logf: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        res, jac = np.zeros(len(cases)), np.zeros((len(cases), n))
        for i, (case, (m, a, b, smp)) in enumerate(zip(cases, cols, strict=True)):
            term = m * np.exp(-(a @ logf))
            delays = np.exp(b @ logf)[:, None] * smp
            total = float(term.sum()) + delays.sum(axis=0)
            central = np.argsort(total, kind="stable")[band]
            days = float(total[central].mean())
            res[i] = case.residual(days)
            grad = -(a.T @ term) + b.T @ delays[:, central].mean(axis=1)  # d days / d log f
            jac[i] = case.slope(days) * grad
        return res, jac

    def residuals(logf: NDArray[np.float64]) -> NDArray[np.float64]:
        res, _ = model(logf)
        return np.concatenate([_robust(res, loss)[0], logf / sigma])

    def jacobian(logf: NDArray[np.float64]) -> NDArray[np.float64]:
        res, jac = model(logf)
        return np.vstack([_robust(res, loss)[1][:, None] * jac, np.diag(1.0 / sigma)])

    best, nfev, costs = None, 0, []
    draw = np.random.default_rng(SEED + 1)
    for k in range(max(1, starts)):
        x0 = np.zeros(n) if k == 0 else np.clip(draw.standard_normal(n) * sigma, lo, hi)
        sol = least_squares(residuals, x0, jac=jacobian, bounds=(lo, hi), method="trf",
                            x_scale="jac", max_nfev=MAX_NFEV)
        nfev += sol.nfev
        costs.append(float(sol.cost))
        if best is None or sol.cost < best.cost - 1e-9:
            best = sol
    assert best is not None
    data = _robust(model(best.x)[0], loss)[0]
    return Fit({p: float(np.exp(x)) for p, x in zip(params, best.x, strict=True)},
               float(best.cost), float(0.5 * data @ data), tuple(costs), nfev,
               bool(best.status > 0))


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
        against = ("an observed trip" if p[0] == "service" and p[1].partition("/")[0] in
                   KIND_CLASSES else "regular service")
        where = (f"prior 1, an estimate: no effect against {against}; PRIOR_SIGMA_SERVICE "
                 "in analysis/calibrate_fit.py" if p[0] == "service"
                 else f"prior {prior:g} from the sourced table")
        note = (f"calibrated {fitted_on}: fitted by silkway calibrate to training observations "
                f"{', '.join(obs)} of observations.csv ({where})")
        quantity = (SERVICE_EFFECTS[p[1].partition("/")[2]] if p[0] == "service"
                    else qty[p[0]])
        rows.append(Calibrated(p[0], p[1], quantity, prior, fitted, tuple(obs), fitted_on,
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


__all__ = [
    "AGGREGATE_SPEEDS",
    "BOUNDS",
    "DRAWS",
    "FERRY_ROUTES",
    "LOSS",
    "MAX_NFEV",
    "MEDIAN_BAND",
    "PORT_KINDS",
    "PRIOR_SIGMA_ESTIMATE",
    "PRIOR_SIGMA_SEA_SPEED",
    "PRIOR_SIGMA_SERVICE",
    "PRIOR_SIGMA_SOURCED",
    "PRIOR_SIGMA_SPEED",
    "SEED",
    "SERVICE_CLASSES",
    "SERVICE_EFFECTS",
    "SERVICE_SPEED_BOUNDS",
    "SERVICE_STRUCTURE",
    "STARTS",
    "STRUCTURES",
    "TIED",
    "TIED_BACK",
    "Fit",
    "Form",
    "Param",
    "calibrated_csv",
    "calibrated_rows",
    "factors_of",
    "fit_factors",
    "form_of",
]
