"""A hostile corpus against the HTTP API: every case is a 4xx problem+json with one sentence.

Markup, odd encodings, non-finite numbers, YAML bombs, path traversal, huge inputs, type
confusion, unknown codes, wrong content types and methods. None may be a 5xx, a traceback, an
echo of the input, or a hang.
"""

from __future__ import annotations

import gzip
import json
import re
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from silkway.api.app import create_app

TOKEN = "corpus-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
JSON = {"Content-Type": "application/json"}
TRIP = {"origin": "Toyama", "destination": "Bishkek"}
SCEN = "name: x\ntitle: y\nsource: test\n"


def laughs(levels: int, width: int = 9) -> str:
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def raw(text: str) -> dict[str, Any]:
    return {"content": text.encode("utf-8", "surrogatepass"), "headers": JSON}


def plan(**fields: Any) -> dict[str, Any]:
    return {"json": {**TRIP, **fields}}


def scenario(text: str) -> dict[str, Any]:
    return {"json": {"yaml": text}, "headers": AUTH}


def batch(text: str) -> dict[str, Any]:
    return {"json": {"csv": text}, "headers": AUTH}


# (case id, method, path, request keywords, expected status)
CASES: list[tuple[str, str, str, dict[str, Any], int]] = [
    # markup and odd text in place names: unknown places, never rendered or crashing
    ("markup-close-tag", "POST", "/api/plan", plan(origin="[/]"), 404),
    ("markup-bold", "POST", "/api/plan", plan(origin="[bold red]x[/]"), 404),
    ("markup-emoji-code", "POST", "/api/plan", plan(origin=":key:"), 404),
    ("html-script", "POST", "/api/plan", plan(destination="<script>alert(1)</script>"), 404),
    ("sql-quote", "POST", "/api/plan", plan(origin="' OR 1=1 --"), 404),
    ("format-string", "POST", "/api/plan", plan(origin="{0.__class__}%s%n"), 404),
    ("ansi-escape", "POST", "/api/plan", plan(origin="\x1b[31mred\x1b[0m"), 404),
    ("nul-byte", "POST", "/api/plan", plan(origin="Bish\x00kek"), 404),
    ("rtl-override", "POST", "/api/plan", plan(origin="\u202ekekhsiB"), 404),
    ("zero-width", "POST", "/api/plan", plan(origin="\u200b\u200b"), 404),
    ("emoji", "POST", "/api/plan", plan(origin="🚢🚢🚢"), 404),
    ("combining", "POST", "/api/plan", plan(origin="B\u0301\u0301\u0301ishkek" + "\u0301" * 60), 404),
    ("whitespace-only", "POST", "/api/plan", plan(origin="   "), 422),
    ("empty-origin", "POST", "/api/plan", plan(origin=""), 422),
    ("newlines", "POST", "/api/plan", plan(origin="Bishkek\r\nX-Evil: 1"), 404),
    # encodings and surrogates
    ("lone-high-surrogate", "POST", "/api/plan", raw('{"origin": "\\ud800", "destination": "Osh"}'), 422),
    ("lone-low-surrogate", "POST", "/api/plan", raw('{"origin": "\\udfff", "destination": "Osh"}'), 422),
    ("surrogate-in-key", "POST", "/api/plan", raw('{"\\ud800": 1, "origin": "a", "destination": "b"}'), 422),
    ("surrogate-in-list", "POST", "/api/plan", raw('{"origin": "Toyama", "destination": "Osh", '
                                                   '"avoid": ["\\ud83d"]}'), 422),
    ("latin1-bytes", "POST", "/api/plan", {"content": b'{"origin": "B\xe9", "destination": "Osh"}',
                                           "headers": JSON}, 422),
    ("utf16-body", "POST", "/api/plan", {"content": json.dumps(TRIP).encode("utf-16"),
                                         "headers": JSON}, 422),
    # valid UTF-8 whose NUL bytes make a JSON reader guess UTF-16 (and fail on its odd length)
    ("nul-looks-utf16", "POST", "/api/plan", {"content": b"\x13\x00S\x16>", "headers": JSON}, 422),
    ("nul-looks-utf32", "POST", "/api/plan", {"content": b"\x00\x00\x00{}", "headers": JSON}, 422),
    ("surrogate-title", "POST", "/api/plans", {"content": b'{"request": {"origin": "Toyama", '
                                               b'"destination": "Osh"}, "title": "\\udc00"}',
                                               "headers": {**JSON, **AUTH}}, 422),
    ("surrogate-yaml", "POST", "/api/scenarios", {"content": b'{"yaml": "name: \\ud800"}',
                                                  "headers": {**JSON, **AUTH}}, 422),
    ("surrogate-csv", "POST", "/api/batch", {"content": b'{"csv": "origin,destination\\n\\ud800,a"}',
                                             "headers": {**JSON, **AUTH}}, 422),
    # non-finite and absurd numbers
    *[(f"{tok.lower()}-{field}", "POST", path, raw(json.dumps(TRIP)[:-1] + f', "{field}": {tok}}}'),
       422)
      for path, field in (("/api/plan", "payload_t"), ("/api/plan", "deadline_days"),
                          ("/api/compare", "max_transshipments"), ("/api/emissions", "route"))
      for tok in ("NaN", "Infinity", "-Infinity", "1e999")],
    ("nan-month", "POST", "/api/compare", raw(json.dumps(TRIP)[:-1] + ', "month": NaN}'), 422),
    ("nan-max-routes", "POST", "/api/plan", raw(json.dumps(TRIP)[:-1] + ', "max_routes": NaN}'), 422),
    ("nested-nan", "POST", "/api/plans", {"content": b'{"request": {"origin": "Toyama", '
                                          b'"destination": "Osh", "payload_t": NaN}}',
                                          "headers": {**JSON, **AUTH}}, 422),
    ("negative-payload", "POST", "/api/plan", plan(payload_t=-5), 422),
    ("zero-payload", "POST", "/api/plan", plan(payload_t=0), 422),
    ("huge-payload", "POST", "/api/plan", plan(payload_t=1e300), 422),
    ("huge-int", "POST", "/api/plan", raw(json.dumps(TRIP)[:-1] + ', "max_routes": ' + "9" * 5000 + "}"),
     422),
    ("negative-route", "POST", "/api/emissions", plan(route=-1), 422),
    ("route-beyond", "POST", "/api/emissions", plan(route=50), 422),
    ("month-13", "POST", "/api/plan", plan(month=13), 422),
    ("month-zero", "POST", "/api/compare", plan(month=0), 422),
    ("float-max-routes", "POST", "/api/plan", plan(max_routes=1.5), 422),
    # YAML bombs and hostile scenarios
    ("billion-laughs", "POST", "/api/scenarios", scenario(laughs(9)), 422),
    ("laughs-wide", "POST", "/api/scenarios", scenario(laughs(4, 40)), 422),
    ("quadratic-blowup", "POST", "/api/scenarios",
     scenario("a: &a " + "x" * 30_000 + "\nb: [" + ", ".join(["*a"] * 100) + "]\n"), 422),
    ("deep-nesting", "POST", "/api/scenarios", scenario("a: " + "[" * 5000 + "]" * 5000), 422),
    ("deep-mapping", "POST", "/api/scenarios", scenario("a: " + "{b: " * 200 + "1" + "}" * 200), 422),
    ("python-tag", "POST", "/api/scenarios", scenario("!!python/object/apply:os.system [id]"), 422),
    ("python-name", "POST", "/api/scenarios", scenario("a: !!python/name:os.system"), 422),
    ("yaml-nan", "POST", "/api/scenarios", scenario(SCEN + "add_legs:\n  - {from: KZAKT, to: AZBAK, "
                                                    "mode: ferry, distance_km: .nan}\n"), 422),
    ("yaml-inf", "POST", "/api/scenarios", scenario(SCEN + "change:\n  - target: {border: "
                                                    "cn_kz_dostyk}\n    dwell_factor: .inf\n"), 422),
    ("two-documents", "POST", "/api/scenarios", scenario(SCEN + "---\n" + SCEN), 422),
    ("yaml-list-top", "POST", "/api/scenarios", scenario("- 1\n- 2\n"), 422),
    ("yaml-scalar-top", "POST", "/api/scenarios", scenario("just text"), 422),
    ("yaml-binary", "POST", "/api/scenarios", scenario("\x01\x02\x03\xff\xfe"), 422),
    ("yaml-unknown-key", "POST", "/api/scenarios", scenario(SCEN + "api_key: 1\n"), 422),
    ("yaml-huge", "POST", "/api/scenarios", scenario(SCEN + "#" + "x" * 70_000), 422),
    ("yaml-empty", "POST", "/api/scenarios", scenario(""), 422),
    ("yaml-not-string", "POST", "/api/scenarios", {"json": {"yaml": {"name": "x"}},
                                                   "headers": AUTH}, 422),
    # traversal: scenarios and ids are names, never paths
    ("scenario-dotdot", "POST", "/api/plan", plan(scenario="../../../../etc/passwd"), 422),
    ("scenario-absolute", "POST", "/api/plan", plan(scenario="/etc/passwd"), 422),
    ("scenario-yaml-file", "POST", "/api/compare", plan(scenario="secrets.yaml"), 422),
    ("scenario-backslash", "POST", "/api/plan", plan(scenario="..\\..\\win.ini"), 422),
    ("scenario-shipped-dotdot", "POST", "/api/plan", plan(scenario="../scenarios/cku-railway"), 422),
    ("scenario-unknown", "POST", "/api/plan", plan(scenario="atlantis"), 422),
    ("scenario-unknown-id", "POST", "/api/plan", plan(scenario="AAAAAAAAAAAA"), 422),
    ("plan-id-traversal", "GET", "/api/plans/..%2F..%2Fetc%2Fpasswd", {}, 404),
    ("plan-id-unknown", "GET", "/api/plans/AAAAAAAAAAAA", {}, 404),
    ("job-id-traversal", "GET", "/api/jobs/..%2F..%2Fetc%2Fshadow", {}, 404),
    ("job-id-huge", "GET", "/api/jobs/" + "A" * 5000, {}, 422),
    ("static-traversal", "GET", "/static/../../api/store.py", {}, 404),
    ("static-encoded-traversal", "GET", "/static/..%2F..%2Fapi%2Fstore.py", {}, 404),
    ("docs-asset-traversal", "GET", "/docs/assets/..%2F__init__.py", {}, 404),
    # huge inputs
    ("huge-origin", "POST", "/api/plan", plan(origin="x" * 100_000), 422),
    ("huge-destination", "POST", "/api/compare", plan(destination="Bishkek" * 20_000), 422),
    ("long-avoid", "POST", "/api/plan", plan(avoid=["RU"] * 10_000), 422),
    ("long-close", "POST", "/api/plan", plan(close=["suez"] * 1000), 422),
    ("long-title", "POST", "/api/plans", {"json": {"request": TRIP, "title": "t" * 10_000},
                                          "headers": AUTH}, 422),
    ("body-over-limit", "POST", "/api/plan", {"content": b'{"origin": "' + b"x" * 2_100_000 + b'"}',
                                              "headers": JSON}, 413),
    ("csv-over-limit", "POST", "/api/batch", batch("origin,destination\n" + "Toyama,Osh\n" * 200_000),
     413),
    ("csv-too-many-rows", "POST", "/api/batch", batch("origin,destination\n" + "a,b\n" * 10_001), 422),
    ("deep-json", "POST", "/api/plan", raw('{"origin": ' + "[" * 5000 + "]" * 5000 + "}"), 422),
    ("deep-json-moderate", "POST", "/api/plan", raw('{"origin": ' + "[" * 100 + "]" * 100 + "}"), 422),
    ("huge-header-token", "POST", "/api/batch", {"json": {"csv": "origin,destination\n"},
                                                 "headers": {"Authorization": "B" * 10_000}}, 422),
    ("huge-query-country", "GET", "/api/hubs?country=" + "K" * 10_000, {}, 422),
    # type confusion
    ("origin-int", "POST", "/api/plan", plan(origin=5), 422),
    ("origin-list", "POST", "/api/plan", plan(origin=["Toyama"]), 422),
    ("origin-object", "POST", "/api/plan", plan(origin={"$ne": 1}), 422),
    ("origin-null", "POST", "/api/plan", plan(origin=None), 422),
    ("avoid-number", "POST", "/api/plan", plan(avoid=5), 422),
    ("modes-number", "POST", "/api/plan", plan(modes=7), 422),
    ("payload-bool", "POST", "/api/plan", plan(payload_t=True), 422),
    ("payload-string", "POST", "/api/plan", plan(payload_t="ten"), 422),
    ("geometry-string", "POST", "/api/plan", plan(geometry="maybe"), 422),
    ("body-array", "POST", "/api/plan", {"json": [TRIP]}, 422),
    ("body-string", "POST", "/api/plan", {"json": "Toyama to Bishkek"}, 422),
    ("body-null", "POST", "/api/plan", raw("null"), 422),
    ("body-empty", "POST", "/api/plan", raw(""), 422),
    ("extra-field", "POST", "/api/plan", plan(teleport=True), 422),
    ("proto-pollution", "POST", "/api/plan", plan(__proto__={"admin": True}), 422),
    ("request-string", "POST", "/api/plans", {"json": {"request": "Toyama"}, "headers": AUTH}, 422),
    ("csv-not-string", "POST", "/api/batch", {"json": {"csv": ["a", "b"]}, "headers": AUTH}, 422),
    ("csv-no-header", "POST", "/api/batch", batch("\n\n"), 422),
    ("csv-binary", "POST", "/api/batch", batch("\x00\x01\x02"), 422),
    ("truncated-json", "POST", "/api/plan", raw('{"origin": "Toyama", '), 422),
    ("trailing-garbage", "POST", "/api/plan", raw(json.dumps(TRIP) + "}}"), 422),
    ("single-quotes", "POST", "/api/plan", raw("{'origin': 'Toyama'}"), 422),
    # unknown codes and options
    ("unknown-mode", "POST", "/api/plan", plan(modes=["plane"]), 422),
    ("unknown-cargo", "POST", "/api/plan", plan(cargo="XEU"), 422),
    ("unknown-objective", "POST", "/api/plan", plan(objective="fastest"), 422),
    ("unknown-passage", "POST", "/api/plan", plan(close=["atlantis-canal"]), 422),
    ("avoid-three-letters", "POST", "/api/plan", plan(avoid=["RUS"]), 422),
    ("unknown-allocation", "POST", "/api/emissions", plan(allocation="vibes"), 422),
    ("unknown-format", "GET", "/api/jobs/AAAAAAAAAAAA?format=xlsx", {}, 422),
    ("unknown-place", "POST", "/api/plan", plan(origin="Atlantis"), 404),
    ("typo-place", "POST", "/api/emissions", plan(destination="Bishkeck"), 404),
    ("no-route", "POST", "/api/plan", plan(modes=["sea"]), 409),
    ("compare-nothing", "POST", "/api/compare", plan(), 422),
    # wrong content types and methods
    ("text-plain", "POST", "/api/plan", {"content": json.dumps(TRIP), "headers": {
        "Content-Type": "text/plain"}}, 422),
    ("form-encoded", "POST", "/api/plan", {"data": TRIP}, 422),
    ("xml", "POST", "/api/plan", {"content": "<plan><origin>Toyama</origin></plan>",
                                  "headers": {"Content-Type": "application/xml"}}, 422),
    ("multipart", "POST", "/api/plan", {"files": {"f": ("a.json", json.dumps(TRIP))}}, 422),
    ("put-plan", "PUT", "/api/plan", plan(), 405),
    ("delete-plan-no-token", "DELETE", "/api/plans/AAAAAAAAAAAA", {}, 401),
    ("delete-plan-unknown", "DELETE", "/api/v1/plans/AAAAAAAAAAAA", {"headers": AUTH}, 404),
    ("put-plans-id", "PUT", "/api/v1/plans/AAAAAAAAAAAA", {}, 405),
    ("get-plan", "GET", "/api/plan", {}, 405),
    ("patch-batch", "PATCH", "/api/batch", {}, 405),
    ("unknown-path", "GET", "/api/../../etc/passwd", {}, 404),
    ("unknown-api", "GET", "/api/admin", {}, 404),
    # writes without the token
    ("no-token-scenario", "POST", "/api/scenarios", {"json": {"yaml": SCEN}}, 401),
    ("no-token-batch", "POST", "/api/batch", {"json": {"csv": "origin,destination\n"}}, 401),
    ("wrong-token-plans", "POST", "/api/plans", {"json": {"request": TRIP},
                                                 "headers": {"Authorization": "Bearer nope"}}, 401),
    ("basic-auth", "POST", "/api/plans", {"json": {"request": TRIP},
                                          "headers": {"Authorization": "Basic YTpi"}}, 401),
    # round 2: filters that matched nothing answered [] (200), as if no hub were there
    ("hubs-country-ZZ", "GET", "/api/hubs?country=ZZ", {}, 422),
    ("hubs-country-empty", "GET", "/api/hubs?country=", {}, 422),
    ("hubs-kind-unknown", "GET", "/api/hubs?kind=spaceport", {}, 422),
    # query strings the route does not take were ignored, and a repeated one kept its last value
    ("plan-avoid-in-query", "POST", "/api/plan?avoid=KZ", plan(), 422),
    ("plan-format-twice", "POST", "/api/plan?format=csv&format=json", plan(), 422),
    ("hubs-country-twice", "GET", "/api/hubs?country=KG&country=KZ", {}, 422),
    ("hubs-misspelt-param", "GET", "/api/v1/hubs?contry=KG", {}, 422),
    ("health-takes-no-query", "GET", "/api/health?verbose=1", {}, 422),
    ("job-format-twice", "GET", "/api/jobs/AAAAAAAAAAAA?format=csv&format=json", {}, 422),
    ("emissions-query-route", "POST", "/api/emissions?route=2", plan(), 422),
    # compressed bodies are refused as such (they were called "not UTF-8"), bombs never opened
    ("gzip-body", "POST", "/api/plan", {"content": gzip.compress(json.dumps(TRIP).encode()),
                                        "headers": {**JSON, "Content-Encoding": "gzip"}}, 415),
    ("gzip-bomb", "POST", "/api/batch", {"content": gzip.compress(b"a" * 20_000_000),
                                         "headers": {**AUTH, "Content-Type": "text/csv",
                                                     "Content-Encoding": "gzip"}}, 415),
    ("brotli-body", "POST", "/api/plan", {"content": b"\x0b\x02\x80{}\x03",
                                          "headers": {**JSON, "Content-Encoding": "br"}}, 415),
    # an option that only means something with another one
    ("assign-gap-without-equilibrium", "POST", "/api/assign",
     {"json": {"csv": "origin,destination,teu\nToyama,Bishkek,100\n", "gap": 0.01},
      "headers": AUTH}, 422),
]


@pytest.fixture(scope="module")
def client(net, cache_dir, tmp_path_factory):
    db = tmp_path_factory.mktemp("hostile") / "silkway.db"
    app = create_app(network=net, cache_dir=cache_dir, database_url=f"sqlite:///{db}",
                     api_token=TOKEN)
    return TestClient(app, raise_server_exceptions=False)


def test_the_corpus_is_large_and_unique():
    ids = [c[0] for c in CASES]
    assert len(ids) >= 80 and len(set(ids)) == len(ids)


@pytest.mark.parametrize(("method", "path", "kwargs", "status"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_hostile_request_is_one_clear_problem(client, method, path, kwargs, status):
    t0 = time.perf_counter()
    r = client.request(method, path, **kwargs)
    elapsed = time.perf_counter() - t0
    assert r.status_code == status, r.text[:300]
    assert r.headers["content-type"].startswith("application/problem+json"), r.headers
    body = r.json()
    assert {"type", "title", "status", "detail"} <= set(body) and body["status"] == status
    detail = body["detail"]
    assert isinstance(detail, str) and 0 < len(detail) <= 300, detail
    assert "\n" not in detail and "Traceback" not in r.text
    assert not re.search(r"[.!?] +[A-Z]", detail), f"more than one sentence: {detail}"
    assert len(r.content) < 8_000  # never the whole input echoed back
    assert "silkway.db" not in r.text and "/tmp" not in r.text
    assert elapsed < 5, elapsed  # a hang guard, not a benchmark


@pytest.mark.parametrize(("headers", "shown"), [
    ({"Content-Type": "text/plain"}, "'text/plain'"),
    ({"Content-Type": "application/x-www-form-urlencoded"}, "'application/x-www-form-urlencoded'"),
    ({}, "no Content-Type"),
])
def test_a_body_not_sent_as_json_says_so(client, headers, shown):
    """A JSON body sent as text (or with no type) was answered 'input should be a valid
    dictionary or object': the body *is* an object; what is wrong is how it was sent."""
    r = client.post("/api/plan", content=json.dumps(TRIP).encode(), headers=headers)
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert "application/json" in detail and shown in detail, detail


def test_query_problems_name_the_parameter_and_what_the_route_takes(client):
    detail = client.post("/api/plan?avoid=KZ", json=TRIP).json()["detail"]
    assert "'avoid'" in detail and "format" in detail, detail
    detail = client.get("/api/hubs?country=KG&country=KZ").json()["detail"]
    assert "'country'" in detail and "more than once" in detail, detail
    # the declared parameters still work, on both paths
    assert client.get("/api/hubs?country=kg&kind=border").status_code == 200
    assert client.get("/api/v1/plans?limit=5").status_code == 200
