"""The bot answers 202 at once and runs the turn afterwards: in order per conversation, a crash
told in a plain sentence, webhooks not kept waiting; card buttons; a channel per incident."""

# ruff: noqa: F811  (pytest fixtures are parameters named like the imported fixture)

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_bot_auth import _webhook
from test_bot_harness import (
    Running,
    message,
    running_bot,  # noqa: F401  (the fixture)
    start_bot,
)

from comms_assistant.adapters.sql import store
from comms_assistant.bootstrap import bootstrap
from comms_assistant.entrypoints.bot import turns as bot_turns
from comms_assistant.entrypoints.bot.sdk import UNSURE
from comms_assistant.sandbox import seed

OPEN = "open Apply is down p2 impact: Candidates cannot submit applications services: apply"


def test_commands_in_one_thread_run_in_the_order_sent(running_bot: Running) -> None:
    bot = running_bot
    thread = "19:order@thread.tacv2;messageid=11"
    reference = bot.say(OPEN, conversation=thread)["text"].split()[0]
    sent = [message(f"log step {n}", conversation=thread, service_url=bot.service_url)
            for n in range(6)]  # fmt: skip
    for activity in sent:  # all acknowledged before the first has been answered
        assert bot.post(activity).status_code == 202
    replies = [bot.wait(lambda a=a: bot.replies_to(a["id"]), 1, 20)[0] for a in sent]
    assert [int(r["id"]) for r in replies] == sorted(int(r["id"]) for r in replies)
    with store.transaction(bootstrap(bot.settings).engine) as session:
        row = store.find_incident(session, reference)
        assert row is not None
        timeline = [e.text for e in store.to_domain(row).timeline]
    assert [t for t in timeline if t.startswith("step")] == [f"step {n}" for n in range(6)]


def test_a_crashed_turn_is_told_in_a_plain_sentence_and_logged(
    running_bot: Running, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(self: Any, text: str, **kw: Any) -> Any:
        raise RuntimeError("sqlite3.OperationalError at /srv/secret/comms.db")

    monkeypatch.setattr(bot_turns.Turns, "answer", broken)
    with caplog.at_level(logging.ERROR):
        reply = running_bot.say("status")
    assert reply["text"] == bot_turns.SORRY
    assert "secret" not in json.dumps(reply) and "RuntimeError" not in json.dumps(reply)
    assert any("turn failed" in r.getMessage() for r in caplog.records)


def test_a_turn_that_fails_outside_the_sdk_is_told_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from comms_assistant.entrypoints.bot.sdk import AgentHost

    async def too_slow(self: Any, job: Any) -> None:
        raise TimeoutError  # what wait_for raises when a turn takes too long

    monkeypatch.setattr(AgentHost, "_turn", too_slow)
    with start_bot(tmp_path, monkeypatch) as bot:
        activity = message("status", service_url=bot.service_url)
        assert bot.post(activity).status_code == 202
        [told] = bot.wait(lambda: bot.replies_to(activity["id"]), 1, 20)
    assert told["text"] == (
        "Sorry, something went wrong on my side before I could answer \u201cstatus\u201d. "
        "Ask 'status' to see whether it was done."
    )
    assert told["text"] != UNSURE


def test_webhooks_are_answered_in_time_while_bot_turns_queue(running_bot: Running) -> None:
    bot = running_bot
    for n in range(30):
        thread = f"19:busy@thread.tacv2;messageid={n}"
        assert bot.post(
            message("help", conversation=thread, service_url=bot.service_url)
        ).is_success
    started = time.monotonic()
    answer = _webhook(bot, message("help", service_url=bot.service_url), "good")
    assert answer.status_code == 200 and time.monotonic() - started < 4
    assert "attachments" in answer.json()


def test_the_card_has_a_holding_update_button_that_sends_one(running_bot: Running) -> None:
    bot = running_bot
    thread = "19:hold@thread.tacv2;messageid=21"
    opened = bot.say(OPEN, conversation=thread)
    reference = opened["text"].split()[0]
    actions = opened["attachments"][0]["content"]["actions"]
    titles = [a["title"] for a in actions]
    assert titles[-3:] == ["Send holding update", "I'm the comms lead", "Close incident"]
    pressed = next(a for a in actions if a["title"] == "Send holding update")["data"]
    assert pressed["incident"] == reference
    assert pressed["command"] == "holding"
    answer = bot.say("", conversation=thread, value=pressed)
    assert answer["text"].startswith(f"{reference}: Holding update sent"), answer["text"]


def test_one_channel_per_incident(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with start_bot(tmp_path, monkeypatch, bot_channel_per_incident=True) as bot:
        opened = bot.say(OPEN, conversation="19:general@thread.tacv2;messageid=31")
        reference = opened["text"].split()[0]
        assert "I made the channel" in opened["text"]
        created = json.loads((bot.sandbox.root / "channels.json").read_text())
        [(channel_id, name)] = created.items()
        assert name.startswith(f"{reference} Apply is down")
        folder = bot.sandbox.root / "teams" / seed.TEAM_NAME / name
        [first] = [json.loads(p.read_text()) for p in folder.glob("*.json")]
        assert first["attachments"][0]["content"]["type"] == "AdaptiveCard"
        assert first["conversation"]["id"].startswith(f"{channel_id};messageid=")
        # A second incident, then a new thread in the first one's channel: no reference needed.
        bot.say("open Register is down p3", conversation="19:general@thread.tacv2;messageid=32")
        logged = bot.say("log Rolled back", conversation=f"{channel_id};messageid=99")
        assert logged["text"].startswith(reference)
        listed = httpx.get(f"{bot.sandbox.base_url}/_sandbox/log").json()
        assert any("/channels" in json.dumps(entry) for entry in listed["value"])
