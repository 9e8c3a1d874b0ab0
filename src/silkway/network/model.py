"""The in-memory corridor network and its content-hash cache.

The cache file is ``{"key", "sha256", "compiled"}``: ``key`` hashes what the network is built
from (tables, package versions, build parameters), ``sha256`` hashes the compiled content itself
(its canonical JSON: sorted keys, no spaces). On load the checksum is verified, so a cache that
was edited or damaged is rebuilt, never trusted; a cache whose checksum holds but whose content is
malformed (a build bug) is a :class:`~silkway.errors.ShippedDataError`. Before a build, the cache
directory is checked for being writable, so a bad ``--cache-dir`` fails in a second rather than
after the compile.

The file is written with sorted keys, so its ``compiled`` value *is* the canonical JSON: a load
hashes those bytes as read (about 1 ms) instead of encoding the parsed content again (about
20 ms). A file in any other layout (an older silkway's, or edited) is checked the slow way, and
an intact one is rewritten in this layout, once.
"""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import itertools
import json
import logging
import math
import os
import re
import tempfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import orjson
from numpy.typing import NDArray

from silkway.data.tables import (
    BorderDwell,
    HubProfile,
    LogNormal,
    Provenance,
    Tables,
    Tariff,
    load_tables,
)
from silkway.data.timing import no_direct_service
from silkway.errors import (
    BackendError,
    InputError,
    ShippedDataError,
    SilkwayError,
    UnknownPlaceError,
)
from silkway.network import names as names_
from silkway.network.build import BUILD_FORMAT, BuildParams, Progress, compile_network
from silkway.types import Mode

log = logging.getLogger(__name__)

_VERSIONED = ("searoute", "scgraph-data", "countryinfo", "shapely", "numpy", "scipy")
MAX_PLACE_CHARS = 200
"""Longest place query :meth:`Network.find` accepts (the longest hub name is under 60)."""
_SOURCES = frozenset({"searoute", "world_railways", "world_highways", "published", "estimate"})


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
    _folded: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_id.update({h.id: h for h in self.hubs})
        names: dict[str, str] = {}
        for h in self.hubs:
            for name in (h.id, h.name, *h.aliases):
                names.setdefault(names_.key(name), h.id)
        self._names.update(names)

    def _folded_names(self) -> dict[str, str]:
        """Folded spelling -> hub id, made on the first name that misses (most match as typed;
        folding every hub name is about 2 ms of loading a network)."""
        if not self._folded:
            folds: dict[str, set[str]] = {}
            for h in self.hubs:
                for name in (h.id, h.name, *h.aliases):
                    folds.setdefault(names_.folded(name), set()).add(h.id)
            # a folded spelling two hubs share names neither (never one of them picked unsaid);
            # made whole, then added at once: a thread that looks meanwhile makes its own
            self._folded.update({k: next(iter(ids)) for k, ids in folds.items() if len(ids) == 1})
        return self._folded

    @property
    def as_of(self) -> str:
        """The period the network's data describe (``as_of.csv``, or a scenario's era)."""
        return self.tables.as_of

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
        if len(query) > MAX_PLACE_CHARS:
            raise InputError(f"a place name is at most {MAX_PLACE_CHARS} characters; this one "
                             f"has {len(query):,}")
        # the folded spelling only for a miss: most names match as typed
        found = _match(self._names, names_.key(query)) or _match(self._folded_names(),
                                                                  names_.folded(query))
        if found is not None:
            return self._by_id[found]
        raise UnknownPlaceError(query, self.suggest(query), names_.odd_characters(query))

    def suggest(self, query: str, limit: int = 3) -> list[str]:
        """Closest hub names for a query that matched none exactly."""
        if len(query) > MAX_PLACE_CHARS:
            return []
        from rapidfuzz import fuzz, process  # only for a miss: the did-you-mean

        choices = list(self._names)
        hits = process.extract(names_.key(query), choices, scorer=fuzz.WRatio, limit=limit * 4)
        out: list[str] = []
        for choice, score, _ in hits:
            name = self._by_id[self._names[choice]].name
            if score >= 60 and name not in out:
                out.append(name)
        return out[:limit]


def _match(table: dict[str, str], text: str) -> str | None:
    """The hub id ``table`` holds for the lookup key ``text``, or for it without its spaces."""
    return table.get(text) or table.get(text.replace(" ", ""))


def _assemble(compiled: dict[str, Any], tables: Tables, key: str) -> Network:
    hubs = tuple(
        Hub(h.id, h.name, h.aliases, h.country, h.lat, h.lon, h.kind, h.gauge_mm,
            tables.profiles[h.profile], h.coord_source)
        for h in tables.hubs)
    legs: list[Leg] = []
    unsailed = no_direct_service(tables)
    # every leg's points as one array (one conversion); each leg's coords are its rows
    seqs = [c["coords"] for c in compiled["legs"]]
    flat = itertools.chain.from_iterable(itertools.chain.from_iterable(seqs))
    points = np.array(list(flat), dtype=np.float64).reshape(-1, 2)
    ends = list(itertools.accumulate(map(len, seqs)))
    for i, c in enumerate(compiled["legs"]):
        row = tables.legs[c["index"]]
        if row.mode is Mode.SEA and frozenset((row.src, row.dst)) in unsailed:
            continue  # no direct liner service: boxes go via a transshipment hub port
        legs.append(Leg(
            index=len(legs), src=c["from"], dst=c["to"], mode=Mode(c["mode"]), variant=c["variant"],
            distance_km=c["distance_km"], estimated_km=c["estimated_km"],
            distance_source=c["distance_source"], passages=frozenset(c["passages"]),
            countries=tuple(c["countries"]), coords=points[ends[i] - len(seqs[i]):ends[i]],
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
    (``SILKWAY_CACHE_DIR``) are read by the interfaces and passed in. A relative
    ``XDG_CACHE_HOME`` is ignored, as the specification says (``XDG_CACHE_HOME=cache`` put the
    network into ``./cache/silkway`` of whichever directory a command ran in).
    """
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "silkway"


def _digest(compiled: Any) -> str:
    """Checksum of the compiled content, over its canonical JSON."""
    text = json.dumps(compiled, separators=(",", ":"), sort_keys=True, allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()


_LAYOUT = re.compile(rb'\{"compiled":(.*),"key":"[0-9a-f]{64}","sha256":"([0-9a-f]{64})"\}\s*',
                     re.DOTALL)
"""The layout :func:`_write_cache` writes: the canonical JSON of ``compiled``, then key and
checksum."""


def _read_cache(path: Path, key: str, tables: Tables) -> dict[str, Any] | None:
    """The compiled network of a cache file, or None to rebuild it.

    A missing, unreadable, stale (other key or format), edited or damaged (checksum mismatch)
    file yields None.
    """
    try:
        data = path.read_bytes()
        blob = orjson.loads(data)  # refuses NaN and infinity, which no build writes
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise InputError(f"the network cache {path} is a directory, not a file; remove it") from None
    except (OSError, ValueError) as exc:
        log.warning("network cache %s is unreadable (%s); rebuilding", path, exc)
        return None
    if not (isinstance(blob, dict) and blob.get("key") == key
            and isinstance(blob.get("compiled"), dict)
            and blob["compiled"].get("format") == BUILD_FORMAT):
        log.warning("network cache %s is stale; rebuilding", path)
        return None
    # The bytes of ``compiled`` as written hash to the checksum: they are its canonical JSON
    # (a SHA-256 match), the same test as encoding the parsed content again, without the cost.
    layout = _LAYOUT.fullmatch(data)
    fast = (layout is not None and blob.get("sha256") == layout.group(2).decode()
            and hashlib.sha256(layout.group(1)).hexdigest() == blob["sha256"])
    try:
        intact = fast or blob.get("sha256") == _digest(blob["compiled"])
    except ValueError:  # NaN or infinity: not something a build writes
        intact = False
    if not intact:
        log.warning("network cache %s fails its checksum (edited or damaged); rebuilding", path)
        return None
    compiled: dict[str, Any] = blob["compiled"]
    problem = _check_compiled(compiled, tables)
    if problem:
        raise ShippedDataError(f"the network cache {path} is malformed ({problem}); delete it or "
                               "run `silkway network build`")
    if not fast:  # intact, in another layout: write it once in the one that loads fast
        try:
            _write_cache(path, key, compiled)
        except SilkwayError as exc:  # a read-only cache still loads, only slower
            log.info("network cache %s kept in its layout: %s", path, exc)
    return compiled


def _check_compiled(compiled: dict[str, Any], tables: Tables) -> str | None:
    """The first problem of a compiled network's structure, or None if it is sound."""
    n_rows = len(tables.legs)
    legs = compiled.get("legs")
    if not isinstance(legs, list):
        return "it has no list of legs"
    if not isinstance(compiled.get("stats", {}), dict):
        return "its stats are not a mapping"
    modes = {m.value for m in Mode}
    coords_ok = _all_coords_valid(legs)  # else each leg's are checked in turn, in order
    seen: set[int] = set()
    for i, c in enumerate(legs):
        where = f"leg #{i}"
        if not isinstance(c, dict):
            return f"{where} is not a mapping"
        for name, kind in (("index", int), ("from", str), ("to", str), ("mode", str),
                           ("variant", int), ("distance_source", str), ("passages", list),
                           ("countries", list), ("coords", list)):
            if not isinstance(c.get(name), kind) or isinstance(c.get(name), bool):
                return f"{where} has no valid {name!r}"
        if not 0 <= c["index"] < n_rows:
            return f"{where} names table row {c['index']}, not one of 0-{n_rows - 1}"
        seen.add(c["index"])
        row = tables.legs[c["index"]]
        if (c["from"], c["to"]) != (row.src, row.dst):
            return f"{where} runs {c['from']}-{c['to']}, but its table row is {row.src}-{row.dst}"
        if c["mode"] not in modes:
            return f"{where} has mode {c['mode']!r}, not one of {', '.join(sorted(modes))}"
        if c["mode"] != row.mode.value:
            return f"{where} has mode {c['mode']!r}, but its table row is {row.mode.value}"
        if c["distance_source"] not in _SOURCES:
            return f"{where} has distance source {c['distance_source']!r}"
        for name in ("distance_km", "estimated_km"):
            v = c.get(name)
            if not isinstance(v, int | float) or isinstance(v, bool) or not math.isfinite(v) or v < 0:
                return f"{where} has {name} {v!r}, not a finite number of 0 or more"
        if c["distance_km"] <= 0:
            return f"{where} has a distance of {c['distance_km']!r} km"
        if not c["countries"] or not all(isinstance(x, str) and len(x) == 2 for x in c["countries"]):
            return f"{where} has no valid countries"
        if not all(isinstance(x, str) for x in c["passages"]):
            return f"{where} has passages that are not names"
        if not coords_ok and not _valid_coords(c["coords"]):
            return f"{where} has no valid (lat, lon) coords"
    if seen != set(range(n_rows)):
        return f"it covers {len(seen)} of the {n_rows} legs of the tables"
    return None


def _valid_points(points: list[Any]) -> bool:
    """Whether ``points`` are ``[lat, lon]`` pairs of JSON numbers (not booleans), lat within
    +-90 and lon within +-540 (a line may cross the antimeridian); in passes that run in C."""
    if set(map(type, points)) - {list} or set(map(len, points)) - {2}:
        return False
    flat = list(itertools.chain.from_iterable(points))
    if not set(map(type, flat)) <= {int, float}:
        return False  # bool is its own type here: True is no coordinate
    return (max(map(abs, flat[0::2]), default=0) <= 90
            and max(map(abs, flat[1::2]), default=0) <= 540)


def _valid_coords(coords: list[Any]) -> bool:
    """Whether one leg's ``coords`` are two or more valid points (see :func:`_valid_points`)."""
    return len(coords) >= 2 and _valid_points(coords)


def _all_coords_valid(legs: list[Any]) -> bool:
    """Whether every leg has valid ``coords``, checked at once (the common case)."""
    seqs = [c.get("coords") if isinstance(c, dict) else None for c in legs]
    lists = [x for x in seqs if type(x) is list and len(x) >= 2]
    if len(lists) != len(seqs):
        return False
    return _valid_points(list(itertools.chain.from_iterable(lists)))


def _writable_dir(directory: Path) -> None:
    """Make sure ``directory`` exists and takes new files, before a long build writes there.

    Raises
    ------
    InputError
        If it is a file, lies under a file, or cannot be written to.
    BackendError
        If the disk fails otherwise (full, I/O error).
    """
    where = f"the cache directory {directory} (--cache-dir or SILKWAY_CACHE_DIR)"
    if directory.exists() and not directory.is_dir():
        raise InputError(f"{where} is a file, not a directory")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=directory, prefix=".probe-")
        os.close(fd)
        Path(probe).unlink()
    except (FileExistsError, NotADirectoryError):
        raise InputError(f"{where} lies under a file, not a directory") from None
    except PermissionError:
        raise InputError(f"{where} is not writable; choose another one") from None
    except OSError as exc:
        if exc.errno == errno.EROFS:
            raise InputError(f"{where} is on a read-only file system; choose another one") from None
        raise BackendError(f"cannot write to {where}: {exc.strerror or exc}") from None


def _write_cache(path: Path, key: str, compiled: dict[str, Any]) -> None:
    """Write the cache atomically (temp file, then rename); the temp file never outlives a fault."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".network-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            # sorted keys: "compiled" comes first and is written as its canonical JSON, the
            # bytes its checksum covers (see _LAYOUT)
            json.dump({"key": key, "sha256": _digest(compiled), "compiled": compiled}, fh,
                      separators=(",", ":"), sort_keys=True)
        Path(tmp).replace(path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, PermissionError) or exc.errno == errno.EROFS:
            raise InputError(f"cannot write the network cache {path}: "
                             f"{exc.strerror or exc}") from None
        raise BackendError(f"cannot write the network cache {path}: {exc.strerror or exc}"
                           ) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    for old in path.parent.glob("network-*.json"):
        if old != path:  # caches of other tables/versions/params are stale: never reused
            old.unlink(missing_ok=True)


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

    Raises
    ------
    InputError
        If a build is needed and ``cache_dir`` is a file or not writable (checked first).
    ShippedDataError
        If the cache passes its checksum but is malformed, or the tables cannot be built.
    BackendError
        If the disk fails while the cache is written (full, I/O error).
    """
    tables = tables or load_tables()
    params = params or BuildParams()
    key = cache_key(tables, params)
    directory = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    path = directory / f"network-{key[:20]}.json"
    if directory.exists() and not directory.is_dir():
        raise InputError(f"the cache directory {directory} (--cache-dir or SILKWAY_CACHE_DIR) is "
                         "a file, not a directory")
    compiled = None if rebuild else _read_cache(path, key, tables)
    if compiled is None:
        _writable_dir(directory)
        compiled = compile_network(tables, params, progress=progress)
        _write_cache(path, key, compiled)
        log.info("network compiled and cached at %s", path)
    return _assemble(compiled, tables, key)


def cache_path(cache_dir: str | Path | None = None, *, params: BuildParams | None = None) -> Path:
    """Where :func:`load_network` keeps the network for the shipped tables and these params."""
    key = cache_key(load_tables(), params or BuildParams())
    directory = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    return directory / f"network-{key[:20]}.json"


def reassemble(network: Network, tables: Tables) -> Network:
    """The same compiled legs with the time and cost values of other tables (e.g. calibrated
    or prior ones): tariffs, borders, waits and hub profiles are taken from ``tables``."""
    rows = {(r.src, r.dst, r.mode): r for r in tables.legs}
    hubs = tuple(dataclasses.replace(h, profile=tables.profiles[h.profile.profile])
                 for h in network.hubs)
    legs = []
    for leg in network.legs:
        row = rows.get((leg.src, leg.dst, leg.mode))
        legs.append(dataclasses.replace(
            leg, tariff=tables.tariffs[leg.tariff.tariff],
            border=tables.borders[leg.border.border] if leg.border else None,
            wait_days=row.wait_days if row is not None else leg.wait_days))
    tag = hashlib.sha256(repr([(c.target_type, c.key, c.fitted) for c in tables.calibrated])
                         .encode()).hexdigest()[:8]
    return Network(hubs, tuple(legs), tables, f"{network.key.split('+cal')[0]}+cal{tag}",
                   dict(network.stats))
