"""silkway: container freight route planner for Eurasia, with Central Asia at its centre.

Public API::

    import silkway
    net = silkway.load_network()
    result = silkway.plan(net, "Toyama", "Bishkek", avoid={"RU", "BY"})
    result.to_dict()  # the plan JSON contract

The names below are imported on first use (PEP 562), so that ``import silkway`` (and a
command that needs only some of them) does not pay for the rest: scenarios, emissions,
what-if comparisons and the typed plan contract each load their own dependencies when asked.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
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
    from silkway.network.build import BuildParams
    from silkway.network.coverage import coverage
    from silkway.network.model import Hub, Leg, Network, cache_path, load_network
    from silkway.query import PlanQuery, make_query
    from silkway.result import PlanModel, plan_schema
    from silkway.routing.constraints import Constraints
    from silkway.routing.corridors import Corridor, corridor, corridors
    from silkway.types import Cargo, Mode, Passage

_LAZY = {
    "scenarios": ("silkway.analysis.scenarios", None),
    "Statement": ("silkway.analysis.emissions", "Statement"),
    "statement": ("silkway.analysis.emissions", "statement"),
    "statement_html": ("silkway.analysis.emissions", "to_html"),
    **{name: ("silkway.analysis.plan", name) for name in (
        "OBJECTIVES", "ORDER_RULE", "CorridorAnswer", "PlanResult", "Route", "RouteLeg", "plan")},
    "Scenario": ("silkway.analysis.scenarios", "Scenario"),
    "load_scenario": ("silkway.analysis.scenarios", "load_scenario"),
    **{name: ("silkway.analysis.whatif", name) for name in ("Comparison", "compare", "sweep")},
    "BuildParams": ("silkway.network.build", "BuildParams"),
    "coverage": ("silkway.network.coverage", "coverage"),
    **{name: ("silkway.network.model", name) for name in (
        "Hub", "Leg", "Network", "cache_path", "load_network")},
    "PlanQuery": ("silkway.query", "PlanQuery"),
    "make_query": ("silkway.query", "make_query"),
    "PlanModel": ("silkway.result", "PlanModel"),
    "plan_schema": ("silkway.result", "plan_schema"),
    "Constraints": ("silkway.routing.constraints", "Constraints"),
    **{name: ("silkway.routing.corridors", name) for name in (
        "Corridor", "corridor", "corridors")},
    **{name: ("silkway.types", name) for name in ("Cargo", "Mode", "Passage")},
}
"""Public name -> (module, attribute in it; None: the module itself)."""

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


def __getattr__(name: str) -> Any:
    """Import a public name on first use and keep it as a module attribute."""
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    mod = importlib.import_module(module)
    value = mod if attr is None else getattr(mod, attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
