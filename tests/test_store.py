"""The API's store on SQLite and on a real PostgreSQL server.

PostgreSQL runs when ``SILKWAY_TEST_POSTGRES_URL`` names a scratch database (``.ci/run`` starts
one under ``CI=true``); each test gets its own schema there, dropped afterwards. Without the
variable the PostgreSQL cases skip locally and fail under ``CI=true``.
"""

from __future__ import annotations

import os
import re
import secrets
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from silkway.api.store import MAX_YAML_BYTES, Base, Store
from silkway.errors import BackendError, ConstraintError

PG_ENV = "SILKWAY_TEST_POSTGRES_URL"
ID_RE = re.compile(r"[A-Za-z0-9_-]{12}")
HEAD = "0002"

REQUEST = {"origin": "Toyama", "destination": "Bishkek", "avoid": ["RU", "BY"], "cargo": "FEU"}
RESULT = {"origin": {"id": "JPTOY", "name": "Toyama", "country": "JP", "lat": 36.76, "lon": 137.22},
          "destination": {"id": "KGFRU", "name": "Bishkek", "country": "KG", "lat": 42.87, "lon": 74.59},
          "routes": [{"label": "Sea + rail via Lianyungang, Altynkol", "countries": ["JP", "CN", "KZ", "KG"],
                      "distance_km": 6986.0, "transit_days": {"p50": 16.5, "p90": 22.3, "mean": 17.1},
                      "cost_usd": 4780.0, "legs": [], "note": "Ürümqi – Алматы"}]}


def _postgres_base_url() -> str:
    url = os.environ.get(PG_ENV)
    if url:
        return url
    if os.environ.get("CI") == "true":
        pytest.fail(f"{PG_ENV} is not set under CI=true: .ci/run must start PostgreSQL and export it")
    pytest.skip(f"PostgreSQL store tests need {PG_ENV}=postgresql+psycopg://user:pass@host:port/db "
                "(a scratch database; .ci/run sets it up under CI=true)")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL whose search_path is a fresh schema of the scratch database, dropped afterwards."""
    base = make_url(_postgres_base_url())
    if base.drivername == "postgresql":
        base = base.set(drivername="postgresql+psycopg")
    schema = f"silkway_test_{secrets.token_hex(6)}"
    admin = create_engine(base)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield base.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL for a fresh, empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'silkway.db'}"
    value: str = request.getfixturevalue("pg_url")
    return value


@pytest.fixture
def store(url: str) -> Iterator[Store]:
    s = Store(url)
    try:
        yield s
    finally:
        s.close()


def _parse(ts: str) -> datetime:
    assert ts.endswith("Z"), ts
    parsed = datetime.fromisoformat(ts)
    assert parsed.utcoffset() == timedelta(0)
    return parsed


def _recent(ts: str) -> bool:
    return abs(datetime.now(UTC) - _parse(ts)) < timedelta(minutes=5)


# -- plans --------------------------------------------------------------------------------------


def test_plan_round_trip(store: Store) -> None:
    pid = store.save_plan(REQUEST, RESULT, "Toyama → Bishkek, not via Russia")
    assert ID_RE.fullmatch(pid)
    saved = store.get_plan(pid)
    assert saved is not None
    assert set(saved) == {"id", "title", "request", "result", "created"}
    assert saved["id"] == pid
    assert saved["title"] == "Toyama → Bishkek, not via Russia"
    assert saved["request"] == REQUEST
    assert saved["result"] == RESULT
    assert _recent(saved["created"])


def test_plan_without_title_and_with_dates(store: Store) -> None:
    pid = store.save_plan({"departure": datetime(2025, 3, 1, tzinfo=UTC).date()}, {"routes": []})
    saved = store.get_plan(pid)
    assert saved is not None
    assert saved["title"] is None
    assert saved["request"] == {"departure": "2025-03-01"}


def test_list_plans_newest_first_without_result(store: Store) -> None:
    assert store.list_plans() == []
    ids = [store.save_plan({"n": n}, {"routes": [n]}, f"plan {n}") for n in range(5)]
    listed = store.list_plans()
    assert [p["id"] for p in listed] == ids[::-1]
    assert all(set(p) == {"id", "title", "request", "created"} for p in listed)
    assert listed[0]["request"] == {"n": 4} and listed[0]["title"] == "plan 4"
    assert [p["id"] for p in store.list_plans(limit=2)] == ids[:2:-1]
    created = [_parse(p["created"]) for p in listed]
    assert created == sorted(created, reverse=True)


@pytest.mark.parametrize("limit", [0, -1, 1001, 2.5, "10", True])
def test_list_plans_bad_limit(store: Store, limit: Any) -> None:
    with pytest.raises(ConstraintError, match="number of plans"):
        store.list_plans(limit=limit)


@pytest.mark.parametrize(("request_", "result", "title", "match"), [
    ({"a": float("nan")}, {}, None, "NaN"),
    ({}, {"a": float("inf")}, None, "NaN or infinite"),
    ({"a": object()}, {}, None, "not JSON"),
    ([1, 2], {}, None, "JSON objects"),
    ({}, {}, "x" * 121, "limit is 120"),
    ({}, {}, "two\nlines", "one line"),
    ({}, {}, 7, "must be text"),
])
def test_save_plan_rejects_bad_input(store: Store, request_: Any, result: Any, title: Any,
                                     match: str) -> None:
    with pytest.raises(ConstraintError, match=match):
        store.save_plan(request_, result, title)
    assert store.list_plans() == []


# -- scenarios ----------------------------------------------------------------------------------

YAML = "name: aktau-waits-halved\nchanges:\n  - tariff: ferry_caspian\n    wait_factor: 0.5\n# Ақтау\n"


def test_scenario_round_trip_and_list(store: Store) -> None:
    assert store.list_scenarios() == []
    first = store.save_scenario("aktau-waits-halved", YAML)
    second = store.save_scenario("  cku-railway  ", "name: cku-railway\n")
    saved = store.get_scenario(first)
    assert saved is not None
    assert set(saved) == {"id", "name", "yaml", "created"}
    assert saved["name"] == "aktau-waits-halved"
    assert saved["yaml"] == YAML
    assert _recent(saved["created"])
    listed = store.list_scenarios()
    assert [s["id"] for s in listed] == [second, first]
    assert listed[0]["name"] == "cku-railway"
    assert all(set(s) == {"id", "name", "created"} for s in listed)


def test_scenario_limits(store: Store) -> None:
    assert store.get_scenario(store.save_scenario("n" * 80, "a" * MAX_YAML_BYTES)) is not None
    with pytest.raises(ConstraintError, match="limit is 80"):
        store.save_scenario("n" * 81, YAML)
    with pytest.raises(ConstraintError, match="limit is 65,536"):
        store.save_scenario("big", "a" * (MAX_YAML_BYTES + 1))
    with pytest.raises(ConstraintError, match="limit is 65,536"):  # bytes, not characters
        store.save_scenario("big", "é" * (MAX_YAML_BYTES // 2 + 1))
    for name, yaml_text in [("", YAML), ("   ", YAML), ("x", ""), ("x", " \n"), ("x", "a\x00b"),
                            ("a\x00b", YAML), (None, YAML), ("x", None)]:
        with pytest.raises(ConstraintError):
            store.save_scenario(name, yaml_text)  # type: ignore[arg-type]
    assert len(store.list_scenarios()) == 1


# -- jobs ---------------------------------------------------------------------------------------


def test_job_life_cycle(store: Store) -> None:
    jid = store.create_job("batch", {"rows": 3})
    job = store.get_job(jid)
    assert job is not None
    assert {"id", "kind", "status", "progress", "result", "error", "created", "updated"} <= set(job)
    assert (job["id"], job["kind"], job["status"], job["progress"]) == (jid, "batch", "queued", 0.0)
    assert job["payload"] == {"rows": 3}
    assert job["result"] is None and job["error"] is None
    assert _recent(job["created"]) and job["updated"] == job["created"]

    store.update_job(jid, status="running", progress=0.5)
    job = store.get_job(jid)
    assert job is not None
    assert (job["status"], job["progress"], job["result"]) == ("running", 0.5, None)
    assert _parse(job["updated"]) >= _parse(job["created"])

    rows = [{"row": 1, "status": "ok", "days_p50": 16.5}, {"row": 2, "status": "error", "error": "x"}]
    store.update_job(jid, status="done", progress=1.0, result=rows)
    store.update_job(jid, status="done")  # None leaves progress and result unchanged
    job = store.get_job(jid)
    assert job is not None
    assert (job["status"], job["progress"], job["result"]) == ("done", 1.0, rows)


def test_failed_job_keeps_a_long_error(store: Store) -> None:
    jid = store.create_job("batch", {})
    store.update_job(jid, status="failed", error="ValueError: " + "x" * 10_000)
    job = store.get_job(jid)
    assert job is not None
    assert job["status"] == "failed"
    assert job["error"].startswith("ValueError: x") and len(job["error"]) == 2000


def test_job_bad_input(store: Store) -> None:
    jid = store.create_job("batch", {})
    bad: list[dict[str, Any]] = [
        {"status": "exploded"}, {"status": "running", "progress": 1.5},
        {"status": "running", "progress": float("nan")}, {"status": "running", "progress": -0.1},
        {"status": "done", "result": "rows"}, {"status": "done", "result": [float("inf")]}]
    for kwargs in bad:
        with pytest.raises(ConstraintError):
            store.update_job(jid, **kwargs)
    for bad_kind in ["", "Batch", "batch job", "x" * 41, 3]:
        with pytest.raises(ConstraintError):
            store.create_job(bad_kind, {})  # type: ignore[arg-type]
    with pytest.raises(ConstraintError):
        store.create_job("batch", [])  # type: ignore[arg-type]
    for unknown in ["AAAAAAAAAAAA", "nope", "x' OR '1'='1"]:
        with pytest.raises(ConstraintError, match="unknown job"):
            store.update_job(unknown, status="running")
    job = store.get_job(jid)
    assert job is not None and job["status"] == "queued"


# -- ids ----------------------------------------------------------------------------------------

UNKNOWN = ["AAAAAAAAAAAA", "", "short", "x" * 13, "../../etc/pwd", "abc'; DROP TABLE plans; --", "%",
           None, 42]


@pytest.mark.parametrize("getter", ["get_plan", "get_scenario", "get_job"])
def test_unknown_ids_give_none(store: Store, getter: str) -> None:
    pid = store.save_plan(REQUEST, RESULT)
    sid = store.save_scenario("s", YAML)
    jid = store.create_job("batch", {})
    get: Callable[[Any], Any] = getattr(store, getter)
    for unknown in UNKNOWN:
        assert get(unknown) is None
    # an id of one kind is not an id of another
    for other in {"get_plan": [sid, jid], "get_scenario": [pid, jid], "get_job": [pid, sid]}[getter]:
        assert get(other) is None
    assert store.get_plan(pid) is not None  # and nothing was dropped


def test_ids_are_unique_and_unguessable_looking(store: Store) -> None:
    ids = [store.save_plan({"n": n}, {}) for n in range(100)]
    ids += [store.save_scenario(f"s{n}", YAML) for n in range(50)]
    ids += [store.create_job("batch", {"n": n}) for n in range(50)]
    assert all(ID_RE.fullmatch(i) for i in ids)
    assert len(set(ids)) == len(ids)
    assert ids[:100] != sorted(ids[:100])  # not sequential
    assert len({i[0] for i in ids}) > 20 and len({i[-1] for i in ids}) > 20  # no shared prefix/suffix
    assert len(set("".join(ids))) > 50  # the whole url-safe alphabet is used


# -- concurrency, re-opening, migrations ------------------------------------------------------


def test_concurrent_writes_from_8_threads(store: Store) -> None:
    per_thread = 10
    made: list[list[str]] = [[] for _ in range(8)]
    failures: list[BaseException] = []
    start = threading.Barrier(8)

    def work(k: int) -> None:
        try:
            start.wait()
            for n in range(per_thread):
                made[k].append(store.save_plan({"thread": k, "n": n}, {"routes": []}))
                made[k].append(store.save_scenario(f"t{k}-{n}", YAML))
                jid = store.create_job("batch", {"thread": k})
                for step in range(3):
                    store.update_job(jid, status="running", progress=step / 3)
                store.update_job(jid, status="done", progress=1.0, result=[{"thread": k, "n": n}])
                made[k].append(jid)
                assert store.get_plan(made[k][-3]) is not None
        except BaseException as exc:  # collected and re-raised in the main thread
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not failures, failures
    ids = [i for chunk in made for i in chunk]
    assert len(ids) == len(set(ids)) == 8 * per_thread * 3
    assert len(store.list_plans(limit=1000)) == 8 * per_thread
    assert len(store.list_scenarios(limit=100)) == 8 * per_thread
    for k, chunk in enumerate(made):
        for n in range(per_thread):
            plan = store.get_plan(chunk[3 * n])
            job = store.get_job(chunk[3 * n + 2])
            assert plan is not None and plan["request"] == {"thread": k, "n": n}
            assert job is not None and (job["status"], job["result"]) == ("done", [{"thread": k, "n": n}])


def test_concurrent_opening_migrates_once(url: str) -> None:
    stores: list[Store] = []
    failures: list[BaseException] = []
    start = threading.Barrier(4)

    def open_store() -> None:
        try:
            start.wait()
            stores.append(Store(url))
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    try:
        assert not failures, failures
        pid = stores[0].save_plan(REQUEST, RESULT)
        assert all(s.get_plan(pid) is not None for s in stores)
    finally:
        for s in stores:
            s.close()


def test_reopening_is_idempotent_and_sees_the_data(url: str) -> None:
    first = Store(url)
    pid = first.save_plan(REQUEST, RESULT, "kept")
    sid = first.save_scenario("kept", YAML)
    jid = first.create_job("batch", {"rows": 1})
    second = Store(url)  # migrations run again: nothing to do
    try:
        plan = second.get_plan(pid)
        assert plan is not None and plan["title"] == "kept" and plan["result"] == RESULT
        assert second.get_scenario(sid) == first.get_scenario(sid)
        second.update_job(jid, status="done", progress=1.0, result={"ok": True})
        job = first.get_job(jid)
        assert job is not None and job["result"] == {"ok": True}
        assert [p["id"] for p in second.list_plans()] == [pid]
    finally:
        first.close()
        second.close()
    third = Store(url)
    try:
        assert third.get_plan(pid) is not None
    finally:
        third.close()
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [HEAD]
            assert {"plans", "scenarios", "jobs", "alembic_version"} <= set(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def test_migrations_match_the_models(url: str) -> None:
    Store(url).close()
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
            indexes = {ix["name"] for table in ("plans", "scenarios", "jobs")
                       for ix in inspect(conn).get_indexes(table)}
    finally:
        engine.dispose()
    assert diffs == []
    assert {"ix_plans_id", "ix_plans_created", "ix_scenarios_id", "ix_jobs_id", "ix_jobs_status"} <= indexes


def test_a_second_store_on_the_same_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    with Store(f"sqlite:///{path}") as writer, Store(f"sqlite:///{path}") as reader:
        pid = writer.save_plan(REQUEST, RESULT)
        assert reader.get_plan(pid) is not None
        sid = reader.save_scenario("from the reader", YAML)
        assert writer.get_scenario(sid) is not None
    assert path.is_file()


def test_in_memory_sqlite_is_shared_between_threads() -> None:
    with Store("sqlite://") as s:
        pid = s.save_plan(REQUEST, RESULT)
        seen: list[Any] = []
        t = threading.Thread(target=lambda: seen.append(s.get_plan(pid)))
        t.start()
        t.join()
        assert seen and seen[0] is not None


# -- bad databases ------------------------------------------------------------------------------


@pytest.mark.parametrize(("bad", "match", "kind"), [
    ("not a url", "not a SQLAlchemy URL", ConstraintError),  # the user's setting: exit 2
    ("u:hunter2@localhost/db", "not a SQLAlchemy URL", ConstraintError),
    ("mysql://u:hunter2@localhost/db", "only sqlite", ConstraintError),
    ("sqlite:////nonexistent-dir/for/sure/x.db", "does not exist", ConstraintError),
    ("postgresql+psycopg://u:hunter2@127.0.0.1:1/db", "127.0.0.1", BackendError),
])
def test_bad_url_gives_data_error(bad: str, match: str, kind: type[Exception]) -> None:
    with pytest.raises(kind, match=match) as info:
        Store(bad)
    message = str(info.value)
    assert message.startswith("cannot open the database")
    assert "\n" not in message and "Traceback" not in message
    assert "hunter2" not in message


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("not SQLite at all\n" * 100)
    with pytest.raises(BackendError, match=r"cannot open the database .*notes\.db"):
        Store(f"sqlite:///{path}")


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'future.db'}"
    Store(url).close()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(BackendError, match="newer than this silkway knows"):
        Store(url)


def test_closed_store(store: Store) -> None:
    store.close()
    store.close()
    with pytest.raises(BackendError, match="closed"):
        store.list_plans()
