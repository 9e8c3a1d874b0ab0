"""Compile hubs and legs into the corridor network: real distances, geometry and countries.

The compiled form is plain JSON-able data (see :func:`compile_network`); :mod:`silkway.network.model`
turns it into the in-memory :class:`~silkway.network.model.Network`.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from silkway.data.distances import key as distance_key
from silkway.data.tables import HubRow, LegRow, Tables
from silkway.errors import DataError
from silkway.network.geo import haversine_km
from silkway.types import Mode

if TYPE_CHECKING:  # the build's heavy modules (scipy, shapely, searoute) load only for a build
    from silkway.network.base import BaseGraph

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
"""progress(stage, done, total): called as the build advances."""

# 2: canal countries of sea legs in travel order; 3: the Cape closable on every path;
# 4: country runs measured in km along the line, and a long shallow run counts
BUILD_FORMAT = 4


@dataclass(frozen=True)
class BuildParams:
    """Parameters of a network build; all of them enter the cache key.

    Attributes
    ----------
    bridge_km
        Longest gap joined between base-network islands (each bridge is an estimate).
    rail_gap_km, road_gap_km
        Longest gap joined *inside* a network where a line stops short of the line it meets.
        On by default for rail (missing junctions are common in the rail data); off for roads,
        whose dead ends in mountain valleys lie a few km from roads in the next valley that are
        hundreds of km away by road.
    max_snap_km
        A hub farther than this from its base network gets a great-circle leg instead, and so
        does a leg more than half of whose length is bridges or hub access.
    rail_circuity, road_circuity
        Great-circle multipliers for fallback legs (estimate: route length over great-circle
        length of the corridor legs that do resolve on the network is 1.1-1.4).
    max_path_circuity
        A network path longer than this times the great circle is rejected as a wander where no
        train or truck runs; the leg falls back to the circuity estimate.
    rail_bbox, road_bbox
        (lat_min, lat_max, lon_min, lon_max) of the base networks kept: Eurasia for rail; for
        road, the region where silkway has road legs (Central Asia, Xinjiang, Afghanistan and
        Pakistan), which keeps the build fast.
    """

    bridge_km: float = 10.0
    rail_gap_km: float = 10.0
    road_gap_km: float = 0.0
    max_snap_km: float = 25.0
    rail_circuity: float = 1.25
    road_circuity: float = 1.3
    max_path_circuity: float = 3.0
    country_step_km: float = 5.0
    country_min_km: float = 15.0
    simplify_deg: float = 0.02
    rail_bbox: tuple[float, float, float, float] = (15.0, 75.0, -12.0, 145.0)
    road_bbox: tuple[float, float, float, float] = (20.0, 50.0, 58.0, 92.0)

    def as_key(self) -> dict[str, Any]:
        return asdict(self)


def _simplify(coords: NDArray[np.floating], tol: float) -> list[list[float]]:
    import shapely

    if len(coords) < 3:
        return np.round(coords, 4).tolist()
    line = shapely.simplify(shapely.linestrings(coords[:, ::-1]), tol, preserve_topology=False)
    out = shapely.get_coordinates(line)[:, ::-1]
    return np.round(out, 4).tolist()


def _land_leg(g: BaseGraph, leg: LegRow, a: HubRow, b: HubRow, p: BuildParams,
              circuity: float) -> dict[str, Any]:
    """Distance and geometry of a rail or road leg on a base graph (or a flagged estimate)."""
    label = f"{leg.mode.value} {a.id}-{b.id}"
    points = [(a.lat, a.lon), *leg.via, (b.lat, b.lon)]
    gc = sum(haversine_km(*p1, *p2) for p1, p2 in itertools.pairwise(points))
    snaps = [g.snap(lat, lon) for lat, lon in points]
    end_snap = snaps[0][1] + snaps[-1][1]
    fallback = {
        "distance_km": gc * circuity, "estimated_km": gc * circuity,
        "distance_source": "estimate",
        "coords": np.array(points, dtype=float),
    }
    if max(s for _, s in snaps) > p.max_snap_km:
        log.info("%s: a hub or via point is %.0f km from %s; great-circle estimate", label,
                    max(s for _, s in snaps), g.name)
        return fallback
    nodes: list[int] = []
    km = 0.0
    for (u, _), (v, _) in itertools.pairwise(snaps):
        found = g.path(u, v, limit_km=max(3 * gc, gc + 500))
        if found is None:
            log.info("%s: no %s path; great-circle estimate", label, g.name)
            return fallback
        seg, seg_km = found
        nodes.extend(seg if not nodes else seg[1:])
        km += seg_km
    total = km + end_snap
    if gc > 0 and total > p.max_path_circuity * gc + 50:
        log.info("%s: %s path is %.1fx the great circle; great-circle estimate", label,
                    g.name, total / gc)
        return fallback
    estimated = g.bridged_km(nodes) + end_snap
    if estimated > 0.5 * total:
        log.info("%s: %.0f of %.0f km are bridges or hub access; great-circle estimate",
                    label, estimated, total)
        return fallback
    coords = np.vstack(([points[0]], g.coords(nodes), [points[-1]]))
    return {
        "distance_km": total,
        "estimated_km": estimated,
        "distance_source": g.name,
        "coords": coords,
    }


def compile_network(tables: Tables, params: BuildParams | None = None, *,
                    progress: Progress | None = None) -> dict[str, Any]:
    """Compute every leg's distance, geometry, passages and countries.

    Returns
    -------
    dict
        ``{"format": int, "legs": [...], "stats": {...}}``, JSON-serialisable.

    Raises
    ------
    DataError
        If a ferry crossing's sea path leaves its sea, or a sea leg has no path at all.
    """
    from silkway.network import sea
    from silkway.network.base import build_base_graph
    from silkway.network.countries import countries_along

    p = params or BuildParams()
    hubs = {h.id: h for h in tables.hubs}
    tick = progress or (lambda stage, done, total: None)
    legs = tables.legs
    # progress units roughly proportional to time: the rail graph is about 40 % of a build
    rail_units, road_units = 200, 40
    total = rail_units + road_units + len(legs)
    tick("rail network", 0, total)
    rail = build_base_graph("world_railways", bridge_km=p.bridge_km, gap_km=p.rail_gap_km,
                            bbox=p.rail_bbox)
    tick("road network", rail_units, total)
    road = build_base_graph("world_highways", bridge_km=p.bridge_km, gap_km=p.road_gap_km,
                            bbox=p.road_bbox)
    out: list[dict[str, Any]] = []
    for i, leg in enumerate(legs):
        tick(f"{leg.mode.value} {leg.src}-{leg.dst}", rail_units + road_units + i, total)
        a, b = hubs[leg.src], hubs[leg.dst]
        ends = (a.country, b.country)
        base = {"index": i, "from": a.id, "to": b.id, "mode": leg.mode.value}
        if leg.mode in (Mode.RAIL, Mode.ROAD):
            g, circ = (rail, p.rail_circuity) if leg.mode is Mode.RAIL else (road, p.road_circuity)
            r = _land_leg(g, leg, a, b, p, circ)
            published = tables.leg_distances.get(distance_key(a.id, b.id, leg.mode.value))
            if published is not None and r["distance_source"] == "estimate":
                # a published length beats the great-circle x circuity guess; still flagged
                r = {**r, "distance_km": published.distance_km,
                     "estimated_km": published.distance_km}
            elif published is not None:
                # the line's published length beats the traced path, which may take lines
                # freight does not run on (passenger high-speed lines in China)
                r = {**r, "distance_km": published.distance_km, "estimated_km": 0.0,
                     "distance_source": "published"}
            countries = countries_along(r["coords"], ends=ends, step_km=p.country_step_km,
                                        min_km=p.country_min_km)
            out.append({**base, "variant": 0, "distance_km": round(r["distance_km"], 2),
                        "estimated_km": round(r["estimated_km"], 2),
                        "distance_source": r["distance_source"], "passages": [],
                        "countries": countries,
                        "coords": _simplify(r["coords"], p.simplify_deg)})
            continue
        if leg.mode is Mode.FERRY:
            paths = [sea.ferry_route((a.lat, a.lon), (b.lat, b.lon), f"{a.id}-{b.id}")]
        else:
            paths = sea.sea_variants((a.lat, a.lon), (b.lat, b.lon))
            if not paths:
                raise DataError(f"sea leg {a.id}-{b.id}: searoute finds no path")
        for v, path in enumerate(paths):
            # in travel order: Nagoya-Constanta is JP-EG-TR-RO (Suez, then the Bosporus)
            canal = [sea.PASSAGE_COUNTRY[x] for x in path.passage_order
                     if x in sea.PASSAGE_COUNTRY]
            countries = list(dict.fromkeys([a.country, *canal, b.country]))
            out.append({**base, "variant": v, "distance_km": round(path.distance_km, 2),
                        "estimated_km": 0.0, "distance_source": "searoute",
                        "passages": list(path.passage_order), "countries": countries,
                        "coords": _simplify(path.coords, p.simplify_deg)})
    tick("done", total, total)
    stats = {"rail_bridges": rail.n_bridges, "road_bridges": road.n_bridges,
             "rail_nodes": len(rail.lat), "road_nodes": len(road.lat)}
    return {"format": BUILD_FORMAT, "legs": out, "stats": stats}
