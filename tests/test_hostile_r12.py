"""Hostile inputs, round 12. Each test's docstring says what the input did before the fix.

CLI cases run in-process (typer's CliRunner) with the checks of the earlier rounds: exit code,
one line on stderr, nothing on stdout, no traceback.
"""

from __future__ import annotations

import csv
import json

import pytest

from cli_errors import invoke, one_error_line


@pytest.fixture(scope="module")
def r12_client(net, cache_dir, tmp_path_factory):
    from api_clients import token_client

    return token_client(net, cache_dir, tmp_path_factory, "r12", "r12-token")


R12_AUTH = {"Authorization": "Bearer r12-token"}
PLAN = {"origin": "Aktau", "destination": "Baku"}
EMPTY_ITEM = "has an empty item ({}): two commas together, or one at an end"


# -- 1. an empty item of a list is refused, everywhere a list is read --------------------------

@pytest.mark.parametrize(("value", "where"), [
    ("RU,,BY", "item 2 of 3"), ("RU,", "the last"), (",RU", "the first"), ("RU, ,BY", "item 2 of 3"),
])
def test_an_empty_item_of_the_avoid_option_is_refused(cache_dir, value, where):
    """``plan Toyama Bishkek --avoid "RU,,BY"`` was planned avoiding RU and BY, the empty item
    (perhaps a third country lost by a script) dropped without a word."""
    line = one_error_line(invoke(["plan", "Toyama", "Bishkek", "--avoid", value], cache_dir), 2)
    assert line == f"error: --avoid {value!r} {EMPTY_ITEM.format(where)}; separate the values " \
                   "by single commas", line


@pytest.mark.parametrize("flag", ["--modes", "--close", "--via", "--exclude-corridor"])
def test_an_empty_item_of_every_list_option_is_refused(cache_dir, flag):
    value = {"--modes": "rail,,road", "--close": "suez,,hormuz", "--via": "Aktau,,Baku",
             "--exclude-corridor": "northern,,sea-cape"}[flag]
    line = one_error_line(invoke(["plan", "Toyama", "Istanbul", flag, value], cache_dir), 2)
    assert f"{flag} {value!r} {EMPTY_ITEM.format('item 2 of 3')}" in line, line


@pytest.mark.parametrize(("body", "words"), [
    ({"avoid": "RU,,BY"}, f"body field avoid: 'RU,,BY' {EMPTY_ITEM.format('item 2 of 3')}"),
    ({"avoid": ["RU", ""]}, "body field avoid: item 2 of the list is empty"),
    ({"avoid": ["RU", "BY,"]}, f"body field avoid: 'BY,' {EMPTY_ITEM.format('the last')}"),
    ({"via": ["Aktau", "  "]}, "body field via: item 2 of the list is empty"),
])
def test_an_empty_item_of_an_api_list_is_a_422(r12_client, body, words):
    """``{"avoid": "RU,,BY"}`` and ``{"avoid": ["RU", "BY,"]}`` were planned without the empty
    item; ``["RU", ""]`` was refused, as "'' names nothing between its commas"."""
    r = r12_client.post("/api/plan", json={"origin": "Toyama", "destination": "Bishkek", **body})
    assert r.status_code == 422, r.text
    assert r.json()["detail"].startswith(words), r.json()["detail"]


def test_an_empty_item_of_a_batch_cell_is_an_error_row(cache_dir, tmp_path):
    """A batch row whose avoid cell is ``"RU,,BY"`` was planned as ``RU,BY`` (status ok)."""
    src, out = tmp_path / "b.csv", tmp_path / "out.csv"
    src.write_text('id,origin,destination,avoid\na,Toyama,Bishkek,"RU,,BY"\nb,Aktau,Baku,\n',
                   encoding="utf-8")
    r = invoke(["batch", str(src), "-o", str(out)], cache_dir)
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [x["status"] for x in rows] == ["error", "ok"]  # an empty cell is still no avoidance
    assert rows[0]["error"] == f"row 1: avoid 'RU,,BY' {EMPTY_ITEM.format('item 2 of 3')}; " \
                               "separate the values by single commas"


def test_an_empty_item_of_a_flow_or_a_hub_filter_is_refused(cache_dir, tmp_path, r12_client):
    """An assignment flow ``avoid`` of ``"RU,"`` was assigned avoiding RU alone, and
    ``hubs --country KG,`` listed Kyrgyzstan's hubs."""
    flows = tmp_path / "f.csv"
    flows.write_text('origin,destination,teu,avoid\nAktau,Baku,10,"RU,"\n', encoding="utf-8")
    line = one_error_line(invoke(["assign", str(flows)], cache_dir), 2)
    assert f"row 1: avoid 'RU,' {EMPTY_ITEM.format('the last')}" in line, line
    line = one_error_line(invoke(["hubs", "--country", "KG,"], cache_dir), 2)
    assert f"the country filter: 'KG,' {EMPTY_ITEM.format('the last')}" in line, line
    import silkway

    with pytest.raises(silkway.InputError, match=r"avoid: item 2 of the list is empty"):
        silkway.Constraints.make(avoid=["RU", " "])


# -- 2. full-width codes read as names are; look-alike letters are explained ------------------

def test_full_width_country_codes_are_read_as_full_width_names_are(net, cache_dir, r12_client):
    """``--avoid ＲＵ`` (full-width, as a Japanese input method types it) was refused as "not an
    ISO 3166-1 alpha-2 country code", while the full-width place ``ＴＯＹＡＭＡ`` was planned: the
    two were read by different rules. Both are NFKC now."""
    import silkway

    r = invoke(["plan", "Toyama", "Bishkek", "--avoid", "ＲＵ,ｂｙ", "--json"], cache_dir)
    assert r.exit_code == 0, r.output
    plan = json.loads(r.stdout)
    assert plan["constraints"]["avoid"] == ["BY", "RU"], plan["constraints"]
    assert all("RU" not in x["countries"] for x in plan["routes"])
    assert silkway.make_query(origin="ＴＯＹＡＭＡ", destination="x", avoid="ＲＵ").avoid == ("RU",)
    rows = r12_client.get("/api/hubs", params={"country": "ｋｇ"}).json()
    assert rows and {h["country"] for h in rows} == {"KG"}
    r = invoke(["plan", "Aktau", "Baku", "--modes", "ｆｅｒｒｙ", "--json"], cache_dir)
    assert r.exit_code == 0 and json.loads(r.stdout)["routes"], r.output


@pytest.mark.parametrize(("code", "why"), [
    ("РУ", "'Р' is CYRILLIC CAPITAL LETTER ER, not a Latin letter"),
    ("RΥ", "'Υ' is GREEK CAPITAL LETTER UPSILON, not a Latin letter"),
    ("R U", "it holds a space; a code is two Latin letters, such as RU"),
    ("R-U", "it holds '-' (HYPHEN-MINUS); a code is two Latin letters, such as RU"),
])
def test_look_alike_country_codes_are_refused_with_the_reason(cache_dir, r12_client, code, why):
    """``--avoid РУ`` (Cyrillic: it prints as a code) was refused as "not an ISO 3166-1 alpha-2
    country code" and nothing more, though a look-alike place name (``Аktau``) is told which
    letter is not Latin."""
    line = one_error_line(invoke(["plan", "Aktau", "Baku", "--avoid", code], cache_dir), 2)
    assert line == f"error: {code!r} is not an ISO 3166-1 alpha-2 country code: {why}", line
    r = r12_client.post("/api/plan", json={**PLAN, "avoid": [code]})
    assert r.status_code == 422 and why in r.json()["detail"], r.text


# -- 3. a number too large or too small for a float is named, not range-checked ---------------

TOO_BIG = "'1e309' is too large a number to read (it overflows to infinity)"
TOO_SMALL = "'1e-400' is too small a number to read (it underflows to 0)"


@pytest.mark.parametrize(("args", "line"), [
    (["plan", "Aktau", "Baku", "--payload-t", "1e-400"], f"error: --payload-t {TOO_SMALL}"),
    (["plan", "Aktau", "Baku", "--deadline", "1e-400d"], f"error: --deadline {TOO_SMALL}"),
    (["plan", "Aktau", "Baku", "--thin", "1e-400"], f"error: --thin {TOO_SMALL}"),
])
def test_a_query_number_that_underflows_is_named(cache_dir, args, line):
    """``--payload-t 1e-400`` was refused as "input should be greater than 0" and ``--thin
    1e-400`` planned as ``--thin 0`` (every route kept), a positive number read as zero."""
    assert one_error_line(invoke(args, cache_dir), 2) == line


@pytest.mark.parametrize(("value", "words"), [("1e309", TOO_BIG), ("1e-400", TOO_SMALL)])
def test_an_option_number_that_a_float_cannot_hold_is_named(cache_dir, tmp_path, value, words):
    """``assign --equilibrium --gap 1e309`` said "gap inf is outside (0, 0.1]" and ``--gap
    1e-400`` "gap 0.0 is outside": values the user had not typed."""
    flows = tmp_path / "f.csv"
    flows.write_text("origin,destination,teu\nAktau,Baku,10\n", encoding="utf-8")
    r = invoke(["assign", str(flows), "--equilibrium", "--gap", value], cache_dir)
    assert r.exit_code == 2 and f"option --gap: {words}" in r.stderr, r.stderr


def test_csv_cells_that_a_float_cannot_hold_are_named(cache_dir, tmp_path):
    """A flow's ``teu`` of ``1e309`` was "not a positive number", a batch ``count`` of ``1e309``
    "not a whole number of containers" and a ``payload_t`` of ``1e-400`` "greater than 0"."""
    flows = tmp_path / "f.csv"
    flows.write_text("origin,destination,teu\nAktau,Baku,1e-400\nAktau,Baku,1e309\n",
                     encoding="utf-8")
    line = one_error_line(invoke(["assign", str(flows)], cache_dir), 2)
    assert line == f"error: no flow can be assigned: row 1: teu {TOO_SMALL}; row 2: teu {TOO_BIG}"
    src, out = tmp_path / "b.csv", tmp_path / "o.csv"
    src.write_text("origin,destination,payload_t,count\nAktau,Baku,1e-400,\nAktau,Baku,,1e309\n"
                   "Aktau,Baku,1e1,\n", encoding="utf-8")
    assert invoke(["batch", str(src), "-o", str(out)], cache_dir).exit_code == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [x["error"] for x in rows] == [f"row 1: payload_t {TOO_SMALL}",
                                          f"row 2: count {TOO_BIG}", ""]


def test_api_numbers_that_underflow_are_named(r12_client):
    """``{"payload_t": 1e-400}`` was "should be greater than 0", ``?limit=1e-400`` "should be
    greater than or equal to 1"; an exact zero (``0e-999``, ``-0.0``) is still zero."""
    r = r12_client.post("/api/plan", content=b'{"origin":"Aktau","destination":"Baku",'
                        b'"payload_t":1e-400}', headers={"Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    assert r.json()["detail"] == ("body field payload_t is 1e-400, too small a number to read "
                                  "(it underflows to 0)")
    r = r12_client.get("/api/plans", params={"limit": "1e-400"})
    assert r.status_code == 422 and r.json()["detail"] == f"query parameter 'limit': {TOO_SMALL}"
    r = r12_client.post("/api/plan", content=b'{"origin":"Aktau","destination":"Baku",'
                        b'"thin":0e-999}', headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text


def test_every_code_of_the_query_is_read_in_nfkc(cache_dir):
    """Once lists were read in NFKC, ``--exclude-corridor ｎｏｒｔｈｅｒｎ`` was read while
    ``--corridor ｍｉｄｄｌｅ-ｃｏｒｒｉｄｏｒ``, ``--cargo ｔｅｕ`` and ``--objective ｃｏｓｔ`` were
    unknown: one rule for every code a query takes."""
    r = invoke(["plan", "Toyama", "Istanbul", "--corridor", "ｍｉｄｄｌｅ-ｃｏｒｒｉｄｏｒ",
                "--cargo", "ｔｅｕ", "--objective", "ｃｏｓｔ", "--json"], cache_dir)
    assert r.exit_code == 0, r.stderr
    plan = json.loads(r.stdout)
    assert plan["constraints"]["corridor"] == "middle-corridor"
    assert (plan["cargo"]["type"], plan["objective"]) == ("TEU", "cost")


def test_the_hub_filters_read_nfkc_alike(r12_client, cache_dir):
    """``hubs --country ｋｇ`` was read (NFKC) once codes were, while ``hubs --kind ｐｏｒｔ``
    was an unknown hub kind."""
    r = invoke(["hubs", "--kind", "ｐｏｒｔ", "--country", "ｊｐ", "--json"], cache_dir)
    assert r.exit_code == 0, r.stderr
    rows = json.loads(r.stdout)
    assert rows and {(h["kind"], h["country"]) for h in rows} == {("port", "JP")}
    r = r12_client.get("/api/hubs", params={"kind": "ｆｅｒｒｙ"})
    assert r.status_code == 200 and {h["kind"] for h in r.json()} == {"ferry"}, r.text


# -- 4. the ticks' bound names the end that is out of it --------------------------------------

@pytest.mark.parametrize(("query", "words"), [
    ("lo=1e300&hi=1.0000000000000001e300", "lo 1e+300 is outside"),
    ("lo=0&hi=9007199254740994", "hi 9.0072e+15 is outside"),
    ("lo=-1e12&hi=0", "lo -1e+12 is outside"),
])
def test_a_tick_range_beyond_the_bound_names_its_end(r12_client, query, words):
    """``GET /api/ticks?lo=1e300&hi=1.0000000000000001e300`` said "tick range must be finite and
    below 1e12 in size" of a range whose size is 0: the bound is on each end, not the size."""
    r = r12_client.get(f"/api/ticks?{query}")
    assert r.status_code == 422, r.text
    assert r.json()["detail"] == (f"{words} the ticks' range of numbers: lo and hi each lie "
                                  "between -1e12 and 1e12")
    assert r12_client.get("/api/ticks?lo=-999999999999&hi=999999999999").status_code == 200


# -- 5. a sweep axis's values are read by the one list reader ---------------------------------

@pytest.mark.parametrize(("values", "words"), [
    ("1,,2", f"sweep axis 'tariff:ferry_caspian:wait_factor': '1,,2' "
             f"{EMPTY_ITEM.format('item 2 of 3')}"),
    ("1,2,", f"sweep axis 'tariff:ferry_caspian:wait_factor': '1,2,' "
             f"{EMPTY_ITEM.format('the last')}"),
    ("", "sweep axis 'tariff:ferry_caspian:wait_factor' gives no values after '='"),
])
def test_a_sweep_axis_with_an_empty_value_says_so(cache_dir, values, words):
    """``--vary tariff:ferry_caspian:wait_factor=1,,2`` said its values "are not numbers", and
    ``...=`` with no value at all "sweep values must lie in [0.01, 100]"."""
    line = one_error_line(invoke(["sweep", "--pair", "Aktau:Baku", "--serial", "--vary",
                                  f"tariff:ferry_caspian:wait_factor={values}"], cache_dir), 2)
    assert line.startswith(f"error: {words}"), line


# -- 6. a request body declared in another charset --------------------------------------------

@pytest.mark.parametrize(("path", "ctype", "what"), [
    ("/api/plan", "application/json; charset=latin-1", "JSON"),
    ("/api/plan", 'application/json;charset="ISO-8859-1"', "JSON"),
    ("/api/scenarios", "application/problem+json; charset=windows-1252", "JSON"),
])
def test_a_json_body_declared_in_another_charset_is_refused(r12_client, path, ctype, what):
    """A body sent ``Content-Type: application/json; charset=latin-1`` was read as UTF-8 and
    planned, though round 11 refused a CSV body declared so: latin-1 bytes that happen to be
    valid UTF-8 (``Ã¼`` for ``ü``) were read as other letters without a word."""
    body = b'{"origin":"Aktau","destination":"Baku"}'
    r = r12_client.post(path, content=body, headers={"Content-Type": ctype, **R12_AUTH})
    assert r.status_code == 422, r.text
    charset = ctype.rsplit("=", 1)[1].strip('"').lower()
    assert r.json()["detail"] == (f"the {what} body is declared charset={charset}; it is read "
                                  "as UTF-8: send it as UTF-8 (charset=utf-8)")
    ok = r12_client.post("/api/plan", content=body,
                         headers={"Content-Type": "application/json; charset=UTF-8"})
    assert ok.status_code == 200, ok.text
    assert r12_client.get("/api/hubs", params={"country": "KG"},
                          headers={"Content-Type": ctype}).status_code == 200  # no body


@pytest.mark.parametrize(("cell", "fix"), [("RU;BY", "RU,BY"), ("RU BY", "RU,BY"),
                                           ("ru|by|kz", "RU,BY,KZ")])
def test_codes_separated_otherwise_than_by_commas_get_the_hint(cache_dir, tmp_path, cell, fix):
    """A batch ``avoid`` cell ``RU;BY`` (a spreadsheet's list separator) was refused as "not an
    ISO 3166-1 alpha-2 country code" and nothing more."""
    src, out = tmp_path / "b.csv", tmp_path / "out.csv"
    src.write_text(f"origin,destination,avoid\nToyama,Bishkek,{cell}\nAktau,Baku,\n",
                   encoding="utf-8")
    assert invoke(["batch", str(src), "-o", str(out)], cache_dir).exit_code == 0
    row = next(csv.DictReader(out.open(encoding="utf-8")))
    assert row["error"] == (f"row 1: {cell.upper()!r} is not an ISO 3166-1 alpha-2 country code: "
                            f"separate the codes by commas, e.g. {fix}"), row["error"]


# -- 7. validation messages in the words of the input, not of pydantic's types ---------------

def test_list_and_empty_field_errors_speak_of_the_input(cache_dir, r12_client):
    """``--avoid`` with 61 codes said "tuple should have at most 60 items after validation, not
    61", an empty ORIGIN "string should have at least 1 character", and every API value error
    began "value error, ": the validator's words, not the input's."""
    many = ",".join(["RU"] * 61)
    line = one_error_line(invoke(["plan", "Toyama", "Bishkek", "--avoid", many], cache_dir), 2)
    assert line == "error: --avoid lists at most 60 items, not 61"
    assert one_error_line(invoke(["plan", "  ", "Baku"], cache_dir), 2) == "error: ORIGIN is empty"
    r = r12_client.post("/api/plan", json={"origin": "Toyama", "destination": "Bishkek",
                                           "via": ["Aktau"] * 9})
    assert r.status_code == 422 and r.json()["detail"] == "body field via lists at most 8 items, " \
                                                         "not 9", r.text
    assert r.json()["errors"] == [{"loc": "body.via", "msg": "lists at most 8 items, not 9"}]
    r = r12_client.post("/api/plan", json={"origin": "", "destination": "Bishkek"})
    assert r.json()["detail"] == "body field origin is empty", r.text
    r = r12_client.post("/api/plan", json={**PLAN, "avoid": ","})
    assert r.json()["detail"] == "body field avoid: ',' names nothing between its commas", r.text


def test_a_flow_cargo_cell_is_read_in_nfkc_as_a_batch_one_is(cache_dir, tmp_path):
    """A flow's ``cargo`` cell ``ｔｅｕ`` was "unknown cargo", while the same cell of a batch row
    (read through the query) was a TEU: the assignment builds its constraints directly."""
    flows = tmp_path / "f.csv"
    flows.write_text("origin,destination,teu,cargo\nAktau,Baku,10,ｔｅｕ\n", encoding="utf-8")
    r = invoke(["assign", str(flows), "--json"], cache_dir)
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["system"]["served_teu"] == 10.0
    import silkway

    assert silkway.Constraints.make(cargo=" ｔｅｕ ").cargo.value == "TEU"


def test_a_full_width_csv_header_is_read_as_its_cells_are(cache_dir, tmp_path):
    """A batch header ``origin,destination,ａｖｏｉｄ`` was "unknown column(s) 'ａｖｏｉｄ'" though the
    cell under it, ``ＲＵ``, would have been read as RU; and ``id`` beside a full-width ``ｉｄ``
    is one column given twice."""
    src, out = tmp_path / "b.csv", tmp_path / "out.csv"
    src.write_text("origin,destination,ａｖｏｉｄ\nToyama,Bishkek,ＲＵ\n", encoding="utf-8")
    assert invoke(["batch", str(src), "-o", str(out)], cache_dir).exit_code == 0
    row = next(csv.DictReader(out.open(encoding="utf-8")))
    assert row["status"] == "ok" and "RU" not in row["countries"].split(","), row
    src.write_text("id,origin,destination,ｉｄ\na,Aktau,Baku,b\n", encoding="utf-8")
    line = one_error_line(invoke(["batch", str(src), "-o", str(out)], cache_dir), 2)
    assert line == f"error: shipments file {src} repeats column(s) id in its header", line


@pytest.mark.parametrize(("close", "words"), [
    ('countries: ["RU,,BY"]', f"close countries: 'RU,,BY' {EMPTY_ITEM.format('item 2 of 3')}"),
    ('countries: ["РУ"]', "close countries: 'РУ' is not an ISO 3166-1 alpha-2 country code: "
                          "'Р' is CYRILLIC CAPITAL LETTER ER, not a Latin letter"),
    ('passages: ["suez,"]', f"close passages: 'suez,' {EMPTY_ITEM.format('the last')}"),
])
def test_a_scenario_close_list_with_an_empty_item_names_its_key(cache_dir, tmp_path, close, words):
    """A scenario's ``close: countries: ["RU,,BY"]`` closed RU and BY, the empty item dropped;
    refused once lists had one reader, its error spoke of "avoid", a query's word, under the
    key ``close countries/passages``."""
    y = tmp_path / "s.yaml"
    y.write_text(f"name: r12-close\ntitle: t\nsource: s\nclose:\n  {close}\n", encoding="utf-8")
    line = one_error_line(invoke(["plan", "Toyama", "Bishkek", "--scenario", str(y)], cache_dir), 2)
    assert line.startswith(f"error: {y}: {words}"), line


def test_a_zero_count_or_month_is_named_as_too_small_not_as_not_whole() -> None:
    from silkway.analysis.batch import read_shipments_text
    from silkway.analysis.flows import read_flows_text

    ships, bad = read_shipments_text("origin,destination,count\nToyama,Bishkek,0\n")
    assert not ships and [e.problem for e in bad] == [
        "count '0' is less than 1 (a whole number of containers, 1 or more)"]
    flows, bad = read_flows_text("origin,destination,teu,month\nXi'an,Baku,10,0\n")
    assert not flows and len(bad) == 1
    assert "month '0' is less than 1" in bad[0].problem
    assert "not a whole number" not in bad[0].problem


def test_a_tick_range_given_high_end_first_is_refused_not_swapped(r12_client):
    r = r12_client.get("/api/ticks?lo=10&hi=2")
    assert r.status_code == 422, r.text
    assert r.json()["detail"] == "lo 10 is above hi 2: give the low end as lo"
    ok = r12_client.get("/api/ticks?lo=2&hi=10")
    assert ok.status_code == 200 and ok.json()[0]["value"] >= 2
    assert r12_client.get("/api/ticks?lo=3&hi=3").status_code == 200  # one value: a range


@pytest.mark.parametrize(("flag", "value", "plain"), [
    ("--month", "７", "7"), ("--draws", "١٠٠٠", "1000"), ("--max-routes", "３", "3")])
def test_digits_of_other_scripts_are_named_with_the_number_to_type(cache_dir, flag, value,
                                                                     plain):
    """``--month ７`` answered pydantic's "input should be a valid integer, unable to parse
    string as an integer", which does not say what is wrong with the 7 the user sees."""
    line = one_error_line(invoke(["plan", "Toyama", "Bishkek", flag, value], cache_dir), 2)
    assert line == (f"error: {flag} {value!r} is not a whole number: digits of other scripts "
                    f"are not read; type {plain!r}"), line


def test_an_api_number_as_a_string_or_in_other_digits_is_named(r12_client):
    """A JSON body's ``"month": "１２"`` answered "input should be a valid integer"."""
    r = r12_client.post("/api/plan", json={"origin": "Toyama", "destination": "Bishkek",
                                           "month": "１２"}, headers=R12_AUTH)
    assert r.status_code == 422, r.text
    assert r.json()["detail"] == ("body field month: takes a whole number (a JSON number, not "
                                  "the string '１２')"), r.text
    r = r12_client.post("/api/plan", json={"origin": "Toyama", "destination": "Bishkek",
                                           "draws": "1e3"}, headers=R12_AUTH)
    assert r.status_code == 422 and "not the string '1e3'" in r.json()["detail"], r.text


def test_a_row_too_short_for_a_required_column_says_so() -> None:
    """``d,Aktau`` under ``id,origin,destination`` was "destination is empty", of a row that
    has no field for it (a comma too few); a short row's missing optional columns stay empty."""
    from silkway.analysis.batch import read_shipments_text
    from silkway.analysis.flows import read_flows_text

    ships, bad = read_shipments_text("id,origin,destination,cargo\nd,Aktau\ne,Aktau,Baku\n")
    assert [e.problem for e in bad] == [
        "it has 2 fields but the header has 4: no field for destination"]
    assert [s.origin for s in ships] == ["Aktau"]  # the row without a cargo field is planned
    flows, bad = read_flows_text("origin,destination,teu\nXi'an,Baku\n")
    assert not flows and [e.problem for e in bad] == [
        "it has 2 fields but the header has 3: no field for teu"]
