"""``POST /api/assign``: the job runs the same assignment as the library and the CLI."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from silkway.analysis.assign import assign
from silkway.analysis.flows import read_flows_text
from silkway.api.app import create_app

CSV = "origin,destination,teu\nXi'an,Baku,120000\nAlmaty,Istanbul,20000\nAtlantis,Baku,5\n"


@pytest.fixture(scope="module")
def client(net, cache_dir, tmp_path_factory):
    db = tmp_path_factory.mktemp("db") / "silkway.db"
    return TestClient(create_app(network=net, cache_dir=cache_dir, database_url=f"sqlite:///{db}"))


def _wait(client, url):
    for _ in range(300):
        state = client.get(url).json()
        if state["status"] in ("done", "failed"):
            return state
        time.sleep(0.1)
    raise AssertionError("the assign job did not finish")


def test_assign_job_matches_the_library(client, net):
    r = client.post("/api/assign", json={"csv": CSV})
    assert r.status_code == 202, r.text
    state = _wait(client, r.json()["url"])
    assert state["status"] == "done", state["error"]
    flows, errors = read_flows_text(CSV)
    lib = assign(net, flows, errors=errors).to_dict()
    got = state["result"]
    assert got["objective_value"] == pytest.approx(lib["objective_value"])
    assert got["elements"] == lib["elements"] and got["errors"] == lib["errors"]


def test_assign_job_compare(client):
    r = client.post("/api/v1/assign", json={"csv": CSV, "scenario": "aktau-ferry-doubled",
                                            "compare": True})
    state = _wait(client, r.json()["url"])
    assert state["status"] == "done", state["error"]
    assert {"system", "corridor_share", "baseline", "result"} <= set(state["result"])


@pytest.mark.parametrize(("body", "text"), [
    ({"csv": "origin,destination\nA,B\n"}, "no teu column"),
    ({"csv": CSV, "scenario": "../etc/passwd"}, "unknown scenario"),
    ({"csv": CSV, "compare": True}, "compare needs a scenario"),
    ({"csv": CSV, "objective": "speed"}, "objective"),
    ({"csv": "origin,destination,teu\nXi'an,Duisburg,\n"}, "no flow can be assigned: row 1"),
])
def test_bad_assign_requests_are_4xx(client, body, text):
    r = client.post("/api/assign", json=body)
    assert r.status_code == 422 and text in r.text
