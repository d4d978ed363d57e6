"""Stakeholder messages pass the plain-English check before they go (never holding a P1)."""

from __future__ import annotations

from world import World

from comms_assistant.adapters import outbox
from comms_assistant.adapters.store import DraftRow, transaction

OPEN = "open Apply is down p2 impact: Candidates cannot submit applications services: apply"
JARGON = "update Some candidates cannot sign in. The cause is a DNS failover."


def timeline_length(world: World) -> int:
    from comms_assistant.adapters.store import find_incident

    with transaction(world.app.engine) as session:
        return len(find_incident(session, "INC-2026-0001").timeline)


def test_an_update_with_jargon_is_held_with_suggestions_and_nothing_changes(world: World) -> None:
    world.run(OPEN)
    before, rows = timeline_length(world), len(world.outbox())
    reply = world.run(JARGON)
    assert reply.ok and reply.held and reply.deliveries == ()
    assert "Not sent yet" in reply.text and '"DNS"' in reply.text and "failover" in reply.text
    assert "'send anyway'" in reply.text and "'send suggested'" in reply.text
    assert timeline_length(world) == before and len(world.outbox()) == rows
    with transaction(world.app.engine) as session:
        draft = session.get(DraftRow, "comms.lead@example.org")
        assert draft is not None and draft.command == JARGON and draft.incident == "INC-2026-0001"


def test_send_anyway_sends_the_words_as_written_once(world: World) -> None:
    world.run(OPEN)
    world.run(JARGON)
    reply = world.run("send anyway")
    assert reply.ok and not reply.held and reply.deliveries
    world.deliver()
    assert "The cause is a DNS failover." in world.mailer.sent[-1].html
    assert not world.run("send anyway").ok, "the draft is gone once sent"


def test_send_suggested_sends_the_plain_words(world: World) -> None:
    world.run(OPEN)
    world.run(JARGON)
    reply = world.run("send suggested")
    assert reply.ok, reply.text
    world.deliver()
    html = world.mailer.sent[-1].html
    assert "failover" not in html and "switch to the backup" in html


def test_a_p1_is_never_held_but_annotated(world: World) -> None:
    world.run(OPEN.replace(" p2 ", " p1 "))
    reply = world.run(JARGON)
    assert reply.ok and not reply.held and reply.deliveries
    assert "Sent now, as this is a P1" in reply.text and "DNS" in reply.text
    world.deliver()
    assert any("DNS failover" in m.html for m in world.mailer.sent)
    assert all(r.status == outbox.DONE for r in world.outbox())


def test_a_held_open_leaves_no_incident_and_a_clean_one_goes(world: World) -> None:
    reply = world.run("open Apply is down p3 impact: Latency on the API gateway services: apply")
    assert reply.held and world.outbox() == []
    assert "No incident is open" in world.run("status", who=None).text
    reply = world.run("send suggested")
    assert reply.ok and "INC-2026-0001 is open at P3" in reply.text


def test_nothing_waiting_is_a_clear_answer(world: World) -> None:
    reply = world.run("send anyway")
    assert not reply.ok and "no message waiting" in reply.text
