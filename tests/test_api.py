"""The HTTP API on the real network: contract, errors, saved work, batch jobs, safety, fuzzing."""

from __future__ import annotations

import json
import os
import time

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

import silkway
from silkway.api.app import create_app


@pytest.fixture(scope="module")
def app(net, cache_dir, tmp_path_factory):
    db = tmp_path_factory.mktemp("db") / "silkway.db"
    return create_app(network=net, cache_dir=cache_dir, database_url=f"sqlite:///{db}")


@pytest.fixture(scope="module")
def client(app):
    return TestClient(app)


def test_plan_matches_the_library_and_the_contract(client, net):
    r = client.post("/api/plan", json={"origin": "Toyama", "destination": "Bishkek",
                                       "avoid": ["RU", "BY"]})
    assert r.status_code == 200, r.text
    d = r.json()
    lib = silkway.plan(net, "Toyama", "Bishkek", avoid={"RU", "BY"}).to_dict(geometry=True)
    assert d["routes"] == lib["routes"]
    assert d["origin"]["id"] == "JPTOY"
    leg = d["routes"][0]["legs"][0]
    assert {"from", "to", "mode", "distance_source", "geometry"} <= set(leg)


@pytest.mark.parametrize(("body", "status", "text"), [
    ({"origin": "Bishkeck", "destination": "Toyama"}, 404, "did you mean Bishkek"),
    ({"origin": "Toyama", "destination": "Bishkek", "modes": ["sea"]}, 409, "no route"),
    ({"origin": "Toyama", "destination": "Bishkek", "close": ["panama-canal"]}, 422,
     "unknown passage"),
    ({"origin": "Toyama", "destination": "Bishkek", "scenario": "atlantis"}, 422,
     "unknown scenario"),
])
def test_errors_map_to_status_codes_with_one_sentence(client, body, status, text):
    r = client.post("/api/plan", json=body)
    assert r.status_code == status
    assert text in r.json()["detail"]


def test_validation_limits(client):
    assert client.post("/api/plan", json={"origin": "Toyama"}).status_code == 422
    assert client.post("/api/plan", json={"origin": "Toyama", "destination": "Bishkek",
                                          "max_routes": 5000}).status_code == 422
    big = {"origin": "Toyama", "destination": "Bishkek", "title": "x" * 3_000_000}
    assert client.post("/api/plan", json=big).status_code == 413


def test_hubs_scenarios_basemap_compare_emissions(client):
    hubs = client.get("/api/hubs", params={"country": "KG"}).json()
    assert {h["id"] for h in hubs} >= {"KGFRU", "KGOSS"}
    names = {s["name"] for s in client.get("/api/scenarios").json()}
    assert "cku-railway" in names
    basemap = client.get("/api/basemap").json()
    assert len(basemap["features"]) > 150
    assert {"iso": "KG", "name": "Kyrgyzstan"} in [f["properties"] for f in basemap["features"]]
    cmp = client.post("/api/compare", json={"origin": "Shanghai", "destination": "Rotterdam",
                                            "modes": ["sea"], "scenario": "red-sea-closed"})
    assert cmp.status_code == 200 and cmp.json()["routes"][0]["delta"]["p50"] >= 7
    em = client.post("/api/emissions", json={"origin": "Nagoya", "destination": "Istanbul",
                                             "avoid": ["RU", "BY", "IR"]})
    assert em.status_code == 200 and em.json()["standard"].startswith("ISO 14083")


def test_save_and_reopen_a_plan_by_link(client):
    body = {"request": {"origin": "Toyama", "destination": "Bishkek", "avoid": ["RU"]},
            "title": "Toyama to Bishkek"}
    saved = client.post("/api/plans", json=body).json()
    assert saved["url"] == f"/p/{saved['id']}"
    again = client.get(f"/api/plans/{saved['id']}").json()
    assert again["title"] == "Toyama to Bishkek"
    assert again["result"]["routes"][0]["label"]
    assert client.get(saved["url"]).status_code == 200  # the page itself
    assert client.get("/api/plans/doesnotexist").status_code == 404


def test_custom_scenario_saved_and_used(client):
    yaml_text = ("name: slow-dostyk\ntitle: Dostyk congested\nsource: test\n"
                 "change:\n  - target: {border: cn_kz_dostyk}\n    dwell_factor: 5\n"
                 "    estimate: a what-if\n")
    sid = client.post("/api/scenarios", json={"yaml": yaml_text}).json()["id"]
    r = client.post("/api/plan", json={"origin": "Xi'an", "destination": "Duisburg",
                                       "modes": ["rail"], "scenario": sid})
    base = client.post("/api/plan", json={"origin": "Xi'an", "destination": "Duisburg",
                                          "modes": ["rail"]})
    assert r.json()["routes"][0]["transit_days"]["mean"] > base.json()["routes"][0][
        "transit_days"]["mean"]
    bad = client.post("/api/scenarios", json={"yaml": "name: x\ntitle: y\nteleport: 1\n"})
    assert bad.status_code == 422 and "unknown key" in bad.json()["detail"]


def test_batch_job(client):
    csv_text = "origin,destination,count\nToyama,Bishkek,2\nAtlantis,Bishkek,1\n"
    job = client.post("/api/batch", json={"csv": csv_text})
    assert job.status_code == 202
    url = job.json()["url"]
    for _ in range(100):
        state = client.get(url).json()
        if state["status"] in ("done", "failed"):
            break
        time.sleep(0.1)
    assert state["status"] == "done"
    assert [row["status"] for row in state["result"]] == ["ok", "error"]
    assert "origin,destination" in client.get(url, params={"format": "csv"}).text


def test_write_endpoints_need_the_token_when_configured(net, cache_dir, tmp_path):
    guarded = TestClient(create_app(network=net, cache_dir=cache_dir, api_token="s3cret",
                                    database_url=f"sqlite:///{tmp_path / 'g.db'}"))
    body = {"request": {"origin": "Toyama", "destination": "Bishkek"}}
    assert guarded.post("/api/plans", json=body).status_code == 401
    ok = guarded.post("/api/plans", json=body, headers={"Authorization": "Bearer s3cret"})
    assert ok.status_code == 200
    assert guarded.post("/api/plan", json=body["request"]).status_code == 200  # read stays open
    r = guarded.get("/api/plan", headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in {k.lower() for k in r.headers}


FUZZ_EXAMPLES = int(os.environ.get("SILKWAY_FUZZ_EXAMPLES", "15"))


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_fuzzed_requests_never_cause_a_server_error(net, cache_dir, tmp_path, mode):
    """schemathesis draws requests from the OpenAPI schema for every operation (valid ones, then
    ones that break the schema); none may 500, and every response (problem+json errors included)
    must match the published schema: status codes, content types and bodies."""
    # an app of its own: schemathesis runs the app's lifespan, whose end stops its workers
    app = create_app(network=net, cache_dir=cache_dir, database_url=f"sqlite:///{tmp_path}/f.db")
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    checked = []
    for result in schema.get_all_operations():
        op = result.ok()
        if mode == GenerationMode.NEGATIVE and not (op.path_parameters or op.query or op.body):
            continue  # nothing to break

        @given(case=op.as_strategy(generation_mode=mode))
        @settings(max_examples=FUZZ_EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            response = case.call()
            assert response.status_code < 500, (case.path, case.body, response.text[:300])
            # Schema-valid is not always meaningful (an unknown place, YAML that is no scenario):
            # those are 4xx problems by design, so only "valid data accepted" is not checked.
            case.validate_response(response, excluded_checks=[positive_data_acceptance])

        check()
        checked.append(op.label)
    assert len(checked) >= 10


TOYAMA_BISHKEK = {"origin": "Toyama", "destination": "Bishkek", "avoid": ["RU", "BY"]}


@pytest.mark.parametrize(("query", "accept", "media"), [
    ("?format=geojson", None, "application/geo+json"),
    ("", "application/geo+json", "application/geo+json"),
    ("?format=csv", None, "text/csv"),
    ("", "text/csv", "text/csv"),
    ("", None, "application/json"),
])
def test_plan_formats_by_query_or_accept(client, net, query, accept, media):
    headers = {"Accept": accept} if accept else {}
    r = client.post("/api/v1/plan" + query, json=TOYAMA_BISHKEK, headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(media)
    lib = silkway.plan(net, "Toyama", "Bishkek", avoid={"RU", "BY"})
    if media == "application/geo+json":
        assert r.json() == json.loads(json.dumps(lib.to_geojson()))
    elif media == "text/csv":
        assert r.text == lib.to_csv()
    else:
        assert r.json()["routes"] == lib.to_dict(geometry=True)["routes"]


def test_table_format_is_the_cli_rounding(client, net):
    r = client.post("/api/v1/plan?format=table", json=TOYAMA_BISHKEK)
    rows = r.json()["rows"]
    lib = silkway.plan(net, "Toyama", "Bishkek", avoid={"RU", "BY"})
    assert [row["p90"] for row in rows] == [f"{x.transit_days.p90:.1f}" for x in lib.routes]
    assert client.post("/api/v1/plan?format=kml", json=TOYAMA_BISHKEK).status_code == 422


def test_v1_prefix_and_aliases(client):
    for path in ("/api/health", "/api/v1/health", "/api/hubs?country=KG", "/api/v1/hubs?country=KG"):
        assert client.get(path).status_code == 200, path
    paths = client.get("/openapi.json").json()["paths"]
    assert paths and all(p.startswith("/api/v1/") for p in paths)
    ticks = client.get("/api/v1/ticks", params={"lo": 6900, "hi": 8100}).json()
    assert "7,500" in [t["label"] for t in ticks]


def test_batch_accepts_text_csv(client):
    text = "id,origin,destination\na,Toyama,Bishkek\nb,Bishkeck,Tokyo\n"
    r = client.post("/api/v1/batch", content=text, headers={"Content-Type": "text/csv"})
    assert r.status_code == 202, r.text
    url = r.json()["url"]
    for _ in range(200):
        job = client.get(url).json()
        if job["status"] in ("done", "failed"):
            break
        time.sleep(0.05)
    assert job["status"] == "done"
    assert [row["status"] for row in job["result"]] == ["ok", "error"]
    bad = client.post("/api/v1/batch", content=b"\xff\xfe", headers={"Content-Type": "text/csv"})
    assert bad.status_code == 422 and "UTF-8" in bad.json()["detail"]


def test_saved_plans_list_and_delete(client):
    pid = client.post("/api/v1/plans", json={"request": TOYAMA_BISHKEK, "title": "t"}).json()["id"]
    assert pid in [p["id"] for p in client.get("/api/v1/plans").json()]
    assert client.delete(f"/api/v1/plans/{pid}").json() == {"id": pid, "deleted": True}
    assert pid not in [p["id"] for p in client.get("/api/v1/plans").json()]
    assert client.delete(f"/api/v1/plans/{pid}").status_code == 404
    assert client.get(f"/api/v1/plans/{pid}").status_code == 404


def test_emissions_statement_as_printable_html(client):
    r = client.post("/api/v1/emissions?format=html", json={**TOYAMA_BISHKEK, "route": 1})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "<html" in r.text and "Toyama" in r.text and "http" not in r.text.split("<body", 1)[0].lower()
