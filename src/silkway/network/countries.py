"""Which countries a leg's geometry crosses.

Country outlines come from the ``countryinfo`` package (coarse GeoJSON, Natural Earth 110m-like,
with ISO codes), and for the countries it has no outline for (Serbia, Hungary, Montenegro) from
the shipped ``data/country_outlines.geojson`` (Natural Earth 110m, each feature with its source).
Coarse outlines misplace borders by up to ~10 km, so a country counts for a leg only when the
leg runs through it for at least ``min_km`` (the leg's own end countries always count). Sample
spacing is a build parameter.
"""

from __future__ import annotations

import itertools
import json
from functools import cache
from importlib import resources

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import shape

from silkway.network.geo import polyline_km, segment_km

OUTLINES_FILE = "country_outlines.geojson"
"""Shipped outlines of the countries ``countryinfo`` has no geoJSON for (GeoJSON features with
``iso_a2``, ``name`` and ``source``); part of the network's cache key (see
:data:`silkway.data.tables.TABLE_FILES`)."""


@cache
def _outlines() -> tuple[list[str], shapely.STRtree, list[shapely.Geometry]]:
    codes, _, geoms = _features()
    return codes, shapely.STRtree(geoms), geoms


@cache
def _features() -> tuple[list[str], list[str], list[shapely.Geometry]]:
    """ISO alpha-2 code, English name and outline of every country polygon."""
    codes: list[str] = []
    names: list[str] = []
    geoms: list[shapely.Geometry] = []
    for entry in sorted(resources.files("countryinfo").joinpath("data").iterdir(),
                        key=lambda p: p.name):
        if not entry.name.endswith(".json"):
            continue
        info = json.loads(entry.read_text(encoding="utf-8"))
        code = (info.get("ISO") or {}).get("alpha2")
        gj = info.get("geoJSON") or {}
        if not code or not gj.get("features"):
            continue
        for feature in gj["features"]:
            codes.append(code.upper())
            names.append(str(info.get("name") or code).title())
            geoms.append(_valid(shape(feature["geometry"])))
    known = set(codes)
    extra = json.loads(resources.files("silkway.data").joinpath(OUTLINES_FILE)
                       .read_text(encoding="utf-8"))
    for feature in extra["features"]:
        code = feature["properties"]["iso_a2"]
        if code not in known:  # countryinfo's own outline, where it has one, comes first
            codes.append(code)
            names.append(feature["properties"]["name"])
            geoms.append(_valid(shape(feature["geometry"])))
    return codes, names, geoms


def _valid(geom: shapely.Geometry) -> shapely.Geometry:
    return geom if geom.is_valid else geom.buffer(0)


def outline_features() -> list[tuple[str, str, shapely.Geometry]]:
    """(ISO code, name, outline) of every country polygon, for maps."""
    codes, names, geoms = _features()
    return list(zip(codes, names, geoms, strict=True))


def _locate(lat: NDArray[np.floating], lon: NDArray[np.floating]) -> tuple[list[str], NDArray[np.float64]]:
    """Country code of each point ('' at sea) and its depth inside that country in km."""
    codes, tree, geoms = _outlines()
    points = shapely.points(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    pt_idx, geom_idx = tree.query(points, predicate="within")
    out = [""] * len(points)
    which = np.full(len(points), -1)
    for p, g in zip(pt_idx.tolist(), geom_idx.tolist(), strict=True):
        if not out[p]:
            out[p] = codes[g]
            which[p] = g
    depth = np.zeros(len(points))
    inside = np.flatnonzero(which >= 0)
    if len(inside):
        rings = [geoms[g].boundary for g in which[inside]]
        deg = shapely.distance(points[inside], np.asarray(rings, dtype=object))
        # degrees to km: a degree of latitude is 111 km, of longitude 111 km x cos(lat)
        depth[inside] = deg * 111.2 * np.sqrt(np.cos(np.radians(np.asarray(lat)[inside])))
    return out, depth


def countries_of_points(lat: NDArray[np.floating], lon: NDArray[np.floating]) -> list[str]:
    """ISO alpha-2 code of the country containing each point ('' at sea or unknown)."""
    return _locate(lat, lon)[0]


def densify(coords: NDArray[np.floating], step_km: float) -> NDArray[np.float64]:
    """Points along a (lat, lon) polyline at most ``step_km`` apart (linear in degrees)."""
    pts = [coords[0]]
    for a, b in itertools.pairwise(coords):
        seg = polyline_km(np.vstack((a, b)))
        n = max(1, int(np.ceil(seg / step_km)))
        t = np.linspace(0, 1, n + 1)[1:, None]
        pts.extend(a + (b - a) * t)
    return np.asarray(pts, dtype=np.float64)


LONG_RUN_KM = 100.0
"""A run of samples this long inside one outline counts whatever its depth (estimate: the
frontier flickers of the coarse outlines, a line running along a border, are at most 80 km long
on today's network (Jalal-Abad - Bishkek 80 km at 13 km deep, Dostyk 25 km at 26 km), while a
line through a narrow country stays shallow all along: Munich - Milan crosses Tyrol for 120 km,
never more than 24 km from Germany or Italy on the outlines)."""


def countries_along(coords: NDArray[np.floating], *, ends: tuple[str, str], step_km: float = 5.0,
                    min_km: float = 15.0, depth_km: float = 35.0,
                    long_km: float = LONG_RUN_KM) -> list[str]:
    """Ordered countries a polyline passes through, starting and ending with ``ends``.

    A country inside the line counts only if it holds a run of samples at least ``min_km`` long
    that reaches at least ``depth_km`` inside its outline, so coarse outlines (which misplace
    borders by up to ~30 km) do not invent a transit along a frontier; or a run at least
    ``long_km`` long, however shallow (a line through a narrow country: Tyrol).
    """
    if len(coords) < 2:
        return list(dict.fromkeys(ends))
    pts = densify(np.asarray(coords, dtype=float), step_km)
    labels, depth = _locate(pts[:, 0], pts[:, 1])
    gap = np.concatenate(([0.0], segment_km(pts)))  # km from the sample before
    runs: list[list] = []  # [code, km along the line, max depth]
    for code, dep, km in zip(labels, depth.tolist(), gap.tolist(), strict=True):
        if not code:
            continue
        if runs and runs[-1][0] == code:
            runs[-1][1] += km
            runs[-1][2] = max(runs[-1][2], dep)
        else:
            runs.append([code, 0.0, dep])
    seq = [ends[0]]
    for code, run_km, dep in runs:
        if (run_km >= long_km or (run_km >= min_km and dep >= depth_km)) and code != seq[-1]:
            seq.append(code)
    if seq[-1] != ends[1]:
        seq.append(ends[1])
    # Collapse A-B-A flickers that the coarse outlines produce along a border.
    out: list[str] = []
    for code in seq:
        if out and out[-1] == code:
            continue
        out.append(code)
    return out
