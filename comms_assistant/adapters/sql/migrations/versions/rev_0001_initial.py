"""The schema of the versions before migrations (create_all and added columns), as revision 0001.

It makes what is missing rather than everything: an empty database gets every table, and a
state.db made by an earlier version (its tables there, no alembic_version) gets the tables and
columns it lacks, added as that version's own upgrade added them (nullable, with their default),
and is then stamped 0001 like any other. Its schema is written out here, not taken from
models.py: later revisions change the models, never what 0001 made.

Revision ID: 0001
Revises:
Create Date: 2026-12-07
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SCHEMA = sa.MetaData()
_TEXT = sa.Text()


def _at(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(), nullable=nullable)


sa.Table(
    "incidents",
    SCHEMA,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("reference", sa.String(32), nullable=False, unique=True),
    sa.Column("year", sa.Integer(), nullable=False),
    sa.Column("number", sa.Integer(), nullable=False),
    sa.Column("title", _TEXT, nullable=False),
    sa.Column("priority", sa.Integer(), nullable=False),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("impact", _TEXT, nullable=False),
    sa.Column("services", sa.JSON(), nullable=False),
    sa.Column("security", sa.Boolean(), nullable=False),
    sa.Column("leads", sa.JSON(), nullable=False),
    sa.Column("declared_by", sa.String(320), nullable=False),
    _at("declared_at"),
    _at("resolved_at", nullable=True),
    sa.Column("resolution", _TEXT, nullable=False),
    sa.Column("notified", sa.JSON(), nullable=False),
    sa.Column("updates_sent", sa.Integer(), nullable=False),
    sa.Column("advice", _TEXT, nullable=False, server_default=""),
    sa.Column("declared_title", _TEXT, nullable=False, server_default=""),
    sa.Column("priority_history", sa.JSON(), nullable=True),
    sa.Column("report_name", _TEXT, nullable=False),
    sa.Column("report_item_id", sa.String(200), nullable=True),
    sa.Column("report_url", _TEXT, nullable=True),
    sa.Column("review_name", _TEXT, nullable=True),
    sa.Column("review_url", _TEXT, nullable=True),
    _at("report_locked_at", nullable=True),
    _at("next_update_due", nullable=True),
    sa.Column("cadence_done", sa.JSON(), nullable=False, server_default="[]"),
    sa.UniqueConstraint("year", "number"),
)
sa.Table(
    "timeline",
    SCHEMA,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("incident_id", sa.Integer(), sa.ForeignKey("incidents.id"), nullable=False),
    sa.Column("seq", sa.Integer(), nullable=False),
    _at("at"),
    sa.Column("who", sa.String(320), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("text", _TEXT, nullable=False),
    sa.UniqueConstraint("incident_id", "seq"),
)
sa.Table(
    "drafts",
    SCHEMA,
    sa.Column("author", sa.String(320), primary_key=True),
    sa.Column("incident", sa.String(32), nullable=True),
    sa.Column("command", _TEXT, nullable=False),
    sa.Column("suggested", _TEXT, nullable=True),
    _at("created_at"),
)
sa.Table(
    "outbox",
    SCHEMA,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("key", sa.String(200), nullable=False, unique=True),
    sa.Column(
        "incident_id", sa.Integer(), sa.ForeignKey("incidents.id"), nullable=False, index=True
    ),
    sa.Column("lane", sa.String(64), nullable=False, index=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("payload", sa.JSON(), nullable=False),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("claims", sa.Integer(), nullable=False),
    _at("created_at"),
    _at("next_attempt_at"),
    sa.Column("lease_owner", sa.String(64), nullable=True),
    _at("lease_until", nullable=True),
    _at("done_at", nullable=True),
    sa.Column("last_error", _TEXT, nullable=True),
    sa.Column("result", sa.JSON(), nullable=True),
)
sa.Table(
    "bot_conversations",
    SCHEMA,
    sa.Column("conversation_id", sa.String(512), primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("service_url", _TEXT, nullable=False),
    sa.Column("reference", sa.JSON(), nullable=False),
    sa.Column("incident", sa.String(32), nullable=True, index=True),
    sa.Column("person", sa.String(320), nullable=True, index=True),
    _at("updated_at"),
    sa.Column("card", sa.String(128), nullable=True),
)
sa.Table(
    "teams_people",
    SCHEMA,
    sa.Column("email", sa.String(320), primary_key=True),
    sa.Column("object_id", sa.String(64), nullable=False),
    sa.Column("name", sa.String(256), nullable=False),
    _at("updated_at"),
)
# The bot's turn journal. On SQLite it is kept in a file of its own (adapters/sql/turn_journal.py
# says why) and this table stays empty; on PostgreSQL the journal is this table.
sa.Table(
    "bot_turns",
    SCHEMA,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("conversation_id", sa.String(512), nullable=False),
    sa.Column("activity_id", sa.String(512), nullable=False),
    sa.Column("activity", sa.JSON(), nullable=False),
    sa.Column("identity", sa.JSON(), nullable=False),
    sa.Column("state", sa.String(16), nullable=False, index=True),
    _at("accepted_at"),
    _at("done_at", nullable=True),
    sa.UniqueConstraint("conversation_id", "activity_id"),
)

# The defaults the earlier versions' upgrade gave a column it added (the model's plain default):
# rows already there take them. A boolean's is written by the dialect (0 on SQLite, false on
# PostgreSQL), never as a number.
LEGACY_DEFAULTS: dict[str, Any] = {
    "impact": "",
    "security": sa.false(),
    "resolution": "",
    "updates_sent": sa.text("0"),
    "report_name": "",
    "attempts": sa.text("0"),
    "claims": sa.text("0"),
    "service_url": "",
    "name": "",
}
LEGACY_TABLE_DEFAULTS: dict[tuple[str, str], Any] = {
    ("outbox", "status"): "pending",
    ("bot_conversations", "kind"): "bot",
    ("bot_turns", "state"): "accepted",
}


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    for table in SCHEMA.sorted_tables:
        if inspector.has_table(table.name):
            _complete(inspector, table)
        else:
            table.create(bind)


def _complete(inspector: Any, table: sa.Table) -> None:
    """Add what an earlier version's table lacks: its newer columns and indexes."""
    have = {c["name"] for c in inspector.get_columns(table.name)}
    for column in table.columns:
        if column.name in have:
            continue
        default = LEGACY_TABLE_DEFAULTS.get((table.name, column.name))
        if default is None:
            default = LEGACY_DEFAULTS.get(column.name)
        if column.server_default is not None:
            default = getattr(column.server_default, "arg", None)
        op.add_column(
            table.name,
            sa.Column(column.name, column.type, nullable=True, server_default=default),
        )
    indexed = {i["name"] for i in inspector.get_indexes(table.name)}
    for index in table.indexes:
        if index.name not in indexed:
            op.create_index(str(index.name), table.name, [c.name for c in index.columns])


def downgrade() -> None:
    bind = op.get_bind()
    for table in reversed(SCHEMA.sorted_tables):
        table.drop(bind)
