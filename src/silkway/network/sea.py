"""Sea and ferry legs from ``searoute`` (the MARNET maritime network).

A sea leg between two ports is computed once per set of closed passages that changes it: the
open-water route, then, for each closable chokepoint it uses, the route with that chokepoint
closed too (recursively, up to a bounded number of variants). At plan time, a closed passage
simply disables the variants that use it, so closing Suez costs no searoute call.

Caspian and Black Sea crossings are ferries between named terminals: their MARNET path must use
no passage at all (MARNET joins the Caspian to the oceans only through the Volga-Don waterway
across Russia, with no flag to close it), which :func:`ferry_route` enforces.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import searoute
from numpy.typing import NDArray

from silkway.errors import DataError
from silkway.network.geo import haversine_km
from silkway.types import Passage

# Passages never used by the services silkway models: the Arctic routes (no container liner
# service; the Northern Sea Route is Russian internal water) and Panama and the Strait of
# Magellan (no Asia-Europe/Asia-Black Sea liner service routes that way).
ALWAYS_CLOSED = ("northwest", "bering", "panama", "chili")
CLOSABLE = frozenset(p.searoute_name for p in Passage)
PASSAGE_COUNTRY = {"suez": "EG", "bosporus": "TR", "panama": "PA"}


@dataclass(frozen=True)
class SeaPath:
    """One maritime path: length, passages traversed and (lat, lon) geometry."""

    distance_km: float
    passages: frozenset[str]
    coords: NDArray[np.float64]


@cache
def _marnet() -> Any:
    return searoute.setup_M()


def _route(a: tuple[float, float], b: tuple[float, float],
           restrictions: frozenset[str]) -> SeaPath | None:
    with warnings.catch_warnings():
        # searoute warns when closures leave no path; that is an expected answer here
        warnings.simplefilter("ignore", UserWarning)
        feature = searoute.searoute([a[1], a[0]], [b[1], b[0]], units="km", return_passages=True,
                                    restrictions=sorted(restrictions), M=_marnet())
    props = feature["properties"]
    length = float(props.get("length") or np.inf)
    coords = feature["geometry"]["coordinates"]
    if not np.isfinite(length) or not coords:
        return None
    latlon = np.asarray(coords, dtype=np.float64)[:, ::-1]
    # MARNET starts and ends at the network nodes nearest the ports: add the port approaches.
    approach = (haversine_km(a[0], a[1], latlon[0, 0], latlon[0, 1])
                + haversine_km(latlon[-1, 0], latlon[-1, 1], b[0], b[1]))
    path = np.vstack(([a], latlon, [b]))
    return SeaPath(length + approach, frozenset(props.get("traversed_passages") or ()), path)


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
