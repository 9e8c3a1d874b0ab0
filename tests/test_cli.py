"""The command line as a user runs it: tables, JSON, clear errors and exit codes."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from typer.testing import CliRunner

from silkway.cli import app

runner = CliRunner()


@pytest.fixture()
def cli(net, cache_dir):
    def run(*args: str):
        return runner.invoke(app, [*args, "--cache-dir", str(cache_dir)],
                             env={"COLUMNS": "200"})
    return run


def test_plan_table(cli):
    r = cli("plan", "Toyama", "Bishkek", "--avoid", "RU,BY")
    assert r.exit_code == 0, r.output
    assert "Toyama" in r.output and "Bishkek" in r.output and "days P50" in r.output
    assert "JP-CN" in r.output
    routes = r.output.split("Corridors (gap to route 1)")[0]  # the corridor section names them
    assert not re.search(r"\b(RU|BY)\b", routes)
    assert re.search(r"no [^:\n]*Northern", r.output) and "it needs RU, which is avoided" in r.output


def test_plan_json_is_the_contract(cli):
    r = cli("plan", "JPNGO", "TRIST", "--avoid", "RU,BY,IR", "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["origin"]["id"] == "JPNGO" and d["destination"]["id"] == "TRIST"
    assert d["routes"] and all(not {"RU", "BY", "IR"} & set(x["countries"]) for x in d["routes"])


def test_plan_geometry_flag(cli):
    r = cli("plan", "Kashgar", "Osh", "--modes", "road", "--json", "--geometry")
    leg = json.loads(r.stdout)["routes"][0]["legs"][0]
    assert len(leg["geometry"]) >= 2 and len(leg["geometry"][0]) == 2


@pytest.mark.parametrize(("args", "code", "text"), [
    (("plan", "Toyama", "Bishkeck"), 2, "did you mean Bishkek"),
    (("plan", "Atlantis", "Bishkek"), 2, "unknown place 'Atlantis'"),
    (("plan", "Toyama", "Bishkek", "--avoid", "Russia"), 2, "ISO 3166-1"),
    (("plan", "Toyama", "Bishkek", "--modes", "plane"), 2, "unknown mode"),
    (("plan", "Toyama", "Bishkek", "--modes", "sea"), 3, "no route from"),
    (("plan", "Toyama", "Toyama"), 2, "same hub"),
    (("hubs", "--kind", "ship"), 2, "unknown hub kind"),
])
def test_errors_are_one_line_with_exit_codes(cli, args, code, text):
    r = cli(*args)
    assert r.exit_code == code, r.output
    assert text in r.output
    assert "Traceback" not in r.output


def test_hubs_and_network_info(cli, cache_dir):
    r = cli("hubs", "--country", "KG", "--json")
    hubs = json.loads(r.stdout)
    assert {h["id"] for h in hubs} >= {"KGFRU", "KGOSS", "KG-TORUGART", "KG-IRKESHTAM"}
    assert all(h["country"] == "KG" for h in hubs)
    for columns in ("80", "200"):  # every id and name whole at a terminal's width too
        text = runner.invoke(app, ["hubs", "--country", "KG", "--cache-dir", str(cache_dir)],
                             env={"COLUMNS": columns}).stdout
        assert "…" not in text and max(map(len, text.splitlines())) <= int(columns)
        rows = [line.split("│") for line in text.splitlines() if line.startswith("│")]
        ids = {r[1].strip() for r in rows}
        assert {h["id"] for h in hubs} <= ids
        head = next(line for line in text.splitlines() if line.startswith("┃"))
        assert ("lat" in head) == (columns == "200")  # the coordinates when the console is wide
    r = cli("network", "info", "--json")
    info = json.loads(r.stdout)
    assert info["hubs"] >= 80 and info["legs"] > 300
    assert sum(v for k, v in info["legs_by_mode_and_source"].items() if k.startswith("ferry/")) >= 6
    # at 80 columns a long value folds onto the next line rather than being cut to "…"
    text = runner.invoke(app, ["network", "info", "--cache-dir", str(cache_dir)],
                         env={"COLUMNS": "80"}).stdout
    assert "…" not in text and max(map(len, text.splitlines())) <= 80
    values = "".join(line.split("│")[2].strip() for line in text.splitlines()
                     if line.startswith("│") and line.count("│") == 3)
    assert info["cache"] in values


def test_compare_at_80_columns_cuts_no_name(cache_dir):
    # the corridor table of a scenario comparison: the CKU railway's name and its "before"
    # reason fold onto more lines, never cut to "China-Kyrgyzstan-Uzbekis…"
    text = runner.invoke(app, ["compare", "Kashgar", "Andijan", "--modes", "rail", "--scenario",
                               "cku-railway", "--cache-dir", str(cache_dir)],
                         env={"COLUMNS": "80"}).stdout
    assert "…" not in text and max(map(len, text.splitlines())) <= 80
    first = [line.split("│")[1].strip() for line in text.splitlines()
             if line.startswith("│") and line.count("│") == 7]
    assert "China-Kyrgyzstan-Uzbekistan railway" in "".join(first[:3])


def test_batch_command_writes_one_row_per_input_row(cli, tmp_path):
    src = tmp_path / "shipments.csv"
    src.write_text("id,origin,destination,cargo,count,avoid,departure_date\n"
                   "a,Toyama,Bishkek,FEU,3,\"RU,BY\",2026-01-15\n"
                   "b,Bishkeck,Tokyo,FEU,1,,\n"
                   "c,Busan,Tashkent,TEU,2,,2026-13-01\n"
                   "d,Shanghai,Rotterdam,FEU,1,,\n")
    for extra in (["--serial"], []):
        out = tmp_path / f"plans{len(extra)}.csv"
        r = cli("batch", str(src), "-o", str(out), *extra)
        assert r.exit_code == 0, r.output
        rows = list(csv.DictReader(out.open()))
        assert [row["id"] for row in rows] == ["a", "b", "c", "d"]
        assert [row["status"] for row in rows] == ["ok", "error", "error", "ok"]
        assert "did you mean Bishkek" in rows[1]["error"] and "row 2" in rows[1]["error"]
        assert "row 3" in rows[2]["error"]
        assert float(rows[0]["cost_usd_total"]) == pytest.approx(3 * float(rows[0]["cost_usd"]))
        assert "RU" not in rows[0]["countries"]
    bad = tmp_path / "bad.csv"
    bad.write_text("from;to\nToyama;Bishkek\n")
    r = cli("batch", str(bad), "-o", str(tmp_path / "x.csv"), "--serial")
    assert r.exit_code == 2 and "origin" in r.output


def test_version_and_completion():
    import silkway

    r = runner.invoke(app, ["--version"])
    assert r.exit_code == 0 and r.output.strip() == f"silkway {silkway.__version__}"
    r = runner.invoke(app, ["--help"], env={"COLUMNS": "120"})
    assert "--install-completion" in r.output and "--version" in r.output


def test_plan_geojson_bounds_are_lonlat_japan_to_kyrgyzstan(cli):
    r = cli("plan", "Toyama", "Bishkek", "--avoid", "RU,BY", "--format", "geojson")
    assert r.exit_code == 0, r.output
    fc = json.loads(r.stdout)
    coords = [p for f in fc["features"] for p in f["geometry"]["coordinates"]]
    lons, lats = [p[0] for p in coords], [p[1] for p in coords]
    # Bishkek 74.6 E 42.9 N ... Toyama 137.2 E 36.8 N; lat/lon swapped would put lon < 50
    assert 69 < min(lons) < 76 and 136 < max(lons) < 142
    assert 30 < min(lats) < 40 and 40 < max(lats) < 48
    assert fc["bbox"] == [min(lons), min(lats), max(lons), max(lats)]


def test_plan_csv_one_row_per_leg(cli):
    r = cli("plan", "Kashgar", "Osh", "--modes", "road", "--format", "csv")
    assert r.exit_code == 0, r.output
    rows = [row for row in csv.DictReader(r.stdout.splitlines()) if row["route"]]
    assert rows and {row["mode"] for row in rows} == {"road"}
    assert (rows[0]["route"], rows[0]["leg"]) == ("1", "1")
    r = cli("plan", "Kashgar", "Osh", "--format", "kml")
    assert r.exit_code == 2 and "unknown format 'kml'" in r.output


def _plain(console):
    return console.export_text()


@pytest.mark.parametrize(("o", "d", "avoid"), [("Toyama", "Bishkek", "RU,BY"),
                                               ("Nagoya", "Duisburg", "RU,BY"),
                                               ("Xian", "Duisburg", "RU,BY")])
def test_route_table_fits_80_columns_without_cutting_figures(net, o, d, avoid):
    from rich.console import Console

    import silkway
    from silkway.cli import _legs_lines, _route_table

    result = silkway.plan(net, o, d, avoid=avoid, deadline_days=30)
    console = Console(width=80, record=True, file=io.StringIO())
    table, dropped = _route_table(result, console)
    console.print(table)
    for line in _legs_lines(result, net, dropped=dropped):
        console.print(line)
    text = _plain(console)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "…" not in text
    flat = " ".join(text.split())
    for r in result.routes:
        t = r.transit_days
        for figure in (f"{t.p50:.1f}", f"{t.p90:.1f}", f"{r.cost_usd:,.0f}",
                       f"{r.co2e_wtw_kg / 1000:.2f}"):
            assert figure in text
        assert "-".join(r.countries) in flat  # in the table or on the route's line


def test_dask_logs_are_quietened():
    import logging

    from silkway.cli import _quiet_dask

    _quiet_dask()
    assert logging.getLogger("distributed.scheduler").getEffectiveLevel() >= logging.WARNING
    assert logging.getLogger("distributed").getEffectiveLevel() >= logging.WARNING
