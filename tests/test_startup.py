"""Start-up: a one-shot command imports what it uses (the timings themselves are in
benchmarks/bench_plan.py --cli)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import silkway
from silkway.analysis import assign as assign_lib
from silkway.cli import assign as assign_cli

_PROBE = """
import contextlib, io, json, sys
from silkway.cli import main
sys.argv = ["silkway", *json.loads(sys.argv[1])]
buf = io.StringIO()
try:
    with contextlib.redirect_stdout(buf):
        main()
    code = 0
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "out": buf.getvalue(), "modules": sorted(sys.modules)}))
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


def test_a_misspelt_place_still_gets_did_you_mean(net, cache_dir):
    got = _run(cache_dir, "plan", "Toyamma", "Bishkek")
    assert got["code"] == 2
    assert "rapidfuzz" in got["modules"]  # type: ignore[operator]


def test_the_public_names_are_there_on_first_use():
    for name in silkway.__all__:
        assert getattr(silkway, name) is not None, name
    assert set(silkway.__all__) <= set(dir(silkway))
    assert silkway.plan.__module__ == "silkway.analysis.plan"
    with pytest.raises(AttributeError, match="no attribute 'plann'"):
        silkway.plann  # noqa: B018 - the attribute access is the test


def test_the_assign_command_default_gap_is_the_library_default():
    assert assign_cli.DEFAULT_GAP == assign_lib.DEFAULT_GAP
