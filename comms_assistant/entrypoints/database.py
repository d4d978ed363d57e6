"""`comms-assistant db upgrade` and `db current`: the store's schema revision (Alembic).

A SQLite state.db upgrades itself whenever it is opened; a PostgreSQL database (the
`database_url` setting) is upgraded only here, once per new version of comms-assistant, before
its bot instances and workers start: they refuse an older schema and name this command.
"""

from __future__ import annotations

import typer

db_app = typer.Typer(help="The database's schema (migrations).", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade() -> None:
    """Bring the database's schema up to this version's (safe to run again)."""
    from comms_assistant.adapters.sql import schema
    from comms_assistant.adapters.sql.database import open_unchecked
    from comms_assistant.adapters.sql.engine import shown
    from comms_assistant.config import Settings

    engine = open_unchecked(Settings().database)
    try:
        before, after = schema.upgrade(engine)
    finally:
        engine.dispose()
    if before.current == after.current:
        typer.echo(f"{shown(engine)} is up to date: schema revision {after.current} (head).")
    else:
        typer.echo(
            f"{shown(engine)}: upgraded from {before.described()} to schema revision "
            f"{after.current} (head)."
        )


@db_app.command("current")
def current() -> None:
    """Say the database's schema revision, and whether it is this version's. Exit 1 if not."""
    from comms_assistant.adapters.sql import schema
    from comms_assistant.adapters.sql.database import open_unchecked
    from comms_assistant.adapters.sql.engine import shown
    from comms_assistant.config import Settings

    engine = open_unchecked(Settings().database)
    try:
        found = schema.revision(engine)
    finally:
        engine.dispose()
    if found.is_head:
        typer.echo(f"{shown(engine)}: schema revision {found.current} (head).")
        return
    typer.echo(
        f"{shown(engine)}: {found.described()}; this version needs revision {schema.HEAD}: "
        f"run `{schema.UPGRADE_COMMAND}`."
    )
    raise typer.Exit(1)
