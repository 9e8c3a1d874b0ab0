"""Scenarios: small YAML overlays on the network, and the month of departure.

A scenario closes countries, passages or hubs, opens planned links, adds new links, and
multiplies waits, dwell, handling, speed or cost of named tariffs, borders, hub profiles, hubs or
legs. Applying it yields a new immutable :class:`~silkway.network.model.Network` (the shipped
one is never changed), cached per scenario and month.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from silkway._yaml import load_yaml
from silkway.data.tables import LogNormal, Provenance, Tables, Tariff
from silkway.errors import ConstraintError, DataError
from silkway.network.model import Hub, Leg, Network
from silkway.routing.constraints import Constraints
from silkway.types import Mode, Passage

_TOP_KEYS = {"name", "title", "description", "month", "close", "open_planned", "add_legs",
             "change", "source", "estimate", "as_of"}
_LEG_KEYS = {"from", "to", "mode", "tariff", "gauge_mm", "border", "distance_km", "via",
             "wait_days_p50", "wait_days_p90", "source", "estimate", "status", "speed_kmh"}
_FACTORS = ("wait_factor", "dwell_factor", "handling_factor", "speed_factor", "cost_factor")
_TARGETS = ("tariff", "border", "hub_profile", "hub", "leg")


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

    def constrain(self, c: Constraints) -> Constraints:
        """Merge the scenario's closures into route constraints."""
        return dataclasses.replace(
            c, avoid=c.avoid | self.close_countries, closed=c.closed | self.close_passages,
            closed_hubs=c.closed_hubs | self.close_hubs,
            include_planned=c.include_planned or self.open_planned)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "month": self.month,
                "as_of": self.as_of or None,
                "close": {"countries": sorted(self.close_countries),
                          "passages": sorted(p.value for p in self.close_passages),
                          "hubs": sorted(self.close_hubs)},
                "add_legs": [f"{n.mode.value} {n.src}-{n.dst} {n.distance_km:g} km"
                             for n in self.add_legs],
                "changes": len(self.changes)}


def available() -> list[str]:
    """Names of the shipped scenarios."""
    folder = resources.files("silkway.data").joinpath("scenarios")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_scenario(name_or_path: str | Path, tables: Tables) -> Scenario:
    """A shipped scenario by name, or a YAML file.

    Raises
    ------
    ConstraintError
        For an unknown scenario name.
    DataError
        For a malformed file, naming the file and the problem.
    """
    text_name = str(name_or_path)
    folder = resources.files("silkway.data").joinpath("scenarios")
    shipped = folder.joinpath(f"{text_name}.yaml")
    if shipped.is_file():
        text, label = shipped.read_text(encoding="utf-8"), f"scenario {text_name}"
    elif text_name.endswith((".yaml", ".yml")) and Path(text_name).is_file():
        text, label = Path(text_name).read_text(encoding="utf-8"), text_name
    else:
        raise ConstraintError(f"unknown scenario {text_name!r}; shipped scenarios: "
                              f"{', '.join(available())}, or give a .yaml file")
    return parse_scenario(text, tables, label=label)


_PARSED: dict[tuple[str, str, str], Scenario] = {}
_PARSED_MAX = 64


def parse_scenario(text: str, tables: Tables, *, label: str = "scenario") -> Scenario:
    """Validate a scenario's YAML text against the tables.

    Parsed scenarios are memoised by the hash of the text and of the tables (and the label that
    names them in errors), so a batch or a server that plans the same scenario again and again
    parses it once; a malformed text is parsed (and reported) every time.
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


def _parse_scenario(text: str, tables: Tables, label: str) -> Scenario:
    raw = load_yaml(text, label=label)
    if not isinstance(raw, dict):
        raise DataError(f"{label}: expected a mapping at the top level")
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        raise DataError(f"{label}: unknown key(s) {', '.join(sorted(unknown))}")

    def fail(msg: str) -> DataError:
        return DataError(f"{label}: {msg}")

    if not raw.get("name") or not raw.get("title"):
        raise fail("needs a name and a title")
    if not (raw.get("source") or raw.get("estimate")):
        raise fail("has neither a source nor an estimate with its reasoning")
    month = raw.get("month")
    if month is not None and (not isinstance(month, int) or not 1 <= month <= 12):
        raise fail(f"month {month!r} is not 1-12")
    close = raw.get("close") or {}
    if not isinstance(close, dict) or set(close) - {"countries", "passages", "hubs"}:
        raise fail("close takes countries, passages and hubs")
    try:
        base = Constraints.make(avoid=close.get("countries") or [],
                                close=close.get("passages") or [])
    except ConstraintError as exc:
        raise fail(str(exc)) from None
    hubs = {h.id for h in tables.hubs}
    closed_hubs = frozenset(close.get("hubs") or [])
    if closed_hubs - hubs:
        raise fail(f"unknown hub(s) {', '.join(sorted(closed_hubs - hubs))}")
    new_legs = tuple(_new_leg(i, leg, tables, fail) for i, leg in
                     enumerate(raw.get("add_legs") or [], 1))
    changes = tuple(_change(i, ch, tables, fail) for i, ch in enumerate(raw.get("change") or [], 1))
    digest = hashlib.sha256(json.dumps(raw, sort_keys=True, default=str).encode()).hexdigest()
    as_of = raw.get("as_of")
    if as_of is not None and (not isinstance(as_of, str | int) or not str(as_of).strip()):
        raise fail(f"as_of {as_of!r} is not a period such as 2022 or 2025-H2")
    return Scenario(str(raw["name"]), str(raw["title"]), str(raw.get("description") or ""),
                    month, base.avoid, base.closed, closed_hubs, bool(raw.get("open_planned")),
                    new_legs, changes,
                    Provenance(str(raw.get("source") or ""), str(raw.get("estimate") or "")),
                    digest, str(as_of).strip() if as_of is not None else "")


def _new_leg(i: int, leg: Any, tables: Tables, fail: Any) -> NewLeg:
    if not isinstance(leg, dict) or set(leg) - _LEG_KEYS:
        raise fail(f"add_legs #{i}: unknown key(s) {sorted(set(leg) - _LEG_KEYS)}")
    hubs = {h.id for h in tables.hubs}
    for end in ("from", "to"):
        if leg.get(end) not in hubs:
            raise fail(f"add_legs #{i}: hub {leg.get(end)!r} is not in hubs.csv")
    try:
        mode = Mode(str(leg.get("mode")))
    except ValueError:
        raise fail(f"add_legs #{i}: mode {leg.get('mode')!r} is not sea, rail, road or ferry") from None
    tariff = leg.get("tariff")
    if tariff not in tables.tariffs or tables.tariffs[tariff].mode is not mode:
        raise fail(f"add_legs #{i}: tariff {tariff!r} is not a {mode.value} tariff")
    border = leg.get("border") or ""
    if border and border not in tables.borders:
        raise fail(f"add_legs #{i}: border {border!r} is not in border_dwell.csv")
    km = leg.get("distance_km")
    if not isinstance(km, int | float) or km <= 0:
        raise fail(f"add_legs #{i}: distance_km must be a positive number")
    gauge = int(leg.get("gauge_mm") or 0)
    if mode is Mode.RAIL and gauge not in (1435, 1520):
        raise fail(f"add_legs #{i}: a rail leg needs gauge_mm 1435 or 1520")
    if not (leg.get("source") or leg.get("estimate")):
        raise fail(f"add_legs #{i}: has neither a source nor an estimate")
    via = []
    for point in leg.get("via") or []:
        try:
            lat, lon = (float(x) for x in str(point).split())
        except ValueError:
            raise fail(f"add_legs #{i}: via point {point!r} is not 'lat lon'") from None
        via.append((lat, lon))
    wait = LogNormal(float(leg.get("wait_days_p50") or 0), float(leg.get("wait_days_p90") or 0))
    speed = leg.get("speed_kmh")
    if speed is not None and (not isinstance(speed, int | float) or not 1 <= speed <= 350):
        raise fail(f"add_legs #{i}: speed_kmh must be a number in [1, 350]")
    return NewLeg(leg["from"], leg["to"], mode, tariff, gauge, border, float(km), tuple(via), wait,
                  Provenance(str(leg.get("source") or ""), str(leg.get("estimate") or "")),
                  float(speed) if speed is not None else None)


def _change(i: int, ch: Any, tables: Tables, fail: Any) -> Change:
    if not isinstance(ch, dict) or not isinstance(ch.get("target"), dict):
        raise fail(f"change #{i}: needs a target mapping")
    target = ch["target"]
    if len(target) != 1 or next(iter(target)) not in _TARGETS:
        raise fail(f"change #{i}: target takes exactly one of {', '.join(_TARGETS)}")
    ttype, value = next(iter(target.items()))
    known: dict[str, set[str]] = {"tariff": set(tables.tariffs), "border": set(tables.borders),
                                  "hub_profile": set(tables.profiles),
                                  "hub": {h.id for h in tables.hubs}}
    if ttype == "leg":
        if not isinstance(value, dict) or not {"from", "to", "mode"} <= set(value):
            raise fail(f"change #{i}: a leg target needs from, to and mode")
        key: tuple[str, ...] = (*sorted((str(value["from"]), str(value["to"]))), str(value["mode"]))
        if not any({r.src, r.dst} == set(key[:2]) and r.mode.value == key[2] for r in tables.legs):
            raise fail(f"change #{i}: no {key[2]} leg {key[0]}-{key[1]} in legs.csv")
    else:
        if value not in known[ttype]:
            raise fail(f"change #{i}: {ttype} {value!r} does not exist")
        key = (str(value),)
    extra = set(ch) - {"target", "source", "estimate", *_FACTORS}
    if extra:
        raise fail(f"change #{i}: unknown key(s) {', '.join(sorted(extra))}")
    factors = []
    for name in _FACTORS:
        if name in ch:
            v = ch[name]
            if not isinstance(v, int | float) or not 0.01 <= v <= 100:
                raise fail(f"change #{i}: {name} must be a number in [0.01, 100]")
            factors.append((name, float(v)))
    if not factors:
        raise fail(f"change #{i}: changes nothing (give a *_factor)")
    if not (ch.get("source") or ch.get("estimate")):
        raise fail(f"change #{i}: has neither a source nor an estimate")
    return Change(ttype, key, tuple(factors))


def _scale(d: LogNormal, f: float) -> LogNormal:
    return d if f == 1.0 else LogNormal(d.p50 * f, d.p90 * f)


def _scaled_tariff(tariff: Tariff, ch: Change) -> Tariff:
    """A tariff with a change's speed and cost factors applied."""
    cost = ch.factor("cost_factor")
    return dataclasses.replace(tariff, speed_kmh=tariff.speed_kmh * ch.factor("speed_factor"),
                               cost_usd_per_km_feu=tariff.cost_usd_per_km_feu * cost,
                               cost_usd_fixed_feu=tariff.cost_usd_fixed_feu * cost)


@lru_cache(maxsize=32)
def apply(network: Network, scenario: Scenario | None, month: int | None) -> Network:
    """The network as the scenario and the month of departure make it (cached)."""
    month = month if month is not None else (scenario.month if scenario else None)
    changes = list(scenario.changes) if scenario else []
    if month is not None:
        for s in network.tables.seasonality:
            if month in s.months:
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
        else:
            leg_factors[ch.target] = ch
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
    tag = hashlib.sha256(f"{scenario.digest if scenario else ''}|{month}".encode()).hexdigest()
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
