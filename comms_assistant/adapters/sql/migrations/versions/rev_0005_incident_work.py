"""The work around an incident (issue 21): its follow-up actions, each a Planner task
(`actions`), and its meetings, the bridge and the review meeting (`incidents.meetings`, JSON,
NULL for incidents from before).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-09
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # What is there already is left (as 0001 does): a database whose alembic_version was lost
    # is brought to the head by the same upgrade.
    inspector = sa.inspect(op.get_bind())
    if not inspector.has_table("actions"):
        op.create_table(
            "actions",
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("incident_id", sa.Integer(), sa.ForeignKey("incidents.id"), nullable=False),
            sa.Column("number", sa.Integer(), nullable=False),
            sa.Column("text", sa.Text(), nullable=False),
            sa.Column("owner", sa.String(320), nullable=False),
            sa.Column("due", sa.Date(), nullable=True),
            sa.Column("state", sa.String(16), nullable=False),
            sa.Column("added_by", sa.String(320), nullable=False),
            sa.Column("added_at", sa.DateTime(), nullable=False),
            sa.Column("task_id", sa.String(64), nullable=True),
            sa.Column("task_etag", sa.String(200), nullable=True),
            sa.UniqueConstraint("incident_id", "number"),
        )
    if "meetings" not in {c["name"] for c in inspector.get_columns("incidents")}:
        op.add_column("incidents", sa.Column("meetings", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("meetings")
    op.drop_table("actions")
