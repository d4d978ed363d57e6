"""Through the bot (`comms-assistant serve`): the incident's card in the incidents channel is
posted once (a new thread), updated in place with the Bot Connector's update activity (PUT), and
each update is a reply in its thread; a 503 or a dropped answer on the update is retried, and
neither loses the change nor makes a second card. With a channel per incident, the card that
starts that channel is kept up to date the same way."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from test_bot_harness import CHANNEL, Running, start_bot

from comms_assistant.adapters.card_rules import validate_card
from comms_assistant.adapters.metrics import counters
from comms_assistant.adapters.sql import outbox
from comms_assistant.bootstrap import bootstrap
from comms_assistant.sandbox import message_history, seed
from comms_assistant.sandbox.bot_connector import BOT_CONNECTOR

OPEN = (
    "open Apply for teacher training is down p2 impact: Candidates cannot submit applications "
    "services: apply"
)
CHANGES = (
    "update Candidates can sign in but still cannot submit",
    "update Candidates still cannot submit. We know why and are fixing it",
    "update Candidates can submit again, but slowly",
    "priority p1 Every candidate is affected",
)
LATEST = "Update 4, priority raised to P1: Apply for teacher training is down"
LEAD = "comms.lead@example.org"

# msgraph's generated builders warn about their own deprecated config classes on import.
pytestmark = pytest.mark.filterwarnings("ignore:.*is deprecated:DeprecationWarning")


def all_settled(running: Running, timeout: float = 60) -> list[outbox.OutboxRow]:
    """Every delivery done or given up on (the worker in `serve` delivers the card's refreshes,
    which no command waits for)."""
    engine = bootstrap(running.settings).engine
    deadline = time.monotonic() + timeout
    while True:
        rows = outbox.rows(engine)
        if all(r.status != outbox.PENDING for r in rows) or time.monotonic() > deadline:
            return rows
        time.sleep(0.1)


def folder_of(running: Running, name: str) -> Path:
    return running.sandbox.root / "teams" / seed.TEAM_NAME / name


def threads(folder: Path) -> dict[str, list[dict[str, Any]]]:
    """Each thread the bot started in the channel (root activity) → the bot's replies in it."""
    posted = [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]
    posted = [a for a in posted if a.get("source") == BOT_CONNECTOR]
    channel = seed.CHANNEL_ID if folder.name == seed.CHANNEL_NAME else None
    found: dict[str, list[dict[str, Any]]] = {}
    for activity in posted:
        thread, _, root = activity["conversation"]["id"].partition(";messageid=")
        assert channel is None or thread == channel
        if root == activity["id"]:
            found.setdefault(root, [])
    for activity in posted:
        root = activity["conversation"]["id"].partition(";messageid=")[2]
        if root != activity["id"] and root in found:
            found[root].append(activity)
    return found


def throttled_by_the_bot_connector() -> float:
    labels = {"service": counters.BOT_CONNECTOR}
    name = "comms_assistant_throttled_responses_total"
    return REGISTRY.get_sample_value(name, labels) or 0.0


def card_of(activity: dict[str, Any]) -> str:
    return json.dumps(activity["attachments"][0]["content"])


def test_one_card_per_incident_updated_in_place_with_the_updates_as_replies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with start_bot(tmp_path, monkeypatch, worker_interval=0.2) as running:
        running.say("help", conversation=f"{CHANNEL};messageid=1")  # its address is stored
        faults = [
            {"id": "put-503", "method": "PUT", "path": "/v3/conversations/.+/activities/",
             "status": 503, "retry_after": 1, "times": 1},
            # Teams makes the change, and the answer is lost on the way back.
            {"id": "put-lost", "method": "PUT", "path": "/v3/conversations/.+/activities/",
             "drop": True, "after": True, "times": 1},
            {"id": "put-429", "method": "PUT", "path": "/v3/conversations/.+/activities/",
             "status": 429, "retry_after": 1, "times": 1},
        ]  # fmt: skip
        before = throttled_by_the_bot_connector()
        httpx.post(f"{running.sandbox.base_url}/_sandbox/faults", json=faults).raise_for_status()
        app = bootstrap(running.settings)
        for command in (OPEN, *CHANGES):
            reply = app.commands().execute(command, who=LEAD)
            assert reply.ok and not reply.held, reply.text

        rows = all_settled(running)

        assert all(r.status == outbox.DONE for r in rows), [
            (r.key, r.last_error) for r in rows if r.status != outbox.DONE
        ]
        found = threads(folder_of(running, seed.CHANNEL_NAME))
        assert len(found) == 1, f"{len(found)} top-level cards in the incidents channel"
        ((root_id, replies),) = found.items()
        (path,) = folder_of(running, seed.CHANNEL_NAME).glob(f"*-{root_id}.json")
        root = json.loads(path.read_text())
        assert LATEST in card_of(root) and '"title": "Priority", "value": "P1"' in card_of(root)
        assert len(replies) == len(CHANGES), "each update once, in the card's thread"
        assert "Candidates can sign in but still cannot submit" in card_of(replies[0])
        earlier = message_history.versions(path)
        assert "New incident: Apply" in json.dumps(earlier[0]["message"])
        assert root["version"] == len(earlier) + 1 > 2
        rules = httpx.get(f"{running.sandbox.base_url}/_sandbox/faults").json()["value"]
        assert {r["id"]: r["hits"] for r in rules} == {"put-503": 1, "put-lost": 1, "put-429": 1}
        assert throttled_by_the_bot_connector() - before == 1  # counted for /metrics
        refreshes = [r for r in rows if r.kind == "teams.refresh" and r.result.get("updated")]
        assert any(r.attempts > 1 for r in refreshes), "a refresh was tried again"
        assert {r.result["updated"] for r in refreshes} == {root_id}


def test_the_card_starting_an_incidents_own_channel_is_kept_up_to_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with start_bot(
        tmp_path, monkeypatch, worker_interval=0.2, bot_channel_per_incident=True
    ) as bot:
        opened = bot.say(
            "open Apply is down p2 impact: Candidates cannot apply services: apply",
            conversation="19:general@thread.tacv2;messageid=31",
        )
        assert "I made the channel" in opened["text"], opened["text"]
        created = json.loads((bot.sandbox.root / "channels.json").read_text())
        [(channel_id, name)] = created.items()
        status = bot.say("status identified", conversation=f"{channel_id};messageid=99")
        assert "identified" in status["text"].lower(), status["text"]
        all_settled(bot)

        found = threads(folder_of(bot, name))
        [root_id] = [r for r in found if r != "99"]
        (path,) = folder_of(bot, name).glob(f"*-{root_id}.json")
        card = json.loads(path.read_text())
        assert card["version"] >= 2, "updated in place"
        assert '"title": "Status", "value": "Identified"' in card_of(card)
        assert found[root_id] == [], "the updates go to the incidents channel, not here"
        # The bot posted it, so its buttons work: they stay after each refresh (issue 17).
        titles = [a["title"] for a in card["attachments"][0]["content"]["actions"]]
        assert {"Send holding update", "I'm the comms lead", "Close incident"} <= set(titles)
        assert validate_card(card["attachments"][0]["content"]) == []
        bot.say("close Restarted the service", conversation=f"{channel_id};messageid=99")
        all_settled(bot)
        closed = json.loads(path.read_text())["attachments"][0]["content"]
        assert "Close incident" not in json.dumps(closed.get("actions", [])), "none once resolved"
