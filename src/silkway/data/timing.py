"""The time-model tables: handling by operation, liner services, the period, calibrated values.

``handling.csv``
    Days and cost of what happens to a box at a hub, by hub profile and operation (one of
    :data:`OPERATIONS`): a box that arrives by rail at a ferry port and ends
    its trip there is unloaded from a train, it never queues for the ferry. Where a profile has
    no row for an operation, the profile's base row in ``hub_profiles.csv`` applies.
``sea_services.csv``
    Sea lanes of ``legs.csv`` that no direct liner service sails: the leg is left out of the
    network, and a box goes via the named transshipment hub port(s) on legs that are sailed,
    paying the hub's ``sea_transship`` dwell there.
``as_of.csv``
    The period the shipped data describe (e.g. ``2025-H2``); every plan carries it.
``calibrated.csv``
    Values fitted by ``silkway calibrate`` to the observations. Each row names its quantity, the
    prior it was fitted from (the sourced value), the fitted value, the observation rows and the
    date. A row whose prior no longer matches the sourced table is stale: it is not applied and
    a warning says so (re-run the calibration). ``service`` rows (the effect of an express
    product or a first run against regular service) change no table: plans answer for regular
    service; ``silkway calibrate`` answers its cases of those classes with them.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from silkway.data.notices import parse_notices
from silkway.data.schema import LogNormal, Provenance, table_rows
from silkway.errors import DataError
from silkway.types import Mode

if TYPE_CHECKING:
    from silkway.data.tables import Tables

log = logging.getLogger(__name__)

# Operations a box undergoes at a hub; handling.csv gives days and cost per (profile, operation).
# start/end: the trip begins or ends on a vessel; land_start/land_end: on a train or a truck.
OPERATIONS = ("start", "end", "land_start", "land_end", "mode_change", "gauge_change",
              "ferry_board", "ferry_alight", "sea_transship")


@dataclass(frozen=True, slots=True)
class HandlingOp:
    """Handling of a box at a hub of one profile for one operation (see :data:`OPERATIONS`)."""

    profile: str
    operation: str
    days: LogNormal
    cost_usd_feu: float
    provenance: Provenance


HANDLING_HEADER = ("profile,operation,handling_days_p50,handling_days_p90,handling_cost_usd_feu,"
                   "source,estimate\n")
SERVICES_HEADER = "from,to,via,source,estimate\n"
AS_OF_HEADER = "as_of,description,source,estimate\n"
CALIBRATED_HEADER = ("target_type,key,quantity,prior,fitted,observations,fitted_on,source,"
                     "estimate\n")
# What a calibrated row can set: (target type, quantity).
CALIBRATED_QUANTITIES = frozenset({("tariff", "speed_kmh"), ("border", "dwell_days_p50"),
                                   ("handling", "handling_days_p50"), ("wait", "wait_factor"),
                                   ("service", "speed_factor"), ("service", "delay_factor")})
# The service classes with a fitted effect, relative to regular service (factor 1).
SERVICE_CLASSES = ("express", "first-run")
# The kinds of figure with a candidate effect of their own, relative to an observed trip: an
# advertised figure is the operator's sold or best-case time, not a box's trip (see
# analysis/calibrate_fit.py STRUCTURES; it acts only where the chosen structure says).
KIND_CLASSES = ("advertised",)
# Where a class's effect can act, and the quantity its calibrated row carries: the speed of
# every rail leg or of every road leg, every stop (border dwell, handling, ferry and feeder
# waits), or only the stops at sea (the waits of ferry and sea legs and the handling at ports
# and ferry terminals: pre-arranged slots, priority at the port), or only the stops on land
# (border dwell, gauge changes and handling at rail and road terminals: the rest).
SERVICE_EFFECTS = {"rail_speed": "speed_factor", "road_speed": "speed_factor",
                   "stops": "delay_factor",
                   "port_stops": "delay_factor", "land_stops": "delay_factor"}
# service rows: key "class/effect" -> the quantity it must carry
SERVICE_KEYS = {f"{c}/{e}": q for c in (*SERVICE_CLASSES, *KIND_CLASSES)
                for e, q in SERVICE_EFFECTS.items()}


@dataclass(frozen=True, slots=True)
class SeaService:
    """A sea lane with no direct liner service, and the hub port(s) where boxes transship."""

    src: str
    dst: str
    via: tuple[str, ...]
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class Calibrated:
    """One fitted value of the time model.

    ``key`` is a tariff, a border, ``profile/operation`` for handling, or a tariff whose legs'
    waits are scaled (``wait``). ``prior`` is the sourced value the fit started from.
    """

    target_type: str
    key: str
    quantity: str
    prior: float
    fitted: float
    observations: tuple[str, ...]
    fitted_on: str
    provenance: Provenance

    @property
    def factor(self) -> float:
        return self.fitted / self.prior if self.prior else 1.0


def _header(text: str | None, header: str) -> str:
    return text if text is not None else header


def parse_handling(text: str, profiles: set[str]) -> list[HandlingOp]:
    """Rows of ``handling.csv``, checked against the hub profiles."""
    out: list[HandlingOp] = []
    seen: set[tuple[str, str]] = set()
    for r in table_rows("handling.csv", text, tuple(HANDLING_HEADER.strip().split(","))):
        profile, op = r.text("profile"), r.text("operation")
        if profile not in profiles:
            raise r.fail(f"profile {profile!r} is not in hub_profiles.csv")
        if op not in OPERATIONS:
            raise r.fail(f"operation {op!r} is not one of {', '.join(OPERATIONS)}")
        if (profile, op) in seen:
            raise r.fail(f"duplicate operation {op} for profile {profile}")
        seen.add((profile, op))
        out.append(HandlingOp(profile, op, r.lognormal("handling_days"),
                              r.num("handling_cost_usd_feu", lo=0, hi=10_000), r.provenance()))
    return out


def parse_services(text: str, tables: Tables) -> list[SeaService]:
    """Rows of ``sea_services.csv``: each lane must be a sea leg, each via a sailed chain."""
    sea = {frozenset((leg.src, leg.dst)) for leg in tables.legs if leg.mode is Mode.SEA}
    out: list[SeaService] = []
    rows = list(table_rows("sea_services.csv", text, tuple(SERVICES_HEADER.strip().split(","))))
    dropped = {frozenset((r.text("from"), r.text("to"))) for r in rows}
    for r in rows:
        src, dst = r.text("from"), r.text("to")
        via = tuple(v.strip() for v in r.text("via").split(";") if v.strip())
        if frozenset((src, dst)) not in sea:
            raise r.fail(f"no sea leg {src}-{dst} in legs.csv")
        chain = (src, *via, dst)
        for a, b in itertools.pairwise(chain):
            lane = frozenset((a, b))
            if lane not in sea or lane in dropped:
                raise r.fail(f"transshipment via {'/'.join(via)} needs a sailed sea leg {a}-{b}")
        out.append(SeaService(src, dst, via, r.provenance()))
    return out


FIRST_PLANNABLE_YEAR = 2000
"""No plan before this year: the network (the Middle Corridor's ferries, China-Europe block
trains) is the one of its data's period, not of the 1990s."""
YEARS_AHEAD = 5
"""Nor more than this many years after the year the shipped data describe (``as_of.csv``)."""


@cache
def plannable_years() -> tuple[int, int, str]:
    """The first and last year a plan may be for (a batch row's ``departure_date``, an era
    scenario's ``as_of``), and the shipped data's period: from :data:`FIRST_PLANNABLE_YEAR` to
    ``as_of``'s year plus :data:`YEARS_AHEAD` (2000 to 2030 for 2025-H2)."""
    from importlib import resources

    as_of = parse_as_of(resources.files("silkway.data").joinpath("as_of.csv")
                        .read_text(encoding="utf-8"))
    return FIRST_PLANNABLE_YEAR, int(as_of[:4]) + YEARS_AHEAD, as_of


def parse_as_of(text: str | None) -> str:
    """The period of ``as_of.csv`` (one row), e.g. ``2025-H2``."""
    if text is None:
        return ""
    rows = list(table_rows("as_of.csv", text, tuple(AS_OF_HEADER.strip().split(","))))
    if len(rows) != 1:
        raise DataError(f"as_of.csv: expected one row, found {len(rows)}")
    r = rows[0]
    r.provenance()
    return r.text("as_of")


def parse_calibrated(text: str) -> list[Calibrated]:
    """Rows of ``calibrated.csv``."""
    out = []
    for r in table_rows("calibrated.csv", text, tuple(CALIBRATED_HEADER.strip().split(","))):
        ttype, qty = r.text("target_type"), r.text("quantity")
        if (ttype, qty) not in CALIBRATED_QUANTITIES:
            raise r.fail(f"{ttype} {qty} is not a calibrated quantity")
        if ttype == "service" and SERVICE_KEYS.get(r.text("key")) != qty:
            raise r.fail(f"service key {r.text('key')!r} with {qty} is not one of "
                         f"{', '.join(f'{k} ({q})' for k, q in SERVICE_KEYS.items())}")
        obs = tuple(o for o in r.text("observations").split(";") if o)
        out.append(Calibrated(ttype, r.text("key"), qty, r.num("prior", lo=0, hi=1000),
                              r.num("fitted", lo=0, hi=1000), obs, r.text("fitted_on"),
                              r.provenance()))
    return out


def _scaled(d: LogNormal, f: float) -> LogNormal:
    return LogNormal(d.p50 * f, d.p90 * f)


def apply_calibrated(tables: Tables, rows: list[Calibrated]) -> Tables:
    """The tables with each non-stale calibrated row's value in place of its prior."""
    tariffs, borders, profiles = dict(tables.tariffs), dict(tables.borders), dict(tables.profiles)
    wait: dict[str, float] = {}
    applied = []
    for c in rows:
        if c.target_type == "tariff" and c.key in tariffs:
            current = tariffs[c.key].speed_kmh
        elif c.target_type == "border" and c.key in borders:
            current = borders[c.key].dwell_days.p50
        elif c.target_type == "handling" and c.key.partition("/")[0] in profiles:
            prof, _, op = c.key.partition("/")
            current = profiles[prof].handling(op)[0].p50
        elif (c.target_type == "wait" and c.key in tariffs) or c.target_type == "service":
            current = 1.0
        else:
            log.warning("calibrated.csv: %s %s no longer exists; not applied", c.target_type, c.key)
            continue
        if abs(current - c.prior) > 1e-6 * max(1.0, c.prior):
            log.warning("calibrated.csv: %s %s prior %g != sourced %g (stale); not applied",
                        c.target_type, c.key, c.prior, current)
            continue
        applied.append(c)
        if c.target_type == "service":
            continue  # kept for the calibration's cases; plans answer for regular service
        if c.target_type == "tariff":
            tariffs[c.key] = dataclasses.replace(tariffs[c.key], speed_kmh=c.fitted)
        elif c.target_type == "border":
            b = borders[c.key]
            borders[c.key] = dataclasses.replace(b, dwell_days=_scaled(b.dwell_days, c.factor))
        elif c.target_type == "handling":
            prof, _, op = c.key.partition("/")
            p = profiles[prof]
            days, cost = p.handling(op)
            ops = [o for o in p.operations if o.operation != op]
            ops.append(HandlingOp(prof, op, _scaled(days, c.factor), cost, c.provenance))
            profiles[prof] = dataclasses.replace(p, operations=tuple(ops))
        else:
            wait[c.key] = c.factor
    legs = tuple(dataclasses.replace(leg, wait_days=_scaled(leg.wait_days, wait[leg.tariff]))
                 if leg.tariff in wait else leg for leg in tables.legs)
    return dataclasses.replace(tables, tariffs=tariffs, borders=borders, profiles=profiles,
                               legs=legs, calibrated=tuple(applied))


def attach(tables: Tables, texts: dict[str, str], *, calibrated: bool = True) -> Tables:
    """Add the time-model tables to parsed base tables (and apply the calibrated values)."""
    ops = parse_handling(_header(texts.get("handling.csv"), HANDLING_HEADER), set(tables.profiles))
    profiles = dict(tables.profiles)
    for name, p in profiles.items():
        mine = tuple(o for o in ops if o.profile == name)
        if mine:
            profiles[name] = dataclasses.replace(p, operations=mine)
    services = parse_services(_header(texts.get("sea_services.csv"), SERVICES_HEADER), tables)
    out = dataclasses.replace(tables, profiles=profiles, sea_services=tuple(services),
                              as_of=parse_as_of(texts.get("as_of.csv")),
                              notices=parse_notices(texts.get("passage_notices.csv")))
    if calibrated and texts.get("calibrated.csv"):
        out = apply_calibrated(out, parse_calibrated(texts["calibrated.csv"]))
    return out


def no_direct_service(tables: Tables) -> frozenset[frozenset[str]]:
    """Sea lanes (unordered hub pairs) that no direct liner service sails."""
    return frozenset(frozenset((s.src, s.dst)) for s in tables.sea_services)
