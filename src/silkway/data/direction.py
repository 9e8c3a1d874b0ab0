"""Direction of travel: headhaul/backhaul factors and empty-container repositioning.

Freight is not priced the same both ways. Two shipped tables say how, each row with a source or
a reasoned estimate:

``direction.csv`` (``target_type,key,toward,cost_factor,time_factor,source,estimate``)
    Multipliers on a tariff or a border crossing in one direction. For a tariff, ``toward`` is
    ``west`` or ``east`` (the leg's direction of travel, by the longitude of its two hubs): the
    factors scale the leg's distance and fixed cost and its waiting-for-departure time. For a
    border, ``toward`` is the ISO 3166-1 alpha-2 code of the country the container enters: the
    factors scale the crossing's fee and its dwell. ``both`` marks a row as symmetric on purpose
    (no directional figure was found); a key without any row is symmetric too.
``repositioning.csv`` (``country,cost_usd_feu,cost_usd_teu,source,estimate``)
    The cost of moving the empty box away again when a route ends in a country where boxes
    pile up (more arrive full than leave full), added once to every route that ends there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from silkway.errors import DataError

if TYPE_CHECKING:
    from silkway.data.schema import Provenance

DIRECTION_FILE = "direction.csv"
REPOSITIONING_FILE = "repositioning.csv"
DIRECTION_HEADER = "target_type,key,toward,cost_factor,time_factor,source,estimate\n"
REPOSITIONING_HEADER = "country,cost_usd_feu,cost_usd_teu,source,estimate\n"
BOUNDS = frozenset({"west", "east", "both"})


@dataclass(frozen=True, slots=True)
class Direction:
    """Cost and time multipliers of one tariff or border crossing in one direction."""

    target_type: str  # "tariff" | "border"
    key: str
    toward: str  # "west" | "east" | "both" (tariff); ISO country entered | "both" (border)
    cost_factor: float
    time_factor: float
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class Repositioning:
    """Empty-container repositioning charged to a route that ends in ``country``."""

    country: str
    cost_usd_feu: float
    cost_usd_teu: float
    provenance: Provenance


NEUTRAL = (1.0, 1.0)


def bound(src_lon: float, dst_lon: float) -> str:
    """``west`` or ``east``: the direction of travel from one longitude to another."""
    return "west" if dst_lon < src_lon else "east"


def factors(table: dict[tuple[str, str, str], Direction], target_type: str, key: str,
            toward: str) -> tuple[float, float]:
    """(cost factor, time factor) for one tariff or border in one direction; 1.0 if symmetric."""
    row = table.get((target_type, key, toward))
    return (row.cost_factor, row.time_factor) if row else NEUTRAL


def parse_direction(texts: dict[str, str], rows: Any, tariffs: dict[str, Any],
                    borders: dict[str, Any]) -> dict[tuple[str, str, str], Direction]:
    """Parse ``direction.csv`` against the tariff and border keys (``rows`` is tables' reader)."""
    out: dict[tuple[str, str, str], Direction] = {}
    for r in rows(DIRECTION_FILE, texts.get(DIRECTION_FILE, DIRECTION_HEADER),
                  tuple(DIRECTION_HEADER.strip().split(","))):
        ttype, key, toward = r.text("target_type"), r.text("key"), r.text("toward")
        if ttype not in ("tariff", "border"):
            raise r.fail(f"target_type {ttype!r} is not tariff or border")
        if key not in (tariffs if ttype == "tariff" else borders):
            raise r.fail(f"{ttype} {key!r} does not exist")
        if ttype == "tariff" and toward not in BOUNDS:
            raise r.fail(f"toward {toward!r} is not one of {sorted(BOUNDS)} for a tariff")
        if ttype == "border" and toward != "both" and not (
                len(toward) == 2 and toward.isalpha() and toward.isupper()):
            raise r.fail(f"toward {toward!r} is not a country code (the country entered) or both")
        row = Direction(ttype, key, toward, r.num("cost_factor", lo=0.05, hi=20),
                        r.num("time_factor", lo=0.05, hi=20), r.provenance())
        if toward == "both" and (row.cost_factor, row.time_factor) != NEUTRAL:
            raise r.fail("a row toward 'both' marks a symmetric key: its factors must be 1")
        if (ttype, key, toward) in out:
            raise r.fail(f"duplicate row for {ttype} {key!r} toward {toward!r}")
        out[(ttype, key, toward)] = row
    for ttype, key, toward in out:
        if toward == "both" and any(k[:2] == (ttype, key) and k[2] != "both" for k in out):
            raise DataError(f"{DIRECTION_FILE}: {ttype} {key!r} is marked symmetric ('both') "
                            "and also has directional rows")
    return out


def parse_repositioning(texts: dict[str, str], rows: Any) -> dict[str, Repositioning]:
    """Parse ``repositioning.csv``: one row per destination country."""
    out: dict[str, Repositioning] = {}
    for r in rows(REPOSITIONING_FILE, texts.get(REPOSITIONING_FILE, REPOSITIONING_HEADER),
                  tuple(REPOSITIONING_HEADER.strip().split(","))):
        country = r.text("country")
        if len(country) != 2 or not country.isalpha() or not country.isupper():
            raise r.fail(f"country {country!r} is not an ISO 3166-1 alpha-2 code")
        if country in out:
            raise r.fail(f"duplicate country {country!r}")
        out[country] = Repositioning(country, r.num("cost_usd_feu", lo=0, hi=10_000),
                                     r.num("cost_usd_teu", lo=0, hi=10_000), r.provenance())
    return out
