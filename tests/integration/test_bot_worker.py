"""`comms-assistant serve` runs the cadence worker beside the bot endpoint."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from test_bot_harness import start_bot

from comms_assistant.adapters.sql import outbox
from comms_assistant.bootstrap import bootstrap


def test_deliveries_no_command_waits_on_are_made_by_the_worker_beside_the_bot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with start_bot(tmp_path, monkeypatch, worker_interval=0.2) as running:
        # The bot has heard from Teams once: its cards go through the Bot Connector from there
        # (test_bot_proactive.py: what happens before it has).
        running.say("help")
        # Queued by another process (`run --no-wait`): nobody in this server is waiting on it.
        app = bootstrap(running.settings)
        reply = app.commands().execute(
            "open Find is slow p3 impact: Some people cannot search for courses services: find",
            who="comms.lead@example.org",
        )
        assert reply.ok, reply.text
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if all(r.status == outbox.DONE for r in outbox.rows(app.engine, set(reply.deliveries))):
                break
            time.sleep(0.2)
        rows = outbox.rows(app.engine, set(reply.deliveries))
        assert rows and all(r.status == outbox.DONE for r in rows), [
            (r.kind, r.status, r.last_error) for r in rows
        ]
