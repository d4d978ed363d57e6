"""A turn the bot acknowledged (202) runs exactly once: after a stop before it ran, and when
Teams sends the same activity again. On SQLite (the journal a file of its own) and on PostgreSQL
(the journal a table of the store's database)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from test_bot_harness import Running, message, new_sandbox, start_bot

from comms_assistant.adapters.sql import store, turn_journal
from comms_assistant.bootstrap import bootstrap
from comms_assistant.entrypoints.bot import instance
from comms_assistant.entrypoints.bot.queue import TurnQueue
from comms_assistant.entrypoints.bot.sdk import UNSURE

THREAD = "19:durable@thread.tacv2;messageid=1700000000009"
OPEN = "open Apply is down p2 impact: Candidates cannot submit applications services: apply"


def incidents(running: Running) -> list[store.IncidentRow]:
    with store.transaction(bootstrap(running.settings).engine) as session:
        rows = list(session.scalars(select(store.IncidentRow)))
        for row in rows:
            _ = row.timeline  # loaded while the session is open
        session.expunge_all()
        return rows


def journal_engine(running: Running) -> Engine:
    return turn_journal.open_journal(running.settings.home, bootstrap(running.settings).engine)


def journal(running: Running) -> list[tuple[str, str]]:
    engine = journal_engine(running)
    with store.transaction(engine) as session:
        rows = session.scalars(select(turn_journal.BotTurnRow).order_by(turn_journal.BotTurnRow.id))
        return [(r.activity_id, r.state) for r in rows]


def test_turns_acknowledged_before_a_stop_run_once_after_the_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store_url: str
) -> None:
    authorizations: list[str | None] = []
    sandbox = new_sandbox(tmp_path, authorizations)
    with sandbox:
        shared: dict[str, Any] = {
            "sandbox": sandbox,
            "authorizations": authorizations,
            "database_url": store_url,
        }
        sent = []
        # The process stops between acknowledging and running: the turns are never queued.
        with monkeypatch.context() as stopped:
            stopped.setattr(TurnQueue, "submit", lambda self, lane, job: None)
            with start_bot(tmp_path, monkeypatch, **shared) as first:
                for text in (OPEN, "log Paged the database team", "comms me"):
                    activity = message(text, conversation=THREAD, service_url=first.service_url)
                    assert first.post(activity).status_code == 202
                    sent.append(activity)
                time.sleep(0.5)
                assert first.sent == [] and incidents(first) == []  # acknowledged, not run
                assert [state for _, state in journal(first)] == ["accepted"] * 3

        with start_bot(tmp_path, monkeypatch, **shared) as second:
            replies = [second.wait(lambda a=a: second.replies_to(a["id"]), 1, 20) for a in sent]
            assert [len(r) for r in replies] == [1, 1, 1], replies
            reference = replies[0][0]["text"].split()[0]
            assert "is open at P2" in replies[0][0]["text"]
            # In the order sent: the log and the role went to the incident `open` made.
            assert replies[1][0]["text"].startswith(f"{reference}:")
            assert "comms.lead@example.org is the comms lead" in replies[2][0]["text"]
            [incident] = incidents(second)
            logged = [t for t in incident.timeline if t.text == "Paged the database team"]
            assert len(logged) == 1
            assert [state for _, state in journal(second)] == ["done"] * 3

            # Teams sends one of them again (its answer was slow): acknowledged, not run again.
            assert second.post(sent[1]).status_code == 202
            time.sleep(0.5)
            assert len(second.replies_to(sent[1]["id"])) == 1
            [incident] = incidents(second)
            assert len([t for t in incident.timeline if t.text == "Paged the database team"]) == 1

        # A third start has nothing left to run.
        with start_bot(tmp_path, monkeypatch, **shared) as third:
            time.sleep(0.5)
            assert all(len(third.replies_to(a["id"])) == 1 for a in sent)


def test_the_same_activity_sent_twice_at_once_runs_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store_url: str
) -> None:
    with start_bot(tmp_path, monkeypatch, database_url=store_url) as running:
        activity = message(OPEN, conversation=THREAD, service_url=running.service_url)
        assert running.post(activity).status_code == 202
        assert running.post(activity).status_code == 202  # before the first has run
        [reply] = running.wait(lambda: running.replies_to(activity["id"]), 1, 20)
        time.sleep(0.5)
        assert len(running.replies_to(activity["id"])) == 1
        assert len(incidents(running)) == 1
        # The same id in another conversation is another activity.
        other = dict(activity, conversation={**activity["conversation"], "id": THREAD + "0"})
        assert running.post(other).status_code == 202
        assert len(running.wait(lambda: running.replies_to(activity["id"]), 2, 20)) == 2


def test_a_turn_cut_short_is_not_run_again_and_its_sender_is_asked_to_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store_url: str
) -> None:
    authorizations: list[str | None] = []
    sandbox = new_sandbox(tmp_path, authorizations)
    with sandbox:
        shared: dict[str, Any] = {
            "sandbox": sandbox,
            "authorizations": authorizations,
            "database_url": store_url,
        }
        with start_bot(tmp_path, monkeypatch, **shared) as first:
            activity = message(OPEN, conversation=THREAD, service_url=first.service_url)
            engine = journal_engine(first)
            # As a process killed while `open` was being carried out leaves it: begun, not done
            # (whether its transaction committed is unknown).
            turn = turn_journal.accept(
                engine, THREAD, activity["id"], activity, {}, now=datetime.now(UTC)
            )
            assert turn is not None and turn_journal.start(engine, turn)
        with start_bot(tmp_path, monkeypatch, **shared) as second:
            # The answer to it, naming it: the thread may hold several commands.
            [told] = second.wait(lambda: second.replies_to(activity["id"]), 1, 20)
            assert told["text"] == (
                "Sorry, something went wrong on my side before I could answer \u201copen Apply "
                "is down p2 impact: Candidates cannot submit appl\u2026\u201d. Ask 'status' "
                "to see whether it was done."
            )
            assert told["text"] != UNSURE
            assert incidents(second) == []  # not run a second time
            assert journal(second) == [(activity["id"], "done")]


def test_one_threads_commands_run_in_order_when_they_reach_two_instances(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store_url: str
) -> None:
    """Two `serve` instances on one database behind a load balancer: the thread's commands
    alternate between them, and each waits for the one sent before it, wherever that runs."""
    authorizations: list[str | None] = []
    sandbox = new_sandbox(tmp_path, authorizations)
    with sandbox:
        shared: dict[str, Any] = {
            "sandbox": sandbox,
            "authorizations": authorizations,
            "database_url": store_url,
        }
        with (
            start_bot(tmp_path, monkeypatch, **shared) as a,
            start_bot(tmp_path, monkeypatch, **shared) as b,
        ):
            texts = [OPEN, "log Paged the database team", "log Failover begun", "comms me"]
            sent = []
            for n, text in enumerate(texts):
                bot = (a, b)[n % 2]
                activity = message(text, conversation=THREAD, service_url=bot.service_url)
                assert bot.post(activity).status_code == 202
                sent.append(activity)
            replies = [a.wait(lambda s=s: a.replies_to(s["id"]), 1, 30) for s in sent]
            reference = replies[0][0]["text"].split()[0]
            assert "is open at P2" in replies[0][0]["text"]
            # `log` ran on the other instance after `open` had made the incident.
            assert all(r[0]["text"].startswith(f"{reference}:") for r in replies[1:3]), replies
            [incident] = incidents(a)
            logs = ("Paged the database team", "Failover begun")
            assert [t.text for t in incident.timeline if t.text in logs] == list(logs)
            assert [state for _, state in journal(a)] == ["done"] * 4


def test_a_killed_instances_turns_are_run_by_a_live_one_after_it_stops_heartbeating(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store_url: str
) -> None:
    """Instance A acknowledges three commands and dies before running them (as SIGKILL leaves
    it: no goodbye, no more heartbeats); B, running all along, runs them once A is stale."""
    monkeypatch.setattr(instance, "HEARTBEAT", 0.2)
    monkeypatch.setattr(instance, "STALE_AFTER", 2.0)
    authorizations: list[str | None] = []
    sandbox = new_sandbox(tmp_path, authorizations)
    with sandbox:
        shared: dict[str, Any] = {
            "sandbox": sandbox,
            "authorizations": authorizations,
            "database_url": store_url,
        }
        with start_bot(tmp_path, monkeypatch, **shared) as b:
            sent = []
            with monkeypatch.context() as killed:
                killed.setattr(TurnQueue, "submit", lambda self, lane, job: None)
                killed.setattr(instance.Instance, "leave", instance.Instance.stop_beating)
                with start_bot(tmp_path, monkeypatch, **shared) as a:
                    for text in (OPEN, "log Paged the database team", "comms me"):
                        activity = message(text, conversation=THREAD, service_url=a.service_url)
                        assert a.post(activity).status_code == 202
                        sent.append(activity)
                    time.sleep(0.5)  # B is alive and A too: B takes nothing
                    assert b.sent == [] and incidents(b) == []
            killed_at = time.monotonic()
            replies = [b.wait(lambda s=s: b.replies_to(s["id"]), 1, 30) for s in sent]
            assert time.monotonic() - killed_at > 1.0  # not before A was stale
            reference = replies[0][0]["text"].split()[0]
            assert replies[1][0]["text"].startswith(f"{reference}:")
            assert [state for _, state in journal(b)] == ["done"] * 3
