"""Hostile inputs, round 5: the five defects round 4 found and left open (serve's empty token,
CORS values that are not origins, sweep pairs counted twice, HEAD answered 405, control
characters echoed into CSV cells), then the new probes of this round; each test's docstring
names what it showed before the fix.

CLI cases run in-process (typer's CliRunner) with the checks of the earlier rounds: exit code,
one line on stderr, nothing on stdout, no traceback. ``serve`` cases pass a port that a socket of
the test holds, so that a server is never started: unfixed, a refused value reached uvicorn's
bind and failed with exit 5 instead of serving.
"""

from __future__ import annotations

import csv
import io
import socket
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api_clients import token_client
from cli_errors import invoke, one_error_line
from silkway.api.app import create_app
from silkway.errors import ConstraintError, InputError
from silkway.query import make_query

TOKEN = "r5-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def r5_client(net, cache_dir, tmp_path_factory):
    return token_client(net, cache_dir, tmp_path_factory, "r5", TOKEN)


@pytest.fixture
def taken_port():
    """A port this test listens on: ``serve`` can never start a server on it."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        yield held.getsockname()[1]


# -- A1: an empty API token ------------------------------------------------------------------

@pytest.mark.parametrize("token", ["", "   ", "\t", "two words", "t\u00f6ken", "tok\x1ben",
                                   "x" * 494])
def test_serve_refuses_a_token_that_cannot_guard_the_writes(cache_dir, taken_port, token):
    """``serve --api-token ""`` served the write endpoints open: create_app read the empty
    token as "no token"."""
    line = one_error_line(invoke(["serve", "--port", str(taken_port), "--api-token", token],
                                 cache_dir), 2)
    assert "--api-token" in line, line
    if len(token) > 400:
        assert "494 characters long" in line and "at most 493" in line, line
    elif token.strip():
        assert token not in line, line  # the token is never shown
        assert "visible ASCII" in line, line
    else:
        assert "is empty" in line, line


def test_serve_refuses_an_empty_token_variable(cache_dir, taken_port):
    """click reads ``SILKWAY_API_TOKEN=`` as unset: the server started with no token."""
    from cli_errors import runner
    from silkway.cli import app

    r = runner.invoke(app, ["serve", "--port", str(taken_port), "--cache-dir", str(cache_dir)],
                      env={"COLUMNS": "120", "SILKWAY_API_TOKEN": ""})
    assert "SILKWAY_API_TOKEN" in one_error_line(r, 2)


def test_create_app_refuses_an_empty_token(net, cache_dir, tmp_path, monkeypatch):
    with pytest.raises(ConstraintError, match="is empty"):
        create_app(network=net, cache_dir=cache_dir, api_token="",
                   database_url=f"sqlite:///{tmp_path / 'a.db'}")
    from silkway.api.app import app_from_env

    monkeypatch.setenv("SILKWAY_CACHE_DIR", str(cache_dir))
    monkeypatch.setenv("SILKWAY_API_TOKEN", " ")
    with pytest.raises(ConstraintError, match="SILKWAY_API_TOKEN is empty"):
        app_from_env()


def test_the_longest_token_allowed_can_be_sent(net, cache_dir, tmp_path):
    """A token longer than the Authorization header may be was accepted, and every write was
    then refused (422, the header too long) with no hint why."""
    from silkway.api.security import MAX_AUTHORIZATION_CHARS

    token = "t" * (MAX_AUTHORIZATION_CHARS - len("Bearer "))
    client = TestClient(create_app(network=net, cache_dir=cache_dir, api_token=token,
                                   database_url=f"sqlite:///{tmp_path / 'a.db'}"))
    body = {"request": {"origin": "Aktau", "destination": "Baku"}}
    assert client.post("/api/v1/plans", json=body,
                       headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_a_given_token_still_guards_the_writes(r5_client):
    body = {"request": {"origin": "Toyama", "destination": "Bishkek"}}
    assert r5_client.post("/api/v1/plans", json=body).status_code == 401
    assert r5_client.post("/api/v1/plans", json=body,
                          headers={"Authorization": "Bearer "}).status_code == 401
    assert r5_client.post("/api/v1/plans", json=body, headers=AUTH).status_code == 200


# -- A2: CORS values that are not origins ------------------------------------------------------

@pytest.mark.parametrize(("value", "why"), [
    ("https://a.example/", "a path"),
    ("https://a.example/app", "a path"),
    ("javascript:alert(1)", "no scheme://"),
    ("ftp://a.example", "not http or https"),
    ("*,https://a.example", "'*' is given beside other origins"),
    ("https://a.example,*", "'*' is given beside other origins"),
    ("https://a .example", "white space"),
    ("https://a.example?x=1", "a query"),
    ("https://a.example#top", "a fragment"),
    ("https://user:pw@a.example", "a user name"),
    ("HTTPS://a.example", "lower case"),
    ("https://A.example", "lower case"),
    ("https://a.example:443", "leave out the port 443"),
    ("http://a.example:0", "not a number from 1 to 65535"),
    ("http://a.example:99999", "not a number from 1 to 65535"),
    ("http://a.example:08080", "leading zeros"),
    ("https://", "no host"),
    ("https://bücher.example", "xn--"),
    ("https://a..example", "not a host name"),
    ("https://a.example,,https://b.example", "an origin is empty"),
    ("https://a.example,https://a.example", "given twice"),
])
def test_serve_refuses_a_cors_value_that_is_not_an_origin(cache_dir, taken_port, value, why):
    """Starlette compares the Origin header with each listed string exactly: 'https://a.example/'
    never matched, and '*' beside an origin allowed every origin; each was accepted."""
    line = one_error_line(invoke(["serve", "--port", str(taken_port), "--cors", value],
                                 cache_dir), 2)
    assert why in line and "--cors" in line, line


@pytest.mark.parametrize(("text", "origins"), [
    ("https://app.example", ("https://app.example",)),
    ("https://app.example, http://localhost:3000", ("https://app.example",
                                                    "http://localhost:3000")),
    ("http://127.0.0.1:8000,http://[::1]:8000", ("http://127.0.0.1:8000", "http://[::1]:8000")),
    ("https://xn--bcher-kva.example", ("https://xn--bcher-kva.example",)),
    ("*", ("*",)),
    ("", ()),
])
def test_real_origins_are_read_as_given(text, origins):
    from silkway.api.security import cors_origins

    assert cors_origins(text) == origins


def test_create_app_checks_its_origins_and_serves_a_good_one(net, cache_dir, tmp_path):
    with pytest.raises(ConstraintError, match="a path"):
        create_app(network=net, cache_dir=cache_dir, cors_origins=("https://a.example/",),
                   database_url=f"sqlite:///{tmp_path / 'a.db'}")
    client = TestClient(create_app(network=net, cache_dir=cache_dir,
                                   cors_origins=("https://a.example",),
                                   database_url=f"sqlite:///{tmp_path / 'b.db'}"))
    ok = client.get("/api/health", headers={"Origin": "https://a.example"})
    assert ok.headers["access-control-allow-origin"] == "https://a.example"
    other = client.get("/api/health", headers={"Origin": "https://b.example"})
    assert "access-control-allow-origin" not in other.headers


# -- A3: sweep pairs spelled twice, pairs from a hub to itself ---------------------------------

def test_sweep_plans_each_trip_once_and_says_what_it_left_out(net, cache_dir, tmp_path):
    """'Istanbul:Bishkek' and 'İSTANBUL:KGFRU' were two pairs (the trip weighed twice in the
    corridor shares) and 'Almaty:KZALA' a pair with no route, all without a word."""
    out = tmp_path / "sweep.csv"
    r = invoke(["sweep", "--serial", "--vary", "tariff:ferry_caspian:wait_factor=1",
                "--pair", "Istanbul:Bishkek", "--pair", "İSTANBUL:KGFRU",
                "--pair", "Almaty:KZALA", "-o", str(out)], cache_dir)
    assert r.exit_code == 0, r.output
    said = " ".join(r.stdout.split())
    assert "for 1 pair" in said and "2 pairs were left out" in said, said
    assert "'İSTANBUL:KGFRU' is the trip of 'Istanbul:Bishkek'" in said, said
    assert "'Almaty:KZALA' starts and ends at Almaty" in said, said
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {(row["origin"], row["destination"]) for row in rows} == {("Istanbul", "Bishkek")}
    assert not any(row["error"] for row in rows)


def _refused_sweep(pairs_csv: str, cache_dir, tmp_path) -> str:
    """The one error line of a sweep over a pairs file holding ``pairs_csv`` (exit 2)."""
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(pairs_csv, encoding="utf-8")
    return one_error_line(invoke(["sweep", "--serial", "--vary",
                                  "tariff:ferry_caspian:wait_factor=1", "--pairs-file",
                                  str(pairs), "-o", str(tmp_path / "s.csv")], cache_dir), 2)


def test_a_sweep_of_self_pairs_only_is_refused(cache_dir, tmp_path):
    line = _refused_sweep("origin,destination\nAlmaty,KZALA\nBaku,AZBAK\n", cache_dir, tmp_path)
    assert "no pair to plan" in line and "starts and ends at" in line, line
    assert not (tmp_path / "s.csv").exists()


def test_distinct_pairs_keeps_the_first_spelling_and_the_order(net):
    from silkway.analysis.whatif import distinct_pairs

    kept, notes = distinct_pairs(net, [("Toyama", "Bishkek"), ("Aktau", "Baku"),
                                       ("JPTOY", "bishkek"), ("Bishkek", "Toyama"),
                                       ("\u00dcr\u00fcmqi", "Bishkek"),
                                       ("U\u0308ru\u0308mqi", "Bishkek")])  # NFC, then NFD
    assert kept == [("Toyama", "Bishkek"), ("Aktau", "Baku"), ("Bishkek", "Toyama"),
                    ("\u00dcr\u00fcmqi", "Bishkek")]
    assert len(notes) == 2 and "'JPTOY:bishkek'" in notes[0] and "CNURM to KGFRU" in notes[1]


# -- A4: HEAD on GET routes -------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/api/health", "/api/v1/health", "/api/v1/hubs?country=KG",
                                  "/api/v1/scenarios", "/api/v1/corridors", "/static/style.css",
                                  "/docs", "/openapi.json", "/api/v1/ticks?lo=0&hi=10"])
def test_head_is_answered_as_get_without_the_body(r5_client, path):
    """HEAD /api/health (a load balancer's health check) was a 405: FastAPI routes declared
    for GET alone do not answer HEAD."""
    get, head = r5_client.get(path), r5_client.head(path)
    if get.status_code == 404:
        pytest.skip(f"{path} is not served")
    assert head.status_code == get.status_code == 200, (path, head.status_code)
    assert head.content == b""
    for name in ("content-type", "content-length", "content-security-policy"):
        assert head.headers.get(name) == get.headers.get(name), name


def test_head_on_a_post_route_and_a_bad_query_answers_as_get_would(r5_client):
    head = r5_client.head("/api/v1/plan")
    assert head.status_code == 405 and head.content == b"" and head.headers["allow"] == "POST"
    assert r5_client.head("/api/v1/hubs?country=ZZ").status_code == 422


# -- A5: control characters into CSV cells ----------------------------------------------------

@pytest.mark.parametrize(("cell", "code"), [("A\x1b[31mX", "U+001B"), ("B\u202eexe", "U+202E"),
                                            ("C\x00", "U+0000"), ("D\x85d", "U+0085"),
                                            ("E\x07", "U+0007")])
def test_a_batch_cell_with_a_control_character_is_an_error_row(cache_dir, tmp_path, cell, code):
    """An id with an ANSI escape was planned and written into the output CSV as it was; U+202E
    reordered what a spreadsheet shows of the row."""
    src = tmp_path / "in.csv"
    src.write_text(f"id,origin,destination\n{cell},Toyama,Bishkek\nok,Toyama,Bishkek\n",
                   encoding="utf-8")
    out = tmp_path / "out.csv"
    r = invoke(["batch", "--serial", str(src), "-o", str(out)], cache_dir)
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert [row["status"] for row in rows] == ["error", "ok"]
    assert f"id holds the control character {code}" in rows[0]["error"]
    text = out.read_text(encoding="utf-8")
    assert not any(ch in text for ch in "\x1b\u202e\x00\x85\x07"), repr(text[:300])
    assert rows[0]["id"] == cell.encode("unicode_escape").decode("ascii")  # shown, not dropped


def test_an_api_batch_row_with_a_control_character_is_an_error_row(net):
    from silkway.analysis.batch import read_shipments_text

    ships, errors = read_shipments_text("id,origin,destination\nx,Toy\x1bama,Bishkek\n")
    assert ships == [] and "origin holds the control character U+001B" in errors[0].message


def test_a_pairs_file_with_a_control_character_is_refused(cache_dir, tmp_path):
    line = _refused_sweep("origin,destination\nToyama\u202e,Bishkek\n", cache_dir, tmp_path)
    assert "row 1: origin holds the control character U+202E" in line, line


@pytest.mark.parametrize(("value", "written"), [
    ("a\x1b[2Jb", "a\\x1b[2Jb"), ("\u202egnp.exe", "\\u202egnp.exe"), ("x\x00", "x\\x00"),
    ("\x9b31m", "\\x9b31m"), ("line\nnext\ttab", "line\nnext\ttab"), ("=1+1", "'=1+1"),
    ("\t=cmd", "'\t=cmd"), ("-3.5", "'-3.5"), (-3.5, -3.5), ("Łódź", "Łódź"),
])
def test_safe_cell_shows_control_characters_and_keeps_the_rest(value, written):
    from silkway._csvcell import safe_cell

    assert safe_cell(value) == written


# -- B: round-5 probes that found defects -----------------------------------------------------

def test_a_header_of_many_columns_is_read_in_linear_time(tmp_path):
    """A header of 100,000 columns took 94 s (each name counted against all the others) before
    its one-line refusal; 200,000 would have taken six minutes."""
    from silkway.analysis.batch import read_shipments_text

    text = "origin,destination," + ",".join(f"c{i}" for i in range(200_000)) + "\n"
    outcome: list[BaseException] = []

    def read() -> None:
        try:
            read_shipments_text(text)
        except InputError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=read, daemon=True)
    worker.start()
    worker.join(timeout=60)  # a guard against the quadratic read, not a timing
    assert not worker.is_alive(), "the header of 200,000 columns is still being read"
    assert "and 199995 more" in str(outcome[0])


def test_an_overlong_cell_is_an_error_row_that_does_not_echo_it():
    """A count of 5,000 digits was echoed whole into the row's error (and the output's error
    column)."""
    from silkway.analysis.batch import read_shipments_text
    from silkway.analysis.csvrows import MAX_CELL_CHARS

    ships, errors = read_shipments_text("origin,destination,count\nToyama,Bishkek,"
                                        + "9" * 5000 + "\nToyama,Bishkek,1\n")
    assert len(ships) == 1 and len(errors) == 1
    assert errors[0].message == (f"row 1: count is 5,000 characters long; a cell holds at most "
                                 f"{MAX_CELL_CHARS:,}")


@pytest.mark.parametrize("value", ["2026-02-30", "2026-13-01", "2026-02-28 25:00:00"])
def test_a_yaml_date_that_is_not_one_is_named_as_such(value):
    """'month: 2026-02-30' in a scenario was refused as "a number too long to read"."""
    from silkway._yaml import load_yaml

    with pytest.raises(InputError, match="looks like a date but is not one") as info:
        load_yaml(f"name: x\nwhen: {value}\n", label="my.yaml")
    assert "(line 2)" in str(info.value) and "quote it" in str(info.value)


def test_the_cli_names_a_bad_date_in_a_scenario_file(cache_dir, tmp_path):
    scen = tmp_path / "s.yaml"
    scen.write_text("name: x\ntitle: t\nsource: s\nas_of: 2026-02-30\n", encoding="utf-8")
    line = one_error_line(invoke(["plan", "Toyama", "Bishkek", "--scenario", str(scen)],
                                 cache_dir), 2)
    assert "looks like a date but is not one" in line and "too long" not in line, line


@pytest.mark.parametrize(("accept", "media"), [
    ("text/csv;q=0, application/json", "application/json"),   # was CSV: q=0 is "not this"
    ("application/json, text/csv", "application/json"),       # was CSV: the first one wins
    ("text/csv;q=0.5, application/geo+json;q=0.9", "application/geo+json"),  # was CSV
    ("text/csv", "text/csv"),
    ("application/geo+json", "application/geo+json"),
    ("text/html,*/*;q=0.8", "application/json"),
    ("text/csv;q=nonsense", "application/json"),
])
def test_accept_weighs_its_media_ranges(r5_client, accept, media):
    """``Accept: text/csv;q=0, application/json`` (CSV refused) was answered with CSV: the
    header was searched for the words, its weights ignored."""
    r = r5_client.post("/api/v1/plan", json={"origin": "Aktau", "destination": "Baku"},
                       headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(media), r.headers


# -- B: round-5 probes that held --------------------------------------------------------------

def test_concurrent_writes_to_one_output_leave_one_whole_file(tmp_path):
    """Eight threads write different tables to one name: the file is one of them, whole, and no
    temporary file is left beside it."""
    from silkway.analysis.writers import write_table

    out = tmp_path / "same.csv"
    tables = [[{"writer": w, "row": i} for i in range(2000)] for w in range(8)]
    threads = [threading.Thread(target=write_table, args=(t, out)) for t in tables]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == 2000 and len({r["writer"] for r in rows}) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["same.csv"]


@pytest.mark.parametrize(("cells", "words"), [
    ("Toyama,Bishkek,1e309,", "count '1e309' is too large a number to read (it overflows to infinity)"),
    ("Toyama,Bishkek,-0,", "count '-0' is less than 1"),
    ("Toyama,Bishkek,NaN,", "count 'NaN' is not a whole number"),
    ("Toyama,Bishkek,Infinity,", "count 'Infinity' is not a whole number"),
    ("Toyama,Bishkek,1,2026-02-30", "departure_date '2026-02-30' is not a valid"),
    ("Toyama,Bishkek,1,10000-01-01", "departure_date '10000-01-01' is not a valid"),
    ("Toyama,Bishkek,1,２０２６-03-01", "is not a valid YYYY-MM-DD date"),
])
def test_odd_numbers_and_dates_in_a_batch_row_are_named(cells, words):
    from silkway.analysis.batch import read_shipments_text

    ships, errors = read_shipments_text(f"origin,destination,count,departure_date\n{cells}\n")
    assert ships == [] and words in errors[0].message, errors


@pytest.mark.parametrize(("data", "words"), [
    (b"\xef\xbb\xbforigin,destination\r\nToyama,Bishkek\nAktau,Baku\r", None),  # BOM, mixed ends
    ("origin,destination\nM\u00fcnchen,Bishkek\n".encode("latin-1"), "byte 0xfc at offset 20"),
    (b"origin,destination,Origin \nToyama,Bishkek,Aktau\n", "repeats column(s) origin"),
])
def test_file_level_oddities_of_a_batch_file(tmp_path, data, words):
    from silkway.analysis.batch import read_shipments

    src = tmp_path / "in.csv"
    src.write_bytes(data)
    if words is None:
        ships, errors = read_shipments(src)
        assert len(ships) == 2 and errors == []
        return
    with pytest.raises(InputError, match=words.replace("(", r"\(").replace(")", r"\)")):
        read_shipments(src)


@pytest.mark.parametrize(("method", "path", "kw", "status", "words"), [
    ("POST", "/api/v1/plan", {"content": b'{"origin":"Toyama","origin":"Aktau",'
                                         b'"destination":"Bishkek"}'}, 422, "twice"),
    ("POST", "/api/v1/plan", {"content": b'{"origin":' + b"[" * 100_000 + b"]" * 100_000 + b"}"},
     422, "nests more than"),
    ("POST", "/api/v1/plan", {"content": b'{"origin":"Toyama","destination":"Bishkek",'
                                         b'"max_routes":' + b"9" * 400 + b"}"}, 422, "max_routes"),
    ("GET", "/api/v1/hubs?country=KG&country=KZ", {}, 422, "more than once"),
    ("GET", "/api/v1/plans?limit=1&limit=2", {}, 422, "more than once"),
    ("POST", "/api/v1/plan?avoid=RU&avoid=KZ", {"json": {"origin": "Toyama",
                                                         "destination": "Bishkek"}}, 422,
     "unknown query parameter"),
    ("GET", "/static/..%2F..%2F..%2Fpyproject.toml", {}, 404, "there is no"),
    ("GET", "/api/v1/plans/..%2F..%2Fetc%2Fpasswd", {}, 404, "there is no"),
])
def test_api_probes_that_held(r5_client, method, path, kw, status, words):
    if "content" in kw:
        kw = {**kw, "headers": {"Content-Type": "application/json"}}
    r = r5_client.request(method, path, **kw)
    assert r.status_code == status, r.text[:300]
    assert r.headers["content-type"].startswith("application/problem+json")
    assert words in r.json()["detail"], r.json()
    assert "Traceback" not in r.text and str(Path.cwd()) not in r.text


def test_a_share_link_to_no_saved_plan_is_a_404_page(r5_client):
    """``/p/<anything>`` answered 200: a link to a deleted or never-saved plan looked alive to a
    link checker and to HEAD. The page is still sent (it shows the API's error)."""
    saved = r5_client.post("/api/v1/plans", json={"request": {"origin": "Aktau",
                                                             "destination": "Baku"}},
                           headers=AUTH).json()
    ok = r5_client.get(saved["url"])
    assert ok.status_code == 200 and ok.headers["content-type"].startswith("text/html")
    for path in ("/p/no-such-plan", "/p/%00", "/p/" + "a" * 5000, "/p/AAAAAAAAAAAA"):
        r = r5_client.get(path)
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/html"), path
        assert r5_client.head(path).status_code == 404
    assert r5_client.delete(f"/api/v1/plans/{saved['id']}", headers=AUTH).status_code == 200
    assert r5_client.get(saved["url"]).status_code == 404


@pytest.mark.parametrize(("data", "what"), [
    (b"PAR1\x15\x04\x15\x90\x01", "is a Parquet file"),
    (b"PK\x03\x04\x14\x00\x06\x00", "is a ZIP archive (an Excel .xlsx?)"),
    (b"\x1f\x8b\x08\x00", "is gzip-compressed"),
    (b'[{"origin": "Toyama", "destination": "Bishkek"}]', "is JSON text"),
    (b'\xef\xbb\xbf  {"origin": "Toyama"}', "is JSON text"),
    ("origin,destination\nToyama,Bishkek\n".encode("utf-16"), "is UTF-16 text"),
])
@pytest.mark.parametrize("command", ["batch", "assign", "sweep"])
def test_a_file_that_is_not_csv_says_what_it_is(cache_dir, tmp_path, data, what, command):
    """A Parquet input was "not UTF-8 text (byte 0x90 at offset 249)" and a JSON one "not valid
    CSV at line 1: ',' expected after '\"'": true, and no help to someone who saved the wrong
    format. One check in the reader every CSV input shares."""
    src = tmp_path / "in.csv"
    src.write_bytes(data)
    args = {"batch": ["batch", "--serial", str(src), "-o", str(tmp_path / "o.csv")],
            "assign": ["assign", str(src)],
            "sweep": ["sweep", "--serial", "--vary", "tariff:ferry_caspian:wait_factor=1",
                      "--pairs-file", str(src), "-o", str(tmp_path / "o.csv")]}[command]
    line = one_error_line(invoke(args, cache_dir), 2)
    assert what in line and "save it as UTF-8 CSV" in line, line


def test_a_csv_input_over_the_row_limit_is_refused_while_it_is_read(monkeypatch, tmp_path):
    """The 256 MiB file limit let through some 12 million shipment rows, about 18 GB to hold
    (a million took 1.5 GB): the rows are now counted as they are read."""
    from silkway.analysis import csvrows
    from silkway.analysis.batch import read_shipments_text
    from silkway.analysis.flows import read_flows

    monkeypatch.setattr(csvrows, "MAX_TABLE_ROWS", 5)
    ships, errors = read_shipments_text("origin,destination\n" + "Toyama,Bishkek\n" * 5)
    assert len(ships) == 5 and errors == []
    with pytest.raises(InputError, match="has more than 5 rows; split it"):
        read_shipments_text("origin,destination\n" + "Toyama,Bishkek\n" * 3 + "\n" * 50
                            + "Toyama,\n" * 3)  # error rows count, blank lines do not
    src = tmp_path / "flows.csv"
    src.write_text("origin,destination,teu\n" + "Toyama,Bishkek,1\n" * 6, encoding="utf-8")
    with pytest.raises(InputError, match=r"flows file .* has more than 5 rows"):
        read_flows(src)


def test_rows_that_ask_the_same_share_one_query():
    """Each row held its own validated query (about a kilobyte): a million rows of one lane
    took 1.5 GB and 23 s to read, now about a quarter of the memory and a third of the time."""
    from silkway.analysis.batch import read_shipments_text

    ships, _ = read_shipments_text("id,origin,destination,avoid\n1,Toyama,Bishkek,RU\n"
                                   "2,Toyama,Bishkek,RU\n3,Toyama,Bishkek,\n")
    assert ships[0].query is ships[1].query and ships[0].query != ships[2].query
    assert [s.id for s in ships] == ["1", "2", "3"]


@pytest.mark.parametrize(("args", "option", "field"), [
    (["--deadline", "30h"], "--deadline", "deadline_days"),
    (["--month", "13"], "--month", "month"),
    (["--payload-t", "abc"], "--payload-t", "payload_t"),
    (["--max-routes", "x"], "--max-routes", "max_routes"),
    (["--objective", "fast"], "--objective", "objective"),
])
def test_a_bad_option_value_is_named_by_its_option_on_the_cli_and_its_field_in_the_api(
        cache_dir, args, option, field) -> None:
    line = one_error_line(invoke(["plan", "Toyama", "Bishkek", *args], cache_dir), 2)
    assert option in line and field not in line.replace(option, ""), line
    # the API names the JSON field the body gave
    body = {"origin": "Toyama", "destination": "Bishkek",
            field: args[1] if field != "month" else 13}
    with pytest.raises(ConstraintError, match=field):
        make_query(body)
