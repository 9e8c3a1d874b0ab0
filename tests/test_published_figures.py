"""The published figures in ../shared/reference/published_figures.csv, reproduced.

Each reference row maps to the query that gives the same metric on silkway's network; the test
asserts the value lies within the published [low, high] range.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

import silkway
from silkway.analysis.reliability import simulate_days, summarise

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "published_figures.csv"


def _rows() -> dict[str, dict[str, str]]:
    if not REFERENCE.is_file():
        return {}
    with REFERENCE.open(encoding="utf-8") as fh:
        return {r["id"]: r for r in csv.DictReader(fh)}


ROWS = _rows()


def best(result: silkway.PlanResult, key: Callable[[silkway.Route], float]) -> silkway.Route:
    return min(result.routes, key=key)


def fastest(net, o, d, **kw) -> silkway.Route:
    return best(silkway.plan(net, o, d, thin=0, max_routes=100, **kw), lambda r: r.expected_days)


def leg_between(net, a: str, b: str, mode: str) -> silkway.Leg:
    ia, ib = net.find(a).id, net.find(b).id
    legs = [leg for leg in net.legs if {leg.src, leg.dst} == {ia, ib} and leg.mode.value == mode]
    assert legs, f"no {mode} leg {a}-{b}"
    return min(legs, key=lambda leg: leg.distance_km)


def rail_km(route: silkway.Route) -> float:
    return sum(rl.directed.leg.distance_km for rl in route.legs
               if rl.directed.leg.mode is silkway.Mode.RAIL)


def _segment(route: silkway.Route, start: str, end: str):
    ids = [route.legs[0].directed.src] + [rl.directed.dst for rl in route.legs]
    i, j = ids.index(start), ids.index(end)
    return route.legs[i:j]


def d7_cost(net) -> float:
    """Broad-gauge leg Dostyk-Brest of the northern route: rail cost incl. border fees."""
    r = fastest(net, "Dostyk", "Brest", modes="rail")
    return sum(rl.figures.cost_usd for rl in r.legs)


def d7_days(net) -> float:
    r = fastest(net, "Dostyk", "Brest", modes="rail")
    return r.transit_days.p50


def moving_and_border_days(route: silkway.Route) -> float:
    """Expected days on the legs themselves (train running time and border dwell), without the
    loading/unloading at the ends: what an operator's station-to-station transit time measures."""
    return sum(rl.figures.mean_days for rl in route.legs)


def crossing_days(net, border: str, transfer_hub: str | None) -> float:
    """Median days at a rail border crossing: border dwell plus the gauge-change lift, if any."""
    parts = [net.tables.borders[border].dwell_days]
    if transfer_hub:
        parts.append(net.hub(transfer_hub).profile.handling_days)
    return summarise(simulate_days(0.0, parts, draws=20_000)).p50


# CAREC rail border crossings silkway models (members: CN, KZ, KG, UZ, TM, AF, AZ, GE), with the
# hub where a break of gauge makes the box change wagons.
CAREC_RAIL = {"cn_kz_dostyk": "KZ-DOSTYK", "cn_kz_altynkol": "KZ-ALTYNKOL", "kz_uz_rail": None,
              "kz_kg_rail": None, "uz_kg_rail": None, "kz_tm_rail": None, "uz_af_rail": None,
              "az_ge_rail": None}


def c23_hours(net) -> float:
    """Average hours at the CAREC rail crossings: mean dwell plus mean lift where gauge changes."""
    hours = []
    for border, hub in CAREC_RAIL.items():
        days = net.tables.borders[border].dwell_days.mean
        if hub:
            days += net.hub(hub).profile.handling_days.mean
        hours.append(24 * days)
    return sum(hours) / len(hours)


def c11_days(net) -> float:
    """Sailing time of the Aktau - Port of Baku (Alat) ferry, without the wait for departure."""
    leg = leg_between(net, "Aktau", "Alat", "ferry")
    return leg.distance_km / (leg.tariff.speed_kmh * 24)


METRICS: dict[str, Callable[[silkway.Network], float]] = {
    "E1": lambda n: fastest(n, "Shanghai", "Rotterdam", modes="sea").distance_km,
    "E1t": lambda n: fastest(n, "Shanghai", "Rotterdam", modes="sea").transit_days.p50,
    "E2": lambda n: fastest(n, "Shanghai", "Rotterdam", modes="sea", close="suez").distance_km,
    "D1": lambda n: fastest(n, "Chongqing", "Duisburg", modes="rail").distance_km,
    "D1t": lambda n: fastest(n, "Chongqing", "Duisburg", modes="rail").transit_days.p50,
    "D2": lambda n: fastest(n, "Xi'an", "Duisburg", modes="rail").distance_km,
    "D2t": lambda n: fastest(n, "Xi'an", "Duisburg", modes="rail").transit_days.p50,
    "D7": d7_cost,
    "D7t": d7_days,
    "D10": lambda n: crossing_days(n, "by_pl_brest", "PLMAA"),
    "B1": lambda n: fastest(n, "Yokohama", "Moscow", avoid="KZ,CN,KR").transit_days.p50,
    "B10": lambda n: moving_and_border_days(fastest(n, "Vladivostok", "Moscow", modes="rail")),
    "C2": lambda n: fastest(n, "Khorgos", "Poti", avoid="RU,IR").transit_days.p50,
    "C3": lambda n: fastest(n, "Xi'an", "Duisburg", avoid="RU,BY,IR",
                            modes="rail,ferry").transit_days.p50,
    "C1": lambda n: (fastest(n, "Xi'an", "Duisburg", avoid="RU,BY,IR",
                             modes="rail,ferry").transit_days.p50
                     / fastest(n, "Xi'an", "Duisburg", modes="rail").transit_days.p50),
    "C9": lambda n: fastest(n, "Altynkol", "Poti", avoid="RU,IR").distance_km,
    "C11": c11_days,
    "A3": lambda n: leg_between(n, "Aktau", "Alat", "ferry").wait_days.p90,
    "C15": lambda n: fastest(n, "AZ-BAKU-RAIL", "Kars", modes="rail").distance_km,
    "A11": lambda n: rail_km(fastest(n, "Lianyungang", "Altynkol", modes="rail")),
    "C23": c23_hours,
    "C24": lambda n: 500 * n.tables.tariffs["road_ca"].cost_usd_per_km_feu
                     + n.tables.tariffs["road_ca"].cost_usd_fixed_feu,
    "F4": lambda n: 24 * n.tables.borders["cn_kg_torugart_road"].dwell_days.p50,
    "F6": lambda n: fastest(n, "Kashgar", "Tashkent", modes="road").distance_km,
    "E6": lambda n: fastest(n, "Shanghai", "Rotterdam", modes="sea").cost_usd,
    "G1": lambda n: n.tables.emission_factors["ropax_large"].wtw_g_per_tkm,
    "G3": lambda n: n.tables.emission_factors["ropax_medium"].wtw_g_per_tkm,
    "F1": lambda n: fastest(n, "Kashgar", "Andijan", modes="rail",
                            scenario="cku-railway").distance_km,
}
NOT_YET: dict[str, str] = {}

# Figures silkway does not reproduce, why, and what would fix it. Each is checked to be OUT of
# its range (strict), so the day a change brings it in, this list must be updated.
KNOWN_OUT = {
    "D2t": "a plan answers for an observed trip of regular service: Xi'an - Duisburg by rail "
           "is 17.1 d, 7 % above the top of the range (16.4 d before advertised figures had "
           "their own stops factor, 16.7 d before the first-run effect was scoped to ferry "
           "routes; 16.5 d with the sourced priors, also above). Its parts (means, before "
           "that refit): "
           "Chinese rail 3,036 km 3.0 d (41.7 km/h, on the Longhai and Lanxin lines' published "
           "lengths), Alashankou/Dostyk 1.5 d, Dostyk - Brest 6.3 d (published 6-8 d), "
           "Brest/Malaszewicze 2.6 d (published 2-3 d), Poland and Germany 1,283 km 3.5 d "
           "(15.2 km/h), ends 0.6 d (means). The regular trips observed say the same: "
           "Chongqing - Duisburg 18 d (2022, 2024) and 16 d, Wuhan - Duisburg 18 d, Xi'an - "
           "Hamburg 16 d (silkway 17.2, 17.5, 16.2 d); the 12-14 d here is the fast end, like "
           "DHL's Xi'an speed train (13 d; silkway as an express 12.8 d). The parts with a "
           "published figure are inside it; Poland - Germany is long next to its running time "
           "(a PKP Cargo pilot ran Malaszewicze - Duisburg in 25 h) but DHL's fast rail takes "
           "13-15 d to Poland and 18-21 d to Germany (index1520 2024). No model fix is known: "
           "the range is below what observed regular trains took.",
    "C2": "the row's range spans 2022 (38-53 d) and 2023 (19-23 d); the network is dated "
          "2025-H2, when the same trip is published at about 12 d (KazTAG Oct 2024: Poti/Batumi "
          "in 12 d; Altynkol-Poti 12 d advertised, Xi'an-Poti 12 d observed in 2024, "
          "observations.csv), and a box now pays the Caspian boarding queue only where it "
          "boards, not also where it leaves the ferry and at Poti. Under the era-2022 scenario "
          "the same trip by rail and ferry lands inside the 2022 range "
          "(tests/test_time_model.py).",
    "D1": "silkway's Chongqing-Duisburg northern route is the shortest operated-corridor path "
          "(10,014 km, via Chengdu, the Chengdu - Lanzhou line and Dostyk-Astana-Petropavl-"
          "Yekaterinburg-"
          "Moscow); the published 11,179 km is the historic Yuxinou routing via Xi'an. Fix: "
          "service-specific routings (via points per named train service) once sourced.",
    "A11": "silkway counts the published lengths of the lines freight runs on: Lianyungang - "
           "Lanzhou 1,759 km (the Longhai line's station table; 572 + 511 + 676 km) and Lanzhou - "
           "Urumqi 1,904 km (the Lanxin line), so Lianyungang - Urumqi alone is 3,663 km; with "
           "Urumqi - Khorgos (670 km on world_railways) the rail is 4,355 km, 1 % above the top "
           "of the range. Nissin's 'about 3,800 km' is a round figure under what these lines add "
           "up to; the shorter paths of the base network follow passenger high-speed lines.",
    "C23": "CPMM's 40.6 h is a shipment-weighted average over all CAREC rail crossings (incl. "
           "Mongolia, Tajikistan, Afghanistan, Pakistan); silkway's eight modelled CAREC rail "
           "crossings average under 30 h unweighted, while the two CN-KZ gauge-change crossings that "
           "carry most containers average 48 h. Fix: per-crossing traffic weights from CPMM.",
    "C3": "DHL's 30-55 d are door-to-door (pick-up, consolidation, customs, delivery): DHL's own "
          "Northern-route figure is 30-32 d against 11-16 d terminal-to-terminal (D2t). silkway "
          "plans terminal to terminal (the value above is Xi'an-Duisburg by the Middle "
          "Corridor); the Middle/Northern ratio (C1) is reproduced. Fix: first/last-mile and consolidation "
          "time, and departure frequency of Middle Corridor block trains.",
}


@pytest.mark.skipif(not ROWS, reason="../shared/reference/published_figures.csv not present")
def test_every_reference_row_is_checked():
    assert set(ROWS) == set(METRICS) | set(NOT_YET)


@pytest.mark.skipif(not ROWS, reason="../shared/reference/published_figures.csv not present")
@pytest.mark.parametrize("fid", sorted(METRICS))
def test_published_figure(net, fid):
    row = ROWS[fid]
    value = METRICS[fid](net)
    low, high = float(row["low"]), float(row["high"])
    if fid in KNOWN_OUT:
        assert not low <= value <= high, f"{fid} is now reproduced ({value:.1f}): update KNOWN_OUT"
        pytest.xfail(f"{fid} = {value:.1f} {row['unit']} vs [{low}, {high}]: {KNOWN_OUT[fid]}")
    assert low <= value <= high, (
        f"{fid} {row['origin']}-{row['destination']} {row['metric']}: {value:.2f} {row['unit']} "
        f"outside published [{low}, {high}] ({row['source']})")
