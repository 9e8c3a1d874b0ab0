"""Scenarios: small YAML overlays on the network, and the month of departure.

A scenario closes countries, passages or hubs, opens planned links, adds new links, and
multiplies waits, dwell, handling, speed or cost of named tariffs, borders, hub profiles, hubs or
legs. Applying it yields a new immutable :class:`~silkway.network.model.Network` (the shipped
one is never changed), cached per scenario and month.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from silkway.analysis import scenario_schema
    from silkway.data.capacities import CapacityChange, CapacityElement
from silkway._text import plain_float
from silkway._userfile import read_user_bytes
from silkway.data.tables import LogNormal, Provenance, Tables, Tariff
from silkway.errors import ConstraintError, InputError, ShippedDataError
from silkway.network import names as names_
from silkway.network.model import Hub, Leg, Network
from silkway.routing.constraints import Constraints
from silkway.types import Mode, Passage

_FACTORS = ("wait_factor", "dwell_factor", "handling_factor", "speed_factor", "cost_factor")
_APPLIES = {"tariff": ("wait_factor", "speed_factor", "cost_factor"),
            "leg": ("wait_factor", "speed_factor", "cost_factor"),
            "border": ("dwell_factor",), "hub_profile": ("handling_factor",),
            "hub": ("handling_factor",)}
"""The factors :func:`_apply` reads for each kind of target (docs/data/SCENARIOS.md); any other
factor but 1 would be dropped without a word, so a scenario giving one is refused."""


@dataclass(frozen=True)
class Change:
    """Multipliers on one tariff, border, hub profile, hub or leg."""

    target_type: str
    target: tuple[str, ...]  # a key, or (from, to, mode) for a leg
    factors: tuple[tuple[str, float], ...]

    def factor(self, name: str) -> float:
        return dict(self.factors).get(name, 1.0)


@dataclass(frozen=True)
class NewLeg:
    """A link a scenario adds (e.g. a railway under construction)."""

    src: str
    dst: str
    mode: Mode
    tariff: str
    gauge_mm: int
    border: str
    distance_km: float
    via: tuple[tuple[float, float], ...]
    wait: LogNormal
    provenance: Provenance
    speed_kmh: float | None = None  # a new line's published design speed (else the tariff's)


@dataclass(frozen=True)
class Scenario:
    """A named, sourced overlay (see docs/data/SCENARIOS.md)."""

    name: str
    title: str
    description: str = ""
    month: int | None = None
    close_countries: frozenset[str] = frozenset()
    close_passages: frozenset[Passage] = frozenset()
    close_hubs: frozenset[str] = frozenset()
    open_planned: bool = False
    add_legs: tuple[NewLeg, ...] = ()
    changes: tuple[Change, ...] = ()
    provenance: Provenance = field(default=Provenance("", ""))
    digest: str = ""
    as_of: str = ""  # an era scenario's period (e.g. "2022"); plans under it carry it
    capacities: tuple[CapacityChange, ...] = ()

    def constrain(self, c: Constraints) -> Constraints:
        """Merge the scenario's closures into route constraints."""
        return dataclasses.replace(
            c, avoid=c.avoid | self.close_countries, closed=c.closed | self.close_passages,
            closed_hubs=c.closed_hubs | self.close_hubs,
            closed_countries=c.closed_countries | self.close_countries,
            include_planned=c.include_planned or self.open_planned)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "month": self.month,
                "as_of": self.as_of or None,
                "close": {"countries": sorted(self.close_countries),
                          "passages": sorted(p.value for p in self.close_passages),
                          "hubs": sorted(self.close_hubs)},
                "add_legs": [f"{n.mode.value} {n.src}-{n.dst} {n.distance_km:g} km"
                             for n in self.add_legs],
                "changes": len(self.changes),
                "capacities": [c.describe() for c in self.capacities]}


def available() -> list[str]:
    """Names of the shipped scenarios."""
    folder = resources.files("silkway.data").joinpath("scenarios")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


@lru_cache(maxsize=1)
def _shipped_names() -> frozenset[str]:
    """The shipped scenarios' names, case-folded (a user's scenario may not take one)."""
    return frozenset(n.casefold() for n in available())


_SHIPPED_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
MAX_SCENARIO_BYTES = 64 * 1024
"""Largest scenario file read (the shipped ones are under 8 KiB)."""


def load_scenario(name_or_path: str | Path, tables: Tables) -> Scenario:
    """A shipped scenario by name, or the user's own YAML file (a path ending in .yaml/.yml).

    A shipped name is a plain name (``caspian-winter``), looked up only among the shipped files:
    ``../`` or a path never reaches a file through it.

    Raises
    ------
    ConstraintError
        For an unknown scenario name or a file that does not exist.
    InputError
        For the user's file that cannot be read or is malformed, naming the file and the problem.
    ShippedDataError
        For a shipped scenario that is malformed.
    """
    text_name = str(name_or_path)
    if _SHIPPED_NAME.match(text_name) and text_name in available():
        shipped = resources.files("silkway.data").joinpath("scenarios", f"{text_name}.yaml")
        label = f"shipped scenario {text_name}"
        try:
            return parse_scenario(shipped.read_text(encoding="utf-8"), tables, label=label)
        except InputError as exc:
            raise ShippedDataError(str(exc)) from None
    if not text_name.endswith((".yaml", ".yml")):
        shown = text_name if len(text_name) <= 80 else text_name[:79] + "…"
        raise ConstraintError(f"unknown scenario {shown!r}; shipped scenarios: "
                              f"{', '.join(available())}, or give a .yaml file")
    return parse_user_scenario(_read_user_file(Path(text_name)), tables, label=text_name)


def _read_user_file(path: Path) -> str:
    """The text of the user's scenario file: UTF-8, bounded in size."""
    raw = read_user_bytes(path, kind="scenario", limit=MAX_SCENARIO_BYTES,
                          advice="a scenario is a short YAML document")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"scenario file {path} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at "
                         f"offset {exc.start})") from None


_PARSED: dict[tuple[str, str, str], Scenario] = {}
_PARSED_MAX = 64


def parse_scenario(text: str, tables: Tables, *, label: str = "scenario") -> Scenario:
    """Validate a scenario's YAML text against the schema and the tables.

    Parsed scenarios are memoised by the hash of the text and of the tables (and the label that
    names them in errors), so a batch or a server that plans the same scenario again and again
    parses it once; a malformed text is parsed (and reported) every time.

    Raises
    ------
    InputError
        One sentence naming ``label``, the key and the problem.
    """
    key = (hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(), tables.digest, label)
    hit = _PARSED.get(key)
    if hit is not None:
        return hit
    scenario = _parse_scenario(text, tables, label)
    if len(_PARSED) >= _PARSED_MAX:
        _PARSED.pop(next(iter(_PARSED)))
    _PARSED[key] = scenario
    return scenario


def parse_user_scenario(text: str, tables: Tables, *, label: str) -> Scenario:
    """:func:`parse_scenario` of a user's scenario (a file, a posted or saved one), which may
    not take a shipped scenario's name: every plan under a scenario is labelled by its name, and
    a copy edited into something else, or a file of no changes, was reported as
    ``[scenario: caspian-winter]`` like the shipped one."""
    scenario = parse_scenario(text, tables, label=label)
    odd = names_.odd_characters(unicodedata.normalize("NFKC", scenario.name))
    if odd is not None:  # "c\u0430spian-winter" (a Cyrillic a) was labelled like the shipped one
        raise InputError(f"{label}: name {scenario.name!r} is refused: {odd}; plans under it "
                         "are labelled by the name, so it must read as what it is")
    if _name_key(scenario.name) in {_name_key(n) for n in _shipped_names()}:
        raise InputError(f"{label}: name {scenario.name!r} is a shipped scenario's name; give "
                         "yours a name of its own (plans under it are labelled by the name)")
    return scenario


def _name_key(name: str) -> str:
    """A scenario name as it reads: :func:`~silkway.network.names.key` (NFKC, case folded, runs
    of white space, dashes and underscores as one space), every Unicode dash a dash too:
    ``caspian-winter `` (a trailing space), ``caspian\u2010winter`` (a Unicode hyphen) and
    ``caspian_winter`` were taken as names of their own."""
    dashed = "".join("-" if unicodedata.category(ch) == "Pd" else ch for ch in name)
    return names_.key(dashed)


def _parse_scenario(text: str, tables: Tables, label: str) -> Scenario:
    from silkway._yaml import load_yaml  # YAML and the schema: imported by the first parse
    from silkway.analysis import scenario_schema  # pydantic models: built when first needed

    # non-finite numbers are refused by the schema, which names the key (W4)
    spec = scenario_schema.validate(load_yaml(text, label=label, finite_only=False), label=label)

    def fail(msg: str) -> InputError:
        return InputError(f"{label}: {msg}")

    if not (spec.source or spec.estimate):
        raise fail("has neither a source nor an estimate with its reasoning")
    close = spec.close or scenario_schema.CloseSpec()
    for key, countries, passages in (("countries", close.countries, []),
                                     ("passages", [], close.passages)):
        try:  # each list on its own, so the error names its key ("avoid" was a query's word)
            Constraints.make(avoid=countries, close=passages)
        except ConstraintError as exc:
            raise fail(f"close {key}: {str(exc).removeprefix('avoid ').removeprefix('close ')}"
                       ) from None
    base = Constraints.make(avoid=close.countries, close=close.passages)
    hubs = {h.id for h in tables.hubs}
    closed_hubs = frozenset(close.hubs)
    if closed_hubs - hubs:
        raise fail(f"close hubs: unknown hub(s) {', '.join(sorted(closed_hubs - hubs))}")
    new_legs = tuple(_new_leg(i, leg, tables, fail) for i, leg in enumerate(spec.add_legs, 1))
    changes = tuple(_change(i, ch, tables, fail) for i, ch in enumerate(spec.change, 1))
    _no_factor_twice(changes, fail)
    capacity_changes = _capacity_changes(spec.capacities, tables, new_legs, label)
    digest = hashlib.sha256(spec.model_dump_json(by_alias=True).encode()).hexdigest()
    as_of = "" if spec.as_of is None else str(spec.as_of).strip()
    if spec.as_of is not None and not as_of:
        raise fail("as_of is not a period such as 2022 or 2025-H2")
    return Scenario(spec.name, spec.title, spec.description, spec.month, base.avoid, base.closed,
                    closed_hubs, spec.open_planned, new_legs, changes,
                    Provenance(spec.source, spec.estimate), digest, as_of,
                    capacity_changes)


def _capacity_changes(raw: Any, tables: Tables, new_legs: tuple[NewLeg, ...],
                      label: str) -> tuple[CapacityChange, ...]:
    """The scenario's ``capacities`` section (see :func:`parse_capacity_changes`)."""
    if raw is None:
        return ()
    from silkway.data.capacities import leg_key, load_capacities, parse_capacity_changes

    known = {e.id for e in load_capacities(tables)}
    extra = {leg_key(n.src, n.dst, n.mode) for n in new_legs}
    return parse_capacity_changes(raw, tables, known=known, extra_legs=extra, label=label)


def scenario_capacities(scenario: Scenario | None,
                        base: tuple[CapacityElement, ...]) -> tuple[CapacityElement, ...]:
    """The capacity elements as the scenario makes them (the base ones without a scenario)."""
    from silkway.data.capacities import apply_changes

    return apply_changes(base, scenario.capacities) if scenario else base


def _new_leg(i: int, leg: scenario_schema.LegSpec, tables: Tables,
             fail: Callable[[str], InputError]) -> NewLeg:
    hubs = {h.id for h in tables.hubs}
    for end, hub in (("from", leg.src), ("to", leg.dst)):
        if hub not in hubs:
            raise fail(f"add_legs #{i} {end}: hub {hub!r} is not in hubs.csv")
    if leg.src == leg.dst:
        raise fail(f"add_legs #{i}: from and to are the same hub ({leg.src})")
    mode = Mode(leg.mode)
    if leg.tariff not in tables.tariffs or tables.tariffs[leg.tariff].mode is not mode:
        raise fail(f"add_legs #{i} tariff: {leg.tariff!r} is not a {mode.value} tariff")
    border = leg.border or ""
    if border and border not in tables.borders:
        raise fail(f"add_legs #{i} border: {border!r} is not in border_dwell.csv")
    gauge = leg.gauge_mm or 0
    if mode is Mode.RAIL and gauge not in (1435, 1520):
        raise fail(f"add_legs #{i} gauge_mm: a rail leg needs gauge_mm 1435 or 1520")
    if mode is not Mode.RAIL and gauge:  # taken and dropped: only rail has a gauge
        raise fail(f"add_legs #{i} gauge_mm: a {mode.value} leg has no gauge; leave it out")
    if not (leg.source or leg.estimate):
        raise fail(f"add_legs #{i}: has neither a source nor an estimate")
    via = []
    for point in leg.via:
        try:
            lat, lon = (plain_float(x) for x in point.split())
        except ValueError:
            raise fail(f"add_legs #{i} via: {point!r} is not 'lat lon'") from None
        if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90
                and -180 <= lon <= 180):
            raise fail(f"add_legs #{i} via: {point!r} is not a latitude (-90 to 90) and a "
                       "longitude (-180 to 180)")
        via.append((lat, lon))
    _no_shorter_than_the_crow_flies(i, leg, tuple(via), tables, fail)
    wait = LogNormal(leg.wait_days_p50, leg.wait_days_p90)
    return NewLeg(leg.src, leg.dst, mode, leg.tariff, gauge, border, leg.distance_km, tuple(via),
                  wait, Provenance(leg.source, leg.estimate), leg.speed_kmh)


CROW_FLIES_SLACK = 0.95
"""Share of the great-circle length (from its hub through its via points to the other) that an
added leg's ``distance_km`` must reach: hub coordinates and via points are approximate, a route
shorter than the line between its points is not."""


def _no_shorter_than_the_crow_flies(i: int, leg: scenario_schema.LegSpec,
                                    via: tuple[tuple[float, float], ...], tables: Tables,
                                    fail: Callable[[str], InputError]) -> None:
    """Refuse a ``distance_km`` below the great-circle length of the leg's points: Kashgar -
    Jalal-Abad by rail with ``distance_km: 1`` was planned as a 1 km leg (a typo of a digit
    shortens a plan by hundreds of km), and via points far off the leg (a latitude and
    longitude swapped) gave it the countries of a detour its distance never made."""
    from silkway.network.geo import polyline_km

    ends = {h.id: (h.lat, h.lon) for h in tables.hubs if h.id in (leg.src, leg.dst)}
    km = polyline_km(np.array([ends[leg.src], *via, ends[leg.dst]], dtype=np.float64))
    if leg.distance_km < CROW_FLIES_SLACK * km:
        through = " through its via points" if via else ""
        raise fail(f"add_legs #{i} distance_km: {leg.distance_km:g} km is shorter than the "
                   f"{km:,.0f} km great-circle line from {leg.src} to {leg.dst}{through}; give "
                   "the leg's length along its route")


def _change(i: int, ch: scenario_schema.ChangeSpec, tables: Tables,
            fail: Callable[[str], InputError]) -> Change:
    ttype = ch.target.kind
    known: dict[str, set[str]] = {"tariff": set(tables.tariffs), "border": set(tables.borders),
                                  "hub_profile": set(tables.profiles),
                                  "hub": {h.id for h in tables.hubs}}
    key: tuple[str, ...]
    if ch.target.leg is not None:
        t = ch.target.leg
        key = (*sorted((t.src, t.dst)), t.mode)
        if not any({r.src, r.dst} == set(key[:2]) and r.mode.value == key[2] for r in tables.legs):
            raise fail(f"change #{i} target: no {key[2]} leg {key[0]}-{key[1]} in legs.csv")
        service = next((sv for sv in tables.sea_services if {sv.src, sv.dst} == set(key[:2])), None)
        if key[2] == "sea" and service is not None:  # not compiled: the change would do nothing
            raise fail(f"change #{i} target: no direct service sails {t.src}-{t.dst} "
                       f"(sea_services.csv: the box transships at {', '.join(service.via)}); "
                       "change the legs of that chain instead")
    else:
        value = str(getattr(ch.target, ttype))
        if value not in known[ttype]:
            raise fail(f"change #{i} target: {ttype} {value!r} does not exist")
        key = (value,)
    factors = tuple((name, float(v)) for name in _FACTORS if (v := getattr(ch, name)) is not None)
    if not factors:
        raise fail(f"change #{i}: changes nothing (give a *_factor)")
    unused = [name for name, v in factors if name not in _APPLIES[ttype] and v != 1.0]
    if unused:
        raise fail(f"change #{i}: {unread_factor(ttype, ' and '.join(unused))}")
    factors = tuple((name, v) for name, v in factors if name in _APPLIES[ttype])
    if not (ch.source or ch.estimate):
        raise fail(f"change #{i}: has neither a source nor an estimate")
    return Change(ttype, key, factors)


def unread_factor(target_type: str, factor: str) -> str:
    """The sentence for a factor (or factors) no target of ``target_type`` reads: shared by
    scenario changes and sweep axes."""
    return (f"{factor} does not apply to a {target_type.replace('_', ' ')} target, which takes "
            f"{', '.join(_APPLIES[target_type])}")


def factor_applies(target_type: str, factor: str) -> bool:
    """Whether :func:`apply` reads ``factor`` of a ``target_type`` change."""
    return factor in _APPLIES[target_type]


def _no_factor_twice(changes: tuple[Change, ...], fail: Callable[[str], InputError]) -> None:
    """Two changes may scale one target by different factors (each with its own source), but
    not by the same one twice: which of two wait_factors was meant is not the planner's guess."""
    first: dict[tuple[str, tuple[str, ...], str], int] = {}
    for i, ch in enumerate(changes, 1):
        for name, _ in ch.factors:
            j = first.setdefault((ch.target_type, ch.target, name), i)
            if j != i:
                shown = "-".join(ch.target) if ch.target_type == "leg" else ch.target[0]
                raise fail(f"change #{i}: gives {name} of {ch.target_type.replace('_', ' ')} "
                           f"{shown} again (change #{j} gives it); give it once")


def _scale(d: LogNormal, f: float) -> LogNormal:
    return d if f == 1.0 else LogNormal(d.p50 * f, d.p90 * f)


def _scaled_tariff(tariff: Tariff, ch: Change) -> Tariff:
    """A tariff with a change's speed and cost factors applied."""
    cost = ch.factor("cost_factor")
    return dataclasses.replace(tariff, speed_kmh=tariff.speed_kmh * ch.factor("speed_factor"),
                               cost_usd_per_km_feu=tariff.cost_usd_per_km_feu * cost,
                               cost_usd_fixed_feu=tariff.cost_usd_fixed_feu * cost)


def apply(network: Network, scenario: Scenario | None, month: int | None) -> Network:
    """The network as the scenario and the month of departure make it (cached).

    Months whose seasonal rows are the same (in the shipped tables January and December, or
    March, September and October) give the same network object, so their plans share one
    compiled search graph and its lower bounds."""
    month = month if month is not None else (scenario.month if scenario else None)
    return _apply(network, scenario, _season_rows(network.tables, month))


def _season_rows(tables: Tables, month: int | None) -> tuple[int, ...]:
    """Indices of the rows of ``tables.seasonality`` that apply in ``month``."""
    if month is None:
        return ()
    return tuple(i for i, s in enumerate(tables.seasonality) if month in s.months)


@lru_cache(maxsize=32)
def _apply(network: Network, scenario: Scenario | None, season: tuple[int, ...]) -> Network:
    """:func:`apply` for the seasonality rows ``season`` (the month's, in table order)."""
    changes = list(scenario.changes) if scenario else []
    for i in season:
        s = network.tables.seasonality[i]
        changes.append(Change(s.target_type, (s.key,), (
            ("wait_factor", s.wait_factor), ("dwell_factor", s.dwell_factor),
            ("handling_factor", s.handling_factor))))
    era = scenario.as_of if scenario and scenario.as_of else network.tables.as_of
    if not changes and not (scenario and scenario.add_legs) and era == network.tables.as_of:
        return network
    t = network.tables
    profiles, borders, tariffs = dict(t.profiles), dict(t.borders), dict(t.tariffs)
    wait_by_tariff: dict[str, float] = {}
    hub_factor: dict[str, float] = {}
    leg_factors: dict[tuple[str, ...], Change] = {}
    for ch in changes:
        key = ch.target[0]
        if ch.target_type == "hub_profile":
            profiles[key] = profiles[key].scaled(ch.factor("handling_factor"))
        elif ch.target_type == "border":
            b = borders[key]
            borders[key] = dataclasses.replace(b, dwell_days=_scale(b.dwell_days,
                                                                    ch.factor("dwell_factor")))
        elif ch.target_type == "tariff":
            tariffs[key] = _scaled_tariff(tariffs[key], ch)
            wait_by_tariff[key] = wait_by_tariff.get(key, 1.0) * ch.factor("wait_factor")
        elif ch.target_type == "hub":
            hub_factor[key] = hub_factor.get(key, 1.0) * ch.factor("handling_factor")
        else:  # two changes of one leg scale different figures: both hold
            old = leg_factors.get(ch.target)
            leg_factors[ch.target] = ch if old is None else dataclasses.replace(
                old, factors=old.factors + ch.factors)
    hubs = []
    for h in network.hubs:
        prof = profiles[h.profile.profile]
        if h.id in hub_factor:
            prof = prof.scaled(hub_factor[h.id])
        hubs.append(dataclasses.replace(h, profile=prof))
    legs = []
    for leg in network.legs:
        tariff = tariffs[leg.tariff.tariff]
        wait = _scale(leg.wait_days, wait_by_tariff.get(tariff.tariff, 1.0))
        leg_change = leg_factors.get((*sorted((leg.src, leg.dst)), leg.mode.value))
        fixed = leg.fixed_cost_usd_feu
        if leg_change is not None:
            tariff = _scaled_tariff(tariff, leg_change)
            wait = _scale(wait, leg_change.factor("wait_factor"))
            fixed *= leg_change.factor("cost_factor")
        legs.append(dataclasses.replace(
            leg, tariff=tariff, wait_days=wait, fixed_cost_usd_feu=fixed,
            border=borders[leg.border.border] if leg.border else None))
    by_id = {h.id: h for h in hubs}
    for new in scenario.add_legs if scenario else ():
        legs.append(_make_leg(len(legs), new, by_id, tariffs, borders))
    tables = dataclasses.replace(t, profiles=profiles, borders=borders, tariffs=tariffs,
                                 as_of=era)
    rows = ",".join(map(str, season))
    tag = hashlib.sha256(f"{scenario.digest if scenario else ''}|{rows}".encode()).hexdigest()
    return Network(tuple(hubs), tuple(legs), tables, f"{network.key}+{tag[:12]}",
                   dict(network.stats))


def _make_leg(index: int, new: NewLeg, hubs: dict[str, Hub], tariffs: dict[str, Any],
              borders: dict[str, Any]) -> Leg:
    from silkway.network.countries import countries_along  # shapely: only for added links

    a, b = hubs[new.src], hubs[new.dst]
    tariff = tariffs[new.tariff]
    if new.speed_kmh is not None:
        tariff = dataclasses.replace(tariff, speed_kmh=new.speed_kmh)
    coords = np.array([(a.lat, a.lon), *new.via, (b.lat, b.lon)], dtype=np.float64)
    return Leg(index=index, src=a.id, dst=b.id, mode=new.mode, variant=0,
               distance_km=new.distance_km, estimated_km=new.distance_km,
               distance_source="estimate", passages=frozenset(),
               countries=tuple(countries_along(coords, ends=(a.country, b.country))),
               coords=coords, gauge_mm=new.gauge_mm, tariff=tariff,
               border=borders[new.border] if new.border else None, wait_days=new.wait,
               fixed_cost_usd_feu=0.0, status="scenario", provenance=new.provenance)
