"""What the compiled network covers: hubs, legs and kilometres per country, and how much of it
is estimated rather than traced on a real base network."""

from __future__ import annotations

from typing import Any

from silkway.network.model import Network
from silkway.types import Mode


def coverage(network: Network) -> dict[str, Any]:
    """Coverage of the network per country (ISO 3166-1 alpha-2).

    Returns
    -------
    dict
        ``countries``: per country, ``hubs`` (hubs located there), ``legs`` (legs whose geometry
        passes through it; a sea leg counts once however many variants it has), ``km`` and
        ``estimated_km`` of rail and road legs (each leg's length shared equally among the
        countries it passes; sea and ferry legs, all from searoute, are left out);
        ``estimated_legs``: every rail or road leg whose
        distance is an estimate (a great-circle x circuity fallback or a published length, see
        ``leg_distances.csv``), as ``{"leg", "km", "countries"}``, longest first; ``totals``.
    """
    rows: dict[str, dict[str, float]] = {}

    def row(cc: str) -> dict[str, float]:
        return rows.setdefault(cc, {"hubs": 0, "legs": 0, "km": 0.0, "estimated_km": 0.0})

    for h in network.hubs:
        row(h.country)["hubs"] += 1
    seen: set[tuple[str, str, str]] = set()
    estimated: list[dict[str, Any]] = []
    for leg in network.legs:
        key = (leg.src, leg.dst, leg.mode.value)
        if key in seen:
            continue
        seen.add(key)
        countries = [c for c in dict.fromkeys(leg.countries) if c] or ["??"]
        share = 1.0 / len(countries)
        land = leg.mode in (Mode.RAIL, Mode.ROAD)
        for cc in countries:
            r = row(cc)
            r["legs"] += 1
            if land:
                r["km"] += leg.distance_km * share
                r["estimated_km"] += leg.estimated_km * share
        if leg.distance_source == "estimate":
            estimated.append({"leg": f"{leg.mode.value} {leg.src}-{leg.dst}",
                              "km": round(leg.distance_km, 1), "countries": countries})
    estimated.sort(key=lambda e: (-e["km"], e["leg"]))
    countries_out = {cc: {"hubs": int(r["hubs"]), "legs": int(r["legs"]), "km": round(r["km"], 1),
                          "estimated_km": round(r["estimated_km"], 1)}
                     for cc, r in sorted(rows.items())}
    total_km = sum(r["km"] for r in rows.values())
    total_est = sum(r["estimated_km"] for r in rows.values())
    return {"countries": countries_out, "estimated_legs": estimated,
            "totals": {"hubs": len(network.hubs), "legs": len(seen), "km": round(total_km, 1),
                       "estimated_km": round(total_est, 1),
                       "estimated_share": round(total_est / total_km, 4) if total_km else 0.0}}
