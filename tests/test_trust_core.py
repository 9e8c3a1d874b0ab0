# ruff: noqa: N802 - tests are named after the review items (W1, C4 ...), capitals included
"""Regression tests for the CLI, scenario, cache and batch items of the trust review.

Each test is named after the item it covers (W = wrong answer, C = crash, E = error contract).
"""

from __future__ import annotations

import errno
import itertools
import json
import os
import tempfile
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

import silkway
from silkway import errors
from silkway.analysis.batch import Shipment, plan_batch, read_shipments_text
from silkway.cli import app
from silkway.network import model
from silkway.query import make_query
from silkway.types import Passage

runner = CliRunner()


def _cli(cache_dir: Path, *args: str):
    return runner.invoke(app, [*args, "--cache-dir", str(cache_dir)], env={"COLUMNS": "200"})


def _one_error_line(text: str) -> str:
    lines = [x for x in text.splitlines() if x.strip()]
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


# --------------------------------------------------------------------------------------- W1


def _crosses(coords, *, lon=None, lat=None, between=(0.0, 0.0)) -> bool:
    """Whether a (lat, lon) polyline crosses a meridian (or parallel) inside ``between``."""
    lo, hi = between
    for (la1, lo1), (la2, lo2) in itertools.pairwise(coords):
        if lon is not None and min(lo1, lo2) <= lon < max(lo1, lo2) and abs(lo1 - lo2) < 180:
            y = la1 + (la2 - la1) * (lon - lo1) / (lo2 - lo1)
            if lo < y < hi:
                return True
        if lat is not None and min(la1, la2) <= lat < max(la1, la2):
            x = lo1 + (lo2 - lo1) * (lat - la1) / (la2 - la1)
            if lo < x < hi:
                return True
    return False


# Where a path through each chokepoint must cross a line, from the geometry alone (independent of
# the passage labels that hid the W1 bug): the Cape of Good Hope south of Cape Agulhas (20 E), the
# Suez Canal (30.5 N), Gibraltar (5.6 W) and Bab-el-Mandeb (12.6 N).
GEOMETRY = {
    Passage.CAPE: {"lon": 20.0, "between": (-90.0, -34.5)},
    Passage.SUEZ: {"lat": 30.5, "between": (32.0, 33.0)},
    Passage.GIBRALTAR: {"lon": -5.6, "between": (35.6, 36.4)},
    Passage.BAB_EL_MANDEB: {"lat": 12.6, "between": (42.9, 43.9)},
}


def test_W1_cape_closed_with_suez_means_no_sea_route(net, cache_dir):
    for close in ("suez,cape", "bab-el-mandeb,cape", "gibraltar,cape"):
        r = _cli(cache_dir, "plan", "Shanghai", "Rotterdam", "--modes", "sea", "--close", close)
        assert r.exit_code == 3, (close, r.output)
        assert "no route" in _one_error_line(r.stderr)
    # the Cape alone closed still leaves Suez, and Suez alone closed leaves the Cape
    assert _cli(cache_dir, "plan", "Shanghai", "Rotterdam", "--modes", "sea", "--close",
                "cape").exit_code == 0
    via_cape = silkway.plan(net, "Shanghai", "Rotterdam", modes="sea", close="suez")
    assert all("south_africa" in {p for rl in r.legs for p in rl.directed.leg.passages}
               for r in via_cape.routes)


def test_W1_passage_labels_match_the_geometry_of_every_sea_leg(net):
    for leg in net.legs:
        if leg.mode.value not in ("sea", "ferry"):
            continue
        for passage, line in GEOMETRY.items():
            assert _crosses(leg.coords, **line) == (passage.searoute_name in leg.passages), (
                leg.src, leg.dst, leg.variant, passage)


@pytest.mark.parametrize(("origin", "destination"), [("Shanghai", "Rotterdam"),
                                                     ("Busan", "Mersin"),
                                                     ("Shanghai", "Constanta")])
def test_W1_no_route_uses_a_closed_passage_for_any_combination(net, origin, destination):
    passages = list(Passage)
    outcomes = set()
    for n in range(len(passages) + 1):
        for closed in itertools.combinations(passages, n):
            try:
                result = silkway.plan(net, origin, destination, modes="sea", close=list(closed),
                                      draws=200, max_routes=50, thin=0)
            except silkway.NoRouteError:
                outcomes.add("none")
                continue
            outcomes.add("some")
            for route in result.routes:
                for rl in route.legs:
                    leg = rl.directed.leg
                    assert not {p.searoute_name for p in closed} & leg.passages, (closed, leg)
                    for p in set(closed) & set(GEOMETRY):
                        assert not _crosses(leg.coords, **GEOMETRY[p]), (closed, p, route.label)
    assert outcomes == {"none", "some"}


# --------------------------------------------------------------------------------------- W2


def test_W2_batch_applies_scenario_and_month_at_origin_and_destination_hubs(net):
    for kw in ({"scenario": "caspian-winter"}, {"month": 1}):
        direct = silkway.plan(net, "Aktau", "Baku", **kw).routes[0]
        query = make_query(origin="Aktau", destination="Baku", corridors="none", **kw)
        ship = Shipment(row=1, query=query,
                        departure_date=None if "scenario" in kw else date(2026, 1, 15))
        row = plan_batch(net, [ship])[0]
        assert row["status"] == "ok", row
        assert row["days_p50"] == pytest.approx(direct.transit_days.p50)
        assert row["days_p90"] == pytest.approx(direct.transit_days.p90)
        assert row["cost_usd"] == pytest.approx(direct.cost_usd)
    # and the scenario does change the answer at the ports (so the test can fail)
    base = silkway.plan(net, "Aktau", "Baku").routes[0]
    winter = silkway.plan(net, "Aktau", "Baku", scenario="caspian-winter").routes[0]
    assert winter.transit_days.p50 > base.transit_days.p50 * 1.3


def test_W2_plan_resolves_hub_objects_on_the_scenario_network(net):
    aktau, baku = net.find("Aktau"), net.find("Baku")
    by_hub = silkway.plan(net, aktau, baku, scenario="caspian-winter")
    by_name = silkway.plan(net, "Aktau", "Baku", scenario="caspian-winter")
    assert by_hub.to_dict() == by_name.to_dict()


# --------------------------------------------------------------------------------------- W3


@pytest.fixture()
def pristine(cache_dir):
    return json.loads(model.cache_path(cache_dir).read_text())


def _fake_compile(monkeypatch, compiled):
    calls = []

    def fake(tables, params=None, *, progress=None):
        calls.append(1)
        return compiled

    monkeypatch.setattr(model, "compile_network", fake)
    return calls


def test_W3_hand_edited_cache_is_rebuilt_never_trusted(net, pristine, tmp_path, monkeypatch):
    calls = _fake_compile(monkeypatch, pristine["compiled"])
    path = model.cache_path(tmp_path)
    tmp_path.mkdir(exist_ok=True)
    assert "sha256" in pristine
    for edit in ("distance", "countries"):
        blob = json.loads(json.dumps(pristine))
        leg = next(c for c in blob["compiled"]["legs"] if c["mode"] == "rail")
        if edit == "distance":
            leg["distance_km"] = leg["distance_km"] / 10
        else:
            leg["countries"] = []
        path.write_text(json.dumps(blob))
        before = len(calls)
        loaded = silkway.load_network(tmp_path)
        assert len(calls) == before + 1, edit  # the checksum caught the edit
        assert [g.distance_km for g in loaded.legs] == [g.distance_km for g in net.legs]
        assert json.loads(path.read_text())["sha256"] == pristine["sha256"]
    silkway.load_network(tmp_path)
    assert len(calls) == 2  # the rewritten cache is trusted


# --------------------------------------------------------------------------------------- C4


def _signed(blob):
    blob["sha256"] = model._digest(blob["compiled"])
    return blob


@pytest.mark.parametrize(("edit", "match"), [
    (lambda c: c.pop("coords"), "coords"),
    (lambda c: c.update(mode="plane"), "mode 'plane'"),
    (lambda c: c.update(distance_km=-120.0), "distance_km -120.0"),
    (lambda c: c.update(distance_km=0), "distance of 0"),
    (lambda c: c.update(coords=[[95.0, 10.0], [1.0, 2.0]]), "coords"),
    (lambda c: c.update(index=10**6), "table row"),
])
def test_C4_malformed_cache_with_valid_checksum_is_exit_4_before_any_compile(
        pristine, tmp_path, monkeypatch, edit, match):
    calls = _fake_compile(monkeypatch, pristine["compiled"])
    blob = json.loads(json.dumps(pristine))
    edit(blob["compiled"]["legs"][3])
    path = model.cache_path(tmp_path)
    path.write_text(json.dumps(_signed(blob)))
    with pytest.raises(silkway.ShippedDataError, match=match):
        silkway.load_network(tmp_path)
    r = _cli(tmp_path, "plan", "Toyama", "Bishkek")
    assert r.exit_code == 4, r.output
    line = _one_error_line(r.stderr)
    assert str(path) in line and "network build" in line
    assert not calls


def test_C4_cache_dir_naming_a_file_is_exit_2_before_compiling(tmp_path, monkeypatch, pristine):
    calls = _fake_compile(monkeypatch, pristine["compiled"])
    target = tmp_path / "not-a-dir"
    target.write_text("x")
    for where in (target, target / "below"):
        r = _cli(where, "plan", "Toyama", "Bishkek")
        assert r.exit_code == 2, r.output
        assert "cache directory" in _one_error_line(r.stderr)
    assert not calls


def test_C4_unwritable_cache_dir_is_exit_2_before_compiling(tmp_path, monkeypatch, pristine):
    calls = _fake_compile(monkeypatch, pristine["compiled"])
    real = tempfile.mkstemp

    def denied(*args, **kwargs):
        if kwargs.get("dir") is not None and Path(kwargs["dir"]) == tmp_path / "ro":
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    (tmp_path / "ro").mkdir()
    r = _cli(tmp_path / "ro", "plan", "Toyama", "Bishkek")
    assert r.exit_code == 2, r.output
    assert "not writable" in _one_error_line(r.stderr)
    assert not calls


def test_C4_full_disk_is_one_sentence_and_leaves_no_temp_file(tmp_path, monkeypatch, pristine):
    _fake_compile(monkeypatch, pristine["compiled"])
    real_dump = json.dump

    def full(obj, fh, **kwargs):
        if isinstance(obj, dict) and "sha256" in obj:
            fh.write("{")
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_dump(obj, fh, **kwargs)

    monkeypatch.setattr(json, "dump", full)
    with pytest.raises(silkway.BackendError, match="No space left"):
        silkway.load_network(tmp_path)
    r = _cli(tmp_path, "plan", "Toyama", "Bishkek", "--json")
    assert r.exit_code == 5, r.output
    assert json.loads(_one_error_line(r.stderr))["error"] == "BackendError"
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------- error tree


def test_E_error_tree_and_exit_codes():
    tree = {errors.InputError: (ValueError, 2), errors.UnknownPlaceError: (LookupError, 2),
            errors.ConstraintError: (ValueError, 2), errors.NotFoundError: (LookupError, 2),
            errors.NoRouteError: (LookupError, 3), errors.ShippedDataError: (ValueError, 4),
            errors.BackendError: (OSError, 5)}
    for cls, (builtin, code) in tree.items():
        assert issubclass(cls, errors.SilkwayError) and issubclass(cls, builtin)
        exc = cls("x") if cls is not errors.UnknownPlaceError else cls("x", [])
        assert errors.exit_code(exc) == code
    assert issubclass(errors.UnknownPlaceError, errors.InputError)
    assert issubclass(errors.ConstraintError, errors.InputError)
    assert errors.DataError is errors.ShippedDataError
    for name in ("InputError", "ShippedDataError", "BackendError", "DataError"):
        assert name in silkway.__all__ and name in (errors.__doc__ or "") + "DataError"


def test_E_json_errors_go_to_stderr_as_json(net, cache_dir):
    r = _cli(cache_dir, "plan", "Bishkeck", "Toyama", "--json")
    assert r.exit_code == 2 and r.stdout == ""
    d = json.loads(_one_error_line(r.stderr))
    assert d == {"error": "UnknownPlaceError", "detail": d["detail"], "exit_code": 2}
    assert "did you mean" in d["detail"]
    r = _cli(cache_dir, "plan", "Toyama", "Bishkek", "--modes", "sea", "--json")
    assert r.exit_code == 3 and json.loads(r.stderr)["error"] == "NoRouteError"
    r = _cli(cache_dir, "plan", "Toyama", "Bishkek", "--month", "13", "--json")
    d = json.loads(r.stderr)  # the query's own range check, as in the API and batch rows
    assert r.exit_code == 2 and d["error"] == "ConstraintError" and "month" in d["detail"]


def test_E_huge_place_name_is_rejected_at_a_length_limit(net, cache_dir):
    import time

    t0 = time.perf_counter()
    r = _cli(cache_dir, "plan", "x" * 100_000, "Bishkek")
    elapsed = time.perf_counter() - t0
    assert r.exit_code == 2
    line = _one_error_line(r.stderr)
    assert "at most 100 characters" in line and len(line) < 200
    assert elapsed < 5  # fuzzy search of 100k characters took 11 s
    with pytest.raises(silkway.InputError):
        net.find("y" * 201)


# --------------------------------------------------------------------------------------- C3


def test_C3_user_text_is_never_rich_markup(net, cache_dir, tmp_path):
    r = _cli(cache_dir, "plan", "[/]", "Bishkek")
    assert r.exit_code == 2
    assert "'[/]'" in _one_error_line(r.stderr)
    r = _cli(cache_dir, "plan", "[bold red]x[/]", ":key:")
    assert r.exit_code == 2 and "[bold red]x[/]" in r.stderr
    src = tmp_path / "s.csv"
    src.write_text("origin,destination\n[/],Bishkek\n[bold red]x[/],Bishkek\n:key:,Bishkek\n"
                   "Toyama,Bishkek\n")
    r = _cli(cache_dir, "batch", str(src), "-o", str(tmp_path / "out.csv"), "--serial")
    assert r.exit_code == 0, r.output
    for text in ("'[/]'", "'[bold red]x[/]'", "':key:'"):
        assert text in r.stdout
    assert "🔑" not in r.stdout


def test_C3_help_texts_are_not_markup(cache_dir):
    r = runner.invoke(app, ["sweep", "--help"], env={"COLUMNS": "200"})
    assert r.exit_code == 0
    assert "TYPE:KEY:FACTOR" in r.stdout and "🔑" not in r.stdout
    r = runner.invoke(app, ["plan", "--help"], env={"COLUMNS": "200"})
    assert "[default: ~/.cache/silkway]" in " ".join(r.stdout.split())


def test_W4_unknown_batch_column_is_an_error_with_did_you_mean():
    with pytest.raises(silkway.InputError, match=r"departure.*did you mean departure_date"):
        read_shipments_text("origin,destination,departure\nToyama,Bishkek,2026-01-05\n")


@pytest.mark.parametrize(("code", "hint"), [("ZZ", None), ("EU", "member states"),
                                             ("UK", "did you mean GB"), ("RUS", "did you mean RU"),
                                             ("EL", "did you mean GR"), ("R1", None)])
def test_W4_country_codes_are_checked_against_iso_3166(net, cache_dir, code, hint):
    r = _cli(cache_dir, "plan", "Toyama", "Bishkek", "--avoid", f"RU,{code}")
    assert r.exit_code == 2, r.output
    line = _one_error_line(r.stderr)
    assert f"'{code}'" in line and "ISO 3166-1" in line
    if hint:
        assert hint in line
    with pytest.raises(silkway.ConstraintError):
        silkway.plan(net, "Toyama", "Bishkek", avoid=code)
    assert silkway.Constraints.make(avoid="gb,Kz").avoid == {"GB", "KZ"}
    ships, errs = read_shipments_text(f'origin,destination,avoid\nToyama,Bishkek,"{code}"\n')
    assert not ships and code in errs[0].problem


# ------------------------------------------------------------------------------- C2, W4, S1

_HEAD = "name: x\ntitle: y\nsource: s\n"
_LEG = "{from: KGFRU, to: UZTAS, mode: rail, tariff: rail_ca, gauge_mm: 1520, distance_km: 100, "


@pytest.mark.parametrize(("body", "names"), [
    ("month: true\n", "month"),
    ("month: 13\n", "month"),
    ("add_legs: [" + _LEG + "wait_days_p50: -1, source: s}]\n", "wait_days_p50"),
    ("add_legs: [" + _LEG + "via: ['999 999'], source: s}]\n", "via"),
    ("add_legs: [" + _LEG.replace("100", ".inf") + "source: s}]\n", "distance_km"),
    ("add_legs: [" + _LEG.replace("100", "-5") + "source: s}]\n", "distance_km"),
    ("change: [{target: {tariff: rail_ca}, wait_factor: true, source: s}]\n", "wait_factor"),
    ("change: [{target: {tariff: rail_ca}, wait_factor: .nan, source: s}]\n", "wait_factor"),
    ("close: {countries: [UK]}\n", "did you mean GB"),
])
def test_W4_scenario_values_of_the_wrong_type_or_range_name_the_key(net, body, names):
    with pytest.raises(silkway.InputError, match=names) as info:
        silkway.scenarios.parse_scenario(_HEAD + body, net.tables, label="s.yaml")
    assert "\n" not in str(info.value) and str(info.value).startswith("s.yaml: ")
    with pytest.raises(silkway.InputError, match="name"):
        silkway.scenarios.parse_scenario("name: [1, 2]\ntitle: y\nsource: s\n", net.tables)


@pytest.mark.parametrize(("body", "names"), [
    ("close: {hubs: 5}\n", "close hubs should be a list"),
    ("close: {hubs: [[1, 2]]}\n", "close hubs #1"),
    ("close: {countries: 5}\n", "close countries should be a list"),
    ("close: [RU]\n", "close should be a mapping"),
    ("add_legs: [5]\n", "add_legs #1 should be a mapping"),
    ("add_legs: [" + _LEG.replace("1520", "abc") + "source: s}]\n", "gauge_mm"),
    ("add_legs: [" + _LEG + "wait_days_p50: abc, source: s}]\n", "wait_days_p50"),
    ("change: {target: {tariff: rail_ca}}\n", "change should be a list"),
    ("change: [{target: {tariff: rail_ca, hub: KGFRU}, wait_factor: 2, source: s}]\n",
     "exactly one of"),
    ("teleport: true\n", "unknown key 'teleport'"),
])
def test_C2_scenario_schema_errors_are_one_sentence_exit_2(net, cache_dir, tmp_path, body, names):
    path = tmp_path / "bad.yaml"
    path.write_text(_HEAD + body)
    with pytest.raises(silkway.InputError, match=names):
        silkway.load_scenario(str(path), net.tables)
    r = _cli(cache_dir, "plan", "Almaty", "Poti", "--scenario", str(path))
    assert r.exit_code == 2, r.output
    assert names.split()[0] in _one_error_line(r.stderr)


def test_C2_binary_huge_and_missing_scenario_files_are_exit_2(net, cache_dir, tmp_path):
    cases = {"bin.yaml": bytes(range(256)) * 4, "big.yaml": b"a: " + b"x" * 70_000 + b"\n",
             "list.yaml": b"- 1\n- 2\n", "empty.yaml": b"", "bad.yaml": b"name: [x\n"}
    for name, content in cases.items():
        (tmp_path / name).write_bytes(content)
        r = _cli(cache_dir, "plan", "Almaty", "Poti", "--scenario", str(tmp_path / name))
        assert r.exit_code == 2, (name, r.output)
        assert name in _one_error_line(r.stderr)
    r = _cli(cache_dir, "plan", "Almaty", "Poti", "--scenario", str(tmp_path / "nope.yaml"))
    assert r.exit_code == 2 and "does not exist" in _one_error_line(r.stderr)


def test_S1_shipped_scenario_names_never_follow_paths(net, cache_dir, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("api_key: hunter2\ndb_password: x\n")
    folder = Path(silkway.scenarios.__file__).resolve().parent.parent / "data" / "scenarios"
    rel = os.path.relpath(secret.with_suffix(""), folder)
    assert rel.startswith("..")
    for name in (rel, "../scenarios/caspian-winter", "caspian-winter/../russia-closed",
                 "/etc/passwd", "CASPIAN-WINTER"):
        with pytest.raises(silkway.ConstraintError, match="unknown scenario"):
            silkway.load_scenario(name, net.tables)
        r = _cli(cache_dir, "plan", "Aktau", "Baku", "--scenario", name)
        assert r.exit_code == 2 and "hunter2" not in r.output and "api_key" not in r.output
    assert silkway.load_scenario("caspian-winter", net.tables).month == 1
    # the user's own file is read on the CLI (its keys are named, its values are not echoed)
    r = _cli(cache_dir, "plan", "Aktau", "Baku", "--scenario", str(secret))
    assert r.exit_code == 2 and "hunter2" not in r.output


def test_C2_shipped_scenario_broken_is_exit_4(net, monkeypatch):
    real = silkway.scenarios.parse_scenario

    def broken(text, tables, *, label="scenario"):
        return real(text + "\nteleport: 1\n", tables, label=label)

    monkeypatch.setattr(silkway.scenarios, "parse_scenario", broken)
    with pytest.raises(silkway.ShippedDataError, match="shipped scenario caspian-winter"):
        silkway.load_scenario("caspian-winter", net.tables)


@pytest.mark.parametrize(("fields", "words"), [
    ({"payload_t": float("nan")}, "payload_t must be a finite number"),
    ({"payload_t": "nan"}, "payload_t must be a finite number"),
    ({"thin": float("inf")}, "thin must be a finite number"),
    ({"deadline_days": "inf days"}, "deadline_days must be a finite number"),
    ({"via": ",,"}, "names nothing between its commas"),
    ({"avoid": [","]}, "names nothing between its commas"),
])
def test_W4_non_finite_numbers_and_empty_lists_are_named_not_ranged(fields, words):
    # NaN fails every range check: it must not be reported as "above 30"; an option given as
    # commas alone would otherwise be dropped and the plan run without it.
    with pytest.raises(silkway.InputError, match=words):
        make_query(origin="Toyama", destination="Bishkek", **fields)
    with pytest.raises(silkway.InputError, match="has an empty item"):  # dropped once
        make_query(origin="Toyama", destination="Bishkek", avoid=",,RU,,")
    assert make_query(origin="Toyama", destination="Bishkek", avoid="").avoid == ()
    assert make_query(origin="Toyama", destination="Bishkek", deadline_days="30 d").deadline_days == 30
