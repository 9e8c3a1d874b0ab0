"""``silkway assign`` as a user runs it: JSON contract, files, chart, comparison and errors."""

from __future__ import annotations

import json
from importlib import resources

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from silkway.cli import app

runner = CliRunner()
EXAMPLE = str(resources.files("silkway.data").joinpath("examples/flows_2025.csv"))
SMALL = ("id,origin,destination,teu,avoid\n"
         "a,Xi'an,Baku,120000,RU,BY\n"
         "b,Almaty,Istanbul,20000,RU,BY\n"
         "c,Atlantis,Baku,5,\n"
         "d,Xi'an,Baku,-1,\n")


@pytest.fixture()
def cli(net, cache_dir):
    def run(*args: str):
        return runner.invoke(app, [*args, "--cache-dir", str(cache_dir)], env={"COLUMNS": "200"})
    return run


@pytest.fixture()
def small(tmp_path):
    p = tmp_path / "flows.csv"
    p.write_text(SMALL.replace("RU,BY", '"RU,BY"'), encoding="utf-8")
    return p


def test_assign_json_has_the_issue_fields(cli, small):
    r = cli("assign", str(small), "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert {"elements", "flows", "unserved_teu", "objective", "method"} <= set(d)
    for e in d["elements"]:
        assert {"id", "name", "capacity_teu", "assigned_teu", "utilisation", "queue_days",
                "shadow_price_usd_per_teu"} <= set(e)
        assert e["assigned_teu"] <= e["capacity_teu"] + 1e-6
    f = next(x for x in d["flows"] if x["destination"] == "AZBAK")
    assert f["teu"] == 120000
    assert {"label", "corridor", "teu", "days_p50", "cost_usd"} <= set(f["routes"][0])
    assert sum(x["teu"] for x in f["routes"]) + f["unserved_teu"] == pytest.approx(120000, abs=1)
    # 120,000 TEU to Baku avoiding Russia cannot all cross the Caspian: some go another way
    assert len({x["corridor"] for x in f["routes"]}) > 1 or f["unserved_teu"] > 0
    assert [m.split(":")[0] for m in d["errors"]] == ["row 3", "row 4"]


def test_assign_writes_tables_and_chart(cli, small, tmp_path):
    out, png = tmp_path / "a.parquet", tmp_path / "a.png"
    r = cli("assign", str(small), "-o", str(out), "--chart", str(png))
    assert r.exit_code == 0, r.output
    routes = pq.read_table(out).to_pylist()
    assert {x["record"] for x in routes} >= {"route", "error"}
    assert sum(x["teu"] for x in routes if x["record"] in ("route", "unserved")
               ) == pytest.approx(140000, abs=1)
    elements = pq.read_table(tmp_path / "a.elements.parquet").to_pylist()
    assert any(e["id"] == "caspian-kz-az" for e in elements)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "row 3" in r.output and "caspian" in r.output


def test_assign_compare_on_the_example(cli):
    r = cli("assign", EXAMPLE, "--scenario", "aktau-ferry-doubled", "--compare", "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    share = d["corridor_share"]["Middle Corridor"]
    assert share["scenario"] > share["baseline"]
    assert d["system"]["delta"]["days_mean"] < 0
    assert d["baseline"]["method"].startswith("system optimum")


def test_assign_tables_fit_a_terminal(net, cache_dir, small):
    """At 80 columns no element id, figure or corridor name is cut."""
    r = runner.invoke(app, ["assign", str(small), "--cache-dir", str(cache_dir)],
                      env={"COLUMNS": "80"})
    assert r.exit_code == 0, r.output
    assert "…" not in r.stdout and max(map(len, r.stdout.splitlines())) <= 80
    d = json.loads(runner.invoke(app, ["assign", str(small), "--json", "--cache-dir",
                                       str(cache_dir)]).stdout)
    cells = {c.strip() for line in r.stdout.splitlines() for c in line.split("│")}
    for e in d["elements"]:
        if e["assigned_teu"] > 0:
            assert e["id"] in cells and f"{e['capacity_teu']:,.0f}" in cells, e["id"]


def test_assign_equilibrium_reports_its_gap(cli, small):
    r = cli("assign", str(small), "--equilibrium", "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["gap"] <= 1e-4 and "equilibrium" in d["method"]
    assert all(e["shadow_price_usd_per_teu"] is None for e in d["elements"])


@pytest.mark.parametrize(("args", "message"), [
    (["--compare"], "--compare needs a --scenario"),
    (["--objective", "speed"], "unknown objective"),
    (["--period", "fortnight"], "unknown period"),
    (["--scenario", "nope"], "unknown scenario"),
])
def test_assign_bad_options_exit_2(cli, small, args, message):
    r = cli("assign", str(small), *args)
    assert r.exit_code == 2 and message in r.output and "Traceback" not in r.output


@pytest.mark.parametrize(("rows", "message"), [
    ("a,Xi'an,Duisburg,\n", "no flow can be assigned: row 1: teu is empty"),
    ("a,Xi'an,Nowhere,100\nb,Xi'an,,5\n", "no flow can be assigned: row 1: unknown place"),
    ("a,Osh,Osh,100\n", "no flow can be assigned: row 1: origin and destination are the same"),
])
def test_a_file_with_no_assignable_flow_exits_2(cli, tmp_path, rows, message):
    """Every row in error (or without a route): one sentence naming the first rows' problems,
    never the solver's complaint about an empty programme."""
    p = tmp_path / "f.csv"
    p.write_text("id,origin,destination,teu\n" + rows, encoding="utf-8")
    r = cli("assign", str(p))
    assert r.exit_code == 2 and message in " ".join(r.output.split()), r.output
    assert "internal error" not in r.output and "Traceback" not in r.output


def test_assign_bad_file_exits_2(cli, tmp_path):
    p = tmp_path / "f.csv"
    p.write_text("origin;destination;teu\nA;B;1\n", encoding="utf-8")
    r = cli("assign", str(p))
    assert r.exit_code == 2 and "';'-separated" in r.output
