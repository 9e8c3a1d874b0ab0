"""Closed sets used across layers."""

from __future__ import annotations

from enum import StrEnum


class Mode(StrEnum):
    """Transport mode of a leg."""

    SEA = "sea"
    RAIL = "rail"
    ROAD = "road"
    FERRY = "ferry"


class Cargo(StrEnum):
    """Container size. Costs are tabulated per FEU; a TEU pays a stated fraction."""

    FEU = "FEU"
    TEU = "TEU"


class Passage(StrEnum):
    """Maritime chokepoints a user may close (``--close``), mapped to searoute's names."""

    SUEZ = "suez"
    BAB_EL_MANDEB = "bab-el-mandeb"
    HORMUZ = "hormuz"
    BOSPORUS = "bosporus"
    MALACCA = "malacca"
    GIBRALTAR = "gibraltar"
    CAPE = "cape"

    @property
    def searoute_name(self) -> str:
        """The passage name searoute uses in ``traversed_passages`` and ``restrictions``."""
        return _SEAROUTE_NAMES[self]

    @property
    def display_name(self) -> str:
        """The passage's name in English."""
        return _DISPLAY_NAMES[self]


_SEAROUTE_NAMES = {
    Passage.SUEZ: "suez",
    Passage.BAB_EL_MANDEB: "babalmandab",
    Passage.HORMUZ: "ormuz",
    Passage.BOSPORUS: "bosporus",
    Passage.MALACCA: "malacca",
    Passage.GIBRALTAR: "gibraltar",
    Passage.CAPE: "south_africa",
}
_DISPLAY_NAMES = {
    Passage.SUEZ: "the Suez Canal",
    Passage.BAB_EL_MANDEB: "Bab-el-Mandeb",
    Passage.HORMUZ: "the Strait of Hormuz",
    Passage.BOSPORUS: "the Bosporus",
    Passage.MALACCA: "the Strait of Malacca",
    Passage.GIBRALTAR: "the Strait of Gibraltar",
    Passage.CAPE: "the Cape of Good Hope",
}
