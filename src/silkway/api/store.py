"""Storage of the API's saved work: plans, scenarios and background jobs.

One :class:`Store` wraps one SQLAlchemy engine over SQLite (the default, a single file) or
PostgreSQL, and brings the schema to the newest Alembic revision when it opens. Every method
uses its own short session, so one store can be shared by the request handlers and the batch
thread of the API. JSON documents are stored as text, which keeps the schema identical on both
databases.

Public ids are 12 url-safe random characters from :func:`secrets.token_urlsafe` (72 bits):
never sequential, never guessable, and only ever compared as bound parameters, never formatted
into SQL. Every error a caller can cause is a :class:`~silkway.errors.ConstraintError` (bad
input) or a :class:`~silkway.errors.BackendError` (the database cannot be opened or fails), each
with a one-sentence message. Messages may name the database (never its password); the HTTP API
shows none of them to clients.
"""

from __future__ import annotations

import json
import logging
import math
import re
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from enum import Enum
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.util import CommandError
from sqlalchemy import (
    URL,
    Connection,
    CursorResult,
    Engine,
    create_engine,
    event,
    select,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from silkway._redact import hide_credentials
from silkway._text import blank, control_char
from silkway.api._tables import (
    MAX_NAME_CHARS,
    MAX_OWNER_CHARS,
    MAX_TITLE_CHARS,
    Base,
    JobRow,
    PlanRow,
    ScenarioRow,
    UTCDateTime,
    _now,
)
from silkway.errors import BackendError, ConstraintError

__all__ = ["JOB_STATUSES", "MAX_JSON_BYTES", "MAX_NAME_CHARS", "MAX_TITLE_CHARS", "MAX_YAML_BYTES",
           "UNFINISHED", "Base", "JobRow", "PlanRow", "ScenarioRow", "Store", "UTCDateTime",
           "alembic_config"]

log = logging.getLogger(__name__)

MAX_YAML_BYTES = 64 * 1024
"""Largest scenario YAML text, in UTF-8 bytes."""

MAX_JSON_BYTES = 64 * 1024 * 1024
"""Largest JSON document (plan request or result, job payload or result), in UTF-8 bytes."""

MAX_ERROR_CHARS = 2000
"""A job's error message is cut to this length (a failing job must still be able to say why)."""

MAX_LIST = 1000
"""Largest ``limit`` of :meth:`Store.list_plans`."""

JOB_STATUSES = ("queued", "running", "done", "failed", "cancelled")
"""The states of a job: created ``queued``; ``done``, ``failed`` and ``cancelled`` are final."""

UNFINISHED = ("queued", "running")
"""The states of a job that has not ended yet."""

_ID_BYTES = 9  # token_urlsafe(9) is exactly 12 characters
_ID_RE = re.compile(r"[A-Za-z0-9_-]{12}")
_KIND_RE = re.compile(r"[a-z][a-z0-9_-]{0,39}")
_ID_ATTEMPTS = 5
_PG_CONNECT_TIMEOUT_S = 10
_SQLITE_BUSY_TIMEOUT_S = 30.0
_SQLITE_ARGUMENTS = frozenset({"uri", "timeout", "isolation_level", "detect_types",
                               "check_same_thread", "cached_statements"})
"""Query arguments of a ``sqlite:///`` URL that SQLAlchemy's pysqlite driver reads."""
_MIGRATION_LOCK_KEY = 0x51_1C_0A_71  # pg_advisory_xact_lock key: one migrating process at a time
_MIGRATION_LOCK = threading.Lock()  # and one migrating store at a time in this process
_IMMEDIATE = "silkway_sqlite_immediate"  # execution option: open a SQLite write transaction


def _migrations_path() -> str:
    return str(resources.files("silkway.api").joinpath("migrations"))


def alembic_config(connection: Connection | None = None, *, url: str | None = None) -> Config:
    """An Alembic configuration for the packaged migrations, built in code (no ``alembic.ini``).

    Parameters
    ----------
    connection
        Run the migrations on this connection (and its transaction), as :class:`Store` does.
    url
        Else connect to this SQLAlchemy URL (for developers writing a new revision).

    Returns
    -------
    alembic.config.Config
        Ready for :func:`alembic.command.upgrade` and friends.
    """
    cfg = Config()
    # set_main_option interpolates "%" (configparser): escape it in paths and URLs
    cfg.set_main_option("script_location", _migrations_path().replace("%", "%%"))
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def _reason(exc: BaseException) -> str:
    """The first line of a driver's message, without SQLAlchemy's decorations."""
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc) or type(exc).__name__
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), type(exc).__name__)
    return re.sub(r"\s+", " ", line).rstrip(".")


def _encode(value: Any, what: str) -> str:
    """JSON text of ``value``; dates become ISO strings and enums their values."""

    def default(obj: Any) -> Any:
        if isinstance(obj, datetime | date):
            return obj.isoformat()
        if isinstance(obj, Enum):
            return obj.value
        raise TypeError(type(obj).__name__)

    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"),
                          default=default)
    except TypeError as exc:
        raise ConstraintError(f"{what} is not JSON: it holds a value of type {exc}") from None
    except ValueError:
        raise ConstraintError(f"{what} holds a NaN or infinite number, which JSON cannot store") from None
    except RecursionError:
        raise ConstraintError(f"{what} is nested too deeply to store as JSON") from None
    if len(text.encode("utf-8")) > MAX_JSON_BYTES:
        raise ConstraintError(f"{what} is over {MAX_JSON_BYTES // (1024 * 1024)} MiB as JSON")
    return text


def _decode(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _iso(ts: datetime) -> str:
    """ISO 8601 in UTC with milliseconds and a ``Z``, e.g. ``2025-06-01T12:34:56.789Z``."""
    return ts.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _valid_id(value: object) -> bool:
    return isinstance(value, str) and _ID_RE.fullmatch(value) is not None


def _text(value: object, what: str, *, limit: int, optional: bool = False) -> str | None:
    """A stripped one-line text of at most ``limit`` characters (``None`` for blank if optional)."""
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise ConstraintError(f"{what} must be text, not {type(value).__name__}")
    text = value.strip()
    if blank(text):  # "\u200b" alone was a title no one could see
        if optional:
            return None
        raise ConstraintError(f"{what} must not be empty")
    if len(text) > limit:
        raise ConstraintError(f"{what} is {len(text)} characters long; the limit is {limit}")
    if any(ch in text for ch in "\x00\r\n"):
        raise ConstraintError(f"{what} must be one line without NUL characters")
    ch = control_char(text)
    if ch is not None:  # a title of "\u202egnp.exe" showed as "exe.png" on the page
        raise ConstraintError(f"{what} holds the control character U+{ord(ch):04X}")
    return text


class Store:
    """Saved plans, scenarios and jobs in one SQL database, safe to share between threads.

    Parameters
    ----------
    url
        SQLAlchemy URL: ``sqlite:///path/to/silkway.db`` (the default use; ``sqlite://`` is an
        in-memory database private to this store) or ``postgresql+psycopg://user:pass@host/db``
        (plain ``postgresql://`` means the same). The schema is migrated to the newest
        revision on opening, so opening the same database again is harmless.

    Raises
    ------
    ConstraintError
        If ``url`` is not a SQLAlchemy URL or names another database than SQLite or PostgreSQL
        (the user's setting: exit 2).
    BackendError
        If the database cannot be opened or migrated: ``cannot open the database URL: reason``
        (the password is never shown).

    Notes
    -----
    On SQLite the store serializes its own calls with a lock (SQLite allows one writer at a
    time) and waits up to 30 s for other processes' locks; the file uses write-ahead logging so
    readers in other processes are not blocked. PostgreSQL needs neither.
    """

    def __init__(self, url: str) -> None:
        self._url_shown = "the database"
        try:
            parsed = make_url(url)
        except (ArgumentError, ValueError, TypeError) as exc:
            shown = hide_credentials(str(url))  # never show a password
            raise ConstraintError(f"cannot open the database {shown!r}: it is not a SQLAlchemy URL "
                            f"({_reason(exc)})") from None
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        self._url_shown = hide_credentials(parsed.render_as_string(hide_password=True))
        backend = parsed.get_backend_name()
        if backend not in ("sqlite", "postgresql"):
            raise ConstraintError(f"cannot open the database {self._url_shown}: only sqlite:/// and "
                            f"postgresql+psycopg:// URLs are supported, not {backend}")
        self._sqlite = backend == "sqlite"
        if self._sqlite:
            self._check_sqlite(parsed)
        self._lock: threading.Lock | None = threading.Lock() if self._sqlite else None
        self._closed = False
        try:
            self._engine = self._create_engine(parsed)
        except (NoSuchModuleError, ImportError, ArgumentError, TypeError) as exc:
            raise BackendError(f"cannot open the database {self._url_shown}: "
                            f"its driver is not available ({_reason(exc)})") from None
        try:
            self._migrate()
        except (SQLAlchemyError, CommandError, OSError, ImportError) as exc:
            log.debug("opening %s failed", self._url_shown, exc_info=True)
            self._engine.dispose()
            raise BackendError(f"cannot open the database {self._url_shown}: {self._why(exc)}") from None
        self._sessions = sessionmaker(self._engine, expire_on_commit=False)
        log.info("store open at %s", self._url_shown)

    # -- set-up -------------------------------------------------------------------------------

    def _check_sqlite(self, url: URL) -> None:
        """Refuse a SQLite URL that would not be read as written: a file in a folder that does
        not exist (it was made unasked, typo and all), or query arguments the driver ignores
        (``?password=``: a warning naming a source file, and the database opened without it)."""
        ignored = sorted(set(url.query) - _SQLITE_ARGUMENTS) if "uri" not in url.query else []
        if ignored:
            raise ConstraintError(
                f"cannot open the database {self._url_shown}: SQLite does not read the URL's "
                f"argument(s) {', '.join(repr(k[:40]) for k in ignored[:3])}; leave them out, "
                "or add uri=true to pass them to SQLite as URI parameters")
        if url.database in (None, "", ":memory:") or "uri" in url.query:
            return
        folder = Path(url.database).expanduser().parent
        if not folder.is_dir():
            raise ConstraintError(
                f"cannot open the database {self._url_shown}: the folder {folder} does not "
                "exist; create it, or name a file in a folder that does")

    @staticmethod
    def _create_engine(url: URL) -> Engine:
        if url.get_backend_name() == "postgresql":
            return create_engine(url, pool_pre_ping=True,
                                 connect_args={"connect_timeout": _PG_CONNECT_TIMEOUT_S,
                                               "application_name": "silkway"})
        memory = url.database in (None, "", ":memory:")
        if memory:
            engine = create_engine(url, poolclass=StaticPool,
                                   connect_args={"check_same_thread": False})
        else:
            engine = create_engine(url, connect_args={"timeout": _SQLITE_BUSY_TIMEOUT_S,
                                                      "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy, not the sqlite3 module, emit BEGIN, so DDL is transactional too.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            try:
                cur.execute(f"PRAGMA busy_timeout = {int(_SQLITE_BUSY_TIMEOUT_S * 1000)}")
                if not memory:
                    cur.execute("PRAGMA journal_mode = WAL")
            finally:
                cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            immediate = conn.get_execution_options().get(_IMMEDIATE, False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine

    def _migrate(self) -> None:
        """Upgrade the schema to head, one migrating process (and store) at a time."""
        with _MIGRATION_LOCK, self._engine.connect() as raw:
            conn = raw.execution_options(**{_IMMEDIATE: True}) if self._sqlite else raw
            with conn.begin():
                if not self._sqlite:
                    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK_KEY})")
                command.upgrade(alembic_config(conn), "head")

    def _why(self, exc: BaseException) -> str:
        if isinstance(exc, CommandError) and "Can't locate revision" in str(exc):
            return f"its schema is newer than this silkway knows ({_reason(exc)})"
        return _reason(exc)

    # -- sessions -----------------------------------------------------------------------------

    @contextmanager
    def _session(self, action: str, *, write: bool = False) -> Iterator[Session]:
        """A short session in one transaction; database failures become :class:`BackendError`."""
        if self._closed:
            raise BackendError(f"the database {self._url_shown} is closed")
        lock = self._lock
        if lock is not None:
            lock.acquire()
        try:
            bind = self._engine.execution_options(**{_IMMEDIATE: True}) if self._sqlite and write \
                else self._engine
            with self._sessions(bind=bind) as session, session.begin():
                yield session
        except IntegrityError:
            raise  # callers retry on an id collision
        except SQLAlchemyError as exc:
            log.debug("%s on %s failed", action, self._url_shown, exc_info=True)
            raise BackendError(f"the database {self._url_shown} failed to {action}: {_reason(exc)}") from None
        finally:
            if lock is not None:
                lock.release()

    def _insert(self, make: Any, action: str) -> str:
        """Insert ``make(new_id)``, drawing a fresh id on the (astronomically rare) collision."""
        for _ in range(_ID_ATTEMPTS):
            new_id = secrets.token_urlsafe(_ID_BYTES)
            try:
                with self._session(action, write=True) as s:
                    s.add(make(new_id))
                return new_id
            except IntegrityError as exc:
                log.warning("id collision or constraint failure while trying to %s: %s", action,
                            _reason(exc))
        raise BackendError(f"the database {self._url_shown} failed to {action}: no free id after "
                        f"{_ID_ATTEMPTS} attempts")

    # -- plans --------------------------------------------------------------------------------

    def save_plan(self, request: dict[str, Any], result: dict[str, Any], title: str | None = None) -> str:
        """Save a plan's request and result.

        Parameters
        ----------
        request
            The query that made the plan (JSON-serializable; dates are stored as ISO strings).
        result
            The plan JSON contract.
        title
            Optional one-line title, at most :data:`MAX_TITLE_CHARS` characters.

        Returns
        -------
        str
            The new plan's id (12 url-safe random characters).

        Raises
        ------
        ConstraintError
            If an argument is not a dict, not JSON, too large, or the title is too long.
        """
        if not isinstance(request, dict) or not isinstance(result, dict):
            raise ConstraintError("a saved plan needs its request and its result as JSON objects")
        title_text = _text(title, "plan title", limit=MAX_TITLE_CHARS, optional=True)
        request_json = _encode(request, "plan request")
        result_json = _encode(result, "plan result")
        return self._insert(lambda i: PlanRow(id=i, title=title_text, request=request_json,
                                              result=result_json), "save a plan")

    def get_plan(self, plan_id: str) -> dict[str, Any] | None:
        """A saved plan as ``{"id", "title", "request", "result", "created"}``, or ``None``.

        ``created`` is ISO 8601 in UTC. An id of the wrong shape is simply not found.
        """
        if not _valid_id(plan_id):
            return None
        with self._session("read a plan") as s:
            row = s.scalars(select(PlanRow).where(PlanRow.id == plan_id)).one_or_none()
        if row is None:
            return None
        return {"id": row.id, "title": row.title, "request": _decode(row.request),
                "result": _decode(row.result), "created": _iso(row.created)}

    def list_plans(self, limit: int = 50) -> list[dict[str, Any]]:
        """Saved plans, newest first, as ``{"id", "title", "request", "created"}`` (no result).

        Parameters
        ----------
        limit
            Most plans to return, 1 to :data:`MAX_LIST`.
        """
        _check_limit(limit, "plans")
        query = (select(PlanRow.id, PlanRow.title, PlanRow.request, PlanRow.created)
                 .order_by(PlanRow.created.desc(), PlanRow.pk.desc()).limit(limit))
        with self._session("list plans") as s:
            rows = s.execute(query).all()
        return [{"id": r.id, "title": r.title, "request": _decode(r.request), "created": _iso(r.created)}
                for r in rows]

    def delete_plan(self, plan_id: str) -> bool:
        """Delete a saved plan; ``False`` when there is no plan with that id."""
        if not _valid_id(plan_id):
            return False
        with self._session("delete a plan", write=True) as s:
            row = s.scalars(select(PlanRow).where(PlanRow.id == plan_id)).one_or_none()
            if row is None:
                return False
            s.delete(row)
        return True

    # -- scenarios ----------------------------------------------------------------------------

    def save_scenario(self, name: str, yaml_text: str) -> str:
        """Save a scenario's YAML text under a name (names need not be unique).

        Parameters
        ----------
        name
            One line, at most :data:`MAX_NAME_CHARS` characters.
        yaml_text
            The scenario, at most :data:`MAX_YAML_BYTES` bytes of UTF-8; stored as given
            (it is parsed and checked by :mod:`silkway.analysis.scenarios`, not here).

        Returns
        -------
        str
            The new scenario's id.

        Raises
        ------
        ConstraintError
            If the name or the YAML text is empty, too long or not text.
        """
        scenario_name = _text(name, "scenario name", limit=MAX_NAME_CHARS)
        if not isinstance(yaml_text, str):
            raise ConstraintError(f"scenario YAML must be text, not {type(yaml_text).__name__}")
        if not yaml_text.strip():
            raise ConstraintError("scenario YAML must not be empty")
        try:
            size = len(yaml_text.encode("utf-8"))
        except UnicodeEncodeError:
            raise ConstraintError("scenario YAML is not valid Unicode text") from None
        if size > MAX_YAML_BYTES:
            raise ConstraintError(f"scenario YAML is {size:,} bytes; the limit is {MAX_YAML_BYTES:,}")
        if "\x00" in yaml_text:
            raise ConstraintError("scenario YAML must not contain NUL characters")
        return self._insert(lambda i: ScenarioRow(id=i, name=scenario_name, yaml=yaml_text),
                            "save a scenario")

    def get_scenario(self, scenario_id: str) -> dict[str, Any] | None:
        """A saved scenario as ``{"id", "name", "yaml", "created"}``, or ``None``."""
        if not _valid_id(scenario_id):
            return None
        with self._session("read a scenario") as s:
            row = s.scalars(select(ScenarioRow).where(ScenarioRow.id == scenario_id)).one_or_none()
        if row is None:
            return None
        return {"id": row.id, "name": row.name, "yaml": row.yaml, "created": _iso(row.created)}

    def list_scenarios(self, limit: int = 50) -> list[dict[str, Any]]:
        """Saved scenarios, newest first, as ``{"id", "name", "created"}`` (no YAML): at most
        ``limit`` (1 to :data:`MAX_LIST`), as :meth:`list_plans` (every saved one was listed)."""
        _check_limit(limit, "scenarios")
        query = (select(ScenarioRow.id, ScenarioRow.name, ScenarioRow.created)
                 .order_by(ScenarioRow.created.desc(), ScenarioRow.pk.desc()).limit(limit))
        with self._session("list scenarios") as s:
            rows = s.execute(query).all()
        return [{"id": r.id, "name": r.name, "created": _iso(r.created)} for r in rows]

    # -- jobs ---------------------------------------------------------------------------------

    def create_job(self, kind: str, payload: dict[str, Any], *, owner: str | None = None) -> str:
        """Record a new job, ``queued`` with progress 0.

        Parameters
        ----------
        kind
            What the job does, e.g. ``"batch"`` (lower-case letters, digits, ``_``, ``-``;
            at most 40 characters).
        payload
            The job's input or description (JSON object).
        owner
            Which server process runs the job (``host:pid:instance``), so that a restarted
            server can tell its predecessor's orphaned jobs from its neighbours' live ones.

        Returns
        -------
        str
            The new job's id.
        """
        if not isinstance(kind, str) or _KIND_RE.fullmatch(kind) is None:
            raise ConstraintError(f"job kind {kind!r} must be 1-40 lower-case letters, digits, '_' or '-'")
        if not isinstance(payload, dict):
            raise ConstraintError("a job's payload must be a JSON object")
        payload_json = _encode(payload, "job payload")
        owner_text = _text(owner, "job owner", limit=MAX_OWNER_CHARS, optional=True)
        return self._insert(lambda i: JobRow(id=i, kind=kind, status="queued", progress=0.0,
                                             payload=payload_json, owner=owner_text),
                            "create a job")

    def update_job(self, job_id: str, *, status: str, progress: float | None = None,
                   result: dict[str, Any] | list[Any] | None = None, error: str | None = None,
                   expect: tuple[str, ...] | None = None) -> bool:
        """Set a job's status and, when given, its progress, result or error.

        Parameters
        ----------
        job_id
            The id :meth:`create_job` returned.
        status
            One of :data:`JOB_STATUSES`.
        progress
            Fraction done, 0 to 1; ``None`` leaves it unchanged.
        result
            The outcome (JSON object or array); ``None`` leaves it unchanged.
        error
            Why the job failed; ``None`` leaves it unchanged. Longer messages are cut to
            :data:`MAX_ERROR_CHARS` characters rather than refused, so a failing job can
            always record its failure.
        expect
            Change the job only if its status is one of these (an atomic compare-and-set, so a
            job marked failed by a shutdown is not later overwritten by its worker).

        Returns
        -------
        bool
            Whether the job was changed (always True without ``expect``).

        Raises
        ------
        ConstraintError
            If the job does not exist or an argument is invalid.
        """
        if status not in JOB_STATUSES:
            raise ConstraintError(f"job status {status!r} is not one of {', '.join(JOB_STATUSES)}")
        values: dict[str, Any] = {"status": status, "updated": _now()}
        if progress is not None:
            if isinstance(progress, bool) or not isinstance(progress, int | float) \
                    or not math.isfinite(progress) or not 0.0 <= progress <= 1.0:
                raise ConstraintError(f"job progress {progress!r} must be a fraction from 0 to 1")
            values["progress"] = float(progress)
        if result is not None:
            if not isinstance(result, dict | list):
                raise ConstraintError("a job's result must be a JSON object or array")
            values["result"] = _encode(result, "job result")
        if error is not None:
            if not isinstance(error, str):
                raise ConstraintError(f"a job's error must be text, not {type(error).__name__}")
            text = error.replace("\x00", "")
            values["error"] = text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 1] + "…"
        if not _valid_id(job_id):
            raise ConstraintError(f"unknown job {job_id!r}")
        query = update(JobRow).where(JobRow.id == job_id)
        if expect is not None:
            query = query.where(JobRow.status.in_(expect))
        with self._session("update a job", write=True) as s:
            done: CursorResult[Any] = s.execute(query.values(**values))  # type: ignore[assignment]
            found = done.rowcount
        if found == 0:
            if expect is not None and self.get_job(job_id) is not None:
                return False
            raise ConstraintError(f"unknown job {job_id!r}")
        return True

    def unfinished_jobs(self) -> list[dict[str, Any]]:
        """Jobs still ``queued`` or ``running``, oldest first, as ``{"id", "status", "owner",
        "updated"}`` (``updated`` an aware UTC datetime)."""
        query = (select(JobRow.id, JobRow.status, JobRow.owner, JobRow.updated)
                 .where(JobRow.status.in_(UNFINISHED)).order_by(JobRow.pk))
        with self._session("list unfinished jobs") as s:
            rows = s.execute(query).all()
        return [{"id": r.id, "status": r.status, "owner": r.owner, "updated": r.updated}
                for r in rows]

    def get_job(self, job_id: str) -> dict[str, Any] | None:
        """A job as ``{"id", "kind", "status", "progress", "payload", "result", "error",
        "created", "updated", "owner"}``, or ``None``."""
        if not _valid_id(job_id):
            return None
        with self._session("read a job") as s:
            row = s.scalars(select(JobRow).where(JobRow.id == job_id)).one_or_none()
        if row is None:
            return None
        return {"id": row.id, "kind": row.kind, "status": row.status, "progress": row.progress,
                "payload": _decode(row.payload), "result": _decode(row.result), "error": row.error,
                "created": _iso(row.created), "updated": _iso(row.updated), "owner": row.owner}

    # -- life cycle ---------------------------------------------------------------------------

    def close(self) -> None:
        """Release the database connections; later calls raise :class:`BackendError`. Idempotent."""
        if not self._closed:
            self._closed = True
            self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self._url_shown!r})"


def _check_limit(limit: int, what: str) -> None:
    """The one rule of a listing's ``limit``: a whole number from 1 to :data:`MAX_LIST`."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIST:
        raise ConstraintError(f"the number of {what} to list must be a whole number from 1 to "
                              f"{MAX_LIST}")
