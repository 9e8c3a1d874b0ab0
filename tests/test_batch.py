"""Batch planning: one output row per input row, errors named, figures equal plan()'s, Dask = serial."""

from __future__ import annotations

import contextlib
import csv
import functools
import itertools
import math
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from distributed import LocalCluster

import silkway
from silkway.analysis import batch
from silkway.analysis.batch import (
    COLUMNS,
    RowError,
    Shipment,
    plan_batch,
    plan_batch_dask,
    read_shipments,
    write_results,
)
from silkway.query import make_query

HEADER = ("id,origin,destination,cargo,count,departure_date,avoid,modes,close,payload_t,"
          "max_transshipments,objective,scenario,deadline_days")
# Real hubs, repeated queries (by name and by UN/LOCODE, countries in either order) and bad rows.
LINES = [
    's1,Toyama,Bishkek,FEU,2,,"RU,BY",,,,,,,',
    "s2,Shanghai,Rotterdam,,,,,sea,suez,,,,,",
    "s3,Toyama,Bishkekk,,,,,,,,,,,",
    's4,JPTOY,KGFRU,FEU,3,,"BY,RU",,,,,,,',
    "s5,Busan,Tashkent,TEU,1,2025-03-14,,,,8,2,,,",
    "s6,Xi'an,Duisburg,XEU,,,,,,,,,,",
    "s7,Nagoya,Istanbul,,1,2025-13-01,,,,,,,,",
    "s8,Osh,Osh,,,,,,,,,,,",
    "s9,Kashgar,Osh,,,,,sea,,,,,,",
    's10,Toyama,Bishkek,,1,,"RU,BY",,,,,cost,,',
    "s11,Shanghai,Rotterdam,,4,,,sea,Suez,,,,,",
    "s12,Xi'an,Duisburg,,,,,,,,,co2e,,",
    's13,Toyama,Bishkek,FEU,0,,"RU,BY",,,,,,,',
    "s14,Nagoya,Istanbul,,,,RUS,,,,,,,",
    's15,Toyama,Bishkek,,,,"RU,BY",,,,,fastest,,',
    "s16,,Bishkek,,,,,,,,,,,",
    's17,toyama,BISHKEK,FEU,1,,"RU, BY",,,,,,,',
]
# What silkway.plan is asked for each row that plans (ids -> query).
QUERIES: dict[str, dict[str, Any]] = {
    "s1": {"origin": "Toyama", "destination": "Bishkek", "avoid": "RU,BY"},
    "s2": {"origin": "Shanghai", "destination": "Rotterdam", "modes": "sea", "close": "suez"},
    "s4": {"origin": "Toyama", "destination": "Bishkek", "avoid": "RU,BY"},
    "s5": {"origin": "Busan", "destination": "Tashkent", "cargo": "TEU", "payload_t": 8.0,
           "max_transshipments": 2, "month": 3},
    "s10": {"origin": "Toyama", "destination": "Bishkek", "avoid": "RU,BY", "objective": "cost"},
    "s11": {"origin": "Shanghai", "destination": "Rotterdam", "modes": "sea", "close": "suez"},
    "s12": {"origin": "Xi'an", "destination": "Duisburg", "objective": "co2e"},
    "s17": {"origin": "Toyama", "destination": "Bishkek", "avoid": "RU,BY"},
}
COUNTS = {"s1": 2, "s2": 1, "s4": 3, "s5": 1, "s10": 1, "s11": 4, "s12": 1, "s17": 1}
ERRORS = {
    "s3": "unknown place 'Bishkekk'; did you mean Bishkek",
    "s6": "unknown cargo 'XEU'; use FEU or TEU",
    "s7": "departure_date '2025-13-01' is not a valid YYYY-MM-DD date",
    "s8": "origin and destination are the same hub (Osh)",
    "s9": "no route from Kashgar to Osh by sea only",
    "s13": "count '0' is less than 1 (a whole number of containers, 1 or more)",
    "s14": "RUS",
    "s15": "unknown objective 'fastest'",
    "s16": "origin is empty",
}


@pytest.fixture(scope="module")
def shipments_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("batch") / "shipments.csv"
    path.write_text("\n".join([HEADER, *LINES]) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def serial_rows(net: silkway.Network, shipments_csv: Path) -> list[dict[str, Any]]:
    shipments, errors = read_shipments(shipments_csv)
    return plan_batch(net, shipments, errors=errors)


def _expected_plan(net: silkway.Network, query: dict[str, Any]) -> silkway.PlanResult:
    q = dict(query)
    return silkway.plan(net, q.pop("origin"), q.pop("destination"), **q)


def test_one_row_out_per_row_in_in_order(serial_rows: list[dict[str, Any]]) -> None:
    assert [r["row"] for r in serial_rows] == list(range(1, len(LINES) + 1))
    assert [r["id"] for r in serial_rows] == [line.split(",")[0] for line in LINES]
    assert all(tuple(r) == COLUMNS for r in serial_rows)
    assert {r["id"] for r in serial_rows if r["status"] == "ok"} == set(QUERIES)
    assert {r["id"] for r in serial_rows if r["status"] == "error"} == set(ERRORS)


def test_error_rows_name_row_and_problem(serial_rows: list[dict[str, Any]]) -> None:
    for r in serial_rows:
        if r["status"] != "error":
            assert r["error"] is None
            continue
        message = r["error"]
        assert message.startswith(f"row {r['row']}: "), message
        assert ERRORS[r["id"]] in message, message
        assert "\n" not in message and "Traceback" not in message
        assert r["route"] is None and r["cost_usd"] is None and r["days_p50"] is None


def test_figures_equal_plan_for_the_same_query(net: silkway.Network,
                                               serial_rows: list[dict[str, Any]]) -> None:
    for r in serial_rows:
        if r["status"] != "ok":
            continue
        result = _expected_plan(net, QUERIES[r["id"]])
        best = result.routes[0]
        assert r["origin_hub"] == result.origin.id and r["destination_hub"] == result.destination.id
        assert r["route"] == best.label
        assert r["countries"] == ",".join(best.countries)
        assert r["modes"] == ",".join(best.modes)
        assert r["distance_km"] == best.distance_km
        assert (r["days_p50"], r["days_p90"], r["days_mean"]) == (
            best.transit_days.p50, best.transit_days.p90, best.transit_days.mean)
        assert r["cost_usd"] == best.cost_usd
        assert (r["co2e_wtw_kg"], r["co2e_ttw_kg"]) == (best.co2e_wtw_kg, best.co2e_ttw_kg)
        assert r["transshipments"] == best.transshipments
        assert r["payload_t"] == result.payload_t
        noted = [n["passage"] for n in result.to_dict()["notices"] if 1 in n["routes"]]
        assert r["notices"] == (",".join(noted) or None)
        n = COUNTS[r["id"]]
        assert r["count"] == n
        assert r["cost_usd_total"] == pytest.approx(best.cost_usd * n, rel=1e-12)
        assert r["co2e_wtw_kg_total"] == pytest.approx(best.co2e_wtw_kg * n, rel=1e-12)
        assert r["co2e_ttw_kg_total"] == pytest.approx(best.co2e_ttw_kg * n, rel=1e-12)
    by_id = {r["id"]: r for r in serial_rows}
    assert not {"RU", "BY"} & set(by_id["s1"]["countries"].split(","))
    assert by_id["s2"]["corridor"] == "sea-cape" and "EG" not in by_id["s2"]["countries"]
    assert by_id["s5"]["cargo"] == "TEU" and by_id["s5"]["departure_date"] == "2025-03-14"


def test_each_distinct_query_is_planned_once(net: silkway.Network, shipments_csv: Path,
                                             serial_rows: list[dict[str, Any]],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, str]] = []
    real = batch._plan_module.plan_first

    @functools.wraps(real)
    def counting(network: silkway.Network, query: Any, *args: Any, **kw: Any) -> Any:
        calls.append((query.origin, query.destination))
        return real(network, query, *args, **kw)

    monkeypatch.setattr(batch._plan_module, "plan_first", counting)
    shipments, errors = read_shipments(shipments_csv)
    progress: list[tuple[int, int]] = []
    rows = plan_batch(net, shipments, errors=errors, progress=lambda d, t: progress.append((d, t)))
    assert rows == serial_rows
    # s1/s4/s17 share one plan (names, LOCODEs and case differ), s2/s11 another; s5, s10, s12,
    # s8 (same hub) and s9 (no route) one each; s3's unknown place is never planned.
    assert len(calls) == 7, calls
    assert calls.count(("JPTOY", "KGFRU")) == 2  # by days and by cost
    assert progress[0] == (0, len(LINES)) and progress[-1] == (len(LINES), len(LINES))
    assert all(a[0] <= b[0] for a, b in itertools.pairwise(progress))


def _typed(name: str, text: str) -> Any:
    if text == "":
        return None
    kind = batch._COLUMN_TYPES[name]
    return int(text) if kind == "int64" else float(text) if kind == "float64" else text


def test_parquet_and_csv_round_trip(serial_rows: list[dict[str, Any]], tmp_path: Path) -> None:
    write_results(serial_rows, tmp_path / "plans.parquet")
    table = pq.read_table(tmp_path / "plans.parquet")
    assert tuple(table.column_names) == COLUMNS
    assert str(table.schema.field("distance_km").type) == "double"
    assert str(table.schema.field("count").type) == "int64"
    assert table.to_pylist() == serial_rows

    write_results(serial_rows, tmp_path / "plans.csv")
    with (tmp_path / "plans.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == COLUMNS
        back = [{k: _typed(k, v) for k, v in rec.items()} for rec in reader]
    assert back == serial_rows

    with pytest.raises(silkway.ConstraintError, match=r"must end in \.parquet or \.csv"):
        write_results(serial_rows, tmp_path / "plans.xlsx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plans.csv", "plans.parquet"]


@pytest.mark.parametrize(("content", "match"), [
    (b"id,origin,dest\n1,Toyama,Bishkek\n", r"has no destination column \(found: id, origin, dest\)"),
    (b"id;origin;destination\n1;Toyama;Bishkek\n", r"no origin or destination column.*';'-separated"),
    ("id,origin,destination\n1,K\u00f6ln,Bishkek\n".encode("latin-1"), r"is not UTF-8 text"),
    (b"", r"is empty"),
    (b"\n\n", r"is empty"),
    (b"origin,destination,origin\nToyama,Bishkek,Osh\n", r"repeats column\(s\) origin"),
    (b'origin,destination\n"Toyama,Bishkek\n', r"is not valid CSV"),
])
def test_malformed_csv_is_one_clear_error(tmp_path: Path, content: bytes, match: str) -> None:
    path = tmp_path / "shipments.csv"
    path.write_bytes(content)
    with pytest.raises(silkway.InputError, match=match) as info:
        read_shipments(path)
    assert "\n" not in str(info.value) and str(path) in str(info.value)
    with pytest.raises(silkway.InputError, match=r"shipments file .*missing.csv does not exist"):
        read_shipments(tmp_path / "missing.csv")


def test_row_numbers_are_data_lines(net: silkway.Network, tmp_path: Path) -> None:
    path = tmp_path / "shipments.csv"
    # A BOM, a header in other case, a blank line (not a row, but a line), too many fields,
    # a short row (missing trailing optional fields) and an optional column in capitals.
    path.write_bytes("\ufeffOrigin,Destination,Cargo,ID\nToyama,Bishkek,TEU,x\n\n"
                     "Osaka,Karachi,FEU,x,surplus\nBusan,Tashkent\n".encode())
    shipments, errors = read_shipments(path)
    assert [s.row for s in shipments] == [1, 4]
    assert shipments[0].cargo is silkway.Cargo.TEU and shipments[1].count == 1
    assert errors == [RowError(3, "it has 5 fields but the header has 4", "x", "Osaka", "Karachi")]
    rows = plan_batch(net, shipments, errors=errors)
    assert [(r["row"], r["status"]) for r in rows] == [(1, "ok"), (3, "error"), (4, "ok")]
    assert rows[1]["error"] == "row 3: it has 5 fields but the header has 4"


def test_optional_columns_are_query_fields(net: silkway.Network, tmp_path: Path) -> None:
    path = tmp_path / "shipments.csv"
    path.write_text("origin,destination,departure_date,deadline_days,objective,via,corridor\n"
                    "Toyama,Bishkek,2025-07-02,,,,\n"
                    "Toyama,Bishkek,,60,,,\n"
                    "Toyama,Bishkek,,,p90,,\n"
                    "Nagoya,Istanbul,,,,Aktau,\n"
                    "Nagoya,Istanbul,,,,,middle-corridor\n", encoding="utf-8")
    shipments, errors = read_shipments(path)
    assert not errors
    rows = plan_batch(net, shipments)
    for r, keyword, value in ((rows[0], "month", 7), (rows[1], "deadline_days", 60.0),
                              (rows[2], "objective", "p90")):
        best = silkway.plan(net, "Toyama", "Bishkek", **{keyword: value}).routes[0]
        assert r["status"] == "ok" and r["days_p90"] == best.transit_days.p90, r
        assert r["route"] == best.label
    for r in rows[3:]:
        assert r["status"] == "ok" and r["corridor"] == "middle-corridor", r
        assert "KZ" in r["countries"].split(",") and "AZ" in r["countries"].split(",")


def test_unknown_column_is_an_error_with_did_you_mean(tmp_path: Path) -> None:
    path = tmp_path / "shipments.csv"
    path.write_text("origin,destination,departure\nToyama,Bishkek,2025-01-01\n", encoding="utf-8")
    with pytest.raises(silkway.SilkwayError, match=r"unknown column\(s\) 'departure' \(did you mean "
                                                 r"departure_date\?\)"):
        read_shipments(path)


def test_bad_row_values_name_the_field(tmp_path: Path) -> None:
    path = tmp_path / "shipments.csv"
    path.write_text("origin,destination,payload_t,month,corridor\n"
                    "Toyama,Bishkek,nan,,\n"
                    "Toyama,Bishkek,,13,\n"
                    "Toyama,Bishkek,,,middle\n", encoding="utf-8")
    shipments, errors = read_shipments(path)
    assert [e.row for e in errors] == [1, 2]
    assert "payload_t" in errors[0].problem and "month" in errors[1].problem
    assert [s.row for s in shipments] == [3]  # the corridor id is checked when planned

def test_dask_cluster_gives_the_serial_rows(shipments_csv: Path, cache_dir: Path,
                                            serial_rows: list[dict[str, Any]]) -> None:
    shipments, errors = read_shipments(shipments_csv)
    progress: list[tuple[int, int]] = []
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster:
        assert len(cluster.workers) == 2
        rows = plan_batch_dask(shipments, errors=errors, cache_dir=cache_dir,
                               scheduler=cluster.scheduler_address, partitions=3,
                               progress=lambda d, t: progress.append((d, t)))
    assert rows == serial_rows
    assert progress[0] == (0, len(LINES)) and progress[-1] == (len(LINES), len(LINES))


def test_dask_default_local_cluster_of_worker_processes(shipments_csv: Path, cache_dir: Path,
                                                        serial_rows: list[dict[str, Any]],
                                                        recwarn: pytest.WarningsRecorder) -> None:
    import socket

    shipments, errors = read_shipments(shipments_csv)
    with socket.socket() as taken:  # Dask's dashboard port, taken by another program
        with contextlib.suppress(OSError):
            taken.bind(("0.0.0.0", 8787))
            taken.listen()
        rows = plan_batch_dask(shipments, errors=errors, cache_dir=cache_dir, workers=2)
    assert rows == serial_rows
    # The local cluster serves nothing on every interface and warns of no port in use.
    assert not [w for w in recwarn if "already in use" in str(w.message)]
    assert all(not (isinstance(v, float) and math.isnan(v)) for r in rows for v in r.values())


def test_dask_bad_options_and_empty_batch(cache_dir: Path) -> None:
    with pytest.raises(silkway.ConstraintError, match="workers must be 1 or more"):
        plan_batch_dask([], cache_dir=cache_dir, workers=0)
    with pytest.raises(silkway.ConstraintError,
                       match="cannot connect to the Dask scheduler at bogus://x:1: unknown address"):
        plan_batch_dask([Shipment(row=1, query=make_query(origin="Toyama", destination="Bishkek"))],
                        cache_dir=cache_dir, scheduler="bogus://x:1")
    only_errors = [RowError(1, "origin is empty")]
    assert plan_batch_dask([], cache_dir=cache_dir, errors=only_errors)[0]["error"] == (
        "row 1: origin is empty")


def test_a_row_whose_search_stopped_at_its_limit_says_so(
        net: silkway.Network, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch row never carries a route from a cut-short search without saying so."""
    import silkway.analysis.corridor_search as search_mod

    path = tmp_path / "rows.csv"
    path.write_text("id,origin,destination,objective\ncut,Xi'an,Duisburg,cost\n"
                    "whole,Toyama,Bishkek,days\n", encoding="utf-8")
    shipments, errors = read_shipments(path)
    rows = {r["id"]: r for r in plan_batch(net, shipments, errors=errors)}
    assert rows["cut"]["complete"] == 1 and rows["whole"]["complete"] == 1
    monkeypatch.setattr(search_mod, "MAX_LABELS", 250)
    shipments, errors = read_shipments(path)
    cut = {r["id"]: r for r in plan_batch(net, shipments, errors=errors)}["cut"]
    assert cut["status"] == "ok" and cut["route"] and cut["complete"] == 0


def test_a_count_beyond_any_lane_is_named_not_multiplied() -> None:
    from silkway.analysis.batch import MAX_COUNT, read_shipments_text

    text = (f"origin,destination,count\nToyama,Bishkek,1e9\nToyama,Bishkek,{MAX_COUNT}\n"
            "Toyama,Bishkek,2.5\n")
    shipments, errors = read_shipments_text(text)
    assert [s.count for s in shipments] == [MAX_COUNT]
    assert [e.row for e in errors] == [1, 3]
    assert "more than 10,000,000 containers in one row" in errors[0].problem
    assert "not a whole number of containers" in errors[1].problem
