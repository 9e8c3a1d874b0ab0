"""Capacities: what limits each corridor, per day, week or year, as shipped data.

``capacities.csv`` lists capacity elements: a Caspian ferry link, a terminal, a border crossing
or a single-track line. Each names the network legs (``FROM/TO/mode``, either direction) or the
hubs it constrains, the published figure in its own unit (TEU, trains, wagons, trucks or
tonnes) with the TEU it stands for, the period, the date the figure describes (``as_of``) and a
``source`` or an ``estimate`` with its reasoning. A container passing an element counts once
against it, whichever direction it travels and however many of the element's legs it uses.

The table is read with the other shipped tables but kept out of the compiled network's cache
key: changing a capacity never triggers a network rebuild. A ``terminal`` element (a port's
container handling) counts only the boxes that board or leave a ship or ferry at its hub, not
those that pass the city by rail or road. (It lives in its own module because
``tables.py`` is near the size limit; it uses that module's row helpers.)
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any

from silkway.data.schema import Provenance, table_rows, unique
from silkway.data.tables import Tables
from silkway.errors import DataError, InputError
from silkway.types import Mode

CAPACITY_FILE = "capacities.csv"
KINDS = frozenset({"link", "terminal", "border", "line"})
UNITS = frozenset({"TEU", "trains", "wagons", "trucks", "t"})
PERIODS_PER_YEAR = {"day": 365.0, "week": 52.0, "month": 12.0, "year": 1.0}
MAX_CAPACITY = 1e10
"""Largest capacity figure an element may give, in its own unit and period."""
_AS_OF = re.compile(r"^\d{4}(-\d{2})?(-\d{2})?$")
_COLUMNS = ("id", "name", "kind", "legs", "hubs", "capacity", "unit", "teu_per_unit", "period",
            "as_of", "service_days", "source", "estimate")

LegKey = tuple[str, str, str]
"""A leg as (hub, hub, mode) with the two hub ids sorted: direction does not matter."""


def leg_key(src: str, dst: str, mode: Mode | str) -> LegKey:
    """The direction-free key of a leg."""
    lo, hi = sorted((src, dst))
    return (lo, hi, mode.value if isinstance(mode, Mode) else str(mode))


@dataclass(frozen=True, slots=True)
class CapacityElement:
    """One thing that limits how many containers a corridor carries.

    Attributes
    ----------
    id, name, kind
        Key, readable name, and ``link``, ``terminal``, ``border`` or ``line``.
    legs
        Direction-free keys of the legs the element constrains.
    hubs
        Hub ids the element constrains (every container handled there counts, including those
        that start or end there).
    capacity, unit, teu_per_unit, period
        The published figure as given (e.g. 50 trains a day at 108 TEU a train).
    as_of
        The period the figure describes (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``).
    service_days
        Service interval of the element's queue (days), used by the equilibrium delay function.
    provenance
        Source or estimate.
    """

    id: str
    name: str
    kind: str
    legs: frozenset[LegKey]
    hubs: frozenset[str]
    capacity: float
    unit: str
    teu_per_unit: float
    period: str
    as_of: str
    service_days: float
    provenance: Provenance

    @property
    def teu_per_year(self) -> float:
        """Capacity in TEU a year."""
        return self.capacity * self.teu_per_unit * PERIODS_PER_YEAR[self.period]

    def teu_per(self, period: str) -> float:
        """Capacity in TEU per ``period`` (day, week, month or year)."""
        return self.teu_per_year / PERIODS_PER_YEAR[period]


def parse_capacities(text: str, tables: Tables, *,
                     fname: str = CAPACITY_FILE) -> tuple[CapacityElement, ...]:
    """Parse and cross-check a capacities table against the network tables.

    Raises
    ------
    DataError
        On the first malformed row, naming the file, the line and the problem: an unknown leg or
        hub, a unit or period not in the closed sets, a non-positive figure, a TEU unit whose
        ``teu_per_unit`` is not 1, an element that constrains nothing, or a figure with neither a
        source nor an estimate.
    """
    hubs = {h.id for h in tables.hubs}
    legs = {leg_key(r.src, r.dst, r.mode) for r in tables.legs}
    out = []
    for r in table_rows(fname, text, _COLUMNS):
        kind = r.text("kind")
        if kind not in KINDS:
            raise r.fail(f"kind {kind!r} is not one of {sorted(KINDS)}")
        keys = []
        for part in filter(None, (p.strip() for p in r.text("legs", required=False).split(";"))):
            bits = part.split("/")
            if len(bits) != 3:
                raise r.fail(f"leg {part!r} is not FROM/TO/mode")
            key = leg_key(*bits)
            if key not in legs:
                raise r.fail(f"leg {part!r} is not in legs.csv")
            keys.append(key)
        hub_ids = [h.strip() for h in r.text("hubs", required=False).split(";") if h.strip()]
        unknown = sorted(set(hub_ids) - hubs)
        if unknown:
            raise r.fail(f"hub(s) {', '.join(unknown)} not in hubs.csv")
        if not keys and not hub_ids:
            raise r.fail("constrains nothing: give legs or hubs")
        unit = r.text("unit")
        if unit not in UNITS:
            raise r.fail(f"unit {unit!r} is not one of {sorted(UNITS)}")
        period = r.text("period")
        if period not in PERIODS_PER_YEAR:
            raise r.fail(f"period {period!r} is not one of {', '.join(PERIODS_PER_YEAR)}")
        per_unit = r.num("teu_per_unit", lo=1e-6, hi=500)
        if unit == "TEU" and per_unit != 1:
            raise r.fail("a capacity in TEU needs teu_per_unit 1")
        as_of = r.text("as_of")
        if not _AS_OF.match(as_of):
            raise r.fail(f"as_of {as_of!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        out.append(CapacityElement(
            r.text("id"), r.text("name"), kind, frozenset(keys), frozenset(hub_ids),
            r.num("capacity", lo=1e-9, hi=MAX_CAPACITY), unit, per_unit, period, as_of,
            r.num("service_days", lo=0.01, hi=60), r.provenance()))
    unique(fname, out, key=lambda e: e.id)
    return tuple(out)


def load_capacities(tables: Tables) -> tuple[CapacityElement, ...]:
    """The shipped capacity elements, validated against ``tables``.

    Raises
    ------
    DataError
        When the shipped table is missing or malformed.
    """
    path = resources.files("silkway.data").joinpath(CAPACITY_FILE)
    if not path.is_file():
        raise DataError(f"{CAPACITY_FILE} is missing from the installed package")
    return parse_capacities(path.read_text(encoding="utf-8"), tables)


@dataclass(frozen=True, slots=True)
class CapacityChange:
    """A scenario's change to one capacity element: a factor, a new figure, a closure, or a new
    element (``added``)."""

    element: str
    factor: float | None = None
    capacity: float | None = None  # in the element's unit and period
    added: CapacityElement | None = None
    provenance: Provenance = field(default_factory=lambda: Provenance("", ""))

    def describe(self) -> str:
        if self.added is not None:
            return f"add {self.element} ({self.added.teu_per_year:,.0f} TEU a year)"
        if self.factor is not None:
            return f"{self.element} x{self.factor:g}"
        return f"{self.element} = {self.capacity:g}"


_CHANGE_KEYS = {"element", "factor", "capacity", "closed", "add", "source", "estimate"}
_ADD_KEYS = {"id", "name", "kind", "legs", "hubs", "capacity", "unit", "teu_per_unit", "period",
             "as_of", "service_days"}


def parse_capacity_changes(raw: Any, tables: Tables, *, known: set[str],
                           extra_legs: set[LegKey], label: str) -> tuple[CapacityChange, ...]:
    """Validate a scenario's ``capacities`` list.

    Each entry is ``{element: ID, factor: F}``, ``{element: ID, capacity: N}`` (in the
    element's unit and period), ``{element: ID, closed: true}`` or ``{add: {...}}`` with the
    columns of ``capacities.csv``; each needs a ``source`` or an ``estimate``. ``known`` are the
    element ids of the shipped table; ``extra_legs`` the legs the scenario adds.

    Raises
    ------
    InputError
        Naming the scenario, the entry and the problem.
    """
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise InputError(f"{label}: capacities must be a list")
    out = []
    ids = set(known)
    changed: dict[str, int] = {}  # element -> the entry that changes it
    for i, ch in enumerate(raw, 1):
        where = f"{label}: capacities #{i}"
        if not isinstance(ch, dict) or set(ch) - _CHANGE_KEYS:
            bad = sorted(set(ch) - _CHANGE_KEYS) if isinstance(ch, dict) else ch
            raise InputError(f"{where}: unknown key(s) {bad}")
        prov = Provenance(str(ch.get("source") or ""), str(ch.get("estimate") or ""))
        if not (prov.source or prov.estimate):
            raise InputError(f"{where}: has neither a source nor an estimate")
        if "add" in ch:
            new = _added(ch["add"], tables, extra_legs, prov, where)
            if new.id in ids:
                raise InputError(f"{where}: element {new.id!r} already exists")
            ids.add(new.id)
            out.append(CapacityChange(new.id, added=new, provenance=prov))
            continue
        element = ch.get("element")
        if element not in ids:
            raise InputError(f"{where}: unknown capacity element {element!r}")
        if element in changed:  # factors of one element multiplied: 2 then 0.5 was no change
            raise InputError(f"{where}: element {element!r} is already changed by capacities "
                             f"#{changed[element]}; give one change per element")
        changed[str(element)] = i
        given = [k for k in ("factor", "capacity", "closed") if k in ch]
        if len(given) != 1:
            raise InputError(f"{where}: give exactly one of factor, capacity or closed")
        if "closed" in ch:
            if ch["closed"] is not True:
                raise InputError(f"{where}: closed must be true")
            out.append(CapacityChange(str(element), capacity=0.0, provenance=prov))
            continue
        value = ch[given[0]]
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise InputError(f"{where}: {given[0]} must be a number of 0 or more")
        if not math.isfinite(value):  # .nan / .inf reached the solver: exit 1, "internal error"
            raise InputError(f"{where}: {given[0]} must be a finite number, not {value}")
        if given[0] == "factor" and not (value == 0 or 0.01 <= value <= 100):
            # 1e-320 made a capacity of 1e-316 TEU: shown as 0.0 yet used at 0 % with a
            # shadow price, where a capacity of 0 is a closed element
            raise InputError(f"{where}: factor must be 0 (no capacity) or lie in [0.01, 100], "
                             "as a change's factors do")
        if given[0] == "capacity" and value > MAX_CAPACITY:
            raise InputError(f"{where}: capacity must be at most {MAX_CAPACITY:g} (an added "
                             "element's limit)")
        out.append(CapacityChange(str(element), factor=float(value) if given[0] == "factor"
                                  else None, capacity=float(value) if given[0] == "capacity"
                                  else None, provenance=prov))
    return tuple(out)


def _added(spec: Any, tables: Tables, extra_legs: set[LegKey], prov: Provenance,
           where: str) -> CapacityElement:
    if not isinstance(spec, dict) or set(spec) - _ADD_KEYS:
        bad = sorted(set(spec) - _ADD_KEYS) if isinstance(spec, dict) else spec
        raise InputError(f"{where}: add has unknown key(s) {bad}")

    def cell(value: Any) -> str:
        return ";".join(str(v) for v in value) if isinstance(value, list) else str(value)

    header = [c for c in _COLUMNS if c not in ("source", "estimate")]
    values = {c: cell(spec.get(c, "")) for c in header}
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([*header, "source", "estimate"])
    writer.writerow([*(values[c] for c in header), prov.source, prov.estimate])
    extra = _ExtraLegs(tables, extra_legs)
    try:
        (element,) = parse_capacities(buf.getvalue(), extra, fname=where)  # type: ignore[arg-type]
    except DataError as exc:  # a user's entry: input, not shipped data
        raise InputError(str(exc).replace(f"{where} line 2", where)) from None
    return element


class _ExtraLegs:
    """Tables as :func:`parse_capacities` sees them, plus a scenario's added legs."""

    def __init__(self, tables: Tables, extra: set[LegKey]) -> None:
        self.hubs = tables.hubs
        self.legs = list(tables.legs) + [_LegStub(*k) for k in extra]


@dataclass(frozen=True, slots=True)
class _LegStub:
    src: str
    dst: str
    mode: str


def apply_changes(base: tuple[CapacityElement, ...],
                  changes: tuple[CapacityChange, ...]) -> tuple[CapacityElement, ...]:
    """The elements after a scenario's changes, in table order (added elements last)."""
    out = {e.id: e for e in base}
    for ch in changes:
        if ch.added is not None:
            out[ch.element] = ch.added
        elif ch.factor is not None:
            e = out[ch.element]
            out[ch.element] = replace(e, capacity=e.capacity * ch.factor)
        elif ch.capacity is not None:
            out[ch.element] = replace(out[ch.element], capacity=ch.capacity)
    return tuple(out.values())


__all__ = [
    "CAPACITY_FILE",
    "KINDS",
    "PERIODS_PER_YEAR",
    "UNITS",
    "CapacityChange",
    "CapacityElement",
    "LegKey",
    "apply_changes",
    "leg_key",
    "load_capacities",
    "parse_capacities",
    "parse_capacity_changes",
]
