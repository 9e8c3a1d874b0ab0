"""The garbage collector of a long-running server process.

A plan makes no reference cycles (its objects are all freed by reference counting), yet each
one allocates thousands of objects that live for a few milliseconds, and CPython's collector
counts them: with its default thresholds a server process runs a full collection every few
seconds under load, each a stop-the-world pause of 100 ms or more of CPU (it walks every
object of the loaded network and the search caches, and finds nothing), which every request in
flight waits for. :func:`settle` freezes what start-up loaded (it is kept for the life of the
process) and collects the young generations less often and the old one rarely; cycles made
elsewhere (an exception's traceback, say) are still collected, by the young collections or the
next full one.
"""

from __future__ import annotations

import gc

THRESHOLDS = (20_000, 20, 100)
"""Net allocations before a young collection (default 700), young collections before a
middle one (10), middle ones before a full one is considered (10)."""


def settle() -> None:
    """Collect once, freeze every object that survives (start-up's network, tables and
    caches) out of later collections, and set :data:`THRESHOLDS`."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
