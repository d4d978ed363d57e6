"""JSON log lines (entrypoints/logs.py) and the health verdict (service/health.py)."""

from __future__ import annotations

import io
import json
import logging
from datetime import UTC, datetime, timedelta

import pytest

from comms_assistant.config import Settings
from comms_assistant.entrypoints import logs
from comms_assistant.service import log_context
from comms_assistant.service.health import OutboxFacts, Tick, judge

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
QUIET = OutboxFacts(pending=0, parked=0, oldest_due=None)


def _logger(log_format: str) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logs.configure(Settings(log_format=log_format), handlers=[handler])
    logger = logging.getLogger(f"tests.watch.{log_format}")
    logger.handlers, logger.propagate = [handler], False
    logger.setLevel(logging.INFO)
    return logger, stream


def test_json_lines_carry_the_incident_and_delivery_of_the_work_under_way() -> None:
    logger, stream = _logger("json")
    logger.info("before any work")
    with log_context.about(incident="INC-2026-0007"):
        logger.info('a command about "quotes"\nand a second line')
        with log_context.about(delivery=42):
            logger.warning("delivery %s failed", "INC-2026-0007:1:mail:0")
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("after the work")

    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(line["incident"], line["delivery"]) for line in lines] == [
        (None, None),
        ("INC-2026-0007", None),
        ("INC-2026-0007", 42),
        (None, None),
    ]
    assert lines[1]["message"] == 'a command about "quotes"\nand a second line'
    assert lines[2]["message"] == "delivery INC-2026-0007:1:mail:0 failed"
    assert lines[2]["level"] == "WARNING" and lines[2]["logger"] == "tests.watch.json"
    assert datetime.fromisoformat(lines[0]["time"]).tzinfo is not None
    assert "ValueError: boom" in lines[3]["error"]


def test_text_stays_text() -> None:
    logger, stream = _logger("text")
    with log_context.about(incident="INC-2026-0007", delivery=3):
        logger.info("plain")
    assert stream.getvalue() == "plain\n"


def test_an_unknown_log_format_is_refused_naming_the_choices() -> None:
    with pytest.raises(ValueError, match="'text' or 'json'"):
        Settings(log_format="xml")


def test_a_recent_tick_and_a_moving_outbox_are_healthy() -> None:
    tick = Tick("host:1", NOW - timedelta(seconds=60), True, 30.0)
    due = OutboxFacts(pending=3, parked=1, oldest_due=NOW - timedelta(minutes=14))
    health = judge(tick, due, now=NOW, started=NOW - timedelta(days=1), interval=30)
    assert health.ok
    assert health.body == {
        "status": "ok",
        "last_tick_seconds_ago": 60.0,
        "oldest_due_delivery_seconds": 840.0,
        "pending_deliveries": 3,
        "parked_deliveries": 1,
    }


def test_the_workers_own_interval_decides_what_recent_is() -> None:
    # 3 ticks of the worker's 60 s, though this process's own setting says 10 s.
    assert judge(_tick(ago=180), QUIET, now=NOW, started=NOW, interval=10).ok
    stopped = judge(_tick(ago=181), QUIET, now=NOW, started=NOW, interval=10)
    assert not stopped.ok
    assert stopped.reasons == (
        "The worker's last tick was 3 minutes ago (it ticks every 60 seconds): it has "
        "stopped or cannot reach the database.",
    )


def test_a_worker_ticking_every_few_seconds_is_not_stopped_by_one_slow_moment() -> None:
    fast = Tick("host:1", NOW - timedelta(seconds=5), True, 0.2)
    assert judge(fast, QUIET, now=NOW, started=NOW, interval=0.2).ok
    gone = Tick("host:1", NOW - timedelta(seconds=61), True, 0.2)
    stopped = judge(gone, QUIET, now=NOW, started=NOW, interval=0.2)
    assert stopped.reasons == (
        "The worker's last tick was 61 seconds ago (it ticks every 0.2 seconds): it has "
        "stopped or cannot reach the database.",
    )


def _tick(*, ago: float) -> Tick:
    return Tick("host:1", NOW - timedelta(seconds=ago), True, 60.0)


def test_a_stuck_outbox_and_a_silent_start_are_each_named() -> None:
    stuck = OutboxFacts(pending=1, parked=0, oldest_due=NOW - timedelta(minutes=16))
    health = judge(None, stuck, now=NOW, started=NOW - timedelta(hours=3), interval=30)
    assert not health.ok and health.body["status"] == "unhealthy"
    assert health.reasons[0].startswith("No worker has ticked in the 3.0 hours since this started")
    assert health.reasons[1].startswith("A delivery that is due has waited 16 minutes")
    assert health.body["reasons"] == list(health.reasons)
