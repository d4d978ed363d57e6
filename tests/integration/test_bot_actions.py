"""Card buttons are Universal Actions: each press is an `adaptiveCard/action` invoke, sent as
Teams sends it (sandbox.card_press), authenticated like a message and answered in the HTTP
response, running the command a typed message would run, through the same gate."""

# ruff: noqa: F811  (pytest fixtures are parameters named like the imported fixture)

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from test_bot_harness import (
    Running,
    message,
    new_sandbox,
    running_bot,  # noqa: F401  (the fixture)
    start_bot,
)

from comms_assistant.adapters.card_rules import validate_card
from comms_assistant.adapters.render_cards import as_read
from comms_assistant.adapters.sql import store, turn_journal
from comms_assistant.bootstrap import bootstrap
from comms_assistant.domain.incident import Incident, Priority
from comms_assistant.entrypoints.bot import invoke as bot_invoke
from comms_assistant.entrypoints.bot.actions import CARD, MESSAGE
from comms_assistant.sandbox import card_press

THREAD = "19:actions@thread.tacv2;messageid=1700000000009"
JARGON = (
    "update Some candidates cannot sign in. The cause is a DNS failover. We are testing a hotfix."
)


def card_of(reply: dict[str, Any]) -> dict[str, Any]:
    return reply["attachments"][0]["content"]


def texts(card: dict[str, Any]) -> list[str]:
    return [e["text"] for e in card["body"] if e["type"] == "TextBlock"]


def inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in card["body"] if e["type"].startswith("Input.")}


def error_after(card: dict[str, Any], field: str) -> str:
    """The text shown just under the input `field` (where the form puts its problem)."""
    body = card["body"]
    index = next(i for i, e in enumerate(body) if e.get("id") == field)
    after = body[index + 1]
    assert after["type"] == "TextBlock" and after.get("color") == "Attention", after
    return str(after["text"])


@dataclass(frozen=True)
class Seen:
    reference: str
    updates_sent: int
    incident: Incident  # as the store holds it


def incidents(running: Running) -> list[Seen]:
    with store.transaction(bootstrap(running.settings).engine) as session:
        rows = session.scalars(select(store.IncidentRow).order_by(store.IncidentRow.id))
        return [Seen(r.reference, r.updates_sent, store.to_domain(r)) for r in rows]


def test_a_team_member_declares_an_incident_with_the_form(running_bot: Running) -> None:
    bot = running_bot
    asked = bot.say("open", sender="29:1-nadia", conversation=THREAD)
    form = card_of(asked)
    assert validate_card(form) == []
    assert {"title", "priority", "impact", "services", "advice", "security"} <= set(inputs(form))
    choices = [c["value"] for c in inputs(form)["priority"]["choices"]]
    assert choices == ["p1", "p2", "p3", "p4"]
    assert "apply" in [c["value"] for c in inputs(form)["services"]["choices"]]
    assert form["actions"][0]["type"] == "Action.Execute"
    # The help card's "Declare an incident" opens the same form.
    help_card = card_of(bot.say("help", sender="29:1-nadia", conversation=THREAD))
    opened = bot.pressed(help_card, "Declare an incident", sender="29:1-nadia", conversation=THREAD)
    assert opened == {"statusCode": 200, "type": CARD, "value": form}

    answer = bot.pressed(
        form,
        "Declare the incident",
        {
            "title": "Apply is down",
            "priority": "p2",
            "impact": "Candidates cannot submit applications",
            "services": "apply",
        },
        sender="29:1-nadia",
        conversation=THREAD,
    )
    assert answer["type"] == CARD, answer
    card = answer["value"]
    assert validate_card(card) == []
    said = " ".join(texts(card))
    assert "is open at P2" in said and "Apply is down" in json.dumps(card)
    [row] = incidents(bot)
    declared = row.incident
    assert (declared.title, declared.priority) == ("Apply is down", Priority.P2)
    assert declared.declared_by == "nadia.farrow@example.org"
    assert declared.services == ("apply",) and declared.impact.startswith("Candidates cannot")
    # The thread now speaks for the incident, as after a typed 'open'.
    assert bot.say("status", conversation=THREAD)["text"].startswith(row.reference)
    # The presses went through the turn journal, and are done.
    journal = turn_journal.open_journal(bot.settings.home)
    deadline = time.monotonic() + 10  # recorded done just after the answer
    while [t for t in turn_journal.unfinished(journal) if t.activity["type"] == "invoke"]:
        assert time.monotonic() < deadline, turn_journal.unfinished(journal)
        time.sleep(0.05)
    with store.transaction(journal) as session:
        rows = session.scalars(select(turn_journal.BotTurnRow))
        assert sum(r.activity["type"] == "invoke" for r in rows) == 2


def test_the_declare_form_publishes_on_the_status_page_when_ticked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with start_bot(tmp_path, monkeypatch, status_page="statuspage") as bot:
        form = card_of(bot.say("open", sender="29:1-nadia", conversation=THREAD))
        assert validate_card(form) == []
        assert "public status page (Statuspage)" in inputs(form)["public"]["title"]
        fields = {"title": "Apply is down", "priority": "p2", "services": "apply"}
        answer = bot.pressed(
            form, "Declare the incident", fields | {"public": "yes"},
            sender="29:1-nadia", conversation=THREAD,
        )  # fmt: skip
        assert answer["type"] == CARD, answer
        said = " ".join(texts(answer["value"]))
        assert "Publishing it on the public status page (Statuspage)" in said
        status = bot.say("status", conversation=THREAD)["text"]
        assert "Public status page (Statuspage): on it, 1 post" in status


def test_a_bad_form_comes_back_with_the_problem_next_to_its_field(running_bot: Running) -> None:
    bot = running_bot
    form = card_of(bot.say("open", conversation=THREAD))

    no_title = bot.pressed(
        form, "Declare the incident", {"priority": "p2", "impact": "Nobody can apply"},
        conversation=THREAD,
    )  # fmt: skip
    assert no_title["type"] == CARD
    again = no_title["value"]
    assert "Give the incident a title" in error_after(again, "title")
    assert inputs(again)["impact"]["value"] == "Nobody can apply"
    assert inputs(again)["priority"]["value"] == "p2"
    assert validate_card(again) == []

    # A priority the form never offered (a forged press): the typed command's own words.
    unknown = bot.pressed(
        again, "Declare the incident", {"title": "Apply is down", "priority": "p9"},
        conversation=THREAD,
    )["value"]  # fmt: skip
    assert '"p9" is not a priority' in error_after(unknown, "priority")
    assert inputs(unknown)["title"]["value"] == "Apply is down"
    # Words of the command language typed into the title cannot set other fields.
    sneaky = bot.pressed(
        unknown, "Declare the incident",
        {"title": "Apply is down security: yes", "priority": "p3"}, conversation=THREAD,
    )["value"]  # fmt: skip
    assert "out of the title" in error_after(sneaky, "title")
    assert incidents(bot) == []


def test_a_press_by_someone_not_allowed_is_refused_and_changes_nothing(
    running_bot: Running,
) -> None:
    bot = running_bot
    opened = bot.say("open Apply is down p2", conversation=THREAD)
    [row] = incidents(bot)
    card = card_of(opened)
    typed = bot.say("holding", sender="29:1-visitor", conversation=THREAD)["text"]

    refused = bot.pressed(card, "Send holding update", sender="29:1-visitor", conversation=THREAD)
    assert refused == {"statusCode": 200, "type": MESSAGE, "value": typed}
    assert "Only the incident team can change an incident" in typed and "visitor@" in typed
    [after] = incidents(bot)
    assert after == row

    # The declare form too: the visitor may not open an incident.
    form = card_of(bot.say("open", sender="29:1-visitor"))
    back = bot.pressed(
        form, "Declare the incident", {"title": "Find is slow", "priority": "p3"},
        sender="29:1-visitor",
    )["value"]  # fmt: skip
    typed = bot.say("open Find is slow p3", sender="29:1-visitor")["text"]
    assert "visitor@example.org" in typed and typed in [as_read(t) for t in texts(back)]
    assert len(incidents(bot)) == 1
    # A press is authenticated as any activity is.
    assert bot.press(card, "Send holding update", auth=None, conversation=THREAD).status_code == 401
    assert (
        bot.press(card, "Send holding update", auth="Bearer x", conversation=THREAD).status_code
        == 401
    )

    # Someone allowed presses the same button: the holding update goes, the card is refreshed.
    done = bot.pressed(card, "Send holding update", conversation=THREAD)
    assert done["type"] == CARD and "Send holding update" in json.dumps(done["value"])
    assert any(row.reference in t for t in texts(done["value"]))
    assert incidents(bot)[0].updates_sent == row.updates_sent + 1


def test_held_back_message_buttons_send_it_as_written_or_edit_it(running_bot: Running) -> None:
    bot = running_bot
    bot.say("open Apply is down p2 impact: Candidates cannot apply", conversation=THREAD)
    held = bot.say(JARGON, conversation=THREAD)
    assert held["text"].startswith("Not sent yet.")
    card = card_of(held)
    assert validate_card(card) == []
    titles = [a["title"] for a in card["actions"]]
    assert titles == ["Send as written", "Send suggested", "Edit"]
    assert all(a["type"] == "Action.Execute" for a in card["actions"])

    edit = bot.pressed(card, "Edit", conversation=THREAD)["value"]
    assert inputs(edit)["text"]["value"].startswith("Some candidates cannot sign in.")
    assert validate_card(edit) == []
    # Only its author may send it.
    other = bot.pressed(card, "Send as written", sender="29:1-nadia", conversation=THREAD)
    assert other["type"] == MESSAGE and "comms.lead@example.org" in other["value"]
    [row] = incidents(bot)
    assert row.updates_sent == 0

    # "Send suggested" sends nothing yet: it shows the final words and asks for the yes.
    shown = bot.pressed(card, "Send suggested", conversation=THREAD)
    assert shown["type"] == CARD and validate_card(shown["value"]) == []
    assert any("We are testing a quick fix." in t for t in texts(shown["value"]))
    assert [a["title"] for a in shown["value"]["actions"]] == [
        "Send as written",
        "Send these words",
        "Edit",
    ]
    assert incidents(bot)[0].updates_sent == 0

    sent = bot.pressed(card, "Send as written", conversation=THREAD)
    assert sent["type"] == CARD and validate_card(sent["value"]) == []
    assert any("DNS failover" in e.text for e in incidents(bot)[0].incident.timeline)
    # Pressed again: it was sent, nothing more goes.
    again = bot.pressed(card, "Send as written", conversation=THREAD)
    assert again["type"] == MESSAGE and "nothing was sent" in again["value"]


def test_the_edit_form_sends_the_update_as_a_typed_one_would_be(running_bot: Running) -> None:
    bot = running_bot
    bot.say("open Apply is down p2 impact: Candidates cannot apply", conversation=THREAD)
    card = card_of(bot.say(JARGON, conversation=THREAD))
    edit = bot.pressed(card, "Edit", conversation=THREAD)["value"]
    sent = bot.pressed(
        edit, "Send the update",
        {"text": "Some candidates cannot sign in. We are fixing it.", "impact": "Some candidates"},
        conversation=THREAD,
    )  # fmt: skip
    assert sent["type"] == CARD, sent
    [row] = incidents(bot)
    assert row.incident.impact == "Some candidates" and row.updates_sent == 1


def test_a_press_answered_late_says_so_and_its_reply_follows_in_the_conversation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot_invoke, "DEADLINE", 0.0)  # every press outlasts the wait
    with start_bot(tmp_path, monkeypatch) as bot:
        card = card_of(bot.say("open Apply is down p2", conversation=THREAD))
        late = bot.pressed(card, "I'm the comms lead", conversation=THREAD)
        assert late == {"statusCode": 200, "type": MESSAGE, "value": bot_invoke.STILL_WORKING}
        posted = bot.wait(
            lambda: [m for m in bot.proactive(THREAD, 2) if "is the comms lead" in m["text"]],
            1,
            20,
        )
        assert posted and "comms.lead@example.org is the comms lead" in posted[0]["text"]
        assert incidents(bot)[0].incident.leads


def test_a_press_runs_once_and_one_never_begun_before_a_stop_is_not_run_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    authorizations: list[str | None] = []
    sandbox = new_sandbox(tmp_path, authorizations)
    with sandbox:
        shared: dict[str, Any] = {"sandbox": sandbox, "authorizations": authorizations}
        with start_bot(tmp_path, monkeypatch, **shared) as first:
            card = card_of(first.say("open Apply is down p2", conversation=THREAD))
            base = message("", conversation=THREAD, service_url=first.service_url)
            press = card_press.press(card, "Send holding update", base=base)
            answered = first.post(press)
            # Teams sends it again (the answer was slow): the same answer, not run twice.
            again = first.post(press)
            assert answered.status_code == again.status_code == 200
            assert answered.json() == again.json() and answered.json()["type"] == CARD
            assert incidents(first)[0].updates_sent == 1
            # The process dies having stored a press, before running it.
            stored = card_press.press(card, "Send holding update", base=base)
            engine = turn_journal.open_journal(first.settings.home)
            turn = turn_journal.accept(
                engine, THREAD, stored["id"], stored, {}, now=datetime.now(UTC)
            )
            assert turn is not None
        with start_bot(tmp_path, monkeypatch, **shared) as second:
            time.sleep(0.5)
            # Its presser saw it fail and may press again: it is not run behind their back.
            assert incidents(second)[0].updates_sent == 1
            assert turn_journal.unfinished(turn_journal.open_journal(second.settings.home)) == []
