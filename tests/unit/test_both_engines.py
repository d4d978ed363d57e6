"""The store on SQLite and on PostgreSQL alike: the unit of work's round trip, a whole incident
through CommandService and the Dispatcher, the bot's turn journal, and the setting that picks
the engine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from world import World
from world_build import build_world

from comms_assistant.adapters.sql import outbox, turn_journal
from comms_assistant.adapters.sql.database import open_engine
from comms_assistant.adapters.sql.engine import DatabaseUnavailable, shown
from comms_assistant.adapters.sql.unit_of_work import unit_of_work
from comms_assistant.config import Settings
from comms_assistant.domain.incident import Incident, Priority, Status
from comms_assistant.service.unit_of_work import PENDING, Draft

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
OPEN = (
    "open Apply for teacher training is down p2 impact: Candidates cannot submit applications "
    "services: apply"
)


def test_the_unit_of_work_keeps_an_incident_its_record_drafts_and_deliveries(
    store_url: str,
) -> None:
    engine = open_engine(store_url)
    with unit_of_work(engine) as work:
        incident = Incident.declare(
            reference="INC-2026-0001",
            title="Apply is down",
            priority=Priority.P2,
            impact="Candidates cannot apply",
            services=("apply",),
            who="lead@example.org",
            now=NOW,
        )
        incident.record.report_name = "2026-11-23 INC-2026-0001 Apply is down.docx"
        incident.record.update_due_at = NOW + timedelta(minutes=30)
        work.incidents.add(incident)
        work.deliveries.add(
            incident, key="mail:1", lane="INC-2026-0001:mail", kind="mail", payload={}, now=NOW
        )
        work.drafts.put(Draft("lead@example.org", "INC-2026-0001", "update x", None, NOW))
        assert work.incidents.next_number(2026) == 2
    with unit_of_work(engine) as work:
        found = work.incidents.get("inc-2026-0001")
        assert found is not None and found.title == "Apply is down"
        assert found.security is False and found.status is Status.INVESTIGATING
        assert found.declared_at == NOW and found.declared_at.tzinfo == UTC
        assert found.record.update_due_at == NOW + timedelta(minutes=30)
        assert [i.reference for i in work.incidents.open()] == ["INC-2026-0001"]
        queued = work.deliveries.by_key("mail:1")
        assert queued is not None and queued.status == PENDING
        assert work.deliveries.keyed("mail:") == [queued]
        assert work.deliveries.waiting(found, "mail")
        draft = work.drafts.get("lead@example.org")
        assert draft is not None and draft.created_at == NOW
    with pytest.raises(RuntimeError), unit_of_work(engine) as work:  # rolled back
        work.drafts.remove("lead@example.org")
        raise RuntimeError
    with unit_of_work(engine) as work:
        assert work.drafts.get("lead@example.org") is not None
    engine.dispose()


@pytest.fixture
def world(tmp_path: Path, store_url: str) -> World:
    return build_world(tmp_path / "home", NOW, database_url=store_url)


def test_a_whole_incident_from_open_to_close(world: World) -> None:
    assert world.run(OPEN).ok
    world.deliver()
    world.clock.advance(minutes=20)
    assert world.run("update Candidates can sign in but cannot submit").ok
    assert world.run("log Paged the database administrator").ok
    world.deliver()
    world.clock.advance(minutes=40)
    closed = world.run("close Restored the connection to the applications database")
    assert closed.ok, closed.text
    world.deliver()

    rows = world.outbox()
    assert rows and all(r.status == outbox.DONE for r in rows)
    assert len({r.key for r in rows}) == len(rows)
    status = world.run("status INC-2026-0001", who=None)
    assert "resolved" in status.text.lower() or "closed" in status.text.lower()
    assert len(world.mailer.sent) >= 3 and world.teams.posted
    assert [m.subject for m in world.mailer.sent][0].startswith("INC-2026-0001")


def test_the_bot_journal_takes_an_activity_once_and_runs_it_once(
    store_url: str, tmp_path: Path
) -> None:
    store = open_engine(store_url)
    journal = turn_journal.open_journal(tmp_path, store)
    # On PostgreSQL the journal is the store's own database; on SQLite a file beside it.
    assert (journal is store) == (store.dialect.name == "postgresql")
    first = turn_journal.accept(journal, "c1", "a1", {"text": "status"}, {}, now=NOW)
    again = turn_journal.accept(journal, "c1", "a1", {"text": "status"}, {}, now=NOW)
    second = turn_journal.accept(journal, "c1", "a2", {"text": "list"}, {}, now=NOW)
    assert first is not None and again is None and second is not None and second > first
    assert turn_journal.start(journal, first) and not turn_journal.start(journal, first)
    turn_journal.finish(journal, first, now=NOW)
    assert [(u.id, u.state) for u in turn_journal.unfinished(journal)] == [(second, "accepted")]
    assert turn_journal.prune(journal, before=NOW + timedelta(days=1)) == 1
    store.dispose()
    journal.dispose()


def test_the_setting_picks_the_engine_and_never_shows_the_password(tmp_path: Path) -> None:
    assert Settings(home=tmp_path).database == tmp_path / "state.db"
    url = "postgresql://app:s3cret@db.example.org:5432/comms"
    settings = Settings(home=tmp_path, database_url=url)  # type: ignore[arg-type]
    assert settings.database == url and "s3cret" not in repr(settings)
    assert Settings(home=tmp_path, database_url=" ").database == tmp_path / "state.db"  # type: ignore[arg-type]
    with pytest.raises(DatabaseUnavailable, match="mysql is not supported"):
        open_engine("mysql://a:s3cret@h/d")
    with pytest.raises(DatabaseUnavailable) as bad:
        open_engine("not a url s3cret")
    assert "s3cret" not in str(bad.value) and "is not a database URL" in str(bad.value)


def test_an_unreachable_server_is_one_line_without_the_password(tmp_path: Path) -> None:
    from postgres_cluster import free_port

    url = f"postgresql+psycopg://app:s3cret@127.0.0.1:{free_port()}/comms"
    with pytest.raises(DatabaseUnavailable) as refused:
        open_engine(url)
    message = str(refused.value)
    assert message.startswith("cannot reach the database postgresql+psycopg://app:***@127.0.0.1")
    assert "s3cret" not in message and "\n" not in message


def test_postgresql_without_its_driver_says_which_extra_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if not installed
    with pytest.raises(DatabaseUnavailable, match=r"pip install 'comms-assistant\[postgres\]'"):
        open_engine("postgresql+psycopg://app@127.0.0.1/comms")


def test_a_url_is_shown_with_its_password_hidden() -> None:
    from comms_assistant.adapters.sql.engine import database_url

    shown_url = shown(database_url("postgresql://app:s3cret@h/db"))
    assert shown_url == "postgresql+psycopg://app:***@h/db"
