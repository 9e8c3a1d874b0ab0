"""Hostile inputs, round 10. Each test's docstring says what the input did before the fix.

CLI cases run in-process (typer's CliRunner) with the checks of the earlier rounds: exit code,
one line on stderr, nothing on stdout, no traceback.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from cli_errors import invoke, one_error_line


@pytest.fixture(scope="module")
def r10_client(net, cache_dir, tmp_path_factory):
    from api_clients import token_client

    return token_client(net, cache_dir, tmp_path_factory, "r10", "r10-token")


R10_AUTH = {"Authorization": "Bearer r10-token"}


# -- 1. the plan exports carry the histogram and the corridor answers -------------------------

def test_the_csv_export_carries_the_histogram_and_the_corridors(r10_client, cache_dir):
    """``POST /api/plan?format=csv`` with ``histogram: true`` (as the web page's Export sends)
    answered the leg rows only: no histogram, no corridor answer anywhere, and nothing said so;
    ``plan --format csv --histogram`` was refused as showing nothing."""
    body = {"origin": "Aktau", "destination": "Baku", "histogram": True}
    r = r10_client.post("/api/plan?format=csv", json=body)
    assert r.status_code == 200, r.text
    rows = list(csv.DictReader(io.StringIO(r.text)))
    plan = r10_client.post("/api/plan", json=body).json()
    first = rows[0]
    assert first["route"] == "1" and first["route_histogram_counts"]
    edges = plan["routes"][0]["transit_days"]["histogram"]["edges"]
    assert [float(x) for x in first["route_histogram_edges"].split(";")] == edges
    answers = {row["corridor_answer"]: row for row in rows if row["corridor_answer"]}
    assert set(answers) == {c["id"] for c in plan["corridors"]}
    for c in plan["corridors"]:
        if c["route"] is None:
            assert answers[c["id"]]["corridor_reason"] == c["reason"]
            assert answers[c["id"]]["leg"] == ""
    cli = invoke(["plan", "Aktau", "Baku", "--format", "csv", "--histogram"], cache_dir)
    assert cli.exit_code == 0, cli.stderr
    assert cli.stdout == r.text  # the CLI and the API write the same export


def test_the_geojson_export_carries_the_histogram_and_the_corridors(r10_client, cache_dir):
    """``POST /api/plan?format=geojson`` with ``histogram: true`` had neither the histogram nor
    the corridor answers (``corridors: "available"`` and ``"none"`` answered the same bytes)."""
    body = {"origin": "Aktau", "destination": "Baku", "histogram": True}
    fc = r10_client.post("/api/plan?format=geojson", json=body).json()
    plan = r10_client.post("/api/plan", json={**body, "geometry": False}).json()
    props = [f["properties"] for f in fc["features"]]
    assert props[0]["route_histogram_counts"] == \
        plan["routes"][0]["transit_days"]["histogram"]["counts"]
    assert fc["corridors"] == plan["corridors"]
    assert {p["corridor_answer"] for p in props} - {None} <= {c["id"] for c in plan["corridors"]}
    none = r10_client.post("/api/plan?format=geojson",
                           json={**body, "corridors": "none"}).json()
    assert none["corridors"] == [] and not any(f["properties"]["corridor_answer"]
                                               for f in none["features"])
    cli = invoke(["plan", "Aktau", "Baku", "--format", "geojson", "--histogram"], cache_dir)
    assert cli.exit_code == 0, cli.stderr
    assert json.loads(cli.stdout) == fc


# -- 2. a payload above the box's maximum gross mass ------------------------------------------

TEU_WORDS = ("payload 29 t is more than a TEU can carry: 28.32 t, its 30.48 t maximum gross "
             "mass (ISO 668) less its 2.16 t tare")


def test_a_payload_over_the_boxs_maximum_gross_mass_is_refused_by_the_cli(cache_dir):
    """``plan --cargo TEU --payload-t 29`` planned 29 t of cargo in a 20 ft box rated 30.48 t
    gross with a 2.16 t tare (the only bound was 30 t for any box)."""
    line = one_error_line(invoke(["plan", "Aktau", "Baku", "--cargo", "TEU", "--payload-t", "29"],
                                 cache_dir), 2)
    assert line == f"error: {TEU_WORDS}", line
    line = one_error_line(invoke(["plan", "Aktau", "Baku", "--payload-t", "27"], cache_dir), 2)
    assert "more than an FEU can carry: 26.73 t" in line, line


def test_a_payload_at_the_limit_is_planned(net):
    import silkway

    assert silkway.plan(net, "Aktau", "Baku", cargo="TEU", payload_t=28.32).payload_t == 28.32
    assert silkway.plan(net, "Aktau", "Baku", payload_t=26.73).payload_t == 26.73


def test_a_payload_over_the_limit_is_refused_by_the_python_and_http_apis(net, r10_client):
    """``silkway.plan(..., cargo="TEU", payload_t=29)`` and ``POST /api/plan`` with it planned."""
    import silkway

    with pytest.raises(silkway.ConstraintError, match=re.escape(TEU_WORDS)):
        silkway.plan(net, "Aktau", "Baku", cargo="TEU", payload_t=29)
    r = r10_client.post("/api/plan", json={"origin": "Aktau", "destination": "Baku",
                                           "cargo": "TEU", "payload_t": 29})
    assert r.status_code == 422 and r.json()["detail"] == TEU_WORDS, r.text


def test_a_batch_row_over_the_limit_is_an_error_row(cache_dir, tmp_path):
    """A batch row ``TEU,29`` was planned with 29 t in the box."""
    src, out = tmp_path / "b.csv", tmp_path / "out.csv"
    src.write_text("id,origin,destination,cargo,payload_t\na,Aktau,Baku,TEU,29\n"
                   "b,Aktau,Baku,FEU,20\n", encoding="utf-8")
    r = invoke(["batch", str(src), "-o", str(out)], cache_dir)
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [x["status"] for x in rows] == ["error", "ok"]
    assert rows[0]["error"] == f"row 1: {TEU_WORDS}"


# -- 3. a departure date far from the data's period -------------------------------------------

DATES_CSV = ("id,origin,destination,departure_date\na,Aktau,Baku,1900-01-01\n"
             "b,Aktau,Baku,9999-12-31\nc,Aktau,Baku,2030-12-31\nd,Aktau,Baku,2000-01-01\n"
             "e,Aktau,Baku,1999-12-31\n")


def _outside(day: str) -> str:
    return (f"departure_date {day} is outside 2000-2030: the network's data describe 2025-H2, "
            "and a departure before 2000 or after 2030 would be planned on a network of "
            "another time")


def test_a_departure_date_outside_the_window_is_an_error_row(cache_dir, tmp_path):
    """``departure_date`` 1900-01-01 and 9999-12-31 were planned as a January and a December
    departure on the network of 2025-H2, with nothing said."""
    src, out = tmp_path / "d.csv", tmp_path / "out.csv"
    src.write_text(DATES_CSV, encoding="utf-8")
    r = invoke(["batch", str(src), "-o", str(out)], cache_dir)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [x["status"] for x in rows] == ["error", "error", "ok", "ok", "error"], r.output
    assert rows[0]["error"] == f"row 1: {_outside('1900-01-01')}"
    assert rows[1]["error"] == f"row 2: {_outside('9999-12-31')}"
    assert rows[4]["error"] == f"row 5: {_outside('1999-12-31')}"


def test_the_api_batch_refuses_the_same_dates(r10_client):
    """``POST /api/batch`` planned the same rows."""
    import time

    job = r10_client.post("/api/batch", content=DATES_CSV.encode(),
                          headers={**R10_AUTH, "Content-Type": "text/csv"})
    assert job.status_code in (200, 202), job.text
    url = f"/api/jobs/{job.json()['id']}"
    for _ in range(200):
        state = r10_client.get(url).json()
        if state["status"] in ("done", "failed"):
            break
        time.sleep(0.05)
    rows = list(csv.DictReader(io.StringIO(r10_client.get(url + "?format=csv").text)))
    assert [x["status"] for x in rows] == ["error", "error", "ok", "ok", "error"]
    assert rows[1]["error"] == f"row 2: {_outside('9999-12-31')}"


# -- 4. an Accept the API cannot serve --------------------------------------------------------

PLAN = {"origin": "Aktau", "destination": "Baku"}


@pytest.mark.parametrize(("method", "path", "accept", "serves"), [
    ("POST", "/api/v1/plan", "application/xml", "application/json, application/geo+json, text/csv"),
    ("POST", "/api/plan", "text/html", "application/json, application/geo+json, text/csv"),
    ("GET", "/api/v1/hubs", "application/xml, text/plain;q=0.5", "application/json"),
    ("GET", "/api/health", "image/png", "application/json"),
    ("POST", "/api/v1/plan", "application/json;q=0", "application/json"),
])
def test_an_accept_the_api_cannot_serve_is_406(r10_client, method, path, accept, serves):
    """``Accept: application/xml`` was answered 200 with JSON, as if it had asked for it."""
    r = r10_client.request(method, path, json=PLAN if method == "POST" else None,
                           headers={"Accept": accept})
    assert r.status_code == 406, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    detail = r.json()["detail"]
    assert detail.startswith("the Accept header names no type this endpoint serves; it serves "
                             + serves), detail


@pytest.mark.parametrize(("method", "path", "accept", "media"), [
    ("POST", "/api/v1/plan", None, "application/json"),
    ("POST", "/api/v1/plan", "*/*", "application/json"),
    ("POST", "/api/v1/plan", "application/json", "application/json"),
    ("POST", "/api/v1/plan", "application/*", "application/json"),
    ("POST", "/api/v1/plan", "text/csv", "text/csv"),
    ("POST", "/api/v1/plan", "application/geo+json", "application/geo+json"),
    ("POST", "/api/v1/plan", "text/html,application/xhtml+xml,application/xml;q=0.9,"
                             "image/avif,image/webp,*/*;q=0.8", "application/json"),
    ("POST", "/api/v1/plan", "text/csv;q=nonsense", "application/json"),
    ("POST", "/api/v1/plan", "", "application/json"),
    ("GET", "/api/v1/hubs", "application/json, text/javascript, */*; q=0.01", "application/json"),
    ("GET", "/api/v1/basemap", "application/geo+json", "application/geo+json"),
    ("GET", "/api/v1/assign/example", "text/csv", "text/csv"),
    ("GET", "/", "application/xml", "text/html"),  # the page is not the API
])
def test_an_accept_the_api_can_serve_still_works(r10_client, method, path, accept, media):
    headers = {} if accept is None else {"Accept": accept}
    r = r10_client.request(method, path, json=PLAN if method == "POST" else None, headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(media), r.headers


# -- 5. a blank scenario title (or name, or source) -------------------------------------------

@pytest.mark.parametrize(("doc", "words"), [
    ('name: r10\ntitle: "   "\nsource: s\n', "title: is blank"),
    ('name: r10\ntitle: "\\u200b\\u200d"\nsource: s\n', "title: is blank"),  # zero-width only
    ('name: r10\ntitle: ""\nsource: s\n', "title: is blank"),
    ('name: "\\u3000 "\ntitle: x\nsource: s\n', "name: is blank"),  # ideographic space
    ('name: "\\u200f"\ntitle: x\nsource: s\n', "name: is blank"),  # a right-to-left mark
    ('name: r10\ntitle: x\nsource: "  "\n', "has neither a source nor an estimate"),
    ('name: r10\ntitle: x\nsource: s\nclose: {hubs: [" "]}\n', "close hubs #1: is blank"),
])
def test_a_blank_required_text_in_a_scenario_is_refused(cache_dir, tmp_path, doc, words):
    """``title: "   "`` (or only zero-width characters) was accepted and every plan under
    the scenario was labelled with nothing; ``source: "  "`` counted as a citation."""
    path = tmp_path / "s.yaml"
    path.write_text(doc, encoding="utf-8")
    line = one_error_line(invoke(["plan", "Aktau", "Baku", "--scenario", str(path)], cache_dir), 2)
    assert words in line, line


def test_the_api_refuses_a_blank_title(r10_client):
    """``POST /api/scenarios`` saved a scenario whose title was three spaces."""
    r = r10_client.post("/api/scenarios", json={"yaml": 'name: r10-blank\ntitle: "   "\nsource: s\n'},
                        headers=R10_AUTH)
    assert r.status_code == 422 and "title: is blank" in r.json()["detail"], r.text


# -- 6. the auth scheme is case-insensitive ---------------------------------------------------

@pytest.mark.parametrize("header", ["bearer r10-token", "BEARER r10-token", "Bearer r10-token",
                                    "bEaReR  r10-token"])
def test_the_bearer_scheme_is_case_insensitive(r10_client, header):
    """``Authorization: bearer <token>`` was a 401, and so was ``Bearer`` followed by two
    spaces: RFC 9110 (11.1, 11.4) makes the scheme case-insensitive and allows ``1*SP``."""
    r = r10_client.post("/api/plans", json={"request": PLAN}, headers={"Authorization": header})
    assert r.status_code in (200, 201), r.text


@pytest.mark.parametrize("header", ["bearer R10-TOKEN", "Bearer r10-token-", "Basic r10-token",
                                    "bearerr10-token", "r10-token", "Bearer", "bearer  ", ""])
def test_a_wrong_token_is_still_401_and_never_shown(r10_client, caplog, header):
    r = r10_client.post("/api/plans", json={"request": PLAN}, headers={"Authorization": header})
    assert r.status_code == 401, r.text
    assert r.headers["www-authenticate"] == "Bearer"
    for where in (r.text, str(r.headers), caplog.text):
        assert "r10-token" not in where and "R10-TOKEN" not in where


# -- 7. a batch in which every row failed -----------------------------------------------------

def test_a_batch_with_no_row_planned_is_exit_2_and_still_writes_its_rows(cache_dir, tmp_path):
    """A batch whose every row failed printed "0 planned, 2 errors" and exited 0, so a script
    (``silkway batch ... && upload plans.csv``) took it for a success."""
    src, out = tmp_path / "b.csv", tmp_path / "out.csv"
    src.write_text("id,origin,destination\na,Xx,Baku\nb,Aktau,Baku\n".replace(
        "b,Aktau,Baku", "b,Aktau,Baku,extra"), encoding="utf-8")
    line = one_error_line(invoke(["batch", str(src), "-o", str(out), "--serial"], cache_dir), 2)
    assert line.startswith(f"error: no row could be planned (2 error rows written to {out}): "
                           "row 1: unknown place 'Xx'"), line
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [x["id"] for x in rows] == ["a", "b"] and {x["status"] for x in rows} == {"error"}


def test_a_batch_with_no_rows_is_exit_2(cache_dir, tmp_path):
    """A header with no rows wrote an empty table and exited 0."""
    src, out = tmp_path / "b.csv", tmp_path / "out.csv"
    src.write_text("origin,destination\n", encoding="utf-8")
    line = one_error_line(invoke(["batch", str(src), "-o", str(out), "--serial"], cache_dir), 2)
    assert line == f"error: no row could be planned: {src} has no rows (an empty {out} was written)"
    assert out.exists()


def test_a_batch_with_one_row_planned_is_exit_0(cache_dir, tmp_path):
    src, out = tmp_path / "b.csv", tmp_path / "out.csv"
    src.write_text("id,origin,destination\na,Xx,Baku\nb,Aktau,Baku\n", encoding="utf-8")
    r = invoke(["batch", str(src), "-o", str(out), "--serial"], cache_dir)
    assert r.exit_code == 0 and "1 planned, 1 error" in r.stdout, r.output


# -- 8. one id on two batch rows --------------------------------------------------------------

def test_a_repeated_batch_id_is_an_error_row_naming_the_first(cache_dir, tmp_path):
    """Two rows with id ``A1`` were both planned, and the output held two plans under one id;
    a decomposed ``é`` matched nothing."""
    src, out = tmp_path / "b.csv", tmp_path / "out.csv"
    src.write_text("id,origin,destination\nA1,Aktau,Baku\nB2,Xx,Baku\nA1,Aktau,Tbilisi\n"
                   "B2,Aktau,Baku\nCaf\u00e9,Aktau,Baku\nCafe\u0301,Aktau,Baku\n,Aktau,Baku\n"
                   ",Aktau,Baku\na1,Aktau,Baku\n", encoding="utf-8")
    r = invoke(["batch", str(src), "-o", str(out), "--serial"], cache_dir)
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [x["status"] for x in rows] == ["ok", "error", "error", "error", "ok", "error", "ok",
                                           "ok", "ok"]
    assert [x["row"] for x in rows] == [str(i) for i in range(1, 10)]
    assert rows[2]["error"] == ("row 3: its id is already used by row 1: an id names one "
                                "shipment; give this row its own")
    assert rows[3]["error"].startswith("row 4: its id is already used by row 2")  # an error row
    assert rows[5]["error"].startswith("row 6: its id is already used by row 5: ")
    assert rows[2]["id"] == "A1" and rows[2]["destination"] == "Tbilisi"


def test_ids_that_differ_only_by_invisible_characters_are_one_id(cache_dir, tmp_path):
    """``A1`` and ``A1`` followed by a zero-width space (or wrapped in direction marks) read
    the same on every screen, and both were planned as two shipments."""
    src, out = tmp_path / "b.csv", tmp_path / "out.csv"
    src.write_text("id,origin,destination\nA1,Aktau,Baku\nA1\u200b,Aktau,Baku\n"
                   "\u200fA1\u200d,Aktau,Baku\n", encoding="utf-8")
    invoke(["batch", str(src), "-o", str(out), "--serial"], cache_dir)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [x["status"] for x in rows] == ["ok", "error", "error"]
    assert rows[1]["error"] == ("row 2: its id is already used by row 1 (the two differ only by "
                                "invisible characters): an id names one shipment; give this row "
                                "its own")


def test_the_api_batch_refuses_a_repeated_id(r10_client):
    import time

    job = r10_client.post("/api/batch", json={"csv": "id,origin,destination\nx,Aktau,Baku\n"
                                                     "x,Aktau,Baku\n"}, headers=R10_AUTH)
    url = f"/api/jobs/{job.json()['id']}"
    for _ in range(200):
        if r10_client.get(url).json()["status"] in ("done", "failed"):
            break
        time.sleep(0.05)
    rows = list(csv.DictReader(io.StringIO(r10_client.get(url + "?format=csv").text)))
    assert [x["status"] for x in rows] == ["ok", "error"]
    assert rows[1]["error"].startswith("row 2: its id is already used by row 1")


# -- own cases --------------------------------------------------------------------------------

@pytest.mark.parametrize("as_of", ["2199", "1800", '"1999-H2"', '"2031-01"'])
def test_an_era_scenario_far_from_the_data_is_refused(cache_dir, tmp_path, as_of):
    """``as_of: 2199`` (or 1800) was taken, and every plan under the scenario said "data as of
    2199" of a network whose data describe 2025-H2 (the window of a batch departure_date)."""
    path = tmp_path / "era.yaml"
    path.write_text(f"name: era\ntitle: t\nsource: s\nas_of: {as_of}\n", encoding="utf-8")
    line = one_error_line(invoke(["plan", "Aktau", "Baku", "--scenario", str(path)], cache_dir), 2)
    assert f"as_of: {as_of.strip(chr(34))} is outside 2000-2030: the network's data describe " \
           "2025-H2" in line, line


@pytest.mark.parametrize("as_of", ["2000", "2022", '"2030-H2"'])
def test_an_era_scenario_inside_the_window_is_fine(net, as_of):
    from silkway.analysis.scenarios import parse_scenario

    parse_scenario(f"name: era\ntitle: t\nsource: s\nas_of: {as_of}\n", net.tables, label="r10")


def test_an_invisible_saved_plan_title_is_no_title(r10_client):
    """A saved plan titled only by a zero-width space was listed with a title no one could see
    (three spaces were already no title)."""
    for title in ("\u200b", "\u200f \u200d"):
        r = r10_client.post("/api/plans", json={"request": PLAN, "title": title}, headers=R10_AUTH)
        assert r.status_code == 200, r.text
        assert r10_client.get(f"/api/plans/{r.json()['id']}").json()["title"] is None


def test_emissions_and_jobs_answer_the_type_accept_asks_for(r10_client):
    """``POST /api/emissions`` with ``Accept: text/html`` and ``GET /api/jobs/{id}`` with
    ``Accept: text/csv`` answered JSON, although each serves the type asked for."""
    import time

    r = r10_client.post("/api/emissions", json=PLAN, headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), r.headers
    r = r10_client.post("/api/emissions", json=PLAN, headers={"Accept": "*/*"})
    assert r.headers["content-type"].startswith("application/json")
    job = r10_client.post("/api/batch", json={"csv": "origin,destination\nAktau,Baku\n"},
                          headers=R10_AUTH).json()["id"]
    for _ in range(200):
        if r10_client.get(f"/api/jobs/{job}").json()["status"] in ("done", "failed"):
            break
        time.sleep(0.05)
    r = r10_client.get(f"/api/jobs/{job}", headers={"Accept": "text/csv"})
    assert r.headers["content-type"].startswith("text/csv") and r.text.startswith("row,"), r.text
    assert r10_client.get(f"/api/jobs/{job}").json()["status"] == "done"


@pytest.mark.parametrize(("kw", "words"), [
    ({"origin": b"Aktau", "destination": "Baku"}, "origin input should be a valid string"),
    ({"origin": "Aktau", "destination": "Baku", "avoid": [b"RU"]},
     "avoid input should be a valid string"),
    ({"origin": "Aktau", "destination": "Baku", "via": [bytearray(b"Tbilisi")]},
     "via input should be a valid string"),
])
def test_bytes_for_a_place_or_a_code_are_refused(net, kw, words):
    """``silkway.plan(net, b"Aktau", "Baku")`` planned from Aktau: pydantic's lax mode decoded
    the bytes as UTF-8, so a caller that read a file in binary mode got an answer for whatever
    they decoded to (a bool or a number for a name was already refused)."""
    import silkway

    origin, destination = kw.pop("origin"), kw.pop("destination")
    with pytest.raises(silkway.ConstraintError, match=words):
        silkway.plan(net, origin, destination, **kw)


def test_a_repeated_flow_id_is_an_error_row_naming_the_first(cache_dir, tmp_path):
    """Two flows under one id (100 TEU Xi'an - Duisburg and 50 TEU Chongqing - Duisburg, the
    second ``A`` with a zero-width space) were both assigned, 150 TEU, each lane listing
    ``ids: ["A"]``: a reader could not tell which ``A`` a figure was. A later flow with an id
    already used is now an error row naming the first, as in a batch."""
    path = tmp_path / "flows.csv"
    path.write_text("id,origin,destination,teu\nA,Xian,Duisburg,100\n"
                    "A\u200b,Chongqing,Duisburg,50\nB,Chongqing,Duisburg,25\n", encoding="utf-8")
    r = invoke(["assign", str(path), "--json"], cache_dir)
    assert r.exit_code == 0, r.stdout + r.stderr
    out = json.loads(r.stdout)
    assert out["errors"] == ["row 2: its id is already used by row 1 (the two differ only by "
                             "invisible characters): an id names one flow; give this row its own"]
    assert sorted((f["ids"], f["teu"]) for f in out["flows"]) == [(["A"], 100.0), (["B"], 25.0)]
    assert out["system"]["served_teu"] + out["system"]["unserved_teu"] == pytest.approx(125.0)
