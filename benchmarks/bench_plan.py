"""Plan latency against searoute and a plain networkx Dijkstra, in one run, as ratios.

Run with ``./run bench`` (or ``python benchmarks/bench_plan.py``). Prints, for this machine:

* silkway ``plan()`` latency on the compiled network, p50 and p99 over a fixed set of
  origin-destination pairs (each query repeated);
* ``searoute.searoute()`` for one sea route, called as a user calls it;
* ``networkx`` Dijkstra over the raw ``world_railways`` graph of scgraph-data;
* cached network load and, with ``--cold``, the first-run compile;

and each as a ratio against silkway's plan p50, all measured in the same process.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import tempfile
import time
from collections.abc import Callable

import numpy as np

import silkway

PAIRS: list[tuple[str, str, dict]] = [
    ("Toyama", "Bishkek", {"avoid": "RU,BY"}),
    ("JPNGO", "TRIST", {"avoid": "RU,BY,IR"}),
    ("Shanghai", "Rotterdam", {"modes": "sea"}),
    ("Shanghai", "Rotterdam", {"modes": "sea", "close": "suez"}),
    ("Kashgar", "Osh", {"modes": "road"}),
    ("Xi'an", "Duisburg", {}),
    ("Chongqing", "Duisburg", {"modes": "rail"}),
    ("Busan", "Tashkent", {}),
    ("Tokyo", "Almaty", {}),
    ("Lianyungang", "Istanbul", {"avoid": "RU"}),
    ("Osaka", "Karachi", {}),
    ("Nagoya", "Hamburg", {}),
    ("Niigata", "Andijan", {"avoid": "RU"}),
    ("Hakata", "Aktau", {}),
    ("Kobe", "Tbilisi", {"avoid": "RU,IR"}),
    ("Yokohama", "Moscow", {}),
    ("Tianjin", "Warsaw", {}),
    ("Bishkek", "Tokyo", {"avoid": "RU,BY"}),
    ("Tashkent", "Karachi", {}),
    ("Almaty", "Constanta", {"avoid": "RU"}),
]
SEA_PAIRS = [((121.6, 31.355), (4.05, 51.955)), ((129.08, 35.105), (28.69, 40.965)),
             ((136.84, 35.03), (56.06, 27.105)), ((119.44, 34.74), (9.93, 53.525)),
             ((137.1, 36.775), (129.08, 35.105))]
RAIL_PAIRS = [((34.74, 119.44), (44.168, 80.30)), ((34.39, 109.09), (51.45, 6.74)),
              ((43.34, 76.95), (42.865, 74.6))]


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000, q))


def bench_plan(net: silkway.Network, repeat: int) -> list[float]:
    for o, d, kw in PAIRS:  # warm the per-constraint search graphs, as a server would be
        silkway.plan(net, o, d, **kw)
    samples = []
    for o, d, kw in PAIRS:
        samples += timed(lambda o=o, d=d, kw=kw: silkway.plan(net, o, d, **kw), repeat)
    return samples


def bench_searoute() -> list[float]:
    import searoute

    return [t for a, b in SEA_PAIRS for t in timed(lambda a=a, b=b: searoute.searoute(a, b), 3)]


def bench_networkx(limit_s: float) -> tuple[list[float], float]:
    import networkx as nx

    from silkway.network.base import literal_path, parse_literal

    t0 = time.perf_counter()
    nodes, m = parse_literal(literal_path("world_railways"))
    g = nx.Graph()
    coo = m.tocoo()
    g.add_weighted_edges_from(zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(),
                                  strict=True))
    load_s = time.perf_counter() - t0
    from scipy.spatial import cKDTree

    tree = cKDTree(nodes)
    samples: list[float] = []
    for a, b in RAIL_PAIRS:
        ia, ib = int(tree.query(a)[1]), int(tree.query(b)[1])

        def run(ia: int = ia, ib: int = ib) -> None:
            with contextlib.suppress(nx.NetworkXNoPath):
                nx.dijkstra_path_length(g, ia, ib)

        samples += timed(run, 1)
        if sum(samples) > limit_s:
            break
    return samples, load_s


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=25, help="repeats of each plan query")
    ap.add_argument("--cold", action="store_true", help="also time a first-run compile")
    ap.add_argument("--no-networkx", action="store_true", help="skip the networkx baseline")
    ap.add_argument("--cache-dir", default=os.environ.get("SILKWAY_CACHE_DIR"),
                    help="compiled-network cache [default: $SILKWAY_CACHE_DIR or ~/.cache/silkway]")
    args = ap.parse_args()

    if args.cold:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            silkway.load_network(tmp)
            cold_s = time.perf_counter() - t0
            loads = timed(lambda: silkway.load_network(tmp), 5)
    net = silkway.load_network(args.cache_dir)
    if not args.cold:
        loads = timed(lambda: silkway.load_network(args.cache_dir), 5)

    plan_s = bench_plan(net, args.repeat)
    sea_s = bench_searoute()
    p50 = pct(plan_s, 50)
    rows = [("silkway plan() p50", p50, "ms"), ("silkway plan() p99", pct(plan_s, 99), "ms"),
            ("searoute one sea route, median", pct(sea_s, 50), "ms")]
    if not args.no_networkx:
        nx_s, nx_load = bench_networkx(limit_s=120)
        rows.append(("networkx Dijkstra on raw world_railways, median", pct(nx_s, 50), "ms"))
        rows.append(("networkx graph build from the raw literal", nx_load * 1000, "ms"))
    rows.append(("cached network load, median", statistics.median(loads) * 1000, "ms"))
    if args.cold:
        rows.append(("first-run network compile", cold_s * 1000, "ms"))

    print(f"{len(PAIRS)} plan queries x {args.repeat} repeats; silkway {silkway.__version__}")
    print(f"{'measure':52s} {'value':>12s}  {'x plan p50':>10s}")
    for name, value, unit in rows:
        print(f"{name:52s} {value:10.2f} {unit}  {value / p50:10.1f}")
    print(f"\nbars: plan p50 <= 5 ms: {'PASS' if p50 <= 5 else 'FAIL'}; "
          f"p99 <= 50 ms: {'PASS' if pct(plan_s, 99) <= 50 else 'FAIL'}; "
          f"searoute median / plan p50 >= 5: {'PASS' if pct(sea_s, 50) / p50 >= 5 else 'FAIL'}; "
          f"cached load <= 0.3 s: {'PASS' if statistics.median(loads) <= 0.3 else 'FAIL'}")


if __name__ == "__main__":
    main()
