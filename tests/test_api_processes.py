"""Planning in child processes (``silkway serve --workers N``): the same answers, errors and
limits as planning on the server's own threads, and a child that dies is replaced."""

from __future__ import annotations

import os
import pickle
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import silkway
from silkway.api.app import create_app
from silkway.api.problems import ServiceBusyError
from silkway.errors import NoRouteError, UnknownPlaceError

TOKEN = "process-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
QUERIES: list[dict[str, Any]] = [
    {"origin": "Nagoya", "destination": "Istanbul", "avoid": ["RU", "BY", "IR"]},
    {"origin": "Toyama", "destination": "Bishkek", "geometry": False},
    {"origin": "Kashgar", "destination": "Tashkent", "scenario": "cku-railway",
     "geometry": False},
    {"origin": "Busan", "destination": "Almaty", "month": 1, "objective": "p90",
     "geometry": False},
]


def _app(net: silkway.Network, cache_dir: Path, db: Path, processes: int) -> Any:
    return create_app(network=net, cache_dir=cache_dir, database_url=f"sqlite:///{db}",
                      api_token=TOKEN, plan_processes=processes)


@pytest.fixture(scope="module")
def both(net: silkway.Network, cache_dir: Path, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[tuple[TestClient, TestClient]]:
    """A client of an app planning in two child processes, and one of an app planning on its
    own threads, over one database."""
    db = tmp_path_factory.mktemp("processes") / "s.db"
    with TestClient(_app(net, cache_dir, db, 2)) as procs, \
            TestClient(_app(net, cache_dir, db, 0)) as threads:
        yield procs, threads


def test_children_answer_byte_for_byte_what_threads_answer(both):
    procs, threads = both
    assert len(procs.app.state.planning.pids()) == 2
    assert os.getpid() not in procs.app.state.planning.pids()
    for q in QUERIES:
        a, b = procs.post("/api/plan", json=q), threads.post("/api/plan", json=q)
        assert a.status_code == b.status_code == 200, (q, a.text[:200])
        assert a.content == b.content, q
    for fmt in ("csv", "geojson", "table"):
        q = {"origin": "Xi'an", "destination": "Duisburg"}
        if fmt != "geojson":
            q["geometry"] = False
        a = procs.post(f"/api/plan?format={fmt}", json=q)
        assert a.status_code == 200 and a.content == threads.post(
            f"/api/plan?format={fmt}", json=q).content, fmt


@pytest.mark.parametrize(("body", "status", "error"), [
    ({"origin": "Bishkk", "destination": "Istanbul"}, 404, "UnknownPlaceError"),
    ({"origin": "Tokyo", "destination": "Istanbul", "modes": ["road"]}, 409, "NoRouteError"),
    ({"origin": "Tokyo", "destination": "Istanbul", "scenario": "abcdefghijkl"}, 422,
     "ConstraintError"),
])
def test_errors_raised_in_a_child_are_the_same_problems(both, body, status, error):
    procs, threads = both
    a, b = procs.post("/api/plan", json=body), threads.post("/api/plan", json=body)
    assert a.status_code == b.status_code == status
    assert a.json() == b.json()
    assert a.json()["error"] == error
    if status == 404:
        assert a.json()["suggestions"] and "Bishkek" in a.json()["suggestions"]


def test_saved_scenarios_compare_emissions_and_saved_plans_in_children(both):
    procs, threads = both
    yaml = ("name: slow-dostyk\ntitle: Dostyk congested\nsource: test\n"
            "change:\n  - target: {border: cn_kz_dostyk}\n    dwell_factor: 5\n"
            "    estimate: a what-if\n")
    saved = procs.post("/api/scenarios", json={"yaml": yaml}, headers=AUTH)
    assert saved.status_code == 200, saved.text
    sid = saved.json()["id"]
    q = {"origin": "Xi'an", "destination": "Duisburg", "modes": ["rail"], "scenario": sid,
         "geometry": False}
    a = procs.post("/api/plan", json=q)
    assert a.status_code == 200 and a.content == threads.post("/api/plan", json=q).content
    base = procs.post("/api/plan", json={**q, "scenario": None}).json()
    assert a.json()["routes"][0]["transit_days"]["mean"] > base["routes"][0]["transit_days"]["mean"]
    cmp = {"origin": "Kashgar", "destination": "Tashkent", "scenario": "cku-railway",
           "geometry": False}
    assert procs.post("/api/compare", json=cmp).json() == \
        threads.post("/api/compare", json=cmp).json()
    em = {"origin": "Tokyo", "destination": "Istanbul", "geometry": False}
    html = procs.post("/api/emissions?format=html", json=em)
    assert html.headers["content-type"].startswith("text/html")
    assert html.text == threads.post("/api/emissions?format=html", json=em).text
    pid = procs.post("/api/plans", json={"request": em}, headers=AUTH).json()["id"]
    assert procs.get(f"/api/plans/{pid}").json()["result"]["routes"]


def test_a_child_that_dies_is_a_503_then_replaced(both):
    procs, _ = both
    planning = procs.app.state.planning
    for pid in planning.pids():
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    q = {"origin": "Osaka", "destination": "Tashkent", "geometry": False}
    answers = [procs.post("/api/plan", json={**q, "deadline_days": 30 + k}) for k in range(4)]
    codes = [r.status_code for r in answers]
    assert 503 in codes and codes[-1] == 200, codes
    busy = next(r for r in answers if r.status_code == 503)
    assert int(busy.headers["retry-after"]) >= 1
    assert "planning process" in busy.json()["detail"]
    assert len(planning.pids()) == 2  # both children replaced


@pytest.mark.parametrize("exc", [
    UnknownPlaceError("Bishkk", ["Bishkek"], why="a zero-width space"),
    NoRouteError("no route from A to B"),
    ServiceBusyError("busy", retry_after=7),
])
def test_errors_keep_class_message_and_attributes_through_a_pipe(exc):
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is type(exc)
    assert str(back) == str(exc)
    assert back.__dict__ == exc.__dict__
