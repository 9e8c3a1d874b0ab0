"""``plan_first``: a batch row's route 1, found without building the whole Pareto set, is
``plan()``'s route 1 for the same query (figures, label, errors, ``complete``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import silkway
from silkway.analysis import fastest
from silkway.analysis import plan as plan_module
from silkway.analysis.plan import plan_first
from silkway.errors import SilkwayError
from silkway.query import PlanQuery, make_query

AVOIDABLE = ["RU", "BY", "IR", "AF", "PK", "TM", "CN", "KZ", "GE", "AZ", "TR", "UA", "MN"]


def _queries(net: silkway.Network, n: int, seed: int) -> list[PlanQuery]:
    """Seeded random queries as a diverse batch asks them: pairs, months, avoid sets, cargo,
    objectives, mode sets and transshipment caps."""
    rng = np.random.default_rng(seed)
    hubs = sorted((h for h in net.hubs if h.kind != "border"), key=lambda h: h.id)
    out = []
    for _ in range(n):
        o, d = (hubs[int(k)] for k in rng.choice(len(hubs), size=2, replace=False))
        pool = [c for c in AVOIDABLE if c not in (o.country, d.country)]
        fields: dict[str, Any] = {
            "origin": o.id, "destination": d.id, "month": int(rng.integers(1, 13)),
            "avoid": ",".join(rng.choice(pool, size=int(rng.integers(0, 3)), replace=False)),
            "cargo": "TEU" if rng.random() < 0.3 else "FEU", "corridors": "none",
            "objective": str(rng.choice(["days", "days", "days", "cost", "p90"]))}
        if rng.random() < 0.15:
            fields["max_transshipments"] = int(rng.integers(0, 3))
        if rng.random() < 0.1:
            fields["modes"] = "sea,rail"
        out.append(make_query(fields))
    return out


def _answer(fn: Any) -> Any:
    try:
        result = fn()
    except SilkwayError as exc:
        return type(exc).__name__, str(exc)
    return (result.routes[0].to_dict() if result.routes else None, result.complete,
            result.payload_t, result.month)


def test_first_route_is_plan_route_one(net: silkway.Network,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    only: list[bool] = []
    real = fastest._fastest

    def spy(*args: Any) -> Any:
        days, path = real(*args)
        only.append(path is not None)
        return days, path

    monkeypatch.setattr(fastest, "_fastest", spy)
    for q in _queries(net, 120, seed=5):
        assert _answer(lambda q=q: plan_first(net, q)) == _answer(
            lambda q=q: silkway.plan(net, q)), q
    assert sum(only) > 50  # most days queries have one candidate, found without a label search


def test_threads_planning_at_once_give_the_serial_answers(net: silkway.Network) -> None:
    """Each thread fills its own copy of a compiled graph's days matrices: plans run at once
    on threads (as the API's workers do) give the answers of one after the other."""
    from concurrent.futures import ThreadPoolExecutor

    queries = [q.replace(objective="days", max_transshipments=None)
               for q in _queries(net, 80, seed=21)]
    serial = [_answer(lambda q=q: plan_first(net, q)) for q in queries]
    with ThreadPoolExecutor(4) as pool:
        for _ in range(3):
            assert list(pool.map(lambda q: _answer(lambda: plan_first(net, q)), queries)) == serial


def test_tied_candidates_are_ranked_like_plan(net: silkway.Network,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """With a days tolerance wide enough that several Pareto routes fall within the budget,
    the one kept is still plan()'s route 1 (the same order: days, cost, CO2e, label)."""
    monkeypatch.setattr(fastest, "TIE_DAYS", 3.0)
    monkeypatch.setattr(fastest, "BUDGET_DAYS", 30.0)
    built: list[int] = []
    real = fastest.first_routes

    def spy(*args: Any) -> Any:
        routes = real(*args)
        if routes is not None:
            built.append(len(routes))
        return routes

    monkeypatch.setattr(plan_module, "first_routes", spy)
    for q in _queries(net, 60, seed=9):
        q = q.replace(objective="days")
        assert _answer(lambda q=q: plan_first(net, q)) == _answer(
            lambda q=q: silkway.plan(net, q)), q
    assert built and max(built) > 1  # some query had several candidates to rank


def test_first_route_only_and_no_corridor_section(net: silkway.Network) -> None:
    q = make_query(origin="Toyama", destination="Bishkek", avoid="RU,BY", corridors="all")
    first = plan_first(net, q)
    full = silkway.plan(net, q)
    assert len(first.routes) == 1 and len(full.routes) > 1
    assert first.corridors == () and full.corridors
    assert first.routes[0].to_dict() == full.routes[0].to_dict()


@pytest.mark.parametrize("n", [1, 2, 3, 10, 2000, 2001])
def test_summary_from_a_partial_sort_equals_the_full_sort(n: int) -> None:
    """Quantiles and on-time share read from order statistics put in place by a partition are
    the numbers a full sort gives (ties included)."""
    from silkway.analysis.reliability import summarise

    rng = np.random.default_rng(n)
    for _ in range(10):
        x = rng.lognormal(1.0, 1.0, n) + rng.integers(0, 3, n)
        deadline = float(np.median(x))
        ordered = np.sort(x)
        want = []
        for q in (0.5, 0.9, 0.95):
            pos = q * (n - 1)
            lo, hi = int(pos), min(int(pos) + 1, n - 1)
            want.append(float(ordered[lo]) + (float(ordered[hi]) - float(ordered[lo])) * (pos - lo))
        s = summarise(x, deadline_days=deadline)
        assert [s.p50, s.p90, s.p95] == want
        assert s.on_time == float(np.searchsorted(ordered, deadline, side="right")) / n
        assert np.allclose(want, np.quantile(x, [0.5, 0.9, 0.95]))
