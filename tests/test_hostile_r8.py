"""Hostile inputs, round 8. Each test's docstring says what the input did before the fix.

CLI cases run in-process (typer's CliRunner) with the checks of the earlier rounds: exit code,
one line on stderr, nothing on stdout, no traceback.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import silkway
from api_clients import token_client
from cli_errors import invoke, one_error_line
from silkway.analysis.batch import plan_batch, read_shipments
from silkway.errors import InputError


def _rows(tmp_path: Path, text: str) -> list[dict]:
    path = tmp_path / "shipments.csv"
    path.write_text(text, encoding="utf-8")
    shipments, errors = read_shipments(path)
    return shipments, errors


# -- batch cells the batch took and then dropped ----------------------------------------------

def test_a_batch_deadline_gives_each_row_its_on_time_probability(net, tmp_path):
    """A row's ``deadline_days`` was simulated and echoed, but the output had no on-time
    probability: the one thing a deadline asks was nowhere in the plans."""
    shipments, errors = _rows(tmp_path, "origin,destination,deadline_days\n"
                                        "Toyama,Bishkek,20\nToyama,Bishkek,\n")
    assert not errors
    rows = plan_batch(net, shipments)
    best = silkway.plan(net, "Toyama", "Bishkek", deadline_days=20).routes[0]
    assert rows[0]["status"] == "ok" and rows[0]["deadline_days"] == 20
    assert rows[0]["on_time_probability"] == pytest.approx(best.transit_days.on_time, abs=1e-4)
    assert 0 < rows[0]["on_time_probability"] < 1
    assert rows[1]["status"] == "ok" and rows[1]["on_time_probability"] is None


def test_the_batch_cli_writes_the_on_time_probability(cache_dir, tmp_path):
    src = tmp_path / "s.csv"
    src.write_text("origin,destination,deadline_days\nAktau,Baku,3d\n", encoding="utf-8")
    out = tmp_path / "plans.csv"
    r = invoke(["batch", str(src), "-o", str(out), "--serial"], cache_dir)
    assert r.exit_code == 0, r.output
    with out.open(encoding="utf-8", newline="") as fh:
        row = next(csv.DictReader(fh))
    assert row["status"] == "ok" and 0 <= float(row["on_time_probability"]) <= 1, row


@pytest.mark.parametrize(("column", "cell", "words"), [
    ("max_routes", "3", "keeps route 1 only"),
    ("thin", "0.5", "keeps route 1 only"),
    ("histogram", "true", "writes no day histograms"),
    ("corridors", "all", "has no corridor section"),
    ("corridors", "available", "has no corridor section"),
])
def test_a_batch_cell_the_batch_does_not_use_is_an_error_row(tmp_path, column, cell, words):
    """``max_routes 3``, ``thin 0.5``, ``histogram true`` and ``corridors all`` were planned as
    if the cell were empty: the output had one route and no histogram or corridor, unsaid."""
    shipments, errors = _rows(tmp_path, f"id,origin,destination,{column}\n"
                                        f"a,Toyama,Bishkek,{cell}\nb,Toyama,Bishkek,\n")
    assert [s.id for s in shipments] == ["b"]
    assert len(errors) == 1 and errors[0].row == 1 and errors[0].id == "a"
    assert f"batch does not use {column}" in errors[0].problem and words in errors[0].problem, \
        errors[0].problem


@pytest.mark.parametrize(("column", "cell"), [
    ("max_routes", "8"), ("thin", "0.02"), ("histogram", "false"), ("corridors", "none"),
    ("draws", "500"),
])
def test_a_batch_cell_that_asks_what_the_batch_does_is_fine(tmp_path, column, cell):
    shipments, errors = _rows(tmp_path, f"origin,destination,{column}\nToyama,Bishkek,{cell}\n")
    assert not errors and len(shipments) == 1


# -- a sweep whose pairs fail at some points ----------------------------------------------------

def test_a_sweep_says_which_pairs_have_no_route_and_counts_them_in_the_shares(cache_dir,
                                                                              tmp_path):
    """``--pair Toyama:Bishkek --pair Lianyungang:Poti --avoid CN`` printed "Trans-Siberian 50%"
    and "2 pairs": the other half, a pair whose origin is avoided, was said nowhere but in the
    table's error column, so the shares read as if another corridor had won half the pairs."""
    r = invoke(["sweep", "--vary", "tariff:ferry_caspian:wait_factor=1,2",
                "--pair", "Toyama:Bishkek", "--pair", "Lianyungang:Poti", "--avoid", "CN",
                "--serial", "-o", str(tmp_path / "sweep.csv")], cache_dir)
    assert r.exit_code == 0 and "Traceback" not in r.output, r.output
    assert r.stdout.count("no route 50%") == 2, r.stdout
    assert "1 pair has no route: 'Lianyungang:Poti'" in r.stdout, r.stdout
    assert "avoided country (CN)" in r.stdout, r.stdout


@pytest.mark.parametrize("month", ["07", "7.0", " 7", "+7"])
def test_a_month_written_with_a_leading_zero_agrees_with_its_departure_date(tmp_path, month):
    """``month 07`` beside ``departure_date 2025-07-01`` was the error row "month 07
    contradicts departure_date 2025-07-01" (the two were compared as text)."""
    shipments, errors = _rows(tmp_path, "origin,destination,month,departure_date\n"
                                        f"Toyama,Bishkek,{month},2025-07-01\n")
    assert not errors and shipments[0].query.month == 7


@pytest.mark.parametrize("month", ["8", "abc", "7.5"])
def test_a_month_that_is_not_the_departure_month_is_still_an_error_row(tmp_path, month):
    shipments, errors = _rows(tmp_path, "origin,destination,month,departure_date\n"
                                        f"Toyama,Bishkek,{month},2025-07-01\n")
    assert not shipments and "contradicts departure_date 2025-07-01" in errors[0].problem


# -- a flows file with a column assign does not read --------------------------------------------

FLOWS = "origin,destination,teu,avoids\nLianyungang,Poti,1000,RU\n"


def test_a_flows_column_assign_does_not_read_is_refused_with_did_you_mean(tmp_path):
    """``avoids`` (for ``avoid``) was a log line, "ignoring unknown column(s)", and the flow was
    assigned through Russia: Northern 100 % of the TEU, exit 0, no word in --json."""
    from silkway.analysis.flows import read_flows

    path = tmp_path / "flows.csv"
    path.write_text(FLOWS, encoding="utf-8")
    with pytest.raises(InputError, match=r"unknown column\(s\) 'avoids' \(did you mean avoid\?\)"):
        read_flows(path)


def test_assign_cli_and_api_refuse_an_unknown_flows_column(net, cache_dir, tmp_path_factory,
                                                           tmp_path):
    path = tmp_path / "flows.csv"
    path.write_text(FLOWS.replace("avoids", "close"), encoding="utf-8")
    line = one_error_line(invoke(["assign", str(path)], cache_dir), 2)
    assert "unknown column(s) 'close'" in line and "the columns are id, origin" in line, line
    client = token_client(net, cache_dir, tmp_path_factory, "r8-assign", "r8")
    r = client.post("/api/assign", json={"csv": FLOWS},
                    headers={"Authorization": "Bearer r8"})
    assert r.status_code == 422 and "'avoids' (did you mean avoid?)" in r.json()["detail"], r.text


def test_a_pairs_file_column_the_sweep_does_not_read_is_refused(cache_dir, tmp_path):
    """A shipments file given as ``--pairs-file`` (``origin,destination,avoid`` with ``RU``) was
    swept through Russia: the pairs file's other columns were dropped unseen."""
    path = tmp_path / "pairs.csv"
    path.write_text("id,origin,destination,avoid\na,Lianyungang,Poti,RU\n", encoding="utf-8")
    line = one_error_line(invoke(["sweep", "--vary", "tariff:ferry_caspian:wait_factor=1,2",
                                  "--pairs-file", str(path), "--serial",
                                  "-o", str(tmp_path / "s.csv")], cache_dir), 2)
    assert "unknown column(s) 'avoid'" in line and "--avoid" in line, line
    assert not (tmp_path / "s.csv").exists()


# -- scenario YAML --------------------------------------------------------------------------------

SCEN = "name: r8\ntitle: Round 8\nestimate: a probe\n"


@pytest.mark.parametrize("mode,tariff", [("road", "road_ca"), ("ferry", "ferry_caspian")])
def test_a_gauge_on_a_leg_that_is_not_rail_is_refused(net, mode, tariff):
    """``gauge_mm: 1435`` on an added road leg was taken and dropped: the docs say rail only,
    and the plan was the same as without it."""
    from silkway.analysis.scenarios import parse_scenario

    text = SCEN + (f"add_legs:\n  - {{from: KZAAU, to: AZBAK, mode: {mode}, tariff: {tariff}, "
                   "gauge_mm: 1435, distance_km: 470, source: s}\n")
    with pytest.raises(InputError, match=rf"add_legs #1 gauge_mm: a {mode} leg has no gauge"):
        parse_scenario(text, net.tables)
    assert parse_scenario(text.replace("gauge_mm: 1435, ", ""), net.tables).add_legs


# -- an emission statement under a scenario -------------------------------------------------------

def test_an_emission_statement_says_its_scenario_month_and_period(cache_dir, tmp_path):
    """``emissions Shanghai Rotterdam --modes sea --scenario red-sea-closed`` stated 25,757 km
    round the Cape (against 19,608 km via Suez without it) and said nowhere, in the table, the
    JSON or the printable report, that a scenario had made it so, nor the data's period."""
    import json

    args = ["emissions", "Shanghai", "Rotterdam", "--modes", "sea",
            "--scenario", "red-sea-closed", "--month", "2"]
    report = tmp_path / "statement.html"
    r = invoke([*args, "--html", str(report)], cache_dir)
    assert r.exit_code == 0, r.output
    shown = " ".join(r.stdout.split())  # as the terminal's width wraps it
    assert "scenario red-sea-closed (Red Sea closed" in shown and "month 2" in shown, shown
    assert "data as of 2025-H2" in shown, shown
    d = json.loads(invoke([*args, "--json"], cache_dir).stdout)
    assert d["scenario"]["name"] == "red-sea-closed" and d["scenario"]["title"]
    assert d["month"] == 2 and d["as_of"] == "2025-H2"
    html = report.read_text(encoding="utf-8")
    assert "red-sea-closed" in html and "2025-H2" in html and "month 2" in html
    base = json.loads(invoke(["emissions", "Shanghai", "Rotterdam", "--modes", "sea", "--json"],
                             cache_dir).stdout)
    assert base["scenario"] is None and base["month"] is None and base["as_of"] == "2025-H2"


def test_a_scenario_title_in_a_statement_is_text_not_markup(cache_dir, tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("name: mine\ntitle: '[bold red]loud[/] title'\nestimate: e\n"
                    "close:\n  passages: [suez]\n", encoding="utf-8")
    r = invoke(["emissions", "Shanghai", "Rotterdam", "--modes", "sea", "--scenario", str(path)],
               cache_dir)
    assert r.exit_code == 0 and "[bold red]loud[/] title" in " ".join(r.stdout.split()), r.output


# -- a Dask scheduler that is not there ----------------------------------------------------------

def test_an_unreachable_scheduler_is_a_backend_failure(cache_dir, tmp_path, monkeypatch):
    """``--scheduler tcp://127.0.0.1:1`` (nothing listening) was exit 2, "the user's input",
    against the README's table: a Dask scheduler that fails is exit 5, as a database that
    cannot be reached is."""
    from silkway.analysis import distributed

    monkeypatch.setattr(distributed, "CONNECT_TIMEOUT_S", 1.0)
    src = tmp_path / "s.csv"
    src.write_text("origin,destination\nAktau,Baku\n", encoding="utf-8")
    line = one_error_line(invoke(["batch", str(src), "-o", str(tmp_path / "o.csv"),
                                  "--scheduler", "tcp://127.0.0.1:1"], cache_dir), 5)
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:1" in line, line
    line = one_error_line(invoke(["batch", str(src), "-o", str(tmp_path / "o.csv"),
                                  "--scheduler", "bogus://x:1"], cache_dir), 2)
    assert "unknown address scheme" in line, line


@pytest.mark.parametrize("address", ["", "  "])
def test_an_empty_scheduler_address_is_refused_as_such(cache_dir, tmp_path, address):
    """``--scheduler ""`` said "cannot connect to a local Dask cluster: missing port number in
    address ''": a local cluster was never asked for."""
    src = tmp_path / "s.csv"
    src.write_text("origin,destination\nAktau,Baku\n", encoding="utf-8")
    line = one_error_line(invoke(["batch", str(src), "-o", str(tmp_path / "o.csv"),
                                  "--scheduler", address], cache_dir), 2)
    assert "scheduler address is empty" in line and "local Dask cluster" not in line, line
