"""What each process counts, in prometheus-client's default registry (one set per process).

Counters start at zero when a process starts; Prometheus's rate() and increase() allow for that.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from prometheus_client import Counter, Histogram

DELIVERIES = Counter(
    "comms_assistant_deliveries",
    "Delivery attempts by kind (mail, teams.card, report, ...) and outcome: done, retry (failed, "
    "to be tried again) or parked (given up; the comms lead is told).",
    ["kind", "outcome"],
)
THROTTLED = Counter(
    "comms_assistant_throttled_responses",
    "429 (too many requests) answers seen, by the service that sent them.",
    ["service"],
)
TICKS = Counter(
    "comms_assistant_cadence_ticks",
    "The worker's cadence ticks (nudges, holding updates), by outcome: ok or failed.",
    ["outcome"],
)
HELD = Counter(
    "comms_assistant_messages_held",
    "Stakeholder messages the plain-English check held back until the person chose how to send.",
)
TURNS = Histogram(
    "comms_assistant_bot_turn_seconds",
    "Seconds the bot took to answer a command (Teams message, button or outgoing webhook), by "
    "outcome: answered, refused or failed.",
    ["outcome"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0),
)

# The services a 429 can come from, as the `service` label names them.
GRAPH, STATUS_PAGE, TEAMS_WEBHOOK = "graph", "status_page", "teams_webhook"
BOT_CONNECTOR = "bot_connector"  # the bot's own cards and replies, sent as the bot


def saw_status(service: str, status: int) -> None:
    """Where an answer's status becomes a retry or a refusal: counted if it was a 429."""
    if status == 429:
        THROTTLED.labels(service=service).inc()


class Answered(Protocol):
    """What a bot turn's reply tells (service/handlers/context.py's Reply)."""

    @property
    def ok(self) -> bool: ...

    @property
    def held(self) -> bool: ...

    @property
    def confirming(self) -> bool: ...


class Turn:
    """One bot turn being timed: `answered` with its reply, or failed if it raised."""

    outcome = "failed"

    def answered(self, reply: Answered) -> None:
        self.outcome = "answered" if reply.ok else "refused"
        if reply.held and not reply.confirming:  # the words shown again are the same hold
            HELD.inc()


@contextmanager
def timed_turn() -> Iterator[Turn]:
    turn, started = Turn(), time.perf_counter()
    try:
        yield turn
    finally:
        TURNS.labels(outcome=turn.outcome).observe(time.perf_counter() - started)
