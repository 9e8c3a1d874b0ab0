"""Faults on a real server: `silkway serve` killed (kill -9, SIGTERM) during saves and batch jobs.

After each kill the server is started again on the same SQLite database; every save it had
acknowledged must be there, and every batch job must be ``done`` or ``failed``, never left
``running``.
"""

from __future__ import annotations

import itertools
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """One `silkway serve` process on 127.0.0.1."""

    def __init__(self, cache_dir: Path, db: Path, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "SILKWAY_CACHE_DIR": str(cache_dir)}
        env.pop("SILKWAY_API_TOKEN", None)
        self.log = log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from silkway.cli import main; main()", "serve",
             "--host", "127.0.0.1", "--port", str(self.port),
             "--database-url", f"sqlite:///{db}", "--cache-dir", str(cache_dir)],
            env=env, stdout=self.log, stderr=subprocess.STDOUT)
        end = time.monotonic() + START_TIMEOUT_S
        while True:
            assert self.proc.poll() is None, f"server exited: {log.read_text()[-2000:]}"
            try:
                if httpx.get(self.url + "/api/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            assert time.monotonic() < end, "server did not start"
            time.sleep(0.1)

    def kill(self, sig: int) -> None:
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=30)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self.log.close()


@pytest.fixture
def place(net, cache_dir: Path, tmp_path: Path) -> Iterator[Any]:
    servers: list[Server] = []

    def start() -> Server:
        servers.append(Server(cache_dir, tmp_path / "silkway.db", tmp_path / "server.log"))
        return servers[-1]

    yield start
    for s in servers:
        if s.proc.poll() is None:
            s.kill(signal.SIGKILL)


def save_until_killed(server: Server, sig: int) -> list[str]:
    """Save plans from two clients while the server is killed; the ids it acknowledged."""
    acknowledged: list[str] = []
    stop = threading.Event()
    trips = itertools.cycle([("Toyama", "Bishkek"), ("Busan", "Almaty"), ("Xi'an", "Duisburg")])

    def saver() -> None:
        with httpx.Client(base_url=server.url, timeout=10) as c:
            while not stop.is_set():
                o, d = next(trips)
                try:
                    r = c.post("/api/plans", json={"request": {"origin": o, "destination": d},
                                                   "title": f"{o} to {d}"})
                except httpx.HTTPError:
                    continue
                if r.status_code == 200:
                    acknowledged.append(r.json()["id"])

    threads = [threading.Thread(target=saver) for _ in range(2)]
    for t in threads:
        t.start()
    end = time.monotonic() + 10
    while len(acknowledged) < 20 and time.monotonic() < end:
        time.sleep(0.05)
    server.kill(sig)
    stop.set()
    for t in threads:
        t.join(15)
    return acknowledged


def start_long_batch(server: Server) -> str:
    """A batch of many distinct queries; returns its id once it is running."""
    # ~9,900 distinct queries: longer than a stopping server's 10 s drain
    hubs = [h["id"] for h in httpx.get(server.url + "/api/hubs", timeout=10).json()][:100]
    rows = "".join(f"{a},{b}\n" for a, b in itertools.permutations(hubs, 2))
    r = httpx.post(server.url + "/api/batch", json={"csv": "origin,destination\n" + rows},
                   timeout=30)
    assert r.status_code == 202, r.text
    job = r.json()["id"]
    end = time.monotonic() + 20
    while httpx.get(f"{server.url}/api/jobs/{job}", timeout=10).json()["status"] != "running":
        assert time.monotonic() < end, "the batch job did not start"
        time.sleep(0.05)
    return job


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "sigterm"])
def test_kill_during_saves_and_batch_loses_nothing_acknowledged(place, sig):
    t0 = time.monotonic()
    server = place()
    saved = save_until_killed(server, sig)
    assert len(saved) >= 5, "too few saves before the kill to test anything"

    server = place()
    with httpx.Client(base_url=server.url, timeout=10) as c:
        for pid in saved:
            got = c.get(f"/api/plans/{pid}")
            assert got.status_code == 200, (pid, got.text)
            assert got.json()["result"]["routes"]
    job = start_long_batch(server)
    t_kill = time.monotonic()
    server.kill(sig)
    assert time.monotonic() - t_kill < 20  # SIGTERM drains for at most 10 s, then stops

    server = place()
    with httpx.Client(base_url=server.url, timeout=10) as c:
        state = c.get(f"/api/jobs/{job}").json()
        assert state["status"] in ("done", "failed"), state["status"]
        if state["status"] == "failed":
            assert "stopped" in state["error"]
        if sig == signal.SIGKILL:
            assert state["status"] == "failed"
        for pid in saved:  # and still there after a second kill
            assert c.get(f"/api/plans/{pid}").status_code == 200
    server.kill(signal.SIGTERM)
    assert time.monotonic() - t0 < 60
