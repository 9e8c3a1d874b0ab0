"""Hostile inputs, round 7: scenario changes that did nothing without a word (a factor its
target does not read, the same factor twice, a sea leg no direct service sails, the second of
two changes of one leg), an API batch row counted twice, CORS without DELETE, plan options a
format does not show, and links to the web page whose corridor, passage, mode, cargo or order
the page cannot hold (it planned without them). Each test's docstring says what it showed before the fix.

CLI cases run in-process (typer's CliRunner) with the checks of the earlier rounds: exit code,
one line on stderr, nothing on stdout, no traceback.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import silkway
import test_web
from api_clients import token_client
from cli_errors import invoke, one_error_line
from silkway.errors import InputError
from test_web import CHROMIUM, _open

TOKEN = "r7-token"
HEAD = "name: r7\ntitle: Round 7\nestimate: a probe of the scenario checks\n"


def _scenario(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "r7.yaml"
    path.write_text(HEAD + body, encoding="utf-8")
    return path


def _change(target: str, **factors: float) -> str:
    lines = "".join(f"    {k}: {v}\n" for k, v in factors.items())
    return f"  - target: {target}\n{lines}    estimate: probe\n"


# -- scenario changes that changed nothing ---------------------------------------------------

@pytest.mark.parametrize(("target", "factor", "words"), [
    ("{hub: JPNGO}", "speed_factor", "a hub target, which takes handling_factor"),
    ("{hub: JPNGO}", "wait_factor", "a hub target, which takes handling_factor"),
    ("{hub_profile: ferry_caspian}", "wait_factor", "a hub profile target, which takes "
                                                    "handling_factor"),
    ("{border: cn_kg_rail_planned}", "cost_factor", "a border target, which takes dwell_factor"),
    ("{tariff: ferry_caspian}", "dwell_factor", "a tariff target, which takes wait_factor, "
                                                "speed_factor, cost_factor"),
    ("{leg: {from: KZAAU, to: AZBAK, mode: ferry}}", "handling_factor",
     "a leg target, which takes wait_factor, speed_factor, cost_factor"),
])
def test_a_factor_its_target_does_not_read_is_refused(net, cache_dir, tmp_path, target, factor,
                                                      words):
    """``{hub: JPNGO}`` with ``speed_factor: 2`` planned "[scenario: r7]" with nothing changed:
    a hub's handling is all apply() reads of a hub change."""
    path = _scenario(tmp_path, "change:\n" + _change(target, **{factor: 2.0}))
    line = one_error_line(invoke(["plan", "Nagoya", "Istanbul", "--scenario", str(path)],
                                 cache_dir), 2)
    assert f"change #1: {factor} does not apply to {words}" in line, line
    with pytest.raises(InputError, match=f"{factor} does not apply"):
        silkway.scenarios.parse_scenario(path.read_text(), net.tables)


@pytest.mark.parametrize(("axis", "words"), [
    ("hub:JPNGO:speed_factor=1,2", "speed_factor does not apply to a hub target"),
    ("tariff:ferry_caspian:dwell_factor=1,2", "dwell_factor does not apply to a tariff target"),
    ("border:cn_kz_altynkol:wait_factor=0.5:2:4", "wait_factor does not apply to a border "
                                                  "target, which takes dwell_factor"),
])
def test_a_sweep_axis_its_target_does_not_read_is_refused(cache_dir, tmp_path, axis, words):
    """``sweep --vary hub:JPNGO:speed_factor=1,2`` wrote a table whose rows were the same at
    every value, as if the factor had no effect: apply() never reads a hub's speed."""
    out = tmp_path / "s.csv"
    line = one_error_line(invoke(["sweep", "--pair", "Nagoya:Istanbul", "--vary", axis,
                                  "--serial", "-o", str(out)], cache_dir), 2)
    assert words in line and axis.split("=")[0] in line, line
    assert not out.exists()


def test_a_factor_of_one_its_target_does_not_read_is_fine(net):
    """The documented template gives every factor (1.0 where it does not apply): still read."""
    sc = silkway.scenarios.parse_scenario(HEAD + "change:\n" + _change(
        "{tariff: ferry_caspian}", wait_factor=2.0, dwell_factor=1.0, handling_factor=1), net.tables)
    assert [c.factors for c in sc.changes] == [(("wait_factor", 2.0),)]


def test_the_same_factor_of_one_target_twice_is_refused(net, cache_dir, tmp_path):
    """Two changes of ``ferry_caspian`` with wait_factor 2 and 0.5 were planned as x1.0 (their
    product), without a word that the two contradict each other."""
    path = _scenario(tmp_path, "change:\n" + _change("{tariff: ferry_caspian}", wait_factor=2)
                     + _change("{tariff: ferry_caspian}", wait_factor=0.5))
    line = one_error_line(invoke(["plan", "Nagoya", "Istanbul", "--scenario", str(path)],
                                 cache_dir), 2)
    assert "change #2: gives wait_factor of tariff ferry_caspian again (change #1" in line, line


def test_one_leg_named_both_ways_round_is_one_target(net):
    """A leg is its two ends in either order: AZBAK-KZAAU is KZAAU-AZBAK."""
    text = HEAD + "change:\n" + _change("{leg: {from: KZAAU, to: AZBAK, mode: ferry}}",
                                        cost_factor=2) + _change(
        "{leg: {from: AZBAK, to: KZAAU, mode: ferry}}", cost_factor=3)
    with pytest.raises(InputError, match="change #2: gives cost_factor of leg AZBAK-KZAAU-ferry"):
        silkway.scenarios.parse_scenario(text, net.tables)


def test_two_changes_of_one_leg_both_hold(net):
    """The second change of a leg replaced the first: cost x2 then speed x0.5 on the Aktau ferry
    planned with the speed halved and the cost as it was."""
    text = HEAD + "change:\n" + _change("{leg: {from: KZAAU, to: AZBAK, mode: ferry}}",
                                        cost_factor=2) + _change(
        "{leg: {from: AZBAK, to: KZAAU, mode: ferry}}", speed_factor=0.5)
    sc = silkway.scenarios.parse_scenario(text, net.tables)
    changed = silkway.scenarios.apply(net, sc, None)

    def ferry(n: silkway.Network):
        return next(x for x in n.legs if {x.src, x.dst} == {"KZAAU", "AZBAK"}
                    and x.mode.value == "ferry")

    before, after = ferry(net), ferry(changed)
    assert after.tariff.speed_kmh == pytest.approx(before.tariff.speed_kmh * 0.5)
    assert after.tariff.cost_usd_per_km_feu == pytest.approx(before.tariff.cost_usd_per_km_feu * 2)


def test_a_sea_leg_no_direct_service_sails_is_named(net, cache_dir, tmp_path):
    """JPNGO-TRIST is a row of legs.csv but sea_services.csv sends the box through Busan, so the
    network has no such leg: a cost_factor on it planned the same routes as without it."""
    path = _scenario(tmp_path, "change:\n" + _change(
        "{leg: {from: JPNGO, to: TRIST, mode: sea}}", cost_factor=2))
    line = one_error_line(invoke(["plan", "Nagoya", "Istanbul", "--scenario", str(path)],
                                 cache_dir), 2)
    assert "no direct service sails JPNGO-TRIST" in line and "KRPUS" in line, line
    assert not any({x.src, x.dst} == {"JPNGO", "TRIST"} for x in net.legs)


def test_the_api_refuses_a_saved_scenario_whose_change_does_nothing(net, cache_dir,
                                                                   tmp_path_factory):
    """POST /api/scenarios saved a hub change with a speed_factor (the same parser as the CLI)."""
    client = token_client(net, cache_dir, tmp_path_factory, "r7s", TOKEN)
    r = client.post("/api/scenarios", headers={"Authorization": f"Bearer {TOKEN}"},
                    json={"yaml": HEAD + "change:\n" + _change("{hub: JPNGO}", speed_factor=2)})
    assert r.status_code == 422, r.text
    assert "speed_factor does not apply to a hub target" in r.json()["detail"]
    assert client.get("/api/scenarios").json() == [
        s for s in client.get("/api/scenarios").json() if not s.get("saved")]


# -- a client with a token ---------------------------------------------------------------

@pytest.fixture(scope="module")
def r7_client(net, cache_dir, tmp_path_factory):
    return token_client(net, cache_dir, tmp_path_factory, "r7", TOKEN)


# -- links to the web page -------------------------------------------------------------------

web = pytest.mark.skipif(
    os.environ.get("CI", "").lower() != "true" and not CHROMIUM.exists(),
    reason=f"no Chromium at {CHROMIUM} (apt install chromium); CI installs it and runs this test")
LINK = "/#origin=Nagoya&destination=Istanbul"
server = test_web.server  # the page under uvicorn and Debian's Chromium, as test_web has them
browser = test_web.browser


@web
@pytest.mark.parametrize(("fragment", "words"), [
    ("&corridor=bogus", ["'corridor' names 'bogus', which the page does not offer",
                         "middle-corridor"]),
    ("&modes=rail,teleport", ["'modes' names 'teleport'", "sea, rail, road, ferry"]),
    ("&close=XX,suez", ["'close' names 'XX'", "bab-el-mandeb"]),
    ("&exclude_corridor=northern,sea-cape", ["'exclude_corridor' names 2 corridors; the page "
                                             "excludes one"]),
    ("&exclude_corridor=atlantis", ["'exclude_corridor' names 'atlantis'"]),
    ("&objective=fastest", ["'objective' names 'fastest'", "days, p90, cost, co2e"]),
    ("&cargo=reefer", ["'cargo' names 'reefer'", "FEU, TEU"]),
    ("&avoid=RU,,BY", ["'avoid' has an empty item: two commas together, or one at an end"]),
    ("&modes=rail,", ["'modes' has an empty item"]),
])
def test_a_link_the_form_cannot_hold_is_named_not_planned_without(server, browser, fragment,
                                                                   words):
    """``/#…&corridor=bogus`` planned Nagoya - Istanbul by every corridor (the select could not
    take the value, so the form read "any corridor") and wrote a link without it into the
    address bar; ``modes=rail,teleport`` planned rail only, ``close=XX`` and a second corridor
    to exclude were dropped; a cargo or order the page lacks reached the API as ''."""
    page, problems = _open(browser, server + LINK + fragment)
    page.wait_for_selector("#error:not([hidden])")
    text = page.inner_text("#error")
    assert text.startswith("Check the link"), text
    assert all(w in text for w in words), text
    assert page.locator("#routes tbody tr").count() == 0
    assert page.url.endswith(LINK + fragment)  # the address bar still shows what was asked
    assert not problems, problems
    page.close()


@web
def test_a_link_the_form_holds_whole_plans_it(server, browser):
    """Every choice of the link is one the page offers (TEU and TEU spelled teu): it plans."""
    fragment = ("&cargo=teu&objective=p90&close=suez&exclude_corridor=northern&modes=sea,rail,"
                "road,ferry&corridor=middle-corridor")
    page, problems = _open(browser, server + LINK + fragment)
    page.wait_for_selector("#routes tbody tr")
    assert page.is_hidden("#error")
    assert page.input_value("#cargo") == "TEU" and page.input_value("#objective") == "p90"
    assert page.input_value("#exclude-corridor") == "northern" and page.is_checked("#close-suez")
    assert not problems, problems
    page.close()


# -- the API batch's row count ---------------------------------------------------------------

@pytest.mark.parametrize("scenario", ["nope", "sc.yaml", "/etc/passwd.yaml", "red-sea-closed"])
def test_an_api_batch_counts_each_row_once(r7_client, scenario):
    """A row whose scenario the API refuses was counted twice: one row of CSV, ``"rows": 2``
    in the job (it moved from the shipments to the errors after they were counted)."""
    body = f"id,origin,destination,scenario\ns1,Nagoya,Istanbul,{scenario}\ns2,Nagoya,Baku,\n"
    r = r7_client.post("/api/batch", content=body, headers={
        "Authorization": f"Bearer {TOKEN}", "content-type": "text/csv"})
    assert r.status_code == 202, r.text
    job = r7_client.get(r.json()["url"]).json()
    for _ in range(200):
        if job["status"] not in ("queued", "running"):
            break
        time.sleep(0.05)
        job = r7_client.get(r.json()["url"]).json()
    assert job["status"] == "done" and job["payload"]["rows"] == 2, job
    rows = {x["id"]: x for x in job["result"]}
    assert set(rows) == {"s1", "s2"} and rows["s2"]["status"] == "ok"
    if scenario != "red-sea-closed":
        assert rows["s1"]["status"] == "error" and scenario in rows["s1"]["error"]
        assert "passwd" not in rows["s1"]["error"] or "looks like a file path" in rows["s1"]["error"]


# -- CORS: every method of the API for an allowed origin -------------------------------------

def test_an_allowed_origin_may_send_every_method_the_api_takes(net, cache_dir, tmp_path):
    """``--cors https://a.example`` let that origin save a plan (POST) but its preflight for
    DELETE /api/plans/{id} was a 400 "Disallowed CORS method": CORS allowed GET and POST only."""
    from fastapi.testclient import TestClient

    from silkway.api.app import create_app

    app = create_app(network=net, cache_dir=cache_dir, database_url=f"sqlite:///{tmp_path}/c.db",
                     api_token=TOKEN, cors_origins=["https://a.example"])
    client = TestClient(app, raise_server_exceptions=False)
    taken = {(m, r.path) for r in app.routes for m in getattr(r, "methods", ()) or ()
             if r.path.startswith("/api/") and m != "HEAD"}
    assert ("DELETE", "/api/plans/{plan_id}") in taken
    for method, path in sorted(taken):
        r = client.options(path.replace("{plan_id}", "x").replace("{job_id}", "x"), headers={
            "Origin": "https://a.example", "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization,content-type"})
        assert r.status_code == 200, (method, path, r.text)
        assert r.headers["access-control-allow-origin"] == "https://a.example"
    r = client.options("/api/plans/x", headers={"Origin": "https://evil.example",
                                                "Access-Control-Request-Method": "DELETE"})
    assert r.status_code == 400 and "access-control-allow-origin" not in r.headers
    r = client.options("/api/plan", headers={"Origin": "https://a.example",
                                             "Access-Control-Request-Method": "PUT"})
    assert r.status_code == 400  # a method no route takes is still refused


# -- plan options a format does not show -----------------------------------------------------

@pytest.mark.parametrize(("args", "flag", "shown"), [
    (["--histogram"], "--histogram", "--format json, csv and geojson show it"),
    (["--geometry"], "--geometry", "--format json and geojson show it"),
    (["--format", "csv", "--geometry"], "--geometry", "--format json and geojson show it"),
])
def test_an_option_the_format_does_not_show_is_refused(cache_dir, args, flag, shown):
    """``plan --histogram`` with the table printed the table as without it, and ``--format
    csv --corridors none`` the legs as without it: the option was taken and dropped."""
    line = one_error_line(invoke(["plan", "Aktau", "Baku", *args], cache_dir), 2)
    assert line.startswith(f"error: {flag} changes nothing in --format") and shown in line, line


@pytest.mark.parametrize("args", [
    ["--format", "geojson", "--geometry"],  # a Feature per leg is the geometry
    ["--format", "csv", "--corridors", "all"],  # the default, typed out
    ["--format", "csv", "--histogram", "--corridors", "none"],  # round 10: csv carries them
    ["--format", "geojson", "--histogram", "--corridors", "available"],
    ["--json", "--histogram", "--geometry", "--deadline", "3", "--corridors", "none"],
    ["--deadline", "3", "--corridors", "available"],
    ["--format", "csv", "--deadline", "3"],  # each leg row has its route's on-time probability
    ["--format", "geojson", "--deadline", "3d"],
])
def test_an_option_the_format_shows_is_taken(cache_dir, args):
    r = invoke(["plan", "Aktau", "Baku", *args], cache_dir)
    assert r.exit_code == 0 and "Traceback" not in r.stdout + r.stderr, r.stdout + r.stderr
    if "--json" in args:
        route = __import__("json").loads(r.stdout)["routes"][0]
        days = route["transit_days"]
        assert days["histogram"] and days["deadline_days"] == 3 and 0 <= days["on_time_probability"] <= 1
    if "csv" in args and "--deadline" in args:
        rows = list(__import__("csv").DictReader(__import__("io").StringIO(r.stdout)))
        rows = [x for x in rows if x["leg"]]  # not the rows of corridors with no route
        assert rows and all(0 <= float(x["route_on_time_probability"]) <= 1 for x in rows)
