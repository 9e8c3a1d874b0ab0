"""GHG emissions of transport and hub operations for one container (ISO 14083 / GLEC).

Transport: tonne-km x the leg's intensity (g CO2e/tkm), well-to-wheel and tank-to-wheel.
Hubs: kg CO2e per TEU handled x the container's TEUs, for each lift.

Allocation (ISO 14083 allows either): by *mass*, the tonnes are the cargo's payload; by *TEU*,
the tonnes are the container's TEUs x the default loaded TEU mass, so a light box carries the
same share of the ship or train as a heavy one. Hub operations are counted per TEU handled in
both cases.
"""

from __future__ import annotations

from dataclasses import dataclass

from silkway.data.tables import EmissionFactor, HubEmissionFactor, Tables
from silkway.network.model import Hub, Leg
from silkway.routing.constraints import Constraints


@dataclass(frozen=True, slots=True)
class CargoSpec:
    """What one container carries, and how its emissions are allocated."""

    cargo: str
    payload_t: float
    teu: float
    ref_t_per_teu: float
    allocation: str
    reefer: bool

    @classmethod
    def of(cls, tables: Tables, c: Constraints) -> CargoSpec:
        row = tables.cargo[c.cargo.value]
        payload = c.payload_t if c.payload_t is not None else row.payload_t_default
        return cls(c.cargo.value, payload, row.teu, tables.cargo["TEU"].payload_t_default,
                   c.allocation, c.reefer)

    @property
    def allocated_t(self) -> float:
        """Tonnes the transport activity counts for this container."""
        return self.payload_t if self.allocation == "mass" else self.teu * self.ref_t_per_teu


@dataclass(frozen=True, slots=True)
class Footprint:
    """Emissions of one transport chain element."""

    factor: EmissionFactor | HubEmissionFactor
    activity: float  # tkm for transport, TEU handled for hubs
    wtw_kg: float
    ttw_kg: float
    reefer_uplift: bool  # a reefer-specific factor was used

    @property
    def factor_key(self) -> str:
        f = self.factor
        return f.emission_factor if isinstance(f, EmissionFactor) else f.profile

    @property
    def intensity(self) -> tuple[float, float, str]:
        """(WTW, TTW, unit) of the factor: g CO2e/tkm for transport, kg CO2e/TEU for hubs."""
        f = self.factor
        if isinstance(f, EmissionFactor):
            return f.wtw_g_per_tkm, f.ttw_g_per_tkm, "g CO2e/tkm"
        return f.wtw_kg_per_teu, f.ttw_kg_per_teu, "kg CO2e/TEU"


def transport_factor(tables: Tables, leg: Leg, reefer: bool) -> tuple[EmissionFactor, bool]:
    """The leg's intensity row (its reefer variant where one is published)."""
    key = leg.tariff.emission_factor
    if reefer and f"{key}_reefer" in tables.emission_factors:
        return tables.emission_factors[f"{key}_reefer"], True
    return tables.emission_factors[key], False


def leg_footprint(tables: Tables, leg: Leg, spec: CargoSpec) -> Footprint:
    """Transport emissions of one container on one leg."""
    factor, uplift = transport_factor(tables, leg, spec.reefer)
    tkm = leg.distance_km * spec.allocated_t
    return Footprint(factor, tkm, tkm * factor.wtw_g_per_tkm / 1000.0,
                     tkm * factor.ttw_g_per_tkm / 1000.0, uplift)


def hub_footprint(tables: Tables, hub: Hub, spec: CargoSpec) -> Footprint:
    """Emissions of one lift of the container at a hub."""
    factor = tables.hub_emission_factors[hub.profile.profile]
    return Footprint(factor, spec.teu, spec.teu * factor.wtw_kg_per_teu,
                     spec.teu * factor.ttw_kg_per_teu, False)
