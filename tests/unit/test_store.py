import sqlite3
from pathlib import Path

from sqlalchemy import inspect

from comms_assistant.adapters.sql import schema
from comms_assistant.adapters.sql.store import open_engine


def test_a_state_db_from_an_earlier_version_is_brought_up_to_date(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    open_engine(path).dispose()
    with sqlite3.connect(path) as old:  # what an earlier version left behind
        old.execute("DROP TABLE alembic_version")  # it had no migrations
        old.execute("DROP TABLE bot_turns")  # nor the journal's table in state.db
        old.execute("ALTER TABLE incidents DROP COLUMN report_locked_at")
        old.execute("ALTER TABLE incidents DROP COLUMN updates_sent")
        old.execute("ALTER TABLE incidents DROP COLUMN cadence_done")
        old.execute("DROP TABLE bot_conversations")
        old.execute("DROP TABLE send_slots")  # made by a later revision

    engine = open_engine(path)

    columns = {c["name"]: c for c in inspect(engine).get_columns("incidents")}
    assert {"report_locked_at", "updates_sent", "cadence_done"} <= set(columns)
    assert {"bot_conversations", "bot_turns"} <= set(inspect(engine).get_table_names())
    assert schema.revision(engine).current == schema.HEAD  # stamped: opened as today's next time
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO incidents (reference, year, number, title, priority, status, impact,"
            " services, security, leads, declared_by, declared_at, resolution, notified,"
            " report_name) VALUES ('INC-1', 2026, 1, 't', 2, 'investigating', '', '[]', 0,"
            " '{}', 'a', '2026-11-23 10:00:00', '', '[]', 'r')"
        )
        row = db.execute("SELECT updates_sent, cadence_done FROM incidents").fetchone()
        assert row == (0, "[]")
