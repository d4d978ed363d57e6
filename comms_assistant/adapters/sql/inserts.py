"""Inserts that each engine writes in its own words."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, case
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session


def insert_new(
    session: Session, table: Table, values: dict[str, Any], unique: Sequence[str]
) -> int | None:
    """Insert a row unless one with the same `unique` columns is there: the new row's id, or
    None when it was there (INSERT ... ON CONFLICT DO NOTHING RETURNING id, on both engines)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=list(unique))
        .returning(table.c.id)
    )
    found = session.execute(statement).scalar()
    return None if found is None else int(found)


def bump_counter(session: Session, table: Table, name: str, *, floor: Any) -> int:
    """The counter `name` plus one, and at least `floor` (an SQL expression): its new value,
    kept when the transaction commits.

    INSERT ... ON CONFLICT DO UPDATE ... RETURNING on both engines: on PostgreSQL the row is
    locked until the transaction ends, so a second process bumping it waits and then reads the
    first one's value; SQLite's BEGIN IMMEDIATE has one writer at a time already."""
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    new = insert(table).values(name=name, value=floor)
    bumped = table.c.value + 1
    # The floor: a row made another way (an import, a test) never has its number handed out.
    statement = new.on_conflict_do_update(
        index_elements=[table.c.name],
        set_={"value": case((bumped > new.excluded.value, bumped), else_=new.excluded.value)},
    ).returning(table.c.value)
    return int(session.execute(statement).scalar_one())
