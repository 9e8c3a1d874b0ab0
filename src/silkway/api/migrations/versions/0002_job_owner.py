"""Jobs record the server process that runs them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01

``owner`` is ``host:pid:instance`` of the server that accepted the job. A server starting up
(or answering a poll) marks a queued or running job failed when its owner process is gone, so a
job never stays ``running`` after the server that ran it was killed.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the nullable ``jobs.owner`` column (older jobs have no owner)."""
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("owner", sa.String(length=120), nullable=True))


def downgrade() -> None:
    """Drop ``jobs.owner``."""
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("owner")
