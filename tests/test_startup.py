"""Start-up: a one-shot command imports what it uses, and the network cache loads without
re-encoding or recompiling (the timings themselves are in benchmarks/bench_plan.py --cli)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import silkway
from silkway.analysis import assign as assign_lib
from silkway.cli import app, group_for
from silkway.cli import assign as assign_cli
from silkway.network import model

_PROBE = """
import contextlib, gc, io, json, os, sys
from silkway.cli import main
sys.argv = ["silkway", *json.loads(sys.argv[1])]
buf = io.StringIO()
try:
    with contextlib.redirect_stdout(buf):
        main()
    code = 0
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "out": buf.getvalue(), "modules": sorted(sys.modules),
                  "gc": gc.isenabled(), "blas": os.environ.get("OPENBLAS_NUM_THREADS")}))
"""

NOT_FOR_A_PLAN = (
    # the build: sea routes, rail graphs, country outlines
    "silkway.network.sea", "silkway.network.base", "silkway.network.countries", "searoute",
    "networkx", "shapely", "scipy.spatial",
    # other commands' layers
    "silkway.analysis.whatif", "silkway.analysis.assign", "silkway.analysis.emissions",
    "silkway.analysis.batch", "silkway.analysis.calibrate", "silkway.api", "scipy.optimize",
    "dask", "distributed", "fastapi",
    # scenario files (YAML and their schema), the contract model, fuzzy place matching
    "yaml", "silkway._yaml", "silkway.analysis.scenario_schema", "silkway.result", "rapidfuzz",
    # the progress bars of a build or a batch
    "rich.progress",
    # the other commands' modules: a one-shot imports its own (silkway.cli.planning)
    "silkway.cli.analysis", "silkway.cli.data", "silkway.cli.assign",
    # tables and files of batches and exports, charts, the database, the server, the base
    # networks of a build
    "pandas", "pyarrow", "matplotlib", "geopandas", "sqlalchemy", "alembic", "psycopg",
    "uvicorn", "starlette", "scgraph_data", "countryinfo", "scipy.stats", "scipy.interpolate",
)


def _run(cache_dir: Path, *args: str) -> dict[str, object]:
    argv = json.dumps([*args, "--cache-dir", str(cache_dir)])
    done = subprocess.run([sys.executable, "-c", _PROBE, argv], capture_output=True, text=True,
                          timeout=300, check=True)
    return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]


@pytest.mark.parametrize("fmt", [(), ("--json",)])
def test_a_plan_from_cache_imports_only_what_it_uses(net, cache_dir, fmt):
    got = _run(cache_dir, "plan", "Toyama", "Bishkek", "--avoid", "RU,BY", *fmt)
    assert got["code"] == 0
    assert "Bishkek" in str(got["out"])
    loaded = set(got["modules"])  # type: ignore[call-overload]
    assert "silkway.analysis.plan" in loaded and "scipy.sparse.csgraph" in loaded  # it planned
    assert sorted(m for m in NOT_FOR_A_PLAN if m in loaded) == []
    assert got["gc"] is False  # a one-shot runs without the cyclic collector
    assert got["blas"] == os.environ.get("OPENBLAS_NUM_THREADS", "1")  # and BLAS on one thread


def test_other_commands_run_with_the_collector(net, cache_dir):
    got = _run(cache_dir, "network", "info", "--json")
    assert got["code"] == 0 and got["gc"] is True
    assert got["blas"] == os.environ.get("OPENBLAS_NUM_THREADS")  # as the user set it, or not


def test_a_network_build_turns_the_collector_back_on(pristine, tmp_path, monkeypatch):
    import gc

    from silkway.cli import _app

    def fake(tables, params=None, *, progress=None):
        assert progress is not None
        progress("sea legs", 0, 1)
        return pristine["compiled"]

    monkeypatch.setattr(model, "compile_network", fake)
    gc.disable()
    try:
        _app._load(tmp_path)
        assert gc.isenabled()
    finally:
        gc.enable()


def test_a_misspelt_place_still_gets_did_you_mean(net, cache_dir):
    got = _run(cache_dir, "plan", "Toyamma", "Bishkek")
    assert got["code"] == 2
    assert "rapidfuzz" in got["modules"]  # type: ignore[operator]


@pytest.mark.parametrize("args", [
    ["plan", "--help"], ["plan", "Toyama"], ["plan", "Toyama", "Bishkek", "--bogus"],
    ["plan", "Toyama", "Bishkek", "--avoid", "XX", "--json"], ["plan", "Toyamma", "Bishkek"],
    ["plan", "Toyama", "Bishkek", "--max-routes", "2", "--corridors", "none"],
    ["network"], ["network", "info", "--json"], ["assign", "--help"], ["corridors", "--json"],
])
def test_the_group_of_one_command_answers_as_the_whole_group(net, cache_dir, args):
    one = group_for(args)
    assert one is not app and [c.name for c in one.registered_commands] in ([args[0]], [])
    runner = CliRunner()
    env = {"COLUMNS": "120", "SILKWAY_CACHE_DIR": str(cache_dir)}
    a, b = runner.invoke(one, args, env=env), runner.invoke(app, args, env=env)
    assert (a.exit_code, a.stdout, a.stderr) == (b.exit_code, b.stdout, b.stderr)


def test_the_whole_group_has_every_command_once():
    every = ["plan", "emissions", "corridors", "scenarios", "compare", "sweep", "batch", "hubs",
             "serve", "calibrate", "assign"]
    for args in ([], ["network", "info"], ["--help"], ["network", "build"]):
        group_for(args)  # one command's group or the whole one: nothing registered twice
    assert [c.name for c in app.registered_commands] == every
    assert [g.name for g in app.registered_groups] == ["network"]
    network = app.registered_groups[0].typer_instance
    assert [c.name for c in network.registered_commands] == ["build", "info"]


def test_anything_but_a_command_gets_the_whole_group():
    for args in ([], ["--help"], ["--version"], ["plna", "Toyama", "Bishkek"]):
        assert group_for(args) is app


def test_the_public_names_are_there_on_first_use():
    for name in silkway.__all__:
        assert getattr(silkway, name) is not None, name
    assert set(silkway.__all__) <= set(dir(silkway))
    assert silkway.plan.__module__ == "silkway.analysis.plan"
    with pytest.raises(AttributeError, match="no attribute 'plann'"):
        silkway.plann  # noqa: B018 - the attribute access is the test


def test_the_assign_command_default_gap_is_the_library_default():
    assert assign_cli.DEFAULT_GAP == assign_lib.DEFAULT_GAP


# ------------------------------------------------------------------ the network cache's layout


def _fake_compile(monkeypatch: pytest.MonkeyPatch, compiled: dict[str, object]) -> list[int]:
    calls: list[int] = []

    def fake(tables, params=None, *, progress=None):
        calls.append(1)
        return compiled

    monkeypatch.setattr(model, "compile_network", fake)
    return calls


@pytest.fixture()
def pristine(net, cache_dir) -> dict[str, object]:
    return json.loads(model.cache_path(cache_dir).read_text())  # type: ignore[no-any-return]


def test_a_cache_is_written_in_the_layout_its_checksum_covers(pristine, cache_dir):
    data = model.cache_path(cache_dir).read_bytes()
    layout = model._LAYOUT.fullmatch(data)
    assert layout is not None
    canonical = json.dumps(pristine["compiled"], separators=(",", ":"), sort_keys=True)
    assert layout.group(1) == canonical.encode()
    assert model._digest(pristine["compiled"]) == pristine["sha256"]


def test_a_cache_in_the_older_layout_loads_without_a_build_and_is_rewritten_once(
        net, pristine, tmp_path, monkeypatch):
    calls = _fake_compile(monkeypatch, pristine["compiled"])  # type: ignore[arg-type]
    path = model.cache_path(tmp_path)
    # as silkway wrote it before: key first, compiled in build order, not sorted
    path.write_text(json.dumps({"key": pristine["key"], "sha256": pristine["sha256"],
                                "compiled": pristine["compiled"]}, separators=(",", ":")))
    assert model._LAYOUT.fullmatch(path.read_bytes()) is None
    loaded = silkway.load_network(tmp_path)
    assert not calls  # intact: trusted, not rebuilt
    assert [leg.distance_km for leg in loaded.legs] == [leg.distance_km for leg in net.legs]
    assert all((a.coords == b.coords).all() for a, b in zip(loaded.legs, net.legs, strict=True))
    assert model._LAYOUT.fullmatch(path.read_bytes()) is not None  # now the fast layout
    assert json.loads(path.read_text()) == pristine
    silkway.load_network(tmp_path)
    assert not calls


@pytest.mark.parametrize("damage", ["digit", "truncated", "nan"])
def test_a_damaged_cache_is_rebuilt_with_a_warning_never_a_traceback(
        pristine, tmp_path, monkeypatch, caplog, damage):
    calls = _fake_compile(monkeypatch, pristine["compiled"])  # type: ignore[arg-type]
    silkway.load_network(tmp_path)  # writes the cache in the fast layout
    assert len(calls) == 1
    path = model.cache_path(tmp_path)
    data = path.read_bytes()
    if damage == "digit":  # still valid JSON in the same layout: only the checksum can tell
        at = data.index(b'"distance_km":') + len(b'"distance_km":')
        data = data[:at] + (b"9" if data[at:at + 1] != b"9" else b"8") + data[at + 1:]
        expect = "fails its checksum"
    elif damage == "truncated":
        data = data[:len(data) // 2]
        expect = "unreadable"
    else:  # a non-finite number is nothing a build writes
        data = data.replace(b'"distance_km":', b'"distance_km":NaN,"x":', 1)
        expect = "unreadable"
    path.write_bytes(data)
    with caplog.at_level(logging.WARNING, logger="silkway.network.model"):
        silkway.load_network(tmp_path)
    assert len(calls) == 2  # rebuilt, never trusted
    assert any(expect in r.getMessage() and str(path) in r.getMessage() for r in caplog.records)
    assert model._LAYOUT.fullmatch(path.read_bytes()) is not None


def test_coords_are_checked_point_by_point_when_the_fast_check_fails(net, pristine):
    for bad in ([[10.0, 20.0], [10.0, True]], [[10.0, 20.0], [91.0, 20.0]],
                [[10.0, 20.0], [10.0, 541]], [[10.0, 20.0], [10, 20, 30]],
                [[10.0, 20.0], ["10", 20.0]], [[10.0, 20.0]], [[10.0, 20.0], [10**400, 1.0]]):
        assert not model._valid_coords(bad), bad
    assert model._valid_coords([[10, -20.5], [-90, 539.9]])
    compiled = json.loads(json.dumps(pristine["compiled"]))
    compiled["legs"][5]["coords"][1][0] = 95.0
    problem = model._check_compiled(compiled, net.tables)
    assert problem == "leg #5 has no valid (lat, lon) coords"
