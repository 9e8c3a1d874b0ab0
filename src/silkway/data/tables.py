"""Typed loaders for the shipped data tables.

Each table is a CSV next to this module, read with :mod:`importlib.resources`. Every row is
validated on load: a broken row raises :class:`~silkway.errors.DataError` naming the file, the
line and the problem. Every number must carry a ``source`` or an ``estimate`` with its reasoning.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any

from silkway.errors import DataError
from silkway.types import Mode

if TYPE_CHECKING:
    from silkway.data.direction import Direction, Repositioning
    from silkway.data.distances import LegDistance

TABLE_FILES = (
    "hubs.csv",
    "hub_profiles.csv",
    "border_dwell.csv",
    "tariffs.csv",
    "emission_factors.csv",
    "hub_emission_factors.csv",
    "cargo.csv",
    "legs.csv",
    "leg_distances.csv",
)

# Tables that change how delays behave (by month, together) but not the compiled network: they
# are read with the others but kept out of the network's cache key.
DYNAMIC_FILES = ("seasonality.csv", "correlation.csv", "direction.csv", "repositioning.csv",
                 "handling.csv", "sea_services.csv", "as_of.csv", "calibrated.csv")
# Operations a box undergoes at a hub; handling.csv gives days and cost per (profile, operation).
# start/end: the trip begins or ends on a vessel; land_start/land_end: on a train or a truck.
OPERATIONS = ("start", "end", "land_start", "land_end", "mode_change", "gauge_change",
              "ferry_board", "ferry_alight", "sea_transship")
TARGET_TYPES = frozenset({"tariff", "border", "hub_profile"})

HUB_KINDS = frozenset({"port", "rail", "dry_port", "border", "ferry"})
GAUGES = frozenset({0, 1435, 1520})
DATA_TYPES = frozenset({"default", "modelled", "primary"})

OBSERVATIONS_FILE = "observations.csv"  # published figures to fit and check against, not a model input
OBSERVATION_KINDS = frozenset({"observed", "advertised", "planned"})
OBSERVATION_BOUNDS = frozenset({"value", "range", "at_least", "at_most"})
OBSERVATION_CORRIDORS = frozenset({
    "middle-corridor", "middle-corridor-turkmen", "northern", "trans-siberian", "sea-suez",
    "sea-cape", "southern-iran", "trans-afghan", "kashgar-road", "cku", "china-central-asia",
    "sea-intra-asia", "border",
})
OBSERVATION_METRICS = {  # metric -> the one unit it is given in
    "transit_days": "days", "transit_hours": "hours", "distance_km": "km", "distance_nmi": "nmi",
    "cost_usd_per_feu": "USD/FEU", "cost_usd_per_teu": "USD/TEU",
    "cost_usd_per_container": "USD/container", "cost_usd_per_truck": "USD/truck",
    "cost_usd_per_500km_20t": "USD/500km/20t",
    "border_dwell_hours": "hours", "border_dwell_days": "days", "port_dwell_days": "days",
    "ferry_wait_days": "days", "crossing_hours": "hours", "sailing_interval_days": "days",
    "sailings_per_month": "per month", "handling_hours": "hours",
    "days_saved": "days", "days_added": "days", "distance_saved_km": "km", "speed_kmh": "km/h",
}
_OBSERVATION_COLUMNS = (
    "id", "origin", "destination", "in_network", "corridor", "via", "modes", "metric", "low",
    "high", "unit", "bound", "kind", "year", "date", "source_title", "url", "date_read", "quote",
)


@dataclass(frozen=True, slots=True)
class LogNormal:
    """A positive duration in days, lognormal, given by its median and 90th percentile.

    The p50/p90 form is what published figures give ("typically 2-3 days, up to 10"),
    so it is the form the tables use.
    """

    p50: float
    p90: float

    @property
    def sigma(self) -> float:
        """Shape parameter: ln(p90/p50) / z(0.9)."""
        if self.p50 <= 0 or self.p90 <= self.p50:
            return 0.0
        return math.log(self.p90 / self.p50) / 1.2815515655446004

    @property
    def mu(self) -> float:
        """Log-scale location: ln(p50) (``-inf`` for a zero duration)."""
        return math.log(self.p50) if self.p50 > 0 else -math.inf

    @property
    def mean(self) -> float:
        """Expected value in days."""
        if self.p50 <= 0:
            return 0.0
        return self.p50 * math.exp(self.sigma**2 / 2)

    @property
    def var(self) -> float:
        """Variance in days squared."""
        if self.p50 <= 0:
            return 0.0
        s2 = self.sigma**2
        return (math.exp(s2) - 1.0) * self.p50**2 * math.exp(s2)


ZERO = LogNormal(0.0, 0.0)


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a row's numbers come from: a citation, or an estimate with its reasoning."""

    source: str
    estimate: str


@dataclass(frozen=True, slots=True)
class HubRow:
    id: str
    name: str
    aliases: tuple[str, ...]
    country: str
    lat: float
    lon: float
    kind: str
    gauge_mm: int
    profile: str
    coord_source: str


@dataclass(frozen=True, slots=True)
class HandlingOp:
    """Handling of a box at a hub of one profile for one operation (see :data:`OPERATIONS`)."""

    profile: str
    operation: str
    days: LogNormal
    cost_usd_feu: float
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class HubProfile:
    """A kind of hub: its base handling, and what differs by operation (``handling.csv``)."""

    profile: str
    handling_days: LogNormal
    handling_cost_usd_feu: float
    provenance: Provenance
    operations: tuple[HandlingOp, ...] = ()

    def handling(self, operation: str) -> tuple[LogNormal, float]:
        """Days and USD/FEU of one operation here; the profile's base row where none is given."""
        for op in self.operations:
            if op.operation == operation:
                return op.days, op.cost_usd_feu
        return self.handling_days, self.handling_cost_usd_feu

    def scaled(self, factor: float) -> HubProfile:
        """The profile with every handling time multiplied by ``factor`` (scenarios, seasons)."""
        if factor == 1.0:
            return self
        ops = tuple(dataclasses.replace(o, days=LogNormal(o.days.p50 * factor, o.days.p90 * factor))
                    for o in self.operations)
        base = LogNormal(self.handling_days.p50 * factor, self.handling_days.p90 * factor)
        return dataclasses.replace(self, handling_days=base, operations=ops)


@dataclass(frozen=True, slots=True)
class BorderDwell:
    border: str
    dwell_days: LogNormal
    cost_usd_feu: float
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class Tariff:
    tariff: str
    mode: Mode
    region: str
    speed_kmh: float
    cost_usd_per_km_feu: float
    cost_usd_fixed_feu: float
    teu_cost_factor: float
    emission_factor: str
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class EmissionFactor:
    """A transport operation category's GHG intensity (ISO 14083 / GLEC), in g CO2e per tkm."""

    emission_factor: str
    mode: Mode
    description: str
    energy: str
    vehicle_class: str
    region: str
    wtw_g_per_tkm: float
    ttw_g_per_tkm: float
    assumptions: str
    data_type: str
    version: str
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class HubEmissionFactor:
    """A hub operation category's GHG intensity, in kg CO2e per TEU handled (one lift)."""

    profile: str
    operation: str
    wtw_kg_per_teu: float
    ttw_kg_per_teu: float
    assumptions: str
    data_type: str
    version: str
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class CargoRow:
    cargo: str
    teu: float
    payload_t_default: float
    tare_t: float
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class LegRow:
    src: str
    dst: str
    mode: Mode
    tariff: str
    gauge_mm: int
    border: str
    via: tuple[tuple[float, float], ...]
    status: str
    wait_days: LogNormal
    fixed_cost_usd_feu: float
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class Seasonal:
    """Month-of-departure multipliers on the delays of one tariff, border or hub profile."""

    target_type: str
    key: str
    months: frozenset[int]
    wait_factor: float
    dwell_factor: float
    handling_factor: float
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class CorrelationGroup:
    """Delay parts that share a common shock (e.g. one Caspian storm holds port and ferry)."""

    group: str
    rho: float
    members: frozenset[str]  # "tariff:KEY", "border:KEY", "hub_profile:KEY"
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class Tables:
    """All shipped tables, cross-checked, plus a digest of their bytes (the cache key's base)."""

    hubs: tuple[HubRow, ...]
    profiles: dict[str, HubProfile]
    borders: dict[str, BorderDwell]
    tariffs: dict[str, Tariff]
    emission_factors: dict[str, EmissionFactor]
    hub_emission_factors: dict[str, HubEmissionFactor]
    cargo: dict[str, CargoRow]
    legs: tuple[LegRow, ...]
    digest: str
    seasonality: tuple[Seasonal, ...] = ()
    correlation: tuple[CorrelationGroup, ...] = ()
    direction: dict[tuple[str, str, str], Direction] = field(default_factory=dict)
    repositioning: dict[str, Repositioning] = field(default_factory=dict)
    sea_services: tuple[Any, ...] = ()  # timing.SeaService: lanes with no direct liner service
    as_of: str = ""
    calibrated: tuple[Any, ...] = ()  # timing.Calibrated rows applied on top of the priors
    leg_distances: dict[tuple[str, str, str], LegDistance] = field(default_factory=dict)


class _Row:
    """One CSV row with typed getters that raise DataError naming file, line and column."""

    def __init__(self, fname: str, line: int, values: dict[str, str]) -> None:
        self.fname, self.line, self.values = fname, line, values

    def fail(self, msg: str) -> DataError:
        key = next(iter(self.values.values()), "")
        return DataError(f"{self.fname} line {self.line} ({key}): {msg}")

    def text(self, col: str, *, required: bool = True) -> str:
        val = (self.values.get(col) or "").strip()
        if required and not val:
            raise self.fail(f"column {col!r} is empty")
        return val

    def num(self, col: str, *, lo: float = -math.inf, hi: float = math.inf,
            default: float | None = None) -> float:
        raw = self.text(col, required=default is None)
        if not raw:
            assert default is not None
            return default
        try:
            val = float(raw)
        except ValueError:
            raise self.fail(f"column {col!r} is not a number: {raw!r}") from None
        if not (lo <= val <= hi) or math.isnan(val):
            raise self.fail(f"column {col!r} = {val} is outside [{lo}, {hi}]")
        return val

    def lognormal(self, prefix: str, *, optional: bool = False) -> LogNormal:
        default = 0.0 if optional else None
        p50 = self.num(f"{prefix}_p50", lo=0, hi=400, default=default)
        p90 = self.num(f"{prefix}_p90", lo=0, hi=400, default=default)
        if p90 < p50:
            raise self.fail(f"{prefix}_p90 ({p90}) is below {prefix}_p50 ({p50})")
        return LogNormal(p50, p90)

    def provenance(self) -> Provenance:
        source = self.text("source", required=False)
        estimate = self.text("estimate", required=False)
        if not source and not estimate:
            raise self.fail("has neither a source nor an estimate with its reasoning")
        return Provenance(source, estimate)

    def data_type(self) -> str:
        raw = self.text("data_type")
        if raw not in DATA_TYPES:
            raise self.fail(f"data_type {raw!r} is not one of {sorted(DATA_TYPES)}")
        return raw

    def mode(self) -> Mode:
        raw = self.text("mode")
        try:
            return Mode(raw)
        except ValueError:
            raise self.fail(f"mode {raw!r} is not one of {[m.value for m in Mode]}") from None


def _rows(fname: str, text: str, columns: tuple[str, ...]) -> Iterator[_Row]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        raise DataError(f"{fname}: missing column(s) {', '.join(missing)}")
    for values in reader:
        if None in values:
            raise DataError(f"{fname} line {reader.line_num}: more fields than the header")
        yield _Row(fname, reader.line_num, values)


def _unique(fname: str, items: list[Any], key: Callable[[Any], str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        k = key(item)
        if k in out:
            raise DataError(f"{fname}: duplicate key {k!r}")
        out[k] = item
    return out


def _parse_via(row: _Row) -> tuple[tuple[float, float], ...]:
    raw = row.text("via", required=False)
    points = []
    for part in filter(None, (p.strip() for p in raw.split(";"))):
        try:
            lat, lon = (float(x) for x in part.split())
        except ValueError:
            raise row.fail(f"via point {part!r} is not 'lat lon'") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise row.fail(f"via point {part!r} is out of range")
        points.append((lat, lon))
    return tuple(points)


def read_texts() -> dict[str, str]:
    """Return the raw text of every shipped table, keyed by file name."""
    pkg = resources.files("silkway.data")
    return {name: pkg.joinpath(name).read_text(encoding="utf-8")
            for name in (*TABLE_FILES, *DYNAMIC_FILES) if pkg.joinpath(name).is_file()}


def parse_tables(texts: dict[str, str], *, calibrated: bool = True) -> Tables:
    """Parse and cross-check table texts (the shipped ones, or a test's variants).

    With ``calibrated`` (the default) the fitted values of ``calibrated.csv`` replace the priors
    of the sourced tables; without, the priors stand (the "before" of ``silkway calibrate``).

    Raises
    ------
    DataError
        On the first malformed row, naming file, line and problem.
    """
    digest = hashlib.sha256()
    for name in TABLE_FILES:
        digest.update(name.encode())
        digest.update(texts[name].encode())

    profiles = _unique("hub_profiles.csv", [
        HubProfile(r.text("profile"), r.lognormal("handling_days"),
                   r.num("handling_cost_usd_feu", lo=0, hi=10_000), r.provenance())
        for r in _rows("hub_profiles.csv", texts["hub_profiles.csv"],
                       ("profile", "handling_days_p50", "handling_days_p90",
                        "handling_cost_usd_feu", "source", "estimate"))
    ], key=lambda p: p.profile)

    borders = _unique("border_dwell.csv", [
        BorderDwell(r.text("border"), r.lognormal("dwell_days"),
                    r.num("cost_usd_feu", lo=0, hi=10_000, default=0.0), r.provenance())
        for r in _rows("border_dwell.csv", texts["border_dwell.csv"],
                       ("border", "dwell_days_p50", "dwell_days_p90", "cost_usd_feu",
                        "source", "estimate"))
    ], key=lambda b: b.border)

    factors = _unique("emission_factors.csv", [
        EmissionFactor(r.text("emission_factor"), r.mode(), r.text("description"),
                       r.text("energy"), r.text("vehicle_class"), r.text("region"),
                       r.num("wtw_g_per_tkm", lo=0, hi=2000), r.num("ttw_g_per_tkm", lo=0, hi=2000),
                       r.text("assumptions"), r.data_type(), r.text("version"), r.provenance())
        for r in _rows("emission_factors.csv", texts["emission_factors.csv"],
                       ("emission_factor", "mode", "description", "energy", "vehicle_class",
                        "region", "wtw_g_per_tkm", "ttw_g_per_tkm", "assumptions", "data_type",
                        "version", "source", "estimate"))
    ], key=lambda f: f.emission_factor)
    for f in factors.values():
        if f.ttw_g_per_tkm > f.wtw_g_per_tkm:
            raise DataError(f"emission_factors.csv ({f.emission_factor}): TTW exceeds WTW")

    hub_factors = _unique("hub_emission_factors.csv", [
        HubEmissionFactor(r.text("profile"), r.text("operation"),
                          r.num("kg_co2e_wtw_per_teu", lo=0, hi=500),
                          r.num("kg_co2e_ttw_per_teu", lo=0, hi=500), r.text("assumptions"),
                          r.data_type(), r.text("version"), r.provenance())
        for r in _rows("hub_emission_factors.csv", texts["hub_emission_factors.csv"],
                       ("profile", "operation", "kg_co2e_wtw_per_teu", "kg_co2e_ttw_per_teu",
                        "assumptions", "data_type", "version", "source", "estimate"))
    ], key=lambda f: f.profile)
    for hf in hub_factors.values():
        if hf.ttw_kg_per_teu > hf.wtw_kg_per_teu:
            raise DataError(f"hub_emission_factors.csv ({hf.profile}): TTW exceeds WTW")

    missing = sorted(set(profiles) - set(hub_factors))
    if missing:
        raise DataError(f"hub_emission_factors.csv: no row for profile(s) {', '.join(missing)}")

    tariff_rows = []
    for r in _rows("tariffs.csv", texts["tariffs.csv"],
                   ("tariff", "mode", "region", "speed_kmh", "cost_usd_per_km_feu",
                    "cost_usd_fixed_feu", "teu_cost_factor", "emission_factor", "source",
                    "estimate")):
        t = Tariff(r.text("tariff"), r.mode(), r.text("region"), r.num("speed_kmh", lo=1, hi=120),
                   r.num("cost_usd_per_km_feu", lo=0, hi=20),
                   r.num("cost_usd_fixed_feu", lo=0, hi=20_000),
                   r.num("teu_cost_factor", lo=0.1, hi=1.0), r.text("emission_factor"),
                   r.provenance())
        if t.emission_factor not in factors:
            raise r.fail(f"emission_factor {t.emission_factor!r} is not in emission_factors.csv")
        tariff_rows.append(t)
    tariffs = _unique("tariffs.csv", tariff_rows, key=lambda t: t.tariff)

    cargo = _unique("cargo.csv", [
        CargoRow(r.text("cargo"), r.num("teu", lo=1, hi=2), r.num("payload_t_default", lo=0, hi=35),
                 r.num("tare_t", lo=0, hi=6), r.provenance())
        for r in _rows("cargo.csv", texts["cargo.csv"],
                       ("cargo", "teu", "payload_t_default", "tare_t", "source", "estimate"))
    ], key=lambda c: c.cargo)

    hub_rows = []
    for r in _rows("hubs.csv", texts["hubs.csv"],
                   ("id", "name", "aliases", "country", "lat", "lon", "kind", "gauge_mm",
                    "profile", "coord_source")):
        country = r.text("country")
        if len(country) != 2 or not country.isalpha() or not country.isupper():
            raise r.fail(f"country {country!r} is not an ISO 3166-1 alpha-2 code")
        kind = r.text("kind")
        if kind not in HUB_KINDS:
            raise r.fail(f"kind {kind!r} is not one of {sorted(HUB_KINDS)}")
        gauge = int(r.num("gauge_mm", lo=0, hi=2000))
        if gauge not in GAUGES:
            raise r.fail(f"gauge_mm {gauge} is not one of {sorted(GAUGES)}")
        profile = r.text("profile")
        if profile not in profiles:
            raise r.fail(f"profile {profile!r} is not in hub_profiles.csv")
        aliases = tuple(a.strip() for a in r.text("aliases", required=False).split(";")
                        if a.strip())
        hub_rows.append(HubRow(r.text("id"), r.text("name"), aliases, country,
                               r.num("lat", lo=-90, hi=90), r.num("lon", lo=-180, hi=180),
                               kind, gauge, profile, r.text("coord_source")))
    hubs = _unique("hubs.csv", hub_rows, key=lambda h: h.id)
    _unique("hubs.csv", hub_rows, key=lambda h: h.name.casefold())

    legs = []
    seen: set[tuple[str, str, str]] = set()
    for r in _rows("legs.csv", texts["legs.csv"],
                   ("from", "to", "mode", "tariff", "gauge_mm", "border", "via", "status",
                    "wait_days_p50", "wait_days_p90", "fixed_cost_usd_feu", "source",
                    "estimate")):
        src, dst, mode = r.text("from"), r.text("to"), r.mode()
        for end in (src, dst):
            if end not in hubs:
                raise r.fail(f"hub {end!r} is not in hubs.csv")
        if src == dst:
            raise r.fail("a leg must join two different hubs")
        lo, hi = sorted((src, dst))
        key = (lo, hi, mode.value)
        if key in seen:
            raise r.fail(f"duplicate {mode.value} leg {src}-{dst}")
        seen.add(key)
        tariff = r.text("tariff")
        if tariff not in tariffs:
            raise r.fail(f"tariff {tariff!r} is not in tariffs.csv")
        if tariffs[tariff].mode is not mode:
            raise r.fail(f"tariff {tariff!r} is for {tariffs[tariff].mode.value}, not {mode.value}")
        border = r.text("border", required=False)
        if border and border not in borders:
            raise r.fail(f"border {border!r} is not in border_dwell.csv")
        status = r.text("status")
        if status not in {"operating", "planned"}:
            raise r.fail(f"status {status!r} is not operating or planned")
        gauge = int(r.num("gauge_mm", lo=0, hi=2000, default=0.0))
        if mode is Mode.RAIL and gauge not in {1435, 1520}:
            raise r.fail("a rail leg needs gauge_mm 1435 or 1520")
        wait = r.lognormal("wait_days", optional=True)
        if mode is Mode.FERRY and wait.p50 <= 0:
            raise r.fail("a ferry leg needs a waiting-for-departure distribution")
        legs.append(LegRow(src, dst, mode, tariff, gauge, border, _parse_via(r), status, wait,
                           r.num("fixed_cost_usd_feu", lo=0, hi=20_000, default=0.0),
                           r.provenance()))

    keys = {"tariff": tariffs, "border": borders, "hub_profile": profiles}
    seasonality = []
    for r in _rows("seasonality.csv", texts.get("seasonality.csv", _SEASON_HEADER),
                   tuple(_SEASON_HEADER.strip().split(","))):
        ttype, tkey = r.text("target_type"), r.text("key")
        if ttype not in TARGET_TYPES:
            raise r.fail(f"target_type {ttype!r} is not one of {sorted(TARGET_TYPES)}")
        if tkey not in keys[ttype]:
            raise r.fail(f"{ttype} {tkey!r} does not exist")
        try:
            months = frozenset(int(m) for m in r.text("months").replace(",", " ").split())
        except ValueError:
            raise r.fail("months must be numbers 1-12") from None
        if not months or not months <= set(range(1, 13)):
            raise r.fail("months must be numbers 1-12")
        seasonality.append(Seasonal(ttype, tkey, months,
                                    r.num("wait_factor", lo=0.05, hi=50, default=1.0),
                                    r.num("dwell_factor", lo=0.05, hi=50, default=1.0),
                                    r.num("handling_factor", lo=0.05, hi=50, default=1.0),
                                    r.provenance()))
    groups = []
    for r in _rows("correlation.csv", texts.get("correlation.csv", _CORR_HEADER),
                   tuple(_CORR_HEADER.strip().split(","))):
        members = frozenset(r.text("members").split())
        for m in members:
            ttype, _, mkey = m.partition(":")
            if ttype not in TARGET_TYPES or mkey not in keys[ttype]:
                raise r.fail(f"member {m!r} is not tariff:, border: or hub_profile: an existing key")
        groups.append(CorrelationGroup(r.text("group"), r.num("rho", lo=0, hi=1), members,
                                       r.provenance()))
    _unique("correlation.csv", groups, key=lambda g: g.group)
    from silkway.data.direction import parse_direction, parse_repositioning
    from silkway.data.distances import key as distance_key
    from silkway.data.distances import parse_leg_distances

    tables = Tables(tuple(hub_rows), profiles, borders, tariffs, factors, hub_factors, cargo,
                    tuple(legs), digest.hexdigest(), tuple(seasonality), tuple(groups),
                    parse_direction(texts, _rows, tariffs, borders),
                    parse_repositioning(texts, _rows),
                    leg_distances=parse_leg_distances(
                        texts.get("leg_distances.csv", ""), _rows,
                        {distance_key(g.src, g.dst, g.mode.value) for g in legs}))
    from silkway.data import timing  # the time-model tables build on the ones above

    return timing.attach(tables, texts, calibrated=calibrated)


@dataclass(frozen=True, slots=True)
class Observation:
    """One published figure for a trip, a leg or a border: what was said, by whom, for when.

    ``low``/``high`` bound the published value (equal for a single figure); ``bound`` says
    whether the source gave a value, a range, or only a minimum or maximum ("from 19 days").
    ``kind`` separates what boxes took (observed) from what operators promise (advertised) and
    what a plan expects (planned). ``in_network`` is true when origin and destination (if any)
    are places silkway resolves.
    """

    id: str
    origin: str
    destination: str
    in_network: bool
    corridor: str
    via: tuple[str, ...]
    modes: tuple[Mode, ...]
    metric: str
    low: float
    high: float
    unit: str
    bound: str
    kind: str
    year: int | None
    date: str
    source_title: str
    url: str
    date_read: str
    quote: str


def _choice(row: _Row, col: str, allowed: frozenset[str]) -> str:
    raw = row.text(col)
    if raw not in allowed:
        raise row.fail(f"{col} {raw!r} is not one of {sorted(allowed)}")
    return raw


def _observation(r: _Row) -> Observation:
    metric = _choice(r, "metric", frozenset(OBSERVATION_METRICS))
    unit = r.text("unit")
    if unit != OBSERVATION_METRICS[metric]:
        raise r.fail(f"unit {unit!r} does not match metric {metric} ({OBSERVATION_METRICS[metric]})")
    low, high = r.num("low", lo=0, hi=1e6), r.num("high", lo=0, hi=1e6)
    if low > high:
        raise r.fail(f"low ({low:g}) is above high ({high:g})")
    bound = _choice(r, "bound", OBSERVATION_BOUNDS)
    if (bound == "range") != (low < high):
        raise r.fail(f"bound {bound!r} does not fit low {low:g} / high {high:g}")
    year_raw = r.text("year", required=False)
    year = int(r.num("year", lo=1990, hi=2030)) if year_raw else None
    date = r.text("date", required=False)
    if date and not (re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", date)
                     and (year is None or date[:4] == str(year))):
        raise r.fail(f"date {date!r} is not YYYY[-MM[-DD]] within year {year_raw or '(none)'}")
    url = r.text("url")
    if not url.startswith(("http://", "https://")):
        raise r.fail(f"url {url!r} is not an http(s) address")
    in_network = _choice(r, "in_network", frozenset({"true", "false"})) == "true"
    modes = []
    for m in filter(None, (p.strip() for p in r.text("modes").split(";"))):
        try:
            modes.append(Mode(m))
        except ValueError:
            raise r.fail(f"mode {m!r} is not one of {[x.value for x in Mode]}") from None
    date_read = r.text("date_read")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date_read):
        raise r.fail(f"date_read {date_read!r} is not YYYY-MM-DD")
    return Observation(
        r.text("id"), r.text("origin"), r.text("destination", required=False), in_network,
        _choice(r, "corridor", OBSERVATION_CORRIDORS),
        tuple(v.strip() for v in r.text("via", required=False).split(";") if v.strip()),
        tuple(modes), metric, low, high, unit, bound, _choice(r, "kind", OBSERVATION_KINDS),
        year, date, r.text("source_title"), url, date_read, r.text("quote"))


def parse_observations(text: str) -> tuple[Observation, ...]:
    """Parse and check the observations table (the shipped one, or a test's variant).

    Every row must name its source (title and URL) and quote where the figure is; a metric,
    kind, corridor or bound outside the closed sets, a unit that does not match its metric,
    or ``low > high`` is rejected.

    Raises
    ------
    DataError
        On the first malformed row or a duplicate id, naming file, line and problem.
    """
    rows = [_observation(r) for r in _rows(OBSERVATIONS_FILE, text, _OBSERVATION_COLUMNS)]
    _unique(OBSERVATIONS_FILE, rows, key=lambda o: o.id)
    return tuple(rows)


def load_observations() -> tuple[Observation, ...]:
    """Load and validate the shipped observations table (published transit days, distances, rates).

    Kept apart from :func:`load_tables`: the observations do not feed the network, so they are
    not part of its cache key.
    """
    text = resources.files("silkway.data").joinpath(OBSERVATIONS_FILE).read_text(encoding="utf-8")
    return parse_observations(text)


_SEASON_HEADER = "target_type,key,months,wait_factor,dwell_factor,handling_factor,source,estimate\n"
_CORR_HEADER = "group,rho,members,source,estimate\n"


def load_tables(*, calibrated: bool = True) -> Tables:
    """Load and validate the shipped tables (with the calibrated values, unless told not to)."""
    return parse_tables(read_texts(), calibrated=calibrated)
