"""Hostile input, round 13: stdout closed or left by its reader, scenario keys that are not
text, and an API batch without a shipment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli_errors import invoke, one_error_line
from silkway.errors import InputError

# -- stdout: a reader that stops reading, a stream that is closed -----------------------------


def _silkway(args: list[str], cache_dir: Path, **kw):
    env = {**os.environ, "SILKWAY_CACHE_DIR": str(cache_dir), "COLUMNS": "100"}
    return subprocess.Popen([sys.executable, "-m", "silkway.cli", *args], env=env,
                            stderr=subprocess.PIPE, **kw)


def test_a_reader_that_stops_reading_is_not_an_internal_error(cache_dir):
    """``silkway plan A B | head -1``: the table's write to the closed pipe ended the process
    with exit 1, the code of an internal error, and no word. The reader asked for no more."""
    for args in (["plan", "Toyama", "Aktau"], ["compare", "Toyama", "Aktau", "--month", "1"]):
        p = _silkway(args, cache_dir, stdout=subprocess.PIPE)
        assert p.stdout is not None and p.stderr is not None
        p.stdout.close()  # before the command has planned and written anything
        err = p.stderr.read().decode()
        assert p.wait(timeout=120) == 0, (args, err[-1000:])
        assert err == "", err[-1000:]


def test_a_closed_stdout_is_refused_not_an_internal_error_or_lost(cache_dir):
    """Started with stdout closed (``>&-``), ``plan --json`` was an internal error (exit 1,
    'NoneType' object has no attribute 'write') and ``plan`` or ``hubs`` exit 0 with the
    answer lost unseen."""
    for args in (["plan", "Toyama", "Aktau", "--json"], ["plan", "Toyama", "Aktau"], ["hubs"]):
        p = _silkway(args, cache_dir, stdout=subprocess.DEVNULL,
                     preexec_fn=lambda: os.close(1))
        assert p.stderr is not None
        err = p.stderr.read().decode()
        assert p.wait(timeout=120) == 2, (args, err[-1000:])
        assert "standard output is closed" in err and "Traceback" not in err, err[-1000:]
        assert len(err.strip().splitlines()) == 1, err


# -- scenario keys that YAML reads as something other than text ------------------------------

SC_HEAD = "name: x\ntitle: y\nsource: s\n"


@pytest.mark.parametrize(("key", "word", "kind"), [
    ("true", "true", "true/false"),  # was "#2: keys should be strings" (True read as index 1)
    ("1", "1", "a number"),  # was "#2" as well
    ("~", "null", "empty"),  # was "None: keys should be strings"
    ("2025-01-01", "2025-01-01", "a date"),  # was "datetime.date(2025, 1, 1): ..."
])
def test_a_scenario_key_that_is_not_text_is_named_as_written(net, tmp_path, cache_dir, key,
                                                               word, kind):
    from silkway.analysis.scenarios import parse_scenario

    with pytest.raises(InputError) as top:
        parse_scenario(f"{SC_HEAD}{key}: 2\n", net.tables, label="my.yaml")
    assert str(top.value) == (f"my.yaml: the key {word} is {kind}, not a name such as month "
                              "or change")
    nested = f"{SC_HEAD}change:\n  - target: {{{key}: rail_ca}}\n    wait_factor: 2\n    source: s\n"
    with pytest.raises(InputError) as inner:
        parse_scenario(nested, net.tables, label="my.yaml")
    assert str(inner.value) == f"my.yaml: the key {word} in change #1 target is {kind}, not a name"
    path = tmp_path / "keys.yaml"
    path.write_text(f"{SC_HEAD}{key}: 2\n", encoding="utf-8")
    line = one_error_line(invoke(["plan", "Toyama", "Aktau", "--scenario", str(path)],
                                 cache_dir), 2)
    assert f"the key {word} is {kind}" in line


# -- an API batch without a shipment ---------------------------------------------------------


@pytest.fixture(scope="module")
def client(cache_dir, tmp_path_factory):
    from fastapi.testclient import TestClient

    from silkway.api.app import create_app

    db = tmp_path_factory.mktemp("r13-db") / "saved.sqlite"
    app = create_app(cache_dir=cache_dir, database_url=f"sqlite:///{db}", api_token=TOKEN)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


TOKEN = "round-13-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.mark.parametrize("body", ["id,origin,destination\n", "id,origin,destination\n\n,,\n",
                                  "\ufeffid,origin,destination\r\n"])
def test_an_api_batch_of_a_header_alone_is_refused_not_an_empty_job(client, body):
    """A batch CSV of a header and no row was queued as a job, "done" with no rows, where the
    CLI's batch of the same file is exit 2 (and an assignment of no flow is refused at once)."""
    for kw in ({"content": body.encode(), "headers": {**AUTH, "Content-Type": "text/csv"}},
               {"json": {"csv": body}, "headers": AUTH}):
        r = client.post("/api/v1/batch", **kw)
        assert r.status_code == 422, r.text[:300]
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "no shipment rows" in r.json()["detail"]
    ok = client.post("/api/v1/batch", json={"csv": "id,origin,destination\n1,Toyama,Aktau\n"},
                     headers=AUTH)
    assert ok.status_code == 202, ok.text[:300]


# -- a deadline's unit is read once -----------------------------------------------------------


@pytest.mark.parametrize("typed", ["30dd", "30ddays", "30daysd", "30dayd", "d", "days"])
def test_a_deadline_with_more_than_one_unit_is_refused_quoting_what_was_typed(cache_dir, typed):
    """The units were stripped one after another: ``30ddays`` was planned as a 30-day deadline,
    and ``30dd`` was refused as "'30d' is not a number", the very form the help offers."""
    line = one_error_line(invoke(["plan", "Toyama", "Aktau", "--deadline", typed], cache_dir), 2)
    assert line == f"error: --deadline {typed!r} is not a number", line


@pytest.mark.parametrize("typed", ["30d", "30 d", "30D", "30days", "30 Days", "30 day", " 30 "])
def test_a_deadline_with_one_unit_is_still_read(typed):
    from silkway.query import PlanQuery

    assert PlanQuery(origin="a", destination="b", deadline_days=typed).deadline_days == 30.0


# -- true or false, named as such -------------------------------------------------------------


def test_a_batch_cell_that_is_not_true_or_false_says_what_to_type(tmp_path):
    """``reefer: maybe`` was "input should be a valid boolean, unable to interpret input":
    neither the cell nor what to type instead."""
    from silkway.analysis.batch import read_shipments

    src = tmp_path / "bools.csv"
    src.write_text("id,origin,destination,reefer,include_planned\n1,Toyama,Aktau,maybe,\n"
                   "2,Toyama,Aktau,,nope\n3,Toyama,Aktau,yes,false\n", encoding="utf-8")
    ships, errors = read_shipments(src)
    assert [s.id for s in ships] == ["3"] and ships[0].query.reefer is True
    assert [e.message for e in errors] == [
        "row 1: reefer 'maybe' is not true or false: type true or false (or yes or no)",
        "row 2: include_planned 'nope' is not true or false: type true or false (or yes or no)"]


@pytest.mark.parametrize(("sent", "named"), [("yes", "the string 'yes'"), (1, "1"),
                                             (None, "null"), ([], "an array")])
def test_an_api_boolean_of_another_json_type_says_what_to_send(client, sent, named):
    """The API said "input should be a valid boolean" of ``"reefer": "yes"`` or ``1``."""
    r = client.post("/api/v1/plan", json={"origin": "Toyama", "destination": "Aktau",
                                          "reefer": sent})
    assert r.status_code == 422, r.text[:300]
    assert r.json()["detail"] == (f"body field reefer: takes true or false (a JSON boolean, "
                                  f"not {named})")


# -- database URLs: a password as a query argument, a folder that is not there ---------------


@pytest.mark.parametrize("url", [
    "postgresql+psycopg://127.0.0.1:1/db?password=hunter2",
    "postgresql://bob@127.0.0.1:1/db?sslmode=disable&password=hunter2&sslpassword=hunter2",
])
def test_a_password_given_as_a_query_argument_is_never_shown(url):
    """libpq reads ``?password=``; the error named the URL with it (``cannot open the database
    postgresql+psycopg://bob@127.0.0.1:1/db?password=s3cret: connection failed``)."""
    from silkway.api.store import Store
    from silkway.errors import BackendError

    with pytest.raises(BackendError) as info:
        Store(url)
    assert "hunter2" not in str(info.value) and "password=***" in str(info.value)


def test_a_sqlite_url_is_read_as_written_or_refused(tmp_path, cache_dir):
    """``sqlite:////no/such/dir/x.db`` made the missing folders unasked (a typo'd path became a
    new database), and ``?password=...`` was ignored with a warning that named a source file,
    showing the password."""
    from silkway.api.app import create_app
    from silkway.api.store import Store

    missing = tmp_path / "no" / "such" / "dir" / "x.db"
    with pytest.raises(InputError, match=r"the folder .* does not exist"):
        create_app(cache_dir=cache_dir, database_url=f"sqlite:///{missing}")
    assert not (tmp_path / "no").exists()
    with pytest.raises(InputError, match=r"SQLite does not read the URL's argument.*'password'") \
            as info:
        Store(f"sqlite:///{tmp_path / 'x.db'}?password=hunter2")
    assert "hunter2" not in str(info.value)
    with Store(f"sqlite:///{tmp_path / 'x.db'}?timeout=5"):  # an argument the driver reads
        pass
    p = _silkway(["serve", "--port", "1", "--database-url", f"sqlite:///{missing}"], cache_dir,
                 stdout=subprocess.PIPE)
    assert p.stderr is not None
    err = p.stderr.read().decode()
    assert p.wait(timeout=120) == 2 and "does not exist" in err and "Warning" not in err, err


# -- sweep values a float cannot hold, or outside the range, are named ------------------------


@pytest.mark.parametrize(("values", "words"), [
    ("1e309", "sweep axis 'tariff:rail_kz:cost_factor': '1e309' is too large a number to "
              "read (it overflows to infinity)"),  # was "'1e309' are not numbers"
    ("1e-400", "'1e-400' is too small a number to read (it underflows to 0)"),
    ("1,2,-1", "sweep axis 'tariff:rail_kz:cost_factor': the value -1 is outside "
               "[0.01, 100]"),  # was "sweep values must lie in [0.01, 100]", of which?
    ("1:200:3", "the value 100.5 is outside [0.01, 100]"),
])
def test_a_sweep_value_is_named_when_it_cannot_be_used(cache_dir, values, words):
    r = invoke(["sweep", "--serial", "--pair", "Toyama:Aktau", "--vary",
                f"tariff:rail_kz:cost_factor={values}"], cache_dir)
    assert words in one_error_line(r, 2)


# -- whole-number options of the command line -------------------------------------------------


@pytest.mark.parametrize(("args", "typed", "hint"), [
    (["emissions", "Toyama", "Aktau", "--route"], "1e0", "; type 1"),
    (["emissions", "Toyama", "Aktau", "--route"], "2.5", ""),
    (["assign", "flows.csv", "--max-routes"], "1e1", "; type 10"),
    (["sweep", "--pair", "Toyama:Aktau", "--vary", "tariff:rail_kz:cost_factor=1,2",
      "--workers"], "2.5", ""),
])
def test_a_whole_number_option_given_otherwise_is_named_in_its_own_words(cache_dir, args, typed,
                                                                         hint):
    """``--route 1e0`` or ``--workers 2.5`` were the parser's "Invalid value for '--route':
    Input should be a valid integer, unable to parse string as an integer"."""
    line = one_error_line(invoke([*args, typed], cache_dir), 2)
    assert line == f"error: option {args[-1]} takes a whole number, not {typed!r}{hint}", line


def test_a_whole_number_option_in_digits_is_still_read(cache_dir):
    for typed in ("2", " 2 ", "2.0"):
        r = invoke(["emissions", "Toyama", "Aktau", "--draws", "100", "--route", typed, "--json"],
                   cache_dir)
        assert r.exit_code == 0, r.stderr


# -- a batch job's CSV before the job is done -------------------------------------------------


def test_the_csv_of_a_job_not_done_is_a_409_not_its_json(client):
    """``GET /api/jobs/{id}?format=csv`` (or ``Accept: text/csv``) of a job still queued, or
    failed, answered the job's JSON with 200: a script saving the CSV saved JSON."""
    store, owner = client.app.state.store, client.app.state.jobs.owner  # (this server's jobs)
    queued = store.create_job("batch", {"rows": 1}, owner=owner)
    failed = store.create_job("batch", {"rows": 1}, owner=owner)
    store.update_job(failed, status="failed", error="the plan failed")
    for kw in ({"params": {"format": "csv"}}, {"headers": {"Accept": "text/csv"}}):
        r = client.get(f"/api/v1/jobs/{queued}", **kw)
        assert r.status_code == 409, r.text[:300]
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["detail"].endswith("is still queued: ask again when its status is done")
        r = client.get(f"/api/v1/jobs/{failed}", **kw)
        assert r.status_code == 409 and "is failed, so it has none" in r.json()["detail"]
    assert client.get(f"/api/v1/jobs/{queued}").json()["status"] == "queued"


@pytest.mark.parametrize(("written", "words"), [
    ("1.5", "month should be a whole number, not 1.5"),
    ("1.0", "month should be a whole number written without a decimal point (1), not 1.0"),
])
def test_a_scenario_month_with_a_fraction_is_named_by_its_value(net, written, words):
    """``month: 1.5`` said "month should be a whole number, not a number"."""
    from silkway.analysis.scenarios import parse_scenario

    with pytest.raises(InputError) as info:
        parse_scenario(f"{SC_HEAD}month: {written}\n", net.tables, label="my.yaml")
    assert str(info.value) == f"my.yaml: {words}"
