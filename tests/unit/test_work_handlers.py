"""The work around an incident through the service and the dispatcher, on in-memory fakes of
the organiser's calendar and the Planner plan (issue 21): what each command stores, queues and
says, and what reaches Outlook and Planner."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from world import World
from world_build import build_world

from comms_assistant.adapters.sql import outbox
from comms_assistant.adapters.word.actions import read_actions
from comms_assistant.adapters.word.fields import open_docx, search_roots
from comms_assistant.domain.plain_english import check, format_findings
from comms_assistant.service.handlers.work import NO_ORGANISER
from comms_assistant.service.ports import DeliveryError

OPEN_P1 = "open Apply is down p1 impact: Candidates cannot submit applications services: apply"
OPEN_P2 = OPEN_P1.replace(" p1 ", " p2 ")
OPEN_SECURITY = OPEN_P1 + " security: yes"
TECH = "tech.lead@example.org"
ACTION = f"action Add an alert on queue depth owner {TECH} due 2026-12-14"
# The action's own words are the person's: these are plain, so the check sees only ours.
PLAIN_ACTION = f"action Write down how we fixed it owner {TECH} due 2026-12-14"


def kinds(world: World) -> list[str]:
    return [r.kind for r in world.outbox()]


def text_of_cards(cards: list) -> str:  # type: ignore[type-arg]
    return json.dumps([c.card for c in cards])


def plain(text: str) -> None:
    report = check(text, kind="text")
    assert not report.blocking, f"{text!r}: {format_findings(report)}"


def test_a_p1_gets_its_bridge_on_its_card_and_nowhere_a_stakeholder_reads(world: World) -> None:
    reply = world.run(OPEN_P1)
    assert "Making a Teams meeting for the responders" in reply.text
    world.deliver()
    [event] = world.calendar.events.values()
    join = event.join_url
    assert join and event.event.online and event.event.subject.endswith(": Apply is down")
    assert [a.email for a in event.event.attendees] == ["comms.lead@example.org"]
    # The incident's card, updated in place, and a post in its thread: the responders'.
    root = next(m for m in world.teams.posted if not m.thread)
    assert join in json.dumps(world.teams.living("msg1").card)
    assert root.delivery_id.endswith(":teams")
    assert any(join in json.dumps(m.card) for m in world.teams.posted if m.thread)
    # Never in the emails, the chats or the other channels stakeholders read.
    assert world.mailer.sent and all(join not in m.html + m.text for m in world.mailer.sent)
    assert join not in text_of_cards(world.teams.direct)
    again = world.run("bridge")
    assert again.text == f"The responders' Teams meeting for INC-2026-0001: {join}"
    assert not again.deliveries and len(world.calendar.events) == 1


def test_a_p2_gets_a_bridge_only_when_asked_and_once(world: World) -> None:
    world.run(OPEN_P2)
    assert "meeting.bridge" not in kinds(world)
    first, second = world.run("bridge"), world.run("bridge")
    assert first.deliveries == second.deliveries and len(first.deliveries) == 1
    world.deliver()
    assert len(world.calendar.events) == 1
    assert world.run("bridge").text.endswith(next(iter(world.calendar.events.values())).join_url)


def test_no_bridge_at_a_priority_the_setting_leaves_out(tmp_path: Path) -> None:
    world = build_world(tmp_path / "home", datetime(2026, 11, 23, 10, tzinfo=UTC),
                        bridge_priorities=[])  # fmt: skip
    world.run(OPEN_P1)
    assert "meeting.bridge" not in kinds(world)


def test_a_security_incidents_meetings_carry_the_marking_and_say_nothing_of_it(
    world: World,
) -> None:
    world.run(OPEN_SECURITY)
    world.run("close Restored the connection")
    world.deliver()
    bridge, review = world.calendar.events.values()
    assert bridge.event.subject == "OFFICIAL-SENSITIVE INC-2026-0001 responders' meeting"
    assert review.event.subject == "OFFICIAL-SENSITIVE INC-2026-0001 review meeting"
    for event in (bridge.event, review.event):
        assert "Apply" not in event.subject + event.html and event.sensitivity == "private"
    # No channel: its link is posted nowhere.
    assert all(bridge.join_url not in json.dumps(m.card) for m in world.teams.posted)


def test_a_shared_mailbox_organiser_parks_the_bridge_and_tells_the_lead(world: World) -> None:
    world.calendar.teams = False  # a shared mailbox: Outlook makes events with no meeting
    world.run(OPEN_P2)
    world.run("bridge")
    world.deliver()
    [bridge] = [r for r in world.outbox() if r.kind == "meeting.bridge"]
    assert bridge.status == outbox.FAILED and "shared mailbox" in bridge.last_error
    told = [r for r in world.outbox() if r.key.endswith(":parked:INC-2026-0001:meeting:bridge")]
    assert len(told) == 1


def test_actions_become_planner_tasks_assigned_and_due(world: World) -> None:
    world.run(OPEN_P2)
    world.deliver()  # the report is made: the tasks link to it until the review is filed
    reply = world.run(ACTION)
    assert reply.text.startswith("Action 1 added to INC-2026-0001: Add an alert on queue depth")
    assert "due Monday 14 December 2026" in reply.text
    world.run("action Write it down owner someone.new@example.org")
    world.deliver()
    one, two = world.board.tasks.values()
    assert one.task.title == "INC-2026-0001 action 1: Add an alert on queue depth"
    assert one.task.assignee == "oid-tech"
    assert one.task.due == datetime(2026, 12, 14, 12, 0, tzinfo=UTC)  # midday in London
    assert one.task.bucket_id == world.board.buckets["INC-2026-0001 Apply is down"]
    assert "A follow-up action from INC-2026-0001 (Apply is down)" in one.description
    assert list(one.links.values()) == ["Incident report"]
    # Nobody in the directory has that address: the task is made, unassigned, and says so.
    assert two.task.assignee is None
    [made] = [r for r in world.outbox() if r.key == "INC-2026-0001:action:2:task"]
    assert made.result["unassigned"] == "someone.new@example.org"
    report = world.documents.content(world.report_path())
    rows = read_actions(search_roots(open_docx(report, "report")))
    assert rows[1] == ["1. Add an alert on queue depth", "Tom Achebe", "14 December 2026",
                       "Not started"]  # fmt: skip


def test_completing_an_action_reads_a_changed_task_again_and_the_documents_follow(
    world: World,
) -> None:
    world.run(OPEN_P2)
    world.run(ACTION)
    world.deliver()
    [task] = world.board.tasks.values()
    world.board.edit(task.id)  # its owner changed it in Planner: the eTag kept is stale
    reply = world.run("action 1 done")
    assert "being marked complete in Planner" in reply.text
    world.deliver()
    assert task.percent == 100
    [done] = [r for r in world.outbox() if r.kind == "planner.done"]
    assert done.status == outbox.DONE and done.result["read_again"] == 1
    report = world.documents.content(world.report_path())
    assert read_actions(search_roots(open_docx(report, "report")))[1][3] == "Done"
    with_done = world.run("action 1 done")
    assert not with_done.ok and "already done" in with_done.text


def test_progress_changed_in_planner_shows_when_the_documents_are_refreshed(world: World) -> None:
    world.run(OPEN_P2)
    world.run(ACTION)
    world.deliver()
    [task] = world.board.tasks.values()
    world.board.edit(task.id, percent=50)  # its owner has started it
    listed = world.run("actions")
    assert "1. Add an alert on queue depth (tech.lead@example.org, due 14 December 2026, " in (
        listed.text
    )
    world.deliver()
    report = world.documents.content(world.report_path())
    assert read_actions(search_roots(open_docx(report, "report")))[1][3] == "In progress"
    assert "in progress" in world.run("actions").text


def test_a_task_made_but_unanswered_is_found_not_made_twice(world: World) -> None:
    world.run(OPEN_P2)
    world.board.faults.after["create"].append(DeliveryError("503 after Planner made it"))
    world.run(ACTION)
    world.deliver()
    world.clock.advance(minutes=5)
    world.deliver()
    assert len(world.board.tasks) == 1
    [made] = [r for r in world.outbox() if r.kind == "planner.task"]
    assert made.status == outbox.DONE and made.result["found"] is True


def test_an_event_made_but_unanswered_is_not_made_twice(world: World) -> None:
    world.calendar.faults.after["create"].append(DeliveryError("503 after Outlook made it"))
    world.run(OPEN_P1)
    world.deliver()
    world.clock.advance(minutes=5)
    world.deliver()
    assert len(world.calendar.events) == 1
    [bridge] = [r for r in world.outbox() if r.kind == "meeting.bridge"]
    assert bridge.status == outbox.DONE


def test_closing_books_the_review_meeting_once_and_people_move_invite_and_call_it_off(
    world: World,
) -> None:
    world.run(OPEN_P2)
    world.run("tech me", who=TECH)
    world.run("scribe scribe@example.org")
    closed = world.run("close Restored the connection")
    booked = next(line for line in closed.text.splitlines() if line.startswith("Review meeting"))
    # Closed on Monday 23 November: five working days later is Monday 30 November.
    assert booked.startswith("Review meeting booked for Monday 30 November 2026 at 10am UK time")
    plain(booked)
    world.run("review")
    world.deliver()
    [meeting] = world.calendar.events.values()
    assert meeting.event.start == datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    invited = {a.email for a in meeting.event.attendees}
    assert invited == {"comms.lead@example.org", TECH, "scribe@example.org"}
    assert "Please read the incident review before the meeting" in meeting.event.html

    invited_reply = world.run("invite guest@example.org")
    moved = world.run("review meeting 2 December 2pm")
    assert "moved to Wednesday 2 December 2026 at 2pm UK time" in moved.text
    world.deliver()
    assert "guest@example.org" in {a.email for a in meeting.event.attendees}
    assert meeting.event.start == datetime(2026, 12, 2, 14, 0, tzinfo=UTC)
    assert meeting.notices == ["invitation", "update", "update", "update"]

    off = world.run("review meeting off")
    assert "is off" in off.text
    assert not world.run("review meeting off").ok
    world.deliver()
    assert meeting.cancelled and meeting.notices[-1].startswith("cancellation: ")
    again = world.run("review meeting 3 December 10am")
    world.deliver()
    assert "booked for Thursday 3 December" in again.text
    assert len(world.calendar.live()) == 1 and len(world.calendar.events) == 2
    for said in (invited_reply.text, moved.text.splitlines()[0], off.text):
        plain(said)


def test_a_past_or_unbooked_review_meeting_is_refused_clearly(world: World) -> None:
    world.run(OPEN_P2)
    off = world.run("review meeting off")
    assert not off.ok and "has no review meeting to call off" in off.text
    world.clock.advance(days=1)
    past = world.run("review meeting 23 November 2026 10am")
    assert not past.ok and "has passed" in past.text
    assert world.run("invite guest@example.org").text.endswith(
        "which is booked when the incident is closed."
    )
    closed = world.run("close Restored it")
    world.deliver()
    [meeting] = world.calendar.events.values()
    assert "guest@example.org" in {a.email for a in meeting.event.attendees}
    assert "Review meeting booked" in closed.text


def test_without_an_organiser_or_a_plan_nothing_is_made_and_replies_say_so(world: World) -> None:
    work = world.service.work
    assert work is not None
    world.service.work = replace(work, rules=replace(work.rules, organiser=None, plan=None))
    world.run(OPEN_P1)
    assert "meeting.bridge" not in kinds(world)
    refused = world.run("bridge")
    assert not refused.ok and refused.text == NO_ORGANISER
    added = world.run(ACTION)
    assert "No Planner plan is set (actions_plan)" in added.text
    closed = world.run("close Restored the connection")
    assert "Review meeting" not in closed.text
    world.deliver()
    assert not world.calendar.events and not world.board.tasks
    failed = [r.kind for r in world.outbox() if r.status == outbox.FAILED]
    assert not [kind for kind in failed if kind.startswith(("meeting", "planner"))]
    report = world.documents.content(world.report_path())
    assert read_actions(search_roots(open_docx(report, "report")))[1][0] == (
        "1. Add an alert on queue depth"
    )


def test_after_the_incident_actions_go_to_the_latest_one(world: World) -> None:
    world.run(OPEN_P2)
    world.run("close Restored the connection")
    world.run("review")
    world.deliver()
    added = world.run(ACTION)
    assert added.ok and added.reference == "INC-2026-0001"
    world.deliver()
    review = next(p for p in world.documents.files if p.endswith("incident review.docx"))
    rows = read_actions(search_roots(open_docx(world.documents.content(review), "review")))
    assert rows[1][0] == "1. Add an alert on queue depth"
    [task] = world.board.tasks.values()
    assert list(task.links.values()) == ["Incident review"]


@pytest.mark.parametrize(
    "command",
    [OPEN_P1, PLAIN_ACTION, "action 1 done", "actions", "close Restored the connection",
     "invite guest@example.org", "review meeting 1 December 10am"],
)  # fmt: skip
def test_the_replies_are_plain_english(world: World, command: str) -> None:
    world.run(OPEN_P2)
    world.run(PLAIN_ACTION)
    reply = world.run(command)
    assert reply.ok, reply.text
    for line in reply.text.splitlines():
        # Not the lines of the other replies (a file's name, the services next to it).
        if line and ".docx" not in line and not line.startswith(("-", "Services next")):
            plain(line)


def test_the_invitations_and_the_task_descriptions_are_plain_english(world: World) -> None:
    world.run(OPEN_P1)
    world.run(ACTION)
    world.run("close Restored the connection")
    world.deliver()
    bodies = [e.event.html for e in world.calendar.events.values()]
    bodies += [t.description for t in world.board.tasks.values()]
    for body in bodies:
        for paragraph in body.replace("</p>", "\n").replace("<p>", "").splitlines():
            if paragraph and "<a " not in paragraph:
                plain(paragraph)
