"""silkway's HTTP API (FastAPI): plan, hubs, scenarios, compare, emissions, saved plans, batch.

Read-only endpoints are open; write endpoints (saving plans and scenarios, batch jobs) need
``Authorization: Bearer TOKEN`` when the app is created with a token. CORS is closed unless
origins are given. No path or file name from a request ever touches the file system: a scenario
is a shipped name or the id of a scenario saved in the database.

The pieces: :mod:`silkway.api.problems` (every error is RFC 9457 ``application/problem+json``),
:mod:`silkway.api.security` (body limit on the streamed bytes, strict JSON, security headers),
:mod:`silkway.api.jobs` (plans on a bounded thread pool with a time limit; batch jobs on a
bounded executor that marks orphaned jobs failed), :mod:`silkway.api.store` (saved work).
"""

from __future__ import annotations

import asyncio
import csv
import hmac
import io
import json
import logging
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import lru_cache, partial
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi import Path as PathParam
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, ValidationError

import silkway
import silkway.result
from silkway._csvcell import safe_row
from silkway.analysis.export import MEDIA_TYPES, SHOW_OPTIONS, refuse_unshown
from silkway.api import problems, security
from silkway.api.jobs import JobRunner, Memo, WorkerPool, run_bounded
from silkway.api.problems import JobNotDoneError, UnauthorizedError
from silkway.api.processes import PlanningProcesses
from silkway.api.security import MAX_BODY_BYTES, Guard, StrictQueryRoute
from silkway.errors import ConstraintError, DataError, NotFoundError
from silkway.network.model import default_cache_dir
from silkway.query import QUERY_FIELDS, PlanQuery, make_query, refuse_unused
from silkway.result import PlanModel
from silkway.routing.constraints import select_hubs
from silkway.routing.corridors import corridors

if TYPE_CHECKING:
    from silkway.api.store import Store

log = logging.getLogger(__name__)

MAX_BATCH_ROWS = 10_000
CORS_METHODS = ("GET", "POST", "DELETE")
"""The methods the API's routes take (HEAD is GET's): an allowed origin may send each of them
(without DELETE a page on an allowed origin could save a plan but never delete it)."""
PLAN_WORKERS = 2
"""Threads planning requests (the machine's cores, not more: planning is CPU-bound)."""
PLAN_QUEUE = 128
"""Plan requests allowed to wait for a thread (a few hundred ms of typical plans); more get a
503 with ``Retry-After``. Repeated requests answered from the cache never wait."""
ListLimit = Annotated[int, Query(ge=1, le=200)]
"""The ``?limit=`` of a listing of saved work (plans, scenarios): 1 to 200."""
PLAN_TIMEOUT_S = 30.0
"""Longest wait for one plan, compare or emissions answer before a 504."""
STATIC = resources.files("silkway.web").joinpath("static")
_SAVED_ID = re.compile(r"[A-Za-z0-9_-]{12}")
_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "Unknown place or saved scenario"}, 409: {"description": "No route"},
    504: {"description": "The answer took longer than the server's time limit"}}
_GUARDED: dict[int | str, dict[str, Any]] = {401: {"description": "The token is missing or wrong"}}


class PlanRequest(PlanQuery):
    """A plan query (every field of :class:`silkway.query.PlanQuery`, as ``silkway plan``'s
    options, with JSON types checked strictly) and whether leg geometry is wanted."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True,
                              str_strip_whitespace=True)

    geometry: bool = True

    def query(self) -> PlanQuery:
        return make_query(self.model_dump(exclude=set(type(self).model_fields) - set(QUERY_FIELDS)))

    def shown(self) -> dict[str, Any]:
        """The options that choose what the answer shows (:data:`SHOW_OPTIONS`) this request
        sets explicitly, with their values: ``geometry`` sent as ``true`` asks for geometry,
        where its default (true, for the plan JSON) asks for nothing."""
        return {n: getattr(self, n) for n in SHOW_OPTIONS if n in self.model_fields_set}

    def refuse_geometry(self, command: str, why: str) -> None:
        """Refuse ``geometry: true`` sent to a command whose answer has no geometry (it was
        taken and dropped without a word); false, or the default, says nothing."""
        if self.shown().get("geometry"):
            raise ConstraintError(f"{command} does not use geometry: true: it {why}; leave "
                                  "geometry out")

    def typed(self) -> list[str]:
        """The query fields this request gives a value other than their default (a field sent
        with its default value says nothing, and is not refused as unused)."""
        return [n for n in QUERY_FIELDS if n in self.model_fields_set
                and getattr(self, n) != PlanQuery.model_fields[n].default]


class CompareRequest(PlanRequest):
    """A plan query plus the scenario (or month) to compare with the baseline."""


class EmissionsRequest(PlanRequest):
    route: int = Field(default=1, ge=1, le=50, description="Route number, as in the plan.")


class SavePlan(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    request: PlanRequest
    title: str | None = Field(default=None, max_length=120)


class SaveScenario(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    yaml: str = Field(min_length=1, max_length=65_536)


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    csv: str = Field(min_length=1, max_length=MAX_BODY_BYTES)


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


def _docs_html() -> str:
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>silkway API</title>"
            "<link rel=\"stylesheet\" href=\"/docs/assets/swagger-ui.css\"></head>"
            "<body><div id=\"swagger-ui\"></div>"
            "<script src=\"/docs/assets/swagger-ui-bundle.js\"></script>"
            "<script src=\"/docs/init.js\"></script></body></html>")


_DOCS_INIT = ("window.ui = SwaggerUIBundle({url: '/openapi.json', dom_id: '#swagger-ui', "
              "deepLinking: true, presets: [SwaggerUIBundle.presets.apis]});\n")


def _swagger_assets() -> Path:
    """Swagger UI's files from the installed ``fastapi-offline`` package (no CDN)."""
    return Path(str(resources.files("fastapi_offline").joinpath("static")))


class Answers:
    """What the API computes for a request, from the network and the saved scenarios: the same
    code in the server process and in a planning process (:mod:`silkway.api.processes`).

    Parameters
    ----------
    net
        The network.
    store
        The store of saved scenarios, called when a request names one.
    """

    def __init__(self, net: silkway.Network, store: Callable[[], Store]) -> None:
        self.net = net
        self._store = store

    @classmethod
    def in_child(cls, network: bytes, database_url: str, server_gc: bool) -> Answers:
        """A planning process's answers: the server's network (pickled) and the saved
        scenarios of the same database, opened on the first saved scenario asked for."""
        import pickle

        from silkway.api.store import Store

        net = pickle.loads(network)
        if server_gc:
            from silkway.api import gcpolicy

            gcpolicy.settle()
        return cls(net, lru_cache(maxsize=1)(partial(Store, database_url)))

    def user_scenario(self, text: str, label: str) -> silkway.Scenario:
        """A scenario from a request: whatever is wrong with it is the user's input (422)."""
        try:
            return silkway.scenarios.parse_user_scenario(text, self.net.tables, label=label)
        except DataError as exc:
            raise ConstraintError(str(exc)) from None

    def scenario_for(self, name: str | None) -> str | silkway.Scenario | None:
        """A shipped scenario name, or the parsed saved scenario: never a file."""
        if name is None or name in silkway.scenarios.available():
            return name
        if _SAVED_ID.fullmatch(name):
            saved = self._store().get_scenario(name)
            if saved is not None:
                return self.user_scenario(saved["yaml"], f"saved scenario {name}")
        shipped = ", ".join(silkway.scenarios.available())
        if any(ch in name for ch in "/\\") or name.startswith(".") or ".." in name \
                or name.lower().endswith((".yaml", ".yml")):
            raise ConstraintError(f"scenario {name[:40]!r} looks like a file path; a request "
                                  f"names a shipped scenario ({shipped}) or a saved scenario id")
        raise ConstraintError(f"unknown scenario {name[:40]!r}; shipped scenarios are {shipped}, "
                              "or give the id of a saved scenario")

    def run_plan(self, req: PlanRequest, **changes: Any) -> silkway.PlanResult:
        query = req.query().replace(**changes) if changes else req.query()
        scenario = self.scenario_for(query.scenario)
        if isinstance(scenario, silkway.Scenario):
            return silkway.plan(self.net, query.origin, query.destination, scenario=scenario,
                                **query.model_dump(exclude={"origin", "destination", "scenario"}))
        return silkway.plan(self.net, query)

    def plan_bytes(self, key: str) -> bytes:
        """The plan JSON of a request (its ``model_dump_json``): the contract model's bytes,
        without the round trip through it."""
        req = PlanRequest.model_validate_json(key)
        return self.run_plan(req).to_json(geometry=req.geometry)

    def export_bytes(self, key: str, fmt: str) -> bytes:
        result = self.run_plan(PlanRequest.model_validate_json(key))
        if fmt == "geojson":
            return json.dumps(result.to_geojson(), separators=(",", ":")).encode()
        if fmt == "table":
            return json.dumps(result.route_table(), ensure_ascii=False).encode()
        return result.to_csv().encode()

    def comparison(self, req: PlanRequest) -> dict[str, Any]:
        return silkway.Comparison(
            self.run_plan(req, scenario=None, month=None, max_routes=50, thin=0),
            self.run_plan(req, max_routes=50, thin=0)).to_dict()

    def statement(self, req: EmissionsRequest, fmt: str) -> str | dict[str, Any]:
        """The ISO 14083 statement of the request's route: HTML text or its JSON dict."""
        st = silkway.statement(self.run_plan(req, corridors="none"), req.route - 1)
        return silkway.statement_html(st) if fmt == "html" else st.to_dict()

    def plan_dict(self, req: PlanRequest) -> dict[str, Any]:
        return self.run_plan(req).to_dict(geometry=req.geometry)


def create_app(*, network: silkway.Network | None = None, cache_dir: str | Path | None = None,
               database_url: str | None = None, api_token: str | None = None,
               cors_origins: tuple[str, ...] = (), plan_workers: int = PLAN_WORKERS,
               plan_queue: int = PLAN_QUEUE, plan_timeout_s: float = PLAN_TIMEOUT_S,
               plan_processes: int = 0, batch_workers: int = 1, batch_queue: int = 4,
               server_gc: bool = False) -> FastAPI:
    """Build the app.

    Parameters
    ----------
    network
        A loaded network (else loaded from ``cache_dir``, compiling it if needed).
    database_url
        SQLAlchemy URL of the store (default: SQLite file beside the network cache).
    api_token
        When set, write endpoints require ``Authorization: Bearer <token>``; an empty or blank
        one is refused (:func:`silkway.api.security.check_token`), never read as "no token".
    cors_origins
        Origins allowed to call the API from a browser (none by default), each as a browser
        sends it (:func:`silkway.api.security.cors_origins`).
    plan_workers, plan_queue, plan_timeout_s
        Threads that plan, requests allowed to wait for them (more are a 503 with
        ``Retry-After``), and the time limit of one answer (then a 504).
    plan_processes
        When above 0, that many child processes plan (each thread of the planning pool
        hands its work to one of them: :mod:`silkway.api.processes`) and ``plan_workers`` is
        ignored; 0 plans on the threads of this process.
    batch_workers, batch_queue
        Batch jobs run at once, and jobs allowed to wait (more are a 503).
    server_gc
        Tune this process's garbage collector for serving at start-up
        (:func:`silkway.api.gcpolicy.settle`): what ``silkway serve`` does.
    """
    from silkway.api.store import Store

    if api_token is not None:  # before anything is opened: "" used to leave writes open
        security.check_token(api_token)
    cors_origins = security.cors_origins(cors_origins)
    net = network or silkway.load_network(cache_dir)
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    if database_url is None:  # the default beside the cache: its folder is silkway's own
        cache.mkdir(parents=True, exist_ok=True)
    url = database_url or f"sqlite:///{cache / 'silkway.db'}"
    store = Store(url)
    answers = Answers(net, lambda: store)
    children: PlanningProcesses | None = None
    if plan_processes > 0:
        import pickle

        children = PlanningProcesses(plan_processes, partial(
            Answers.in_child, pickle.dumps(net), url, server_gc))
        plan_workers = plan_processes

    def answer(method: str, *args: Any) -> Any:
        """Run on a planning thread: in its child process, or here."""
        if children is not None:
            return children.call(method, *args)
        return getattr(answers, method)(*args)

    plans = WorkerPool("plan", plan_workers, plan_queue)
    runner = JobRunner(store, workers=batch_workers, queue_size=batch_queue)
    runner.recover()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        plans.reopen()
        if children is not None:
            await asyncio.to_thread(children.start)
        runner.start()
        if server_gc:
            from silkway.api import gcpolicy

            gcpolicy.settle()
        yield
        await asyncio.to_thread(runner.shutdown)
        plans.close()
        if children is not None:
            await asyncio.to_thread(children.close)

    app = FastAPI(title="silkway", version=silkway.__version__, lifespan=lifespan,
                  docs_url=None, redoc_url=None,
                  description="Container freight routes across Eurasia: plan, compare, emissions."
                              " Every error is an RFC 9457 application/problem+json document.")
    app.router.route_class = StrictQueryRoute  # every route below, /api/v1 aliases too
    if cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(cors_origins),
                           allow_methods=list(CORS_METHODS), allow_headers=["*"])
    app.add_middleware(Guard, max_body=MAX_BODY_BYTES)
    problems.install(app)
    token = api_token.encode() if api_token else None

    def require_token(authorization: Annotated[str | None, Header(
            max_length=security.MAX_AUTHORIZATION_CHARS)] = None) -> None:
        # the scheme is case-insensitive (RFC 9110 11.1: "bearer x" was a 401); the token is not
        scheme, _, credentials = (authorization or "").strip().partition(" ")
        if token is not None and not (scheme.lower() == "bearer" and hmac.compare_digest(
                credentials.strip(" ").encode("utf-8", "replace"), token)):
            raise UnauthorizedError("this endpoint needs Authorization: Bearer <token>")

    async def planned(fn: Any, *args: Any) -> Any:
        return await run_bounded(plans, plan_timeout_s, fn, *args)

    @app.get("/api/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "network": net.key[:16], "hubs": len(net.hubs),
                "legs": len(net.legs)}

    @app.get("/api/hubs")
    def hubs(country: Annotated[str | None, Query(max_length=2)] = None,
             kind: Annotated[str | None, Query(max_length=40)] = None) -> list[dict[str, Any]]:
        modes: dict[str, set[str]] = {}
        for leg in net.legs:
            for end in (leg.src, leg.dst):
                modes.setdefault(end, set()).add(leg.mode.value)
        return [{**h.to_dict(), "aliases": list(h.aliases), "gauge_mm": h.gauge_mm or None,
                 "modes": sorted(modes.get(h.id, ()))}
                for h in select_hubs(net.hubs, country=country, kind=kind)]

    @app.get("/api/scenarios")
    def scenario_list(limit: ListLimit = 50) -> list[dict[str, Any]]:
        """The built-in scenarios, then the saved ones, newest first: at most ``limit`` saved
        ones, as ``/api/plans`` lists plans."""
        out = []
        for name in silkway.scenarios.available():
            sc = silkway.load_scenario(name, net.tables)
            out.append({**sc.to_dict(), "description": sc.description, "saved": False})
        for row in store.list_scenarios(limit):
            out.append({"name": row["id"], "title": row["name"], "saved": True})
        return out

    @app.post("/api/scenarios", dependencies=[Depends(require_token)], responses=_GUARDED)
    def scenario_save(body: SaveScenario) -> dict[str, Any]:
        sc = answers.user_scenario(body.yaml, "scenario")
        sid = store.save_scenario(sc.name, body.yaml)
        return {"id": sid, "name": sc.name, "use_as": sid}

    @app.get("/api/basemap", openapi_extra={"responses": {"200": {
        "description": "Country outlines", "content": {
            "application/geo+json": {"schema": {"type": "object"}}}}}})
    def basemap() -> Response:
        return Response(_basemap(), media_type="application/geo+json",
                        headers={"Cache-Control": "public, max-age=86400"})

    # Plans are deterministic functions of the (immutable) network and the request, and saved
    # scenarios are never edited, so the serialised answer can be reused.
    plan_bytes = Memo(lambda key: answer("plan_bytes", key), 2048)
    export_bytes = Memo(lambda key, fmt: answer("export_bytes", key, fmt), 256)

    @app.post("/api/plan", response_model=PlanModel, responses={
        200: {"content": {"application/geo+json": {}, "text/csv": {}}}, **_RESPONSES})
    async def plan(req: PlanRequest, format: PlanFormat | None = None,
                   accept: Annotated[str | None, Header(max_length=1000)] = None) -> Response:
        """The plan JSON contract, validated by its published schema (/api/schema/plan);
        GeoJSON (a Feature per leg), CSV (a row per leg) or the display table with
        ``?format=geojson|csv|table`` or ``Accept: application/geo+json`` / ``text/csv``.
        An option given that the format cannot show is a 422 naming both (``geometry: true``
        with csv or table, ``histogram: true`` with table, ``geometry: false`` with geojson)."""
        fmt = format or negotiate(accept)
        refuse_unshown(fmt, req.shown())  # before the plan: a refused export costs no planning
        key = req.model_dump_json()
        if fmt == "json":
            body = plan_bytes.peek(key) or await planned(plan_bytes, key)
            return Response(body, media_type="application/json")
        headers = {"Content-Disposition": f'attachment; filename="plan.{fmt}"'} \
            if fmt != "table" else {}
        body = export_bytes.peek(key, fmt) or await planned(export_bytes, key, fmt)
        return Response(body, media_type=MEDIA_TYPES[fmt], headers=headers)

    @app.get("/api/ticks")
    def ticks(lo: float, hi: float, count: Annotated[int, Query(ge=1, le=20)] = 5
              ) -> list[dict[str, Any]]:
        """Round axis ticks over ``[lo, hi]`` with labels, for the page's charts."""
        from silkway.analysis.export import ticks as make_ticks

        for name, end in (("lo", lo), ("hi", hi)):  # (said "below 1e12 in size" of 1e300-1e300)
            if not abs(end) < 1e12:
                raise ConstraintError(f"{name} {end:g} is outside the ticks' range of numbers: "
                                      "lo and hi each lie between -1e12 and 1e12")
        if lo > hi:  # (was swapped without a word)
            raise ConstraintError(f"lo {lo:g} is above hi {hi:g}: give the low end as lo")
        return make_ticks(lo, hi, count=count)

    @app.get("/api/schema/plan")
    def plan_schema() -> dict[str, Any]:
        """The JSON Schema of the plan contract (every plan validates against it)."""
        return silkway.result.plan_schema()

    @app.get("/api/schema/query")
    def query_schema() -> dict[str, Any]:
        """The JSON Schema of a plan query (the body of POST /api/plan)."""
        return PlanRequest.model_json_schema()

    @app.get("/api/corridors")
    def corridor_list() -> list[dict[str, Any]]:
        """The named corridors, with their rules' descriptions and sources."""
        return [c.to_dict() for c in corridors()]

    @app.post("/api/compare", responses=_RESPONSES)
    async def compare(req: CompareRequest) -> dict[str, Any]:
        if req.scenario is None and req.month is None:
            raise ConstraintError("compare needs a scenario or a month to compare with")
        refuse_unused("compare", req.typed())
        req.refuse_geometry("compare", "compares the two plans' figures, with no leg geometry")
        result: dict[str, Any] = await planned(answer, "comparison", req)
        return result

    @app.post("/api/emissions", responses={200: {"content": {"text/html": {}}}, **_RESPONSES})
    async def emissions(req: EmissionsRequest, format: Literal["json", "html"] | None = None,
                        accept: Annotated[str | None, Header(max_length=1000)] = None) -> Any:
        """The ISO 14083 statement of route ``route``, numbered as in the plan of the same
        query; ``?format=html`` (or ``Accept: text/html``) for the printable report."""
        refuse_unused("emissions", req.typed())
        req.refuse_geometry("emissions", "states one route's emissions, with no leg geometry")
        fmt = format or negotiate(accept, _EMISSIONS_ACCEPT)  # text/html alone got JSON
        st = await planned(answer, "statement", req, fmt)
        return Response(st, media_type="text/html; charset=utf-8") if fmt == "html" else st

    @app.post("/api/plans", dependencies=[Depends(require_token)],
              responses={**_RESPONSES, **_GUARDED})
    async def save_plan(body: SavePlan) -> dict[str, Any]:
        result = await planned(answer, "plan_dict", body.request)
        pid = await asyncio.to_thread(store.save_plan, body.request.model_dump(), result,
                                      body.title)
        return {"id": pid, "url": f"/p/{pid}"}

    @app.get("/api/plans/{plan_id}", responses={404: {"description": "No such saved plan"}})
    def get_plan(plan_id: Annotated[str, PathParam(max_length=40)]) -> dict[str, Any]:
        saved = store.get_plan(plan_id)
        if saved is None:
            raise NotFoundError(f"no saved plan {plan_id[:40]!r}")
        return saved

    @app.get("/api/plans")
    def list_plans(limit: ListLimit = 50) -> list[dict[str, Any]]:
        """Saved plans, newest first (without their results)."""
        return store.list_plans(limit)

    @app.delete("/api/plans/{plan_id}", dependencies=[Depends(require_token)],
                responses={404: {"description": "No such saved plan"}, **_GUARDED})
    def delete_plan(plan_id: Annotated[str, PathParam(max_length=40)]) -> dict[str, Any]:
        if not store.delete_plan(plan_id):
            raise NotFoundError(f"no saved plan {plan_id[:40]!r}")
        return {"id": plan_id, "deleted": True}

    @app.post("/api/batch", dependencies=[Depends(require_token)], status_code=202,
              responses=_GUARDED,
              openapi_extra={"requestBody": {"content": {
                  "application/json": {"schema": BatchRequest.model_json_schema()},
                  "text/csv": {"schema": {"type": "string"}}}, "required": True}})
    async def batch(request: Request) -> dict[str, Any]:
        """Plan a CSV of shipments as a job: JSON ``{"csv": "..."}`` or the CSV itself as
        ``text/csv``."""
        body = await read_batch(request)
        return await asyncio.to_thread(start_batch, body)

    def start_batch(body: BatchRequest) -> dict[str, Any]:
        from silkway.analysis.batch import RowError, plan_batch, read_shipments_text

        try:
            ships, errors = read_shipments_text(body.csv)
        except DataError as exc:  # the uploaded CSV is the user's input
            raise ConstraintError(str(exc)) from None
        rows = len(ships) + len(errors)  # counted before a row moves from ships to errors
        if not rows:  # was a job "done" with no row, where the CLI's batch is exit 2
            raise ConstraintError("the batch CSV has a header and no shipment rows: add a row "
                                  "per shipment below the header")
        if rows > MAX_BATCH_ROWS:
            raise ConstraintError(f"a batch holds at most {MAX_BATCH_ROWS:,} rows, not "
                                  f"{rows:,}")
        saved: dict[str, silkway.Scenario] = {}  # saved scenario id -> parsed scenario
        planned_ships = []
        for ship in ships:
            try:
                scen = answers.scenario_for(ship.query.scenario)
            except (ConstraintError, silkway.SilkwayError) as exc:
                errors.append(RowError(ship.row, str(exc), ship.id, ship.origin,
                                       ship.destination))
                continue
            if isinstance(scen, silkway.Scenario):
                saved[str(ship.query.scenario)] = scen
            planned_ships.append(ship)

        def work(progress: Any) -> list[dict[str, Any]]:
            return plan_batch(net, planned_ships, errors=errors, progress=progress,
                              scenarios=saved)

        job = runner.submit("batch", {"rows": rows}, work)
        return {"id": job, "status": "queued", "url": f"/api/jobs/{job}"}

    @app.get("/api/jobs/{job_id}", responses={404: {"description": "No such job"}},
             openapi_extra={"responses": {"200": {
                 "description": "The job (JSON), or its rows as CSV once done",
                 "content": {"text/csv": {"schema": {"type": "string"}}}}}})
    def get_job(job_id: Annotated[str, PathParam(max_length=40)],
                format: Literal["json", "csv"] | None = None,
                accept: Annotated[str | None, Header(max_length=1000)] = None) -> Any:
        """A job's status and result; ``?format=csv`` (or ``Accept: text/csv``) for a done
        batch job's rows."""
        asked = "format=csv" if format else "Accept: text/csv"
        fmt = format or negotiate(accept, _JOB_ACCEPT)  # text/csv alone got JSON
        job = store.get_job(job_id)
        if job is None:
            raise NotFoundError(f"no job {job_id[:40]!r}")
        job = runner.check(job)
        job.pop("owner", None)
        if fmt == "csv" and job.get("kind") != "batch":  # an assignment was a 500
            raise ConstraintError(f"{asked} gives a batch job's rows; this is an "
                                  f"{str(job.get('kind'))[:20]} job, whose result is JSON only")
        if fmt == "csv" and job["status"] != "done":  # was the job's JSON, with 200
            raise JobNotDoneError(
                f"{asked} gives a batch job's rows once it is done; this job "
                + (f"is still {job['status']}: ask again when its status is done"
                   if job["status"] in ("queued", "running") else
                   f"is {job['status']}, so it has none: its error is in the job's JSON"))
        if fmt == "csv":
            from silkway.analysis.batch import COLUMNS

            buf = io.StringIO()
            writer = csv.DictWriter(buf, fieldnames=list(COLUMNS), extrasaction="ignore")
            writer.writeheader()
            writer.writerows(safe_row(row) for row in job["result"] or [])
            return Response(buf.getvalue(), media_type="text/csv")
        return job

    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(str(STATIC.joinpath("index.html")))

    @app.get("/p/{plan_id}", include_in_schema=False)
    def shared(plan_id: str) -> FileResponse:
        # the page opens the plan and shows the API's error; the status says it too, so that
        # a link to a deleted (or never saved) plan is not a 200 to a link checker
        known = _SAVED_ID.fullmatch(plan_id) is not None and store.get_plan(plan_id) is not None
        return FileResponse(str(STATIC.joinpath("index.html")), status_code=200 if known else 404)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(_docs_html())

    @app.get("/docs/init.js", include_in_schema=False)
    def docs_init() -> Response:
        return Response(_DOCS_INIT, media_type="text/javascript")

    from silkway.api.assign import add_assign_routes

    add_assign_routes(app, net, runner, require_token)
    _version_routes(app)
    app.mount("/docs/assets", StaticFiles(directory=str(_swagger_assets())), name="docs-assets")
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    app.state.store = store
    app.state.jobs = runner
    app.state.plans = plans
    app.state.planning = children
    return app


def app_from_env() -> FastAPI:
    """App factory for ``uvicorn --factory`` (several worker processes): reads
    ``SILKWAY_CACHE_DIR``, ``SILKWAY_DATABASE_URL``, ``SILKWAY_API_TOKEN`` and
    ``SILKWAY_CORS_ORIGINS``."""
    import os

    origins = security.cors_origins(os.environ.get("SILKWAY_CORS_ORIGINS", ""),
                                    source="SILKWAY_CORS_ORIGINS")
    token = os.environ.get("SILKWAY_API_TOKEN")
    if token is not None:  # set but empty is refused, never "no token"
        security.check_token(token, source="SILKWAY_API_TOKEN")
    return create_app(cache_dir=os.environ.get("SILKWAY_CACHE_DIR") or None,
                      database_url=os.environ.get("SILKWAY_DATABASE_URL") or None,
                      api_token=token, cors_origins=origins, server_gc=True)


PlanFormat = Literal["json", "geojson", "csv", "table"]
_ACCEPT = {"application/json": "json", "application/geo+json": "geojson", "text/csv": "csv"}


def negotiate(accept: str | None, offered: dict[str, str] | None = None) -> str:
    """The format an ``Accept`` header asks for, of ``offered`` (media type: format, the
    default first; the plan's geojson, csv or json by default), as :func:`security.preferred`
    weighs it: ``text/csv;q=0, application/json`` used to answer CSV because the header
    mentioned it, and ``text/*`` JSON. A header that names none of them gets the default (the
    guard has answered 406 before this is asked)."""
    table = _ACCEPT if offered is None else offered
    media = security.preferred(accept, tuple(table))
    return table[media] if media is not None else next(iter(table.values()))


_JSON_ACCEPT = {"application/json": "json"}
_EMISSIONS_ACCEPT = {**_JSON_ACCEPT, "text/html": "html"}
_JOB_ACCEPT = {**_JSON_ACCEPT, "text/csv": "csv"}


async def read_batch(request: Request) -> BatchRequest:
    """A batch body: ``text/csv`` as is, else JSON ``{"csv": "..."}`` (validated)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = await request.body()
    if kind == "text/csv":  # (a charset other than UTF-8 is refused by the guard)
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
