"""The product's state.db, opened with every table made and every column added."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

# Every module that maps a table must be imported before create_all can make it.
from comms_assistant.adapters import conversations  # noqa: F401
from comms_assistant.adapters.sql.engine import sqlite_engine
from comms_assistant.adapters.sql.models import Base
from comms_assistant.adapters.sql.upgrade import add_missing_columns


def open_engine(path: Path) -> Engine:
    engine = sqlite_engine(path)
    Base.metadata.create_all(engine)
    add_missing_columns(engine)
    return engine
