"""The shipped data tables: complete, sourced, and broken rows rejected with a clear message."""

from __future__ import annotations

import re

import pytest

from silkway.data.tables import load_tables, parse_tables, read_texts
from silkway.errors import DataError

REQUIRED_HUBS = [
    "Tokyo", "Yokohama", "Nagoya", "Osaka", "Kobe", "Hakata", "Toyama", "Niigata", "Kanazawa",
    "Sakaiminato", "Busan", "Lianyungang", "Qingdao", "Tianjin", "Dalian", "Shanghai", "Rizhao",
    "Xi'an", "Chongqing", "Urumqi", "Kashgar", "Harbin", "Alashankou", "Dostyk", "Khorgos",
    "Altynkol", "Almaty", "Aktau", "Kuryk", "Bishkek", "Osh", "Jalal-Abad", "Torugart",
    "Irkeshtam", "Naryn", "Tashkent", "Andijan", "Turkmenbashi", "Alat", "Tbilisi", "Poti",
    "Batumi", "Akhalkalaki", "Kars", "Istanbul", "Mersin", "Constanta", "Burgas", "Vladivostok",
    "Vostochny", "Moscow", "Brest", "Malaszewicze", "Warsaw", "Duisburg", "Hamburg", "Rotterdam",
    "Bandar Abbas", "Karachi",
]


@pytest.fixture(scope="module")
def tables():
    return load_tables()


def _names(tables):
    out = {}
    for h in tables.hubs:
        for n in (h.id, h.name, *h.aliases):
            out[n.casefold()] = h
    return out


def test_at_least_80_hubs_with_every_required_place(tables):
    assert len(tables.hubs) >= 80
    names = _names(tables)
    missing = [p for p in REQUIRED_HUBS if p.casefold() not in names]
    assert not missing


def test_locode_ids_start_with_their_country(tables):
    for h in tables.hubs:
        if re.fullmatch(r"[A-Z]{5}", h.id):
            assert h.id[:2] == h.country, h.id
        else:
            assert re.fullmatch(r"[A-Z]{2}-[A-Z0-9-]+", h.id), h.id
            assert h.id[:2] == h.country, h.id


def test_every_number_has_a_source_or_a_reasoned_estimate(tables):
    rows = [*tables.profiles.values(), *tables.borders.values(), *tables.tariffs.values(),
            *tables.emission_factors.values(), *tables.cargo.values(), *tables.legs]
    for row in rows:
        p = row.provenance
        assert p.source or len(p.estimate) >= 30, row
    for h in tables.hubs:
        assert len(h.coord_source) >= 10, h.id


def test_glec_ropax_factors_and_wtw_at_least_ttw(tables):
    f = tables.emission_factors
    assert f["ropax_large"].wtw_g_per_tkm == pytest.approx(98.0)
    assert f["ropax_large"].ttw_g_per_tkm == pytest.approx(83.5)
    assert f["ropax_medium"].wtw_g_per_tkm == pytest.approx(129.7)
    for row in f.values():
        assert row.wtw_g_per_tkm >= row.ttw_g_per_tkm


def test_every_ferry_has_a_waiting_time_and_every_rail_leg_a_gauge(tables):
    for leg in tables.legs:
        if leg.mode.value == "ferry":
            assert leg.wait_days.p50 > 0
        if leg.mode.value == "rail":
            assert leg.gauge_mm in (1435, 1520)


def _broken(name: str, old: str, new: str) -> dict[str, str]:
    texts = read_texts()
    assert old in texts[name], old
    texts[name] = texts[name].replace(old, new, 1)
    return texts


@pytest.mark.parametrize(("name", "old", "new", "message"), [
    ("hubs.csv", "JPTOY,Toyama (Fushiki-Toyama port),", "JPTOY,,", r"hubs.csv line 8 .*'name' is empty"),
    ("hubs.csv", ",JP,36.7750,", ",JP,96.7750,", r"hubs.csv line 8 .*lat.* outside"),
    ("hubs.csv", ",JP,36.7750,", ",Japan,36.7750,", r"not an ISO 3166-1 alpha-2"),
    ("legs.csv", "JPTOY,KRPUS,sea", "JPTOY,KRXXX,sea", r"legs.csv line 2 .*KRXXX.* not in hubs.csv"),
    ("legs.csv", "JPTOY,KRPUS,sea,sea_feeder", "JPTOY,KRPUS,boat,sea_feeder",
     r"mode 'boat' is not one of"),
    ("tariffs.csv", "rail_tr,rail,TR,35", "rail_tr,rail,TR,abc", r"speed_kmh.*not a number"),
    ("hub_profiles.csv", "port_tr,1.5,4.0", "port_tr,4.5,4.0", r"p90 .* is below"),
    ("border_dwell.csv", "ge_tr_rail,0.5,2.0,100,", "ge_tr_rail,0.5,2.0,100,,",
     r"more fields than the header|neither a source nor an estimate"),
])
def test_broken_rows_name_file_line_and_problem(name, old, new, message):
    with pytest.raises(DataError, match=message):
        parse_tables(_broken(name, old, new))


def test_a_hub_no_leg_reaches_is_rejected():
    """A place a plan could name but never reach is a table error, not a "no route" answer."""
    texts = read_texts()
    first = texts["hubs.csv"].splitlines()[1]
    lone = first.replace(first.split(",")[0], "XXLON", 1).replace(first.split(",")[1], "Lone", 1)
    texts["hubs.csv"] = texts["hubs.csv"].rstrip("\n") + "\n" + lone + "\n"
    with pytest.raises(DataError, match=r"XXLON have no leg in legs\.csv"):
        parse_tables(texts)


def test_row_without_any_provenance_is_rejected():
    texts = read_texts()
    lines = texts["tariffs.csv"].splitlines()
    header = lines[0]
    texts["tariffs.csv"] = header + "\nrail_x,rail,XX,30,0.5,0,0.6,rail_diesel,,\n"
    with pytest.raises(DataError, match="neither a source nor an estimate"):
        parse_tables(texts)
