"""Planning in child processes, so that a server plans on every core.

A plan is CPU-bound Python: threads of one process take turns under the GIL, so one server
process plans on one core. Several uvicorn processes each accept their own share of the
connections, and that share is uneven (50 connections split 29 / 21 in a measured run), so
the busier process's requests wait longer than the other's, whatever the load. Here one server
process takes every request and answers the cheap ones itself, and each thread of its
planning pool (:class:`silkway.api.jobs.WorkerPool`: bounded queue, 503 when full, first come
first served) hands its plan to a child process of its own and waits for the answer without
holding the GIL. The queue is one for all the cores, in order of arrival.

A child builds its own answering object from a picklable ``factory`` (the network goes over
as a pickle, so the children answer from the very network the server holds) and runs the
method the thread names. An error the child raises on purpose (a
:class:`~silkway.errors.SilkwayError`) comes back as itself and becomes the same problem
document as in one process; any other error is logged in the child and comes back as a plain
error (a 500, its details kept out of the answer). A child that dies is started again, and the
request it was answering gets a 503 with ``Retry-After``.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import pickle
import signal
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from silkway.api.problems import ServiceBusyError
from silkway.errors import SilkwayError

log = logging.getLogger(__name__)

START_TIMEOUT_S = 120.0
"""Longest wait for a child to import silkway and build its answering object."""


class ChildFailedError(RuntimeError):
    """A child process's answer was an error that is not silkway's own (a bug: a 500)."""


def _serve(conn: Connection, factory: Callable[[], Any]) -> None:
    """A child's life: build the object, say so, then answer ``(method, args)`` until told to
    stop (``None``) or the parent goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server; the server, us
    try:
        target = factory()
    except BaseException as exc:  # the parent reports it at start-up
        conn.send(("err", _portable(exc)))
        return
    conn.send(("ok", None))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        method, args = message
        try:
            reply = ("ok", getattr(target, method)(*args))
        except Exception as exc:
            if not isinstance(exc, SilkwayError):
                log.exception("planning process: %s failed", method)
            reply = ("err", _portable(exc))
        conn.send(reply)


def _portable(exc: BaseException) -> BaseException:
    """``exc`` if it goes through a pipe and is silkway's own; otherwise a plain error with
    the class name only (its message and traceback stay in the child's log)."""
    if isinstance(exc, SilkwayError):
        try:
            pickle.dumps(exc)
            return exc
        except Exception:  # any pickling failure: the plain error below
            pass
    return ChildFailedError(f"a planning process failed ({type(exc).__name__})")


class _Child:
    """One child process and the parent's end of its pipe."""

    def __init__(self, context: Any, factory: Callable[[], Any], name: str) -> None:
        self.conn, theirs = context.Pipe()
        self.process = context.Process(target=_serve, args=(theirs, factory), name=name,
                                       daemon=True)
        self.process.start()
        theirs.close()
        self.is_ready = False

    def ready(self) -> None:
        """Wait (once) for the child to have built its object; raise what it raised."""
        if self.is_ready:
            return
        if not self.conn.poll(START_TIMEOUT_S):
            self.stop()
            raise ServiceBusyError("a planning process did not start in time", retry_after=10)
        status, value = self.conn.recv()
        if status != "ok":
            self.stop()
            raise value
        self.is_ready = True

    def stop(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.conn.send(None)
        self.process.join(5)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(5)
        self.conn.close()


class PlanningProcesses:
    """``count`` child processes, each answering the calls of one planning thread.

    Parameters
    ----------
    count
        Child processes (the cores to plan on).
    factory
        Picklable callable, run in each child, building the object whose methods
        :meth:`call` names.
    """

    def __init__(self, count: int, factory: Callable[[], Any]) -> None:
        self.count = count
        self._factory = factory
        self._context = multiprocessing.get_context("spawn")  # no fork of a threaded server
        self._free: list[_Child] = []
        self._all: list[_Child] = []
        self._lock = threading.Lock()
        self._mine = threading.local()

    def start(self) -> None:
        """Start every child and wait until each can answer (else raise its error)."""
        with self._lock:
            while len(self._all) < self.count:
                child = self._spawn(len(self._all))
                self._all.append(child)
                self._free.append(child)
            children = list(self._all)
        for child in children:
            child.ready()

    def _spawn(self, k: int) -> _Child:
        return _Child(self._context, self._factory, f"silkway-planner-{k}")

    def call(self, method: str, *args: Any) -> Any:
        """Run ``method(*args)`` on the calling thread's child (its first call claims one);
        return what it returns or raise what it raised."""
        child: _Child | None = getattr(self._mine, "child", None)
        if child is None or child not in self._all:
            child = self._claim()
        try:
            child.conn.send((method, args))
            status, value = child.conn.recv()
        except (EOFError, OSError):
            self._replace(child)
            raise ServiceBusyError("a planning process stopped while it answered and is "
                                   "started again; retry shortly", retry_after=2) from None
        if status != "ok":
            raise value
        return value

    def _claim(self) -> _Child:
        with self._lock:
            if self._free:
                child = self._free.pop()
            elif len(self._all) < self.count:
                child = self._spawn(len(self._all))
                self._all.append(child)
            else:  # more threads than children: a pool set up wrong, not the user's fault
                raise ServiceBusyError("no planning process is free; retry shortly")
        child.ready()
        self._mine.child = child
        return child

    def _replace(self, dead: _Child) -> None:
        """Start a new child for this thread in place of ``dead``."""
        with self._lock:
            if dead in self._all:
                self._all.remove(dead)
        dead.process.join(1)
        dead.conn.close()
        child = self._spawn(self.count)
        with self._lock:
            self._all.append(child)
        child.ready()
        self._mine.child = child

    def pids(self) -> list[int]:
        """The children's process ids (those started so far)."""
        with self._lock:
            return [c.process.pid for c in self._all if c.process.pid is not None]

    def close(self) -> None:
        """Stop every child (the threads that used them are done)."""
        with self._lock:
            children, self._all, self._free = self._all, [], []
        for child in children:
            child.stop()
