"""Hostile inputs, round 11. Each test's docstring says what the input did before the fix.

CLI cases run in-process (typer's CliRunner) with the checks of the earlier rounds: exit code,
one line on stderr, nothing on stdout, no traceback.
"""

from __future__ import annotations

import pytest

from cli_errors import invoke, one_error_line


@pytest.fixture(scope="module")
def r11_client(net, cache_dir, tmp_path_factory):
    from api_clients import token_client

    return token_client(net, cache_dir, tmp_path_factory, "r11", "r11-token")


PLAN = {"origin": "Aktau", "destination": "Baku"}


# -- 1. one Accept parser ---------------------------------------------------------------------

@pytest.mark.parametrize(("path", "accept", "media"), [
    ("/api/v1/plan", "text/*", "text/csv"),
    ("/api/v1/plan", "text/*;q=0.9, application/json;q=0.5", "text/csv"),
    ("/api/v1/plan", "text/csv;q=0, text/*", "application/json"),  # not CSV: nothing else text/
    ("/api/v1/plan", "text/csv; q= 0.5, application/json;q=0.4", "text/csv"),
    ("/api/v1/plan", "application/*", "application/json"),
    ("/api/v1/plan", "text/csv;q=0, */*", "application/json"),
    ("/api/v1/plan", "application/problem+json, application/json", "application/json"),
    ("/api/emissions", "text/*", "text/html"),
])
def test_a_wildcard_subtype_is_answered_with_the_type_it_names(r11_client, path, accept, media):
    """``Accept: text/*`` on ``/api/plan`` passed the 406 check (which read wildcards) and was
    then answered ``application/json`` (the format chooser read only whole types): two parsers
    of one header disagreed."""
    r = r11_client.post(path, json=PLAN, headers={"Accept": accept})
    if accept == "text/csv;q=0, text/*":
        assert r.status_code == 406, r.text
        return
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(media), (accept, r.headers)


def test_problem_json_alone_is_not_acceptable_for_a_plan(r11_client):
    """``Accept: application/problem+json`` (only) was answered 200 with ``application/json``:
    a client that asked for errors only was sent a plan under a type it had not accepted."""
    r = r11_client.post("/api/plan", json=PLAN, headers={"Accept": "application/problem+json"})
    assert r.status_code == 406, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["detail"].startswith("the Accept header names no type this endpoint serves")


def test_the_two_accept_readers_are_one():
    from silkway.api import app, security

    for accept in ("text/csv;q= 0.5", "text/csv ;q = 0", "text/csv;q=2", "text/csv;q=-1",
                   "TEXT/CSV", "text/csv;q=nonsense", "image/png", ""):
        media = security.preferred(accept, security.serves("/api/plan")[:-1])
        refused = security.unacceptable(accept, "/api/plan") is not None
        assert refused == (media is None), accept
        if media is not None:
            assert app.negotiate(accept) == app._ACCEPT[media], accept


# -- 2. a reefer's payload limit --------------------------------------------------------------

REEFER_FEU = ("payload 26 t is more than a reefer FEU can carry: 25.68 t, its 30.48 t maximum "
              "gross mass (ISO 668) less its 4.8 t tare")


def test_a_reefer_payload_is_measured_against_a_reefers_tare(cache_dir):
    """``plan --reefer --payload-t 26`` was planned: the limit was a dry FEU's 26.73 t, though
    a reefer's refrigeration unit makes its tare 4.8 t, not 3.75 t (25.68 t of cargo at most)."""
    line = one_error_line(invoke(["plan", "Aktau", "Baku", "--reefer", "--payload-t", "26"],
                                 cache_dir), 2)
    assert line == f"error: {REEFER_FEU}", line
    line = one_error_line(invoke(["plan", "Aktau", "Baku", "--reefer", "--cargo", "TEU",
                                  "--payload-t", "28"], cache_dir), 2)
    assert "more than a reefer TEU can carry: 27.4 t" in line and "3.08 t tare" in line, line
    ok = invoke(["plan", "Aktau", "Baku", "--payload-t", "26", "--json"], cache_dir)
    assert ok.exit_code == 0, ok.stderr  # a dry FEU still carries 26 t


def test_a_reefer_at_its_limit_is_planned_and_the_api_refuses_above(net, r11_client):
    import silkway

    assert silkway.plan(net, "Aktau", "Baku", reefer=True, payload_t=25.68).payload_t == 25.68
    assert silkway.plan(net, "Aktau", "Baku", cargo="TEU", reefer=True,
                        payload_t=27.4).payload_t == 27.4
    r = r11_client.post("/api/plan", json={**PLAN, "reefer": True, "payload_t": 26})
    assert r.status_code == 422 and r.json()["detail"] == REEFER_FEU, r.text


def test_a_reefer_batch_row_over_its_limit_is_an_error_row(cache_dir, tmp_path):
    """A batch row ``FEU,26,true`` (reefer) was planned with 26 t in the box."""
    import csv

    src, out = tmp_path / "b.csv", tmp_path / "out.csv"
    src.write_text("id,origin,destination,payload_t,reefer\na,Aktau,Baku,26,true\n"
                   "b,Aktau,Baku,26,false\n", encoding="utf-8")
    r = invoke(["batch", str(src), "-o", str(out)], cache_dir)
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [x["status"] for x in rows] == ["error", "ok"]
    assert rows[0]["error"] == f"row 1: {REEFER_FEU}"


def test_the_mass_table_needs_a_row_for_every_box():
    from silkway.data.container_mass import parse_container_mass
    from silkway.errors import SilkwayError

    with pytest.raises(SilkwayError, match="no row for TEU reefer, FEU reefer"):
        parse_container_mass("cargo,box,max_gross_t,tare_t,source,estimate\n"
                             "TEU,dry,30.48,2.16,s,\nFEU,dry,30.48,3.75,s,\n")
    with pytest.raises(SilkwayError, match="box"):
        parse_container_mass("cargo,box,max_gross_t,tare_t,source,estimate\n"
                             "TEU,frozen,30.48,2.16,s,\n")


# -- 3. the least payload and deadline, and an on-time share with no room ---------------------

@pytest.mark.parametrize(("args", "words"), [
    (["--deadline", "1e-320"], "error: --deadline 1e-320 d is less than 0.01 d (about 15 "
                               "minutes), the precision transit days are given to"),
    (["--deadline", "0.009"], "error: --deadline 0.009 d is less than 0.01 d"),
    (["--payload-t", "1e-7"], "error: payload 1e-07 t is less than 0.01 t (10 kg) per "
                              "container"),
    (["--payload-t", "4e-320"], "error: payload 4e-320 t is less than 0.01 t"),
])
def test_a_vanishing_deadline_or_payload_is_refused(cache_dir, args, words):
    """``--deadline 1e-320`` (a denormal) was simulated, its column headed
    ``P(≤9.99989e-321d)``; ``--payload-t 1e-7`` was planned with 0.0 kg of transport CO2e
    beside 24.6 kg of lifts: an intensity of 466,456,954 g per tonne-km."""
    line = one_error_line(invoke(["plan", "Aktau", "Baku", *args], cache_dir), 2)
    assert line.startswith(words), line


def test_the_least_deadline_and_payload_are_planned(net, r11_client):
    import silkway

    r = silkway.plan(net, "Aktau", "Baku", deadline_days=0.01, payload_t=0.01)
    assert r.payload_t == 0.01 and r.routes[0].transit_days.deadline_days == 0.01
    bad = r11_client.post("/api/plan", json={**PLAN, "deadline_days": 1e-320})
    assert bad.status_code == 422 and "less than 0.01 d" in bad.json()["detail"], bad.text
    bad = r11_client.post("/api/plan", json={**PLAN, "payload_t": 1e-7})
    assert bad.status_code == 422 and "less than 0.01 t" in bad.json()["detail"], bad.text


def test_an_on_time_share_with_no_room_in_the_table_is_on_the_route_lines(net):
    """``plan --deadline 5`` on a terminal too narrow for the on-time column (70 columns) left
    the column out, and the share asked for was shown nowhere (countries left out went to the
    route lines; the on-time share did not)."""
    import io

    from rich.console import Console

    import silkway
    from silkway.cli.planning import _legs_lines, _route_table

    result = silkway.plan(net, "Aktau", "Baku", deadline_days=5)
    console = Console(width=70, record=True, file=io.StringIO())
    table, dropped = _route_table(result, console)
    assert "on_time" in dropped
    console.print(table)
    for line in _legs_lines(result, net, dropped=dropped):
        console.print(line)
    flat = " ".join(console.export_text().split())
    for r in result.routes:
        assert f"P(≤5d) {100 * r.transit_days.on_time:.0f}%" in flat


# -- 4. an assignment's small flows -----------------------------------------------------------

def test_a_flows_corridor_share_is_of_the_teu_as_assigned(cache_dir, tmp_path):
    """A flow of 1.25 TEU, all of it on the Middle Corridor, was reported with a corridor share
    of 0.96 (and one of 0.15 TEU with 0.6667): the share was taken of the route TEU rounded to
    0.1 for showing, over the flow's unrounded TEU."""
    import json

    for teu in ("1.25", "0.15", "0.01"):
        src = tmp_path / "f.csv"
        src.write_text(f"origin,destination,teu\nAktau,Baku,{teu}\n", encoding="utf-8")
        r = invoke(["assign", str(src), "--json"], cache_dir)
        assert r.exit_code == 0, r.stderr
        flow = json.loads(r.stdout)["flows"][0]
        assert flow["corridor_share"] == {"Middle Corridor": 1.0}, (teu, flow["corridor_share"])


@pytest.mark.parametrize("teu", ["1e-8", "1e-300", "0.009"])
def test_a_vanishing_flow_is_refused(cache_dir, tmp_path, teu):
    """A flow of 1e-8 TEU was assigned and reported neither served nor unserved (0.0 and 0.0),
    with no corridor share; 0.001 TEU was 0.0 TEU on its route."""
    src = tmp_path / "f.csv"
    src.write_text(f"origin,destination,teu\nAktau,Baku,{teu}\n", encoding="utf-8")
    line = one_error_line(invoke(["assign", str(src)], cache_dir), 2)
    assert line == (f"error: no flow can be assigned: row 1: teu {teu!r} is less than the 0.01 "
                    "TEU a flow must carry: a smaller flow vanishes in the assignment's rounding "
                    "(0.1 TEU) and the solver's tolerance"), line


# -- 5. axis ticks of a very narrow range -----------------------------------------------------

@pytest.mark.parametrize(("lo", "hi"), [("0", "1e-9"), ("1", "1.000000000001"),
                                        ("5e-324", "1e-323"), ("0", "1e-320"),
                                        ("7.123456", "7.123457"), ("1e11", "100000000000.0001")])
def test_ticks_of_a_narrow_range_read_apart(r11_client, lo, hi):
    """``GET /api/ticks?lo=0&hi=1e-9`` labelled six ticks ``0.000000``, ``lo=1&hi=1.000000000001``
    five ticks ``1.000000``, and ``lo=5e-324&hi=1e-323`` answered no tick at all (200, ``[]``):
    an axis that reads as one value, or none."""
    r = r11_client.get(f"/api/ticks?lo={lo}&hi={hi}")
    assert r.status_code == 200, r.text
    labels = [t["label"] for t in r.json()]
    values = [t["value"] for t in r.json()]
    assert len(labels) >= 2 and len(set(labels)) == len(labels), labels
    for v, label in zip(values, labels, strict=True):  # each label is its value, exactly
        assert float(label.replace(",", "")) == pytest.approx(v, abs=1e-9), (v, label)


def test_ticks_of_an_ordinary_range_are_unchanged():
    from silkway.analysis.export import ticks

    assert [t["label"] for t in ticks(6900, 8100)] == ["7,000", "7,250", "7,500", "7,750",
                                                        "8,000"]
    assert [t["label"] for t in ticks(0.2, 1.1, count=4)] == ["0.25", "0.50", "0.75", "1.00"]
    assert [t["label"] for t in ticks(12.3, 41.7)] == ["20", "30", "40"]


def test_route_shares_are_of_the_teu_as_assigned(cache_dir, tmp_path):
    """The route table's ``share`` was a rounded route TEU over the rounded flow TEU, and a route
    of under 0.05 TEU was left out of a flow's routes though its corridor share counted it."""
    import json

    r = invoke(["assign", "src/silkway/data/examples/flows_2025.csv", "--json",
                "-o", str(tmp_path / "a.csv")], cache_dir)
    assert r.exit_code == 0, r.stderr
    for flow in json.loads(r.stdout)["flows"]:
        total = sum(x["share"] for x in flow["routes"]) + flow["unserved_share"]
        assert total == pytest.approx(1.0, abs=1e-3), flow
        by_corridor: dict[str, float] = {}
        for x in flow["routes"]:
            by_corridor[x["corridor"]] = by_corridor.get(x["corridor"], 0.0) + x["share"]
        for k, v in flow["corridor_share"].items():
            assert by_corridor[k] == pytest.approx(v, abs=1e-3), (k, flow)


# -- 6. a CSV body declared in another charset ------------------------------------------------

@pytest.mark.parametrize("charset", ["latin-1", "utf-16", '"windows-1252"'])
def test_a_csv_body_in_another_charset_is_refused(r11_client, charset):
    """``POST /api/batch`` with ``Content-Type: text/csv; charset=latin-1`` was read as UTF-8
    whatever it declared: a body whose Latin-1 bytes also read as UTF-8 (``Ã¼`` is the UTF-8
    of ``ü``) was planned as other text than the client sent, with 202."""
    r = r11_client.post("/api/batch", content=b"id,origin,destination\na,Aktau,Baku\n",
                        headers={"Authorization": "Bearer r11-token",
                                 "Content-Type": f"text/csv; charset={charset}"})
    assert r.status_code == 422, r.text
    assert r.json()["detail"] == (f"the CSV body is declared charset={charset.strip(chr(34))}; "
                                  "it is read as UTF-8: send it as UTF-8 (charset=utf-8)")


@pytest.mark.parametrize("ctype", ["text/csv", "text/csv; charset=utf-8", "text/csv;charset=UTF-8",
                                   'text/csv; charset="utf-8"', "text/csv; header=present"])
def test_a_utf8_csv_body_is_still_taken(r11_client, ctype):
    r = r11_client.post("/api/batch", content=b"id,origin,destination\na,Aktau,Baku\n",
                        headers={"Authorization": "Bearer r11-token", "Content-Type": ctype})
    assert r.status_code == 202, r.text


# -- 7. ready-made constraints beside the options they override -------------------------------

@pytest.mark.parametrize(("option", "value"), [("avoid", "AZ"), ("payload_t", 5),
                                               ("modes", "rail"), ("reefer", True),
                                               ("max_transshipments", 1)])
def test_constraints_and_the_options_they_override_are_refused(net, option, value):
    """``silkway.plan(net, "Aktau", "Tbilisi", constraints=Constraints.make(avoid="RU"),
    avoid="AZ")`` planned routes through Azerbaijan: the ready-made constraints overrode the
    option without a word, while ``result.query.avoid`` still said AZ (``payload_t=5`` was
    planned with 20 t)."""
    import silkway
    from silkway.routing.constraints import Constraints

    with pytest.raises(silkway.ConstraintError,
                       match=f"pass constraints= or {option}=, not both"):
        silkway.plan(net, "Aktau", "Tbilisi", constraints=Constraints.make(avoid="RU"),
                     **{option: value})
    r = silkway.plan(net, "Aktau", "Tbilisi", constraints=Constraints.make(avoid="RU"),
                     max_routes=2)  # an option the constraints do not hold is still taken
    assert len(r.routes) <= 2 and r.to_dict()["constraints"]["avoid"] == ["RU"]


# -- 8. the Allow header of a 405 -------------------------------------------------------------

@pytest.mark.parametrize(("method", "path", "allow"), [
    ("PATCH", "/api/plans/AAAAAAAAAAAA", "DELETE, GET, HEAD"),
    ("PUT", "/api/v1/plans/AAAAAAAAAAAA", "DELETE, GET, HEAD"),
    ("DELETE", "/api/plans", "GET, HEAD, POST"),
    ("GET", "/api/plan", "POST"),
])
def test_a_405_names_every_method_the_path_takes(r11_client, method, path, allow):
    """``PATCH /api/plans/{id}`` answered 405 with ``Allow: GET``, though the path also takes
    ``DELETE`` (and ``HEAD``, as the guard answers it): only the first route matched was named;
    ``DELETE /api/plans`` said ``Allow: POST`` for a path that takes ``GET`` too."""
    r = r11_client.request(method, path)
    assert r.status_code == 405, r.text
    assert r.headers["allow"] == allow
    assert r.json()["detail"] == f"{method} is not allowed on this path; it takes {allow}"


# -- 9. the plan table's footing names a reefer and TEU-slot allocation -----------------------

def test_the_table_says_reefer_and_teu_allocation(cache_dir):
    """``plan --reefer`` footed its table "cost and CO2e ... per FEU with 20 t cargo", as for a
    dry box, and ``--allocation teu --payload-t 5`` "per FEU with 5 t cargo", though TEU slots
    do not count the 5 t: the CO2e column read as what it was not."""
    r = invoke(["plan", "Aktau", "Baku", "--reefer", "--allocation", "teu", "--payload-t", "5"],
               cache_dir)
    assert r.exit_code == 0, r.stderr
    flat = " ".join(r.stdout.split())
    assert ("per reefer FEU with 5 t cargo (CO2e of transport by TEU slots at 10 t a TEU, not "
            "by its tonnes)") in flat, flat[-400:]
    plain = " ".join(invoke(["plan", "Aktau", "Baku"], cache_dir).stdout.split())
    assert "per FEU with 20 t cargo. " in plain and "TEU slots" not in plain


# -- 10. a vanishing capacity factor ----------------------------------------------------------

@pytest.mark.parametrize("factor", ["1e-320", "0.001"])
def test_a_vanishing_capacity_factor_is_refused(cache_dir, tmp_path, factor):
    """A scenario's ``capacities: [{element: port-aktau, factor: 1e-320}]`` made a capacity of
    1e-316 TEU, reported as ``capacity_teu 0.0`` and yet ``utilisation 0.0`` with a shadow
    price of 1,287 USD a TEU, where ``factor: 0`` (or ``capacity: 0``) is an element with no
    capacity (``utilisation`` null, no shadow price)."""
    scen, flows = tmp_path / "c.yaml", tmp_path / "f.csv"
    scen.write_text(f"name: r11-cap\ntitle: t\nsource: s\ncapacities:\n"
                    f"  - {{element: port-aktau, factor: {factor}, estimate: e}}\n",
                    encoding="utf-8")
    flows.write_text("origin,destination,teu\nAktau,Baku,100\n", encoding="utf-8")
    line = one_error_line(invoke(["assign", str(flows), "--scenario", str(scen)], cache_dir), 2)
    assert line.endswith("capacities #1: factor must be 0 (no capacity) or lie in [0.01, 100], "
                         "as a change's factors do"), line
    scen.write_text(scen.read_text(encoding="utf-8").replace(f"factor: {factor}", "factor: 0"),
                    encoding="utf-8")
    ok = invoke(["assign", str(flows), "--scenario", str(scen)], cache_dir)
    assert ok.exit_code == 0, ok.stderr


# -- 11. a chart over the input file ----------------------------------------------------------

def test_a_chart_may_not_replace_the_input(cache_dir, tmp_path):
    """``assign flows.png --chart flows.png`` (a flows CSV that happens to be named .png) wrote
    the chart over the flows file, and ``sweep --pairs-file p.png --chart p.png`` over the pairs:
    ``-o`` was checked against the input, ``--chart`` was not."""
    flows = tmp_path / "flows.png"
    flows.write_text("origin,destination,teu\nAktau,Baku,100\n", encoding="utf-8")
    line = one_error_line(invoke(["assign", str(flows), "--chart", str(flows)], cache_dir), 2)
    assert line == (f"error: chart {flows} is the input file {flows}; writing it would replace "
                    "the input, give another name"), line
    pairs = tmp_path / "pairs.png"
    pairs.write_text("origin,destination\nAktau,Baku\n", encoding="utf-8")
    line = one_error_line(invoke(["sweep", "--vary", "tariff:ferry_caspian:wait_factor=1,2",
                                  "--pairs-file", str(pairs), "--chart", str(pairs),
                                  "-o", str(tmp_path / "s.csv")], cache_dir), 2)
    assert "is the input file" in line, line
    assert flows.read_text(encoding="utf-8").startswith("origin,destination,teu")
    assert pairs.read_text(encoding="utf-8").startswith("origin,destination")


# -- 12. a scenario name that reads as a shipped one ------------------------------------------

SHIPPED = ("is a shipped scenario's name; give yours a name of its own (plans under it are "
           "labelled by the name)")


@pytest.mark.parametrize(("name", "words"), [
    ("caspian-winter ", SHIPPED),                  # a trailing space
    ("caspian\u2010winter", SHIPPED),              # U+2010 HYPHEN
    ("caspian_winter", SHIPPED),
    ("\uff43\uff41\uff53\uff50\uff49\uff41\uff4e-winter", SHIPPED),  # full-width letters
    ("c\u0430spian-winter", "is refused: it mixes scripts in one word: '\u0430' is CYRILLIC "
                            "SMALL LETTER A, not a Latin letter"),
    ("caspian-winter\u200b", "is refused: it holds the invisible character U+200B ZERO WIDTH "
                             "SPACE"),
])
def test_a_scenario_name_that_reads_as_a_shipped_one_is_refused(cache_dir, r11_client,
                                                                  tmp_path, name, words):
    """A scenario file named ``caspian-winter `` (a trailing space), ``caspian\u2010winter``
    (a Unicode hyphen), with a Cyrillic ``а`` or a zero-width space was planned, every plan
    labelled ``[scenario: caspian-winter]`` to the eye: only the exact (case-folded) shipped
    name was refused."""
    import json

    doc = f"name: {json.dumps(name)}\ntitle: t\nsource: s\n"
    path = tmp_path / "s.yaml"
    path.write_text(doc, encoding="utf-8")
    line = one_error_line(invoke(["plan", "Aktau", "Baku", "--scenario", str(path)],
                                 cache_dir), 2)
    assert f"name {name!r} {words}" in line, line
    r = r11_client.post("/api/scenarios", json={"yaml": doc},
                        headers={"Authorization": "Bearer r11-token"})
    assert r.status_code == 422 and words in r.json()["detail"], r.text


def test_a_name_of_its_own_is_still_taken(cache_dir, tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text('name: "Ürümqi-caspian-winter"\ntitle: t\nsource: s\n', encoding="utf-8")
    r = invoke(["plan", "Aktau", "Baku", "--scenario", str(path)], cache_dir)
    assert r.exit_code == 0, r.stderr
