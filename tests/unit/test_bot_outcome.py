"""The bot's word on what a command's deliveries did says where the Teams cards went (issue 17:
after `notify sign-in` it said "Card posted in the incidents channel" when the only card went to
someone's 1:1 chat)."""

from __future__ import annotations

from datetime import UTC, datetime

from comms_assistant.adapters import outbox
from comms_assistant.adapters.store import OutboxRow
from comms_assistant.entrypoints.bot_turns import outcome

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def card(where: str, n: int) -> OutboxRow:
    return OutboxRow(
        id=n, key=f"INC-2026-0001:4:teams:{n}", incident_id=1, lane="l", kind="teams.card",
        payload={"summary": "Update 1", "where": where}, status=outbox.DONE, attempts=1,
        claims=1, created_at=NOW, next_attempt_at=NOW, done_at=NOW,
    )  # fmt: skip


def test_a_card_that_went_only_to_a_chat_is_not_said_to_be_in_the_channel() -> None:
    said = outcome([card("Teams chat with rowan.hale@example.org", 1)])
    assert said == "Card posted in 1 Teams chat."


def test_the_channel_chats_and_other_channels_are_each_counted() -> None:
    rows = [
        card("Incidents channel", 1),
        card("Teams chat with a@example.org", 2),
        card("Teams chat with b@example.org", 3),
        card("Teams channel Incident response/Support desk", 4),
    ]
    assert outcome(rows) == (
        "Card posted in the incidents channel, 2 Teams chats and 1 other channel."
    )
