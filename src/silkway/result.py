"""The typed plan result: its JSON Schema *is* the plan JSON contract.

:meth:`silkway.PlanResult.to_dict` builds the plan as plain data (fast); :class:`PlanModel`
validates it and publishes its schema (``silkway schema``, ``GET /api/schema/plan``). The test
suite validates every plan it makes by this model, and checks that :func:`plan_json` of it is
byte for byte the model's own JSON, so the contract and the code cannot drift apart; the API
sends :func:`plan_json`, without the per-request round trip through the model. The contract
only grows: a new field is added here (optional, documented) and in ``to_dict``, in the same
place among its fields; no field is ever removed or renamed.
"""

from __future__ import annotations

from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field

_STRICT = ConfigDict(extra="forbid", populate_by_name=True)

ModeName = Literal["sea", "rail", "road", "ferry"]
DistanceSource = Literal["searoute", "world_railways", "world_highways", "estimate"]


class HubModel(BaseModel):
    """A hub: port, rail terminal, dry port, border station or ferry terminal."""

    model_config = _STRICT
    id: str
    name: str
    country: str = Field(description="ISO 3166-1 alpha-2")
    lat: float
    lon: float
    kind: str


class CargoModel(BaseModel):
    model_config = _STRICT
    type: Literal["FEU", "TEU"]
    payload_t: float
    teu: float | None = None
    reefer: bool = False
    allocation: Literal["mass", "teu"] = "mass"


class HistogramModel(BaseModel):
    model_config = _STRICT
    edges: list[float]
    counts: list[int]


class DaysModel(BaseModel):
    """Simulated door-to-door transit days of a route."""

    model_config = _STRICT
    p50: float
    p90: float
    mean: float
    p95: float | None = None
    deadline_days: float | None = None
    on_time_probability: float | None = None
    histogram: HistogramModel | None = None


class Co2eModel(BaseModel):
    model_config = _STRICT
    wtw: float = Field(description="well-to-wheel kg CO2e")
    ttw: float = Field(description="tank-to-wheel kg CO2e")


class LineStringModel(BaseModel):
    model_config = _STRICT
    type: Literal["LineString"]
    coordinates: list[list[float]]


class LegModel(BaseModel):
    """One leg of a route, in travel direction."""

    model_config = _STRICT
    from_: str = Field(alias="from")
    to: str
    mode: ModeName
    distance_km: float
    days: float
    cost_usd: float
    co2e_kg: float
    countries: list[str]
    distance_source: DistanceSource
    co2e_kg_ttw: float | None = None
    tkm: float | None = None
    emission_factor: str | None = None
    co2e_g_per_tkm: float | None = None
    estimated_km: float | None = None
    moving_days: float | None = None
    gauge_mm: int | None = None
    passages: list[str] | None = None
    border: str | None = None
    tariff: str | None = None
    status: str | None = None
    distance_published: bool | None = None
    geometry: list[list[float]] | None = Field(
        default=None, description="[lat, lon] points (with --geometry)")
    geojson: LineStringModel | None = Field(
        default=None, description="the same geometry as an RFC 7946 LineString, [lon, lat]")


class HandlingModel(BaseModel):
    """A container lift at a hub."""

    model_config = _STRICT
    hub: str
    reason: str
    days: float
    cost_usd: float
    co2e_kg: float
    co2e_kg_ttw: float
    operation: str = Field(description="the GLEC hub operation category of its emissions")
    hub_operation: str | None = Field(
        default=None, description="what happens to the box there: start, end, land_start, "
                                  "land_end, mode_change, gauge_change, ferry_board, "
                                  "ferry_alight, sea_transship")


class RouteModel(BaseModel):
    """One route: Pareto-optimal, or a corridor's best."""

    model_config = _STRICT
    label: str
    countries: list[str]
    distance_km: float
    transit_days: DaysModel
    cost_usd: float
    co2e_kg: Co2eModel
    transshipments: int
    legs: list[LegModel]
    expected_days: float | None = None
    estimated_km: float | None = None
    modes: list[ModeName] | None = None
    handling: list[HandlingModel] | None = None
    corridor: str | None = Field(default=None, description="id of the corridor it belongs to")
    repositioning_usd: float | None = Field(
        default=None, description="empty-container repositioning at the destination (in cost_usd)")


class GapModel(BaseModel):
    """A corridor's best route minus the plan's best route."""

    model_config = _STRICT
    days_p50: float
    days_p90: float
    cost_usd: float
    co2e_kg: float


class CorridorModel(BaseModel):
    """One named corridor for the trip: its best route and gap, or why it cannot serve it."""

    model_config = _STRICT
    id: str
    name: str
    in_pareto: bool
    route_number: int | None = Field(
        default=None, description="the route's number in `routes` when it is listed there")
    route: RouteModel | None
    reason: str | None
    gap: GapModel | None


class NoticeModel(BaseModel):
    """A passage the data keep open that boxes mostly did not use in the data's period."""

    model_config = _STRICT
    passage: str
    name: str = Field(description="the passage's name in English")
    as_of: str = Field(description="the period the notice describes (the plan's as_of)")
    notice: str
    scenario: str = Field(description="the shipped scenario that plans the way boxes went")
    source: str
    routes: list[int] = Field(description="numbers of the listed routes that use the passage")
    corridors: list[str] = Field(description="ids of the corridor answers that use it")


class ConstraintsModel(BaseModel):
    model_config = _STRICT
    avoid: list[str]
    modes: list[ModeName]
    closed: list[str]
    max_transshipments: int | None
    include_planned: bool
    closed_hubs: list[str]
    via: list[str] = []
    corridor: str | None = None
    exclude_corridor: list[str] = []


class PlanModel(BaseModel):
    """The plan JSON contract: ``silkway plan --json``, ``POST /api/plan``."""

    model_config = _STRICT
    origin: HubModel
    destination: HubModel
    cargo: CargoModel
    routes: list[RouteModel]
    constraints: ConstraintsModel | None = None
    objective: Literal["days", "p90", "cost", "co2e"] | None = None
    scenario: dict[str, Any] | None = None
    month: int | None = None
    order: str | None = None
    network: str | None = None
    as_of: str | None = Field(default=None, description="the period the network's data describe")
    corridors: list[CorridorModel] = []
    complete: bool = Field(default=True, description=(
        "false when the route search stopped at its work limit: the routes listed are real, "
        "but a Pareto-optimal route may be missing"))
    notices: list[NoticeModel] = Field(default=[], description=(
        "passages a shown route uses that boxes mostly did not use in the data's period "
        "(e.g. the Red Sea in 2025-H2), each with the scenario that plans the way they went"))


def plan_schema() -> dict[str, Any]:
    """The JSON Schema of the plan contract."""
    return PlanModel.model_json_schema(by_alias=True)


def plan_json(plan: dict[str, Any]) -> bytes:
    """The JSON bytes of a plan dict (:meth:`silkway.PlanResult.to_dict`): the same bytes as
    ``PlanModel.model_validate(plan).model_dump_json(by_alias=True, exclude_unset=True)``, in
    a seventh of the time.

    ``to_dict`` writes its keys in the model's field order and its numbers with the model's
    types (a float field holds a float), and orjson writes floats, NaN (``null``) and strings
    as pydantic does. A plan holding anything orjson does not write (a NumPy scalar, a
    non-string key) goes through the model.
    """
    try:
        return orjson.dumps(plan)
    except TypeError:
        return PlanModel.model_validate(plan).model_dump_json(
            by_alias=True, exclude_unset=True).encode()
