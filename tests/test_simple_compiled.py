"""The compiled country-simple search against the pure-Python one: on random graphs with random
watched bits (in either of the compiled search's two words), work limits and ``hopeless``
answers, and on every relaxation a mix of real plans runs, replayed by both (the same path,
label count, limit error and calls of ``hopeless``), and the plans themselves either way."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import silkway
from compiled_cores import Strict, random_first_rows
from silkway.routing import pareto, simple
from silkway.routing.pareto import SearchLimitError
from silkway.routing.simple import PreparedArcs
from test_corridors import HARD
from test_pareto_compiled import _answer, _pairs
from test_simple import cases_with_places, exact_bounds, graph

pytestmark = pytest.mark.skipif(simple.CORE is None, reason="the compiled search is not built "
                                "or SILKWAY_PURE_PYTHON=1")


def run(impl: str, args: tuple[Any, ...], answers: list[bool] | None) -> Any:
    """One relaxation's search by ``impl`` (compiled strictly: no fallback), with the calls of
    ``hopeless`` (answering from ``answers`` in turn, or by the recorded callback)."""
    *rest, hopeless = args
    asked: list[int] = []

    def ask(bits: int) -> bool:
        asked.append(bits)
        if answers is not None:
            return answers[(len(asked) - 1) % len(answers)]
        return bool(hopeless(bits))

    callback = None if hopeless is None and answers is None else ask
    with pytest.MonkeyPatch.context() as mp:
        strict = Strict(simple.CORE)
        mp.setattr(simple, "CORE", strict if impl == "compiled" else None)
        try:
            got: Any = simple._search(*rest, callback)
        except SearchLimitError as e:
            got = ("limit", e.max_labels, e.paths)
    if impl == "compiled":
        assert strict.calls == 1, "the compiled search did not run"
    return got, asked


@settings(max_examples=500, deadline=None)
@given(cases_with_places(), st.integers(0, 2 ** 12 - 1), st.integers(0, 118),
       st.integers(1, 40), st.integers(0, 3), st.lists(st.booleans(), min_size=1, max_size=2),
       st.booleans(), st.integers(1, 6))
def test_both_implementations_search_the_same(case, watch, pad, limit, easy, answers, asking,
                                               spread):
    """The same path (cost, nodes, refs), label count, limit error and ``hopeless`` calls,
    whatever the bits watched: ``pad`` unused low bits push the real ones into the compiled
    search's second word, ``spread`` leaves gaps between place bits."""
    n, edges, source, ends, group, place, allowed, required, budget = case
    before, after = exact_bounds(n, edges, ends, allowed, required)
    group = [g + pad for g in group]  # groups 0..pad-1 exist on no node
    place = [p * spread for p in place]
    prepared = PreparedArcs(graph(n, edges), allowed=allowed, required=required, group=group,
                            place=place)
    shift = prepared.shift
    # the watched bits: some of the graph's groups and places, and every padding group
    watched = (1 << pad) - 1
    for k in range(3):
        if watch >> k & 1:
            watched |= 1 << (pad + k)
    for p in range(n):
        if watch >> (3 + p) & 1:
            watched |= 1 << (shift + p * spread)
    limit_cost = float("inf") if budget is None else float(budget)
    args = (prepared, source, ends, before, after, limit_cost, watched, limit, None)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(simple, "EASY_LABELS", easy)
        want = run("python", args, answers if asking else None)
        got = run("compiled", args, answers if asking else None)
        again = run("compiled", args, answers if asking else None)  # its arrays kept
    assert got == want
    assert again == want


def test_more_watched_bits_than_the_compiled_words_hold_search_in_python():
    n = 3
    edges = [(0, 1, 1.0), (1, 2, 1.0)]
    prepared = PreparedArcs(graph(n, edges), allowed=[True, True], required={1},
                            group=[0, 1, 2], place=[0, 1, 2])
    watched = (1 << 200) - 1
    args = (prepared, 0, {2: 0.0}, [0.0] * n, [0.0] * n, float("inf"), watched, 100, None)
    assert simple._compiled(pareto.load_core("_simple_core"), *args) is None  # type: ignore[arg-type]
    found, labels = simple._search(*args)
    assert (found, labels) == simple.python_search(*args)
    assert found is not None and found.nodes == (0, 1, 2)


def test_every_relaxation_of_real_plans_is_the_same_compiled(net: silkway.Network,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    calls: list[tuple[Any, ...]] = []
    real = simple._search

    def record(*args: Any) -> Any:
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(simple, "_search", record)
    for o, d, kw in _pairs(net, 40, 14):
        _answer(net, o, d, kw)
    for o, d, kw in HARD:  # corridors whose best paths leave a country and come back
        _answer(net, o, d, {"corridors": "all", **kw})
    random_first_rows(net, 20, "all")
    monkeypatch.undo()
    assert len(calls) >= 40
    assert any(args[-1] is not None and args[6] for args in calls), "no search could ask"
    for args in calls:
        want = run("python", args, None)
        assert run("compiled", args, None) == want
    # the same relaxations at tight work limits, asking early: the limit error and the
    # ``hopeless`` call at the same label
    with monkeypatch.context() as mp:
        mp.setattr(simple, "EASY_LABELS", 5)
        for args in calls[:60]:
            for work in (3, 20, 150):
                tight = (*args[:7], work, args[8])
                want = run("python", tight, [False])
                assert run("compiled", tight, [False]) == want
                want = run("python", tight, [True])
                assert run("compiled", tight, [True]) == want


def test_real_plans_are_the_same_either_way(net: silkway.Network,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    pairs = _pairs(net, 30, 41)
    compiled = [_answer(net, o, d, kw) for o, d, kw in pairs]
    monkeypatch.setattr(simple, "CORE", None)
    assert [_answer(net, o, d, kw) for o, d, kw in pairs] == compiled
