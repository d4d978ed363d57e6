"""Bring a database made by an earlier version of the product up to date with the models."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from comms_assistant.adapters.sql.models import Base


def add_missing_columns(engine: Engine) -> None:
    """Bring a state.db made by an earlier version up to date.

    create_all makes missing tables but not missing columns. New columns are always nullable
    or defaulted, so adding them in place is enough until a change needs a real migration.
    """
    with engine.begin() as connection:
        existing = inspect(connection)  # the same connection: a second one would wait on ours
        for table in Base.metadata.sorted_tables:
            have = {c["name"] for c in existing.get_columns(table.name)}
            for column in table.columns:
                if column.name in have:
                    continue
                kind = column.type.compile(dialect=engine.dialect)
                # A plain default (ColumnDefault) or server default (DefaultClause) has `arg`.
                default = getattr(column.default, "arg", None)
                if column.server_default is not None:
                    kind += f" DEFAULT {_sql_literal(getattr(column.server_default, 'arg', None))}"
                elif default is not None and not callable(default):
                    kind += f" DEFAULT {_sql_literal(default)}"
                connection.exec_driver_sql(
                    f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}'
                )


def _sql_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"
