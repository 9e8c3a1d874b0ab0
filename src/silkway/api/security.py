"""The API's outer guard, one pure ASGI middleware: body limit, strict JSON, security headers.

- **Body limit.** A request body is read as it streams in (``Content-Length`` or chunked) and
  the read stops at :data:`MAX_BODY_BYTES`: the answer is a 413 problem before authentication
  is checked or anything is parsed, so a 300 MiB chunked upload costs at most ~2 MB of memory.
- **Strict JSON.** JSON bodies are checked once for what Python's ``json`` module accepts but no
  JSON document may hold: ``NaN``, ``Infinity`` and numbers that overflow to infinity
  (``1e999``), lone surrogates (``"\\ud800"``), and deep nesting; each is a 422 problem naming
  the field, never a 500 deeper down.
- **Query strings.** An API route answers only a query string that names its own parameters,
  each once (:class:`StrictQueryRoute`): ``POST /api/plan?avoid=RU`` used to plan without
  avoiding Russia, and ``?format=csv&format=json`` to keep the last; both are 422 problems. A
  number in the query string is a plain decimal (``?limit=1_0`` was 10).
- **Encodings.** A body with a ``Content-Encoding`` (gzip, br …) is a 415 problem: the API
  reads bodies as sent, so a compressed one is refused in so many words rather than called
  "not UTF-8", and a decompression bomb is never opened.
- **HEAD.** A ``HEAD`` request is answered as the ``GET`` of the same path without its body
  (the same status and headers, ``Content-Length`` included): FastAPI routes declared for
  ``GET`` alone answered it 405, which broke health checks and link checkers.
- **Settings.** :func:`check_token` and :func:`cors_origins` refuse an API token or a CORS
  list that would not do what it says (an empty token left the write endpoints open; a CORS
  "origin" with a path, a trailing slash or ``javascript:`` never matches a browser's
  ``Origin`` header, and ``*`` beside named origins opens them all).
- **Accept.** An ``/api/`` request whose ``Accept`` names no media type the endpoint serves
  (``application/xml``, ``text/html`` alone) is a 406 problem listing the types it does serve
  (:func:`unacceptable`); JSON was sent with 200 whatever was asked. A missing ``Accept``,
  ``*/*``, ``application/*`` and a browser's ``text/html,...,*/*;q=0.8`` are served; a media
  range that cannot be read (``text/csv;q=nonsense``) asks for nothing, and a header of only
  such ranges is as if there were none. ``application/problem+json`` alone is a 406 too: it is
  the type of errors, not of an answer. One parser (:func:`preferred`) decides both the 406
  and the format written, so ``text/*`` (passed, then answered JSON) is the CSV it asks for.
- **Headers.** Every response carries a Content-Security-Policy that allows only this origin,
  ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY`` and
  ``Referrer-Policy: no-referrer``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Awaitable, Callable, Coroutine, Iterator, MutableMapping, Sequence
from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from silkway._text import UnreadableNumberError, plain_float, takes_number, underflows
from silkway.api.problems import problem
from silkway.errors import ConstraintError

__all__ = ["CSP", "MAX_AUTHORIZATION_CHARS", "MAX_BODY_BYTES", "MAX_JSON_DEPTH", "Guard",
           "StrictQueryRoute", "check_token", "cors_origins", "json_problem"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY_BYTES = 2_000_000
"""Largest request body read, in bytes."""

MAX_JSON_DEPTH = 32
"""Deepest nesting of arrays and objects in a JSON body."""

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
"""Content-Security-Policy of every response: everything from this origin only, no inline or
foreign script, no framing. Inline *style attributes* are allowed because the page's SVG map and
charts and Swagger UI set them; they cannot run code."""

_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer")]


MAX_AUTHORIZATION_CHARS = 500
"""Longest ``Authorization`` header read (a longer one is a 422 before the token is compared)."""


def check_token(token: str, *, source: str = "the API token") -> str:
    """``token`` if it can guard the write endpoints; else an error that never shows it.

    An empty or blank token used to mean "no token" (every write endpoint open) although one
    was given; a token with a space or a character outside visible ASCII can never be matched
    (HTTP trims white space around a header value and reads its bytes as Latin-1), so every
    write would be refused with no hint why.

    Raises
    ------
    ConstraintError
        When ``token`` is empty, blank, longer than an ``Authorization`` header may be, or
        holds anything but visible ASCII characters.
    """
    if not token.strip():
        raise ConstraintError(f"{source} is empty; give a token of visible characters, or leave "
                              "it out to serve without one (write endpoints then stay open)")
    bad = next((i for i, ch in enumerate(token, 1) if not "!" <= ch <= "~"), None)
    if bad is not None:
        raise ConstraintError(f"{source} holds a space, a control or a non-ASCII character "
                              f"(character {bad} of {len(token)}); a bearer token is visible "
                              "ASCII characters only")
    longest = MAX_AUTHORIZATION_CHARS - len("Bearer ")
    if len(token) > longest:  # no request could send it: its header would be refused
        raise ConstraintError(f"{source} is {len(token):,} characters long; a bearer token "
                              f"here holds at most {longest}")
    return token


_HOST = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}"
                   r"[a-z0-9])?)*|\[[0-9a-f:.]+\]")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def cors_origins(text: str | Sequence[str], *, source: str = "the CORS origins") -> tuple[str, ...]:
    """The origins of a comma list (or of a sequence), each checked to be one a browser sends.

    An origin is ``http`` or ``https``, ``://``, a host in lower case (IDNs in their ``xn--``
    form) and an optional port other than the scheme's default: nothing else, since
    Starlette's CORS check compares the ``Origin`` header with each listed string exactly, so
    ``https://a.example/`` or ``HTTPS://A.example`` would never match and ``*`` beside named
    origins allows every origin. ``*`` alone allows every origin; an empty list allows none.

    Raises
    ------
    ConstraintError
        Naming the first value that is not an origin and why.
    """
    items = text.split(",") if isinstance(text, str) else list(text)
    if isinstance(text, str) and not text.strip():
        return ()
    origins: list[str] = []
    for raw in items:
        value = raw.strip(" ")
        shown = repr(value[:80])
        if not value:
            raise ConstraintError(f"{source}: an origin is empty (two commas, or one at an end); "
                                  "give origins such as https://app.example, separated by commas")
        if value == "*":
            if len(items) > 1:
                raise ConstraintError(f"{source}: '*' is given beside other origins; '*' allows "
                                      "every origin, so give it alone or list the origins")
            return ("*",)
        why = _origin_problem(value)
        if why:
            raise ConstraintError(f"{source}: {shown} is not an origin ({why}); an origin is "
                                  "http:// or https://, a host and an optional port, e.g. "
                                  "https://app.example:8443")
        if value in origins:
            raise ConstraintError(f"{source}: {shown} is given twice")
        origins.append(value)
    return tuple(origins)


def _origin_problem(value: str) -> str | None:
    """Why ``value`` is not a serialised origin as a browser sends it, or None."""
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return "it holds white space or a control character"
    scheme, sep, rest = value.partition("://")
    if not sep:
        return "it has no scheme://"
    if scheme.lower() not in _DEFAULT_PORTS:
        return f"the scheme is {scheme[:20]!r}, not http or https"
    if scheme != scheme.lower():
        return "browsers send the scheme in lower case"
    for ch, what in (("/", "a path (a trailing '/' included)"), ("?", "a query"),
                     ("#", "a fragment"), ("@", "a user name")):
        if ch in rest:
            return f"it has {what}"
    host, port = rest, ""
    if not rest.endswith("]") and ":" in rest:
        host, _, port = rest.rpartition(":")
    if not host:
        return "it has no host"
    if not host.isascii():
        return "the host is not ASCII; give an international name in its xn-- form"
    if host != host.lower():
        return "browsers send the host in lower case"
    if not _HOST.fullmatch(host):
        return "the host is not a host name or an address"
    if port:
        if not port.isdigit() or not 1 <= int(port) <= 65535:
            return f"the port {port[:10]!r} is not a number from 1 to 65535"
        if port != str(int(port)):
            return f"browsers send the port without leading zeros, {int(port)}"
        if int(port) == _DEFAULT_PORTS[scheme]:
            return f"browsers leave out the port {port} here; give {scheme}://{host}"
    return None


class _NonFinite:
    def __init__(self, token: str) -> None:
        self.token = token


_SERVES: dict[str, tuple[str, ...]] = {
    "plan": ("application/geo+json", "text/csv"),
    "emissions": ("text/html",),
    "jobs": ("text/csv",),
    "basemap": ("application/geo+json",),
    "assign/example": ("text/csv", "text/plain"),
}
"""What an ``/api/`` endpoint serves besides JSON (and problem+json for its errors), by the
path after ``/api/`` or ``/api/v1/``."""
_MEDIA = re.compile(r"^[a-z0-9!#$&^_.+*-]+/[a-z0-9!#$&^_.+*-]+$")


def serves(path: str) -> tuple[str, ...]:
    """The media types an ``/api/`` path answers with."""
    rest = path.removeprefix("/api/").removeprefix("v1/")
    extra = _SERVES.get(rest) or _SERVES.get(rest.split("/")[0], ())
    return ("application/json", *extra, "application/problem+json")


def media_ranges(accept: str) -> list[tuple[str, float]]:
    """The media ranges of an ``Accept`` header, in order, each with its weight ``q`` (RFC 9110,
    kept within 0-1; the last ``q`` of a range counts). A range that is not ``type/subtype`` or
    whose weight cannot be read (``text/csv;q=nonsense``) says nothing and is left out."""
    out: list[tuple[str, float]] = []
    for part in accept.lower().split(",")[:50]:
        media, *params = (p.strip() for p in part.split(";"))
        if not _MEDIA.match(media):
            continue
        q = 1.0
        try:
            for param in params:
                key, _, value = param.partition("=")
                if key.strip() == "q":
                    q = min(max(plain_float(value), 0.0), 1.0)
        except ValueError:
            continue
        out.append((media, q))
    return out


def preferred(accept: str | None, offered: Sequence[str]) -> str | None:
    """The type of ``offered`` (success types, the default first) that ``accept`` prefers.

    Each offered type takes the weight of the most specific range naming it (``text/csv``
    before ``text/*`` before ``*/*``); the heaviest wins, then the one whose range is listed
    first, then the order of ``offered``; weight 0 means "not this". A missing header, or one
    of only unreadable ranges, gets ``offered[0]``; a readable header naming none of them gets
    None (a 406). ``app.negotiate`` (which format to write) and :func:`unacceptable` (the 406)
    both ask this, so that they cannot disagree: ``text/*`` passed the 406 check and was then
    answered JSON.
    """
    ranges = media_ranges(accept or "")
    if not ranges:
        return offered[0] if offered else None
    best: tuple[float, int, int, str] | None = None
    for k, o in enumerate(offered):
        major = o.partition("/")[0]
        found: tuple[int, int, float] | None = None  # (specificity, position, q)
        for i, (media, q) in enumerate(ranges):
            spec = 3 if media == o else 2 if media == major + "/*" else 1 if media == "*/*" else 0
            if spec and (found is None or spec > found[0]):
                found = (spec, i, q)
        if found is not None and found[2] > 0:
            key = (-found[2], found[1], k, o)
            best = key if best is None or key < best else best
    return None if best is None else best[3]


def unacceptable(accept: str, path: str) -> str | None:
    """Why ``accept`` asks for nothing ``path`` serves, or None when it asks for something
    (or says nothing that can be read). ``application/problem+json`` alone asks for no answer
    the endpoint gives when it succeeds (it was answered 200 with ``application/json``)."""
    offered = serves(path)
    if not media_ranges(accept) or preferred(accept, offered[:-1]) is not None:
        return None
    return (f"the Accept header names no type this endpoint serves; it serves "
            f"{', '.join(offered[:-1])} (and application/problem+json for errors)")


def _path(parts: list[str]) -> str:
    return "body field " + ".".join(parts) if parts else "the request body"


class _RepeatedKeyError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _RepeatedKeyError(key)
            seen.add(key)
    return out


class _Underflow:
    """A JSON number other than zero that a float reads as 0 (``1e-400``)."""

    def __init__(self, token: str) -> None:
        self.token = token


def _float(token: str) -> float | _Underflow:
    value = float(token)
    return _Underflow(token) if underflows(token, value) else value


def charset_problem(content_type: str) -> str | None:
    """Why a request body of ``content_type`` cannot be read, for a ``charset`` other than
    UTF-8, or None. Every body is read as UTF-8 whatever it declared: a CSV body with
    ``charset=latin-1`` was refused (round 11), while a JSON body with it was read as UTF-8
    without a word, so latin-1 bytes that also read as UTF-8 (``Ã¼`` for ``ü``) were planned as
    other text than the client sent."""
    media, *params = content_type.split(";")[:20]
    for param in params:
        key, _, value = param.partition("=")
        charset = value.strip().strip('"').strip().lower()
        if key.strip().lower() == "charset" and charset not in ("utf-8", "utf8", "us-ascii"):
            media = media.strip().lower()
            what = "CSV" if media == "text/csv" else "JSON" if (
                media == "application/json" or media.endswith("+json")) else "request"
            return (f"the {what} body is declared charset={charset[:30]}; it is read as UTF-8: "
                    "send it as UTF-8 (charset=utf-8)")
    return None


def json_problem(body: bytes) -> str | None:
    """Why ``body`` is not an acceptable JSON document, or None (malformed JSON is left to the
    framework's own 422, which names the position)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "the request body is not UTF-8 text, which JSON must be"
    # The framework reads the bytes as json.loads does, guessing UTF-16 or UTF-32 from NUL bytes
    # among the first four: such a body is refused here, as every other non-UTF-8 one is.
    if json.detect_encoding(body) not in ("utf-8", "utf-8-sig"):
        return "the request body is not UTF-8 text, which JSON must be"
    try:
        doc = json.loads(text, parse_constant=_NonFinite, object_pairs_hook=_unique,
                         parse_float=_float)
    except _RepeatedKeyError as twice:  # JSON parsers keep one of the two values, silently
        return f"the request body gives the key {twice.key[:60]!r} twice in one object"
    except json.JSONDecodeError:
        return None
    except RecursionError:
        return f"the request body nests more than {MAX_JSON_DEPTH} levels deep"
    except ValueError:  # an integer literal of thousands of digits
        return "the request body holds a number too long to read"
    stack: list[tuple[Any, list[str], int]] = [(doc, [], 0)]
    while stack:
        value, parts, depth = stack.pop()
        if isinstance(value, _Underflow):  # 1e-400 was "should be greater than 0"
            return f"{_path(parts)} is {value.token[:40]}, too small a number to read (it " \
                   "underflows to 0)"
        if isinstance(value, _NonFinite) or (isinstance(value, float) and not math.isfinite(value)):
            if isinstance(value, _NonFinite):
                return f"{_path(parts)} is {value.token}, not a finite number"
            return f"{_path(parts)} overflows to infinity, not a finite number"
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return f"{_path(parts)} holds a lone surrogate, which is not valid Unicode text"
        elif isinstance(value, dict | list):
            if depth >= MAX_JSON_DEPTH:
                return f"{_path(parts)} nests more than {MAX_JSON_DEPTH} levels deep"
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                name = str(key)
                if isinstance(key, str):
                    try:
                        name.encode("utf-8")
                    except UnicodeEncodeError:
                        return f"{_path(parts)} has a key with a lone surrogate, which is not " \
                               "valid Unicode text"
                stack.append((item, [*parts, name[:40]], depth + 1))
    return None


def _query_fields(dependant: Any) -> Iterator[Any]:
    """The query parameters of a route's dependant and of its dependencies'."""
    yield from dependant.query_params
    for sub in dependant.dependencies:
        yield from _query_fields(sub)


class StrictQueryRoute(APIRoute):
    """An API route whose query string may name only the route's own query parameters, each
    at most once (unless the parameter is a list): anything else would be silently ignored."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        fields = list(_query_fields(self.dependant))
        allowed = {f.alias for f in fields}
        lists = {f.alias for f in fields
                 if getattr(f.field_info.annotation, "__origin__", None) in (list, tuple, set)}
        numbers = {f.alias for f in fields if takes_number(f.field_info.annotation)}

        async def strict_handler(request: Request) -> Response:
            names = [k for k, _ in request.query_params.multi_items()]
            unknown = sorted({n for n in names if n not in allowed})
            if unknown:
                shown = ", ".join(repr(n[:40]) for n in unknown[:3])
                takes = ("it takes " + ", ".join(sorted(allowed))) if allowed \
                    else "it takes none"
                raise ConstraintError(f"unknown query parameter(s) {shown} for "
                                      f"{request.method} {self.path}; {takes}")
            repeated = sorted({n for n in names if names.count(n) > 1 and n not in lists})
            if repeated:
                raise ConstraintError(f"query parameter {repeated[0][:40]!r} is given more than "
                                      "once; give it once")
            for name, value in request.query_params.multi_items():
                if name in numbers:  # the validator reads 1_0 as 10
                    try:
                        plain_float(value)
                    except UnreadableNumberError as exc:
                        raise ConstraintError(f"query parameter {name!r}: {exc}") from None
                    except ValueError:
                        raise ConstraintError(f"query parameter {name!r} takes a plain decimal "
                                              f"number, not {value.strip()[:40]!r}") from None
            return await handler(request)

        return strict_handler


class Guard:
    """Body limit, strict JSON and security headers around an ASGI app.

    Parameters
    ----------
    app
        The wrapped application.
    max_body
        Largest body read, in bytes.
    """

    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = CSP.encode()
        head = scope["method"] == "HEAD"
        if head:  # a copy: the server reads the original scope to leave the body out itself
            scope = {**scope, "method": "GET"}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() not in (b"content-security-policy",)]
                headers += [(b"content-security-policy", csp), *_HEADERS]
                message["headers"] = headers
            elif head and message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return  # the headers (Content-Length included) are those of the GET
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        accept = headers.get(b"accept")
        if accept is not None and scope.get("path", "").startswith("/api/"):
            why = unacceptable(accept.decode("latin-1"), scope["path"])
            if why is not None:
                await problem(406, why, kind="not-acceptable", title="Not acceptable")(
                    scope, receive, send_with_headers)
                return
        encoding = headers.get(b"content-encoding", b"").strip().lower()
        if encoding not in (b"", b"identity"):
            await problem(415, f"the request body is sent with Content-Encoding "
                          f"{encoding.decode('latin-1')[:20]!r}; send it uncompressed",
                          kind="unsupported-encoding", title="Unsupported media type")(
                scope, receive, send_with_headers)
            return
        length = headers.get(b"content-length")
        chunked = b"chunked" in headers.get(b"transfer-encoding", b"").lower()
        if length is None and not chunked:
            await self.app(scope, receive, send_with_headers)
            return
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await self._too_large(scope, receive, send_with_headers)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                await self._too_large(scope, receive, send_with_headers)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        why = charset_problem(headers.get(b"content-type", b"").decode("latin-1")) if body \
            else None
        if why is not None:
            await problem(422, why, kind="invalid-input", title="Invalid input",
                          error="ConstraintError")(scope, receive, send_with_headers)
            return
        ctype = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if body and (ctype == b"application/json" or ctype.endswith(b"+json")):
            why = json_problem(body)
            if why is not None:
                await problem(422, why, kind="invalid-request", title="Invalid request")(
                    scope, receive, send_with_headers)
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send_with_headers)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(413, f"the request body is over the limit of {self.max_body:,} bytes",
                           kind="too-large", title="Content too large",
                           headers={"Connection": "close"})
        await response(scope, receive, send)
