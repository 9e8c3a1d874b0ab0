"""Published lengths of corridor legs.

``leg_distances.csv`` (``from,to,mode,distance_km,source,estimate``), one row per rail or road
leg of ``legs.csv``:

* when the leg cannot be traced on world_railways / world_highways, the build uses this length
  instead of the great-circle x circuity guess. The leg stays flagged (``distance_source``
  ``estimate``, all of its length counted as estimated km), but the number comes from a
  publication, or from one minus the parts the networks do carry, as the row's ``estimate``
  explains;
* when it can, the published length of the line freight runs on replaces the traced path's
  (``distance_source`` ``published``, geometry still traced): the base network's shortest path
  can take lines that carry no freight, such as China's passenger high-speed lines, which are
  10-15 % shorter than the conventional lines they parallel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from silkway.data.schema import Provenance

LEG_DISTANCES_FILE = "leg_distances.csv"
HEADER = "from,to,mode,distance_km,source,estimate\n"


@dataclass(frozen=True, slots=True)
class LegDistance:
    """A published (or published-derived) length of one leg."""

    src: str
    dst: str
    mode: str
    distance_km: float
    provenance: Provenance


def key(a: str, b: str, mode: str) -> tuple[str, str, str]:
    """Order-free key of a leg: the two hub ids sorted, and the mode."""
    lo, hi = sorted((a, b))
    return (lo, hi, mode)


def parse_leg_distances(text: str, rows: Any,
                        legs: set[tuple[str, str, str]]) -> dict[tuple[str, str, str], LegDistance]:
    """Parse the table; each row must name an existing rail or road leg of legs.csv."""
    out: dict[tuple[str, str, str], LegDistance] = {}
    for r in rows(LEG_DISTANCES_FILE, text or HEADER, tuple(HEADER.strip().split(","))):
        a, b, mode = r.text("from"), r.text("to"), r.text("mode")
        k = key(a, b, mode)
        if mode not in ("rail", "road"):
            raise r.fail(f"mode {mode!r}: only rail and road legs take a published length")
        if k not in legs:
            raise r.fail(f"no {mode} leg {a}-{b} in legs.csv")
        if k in out:
            raise r.fail(f"duplicate {mode} leg {a}-{b}")
        out[k] = LegDistance(a, b, mode, r.num("distance_km", lo=1, hi=20_000), r.provenance())
    return out
