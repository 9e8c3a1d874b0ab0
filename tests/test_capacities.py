"""The capacities table, its validation, scenario capacity changes and flow-file validation."""

from __future__ import annotations

from importlib import resources

import pytest

from silkway.analysis import scenarios
from silkway.analysis.flows import read_flows, read_flows_text
from silkway.data.capacities import load_capacities, parse_capacities
from silkway.errors import DataError, InputError

HEADER = ("id,name,kind,legs,hubs,capacity,unit,teu_per_unit,period,as_of,service_days,source,"
          "estimate\n")


def _shipped() -> str:
    return resources.files("silkway.data").joinpath("capacities.csv").read_text(encoding="utf-8")


def test_shipped_capacities_cover_the_issue_elements_with_provenance(net):
    elements = {e.id: e for e in load_capacities(net.tables)}
    for wanted in ("caspian-kz-az", "caspian-tm-az", "port-aktau", "port-alat", "port-poti",
                   "port-batumi", "port-turkmenbashi", "blacksea-ferries-ge-eu", "border-dostyk",
                   "border-altynkol", "border-brest", "border-akhalkalaki", "border-sarakhs",
                   "border-torugart", "border-irkeshtam", "btk-single-track"):
        assert wanted in elements
    for e in elements.values():
        assert e.provenance.source or e.provenance.estimate
        assert e.teu_per_year > 0 and e.as_of[:4].isdigit()
        if e.unit != "TEU":  # a converted figure must say how it was converted
            assert e.provenance.estimate
    # 50 trains a day at 108 TEU: the conversion is the published figure times TEU per unit
    brest = elements["border-brest"]
    assert brest.teu_per_year == pytest.approx(50 * 108 * 365)
    assert brest.teu_per("week") == pytest.approx(50 * 108 * 365 / 52)


@pytest.mark.parametrize(("row", "message"), [
    ("x,X,link,KZAAU/XXBAK/ferry,,10,TEU,1,year,2024,1,src,", "leg 'KZAAU/XXBAK/ferry' is not in"),
    ("x,X,link,KZAAU-AZBAK-ferry,,10,TEU,1,year,2024,1,src,", "is not FROM/TO/mode"),
    ("x,X,terminal,,NOPE,10,TEU,1,year,2024,1,src,", "hub(s) NOPE not in hubs.csv"),
    ("x,X,terminal,,KZAAU,10,TEU,2,year,2024,1,src,", "needs teu_per_unit 1"),
    ("x,X,terminal,,KZAAU,10,boxes,1,year,2024,1,src,", "unit 'boxes'"),
    ("x,X,terminal,,KZAAU,10,TEU,1,fortnight,2024,1,src,", "period 'fortnight'"),
    ("x,X,terminal,,KZAAU,10,TEU,1,year,last year,1,src,", "as_of 'last year'"),
    ("x,X,terminal,,,10,TEU,1,year,2024,1,src,", "constrains nothing"),
    ("x,X,terminal,,KZAAU,-5,TEU,1,year,2024,1,src,", "capacity"),
    ("x,X,terminal,,KZAAU,10,TEU,1,year,2024,1,,", "neither a source nor an estimate"),
    ("x,X,port,,KZAAU,10,TEU,1,year,2024,1,src,", "kind 'port'"),
])
def test_bad_capacity_rows_are_named(net, row, message):
    with pytest.raises(DataError) as info:
        parse_capacities(HEADER + row + "\n", net.tables)
    assert message in str(info.value) and "capacities.csv line 2" in str(info.value)


def test_duplicate_capacity_ids_are_refused(net):
    text = _shipped()
    first = text.splitlines()[1]
    with pytest.raises(DataError, match="duplicate key"):
        parse_capacities(text + first + "\n", net.tables)


def test_scenarios_change_capacities(net):
    base = load_capacities(net.tables)
    by = {e.id: e for e in base}
    doubled = scenarios.load_scenario("aktau-ferry-doubled", net.tables)
    after = {e.id: e for e in scenarios.scenario_capacities(doubled, base)}
    assert after["caspian-kz-az"].teu_per_year == pytest.approx(2 * by["caspian-kz-az"].teu_per_year)
    assert after["port-alat"].teu_per_year == pytest.approx(500_000)
    assert after["border-dostyk"] == by["border-dostyk"]
    cku = scenarios.load_scenario("cku-railway", net.tables)
    added = {e.id: e for e in scenarios.scenario_capacities(cku, base)}["cku-railway"]
    assert ("CN-KASHGAR", "KGJLD", "rail") in added.legs  # a leg only the scenario adds
    assert added.teu_per_year == pytest.approx(10e6 * 0.0833)


@pytest.mark.parametrize(("section", "message"), [
    ("- {element: nope, factor: 2, estimate: e}", "unknown capacity element 'nope'"),
    ("- {element: port-alat, factor: 2}", "neither a source nor an estimate"),
    ("- {element: port-alat, factor: 2, capacity: 5, estimate: e}", "exactly one of"),
    ("- {element: port-alat, factor: -1, estimate: e}", "0 or more"),
    ("- {element: port-alat, closed: yes please, estimate: e}", "closed must be true"),
    ("- {add: {id: port-alat, name: n, kind: terminal, hubs: [AZBAK], capacity: 1, unit: TEU, "
     "teu_per_unit: 1, period: year, as_of: '2024', service_days: 1}, estimate: e}",
     "already exists"),
    ("- {add: {id: z, name: n, kind: line, legs: [A/B/rail], capacity: 1, unit: TEU, "
     "teu_per_unit: 1, period: year, as_of: '2024', service_days: 1}, estimate: e}",
     "leg 'A/B/rail' is not in legs.csv"),
    ("{element: port-alat}", "capacities should be a list"),
])
def test_bad_scenario_capacities_are_named(net, section, message):
    text = f"name: t\ntitle: T\nestimate: test\ncapacities:\n  {section}\n"
    with pytest.raises(InputError) as info:
        scenarios.parse_scenario(text, net.tables, label="t.yaml")
    assert message in str(info.value) and str(info.value).startswith("t.yaml")


def test_flow_rows_are_validated_one_error_per_bad_row():
    text = ("origin,destination,teu,avoid,month,value_of_time_usd_per_teu_day,cargo\n"
            "Xi'an,Baku,100,,,,\n"
            "Xi'an,Baku,-3,,,,\n"
            ",Baku,10,,,,\n"
            "Xi'an,Baku,10,RUS,,,\n"
            "Xi'an,Baku,10,,13,,\n"
            "Xi'an,Baku,10,,,-1,\n"
            "Xi'an,Baku,10,,,,BOX\n"
            "Xi'an,Baku,,,,,\n"
            "# a comment line is not a row\n"
            "Xi'an,Baku,5,RU,2,50,TEU\n")
    flows, errors = read_flows_text(text)
    assert [f.row for f in flows] == [1, 10]  # rows count lines after the header
    assert flows[1].month == 2 and flows[1].value_of_time_usd_per_teu_day == 50
    assert flows[1].constraints.avoid == {"RU"}
    msgs = {e.row: e.message for e in errors}
    assert sorted(msgs) == [2, 3, 4, 5, 6, 7, 8]
    assert "teu '-3' is not a positive number" in msgs[2]
    assert "origin is empty" in msgs[3]
    assert "RUS" in msgs[4]
    assert "month 13 is not 1-12" in msgs[5]
    assert "negative" in msgs[6]
    assert "BOX" in msgs[7]
    assert "teu is empty" in msgs[8]
    assert all(m.startswith(f"row {r}:") for r, m in msgs.items())


def test_flow_files_without_required_columns_are_refused(tmp_path):
    with pytest.raises(InputError, match="no teu column"):
        read_flows_text("origin,destination\nA,B\n", name="f.csv")
    with pytest.raises(InputError, match="empty"):
        read_flows_text("\n\n", name="f.csv")
    with pytest.raises(InputError, match=r"flows file .*missing.csv does not exist"):
        read_flows(tmp_path / "missing.csv")
    bad = tmp_path / "latin1.csv"
    bad.write_bytes("origin,destination,teu\nM\xfcnchen,Baku,1\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        read_flows(bad)


def test_shipped_example_flows_read_cleanly():
    path = resources.files("silkway.data").joinpath("examples/flows_2025.csv")
    flows, errors = read_flows(str(path))
    assert not errors and len(flows) >= 40
    assert all(f.teu > 0 for f in flows)
