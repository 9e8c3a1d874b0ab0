"""Corridor assignment of 2,000 origin-destination pairs x 20 candidate routes, in one run.

Run with ``python benchmarks/bench_assign.py`` (``--pairs``, ``--routes``, ``--seed``, ``--gap``).
2,000 distinct pairs are drawn with a seeded generator over the network's non-border hubs (a
quarter of them avoiding RU and BY), with a Pareto-distributed TEU a year each, scaled so that
the busiest capacity elements bind. Printed, in seconds and as ratios against the first line:

* ``plan one by one``: :func:`silkway.plan` once per pair (the baseline: what ``batch`` does);
* ``candidates``: the candidate routes of every pair (the Pareto set, ``thin=0``) and the
  element each crosses;
* ``system optimum``: the LP (HiGHS via scipy) on the padded 2,000 x 20 matrix: pairs with fewer
  real candidates are topped up to exactly ``--routes`` columns with copies of their own
  candidates made dearer by 1-20 % (same elements), so the LP has the full size of the bar;
* ``user equilibrium``: gradient projection on the same matrix until the relative gap is at most
  ``--gap``; its iterations and final gap are printed;
* ``assign() end to end``: the whole :func:`~silkway.analysis.assign.assign` on the same flows
  (candidates, column-generation rounds and the LP).

The bars: the system optimum of 2,000 x 20 in at most 10 s, and the equilibrium reaching the
stated gap; PASS or FAIL is printed for each.
"""

from __future__ import annotations

import argparse
import contextlib
import time

import numpy as np

import silkway
from silkway.analysis.assign import (
    assign,
    build_pairs,
    element_index,
    problem_matrices,
)
from silkway.analysis.assign_solve import system_optimum, user_equilibrium
from silkway.analysis.flows import Flow
from silkway.data.capacities import load_capacities
from silkway.routing.constraints import Constraints

BAR_S = 10.0


def draw_flows(net: silkway.Network, *, pairs: int, seed: int) -> list[Flow]:
    """Seeded distinct pairs with Pareto-distributed TEU a year."""
    rng = np.random.default_rng(seed)
    hubs = sorted((h for h in net.hubs if h.kind != "border"), key=lambda h: h.id)
    avoid = Constraints.make(avoid="RU,BY")
    seen: set[tuple[str, str, bool]] = set()
    flows: list[Flow] = []
    while len(flows) < pairs:
        o, d = (hubs[int(i)] for i in rng.choice(len(hubs), size=2, replace=False))
        av = bool(rng.random() < 0.25) and not {o.country, d.country} & {"RU", "BY"}
        if (o.id, d.id, av) in seen:
            continue
        seen.add((o.id, d.id, av))
        teu = float(round(500 * (rng.pareto(1.3) + 1.0)))
        flows.append(Flow(len(flows) + 1, o.id, d.id, teu, None,
                          avoid if av else Constraints(), None, 327.0))
    return flows


def pad(cost: np.ndarray, inc, width: int, rng: np.random.Generator):  # type: ignore[no-untyped-def]
    """Top every pair up to ``width`` candidates with dearer copies of its own routes."""
    import scipy.sparse as sp

    n_pairs, w0 = cost.shape
    out = np.full((n_pairs, width), np.inf)
    inc = inc.tocsc()
    cols: list[int] = []
    for p in range(n_pairs):
        real = np.flatnonzero(np.isfinite(cost[p]))
        for r in range(width):
            src = real[r] if r < real.size else real[int(rng.integers(real.size))]
            out[p, r] = cost[p, src] * (1.0 if r < real.size else 1.0 + rng.uniform(0.01, 0.2))
            cols.append(p * w0 + int(src))
    new_inc = sp.csr_matrix(inc[:, cols])
    return out, new_inc


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=2000)
    ap.add_argument("--routes", type=int, default=20)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--gap", type=float, default=1e-4)
    args = ap.parse_args()
    net = silkway.load_network()
    flows = draw_flows(net, pairs=args.pairs, seed=args.seed)
    rng = np.random.default_rng(args.seed)

    t0 = time.perf_counter()
    for f in flows:
        with contextlib.suppress(silkway.SilkwayError):
            silkway.plan(net, f.origin, f.destination, constraints=f.constraints)
    t_plan = time.perf_counter() - t0

    elements = load_capacities(net.tables)
    index = element_index(elements)
    t0 = time.perf_counter()
    pairs, _ = build_pairs(net, flows, index, scenario=None, objective="cost",
                           max_routes=args.routes, draws=400, closed=set())
    t_cand = time.perf_counter() - t0
    live = [p for p in pairs if p.candidates]
    cost, demand, inc = problem_matrices(live, len(elements), "cost")
    real_cols = int(np.isfinite(cost).sum())
    cost, inc = pad(cost, inc, args.routes, rng)
    cap_year = np.array([e.teu_per_year for e in elements])
    # scale demand so the busiest element carries twice its capacity if nothing were diverted
    best = np.argmin(cost, axis=1)
    aon = np.zeros_like(cost)
    aon[np.arange(len(live)), best] = demand
    load = np.asarray(inc @ aon.ravel()).ravel()
    scale = 2.0 * float(np.min(np.divide(cap_year, load, out=np.full_like(load, np.inf),
                                         where=load > 0)))
    demand = demand * scale
    worst = np.array([c[np.isfinite(c)].max() for c in cost])

    t0 = time.perf_counter()
    so = system_optimum(cost, demand, inc, cap_year, 10.0 * worst)
    t_so = time.perf_counter() - t0
    vot = np.array([p.value_of_time for p in live])
    t0 = time.perf_counter()
    ue = user_equilibrium(cost / vot[:, None], demand, inc, cap_year,
                          np.array([e.service_days for e in elements]), gap=args.gap)
    t_ue = time.perf_counter() - t0
    scaled = [Flow(f.row, f.origin, f.destination, f.teu * scale, f.id, f.constraints, f.month,
                   f.value_of_time_usd_per_teu_day) for f in flows]
    t0 = time.perf_counter()
    full = assign(net, scaled, max_routes=args.routes)
    t_full = time.perf_counter() - t0

    binding = int(np.sum(so.shadow > 0))
    print(f"{len(flows)} pairs ({len(live)} with a route), {real_cols} real candidate routes "
          f"(mean {real_cols / len(live):.1f} a pair), LP padded to {cost.shape[0]} x "
          f"{cost.shape[1]} = {np.isfinite(cost).sum()} columns, {len(elements)} capacity "
          f"elements, {binding} binding, demand x{scale:.2f} -> {demand.sum():,.0f} TEU a year")
    rows = [("plan one by one", t_plan), ("candidates", t_cand), ("system optimum", t_so),
            ("user equilibrium", t_ue), ("assign() end to end", t_full)]
    for name, t in rows:
        print(f"  {name:<22} {t:8.2f} s   {t / t_plan:6.2f} x plan one by one")
    print(f"  equilibrium: {ue.iterations} iterations, relative gap {ue.gap:.2e} "
          f"(target {args.gap:.0e}); end-to-end assign: {full.unserved_teu:,.0f} TEU unserved")
    print(f"system optimum {cost.shape[0]} x {cost.shape[1]} in {t_so:.2f} s <= {BAR_S:.0f} s: "
          f"{'PASS' if t_so <= BAR_S else 'FAIL'}")
    print(f"equilibrium gap {ue.gap:.2e} <= {args.gap:.0e}: "
          f"{'PASS' if ue.gap is not None and ue.gap <= args.gap else 'FAIL'}")


if __name__ == "__main__":
    main()
