"""An engine on the product's database, SQLite or PostgreSQL, and the transaction every write goes
through.

`open_engine` is the one place an engine is made: a path (or a `sqlite:///` URL) is a SQLite file
with the settings every one of the product's SQLite files needs; a `postgresql+psycopg://` URL is
PostgreSQL through psycopg 3 with a pool that checks a connection before handing it out. Anything
else, a missing driver or a server that cannot be reached is a `DatabaseUnavailable`: one line
for the operator, never the password.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine, ExceptionContext, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session

POSTGRES_DRIVER = "postgresql+psycopg"
URL_EXAMPLE = "postgresql+psycopg://user:password@host:5432/database"


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


class DatabaseUnavailable(Exception):
    """The database setting cannot work as it is: a bad URL, no driver, no server, an old
    schema. The message is one line an operator can act on, and never shows a password."""


def database_url(target: str | Path) -> URL:
    """The SQLAlchemy URL for a path or a URL (a bare `postgresql://` means psycopg 3)."""
    if isinstance(target, Path):
        return URL.create("sqlite", database=str(target))
    try:
        url = make_url(target)
    except (ArgumentError, ValueError) as error:
        # The text itself is left out: it may hold a password.
        raise DatabaseUnavailable(
            f"database_url is not a database URL such as {URL_EXAMPLE} ({error.__class__.__name__})"
        ) from None
    if url.drivername == "postgresql":
        url = url.set(drivername=POSTGRES_DRIVER)
    if url.drivername not in ("sqlite", POSTGRES_DRIVER):
        raise DatabaseUnavailable(
            f"database_url: {url.drivername} is not supported; use {URL_EXAMPLE} "
            "(or leave it unset for the SQLite file in the home folder)"
        )
    if url.drivername == "sqlite" and url.database in (None, "", ":memory:"):
        raise DatabaseUnavailable("database_url: a SQLite URL needs a file: sqlite:///path/to.db")
    return url


def shown(url: URL | Engine) -> str:
    """The URL as it may be printed or logged: the password hidden."""
    if isinstance(url, Engine):
        url = url.url
    return url.render_as_string(hide_password=True)


def open_engine(target: str | Path) -> Engine:
    """An engine on `target`: a SQLite file's path, or a database URL."""
    url = database_url(target)
    if url.drivername == "sqlite":
        return sqlite_engine(Path(str(url.database)))
    return postgres_engine(url)


def postgres_engine(url: URL) -> Engine:
    """PostgreSQL through psycopg 3. Timestamps are stored as naive UTC (`UTCDateTime`) in
    `timestamp without time zone` columns, so the session's time zone never shifts them."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise DatabaseUnavailable(
            "database_url is PostgreSQL, which needs its driver: "
            "pip install 'comms-assistant[postgres]'"
        ) from None
    return create_engine(
        url,
        json_serializer=_dumps,
        # A server restarted or a connection dropped by a load balancer is met here, not in the
        # middle of a command.
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=10,
        pool_recycle=1800,
        pool_timeout=30,
        connect_args={"connect_timeout": 10, "application_name": "comms-assistant"},
    )


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


# PostgreSQL's SQLSTATEs for a race lost: unique_violation, serialization_failure, deadlock.
_LOST_RACE_STATES = frozenset({"23505", "40001", "40P01"})
# SQLite's: a unique key taken in between, or the write lock not had within busy_timeout.
_LOST_RACE_NAMES = ("SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY", "SQLITE_BUSY")


def lost_race(error: DBAPIError) -> bool:
    """Whether `error` means another transaction got there first, so that the same work run
    again from the start can succeed."""
    original = error.orig
    if getattr(original, "sqlstate", None) in _LOST_RACE_STATES:
        return True
    return str(getattr(original, "sqlite_errorname", "")).startswith(_LOST_RACE_NAMES)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session
