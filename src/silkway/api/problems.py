"""RFC 9457 problem details: the one error format of the HTTP API.

Every error response is ``application/problem+json``::

    {"type": "urn:silkway:problem:unknown-place", "title": "Unknown place", "status": 404,
     "detail": "unknown place 'Bishkeck'; did you mean Bishkek?", "error": "UnknownPlaceError",
     "suggestions": ["Bishkek"]}

``detail`` is one sentence naming the problem. It never echoes a whole request, a traceback, a
file's contents, or where the database lives: backend failures are logged in full and answered
with a fixed sentence. FastAPI's own validation and body-parse errors use the same format, with
the offending fields (not their values) listed in ``errors``.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from silkway.errors import (
    BackendError,
    DataError,
    InputError,
    NoRouteError,
    NotFoundError,
    ShippedDataError,
    SilkwayError,
    UnknownPlaceError,
)
from silkway.query import error_message

__all__ = ["PROBLEM_TYPE", "Problem", "ServiceBusyError", "TimeLimitError", "UnauthorizedError",
           "install", "problem"]

log = logging.getLogger(__name__)

PROBLEM_TYPE = "application/problem+json"
_URN = "urn:silkway:problem:"
_MAX_DETAIL = 300
_BACKEND_DETAIL = "the database or another backend is unavailable; try again shortly"


class Problem(BaseModel):
    """An RFC 9457 problem document (the body of every API error)."""

    model_config = ConfigDict(extra="allow")
    type: str = Field(description="A URI naming the kind of problem.")
    title: str = Field(description="A short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="One sentence naming this occurrence of the problem.")
    error: str = Field(description="The kind of error in one word, e.g. UnknownPlaceError.")
    suggestions: list[str] | None = Field(default=None, description="Did-you-mean places.")
    errors: list[dict[str, str]] | None = Field(
        default=None, description="Invalid request fields: loc (where) and msg (why), no values.")


class ServiceBusyError(BackendError):
    """The server has no room for more work right now; ``retry_after`` seconds is a fair wait."""

    def __init__(self, message: str, retry_after: int = 2) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TimeLimitError(SilkwayError):
    """A request took longer than the server's time limit for it."""


class UnauthorizedError(SilkwayError):
    """A write endpoint was called without the configured token."""


class JobNotDoneError(SilkwayError):
    """A job's result was asked for in a form only a done job has (a batch job's CSV rows)."""


# kind, status, type slug, title: the first matching kind wins
_KINDS: tuple[tuple[type[BaseException], int, str, str], ...] = (
    (UnauthorizedError, 401, "unauthorized", "Unauthorized"),
    (UnknownPlaceError, 404, "unknown-place", "Unknown place"),
    (NotFoundError, 404, "not-found", "Not found"),
    (NoRouteError, 409, "no-route", "No route"),
    (JobNotDoneError, 409, "job-not-done", "Job not done"),
    (ServiceBusyError, 503, "busy", "Server busy"),
    (BackendError, 503, "backend-unavailable", "Backend unavailable"),
    (TimeLimitError, 504, "time-limit", "Time limit exceeded"),
    (ShippedDataError, 500, "shipped-data", "Shipped data broken"),
    (InputError, 422, "invalid-input", "Invalid input"),
    (DataError, 422, "invalid-input", "Invalid input"),
)

_HTTP_TITLES = {400: "Bad request", 401: "Unauthorized", 404: "Not found",
                405: "Method not allowed", 406: "Not acceptable", 413: "Content too large",
                415: "Unsupported media type",
                422: "Invalid input", 500: "Internal error", 503: "Service unavailable",
                504: "Time limit exceeded"}


def one_sentence(text: str) -> str:
    """``text`` on one line, cut to a bounded length."""
    line = " ".join(str(text).split())
    return line if len(line) <= _MAX_DETAIL else line[: _MAX_DETAIL - 1] + "…"


def problem(status: int, detail: str, *, kind: str | None = None, title: str | None = None,
            headers: dict[str, str] | None = None, error: str | None = None,
            **extra: Any) -> JSONResponse:
    """A problem+json response.

    ``error`` (an extension member kept from the API's first error format) names the kind of
    error in one word, e.g. ``UnknownPlaceError``; by default it is made from the title.
    """
    title = title or _HTTP_TITLES.get(status, "Error")
    body = {"type": _URN + kind if kind else "about:blank", "title": title, "status": status,
            "detail": one_sentence(detail),
            "error": error or "".join(w.capitalize() for w in title.split()) + "Error", **extra}
    return JSONResponse(body, status, headers=headers, media_type=PROBLEM_TYPE)


def for_exception(exc: BaseException) -> JSONResponse:
    """The problem response for one of silkway's errors (or any other exception: a 500)."""
    found = next(((s, k, t) for kind, s, k, t in _KINDS if isinstance(exc, kind)), None)
    if found is not None:
        status, slug, title = found
    else:
        if isinstance(exc, SilkwayError):
            status, slug, title = 400, "bad-request", "Bad request"
        else:
            log.error("internal error", exc_info=exc)
            return problem(500, "the server failed to answer this request; the error is logged",
                           kind="internal", title="Internal error")
    extra: dict[str, Any] = {}
    headers: dict[str, str] | None = None
    detail = str(exc)
    if isinstance(exc, ServiceBusyError):
        headers = {"Retry-After": str(exc.retry_after)}
    elif isinstance(exc, BackendError):
        log.error("backend failure: %s", exc)
        detail = _BACKEND_DETAIL
        headers = {"Retry-After": "5"}
    elif isinstance(exc, ShippedDataError):
        log.error("shipped data broken: %s", exc)
        detail = "the server's shipped data or network cache is broken; the error is logged"
    elif isinstance(exc, UnknownPlaceError):
        extra["suggestions"] = exc.suggestions
    elif isinstance(exc, UnauthorizedError):
        headers = {"WWW-Authenticate": "Bearer"}
    return problem(status, detail, kind=slug, title=title, headers=headers,
                   error=type(exc).__name__, **extra)


def _where(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        place, rest = parts[0], parts[1:]
        return f"{place} field {'.'.join(rest)}" if rest else f"the request {place}"
    return ".".join(parts) or "the request"


def validation_problem(exc: RequestValidationError, content_type: str = "application/json"
                       ) -> JSONResponse:
    """One sentence for FastAPI's validation errors, listing fields and messages, no input.

    ``content_type`` is the request's: a body sent as anything but JSON is read as no object at
    all, which is said as such (not as "input should be a valid dictionary")."""
    errors = list(exc.errors())
    if not errors:
        return problem(422, "the request is not valid", kind="invalid-request",
                       title="Invalid request")
    first = errors[0]
    media = content_type.split(";")[0].strip().lower()
    if tuple(first.get("loc", ())) == ("body",) and not (media == "application/json"
                                                         or media.endswith("+json")):
        shown = f"Content-Type {media[:40]!r}" if media else "no Content-Type"
        return problem(422, f"the request body must be JSON sent as application/json, not with "
                            f"{shown}", kind="invalid-request", title="Invalid request")
    if first.get("type") == "json_invalid":
        why = (first.get("ctx") or {}).get("error")
        return problem(422, f"the request body is not valid JSON ({why or 'cannot be parsed'})",
                       kind="invalid-json", title="Invalid JSON")
    listed = [{"loc": ".".join(str(p) for p in e.get("loc", ())), "msg": error_message(e)}
              for e in errors[:20]]
    msg = error_message(first)
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" \
        if len(errors) > 1 else ""
    joint = " " if msg.startswith(("is ", "lists ")) else ": "  # "body field via lists at most 8"
    sentence = f"{_where(first.get('loc', ()))}{joint}{msg[:1].lower() + msg[1:]}{more}"
    return problem(422, sentence, kind="invalid-request", title="Invalid request", errors=listed)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app takes on the request's path, ``HEAD`` with ``GET``
    (the guard answers it). Starlette's 405 named those of the first route matched alone:
    ``PATCH /api/plans/{id}`` answered ``Allow: GET``, though ``DELETE`` is served there too."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches({**request.scope, "method": "GET"})
        if match is not Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


def install(app: FastAPI) -> None:
    """Register the handlers and the problem schema in the OpenAPI document of ``app``."""

    @app.exception_handler(SilkwayError)
    async def silkway_error(request: Request, exc: SilkwayError) -> JSONResponse:
        return for_exception(exc)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return validation_problem(exc, request.headers.get("content-type", ""))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            detail = f"there is no {request.url.path[:80]!r} here"
        elif exc.status_code == 405:
            allowed = allowed_methods(request)
            detail = f"{request.method} is not allowed on this path"
            if allowed:
                return problem(405, f"{detail}; it takes {', '.join(allowed)}",
                               headers={"Allow": ", ".join(allowed)})
        else:
            detail = str(exc.detail)
        return problem(exc.status_code, detail, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> JSONResponse:
        return for_exception(exc)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version,
                                 description=app.description, routes=app.routes)
            app.openapi_schema = with_problems(schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


_ALWAYS = {"413": "Request body too large", "422": "Invalid request",
           "500": "Internal error", "503": "A backend is unavailable or the server is busy"}


def with_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Every 4xx/5xx response of every operation described as a problem+json document."""
    comps = schema.setdefault("components", {}).setdefault("schemas", {})
    comps["Problem"] = Problem.model_json_schema()
    comps.pop("HTTPValidationError", None)
    comps.pop("ValidationError", None)
    ref = {"schema": {"$ref": "#/components/schemas/Problem"}}
    for item in schema.get("paths", {}).values():
        for op in item.values():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            responses = op["responses"]
            for code, text in _ALWAYS.items():
                responses.setdefault(code, {"description": text})
            for code, resp in responses.items():
                if code[:1] in ("4", "5"):
                    resp["content"] = {PROBLEM_TYPE: ref}
    return schema
