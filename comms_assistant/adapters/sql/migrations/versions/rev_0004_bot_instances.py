"""Bot instances: who owns each acknowledged turn, and which instances are alive.

`bot_turns.owner` is the instance that accepted a turn (nullable: turns already there belong to
nobody, and the next instance to look takes them over); `bot_instances` holds each running
`serve` process's heartbeat (adapters/sql/bot_instances.py). On SQLite the journal is the file
bot-turns.db, which turn_journal.open_journal completes the same way; state.db gets the same
(empty) tables here so one schema serves both engines.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # What is there already is left (as 0001 does): a database whose alembic_version was lost
    # is brought to the head by the same upgrade.
    inspector = sa.inspect(op.get_bind())
    if not inspector.has_table("bot_instances"):
        op.create_table(
            "bot_instances",
            sa.Column("id", sa.String(128), primary_key=True),
            sa.Column("started_at", sa.DateTime(), nullable=False),
            sa.Column("last_seen", sa.DateTime(), nullable=False),
        )
        op.create_index("ix_bot_instances_last_seen", "bot_instances", ["last_seen"])
    if "owner" not in {c["name"] for c in inspector.get_columns("bot_turns")}:
        op.add_column("bot_turns", sa.Column("owner", sa.String(128), nullable=True))
        op.create_index("ix_bot_turns_owner", "bot_turns", ["owner"])


def downgrade() -> None:
    op.drop_index("ix_bot_turns_owner", table_name="bot_turns")
    with op.batch_alter_table("bot_turns") as batch:
        batch.drop_column("owner")
    op.drop_index("ix_bot_instances_last_seen", table_name="bot_instances")
    op.drop_table("bot_instances")
