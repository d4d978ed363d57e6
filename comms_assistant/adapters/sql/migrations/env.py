"""Alembic's environment: the migrations run on the connection schema.py hands over, inside its
transaction (SQLite's BEGIN IMMEDIATE, PostgreSQL's advisory lock), so two processes never
migrate at once."""

from __future__ import annotations

from alembic import context

# Every module that maps a table, so that autogenerate compares with all of them.
from comms_assistant.adapters.sql import conversations, turn_journal  # noqa: F401
from comms_assistant.adapters.sql.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite changes a column only by copying its table: autogenerate writes it so.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
