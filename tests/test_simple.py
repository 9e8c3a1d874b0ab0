"""The one-criterion group-simple search against brute force on small random graphs, for both
implementations of a relaxation's search: the pure-Python one and the compiled one (when the
install built it)."""

from __future__ import annotations

import contextlib
import heapq
from collections.abc import Iterator

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import silkway.routing.simple as simple
from compiled_cores import Strict, assert_built, implementations
from silkway.routing.pareto import SearchLimitError
from silkway.routing.simple import OneCriterion, PreparedArcs, cheapest_simple

INF = float("inf")
IMPLS = implementations(simple.CORE)


@contextlib.contextmanager
def implementation(impl: str) -> Iterator[Strict | None]:
    """Every relaxation's search by ``impl`` (``python`` or ``compiled``, strictly) inside."""
    strict = Strict(simple.CORE) if impl == "compiled" else None
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(simple, "CORE", strict)
        yield strict


@st.composite
def cases(draw):
    n = draw(st.integers(2, 7))
    edges = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1),
                                    st.integers(0, 9)), min_size=1, max_size=18))
    edges = [(u, v, float(c)) for u, v, c in edges if u != v]
    source = draw(st.integers(0, n - 1))
    ends = {e: float(draw(st.integers(0, 3)))
            for e in draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=2)) - {source}}
    group = draw(st.lists(st.integers(0, 2), min_size=n, max_size=n))
    allowed = draw(st.lists(st.booleans(), min_size=len(edges), max_size=len(edges)))
    required = draw(st.sets(st.integers(0, max(len(edges) - 1, 0)), max_size=4))
    budget = draw(st.one_of(st.none(), st.integers(0, 40).map(float)))
    return n, edges, source, ends, group, allowed, required, budget


def graph(n, edges):
    heads, costs, refs = ([[] for _ in range(n)] for _ in range(3))
    for ref, (u, v, c) in enumerate(edges):
        heads[u].append(v)
        costs[u].append(c)
        refs[u].append(ref)
    return OneCriterion(tuple(map(tuple, heads)), tuple(map(tuple, costs)),
                        tuple(map(tuple, refs)))


def brute_force(n, edges, source, ends, group, allowed, required):
    """Least cost (end included) over every path that uses a required arc, never visits a
    node twice and never re-enters a group it left; a path ends at its first end node."""
    return brute_force_places(n, edges, source, ends, group, list(range(n)), allowed, required)


def exact_bounds(n, edges, ends, allowed, required):
    """Exact least cost to the end from each (node, used) without the group rule."""
    dist = {}
    heap = [(c, e, 1) for e, c in ends.items()]
    while heap:
        d, v, used = heapq.heappop(heap)
        if (v, used) in dist:
            continue
        dist[v, used] = d
        for ref, (u, w, c) in enumerate(edges):
            if w != v or not allowed[ref] or u in ends:
                continue  # nothing leaves an end node
            if ref in required:  # it sets the flag: only into used states, from either
                if used:
                    for prior in (0, 1):
                        heapq.heappush(heap, (d + c, u, prior))
            else:
                heapq.heappush(heap, (d + c, u, used))
    return ([dist.get((v, 0), INF) for v in range(n)], [dist.get((v, 1), INF) for v in range(n)])


@pytest.mark.parametrize("impl", IMPLS)
@settings(max_examples=400, deadline=None)
@given(case=cases())
@example(case=(3, [(0, 2, 0.0), (2, 0, 0.0), (0, 1, 0.0)], 0, {1: 0.0}, [0, 0, 0],
               [True, True, True], {1}, None))  # the required arc only by coming back to the source
def test_finds_the_least_group_simple_path_through_a_required_arc(impl, case):
    n, edges, source, ends, group, allowed, required, budget = case
    before, after = exact_bounds(n, edges, ends, allowed, required)
    with implementation(impl):
        got = cheapest_simple(graph(n, edges), source, ends, allowed=allowed,
                              required=required, group=group, place=list(range(n)),
                              before=before, after=after, budget=budget)
    want = brute_force(n, edges, source, ends, group, allowed, required)
    if budget is not None and want > budget:
        want = INF
    assert (got.cost if got else INF) == want
    if got is None:
        return
    # the path is what it claims: its arcs are allowed, chain up, use a required arc, keep
    # the group rule and cost what it says
    assert got.nodes[0] == source and got.nodes[-1] in ends
    assert any(r in required for r in got.refs) and all(allowed[r] for r in got.refs)
    assert [edges[r][:2] for r in got.refs] == list(zip(got.nodes, got.nodes[1:], strict=False))
    runs = [group[x] for i, x in enumerate(got.nodes) if i == 0 or group[got.nodes[i - 1]]
            != group[x]]
    assert len(runs) == len(set(runs))
    assert sum(edges[r][2] for r in got.refs) + ends[got.nodes[-1]] == got.cost


@pytest.mark.parametrize("impl", IMPLS)
def test_a_search_at_its_limit_says_so(impl):
    # a ladder of parallel arcs through groups of their own: many labels before the end
    n = 12
    edges = [(i, i + 1, 1.0) for i in range(n - 1)] + [(i, i + 1, 1.0) for i in range(n - 1)]
    g = graph(n, edges)
    zero = [0.0] * n
    with implementation(impl) as strict, pytest.raises(SearchLimitError):
        cheapest_simple(g, 0, {n - 1: 0.0}, allowed=[True] * len(edges),
                        required={len(edges) - 1}, group=list(range(n)),
                        place=list(range(n)), before=zero,
                        after=zero, max_labels=3)
    assert strict is None or strict.calls >= 1


@st.composite
def cases_with_places(draw):
    """As :func:`cases`, with several nodes per place (as a hub's arrival states share it)
    and a place's nodes in one group, and a cost bound that may end the search early."""
    n, edges, source, ends, _, allowed, required, budget = draw(cases())
    place = draw(st.lists(st.integers(0, n - 1), min_size=n, max_size=n))
    of_place = draw(st.lists(st.integers(0, 2), min_size=n, max_size=n))
    return n, edges, source, ends, [of_place[p] for p in place], place, allowed, required, budget


def brute_force_places(n, edges, source, ends, group, place, allowed, required):
    """Least cost as :func:`brute_force`, with each place (not only each node) visited at most
    once."""
    best = INF

    def walk(node, cost, used, seen, left):
        nonlocal best
        if node in ends:
            if used:
                best = min(best, cost + ends[node])
            return
        for ref, (u, v, c) in enumerate(edges):
            if u != node or not allowed[ref] or place[v] in seen or group[v] in left:
                continue
            now = left | {group[node]} if group[v] != group[node] else left
            walk(v, cost + c, used or ref in required, seen | {place[v]}, now)

    walk(source, 0.0, False, {place[source]}, frozenset())
    return best


def relaxed(n, edges, source, ends, group, allowed, required, watched):
    """Least cost of a path that re-enters none of the ``watched`` groups it left (no other
    rule): Dijkstra over (node, used, watched groups left)."""
    heap, done = [(0.0, source, False, frozenset())], set()
    while heap:
        d, v, used, left = heapq.heappop(heap)
        if (v, used, left) in done:
            continue
        done.add((v, used, left))
        if v in ends:
            if used:
                return d + ends[v]  # not the least: the end's cost differs per node
            continue
        for ref, (u, w, c) in enumerate(edges):
            if u != v or not allowed[ref] or group[w] in left:
                continue
            now = left | {group[v]} if group[w] != group[v] and group[v] in watched else left
            heapq.heappush(heap, (d + c, w, used or ref in required, now))
    return INF


@pytest.mark.parametrize("impl", IMPLS)
@settings(max_examples=300, deadline=None)
@given(case=cases_with_places(), ask=st.booleans())
def test_watching_only_the_groups_a_path_comes_back_to_finds_the_same_path(impl, case, ask):
    # the search keeps the rule for the groups and places its relaxations came back to, and
    # (``ask``) asks a true lower bound whether any path within the budget is left
    n, edges, source, ends, group, place, allowed, required, budget = case
    before, after = exact_bounds(n, edges, ends, allowed, required)

    def hopeless(bits):
        groups = {k for k in range(3) if bits >> k & 1}
        return budget is not None and min(  # a lower bound: the least over the ends
            relaxed(n, edges, source, {e: c}, group, allowed, required, groups)
            for e, c in ends.items()) > budget

    with pytest.MonkeyPatch.context() as mp, implementation(impl):  # ask after the first label
        mp.setattr(simple, "EASY_LABELS", 1)
        got = cheapest_simple(graph(n, edges), source, ends, allowed=allowed,
                              required=required, group=group, place=place, before=before,
                              after=after, budget=budget, hopeless=hopeless if ask else None)
    want = brute_force_places(n, edges, source, ends, group, place, allowed, required)
    if budget is not None and want > budget:
        want = INF
    assert (got.cost if got else INF) == want
    if got is not None:
        places = [place[x] for x in got.nodes]
        assert len(places) == len(set(places))


@settings(max_examples=200, deadline=None)
@given(case=cases_with_places(), narrower=st.lists(st.booleans(), min_size=18, max_size=18))
def test_arcs_prepared_within_a_wider_mask_are_those_prepared_alone(case, narrower):
    """Arcs prepared ``within`` a wider mask's (kept for many masks) are, node by node, the
    arcs and bits prepared under the narrower mask alone, in the same order."""
    n, edges, _, _, group, place, allowed, required, _ = case
    narrow = [a and b for a, b in zip(allowed, narrower, strict=False)]
    g = graph(n, edges)
    wide = PreparedArcs(g, allowed=allowed, required=required, group=group, place=place)
    alone = PreparedArcs(g, allowed=narrow, required=required & {
        r for r, ok in enumerate(narrow) if ok}, group=group, place=place)
    within = PreparedArcs(g, allowed=narrow, required=required, group=group, place=place,
                          within=wide)
    assert [within[v] for v in range(n)] == [alone[v] for v in range(n)]


def test_the_install_built_the_compiled_country_simple_search():
    """The installed package runs the country-simple search compiled (unless a run asks for
    pure Python)."""
    assert_built(simple.CORE, "silkway.routing._simple_core")
