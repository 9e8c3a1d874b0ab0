"""The compiled label-setting search against the pure-Python one on real plans: every search a
mix of real plans runs, replayed by both (the same paths, refs, nodes, label counts and limit
errors), and the plans themselves with either implementation (the same answers)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import silkway
from compiled_cores import random_first_rows
from silkway.analysis import fastest
from silkway.errors import SilkwayError
from silkway.routing import pareto
from silkway.routing.graph import N_CLASSES
from silkway.routing.pareto import SearchLimitError, python_pareto_paths

pytestmark = pytest.mark.skipif(pareto.CORE is None, reason="the compiled search is not built "
                                "or SILKWAY_PURE_PYTHON=1")

AVOIDABLE = ["RU", "BY", "IR", "AF", "TM", "CN", "KZ", "GE", "AZ", "TR", "UA", "MN"]


def _pairs(net: silkway.Network, n: int, seed: int) -> list[tuple[str, str, dict[str, Any]]]:
    """Seeded origin-destination pairs with a mix of avoid sets, objectives and via points."""
    rng = np.random.default_rng(seed)
    hubs = sorted((h for h in net.hubs if h.kind != "border"), key=lambda h: h.id)
    out = []
    for i in range(n):
        o, d = (hubs[int(k)] for k in rng.choice(len(hubs), size=3, replace=False)[:2])
        kw: dict[str, Any] = {"corridors": "all"}
        if i % 3 == 1:
            pool = [c for c in AVOIDABLE if c not in (o.country, d.country)]
            kw["avoid"] = list(rng.choice(pool, size=int(rng.integers(1, 3)), replace=False))
        if i % 4 == 2:
            kw["objective"] = str(rng.choice(["p90", "cost", "co2e"]))
        if i % 7 == 3:
            kw["max_transshipments"] = int(rng.integers(1, 3))
        out.append((o.id, d.id, kw))
    return out


def _answer(net: silkway.Network, o: str, d: str, kw: dict[str, Any]) -> Any:
    try:
        return silkway.plan(net, o, d, **kw).to_dict()
    except SilkwayError as exc:
        return type(exc).__name__, str(exc)


def _result(search: Any, adj: Any, source: int, targets: Any, kw: dict[str, Any]) -> Any:
    stats: dict[str, int] = {}
    try:
        return search(adj, source, targets, stats=stats, **kw), stats
    except SearchLimitError as e:
        return ("limit", e.max_labels, e.paths), stats


def test_every_search_of_real_plans_is_the_same_compiled(net: silkway.Network,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Any, int, Any, dict[str, Any]]] = []
    real = pareto.pareto_paths

    def record(adj: Any, source: int, targets: Any, **kw: Any) -> Any:
        if not isinstance(adj, pareto._Layered):  # a layered graph searches in Python anyway
            calls.append((adj, source, targets, {k: v for k, v in kw.items() if k != "stats"}))
        return real(adj, source, targets, **kw)

    monkeypatch.setattr(pareto, "pareto_paths", record)
    monkeypatch.setattr(fastest, "pareto_paths", record)
    for o, d, kw in _pairs(net, 40, 14):
        _answer(net, o, d, kw)
    # via points (layered searches, then hub-simple ones) and batch rows (a days budget)
    _answer(net, "Nagoya", "Istanbul", {"via": ["Aktau"], "corridors": "all"})
    random_first_rows(net, 40, "none")
    monkeypatch.undo()
    kinds = {k for *_, kw in calls for k, v in kw.items() if v not in (None, False)}
    assert {"lower_bound", "peers", "allowed"} <= kinds, kinds
    assert len(calls) >= 40
    # the options plans seldom use, on the same real graphs: a days budget, paths simple in
    # the hubs of the fastest path, the first path alone
    for adj, source, targets, kw in calls[:40]:
        if kw.get("peers") is None:
            continue
        paths = python_pareto_paths(adj, source, targets, **kw)
        if not paths:
            continue
        inf = float("inf")
        calls.append((adj, source, targets, {
            **kw, "budget": (paths[0].cost[0] + 2.0,) + (inf,) * (len(paths[0].cost) - 1)}))
        calls.append((adj, source, targets, {**kw, "first": True}))
        watched = {x // N_CLASSES for x in paths[0].nodes}
        calls.append((adj, source, targets, {
            **{k: v for k, v in kw.items() if k not in ("peers", "slack")},
            "simple_in": [x // N_CLASSES if x // N_CLASSES in watched else -1
                          for x in range(len(adj))]}))
    for adj, source, targets, kw in calls:
        want = _result(python_pareto_paths, adj, source, targets, kw)

        def compiled(*args: Any, **options: Any) -> Any:
            dim = options.pop("dim")
            got = pareto._compiled(pareto.CORE, *args, dim=dim, **options)  # type: ignore[arg-type]
            assert got is not None, "the compiled search fell back to Python"
            return got

        kw = {"lower_bound": None, "max_labels": 200_000, "dim": None, "simple_in": None,
              "first": False, "budget": None, "allowed": None, "peers": None, "slack": None,
              **kw}
        assert _result(compiled, adj, source, targets, kw) == want


def test_real_plans_are_the_same_either_way(net: silkway.Network,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    pairs = _pairs(net, 30, 41)
    compiled = [_answer(net, o, d, kw) for o, d, kw in pairs]
    monkeypatch.setattr(pareto, "CORE", None)
    assert [_answer(net, o, d, kw) for o, d, kw in pairs] == compiled
