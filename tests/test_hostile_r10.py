"""Hostile inputs, round 10. Each test's docstring says what the input did before the fix.

CLI cases run in-process (typer's CliRunner) with the checks of the earlier rounds: exit code,
one line on stderr, nothing on stdout, no traceback.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from cli_errors import invoke


@pytest.fixture(scope="module")
def r10_client(net, cache_dir, tmp_path_factory):
    from api_clients import token_client

    return token_client(net, cache_dir, tmp_path_factory, "r10", "r10-token")


R10_AUTH = {"Authorization": "Bearer r10-token"}


# -- 1. the plan exports carry the histogram and the corridor answers -------------------------

def test_the_csv_export_carries_the_histogram_and_the_corridors(r10_client, cache_dir):
    """``POST /api/plan?format=csv`` with ``histogram: true`` (as the web page's Export sends)
    answered the leg rows only: no histogram, no corridor answer anywhere, and nothing said so;
    ``plan --format csv --histogram`` was refused as showing nothing."""
    body = {"origin": "Aktau", "destination": "Baku", "histogram": True}
    r = r10_client.post("/api/plan?format=csv", json=body)
    assert r.status_code == 200, r.text
    rows = list(csv.DictReader(io.StringIO(r.text)))
    plan = r10_client.post("/api/plan", json=body).json()
    first = rows[0]
    assert first["route"] == "1" and first["route_histogram_counts"]
    edges = plan["routes"][0]["transit_days"]["histogram"]["edges"]
    assert [float(x) for x in first["route_histogram_edges"].split(";")] == edges
    answers = {row["corridor_answer"]: row for row in rows if row["corridor_answer"]}
    assert set(answers) == {c["id"] for c in plan["corridors"]}
    for c in plan["corridors"]:
        if c["route"] is None:
            assert answers[c["id"]]["corridor_reason"] == c["reason"]
            assert answers[c["id"]]["leg"] == ""
    cli = invoke(["plan", "Aktau", "Baku", "--format", "csv", "--histogram"], cache_dir)
    assert cli.exit_code == 0, cli.stderr
    assert cli.stdout == r.text  # the CLI and the API write the same export


def test_the_geojson_export_carries_the_histogram_and_the_corridors(r10_client, cache_dir):
    """``POST /api/plan?format=geojson`` with ``histogram: true`` had neither the histogram nor
    the corridor answers (``corridors: "available"`` and ``"none"`` answered the same bytes)."""
    body = {"origin": "Aktau", "destination": "Baku", "histogram": True}
    fc = r10_client.post("/api/plan?format=geojson", json=body).json()
    plan = r10_client.post("/api/plan", json={**body, "geometry": False}).json()
    props = [f["properties"] for f in fc["features"]]
    assert props[0]["route_histogram_counts"] == \
        plan["routes"][0]["transit_days"]["histogram"]["counts"]
    assert fc["corridors"] == plan["corridors"]
    assert {p["corridor_answer"] for p in props} - {None} <= {c["id"] for c in plan["corridors"]}
    none = r10_client.post("/api/plan?format=geojson",
                           json={**body, "corridors": "none"}).json()
    assert none["corridors"] == [] and not any(f["properties"]["corridor_answer"]
                                               for f in none["features"])
    cli = invoke(["plan", "Aktau", "Baku", "--format", "geojson", "--histogram"], cache_dir)
    assert cli.exit_code == 0, cli.stderr
    assert json.loads(cli.stdout) == fc
