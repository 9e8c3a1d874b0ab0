"""``container_mass.csv``: the most cargo a box may carry, its ISO 668 maximum gross mass less
a typical dry box's tare (the rated payload painted on its doors).

A payload above it is refused in a plan, a batch row and the API (30 t in a TEU was planned).
The tare here is the one the payload limit is measured against; ``cargo.csv`` keeps IMO's
round 2 t per empty TEU for the figures of empty boxes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

from silkway.data.schema import Provenance, table_rows, unique

MASS_FILE = "container_mass.csv"
HEADER = ("cargo", "max_gross_t", "tare_t", "source", "estimate")


@dataclass(frozen=True, slots=True)
class ContainerMass:
    cargo: str
    max_gross_t: float
    tare_t: float
    provenance: Provenance

    @property
    def max_payload_t(self) -> float:
        return round(self.max_gross_t - self.tare_t, 3)


def parse_container_mass(text: str) -> dict[str, ContainerMass]:
    rows = [ContainerMass(r.text("cargo"), r.num("max_gross_t", lo=10, hi=40),
                          r.num("tare_t", lo=0.5, hi=8), r.provenance())
            for r in table_rows(MASS_FILE, text, HEADER)]
    return unique(MASS_FILE, rows, key=lambda c: c.cargo)


@cache
def container_mass() -> dict[str, ContainerMass]:
    """The shipped rows by cargo (``TEU``, ``FEU``)."""
    text = resources.files("silkway.data").joinpath(MASS_FILE).read_text(encoding="utf-8")
    return parse_container_mass(text)
