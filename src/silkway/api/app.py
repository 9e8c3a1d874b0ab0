"""silkway's HTTP API (FastAPI): plan, hubs, scenarios, compare, emissions, saved plans, batch.

Read-only endpoints are open; write endpoints (saving plans and scenarios, batch jobs) need
``Authorization: Bearer TOKEN`` when the app is created with a token. CORS is closed unless
origins are given. No path or file name from a request ever touches the file system: scenarios
are shipped names or YAML text stored in the database. One exception handler maps silkway's
exception tree to status codes with a one-sentence ``detail``.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import threading
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, ValidationError

import silkway
from silkway.analysis.export import MEDIA_TYPES
from silkway.errors import (
    ConstraintError,
    DataError,
    NoRouteError,
    NotFoundError,
    SilkwayError,
    UnknownPlaceError,
)
from silkway.network.model import default_cache_dir

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 2_000_000
MAX_BATCH_ROWS = 10_000
STATIC = resources.files("silkway.web").joinpath("static")


class PlanRequest(BaseModel):
    """A plan query; the fields mirror ``silkway plan``'s options."""

    model_config = ConfigDict(extra="forbid")

    origin: str = Field(min_length=1, max_length=80)
    destination: str = Field(min_length=1, max_length=80)
    avoid: list[Annotated[str, Field(min_length=2, max_length=2)]] = Field(
        default_factory=list, max_length=50)
    modes: list[Literal["sea", "rail", "road", "ferry"]] | None = None
    close: list[Annotated[str, Field(max_length=20)]] = Field(default_factory=list, max_length=10)
    cargo: Literal["FEU", "TEU"] = "FEU"
    payload_t: float | None = Field(default=None, gt=0, le=30)
    max_transshipments: int | None = Field(default=None, ge=0, le=20)
    objective: Literal["days", "p90", "cost", "co2e"] = "days"
    scenario: str | None = Field(default=None, max_length=80)
    month: int | None = Field(default=None, ge=1, le=12)
    deadline_days: float | None = Field(default=None, gt=0, le=365)
    reefer: bool = False
    allocation: Literal["mass", "teu"] = "mass"
    max_routes: int = Field(default=8, ge=1, le=50)
    geometry: bool = True
    histogram: bool = False


class HubOut(BaseModel):
    """A hub of the plan contract."""

    model_config = ConfigDict(extra="allow")
    id: str
    name: str
    country: str
    lat: float
    lon: float


class DaysOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    p50: float
    p90: float
    mean: float


class Co2Out(BaseModel):
    wtw: float
    ttw: float


class LegOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    from_: str = Field(alias="from")
    to: str
    mode: Literal["sea", "rail", "road", "ferry"]
    distance_km: float
    days: float
    cost_usd: float
    co2e_kg: float
    countries: list[str]
    distance_source: Literal["searoute", "world_railways", "world_highways", "estimate"]


class RouteOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    label: str
    countries: list[str]
    distance_km: float
    transit_days: DaysOut
    cost_usd: float
    co2e_kg: Co2Out
    transshipments: int
    legs: list[LegOut]


class PlanOut(BaseModel):
    """The plan JSON contract (DESIGN.md); extra fields are allowed and documented there."""

    model_config = ConfigDict(extra="allow")
    origin: HubOut
    destination: HubOut
    cargo: dict[str, Any]
    routes: list[RouteOut]


class CompareRequest(PlanRequest):
    """A plan query plus the scenario (or month) to compare with the baseline."""


class EmissionsRequest(PlanRequest):
    route: int = Field(default=1, ge=1, le=50)


class SavePlan(BaseModel):
    model_config = ConfigDict(extra="forbid")
    request: PlanRequest
    title: str | None = Field(default=None, max_length=120)


class SaveScenario(BaseModel):
    model_config = ConfigDict(extra="forbid")
    yaml: str = Field(min_length=1, max_length=65_536)


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    csv: str = Field(min_length=1, max_length=MAX_BODY_BYTES)


_STATUS = ((UnknownPlaceError, 404), (NotFoundError, 404), (NoRouteError, 409),
           (ConstraintError, 422), (DataError, 422))


def _status(exc: SilkwayError) -> int:
    return next((code for kind, code in _STATUS if isinstance(exc, kind)), 400)


@lru_cache(maxsize=1)
def _basemap() -> bytes:
    """Country outlines as compact GeoJSON (countryinfo, rounded to 0.01 degree)."""
    import shapely
    from shapely.geometry import mapping

    from silkway.network.countries import outline_features

    features = []
    for code, name, geom in outline_features():
        g = shapely.set_precision(shapely.simplify(geom, 0.02), 0.01)
        features.append({"type": "Feature", "properties": {"iso": code, "name": name},
                         "geometry": mapping(g)})
    return json.dumps({"type": "FeatureCollection", "features": features},
                      separators=(",", ":")).encode()


def create_app(*, network: silkway.Network | None = None, cache_dir: str | Path | None = None,
               database_url: str | None = None, api_token: str | None = None,
               cors_origins: tuple[str, ...] = ()) -> FastAPI:
    """Build the app.

    Parameters
    ----------
    network
        A loaded network (else loaded from ``cache_dir``, compiling it if needed).
    database_url
        SQLAlchemy URL of the store (default: SQLite file beside the network cache).
    api_token
        When set, write endpoints require ``Authorization: Bearer <token>``.
    cors_origins
        Origins allowed to call the API from a browser (none by default).
    """
    from silkway.api.store import Store

    net = network or silkway.load_network(cache_dir)
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    url = database_url or f"sqlite:///{cache / 'silkway.db'}"
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    store = Store(url)
    app = FastAPI(title="silkway", version=silkway.__version__,
                  description="Container freight routes across Eurasia: plan, compare, emissions.")
    if cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(cors_origins),
                           allow_methods=["GET", "POST"], allow_headers=["*"])

    @app.middleware("http")
    async def limit_body(request: Request, call_next: Any) -> Response:
        size = request.headers.get("content-length")
        if size is not None and (not size.isdigit() or int(size) > MAX_BODY_BYTES):
            return JSONResponse({"error": "ConstraintError",
                                 "detail": f"request body over {MAX_BODY_BYTES:,} bytes"}, 413)
        response: Response = await call_next(request)
        return response

    @app.exception_handler(SilkwayError)
    async def silkway_error(request: Request, exc: SilkwayError) -> JSONResponse:
        return JSONResponse({"error": type(exc).__name__, "detail": str(exc)}, _status(exc))

    def require_token(authorization: Annotated[str | None, Header()] = None) -> None:
        if api_token and authorization != f"Bearer {api_token}":
            raise _UnauthorizedError()

    @app.exception_handler(_UnauthorizedError)
    async def unauthorized(request: Request, exc: _UnauthorizedError) -> JSONResponse:
        return JSONResponse({"error": "Unauthorized",
                             "detail": "this endpoint needs Authorization: Bearer <token>"}, 401)

    def run_plan(req: PlanRequest, **extra: Any) -> silkway.PlanResult:
        scenario: Any = req.scenario
        if scenario is not None and scenario not in silkway.scenarios.available():
            saved = store.get_scenario(scenario)
            if saved is None:
                raise ConstraintError(f"unknown scenario {scenario!r}")
            scenario = silkway.scenarios.parse_scenario(saved["yaml"], net.tables,
                                                        label=f"scenario {scenario}")
        return silkway.plan(
            net, req.origin, req.destination, avoid=req.avoid, modes=req.modes,
            close=req.close, cargo=req.cargo, payload_t=req.payload_t,
            max_transshipments=req.max_transshipments, objective=req.objective,
            scenario=scenario, month=req.month, deadline_days=req.deadline_days,
            reefer=req.reefer, allocation=req.allocation, histogram=req.histogram,
            max_routes=extra.get("max_routes", req.max_routes))

    @app.get("/api/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "network": net.key[:16], "hubs": len(net.hubs),
                "legs": len(net.legs)}

    @app.get("/api/hubs")
    def hubs(country: str | None = None, kind: str | None = None) -> list[dict[str, Any]]:
        modes: dict[str, set[str]] = {}
        for leg in net.legs:
            for end in (leg.src, leg.dst):
                modes.setdefault(end, set()).add(leg.mode.value)
        return [{**h.to_dict(), "aliases": list(h.aliases), "gauge_mm": h.gauge_mm or None,
                 "modes": sorted(modes.get(h.id, ()))} for h in net.hubs
                if (country is None or h.country == country.upper())
                and (kind is None or h.kind == kind)]

    @app.get("/api/scenarios")
    def scenario_list() -> list[dict[str, Any]]:
        out = []
        for name in silkway.scenarios.available():
            sc = silkway.load_scenario(name, net.tables)
            out.append({**sc.to_dict(), "description": sc.description, "saved": False})
        for row in store.list_scenarios():
            out.append({"name": row["id"], "title": row["name"], "saved": True})
        return out

    @app.post("/api/scenarios", dependencies=[Depends(require_token)])
    def scenario_save(body: SaveScenario) -> dict[str, Any]:
        sc = silkway.scenarios.parse_scenario(body.yaml, net.tables, label="scenario")
        sid = store.save_scenario(sc.name, body.yaml)
        return {"id": sid, "name": sc.name, "use_as": sid}

    @app.get("/api/basemap")
    def basemap() -> Response:
        return Response(_basemap(), media_type="application/geo+json",
                        headers={"Cache-Control": "public, max-age=86400"})

    @lru_cache(maxsize=2048)
    def plan_bytes(key: str) -> bytes:
        # Plans are deterministic functions of the (immutable) network and the request, and
        # saved scenarios are never edited, so the serialised answer can be reused.
        req = PlanRequest.model_validate_json(key)
        return json.dumps(run_plan(req).to_dict(geometry=req.geometry),
                          separators=(",", ":")).encode()

    @lru_cache(maxsize=256)
    def export_bytes(key: str, fmt: str) -> bytes:
        result = run_plan(PlanRequest.model_validate_json(key))
        if fmt == "geojson":
            return json.dumps(result.to_geojson(), separators=(",", ":")).encode()
        if fmt == "table":
            return json.dumps(result.route_table(), ensure_ascii=False).encode()
        return result.to_csv().encode()

    @app.post("/api/plan", response_model=PlanOut, responses={
        200: {"content": {"application/geo+json": {}, "text/csv": {}}},
        404: {"description": "unknown place"}, 409: {"description": "no route"},
        422: {"description": "invalid request"}})
    async def plan(req: PlanRequest, format: PlanFormat | None = None,
             accept: Annotated[str | None, Header()] = None) -> Response:
        """The plan JSON contract; GeoJSON (a Feature per leg), CSV (a row per leg) or the
        display table with ``?format=geojson|csv|table`` or ``Accept: application/geo+json``
        / ``text/csv``."""
        fmt = format or negotiate(accept)
        key = req.model_dump_json()
        if fmt == "json":
            return Response(plan_bytes(key), media_type="application/json")
        headers = {"Content-Disposition": f'attachment; filename="plan.{fmt}"'} if fmt != "table" else {}
        return Response(export_bytes(key, fmt), media_type=MEDIA_TYPES[fmt], headers=headers)

    @app.get("/api/ticks")
    def ticks(lo: float, hi: float, count: Annotated[int, Query(ge=1, le=20)] = 5
              ) -> list[dict[str, Any]]:
        """Round axis ticks over ``[lo, hi]`` with labels, for the page's charts."""
        from silkway.analysis.export import ticks as make_ticks

        if not (abs(lo) < 1e12 and abs(hi) < 1e12):
            raise ConstraintError("tick range must be finite and below 1e12 in size")
        return make_ticks(lo, hi, count=count)

    @app.post("/api/compare")
    def compare(req: CompareRequest) -> dict[str, Any]:
        if req.scenario is None and req.month is None:
            raise ConstraintError("compare needs a scenario or a month to compare with")
        base = req.model_copy(update={"scenario": None, "month": None})
        return silkway.Comparison(run_plan(base, max_routes=50),
                                  run_plan(req, max_routes=50)).to_dict()

    @app.post("/api/emissions", responses={200: {"content": {"text/html": {}}}})
    def emissions(req: EmissionsRequest, format: Literal["json", "html"] = "json") -> Any:
        """The ISO 14083 statement of route ``route`` (lowest CO2e first); ``?format=html`` for
        the printable report."""
        result = run_plan(req.model_copy(update={"objective": "co2e"}), max_routes=50)
        st = silkway.statement(result, req.route - 1)
        if format == "html":
            return Response(silkway.statement_html(st), media_type="text/html; charset=utf-8")
        return st.to_dict()

    @app.post("/api/plans", dependencies=[Depends(require_token)])
    def save_plan(body: SavePlan) -> dict[str, Any]:
        result = run_plan(body.request).to_dict(geometry=body.request.geometry)
        pid = store.save_plan(body.request.model_dump(), result, body.title)
        return {"id": pid, "url": f"/p/{pid}"}

    @app.get("/api/plans/{plan_id}")
    def get_plan(plan_id: str) -> dict[str, Any]:
        saved = store.get_plan(plan_id)
        if saved is None:
            raise NotFoundError(f"no saved plan {plan_id!r}")
        return saved

    @app.get("/api/plans")
    def list_plans(limit: Annotated[int, Query(ge=1, le=200)] = 50) -> list[dict[str, Any]]:
        """Saved plans, newest first (without their results)."""
        return store.list_plans(limit)

    @app.delete("/api/plans/{plan_id}", dependencies=[Depends(require_token)])
    def delete_plan(plan_id: str) -> dict[str, Any]:
        if not store.delete_plan(plan_id):
            raise NotFoundError(f"no saved plan {plan_id!r}")
        return {"id": plan_id, "deleted": True}

    @app.post("/api/batch", dependencies=[Depends(require_token)], status_code=202,
              openapi_extra={"requestBody": {"content": {
                  "application/json": {"schema": BatchRequest.model_json_schema()},
                  "text/csv": {"schema": {"type": "string"}}}, "required": True}})
    async def batch(request: Request) -> dict[str, Any]:
        """Plan a CSV of shipments as a job: JSON ``{"csv": "..."}`` or the CSV itself as
        ``text/csv``."""
        from silkway.analysis.batch import plan_batch, read_shipments_text

        body = await read_batch(request)
        ships, errors = read_shipments_text(body.csv)
        if len(ships) + len(errors) > MAX_BATCH_ROWS:
            raise ConstraintError(f"a batch holds at most {MAX_BATCH_ROWS:,} rows, not "
                                  f"{len(ships) + len(errors):,}")
        job = store.create_job("batch", {"rows": len(ships) + len(errors)})

        def work() -> None:
            try:
                rows = plan_batch(net, ships, errors=errors, progress=lambda d, t: store.update_job(
                    job, status="running", progress=d / max(t, 1)) if d % 500 == 0 else None)
                store.update_job(job, status="done", progress=1.0, result=rows)
            except Exception as exc:  # a job must end, and say why
                log.exception("batch job %s failed", job)
                store.update_job(job, status="failed", error=f"{type(exc).__name__}: {exc}")

        threading.Thread(target=work, daemon=True, name=f"batch-{job}").start()
        return {"id": job, "status": "queued", "url": f"/api/jobs/{job}"}

    @app.get("/api/jobs/{job_id}")
    def get_job(job_id: str, format: Literal["json", "csv"] = "json") -> Any:
        job = store.get_job(job_id)
        if job is None:
            raise NotFoundError(f"no job {job_id!r}")
        if format == "csv" and job["status"] == "done":
            from silkway.analysis.batch import COLUMNS

            buf = io.StringIO()
            writer = csv.DictWriter(buf, fieldnames=list(COLUMNS), extrasaction="ignore")
            writer.writeheader()
            writer.writerows(job["result"] or [])
            return Response(buf.getvalue(), media_type="text/csv")
        return job

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(str(STATIC.joinpath("index.html")))

    @app.get("/p/{plan_id}", include_in_schema=False)
    def shared(plan_id: str) -> FileResponse:
        return FileResponse(str(STATIC.joinpath("index.html")))

    _version_routes(app)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    app.state.store = store
    return app


def app_from_env() -> FastAPI:
    """App factory for ``uvicorn --factory`` (several worker processes): reads
    ``SILKWAY_CACHE_DIR``, ``SILKWAY_DATABASE_URL``, ``SILKWAY_API_TOKEN`` and
    ``SILKWAY_CORS_ORIGINS``."""
    import os

    origins = tuple(o.strip() for o in os.environ.get("SILKWAY_CORS_ORIGINS", "").split(",")
                    if o.strip())
    return create_app(cache_dir=os.environ.get("SILKWAY_CACHE_DIR") or None,
                      database_url=os.environ.get("SILKWAY_DATABASE_URL") or None,
                      api_token=os.environ.get("SILKWAY_API_TOKEN") or None,
                      cors_origins=origins)


PlanFormat = Literal["json", "geojson", "csv", "table"]
_ACCEPT = (("application/geo+json", "geojson"), ("text/csv", "csv"))


def negotiate(accept: str | None) -> str:
    """The plan format an ``Accept`` header asks for: geojson, csv or (by default) json."""
    for media, fmt in _ACCEPT:
        if accept and media in accept.lower():
            return fmt
    return "json"


async def read_batch(request: Request) -> BatchRequest:
    """A batch body: ``text/csv`` as is, else JSON ``{"csv": "..."}`` (validated)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = await request.body()
    if kind == "text/csv":
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ConstraintError("the CSV body is not UTF-8 text") from None
        if not text.strip():
            raise ConstraintError("the CSV body is empty")
        return BatchRequest(csv=text)
    try:
        return BatchRequest.model_validate_json(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first.get("loc", ())) or "body"
        raise ConstraintError(f"batch {where}: {first['msg']} (send JSON {{\"csv\": ...}} "
                              "or the CSV itself as text/csv)") from None


def _version_routes(app: FastAPI) -> None:
    """Serve every ``/api/...`` operation under ``/api/v1/...``; the unversioned paths stay as
    aliases (left out of the OpenAPI document)."""
    for route in list(app.routes):
        if not isinstance(route, APIRoute) or not route.path.startswith("/api/"):
            continue
        app.add_api_route(
            "/api/v1" + route.path.removeprefix("/api"), route.endpoint,
            methods=sorted(route.methods or ()), response_model=route.response_model,
            status_code=route.status_code, dependencies=list(route.dependencies),
            responses=route.responses, summary=route.summary, description=route.description,
            openapi_extra=route.openapi_extra, name=f"v1_{route.name}")
        route.include_in_schema = False


class _UnauthorizedError(Exception):
    """A write endpoint was called without the configured token."""
