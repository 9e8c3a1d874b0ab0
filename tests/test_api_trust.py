# ruff: noqa: N802  (tests are named after the issue items: test_S1_..., test_C1_...)
"""Regressions of issue 9 on the HTTP API: each test is named after the item it keeps fixed."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

import silkway
from silkway._csvcell import safe_cell
from silkway._yaml import MAX_ALIASES, load_yaml
from silkway.analysis.batch import write_table
from silkway.api.app import create_app
from silkway.api.jobs import JobRunner
from silkway.api.security import MAX_BODY_BYTES
from silkway.api.store import Store
from silkway.errors import InputError

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
BOMB = "\n".join(["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
                 + [f"{b}: &{b} [{', '.join(['*' + a] * 9)}]"
                    for a, b in zip("abcdefgh", "bcdefghi", strict=True)]) + "\n"


def is_problem(r: httpx.Response, status: int) -> dict[str, Any]:
    """Assert an RFC 9457 problem with a one-sentence detail; return the body."""
    assert r.status_code == status, r.text[:300]
    assert r.headers["content-type"].startswith("application/problem+json"), r.headers
    body = r.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    detail = body["detail"]
    assert isinstance(detail, str) and 0 < len(detail) <= 300
    assert "\n" not in detail and "Traceback" not in detail
    assert not re.search(r"[.!?] +[A-Z]", detail), f"more than one sentence: {detail}"
    return body


def wait_job(client: TestClient, url: str, seconds: float = 30) -> dict[str, Any]:
    end = time.monotonic() + seconds
    while True:
        state = client.get(url).json()
        if state["status"] not in ("queued", "running") or time.monotonic() > end:
            return state
        time.sleep(0.05)


@pytest.fixture(scope="module")
def app(net, cache_dir, tmp_path_factory):
    db = tmp_path_factory.mktemp("trust") / "silkway.db"
    return create_app(network=net, cache_dir=cache_dir, database_url=f"sqlite:///{db}",
                      api_token=TOKEN)


@pytest.fixture(scope="module")
def client(app):
    return TestClient(app, raise_server_exceptions=False)


# -- S1: a scenario from a request is a shipped name or a saved id, never a path --------------

def test_S1_batch_scenario_path_never_reads_the_file(client, tmp_path):
    secret = tmp_path / "secrets.yaml"
    secret.write_text("api_key: hunter2\ndb_password: swordfish\n")
    shipped = Path(silkway.__file__).parent / "data" / "scenarios" / "cku-railway"
    rows = [str(secret), "../../../../etc/passwd", "../scenarios/cku-railway", str(shipped),
            "cku-railway"]
    text = "id,origin,destination,scenario\n" + "".join(
        f"r{i},Xi'an,Tashkent,{s}\n" for i, s in enumerate(rows))
    job = client.post("/api/batch", json={"csv": text}, headers=AUTH)
    assert job.status_code == 202, job.text
    state = wait_job(client, job.json()["url"])
    assert state["status"] == "done"
    out = state["result"]
    assert [r["status"] for r in out] == ["error"] * 4 + ["ok"]
    for r in out[:4]:
        assert "file path" in r["error"] and "saved scenario id" in r["error"]
    everything = client.get(job.json()["url"], params={"format": "csv"}).text + str(state)
    assert "api_key" not in everything and "db_password" not in everything
    assert "hunter2" not in everything


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "x.yaml",
                                  "..\\..\\boot.ini", "../data/scenarios/cku-railway"])
def test_S1_plan_scenario_path_is_422(client, name):
    r = client.post("/api/plan", json={"origin": "Toyama", "destination": "Bishkek",
                                       "scenario": name})
    assert "file path" in is_problem(r, 422)["detail"]


def test_S1_saved_scenario_id_works_in_plan_and_batch(client):
    text = ("name: slow-dostyk\ntitle: Dostyk congested\nsource: test\n"
            "change:\n  - target: {border: cn_kz_dostyk}\n    dwell_factor: 5\n"
            "    estimate: a what-if\n")
    sid = client.post("/api/scenarios", json={"yaml": text}, headers=AUTH).json()["id"]
    job = client.post("/api/batch", headers=AUTH, json={
        "csv": f"id,origin,destination,modes,scenario\na,Xi'an,Duisburg,rail,{sid}\n"
               "b,Xi'an,Duisburg,rail,\n"})
    rows = wait_job(client, job.json()["url"])["result"]
    assert [r["status"] for r in rows] == ["ok", "ok"]
    assert rows[0]["scenario"] == sid
    assert rows[0]["days_mean"] > rows[1]["days_mean"]


# -- S2: YAML bombs ----------------------------------------------------------------------------

def test_S2_yaml_bomb_rejected_fast(client):
    t0 = time.perf_counter()
    r = client.post("/api/scenarios", json={"yaml": BOMB}, headers=AUTH)
    elapsed = time.perf_counter() - t0
    assert "aliases" in is_problem(r, 422)["detail"]
    assert elapsed < 1.0, elapsed  # a hang guard: the unguarded loader took 60 s and 3 GB


def test_S2_loader_limits_size_aliases_depth_and_numbers():
    with pytest.raises(InputError, match="limit"):
        load_yaml("a: " + "x" * 70_000)
    with pytest.raises(InputError, match="aliases"):
        load_yaml("a: &a 1\nb: [" + ", ".join(["*a"] * (MAX_ALIASES + 1)) + "]")
    assert load_yaml("a: &a 1\nb: [*a, *a]") == {"a": 1, "b": [1, 1]}
    with pytest.raises(InputError, match="deep"):
        load_yaml("a: " + "[" * 100 + "]" * 100)
    with pytest.raises(InputError, match="finite"):
        load_yaml("a: .inf")
    with pytest.raises(InputError, match="not valid YAML"):
        load_yaml("!!python/object/apply:os.system [echo hi]")
    # A repeated key would keep its last value silently; merged keys may still be overridden.
    with pytest.raises(InputError, match=r"'month' twice in one mapping \(line 3\)"):
        load_yaml("name: x\nmonth: 3\nmonth: 7\n")
    with pytest.raises(InputError, match="'a' twice"):
        load_yaml("legs:\n  - {a: 1, a: 2}\n")
    assert load_yaml("b: &b {m: 3}\nc:\n  <<: *b\n  m: 5\n") == {"b": {"m": 3}, "c": {"m": 5}}


def test_S2_scenario_over_the_size_limit_is_422(client):
    big = "name: x\ntitle: y\nsource: z\n# " + "x" * 70_000 + "\n"
    is_problem(client.post("/api/scenarios", json={"yaml": big}, headers=AUTH), 422)


# -- S3: plans off the event loop, time limit, bounded queue ----------------------------------

def test_S3_nan_scenario_does_not_hang(client):
    text = ("name: nan-leg\ntitle: NaN leg\nsource: test\nadd_legs:\n"
            "  - {from: KZAKT, to: AZBAK, mode: ferry, distance_km: .nan, estimate: x}\n")
    t0 = time.perf_counter()
    r = client.post("/api/scenarios", json={"yaml": text}, headers=AUTH)
    assert "finite" in is_problem(r, 422)["detail"]
    assert time.perf_counter() - t0 < 1.0


def test_S3_slow_plans_time_out_and_a_full_pool_is_503_while_health_answers(
        net, cache_dir, tmp_path, monkeypatch):
    release = threading.Event()
    real_plan = silkway.plan

    def slow_plan(*args: Any, **kwargs: Any) -> Any:
        release.wait(10)  # a plan that does not end by itself (as the NaN distance did)
        return real_plan(*args, **kwargs)

    monkeypatch.setattr(silkway, "plan", slow_plan)
    app = create_app(network=net, cache_dir=cache_dir, database_url=f"sqlite:///{tmp_path}/s.db",
                     plan_workers=1, plan_queue=0, plan_timeout_s=0.5)

    async def scenario() -> tuple[httpx.Response, ...]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            first = asyncio.create_task(c.post("/api/plan", json={
                "origin": "Toyama", "destination": "Bishkek"}))
            await asyncio.sleep(0.1)
            busy = await c.post("/api/plan", json={"origin": "Busan", "destination": "Almaty"})
            health = await c.get("/api/health")
            return await first, busy, health

    try:
        slow, busy, health = asyncio.run(scenario())
    finally:
        release.set()
    assert "limit" in is_problem(slow, 504)["detail"]
    is_problem(busy, 503)
    assert int(busy.headers["retry-after"]) >= 1
    assert health.status_code == 200


# -- S4: body limit on the streamed bytes, before auth ----------------------------------------

@pytest.mark.parametrize("path", ["/api/plan", "/api/batch"])
def test_S4_chunked_body_over_limit_is_413_before_auth(app, path):
    read = 0
    chunk = b"x" * 65_536

    async def receive() -> dict[str, Any]:
        nonlocal read
        read += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}  # 300 MiB and on

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
             "root_path": "", "client": ("127.0.0.1", 1), "server": ("t", 80),
             "headers": [(b"host", b"t"), (b"content-type", b"application/json"),
                         (b"transfer-encoding", b"chunked")]}
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    assert start["status"] == 413  # not 401: the token is not even looked at
    assert read <= MAX_BODY_BYTES + len(chunk)
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert b"over the limit" in body


def test_S4_content_length_over_limit_is_413(client):
    r = client.post("/api/plan", content=b"{" + b" " * (MAX_BODY_BYTES + 10) + b"}",
                    headers={"Content-Type": "application/json"})
    is_problem(r, 413)


# -- S5: headers, token, offline docs ---------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/api/health", "/docs", "/api/nothing", "/static/app.js"])
def test_S5_security_headers_on_every_response(client, path):
    h = client.get(path).headers
    assert "default-src 'self'" in h["content-security-policy"]
    assert "frame-ancestors 'none'" in h["content-security-policy"]
    assert h["x-content-type-options"] == "nosniff"
    assert h["x-frame-options"] == "DENY"
    assert h["referrer-policy"] == "no-referrer"


def test_S5_docs_reference_no_external_host(client):
    html = client.get("/docs").text
    refs = re.findall(r"""(?:src|href)=["']([^"']+)""", html)
    assert refs and all(ref.startswith("/") and not ref.startswith("//") for ref in refs)
    assert not re.search(r"https?://", html)
    for ref in refs:
        assert client.get(ref).status_code == 200, ref
    init = client.get("/docs/init.js").text
    assert not re.search(r"https?://", init) and "/openapi.json" in init
    assert "SwaggerUIBundle" in client.get("/docs/assets/swagger-ui-bundle.js").text[:2000]


@pytest.mark.parametrize("header", [None, "Bearer wrong", f"bearer {TOKEN.upper()}", TOKEN,
                                    f"Bearer {TOKEN}x", f"Basic {TOKEN}", f"Bearer{TOKEN}"])
def test_S5_token_is_checked_exactly(client, header):
    """The token is compared exactly; the scheme is case-insensitive and may be followed by more
    than one space (RFC 9110 11.4: ``auth-scheme 1*SP token68``), see test_hostile_r10."""
    headers = {"Authorization": header} if header else {}
    r = client.post("/api/plans", json={"request": {"origin": "Toyama", "destination": "Osh"}},
                    headers=headers)
    assert is_problem(r, 401)["detail"].startswith("this endpoint needs")


# -- S6: CSV formula injection ----------------------------------------------------------------

FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+2", "-2+3", "@SUM(A1)",
            "\tTAB", "\rCR"]


def test_S6_csv_formula_cells_neutralised_in_job_csv(client):
    formulas = FORMULAS[:4]  # the reader strips leading tabs and CRs from cells
    text = "id,origin,destination\n" + "".join(
        f"\"{f.replace(chr(34), chr(34) * 2)}\",Toyama,Bishkek\n" for f in formulas)
    job = client.post("/api/batch", json={"csv": text}, headers=AUTH)
    wait_job(client, job.json()["url"])
    got = list(csv.DictReader(io.StringIO(client.get(job.json()["url"],
                                                     params={"format": "csv"}).text)))
    assert [r["id"] for r in got] == ["'" + f for f in formulas]
    assert all(r["status"] == "ok" and not r["distance_km"].startswith("'") for r in got)


def test_S6_write_table_neutralises_formulas(tmp_path):
    path = tmp_path / "out.csv"
    write_table([{"id": f, "n": -3.5} for f in FORMULAS] + [{"id": "ok", "n": 1.0}], path)
    with path.open(newline="") as fh:
        got = list(csv.DictReader(fh))
    assert [r["id"] for r in got] == ["'" + f for f in FORMULAS] + ["ok"]
    assert got[0]["n"] == "-3.5"
    assert safe_cell(-1) == -1 and safe_cell("Osh") == "Osh"


# -- C1: NaN, Infinity, 1e999, surrogates, huge names, HEAD / ---------------------------------

@pytest.mark.parametrize("path", ["/api/plan", "/api/compare", "/api/emissions"])
@pytest.mark.parametrize(("field", "token"), [
    ("payload_t", "NaN"), ("payload_t", "Infinity"), ("payload_t", "-Infinity"),
    ("payload_t", "1e999"), ("deadline_days", "NaN"), ("deadline_days", "1e999"),
    ("max_transshipments", "NaN"), ("max_transshipments", "Infinity"), ("max_routes", "1e999"),
    ("route", "NaN"), ("month", "Infinity")])
def test_C1_non_finite_numbers_are_422(client, path, field, token):
    body = f'{{"origin": "Toyama", "destination": "Bishkek", "scenario": "cku-railway", ' \
           f'"{field}": {token}}}'
    r = client.post(path, content=body, headers={"Content-Type": "application/json"})
    assert field in is_problem(r, 422)["detail"]


@pytest.mark.parametrize("path", ["/api/plan", "/api/compare", "/api/emissions"])
def test_C1_lone_surrogate_is_422(client, path):
    body = '{"origin": "\\ud800", "destination": "Bishkek", "scenario": "cku-railway"}'
    r = client.post(path, content=body, headers={"Content-Type": "application/json"})
    assert "surrogate" in is_problem(r, 422)["detail"]


@pytest.mark.parametrize("path", ["/api/plan", "/api/compare", "/api/emissions"])
@pytest.mark.parametrize("body", [
    '{"origin": "Toyama", "destination": "Bishkek", "origin": "Tokyo"}',
    '{"origin": "Toyama", "destination": "Bishkek", "avoid": ["RU"], "avoid": []}',
])
def test_C1_a_key_given_twice_is_422_not_one_of_its_values(client, path, body):
    # A JSON parser keeps the last value of a repeated key: the plan would silently answer
    # for Tokyo, or without the avoided country.
    r = client.post(path, content=body, headers={"Content-Type": "application/json"})
    assert "twice" in is_problem(r, 422)["detail"]
    nested = '{"request": {"origin": "Toyama", "destination": "Osh", "destination": "Kabul"}}'
    r = client.post("/api/plans", content=nested,
                    headers={"Content-Type": "application/json", **AUTH})
    assert "'destination' twice" in is_problem(r, 422)["detail"]


def test_C1_saved_plan_title_surrogate_is_422(client):
    body = '{"request": {"origin": "Toyama", "destination": "Osh"}, "title": "a\\udfffb"}'
    r = client.post("/api/plans", content=body,
                    headers={"Content-Type": "application/json", **AUTH})
    assert "title" in is_problem(r, 422)["detail"]


def test_C1_huge_place_name_rejected_at_the_length_limit(client):
    t0 = time.perf_counter()
    r = client.post("/api/plan", json={"origin": "Bishkek" * 15_000, "destination": "Osh"})
    body = is_problem(r, 422)
    assert "at most 100 characters" in body["detail"]
    assert "Bishkek" not in r.text  # not echoed
    assert time.perf_counter() - t0 < 1.0


def test_C1_head_root_answers_200(client):
    r = client.head("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert r.content == b""


# -- D1: batch jobs always end ----------------------------------------------------------------

def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_D1_orphaned_running_jobs_are_failed_on_start_up(net, cache_dir, tmp_path):
    url = f"sqlite:///{tmp_path}/jobs.db"
    store = Store(url)
    host = JobRunner(store).host
    orphan = store.create_job("batch", {"rows": 1}, owner=f"{host}:{dead_pid()}:abcd")
    store.update_job(orphan, status="running", progress=0.5)
    legacy = store.create_job("batch", {"rows": 1})  # written before jobs had owners
    alive = store.create_job("batch", {"rows": 1}, owner=f"{host}:{os.getppid()}:abcd")
    store.update_job(alive, status="running")
    store.close()
    c = TestClient(create_app(network=net, cache_dir=cache_dir, database_url=url))
    for job in (orphan, legacy):
        state = c.get(f"/api/jobs/{job}").json()
        assert state["status"] == "failed"
        assert "stopped before it finished" in state["error"]
        assert "owner" not in state
    assert c.get(f"/api/jobs/{alive}").json()["status"] == "running"  # its process lives


def test_D1_shutdown_fails_running_and_queued_jobs(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/jobs.db")
    runner = JobRunner(store, workers=1, queue_size=2)
    started = threading.Event()

    def endless(progress: Any) -> list[Any]:
        started.set()
        for i in range(10**9):
            progress(i, 10**9)
            time.sleep(0.01)
        return []

    running = runner.submit("batch", {}, endless)
    queued = runner.submit("batch", {}, endless)
    assert started.wait(5)
    t0 = time.perf_counter()
    runner.shutdown(drain_s=0.3)
    assert time.perf_counter() - t0 < 5
    assert store.get_job(running)["status"] == "failed"
    assert "stopped while this job ran" in store.get_job(running)["error"]
    assert store.get_job(queued)["status"] == "failed"
    assert "before this job started" in store.get_job(queued)["error"]


def test_D1_stalled_job_is_failed_when_polled(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/jobs.db")
    runner = JobRunner(store, workers=1, queue_size=1)
    runner.stale_after_s = 0.3
    gate = threading.Event()
    job = runner.submit("batch", {}, lambda progress: gate.wait(10) and [])  # never progresses
    try:
        end = time.monotonic() + 5
        while store.get_job(job)["status"] != "running" and time.monotonic() < end:
            time.sleep(0.02)
        assert runner.check(store.get_job(job))["status"] == "running"  # fresh: still trusted
        time.sleep(0.5)
        state = runner.check(store.get_job(job))
        assert state["status"] == "failed" and "no progress" in state["error"]
    finally:
        gate.set()
    time.sleep(0.2)
    assert store.get_job(job)["status"] == "failed"  # the late worker does not overwrite it


def test_D1_full_job_queue_is_503_with_retry_after(net, cache_dir, tmp_path):
    app = create_app(network=net, cache_dir=cache_dir, database_url=f"sqlite:///{tmp_path}/q.db",
                     batch_workers=1, batch_queue=0)
    gate = threading.Event()
    runner = app.state.jobs
    runner.submit("batch", {}, lambda progress: gate.wait(10) and [])
    try:
        c = TestClient(app)
        r = c.post("/api/batch", json={"csv": "origin,destination\nToyama,Osh\n"})
        is_problem(r, 503)
        assert r.headers["retry-after"]
    finally:
        gate.set()


# -- contract ---------------------------------------------------------------------------------

def test_contract_validation_errors_are_problems_without_the_input(client):
    r = client.post("/api/plan", json={"origin": "Toyama", "destination": "Bishkek",
                                       "cargo": "ZEPPELIN-SECRET", "max_routes": 5000})
    body = is_problem(r, 422)
    assert "ZEPPELIN" not in r.text
    assert {e["loc"] for e in body["errors"]} == {"body.cargo", "body.max_routes"}
    assert "and 1 more problem" in body["detail"]
    parse = client.post("/api/plan", content=b'{"origin": ',
                        headers={"Content-Type": "application/json"})
    assert "not valid JSON" in is_problem(parse, 422)["detail"]


def test_contract_database_outage_is_503_without_the_path(net, cache_dir, tmp_path):
    app = create_app(network=net, cache_dir=cache_dir,
                     database_url=f"sqlite:///{tmp_path}/secret-place.db")
    c = TestClient(app, raise_server_exceptions=False)
    app.state.store.close()  # the database goes away under a running server
    for r in (c.get("/api/plans/abcdefghijkl"), c.get("/api/scenarios"),
              c.post("/api/plans", json={"request": {"origin": "Toyama", "destination": "Osh"}})):
        body = is_problem(r, 503)
        assert "secret-place" not in r.text and "sqlite" not in r.text
        assert body["type"].endswith("backend-unavailable")


def test_contract_openapi_lists_problem_responses(app):
    spec = app.openapi()
    assert "Problem" in spec["components"]["schemas"]
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    plan = spec["paths"]["/api/v1/plan"]["post"]["responses"]
    for code in ("404", "409", "413", "422", "503", "504"):
        assert plan[code]["content"] == {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    assert "401" in spec["paths"]["/api/v1/batch"]["post"]["responses"]
