"""send_slots: the sends every process counts against a shared limit (a mailbox's 30 a minute
and 4 at once, a Teams channel's 4 a second), one row per send started.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "send_slots",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_send_slots_key_started_at", "send_slots", ["key", "started_at"])


def downgrade() -> None:
    op.drop_index("ix_send_slots_key_started_at", table_name="send_slots")
    op.drop_table("send_slots")
