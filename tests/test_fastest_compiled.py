"""The compiled Dijkstra runs (``_days_core``) against SciPy's, their reference: a batch row's
fastest-path step (``fastest._fastest_python``) on the searches a mix of real batch rows makes
(months, cargo, avoid sets), under random masks of forbidden legs, and the rows themselves; and
the least costs from a set of sources (``best.least_costs``) on random graphs and on the
network's own matrices (lower bounds, corridor bounds, plans)."""

from __future__ import annotations

import contextlib
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import dijkstra

import silkway
from compiled_cores import assert_built
from silkway._lru import LRU
from silkway.analysis import corridor_search, fastest
from silkway.analysis.plan import plan_first
from silkway.errors import SilkwayError
from silkway.query import PlanQuery
from silkway.routing import best, graph
from test_plan_first import _queries


def test_the_install_built_the_compiled_fastest_step() -> None:
    assert_built(fastest.CORE, "silkway.routing._days_core")


pytestmark_compiled = pytest.mark.skipif(
    fastest.CORE is None, reason="the compiled step is not built or SILKWAY_PURE_PYTHON=1")


def _first(net: silkway.Network, q: PlanQuery) -> Any:
    try:
        r = plan_first(net, q).routes
    except SilkwayError as exc:
        return type(exc).__name__, str(exc)
    return [(x.label, x.refs, x.expected_days, x.cost_usd, x.transit_days.p90) for x in r]


def _searches(net: silkway.Network, rows: list[PlanQuery],
              monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, Any]]:
    """The (search, allowed) of every fastest-path step the rows make."""
    calls: list[tuple[Any, Any]] = []
    real = fastest._fastest

    def record(s: Any, allowed: Any) -> Any:
        calls.append((s, allowed))
        return real(s, allowed)

    with monkeypatch.context() as mp:
        mp.setattr(fastest, "_fastest", record)
        for q in rows:
            with contextlib.suppress(SilkwayError):
                plan_first(net, q)
    return calls


class _Counted:
    """The compiled core, counting its calls."""

    def __init__(self, core: Any) -> None:
        self.core, self.calls = core, 0

    def fastest(self, *args: Any) -> Any:
        self.calls += 1
        return self.core.fastest(*args)


def _both(s: Any, allowed: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    got = fastest._fastest(s, allowed)
    with monkeypatch.context() as mp:
        mp.setattr(fastest, "CORE", None)
        want = fastest._fastest(s, allowed)
    return got, want


@pytestmark_compiled
def test_every_fastest_step_of_real_rows_is_the_same_compiled(
        net: silkway.Network, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _queries(net, 220, 3)
    # the rows are real queries: most of them are planned
    assert sum(isinstance(_first(net, q), list) for q in rows[:20]) >= 15
    calls = _searches(net, rows, monkeypatch)
    assert len(calls) >= 100
    answers = [_both(s, allowed, monkeypatch) for s, allowed in calls]
    for got, want in answers:
        assert got == want
    # both kinds of answer occur: a lone fastest path, and none (two paths within the budget)
    assert any(got[1] is not None for got, _ in answers)
    assert all(got[1] is None or got[1].cost[0] == pytest.approx(got[0]) for got, _ in answers)


@pytestmark_compiled
def test_the_same_under_random_masks_of_forbidden_legs(
        net: silkway.Network, monkeypatch: pytest.MonkeyPatch) -> None:
    """Masks other than the constraints' own (a list, not the graph's array): legs of the
    fastest path forbidden, or a random tenth of all legs, down to no path at all."""
    rng = np.random.default_rng(11)
    calls = _searches(net, _queries(net, 60, 8), monkeypatch)
    seen = {"inf": 0, "path": 0, "none": 0}
    for s, allowed in calls:
        base = list(allowed)
        on = _both(s, allowed, monkeypatch)[0][1]
        masks = [[a and rng.random() > 0.1 for a in base]]
        if on is not None:  # the fastest path's own legs closed one by one
            masks += [[a and r != ref for r, a in enumerate(base)] for ref in on.refs[:3]]
        masks.append([False] * len(base))
        for mask in masks:
            got, want = _both(s, mask, monkeypatch)
            assert got == want
            seen["inf" if got[0] == float("inf") else "path" if got[1] else "none"] += 1
    assert seen["inf"] and seen["path"]


@pytestmark_compiled
def test_batch_rows_are_the_same_either_way(net: silkway.Network,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _queries(net, 90, 21)
    counted = _Counted(fastest.CORE)
    monkeypatch.setattr(fastest, "CORE", counted)
    compiled = [_first(net, r) for r in rows]
    assert counted.calls >= 50, "the rows did not take the compiled step"
    monkeypatch.setattr(fastest, "CORE", None)
    assert [_first(net, r) for r in rows] == compiled
    assert sum(isinstance(c, list) and len(c) > 0 for c in compiled) >= 50


pytestmark_least = pytest.mark.skipif(
    best.CORE is None, reason="the compiled Dijkstra is not built or SILKWAY_PURE_PYTHON=1")


@pytestmark_least
@settings(max_examples=300, deadline=None)
@given(st.integers(1, 40), st.data())
def test_least_costs_are_scipys_on_random_graphs(n, data):
    """The same floats as SciPy's, with explicit zero and infinite arcs, parallel arcs, several
    sources (repeated too) and a limit."""
    m = data.draw(st.integers(0, 4 * n))
    rows = data.draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m))
    cols = data.draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m))
    costs = data.draw(st.lists(st.one_of(st.sampled_from([0.0, 0.1, 0.2, 0.3, np.inf]),
                                         st.floats(0, 50)), min_size=m, max_size=m))
    sources = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=4))
    limit = data.draw(st.sampled_from([np.inf, 0.0, 0.3, 7.5]))
    mat = sp.csr_matrix((np.array(costs, dtype=np.float64), (rows, cols)), shape=(n, n))
    want = dijkstra(mat, directed=True, indices=sources, min_only=True, limit=limit)
    got = best.least_costs(mat, sources, limit=limit)
    assert got.dtype == want.dtype and got.shape == want.shape
    assert np.array_equal(got, want)


@pytestmark_least
def test_least_costs_refuse_a_source_outside_the_graph():
    mat = sp.csr_matrix((np.ones(2), ([0, 1], [1, 2])), shape=(3, 3))
    with pytest.raises(ValueError, match="source 3 is not a state of the 3 states"):
        best.CORE.distances(mat.indptr, mat.indices, mat.data, np.array([3], dtype=np.int64),
                            np.inf)


@pytestmark_least
def test_the_networks_bounds_and_plans_are_the_same_with_scipy(
        net: silkway.Network, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every least-cost run a mix of real plans makes (lower bounds to each destination, the
    corridors' bounds, the country copies, km to the destination), replayed by SciPy, and the
    plans themselves either way."""
    calls: list[tuple[Any, Any, float]] = []
    real = best.least_costs

    def record(m: Any, sources: Any, *, limit: float = np.inf) -> Any:
        calls.append((m, sources, limit))
        return real(m, sources, limit=limit)

    rng = np.random.default_rng(4)
    hubs = sorted(h.id for h in net.hubs if h.kind != "border")
    pairs = [tuple(hubs[int(k)] for k in rng.choice(len(hubs), size=2, replace=False))
             for _ in range(25)]
    kws = [{"corridors": "all"}, {"corridors": "all", "avoid": ["RU", "IR"]},
           {"corridors": "all", "objective": "p90"}]

    def answers() -> list[Any]:
        out = []
        for i, (o, d) in enumerate(pairs):
            try:
                out.append(silkway.plan(net, o, d, **kws[i % 3]).to_dict())
            except SilkwayError as exc:
                out.append(str(exc))
        return out

    def fresh(mp: pytest.MonkeyPatch) -> None:  # caches empty: every run happens again
        for mod, names in ((graph, ("_COMPILED", "_MASKED", "_BOUNDS", "_DISTANCES")),
                           (corridor_search, ("_TO_DESTINATION", "_FROM_ORIGIN",
                                              "_COUNTRY_COPIES"))):
            for name in names:
                mp.setattr(mod, name, LRU(getattr(mod, name).size))

    with monkeypatch.context() as mp:
        fresh(mp)
        mp.setattr(corridor_search, "least_costs", record)
        compiled = answers()
        corridor_calls = len(calls)
        mp.setattr(best, "least_costs", record)  # graph.py imports it when it needs it
        fresh(mp)
        assert answers() == compiled
    assert corridor_calls >= 25 and len(calls) > corridor_calls
    for m, sources, limit in calls:
        want = dijkstra(m, directed=True, indices=sources, min_only=True, limit=limit)
        assert np.array_equal(real(m, sources, limit=limit), want)
    with monkeypatch.context() as mp:
        fresh(mp)
        mp.setattr(best, "CORE", None)
        assert answers() == compiled
