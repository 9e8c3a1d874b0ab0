"""``POST /api/assign``: corridor assignment under capacity as a job, like ``/api/batch``.

The body holds the flows CSV text (the columns of :mod:`silkway.analysis.flows`) and the
options of ``silkway assign``; the answer is a job id whose result, at ``GET /api/jobs/{id}``,
is the ``silkway assign --json`` object (or, with ``compare``, the comparison with both runs).
Scenarios are shipped names only: no path from a request touches the file system.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from importlib import resources
from typing import Any, Literal

from fastapi import Depends, FastAPI
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from silkway.analysis import assign_output
from silkway.analysis.assign import DEFAULT_GAP, assign, nothing_to_assign
from silkway.analysis.flows import read_flows_text
from silkway.analysis.scenarios import available
from silkway.errors import ConstraintError
from silkway.network.model import Network

log = logging.getLogger(__name__)

MAX_FLOW_ROWS = 10_000


class AssignRequest(BaseModel):
    """The options of ``silkway assign``; ``csv`` is the flows file's text. JSON types are
    checked strictly, as in every other request (``"max_routes": true`` was one candidate route
    per pair, ``"gap": "0.01"`` text taken for a number)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    csv: str = Field(min_length=1, max_length=2_000_000)
    scenario: str | None = Field(default=None, max_length=80)
    compare: bool = False
    equilibrium: bool = False
    objective: Literal["cost", "co2e"] = "cost"
    period: Literal["day", "week", "month", "year"] = "year"
    gap: float = Field(default=DEFAULT_GAP, gt=0, le=0.1)
    max_routes: int = Field(default=20, ge=1, le=100)

    @model_validator(mode="after")
    def _gap_needs_equilibrium(self) -> AssignRequest:
        """``gap`` stops the equilibrium's iterations: with the system optimum it would be
        silently ignored, as ``--gap`` without ``--equilibrium`` is refused on the CLI."""
        if "gap" in self.model_fields_set and not self.equilibrium:
            raise ValueError("gap applies only with equilibrium: true")
        return self


def add_assign_routes(app: FastAPI, net: Network, runner: Any,
                      require_token: Callable[..., None]) -> None:
    """Add the endpoint to ``app`` (directly, so the app's ``/api/v1`` aliasing sees it);
    ``runner`` (:class:`silkway.api.jobs.JobRunner`) runs and records the jobs on its bounded
    pool, ``require_token`` guards writes."""

    @app.get("/api/assign/example", response_class=PlainTextResponse,
             responses={200: {"content": {"text/csv": {}}}})
    def assign_example() -> PlainTextResponse:
        """The shipped example flows (a year of Japan/China to Central Asia/Europe demand)."""
        text = resources.files("silkway.data").joinpath("examples", "flows_2025.csv").read_text(
            encoding="utf-8")
        return PlainTextResponse(text, media_type="text/csv")

    @app.post("/api/assign", dependencies=[Depends(require_token)], status_code=202)
    def assign_job(body: AssignRequest) -> dict[str, Any]:
        flows, errors = read_flows_text(body.csv, name="uploaded flows")
        if len(flows) + len(errors) > MAX_FLOW_ROWS:
            raise ConstraintError(f"an assignment holds at most {MAX_FLOW_ROWS:,} flow rows, "
                                  f"not {len(flows) + len(errors):,}")
        if not flows:  # refused now, not as a job that fails
            raise nothing_to_assign(errors)
        if body.scenario is not None and body.scenario not in available():
            raise ConstraintError(f"unknown scenario {body.scenario!r}; shipped scenarios: "
                                  f"{', '.join(available())}")
        if body.compare and body.scenario is None:
            raise ConstraintError("compare needs a scenario to compare with")
        kwargs: dict[str, Any] = {"errors": errors, "objective": body.objective,
                                  "period": body.period, "equilibrium": body.equilibrium,
                                  "gap": body.gap, "max_routes": body.max_routes}

        def work(progress: Callable[[int, int], None]) -> dict[str, Any]:
            result = assign(net, flows, scenario=body.scenario, progress=progress, **kwargs)
            if not body.compare:
                return result.to_dict()
            base = assign(net, flows, progress=progress, **kwargs)
            doc = assign_output.comparison(base, result)
            doc["baseline"], doc["result"] = base.to_dict(), result.to_dict()
            return doc

        job = runner.submit("assign", {"rows": len(flows) + len(errors),
                                       "scenario": body.scenario, "compare": body.compare,
                                       "equilibrium": body.equilibrium}, work)
        return {"id": job, "status": "queued", "url": f"/api/jobs/{job}"}


__all__ = ["MAX_FLOW_ROWS", "AssignRequest", "add_assign_routes"]
