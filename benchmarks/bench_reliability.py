"""Monte Carlo transit-time simulation: 100,000 draws of a 20-leg route.

Run with ``python benchmarks/bench_reliability.py``. Baseline in the same process: the same
sum drawn with ``scipy.stats.lognorm.rvs`` per part (the textbook way). Bar: <= 50 ms.
"""

from __future__ import annotations

import time

import numpy as np
from scipy import stats

from silkway.analysis.reliability import Part, simulate_days, summarise
from silkway.data.tables import LogNormal

DRAWS = 100_000
PARTS = [Part(LogNormal(0.3 + (i % 4) * 0.5, (0.3 + (i % 4) * 0.5) * (2 + i % 5)), (i % 3) - 1)
         for i in range(20)]
RHO = [0.6, 0.3]


def ours(rng: np.random.Generator) -> float:
    t0 = time.perf_counter()
    s = simulate_days(12.0, PARTS, rho=RHO, draws=DRAWS, rng=rng)
    summarise(s, deadline_days=30, histogram=True)
    return time.perf_counter() - t0


def baseline(rng: np.random.Generator) -> float:
    t0 = time.perf_counter()
    total = np.full(DRAWS, 12.0)
    for p in PARTS:
        total += stats.lognorm.rvs(p.dist.sigma, scale=p.dist.p50, size=DRAWS, random_state=rng)
    np.quantile(total, [0.5, 0.9, 0.95])
    return time.perf_counter() - t0


def main() -> None:
    rng = np.random.default_rng(1)
    ours(rng), baseline(rng)  # warm-up
    a = sorted(ours(rng) for _ in range(15))
    b = sorted(baseline(rng) for _ in range(5))
    med_a, med_b = a[len(a) // 2] * 1000, b[len(b) // 2] * 1000
    print(f"{DRAWS:,} draws x {len(PARTS)} parts (2 correlated groups)")
    print(f"silkway simulate_days + summary, median   {med_a:8.1f} ms   x baseline {med_a / med_b:.2f}")
    print(f"scipy.stats lognorm.rvs baseline, median   {med_b:8.1f} ms   x baseline 1.00")
    print(f"bar <= 50 ms: {'PASS' if med_a <= 50 else 'FAIL'}")


if __name__ == "__main__":
    main()
