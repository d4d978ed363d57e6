"""Each worker's last cadence tick (issue 23), for /healthz and the metrics of any process.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # What is there already is left (as 0001 does).
    if not sa.inspect(op.get_bind()).has_table("worker_ticks"):
        op.create_table(
            "worker_ticks",
            sa.Column("worker", sa.String(200), primary_key=True),
            sa.Column("at", sa.DateTime(), nullable=False),
            sa.Column("ok", sa.Boolean(), nullable=False),
            sa.Column("interval", sa.Float(), nullable=False),
        )


def downgrade() -> None:
    op.drop_table("worker_ticks")
