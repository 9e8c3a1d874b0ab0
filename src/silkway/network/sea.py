"""Sea and ferry legs on ``searoute``'s MARNET maritime network.

A sea leg between two ports is computed once per set of closed passages that changes it: the
open-water route, then, for each closable chokepoint it uses, the route with that chokepoint
closed too (recursively, up to a bounded number of variants). At plan time, a closed passage
simply disables the variants that use it, so closing Suez costs no search.

The paths are searoute's: the same MARNET graph (nodes, km weights, passage flags), the same
nearest-node snapping and the same length (great-circle sum over the path's coordinates), but
computed from one shortest-path tree per (port node, closed passages) with
:func:`scipy.sparse.csgraph.dijkstra` instead of one bidirectional search per pair, so a
network build asks for a few dozen trees instead of a thousand searoute calls.

Caspian and Black Sea crossings are ferries between named terminals: their MARNET path must use
no passage at all (MARNET joins the Caspian to the oceans only through the Volga-Don waterway
across Russia, with no flag to close it), which :func:`ferry_route` enforces.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from silkway.errors import DataError
from silkway.network.geo import haversine_km
from silkway.types import Passage

# Passages never used by the services silkway models: the Arctic routes (no container liner
# service; the Northern Sea Route is Russian internal water) and Panama and the Strait of
# Magellan (no Asia-Europe/Asia-Black Sea liner service routes that way).
ALWAYS_CLOSED = ("northwest", "bering", "panama", "chili")
CLOSABLE = frozenset(p.searoute_name for p in Passage)
PASSAGE_COUNTRY = {"suez": "EG", "bosporus": "TR", "panama": "PA"}
CAPE_PASSAGE = Passage.CAPE.searoute_name
# Cape Agulhas, Africa's southern tip: every sea path between the Atlantic and the Indian Ocean
# south of Africa crosses its meridian south of this latitude.
CAPE_MERIDIAN_LON, CAPE_SOUTH_OF_LAT = 20.0, -34.5
# searoute reports only these edge flags as traversed passages (its Passage class)
_REPORTED = frozenset({"babalmandab", "bosporus", "gibraltar", "suez", "panama", "ormuz",
                       "northwest", "malacca", "sunda", "chili", "south_africa", "bering"})
_EARTH_RADIUS_KM = 6371.0088  # searoute's mean radius (6,371,008.8 m)
_ZERO_KM = 1e-9  # MARNET has zero-length edges; csgraph would drop an explicit zero


@dataclass(frozen=True)
class SeaPath:
    """One maritime path: length, passages traversed and (lat, lon) geometry.

    ``passage_order`` lists the passages in the order the path meets them.
    """

    distance_km: float
    passages: frozenset[str]
    coords: NDArray[np.float64]
    passage_order: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Marnet:
    lonlat: NDArray[np.float64]  # (n, 2) node coordinates as searoute keys them
    src: NDArray[np.int64]
    dst: NDArray[np.int64]
    km: NDArray[np.float64]
    passage: tuple[str, ...]  # per edge, "" for none
    tree: cKDTree


def _crosses_cape(u: tuple[float, float], v: tuple[float, float]) -> bool:
    """Whether the MARNET edge u-v ((lon, lat) nodes) crosses the Cape meridian south of Africa.

    The crossing test is half-open (west end <= 20 deg E < east end), so a path that touches the
    meridian at a node and turns back does not count, and one that crosses it always does.
    """
    (x1, y1), (x2, y2) = sorted((u, v))
    if x2 - x1 > 180 or not x1 <= CAPE_MERIDIAN_LON < x2:
        return False
    lat = y1 + (y2 - y1) * (CAPE_MERIDIAN_LON - x1) / (x2 - x1)
    return lat < CAPE_SOUTH_OF_LAT


@cache
def _marnet() -> _Marnet:
    """MARNET as arrays (read from searoute's shipped node and edge lists).

    The Cape of Good Hope is made a true cut: searoute flags only some of the edges that round
    the Cape as ``south_africa`` (the edge (20 E, 40 S)-(22 E, 35 S) is unflagged), so a
    "Cape closed" path still rounded Africa through it, labelled as not using the Cape. Every
    edge crossing the meridian of Cape Agulhas south of Africa is flagged here.
    """
    from searoute.data.marnet_dict import edge_list, node_list

    index = {node: i for i, node in enumerate(node_list)}
    src, dst, km, passage = [], [], [], []
    for u, nbrs in edge_list.items():
        for v, data in nbrs.items():
            src.append(index[u])
            dst.append(index[v])
            km.append(float(data.get("weight") or 0.0))
            passage.append(CAPE_PASSAGE if _crosses_cape(u, v) else str(data.get("passage") or ""))
    lonlat = np.asarray(list(node_list), dtype=np.float64)
    return _Marnet(lonlat, np.asarray(src), np.asarray(dst), np.asarray(km), tuple(passage),
                   cKDTree(lonlat))


@lru_cache(maxsize=64)
def _matrix(restrictions: frozenset[str]) -> sp.csr_matrix:
    m = _marnet()
    keep = np.fromiter((p not in restrictions for p in m.passage), dtype=bool, count=len(m.km))
    w = np.maximum(m.km[keep], _ZERO_KM)
    n = len(m.lonlat)
    return sp.csr_matrix((w, (m.src[keep], m.dst[keep])), shape=(n, n))


@lru_cache(maxsize=512)
def _tree(source: int, restrictions: frozenset[str]) -> NDArray[np.int32]:
    """Shortest-path predecessors from one MARNET node with the given passages closed."""
    _, pred = dijkstra(_matrix(restrictions), directed=True, indices=source,
                       return_predecessors=True)
    return pred


def _snap(point: tuple[float, float]) -> int:
    """searoute's snapping: the MARNET node nearest in (lon, lat) degrees."""
    return int(_marnet().tree.query([point[1], point[0]])[1])


@lru_cache(maxsize=64)
def _edge_passage() -> dict[tuple[int, int], str]:
    m = _marnet()
    return {(int(u), int(v)): p for u, v, p in zip(m.src, m.dst, m.passage, strict=True) if p}


def _great_circle_km(lonlat: NDArray[np.float64]) -> float:
    lon, lat = np.radians(lonlat[:, 0]), np.radians(lonlat[:, 1])
    dlat, dlon = np.diff(lat), np.diff(lon)
    a = np.sin(dlat / 2) ** 2 + np.sin(dlon / 2) ** 2 * np.cos(lat[:-1]) * np.cos(lat[1:])
    return float(np.sum(2 * np.arctan2(np.sqrt(a), np.sqrt(1 - a))) * _EARTH_RADIUS_KM)


def _unwrap(lonlat: NDArray[np.float64]) -> NDArray[np.float64]:
    """searoute's normalisation: no jump of more than 180 degrees between consecutive points."""
    out = lonlat.copy()
    for i in range(1, len(out)):
        step = out[i - 1, 0] - out[i, 0]
        if step < -180:
            out[i, 0] -= 360
        elif step > 180:
            out[i, 0] += 360
    return out


def _route(a: tuple[float, float], b: tuple[float, float],
           restrictions: frozenset[str]) -> SeaPath | None:
    u, v = _snap(a), _snap(b)
    pred = _tree(u, restrictions)
    if v != u and pred[v] < 0:
        return None
    nodes = [v]
    while nodes[-1] != u:
        nodes.append(int(pred[nodes[-1]]))
    nodes.reverse()
    flags = _edge_passage()
    order = tuple(dict.fromkeys(flags[e] for e in itertools.pairwise(nodes)
                                if flags.get(e) in _REPORTED))  # in travel order
    lonlat = _unwrap(_marnet().lonlat[nodes])
    latlon = lonlat[:, ::-1]
    # MARNET starts and ends at the network nodes nearest the ports: add the port approaches.
    approach = (haversine_km(a[0], a[1], latlon[0, 0], latlon[0, 1])
                + haversine_km(latlon[-1, 0], latlon[-1, 1], b[0], b[1]))
    length = _great_circle_km(lonlat) if len(nodes) > 1 else 0.0
    return SeaPath(length + approach, frozenset(order), np.vstack(([a], latlon, [b])), order)


def sea_variants(a: tuple[float, float], b: tuple[float, float], *,
                 max_variants: int = 6) -> list[SeaPath]:
    """Distinct sea paths between two ports under successive chokepoint closures.

    Returns the open route first, then detours, each with the passages it traverses. Two
    variants never share the same passage set.
    """
    out: dict[frozenset[str], SeaPath] = {}
    seen: set[frozenset[str]] = set()
    queue = [frozenset(ALWAYS_CLOSED)]
    while queue and len(out) < max_variants:
        restr = queue.pop(0)
        if restr in seen:
            continue
        seen.add(restr)
        path = _route(a, b, restr)
        if path is None:
            continue
        if path.passages not in out:
            out[path.passages] = path
        for p in sorted(path.passages & CLOSABLE):
            queue.append(restr | {p})
    return sorted(out.values(), key=lambda s: s.distance_km)


def ferry_route(a: tuple[float, float], b: tuple[float, float], label: str) -> SeaPath:
    """The MARNET path of a scheduled ferry crossing, which must stay inside its sea."""
    path = _route(a, b, frozenset(ALWAYS_CLOSED))
    if path is None:
        raise DataError(f"ferry leg {label}: searoute finds no path")
    if path.passages:
        raise DataError(f"ferry leg {label}: path leaves its sea via {sorted(path.passages)}")
    return path
