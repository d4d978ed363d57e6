"""When an incident began, where `open … started: 09:05` said (issue 24): the register's time
to declare counts from it. NULL for incidents from before, and where nobody said. And its
messages held back for their wording, and how each ended (`holds`, JSON; NULL: none known).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # What is there already is left (as 0001 does).
    inspector = sa.inspect(op.get_bind())
    columns = {c["name"] for c in inspector.get_columns("incidents")}
    if "started_at" not in columns:
        op.add_column("incidents", sa.Column("started_at", sa.DateTime(), nullable=True))
    if "holds" not in columns:
        op.add_column("incidents", sa.Column("holds", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("holds")
        batch.drop_column("started_at")
