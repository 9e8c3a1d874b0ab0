"""Bounded workers for the API: plans off the event loop, batch jobs that always end.

:class:`WorkerPool` is a fixed number of daemon threads and a bounded queue. A full pool refuses
new work at once (:class:`~silkway.api.problems.ServiceBusyError`, a 503 with ``Retry-After``)
instead of queueing without end, and :func:`run_bounded` gives each request a time limit (a
504). Daemon threads matter: a plan that never ends cannot keep the server from stopping.

:class:`JobRunner` runs batch jobs on such a pool and keeps their state in the store honest:

- each job records its owner (``host:pid:instance``);
- on start-up, and whenever a job is read, a ``queued`` or ``running`` job whose owner process
  is gone (same host, dead pid) or silent for :data:`STALE_AFTER_S` (another host), or a
  running job that wrote no progress for that long (a stalled plan), is marked
  ``failed`` with the reason, so a poller never waits for a job nobody runs;
- on shutdown (SIGTERM), running jobs get :data:`DRAIN_S` seconds to finish, then they and
  the queued ones are marked ``failed``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import os
import queue
import secrets
import socket
import threading
import time
from collections.abc import Callable, Hashable
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

from silkway._lru import LRU
from silkway.api.problems import ServiceBusyError, TimeLimitError
from silkway.api.store import UNFINISHED, Store

__all__ = ["DRAIN_S", "STALE_AFTER_S", "JobRunner", "Memo", "WorkerPool", "run_bounded"]

log = logging.getLogger(__name__)

T = TypeVar("T")

STALE_AFTER_S = 300.0
"""A job on another host with no progress for this long is taken as orphaned."""

DRAIN_S = 10.0
"""How long a stopping server lets running jobs finish before marking them failed."""

HEARTBEAT_S = 1.0
"""A running job writes its progress at most this often (which is also its heartbeat)."""


class JobStoppedError(Exception):
    """Raised inside a job's progress callback when the server stops."""


class WorkerPool:
    """``workers`` daemon threads taking work from a queue of at most ``queue_size`` items.

    Parameters
    ----------
    name
        Thread name prefix.
    workers
        Threads doing the work.
    queue_size
        Items allowed to wait beyond those being worked on.
    """

    def __init__(self, name: str, workers: int, queue_size: int) -> None:
        self.name = name
        self.workers = workers
        self._slots = threading.BoundedSemaphore(workers + queue_size)
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = False

    def submit(self, fn: Callable[..., T], *args: Any) -> concurrent.futures.Future[T]:
        """Queue ``fn(*args)``; raise :class:`ServiceBusyError` if the pool is full."""
        if self._closed:
            raise ServiceBusyError("the server is stopping and takes no new work", retry_after=5)
        if not self._slots.acquire(blocking=False):
            raise ServiceBusyError(f"the server is busy ({self.name} workers and queue are "
                                   "full); retry shortly")
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._start()
        self._queue.put((future, fn, args))
        return future

    def _start(self) -> None:
        with self._lock:
            while len(self._threads) < self.workers:
                t = threading.Thread(target=self._work, daemon=True,
                                     name=f"silkway-{self.name}-{len(self._threads)}")
                t.start()
                self._threads.append(t)

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            future, fn, args = item
            try:
                if future.set_running_or_notify_cancel():
                    try:
                        future.set_result(fn(*args))
                    except BaseException as exc:  # handed to whoever waits on the future
                        future.set_exception(exc)
            finally:
                self._slots.release()

    def close(self) -> None:
        """Take no new work; the threads end once the queue is empty."""
        with self._lock:
            self._closed = True
            for _ in self._threads:
                self._queue.put(None)
            self._threads = []

    def reopen(self) -> None:
        """Take work again after :meth:`close` (an app whose lifespan starts a second time)."""
        with self._lock:
            self._closed = False


async def run_bounded(pool: WorkerPool, timeout_s: float, fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn(*args)`` on ``pool`` and wait at most ``timeout_s`` seconds for it.

    Raises
    ------
    ServiceBusyError
        If the pool is full (nothing was started).
    TimeLimitError
        If the answer took too long. The work is cancelled if it had not started; a started
        plan finishes on its thread and keeps its slot until then, so the pool stays bounded.
    """
    future = pool.submit(fn, *args)
    try:
        return await asyncio.wait_for(asyncio.wrap_future(future), timeout_s)
    except TimeoutError:
        raise TimeLimitError(f"the answer took longer than the server's limit of {timeout_s:g} s; "
                             "try fewer routes or a simpler query") from None


class Memo(Generic[T]):
    """A thread-safe LRU memo of ``fn`` whose hits can be looked up without computing.

    The API answers a repeated request straight from the event loop (:meth:`peek`) and sends
    only new ones to the worker pool, so cached answers never queue behind slow plans.
    """

    def __init__(self, fn: Callable[..., T], maxsize: int) -> None:
        self.fn = fn
        self.maxsize = maxsize
        self._items: LRU[tuple[Hashable, ...], T] = LRU(maxsize)

    def peek(self, *args: Hashable) -> T | None:
        """The remembered value for ``args``, or None (nothing is computed)."""
        return self._items.get(args)

    def __call__(self, *args: Hashable) -> T:
        hit = self._items.get(args)
        if hit is not None:
            return hit
        # outside the lock: two threads may compute one answer twice
        return self._items.put(args, self.fn(*args))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class JobRunner:
    """Batch jobs on a bounded pool, recorded in ``store`` with this process as owner.

    Parameters
    ----------
    store
        Where jobs live.
    workers, queue_size
        Jobs run at once, and jobs allowed to wait.
    """

    def __init__(self, store: Store, *, workers: int = 1, queue_size: int = 4) -> None:
        self.store = store
        self.host = socket.gethostname()[:60]
        self.owner = f"{self.host}:{os.getpid()}:{secrets.token_hex(4)}"
        self.pool = WorkerPool("batch", workers, queue_size)
        self.stale_after_s = STALE_AFTER_S
        self._stopping = threading.Event()
        self._mine: dict[str, concurrent.futures.Future[None]] = {}
        self._lock = threading.Lock()

    # -- orphans ------------------------------------------------------------------------------

    def orphaned(self, owner: str | None, updated: datetime) -> bool:
        """Whether no live server runs a job with this owner (see the module)."""
        if owner == self.owner:
            return False
        host, _, rest = (owner or "").partition(":")
        pid_text, _, _instance = rest.partition(":")
        if not owner or not pid_text.isdigit():
            return True
        if host == self.host:
            pid = int(pid_text)
            if pid == os.getpid():  # another app in this process: trust it while it is fresh
                return datetime.now(UTC) - updated > timedelta(seconds=self.stale_after_s)
            return not _pid_alive(pid)
        return datetime.now(UTC) - updated > timedelta(seconds=self.stale_after_s)

    def recover(self) -> list[str]:
        """Mark every orphaned unfinished job failed; return their ids."""
        failed = []
        for job in self.store.unfinished_jobs():
            if self.orphaned(job["owner"], job["updated"]) and self._fail(
                    job["id"], "the server running this job stopped before it finished; "
                               "submit it again"):
                failed.append(job["id"])
        if failed:
            log.warning("marked %d orphaned job(s) failed: %s", len(failed), ", ".join(failed))
        return failed

    def check(self, job: dict[str, Any]) -> dict[str, Any]:
        """``job`` as read, after failing it if it is orphaned or stalled (a running job that
        wrote no progress for :data:`STALE_AFTER_S`), so pollers always see an end."""
        if job["status"] in UNFINISHED:
            updated = datetime.fromisoformat(job["updated"].replace("Z", "+00:00"))
            silent = datetime.now(UTC) - updated > timedelta(seconds=self.stale_after_s)
            if self.orphaned(job.get("owner"), updated):
                reason = ("the server running this job stopped before it finished; "
                          "submit it again")
            elif job["status"] == "running" and silent:
                reason = (f"the job made no progress for {self.stale_after_s:g} s and was given "
                          "up; submit it again")
            else:
                return job
            self._fail(job["id"], reason)
            job = self.store.get_job(job["id"]) or job
        return job

    def _fail(self, job_id: str, reason: str) -> bool:
        return self.store.update_job(job_id, status="failed", error=reason, expect=UNFINISHED)

    # -- running ------------------------------------------------------------------------------

    def submit(self, kind: str, payload: dict[str, Any],
               work: Callable[[Callable[[int, int], None]], Any]) -> str:
        """Create a job and queue ``work(progress)``; its return value is the job's result.

        Raises
        ------
        ServiceBusyError
            If the pool is full or the server is stopping (the job is then marked failed).
        """
        job_id = self.store.create_job(kind, payload, owner=self.owner)
        try:
            future = self.pool.submit(self._run, job_id, work)
        except ServiceBusyError as exc:
            self._fail(job_id, str(exc))
            raise
        with self._lock:
            self._mine[job_id] = future
        future.add_done_callback(lambda _f: self._forget(job_id))
        return job_id

    def _forget(self, job_id: str) -> None:
        with self._lock:
            self._mine.pop(job_id, None)

    def _run(self, job_id: str, work: Callable[[Callable[[int, int], None]], Any]) -> None:
        if self._stopping.is_set() or not self.store.update_job(
                job_id, status="running", progress=0.0, expect=("queued",)):
            return
        last = [time.monotonic()]

        def progress(done: int, total: int) -> None:
            if self._stopping.is_set():
                raise JobStoppedError
            now = time.monotonic()
            if now - last[0] >= HEARTBEAT_S:
                last[0] = now
                self.store.update_job(job_id, status="running", progress=min(done / max(total, 1),
                                                                            1.0), expect=("running",))

        try:
            result = work(progress)
        except JobStoppedError:
            self._fail(job_id, "the server was stopped while this job ran; submit it again")
            return
        except Exception as exc:  # a job must end, and say why
            log.exception("job %s failed", job_id)
            self._fail(job_id, f"the job failed: {type(exc).__name__}: {exc}")
            return
        try:
            self.store.update_job(job_id, status="done", progress=1.0, result=result,
                                  expect=("running",))
        except Exception as exc:
            log.exception("job %s could not store its result", job_id)
            self._fail(job_id, f"the job's result could not be stored ({type(exc).__name__})")

    def start(self) -> None:
        """Accept jobs (again, if the app's lifespan was stopped and is started anew)."""
        self._stopping.clear()
        self.pool.reopen()

    def shutdown(self, drain_s: float = DRAIN_S) -> None:
        """Stop: let running jobs finish for ``drain_s`` seconds, then fail what is left."""
        self.pool.close()
        with self._lock:
            pending = list(self._mine.items())
        for job_id, future in pending:
            if future.cancel():
                self._fail(job_id, "the server was stopped before this job started; submit it "
                                   "again")
        deadline = time.monotonic() + drain_s
        for _job_id, future in pending:
            with contextlib.suppress(concurrent.futures.TimeoutError,
                                     concurrent.futures.CancelledError):
                future.result(timeout=max(deadline - time.monotonic(), 0.0))
        self._stopping.set()
        for job_id, _future in pending:
            self._fail(job_id, "the server was stopped while this job ran; submit it again")
