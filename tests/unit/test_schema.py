"""The schema by Alembic migrations, on SQLite and on PostgreSQL: a new database gets exactly what
the models say; SQLite upgrades itself on opening, PostgreSQL refuses an older schema naming the
command that upgrades it; a database made before the migrations is completed and stamped."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text

from comms_assistant.adapters.sql import schema
from comms_assistant.adapters.sql.database import open_engine, open_unchecked
from comms_assistant.adapters.sql.engine import DatabaseUnavailable, transaction
from comms_assistant.adapters.sql.models import Base, DraftRow


def test_head_names_the_newest_migration() -> None:
    assert ScriptDirectory.from_config(schema._config()).get_heads() == [schema.HEAD]


def test_a_new_database_gets_exactly_the_models_schema(database_url: str) -> None:
    engine = open_engine(database_url, upgrade=True)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    assert schema.revision(engine).current == schema.HEAD
    engine.dispose()


def test_opening_upgrades_sqlite_itself_and_postgresql_only_by_the_command(
    database_url: str,
) -> None:
    if database_url.startswith("sqlite"):
        engine = open_engine(database_url)
        assert schema.revision(engine).is_head
        engine.dispose()
        return
    with pytest.raises(DatabaseUnavailable) as refused:
        open_engine(database_url)
    message = str(refused.value)
    assert "no tables yet" in message and "comms-assistant db upgrade" in message
    assert "\n" not in message
    engine = open_unchecked(database_url)
    before, after = schema.upgrade(engine)
    assert (before.current, after.current) == (None, schema.HEAD)
    assert schema.upgrade(engine)[0].current == schema.HEAD  # again: nothing to do
    engine.dispose()
    open_engine(database_url).dispose()


def test_a_database_from_before_the_migrations_is_completed_and_stamped(
    database_url: str,
) -> None:
    """Its tables there without alembic_version, some newer columns missing: a boolean among
    them, which the old home-made upgrade wrote as 0 (a type error on PostgreSQL)."""
    engine = open_engine(database_url, upgrade=True)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
        connection.execute(text("DROP TABLE bot_conversations"))
        # Made by a later revision: a database from before the migrations never had it.
        connection.execute(text("DROP TABLE send_slots"))
        for column in ("security", "report_locked_at", "updates_sent", "cadence_done"):
            connection.execute(text(f"ALTER TABLE incidents DROP COLUMN {column}"))
        connection.execute(
            text(
                "INSERT INTO incidents (reference, year, number, title, priority, status, "
                "impact, services, leads, declared_by, declared_at, resolution, notified, "
                "report_name) VALUES ('INC-1', 2026, 1, 't', 2, 'investigating', '', '[]', "
                "'{}', 'a', '2026-11-23 10:00:00', '', '[]', 'r')"
            )
        )
    assert schema.revision(engine).described() == "the schema of an earlier version (no revision)"

    before, after = schema.upgrade(engine)

    assert (before.current, after.current) == (None, schema.HEAD)
    assert "bot_conversations" in inspect(engine).get_table_names()
    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT security, updates_sent, cadence_done, report_locked_at FROM incidents")
        ).one()
    # psycopg reads a json column itself; sqlite3 hands back its text.
    cadence_done = row[2] if isinstance(row[2], list) else json.loads(row[2])
    assert (bool(row[0]), row[1], cadence_done, row[3]) == (False, 0, [], None)
    engine.dispose()


def test_times_come_back_in_utc_whatever_zone_they_went_in(database_url: str) -> None:
    engine = open_engine(database_url, upgrade=True)
    london_summer = datetime(2026, 7, 1, 12, 30, 15, 123456, tzinfo=timezone(timedelta(hours=1)))
    with transaction(engine) as session:
        session.add(DraftRow(author="a", command="update x", created_at=london_summer))
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:  # the session's zone must not shift them
            connection.execute(text("SET TIME ZONE 'America/New_York'"))
            stored = connection.execute(text("SELECT created_at FROM drafts")).scalar()
        assert stored == datetime(2026, 7, 1, 11, 30, 15, 123456)
    with transaction(engine) as session:
        back = session.scalar(select(DraftRow.created_at))
    assert back == london_summer and back is not None and back.tzinfo == UTC
    engine.dispose()


def test_a_schema_newer_than_this_version_is_refused(database_url: str) -> None:
    engine = open_engine(database_url, upgrade=True)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(DatabaseUnavailable, match="9999, which this version"):
        open_engine(database_url)
