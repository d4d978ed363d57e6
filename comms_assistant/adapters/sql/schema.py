"""The store's schema revision: reading it, upgrading it with the Alembic migrations in
migrations/, and refusing to run on a schema this version does not expect.

A SQLite file is upgraded in place whenever it is opened, as it always was: one machine, and
its BEGIN IMMEDIATE makes two processes upgrade one after the other. PostgreSQL is shared by
every bot instance and worker, so it is upgraded only by `comms-assistant db upgrade`; a process
that finds an older (or empty) schema says so in one line and stops.

Reading the revision on every start costs one query; Alembic itself is imported only to upgrade.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from comms_assistant.adapters.sql.engine import DatabaseUnavailable, open_engine, shown

if TYPE_CHECKING:
    from alembic.config import Config

# The newest revision in migrations/versions (tests/unit/test_schema.py checks it is).
HEAD = "0008"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# pg_advisory_xact_lock's key: one `db upgrade` at a time on a shared database.
UPGRADE_LOCK = 0x636F6D6D73  # "comms"
UPGRADE_COMMAND = "comms-assistant db upgrade"


@dataclass(frozen=True)
class Revision:
    """Where a database's schema stands."""

    current: str | None  # alembic_version's, None when it has none
    has_tables: bool  # an earlier version's tables, or this one's

    @property
    def is_head(self) -> bool:
        return self.current == HEAD

    def described(self) -> str:
        if self.current is not None:
            return f"schema revision {self.current}"
        if self.has_tables:
            return "the schema of an earlier version (no revision)"
        return "no tables yet"


def revision_of(connection: Connection) -> Revision:
    found = inspect(connection)
    if not found.has_table("alembic_version"):
        return Revision(None, found.has_table("incidents"))
    current = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return Revision(current, True)


def revision(engine: Engine) -> Revision:
    with engine.begin() as connection:
        return revision_of(connection)


def upgrade(engine: Engine) -> tuple[Revision, Revision]:
    """Run the migrations up to HEAD in one transaction; (before, after)."""
    from alembic import command

    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Waits for another `db upgrade` to finish, then finds nothing left to do.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": UPGRADE_LOCK})
        before = revision_of(connection)
        _refuse_unknown(engine, before)
        config = _config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        return before, revision_of(connection)


def ensure_current(engine: Engine, *, upgrade_automatically: bool) -> None:
    """Return when the schema is HEAD (upgrading it first if allowed); else DatabaseUnavailable
    naming the command to run."""
    found = revision(engine)
    if found.is_head:
        return
    _refuse_unknown(engine, found)
    if upgrade_automatically:
        upgrade(engine)
        return
    raise DatabaseUnavailable(
        f"the database {shown(engine)} has {found.described()} and this version needs "
        f"revision {HEAD}: run `{UPGRADE_COMMAND}` (with the same database_url) first"
    )


def _refuse_unknown(engine: Engine, found: Revision) -> None:
    if found.current is None or found.current == HEAD:
        return
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    try:
        ScriptDirectory.from_config(_config()).get_revision(found.current)
    except CommandError:
        raise DatabaseUnavailable(
            f"the database {shown(engine)} has schema revision {found.current}, which this "
            f"version of comms-assistant does not know (it knows up to {HEAD}): a newer "
            "version made it; run that version"
        ) from None


def _config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def new_revision(message: str, folder: Path) -> None:
    """Write the next migration by comparing models.py with a scratch SQLite database at HEAD
    (in `folder`); read it before committing it."""
    from alembic import command

    engine = open_engine(folder / "scratch.db")
    upgrade(engine)
    with engine.begin() as connection:
        config = _config()
        config.attributes["connection"] = connection
        command.revision(config, message, autogenerate=True)


if __name__ == "__main__":  # python -m comms_assistant.adapters.sql.schema revision "message"
    import tempfile

    if len(sys.argv) != 3 or sys.argv[1] != "revision":
        sys.exit('usage: python -m comms_assistant.adapters.sql.schema revision "what changed"')
    with tempfile.TemporaryDirectory() as scratch:
        new_revision(sys.argv[2], Path(scratch))
