"""A state.db that is not a database, or a damaged one, is named with what to do."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import exc, text
from sqlalchemy.engine import Engine

from comms_assistant.adapters.sql.store import UnreadableDatabase, open_engine


def add_rows(engine: Engine, rows: int) -> None:
    """Rows of the engine's own writing, enough that they lie beyond the first page."""
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS filler (x TEXT)"))
        for _ in range(rows):
            connection.execute(text("INSERT INTO filler VALUES (:x)"), {"x": "x" * 500})


def zero_the_pages_after_the_first(path: Path) -> None:
    """SQLite still opens it (the header is whole); reading a table meets the damage."""
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = path.read_bytes()
    path.write_bytes(data[:4096] + bytes(len(data) - 4096))


def read_rows(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT * FROM filler")).fetchall()


def test_a_file_that_is_not_a_database_is_named(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    path.write_bytes(b"not a database " * 400)
    with pytest.raises(UnreadableDatabase) as caught:
        open_engine(path)
    assert caught.value.path == path
    assert str(caught.value) == (
        f"{path} is not a database this program can read (it may be damaged): move it aside "
        "and run again; nothing has been changed."
    )
    assert path.read_bytes() == b"not a database " * 400


def test_damage_met_later_says_whether_this_run_had_written(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    add_rows(open_engine(path), 100)

    untouched = open_engine(path)  # opening commits the schema check, changing nothing
    untouched.dispose()
    zero_the_pages_after_the_first(path)
    with pytest.raises(UnreadableDatabase, match="nothing has been changed"):
        read_rows(untouched)

    path.unlink()
    written = open_engine(path)
    add_rows(written, 100)
    written.dispose()  # so the next read goes to the file, not to a connection's cache
    zero_the_pages_after_the_first(path)
    with pytest.raises(UnreadableDatabase, match="this run wrote to it before meeting the damage"):
        read_rows(written)


def test_other_database_errors_are_left_as_they_are(tmp_path: Path) -> None:
    engine = open_engine(tmp_path / "state.db")
    with pytest.raises(exc.OperationalError), engine.connect() as connection:
        connection.execute(text("SELECT * FROM no_such_table"))
