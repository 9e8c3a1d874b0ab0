"""silkway: container freight route planner for Eurasia, with Central Asia at its centre.

Public API::

    import silkway
    net = silkway.load_network()
    result = silkway.plan(net, "Toyama", "Bishkek", avoid={"RU", "BY"})
    result.to_dict()  # the plan JSON contract
"""

from silkway.analysis import scenarios
from silkway.analysis.emissions import Statement, statement
from silkway.analysis.emissions import to_html as statement_html
from silkway.analysis.plan import (
    OBJECTIVES,
    ORDER_RULE,
    CorridorAnswer,
    PlanResult,
    Route,
    RouteLeg,
    plan,
)
from silkway.analysis.scenarios import Scenario, load_scenario
from silkway.analysis.whatif import Comparison, compare, sweep
from silkway.errors import (
    BackendError,
    ConstraintError,
    DataError,
    InputError,
    NoRouteError,
    NotFoundError,
    ShippedDataError,
    SilkwayError,
    UnknownPlaceError,
)
from silkway.network.build import BuildParams
from silkway.network.coverage import coverage
from silkway.network.model import Hub, Leg, Network, cache_path, load_network
from silkway.query import PlanQuery, make_query
from silkway.result import PlanModel, plan_schema
from silkway.routing.constraints import Constraints
from silkway.routing.corridors import Corridor, corridor, corridors
from silkway.types import Cargo, Mode, Passage

__all__ = [  # noqa: RUF022 - plain sorted order
    "BackendError",
    "BuildParams",
    "Cargo",
    "Comparison",
    "ConstraintError",
    "Constraints",
    "Corridor",
    "CorridorAnswer",
    "DataError",
    "Hub",
    "InputError",
    "Leg",
    "Mode",
    "Network",
    "NoRouteError",
    "NotFoundError",
    "OBJECTIVES",
    "ORDER_RULE",
    "Passage",
    "PlanModel",
    "PlanQuery",
    "PlanResult",
    "Route",
    "RouteLeg",
    "Scenario",
    "ShippedDataError",
    "SilkwayError",
    "Statement",
    "UnknownPlaceError",
    "cache_path",
    "compare",
    "corridor",
    "corridors",
    "coverage",
    "load_network",
    "load_scenario",
    "make_query",
    "plan",
    "plan_schema",
    "scenarios",
    "statement",
    "statement_html",
    "sweep",
]
__version__ = "0.1.0"
