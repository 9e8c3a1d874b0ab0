"""How the route search scales with the network: synthetic networks of 1x, 2x, 4x (and 10x) hubs.

Run with ``python benchmarks/bench_scale.py`` (``--sizes 1,2,4,10``, ``--pairs``, ``--seed``).
A synthetic network of k x today's hubs is k copies of the compiled network: copy i has every
hub (id ``HUB#i``, same country and profile) and every leg, each leg's distance scaled by a
seeded factor in [0.9, 1.1]; a seeded third of the legs also gets a cross link from copy i to
copy i+1 (mod k), so that the copies form one network whose routes can mix copies. For each size
the same number of random origin-destination pairs (non-border hubs, any copies) is planned
once each with ``plan()`` (days objective and p90 objective, and days without the corridor
section), timed, and its search labels
counted; every search must finish (``complete``) or say it did not. Times are CPU seconds of
this process (``time.process_time``), the least disturbed figure on a shared machine; ratios
are against the 1x run of the same process.

Bars: 4x median plan <= 10 ms; at 10x every search completes or reports ``complete: false``.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time

import numpy as np

import silkway
from silkway.network.model import Hub, Leg, Network
from silkway.routing.constraints import Constraints
from silkway.routing.graph import N_CLASSES, search_graph
from silkway.routing.pareto import SearchLimitError, pareto_paths


def synthetic(net: Network, k: int, seed: int) -> Network:
    """``k`` linked copies of ``net`` (see the module docstring); k = 1 is ``net`` itself."""
    if k == 1:
        return net
    rng = np.random.default_rng(seed)
    hubs: list[Hub] = [dataclasses.replace(h, id=f"{h.id}#{i}", name=f"{h.name} #{i}",
                                           aliases=())
                       for i in range(k) for h in net.hubs]
    legs: list[Leg] = []
    for i in range(k):
        for leg in net.legs:
            for j in ([i, (i + 1) % k] if rng.random() < 1 / 3 else [i]):
                scale = float(rng.uniform(0.9, 1.1))
                legs.append(dataclasses.replace(
                    leg, index=len(legs), src=f"{leg.src}#{i}", dst=f"{leg.dst}#{j}",
                    distance_km=leg.distance_km * scale, estimated_km=leg.estimated_km * scale))
    return Network(tuple(hubs), tuple(legs), net.tables, f"{net.key}+synthetic-{k}-{seed}",
                   dict(net.stats))


def labels_of(net: Network, o: str, d: str, risk: bool) -> tuple[int, bool]:
    """Labels the plan's search creates for one query, and whether it completed."""
    g = search_graph(net, Constraints.make(), risk)
    oi, di = g.hub_index[o], g.hub_index[d]
    stats: dict[str, int] = {}
    try:
        pareto_paths(g.compiled.adj, oi * N_CLASSES,
                     frozenset(di * N_CLASSES + c for c in range(1, N_CLASSES)),
                     allowed=g.allowed, lower_bound=g.lower_bounds(di), dim=g.dim, stats=stats)
    except SearchLimitError:
        return stats["labels"], False
    return stats["labels"], True


def run(net: Network, pairs: int, seed: int, objective: str, corridors: str = "available"
        ) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    ends = [h.id for h in net.hubs if h.kind != "border"]
    times: list[float] = []
    labels: list[int] = []
    incomplete = reported = no_route = 0
    for _ in range(pairs):
        o, d = (ends[int(i)] for i in rng.choice(len(ends), size=2, replace=False))
        t0 = time.process_time()
        try:
            result = silkway.plan(net, o, d, objective=objective, corridors=corridors)
        except silkway.NoRouteError as exc:
            no_route += 1
            reported += "limit" in str(exc)
            times.append(time.process_time() - t0)
            continue
        times.append(time.process_time() - t0)
        if not result.complete:
            incomplete += 1
            reported += result.to_dict()["complete"] is False
        n, _ = labels_of(net, result.origin.id, result.destination.id, objective == "p90")
        labels.append(n)
    t = np.asarray(times) * 1000
    return {"p50": float(np.median(t)), "p90": float(np.percentile(t, 90)),
            "labels": float(np.median(labels)) if labels else 0.0, "incomplete": incomplete,
            "reported": reported, "no_route": no_route}


RUNS = (("days", "days", "available"), ("p90", "p90", "available"),
        ("days-bare", "days", "none"))
"""Each size's runs: name, objective, corridor section (``days-bare``: the route search alone,
without the corridor section, as the 4x bar was set before plans had one)."""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1,2,4,10")
    ap.add_argument("--pairs", type=int, default=200)
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--cache-dir", default=os.environ.get("SILKWAY_CACHE_DIR"))
    args = ap.parse_args()
    base = silkway.load_network(args.cache_dir)
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{args.pairs} random pairs per size, each planned once; CPU ms of this process")
    print(f"{'size':>4} {'hubs':>5} {'legs':>6} {'objective':>9} {'p50 ms':>8} {'p90 ms':>8} "
          f"{'x 1x':>6} {'labels':>7} {'x 1x':>6} {'incomplete':>10} {'said so':>7}")
    first: dict[str, dict[str, float]] = {}
    verdicts = []
    for k in sizes:
        for name, objective, section in RUNS:
            net = synthetic(base, k, args.seed)  # a new network: no run starts with warm caches
            r = run(net, args.pairs, args.seed, objective, section)
            ref = first.setdefault(name, r)
            print(f"{k:>3}x {len(net.hubs):>5} {len(net.legs):>6} {name:>9} {r['p50']:8.2f} "
                  f"{r['p90']:8.2f} {r['p50'] / ref['p50']:6.2f} {r['labels']:7.0f} "
                  f"{r['labels'] / max(ref['labels'], 1):6.2f} {r['incomplete']:>10.0f} "
                  f"{'yes' if r['reported'] == r['incomplete'] else 'NO':>7}", flush=True)
            if k == 4 and objective == "days":
                verdicts.append((f"4x median plan <= 10 ms ({name})", r["p50"] <= 10))
            verdicts.append((f"{k}x {name}: every search completes or says it did not",
                             r["reported"] == r["incomplete"]))
    for name, ok in verdicts:
        print(f"{'PASS' if ok else 'FAIL'}: {name}")


if __name__ == "__main__":
    main()
