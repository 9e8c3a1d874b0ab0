"""CPU of one ``POST /api/plan`` answer in-process, by stage, and the garbage collector's pauses.

Runs what the API does for a request (``silkway.api.app``'s ``plan_bytes``) over the load
test's random mix (random pairs and avoid sets, each request distinct), without HTTP, so the
figures do not depend on the machine's load as a load test's do: CPU time
(``time.process_time``) per request of parsing the query, planning, ``to_dict``, and the JSON
written by the contract model's round trip (before) and by ``plan_json`` (now), and the JSON with
leg geometry (the API's default) by ``to_dict`` + ``plan_json`` and by ``PlanResult.to_json``. Then the same
requests again under CPython's default collector thresholds and under
:func:`silkway.api.gcpolicy.settle` (what ``silkway serve`` does), with the collections and
their pauses counted, the objects of the last ``--in-flight`` requests kept alive as in a
server's queue (they outlive the young collections, so the old generation grows).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from collections import deque
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import silkway
from load_api import random_queries
from silkway.api import gcpolicy
from silkway.api.app import PlanRequest
from silkway.result import PlanModel, plan_json

STAGES = ("parse", "plan", "to_dict", "model JSON (before)", "plan_json (now)")


def bodies(n: int, seed: int) -> list[str]:
    """Request bodies as the load test sends them (a distinct deadline each)."""
    return [json.dumps({**q, "geometry": False,
                        "deadline_days": round(20 + (i * 7919 % 100_000) / 10_000, 6)})
            for i, q in enumerate(random_queries(n, seed))]


def answer(net: silkway.Network, body: str, cpu: dict[str, list[float]]) -> silkway.PlanResult:
    """One request as ``plan_bytes`` answers it, each stage's CPU time appended to ``cpu``;
    the plan."""
    clock = time.process_time
    t0 = clock()
    req = PlanRequest.model_validate_json(body)
    key = req.model_dump_json()
    query = PlanRequest.model_validate_json(key).query()
    t1 = clock()
    result = silkway.plan(net, query)
    t2 = clock()
    d = result.to_dict(geometry=req.geometry)
    t3 = clock()
    before = PlanModel.model_validate(d).model_dump_json(by_alias=True,
                                                         exclude_unset=True).encode()
    t4 = clock()
    now = plan_json(d)
    t5 = clock()
    if now != before:
        raise SystemExit(f"plan_json differs from the model's JSON for {body}")
    for name, a, b in zip(STAGES, (t0, t1, t2, t3, t4), (t1, t2, t3, t4, t5), strict=True):
        cpu[name].append(b - a)
    return result


def with_geometry(results: list[silkway.PlanResult]) -> tuple[np.ndarray, np.ndarray]:
    """CPU ms per plan of its JSON with leg geometry (the API's default): ``to_dict`` then
    ``plan_json`` (before), and ``PlanResult.to_json`` (now, each leg's geometry written once);
    the bytes must be the same."""
    clock = time.process_time
    before, now = [], []
    for result in results:
        t0 = clock()
        a = plan_json(result.to_dict(geometry=True))
        t1 = clock()
        b = result.to_json(geometry=True)
        t2 = clock()
        if a != b:
            raise SystemExit("to_json differs from plan_json(to_dict(geometry=True))")
        before.append(t1 - t0)
        now.append(t2 - t1)
    return np.asarray(before) * 1000, np.asarray(now) * 1000


def collections(net: silkway.Network, reqs: list[str],
                in_flight: int) -> tuple[float, dict[int, list[float]]]:
    """Wall time of answering ``reqs`` (the new path) and each generation's pauses, with the
    objects of the last ``in_flight`` requests kept alive as a server's queue keeps them."""
    pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}
    started = [0.0]

    def watch(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            pauses[info["generation"]].append(time.perf_counter() - started[0])

    gc.callbacks.append(watch)
    try:
        queue: deque[object] = deque(maxlen=in_flight)
        t0 = time.perf_counter()
        for body in reqs:
            req = PlanRequest.model_validate_json(body)
            result = silkway.plan(net, req.query())
            d = result.to_dict(geometry=req.geometry)
            plan_json(d)
            queue.append((req, result, d))
        return time.perf_counter() - t0, pauses
    finally:
        gc.callbacks.remove(watch)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=500)
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--in-flight", type=int, default=25,
                    help="requests alive at once (50 clients on 2 processes: 25 each)")
    args = ap.parse_args()
    net = silkway.load_network(os.environ.get("SILKWAY_CACHE_DIR"))
    warm, timed, gc_a, gc_b = (bodies(args.requests, args.seed + k) for k in range(4))
    cpu: dict[str, list[float]] = {name: [] for name in STAGES}
    for body in warm:
        answer(net, body, cpu)
    cpu = {name: [] for name in STAGES}
    results = [answer(net, body, cpu) for body in timed]
    n = len(timed)
    print(f"{n} requests of the random mix (random pairs and avoid sets, each distinct), "
          "CPU ms per request (mean; p50 / p99):")
    for name in STAGES:
        ms = np.asarray(cpu[name]) * 1000
        print(f"  {name:<22} {ms.mean():7.3f}   ({np.median(ms):.3f} / "
              f"{np.percentile(ms, 99):.3f})")
    old = sum(np.asarray(cpu[s]) for s in STAGES[:4]) * 1000
    new = sum(np.asarray(cpu[s]) for s in (*STAGES[:3], STAGES[4])) * 1000
    print(f"  answer before / now    {old.mean():7.3f} / {new.mean():.3f} "
          f"(x{new.mean() / old.mean():.2f})")
    g_old, g_new = with_geometry(results)
    print(f"  with leg geometry (the API's default), the JSON: to_dict + plan_json "
          f"{g_old.mean():.3f} ms, to_json {g_new.mean():.3f} ms (x{g_new.mean() / g_old.mean():.2f})")
    default = gc.get_threshold()
    print(f"the collector, {args.in_flight} requests alive at once:")
    for label, reqs in (("default thresholds", gc_a), ("settled (silkway serve)", gc_b)):
        if label.startswith("settled"):
            gcpolicy.settle()
        wall, pauses = collections(net, reqs, args.in_flight)
        full = pauses[2]
        young = pauses[0] + pauses[1]
        print(f"  {label}: {len(reqs)} requests in {wall:.2f} s wall; {len(young)} young "
              f"collections ({sum(young) * 1000:.0f} ms), {len(full)} full "
              f"({sum(full) * 1000:.0f} ms, longest {max(full, default=0) * 1000:.0f} ms)")
    gc.unfreeze()
    gc.set_threshold(*default)


if __name__ == "__main__":
    main()
