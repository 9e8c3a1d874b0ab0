"""Dask plumbing shared by batch planning and sweeps: one client, one network per worker."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from silkway._redact import hide_credentials
from silkway.errors import BackendError, ConstraintError
from silkway.network.model import Network, load_network

CONNECT_TIMEOUT_S = 15.0
"""How long a scheduler given by address may take to answer before it counts as unreachable."""


@contextmanager
def dask_client(scheduler: str | None, workers: int) -> Iterator[Any]:
    """A ``distributed.Client``: to ``scheduler`` (``tcp://HOST:PORT``), or to a local cluster
    of ``workers`` single-threaded processes started for this block and closed after it.

    Raises
    ------
    ConstraintError
        For ``workers`` below 1, or a scheduler address that is empty or not one.
    BackendError
        For a scheduler that cannot be reached in :data:`CONNECT_TIMEOUT_S`, or a local
        cluster that cannot start (exit 5, as a database that cannot be reached: it was exit 2).
    """
    import dask
    from distributed import Client, LocalCluster

    if workers < 1:
        raise ConstraintError(f"workers must be 1 or more, not {workers}")
    if scheduler is not None and not scheduler.strip():  # "" read as "no scheduler" below
        raise ConstraintError("the scheduler address is empty; give tcp://HOST:PORT, or leave "
                              "it out for a local cluster")
    cluster = None
    try:
        if scheduler is None:
            # The workers' statistical profiler samples the planning thread every 10 ms and
            # contends for the GIL with it (a 1-worker batch ran 1.4-1.7x slower than serial).
            # Forked workers start with silkway, NumPy and SciPy imported: 0.3 s for two
            # instead of 2 s spawning fresh interpreters, and 0.1 s instead of 0.7 s to close.
            # Its own monitors poll less often: the event-loop tick every 1 s instead of 20 ms,
            # the nannies' memory check every 1 s instead of 100 ms and the system monitor
            # (dashboard figures) every 5 s instead of 0.5 s. Between them they took 1.1-1.3
            # CPU s of this process's event loop in a 10,000-row batch, 0.5-0.7 s after, on
            # the cores the workers plan on.
            cfg: dict[str, Any] = {"distributed.worker.profile.enabled": False,
                                   "distributed.admin.tick.interval": "1s",
                                   "distributed.worker.memory.monitor-interval": "1s",
                                   "distributed.admin.system-monitor.interval": "5s"}
            if "fork" in multiprocessing.get_all_start_methods():
                cfg["distributed.worker.multiprocessing-method"] = "fork"
            with dask.config.set(cfg):
                # The scheduler serves HTTP whatever dashboard_address says (None meant
                # ":8787", every interface, with a warning on stderr when that port is taken):
                # a free port on loopback, without the dashboard.
                cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                       dashboard_address="127.0.0.1:0",
                                       scheduler_kwargs={"dashboard": False})
                client = Client(cluster)
        else:
            client = Client(scheduler, timeout=f"{CONNECT_TIMEOUT_S}s")
    except (OSError, TimeoutError, ValueError) as exc:  # unreachable or malformed address
        if cluster is not None:
            cluster.close()
        where = f"the Dask scheduler at {scheduler}" if scheduler else "a local Dask cluster"
        why = " ".join(str(exc).split())
        if isinstance(exc, ValueError):  # the address is not one: the user's input
            raise ConstraintError(hide_credentials(f"cannot connect to {where}: {why}")) from None
        raise BackendError(hide_credentials(f"cannot reach {where}: {why}")) from None
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


@lru_cache(maxsize=4)
def worker_network(cache_dir: str) -> Network:
    """The compiled network, loaded once per worker process and cache directory."""
    return load_network(cache_dir)
