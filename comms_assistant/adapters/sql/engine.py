"""An engine on one of the product's SQLite files, and the transaction every write goes through."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, ExceptionContext
from sqlalchemy.orm import Session


class UnreadableDatabase(Exception):
    """A SQLite file of the product's that is not a database, or a damaged one."""

    def __init__(self, path: Path, *, changed: bool) -> None:
        # Only a commit made before the damage was met can have changed it; say which.
        changed_or_not = (
            "this run wrote to it before meeting the damage"
            if changed
            else "nothing has been changed"
        )
        super().__init__(
            f"{path} is not a database this program can read (it may be damaged): "
            f"move it aside and run again; {changed_or_not}."
        )
        self.path = path


def sqlite_engine(path: Path) -> Engine:
    """An engine on the SQLite file `path` (made when missing) with the settings every one of
    the product's databases needs: write-ahead log, waiting rather than failing, BEGIN IMMEDIATE.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{path}", json_serializer=_dumps)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's BEGIN below take effect instead of pysqlite's implicit one.
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA busy_timeout=10000")
        dbapi_connection.execute("PRAGMA foreign_keys=ON")

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock at once, so two processes never both read then
        # fail to upgrade; busy_timeout makes the second one wait its turn.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    changed = False

    @event.listens_for(engine, "commit")
    def _on_commit(connection: Any) -> None:
        # Rows, not commits: opening commits the schema check even when it changes nothing.
        nonlocal changed
        changed = changed or connection.connection.dbapi_connection.total_changes > 0

    @event.listens_for(engine, "handle_error")
    def _on_error(context: ExceptionContext) -> BaseException | None:
        # SQLite's own word for "not a database" and "damaged", met on connecting or on any
        # page later: the file's name, instead of a traceback that never mentions it.
        name = getattr(context.original_exception, "sqlite_errorname", "")
        if name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")):
            return UnreadableDatabase(path, changed=changed)
        return None

    return engine


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session
