"""Corridor assignment under capacity: many flows, one network, limited ferries and crossings.

:func:`assign` takes demand flows (see :mod:`silkway.analysis.flows`) and the capacity elements
(``capacities.csv``, changed by a scenario's ``capacities`` section) and assigns the TEU of each
origin-destination pair to candidate routes.

Candidate routes
    For each distinct pair (origin, destination, constraints, month, value of time) the Pareto
    set of :func:`silkway.plan` and the best route of each named corridor (``corridors.csv``)
    are the first candidate set. Then, column generation: after each solve, pairs
    whose assigned routes cross a binding element are planned again with the hubs of those
    elements closed, which yields the best route around the bottleneck (the Northern Corridor,
    the sea, the Turkmen crossing). At most ``max_routes`` candidates per pair are kept: the
    cheapest, with each corridor's best among them.

Generalised cost (USD per TEU)
    ``expected days x value of time + route cost per box / TEU per box``; or, with
    ``objective="co2e"``, kg CO2e (WTW) per TEU.

System optimum (default)
    A linear programme solved by HiGHS through :func:`scipy.optimize.linprog`: minimise total
    generalised cost subject to each element's TEU per period, with an unserved-TEU variable per
    pair at :data:`UNSERVED_PENALTY_FACTOR` times the pair's costliest candidate. The dual of an
    element's capacity row is its shadow price: the USD a period by which one more TEU of capacity
    lowers the total cost. Its ``queue_days`` is the shadow price over the TEU-weighted value of
    time of the flows through it: the wait that, instead of a toll, rations the element to its
    capacity when slots go first come, first served (a deterministic bottleneck queue).

User equilibrium (``equilibrium=True``)
    Every shipper takes its cheapest route given the queues; nobody coordinates. Each element
    delays its boxes by an M/D/1 mean wait, ``service_days x rho / (2 (1 - rho))`` with
    ``rho = assigned TEU / capacity``, continued linearly beyond ``rho = 0.95`` so that it stays
    finite. Costs are expressed in days (USD / value of time) so the problem has a Beckmann
    potential, solved by path-based gradient projection (Newton steps from each pair's costlier
    routes to its cheapest, with an exact line search on the potential) until the relative gap
    ``(sum f C - sum d min C) / sum f C`` is below ``gap`` (default :data:`DEFAULT_GAP`). Flows
    with a zero value of time take their cheapest route and do not queue.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from silkway.analysis import scenarios
from silkway.analysis.csvrows import RowError
from silkway.analysis.flows import Flow
from silkway.analysis.plan import Route, plan
from silkway.analysis.whatif import corridor
from silkway.data.capacities import PERIODS_PER_YEAR, CapacityElement, leg_key, load_capacities
from silkway.errors import ConstraintError, NoRouteError, SilkwayError
from silkway.network.model import Hub, Network
from silkway.routing.constraints import Constraints
from silkway.types import Mode

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
OBJECTIVES = ("cost", "co2e")
DEFAULT_GAP = 1e-4
RHO_LINEAR = 0.95
UNSERVED_PENALTY_FACTOR = 10.0
_MAX_ROUNDS = 4
SERVED_TEU = 1e-6
"""TEU on a route below which the solver's answer is taken as none (its tolerance)."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """A route a pair may use, with its figures per TEU and the elements it crosses."""

    label: str
    corridor: str
    corridor_id: str | None
    days_mean: float
    days_p50: float
    cost_usd_box: float
    cost_usd_teu: float
    co2e_kg_teu: float
    elements: tuple[int, ...]
    path: tuple[tuple[str, str, str], ...]


@dataclass
class Pair:
    """A distinct query and the flow rows that ask it."""

    origin: Hub
    destination: Hub
    constraints: Constraints
    month: int | None
    value_of_time: float
    teu: float = 0.0
    rows: list[Flow] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    tried: set[frozenset[str]] = field(default_factory=set)
    problem: str | None = None  # why the pair has no route at all

    def costs(self, objective: str) -> NDArray[np.float64]:
        """Generalised cost of each candidate per TEU (USD, or kg CO2e)."""
        if objective == "co2e":
            return np.array([c.co2e_kg_teu for c in self.candidates])
        return np.array([c.days_mean * self.value_of_time + c.cost_usd_teu
                         for c in self.candidates])


@dataclass(frozen=True)
class ElementResult:
    """One capacity element after assignment."""

    element: CapacityElement
    capacity_teu: float
    assigned_teu: float
    queue_days: float | None
    shadow_price_usd_per_teu: float | None

    @property
    def utilisation(self) -> float:
        return self.assigned_teu / self.capacity_teu if self.capacity_teu > 0 else float("inf")

    def to_dict(self) -> dict[str, Any]:
        e = self.element
        return {"id": e.id, "name": e.name, "kind": e.kind, "as_of": e.as_of,
                "capacity_teu": round(self.capacity_teu, 1),
                "assigned_teu": round(self.assigned_teu, 1),
                "utilisation": round(self.utilisation, 4) if self.capacity_teu > 0 else None,
                "queue_days": None if self.queue_days is None else round(self.queue_days, 3),
                "shadow_price_usd_per_teu": (None if self.shadow_price_usd_per_teu is None
                                             else round(self.shadow_price_usd_per_teu, 2))}


@dataclass(frozen=True)
class Assignment:
    """The answer of :func:`assign`: TEU per route, element loads, prices and what is unserved."""

    method: str
    objective: str
    objective_value: float
    period: str
    pairs: tuple[Pair, ...]
    flows_teu: tuple[NDArray[np.float64], ...]  # TEU per candidate, per pair
    unserved: NDArray[np.float64]  # TEU per pair
    queue_days: NDArray[np.float64]  # per element
    elements: tuple[ElementResult, ...]
    errors: tuple[RowError, ...] = ()
    gap: float | None = None
    iterations: int = 0
    scenario: str | None = None

    @property
    def unserved_teu(self) -> float:
        return float(self.unserved.sum())

    def _served(self) -> list[tuple[Pair, Candidate, float]]:
        return [(p, c, float(t)) for p, f in zip(self.pairs, self.flows_teu, strict=True)
                for c, t in zip(p.candidates, f, strict=True) if t > SERVED_TEU]

    def system(self) -> dict[str, float]:
        """TEU-weighted system figures of the served TEU: days (route days, and the queue days
        at the elements), cost per TEU and total, CO2e per TEU."""
        served = self._served()
        teu = sum(t for _, _, t in served)
        if teu <= 0:
            return {"served_teu": 0.0, "unserved_teu": self.unserved_teu}
        queue = float(sum(t * sum(self.queue_days[i] for i in c.elements) for _, c, t in served))
        days = sum(t * c.days_mean for _, c, t in served)
        cost = sum(t * c.cost_usd_teu for _, c, t in served)
        co2 = sum(t * c.co2e_kg_teu for _, c, t in served)
        return {"served_teu": round(teu, 1), "unserved_teu": round(self.unserved_teu, 1),
                "days_mean": round(days / teu, 3), "queue_days_mean": round(queue / teu, 3),
                "days_with_queue_mean": round((days + queue) / teu, 3),
                "cost_usd_per_teu": round(cost / teu, 2), "cost_usd_total": round(cost, 0),
                "co2e_kg_per_teu": round(co2 / teu, 2)}

    def corridor_shares(self) -> dict[str, float]:
        """Share of the served TEU by corridor."""
        by: dict[str, float] = {}
        for _, c, t in self._served():
            by[c.corridor] = by.get(c.corridor, 0.0) + t
        total = sum(by.values()) or 1.0
        return {k: round(v / total, 4) for k, v in sorted(by.items(), key=lambda kv: -kv[1])}

    def to_dict(self) -> dict[str, Any]:
        """The ``silkway assign --json`` object."""
        flows = []
        for p, f, u in zip(self.pairs, self.flows_teu, self.unserved, strict=True):
            # shares are of the TEU as assigned, not as rounded for showing (a flow of 1.25 TEU
            # all on one corridor was a share of 0.96; a route of 0.04 TEU was left out)
            carried = [max(float(t), 0.0) for t in f]
            routes: list[dict[str, Any]] = [
                {"label": c.label, "corridor": c.corridor, "corridor_id": c.corridor_id,
                 "teu": round(t, 1), "share": round(t / p.teu, 4),
                 "days_p50": round(c.days_p50, 2), "days_mean": round(c.days_mean, 2),
                 "queue_days": round(float(sum(self.queue_days[i] for i in c.elements)), 3),
                 "cost_usd": round(c.cost_usd_box, 2),
                 "cost_usd_per_teu": round(c.cost_usd_teu, 2),
                 "co2e_kg_per_teu": round(c.co2e_kg_teu, 2),
                 "elements": [self.elements[i].element.id for i in c.elements],
                 "_carried": t}
                for c, t in zip(p.candidates, carried, strict=True)]
            routes.sort(key=lambda r: -r["_carried"])
            shares: dict[str, float] = {}
            for c, t in zip(p.candidates, carried, strict=True):
                shares[c.corridor] = shares.get(c.corridor, 0.0) + t
            listed = [r for r in routes if r["_carried"] > SERVED_TEU] or routes[:1]
            flows.append({
                "origin": p.origin.id, "destination": p.destination.id, "teu": round(p.teu, 1),
                "rows": [fl.row for fl in p.rows], "ids": [fl.id for fl in p.rows if fl.id],
                "avoid": sorted(p.constraints.avoid), "month": p.month,
                "value_of_time_usd_per_teu_day": p.value_of_time,
                "unserved_teu": round(float(u), 1),
                "unserved_share": round(max(float(u), 0.0) / p.teu, 4), "problem": p.problem,
                "corridor_share": {k: round(v / p.teu, 4) for k, v in shares.items()
                                   if v > SERVED_TEU},
                "routes": [{k: v for k, v in r.items() if k != "_carried"} for r in listed]})
        return {"method": self.method, "objective": self.objective,
                "objective_value": round(self.objective_value, 2), "period": self.period,
                "scenario": self.scenario, "gap": self.gap, "iterations": self.iterations,
                "unserved_teu": round(self.unserved_teu, 1), "system": self.system(),
                "corridor_share": self.corridor_shares(),
                "elements": [e.to_dict() for e in self.elements], "flows": flows,
                "errors": [e.message for e in self.errors]}


# ---------------------------------------------------------------------------------- candidates


class ElementIndex:
    """Which capacity elements a route crosses."""

    def __init__(self, elements: Sequence[CapacityElement]) -> None:
        self.elements = tuple(elements)
        self.by_leg: dict[tuple[str, str, str], list[int]] = {}
        self.by_hub: dict[str, list[int]] = {}
        for i, e in enumerate(self.elements):
            for k in e.legs:
                self.by_leg.setdefault(k, []).append(i)
            for h in e.hubs:
                self.by_hub.setdefault(h, []).append(i)

    def of(self, route: Route) -> tuple[int, ...]:
        """Elements the route crosses: its legs' elements; a hub's elements for every hub it
        passes, except that a ``terminal`` (a port's quay) counts only boxes that board or
        leave a ship or ferry there."""
        found: set[int] = set()
        quay: set[str] = set()
        for rl in route.legs:
            d = rl.directed
            found.update(self.by_leg.get(leg_key(d.src, d.dst, d.leg.mode), ()))
            if d.leg.mode in (Mode.SEA, Mode.FERRY):
                quay.update((d.src, d.dst))
        hubs = [route.legs[0].directed.src] + [rl.directed.dst for rl in route.legs]
        for h in hubs:
            found.update(i for i in self.by_hub.get(h, ())
                         if self.elements[i].kind != "terminal" or h in quay)
        return tuple(sorted(found))

    def hubs_of(self, element: int, cand: Candidate) -> set[str]:
        """Hubs to close so that a route avoids this element."""
        e = self.elements[element]
        out = set(e.hubs)
        for a, b, m in cand.path:
            if leg_key(a, b, m) in e.legs:
                out.update((a, b))
        return out


def element_index(elements: Sequence[CapacityElement]) -> ElementIndex:
    """Which elements each leg and hub belongs to, for :func:`build_pairs`."""
    return ElementIndex(elements)


def _candidate(route: Route, teu_box: float, index: ElementIndex) -> Candidate:
    path = tuple((rl.directed.src, rl.directed.dst, rl.directed.leg.mode.value)
                 for rl in route.legs)
    cid = route.corridor.id if route.corridor is not None else None
    return Candidate(route.label, corridor(route), cid, route.expected_days,
                     route.transit_days.p50,
                     route.cost_usd, route.cost_usd / teu_box, route.co2e_wtw_kg / teu_box,
                     index.of(route), path)


def _plan_into(net: Network, pair: Pair, index: ElementIndex, closed: frozenset[str],
               scenario: scenarios.Scenario | None, draws: int) -> int:
    """Plan the pair with ``closed`` hubs closed; add new candidates; return how many."""
    pair.tried.add(closed)
    c = replace(pair.constraints, closed_hubs=pair.constraints.closed_hubs | closed)
    try:
        res = plan(net, pair.origin, pair.destination, constraints=c, scenario=scenario,
                   month=pair.month, max_routes=50, thin=0.0, draws=draws)
    except NoRouteError as exc:
        if not closed:
            pair.problem = str(exc)
        return 0
    known = {cand.path for cand in pair.candidates}
    added = 0
    teu_box = net.tables.cargo[pair.constraints.cargo.value].teu
    extra = [a.route for a in res.corridors if a.route is not None]  # each corridor's best
    for r in [*res.routes, *extra]:
        cand = _candidate(r, teu_box, index)
        if cand.path not in known:
            pair.candidates.append(cand)
            known.add(cand.path)
            added += 1
    return added


def _prune(pair: Pair, objective: str, max_routes: int, closed: set[int]) -> None:
    """Drop routes through closed elements; keep the cheapest and each corridor's best."""
    pair.candidates = [c for c in pair.candidates if closed.isdisjoint(c.elements)]
    if len(pair.candidates) <= max_routes:
        return
    order = np.argsort(pair.costs(objective), kind="stable")
    keep: list[int] = []
    seen: set[str] = set()
    for i in order:
        if pair.candidates[i].corridor not in seen:
            seen.add(pair.candidates[i].corridor)
            keep.append(int(i))
    if len(keep) > max_routes:
        keep = keep[:max_routes]  # more corridors than slots: the cheapest corridors' best
    else:
        keep += [int(i) for i in order if int(i) not in keep][: max_routes - len(keep)]
    pair.candidates = [pair.candidates[i] for i in sorted(keep)]


def build_pairs(net: Network, flows: Sequence[Flow], index: ElementIndex, *,
                scenario: scenarios.Scenario | None, objective: str, max_routes: int,
                draws: int, closed: set[int],
                progress: Progress | None = None) -> tuple[list[Pair], list[RowError]]:
    """Group flows into distinct pairs and plan each pair's first candidate set."""
    errors: list[RowError] = []
    pairs: dict[tuple[Any, ...], Pair] = {}
    places: dict[str, Hub | str] = {}

    def place(text: str) -> Hub | str:
        if text not in places:
            try:
                places[text] = net.find(text)
            except SilkwayError as exc:
                places[text] = str(exc)
        return places[text]

    for fl in flows:
        o, d = place(fl.origin), place(fl.destination)
        if isinstance(o, str) or isinstance(d, str):
            problem = o if isinstance(o, str) else str(d)
            errors.append(RowError(fl.row, problem, fl.id, fl.origin, fl.destination))
            continue
        if o.id == d.id:
            errors.append(RowError(fl.row, f"origin and destination are the same hub ({o.name})",
                                   fl.id, fl.origin, fl.destination))
            continue
        key = (o.id, d.id, fl.constraints, fl.month, fl.value_of_time_usd_per_teu_day)
        pair = pairs.setdefault(key, Pair(o, d, fl.constraints, fl.month,
                                          fl.value_of_time_usd_per_teu_day))
        pair.teu += fl.teu
        pair.rows.append(fl)
    out = list(pairs.values())
    for i, pair in enumerate(out):
        _plan_into(net, pair, index, frozenset(), scenario, draws)
        _prune(pair, objective, max_routes, closed)
        if not pair.candidates and pair.problem is None:
            pair.problem = "every route crosses a closed capacity element"
        if progress:
            progress(i + 1, len(out))
    return out, errors


# ---------------------------------------------------------------------------------- solving


def problem_matrices(pairs: Sequence[Pair], n_elements: int, objective: str
                     ) -> tuple[NDArray[np.float64], NDArray[np.float64], sp.csr_matrix]:
    """The padded cost matrix (pairs x routes, ``inf`` where a pair has fewer), the demand and
    the sparse element x route incidence that :mod:`~silkway.analysis.assign_solve` works on."""
    width = max([len(p.candidates) for p in pairs] + [1])
    cost = np.full((len(pairs), width), np.inf)
    rows: list[int] = []
    cols: list[int] = []
    for i, p in enumerate(pairs):
        if p.candidates:
            cost[i, : len(p.candidates)] = p.costs(objective)
        for r, cand in enumerate(p.candidates):
            rows.extend(cand.elements)
            cols.extend([i * width + r] * len(cand.elements))
    inc = sp.csr_matrix((np.ones(len(rows)), (rows, cols)),
                        shape=(n_elements, len(pairs) * width))
    return cost, np.array([p.teu for p in pairs]), inc


def _split(flows: NDArray[np.float64], pairs: Sequence[Pair]) -> tuple[NDArray[np.float64], ...]:
    return tuple(flows[i, : len(p.candidates)].copy() for i, p in enumerate(pairs))


def nothing_to_assign(why: Sequence[RowError]) -> ConstraintError:
    """The error of an assignment with no flow to assign, naming the first rows' problems."""
    ordered = sorted(why, key=lambda e: e.row)
    more = f"; and {len(ordered) - 3} more" if len(ordered) > 3 else ""
    return ConstraintError("no flow can be assigned" + (
        ": " + "; ".join(e.message for e in ordered[:3]) + more if ordered else
        ": there are none"))


def assign(network: Network, flows: Sequence[Flow], *, errors: Sequence[RowError] = (),
           scenario: str | scenarios.Scenario | None = None, objective: str = "cost",
           period: str = "year", equilibrium: bool = False, gap: float = DEFAULT_GAP,
           max_routes: int = 20, draws: int = 400,
           capacities: Sequence[CapacityElement] | None = None,
           progress: Progress | None = None) -> Assignment:
    """Assign demand flows to routes under the capacities (see the module docstring).

    Parameters
    ----------
    network
        From :func:`silkway.load_network`.
    flows, errors
        From :func:`silkway.analysis.flows.read_flows`; errors pass through to the result.
    scenario
        A shipped scenario name, a ``.yaml`` file or a scenario: it changes the routes (as in
        :func:`silkway.plan`) and, through its ``capacities`` section, the capacities.
    objective
        ``cost`` (days x value of time + USD, per TEU) or ``co2e`` (kg CO2e WTW per TEU).
    period
        What the ``teu`` of a flow counts: TEU per ``day``, ``week``, ``month`` or ``year``;
        capacities are converted to the same period.
    equilibrium
        Solve the user equilibrium (queues, gradient projection) instead of the system optimum (LP).
    gap
        Relative gap at which the equilibrium stops.
    max_routes
        Candidate routes kept per pair.
    draws
        Monte Carlo draws per planned route (only its P50 days are reported).
    capacities
        Capacity elements before the scenario's changes (default: the shipped table).

    Raises
    ------
    ConstraintError
        For an unknown objective or period, a gap outside (0, 0.1], or an equilibrium asked
        with the CO2e objective (queues cost time, not emissions).
    """
    if objective not in OBJECTIVES:
        raise ConstraintError(f"unknown objective {objective!r}; use cost or co2e")
    if period not in PERIODS_PER_YEAR:
        raise ConstraintError(f"unknown period {period!r}; use {', '.join(PERIODS_PER_YEAR)}")
    if not 0 < gap <= 0.1:
        raise ConstraintError(f"gap {gap} is outside (0, 0.1]")
    if equilibrium and objective != "cost":
        raise ConstraintError("the equilibrium needs the cost objective: queues cost days, "
                              "not CO2e")
    if not 1 <= max_routes <= 100:
        raise ConstraintError(f"max_routes {max_routes} is outside [1, 100]")
    scen = (scenarios.load_scenario(scenario, network.tables) if isinstance(scenario, str)
            else scenario)
    base = tuple(capacities) if capacities is not None else load_capacities(network.tables)
    elements = scenarios.scenario_capacities(scen, base)
    index = ElementIndex(elements)
    cap = np.array([e.teu_per(period) for e in elements])
    closed = {i for i, c in enumerate(cap) if c <= 0}
    pairs, place_errors = build_pairs(network, flows, index, scenario=scen, objective=objective,
                                      max_routes=max_routes, draws=draws, closed=closed,
                                      progress=progress)
    live = [p for p in pairs if p.candidates]
    if not live:  # nothing to optimise: say why rather than hand the solver an empty programme
        why = [*errors, *place_errors, *(RowError(fl.row, p.problem or "no route", fl.id,
                                                  fl.origin, fl.destination)
                                         for p in pairs for fl in p.rows)]
        raise nothing_to_assign(why)
    sol = None
    for rnd in range(_MAX_ROUNDS):
        cost, demand, inc = problem_matrices(live, len(elements), objective)
        worst = np.array([c[np.isfinite(c)].max() if np.isfinite(c).any() else 1.0
                          for c in cost])
        from silkway.analysis import assign_solve as solve  # scipy.optimize: only to solve

        sol = solve.system_optimum(cost, demand, inc, cap, UNSERVED_PENALTY_FACTOR * worst)
        binding = {i for i in range(len(elements))
                   if sol.shadow[i] > 1e-6 or (cap[i] > 0 and sol.load[i] >= cap[i] * 0.999)}
        if not binding or rnd == _MAX_ROUNDS - 1:
            break
        added = 0
        for i, p in enumerate(live):
            for r, cand in enumerate(list(p.candidates)):  # planning below appends to it
                hit = binding.intersection(cand.elements)
                if sol.flows[i, r] <= 1e-6 or not hit:
                    continue
                hubs: set[str] = set()
                for k in hit:
                    hubs |= index.hubs_of(k, cand)
                hubs -= {p.origin.id, p.destination.id}
                key = frozenset(hubs)
                if hubs and key not in p.tried:
                    added += _plan_into(network, p, index, key, scen, draws)
            _prune(p, objective, max_routes, closed)
        log.info("assignment round %d: %d binding elements, %d new candidate routes", rnd + 1,
                 len(binding), added)
        if not added:
            break
    assert sol is not None
    method = "system optimum (linear programme, HiGHS via scipy.optimize.linprog)"
    queue = np.zeros(len(elements))
    gap_out: float | None = None
    iterations = 0
    flows_m, unserved, load, shadow = sol.flows, sol.unserved, sol.load, sol.shadow
    objective_value = sol.objective
    if equilibrium:
        cost, demand, inc = problem_matrices(live, len(elements), objective)
        vot = np.array([p.value_of_time for p in live])
        moving = vot > 0
        fixed = np.zeros_like(cost)
        rows_fixed = np.flatnonzero(~moving)
        if rows_fixed.size:
            fixed[rows_fixed, np.argmin(cost[rows_fixed], axis=1)] = demand[rows_fixed]
        cost_days = np.where(moving[:, None], cost / np.where(moving, vot, 1.0)[:, None], np.inf)
        cost_days[~moving, 0] = 0.0  # a dummy column; these pairs carry no responsive demand
        from silkway.analysis import assign_solve as solve

        ue = solve.user_equilibrium(cost_days, np.where(moving, demand, 0.0), inc, cap,
                                    np.array([e.service_days for e in elements]),
                                    fixed=fixed, gap=gap)
        flows_m = ue.flows + fixed
        unserved = np.zeros(len(live))
        load, queue, shadow = ue.load, ue.delay_days, np.full(len(elements), np.nan)
        gap_out, iterations = ue.gap, ue.iterations
        objective_value = float(np.sum(np.where(flows_m > 0, flows_m * np.nan_to_num(
            cost + (inc.T @ queue).reshape(cost.shape) * vot[:, None], posinf=0.0), 0.0)))
        method = ("user equilibrium (path-based gradient projection on the Beckmann potential, "
                  "M/D/1 queue delay "
                  f"linear beyond rho {RHO_LINEAR}, relative gap {ue.gap:.1e} after "
                  f"{ue.iterations} iterations)")
    else:
        for i in range(len(elements)):
            through = [(p.value_of_time, float(flows_m[k, r]))
                       for k, p in enumerate(live) for r, c in enumerate(p.candidates)
                       if i in c.elements and flows_m[k, r] > 1e-6]
            teu = sum(t for _, t in through)
            vot_mean = sum(v * t for v, t in through) / teu if teu > 0 else 0.0
            if shadow[i] > 0 and vot_mean > 0 and objective == "cost":
                queue[i] = shadow[i] / vot_mean
    results = []
    for i, e in enumerate(elements):
        price = None if np.isnan(shadow[i]) else float(shadow[i])
        results.append(ElementResult(e, float(cap[i]), float(load[i]), float(queue[i]), price))
    all_pairs = tuple(live) + tuple(p for p in pairs if not p.candidates)
    flows_out = _split(flows_m, live) + tuple(np.zeros(0) for p in pairs if not p.candidates)
    unserved_all = np.concatenate([unserved, [p.teu for p in pairs if not p.candidates]])
    row_errors = tuple(errors) + tuple(place_errors) + tuple(
        RowError(fl.row, p.problem or "no route", fl.id, fl.origin, fl.destination)
        for p in pairs if not p.candidates for fl in p.rows)
    return Assignment(method, objective, objective_value, period, all_pairs, flows_out,
                      unserved_all, queue, tuple(results), tuple(sorted(row_errors,
                                                                        key=lambda e: e.row)),
                      gap_out, iterations, scen.name if scen else None)


__all__ = [
    "DEFAULT_GAP",
    "OBJECTIVES",
    "Assignment",
    "Candidate",
    "ElementIndex",
    "ElementResult",
    "Pair",
    "assign",
    "build_pairs",
    "element_index",
    "nothing_to_assign",
    "problem_matrices",
]
