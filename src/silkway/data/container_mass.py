"""``container_mass.csv``: the most cargo a box may carry, its ISO 668 maximum gross mass less
a typical box's tare (the rated payload painted on its doors), for a dry box and a reefer (the
refrigeration unit and insulation weigh about a tonne more: 26 t in a reefer FEU was planned,
measured against a dry FEU's tare).

A payload above it is refused in a plan, a batch row and the API (30 t in a TEU was planned).
The tare here is the one the payload limit is measured against; ``cargo.csv`` keeps IMO's
round 2 t per empty TEU for the figures of empty boxes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

from silkway.data.schema import Provenance, choice, table_rows, unique
from silkway.errors import DataError

MASS_FILE = "container_mass.csv"
HEADER = ("cargo", "box", "max_gross_t", "tare_t", "source", "estimate")
BOXES = frozenset({"dry", "reefer"})


@dataclass(frozen=True, slots=True)
class ContainerMass:
    cargo: str
    box: str
    max_gross_t: float
    tare_t: float
    provenance: Provenance

    @property
    def max_payload_t(self) -> float:
        return round(self.max_gross_t - self.tare_t, 3)


def parse_container_mass(text: str) -> dict[str, ContainerMass]:
    rows = [ContainerMass(r.text("cargo"), choice(r, "box", BOXES),
                          r.num("max_gross_t", lo=10, hi=40), r.num("tare_t", lo=0.5, hi=8),
                          r.provenance())
            for r in table_rows(MASS_FILE, text, HEADER)]
    out = unique(MASS_FILE, rows, key=lambda c: f"{c.cargo} {c.box}")
    missing = [f"{c} {b}" for c in ("TEU", "FEU") for b in sorted(BOXES) if f"{c} {b}" not in out]
    if missing:
        raise DataError(f"{MASS_FILE}: no row for {', '.join(missing)}")
    return out


@cache
def container_mass() -> dict[str, ContainerMass]:
    """The shipped rows by cargo and box (``"TEU dry"``, ``"FEU reefer"``)."""
    text = resources.files("silkway.data").joinpath(MASS_FILE).read_text(encoding="utf-8")
    return parse_container_mass(text)


def box_mass(cargo: str, reefer: bool) -> ContainerMass:
    """The row of a ``cargo`` box (``TEU``, ``FEU``), a reefer or a dry one."""
    return container_mass()[f"{cargo} {'reefer' if reefer else 'dry'}"]
