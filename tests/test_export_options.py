"""Plan exports and the options that choose what a plan shows (geometry, histograms, the
deadline, the corridor section)."""

from __future__ import annotations

from typing import Any

import pytest

from silkway.analysis import export

TRIP = {"origin": "Aktau", "destination": "Baku"}


@pytest.fixture(scope="module")
def client(net, cache_dir):
    from fastapi.testclient import TestClient

    from silkway.api.app import create_app

    return TestClient(create_app(network=net, cache_dir=cache_dir))


def _post(client: Any, fmt: str, **options: Any) -> Any:
    return client.post(f"/api/v1/plan?format={fmt}", json={**TRIP, **options})


def test_the_table_format_carries_the_corridor_section(client, net):
    """``format=table`` (the page's routes table, the CLI's cells) had no corridor section: the
    corridor answers the CLI prints under its table were nowhere in it."""
    table = _post(client, "table").json()
    plan = _post(client, "json", geometry=False).json()
    rows = {row["id"]: row for row in table["corridors"]}
    assert list(rows) == [c["id"] for c in plan["corridors"]]
    for c in plan["corridors"]:
        row = rows[c["id"]]
        assert row["name"] == c["name"]
        if c["route"] is None:
            assert row["reason"] == c["reason"] and row["route"] == row["gap_p50"] == ""
            continue
        assert row["route"] == str(c["route_number"] or "-") and row["reason"] == ""
        assert row["p50"] == f"{c['route']['transit_days']['p50']:.1f}"
        assert row["gap_p50"] == export.signed(c["gap"]["days_p50"], ".1f")
        assert row["gap_cost"] == export.signed(c["gap"]["cost_usd"], ",.0f")
        assert row["gap_co2e"] == export.signed(c["gap"]["co2e_kg"] / 1000, ".2f")
    served = [c["id"] for c in plan["corridors"] if c["route"] is not None]
    assert served and len(served) < len(plan["corridors"])  # both kinds of row are checked
    available = _post(client, "table", corridors="available").json()["corridors"]
    assert [row["id"] for row in available] == served
