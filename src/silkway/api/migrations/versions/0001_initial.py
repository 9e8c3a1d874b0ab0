"""Initial schema: saved plans, saved scenarios and background jobs.

Revision ID: 0001
Revises:
Create Date: 2025-06-01

Each table has an integer surrogate key ``pk`` (insertion order, the tie-breaker for "newest
first") and a public ``id`` (12 random url-safe characters, unique). JSON documents are stored
as text, so the schema is the same on SQLite and PostgreSQL. Timestamps are UTC.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _common() -> list[sa.Column[Any]]:
    return [
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=16), nullable=False),
    ]


def _stamps() -> list[sa.Column[Any]]:
    return [
        sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    ]


def upgrade() -> None:
    """Create the tables ``plans``, ``scenarios`` and ``jobs`` with their indexes."""
    op.create_table(
        "plans",
        *_common(),
        sa.Column("title", sa.String(length=120), nullable=True),
        sa.Column("request", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        *_stamps(),
        sa.PrimaryKeyConstraint("pk", name="pk_plans"),
    )
    op.create_index("ix_plans_id", "plans", ["id"], unique=True)
    op.create_index("ix_plans_created", "plans", ["created"])

    op.create_table(
        "scenarios",
        *_common(),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("yaml", sa.Text(), nullable=False),
        *_stamps(),
        sa.PrimaryKeyConstraint("pk", name="pk_scenarios"),
    )
    op.create_index("ix_scenarios_id", "scenarios", ["id"], unique=True)
    op.create_index("ix_scenarios_name", "scenarios", ["name"])
    op.create_index("ix_scenarios_created", "scenarios", ["created"])

    op.create_table(
        "jobs",
        *_common(),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("progress", sa.Float(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        *_stamps(),
        sa.PrimaryKeyConstraint("pk", name="pk_jobs"),
    )
    op.create_index("ix_jobs_id", "jobs", ["id"], unique=True)
    op.create_index("ix_jobs_status", "jobs", ["status"])
    op.create_index("ix_jobs_created", "jobs", ["created"])


def downgrade() -> None:
    """Drop the three tables (and with them their indexes)."""
    op.drop_table("jobs")
    op.drop_table("scenarios")
    op.drop_table("plans")
