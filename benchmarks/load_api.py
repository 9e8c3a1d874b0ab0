"""Bounded load test of ``POST /api/plan`` on loopback, beside ``GET /api/health``.

Starts ``silkway serve`` (uvicorn) on 127.0.0.1 on a free port, runs ``--clients`` concurrent
clients for ``--seconds`` over a mix of queries, stops, and prints requests/s, p50/p99 latency
and the error count. Mixes: ``repeated`` (six fixed lanes), ``distinct`` (the same lanes, each
request made distinct so the response cache never answers) and ``random`` (the real mix: random
origin-destination pairs with random avoid sets of 0-3 countries, drawn with a seed from the
network and kept only when they have a route, each request distinct). With ``--health`` (on by
default for ``random``) the same load then runs against ``GET /api/health``, the framework's
floor, in the same run. Bars: zero errors, p99 <= 100 ms (quiet machine) and, for the random
mix, plan p99 <= 2x the health p99 of the same run. While wrk plans, one probe asks for
``GET /api/health`` every 50 ms: its latency shows whether the server still answers at once
while it plans (its planning is off the event loop). Traffic only ever goes to 127.0.0.1; the
loop is bounded in time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np

QUERIES = [
    {"origin": "Toyama", "destination": "Bishkek", "avoid": ["RU", "BY"]},
    {"origin": "JPNGO", "destination": "TRIST", "avoid": ["RU", "BY", "IR"]},
    {"origin": "Shanghai", "destination": "Rotterdam", "modes": ["sea"]},
    {"origin": "Kashgar", "destination": "Osh", "modes": ["road"]},
    {"origin": "Xi'an", "destination": "Duisburg"},
    {"origin": "Busan", "destination": "Tashkent"},
]


AVOIDABLE = ["RU", "BY", "IR", "AF", "PK", "TM", "CN", "KZ", "GE", "AZ", "TR", "UA", "MN"]


def random_queries(n: int, seed: int) -> list[dict[str, object]]:
    """``n`` random routable queries: a random pair and a random avoid set each."""
    import silkway

    net = silkway.load_network(os.environ.get("SILKWAY_CACHE_DIR"))
    rng = np.random.default_rng(seed)
    hubs = sorted((h for h in net.hubs if h.kind != "border"), key=lambda h: h.id)
    out: list[dict[str, object]] = []
    while len(out) < n:
        o, d = (hubs[int(i)] for i in rng.choice(len(hubs), size=2, replace=False))
        pool = [c for c in AVOIDABLE if c not in (o.country, d.country)]
        avoid = sorted(str(c) for c in rng.choice(pool, size=int(rng.integers(0, 4)),
                                                  replace=False))
        try:
            silkway.plan(net, o.id, d.id, avoid=avoid)
        except silkway.SilkwayError:
            continue
        out.append({"origin": o.id, "destination": d.id, "avoid": avoid})
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def client_loop(base: str, deadline: float, lat: list[float], errors: list[str],
                      k: int, geometry: bool, distinct: bool,
                      queries: list[dict[str, object]] = QUERIES) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        i = k
        while time.perf_counter() < deadline:
            body = {**queries[i % len(queries)], "geometry": geometry}
            if distinct:  # a deadline never asked before: defeats the server's response cache
                body["deadline_days"] = round(20 + (i * 7919 % 100_000) / 10_000 + k / 1e6, 6)
            i += 50
            t0 = time.perf_counter()
            try:
                r = await http.post("/api/plan", json=body)
                if r.status_code != 200:
                    errors.append(f"HTTP {r.status_code}")
            except httpx.HTTPError as exc:
                errors.append(type(exc).__name__)
            lat.append(time.perf_counter() - t0)


async def run(base: str, clients: int, seconds: float, geometry: bool,
              distinct: bool, queries: list[dict[str, object]] = QUERIES) -> tuple[list, list]:
    lat: list[float] = []
    errors: list[str] = []
    deadline = time.perf_counter() + seconds
    await asyncio.gather(*(client_loop(base, deadline, lat, errors, k, geometry, distinct,
                                       queries)
                           for k in range(clients)))
    return lat, errors


async def health_loop(base: str, deadline: float, lat: list[float], errors: list[str]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            try:
                r = await http.get("/api/health")
                if r.status_code != 200:
                    errors.append(f"HTTP {r.status_code}")
            except httpx.HTTPError as exc:
                errors.append(type(exc).__name__)
            lat.append(time.perf_counter() - t0)


async def run_health(base: str, clients: int, seconds: float) -> tuple[list, list]:
    lat: list[float] = []
    errors: list[str] = []
    deadline = time.perf_counter() + seconds
    await asyncio.gather(*(health_loop(base, deadline, lat, errors) for _ in range(clients)))
    return lat, errors


WRK_SCRIPT = """
local bodies = {%s}
local distinct = %s
local i = 0
request = function()
  i = i + 1
  local body = bodies[(i %% #bodies) + 1]
  if distinct then
    local d = string.format("%%.6f", 20 + (i %% 99991) / 10000 + math.random())
    body = string.gsub(body, "^{", '{"deadline_days":' .. d .. ',')
  end
  return wrk.format("POST", "/api/plan", {["Content-Type"]="application/json"}, body)
end
"""
WRK_STATUS = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do total[k] = (total[k] or 0) + v end
  end
  for k, v in pairs(total) do io.write(string.format("status %d %d\\n", k, v)) end
end
"""


SHED: list[int] = []  # 503 answers (queue full, Retry-After) per wrk run


class HealthProbe:
    """One client asking ``GET /api/health`` every ``every`` seconds *while* another load runs:
    whether the server still answers at once while it plans (planning off the event loop)."""

    def __init__(self, base: str, every: float = 0.05) -> None:
        self.base, self.every = base, every
        self.lat: list[float] = []
        self.errors = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        with httpx.Client(base_url=self.base, timeout=10) as http:
            while not self._stop.wait(self.every):
                t0 = time.perf_counter()
                try:
                    ok = http.get("/api/health").status_code == 200
                except httpx.HTTPError:
                    ok = False
                self.lat.append(time.perf_counter() - t0)
                self.errors += not ok

    def __enter__(self) -> HealthProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> str:
        if not self.lat:
            return "no probe answered"
        p50, p99 = np.percentile(np.asarray(self.lat) * 1000, [50, 99])
        return (f"{len(self.lat):,} probes  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  "
                f"{self.errors} errors")


def run_wrk(base: str, clients: int, seconds: float, geometry: bool,
            distinct: bool, queries: list[dict[str, object]] = QUERIES,
            path: str | None = None) -> tuple[float, float, float, int, int]:
    """wrk (C, Debian's package) as the load generator: it leaves the CPU to the server.
    With ``path``, plain GETs of that path instead of plans."""
    bodies = ",".join("[[" + json.dumps({**q, "geometry": geometry}) + "]]" for q in queries)
    script = (WRK_SCRIPT % (bodies, "true" if distinct else "false") if path is None
              else "") + WRK_STATUS
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(script)
    try:
        run = subprocess.run(["wrk", "-t2", f"-c{clients}", f"-d{int(seconds)}s", "--latency",
                              "-s", fh.name, base + (path or "")], capture_output=True,
                             text=True, check=True)
        if run.stderr.strip():  # a script wrk cannot load would silently send plain GETs
            raise SystemExit(f"wrk: {run.stderr.strip()}")
        out = run.stdout
    finally:
        Path(fh.name).unlink()

    def ms(label: str) -> float:
        m = re.search(rf"{label}\s+([\d.]+)(us|ms|s)\b", out)
        if m is None:
            raise SystemExit(f"cannot read {label} from wrk:\n{out}")
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]

    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    statuses = {int(k): int(v) for k, v in re.findall(r"^status (\d+) (\d+)$", out, re.M)}
    if not statuses:
        raise SystemExit(f"wrk reported no response statuses:\n{out}")
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = sum(v for k, v in statuses.items() if k not in (200, 503)) + (
        sum(map(int, sock.groups())) if sock else 0)
    SHED.append(statuses.get(503, 0))
    return rps, ms("50%"), ms("99%"), errors, total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--geometry", action="store_true", help="ask for leg geometry too")
    ap.add_argument("--mix", choices=["repeated", "distinct", "random"], default="repeated")
    ap.add_argument("--distinct", action="store_true", help="same as --mix distinct")
    ap.add_argument("--queries", type=int, default=2000, help="random queries drawn (random mix)")
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--health", action=argparse.BooleanOptionalAction, default=None,
                    help="also load GET /api/health (default: with the random mix)")
    ap.add_argument("--workers", type=int, default=1,
                    help="planning processes (silkway serve --workers; 1: plan in the server)")
    ap.add_argument("--tool", choices=["wrk", "httpx"],
                    default="wrk" if shutil.which("wrk") else "httpx",
                    help="load generator (default: wrk when installed)")
    args = ap.parse_args()
    mix = "distinct" if args.distinct else args.mix
    distinct = mix != "repeated"
    queries = random_queries(args.queries, args.seed) if mix == "random" else QUERIES
    health = args.health if args.health is not None else mix == "random"
    port = free_port()
    env = {**os.environ, "SILKWAY_LOG": "WARNING"}
    server = subprocess.Popen([sys.executable, "-m", "silkway.cli", "serve", "--host",
                               "127.0.0.1", "--port", str(port), "--workers", str(args.workers)],
                              env=env)
    base = f"http://127.0.0.1:{port}"
    h_p99 = None
    probe = HealthProbe(base)
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            sys.exit("server did not start")
        asyncio.run(run(base, 4, 3, args.geometry, False))  # warm-up
        if args.tool == "wrk":
            with probe:
                rps, p50, p99, n_err, total = run_wrk(base, args.clients, args.seconds,
                                                      args.geometry, distinct, queries)
            if health:
                h_rps, h_p50, h_p99, h_err, h_total = run_wrk(
                    base, args.clients, args.seconds, False, False, path="/api/health")
        else:
            t0 = time.perf_counter()
            lat, errs = asyncio.run(run(base, args.clients, args.seconds, args.geometry,
                                        distinct, queries))
            wall = time.perf_counter() - t0
            p50, p99 = np.percentile(np.asarray(lat) * 1000, [50, 99])
            rps, n_err, total = len(lat) / wall, len(errs), len(lat)
            if health:
                t0 = time.perf_counter()
                lat, errs = asyncio.run(run_health(base, args.clients, args.seconds))
                wall = time.perf_counter() - t0
                h_p50, h_p99 = np.percentile(np.asarray(lat) * 1000, [50, 99])
                h_rps, h_err, h_total = len(lat) / wall, len(errs), len(lat)
    finally:
        server.terminate()
        server.wait(timeout=30)
    kind = {"repeated": f"{len(QUERIES)} repeated queries",
            "distinct": "distinct (uncached) queries",
            "random": f"random pairs and avoid sets ({len(queries):,} drawn), every request "
                      "distinct"}[mix]
    planning = (f"planning in {args.workers} processes" if args.workers > 1
                else "planning in the server process")
    print(f"{args.tool}: {args.clients} clients x {args.seconds:g} s, {kind}, {planning}, "
          "on loopback")
    shed = f", {SHED[0]:,} shed with 503 + Retry-After" if SHED else ""
    print(f"  POST /api/plan   {total:>8,} requests {rps:>8,.0f} req/s  p50 {p50:7.1f} ms  "
          f"p99 {p99:7.1f} ms  {n_err} errors{shed}")
    if probe.lat:
        print(f"  GET /api/health while planning (one probe every 50 ms): {probe.summary()}")
    if health and h_p99 is not None:
        print(f"  GET /api/health  {h_total:>8,} requests {h_rps:>8,.0f} req/s  p50 {h_p50:7.1f} "
              f"ms  p99 {h_p99:7.1f} ms  {h_err} errors")
        print(f"  plan p99 / health p99: {p99 / h_p99:.2f}")
    print(f"{'PASS' if not n_err else 'FAIL'}: zero errors (503s from the bounded queue are "
          "counted apart)")
    print(f"{'PASS' if p99 <= 100 else 'FAIL'}: p99 <= 100 ms (a quiet-machine bar)")
    if health and h_p99 is not None:
        print(f"{'PASS' if p99 <= 2 * h_p99 else 'FAIL'}: plan p99 <= 2x health p99 of the "
              "same run")


if __name__ == "__main__":
    main()
