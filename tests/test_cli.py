"""The command line as a user runs it: tables, JSON, clear errors and exit codes."""

from __future__ import annotations

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
    assert not re.search(r"\b(RU|BY)\b", r.output)


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


def test_hubs_and_network_info(cli):
    r = cli("hubs", "--country", "KG", "--json")
    hubs = json.loads(r.stdout)
    assert {h["id"] for h in hubs} >= {"KGFRU", "KGOSS", "KG-TORUGART", "KG-IRKESHTAM"}
    assert all(h["country"] == "KG" for h in hubs)
    r = cli("network", "info", "--json")
    info = json.loads(r.stdout)
    assert info["hubs"] >= 80 and info["legs"] > 300
    assert sum(v for k, v in info["legs_by_mode_and_source"].items() if k.startswith("ferry/")) >= 6
