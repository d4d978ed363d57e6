"""The counters table, for incident numbers handed out atomically, seeded from the incidents there.

Until now an incident's number was the year's highest + 1, read and then written: two processes
opening at once could both read 4 and both write 5. The counter row is bumped with
INSERT ... ON CONFLICT DO UPDATE ... RETURNING, which makes the second wait for the first. The
seed is for tidiness: each bump also takes at least the year's highest + 1 (incidents.py).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("counters"):
        # Made by create_all in a database from before the migrations, which 0001 completes.
        return
    op.create_table(
        "counters",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.Integer(), nullable=False),
    )
    # Each year's highest number so far, so the next incident follows on.
    op.execute(
        sa.text(
            "INSERT INTO counters (name, value) "
            "SELECT 'incident:' || CAST(year AS VARCHAR(8)), MAX(number) FROM incidents "
            "GROUP BY year"
        )
    )


def downgrade() -> None:
    op.drop_table("counters")
