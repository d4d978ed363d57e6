"""Every DeliveryKind, walked through every place that acts on a delivery's kind.

A real row of each kind is made the way the service makes it; a kind added without a way to
make it here, or without a case in any of those places, fails one of these tests.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from world import World
from world_build import build_world

from comms_assistant.adapters.sql import outbox
from comms_assistant.adapters.sql.store import OutboxRow
from comms_assistant.adapters.word.read import read_comms
from comms_assistant.entrypoints import run_command
from comms_assistant.entrypoints.bot.outcome import outcome
from comms_assistant.service import pacing
from comms_assistant.service.comms_sent import message_key
from comms_assistant.service.delivery_kinds import KINDS, DeliveryKind, Medium
from comms_assistant.service.lead_notices import enqueue_notice
from comms_assistant.service.outbox_port import Delivery
from comms_assistant.service.ports import DeliveryError

OPEN_P1 = (
    "open Apply for teacher training is down p1 impact: No candidate can submit an application "
    "services: apply"
)
OPEN_P2 = OPEN_P1.replace(" p1 ", " p2 ")
REFERENCE = "INC-2026-0001"


def notify_lead(world: World, key: str, *, email: bool = False) -> None:
    with world.app.unit_of_work() as uow:
        incident = uow.incidents.get(REFERENCE)
        assert incident is not None
        enqueue_notice(
            uow,
            incident,
            key=key,
            title="a word for the lead",
            paragraphs=["Something to know."],
            now=world.clock(),
            email=email,
        )


@pytest.fixture
def world(tmp_path: Path) -> World:
    """With a public status page: its deliveries are a kind too."""
    start = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    return build_world(tmp_path / "home", start, status_page="statuspage")


@pytest.fixture
def made(world: World) -> dict[DeliveryKind, OutboxRow]:
    """One row of every kind (the first of each), some delivered already."""
    name = world.app.settings.major_incident_template
    world.documents.put(f"Templates/{name}", (world.app.templates_dir / "word" / name).read_bytes())
    world.run(OPEN_P1 + " public: yes")
    world.run("action Add an alert on queue depth owner tech.lead@example.org")
    world.deliver()  # the bridge is made, so its link is posted; the action's task is made
    world.run("close Restored the connection")
    world.run("review")
    world.run("action 1 done")
    world.deliver()  # completed in Planner: the review's list of actions is refreshed
    world.run("review meeting off")
    notify_lead(world, "lead:card")
    notify_lead(world, "lead:mail", email=True)
    rows: dict[DeliveryKind, OutboxRow] = {}
    for row in world.outbox():
        rows.setdefault(DeliveryKind(row.kind), row)
    missing = set(DeliveryKind) - set(rows)
    assert not missing, f"make a delivery of each of {missing} above"
    return rows


def test_every_kind_has_an_entry() -> None:
    assert set(KINDS) == set(DeliveryKind)


def test_the_stored_values_are_unchanged() -> None:
    # Databases already hold these: changing one strands its rows.
    assert {kind.value for kind in DeliveryKind} >= {
        "report.sync",
        "review.file",
        "major.file",
        "major.lessons",
        "mail",
        "teams.card",
        "teams.refresh",
        "notice",
        "lead.card",
    }


def test_the_dispatcher_delivers_every_kind_by_its_medium(
    world: World, made: dict[DeliveryKind, OutboxRow]
) -> None:
    world.deliver()
    after = {row.id: row for row in world.outbox()}
    mailed = {m.delivery_id for m in world.mailer.sent}
    updated = (card for _, card in world.teams.updated)  # the incident's card, kept up to date
    carded = {c.delivery_id for c in (*world.teams.posted, *world.teams.direct, *updated)}
    went: dict[DeliveryKind, Medium] = {}
    for kind, row in made.items():
        assert after[row.id].status == outbox.DONE, (kind, after[row.id].last_error)
        result = after[row.id].result or {}
        if row.payload.get("delivery_id") in mailed:
            went[kind] = Medium.EMAIL
        elif row.payload.get("delivery_id") in carded:
            went[kind] = Medium.TEAMS
        elif result.get("event_id") in world.calendar.events:
            went[kind] = Medium.CALENDAR
        elif result.get("task_id") in world.board.tasks or result.get("linked"):
            went[kind] = Medium.PLANNER
        elif world.status_page and row.payload.get("delivery_id") in world.status_page.posted_ids:
            went[kind] = Medium.STATUS_PAGE
        elif result.get("item_id") in world.register.items:
            went[kind] = Medium.REGISTER
        else:
            assert row.payload.get("path") in world.documents.files, (kind, row.payload)
            went[kind] = Medium.DOCUMENT
    assert went == {kind: KINDS[kind].medium for kind in DeliveryKind}
    # The mailbox's pace counts every kind that goes by mail, and nothing else.
    assert set(pacing.MAIL_KINDS) == {k for k, medium in went.items() if medium is Medium.EMAIL}


@pytest.mark.parametrize("status", [outbox.PENDING, outbox.DONE, outbox.FAILED])
def test_the_deliver_listing_describes_every_kind(
    made: dict[DeliveryKind, OutboxRow], status: str
) -> None:
    for kind, row in made.items():
        row.status, row.last_error = status, "why"
        line = run_command.describe_delivery(row)
        assert row.key not in line, f"{kind} is listed as a kind this version does not know"


def test_a_notice_is_listed_with_whom_it_goes_to() -> None:
    """A bad edit's notice goes to admin_email when no incident is open, not to a lead."""
    describe = KINDS[DeliveryKind.NOTICE].describe
    line = describe({"subject": "A mistake", "to": [{"email": "admin@example.org", "name": ""}]})
    assert line == "email   'A mistake' to admin@example.org"
    assert describe({"subject": "A mistake"}).endswith("to the comms lead")


def test_the_bot_names_every_kind_that_failed_or_waits(
    made: dict[DeliveryKind, OutboxRow],
) -> None:
    for kind, row in made.items():
        for status in (outbox.FAILED, outbox.PENDING):
            row.status = status
            assert f"({kind.value})" not in outcome([row]), f"{kind} is shown by its stored name"


def test_a_parked_delivery_tells_the_lead_unless_it_was_for_the_lead(
    world: World, made: dict[DeliveryKind, OutboxRow]
) -> None:
    for_lead = {
        DeliveryKind(r.kind) for r in world.outbox() if r.key.endswith((":lead:card", ":lead:mail"))
    }
    assert for_lead == {kind for kind, spec in KINDS.items() if spec.to_lead}
    for kind, row in made.items():
        delivery = Delivery(row.id, row.key, row.kind, row.incident_id, dict(row.payload), 0)
        world.dispatcher._park(delivery, "refused", world.clock())
        told = [r for r in world.outbox() if r.key == f"{REFERENCE}:parked:{row.key}"]
        assert len(told) == (0 if kind in for_lead else 1), kind


def test_the_report_lists_the_stakeholder_kinds_by_their_medium(
    world: World, made: dict[DeliveryKind, OutboxRow]
) -> None:
    world.deliver()
    report = world.documents.content(world.report_path())
    # One row per message, under its first delivery's number; "By" names each medium it went by.
    by = {number: cells[3].split(", ") for number, cells in read_comms(report)}
    first: dict[str, int] = {}
    shown = {Medium.EMAIL: "Email", Medium.TEAMS: "Teams", Medium.STATUS_PAGE: "Status page"}
    for row in world.outbox():
        spec = KINDS[DeliveryKind(row.kind)]
        if spec.stakeholder or spec.listed:
            number = first.setdefault(message_key(row.key), row.id)
            assert shown[spec.medium] in by.get(number, []), row.kind
        else:
            assert row.id not in by, row.kind


def test_deliver_with_a_lead_card_waiting_lists_it(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 14: `comms-assistant deliver` raised KeyError: 'lead.card'."""
    world.run(OPEN_P2)
    world.deliver()
    notify_lead(world, "nudge:1")
    world.teams.faults.before["post_card"].append(DeliveryError("503 from Teams"))

    async def deliver(app: object, ids: set[int], *, timeout: float) -> set[int]:
        return await world.dispatcher.drain(ids, timeout=timeout)

    monkeypatch.setattr(run_command, "bootstrap", lambda: world.app)
    monkeypatch.setattr(run_command, "deliver", deliver)
    code = run_command.deliver_pending(timeout=0.2)
    out = capsys.readouterr().out
    assert code == run_command.EXIT_UNDELIVERED
    lead = "card in the Incidents channel for the comms lead"
    assert f"waiting  teams   {lead}: '{REFERENCE}: a word for the lead'" in out
    assert "503 from Teams" in out


def test_deliver_answers_for_what_the_waiting_deliveries_caused_too(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A deliver that ran out of time before the message that a report is filed (queued when
    the report is filed, after deliver began) had not delivered everything: it must not exit 0."""
    settings = world.app.settings
    name = settings.major_incident_template
    template = world.app.templates_dir / "word" / name
    world.documents.put(f"{settings.templates_folder}/{name}", template.read_bytes())
    for command in (OPEN_P2, "priority p1 More people are affected", "close Fixed", "review"):
        assert world.run(command).ok
    waiting = {r.id for r in world.outbox() if r.status == outbox.PENDING}
    send = world.mailer.send

    async def refused_for_the_filed_message(mail: Any) -> None:
        if "major-report" in mail.delivery_id:
            raise DeliveryError("550 the recipient's mailbox is full", retryable=False)
        await send(mail)

    monkeypatch.setattr(world.mailer, "send", refused_for_the_filed_message)
    filed = []

    async def deliver(app: object, ids: set[int], *, timeout: float) -> set[int]:
        went = await world.dispatcher.drain(ids, timeout=timeout)
        filed.extend(sorted(went - waiting))
        return went

    monkeypatch.setattr(run_command, "bootstrap", lambda: world.app)
    monkeypatch.setattr(run_command, "deliver", deliver)
    # Time enough on any machine: the drain ends once nothing it pursues is waiting.
    code = run_command.deliver_pending(timeout=120.0)
    assert filed, "deliveries queued while it delivered were pursued and answered for"
    caused = [r for r in world.outbox() if r.id in filed]
    assert any(r.kind == "mail" and r.status == outbox.FAILED for r in caused), caused
    assert code == run_command.EXIT_UNDELIVERED
    words = [line.split()[:1] for line in capsys.readouterr().out.splitlines()]
    states = [w[0] for w in words if w and w[0] in ("sent", "waiting", "FAILED")]
    assert len(states) == len(waiting) + len(filed), "each answered for, the caused ones too"
