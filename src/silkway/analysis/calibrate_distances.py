"""Route distances against published ones: a report-only part of ``silkway calibrate``.

Each ``distance_km`` / ``distance_nmi`` observation of ``observations.csv`` whose origin and
destination are hubs becomes a case by the same rules as a transit-time one (its corridor, the
hubs its source names as via points in their order, the countries it names, its modes; a 2022
figure in the 2022 era), answered by the route :func:`~.calibrate.route_for` picks for it, the
fastest that fits. Its ``distance_km`` is compared with the published figure widened by
:data:`DISTANCE_TOLERANCE` on each side (the design brief's plausibility bar for distances,
±10 %); an "at least" figure is open above. Nothing here is fitted: distances come from the
base networks and the curated legs, not from a free parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from silkway.analysis.calibrate import Case, case_of, route_for
from silkway.network.model import Network

DISTANCE_TOLERANCE = 0.10
# metric -> factor to km (a nautical mile is 1.852 km exactly)
DISTANCE_METRICS = {"distance_km": 1.0, "distance_nmi": 1.852}


def distance_cases(observations: Sequence[Any], network: Network
                   ) -> tuple[list[Case], list[tuple[str, str]]]:
    """The distance observations silkway can answer (ranges in km), and (id, reason) for the
    others."""
    out, skipped = [], []
    for o in observations:
        if o.metric not in DISTANCE_METRICS:
            continue
        case = case_of(o, network, DISTANCE_METRICS[o.metric])
        if isinstance(case, str):
            skipped.append((o.id, case))
        else:
            out.append(case)
    return out, skipped


def window_km(case: Case) -> tuple[float, float]:
    """The range a route's km must fall in to count as within range."""
    return case.window(DISTANCE_TOLERANCE)


def evaluate_distances(network: Network, cases: Sequence[Case]) -> list[dict[str, Any]]:
    """Each distance case's route and km on ``network``, within range or not, and % error."""
    from silkway.analysis.calibrate import unmatched_reason

    rows = []
    for c in cases:
        row: dict[str, Any] = {"id": c.id, "corridor": c.corridor, "modes": c.mode_label,
                               "kind": c.kind, "year": c.year, "origin": c.origin,
                               "destination": c.destination, "low_km": round(c.low, 1),
                               "high_km": round(c.high, 1), "bound": c.bound,
                               "scenario": c.scenario()}
        r = route_for(network, c)
        if r is None:
            row.update(km=None, within=None, ape=None, route=None,
                       unmatched=unmatched_reason(network, c))
        else:
            lo, hi = window_km(c)
            km = r.distance_km
            row.update(km=round(km, 1), within=bool(lo <= km <= hi),
                       ape=round(100 * abs(km - c.target()) / c.target(), 1), route=r.label,
                       unmatched=None)
        rows.append(row)
    return rows


def distance_report(network: Network, observations: Sequence[Any]) -> dict[str, Any]:
    """The distance section of the calibration report: rule, summary, by corridor, cases and
    the distance observations that name places that are not hubs (with why)."""
    from silkway.analysis.calibrate import summarise

    cases, skipped = distance_cases(observations, network)
    rows = evaluate_distances(network, cases)
    # summarise() reads p50: the same figures over km
    as_p50 = [{**r, "p50": r["km"]} for r in rows]
    return {"rule": {"tolerance": DISTANCE_TOLERANCE, "fitted": False},
            "all": summarise(as_p50),
            "by_corridor": {k: summarise([r for r in as_p50 if r["corridor"] == k])
                            for k in sorted({r["corridor"] for r in rows})},
            "cases": rows,
            "skipped": [{"id": i, "why": why} for i, why in skipped]}


__all__ = ["DISTANCE_METRICS", "DISTANCE_TOLERANCE", "distance_cases", "distance_report",
           "evaluate_distances", "window_km"]
