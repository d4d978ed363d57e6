"""Issue 17's whole journey through the bot over the sandbox Bot Connector: a team member who is
in no setting declares an incident with the form (an `adaptiveCard/action` invoke); three updates
later the incidents channel has one top-level card for it, updated in place, with the updates as
replies in its thread; someone outside the team can neither press the form nor open by typing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_bot_harness import Running, message, start_bot
from test_bot_living_card import all_settled, folder_of, threads
from test_bot_team import CONTRACTOR, NEW_STARTER, _incidents

from comms_assistant.adapters.sql import outbox
from comms_assistant.sandbox import SandboxTenant, card_press, seed

pytestmark = pytest.mark.filterwarnings("ignore:.*is deprecated:DeprecationWarning")

THREAD = "19:journey@thread.tacv2;messageid=1700000000077"
UPDATES = (
    "update Candidates can sign in but still cannot submit",
    "update Candidates still cannot submit. We know why and are fixing it",
    "update Candidates can submit again, but slowly",
)


def activity(person: tuple[str, str, str, str], text: str, running: Running) -> dict[str, Any]:
    teams_id, object_id, name, _ = person
    sent = message(text, sender=teams_id, conversation=THREAD, service_url=running.service_url)
    sent["from"] = {"id": teams_id, "name": name, "aadObjectId": object_id}
    return sent


def say(running: Running, person: tuple[str, str, str, str], text: str) -> dict[str, Any]:
    sent = activity(person, text, running)
    assert running.post(sent).status_code == 202
    [reply] = running.wait(lambda: running.replies_to(sent["id"]), 1, 20)
    return reply


def press(
    running: Running, person: tuple[str, str, str, str], card: dict[str, Any], typed: Any
) -> dict[str, Any]:
    invoke = card_press.press(
        card, "Declare the incident", typed, base=activity(person, "", running)
    )
    answer = running.post(invoke)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_a_team_member_declares_with_the_form_and_the_channel_keeps_one_living_card(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = SandboxTenant(tmp_path / "sandbox", faults=[])
    with sandbox, start_bot(tmp_path, monkeypatch, sandbox=sandbox, worker_interval=0.2) as bot:
        people = [
            {"id": p[0], "aadObjectId": p[1], "name": p[2], "email": p[3]}
            | ({"inTeam": False} if p is CONTRACTOR else {})
            for p in (NEW_STARTER, CONTRACTOR)
        ]
        httpx.post(f"{sandbox.base_url}/_sandbox/users", json={"value": people}).raise_for_status()
        bot.say("help", conversation=f"{seed.CHANNEL_ID};messageid=1")  # its address is stored

        form = say(bot, NEW_STARTER, "open")["attachments"][0]["content"]
        typed = {
            "title": "Apply for teacher training is down",
            "priority": "p2",
            "impact": "Candidates cannot submit applications",
            "services": "apply",
        }
        # Someone outside the team presses the same form: refused, nothing declared.
        refused = press(bot, CONTRACTOR, form, typed)
        assert "Only members of the incidents channel's team" in json.dumps(refused)
        assert _incidents(bot) == []
        assert "Only members" in say(bot, CONTRACTOR, "open Find is down p3")["text"]
        assert _incidents(bot) == []

        declared = press(bot, NEW_STARTER, form, typed)
        assert "is open at P2" in json.dumps(declared)
        [row] = _incidents(bot)
        assert row.declared_by == NEW_STARTER[3] and row.leads == {"incident lead": NEW_STARTER[3]}

        for text in UPDATES:
            reply = say(bot, NEW_STARTER, text)
            assert reply["text"].startswith(row.reference), reply["text"]

        rows = all_settled(bot)
        assert all(r.status == outbox.DONE for r in rows), [
            (r.key, r.last_error) for r in rows if r.status != outbox.DONE
        ]
        found = threads(folder_of(bot, seed.CHANNEL_NAME))
        assert len(found) == 1, f"{len(found)} top-level cards in the incidents channel"
        ((root_id, replies),) = found.items()
        (path,) = folder_of(bot, seed.CHANNEL_NAME).glob(f"*-{root_id}.json")
        latest = json.dumps(json.loads(path.read_text())["attachments"][0]["content"])
        assert "Update 3: Apply for teacher training is down" in latest
        assert len(replies) == len(UPDATES)
        assert "Candidates can submit again, but slowly" in json.dumps(replies[-1])


def test_open_typed_in_the_incidents_channel_leaves_one_card_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 17: `open` typed in the incidents channel put the bot's answer card and the
    incident's card there, two near-identical cards. The answer now says where the card is."""
    with start_bot(tmp_path, monkeypatch, worker_interval=0.2) as bot:
        here = f"{seed.CHANNEL_ID};messageid=1700000000100"
        answer = bot.say("open Apply is down p2 impact: Candidates cannot apply", conversation=here)
        assert "is open at P2" in answer["text"]
        assert "Its card is posted in this channel and kept up to date." in answer["text"]
        assert not answer.get("attachments")
        rows = all_settled(bot)
        assert all(r.status == outbox.DONE for r in rows)
        found = threads(folder_of(bot, seed.CHANNEL_NAME))
        assert len(found) == 1, f"{len(found)} top-level cards in the incidents channel"
        # Declared with the form there: the form becomes the answer, not a second incident card.
        form = bot.say("open", conversation=here)["attachments"][0]["content"]
        typed = {"title": "Register is down", "priority": "p3", "impact": "", "services": ""}
        pressed = bot.pressed(form, "Declare the incident", typed, conversation=here)["value"]
        shown = [block.get("text", "") for block in pressed["body"]]
        assert any("Its card is posted in this channel" in text for text in shown), shown
        assert "Register is down" not in json.dumps(pressed.get("actions", []))
        assert all(block["type"] == "TextBlock" for block in pressed["body"])
        # Elsewhere (a chat, another channel) the answer still carries the incident's card.
        elsewhere = bot.say("open Find is slow p3", conversation=THREAD)
        assert elsewhere["attachments"][0]["content"]["type"] == "AdaptiveCard"
