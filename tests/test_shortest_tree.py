"""The compiled shortest-path tree (``_days_core.tree``, behind ``best.shortest_tree``) against
SciPy's ``dijkstra(..., return_predecessors=True)``, its reference: the same least costs, and
the same predecessor at every state reached, or no answer where a state's least cost is
reached through two neighbours (SciPy's choice between them is its heap's); on random graphs
and on the trees real plans search."""

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
from silkway._lru import LRU
from silkway.analysis import corridor_search
from silkway.errors import SilkwayError
from silkway.routing import best

pytestmark = pytest.mark.skipif(
    best.CORE is None, reason="the compiled Dijkstra is not built or SILKWAY_PURE_PYTHON=1")


def _tied(m: sp.csr_matrix, source: int, dist: np.ndarray) -> bool:
    """Whether some state reached, other than ``source``, has its least cost through two
    neighbours settled at the same distance."""
    coo = m.tocoo()
    best_by: dict[int, set[int]] = {}
    for v, u, w in zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True):
        if u != source and np.isfinite(dist[u]) and dist[v] + w == dist[u]:
            best_by.setdefault(u, set()).add(v)
    return any(sum(dist[v] == min(dist[x] for x in vs) for v in vs) > 1
               for vs in best_by.values())


@settings(max_examples=400, deadline=None)
@given(st.integers(1, 40), st.data())
def test_the_tree_is_scipys_or_says_it_cannot_be(n, data):
    """Costs from a few values (ties are common) or any float, explicit zero and infinite
    arcs, parallel arcs."""
    m = data.draw(st.integers(0, 4 * n))
    rows = data.draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m))
    cols = data.draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m))
    costs = data.draw(st.lists(st.one_of(st.sampled_from([0.0, 0.1, 0.2, 0.3, 1.0, np.inf]),
                                         st.floats(0, 50)), min_size=m, max_size=m))
    source = data.draw(st.integers(0, n - 1))
    mat = sp.csr_matrix((np.array(costs, dtype=np.float64), (rows, cols)), shape=(n, n))
    want, before = dijkstra(mat, directed=True, indices=source, return_predecessors=True)
    got = best.CORE.tree(mat.indptr, mat.indices, mat.data, source)
    if got is None:
        assert _tied(mat, source, want)
    else:
        reached = np.isfinite(want)
        assert got[0].dtype == want.dtype and got[1].dtype == before.dtype
        assert np.array_equal(got[0], want)
        assert np.array_equal(got[1][reached], before[reached])
        assert (got[1][~reached] == -9999).all()
    dist, pred = best.shortest_tree(mat, source)  # SciPy's answer where the core has none
    assert np.array_equal(dist, want)
    assert np.array_equal(pred[np.isfinite(want)], before[np.isfinite(want)])


def test_a_tie_is_left_to_scipy():
    """0 -> 1 -> 3 and 0 -> 2 -> 3 cost the same: which one SciPy names is its own."""
    mat = sp.csr_matrix((np.ones(4), ([0, 0, 1, 2], [1, 2, 3, 3])), shape=(4, 4))
    assert best.CORE.tree(mat.indptr, mat.indices, mat.data, 0) is None
    mat = sp.csr_matrix((np.array([1.0, 1.0, 1.0, 2.0]), ([0, 0, 1, 2], [1, 2, 3, 3])),
                        shape=(4, 4))
    dist, pred = best.CORE.tree(mat.indptr, mat.indices, mat.data, 0)
    assert dist.tolist() == [0.0, 1.0, 1.0, 2.0] and pred.tolist() == [-9999, 0, 0, 1]


def test_a_tie_through_neighbours_at_different_distances_is_the_cores():
    """0 -> 1 -> 3 and 0 -> 2 -> 3 both cost 3, through 1 (settled at 1) and 2 (settled at 2):
    every heap settles 1 first, and an arc of the same cost never displaces it, so SciPy names
    1, and the core answers itself (on today's network every tie the plans' trees met was of
    this kind)."""
    mat = sp.csr_matrix((np.array([1.0, 2.0, 2.0, 1.0]), ([0, 0, 1, 2], [1, 2, 3, 3])),
                        shape=(4, 4))
    got = best.CORE.tree(mat.indptr, mat.indices, mat.data, 0)
    want, before = dijkstra(mat, directed=True, indices=0, return_predecessors=True)
    assert got is not None
    assert got[0].tolist() == want.tolist() == [0.0, 1.0, 2.0, 3.0]
    assert got[1].tolist() == before.tolist() == [-9999, 0, 0, 1]


def test_the_tree_refuses_a_source_outside_the_graph():
    mat = sp.csr_matrix((np.ones(2), ([0, 1], [1, 2])), shape=(3, 3))
    with pytest.raises(ValueError, match="source 3 is not a state of the 3 states"):
        best.CORE.tree(mat.indptr, mat.indices, mat.data, 3)


def test_the_trees_of_real_plans_are_scipys(net: silkway.Network,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Every tree a mix of plans searches (from each origin, back from each destination, in
    the plain and the corridors' layered matrices), replayed by SciPy."""
    calls: list[tuple[Any, int, Any]] = []
    real = best.shortest_tree

    def record(m: Any, source: int) -> Any:
        out = real(m, source)
        calls.append((m, source, out))
        return out

    for name in ("_TO_DESTINATION", "_FROM_ORIGIN"):  # empty: every tree is searched again
        monkeypatch.setattr(corridor_search, name, LRU(getattr(corridor_search, name).size))
    monkeypatch.setattr(best, "shortest_tree", record)
    rng = np.random.default_rng(5)
    hubs = sorted(h.id for h in net.hubs if h.kind != "border")
    for i in range(20):
        o, d = (hubs[int(k)] for k in rng.choice(len(hubs), size=2, replace=False))
        kw: dict[str, Any] = {"corridors": "all"}
        if i % 2:
            kw["avoid"] = ["RU"]
        with contextlib.suppress(SilkwayError):  # no route avoiding RU: trees searched anyway
            silkway.plan(net, o, d, **kw)
    assert len(calls) >= 20
    compiled = 0
    for m, source, (dist, pred) in calls:
        want, before = dijkstra(m, directed=True, indices=source, return_predecessors=True)
        reached = np.isfinite(want)
        assert np.array_equal(dist, want)
        assert np.array_equal(pred[reached], before[reached])
        compiled += best.CORE.tree(m.indptr, m.indices, m.data, source) is not None
    assert compiled > 0  # the core answered some of them
