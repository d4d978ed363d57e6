"""Notices about no incident (issue 23): a mistake in the contacts directory, the profile or the
glossary, told to the admin_email setting when no incident is open. Their outbox rows have no
incident, so `outbox.incident_id` may be NULL.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch: SQLite changes a column by copying the table; PostgreSQL alters it in place.
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("incident_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM outbox WHERE incident_id IS NULL")
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("incident_id", existing_type=sa.Integer(), nullable=False)
