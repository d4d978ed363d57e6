"""The incident's living card (service/living_card.py), drawn at every stage of an incident,
passes our Teams rules and Microsoft's Adaptive Cards validator (see test_every_card_validates)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from test_every_card_validates import REPORT, microsoft_problems

from comms_assistant.adapters.card_rules import validate_card
from comms_assistant.bootstrap import bootstrap
from comms_assistant.config import Settings
from comms_assistant.service.living_card import LivingCards

STAGES = (
    ("opened", "open Apply is down p2 impact: Candidates cannot apply services: apply"),
    ("update", "update Candidates can sign in but cannot submit"),
    ("priority", "priority p1 Every candidate is affected"),
    ("holding", "holding"),
    ("facts", "status monitoring"),
    ("resolved", "close Restored the connection to the applications database"),
    ("security", "open Candidate data may have leaked p2 services: apply security: yes"),
)


def test_the_living_card_passes_both_validators_at_every_stage(tmp_path: Path) -> None:
    app = bootstrap(Settings(home=tmp_path / "home", plain_english_check=False))
    service, planner = app.commands(), app.planner()
    living = LivingCards(planner.renderer, planner.policy)
    cards: dict[str, dict[str, Any]] = {}
    for name, command in STAGES:
        reply = service.execute(command, who="comms.lead@example.org")
        assert reply.ok, reply.text
        with app.unit_of_work() as uow:
            incident = uow.incidents.get(reply.reference or "")
            assert incident is not None
            incident.record.report_url = REPORT  # with the button that opens the report
            cards[name] = living.draw(incident)[1]

    ours = {name: validate_card(card) for name, card in cards.items()}
    assert all(not found for found in ours.values()), ours
    theirs = dict(zip(cards, microsoft_problems(list(cards.values())), strict=True))
    assert all(not found for found in theirs.values()), theirs
    assert "Action.OpenUrl" in str(cards["update"]) and "RESTRICTED" in str(cards["security"])
    assert "Resolved: Apply is down" in str(cards["resolved"])
