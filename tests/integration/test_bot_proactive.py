"""The worker inside `comms-assistant serve` sends the bot's nudges and cards through the Bot
Connector, to the stored conversation references; Graph only where the settings say so."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from test_bot_harness import APP_ID, CHANNEL, TENANT, Running, start_bot

from comms_assistant.adapters.sql import conversations, outbox
from comms_assistant.bootstrap import bootstrap
from comms_assistant.sandbox import seed
from comms_assistant.sandbox.bot_connector import BOT_CONNECTOR
from comms_assistant.service import deliveries as kinds
from comms_assistant.service.lead_notices import LEAD_CARD

OPEN_P1 = "open Apply is down p1 impact: Candidates cannot submit applications services: apply"


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def incidents_channel(running: Running) -> list[dict[str, Any]]:
    """Everything in the sandbox's incidents channel, posted by Graph or by the Bot Connector."""
    folder = running.sandbox.root / "teams" / seed.TEAM_NAME / seed.CHANNEL_NAME
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]


def settled(running: Running, ids: set[int], timeout: float = 120) -> list[outbox.OutboxRow]:
    engine = bootstrap(running.settings).engine
    deadline = time.monotonic() + timeout
    while True:
        rows = outbox.rows(engine, ids)
        if all(r.status != outbox.PENDING or r.last_error for r in rows) or (
            time.monotonic() > deadline
        ):
            return rows
        time.sleep(0.1)


def cards_by(kind: str, running: Running) -> list[outbox.OutboxRow]:
    return [r for r in outbox.rows(bootstrap(running.settings).engine) if r.kind == kind]


def test_cards_and_nudges_from_the_worker_go_through_the_bot_connector(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    with start_bot(tmp_path, monkeypatch, clock=clock, worker_interval=0.2) as running:
        # Someone spoke to the bot once (another channel): its Bot Connector address is stored.
        running.say("help", conversation=f"{CHANNEL};messageid=1")
        # Queued by another process (`run --no-wait`): only the worker in `serve` delivers it.
        app = bootstrap(running.settings, clock=clock)
        reply = app.commands().execute(OPEN_P1, who="comms.lead@example.org")
        assert reply.ok, reply.text
        rows = settled(running, set(reply.deliveries))
        assert all(r.status == outbox.DONE for r in rows), [(r.kind, r.last_error) for r in rows]

        posted = incidents_channel(running)
        assert posted and all(m.get("source") == BOT_CONNECTOR for m in posted), "not via Graph"
        # The message ids the bot got back are what the outbox keeps. The incident's card is
        # the one its row names: the link of a P1's Teams meeting may be posted already too (the
        # worker makes the meeting straight after, and that post is not one of the open's rows).
        channel_card = next(
            r
            for r in rows
            if r.kind == kinds.TEAMS_CARD and r.payload.get("to", "") in ("", "channel")
        )
        assert set(channel_card.result) == {"message_id"}
        [opened] = [m for m in posted if m["id"] == channel_card.result["message_id"]]
        assert opened["conversation"]["id"].startswith(f"{seed.CHANNEL_ID};messageid=")
        assert opened["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"
        assert "Apply is down" in json.dumps(opened["attachments"][0]["content"])
        meeting = "Join the responders' Teams meeting"

        # Nadia reads Teams: the bot found her in the team, started a 1:1 chat and stored it.
        engine = bootstrap(running.settings).engine
        found = conversations.chat_with(engine, "nadia.farrow@example.org")
        assert found is not None
        chat, stored = found
        assert chat.startswith("a:") and stored["reference"]["conversation"]["id"] == chat
        [card] = [a for a in running.sent if a["conversation"]["id"] == chat]
        assert card["attachments"][0]["content"]["type"] == "AdaptiveCard"
        chats = {a["conversation"]["id"] for a in running.sent if a.get("replyToId") is None}

        # 20 minutes on, a P1's update is due in 10: the worker nudges the lead, by the bot.
        clock.now += timedelta(minutes=21)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any(
            r.status == outbox.DONE for r in cards_by(LEAD_CARD, running)
        ):
            time.sleep(0.1)
        [nudge] = cards_by(LEAD_CARD, running)
        assert nudge.status == outbox.DONE, nudge.last_error
        now_posted = incidents_channel(running)
        # The card, the link of a P1's Teams meeting for the responders under it, the nudge.
        assert len(now_posted) == 3 and all(m["source"] == BOT_CONNECTOR for m in now_posted)
        said = [json.dumps(m["attachments"][0]["content"]) for m in now_posted]
        assert "an update is due soon" in said[-1]
        assert sum(meeting in s for s in said[1:]) == 1

        # A second card to Nadia reuses the stored chat: no new conversation.
        update = app.commands().execute(
            "update Candidates can sign in", who="comms.lead@example.org"
        )
        assert update.ok, update.text
        rows = settled(running, set(update.deliveries))
        assert all(r.status == outbox.DONE for r in rows), [(r.kind, r.last_error) for r in rows]
        assert len([a for a in running.sent if a["conversation"]["id"] == chat]) == 2
        again = {a["conversation"]["id"] for a in running.sent if a.get("replyToId") is None}
        assert {c for c in again if c.startswith("a:")} == {c for c in chats if c.startswith("a:")}


def test_with_no_stored_conversation_a_card_waits_with_a_plain_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with start_bot(tmp_path, monkeypatch, worker_interval=0.2) as running:
        app = bootstrap(running.settings)
        reply = app.commands().execute(OPEN_P1, who="comms.lead@example.org")
        rows = settled(running, set(reply.deliveries))
        # The support desk's channel is named, not an id: Graph takes that one ("auto").
        teams = [
            r
            for r in rows
            if r.kind == kinds.TEAMS_CARD and not r.payload.get("to", "").startswith("channel:")
        ]
        assert teams and all(r.status == outbox.PENDING for r in teams)  # retried, not lost
        for row in teams:
            assert "no stored Teams conversation" in (row.last_error or "")
            assert "Traceback" not in row.last_error
        assert incidents_channel(running) == [] and running.sent == []
        assert all(r.status == outbox.DONE for r in rows if r.kind == kinds.MAIL)


def installed_in_the_team(service_url: str, *, members: list[str]) -> dict[str, Any]:
    """The conversationUpdate Teams sends when the app is added to a team (shape from
    Microsoft's "Conversation events" samples): the conversation is the team's General channel."""
    team = "19:c5e0e4e1f1b24f0a9b0e1c1d7e1f2a3b@thread.tacv2"
    return {
        "type": "conversationUpdate",
        "id": f"f:{time.time_ns()}",
        "timestamp": "2026-11-23T09:55:00.000Z",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {"id": "29:1-comms-lead", "aadObjectId": "6a0f9c4e-0000-4000-8000-000000000001"},
        "conversation": {
            "isGroup": True,
            "conversationType": "channel",
            "tenantId": TENANT,
            "id": team,
        },
        "recipient": {"id": f"28:{APP_ID}", "name": "Comms"},
        "membersAdded": [{"id": member} for member in members],
        "channelData": {
            "team": {"id": team, "name": "Incident response"},
            "eventType": "teamMemberAdded",
            "tenant": {"id": TENANT},
        },
    }


def test_once_installed_in_a_team_cards_go_by_the_bot_before_anyone_speaks_to_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with start_bot(tmp_path, monkeypatch, worker_interval=0.2) as running:
        # A person joining the team is not the bot being installed: nothing is kept or said.
        joined = installed_in_the_team(running.service_url, members=["29:1-someone-new"])
        assert running.post(joined).status_code == 202
        added = installed_in_the_team(running.service_url, members=[f"28:{APP_ID}"])
        assert running.post(added).status_code == 202
        [welcome] = running.wait(lambda: running.sent, 1, 20)
        assert welcome["conversation"]["id"] == added["conversation"]["id"]
        assert "'help'" in welcome["text"]
        [button] = welcome["attachments"][0]["content"]["actions"]
        assert (button["type"], button["title"]) == ("Action.Execute", "Declare an incident")

        app = bootstrap(running.settings)
        reply = app.commands().execute(OPEN_P1, who="comms.lead@example.org")
        rows = settled(running, set(reply.deliveries))
        channel_card = next(
            r for r in rows if r.kind == kinds.TEAMS_CARD and r.payload.get("to") in ("", None)
        )
        assert channel_card.status == outbox.DONE, channel_card.last_error
        posted = incidents_channel(running)
        assert posted and all(m.get("source") == BOT_CONNECTOR for m in posted)


def test_settings_still_send_a_destination_through_graph(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with start_bot(
        tmp_path, monkeypatch, worker_interval=0.2, teams_transports={"channel": "graph"}
    ) as running:
        running.say("help", conversation=f"{CHANNEL};messageid=2")
        app = bootstrap(running.settings)
        reply = app.commands().execute(OPEN_P1, who="comms.lead@example.org")
        rows = settled(running, set(reply.deliveries))
        assert all(r.status == outbox.DONE for r in rows), [(r.kind, r.last_error) for r in rows]
        # The incident's card; a P1's bridge card follows as a reply in its thread, caused by
        # the meeting's creation, so it may or may not be there yet.
        found = [m for m in incidents_channel(running) if not m.get("replyToId")]
        assert len(found) == 1, [(m.get("source"), m.get("summary")) for m in found]
        [posted] = found
        assert posted.get("source") != BOT_CONNECTOR  # Graph's chatMessage
        # Chats still go by the bot ("auto"): only the channel was set to Graph.
        assert any(a["conversation"]["id"].startswith("a:") for a in running.sent)


def test_a_person_outside_the_team_is_parked_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only the harness's own people are in the team: Nadia is, Ola Bankole (who reads Teams
    # about apply) is not.
    with start_bot(tmp_path, monkeypatch, worker_interval=0.2, roster=False) as running:
        running.say("help", conversation=f"{CHANNEL};messageid=3")
        app = bootstrap(running.settings)
        reply = app.commands().execute(
            "open Apply is slow p3 impact: Some people cannot apply services: apply",
            who="comms.lead@example.org",
        )
        rows = settled(running, set(reply.deliveries))
        by_person = {r.payload.get("to", ""): r for r in rows if r.kind == kinds.TEAMS_CARD}
        ola = by_person["chat:ola.bankole@example.org"]
        # Not retryable: parked at once (the lead is told), not retried for minutes first.
        assert ola.status == outbox.FAILED and ola.attempts == 1
        assert "ola.bankole@example.org is not a member" in (ola.last_error or "")
        assert by_person["chat:nadia.farrow@example.org"].status == outbox.DONE
