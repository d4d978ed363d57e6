"""One living card per incident in the incidents channel: posted once, updated in place, with
each stakeholder update a reply in its thread (service/living_card.py), over in-memory fakes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from world import World
from world_build import build_world

from comms_assistant.adapters.sql import conversations, outbox
from comms_assistant.adapters.sql.store import OutboxRow
from comms_assistant.service.delivery_kinds import DeliveryKind
from comms_assistant.service.ports import DeliveryError, TeamsCard

OPEN = "open Apply is down p2 impact: Candidates cannot submit applications services: apply"
REF = "INC-2026-0001"
START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
LANE = f"{REF}:teams"
UPDATES = (
    "update Candidates can sign in but cannot submit",
    "update Candidates still cannot submit. We know why and are fixing it",
    "update Candidates can submit again, slowly",
)


def lane(world: World) -> list[OutboxRow]:
    return [r for r in world.outbox() if r.lane == LANE]


def refreshes(world: World) -> list[OutboxRow]:
    return [r for r in world.outbox() if r.kind == DeliveryKind.TEAMS_REFRESH]


def root_id(world: World) -> str:
    first = next(r for r in lane(world) if r.kind == DeliveryKind.TEAMS_CARD)
    return str(first.result["message_id"])


def about_it(world: World) -> list[TeamsCard]:
    """The incident's cards in the incidents channel (the lead's notices go there too)."""
    return [c for c in world.teams.posted if "Apply is down" in c.summary]


def shown(card: TeamsCard) -> str:
    return json.dumps(card.card)


def facts(card: TeamsCard) -> dict[str, str]:
    (fact_set,) = [b for b in card.card["body"] if b["type"] == "FactSet"]
    return {f["title"]: f["value"] for f in fact_set["facts"]}


def test_open_three_updates_and_a_priority_change_make_one_card_with_replies(
    world: World,
) -> None:
    world.run(OPEN)
    world.deliver()
    for command in (*UPDATES, "priority p1 Every candidate is affected"):
        reply = world.run(command)
        assert reply.ok and not reply.held, reply.text
    world.deliver()

    root = root_id(world)
    top, *replies = about_it(world)
    assert top.thread == "" and len(replies) == 4
    assert all(reply.thread == root for reply in replies), "each update in the card's thread"
    assert all(r.status == outbox.DONE for r in world.outbox()), [
        (r.key, r.last_error) for r in world.outbox() if r.status != outbox.DONE
    ]
    # The card itself now shows where things stand: P1, the latest message, the report link.
    now = world.teams.living(root)
    assert facts(now)["Priority"] == "P1"
    assert "Update 4, priority raised to P1: Apply is down" in shown(now)
    assert "Open the incident report" in shown(now)
    assert {m for m, _ in world.teams.updated} == {root}, "only the incident's card is updated"
    # The replies are the messages as sent: each says what it said then.
    assert "Candidates can sign in but cannot submit" in shown(replies[0])


def test_changes_waiting_together_make_one_refresh_drawn_when_it_goes(world: World) -> None:
    world.run(OPEN)
    world.deliver()
    before = len(world.teams.updated)
    for command in ("status identified", "comms me", "title Apply for teacher training is down"):
        assert world.run(command).ok
    waiting = [r for r in refreshes(world) if r.status == outbox.PENDING]
    assert len(waiting) == 1, "one waiting refresh is enough: it draws the incident when it goes"

    world.deliver()

    assert len(world.teams.updated) == before + 1
    (_, card), *_ = world.teams.updated[before:]
    assert facts(card)["Status"] == "Identified"
    assert "Comms lead" in facts(card)
    assert "Apply for teacher training is down" in shown(card)


def test_a_retried_refresh_shows_the_facts_of_when_it_went_not_when_it_was_queued(
    world: World,
) -> None:
    world.run(OPEN)
    world.deliver()
    world.teams.faults.before["update_card"].append(DeliveryError("503 from Teams"))
    world.run("status identified")
    world.deliver()
    (waiting,) = [r for r in refreshes(world) if r.status == outbox.PENDING]
    assert waiting.attempts == 1 and "503" in (waiting.last_error or "")

    world.run("status monitoring")  # coalesced into the one waiting
    assert [r.id for r in refreshes(world) if r.status == outbox.PENDING] == [waiting.id]
    world.clock.now = waiting.next_attempt_at
    world.deliver()

    _, card = world.teams.updated[-1]
    assert facts(card)["Status"] == "Monitoring"
    assert len(about_it(world)) == 1, "updated, never posted again"


def test_a_refresh_already_under_way_is_followed_by_another(world: World) -> None:
    world.run(OPEN)
    world.deliver()
    world.run("status identified")
    # Another worker has just taken it: it may have drawn the card already.
    taken = outbox.claim_due(world.app.engine, owner="other", now=world.clock())
    assert DeliveryKind.TEAMS_REFRESH in {d.kind for d in taken}
    world.run("status monitoring")
    assert len([r for r in refreshes(world) if r.status == outbox.PENDING]) == 2

    world.clock.advance(minutes=3)  # the other worker died: its lease runs out
    world.deliver()
    assert all(r.status == outbox.DONE for r in refreshes(world))
    _, card = world.teams.updated[-1]
    assert facts(card)["Status"] == "Monitoring"


def test_an_update_whose_answer_was_lost_is_sent_again_and_the_card_stays_one(
    world: World,
) -> None:
    world.run(OPEN)
    world.deliver()
    world.teams.faults.after["update_card"].append(DeliveryError("connection dropped"))
    world.run("status identified")
    world.deliver()
    world.clock.advance(minutes=1)
    world.deliver()
    (refresh,) = [r for r in refreshes(world) if r.key.endswith(":card:2")]
    assert refresh.status == outbox.DONE and refresh.attempts == 2
    assert len(about_it(world)) == 1
    assert facts(world.teams.living(root_id(world)))["Status"] == "Identified"


def test_a_security_incident_has_no_card_in_the_channel_to_refresh(world: World) -> None:
    world.run("open Candidate data may have leaked p2 services: apply security: yes")
    world.run("status identified")
    world.run("update We have closed the leak")
    world.deliver()
    assert refreshes(world) == [] and about_it(world) == []


def test_when_the_first_card_could_not_be_posted_the_next_one_starts_the_thread(
    world: World,
) -> None:
    world.teams.faults.before["post_card"].append(DeliveryError("refused", retryable=False))
    world.run(OPEN)
    world.deliver()
    assert lane(world)[0].status == outbox.FAILED
    world.run(UPDATES[0])
    world.deliver()
    (first,) = [c for c in about_it(world)]
    assert first.thread == "", "posted as a new message: nothing is lost"
    world.run("status identified")
    world.deliver()
    posted = next(r for r in lane(world) if r.status == outbox.DONE and r.kind == "teams.card")
    assert world.teams.updated[-1][0] == posted.result["message_id"]


def test_a_webhook_cannot_update_so_a_change_posts_the_card_anew(tmp_path: Path) -> None:
    world = build_world(tmp_path / "home", START, teams_updatable=False)
    world.run(OPEN)
    world.deliver()
    assert len(about_it(world)) == 1, "the report's link alone is not worth a new post"
    world.run(UPDATES[0])
    world.deliver()
    # The update's own card shows the change: the refresh before it does not post as well.
    assert len(about_it(world)) == 2
    assert "skipped" in refreshes(world)[-1].result
    world.run("status identified")
    world.deliver()
    *_, last = about_it(world)
    assert len(about_it(world)) == 3 and facts(last)["Status"] == "Identified"
    assert refreshes(world)[-1].result["posted"] is True


def test_the_card_that_starts_an_incidents_own_channel_is_kept_up_to_date(world: World) -> None:
    world.run(OPEN)
    world.deliver()
    thread = "19:own@thread.tacv2;messageid=1700000000777"
    conversations.bind(world.app.engine, thread, REF, now=world.clock(), card="1700000000777")
    world.run("status identified")
    world.deliver()
    own = [(m, c) for m, c in world.teams.updated if m == "1700000000777"]
    assert own and own[-1][1].destination == "channel:19:own@thread.tacv2"
    assert facts(own[-1][1])["Status"] == "Identified"
    (row,) = [r for r in refreshes(world) if r.payload.get("to")]
    assert row.lane.startswith(f"{LANE}:") and row.status == outbox.DONE
