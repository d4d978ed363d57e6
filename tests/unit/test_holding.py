"""`holding [text]`: the worker's holding update, sent now on a lead's word."""

from __future__ import annotations

import json

import pytest
from world import World

from comms_assistant.adapters import card_actions
from comms_assistant.adapters.sql import outbox
from comms_assistant.adapters.sql.store import find_incident, transaction
from comms_assistant.domain import commands as c
from comms_assistant.domain.incident import EntryKind
from comms_assistant.entrypoints.bot import cards as bot_cards

OPEN = (
    "open Apply for teacher training is down p2 impact: Candidates cannot submit applications "
    "services: apply"
)
NO_CHANGE = "There is no change since our last update."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("holding", c.Holding()),
        ("Holding", c.Holding()),
        ("  HOLDING   ", c.Holding()),
        (
            "holding We are still  waiting\nfor the supplier",
            c.Holding("We are still waiting for the supplier"),
        ),
    ],
)
def test_holding_parses_with_or_without_words(text: str, expected: c.Holding) -> None:
    assert c.parse(text) == expected


def test_holding_is_in_help_and_changes_an_incident() -> None:
    assert "holding [anything to add]" in c.HELP_TEXT
    assert not isinstance(c.parse("holding"), c.READ_ONLY)  # only the incident team may send it
    with pytest.raises(c.ParseError, match="holding"):
        c.parse("holdon")  # a typo is told the verbs, holding among them


def test_the_card_button_sends_holding() -> None:
    buttons = card_actions.incident_buttons("INC-2026-0001")
    [button] = [b for b in buttons if b["title"] == "Send holding update"]
    assert button["data"] == {"command": "holding", "incident": "INC-2026-0001"}
    submitted = bot_cards.submitted_command(button["data"])
    assert submitted is not None and c.parse(submitted[0]) == c.Holding()


def _entries(world: World, kind: EntryKind) -> list[str]:
    with transaction(world.app.engine) as session:
        row = find_incident(session, "INC-2026-0001")
        assert row is not None
        return [t.text for t in row.timeline if t.kind == kind.value]


def test_holding_sends_the_holding_update_by_mail_and_card(world: World) -> None:
    world.run(OPEN)
    world.deliver()
    mails, cards = len(world.mailer.sent), len(world.teams.posted)
    world.clock.advance(minutes=20)

    reply = world.run("holding")

    assert reply.ok, reply.text
    assert reply.text.startswith("INC-2026-0001: Holding update sent: no change since the last")
    assert "Telling " in reply.text and "Next update due by 11:20" in reply.text
    # The report refresh and every message are returned, so `run` and the bot wait on them.
    rows = outbox.rows(world.app.engine, set(reply.deliveries))
    assert {r.kind for r in rows} == {"report.sync", "mail", "teams.card"}
    assert _entries(world, EntryKind.HOLDING) == [
        "Holding update sent: no change since the last update"
    ]

    world.deliver()
    [mail] = world.mailer.sent[mails:]
    assert mail.subject == "INC-2026-0001: Apply for teacher training is down"
    assert "no change yet" in mail.text  # the holding banner, not a regular update's
    # The impact has no full stop of its own: the sentence still ends before the next starts.
    assert f"Candidates cannot submit applications. {NO_CHANGE}" in mail.text
    assert "We are still finding out what is wrong" in mail.text
    [card] = world.teams.posted[cards:]
    shown = json.dumps(card.card)
    assert NO_CHANGE in shown and "no change yet" in shown


def test_holding_with_words_adds_them_to_what_stakeholders_read(world: World) -> None:
    world.run(OPEN)
    world.deliver()
    sent = len(world.mailer.sent)

    reply = world.run("holding We are waiting for the supplier to restart the service.")

    assert reply.ok, reply.text
    world.deliver()
    [mail] = world.mailer.sent[sent:]
    assert f"{NO_CHANGE} We are waiting for the supplier to restart the service." in mail.text
    assert "We are waiting for the supplier" in mail.html
    assert "We are waiting for the supplier" in json.dumps(world.teams.posted[-1].card)
    [entry] = _entries(world, EntryKind.HOLDING)
    assert entry.endswith("Added: We are waiting for the supplier to restart the service.")


def test_holding_restarts_the_clock_as_the_workers_does(world: World) -> None:
    """A holding update counts as a message: the worker's own is not also sent when it falls due."""
    world.run(OPEN)
    world.deliver()
    world.clock.advance(minutes=50)
    assert world.run("holding").ok
    world.clock.advance(minutes=15)  # past the hour after opening, not an hour after `holding`
    cadence = world.app.cadence()
    assert not [line for line in cadence.run_tick() if "Holding update sent" in line]
    assert len(_entries(world, EntryKind.HOLDING)) == 1


def test_holding_is_refused_without_a_sender_or_an_open_incident(world: World) -> None:
    assert not world.run("holding").ok  # nothing open
    world.run(OPEN)
    before = len(world.outbox())
    reply = world.run("holding", who=None)
    assert not reply.ok and "Say who you are" in reply.text
    world.run("close Restored the database")
    after_close = len(world.outbox())
    assert "No incident is open" in world.run("holding").text
    # Named (a thread bound to it, a card's button): the incident says why not.
    reply = world.run("holding", incident="INC-2026-0001")
    assert not reply.ok and "send a holding update" in reply.text
    assert len(world.outbox()) == after_close > before


def test_holding_words_get_the_plain_english_check(world: World) -> None:
    world.run(OPEN)
    held = world.run("holding We are still seeing latency on the DNS resolver")
    assert held.held and "Not sent yet" in held.text and "send anyway" in held.text
    assert _entries(world, EntryKind.HOLDING) == []
    sent = world.run("send anyway")
    assert sent.ok and not sent.held
    assert len(_entries(world, EntryKind.HOLDING)) == 1
