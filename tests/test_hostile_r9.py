"""Hostile inputs, round 9. Each test's docstring says what the input did before the fix.

CLI cases run in-process (typer's CliRunner) with the checks of the earlier rounds: exit code,
one line on stderr, nothing on stdout, no traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_errors import invoke, one_error_line
from silkway.analysis.scenarios import parse_scenario
from silkway.errors import InputError

FLOWS = Path(__file__).resolve().parents[1] / "src/silkway/data/examples/flows_2025.csv"
HEAD = "name: r9\ntitle: round 9\nsource: test\n"


def _capacities(*entries: str) -> str:
    return HEAD + "capacities:\n" + "".join(
        f"  - element: caspian-kz-az\n    {e}\n    estimate: test\n" for e in entries)


# -- a scenario's capacity changes ------------------------------------------------------------

@pytest.mark.parametrize(("value", "words"), [
    (".nan", "capacity must be a finite number, not nan"),
    (".inf", "capacity must be a finite number, not inf"),
    ("1e400", "capacity must be a finite number, not inf"),
    ("2e10", "capacity must be at most 1e+10"),
])
def test_a_capacity_that_is_not_a_finite_figure_is_refused(cache_dir, tmp_path, value, words):
    """``capacity: .nan`` (or ``.inf``, ``1e400``) reached the linear programme: exit 1,
    "internal error (ValueError: Invalid input for linprog: b_ub must not contain values inf,
    nan, or None)"; an added element was already held to the table's 1e10."""
    path = tmp_path / "cap.yaml"
    path.write_text(_capacities(f"capacity: {value}"), encoding="utf-8")
    line = one_error_line(invoke(["assign", "--scenario", str(path), str(FLOWS)], cache_dir), 2)
    assert "capacities #1" in line and words in line, line


def test_one_element_changed_twice_is_refused(net):
    """``factor: 2`` then ``factor: 0.5`` on caspian-kz-az multiplied to no change at all, and
    ``capacity`` then ``factor`` scaled the new figure: which was meant is not the planner's
    guess (a change of the route network is refused the same way)."""
    for second in ("factor: 0.5", "capacity: 5000", "closed: true"):
        with pytest.raises(InputError, match=r"capacities #2: element 'caspian-kz-az' is "
                                             r"already changed by capacities #1"):
            parse_scenario(_capacities("factor: 2", second), net.tables, label="r9")


def test_one_change_per_element_is_fine(net):
    s = parse_scenario(HEAD + "capacities:\n"
                       "  - {element: caspian-kz-az, factor: 2, estimate: t}\n"
                       "  - {element: caspian-tm-az, capacity: 0, estimate: t}\n",
                       net.tables, label="r9")
    assert [c.element for c in s.capacities] == ["caspian-kz-az", "caspian-tm-az"]


# -- the Python API: a bool is not a number ----------------------------------------------------

@pytest.mark.parametrize(("field", "value"), [
    ("max_transshipments", False), ("payload_t", True), ("month", True), ("draws", True),
    ("max_routes", True), ("thin", False), ("deadline_days", True),
])
def test_a_bool_given_for_a_number_is_refused(net, field, value):
    """``silkway.plan(..., max_transshipments=False)`` planned with a cap of 0 transfers and
    ``payload_t=True`` with 1 t of cargo (pydantic reads a bool as 0 or 1; the HTTP API's JSON
    already refused it)."""
    import silkway

    with pytest.raises(silkway.ConstraintError, match=f"{field} should be a number, not {value}"):
        silkway.plan(net, "Toyama", "Bishkek", **{field: value})


def test_a_statement_route_is_an_index(net):
    """``statement(result, True)`` stated route 2 and ``statement(result, 1.5)`` was a
    TypeError from the list."""
    import numpy as np

    import silkway

    result = silkway.plan(net, "Aktau", "Baku")
    for route in (True, 1.5, "0"):
        with pytest.raises(silkway.ConstraintError, match="route takes a route's index"):
            silkway.statement(result, route)
    assert silkway.statement(result, np.int64(0)).to_dict() == silkway.statement(
        result, 0).to_dict()


# -- a flow's value of time --------------------------------------------------------------------

def test_a_value_of_time_beyond_any_cargo_is_an_error_row(cache_dir, tmp_path):
    """``value_of_time_usd_per_teu_day`` 1e20 stopped HiGHS (status 15) and the whole run was
    exit 5, "the HiGHS solver stopped without an optimum", a backend failure, for one cell."""
    import json

    src = tmp_path / "flows.csv"
    src.write_text("origin,destination,teu,value_of_time_usd_per_teu_day\n"
                   "Toyama,Bishkek,100,1e20\nShanghai,Rotterdam,100,1000000\n", encoding="utf-8")
    r = invoke(["assign", str(src), "--json"], cache_dir)
    assert r.exit_code == 0 and "Traceback" not in r.output, r.output[-2000:]
    d = json.loads(r.stdout)
    assert d["errors"] == ["row 1: value_of_time_usd_per_teu_day '1e20' is more than 1,000,000 "
                           "USD a TEU-day (2.1% a day of 48 million USD of goods in a box)"]
    assert [f["value_of_time_usd_per_teu_day"] for f in d["flows"]] == [1_000_000]


# -- the HTTP API's assign request is typed strictly -------------------------------------------

@pytest.fixture(scope="module")
def r9_client(net, cache_dir, tmp_path_factory):
    from api_clients import token_client

    return token_client(net, cache_dir, tmp_path_factory, "r9", "r9-token")


R9_AUTH = {"Authorization": "Bearer r9-token"}
R9_FLOWS = "origin,destination,teu\nToyama,Bishkek,100\n"


@pytest.mark.parametrize(("fields", "where"), [
    ({"max_routes": True}, "max_routes"),
    ({"equilibrium": True, "gap": "0.01"}, "gap"),
    ({"compare": 1, "scenario": "cku-railway"}, "compare"),
    ({"equilibrium": "yes"}, "equilibrium"),
])
def test_an_assign_request_of_the_wrong_json_type_is_refused(r9_client, fields, where):
    """``POST /api/assign`` with ``"max_routes": true`` was queued (202) and assigned with one
    candidate route per pair; ``"gap": "0.01"`` and ``"compare": 1`` were coerced, where a plan
    request refuses them (every other request model is strict)."""
    r = r9_client.post("/api/assign", json={"csv": R9_FLOWS, **fields}, headers=R9_AUTH)
    assert r.status_code == 422, r.text[:300]
    detail = r.json()["detail"]
    assert detail.startswith(f"body field {where}: "), detail
    assert ("input should be a valid" in detail  # a number as a string names the string
            or detail.endswith(f"(a JSON number, not the string {fields[where]!r})")
            or "takes true or false (a JSON boolean, not " in detail), detail


def test_an_assign_request_of_the_right_types_is_queued(r9_client):
    r = r9_client.post("/api/assign", json={"csv": R9_FLOWS, "max_routes": 5, "equilibrium": True,
                                            "gap": 0.01}, headers=R9_AUTH)
    assert r.status_code == 202, r.text[:300]


# -- a '#' below the header of a flows file ----------------------------------------------------

def test_a_flow_whose_id_starts_with_a_hash_is_not_dropped_as_a_comment(tmp_path):
    """Ids ``#1`` and ``#2`` in the first column made their rows comments: 300 of 305 TEU
    vanished from the assignment with no error row and exit 0."""
    from silkway.analysis.flows import read_flows

    src = tmp_path / "flows.csv"
    src.write_text("# a comment above the header is still one\nid,origin,destination,teu\n"
                   "#1,Toyama,Bishkek,100\n  #2,Shanghai,Rotterdam,200\n3,Aktau,Baku,5\n",
                   encoding="utf-8")
    flows, errors = read_flows(src)
    assert [f.teu for f in flows] == [5]
    assert [(e.row, e.message) for e in errors] == [
        (1, "row 1: its id '#1' starts with '#', which also marks a comment: begin the id "
            "otherwise, or move a comment above the header"),
        (2, "row 2: its id '#2' starts with '#', which also marks a comment: begin the id "
            "otherwise, or move a comment above the header")]


def test_a_comment_below_a_header_that_does_not_begin_with_id_is_still_one(tmp_path):
    from silkway.analysis.flows import read_flows

    src = tmp_path / "flows.csv"
    src.write_text("origin,destination,teu,id\nToyama,Bishkek,100,#1\n"
                   "# Shanghai,Rotterdam,200\nAktau,Baku,5,\n", encoding="utf-8")
    flows, errors = read_flows(src)
    assert [(f.teu, f.id) for f in flows] == [(100, "#1"), (5, None)] and errors == []


# -- the default cache directory ---------------------------------------------------------------

def test_a_relative_xdg_cache_home_is_ignored(monkeypatch, tmp_path):
    """``XDG_CACHE_HOME=cache`` put the compiled network into ``./cache/silkway`` of whatever
    directory a command ran in; the XDG specification says a relative path is to be ignored."""
    from silkway.network.model import default_cache_dir

    monkeypatch.setenv("HOME", str(tmp_path))
    for value in ("cache", "./cache", "~/.cache"):
        monkeypatch.setenv("XDG_CACHE_HOME", value)
        assert default_cache_dir() == tmp_path / ".cache" / "silkway"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "silkway"


def test_an_assign_job_asked_as_csv_is_refused_not_a_500(r9_client):
    """``GET /api/jobs/{id}?format=csv`` of a finished assignment was a 500 (the CSV writer was
    handed the keys of the assignment's JSON object as rows); a batch job still gives CSV."""
    import time

    job = r9_client.post("/api/assign", json={"csv": R9_FLOWS}, headers=R9_AUTH).json()["id"]
    batch = r9_client.post("/api/batch", json={"csv": "origin,destination\nAktau,Baku\n"},
                           headers=R9_AUTH).json()["id"]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and any(
            r9_client.get(f"/api/jobs/{j}").json()["status"] in ("queued", "running")
            for j in (job, batch)):
        time.sleep(0.2)
    r = r9_client.get(f"/api/jobs/{job}?format=csv")
    assert r.status_code == 422, r.text[:300]
    assert r.json()["detail"] == ("format=csv gives a batch job's rows; this is an assign job, "
                                  "whose result is JSON only")
    assert r9_client.get(f"/api/jobs/{job}").json()["status"] == "done"
    r = r9_client.get(f"/api/jobs/{batch}?format=csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.text.startswith("row,id,status")


# -- an added leg shorter than the line between its points -------------------------------------

def _added_leg(extra: str) -> str:
    return (HEAD + "add_legs:\n  - {from: CN-KASHGAR, to: KGJLD, mode: rail, gauge_mm: 1435, "
            f"tariff: rail_ca, estimate: e, {extra}}}\n")


@pytest.mark.parametrize(("extra", "words"), [
    ("distance_km: 1", "distance_km: 1 km is shorter than the 309 km great-circle line from "
                       "CN-KASHGAR to KGJLD; give the leg's length along its route"),
    ("distance_km: 280", "280 km is shorter than the 309 km"),
    ("distance_km: 500, via: ['74.5 40.2']", "500 km is shorter than the 8,"),
    ("distance_km: 500, via: ['0 0']", "great-circle line from CN-KASHGAR to KGJLD through its "
                                       "via points"),
])
def test_an_added_leg_shorter_than_the_crow_flies_is_refused(cache_dir, tmp_path, extra, words):
    """``distance_km: 1`` on Kashgar - Jalal-Abad was planned as a 1 km rail leg (Kashgar -
    Tashkent 444 km, exit 0); a via point with its latitude and longitude swapped drew the leg
    through the Arctic and gave it the countries of that detour, for a 500 km leg."""
    path = tmp_path / "leg.yaml"
    path.write_text(_added_leg(extra), encoding="utf-8")
    line = one_error_line(invoke(["plan", "Kashgar", "Tashkent", "--scenario", str(path)],
                                 cache_dir), 2)
    assert "add_legs #1 distance_km: " in line and words in line, line


def test_an_added_leg_as_long_as_its_route_is_fine(net):
    s = parse_scenario(_added_leg("distance_km: 360, via: ['40.5 75.4']"), net.tables,
                       label="r9")
    assert s.add_legs[0].distance_km == 360
    for name in ("cku-railway", "trans-afghan-railway"):  # the shipped ones hold
        import silkway

        assert silkway.load_scenario(name, net.tables).add_legs


# -- a user's scenario named as a shipped one --------------------------------------------------

def test_a_users_scenario_may_not_take_a_shipped_name(cache_dir, tmp_path, r9_client):
    """A file of no changes named ``caspian-winter`` (with the shipped title) was planned as
    "[scenario: caspian-winter]", and so was one saved through the API: a report could not tell
    it from the shipped storm scenario."""
    path = tmp_path / "mine.yaml"
    path.write_text("name: caspian-winter\ntitle: Severe Caspian winter\nsource: me\n",
                    encoding="utf-8")
    line = one_error_line(invoke(["plan", "Aktau", "Baku", "--scenario", str(path)], cache_dir), 2)
    assert "name 'caspian-winter' is a shipped scenario's name; give yours a name of its own" in line
    r = r9_client.post("/api/scenarios", json={"yaml": "name: Caspian-Winter\ntitle: x\nsource: "
                                                       "me\n"}, headers=R9_AUTH)
    assert r.status_code == 422 and "is a shipped scenario's name" in r.json()["detail"], r.text
    assert r9_client.post("/api/plan", json={"origin": "Aktau", "destination": "Baku",
                                             "scenario": "caspian-winter"}).status_code == 200


# -- a list option given empty -----------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["plan", "Toyama", "Istanbul", "--avoid", ""],
    ["plan", "Toyama", "Istanbul", "--avoid="],
    ["plan", "Toyama", "Istanbul", "--via", "  "],
    ["plan", "Toyama", "Istanbul", "--close="],
    ["plan", "Toyama", "Istanbul", "--exclude-corridor", ""],
    ["plan", "Toyama", "Istanbul", "--modes", ""],
    ["compare", "Aktau", "Baku", "--scenario", "caspian-winter", "--avoid", ""],
    ["emissions", "Aktau", "Baku", "--avoid", ""],
])
def test_a_list_option_given_empty_is_refused(cache_dir, args):
    """``--avoid "$AVOID"`` with the variable unset (``--avoid ""``) planned through Russia as
    if the option were not given, exit 0, where an empty ``--corridor`` was already refused."""
    flag = next(a for a in args[3:] if a.startswith("--") and a != "--scenario").rstrip("=")
    line = one_error_line(invoke(args, cache_dir), 2)
    assert line == f"error: {flag} is empty; name at least one value, or leave the option out"


def test_an_empty_avoid_cell_of_a_batch_row_is_still_no_avoidance(net):
    import silkway

    assert silkway.make_query(origin="Toyama", destination="Istanbul", avoid="").avoid == ()


# -- the Python API's sweep --------------------------------------------------------------------

def test_sweep_refuses_pairs_and_axes_it_cannot_read(net):
    """``silkway.sweep(net, ["Aktau:Baku"], axes)`` (the CLI's spelling) was a ValueError from
    unpacking the string, and an ``Axis`` built by hand with a NaN value was planned."""
    import silkway
    from silkway.analysis.whatif import Axis

    axis = Axis.parse("tariff:ferry_caspian:wait_factor=1,2", net)
    for pairs in (["Aktau:Baku"], [("Aktau", "Baku", "Poti")], [5], [("Aktau", 5)]):
        with pytest.raises(silkway.ConstraintError, match=r"is not an \(origin, destination\)"):
            silkway.sweep(net, pairs, [axis])
    for values in ((float("nan"),), (0.0,), (True,), ()):
        with pytest.raises(silkway.ConstraintError, match=r"must be numbers in \[0.01, 100\]"):
            silkway.sweep(net, [("Aktau", "Baku")], [Axis("tariff", "ferry_caspian",
                                                          "wait_factor", values)])
    assert len(silkway.sweep(net, [["Aktau", "Baku"]], [axis])) >= 2


# -- a month that contradicts the scenario's own ---------------------------------------------

def test_a_month_that_contradicts_the_scenarios_own_is_refused(net, cache_dir, tmp_path):
    """``--scenario caspian-winter --month 7`` planned the winter storm changes (which double
    January's ferry waits) under July's seasonality: a month no scenario described."""
    import silkway
    from silkway.analysis.batch import plan_batch, read_shipments

    line = one_error_line(invoke(["plan", "Aktau", "Baku", "--scenario", "caspian-winter",
                                  "--month", "7"], cache_dir), 2)
    assert "describes a departure in month 1; month 7 contradicts it" in line, line
    with pytest.raises(silkway.ConstraintError, match="month 7 contradicts"):
        silkway.plan(net, "Aktau", "Baku", scenario="caspian-winter", month=7)
    same = silkway.plan(net, "Aktau", "Baku", scenario="caspian-winter", month=1)
    assert same.month == 1 and same.to_dict() == silkway.plan(
        net, "Aktau", "Baku", scenario="caspian-winter").to_dict()
    src = tmp_path / "rows.csv"
    src.write_text("id,origin,destination,scenario,month\na,Aktau,Baku,caspian-winter,7\n"
                   "b,Aktau,Baku,caspian-winter,1\n", encoding="utf-8")
    shipments, errors = read_shipments(src)
    rows = {r["id"]: r for r in plan_batch(net, shipments, errors=errors)}
    assert "month 7 contradicts" in rows["a"]["error"] and not rows["b"]["error"]
