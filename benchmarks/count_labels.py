"""Work of the corridor section's country-simple searches over the API load test's random mix.

Run with ``python benchmarks/count_labels.py`` (``--requests``, ``--seed`` as
``bench_api.py``'s). It plans the random mix of ``load_api.py`` (random pairs, random avoid
sets of 0-3 countries) and prints how many relaxations the country-simple search ran and how
many labels they made in all: a count, not a time, so it is the same on a busy machine and a
quiet one, and two revisions compare exactly (run it with the other revision's ``src`` on
``PYTHONPATH``).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import silkway
from load_api import random_queries
from silkway.routing import simple


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--requests", type=int, default=500)
    ap.add_argument("--seed", type=int, default=14)
    args = ap.parse_args()
    net = silkway.load_network(os.environ.get("SILKWAY_CACHE_DIR"))
    queries = random_queries(args.requests, args.seed)
    count = [0, 0]
    search = simple._search

    def counted(*a: object) -> tuple[object, int]:
        found, labels = search(*a)  # type: ignore[arg-type]
        count[0] += 1
        count[1] += labels
        return found, labels

    simple._search = counted  # type: ignore[assignment]
    for q in queries:
        with contextlib.suppress(silkway.SilkwayError):
            silkway.plan(net, str(q["origin"]), str(q["destination"]),
                         avoid=q["avoid"])  # type: ignore[arg-type]
    print(f"{len(queries)} plans: {count[0]:,} country-simple relaxations, {count[1]:,} labels")


if __name__ == "__main__":
    main()
