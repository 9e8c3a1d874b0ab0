"""Real base networks: the world rail and highway graphs of ``scgraph-data`` as compact arrays.

``scgraph-data`` 2.0.0 ships each graph as a Python literal (``graph=[{node: km, ...}, ...]`` and
``nodes=[[lat, lon], ...]``) meant for scgraph 2.x. We read the literal as *data* (never import or
execute it), turn it into a CSR matrix, and join the islands the data leaves apart by bounded
bridges between dead ends, each bridge marked so that paths report how much of their length is
estimated.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from silkway.errors import DataError
from silkway.network.geo import chord_to_km, km_to_chord, unit_vectors

log = logging.getLogger(__name__)

_KEY = re.compile(r"(\d+):")


def literal_path(name: str) -> Path:
    """Path of one of scgraph-data's graph modules (``world_railways``, ``world_highways``)."""
    spec = importlib.util.find_spec("scgraph_data")
    if spec is None or not spec.submodule_search_locations:
        raise DataError("the scgraph-data package is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / f"{name}.py"
    if not path.is_file():
        raise DataError(f"scgraph-data has no {name}.py")
    return path


@dataclass(frozen=True)
class BaseGraph:
    """An undirected geographic graph in CSR form.

    Attributes
    ----------
    lat, lon
        Node coordinates in degrees.
    csr
        Symmetric sparse matrix of edge lengths in km (bridges included).
    bridge
        Same sparsity pattern, 1.0 where the edge is an estimated bridge.
    """

    name: str
    lat: NDArray[np.float64]
    lon: NDArray[np.float64]
    csr: sp.csr_matrix
    bridge: sp.csr_matrix
    tree: cKDTree
    n_bridges: int

    def snap(self, lat: float, lon: float) -> tuple[int, float]:
        """Nearest node to a point and its distance in km."""
        chord, idx = self.tree.query(unit_vectors(np.array([lat]), np.array([lon]))[0])
        return int(idx), float(chord_to_km(chord))

    def path(self, src: int, dst: int, *, limit_km: float) -> tuple[list[int], float] | None:
        """Shortest path between two nodes, or None if none within ``limit_km``."""
        dist, pred = dijkstra(self.csr, directed=False, indices=src, return_predecessors=True,
                              limit=limit_km)
        if not np.isfinite(dist[dst]):
            return None
        nodes = [dst]
        while nodes[-1] != src:
            nodes.append(int(pred[nodes[-1]]))
        nodes.reverse()
        return nodes, float(dist[dst])

    def bridged_km(self, nodes: list[int]) -> float:
        """Length of the estimated bridges along a node path."""
        if len(nodes) < 2:
            return 0.0
        a, b = np.asarray(nodes[:-1]), np.asarray(nodes[1:])
        flags = np.asarray(self.bridge[a, b]).ravel()
        lengths = np.asarray(self.csr[a, b]).ravel()
        return float(np.sum(lengths * flags))

    def coords(self, nodes: list[int]) -> NDArray[np.float64]:
        """(lat, lon) array for a node path."""
        idx = np.asarray(nodes)
        return np.column_stack((self.lat[idx], self.lon[idx]))


def parse_literal(path: Path) -> tuple[NDArray[np.float64], sp.csr_matrix]:
    """Read an scgraph-data module's ``graph`` and ``nodes`` literals as data.

    The adjacency literal is a list of ``{int: float}`` dicts; quoting its integer keys makes it
    JSON, which parses an order of magnitude faster than :func:`ast.literal_eval`.
    """
    graph_line = nodes_line = None
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("graph="):
                graph_line = line[len("graph="):]
            elif line.startswith("nodes="):
                nodes_line = line[len("nodes="):]
    if graph_line is None or nodes_line is None:
        raise DataError(f"{path.name}: no graph= / nodes= literal found")
    try:
        nodes = np.asarray(json.loads(nodes_line), dtype=np.float64)
        adjacency = json.loads(_KEY.sub(r'"\1":', graph_line))
    except (json.JSONDecodeError, ValueError) as exc:
        raise DataError(f"{path.name}: cannot read the graph literal ({exc})") from None
    if nodes.ndim != 2 or nodes.shape[1] != 2 or len(adjacency) != len(nodes):
        raise DataError(f"{path.name}: node and adjacency lists disagree")
    counts = np.fromiter((len(d) for d in adjacency), dtype=np.int64, count=len(adjacency))
    rows = np.repeat(np.arange(len(adjacency)), counts)
    cols = np.fromiter((int(k) for d in adjacency for k in d), dtype=np.int64, count=counts.sum())
    vals = np.fromiter((v for d in adjacency for v in d.values()), dtype=np.float64,
                       count=counts.sum())
    keep = rows != cols
    n = len(nodes)
    # Zero-length edges between distinct nodes are real links: keep them as tiny positive weights.
    weights = np.maximum(vals[keep], 1e-3)
    m = sp.coo_matrix((weights, (rows[keep], cols[keep])), shape=(n, n)).tocsr()
    m = m.maximum(m.T)  # the literal is meant to be undirected
    return nodes, m.tocsr()


def _gap_bridges(m: sp.csr_matrix, lat: NDArray[np.float64], lon: NDArray[np.float64],
                 xyz: NDArray[np.float64], tree: cKDTree, dead_ends: NDArray[np.int64],
                 bridge_km: float, *, detour: float = 3.0,
                 chunk: int = 64) -> tuple[list[int], list[int], list[float]]:
    """Bridges across gaps *inside* a component, within one country.

    A line that stops short of the line it meets (a missing junction node, a missing short
    section) leaves a dead end a few km from a node that the network only reaches by a long
    detour. Each dead end is joined to its nearest node within ``bridge_km`` whose network
    distance exceeds ``detour`` times the gap (plus 2 km). Bridges never cross a border: a
    line ending near a frontier is not evidence of a crossing.
    """
    from silkway.network.countries import countries_of_points

    radius = km_to_chord(bridge_km)
    chord, nbr = tree.query(xyz[dead_ends], k=16, distance_upper_bound=radius)
    has = np.isfinite(chord[:, 1])
    sources = dead_ends[has]
    chord, nbr = chord[has], nbr[has]
    if len(sources) == 0:
        return [], [], []
    involved = np.unique(np.concatenate((sources, nbr[np.isfinite(chord)])))
    country = dict(zip(involved.tolist(), countries_of_points(lat[involved], lon[involved]),
                       strict=True))
    limit = detour * bridge_km + 2.0
    bu: list[int] = []
    bv: list[int] = []
    bd: list[float] = []
    for start in range(0, len(sources), chunk):
        block = sources[start:start + chunk]
        dist = dijkstra(m, directed=False, indices=block, limit=limit)
        for row, u in enumerate(block.tolist()):
            for c, v in zip(chord[start + row, 1:], nbr[start + row, 1:], strict=True):
                if not np.isfinite(c):
                    break
                gap = float(chord_to_km(c))
                if (dist[row, v] > detour * gap + 2.0 and country[u] and country[u] == country[v]):
                    bu.append(u)
                    bv.append(int(v))
                    bd.append(max(gap, 1e-3))
                    break
    return bu, bv, bd


def build_base_graph(name: str, *, bridge_km: float, gap_km: float = 0.0,
                     bbox: tuple[float, float, float, float] | None = None) -> BaseGraph:
    """Load an scgraph-data graph, crop it to ``bbox`` and bridge its islands.

    Parameters
    ----------
    name
        ``world_railways`` or ``world_highways``.
    gap_km
        Longest gap bridged *inside* a component (see :func:`_gap_bridges`); 0 disables it.
    bridge_km
        Longest gap a bridge between islands may span. Each gap is joined from a dead end (a
        node of degree 1) to the nearest node of another component; bridges are accepted
        shortest first, and only when they join two components not yet joined (a minimum
        spanning forest over components), so no parallel shortcut is ever added.
    bbox
        (lat_min, lat_max, lon_min, lon_max) to keep; None keeps the world.
    """
    nodes, m = parse_literal(literal_path(name))
    if bbox is not None:
        lat_min, lat_max, lon_min, lon_max = bbox
        keep = ((nodes[:, 0] >= lat_min) & (nodes[:, 0] <= lat_max)
                & (nodes[:, 1] >= lon_min) & (nodes[:, 1] <= lon_max))
        idx = np.flatnonzero(keep)
        m = m[idx][:, idx].tocsr()
        nodes = nodes[idx]
    lat, lon = nodes[:, 0].copy(), nodes[:, 1].copy()
    xyz = unit_vectors(lat, lon)
    tree = cKDTree(xyz)
    n_comp, labels = connected_components(m, directed=False)
    degree = np.diff(m.indptr)
    dead_ends = np.flatnonzero(degree <= 1)
    chord, nbr = tree.query(xyz[dead_ends], k=48, distance_upper_bound=km_to_chord(bridge_km))
    cand_d, cand_u, cand_v = [], [], []
    for row, u in enumerate(dead_ends):
        for c, v in zip(chord[row], nbr[row], strict=True):
            if not np.isfinite(c):
                break
            if labels[v] != labels[u]:
                cand_d.append(float(chord_to_km(c)))
                cand_u.append(int(u))
                cand_v.append(int(v))
                break
    parent = np.arange(n_comp)

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = int(parent[a])
        return a

    bu, bv, bd = [], [], []
    for i in np.argsort(cand_d, kind="stable"):
        a, b = find(labels[cand_u[i]]), find(labels[cand_v[i]])
        if a != b:
            parent[a] = b
            bu.append(cand_u[i])
            bv.append(cand_v[i])
            bd.append(max(cand_d[i], 1e-3))
    n_island = len(bd)
    gu, gv, gd = (_gap_bridges(m, lat, lon, xyz, tree, dead_ends, gap_km) if gap_km > 0
                  else ([], [], []))
    bu, bv, bd = bu + gu, bv + gv, bd + gd
    n = len(lat)
    bridges = sp.coo_matrix((bd + bd, (bu + bv, bv + bu)), shape=(n, n)).tocsr()
    flags = sp.coo_matrix((np.ones(2 * len(bd)), (bu + bv, bv + bu)), shape=(n, n)).tocsr()
    csr = (m + bridges).tocsr()
    log.info("%s: %d nodes, %d edges, %d components, %d island bridges <= %.0f km, "
             "%d gap bridges <= %.0f km", name, n, m.nnz // 2, n_comp, n_island, bridge_km, len(gu),
             gap_km)
    return BaseGraph(name, lat, lon, csr, flags, tree, len(bd))
