"""The label-setting search against brute-force enumeration on small random graphs, for both
implementations: the pure-Python search and the compiled one (when the install built it)."""

from __future__ import annotations

import heapq
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compiled_cores import Strict, assert_built, implementations
from silkway.routing import pareto
from silkway.routing.pareto import Arc, SearchLimitError, dominates, pareto_paths, python_pareto_paths

IMPLS = implementations(pareto.CORE)


def search(impl, adj, source, targets, **options):
    """``pareto_paths`` by one implementation (``python`` or ``compiled``)."""
    if impl == "python":
        return python_pareto_paths(adj, source, targets, **options)
    strict = Strict(pareto.CORE)
    with patch.object(pareto, "CORE", strict):
        out = pareto_paths(adj, source, targets, **options)
    assert strict.calls == 1 or not any(adj)  # the compiled core ran (a graph with arcs)
    return out


@st.composite
def graphs(draw):
    n = draw(st.integers(2, 7))
    dim = draw(st.integers(1, 3))
    edges = draw(st.lists(
        st.tuples(st.integers(0, n - 1), st.integers(0, n - 1),
                  st.tuples(*[st.integers(0, 9)] * dim)),
        min_size=1, max_size=16))
    adj = [[] for _ in range(n)]
    for ref, (u, v, cost) in enumerate(edges):
        if u != v:
            adj[u].append(Arc(v, tuple(float(c) for c in cost), ref))
    source = draw(st.integers(0, n - 1))
    targets = frozenset(draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=2)) - {source})
    return adj, source, targets, dim


def brute_force(adj, source, targets):
    """Cost vectors of all simple paths, reduced to the non-dominated set."""
    costs = set()

    def walk(node, seen, cost):
        if node in targets:
            costs.add(cost)
            return
        for arc in adj[node]:
            if arc.head not in seen:
                walk(arc.head, seen | {arc.head},
                     tuple(a + b for a, b in zip(cost, arc.cost, strict=True)))

    dim = next((len(a.cost) for arcs in adj for a in arcs), 1)
    walk(source, {source}, (0.0,) * dim)
    return {c for c in costs if not any(o != c and dominates(o, c) for o in costs)}


def exact_lower_bounds(adj, targets, dim):
    """Per-criterion shortest distance to any target: an admissible bound."""
    n = len(adj)
    rev = [[] for _ in range(n)]
    for u, arcs in enumerate(adj):
        for a in arcs:
            rev[a.head].append((u, a.cost))
    out = []
    for k in range(dim):
        dist = [float("inf")] * n
        heap = [(0.0, t) for t in targets]
        for t in targets:
            dist[t] = 0.0
        while heap:
            d, v = heapq.heappop(heap)
            if d > dist[v]:
                continue
            for u, cost in rev[v]:
                if d + cost[k] < dist[u]:
                    dist[u] = d + cost[k]
                    heapq.heappush(heap, (dist[u], u))
        out.append(dist)
    return [tuple(out[k][v] for k in range(dim)) for v in range(n)]


@pytest.mark.parametrize("impl", IMPLS)
@settings(max_examples=300, deadline=None)
@given(graphs())
def test_matches_brute_force(impl, case):
    adj, source, targets, dim = case
    if not targets:
        return
    found = search(impl, adj, source, targets)
    assert {p.cost for p in found} == brute_force(adj, source, targets)
    # every returned path really has the cost it claims and ends at a target
    for p in found:
        assert p.nodes[0] == source and p.nodes[-1] in targets
        arcs = {a.ref: a for arcs in adj for a in arcs}
        total = [0.0] * dim
        for ref in p.refs:
            total = [t + c for t, c in zip(total, arcs[ref].cost, strict=True)]
        assert tuple(total) == p.cost


@pytest.mark.parametrize("impl", IMPLS)
@settings(max_examples=200, deadline=None)
@given(graphs())
def test_lower_bounds_do_not_change_the_answer(impl, case):
    adj, source, targets, dim = case
    if not targets:
        return
    bounds = exact_lower_bounds(adj, targets, dim)
    plain = {p.cost for p in search(impl, adj, source, targets)}
    bounded = {p.cost for p in search(impl, adj, source, targets, lower_bound=bounds)}
    assert plain == bounded


@pytest.mark.parametrize("impl", IMPLS)
def test_returns_lexicographic_order_and_no_duplicates(impl):
    adj = [[Arc(1, (1.0, 5.0), 0), Arc(1, (5.0, 1.0), 1), Arc(1, (3.0, 3.0), 2),
            Arc(1, (3.0, 3.0), 3), Arc(1, (6.0, 6.0), 4)], []]
    found = search(impl, adj, 0, frozenset({1}))
    assert [p.cost for p in found] == [(1.0, 5.0), (3.0, 3.0), (5.0, 1.0)]


def group_simple_brute_force(adj, source, targets, groups):
    """Cost vectors of all paths that never enter a group again after leaving it."""
    costs = set()

    def walk(node, left, cost, seen):
        if node in targets:
            costs.add(cost)
            return
        for arc in adj[node]:
            h = arc.head
            if h in seen or groups[h] in left:
                continue
            # a node of group -1 is in no group: leaving it keeps nothing out
            now = (left | {groups[node]} if groups[h] != groups[node] and groups[node] >= 0
                   else left)
            walk(h, now, tuple(a + b for a, b in zip(cost, arc.cost, strict=True)), seen | {h})

    dim = next((len(a.cost) for arcs in adj for a in arcs), 1)
    walk(source, frozenset(), (0.0,) * dim, {source})
    return {c for c in costs if not any(o != c and dominates(o, c) for o in costs)}


@pytest.mark.parametrize("impl", IMPLS)
@settings(max_examples=300, deadline=None)
@given(graphs(), st.lists(st.integers(-1, 2), min_size=7, max_size=7))
def test_group_simple_paths_match_brute_force(impl, case, groups):
    """Paths that never re-enter a group (a country, say) but may move within one; nodes of
    group -1 are in none (a relaxation that watches some groups only)."""
    adj, source, targets, _dim = case
    if not targets:
        return
    groups = groups[:len(adj)]
    found = search(impl, adj, source, targets, simple_in=groups)
    assert {p.cost for p in found} == group_simple_brute_force(adj, source, targets, groups)
    for p in found:
        seq = [groups[x] for x in p.nodes]
        runs = [g for i, g in enumerate(seq) if (i == 0 or seq[i - 1] != g) and g >= 0]
        assert len(runs) == len(set(runs))


@pytest.mark.parametrize("impl", IMPLS)
@settings(max_examples=300, deadline=None)
@given(graphs(), st.lists(st.integers(0, 2), min_size=7, max_size=7), st.integers(0, 30))
def test_first_and_budget_give_the_least_path_within_the_budget(impl, case, groups, budget):
    """With exact bounds, ``first`` returns the lexicographically least path, and a budget
    drops exactly the paths that exceed it."""
    adj, source, targets, dim = case
    if not targets:
        return
    groups = groups[:len(adj)]
    bounds = exact_lower_bounds(adj, targets, dim)
    every = group_simple_brute_force(adj, source, targets, groups)
    got = search(impl, adj, source, targets, simple_in=groups, lower_bound=bounds, first=True)
    assert [p.cost for p in got] == ([min(every)] if every else [])
    cap = (float(budget),) * dim
    within = {c for c in every if dominates(c, cap)}
    capped = search(impl, adj, source, targets, simple_in=groups, lower_bound=bounds,
                          budget=cap)
    assert {p.cost for p in capped} == within


@pytest.mark.parametrize("impl", IMPLS)
def test_a_search_at_its_limit_says_so(impl):
    """A search that reaches its label limit raises, with what it had found (never a silently
    partial Pareto set)."""
    n = 12  # a ladder: 2^11 Pareto-optimal paths from 0 to n - 1
    adj = [[Arc(i + 1, (1.0, 2.0), 2 * i), Arc(i + 1, (2.0, 1.0), 2 * i + 1)] if i < n - 1
           else [] for i in range(n)]
    with pytest.raises(SearchLimitError) as err:
        search(impl, adj, 0, frozenset({n - 1}), max_labels=50)
    assert "limit of 50 labels" in str(err.value)
    assert len(err.value.paths) < n  # only part of the 12 distinct cost vectors
    assert len(search(impl, adj, 0, frozenset({n - 1}))) == n


@st.composite
def hub_graphs(draw):
    """States (hub, class) whose arcs are the same legs, costing a per-state extra (a
    transfer): the structure the plan's search graph has."""
    hubs, classes = draw(st.integers(2, 4)), draw(st.integers(1, 3))
    dim = draw(st.integers(1, 3))
    legs = draw(st.lists(st.tuples(st.integers(0, hubs - 1), st.integers(0, hubs - 1),
                                   st.tuples(*[st.integers(0, 9)] * dim)),
                         min_size=1, max_size=8))
    extra = draw(st.lists(st.tuples(*[st.integers(0, 5)] * dim),
                          min_size=hubs * classes, max_size=hubs * classes))
    n = hubs * classes
    adj = [[] for _ in range(n)]
    for ref, (u, v, cost) in enumerate(legs):
        if u == v:
            continue
        head = v * classes + ref % classes  # the class a leg arrives in
        for c in range(classes):
            s = u * classes + c
            adj[s].append(Arc(head, tuple(float(a + b) for a, b in zip(cost, extra[s],
                                                                         strict=True)), ref))
    source = draw(st.integers(0, hubs - 1)) * classes
    target_hub = draw(st.integers(0, hubs - 1))
    targets = frozenset(target_hub * classes + c for c in range(classes)) - {source}
    return adj, source, targets, dim, classes, target_hub


@pytest.mark.parametrize("impl", IMPLS)
@settings(max_examples=300, deadline=None)
@given(hub_graphs())
def test_dominance_across_a_hubs_states_does_not_change_the_answer(impl, case):
    adj, source, targets, dim, classes, target_hub = case
    if not targets:
        return
    slack = []
    for hub in range(len(adj) // classes):
        states = range(hub * classes, (hub + 1) * classes)
        low = {}
        for u in states:
            for a in adj[u]:
                low[a.ref] = tuple(min(x, y) for x, y in zip(low.get(a.ref, a.cost), a.cost,
                                                             strict=True))
        for u in states:
            slack.append(tuple(max([a.cost[k] - low[a.ref][k] for a in adj[u]], default=0.0)
                               for k in range(dim)))
    peers = [-1 if u // classes == target_hub else u // classes for u in range(len(adj))]
    plain = {p.cost for p in search(impl, adj, source, targets, dim=dim)}
    grouped = search(impl, adj, source, targets, dim=dim, peers=peers, slack=slack)
    assert {p.cost for p in grouped} == plain == brute_force(adj, source, targets)


@pytest.mark.skipif(pareto.CORE is None, reason="the compiled search is not built or "
                    "SILKWAY_PURE_PYTHON=1")
@settings(max_examples=400, deadline=None)
@given(hub_graphs(), st.lists(st.integers(-1, 3), min_size=12, max_size=12),
       st.sampled_from(["plain", "bounds", "peers", "simple", "first", "budget", "allowed"]),
       st.integers(0, 40), st.integers(1, 30))
def test_both_implementations_give_the_same_paths_and_work(case, groups, option, budget,
                                                           limit):
    """The compiled search is the Python one step for step: the same paths (cost, refs and
    nodes) in the same order, the same label count, the same limit error."""
    adj, source, targets, dim, classes, target_hub = case
    kw: dict = {"dim": dim, "max_labels": limit}
    if option != "plain":
        kw["lower_bound"] = exact_lower_bounds(adj, targets, dim)
    if option == "peers":
        kw["peers"] = [-1 if u // classes == target_hub else u // classes
                       for u in range(len(adj))]
        kw["slack"] = [(5.0,) * dim] * len(adj)
    elif option == "simple":
        kw["simple_in"] = groups[:len(adj)]
    elif option == "first":
        kw["first"] = True
    elif option == "budget":
        kw["budget"] = (float(budget),) * dim
    elif option == "allowed":
        kw["allowed"] = [r % 3 != 0 for r in range(8)]
    got = {}
    for impl in ("python", "compiled"):
        stats: dict[str, int] = {}
        try:
            got[impl] = (search(impl, adj, source, targets, stats=stats, **kw), stats)
        except SearchLimitError as e:
            got[impl] = (("limit", e.max_labels, e.paths), stats)
    assert got["compiled"] == got["python"]


def test_the_install_built_the_compiled_search():
    """The installed package searches compiled (unless a run asks for pure Python)."""
    assert_built(pareto.CORE, "silkway.routing._pareto_core")
