"""Monte Carlo transit times: a route's days are a constant plus a sum of lognormal delays."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from silkway.data.tables import LogNormal

DEFAULT_DRAWS = 2000
DEFAULT_SEED = 20_240_715


@dataclass(frozen=True, slots=True)
class DaysSummary:
    """Distribution summary of a route's door-to-door transit days."""

    p50: float
    p90: float
    mean: float

    def to_dict(self) -> dict[str, float]:
        return {"p50": round(self.p50, 2), "p90": round(self.p90, 2), "mean": round(self.mean, 2)}


@lru_cache(maxsize=8)
def _normals(seed: int, rows: int, draws: int) -> NDArray[np.float64]:
    z = np.random.default_rng(seed).standard_normal((rows, draws))
    z.setflags(write=False)
    return z


def simulate_days(constant_days: float, parts: Sequence[LogNormal], *, draws: int = DEFAULT_DRAWS,
                  rng: np.random.Generator | None = None) -> NDArray[np.float64]:
    """Samples of total days: ``constant_days`` plus independent lognormal ``parts``.

    With ``rng`` None, a fixed block of standard normals (seeded with :data:`DEFAULT_SEED`) is
    reused, so the same route always gives the same answer and routes are compared with common
    random numbers.
    """
    live = [p for p in parts if p.p50 > 0]
    total = np.full(draws, constant_days, dtype=np.float64)
    if not live:
        return total
    mu = np.array([p.mu for p in live])[:, None]
    sigma = np.array([p.sigma for p in live])[:, None]
    if rng is None:
        rows = max(64, 1 << (len(live) - 1).bit_length())
        z = _normals(DEFAULT_SEED, rows, draws)[: len(live)]
    else:
        z = rng.standard_normal((len(live), draws))
    total += np.exp(mu + sigma * z).sum(axis=0)
    return total


def summarise(samples: NDArray[np.float64]) -> DaysSummary:
    """Median, 90th percentile and mean of simulated days."""
    p50, p90 = np.quantile(samples, [0.5, 0.9])
    return DaysSummary(float(p50), float(p90), float(samples.mean()))
