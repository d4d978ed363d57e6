"""Inserts that each engine writes in its own words."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
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
