"""Typed loaders for the shipped data tables.

Each table is a CSV next to this module, read with :mod:`importlib.resources`. Every row is
validated on load: a broken row raises :class:`~silkway.errors.DataError` naming the file, the
line and the problem. Every number must carry a ``source`` or an ``estimate`` with its reasoning.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any

from silkway.data import timing  # the time-model tables build on the ones here
from silkway.data.observations import (  # re-exported: the observations were first read here
    OBSERVATION_BOUNDS,
    OBSERVATION_CORRIDORS,
    OBSERVATION_KINDS,
    OBSERVATION_METRICS,
    OBSERVATIONS_FILE,
    Observation,
    load_observations,
    parse_observations,
)
from silkway.data.schema import (  # re-exported: every table's building blocks
    DATA_TYPES,
    ZERO,
    LogNormal,
    Provenance,
    Row,
    table_rows,
    unique,
)
from silkway.data.timing import OPERATIONS, HandlingOp  # re-exported: hub profiles use them
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
    "country_outlines.geojson",  # not a table, but it sets the countries legs cross
)

# Tables that change how delays behave (by month, together) but not the compiled network: they
# are read with the others but kept out of the network's cache key.
DYNAMIC_FILES = ("seasonality.csv", "correlation.csv", "direction.csv", "repositioning.csv",
                 "handling.csv", "sea_services.csv", "as_of.csv", "calibrated.csv",
                 "passage_notices.csv")
TARGET_TYPES = frozenset({"tariff", "border", "hub_profile"})

HUB_KINDS = frozenset({"port", "rail", "dry_port", "border", "ferry"})
GAUGES = frozenset({0, 1435, 1520})


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
    notices: tuple[Any, ...] = ()  # notices.PassageNotice rows, of every period
    calibrated: tuple[Any, ...] = ()  # timing.Calibrated rows applied on top of the priors
    leg_distances: dict[tuple[str, str, str], LegDistance] = field(default_factory=dict)



def _parse_via(row: Row) -> tuple[tuple[float, float], ...]:
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

    profiles = unique("hub_profiles.csv", [
        HubProfile(r.text("profile"), r.lognormal("handling_days"),
                   r.num("handling_cost_usd_feu", lo=0, hi=10_000), r.provenance())
        for r in table_rows("hub_profiles.csv", texts["hub_profiles.csv"],
                       ("profile", "handling_days_p50", "handling_days_p90",
                        "handling_cost_usd_feu", "source", "estimate"))
    ], key=lambda p: p.profile)

    borders = unique("border_dwell.csv", [
        BorderDwell(r.text("border"), r.lognormal("dwell_days"),
                    r.num("cost_usd_feu", lo=0, hi=10_000, default=0.0), r.provenance())
        for r in table_rows("border_dwell.csv", texts["border_dwell.csv"],
                       ("border", "dwell_days_p50", "dwell_days_p90", "cost_usd_feu",
                        "source", "estimate"))
    ], key=lambda b: b.border)

    factors = unique("emission_factors.csv", [
        EmissionFactor(r.text("emission_factor"), r.mode(), r.text("description"),
                       r.text("energy"), r.text("vehicle_class"), r.text("region"),
                       r.num("wtw_g_per_tkm", lo=0, hi=2000), r.num("ttw_g_per_tkm", lo=0, hi=2000),
                       r.text("assumptions"), r.data_type(), r.text("version"), r.provenance())
        for r in table_rows("emission_factors.csv", texts["emission_factors.csv"],
                       ("emission_factor", "mode", "description", "energy", "vehicle_class",
                        "region", "wtw_g_per_tkm", "ttw_g_per_tkm", "assumptions", "data_type",
                        "version", "source", "estimate"))
    ], key=lambda f: f.emission_factor)
    for f in factors.values():
        if f.ttw_g_per_tkm > f.wtw_g_per_tkm:
            raise DataError(f"emission_factors.csv ({f.emission_factor}): TTW exceeds WTW")

    hub_factors = unique("hub_emission_factors.csv", [
        HubEmissionFactor(r.text("profile"), r.text("operation"),
                          r.num("kg_co2e_wtw_per_teu", lo=0, hi=500),
                          r.num("kg_co2e_ttw_per_teu", lo=0, hi=500), r.text("assumptions"),
                          r.data_type(), r.text("version"), r.provenance())
        for r in table_rows("hub_emission_factors.csv", texts["hub_emission_factors.csv"],
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
    for r in table_rows("tariffs.csv", texts["tariffs.csv"],
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
    tariffs = unique("tariffs.csv", tariff_rows, key=lambda t: t.tariff)

    cargo = unique("cargo.csv", [
        CargoRow(r.text("cargo"), r.num("teu", lo=1, hi=2), r.num("payload_t_default", lo=0, hi=35),
                 r.num("tare_t", lo=0, hi=6), r.provenance())
        for r in table_rows("cargo.csv", texts["cargo.csv"],
                       ("cargo", "teu", "payload_t_default", "tare_t", "source", "estimate"))
    ], key=lambda c: c.cargo)

    hub_rows = []
    for r in table_rows("hubs.csv", texts["hubs.csv"],
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
    hubs = unique("hubs.csv", hub_rows, key=lambda h: h.id)
    unique("hubs.csv", hub_rows, key=lambda h: h.name.casefold())

    legs = []
    seen: set[tuple[str, str, str]] = set()
    for r in table_rows("legs.csv", texts["legs.csv"],
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

    joined = {end for g in legs for end in (g.src, g.dst)}
    lone = [h for h in hubs if h not in joined]
    if lone:  # a place a plan could name but never reach
        raise DataError(f"hubs.csv: hub(s) {', '.join(lone)} have no leg in legs.csv")
    keys = {"tariff": tariffs, "border": borders, "hub_profile": profiles}
    seasonality = []
    for r in table_rows("seasonality.csv", texts.get("seasonality.csv", _SEASON_HEADER),
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
    for r in table_rows("correlation.csv", texts.get("correlation.csv", _CORR_HEADER),
                   tuple(_CORR_HEADER.strip().split(","))):
        members = frozenset(r.text("members").split())
        for m in members:
            ttype, _, mkey = m.partition(":")
            if ttype not in TARGET_TYPES or mkey not in keys[ttype]:
                raise r.fail(f"member {m!r} is not tariff:, border: or hub_profile: an existing key")
        groups.append(CorrelationGroup(r.text("group"), r.num("rho", lo=0, hi=1), members,
                                       r.provenance()))
    unique("correlation.csv", groups, key=lambda g: g.group)
    from silkway.data.direction import parse_direction, parse_repositioning
    from silkway.data.distances import key as distance_key
    from silkway.data.distances import parse_leg_distances

    tables = Tables(tuple(hub_rows), profiles, borders, tariffs, factors, hub_factors, cargo,
                    tuple(legs), digest.hexdigest(), tuple(seasonality), tuple(groups),
                    parse_direction(texts, table_rows, tariffs, borders),
                    parse_repositioning(texts, table_rows),
                    leg_distances=parse_leg_distances(
                        texts.get("leg_distances.csv", ""), table_rows,
                        {distance_key(g.src, g.dst, g.mode.value) for g in legs}))
    return timing.attach(tables, texts, calibrated=calibrated)


_SEASON_HEADER = "target_type,key,months,wait_factor,dwell_factor,handling_factor,source,estimate\n"
_CORR_HEADER = "group,rho,members,source,estimate\n"


def load_tables(*, calibrated: bool = True) -> Tables:
    """Load and validate the shipped tables (with the calibrated values, unless told not to)."""
    return parse_tables(read_texts(), calibrated=calibrated)


__all__ = [
    "DATA_TYPES", "DYNAMIC_FILES", "GAUGES", "HUB_KINDS", "OBSERVATIONS_FILE", "OBSERVATION_BOUNDS",
    "OBSERVATION_CORRIDORS", "OBSERVATION_KINDS", "OBSERVATION_METRICS", "OPERATIONS",
    "TABLE_FILES", "TARGET_TYPES", "ZERO", "BorderDwell", "CargoRow", "CorrelationGroup",
    "EmissionFactor", "HandlingOp", "HubEmissionFactor", "HubProfile", "HubRow", "LegRow",
    "LogNormal", "Observation", "Provenance", "Seasonal", "Tables", "Tariff", "load_observations",
    "load_tables", "parse_observations", "parse_tables", "read_texts",
]
