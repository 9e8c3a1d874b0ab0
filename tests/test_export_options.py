"""Every plan export against every option that chooses what a plan shows: each option given
explicitly is either shown by the format or refused naming both (HTTP 422 problem+json, CLI
exit 2 in one line), and a default never is refused. The table here is the README's."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from cli_errors import invoke, one_error_line
from silkway.analysis import export

TRIP = {"origin": "Aktau", "destination": "Baku"}

SHOWN, REFUSED = "shown", "refused"
TABLE: dict[tuple[str, Any], dict[str, str]] = {
    # (option, the value given): format -> what the format does with it
    ("geometry", True): {"json": SHOWN, "geojson": SHOWN, "csv": REFUSED, "table": REFUSED},
    ("geometry", False): {"json": SHOWN, "geojson": REFUSED, "csv": SHOWN, "table": SHOWN},
    ("histogram", True): {"json": SHOWN, "geojson": SHOWN, "csv": SHOWN, "table": REFUSED},
    ("deadline_days", 5): {"json": SHOWN, "geojson": SHOWN, "csv": SHOWN, "table": SHOWN},
    ("corridors", "none"): {"json": SHOWN, "geojson": SHOWN, "csv": SHOWN, "table": SHOWN},
}
"""The README's table (Exports: what each format shows), as the API and the CLI answer it."""


@pytest.fixture(scope="module")
def client(net, cache_dir):
    from fastapi.testclient import TestClient

    from silkway.api.app import create_app

    return TestClient(create_app(network=net, cache_dir=cache_dir))


def _post(client: Any, fmt: str, **options: Any) -> Any:
    return client.post(f"/api/v1/plan?format={fmt}", json={**TRIP, **options})


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _shows(fmt: str, body: str, option: str, value: Any) -> bool:
    """Whether ``body`` (an answer in ``fmt``) shows ``option`` set to ``value``."""
    if fmt == "csv":
        legs = [r for r in _rows(body) if r["leg"]]
        answers = [r for r in _rows(body) if r["corridor_answer"]]
        return {"geometry": lambda: not any("geometry" in k for k in legs[0]),
                "histogram": lambda: all(r["route_histogram_counts"] for r in legs),
                "deadline_days": lambda: all(r["route_on_time_probability"] for r in legs),
                "corridors": lambda: answers == []}[option]()
    doc = json.loads(body)
    if fmt == "table":
        return {"geometry": lambda: "geometry" not in json.dumps(doc),
                "deadline_days": lambda: any(c["key"] == "on_time" for c in doc["columns"])
                and all(r["on_time"].endswith("%") for r in doc["rows"]),
                "corridors": lambda: doc["corridors"] == []}[option]()
    if fmt == "geojson":
        props = [f["properties"] for f in doc["features"]]
        return {"geometry": lambda: all(f["geometry"]["type"] == "LineString"
                                        for f in doc["features"]),
                "histogram": lambda: all(p["route_histogram_counts"] for p in props),
                "deadline_days": lambda: all(p["route_on_time_probability"] is not None
                                             for p in props),
                "corridors": lambda: doc["corridors"] == [] and not any(
                    p["corridor_answer"] for p in props)}[option]()
    legs = doc["routes"][0]["legs"]
    days = doc["routes"][0]["transit_days"]
    return {"geometry": lambda: ("geometry" in legs[0]) is value,
            "histogram": lambda: bool(days["histogram"]["counts"]),
            "deadline_days": lambda: days["deadline_days"] == 5 and 0 <= days["on_time_probability"] <= 1,
            "corridors": lambda: doc["corridors"] == []}[option]()


CASES = [(option, value, fmt, what) for (option, value), formats in TABLE.items()
         for fmt, what in formats.items()]


@pytest.mark.parametrize(("option", "value", "fmt", "what"), CASES)
def test_the_api_shows_or_refuses_each_option_of_each_format(client, option, value, fmt, what):
    """``format=csv`` with ``geometry: true`` answered rows without geometry, ``format=table``
    with ``histogram: true`` a table without histograms and ``format=geojson`` with
    ``geometry: false`` the geometry all the same (all 200, without a word); and the table had
    no corridor section, so ``corridors`` changed nothing in it."""
    r = _post(client, fmt, **{option: value})
    if what == REFUSED:
        assert r.status_code == 422, r.text[:300]
        assert r.headers["content-type"].startswith("application/problem+json")
        detail = r.json()["detail"]
        assert f"{option}: {json.dumps(value)}" in detail and f"format {fmt}" in detail, detail
        assert r.json()["error"] == "ConstraintError"
        return
    assert r.status_code == 200, r.text[:300]
    assert _shows(fmt, r.text, option, value), (option, value, fmt, r.text[:500])
    if option != "geometry":  # the default, with the same format, shows the option's absence
        default = _post(client, fmt)
        assert default.status_code == 200 and default.text != r.text


def test_the_table_lists_what_the_exports_refuse():
    refused = {(fmt, option, value) for (option, value), formats in TABLE.items()
               for fmt, what in formats.items() if what == REFUSED}
    assert refused == {(fmt, option, rule[0]) for fmt, rules in export.UNSHOWN.items()
                       for option, rule in rules.items()}


@pytest.mark.parametrize("fmt", ["json", "geojson", "csv", "table"])
def test_defaults_are_never_refused(client, fmt):
    """The API's default ``geometry`` is true (the plan JSON carries leg geometry unasked): a
    request that does not send it is no request for geometry, in csv and the table too."""
    r = _post(client, fmt)
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"].split(";")[0] == export.MEDIA_TYPES[fmt].split(";")[0]
    r = client.post("/api/v1/plan", json=TRIP, headers={"Accept": "text/csv"})
    assert r.status_code == 200 and r.text.startswith("route,route_label,leg,")


def test_a_format_asked_by_accept_is_checked_too(client):
    r = client.post("/api/v1/plan", json={**TRIP, "geometry": True},
                    headers={"Accept": "text/csv"})
    assert r.status_code == 422 and "format csv" in r.json()["detail"]
    r = client.post("/api/v1/plan", json={**TRIP, "geometry": False},
                    headers={"Accept": "application/geo+json"})
    assert r.status_code == 422 and "geometry: false" in r.json()["detail"]


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
        # the table formats the unrounded P50, the JSON carries it to 0.01 d: formatted again,
        # the JSON's figure can differ in the last place (7.1459 is "7.1", its 7.15 "7.2")
        v = c["route"]["transit_days"]["p50"]
        assert row["p50"] in {f"{v + e:.1f}" for e in (-0.005, 0.0, 0.005)}
        assert row["gap_p50"] == export.signed(c["gap"]["days_p50"], ".1f")
        assert row["gap_cost"] == export.signed(c["gap"]["cost_usd"], ",.0f")
        assert row["gap_co2e"] == export.signed(c["gap"]["co2e_kg"] / 1000, ".2f")
    served = [c["id"] for c in plan["corridors"] if c["route"] is not None]
    assert served and len(served) < len(plan["corridors"])  # both kinds of row are checked
    available = _post(client, "table", corridors="available").json()["corridors"]
    assert [row["id"] for row in available] == served


@pytest.mark.parametrize(("command", "extra"), [
    ("compare", {"month": 1}), ("emissions", {}),
])
def test_geometry_is_refused_where_the_answer_has_none(client, command, extra):
    """``/api/compare`` and ``/api/emissions`` took ``geometry: true`` and answered without
    any geometry; false (what the page sends) and the default are taken."""
    r = client.post(f"/api/v1/{command}", json={**TRIP, **extra, "geometry": True})
    assert r.status_code == 422, r.text[:300]
    assert r.json()["detail"].startswith(f"{command} does not use geometry: true")
    for body in ({**TRIP, **extra, "geometry": False}, {**TRIP, **extra}):
        assert client.post(f"/api/v1/{command}", json=body).status_code == 200


# -- the command line: the same table ---------------------------------------------------------

CLI_FLAGS = {("geometry", True): ["--geometry"], ("geometry", False): ["--no-geometry"],
             ("histogram", True): ["--histogram"], ("deadline_days", 5): ["--deadline", "5"],
             ("corridors", "none"): ["--corridors", "none"]}


@pytest.mark.parametrize(("option", "value", "fmt", "what"), CASES)
def test_the_cli_shows_or_refuses_each_option_of_each_format(cache_dir, option, value, fmt, what):
    """``plan --format geojson --no-geometry`` printed the geometry all the same."""
    flags = CLI_FLAGS[option, value]
    r = invoke(["plan", "Aktau", "Baku", "--format", fmt, *flags], cache_dir)
    if what == REFUSED:
        line = one_error_line(r, 2)
        assert f"{flags[0]} " in line and f"--format {fmt}" in line, line
        return
    assert r.exit_code == 0 and "Traceback" not in r.stdout + r.stderr, r.stderr[-500:]
    if fmt == "table":  # the printed table: its corridor section, its on-time column
        if option == "corridors":
            assert "Corridors (gap to route 1)" not in r.stdout and " no " not in r.stdout
            assert "Corridors (gap to route 1)" in invoke(
                ["plan", "Aktau", "Baku"], cache_dir).stdout
        elif option == "deadline_days":
            assert "P(≤5d)" in r.stdout
        return
    assert _shows(fmt, r.stdout, option, value), (fmt, flags, r.stdout[:300])


def test_the_page_leaves_out_what_each_format_refuses():
    """The page's own list (``NOT_SHOWN`` in views.js) of what it leaves out of each format
    follows :data:`export.UNSHOWN`: a rule added there without the page would refuse its
    Export (or its routes table)."""
    import re
    from pathlib import Path

    js = (Path(export.__file__).parents[1] / "web" / "static" / "js" / "views.js").read_text()
    found = re.search(r"export const NOT_SHOWN = (\{[^}]*\});", js)
    assert found, "views.js has no NOT_SHOWN table"
    page = json.loads(re.sub(r"(\w+):", r'"\1":', found.group(1)))
    assert set(page) == set(export.FORMATS)
    for fmt in export.FORMATS:
        assert set(page[fmt]) == set(export.UNSHOWN.get(fmt, {})), fmt
