"""The compiled network: real distances, honest ferries, countries from geometry, a sound cache."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

import silkway
from silkway.network import model
from silkway.network.geo import haversine_km

CASPIAN = {"KZ", "AZ", "TM", "RU", "IR"}


def legs_between(net, a, b, mode):
    ia, ib = net.find(a).id, net.find(b).id
    return [leg for leg in net.legs if {leg.src, leg.dst} == {ia, ib} and leg.mode.value == mode]


def test_design_reference_sea_distances(net):
    open_route = min(legs_between(net, "Shanghai", "Rotterdam", "sea"), key=lambda g: g.distance_km)
    assert open_route.distance_km == pytest.approx(19_550, rel=0.02)
    assert "suez" in open_route.passages
    # TITR gives 508 km by sea between Aktau and the Port of Baku at Alat (reference C9)
    ferry = legs_between(net, "Aktau", "Alat", "ferry")[0]
    assert ferry.distance_km == pytest.approx(508, rel=0.05)


def test_caspian_is_crossed_only_by_ferries_inside_the_caspian(net):
    caspian_ports = {h.id for h in net.hubs if h.profile.profile == "ferry_caspian"}
    assert {"KZAAU", "KZKUR", "AZBAK", "TMKRW"} <= caspian_ports
    for leg in net.legs:
        if caspian_ports & {leg.src, leg.dst} and leg.mode.value in ("sea", "ferry"):
            assert leg.mode.value == "ferry", leg
            assert not leg.passages
            lat, lon = leg.coords[:, 0], leg.coords[:, 1]
            # the whole path stays in the Caspian basin (no Volga-Don detour to the Black Sea)
            assert lat.min() > 36 and lat.max() < 47.5 and lon.min() > 46 and lon.max() < 55.5


def test_sea_variants_exist_for_closable_passages(net):
    variants = legs_between(net, "Shanghai", "Rotterdam", "sea")
    assert len(variants) >= 2
    cape = [v for v in variants if "suez" not in v.passages and "babalmandab" not in v.passages]
    assert cape and min(v.distance_km for v in cape) == pytest.approx(25_750, rel=0.03)


def test_leg_countries_come_from_geometry(net):
    for leg in net.legs:
        a, b = net.hub(leg.src), net.hub(leg.dst)
        assert leg.countries[0] == a.country and leg.countries[-1] == b.country
    # legs routed via waypoints stay in the corridor they are named for: without them the
    # shortest rail path would cut through China (Dostyk-Almaty, Trans-Siberian) or the road
    # through Tajikistan (Samarkand-Termez)
    for a, b, mode, countries in [("Dostyk", "Almaty", "rail", ("KZ",)),
                                  ("Novosibirsk", "Vladivostok", "rail", ("RU",)),
                                  ("Samarkand", "Termez", "road", ("UZ",)),
                                  ("Akhalkalaki", "Kars", "rail", ("GE", "TR"))]:
        assert legs_between(net, a, b, mode)[0].countries == countries
    # the Suez route crosses Egypt; the Cape route does not
    for v in legs_between(net, "Shanghai", "Rotterdam", "sea"):
        assert ("EG" in v.countries) == ("suez" in v.passages)


def test_countries_without_a_countryinfo_outline_are_still_located():
    from silkway.network.countries import countries_of_points, outline_features

    # Belgrade, Nis, Budapest, Podgorica: countryinfo has entries but no outline for RS, HU, ME
    lat, lon = np.array([44.82, 43.32, 47.50, 42.44]), np.array([20.46, 21.90, 19.04, 19.26])
    assert countries_of_points(lat, lon) == ["RS", "RS", "HU", "ME"]
    assert {"RS", "HU", "ME"} <= {code for code, _, _ in outline_features()}


def test_a_leg_through_serbia_lists_it_and_avoiding_it_is_honoured(net):
    # the Sofia - Budapest railway runs through Serbia (Dimitrovgrad - Nis - Belgrade)
    assert "RS" in legs_between(net, "Sofia", "Belgrade", "rail")[0].countries
    # (the first route by expected days is the longer one through Ruse and Romania)
    assert ["BG", "RS", "HU"] in [r.countries for r in silkway.plan(
        net, "Sofia", "Budapest", modes="rail").routes]
    result = silkway.plan(net, "Sofia", "Budapest", avoid=["RS"])
    assert result.routes and all("RS" not in r.countries for r in result.routes)


def test_distances_are_real_network_paths_or_flagged_estimates(net):
    for leg in net.legs:
        a, b = net.hub(leg.src), net.hub(leg.dst)
        gc = haversine_km(a.lat, a.lon, b.lat, b.lon)
        assert leg.distance_km >= gc * 0.98, leg
        if leg.distance_source == "estimate":
            assert leg.estimated_km == pytest.approx(leg.distance_km)
        else:
            assert leg.estimated_km < 0.25 * leg.distance_km + 5, leg
    sources = {leg.distance_source for leg in net.legs}
    assert {"searoute", "world_railways", "world_highways"} <= sources
    share = sum(leg.distance_source == "estimate" for leg in net.legs) / len(net.legs)
    assert share < 0.05


def test_break_of_gauge_hubs(net):
    for pair in [("Alashankou", "Dostyk"), ("Khorgos", "Altynkol"), ("Brest", "Malaszewicze"),
                 ("Akhalkalaki", "Kars")]:
        gauges = {net.find(p).gauge_mm for p in pair}
        assert gauges == {1435, 1520}, pair


def test_place_resolution(net):
    assert net.find("JPTOY").id == "JPTOY"
    assert net.find("jp toy").id == "JPTOY"
    assert net.find("Toyama").id == "JPTOY"
    assert net.find("xian").id == net.find("Xi'an").id
    with pytest.raises(silkway.UnknownPlaceError) as exc:
        net.find("Bishkeck")
    assert "Bishkek" in exc.value.suggestions
    assert "did you mean" in str(exc.value)


def _cached(cache_dir):
    return model.cache_path(cache_dir)


def test_cached_load_is_fast_and_identical(net, cache_dir):
    t0 = time.perf_counter()
    again = silkway.load_network(cache_dir)
    elapsed = time.perf_counter() - t0
    assert again.key == net.key
    assert [leg.distance_km for leg in again.legs] == [leg.distance_km for leg in net.legs]
    assert elapsed < 3.0  # the bar (0.3 s) is measured by benchmarks/, this only guards a rebuild


def test_corrupt_or_stale_cache_is_rebuilt_never_trusted(net, cache_dir, tmp_path, monkeypatch):
    compiled = json.loads(_cached(cache_dir).read_text())["compiled"]
    calls = []

    def fake_compile(tables, params=None, *, progress=None):
        calls.append(1)
        return compiled

    monkeypatch.setattr(model, "compile_network", fake_compile)
    path = model.cache_path(tmp_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{ not json")
    silkway.load_network(tmp_path)
    assert len(calls) == 1  # corrupt: rebuilt
    blob = json.loads(path.read_text())
    assert blob["key"] == net.key
    blob["key"] = "0" * 64
    path.write_text(json.dumps(blob))
    silkway.load_network(tmp_path)
    assert len(calls) == 2  # stale key: rebuilt
    blob = json.loads(path.read_text())
    blob["compiled"]["legs"] = blob["compiled"]["legs"][:-1]
    path.write_text(json.dumps(blob))
    silkway.load_network(tmp_path)
    assert len(calls) == 3  # truncated: rebuilt
    silkway.load_network(tmp_path)
    assert len(calls) == 3  # valid: trusted


def test_cache_key_changes_with_tables_and_params(net):
    tables = net.tables
    k1 = model.cache_key(tables, silkway.BuildParams())
    k2 = model.cache_key(tables, silkway.BuildParams(bridge_km=5.0))
    assert k1 == net.key and k1 != k2


def test_published_line_lengths_replace_traced_paths_on_lines_without_freight(net):
    """A leg of leg_distances.csv that the base network traces takes the published length of
    the line freight runs on (geometry still traced), not the base network's shortest path,
    which in China follows passenger high-speed lines."""
    published = net.tables.leg_distances
    traced = [leg for leg in net.legs if leg.distance_source == "published"]
    assert len(traced) >= 5
    for leg in traced:
        row = published[(*sorted((leg.src, leg.dst)), leg.mode.value)]
        assert leg.distance_km == pytest.approx(row.distance_km)
        assert leg.estimated_km == 0 and row.provenance.source
    zx = legs_between(net, "CNZGZ", "CNXIA", "rail")[0]
    gc = haversine_km(*next((h.lat, h.lon) for h in net.hubs if h.id == "CNZGZ"),
                      *next((h.lat, h.lon) for h in net.hubs if h.id == "CNXIA"))
    assert zx.distance_source == "published" and zx.distance_km / gc > 1.2  # not the 435 km HSR
    # the Longhai line's station table adds up: Lianyungang - Lanzhou 1,759 km
    longhai = sum(legs_between(net, a, b, "rail")[0].distance_km
                  for a, b in (("CNLYG", "CNZGZ"), ("CNZGZ", "CNXIA"), ("CNXIA", "CNLAZ")))
    assert longhai == pytest.approx(1759)
    # a plan's legs say so in the contract
    route = silkway.plan(net, "Xi'an", "Duisburg", modes="rail", max_routes=1,
                         corridors="none").to_dict()["routes"][0]
    first = route["legs"][0]  # the contract's distance_source keeps its four values
    assert first["distance_source"] == "world_railways" and first["distance_published"] is True
    assert not any(leg["distance_published"] for leg in route["legs"][1:3] if leg["mode"] == "sea")
    from silkway.analysis.emissions import distance_basis
    assert "published length" in distance_basis("published")  # the ISO 14083 statement says so


def test_a_line_through_a_narrow_country_lists_it(net):
    """Munich - Milan by the Brenner crosses Tyrol for about 110 km, never deeper than ~25 km
    inside Austria's coarse outline: it lists AT, and avoiding Austria takes another line."""
    (brenner,) = legs_between(net, "Munich", "Milan", "rail")
    assert list(brenner.countries) == ["DE", "AT", "IT"]
    res = silkway.plan(net, "Munich", "Milan", modes="rail", avoid="AT", corridors="none")
    for route in res.to_dict()["routes"]:
        assert "AT" not in route["countries"]
        assert all("AT" not in leg["countries"] for leg in route["legs"])
