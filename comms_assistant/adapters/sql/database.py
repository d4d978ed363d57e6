"""The product's store, opened with its schema current: the SQLite file in the home folder, or the
database the `database_url` setting names (PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

# Every module that maps a table is imported here, so that Base.metadata holds them all.
from comms_assistant.adapters.sql import (
    conversations,  # noqa: F401
    schema,
    turn_journal,  # noqa: F401
)
from comms_assistant.adapters.sql import engine as engines
from comms_assistant.adapters.sql.engine import DatabaseUnavailable, is_sqlite, shown
from comms_assistant.adapters.sql.models import Base

__all__ = ["Base", "open_engine"]


def open_engine(target: str | Path, *, upgrade: bool | None = None) -> Engine:
    """The store on `target` (a SQLite file's path, or a database URL), its schema at the
    newest revision. `upgrade`: whether an older schema is upgraded in place; by default a
    SQLite file is (as it always was) and PostgreSQL is not (`comms-assistant db upgrade`)."""
    engine = engines.open_engine(target)
    automatic = is_sqlite(engine) if upgrade is None else upgrade
    try:
        schema.ensure_current(engine, upgrade_automatically=automatic)
    except DatabaseUnavailable:
        engine.dispose()
        raise
    except OperationalError as error:
        engine.dispose()
        if is_sqlite(engine):
            raise
        raise unreachable(engine, error) from None
    return engine


def open_unchecked(target: str | Path) -> Engine:
    """An engine on `target` whatever its schema (for `db upgrade` and `db current`), checked
    only for being reachable."""
    engine = engines.open_engine(target)
    try:
        with engine.connect():
            pass
    except OperationalError as error:
        engine.dispose()
        if is_sqlite(engine):
            raise
        raise unreachable(engine, error) from None
    return engine


def unreachable(engine: Engine, error: OperationalError) -> DatabaseUnavailable:
    # psycopg's first line says what went wrong (refused, timed out, password rejected).
    reason = str(error.orig or error).strip().splitlines()[0]
    return DatabaseUnavailable(
        f"cannot reach the database {shown(engine)}: {reason}. Check that the server is running "
        "and that database_url (COMMS_ASSISTANT_DATABASE_URL) names it, its user and password"
    )
