"""The pieces of the bot's buttons and forms, each on its own: the forms' fields made into a
command as data, the rules for Universal Actions and mentions, the nudge's mention, the press
Teams sends (sandbox), and how a press's HTTP request waits for its answer."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from typing import Any

import pytest

from comms_assistant.adapters import card_actions
from comms_assistant.adapters.card_rules import validate_card
from comms_assistant.domain import commands as c
from comms_assistant.domain.incident import Priority
from comms_assistant.domain.policy import DEFAULT_POLICY, DEFAULT_RULES, Policy
from comms_assistant.entrypoints.bot import cards as bot_cards
from comms_assistant.entrypoints.bot import fields as bot_fields
from comms_assistant.entrypoints.bot import forms as bot_forms
from comms_assistant.entrypoints.bot.invoke import Waiter, press_of
from comms_assistant.sandbox import card_press
from comms_assistant.service.lead_notices import _card, _mention

SERVICES = {"apply": "Apply for teacher training", "find": "Find teacher training"}
NAMES = DEFAULT_POLICY.priority_names()


def _open(**fields: str) -> bot_fields.Filled:
    return bot_fields.open_command(fields, NAMES, SERVICES)


def test_the_declare_form_makes_the_typed_command_and_nothing_else() -> None:
    filled = _open(
        title="Apply is down", priority="p2", impact="Candidates cannot apply",
        services="apply,find", advice="Try again later", security="no",
    )  # fmt: skip
    assert filled.errors == {} and filled.text is not None
    assert c.parse(filled.text) == c.Open(
        title="Apply is down",
        priority=Priority.P2,
        impact="Candidates cannot apply",
        services=("apply", "find"),
        advice="Try again later",
    )


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"priority": "p2"}, "title", "Give the incident a title"),
        ({"title": "Apply p1 is down", "priority": "p2"}, "title", "out of the title"),
        ({"title": "Apply impact: everyone", "priority": "p2"}, "title", "out of the title"),
        ({"title": "Apply is down"}, "priority", "Choose how urgent"),
        (
            {"title": "Apply is down", "priority": "urgent"},
            "priority",
            '"urgent" is not a priority',
        ),
        ({"title": "A", "priority": "p3", "impact": "x services: find"}, "impact", "out of this"),
        ({"title": "A", "priority": "p3", "advice": "wait security: yes"}, "advice", "out of this"),
        ({"title": "A", "priority": "p3", "services": "apply,mars"}, "services", '"mars"'),
        ({"title": "A", "priority": "p3", "security": "maybe"}, "security", "yes"),
    ],
)
def test_a_wrong_field_is_named_and_nothing_is_made(
    fields: dict[str, str], field: str, words: str
) -> None:
    filled = _open(**fields)
    assert filled.text is None and words in filled.errors[field], filled.errors
    # Everything typed is kept, to show again.
    assert all(filled.values[k] == v for k, v in fields.items())


def test_the_declare_form_offers_the_public_status_page_only_when_there_is_one() -> None:
    plain = bot_forms.open_form(DEFAULT_POLICY, SERVICES)
    assert not [e for e in plain["body"] if e.get("id") == "public"]
    form = bot_forms.open_form(DEFAULT_POLICY, SERVICES, public_page="Statuspage")
    [box] = [e for e in form["body"] if e.get("id") == "public"]
    assert box["type"] == "Input.Toggle" and box["value"] == "no"
    assert box["title"] == "Put it on the public status page (Statuspage) too, in public words"
    assert validate_card(form) == []
    filled = _open(title="Apply is down", priority="p2", services="apply", public="yes")
    assert filled.text is not None and c.parse(filled.text) == c.Open(
        title="Apply is down", priority=Priority.P2, services=("apply",), public=True
    )
    assert _open(title="Apply is down", priority="p2", public="no").text == (
        "open Apply is down priority: p2 security: no"
    )
    wrong = _open(title="Apply is down", priority="p2", public="maybe")
    assert wrong.text is None and wrong.errors == {"public": bot_fields.PUBLIC_WORDS}
    # A held-back `open` shown again keeps the box as it was.
    values = bot_forms.values_of(c.parse("open Apply is down p2 public: yes"))
    again = bot_forms.open_form(DEFAULT_POLICY, SERVICES, values, public_page="Statuspage")
    assert [e["value"] for e in again["body"] if e.get("id") == "public"] == ["yes"]


def test_hostile_text_in_a_field_stays_text() -> None:
    filled = _open(title="<at>Boss</at> [x](https://evil.example/) \x1b[31mred", priority="p3")
    assert filled.text is not None
    parsed = c.parse(filled.text)
    assert isinstance(parsed, c.Open) and parsed.title.startswith("<at>Boss</at> [x]")
    assert "\x1b" not in filled.text


def test_the_profiles_priority_names_are_the_choices() -> None:
    rules = {p: dataclasses.replace(r, name="") for p, r in DEFAULT_RULES.items()}
    rules[Priority.P1] = dataclasses.replace(rules[Priority.P1], name="Critical")
    policy = Policy(name="named", rules=rules)
    form = bot_forms.open_form(policy, SERVICES)
    [choice_set] = [e for e in form["body"] if e.get("id") == "priority"]
    assert choice_set["choices"][0] == {"title": "Critical (P1)", "value": "p1"}
    filled = bot_fields.open_command(
        {"title": "Apply is down", "priority": "critical"}, policy.priority_names(), {}
    )
    assert filled.text is not None and c.parse(filled.text, priority_names=policy.priority_names())


def test_the_update_form_makes_the_update_command() -> None:
    filled = bot_fields.update_command({"text": "Better", "impact": "Few", "advice": "Wait"})
    assert c.parse(filled.text or "") == c.Update("Better", impact="Few", advice="Wait")
    assert bot_fields.update_command({"text": "Better do: panic"}).errors == {
        "text": bot_fields.UPDATE_WORDS
    }
    assert "Say what" in bot_fields.update_command({}).errors["text"]


def test_every_form_and_button_card_passes_teams_rules() -> None:
    values = bot_forms.values_of(c.parse("open Apply is down p2 services: apply security: yes"))
    cards = [
        bot_forms.open_form(DEFAULT_POLICY, SERVICES, values, {"": "No", "title": "Bad"}),
        bot_forms.update_form("INC-2026-0001", {"text": "x"}, {"impact": "Bad"}),
        bot_forms.update_form(None),
        bot_forms.text_form("close Restarted it", "INC-2026-0001"),
        bot_cards.held_card("Not sent yet.\n\nWhy", author="a@x.org", draft="x", suggested=True),
        bot_cards.welcome_card("Hello"),
        bot_cards.help_card(),
    ]
    for card in cards:
        assert validate_card(card) == [], card
        assert all(a["type"] == "Action.Execute" for a in card["actions"])


def test_card_rules_check_universal_actions_and_mentions() -> None:
    card: dict[str, Any] = bot_cards.card_of(
        [{"type": "TextBlock", "text": "For <at>Casey</at>"}],
        [card_actions.execute("Go", card_actions.COMMAND, {"command": "status"})],
    )
    mention = {"type": "mention", "text": "<at>Casey</at>", "mentioned": {"id": "1", "name": "C"}}
    card["msteams"] = {"entities": [mention]}
    assert validate_card(card) == []
    card["msteams"] = {"entities": [mention | {"text": "<at>Sam</at>"}]}
    assert any("appears in no TextBlock" in p for p in validate_card(card))
    card["msteams"] = {"entities": [mention | {"mentioned": {"name": "C"}}]}
    assert any("id and name" in p for p in validate_card(card))
    card["actions"][0]["verb"] = 3
    assert any("verb: must be text" in p for p in validate_card(card))


def test_the_nudge_mentions_by_entra_id_when_known_else_by_sign_in_name() -> None:
    known = _mention("casey@example.org", ("6b1e-0001", "Casey Comms"))
    assert known == {
        "type": "mention",
        "text": "<at>Casey Comms</at>",
        "mentioned": {"id": "6b1e-0001", "name": "Casey Comms"},
    }
    unknown = _mention("casey@example.org", None)
    assert unknown["mentioned"] == {"id": "casey@example.org", "name": "casey@example.org"}
    # A display name is Teams' to set: nothing in it may be Markdown or end the tag.
    hostile = _mention("x@example.org", ("id", "[Boss](https://evil.example/) </at>**_x_**"))
    assert hostile["text"] == "<at>Boss https evil.example at x</at>"
    card = _card("INC-2026-0001: an update is due soon", hostile, ["Due"], [])
    assert validate_card(card) == []


def test_the_sandbox_presses_a_button_as_teams_does() -> None:
    card = bot_cards.card_of(
        [{"type": "Input.Text", "id": "note", "value": "as shown"}],
        [
            card_actions.command_button("Hold", "holding", "INC-1"),
            {
                "type": "Action.ShowCard",
                "title": "Close",
                "card": {
                    "type": "AdaptiveCard",
                    "body": [{"type": "Input.Text", "id": "resolution"}],
                    "actions": [card_actions.execute("Yes", "command", {"command": "close"})],
                },
            },
        ],
    )
    value = card_press.press_value(card, "Yes", {"resolution": "Rebooted"})
    assert value["action"]["verb"] == "command" and value["trigger"] == "manual"
    assert value["action"]["data"] == {
        "command": "close",
        "note": "as shown",
        "resolution": "Rebooted",
    }
    assert press_of(value) == ("command", value["action"]["data"])
    with pytest.raises(card_press.NoSuchButton):
        card_press.press_value(card, "Nope")


@pytest.mark.parametrize(
    "value",
    [None, "x", {}, {"action": {"type": "Action.Submit", "verb": "command"}},
     {"action": {"type": "Action.Execute", "verb": "rm -rf"}},
     {"action": {"type": "Action.Execute", "verb": "command", "data": "x"}}],
)  # fmt: skip
def test_only_presses_of_our_buttons_are_taken(value: Any) -> None:
    assert press_of(value) is None


def test_a_press_waits_for_its_answer_or_gives_up_and_the_turn_knows() -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        answered = Waiter(loop)
        thread = threading.Thread(target=lambda: answered.answer({"value": 1}))
        thread.start()
        assert await asyncio.wait_for(answered.future, 5) == {"value": 1}
        thread.join()
        assert not answered.abandon()  # the answer came first
        assert not answered.answer({"value": 2})  # and only one answer counts

        abandoned = Waiter(loop)
        assert abandoned.abandon()
        assert not abandoned.answer({"value": 3})  # the turn then posts it instead
        assert abandoned.settled and not abandoned.future.done()

    asyncio.run(main())
