"""Bounded load test of ``POST /api/plan`` on loopback.

Starts ``silkway serve`` (uvicorn) on 127.0.0.1 on a free port, runs ``--clients`` concurrent
clients for ``--seconds`` over a fixed mix of queries, stops, and prints requests/s, p50/p99
latency and the error count. Bar: zero errors and p99 <= 100 ms with 50 clients for 60 s.
Traffic only ever goes to 127.0.0.1; the loop is bounded in time.
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def client_loop(base: str, deadline: float, lat: list[float], errors: list[str],
                      k: int, geometry: bool, distinct: bool) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        i = k
        while time.perf_counter() < deadline:
            body = {**QUERIES[i % len(QUERIES)], "geometry": geometry}
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
              distinct: bool) -> tuple[list, list]:
    lat: list[float] = []
    errors: list[str] = []
    deadline = time.perf_counter() + seconds
    await asyncio.gather(*(client_loop(base, deadline, lat, errors, k, geometry, distinct)
                           for k in range(clients)))
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


def run_wrk(base: str, clients: int, seconds: float, geometry: bool,
            distinct: bool) -> tuple[float, float, float, int, int]:
    """wrk (C, Debian's package) as the load generator: it leaves the CPU to the server."""
    bodies = ",".join("[[" + json.dumps({**q, "geometry": geometry}) + "]]" for q in QUERIES)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(WRK_SCRIPT % (bodies, "true" if distinct else "false"))
    try:
        out = subprocess.run(["wrk", "-t2", f"-c{clients}", f"-d{int(seconds)}s", "--latency",
                              "-s", fh.name, base], capture_output=True, text=True,
                             check=True).stdout
    finally:
        Path(fh.name).unlink()

    def ms(label: str) -> float:
        m = re.search(rf"{label}\s+([\d.]+)(us|ms|s)\b", out)
        if m is None:
            raise SystemExit(f"cannot read {label} from wrk:\n{out}")
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]

    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, sock.groups())) if sock else 0)
    return rps, ms("50%"), ms("99%"), errors, total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--geometry", action="store_true", help="ask for leg geometry too")
    ap.add_argument("--distinct", action="store_true",
                    help="every request distinct (no response-cache hits): the uncached figure")
    ap.add_argument("--workers", type=int, default=1, help="server processes")
    ap.add_argument("--tool", choices=["wrk", "httpx"],
                    default="wrk" if shutil.which("wrk") else "httpx",
                    help="load generator (default: wrk when installed)")
    args = ap.parse_args()
    port = free_port()
    env = {**os.environ, "SILKWAY_LOG": "WARNING"}
    server = subprocess.Popen([sys.executable, "-m", "silkway.cli", "serve", "--host",
                               "127.0.0.1", "--port", str(port), "--workers", str(args.workers)],
                              env=env)
    base = f"http://127.0.0.1:{port}"
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
            rps, p50, p99, n_err, total = run_wrk(base, args.clients, args.seconds,
                                                  args.geometry, args.distinct)
        else:
            t0 = time.perf_counter()
            lat, errs = asyncio.run(run(base, args.clients, args.seconds, args.geometry,
                                        args.distinct))
            wall = time.perf_counter() - t0
            p50, p99 = np.percentile(np.asarray(lat) * 1000, [50, 99])
            rps, n_err, total = len(lat) / wall, len(errs), len(lat)
    finally:
        server.terminate()
        server.wait(timeout=30)
    kind = "distinct (uncached) queries" if args.distinct else f"{len(QUERIES)} repeated queries"
    print(f"{args.tool}: {args.clients} clients x {args.seconds:g} s, {kind}, {args.workers} "
          f"server process(es), on loopback: {total:,} requests, {rps:,.0f} req/s, "
          f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, {n_err} errors")
    ok = not n_err and p99 <= 100
    print(f"bar (zero errors, p99 <= 100 ms): {'PASS' if ok else 'FAIL'}")


if __name__ == "__main__":
    main()
