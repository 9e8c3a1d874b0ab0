"""The store's tables: saved plans, saved scenarios and jobs (the migrations' target metadata).

JSON documents are stored as text, so the schema is the same on SQLite and PostgreSQL; every
timestamp is an aware UTC datetime (:class:`UTCDateTime`). Changing a table here needs a new
revision in ``silkway/api/migrations/versions``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, Dialect, Float, Integer, String, Text, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

__all__ = ["MAX_NAME_CHARS", "MAX_OWNER_CHARS", "MAX_TITLE_CHARS", "Base", "JobRow", "PlanRow",
           "ScenarioRow", "UTCDateTime"]

MAX_NAME_CHARS = 80
"""Longest scenario name, in characters."""

MAX_TITLE_CHARS = 120
"""Longest plan title, in characters."""

MAX_OWNER_CHARS = 120
"""Longest job owner (``host:pid:instance`` of the server running it)."""


def _now() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every database.

    PostgreSQL stores ``timestamp with time zone``; SQLite has no time zones, so the value is
    stored as naive UTC and made aware again when read.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert to UTC (naive on SQLite); naive input is taken as UTC already."""
        if value is None:
            return None
        aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return aware.replace(tzinfo=None) if dialect.name == "sqlite" else aware

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return an aware UTC datetime."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of the store's tables; its metadata is the migrations' target."""


class _Stamped:
    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(16), unique=True, index=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime, index=True, default=_now,
                                              server_default=func.now())
    updated: Mapped[datetime] = mapped_column(UTCDateTime, default=_now, server_default=func.now())


class PlanRow(_Stamped, Base):
    """A saved plan: the request that made it and its result, both JSON text."""

    __tablename__ = "plans"
    title: Mapped[str | None] = mapped_column(String(MAX_TITLE_CHARS))
    request: Mapped[str] = mapped_column(Text)
    result: Mapped[str] = mapped_column(Text)


class ScenarioRow(_Stamped, Base):
    """A saved scenario: its name and YAML text."""

    __tablename__ = "scenarios"
    name: Mapped[str] = mapped_column(String(MAX_NAME_CHARS), index=True)
    yaml: Mapped[str] = mapped_column(Text)


class JobRow(_Stamped, Base):
    """A background job (a batch): its state, progress and outcome."""

    __tablename__ = "jobs"
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), index=True)
    progress: Mapped[float | None] = mapped_column(Float)
    payload: Mapped[str] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(MAX_OWNER_CHARS))
