"""Named corridors: the families of routes users think in ("Middle Corridor or Russia or sea?").

A corridor is a row of ``data/corridors.csv``: an id, a name, a rule and its source. The rule
decides membership from the route itself:

* a leg is a **key leg** of the corridor when it matches every non-empty ``key_*`` column: its
  mode is one of ``key_modes``, one of its end hubs is in ``key_hubs``, its border crossing is
  in ``key_borders``, one of the countries it crosses is in ``key_countries``, one of the
  maritime passages it uses is in ``key_passages``;
* a route **belongs** to the corridor when at least one of its legs is a key leg and none of
  its legs crosses a country in ``not_countries``, uses a passage in ``not_passages`` or
  touches a hub in ``not_hubs``.

Corridors may overlap (a route may belong to several); the table's order is their priority, and
a route's label names the first corridor it belongs to.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from silkway.errors import ConstraintError, DataError
from silkway.network.model import Leg
from silkway.types import Mode, Passage

_ID = re.compile(r"^[a-z][a-z0-9-]{1,40}$")
_COLUMNS = ("id", "name", "key_modes", "key_hubs", "key_borders", "key_countries",
            "key_passages", "not_countries", "not_passages", "not_hubs", "description",
            "unavailable", "source")


@dataclass(frozen=True, slots=True)
class Corridor:
    """One named corridor and the rule that decides which routes belong to it."""

    id: str
    name: str
    key_modes: frozenset[Mode]
    key_hubs: frozenset[str]
    key_borders: frozenset[str]
    key_countries: frozenset[str]
    key_passages: frozenset[str]  # searoute passage names
    not_countries: frozenset[str]
    not_passages: frozenset[str]  # searoute passage names
    not_hubs: frozenset[str]
    description: str
    unavailable: str
    source: str

    def is_key(self, leg: Leg) -> bool:
        """Whether ``leg`` is one of the legs that define the corridor."""
        if self.key_modes and leg.mode not in self.key_modes:
            return False
        if self.key_hubs and leg.src not in self.key_hubs and leg.dst not in self.key_hubs:
            return False
        if self.key_borders and (leg.border is None or leg.border.border not in self.key_borders):
            return False
        if self.key_countries and self.key_countries.isdisjoint(leg.countries):
            return False
        return not (self.key_passages and self.key_passages.isdisjoint(leg.passages))

    def excludes(self, leg: Leg) -> bool:
        """Whether a route that uses ``leg`` cannot belong to the corridor."""
        return bool((self.not_countries and not self.not_countries.isdisjoint(leg.countries))
                    or (self.not_passages and not self.not_passages.isdisjoint(leg.passages))
                    or (self.not_hubs and (leg.src in self.not_hubs or leg.dst in self.not_hubs)))

    def contains(self, legs: Iterable[Leg]) -> bool:
        """Whether a route made of ``legs`` belongs to the corridor."""
        key = False
        for leg in legs:
            if self.excludes(leg):
                return False
            key = key or self.is_key(leg)
        return key

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name, "description": self.description,
                "source": self.source}


def _set(text: str) -> frozenset[str]:
    return frozenset(s.strip() for s in text.split(";") if s.strip())


def _passages(text: str, where: str) -> frozenset[str]:
    out = set()
    for p in _set(text):
        try:
            out.add(Passage(p).searoute_name)
        except ValueError:
            raise DataError(f"{where}: unknown passage {p!r}; use "
                            f"{', '.join(x.value for x in Passage)}") from None
    return frozenset(out)


def parse_corridors(text: str, *, name: str = "corridors.csv") -> tuple[Corridor, ...]:
    """Parse and validate a corridor table (see the module docstring for the columns)."""
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != _COLUMNS:
        raise DataError(f"{name}: columns must be {', '.join(_COLUMNS)}")
    out: list[Corridor] = []
    seen: set[str] = set()
    for line, row in enumerate(reader, 2):
        where = f"{name} line {line}"
        cid = (row["id"] or "").strip()
        if not _ID.match(cid) or cid in seen:
            raise DataError(f"{where}: id {cid!r} is empty, not lower-case-with-dashes or repeated")
        seen.add(cid)
        if not (row["source"] or "").strip():
            raise DataError(f"{where}: corridor {cid} has no source")
        if not (row["name"] or "").strip() or not (row["unavailable"] or "").strip():
            raise DataError(f"{where}: corridor {cid} needs a name and an 'unavailable' sentence")
        try:
            modes = frozenset(Mode(m) for m in _set(row["key_modes"]))
        except ValueError:
            raise DataError(f"{where}: unknown mode in {row['key_modes']!r}") from None
        keys = [row[k] for k in ("key_modes", "key_hubs", "key_borders", "key_countries",
                                 "key_passages")]
        if not any(k.strip() for k in keys):
            raise DataError(f"{where}: corridor {cid} has no key_* rule")
        out.append(Corridor(
            cid, row["name"].strip(), modes, _set(row["key_hubs"]), _set(row["key_borders"]),
            _set(row["key_countries"]), _passages(row["key_passages"], where),
            _set(row["not_countries"]), _passages(row["not_passages"], where),
            _set(row["not_hubs"]), row["description"].strip(), row["unavailable"].strip(),
            row["source"].strip()))
    if not out:
        raise DataError(f"{name}: no corridors")
    return tuple(out)


@lru_cache(maxsize=1)
def corridors() -> tuple[Corridor, ...]:
    """The shipped corridors, in priority order."""
    text = resources.files("silkway.data").joinpath("corridors.csv").read_text(encoding="utf-8")
    return parse_corridors(text)


def corridor(corridor_id: str) -> Corridor:
    """A shipped corridor by id.

    Raises
    ------
    ConstraintError
        For an unknown id, with the closest ids as a "did you mean" hint.
    """
    by_id = {c.id: c for c in corridors()}
    key = corridor_id.strip().lower().replace("_", "-").replace(" ", "-")
    if key in by_id:
        return by_id[key]
    from rapidfuzz import process  # only for a miss: the did-you-mean

    close = [m[0] for m in process.extract(key[:80], list(by_id), limit=3, score_cutoff=50)]
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise ConstraintError(f"unknown corridor {corridor_id[:80]!r}{hint} (see `silkway corridors`)")


_BITS: dict[int, tuple[Leg, int, int]] = {}


def leg_bits(leg: Leg) -> tuple[int, int]:
    """For the shipped corridors (bit ``i`` for the ``i``-th): which of them ``leg`` is a key
    leg of, and which of them it excludes. Kept per leg object (by identity: hashing a leg
    hashes all its fields; the entry holds the leg, so its id is not reused while kept)."""
    got = _BITS.get(id(leg))
    if got is None or got[0] is not leg:
        if len(_BITS) > 500_000:  # legs of many scenario networks: start again
            _BITS.clear()
        table = corridors()
        got = _BITS[id(leg)] = (leg, sum(1 << i for i, c in enumerate(table) if c.is_key(leg)),
                                sum(1 << i for i, c in enumerate(table) if c.excludes(leg)))
    return got[1], got[2]


def route_bits(legs: Iterable[Leg]) -> tuple[int, int]:
    """:func:`leg_bits` of a whole route: the corridors it uses a key leg of, and those it
    cannot belong to. Shipped corridor ``i`` contains the route when bit ``i`` is set in the
    first and clear in the second (as :meth:`Corridor.contains`)."""
    key = excl = 0
    for leg in legs:
        k, x = leg_bits(leg)
        key |= k
        excl |= x
    return key, excl


def corridor_of(legs: Sequence[Leg]) -> Corridor | None:
    """The first corridor (by priority) a route made of ``legs`` belongs to, if any."""
    return corridor_by_bits(route_bits(legs))


def corridor_by_bits(bits: tuple[int, int]) -> Corridor | None:
    """:func:`corridor_of` a route whose :func:`route_bits` are ``bits``."""
    key, excl = bits
    member = key & ~excl
    return corridors()[(member & -member).bit_length() - 1] if member else None
