"""Places users ask for: the Asian transshipment hubs (Singapore, Port Klang, Colombo, Jebel
Ali) resolve by name and code and plan on the shipped network, against published figures."""

from __future__ import annotations

import dataclasses

import pytest

import silkway
from silkway.data.observations import load_observations

NMI_KM = 1.852
HUB_PORTS = {"SGSIN": "Singapore", "MYPKG": "Port Klang", "LKCMB": "Colombo",
             "AEJEA": "Jebel Ali"}
# the ports already in the network that the hubs' liner services connect
SERVED = ["Rotterdam", "Hamburg", "Piraeus", "Genoa", "Mersin", "Shanghai", "Busan",
          "Nhava Sheva", "Karachi"]


@pytest.fixture(scope="module")
def observations():
    return {o.id: o for o in load_observations()}


@pytest.mark.parametrize(("query", "hub_id"), [
    ("Singapore", "SGSIN"), ("SGSIN", "SGSIN"), ("Pasir Panjang", "SGSIN"),
    ("Port Klang", "MYPKG"), ("Port Kelang", "MYPKG"), ("Westports", "MYPKG"),
    ("Colombo", "LKCMB"), ("lkcmb", "LKCMB"),
    ("Jebel Ali", "AEJEA"), ("Dubai", "AEJEA"), ("Jabal Ali", "AEJEA"),
])
def test_hub_ports_resolve_by_name_alias_and_code(net, query, hub_id):
    hub = net.find(query)
    assert hub.id == hub_id and hub.kind == "port"
    assert hub.profile.profile == "port_hub"


@pytest.mark.parametrize("hub_id", sorted(HUB_PORTS))
def test_each_hub_port_reaches_the_ports_it_serves_both_ways(net, hub_id):
    for port in SERVED:
        for o, d in ((hub_id, port), (port, hub_id)):
            routes = silkway.plan(net, o, d, modes="sea").routes
            assert routes, f"no sea route {o} - {d}"
            assert all(rl.directed.leg.mode is silkway.Mode.SEA
                       for r in routes for rl in r.legs)


def _sea(net, corridor: str) -> silkway.Route:
    r = silkway.plan(net, "Singapore", "Rotterdam", modes="sea", corridor=corridor,
                     thin=0, max_routes=50)
    return min(r.routes, key=lambda x: x.distance_km)


@pytest.mark.parametrize(("corridor", "distance_id", "days_id", "passage"), [
    ("sea-suez", "SS-SIN-RTM-NM", "SS-SIN-RTM-SUEZ", "suez"),
    ("sea-cape", "SC-SIN-RTM-NM", "SC-SIN-RTM-CAPE", "south_africa"),
])
def test_singapore_rotterdam_by_sea_matches_the_published_distance_and_days(
        net, observations, corridor, distance_id, days_id, passage):
    route = _sea(net, corridor)
    passages = {p for rl in route.legs for p in rl.directed.leg.passages}
    assert passage in passages
    published_km = observations[distance_id].low * NMI_KM
    assert route.distance_km == pytest.approx(published_km, rel=0.03)
    # the calibration's rule: P50 within the published figure widened by 15 % each side
    days = observations[days_id].low
    assert 0.85 * days <= route.transit_days.p50 <= 1.15 * days


def test_singapore_rotterdam_by_sea_is_one_direct_leg_through_suez(net):
    route = _sea(net, "sea-suez")
    assert [rl.directed.dst for rl in route.legs] == ["NLRTM"]
    assert route.countries == ["SG", "EG", "NL"]


def test_karachi_to_europe_can_transship_at_a_hub_port(net):
    # no liner leg Karachi - Hamburg: the box changes ships at a hub on the way
    r = silkway.plan(net, "Karachi", "Hamburg", modes="sea", thin=0, max_routes=50)
    hubs = {rl.directed.dst for route in r.routes for rl in route.legs[:-1]}
    assert hubs & set(HUB_PORTS), hubs


def test_a_port_a_sea_source_names_is_a_call_unless_it_says_transshipped(net, observations):
    from silkway.analysis.calibrate import cases_from

    apl = observations["SS-RTM-TAO-APL"]  # APL's Rotterdam - Qingdao loop calls Port Klang
    assert "Port Klang" in apl.via
    (case,), _ = cases_from([apl], net)
    assert case.via == ()
    moved = dataclasses.replace(apl, quote="boxes transshipped at Port Klang")
    (case,), _ = cases_from([moved], net)
    assert case.via == ("MYPKG",)


@pytest.mark.parametrize(("query", "hub_id"), [
    ("Beijing", "CNBJS"), ("Peking", "CNBJS"), ("Guangzhou", "CNCAN"), ("Canton", "CNCAN"),
    ("St Petersburg", "RULED"), ("Saint Petersburg", "RULED"), ("Izmir", "TRIZM"),
    ("Prague", "CZPRG"), ("Praha", "CZPRG"), ("Munich", "DEMUC"), ("München", "DEMUC"),
    ("Milan", "ITMIL"), ("Milano", "ITMIL"), ("Zamyn-Uud", "MN-ZAMYN-UUD"),
    ("Ulan Bator", "MN-ULAANBAATAR"), ("Naushki", "RU-NAUSHKI"),
])
def test_cities_and_trans_mongolian_stations_resolve(net, query, hub_id):
    assert net.find(query).id == hub_id


def test_beijing_moscow_by_rail_through_mongolia_has_the_published_length(net):
    # kolejtranssyberyjska.pl: the Trans-Mongolian railway is 7,624 km from Moscow to Beijing
    r = silkway.plan(net, "Beijing", "Moscow", modes="rail", thin=0, max_routes=50)
    mongolian = [x for x in r.routes if x.countries == ["CN", "MN", "RU"]]
    assert mongolian, [x.countries for x in r.routes]
    route = min(mongolian, key=lambda x: x.distance_km)
    assert route.distance_km == pytest.approx(7624, rel=0.05)
    # the box changes gauge once, at the Chinese-Mongolian border
    assert [h.operation for h in route.handling].count("gauge_change") == 1
    assert not silkway.plan(net, "Beijing", "Moscow", modes="rail", avoid={"MN", "KZ"},
                            thin=0, max_routes=50).routes[0].countries.count("MN")


@pytest.mark.parametrize(("origin", "destination", "through"), [
    ("Prague", "Hamburg", {"CZ", "DE"}), ("Munich", "Milan", {"DE", "IT"}),
    ("Milan", "Rotterdam", {"IT", "CH", "NL"}), ("Izmir", "Ankara", {"TR"}),
    ("Guangzhou", "Wuhan", {"CN"}), ("St Petersburg", "Moscow", {"RU"}),
])
def test_new_land_hubs_reach_their_neighbours_by_rail(net, origin, destination, through):
    for o, d in ((origin, destination), (destination, origin)):
        route = silkway.plan(net, o, d, modes="rail").routes[0]
        assert through <= set(route.countries)
        assert all(rl.directed.leg.mode is silkway.Mode.RAIL for rl in route.legs)


def test_st_petersburg_to_india_by_sea_passes_suez_and_avoiding_russia_has_no_route(net):
    route = silkway.plan(net, "St Petersburg", "Nhava Sheva", modes="sea").routes[0]
    assert "suez" in {p for rl in route.legs for p in rl.directed.leg.passages}
    with pytest.raises(silkway.SilkwayError):
        silkway.plan(net, "St Petersburg", "Nhava Sheva", avoid={"RU"})


def test_chabahar_to_kabul_by_road_through_zaranj_and_kandahar(net, observations):
    route = silkway.plan(net, "Chabahar", "Kabul", modes="road").routes[0]
    assert route.countries == ["IR", "AF"]
    assert [rl.directed.dst for rl in route.legs] == ["AF-ZARANJ", "AF-KANDAHAR", "AFKBL"]
    # Metro Morning: via Chabahar 'roughly USD 4,000 per container' (the plan: USD per FEU)
    published = observations["SI-CHB-KBL-USD"].low
    assert 0.75 * published <= route.cost_usd <= 1.5 * published
    with pytest.raises(silkway.SilkwayError):
        silkway.plan(net, "Chabahar", "Kabul", avoid={"AF"})
