"""The nudge before an update is due reaches the comms lead: a real @mention (by the Entra id the
bot learnt from their messages), with buttons to write the update or send the holding update."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from test_bot_actions import incidents, inputs, texts
from test_bot_harness import CHANNEL, MEMBERS, Running, start_bot
from test_bot_proactive import OPEN_P1, Clock, cards_by, incidents_channel

from comms_assistant.adapters.card_rules import validate_card
from comms_assistant.adapters.sql import outbox
from comms_assistant.entrypoints.bot.actions import CARD
from comms_assistant.service.lead_notices import LEAD_CARD

THREAD = f"{CHANNEL};messageid=1700000000123"


def nudge(running: Running, clock: Clock) -> dict[str, Any]:
    """Move on 21 minutes (a P1's update is then due in 10) and return the nudge card posted."""
    clock.now += timedelta(minutes=21)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any(
        r.status == outbox.DONE for r in cards_by(LEAD_CARD, running)
    ):
        time.sleep(0.1)
    [row] = cards_by(LEAD_CARD, running)
    assert row.status == outbox.DONE, row.last_error
    [posted] = [
        m for m in incidents_channel(running) if "update is due" in str(m.get("attachments"))
    ]
    return dict(posted["attachments"][0]["content"])


def test_the_nudge_mentions_the_comms_lead_and_its_buttons_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    with start_bot(tmp_path, monkeypatch, clock=clock, worker_interval=0.2) as bot:
        bot.say(OPEN_P1, conversation=THREAD)
        bot.say("comms me", conversation=THREAD)
        card = nudge(bot, clock)

        object_id, name, _ = MEMBERS["29:1-comms-lead"]
        mention = {"type": "mention", "text": f"<at>{name}</at>"}
        assert card["msteams"]["entities"] == [
            mention | {"mentioned": {"id": object_id, "name": name}}
        ]
        assert f"For <at>{name}</at>" in texts(card)
        assert validate_card(card) == []
        assert [a["title"] for a in card["actions"]] == [
            "Write the update",
            "Send the holding update",
        ]
        [before] = incidents(bot)

        form = bot.pressed(card, "Write the update", conversation=THREAD)
        assert form["type"] == CARD and set(inputs(form["value"])) == {"text", "impact", "advice"}
        sent = bot.pressed(
            form["value"],
            "Send the update",
            {"text": "Candidates can sign in again but cannot yet submit"},
            conversation=THREAD,
        )
        assert sent["type"] == CARD and validate_card(sent["value"]) == []
        assert incidents(bot)[0].updates_sent == before.updates_sent + 1

        holding = bot.pressed(card, "Send the holding update", conversation=THREAD)
        assert holding["type"] == CARD, holding
        assert incidents(bot)[0].updates_sent == before.updates_sent + 2
        # Pressed by someone outside the incident's team: refused, as typing it would be.
        refused = bot.pressed(
            card, "Send the holding update", sender="29:1-visitor", conversation=THREAD
        )
        assert (
            refused["value"]
            == bot.say("holding", sender="29:1-visitor", conversation=THREAD)["text"]
        )
        assert incidents(bot)[0].updates_sent == before.updates_sent + 2
