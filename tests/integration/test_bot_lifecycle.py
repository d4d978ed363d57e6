"""A whole incident run by posting Teams activities to /api/messages alone."""

# ruff: noqa: F811  (pytest fixtures are parameters named like the imported fixture)

from __future__ import annotations

import json

from test_bot_harness import (
    Running,
    running_bot,  # noqa: F401  (the fixture)
)

from comms_assistant.adapters.sql import store
from comms_assistant.bootstrap import bootstrap

OPEN = "open Apply is down p2 impact: Candidates cannot submit applications services: apply"


def _incident(running: Running, reference: str) -> store.IncidentRow:
    with store.transaction(bootstrap(running.settings).engine) as session:
        row = store.find_incident(session, reference)
        assert row is not None
        session.expunge(row)
        return row


def test_an_incident_from_open_to_review_in_one_channel_thread(running_bot: Running) -> None:
    bot = running_bot
    thread = "19:incident-thread@thread.tacv2;messageid=1700000000001"

    opened = bot.say(OPEN, conversation=thread)
    assert "is open at P2" in opened["text"]
    reference = opened["text"].split()[0]
    card = opened["attachments"][0]["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    assert "Apply is down" in json.dumps(card)
    titles = [a["title"] for a in card["actions"]]
    assert "I'm the comms lead" in titles and "Close incident" in titles
    # What the deliveries did is added to that same answer afterwards: one message per command.
    answered = bot.amended(opened)
    assert answered["text"].startswith(opened["text"])
    assert "Report updated: Incident reports/" in answered["text"]
    assert "emailed" in answered["text"]
    said = answered["attachments"][0]["content"]["body"][-1]
    assert said["type"] == "TextBlock" and "Report updated: Incident reports/" in said["text"]

    # Nadia is a delivery manager in the contacts directory: she may act; she is found by the
    # connector's member look-up (her object id is not in the configured map).
    assert (
        "nadia.farrow@example.org is the tech lead"
        in bot.say("tech me", sender="29:1-nadia", conversation=thread)["text"]
    )
    # A card button: the same command, sent as a value, with the incident it was for.
    pressed = bot.say("", conversation=thread, value={"command": "comms me", "incident": reference})
    assert "comms.lead@example.org is the comms lead" in pressed["text"]

    update = bot.say(
        "update Candidates can sign in again but still cannot submit", conversation=thread
    )
    assert update["text"].startswith(f"{reference}:")
    assert "emailed" in bot.amended(update)["text"]

    status = bot.say("status", sender="29:1-visitor", conversation=thread)
    assert "Apply is down" in json.dumps(status["attachments"][0]["content"])

    refused = bot.say("close Restarted the database", sender="29:1-visitor", conversation=thread)
    assert "Only the incident team can change an incident" in refused["text"]
    assert "visitor@example.org" in refused["text"]
    assert _incident(bot, reference).status != "resolved"

    closed = bot.say(
        "",
        conversation=thread,
        value={
            "command": "close",
            "input": "resolution",
            "resolution": "Restarted the database",
            "incident": reference,
        },
    )
    assert f"{reference} is resolved" in closed["text"]
    reviewed = bot.say("review", conversation=thread)
    assert f"{reference} is closed" in reviewed["text"]
    assert _incident(bot, reference).status == "closed"
    assert "Review filed:" in bot.amended(reviewed)["text"]
    # Every command was answered once, and nothing else was posted: no second messages.
    assert bot.proactive(thread, count=1, timeout=0.5) == []


def test_a_named_person_may_then_act_and_a_thread_speaks_for_its_incident(
    running_bot: Running,
) -> None:
    bot = running_bot
    first, second = "19:a@thread.tacv2;messageid=1", "19:b@thread.tacv2;messageid=2"
    ref_a = bot.say("open Find is slow p3", conversation=first)["text"].split()[0]
    ref_b = bot.say("open Register is down p2", conversation=second)["text"].split()[0]
    assert ref_a != ref_b
    # Two incidents are open, yet each thread's commands need no reference.
    assert bot.say("log Rolled back", conversation=first)["text"].startswith(ref_a)
    assert bot.say("log Paged the DBA", conversation=second)["text"].startswith(ref_b)
    # The visitor is refused until a lead names them on that incident.
    assert (
        "Only the incident team"
        in bot.say("log I can see it too", sender="29:1-visitor", conversation=second)["text"]
    )
    bot.say("scribe visitor@example.org", conversation=second)
    assert bot.say("log I can see it too", sender="29:1-visitor", conversation=second)[
        "text"
    ].startswith(ref_b)


def test_status_of_a_security_incident_is_only_for_its_team(running_bot: Running) -> None:
    bot = running_bot
    thread = "19:sec@thread.tacv2;messageid=3"
    opened = bot.say("open Suspicious logins p2 security: yes", conversation=thread)
    assert "is open" in opened["text"]
    refused = bot.say("status", sender="29:1-visitor", conversation=thread)
    assert "security incident" in refused["text"] and "attachments" not in refused
    assert "Suspicious" not in json.dumps(refused)
    allowed = bot.say("status", conversation=thread)
    assert "Suspicious logins" in json.dumps(allowed)


def test_hostile_text_gets_a_plain_answer_and_changes_nothing(running_bot: Running) -> None:
    bot = running_bot
    for text in [
        "<script>alert(1)</script>",
        "open",
        "x" * 50000,
        "\x00\x1b[31m",
        "{{ 7*7 }}",
        json.dumps({"type": "AdaptiveCard", "body": []}),
    ]:
        reply = bot.say(text)
        assert (
            reply["text"] and "Traceback" not in reply["text"] and "Exception" not in reply["text"]
        )
    with store.transaction(bootstrap(bot.settings).engine) as session:
        assert store.latest_incident(session) is None
