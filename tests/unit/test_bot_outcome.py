"""The bot's word on what a command's deliveries did says where the Teams cards went (issue 17:
after `notify sign-in` it said "Card posted in the incidents channel" when the only card went to
someone's 1:1 chat)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

from comms_assistant.adapters.sql import outbox
from comms_assistant.adapters.sql.store import OutboxRow
from comms_assistant.adapters.teams_transports import ADAPTIVE_CARD
from comms_assistant.entrypoints.bot.outcome import outcome, with_outcome
from comms_assistant.entrypoints.bot.turns import Background, Sent

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


def _background(status: str) -> tuple[Background, list[tuple[str, ...]], set[int]]:
    """A Background whose one delivery ends as `status`."""
    row = card("Incidents channel", 1)
    row.status = status
    said: list[tuple[str, ...]] = []

    async def deliver(_ids: set[int]) -> None:
        return None

    async def post(conversation: str, text: str) -> None:
        said.append(("post", conversation, text))

    async def amend(conversation: str, activity_id: str, activity: dict[str, Any]) -> None:
        said.append(("amend", conversation, activity_id, json.dumps(activity)))

    return Background(lambda _ids: [row], deliver, post, set(), amend), said, {1}


ANSWER = Sent("7", {"type": "message", "text": "INC-2026-0001: Update 1 sent."})


def _run(background: Background, ids: set[int], answer: Sent | None, quiet: bool = False) -> None:
    async def go() -> None:
        background.start(tuple(ids), "19:t@thread.tacv2", answer, quiet=quiet)
        await asyncio.gather(*background.tasks)

    asyncio.run(go())


def test_when_all_went_the_outcome_is_added_to_the_answer_not_posted() -> None:
    background, said, ids = _background(outbox.DONE)
    _run(background, ids, ANSWER)
    [(how, _, activity_id, activity)] = said
    assert (how, activity_id) == ("amend", "7")
    assert json.loads(activity)["text"] == (
        "INC-2026-0001: Update 1 sent.\n\nCard posted in the incidents channel."
    )


def test_a_failure_is_said_in_a_new_message_so_that_it_is_seen() -> None:
    background, said, ids = _background(outbox.FAILED)
    _run(background, ids, ANSWER, quiet=True)
    [(how, _, text)] = said
    assert how == "post" and "1 could not be delivered (Teams card)" in text


def test_a_press_says_nothing_when_all_went() -> None:
    background, said, ids = _background(outbox.DONE)
    _run(background, ids, None, quiet=True)
    assert said == []


def test_the_outcome_is_the_cards_last_block_and_the_rest_is_kept() -> None:
    card_answer: dict[str, Any] = {
        "type": "message",
        "text": "INC-2026-0001 is open at P2.",
        "attachments": [
            {"contentType": ADAPTIVE_CARD, "content": {"type": "AdaptiveCard", "body": [{"a": 1}]}}
        ],
    }
    new = with_outcome(card_answer, "Report updated: Incident reports/x.docx")
    body = new["attachments"][0]["content"]["body"]
    assert body[0] == {"a": 1}
    assert body[1]["text"] == "Report updated: Incident reports/x.docx" and body[1]["wrap"]
    assert card_answer["attachments"][0]["content"]["body"] == [{"a": 1}]  # not changed in place
