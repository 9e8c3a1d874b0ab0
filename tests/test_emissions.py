"""ISO 14083 statements checked against hand computations from the shipped factor tables."""

from __future__ import annotations

import csv
import json
import re
from importlib import resources

import pytest
from typer.testing import CliRunner

import silkway
from silkway.cli import app


def table(name: str) -> dict[str, dict[str, str]]:
    """A shipped table read with the csv module alone (not silkway's loader)."""
    text = resources.files("silkway.data").joinpath(name).read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    return {r[next(iter(r))]: r for r in rows}


FACTORS = table("emission_factors.csv")
HUB_FACTORS = table("hub_emission_factors.csv")
TARIFFS = table("tariffs.csv")


@pytest.fixture(scope="module")
def middle(net):
    """Lianyungang to Poti avoiding RU and IR: the Middle Corridor with its Caspian ferry."""
    result = silkway.plan(net, "Lianyungang", "Poti", avoid="RU,IR", objective="co2e",
                          max_routes=50, thin=0)
    st = next(silkway.statement(result, i) for i, r in enumerate(result.routes)
              if any(rl.directed.leg.mode is silkway.Mode.FERRY for rl in r.legs))
    return result, st


def test_transport_elements_match_hand_computation(middle):
    result, st = middle
    payload = result.payload_t
    checked = 0
    for el in st.to_dict()["elements"]:
        if el["type"] != "transport":
            continue
        leg = next(rl.directed.leg for rl in st.route.legs
                   if {rl.directed.src, rl.directed.dst} == {el["from"], el["to"]}
                   and rl.directed.leg.mode.value == el["mode"])
        key = TARIFFS[leg.tariff.tariff]["emission_factor"]
        wtw = float(FACTORS[key]["wtw_g_per_tkm"])
        ttw = float(FACTORS[key]["ttw_g_per_tkm"])
        assert el["co2e_kg_wtw"] == pytest.approx(leg.distance_km * payload * wtw / 1000, abs=1e-3)
        assert el["co2e_kg_ttw"] == pytest.approx(leg.distance_km * payload * ttw / 1000, abs=1e-3)
        assert el["tkm"] == pytest.approx(leg.distance_km * payload, abs=0.1)
        checked += 1
    assert checked >= 3


def test_caspian_ferry_uses_the_glec_ropax_default(middle):
    _, st = middle
    ferries = [e for e in st.to_dict()["elements"] if e.get("mode") == "ferry"]
    assert ferries
    for e in ferries:
        assert (e["intensity_wtw"], e["intensity_ttw"]) in {(98.0, 83.5), (129.7, 110.6)}


def test_hub_elements_match_hand_computation(middle):
    _result, st = middle
    hubs = [e for e in st.to_dict()["elements"] if e["type"] == "hub"]
    assert next(h["operation"] for h in hubs) == "origin"
    assert [h["operation"] for h in hubs][-1] == "destination"
    assert any(h["operation"] == "transshipment" for h in hubs)
    for h in hubs:
        hub = next(x.hub for x in st.route.handling if x.hub.id == h["hub"])
        row = HUB_FACTORS[hub.profile.profile]
        assert h["teu_handled"] == 2  # one FEU
        assert h["co2e_kg_wtw"] == pytest.approx(2 * float(row["kg_co2e_wtw_per_teu"]), abs=1e-3)
        assert h["co2e_kg_ttw"] == pytest.approx(2 * float(row["kg_co2e_ttw_per_teu"]), abs=1e-3)


def test_totals_are_the_sum_of_elements_and_match_the_plan(middle):
    _, st = middle
    d = st.to_dict()
    assert d["totals"]["co2e_kg_wtw"] == pytest.approx(
        sum(e["co2e_kg_wtw"] for e in d["elements"]), abs=0.05)
    assert d["totals"]["co2e_kg_ttw"] == pytest.approx(
        sum(e["co2e_kg_ttw"] for e in d["elements"]), abs=0.05)
    assert st.wtw_kg == pytest.approx(st.route.co2e_wtw_kg)
    assert d["totals"]["co2e_kg_wtt"] == pytest.approx(
        d["totals"]["co2e_kg_wtw"] - d["totals"]["co2e_kg_ttw"], abs=0.02)
    for e in d["elements"]:
        assert e["co2e_kg_wtw"] >= e["co2e_kg_ttw"] >= 0
        assert e["source"] or e["estimate"]
        assert e["data_type"] in {"default", "modelled", "primary"}
        if e["type"] == "transport":
            assert e["distance_basis"]


def test_teu_allocation_counts_slots_not_tonnes(net):
    ref_teu_t = float(table("cargo.csv")["TEU"]["payload_t_default"])
    for allocation, tonnes in (("mass", 5.0), ("teu", 2 * ref_teu_t)):
        result = silkway.plan(net, "Busan", "Tashkent", payload_t=5, allocation=allocation)
        d = silkway.statement(result).to_dict()
        for el in d["elements"]:
            if el["type"] == "transport":
                # both figures are rounded to 0.1 in the statement
                assert el["tkm"] == pytest.approx(el["distance_km"] * tonnes, abs=0.05 * tonnes + 0.1)
        assert d["method"]["allocation"].startswith(f"by {'mass' if allocation == 'mass' else 'TEU'}")


def test_co2e_objective_orders_by_emissions(net):
    r = silkway.plan(net, "Xi'an", "Duisburg", objective="co2e")
    values = [x.co2e_wtw_kg for x in r.routes]
    assert values == sorted(values)
    assert r.to_dict()["objective"] == "co2e"
    with pytest.raises(silkway.ConstraintError, match="unknown objective"):
        silkway.plan(net, "Xi'an", "Duisburg", objective="speed")


def test_reefer_never_lowers_emissions(net):
    dry = silkway.plan(net, "Shanghai", "Rotterdam", modes="sea").routes[0]
    cold = silkway.plan(net, "Shanghai", "Rotterdam", modes="sea", reefer=True).routes[0]
    assert cold.co2e_wtw_kg >= dry.co2e_wtw_kg
    has_variant = any(k.endswith("_reefer") and k.startswith("container_ship") for k in FACTORS)
    assert (cold.co2e_wtw_kg > dry.co2e_wtw_kg) == has_variant


def test_emissions_cli_table_json_and_html(net, cache_dir, tmp_path):
    runner = CliRunner()
    base = ["emissions", "Nagoya", "Istanbul", "--avoid", "RU,BY,IR", "--cache-dir",
            str(cache_dir)]
    r = runner.invoke(app, base, env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert "ISO 14083" in r.output and "total" in r.output
    r = runner.invoke(app, [*base, "--json"])
    d = json.loads(r.stdout)
    assert d["standard"].startswith("ISO 14083") and d["elements"]
    narrow = runner.invoke(app, base, env={"COLUMNS": "80"})  # a terminal's width: nothing cut
    assert narrow.exit_code == 0 and "…" not in narrow.stdout, narrow.stdout
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 80
    rows = [line.split("│") for line in narrow.stdout.splitlines() if line.startswith("│")]
    first = " ".join(" ".join(r[1] for r in rows).split())  # the element column, read down
    wtw = {r[4].strip() for r in rows}
    for el in d["elements"]:
        assert f"{el['element']}. {el['label']}" in first, el["label"]
        assert f"{el['co2e_kg_wtw']:,.1f}" in wtw
    cited = set(re.findall(r"│ \[(\d+)\] │", narrow.stdout))  # the table's source cells
    notes = set(re.findall(r"^\[(\d+)\] ", narrow.stdout, flags=re.M))  # the notes under it
    assert cited and cited == notes
    report = tmp_path / "statement.html"
    r = runner.invoke(app, [*base, "--html", str(report)])
    assert r.exit_code == 0, r.output
    page = report.read_text()
    assert "GHG emission statement" in page and "http://" not in page.split("<body>")[0]
    assert f"{d['totals']['co2e_kg_wtw']:,.1f}" in page
    r = runner.invoke(app, [*base, "--route", "99"])
    assert r.exit_code == 2 and "does not exist" in r.output
