"""How a batch's distinct queries are cut into Dask tasks and handed to the workers.

The queries come ordered so that those sharing a compiled search graph (month, cargo, ...) and
then a destination's lower bounds are neighbours. Two workers plan that order from its two
ends towards each other: one from the first query forwards, the other from the last backwards,
so each compiles only the graphs and bounds of its own months and they meet wherever their
speeds take them (the graph of the month where they meet is the only one both compile, and no
worker waits while the other has work left). With more workers the order is cut into stretches
(in proportion to the workers' threads), each planned from both ends by two workers (or from
the front by the last, odd one); a worker whose stretch is done joins the stretch with the most
queries left, at its back.

A task takes a quarter of the queries left in all stretches per worker thread, at least
:data:`MIN_CHUNK`: few, large tasks at first (little scheduling), short ones at the end (no
worker waits long for the last). Tasks are handed out as workers free up, a few at a time
(:meth:`Schedule.in_flight`), so the stretches hold whatever the scheduler's own placement
would do with the tasks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

MIN_CHUNK = 64
"""Fewest distinct queries in a Dask task (a task costs the scheduler a few milliseconds)."""


@dataclass
class _Stretch:
    lo: int
    hi: int
    weight: int  # threads planning it


class Schedule(Generic[T]):
    """The tasks of a batch, handed to each worker from its end of its stretch.

    Parameters
    ----------
    items
        The distinct queries, in planning order.
    threads
        Worker address -> threads; empty when no worker is known yet (one stretch planned from
        the front, whose tasks go wherever the scheduler puts them: key None).
    parts
        Number of equal tasks in all, each stretch planned from its ends a task at a time; None:
        tasks sized as they are handed out (see the module).
    """

    def __init__(self, items: Sequence[T], threads: Mapping[str, int],
                 parts: int | None = None) -> None:
        self.items = items
        addrs: list[str | None] = [*sorted(threads)] or [None]
        self.threads = {a: max(1, threads[a]) if a is not None else 1 for a in addrs}
        self.slots = sum(self.threads.values())
        # positions in ``items`` where tasks may start: every query, or the equal tasks' edges
        if parts is None:
            self.edges: list[int] | None = None
            units = len(items)
        else:
            n = max(1, min(len(items), parts))
            size, extra = divmod(len(items), n)
            self.edges = [i * size + min(i, extra) for i in range(n + 1)]
            units = n
        pairs = [addrs[i:i + 2] for i in range(0, len(addrs), 2)]
        weights = [sum(self.threads[a] for a in p) for p in pairs]
        total, acc, start = sum(weights), 0, 0
        self.stretches: list[_Stretch] = []
        self.where: dict[str | None, tuple[int, bool]] = {}  # addr -> (stretch, from the back)
        for i, (p, w) in enumerate(zip(pairs, weights, strict=True)):
            acc += w
            stop = units * acc // total
            self.stretches.append(_Stretch(start, stop, w))
            start = stop
            for j, a in enumerate(p):
                self.where[a] = (i, j == 1)

    @property
    def left(self) -> int:
        """Queries not handed out yet."""
        if self.edges is None:
            return sum(s.hi - s.lo for s in self.stretches)
        return sum(self.edges[s.hi] - self.edges[s.lo] for s in self.stretches)

    def in_flight(self, addr: str | None) -> int:
        """Tasks a worker is given at a time: one per thread and one waiting (its next task
        is there when a thread frees up); all of them when no worker is known."""
        if addr is None:
            return len(self.items)
        return self.threads.get(addr, 1) + 1

    def next_for(self, addr: str | None) -> list[T] | None:
        """The next task for the worker at ``addr`` (from its end of its stretch, or of the
        stretch with most left once its own is done); None when every query is handed out."""
        i, back = self.where.get(addr, (0, True))
        s = self.stretches[i]
        if s.hi <= s.lo:
            if self.left == 0:
                return None
            i = max(range(len(self.stretches)),
                    key=lambda k: self.stretches[k].hi - self.stretches[k].lo)
            s, back = self.stretches[i], True
            self.where[addr] = (i, back)
        size = 1 if self.edges is not None else min(
            s.hi - s.lo, max(MIN_CHUNK, self.left // (4 * self.slots)))
        if back:
            lo, hi = s.hi - size, s.hi
            s.hi = lo
        else:
            lo, hi = s.lo, s.lo + size
            s.lo = hi
        if self.edges is not None:
            lo, hi = self.edges[lo], self.edges[hi]
        return list(self.items[lo:hi])
