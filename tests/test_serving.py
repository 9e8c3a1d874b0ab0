"""What the API server relies on: plans leave no reference cycles behind (so its garbage
collector can run full collections rarely), a plan's dict is made once per route, and the plan
JSON it sends is the contract model's JSON byte for byte."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import numpy as np
import orjson

import silkway
from silkway.api import gcpolicy
from silkway.result import plan_json

PAIRS = [("Toyama", "Bishkek", "RU,BY"), ("Xi'an", "Duisburg", ""), ("Busan", "Tashkent", "CN"),
         ("Shanghai", "Rotterdam", "IR"), ("Kashgar", "Osh", "")]


_NO_CYCLES = """
import gc, sys
import silkway
net = silkway.load_network(sys.argv[1])
pairs = [tuple(p.split(":")) for p in sys.argv[2:]]
for o, d, avoid in pairs:  # compiled graphs and caches first: they live on
    silkway.plan(net, o, d, avoid=avoid).to_dict()
gc.collect()
gc.disable()
for i, (o, d, avoid) in enumerate(pairs * 2):
    result = silkway.plan(net, o, d, avoid=avoid, deadline_days=20 + i, month=1 + i)
    silkway.PlanModel.model_validate(result.to_dict(geometry=i % 2 == 0))
del result
gc.set_debug(gc.DEBUG_SAVEALL)
found = gc.collect()
print(found, sorted({type(o).__name__ for o in gc.garbage})[:12])
"""


def test_plans_leave_no_reference_cycles(net: silkway.Network, cache_dir: Path) -> None:
    # In an interpreter of its own: in the suite's, other tests' threads (Dask, the API's
    # servers, event loops) make cycles of their own while the collector is off.
    run = subprocess.run([sys.executable, "-c", _NO_CYCLES, str(cache_dir),
                          *(f"{o}:{d}:{a}" for o, d, a in PAIRS)],
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    found, kinds = run.stdout.strip().split(" ", 1)
    assert found == "0", f"plans left {found} objects in reference cycles: {kinds}"


def test_settle_freezes_start_up_and_collects_rarely() -> None:
    before = gc.get_threshold()
    try:
        gcpolicy.settle()
        assert gc.get_threshold() == gcpolicy.THRESHOLDS
        assert gc.get_freeze_count() > 1000  # the loaded network at least
        assert gcpolicy.THRESHOLDS[0] > before[0] and gcpolicy.THRESHOLDS[2] > before[2]
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_a_listed_corridor_route_is_made_once(net: silkway.Network) -> None:
    result = silkway.plan(net, "Nagoya", "Istanbul")
    d = result.to_dict()
    shared = 0
    for answer, c in zip(result.corridors, d["corridors"], strict=True):
        if answer.route is None:
            assert c["route"] is None
            continue
        assert c["route"] == answer.route.to_dict()
        listed = [r for r, rd in zip(result.routes, d["routes"], strict=True)
                  if r is answer.route]
        if listed:
            assert c["route"] is d["routes"][c["route_number"] - 1]
            shared += 1
    assert shared >= 1  # the plan has a corridor whose best route is also listed


def _random_queries(net: silkway.Network, n: int, seed: int) -> list[dict[str, object]]:
    """Random routable pairs with random options of every kind the contract shows."""
    rng = np.random.default_rng(seed)
    hubs = sorted(h.id for h in net.hubs if h.kind != "border")
    scenarios = silkway.scenarios.available()
    out: list[dict[str, object]] = []
    while len(out) < n:
        o, d = (hubs[int(i)] for i in rng.choice(len(hubs), size=2, replace=False))
        q: dict[str, object] = {
            "avoid": list(rng.choice(AVOID, size=int(rng.integers(0, 3)), replace=False)),
            "objective": str(rng.choice(["days", "p90", "cost", "co2e"])),
            "cargo": str(rng.choice(["FEU", "TEU"])), "reefer": bool(rng.random() < 0.2),
            "payload_t": int(rng.integers(5, 25)) if rng.random() < 0.5 else None,
            "deadline_days": int(rng.integers(15, 60)) if rng.random() < 0.5 else None,
            "month": int(rng.integers(1, 13)) if rng.random() < 0.3 else None,
            "scenario": str(rng.choice(scenarios)) if rng.random() < 0.2 else None,
            "histogram": bool(rng.random() < 0.3), "max_routes": int(rng.integers(1, 12)),
            "corridors": str(rng.choice(["all", "none"])) if rng.random() < 0.2 else "all"}
        try:
            result = silkway.plan(net, o, d, **{k: v for k, v in q.items() if v is not None})
        except silkway.SilkwayError:
            continue
        out.append({"result": result, "geometry": bool(rng.random() < 0.3)})
    return out


AVOID = ["RU", "BY", "IR", "AF", "PK", "TM", "CN", "KZ", "GE", "AZ", "TR", "UA", "MN"]


def test_plan_json_is_the_contract_models_json_byte_for_byte(net: silkway.Network) -> None:
    for case in _random_queries(net, 80, seed=14):
        d = case["result"].to_dict(geometry=case["geometry"])
        model = silkway.PlanModel.model_validate(d)
        # orjson itself, not the fallback: every real plan takes the fast path
        assert orjson.dumps(d) == model.model_dump_json(by_alias=True, exclude_unset=True).encode()
        assert plan_json(d) == orjson.dumps(d)


def test_to_json_is_plan_json_of_to_dict_byte_for_byte(net: silkway.Network) -> None:
    # the API's bytes: each leg's geometry is written once and reused, in later plans too
    # (the queries share legs), both directions of a leg kept apart
    cases = _random_queries(net, 60, seed=15)
    for case in cases + cases[:10]:
        result = case["result"]
        for geometry in (True, False):
            assert result.to_json(geometry=geometry) == plan_json(
                result.to_dict(geometry=geometry))
    there = silkway.plan(net, "Xi'an", "Duisburg", corridors="none").to_json(geometry=True)
    back = silkway.plan(net, "Duisburg", "Xi'an", corridors="none").to_json(geometry=True)
    first = orjson.loads(there)["routes"][0]["legs"][0]
    last = orjson.loads(back)["routes"][0]["legs"][-1]
    assert (first["from"], first["to"]) == (last["to"], last["from"])  # one leg, both ways
    assert last["geometry"] == first["geometry"][::-1] and len(first["geometry"]) > 2
    assert last["geojson"]["coordinates"] == first["geojson"]["coordinates"][::-1]


def test_plan_json_of_what_orjson_does_not_write_goes_through_the_model(
        net: silkway.Network) -> None:
    d = silkway.plan(net, "Toyama", "Bishkek", deadline_days=30).to_dict()
    d["routes"][0]["cost_usd"] = np.float64(d["routes"][0]["cost_usd"])
    d["routes"][0]["transit_days"]["p95"] = float("nan")
    expected = silkway.PlanModel.model_validate(d).model_dump_json(
        by_alias=True, exclude_unset=True).encode()
    assert plan_json(d) == expected and b'"p95":null' in expected
