"""The observations table: published figures, each sourced, checkable and resolvable."""

from __future__ import annotations

import csv
import io
from collections import Counter
from importlib import resources

import pytest

import silkway
from silkway.data.tables import (
    OBSERVATION_METRICS,
    OBSERVATIONS_FILE,
    load_observations,
    parse_observations,
)
from silkway.errors import DataError, UnknownPlaceError


@pytest.fixture(scope="module")
def obs():
    return load_observations()


@pytest.fixture(scope="module")
def text() -> str:
    return resources.files("silkway.data").joinpath(OBSERVATIONS_FILE).read_text(encoding="utf-8")


def test_at_least_120_rows_with_unique_ids(obs):
    assert len(obs) >= 120
    ids = Counter(o.id for o in obs)
    assert [i for i, n in ids.items() if n > 1] == []


def test_every_row_is_sourced_and_quoted(obs):
    for o in obs:
        assert o.url.startswith(("http://", "https://")), o.id
        assert o.source_title.strip() and o.quote.strip(), o.id
        assert o.date_read in ("2026-12-01", "2026-12-04"), o.id  # the days the sources were read


def test_years_are_plausible_and_most_rows_are_dated(obs):
    years = [o.year for o in obs if o.year is not None]
    assert all(1990 <= y <= 2026 for y in years), sorted(set(years))
    assert len(years) >= 0.75 * len(obs)


def test_values_are_ordered_and_positive(obs):
    for o in obs:
        assert 0 <= o.low <= o.high, o.id
        assert (o.bound == "range") == (o.low < o.high), o.id
        assert o.unit == OBSERVATION_METRICS[o.metric], o.id


def test_in_network_places_resolve_and_the_others_do_not(obs, net: silkway.Network):
    for o in obs:
        ends = [p for p in (o.origin, o.destination) if p]
        resolved = []
        for place in ends:
            try:
                net.find(place)
                resolved.append(True)
            except UnknownPlaceError:
                resolved.append(False)
        assert o.in_network == all(resolved), (
            f"{o.id}: {ends} resolve as {resolved}; set in_network={str(all(resolved)).lower()}")


def test_covers_the_corridors_and_metrics_the_model_needs(obs):
    by_corridor = Counter(o.corridor for o in obs)
    for corridor in ("china-central-asia", "middle-corridor", "northern", "trans-siberian",
                     "sea-suez", "sea-cape", "southern-iran", "trans-afghan", "kashgar-road",
                     "cku", "border"):
        assert by_corridor[corridor] >= 2, (corridor, by_corridor)
    metrics = Counter(o.metric for o in obs)
    assert metrics["transit_days"] >= 60
    assert metrics["distance_km"] >= 15
    assert metrics["cost_usd_per_feu"] >= 3
    assert Counter(o.kind for o in obs).keys() == {"observed", "advertised", "planned"}


def _with(text: str, row_id: str, **changes: str) -> str:
    rows = list(csv.DictReader(io.StringIO(text)))
    out = io.StringIO()
    writer = csv.DictWriter(out, list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        if row["id"] == row_id:
            row.update(changes)
        writer.writerow(row)
    return out.getvalue()


@pytest.mark.parametrize(("changes", "message"), [
    ({"url": ""}, "column 'url' is empty"),
    ({"url": "see the report"}, "is not an http(s) address"),
    ({"source_title": ""}, "column 'source_title' is empty"),
    ({"quote": ""}, "column 'quote' is empty"),
    ({"low": "9", "high": "5"}, "low (9) is above high (5)"),
    ({"metric": "transit_weeks"}, "metric 'transit_weeks' is not one of"),
    ({"kind": "rumoured"}, "kind 'rumoured' is not one of"),
    ({"service": "premium"}, "service 'premium' is not one of"),
    ({"service": ""}, "column 'service' is empty"),
    ({"corridor": "silk-road"}, "corridor 'silk-road' is not one of"),
    ({"unit": "hours"}, "does not match metric"),
    ({"bound": "range"}, "does not fit"),
    ({"year": "1890"}, "outside"),
    ({"date": "2015-03"}, "within year"),
    ({"in_network": "yes"}, "in_network 'yes' is not one of"),
    ({"modes": "rail;camel"}, "mode 'camel' is not one of"),
])
def test_broken_rows_are_rejected_naming_the_row(text, changes, message):
    broken = _with(text, "CA-XIA-ALA-2016", **changes)
    with pytest.raises(DataError) as err:
        parse_observations(broken)
    assert "observations.csv line 2 (CA-XIA-ALA-2016)" in str(err.value)
    assert message in str(err.value)


def test_duplicate_ids_are_rejected(text):
    first, second = (r["id"] for r in list(csv.DictReader(io.StringIO(text)))[:2])
    with pytest.raises(DataError, match="duplicate key"):
        parse_observations(_with(text, second, id=first))


def test_every_row_has_a_service_class_read_from_its_source(obs):
    # the class is read from the source: a first / pilot / test run is first-run, a product
    # sold as a speed or fast train is express, the rest (averages, schedules) regular
    by_id = {o.id: o for o in obs}
    assert Counter(o.service for o in obs).keys() == {"regular", "express", "first-run"}
    assert by_id["TA-ZHE-KHI-2024"].service == "first-run"  # a pilot shipment
    assert by_id["NO-ZGZ-HAM-2013"].service == "first-run"  # the first DB Schenker train
    assert by_id["NO-YIU-DUI-2024-01"].service == "express"  # "new Yiwu speed train"
    assert by_id["MC-XIA-BAK-2026-01"].service == "regular"  # a monthly average
    # the first train of a year on an established service, and a milestone train, are regular
    assert by_id["MC-XIA-BAK-2024-01"].service == "regular"
    assert by_id["NO-CQI-DUI-2022"].service == "regular"
    for o in obs:
        text = f"{o.source_title} {o.quote}".lower()
        if any(w in text for w in ("pilot", "test train", "maiden", "inaugural")):
            assert o.service == "first-run", o.id
        if "speed train" in text:
            assert o.service == "express", o.id
