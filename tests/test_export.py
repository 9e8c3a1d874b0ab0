"""Data out of a plan, as a notebook user meets it: GeoJSON, CSV, DataFrames, reprs, doctests."""

from __future__ import annotations

import csv
import doctest
import io
import json

import pytest

import silkway
from silkway.analysis import export
from silkway.analysis import plan as plan_module


@pytest.fixture(scope="module")
def result(net):
    return silkway.plan(net, "Toyama", "Bishkek", avoid="RU,BY")


def test_geojson_is_rfc7946_lonlat_with_a_feature_per_leg(result):
    fc = json.loads(json.dumps(result.to_geojson()))  # plain JSON all the way down
    assert fc["type"] == "FeatureCollection"
    n_legs = sum(len(r.legs) for r in result.routes)
    assert len(fc["features"]) == n_legs
    west, south, east, north = fc["bbox"]
    # Kyrgyzstan (~72-78 E, 39-43 N) to Toyama (137 E, 36.8 N): lon/lat order, not lat/lon
    assert 69 < west < 76 and 136 < east < 142 and 30 < south < 40 and 40 < north < 48
    for f in fc["features"]:
        assert f["type"] == "Feature" and f["geometry"]["type"] == "LineString"
        p = f["properties"]
        assert {"route", "leg", "mode", "distance_km", "days", "cost_usd", "co2e_kg",
                "countries"} <= set(p)
        assert "RU" not in p["countries"]
        for lon, lat in f["geometry"]["coordinates"]:
            assert west <= lon <= east and south <= lat <= north
    first = fc["features"][0]
    lon, lat = first["geometry"]["coordinates"][0]
    assert (round(lon), round(lat)) == (round(result.origin.lon), round(result.origin.lat))
    assert {f["properties"]["route"] for f in fc["features"]} == set(range(1, len(result.routes) + 1))


def test_geojson_figures_are_the_contract_figures(result):
    contract = result.to_dict()
    fc = result.to_geojson()
    for f in fc["features"]:
        p = f["properties"]
        leg = contract["routes"][p["route"] - 1]["legs"][p["leg"] - 1]
        assert (p["from"], p["to"], p["days"], p["cost_usd"], p["co2e_kg"]) == (
            leg["from"], leg["to"], leg["days"], leg["cost_usd"], leg["co2e_kg"])


def test_contract_keeps_latlon_geometry_and_adds_geojson(result):
    leg = result.to_dict(geometry=True)["routes"][0]["legs"][0]
    assert leg["geometry"][0] == pytest.approx([result.origin.lat, result.origin.lon], abs=0.01)
    assert leg["geojson"]["type"] == "LineString"
    assert leg["geojson"]["coordinates"][0] == leg["geometry"][0][::-1]


def test_csv_has_one_row_per_leg_with_route_numbers(result):
    every = list(csv.DictReader(io.StringIO(result.to_csv())))
    rows = [r for r in every if r["route"]]
    # then the corridor answers that are not listed routes (round 10), with an empty route
    assert every[:len(rows)] == rows and all(r["corridor_answer"] for r in every[len(rows):])
    assert len(rows) == sum(len(r.legs) for r in result.routes)
    assert [int(r["route"]) for r in rows] == sorted(int(r["route"]) for r in rows)
    first = rows[0]
    assert first["from"] == "JPTOY" and first["mode"] == "sea" and first["leg"] == "1"
    assert all(r["countries"] and "RU" not in r["countries"].split("-") for r in rows)
    total = sum(float(r["cost_usd"]) for r in rows if r["route"] == "1")
    legs_only = sum(rl.figures.cost_usd for rl in result.routes[0].legs)
    assert total == pytest.approx(legs_only, abs=0.05)


def test_every_leg_row_carries_its_routes_days_and_on_time_probability(net, cache_dir):
    """A row per leg had no route P50, P90 or on-time probability, so ``--format csv
    --deadline 20`` and ``POST /api/plan?format=csv`` with ``deadline_days`` gave none."""
    from fastapi.testclient import TestClient

    from silkway.api.app import create_app

    planned = silkway.plan(net, "Aktau", "Baku", deadline_days=4)
    rows = list(csv.DictReader(io.StringIO(planned.to_csv())))
    for route_no, r in enumerate(planned.routes, 1):
        mine = [row for row in rows if row["route"] == str(route_no)]
        assert mine and all(float(x["route_on_time_probability"]) == round(r.transit_days.on_time, 4)
                            and float(x["route_days_p90"]) == round(r.transit_days.p90, 2)
                            for x in mine)
    assert 0 < float(rows[0]["route_on_time_probability"]) < 1  # 4 d is a real question here
    features = planned.to_geojson()["features"]
    assert all(f["properties"]["route_on_time_probability"] is not None for f in features)
    # without a deadline the column is there and empty
    assert {row["route_on_time_probability"] for row in csv.DictReader(
        io.StringIO(silkway.plan(net, "Aktau", "Baku").to_csv()))} == {""}
    client = TestClient(create_app(network=net, cache_dir=cache_dir))
    r = client.post("/api/plan?format=csv", json={"origin": "Aktau", "destination": "Baku",
                                                   "deadline_days": 4})
    assert r.status_code == 200
    assert list(csv.DictReader(io.StringIO(r.text))) == rows


def test_notebook_dataframes_and_html(result):
    pd = pytest.importorskip("pandas")
    routes = result.to_dataframe()
    assert isinstance(routes, pd.DataFrame) and list(routes.index) == list(
        range(1, len(result.routes) + 1))
    assert routes.loc[1, "days_p50"] == pytest.approx(result.routes[0].transit_days.p50, abs=0.01)
    assert routes["cost_usd"].min() > 1000
    legs = result.legs_dataframe()
    assert legs.index.names == ["route", "leg"]
    assert len(legs) == sum(len(r.legs) for r in result.routes)
    assert set(legs["mode"]) <= {"sea", "rail", "road", "ferry"}
    html = result._repr_html_()
    assert html.count("<tr") == len(result.routes) + 1  # header + a row per route
    assert "Toyama" in html and "t CO2e" in html and "JP-CN" in html
    assert f"{result.routes[0].transit_days.p90:.1f}" in html


def test_geodataframe_or_a_clear_error(result):
    try:
        import geopandas  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pip install"):
            result.to_geodataframe()
        return
    gdf = result.to_geodataframe()
    assert gdf.crs.to_epsg() == 4326
    west, south, east, north = gdf.total_bounds
    assert 69 < west < 76 and 136 < east < 142 and 30 < south < 40 < north < 48


def test_reprs_are_short(result):
    text = repr(result)
    assert len(text) < 300 and "Toyama" in text and "Bishkek" in text
    route = result.routes[0]
    assert len(repr(route)) < 200 and route.label in repr(route)
    assert len(repr(route.legs[0])) < 120 and "JPTOY" in repr(route.legs[0])
    assert len(repr(route.handling[0])) < 80
    assert len(repr(result.routes)) < 200 * len(result.routes)


def test_ticks_are_round_and_unabbreviated():
    labels = [t["label"] for t in export.ticks(6900, 8100)]
    assert "7,500" in labels and not any("k" in x for x in labels)
    values = [t["value"] for t in export.ticks(12.3, 41.7)]
    assert values == sorted(values) and all(12.3 <= v <= 41.7 for v in values)
    assert all(v == round(v) for v in values)
    with pytest.raises(ValueError, match="finite"):
        export.ticks(0, float("inf"))


def test_sea_countries_in_travel_order(net):
    r = silkway.plan(net, "Shanghai", "Constanta", modes="sea")
    countries = r.routes[0].countries
    assert countries.index("EG") < countries.index("TR") < countries.index("RO")  # Suez, Bosporus
    back = silkway.plan(net, "Constanta", "Shanghai", modes="sea").routes[0].countries
    assert back.index("TR") < back.index("EG")
    leg = r.routes[0].legs[0].to_dict()
    assert leg["passages"].index("suez") < leg["passages"].index("bosporus")


@pytest.mark.parametrize("module", [export, plan_module])
def test_docstring_examples_run(net, module):
    failures, tried = doctest.testmod(module, extraglobs={"net": net, "silkway": silkway},
                                      optionflags=doctest.ELLIPSIS, report=True)
    assert tried > 0 and failures == 0
