"""The Dask side of a batch: a worker plugin that loads the network once, and the task that
plans one partition with it (imported only when a batch runs on Dask)."""

from __future__ import annotations

import time
from typing import Any

from distributed import WorkerPlugin, get_worker

from silkway.analysis.batch import Outcome, _Planner
from silkway.network.model import load_network
from silkway.query import PlanQuery


class NetworkPlugin(WorkerPlugin):
    """Loads the compiled network once per Dask worker, before it runs any batch task."""

    def __init__(self, name: str, cache_dir: str) -> None:
        self.name = name
        self.cache_dir = cache_dir
        self.planner: _Planner | None = None

    def setup(self, worker: Any) -> None:
        self.planner = _Planner(load_network(self.cache_dir))

    def teardown(self, worker: Any) -> None:
        self.planner = None


def plan_partition(queries: list[PlanQuery], plugin_name: str,
                   cache_dir: str) -> tuple[list[Outcome], float, float]:
    """Dask task: plan a list of queries with the worker's network; the outcomes, and the
    seconds and CPU seconds the task took (to tell planning from scheduling)."""
    t0, c0 = time.perf_counter(), time.process_time()
    plugin = get_worker().plugins.get(plugin_name)
    planner = plugin.planner if isinstance(plugin, NetworkPlugin) else None
    if planner is None:  # plugin not set up here (should not happen): load for this task only
        planner = _Planner(load_network(cache_dir))
    out = [planner.outcome(q) for q in queries]
    return out, time.perf_counter() - t0, time.process_time() - c0
