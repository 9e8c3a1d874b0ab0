"""The in-memory corridor network and its content-hash cache."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz, process

from silkway.data.tables import (
    BorderDwell,
    HubProfile,
    LogNormal,
    Provenance,
    Tables,
    Tariff,
    load_tables,
)
from silkway.errors import UnknownPlaceError
from silkway.network.build import BUILD_FORMAT, BuildParams, Progress, compile_network
from silkway.types import Mode

log = logging.getLogger(__name__)

_VERSIONED = ("searoute", "scgraph-data", "countryinfo", "shapely", "numpy", "scipy")


@dataclass(frozen=True, slots=True)
class Hub:
    """A port, rail terminal, dry port, border station or ferry terminal."""

    id: str
    name: str
    aliases: tuple[str, ...]
    country: str
    lat: float
    lon: float
    kind: str
    gauge_mm: int
    profile: HubProfile
    coord_source: str

    def to_dict(self) -> dict[str, Any]:
        """The hub object of the plan JSON contract."""
        return {"id": self.id, "name": self.name, "country": self.country,
                "lat": self.lat, "lon": self.lon, "kind": self.kind}


@dataclass(frozen=True, slots=True, eq=False)
class Leg:
    """One corridor segment between two hubs by one mode, as operated, with its real distance.

    Sea legs may exist in several variants (the open route and detours around closable
    chokepoints); ``passages`` lists the chokepoints a variant uses, ``passage_order`` the same
    in the order the leg meets them going from ``src`` to ``dst``.
    """

    index: int
    src: str
    dst: str
    mode: Mode
    variant: int
    distance_km: float
    estimated_km: float
    distance_source: str
    passages: frozenset[str]
    countries: tuple[str, ...]
    coords: NDArray[np.float64]
    gauge_mm: int
    tariff: Tariff
    border: BorderDwell | None
    wait_days: LogNormal
    fixed_cost_usd_feu: float
    status: str
    provenance: Provenance
    passage_order: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class Network:
    """Hubs, legs and the tables they draw on. Immutable: safe to share between threads."""

    hubs: tuple[Hub, ...]
    legs: tuple[Leg, ...]
    tables: Tables
    key: str
    stats: dict[str, Any] = field(default_factory=dict)
    _by_id: dict[str, Hub] = field(default_factory=dict, repr=False)
    _names: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_id.update({h.id: h for h in self.hubs})
        names: dict[str, str] = {}
        for h in self.hubs:
            for name in (h.id, h.name, *h.aliases):
                names.setdefault(_norm(name), h.id)
        self._names.update(names)

    def hub(self, hub_id: str) -> Hub:
        """Hub by exact id."""
        try:
            return self._by_id[hub_id]
        except KeyError:
            raise UnknownPlaceError(hub_id, self.suggest(hub_id)) from None

    def find(self, query: str) -> Hub:
        """Resolve a UN/LOCODE (``JPTOY`` or ``JP TOY``), hub id, name or alias.

        Raises
        ------
        UnknownPlaceError
            With up to three "did you mean" suggestions.
        """
        key = _norm(query)
        if key in self._names:
            return self._by_id[self._names[key]]
        compact = key.replace(" ", "")
        if compact in self._names:
            return self._by_id[self._names[compact]]
        raise UnknownPlaceError(query, self.suggest(query))

    def suggest(self, query: str, limit: int = 3) -> list[str]:
        """Closest hub names for a query that matched none exactly."""
        choices = list(self._names)
        hits = process.extract(_norm(query), choices, scorer=fuzz.WRatio, limit=limit * 4)
        out: list[str] = []
        for choice, score, _ in hits:
            name = self._by_id[self._names[choice]].name
            if score >= 60 and name not in out:
                out.append(name)
        return out[:limit]


def _norm(text: str) -> str:
    return " ".join(text.replace("-", " ").replace("_", " ").split()).casefold()


def _assemble(compiled: dict[str, Any], tables: Tables, key: str) -> Network:
    hubs = tuple(
        Hub(h.id, h.name, h.aliases, h.country, h.lat, h.lon, h.kind, h.gauge_mm,
            tables.profiles[h.profile], h.coord_source)
        for h in tables.hubs)
    legs = []
    for i, c in enumerate(compiled["legs"]):
        row = tables.legs[c["index"]]
        legs.append(Leg(
            index=i, src=c["from"], dst=c["to"], mode=Mode(c["mode"]), variant=c["variant"],
            distance_km=c["distance_km"], estimated_km=c["estimated_km"],
            distance_source=c["distance_source"], passages=frozenset(c["passages"]),
            countries=tuple(c["countries"]), coords=np.asarray(c["coords"], dtype=np.float64),
            gauge_mm=row.gauge_mm, tariff=tables.tariffs[row.tariff],
            border=tables.borders[row.border] if row.border else None,
            wait_days=row.wait_days,
            fixed_cost_usd_feu=row.fixed_cost_usd_feu, status=row.status,
            provenance=row.provenance, passage_order=tuple(c["passages"])))
    return Network(hubs, tuple(legs), tables, key, dict(compiled.get("stats", {})))


def cache_key(tables: Tables, params: BuildParams) -> str:
    """Hash of the tables' bytes, the base-network package versions and the build parameters."""
    versions = {}
    for pkg in _VERSIONED:
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = "missing"
    blob = json.dumps({"tables": tables.digest, "versions": versions, "format": BUILD_FORMAT,
                       "params": params.as_key()}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/silkway`` or ``~/.cache/silkway``.

    Only the XDG base-directory convention is read here; silkway's own settings
    (``SILKWAY_CACHE_DIR``) are read by the interfaces and passed in.
    """
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "silkway"


def _read_cache(path: Path, key: str, n_rows: int) -> dict[str, Any] | None:
    try:
        blob = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("network cache %s is unreadable (%s); rebuilding", path, exc)
        return None
    ok = (isinstance(blob, dict) and blob.get("key") == key
          and isinstance(blob.get("compiled"), dict)
          and blob["compiled"].get("format") == BUILD_FORMAT
          and isinstance(blob["compiled"].get("legs"), list)
          and {c.get("index") for c in blob["compiled"]["legs"]} == set(range(n_rows)))
    if not ok:
        log.warning("network cache %s is stale or corrupt; rebuilding", path)
        return None
    return blob["compiled"]


def load_network(cache_dir: str | Path | None = None, *, params: BuildParams | None = None,
                 rebuild: bool = False, progress: Progress | None = None,
                 tables: Tables | None = None) -> Network:
    """Load the compiled network from cache, building (and caching) it first if needed.

    Parameters
    ----------
    cache_dir
        Where compiled networks are kept; defaults to :func:`default_cache_dir`.
    params
        Build parameters; they are part of the cache key.
    rebuild
        Ignore any cache and build afresh.
    progress
        Called as ``progress(stage, done, total)`` during a build.
    tables
        Tables to build from (defaults to the shipped ones).
    """
    tables = tables or load_tables()
    params = params or BuildParams()
    key = cache_key(tables, params)
    directory = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    path = directory / f"network-{key[:20]}.json"
    compiled = None if rebuild else _read_cache(path, key, len(tables.legs))
    if compiled is None:
        compiled = compile_network(tables, params, progress=progress)
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".network-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"key": key, "compiled": compiled}, fh, separators=(",", ":"))
        Path(tmp).replace(path)
        for old in directory.glob("network-*.json"):
            if old != path:  # caches of other tables/versions/params are stale: never reused
                old.unlink(missing_ok=True)
        log.info("network compiled and cached at %s", path)
    return _assemble(compiled, tables, key)


def cache_path(cache_dir: str | Path | None = None, *, params: BuildParams | None = None) -> Path:
    """Where :func:`load_network` keeps the network for the shipped tables and these params."""
    key = cache_key(load_tables(), params or BuildParams())
    directory = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    return directory / f"network-{key[:20]}.json"
