"""Issue 15: every message tells the truth. A whole incident through the service and the real
renderer, read as its stakeholders read it (the plain-text part of each email, the cards)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from world import World
from world_build import build_world

from comms_assistant.adapters.sql import store
from comms_assistant.domain.incident import Priority
from comms_assistant.service.replies import due_time

IMPACT_A = "Pupils and teachers cannot sign in"
IMPACT_B = "Pupils cannot sign in. Teachers can sign in again"
ADVICE_C = "Ask pupils not to create new accounts, and phone the support desk if it is urgent"
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def world(tmp_path: Path) -> World:
    # A Monday morning; the wording check is not under test here.
    start = datetime(2026, 11, 23, 9, 10, tzinfo=UTC)
    return build_world(tmp_path / "home", start, plain_english_check=False)


def _told(world: World) -> list[str]:
    world.deliver()
    return [mail.text for mail in world.mailer.sent]


def test_a_whole_incident_says_only_current_facts_in_one_numbered_sequence(world: World) -> None:
    lead = "comms.lead@example.org"
    assert world.run(f"open Sign-in is down p2 impact: {IMPACT_A} services: sign-in", lead).ok
    opened = _told(world)
    assert all(IMPACT_A in text for text in opened)
    # Nobody has said what readers should do: the section is left out, not invented.
    assert not any("What you need to do" in text for text in opened)

    world.clock.advance(minutes=20)
    assert world.run(f"update We found the cause impact: {IMPACT_B} do: {ADVICE_C}", lead).ok
    world.clock.advance(minutes=10)
    assert world.run("priority p1 Schools are phoning us", lead).ok
    world.clock.advance(minutes=20)
    assert world.run("priority p2 Fewer schools affected", lead).ok
    world.clock.advance(minutes=5)
    assert world.run("holding", lead).ok
    world.clock.advance(minutes=30)
    assert world.run("close We restarted the sign-in service", lead).ok
    later = _told(world)[len(opened) :]

    # After the change no message shows the old impact, and the advice is under its heading.
    assert later and not any(IMPACT_A in text for text in later)
    stakeholder = [t for t in later if "Major incident" not in t.split("\n", 1)[0]]
    for text in stakeholder:
        if not text.startswith(("Resolved:", "What has happened so far:")):
            assert f"What you need to do\n{ADVICE_C}." in text, text
        assert "Nothing at the moment" not in text
    # The state first, and one sequence of numbers: updates, priority changes and holding.
    headings = list(dict.fromkeys(text.split("\n", 1)[0] for text in stakeholder))
    numbered = [h for h in headings if h.startswith("Update")]
    assert numbered == [
        "Update 1: Sign-in is down",
        "Update 2, priority raised to P1: Sign-in is down",
        "Update 3, priority lowered to P2: Sign-in is down",
        "Update 4, no change yet: Sign-in is down",
    ]
    assert headings[-1] == "Resolved: Sign-in is down"
    # The history, told once it is over, in the messages' own way of giving times.
    (resolved, *_) = [t for t in stakeholder if t.startswith("Resolved:")]
    story = (
        "We declared it P2 at 9:10am, raised it to P1 at 9:40am and lowered it to P2 at 10am. "
        "At its highest it was P1."
    )
    assert story in resolved
    # Every card says the same, and never "Update None".
    cards = [json.dumps(card.card) for card in world.teams.posted]
    assert not any("Update None" in card for card in cards)
    assert any("Update 4, no change yet" in card for card in cards)

    with store.transaction(world.app.engine) as session:
        row = store.find_incident(session, "INC-2026-0001")
        assert row is not None
        incident = store.to_domain(row)
    assert incident.declared_priority is Priority.P2
    assert incident.highest_priority is Priority.P1
    history = [change.priority for change in incident.priority_history]
    assert history == [Priority.P2, Priority.P1, Priority.P2]


def test_a_new_title_keeps_the_subject_so_outlook_keeps_one_conversation(world: World) -> None:
    lead = "comms.lead@example.org"
    assert world.run("open Sign-in is down p2 impact: Pupils cannot sign in", lead).ok
    assert world.run("title Sign-in is slow for pupils", lead).ok
    assert world.run("update Most pupils can sign in now", lead).ok
    texts = _told(world)
    assert {mail.subject for mail in world.mailer.sent} == {"INC-2026-0001: Sign-in is down"}
    assert texts[-1].startswith("Update 1: Sign-in is slow for pupils\n")


def test_do_nothing_is_said_and_status_shows_the_advice(world: World) -> None:
    lead = "comms.lead@example.org"
    assert world.run("open Sign-in is down p2 impact: Pupils cannot sign in", lead).ok
    assert "What readers should do: nobody has said yet" in world.run("status").text
    assert world.run("do nothing", lead).ok
    assert "What readers should do: nothing" in world.run("status").text
    assert world.run("update We are still looking", lead).ok
    assert "What you need to do\nNothing at the moment." in _told(world)[-1]


def test_a_due_time_that_is_not_today_names_the_day() -> None:
    sunday = datetime(2026, 11, 22, 14, 32, tzinfo=UTC)
    assert due_time(datetime(2026, 11, 22, 15, 0, tzinfo=UTC), sunday, LONDON) == "15:00 GMT"
    monday = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
    assert due_time(monday, sunday, LONDON) == "13:00 GMT tomorrow"
    tuesday = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert due_time(tuesday, sunday, LONDON) == "09:00 GMT on Tuesday 24 November"


def test_stakeholders_read_names_not_addresses_and_never_the_scribe(world: World) -> None:
    lead = "comms.lead@example.org"
    assert world.run("open Sign-in is down p2 impact: Pupils cannot sign in", lead).ok
    assert world.run("comms nadia.farrow@example.org", lead).ok
    assert world.run("lead declan.moss@example.org", lead).ok
    assert world.run("scribe rowan.hale@example.org", lead).ok
    assert world.run("update We found the cause", lead).ok
    world.deliver()
    update = world.mailer.sent[-1]
    facts = update.text.split("About this incident", 1)[1]
    assert "Incident lead: Declan Moss" in facts and "Comms lead: Nadia Farrow" in facts
    assert "Scribe" not in update.text and "Rowan Hale" not in facts
    assert "declan.moss@example.org" not in facts
    # Why the reader gets it, and whom to ask: the comms lead, by name, the address as a link.
    assert "You are getting this because" in update.text
    assert '<a href="mailto:nadia.farrow@example.org"' in update.html
    assert ">Nadia Farrow</a>, who is handling communications" in update.html
    assert '<html lang="en-GB">' in update.html
    card = json.dumps(world.teams.posted[-1].card)
    assert "Nadia Farrow" in card and "Scribe" not in card and "rowan.hale" not in card


def test_the_report_names_people_the_directory_knows(world: World) -> None:
    """Issue 15: leads appeared as addresses in the report though the directory has names."""
    import io

    from docx import Document

    lead = "oncall@example.org"  # not in the directory: stays an address
    assert world.run("open Sign-in is down p2 impact: Pupils cannot sign in", lead).ok
    assert world.run("comms nadia.farrow@example.org", lead).ok
    world.deliver()
    document = Document(io.BytesIO(world.documents.files[world.report_path()].content))
    # Every run of text in reading order, content controls (the facts) included.
    runs = [t.text for t in document.element.body.iter() if t.tag.endswith("}t") and t.text]
    shown = "\n".join(runs)
    assert "Comms lead\nNadia Farrow" in shown  # the fact, after its label
    assert "Nadia Farrow is the comms lead" in shown  # the timeline line
    assert "nadia.farrow@example.org" not in shown
    assert lead in shown  # someone the directory does not know keeps their address
