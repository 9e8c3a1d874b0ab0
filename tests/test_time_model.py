"""The time model: handling by what happens at a hub, liner services with transshipment, dated
answers, and the CKU line at its design speed."""

from __future__ import annotations

import pytest

import silkway
from silkway.data.tables import parse_tables, read_texts
from silkway.errors import DataError


def fastest(net, o, d, **kw) -> silkway.Route:
    return min(silkway.plan(net, o, d, thin=0, max_routes=100, **kw).routes,
               key=lambda r: r.expected_days)


def test_a_box_ending_at_a_ferry_port_by_rail_does_not_pay_the_ferry_boarding(net):
    r = fastest(net, "Almaty", "Aktau", modes="rail")
    end = r.handling[-1]
    assert end.hub.id == "KZAAU" and end.operation == "land_end"
    boarding = end.hub.profile.handling("ferry_board")[0]
    assert end.days.mean < boarding.mean
    r = fastest(net, "Moscow", "Vladivostok", modes="rail")
    assert r.handling[-1].operation == "land_end"
    assert r.handling[-1].days.p50 < r.handling[-1].hub.profile.handling("mode_change")[0].p50


def test_handling_days_in_the_route_match_its_operations(net):
    r = fastest(net, "Xi'an", "Poti", avoid="RU,IR", modes="rail,ferry")
    ops = [h.operation for h in r.handling]
    assert ops[0] == "land_start" and "gauge_change" in ops
    assert "ferry_board" in ops and "ferry_alight" in ops
    assert r.to_dict()["handling"][1]["hub_operation"] in ops


def test_japan_to_turkiye_by_sea_transships_at_a_hub_port(net):
    ids = {(leg.src, leg.dst) for leg in net.legs}
    assert ("JPYOK", "TRIST") not in ids and ("JPYOK", "KRPUS") in ids
    r = fastest(net, "Yokohama", "Istanbul", modes="sea")
    lifts = [h for h in r.handling if h.reason == "transshipment"]
    assert lifts and all(h.operation == "sea_transship" for h in lifts)
    assert r.transshipments >= 1
    r = fastest(net, "Lianyungang", "Istanbul", modes="sea")
    assert any(h.operation == "sea_transship" for h in r.handling)


def test_poti_to_istanbul_sails_across_the_black_sea_without_a_transshipment(net):
    # Maersk's Nagoya - Istanbul trial of 2025 went by rail to Poti, then by sea to Ambarli;
    # the box does not change ship at Piraeus
    r = fastest(net, "Poti", "Istanbul", modes="sea")
    assert [(rl.directed.src, rl.directed.dst) for rl in r.legs] == [("GEPTI", "TRIST")]
    assert r.transshipments == 0
    assert not any(h.operation == "sea_transship" for h in r.handling)


def test_sea_services_rows_must_name_a_sailed_chain():
    texts = read_texts()
    texts["sea_services.csv"] = texts["sea_services.csv"].replace("JPYOK,TRIST,KRPUS",
                                                                  "JPYOK,TRIST,CNLYG", 1)
    with pytest.raises(DataError, match="needs a sailed sea leg CNLYG-TRIST"):
        parse_tables(texts)


def test_handling_rows_are_checked():
    texts = read_texts()
    texts["handling.csv"] = texts["handling.csv"].replace(",land_start,", ",unload,", 1)
    with pytest.raises(DataError, match=r"handling.csv line 2 .*operation 'unload'"):
        parse_tables(texts)


def test_the_cku_line_runs_at_its_design_speed_and_saves_days(net):
    before = fastest(net, "Kashgar", "Andijan", modes="rail")
    after = fastest(net, "Kashgar", "Andijan", modes="rail", scenario="cku-railway")
    new = [rl for rl in after.legs if rl.directed.leg.status == "scenario"]
    assert new and new[0].directed.leg.tariff.speed_kmh == 120
    assert 450 <= after.distance_km <= 560
    assert before.transit_days.p50 - after.transit_days.p50 >= 3.0
def test_every_plan_is_dated_and_the_2022_era_reproduces_its_range(net):
    res = silkway.plan(net, "Khorgos", "Poti", avoid="RU,IR")
    assert res.to_dict()["as_of"] == net.as_of == "2025-H2"
    era = silkway.plan(net, "Khorgos", "Poti", avoid="RU,IR", modes="rail,ferry",
                       scenario="era-2022", thin=0, max_routes=100)
    assert era.to_dict()["as_of"] == "2022"
    p50 = min(era.routes, key=lambda r: r.expected_days).transit_days.p50
    assert 38 <= p50 <= 53  # newscentralasia 2023: 38-53 d in 2022 (reference row C2)


