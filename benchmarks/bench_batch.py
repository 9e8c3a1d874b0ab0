"""Batch planning of 10,000 shipments: serial against Dask with 1 and 2 workers, in one run.

Run with ``python benchmarks/bench_batch.py`` (``--rows``, ``--pairs``, ``--seed`` to vary;
``--mix lanes`` for the repeated-lanes batch). Two mixes:

* ``diverse`` (the default, the hard case): every row a random origin-destination pair over the
  network's non-border hubs, a departure date anywhere in one year (12 months of seasonal
  delays), a random avoid set (none, or 1-3 countries not at either end) and FEU or TEU, so
  nearly every row is a distinct query (about 9,000 of 10,000);
* ``lanes``: ~200 origin-destination pairs (each with its own avoid / modes constraints, as a
  forwarder's lanes have), departure dates over one quarter, so queries repeat.

Either is written as CSV, read back with ``read_shipments`` and planned three ways:

* ``plan_batch`` in this process (the baseline);
* ``plan_batch_dask`` on a local cluster of 1 worker process, then of 2;

each timed end to end (reading the CSV, starting and stopping the cluster, planning, writing the
Parquet) and printed in seconds and as a ratio against the serial baseline of the same run. The
bars are 10,000 diverse shipments in at most 30 s serial, and the 2-worker Dask run at least
1.6x faster than serial; PASS or FAIL is printed for each. The three runs must also give
identical rows. The machine's two cores may be shared with other work: the ratio of the runs,
made one after the other in the same process, is the figure to read.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import silkway
from silkway.analysis.batch import plan_batch, plan_batch_dask, read_shipments, write_results

BAR_S = 30.0
BAR_SPEEDUP = 1.6
BAR_OVERHEAD = 0.10
AVOIDABLE = ["RU", "BY", "IR", "AF", "PK", "TM", "CN", "KZ", "GE", "AZ", "TR", "UA", "MN"]
LANE_CONSTRAINTS: list[dict[str, str]] = [
    {}, {}, {}, {"avoid": "RU,BY"}, {"avoid": "RU,BY,IR"}, {"modes": "sea"}, {"close": "suez"},
    {"modes": "sea,rail,ferry"},
]


def make_csv(net: silkway.Network, path: Path, *, rows: int, pairs: int, seed: int) -> int:
    """Write a seeded shipments CSV; return the number of distinct lanes used."""
    rng = np.random.default_rng(seed)
    hubs = sorted((h for h in net.hubs if h.kind != "border"), key=lambda h: h.id)
    lanes: set[tuple[str, str, int]] = set()
    while len(lanes) < pairs:
        o, d = (hubs[int(i)] for i in rng.choice(len(hubs), size=2, replace=False))
        c = int(rng.integers(len(LANE_CONSTRAINTS)))
        kw = LANE_CONSTRAINTS[c]
        avoided = set(kw.get("avoid", "").split(","))
        if {o.country, d.country} & avoided or (kw.get("modes") == "sea" and not o.kind == d.kind
                                                == "port"):
            continue  # a forwarder would not ask that lane under those constraints
        lanes.add((o.id, d.id, c))
    lane_list = sorted(lanes)
    weights = rng.pareto(1.2, size=len(lane_list)) + 1.0  # a few busy lanes, many quiet ones
    weights /= weights.sum()
    start = dt.date(2025, 4, 1)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "origin", "destination", "cargo", "count", "departure_date", "avoid",
                    "modes", "close"])
        for i, k in enumerate(rng.choice(len(lane_list), size=rows, p=weights)):
            o, d, c = lane_list[int(k)]
            kw = LANE_CONSTRAINTS[c]
            day = start + dt.timedelta(days=int(rng.integers(91)))
            w.writerow([f"S{i + 1:05d}", o, d, "TEU" if rng.random() < 0.25 else "FEU",
                        int(rng.integers(1, 6)), day.isoformat(), kw.get("avoid", ""),
                        kw.get("modes", ""), kw.get("close", "")])
    return len(lane_list)


def make_diverse_csv(net: silkway.Network, path: Path, *, rows: int, seed: int) -> int:
    """Write a seeded batch of (nearly) all-distinct queries; return the distinct count."""
    rng = np.random.default_rng(seed)
    hubs = sorted((h for h in net.hubs if h.kind != "border"), key=lambda h: h.id)
    start = dt.date(2025, 1, 1)
    keys = set()
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "origin", "destination", "cargo", "count", "departure_date", "avoid"])
        for i in range(rows):
            o, d = (hubs[int(k)] for k in rng.choice(len(hubs), size=2, replace=False))
            pool = [c for c in AVOIDABLE if c not in (o.country, d.country)]
            n_avoid = int(rng.choice([0, 1, 2, 3], p=[0.4, 0.3, 0.2, 0.1]))
            avoid = ",".join(sorted(rng.choice(pool, size=n_avoid, replace=False)))
            day = start + dt.timedelta(days=int(rng.integers(365)))
            cargo = "TEU" if rng.random() < 0.25 else "FEU"
            keys.add((o.id, d.id, avoid, day.month, cargo))
            w.writerow([f"S{i + 1:05d}", o.id, d.id, cargo, int(rng.integers(1, 6)),
                        day.isoformat(), avoid])
    return len(keys)


def timed(label: str, fn: Callable[[], list[dict[str, Any]]],
          out: Path) -> tuple[float, list[dict[str, Any]]]:
    t0 = time.perf_counter()
    rows = fn()
    write_results(rows, out)
    elapsed = time.perf_counter() - t0
    print(f"  {label:<22} {elapsed:7.2f} s", flush=True)
    return elapsed, rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--pairs", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--mix", choices=("diverse", "lanes"), default="diverse")
    ap.add_argument("--cache-dir", default=os.environ.get("SILKWAY_CACHE_DIR"))
    args = ap.parse_args()

    cache_dir = args.cache_dir
    net = silkway.load_network(cache_dir)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        csv_path = d / "shipments.csv"
        if args.mix == "diverse":
            n_keys = make_diverse_csv(net, csv_path, rows=args.rows, seed=args.seed)
            print(f"batch: {args.rows:,} diverse shipments (random pairs, 12 months, random "
                  f"avoid sets), {n_keys:,} distinct queries, {os.cpu_count()} CPUs")
        else:
            n_lanes = make_csv(net, csv_path, rows=args.rows, pairs=args.pairs, seed=args.seed)
            shipments, _ = read_shipments(csv_path)
            keys = {(s.origin, s.destination, s.constraints,
                     s.departure_date and s.departure_date.month) for s in shipments}
            print(f"batch: {args.rows:,} shipments over {n_lanes} lanes, {len(keys)} distinct "
                  f"queries (lane x cargo x month), {os.cpu_count()} CPUs")

        def run(fn: Callable[[list[Any], list[Any]], list[dict[str, Any]]]
                ) -> Callable[[], list[dict[str, Any]]]:
            def go() -> list[dict[str, Any]]:
                s, e = read_shipments(csv_path)
                return fn(s, e)
            return go

        serial_s, serial_rows = timed(
            "serial plan_batch", run(lambda s, e: plan_batch(
                silkway.load_network(cache_dir), s, errors=e)), d / "serial.parquet")
        dask_root = cache_dir or str(silkway.cache_path().parent)
        results = [("serial", serial_s, serial_rows)]
        overheads: dict[int, dict[str, float]] = {}
        for workers in (1, 2):
            stats = overheads[workers] = {}
            secs, rows = timed(
                f"Dask, {workers} worker{'s' if workers > 1 else ''}",
                run(lambda s, e, w=workers, st=stats: plan_batch_dask(
                    s, errors=e, cache_dir=dask_root, workers=w, stats=st)),
                d / f"dask{workers}.parquet")
            results.append((f"dask-{workers}", secs, rows))

    ok = sum(r["status"] == "ok" for r in serial_rows)
    print(f"rows out: {len(serial_rows):,} ({ok:,} planned, {len(serial_rows) - ok:,} error rows)")
    print(f"{'run':<10} {'seconds':>8} {'x serial':>9} {'rows/s':>9} identical")
    for name, secs, rows in results:
        print(f"{name:<10} {secs:8.2f} {secs / serial_s:9.2f} {len(rows) / secs:9.0f} "
              f"{'yes' if rows == serial_rows else 'NO'}")
    for workers, st in overheads.items():
        print(f"dask-{workers}: cluster start and network load {st['start_s']:.2f} s; "
              f"{st['tasks']:.0f} tasks planned in {st['plan_s']:.2f} s, "
              f"{st['task_s']:.2f} s of it in tasks on {st['threads']:.0f} thread(s): "
              f"scheduling overhead {100 * st['overhead']:.1f} % "
              f"({'PASS' if st['overhead'] <= BAR_OVERHEAD else 'FAIL'}, bar "
              f"{100 * BAR_OVERHEAD:.0f} %)")
    two = results[-1][1]
    same = all(rows == serial_rows for _, _, rows in results)
    complete = same and len(serial_rows) == args.rows
    print(f"{'PASS' if serial_s <= BAR_S and complete else 'FAIL'}: {args.rows:,} shipments "
          f"serial in {serial_s:.2f} s (bar {BAR_S:.0f} s)")
    print(f"{'PASS' if serial_s / two >= BAR_SPEEDUP and complete else 'FAIL'}: Dask with 2 "
          f"workers {serial_s / two:.2f}x serial (bar {BAR_SPEEDUP}x; {two:.2f} s, cluster start "
          "included)")


if __name__ == "__main__":
    main()
