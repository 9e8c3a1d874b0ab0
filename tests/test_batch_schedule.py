"""How a Dask batch is cut into tasks: every query planned once, each worker on its own stretch
of the planning order, and the rows of a diverse batch on two workers equal to the serial rows."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import pytest
from distributed import LocalCluster

import silkway
from silkway.analysis import batch_schedule
from silkway.analysis.batch import Shipment, _order, _seasons, plan_batch, plan_batch_dask
from silkway.analysis.batch_schedule import MIN_CHUNK, Schedule
from silkway.query import make_query


def _drain(plan: Schedule[int], order: Sequence[str | None],
           rng: random.Random) -> list[tuple[str | None, list[int]]]:
    """Hand out every task, the workers asking in a random order (as they free up)."""
    out: list[tuple[str | None, list[int]]] = []
    while True:
        addr = rng.choice(order)
        task = plan.next_for(addr)
        if task is None:
            assert all(plan.next_for(a) is None for a in order)
            return out
        out.append((addr, task))


@pytest.mark.parametrize("threads", [{"a": 1}, {"a": 1, "b": 1}, {"a": 2, "b": 1, "c": 1},
                                     {}])
@pytest.mark.parametrize("n", [1, 63, 700, 9_970])
def test_every_query_is_handed_out_once_in_contiguous_tasks(threads: dict[str, int],
                                                            n: int) -> None:
    rng = random.Random(n)
    plan: Schedule[int] = Schedule(list(range(n)), threads)
    tasks = _drain(plan, [*threads] or [None], rng)
    assert sorted(q for _, t in tasks for q in t) == list(range(n))
    assert all(t == list(range(t[0], t[0] + len(t))) for _, t in tasks)
    if n >= 700:  # few tasks, large at first and short at the end
        assert len(tasks) <= n // MIN_CHUNK + len(plan.stretches)  # a short one per stretch
        assert len(tasks[0][1]) > 2 * len(tasks[-1][1])


def test_two_workers_plan_from_the_two_ends_towards_each_other() -> None:
    n = 9_970
    plan: Schedule[int] = Schedule(list(range(n)), {"tcp://b": 1, "tcp://a": 1})
    tasks = _drain(plan, ["tcp://a", "tcp://b"], random.Random(7))
    front = [t for addr, t in tasks if addr == "tcp://a"]
    back = [t for addr, t in tasks if addr == "tcp://b"]
    assert front[0][0] == 0 and back[0][-1] == n - 1
    # each worker's tasks are one unbroken stretch, walked outwards-in: no query of one
    # worker's stretch lies between two of the other's, so each compiles only its months
    assert [t[0] for t in front] == sorted(t[0] for t in front)
    assert [t[0] for t in back] == sorted((t[0] for t in back), reverse=True)
    assert max(q for t in front for q in t) < min(q for t in back for q in t)


def test_a_worker_whose_stretch_is_done_takes_from_the_stretch_with_most_left() -> None:
    plan: Schedule[int] = Schedule(list(range(4_000)), {"a": 1, "b": 1, "c": 1})
    # a and b share the first stretch, c alone has the second; c never asks
    tasks = _drain(plan, ["a", "b"], random.Random(1))
    assert sorted(q for _, t in tasks for q in t) == list(range(4_000))
    assert plan.next_for("c") is None


def test_equal_partitions_are_dealt_in_whole_tasks() -> None:
    plan: Schedule[int] = Schedule(list(range(10)), {"a": 1, "b": 1}, parts=4)
    tasks = _drain(plan, ["a", "b"], random.Random(3))
    assert sorted(len(t) for _, t in tasks) == [2, 2, 3, 3]
    assert sorted(q for _, t in tasks for q in t) == list(range(10))
    one: Schedule[int] = Schedule(list(range(3)), {"a": 1}, parts=5)  # more parts than queries
    assert [one.next_for("a") for _ in range(4)] == [[0], [1], [2], None]


def test_months_that_plan_on_the_same_network_are_neighbours_in_the_order() -> None:
    seasons = _seasons()
    plain = [m for m in range(1, 13) if not seasons[m]]  # no seasonal delay: the network itself
    assert plain  # seasonality.csv leaves some months without delays
    order = sorted(range(1, 13), key=lambda m: _order(
        make_query(origin="Toyama", destination="Bishkek", month=m), seasons))
    at = [order.index(m) for m in plain]
    assert max(at) - min(at) == len(plain) - 1


@pytest.fixture(scope="module")
def diverse(net: silkway.Network) -> list[Shipment]:
    """A seeded batch of distinct queries over real hubs, all months, avoid sets and cargos."""
    rng = random.Random(14)
    hubs = sorted(h.id for h in net.hubs if h.kind != "border")
    avoidable = ["RU", "BY", "IR", "AF", "CN", "KZ", "TR", "GE"]
    out = []
    for i in range(1, 301):
        o, d = rng.sample(hubs, 2)
        ends = {net.hub(o).country, net.hub(d).country}
        avoid = ",".join(sorted(rng.sample([c for c in avoidable if c not in ends],
                                           rng.choice([0, 0, 1, 2]))))
        q = make_query(origin=o, destination=d, avoid=avoid, month=rng.randint(1, 12),
                       cargo=rng.choice(["FEU", "TEU"]), corridors="none")
        out.append(Shipment(row=i, query=q, id=f"d{i}"))
    return out


def test_a_diverse_batch_on_two_workers_gives_the_serial_rows(
        net: silkway.Network, cache_dir: Any, diverse: list[Shipment],
        monkeypatch: pytest.MonkeyPatch) -> None:
    serial = plan_batch(net, diverse)
    assert sum(r["status"] == "ok" for r in serial) > 250
    monkeypatch.setattr(batch_schedule, "MIN_CHUNK", 8)  # many tasks, several steals
    stats: dict[str, float] = {}
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster:
        rows = plan_batch_dask(diverse, cache_dir=cache_dir, scheduler=cluster.scheduler_address,
                               stats=stats)
    assert rows == serial
    assert stats["tasks"] > 10
