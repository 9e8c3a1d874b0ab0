"""The two solvers behind :func:`silkway.analysis.assign.assign` (see its module docstring).

Both work on a padded matrix form: ``cost[p, r]`` is the generalised cost of pair ``p``'s
``r``-th candidate (``inf`` where the pair has fewer candidates), ``demand[p]`` its TEU, and
``incidence`` a sparse (elements x pairs*routes) 0/1 matrix of which element each candidate
crosses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.optimize import linprog

from silkway.errors import BackendError

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Solution:
    """TEU per candidate (pairs x routes), unserved TEU per pair, and per-element figures."""

    flows: Array
    unserved: Array
    load: Array  # TEU per element
    shadow: Array  # USD (or kg) per extra TEU of capacity per period; nan in equilibrium
    delay_days: Array  # queue days per element (equilibrium), zeros in the system optimum
    objective: float
    gap: float | None = None
    iterations: int = 0


def system_optimum(cost: Array, demand: Array, incidence: sp.csr_matrix, capacity: Array,
                   penalty: Array) -> Solution:
    """Minimise total generalised cost subject to capacities (HiGHS dual simplex / IPM).

    Raises
    ------
    BackendError
        When HiGHS reports anything but an optimum (the model always has one: unserved TEU
        absorb any excess at the penalty).
    """
    n_pairs, width = cost.shape
    valid = np.isfinite(cost).ravel()
    cols = np.flatnonzero(valid)
    n_x = cols.size
    c = np.concatenate([cost.ravel()[cols], penalty])
    pair_of = cols // width
    a_eq = sp.csr_matrix((np.ones(n_x + n_pairs),
                          (np.concatenate([pair_of, np.arange(n_pairs)]),
                           np.arange(n_x + n_pairs))), shape=(n_pairs, n_x + n_pairs))
    inc = incidence[:, cols]
    rows = np.flatnonzero(np.asarray(inc.sum(axis=1)).ravel() > 0)  # elements some route uses
    a_ub = sp.hstack([inc[rows], sp.csr_matrix((rows.size, n_pairs))]).tocsr()
    res = linprog(c, A_ub=a_ub if rows.size else None, b_ub=capacity[rows] if rows.size else None,
                  A_eq=a_eq, b_eq=demand, bounds=(0, None), method="highs")
    if res.status != 0:
        raise BackendError(f"the HiGHS solver stopped without an optimum: {res.message}")
    x = np.zeros(n_pairs * width)
    x[cols] = res.x[:n_x]
    flows = x.reshape(n_pairs, width)
    shadow = np.zeros(incidence.shape[0])
    if rows.size:
        shadow[rows] = np.maximum(0.0, -np.asarray(res.ineqlin.marginals))
    load = np.asarray(incidence @ x).ravel()
    return Solution(flows, res.x[n_x:], load, shadow, np.zeros(incidence.shape[0]),
                    float(res.fun))


def md1_delay(load: Array, capacity: Array, service_days: Array) -> Array:
    """M/D/1 mean queue wait in days, ``s rho / (2 (1 - rho))``, linear beyond rho = 0.95."""
    rho = np.divide(load, capacity, out=np.zeros_like(load), where=capacity > 0)
    r0 = 0.95
    low = service_days * rho / (2.0 * (1.0 - np.minimum(rho, r0)))
    at = service_days * r0 / (2.0 * (1.0 - r0))
    slope = service_days / (2.0 * (1.0 - r0) ** 2)
    return np.where(rho <= r0, low, at + slope * (rho - r0))


def _md1_integral(load: Array, capacity: Array, service_days: Array) -> Array:
    """Integral of :func:`md1_delay` over the load from 0 (the Beckmann term, TEU-days)."""
    rho = np.divide(load, capacity, out=np.zeros_like(load), where=capacity > 0)
    r0 = 0.95
    lo = np.minimum(rho, r0)
    base = 0.5 * service_days * (-np.log1p(-lo) - lo)
    excess = np.maximum(rho - r0, 0.0)
    at = service_days * r0 / (2.0 * (1.0 - r0))
    slope = service_days / (2.0 * (1.0 - r0) ** 2)
    return capacity * (base + at * excess + 0.5 * slope * excess**2)


def _all_or_nothing(cost: Array, demand: Array) -> Array:
    out = np.zeros_like(cost)
    out[np.arange(cost.shape[0]), np.argmin(cost, axis=1)] = demand
    return out


def _md1_slope(load: Array, capacity: Array, service_days: Array) -> Array:
    """Derivative of :func:`md1_delay` with respect to the load (days per TEU)."""
    rho = np.divide(load, capacity, out=np.zeros_like(load), where=capacity > 0)
    r0 = 0.95
    per_rho = service_days / (2.0 * (1.0 - np.minimum(rho, r0)) ** 2)
    return np.divide(per_rho, capacity, out=np.zeros_like(load), where=capacity > 0)


def user_equilibrium(cost_days: Array, demand: Array, incidence: sp.csr_matrix, capacity: Array,
                     service_days: Array, *, fixed: Array | None = None, gap: float = 1e-4,
                     max_iterations: int = 5000) -> Solution:
    """Path-based gradient projection with an exact line search on the Beckmann potential.

    Each iteration moves, in every pair, flow from its costlier used routes towards its
    cheapest one by a Newton step (cost difference over the summed delay slopes), scaled by
    the step length that minimises the potential along that direction; it stops when the
    relative gap ``(sum f C - sum d min C) / sum f C`` is at most ``gap``. ``cost_days`` are
    generalised costs in days (USD over the pair's value of time), ``inf`` for missing
    candidates; ``fixed`` (pairs x routes) are TEU that do not respond to queues (zero value of
    time) but load the elements.
    """
    n_pairs, width = cost_days.shape
    finite = np.isfinite(cost_days)
    g = np.where(finite, cost_days, 0.0)
    big = np.where(finite, 0.0, np.inf)
    inc_t = incidence.T.tocsr()
    fixed_load = (np.asarray(incidence @ fixed.ravel()).ravel() if fixed is not None
                  else np.zeros(incidence.shape[0]))
    rows = np.arange(n_pairs)

    def per_route(values: Array) -> Array:
        return np.asarray(inc_t @ values).reshape(n_pairs, width)

    f = _all_or_nothing(g + big, demand)
    rel = np.inf
    it = 0
    while it < max_iterations:
        it += 1
        load = fixed_load + np.asarray(incidence @ f.ravel()).ravel()
        c = g + big + per_route(md1_delay(load, capacity, service_days))
        total = float(np.sum(f * np.where(f > 0, c, 0.0)))
        best_cost = c.min(axis=1)
        rel = (total - float(np.sum(demand * best_cost))) / total if total > 0 else 0.0
        if rel <= gap:
            break
        best = np.argmin(c, axis=1)
        h = per_route(_md1_slope(load, capacity, service_days))
        h_best = h[rows, best][:, None]
        excess = np.where(finite, c - best_cost[:, None], 0.0)
        move = np.minimum(f, excess / np.maximum(h + h_best, 1e-12))
        move[rows, best] = 0.0
        d = -move
        d[rows, best] += move.sum(axis=1)
        d_load = np.asarray(incidence @ d.ravel()).ravel()
        gd = float(np.sum(g * d))

        def slope(lam: float, *, load: Array = load, d_load: Array = d_load, gd: float = gd) -> float:
            return gd + float(md1_delay(load + lam * d_load, capacity, service_days) @ d_load)

        if slope(1.0) <= 0:
            lam = 1.0
        else:
            lo, hi = 0.0, 1.0
            for _ in range(50):
                mid = 0.5 * (lo + hi)
                if slope(mid) > 0:
                    hi = mid
                else:
                    lo = mid
            lam = 0.5 * (lo + hi)
        f = np.maximum(f + lam * d, 0.0)
    load = fixed_load + np.asarray(incidence @ f.ravel()).ravel()
    obj = float(np.sum(g * f)) + float(_md1_integral(load, capacity, service_days).sum())
    return Solution(f, np.zeros(n_pairs), load, np.full(incidence.shape[0], np.nan),
                    md1_delay(load, capacity, service_days), obj, float(rel), it)


__all__ = ["Solution", "md1_delay", "system_optimum", "user_equilibrium"]
