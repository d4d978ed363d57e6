"""Every card the product makes passes our Teams rules and Microsoft's own Adaptive Cards SDK.

Microsoft's validator is the npm package `adaptivecards` (pinned in package.json, installed by
`npm ci --prefix tests/cardcheck`), run offline with node: it reports unknown element types,
missing required properties and bad values as Teams' renderer would.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from each_message import LATER, each_bot_card, each_message, each_report_filed

from comms_assistant.adapters.card_rules import validate_card
from comms_assistant.adapters.contacts import load_directory
from comms_assistant.adapters.render import Renderer
from comms_assistant.bootstrap import bootstrap
from comms_assistant.config import Settings
from comms_assistant.domain.messages import MessageKind
from comms_assistant.entrypoints.bot.cards import help_card, incident_card

HERE = Path(__file__).parent
REPORT = "https://example.sharepoint.com/sites/incidents/Shared%20Documents/report.docx"


def microsoft_problems(cards: list[dict[str, Any]]) -> list[list[str]]:
    node = shutil.which("node")
    assert node, "node is needed to run Microsoft's card validator"
    assert (HERE / "node_modules" / "adaptivecards").is_dir(), (
        "run: npm ci --prefix tests/cardcheck"
    )
    done = subprocess.run(
        [node, str(HERE / "validate.js")],
        input=json.dumps(cards),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)


def product_cards(tmp_path: Path) -> dict[str, dict[str, Any]]:
    renderer = Renderer(
        None, ZoneInfo("Europe/London"), service_names=load_directory(None).service_names()
    )
    cards: dict[str, dict[str, Any]] = {}
    for name, kind, incident, entry in each_message("Apply for teacher training is down"):
        cards[name] = renderer.card(
            kind, incident, entry, next_update_by=LATER + timedelta(hours=1), report_url=REPORT
        )
    for name, told in each_report_filed("Apply for teacher training is down", REPORT).items():
        cards[name] = told.card
    app = bootstrap(Settings(home=tmp_path / "home", plain_english_check=False))
    reply = app.commands().execute(
        "open Apply is down p2 impact: Candidates cannot apply services: apply", who="a@example.org"
    )
    bot_card = incident_card(app.engine, renderer, reply.reference or "")
    assert bot_card is not None
    cards["bot: incident"] = bot_card
    cards["bot: help"] = help_card()
    cards |= each_bot_card(app, renderer, reply.reference or "")
    return cards


def test_every_card_passes_our_rules_and_microsofts_validator(tmp_path: Path) -> None:
    cards = product_cards(tmp_path)
    assert len(cards) == 2 * len(MessageKind) + 4 + 9
    ours = {name: validate_card(card) for name, card in cards.items()}
    assert all(not found for found in ours.values()), ours
    theirs = dict(zip(cards, microsoft_problems(list(cards.values())), strict=True))
    assert all(not found for found in theirs.values()), theirs
    # The bot's incident card uses buttons and an input: both validators saw them.
    text = json.dumps(cards["bot: incident"])
    assert "Action.ShowCard" in text and "Input.Text" in text and "Action.Execute" in text
    # The forms' inputs and the nudge's mention: both validators saw them too.
    form = json.dumps(cards["bot: declare form"])
    assert "Input.ChoiceSet" in form and "Input.Toggle" in form
    assert cards["lead: nudge"]["msteams"]["entities"][0]["text"] == "<at>Casey Comms</at>"
    assert "RESTRICTED" in json.dumps(cards["update (security)"])
    assert "Action.OpenUrl" in json.dumps(cards["report filed"])
    assert "Action.OpenUrl" not in json.dumps(cards["report filed (security)"])


def test_microsofts_validator_does_catch_a_broken_card() -> None:
    broken = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [{"type": "Marquee", "text": "x"}],
        "actions": [{"type": "Action.OpenUrl", "title": "Open"}],
    }
    (found,) = microsoft_problems([broken])
    assert any("Marquee" in p for p in found) and any("url" in p for p in found)
    assert validate_card(broken)
