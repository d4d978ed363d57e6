"""The use cases and the dispatcher together, over in-memory fakes of Microsoft 365."""

from __future__ import annotations

import io

import docx
from docx_text import document_text
from world import World

from comms_assistant.adapters.contacts import load_directory
from comms_assistant.adapters.sql import outbox
from comms_assistant.adapters.sql.store import transaction
from comms_assistant.bootstrap import bootstrap
from comms_assistant.service.ports import DeliveryError, Locked

OPEN = (
    "open Apply for teacher training is down p2 impact: Candidates cannot submit applications "
    "services: apply"
)


def bcc(world: World) -> list[set[str]]:
    return [{r.email for r in m.bcc} for m in world.mailer.sent]


def test_open_creates_the_report_and_tells_stakeholders(world: World) -> None:
    reply = world.run(OPEN)
    assert reply.ok, reply.text
    assert "INC-2026-0001 is open at P2" in reply.text
    assert "Incident reports/2026-11-23 INC-2026-0001 Apply for teacher training is down.docx" in (
        reply.text
    )
    # Stored before anything is delivered.
    kinds = {"report.sync", "mail", "teams.card", "register.item"}
    assert {r.kind for r in world.outbox()} == kinds
    assert not world.mailer.sent and not world.teams.posted

    world.deliver()

    assert all(r.status == outbox.DONE for r in world.outbox())
    text = document_text(world.documents.content(world.report_path()))
    assert "INC-2026-0001" in text and "Candidates cannot submit applications" in text
    assert len(world.mailer.sent) == 1 and len(world.teams.posted) == 1
    # The same subject for every message about the incident: mail clients thread them.
    assert world.mailer.sent[0].subject == "INC-2026-0001: Apply for teacher training is down"
    assert bcc(world)[0], "the apply service's contacts hear about a P2"
    assert "chat:nadia.farrow@example.org" in world.teams.destinations(), "in Teams too"


def test_a_change_is_stored_before_the_reply_and_seen_by_a_new_process(world: World) -> None:
    world.run(OPEN)
    world.run("update Candidates can sign in but cannot submit")
    fresh = bootstrap(world.app.settings).commands().execute("status", who=None)
    assert "INC-2026-0001 Apply for teacher training is down" in fresh.text
    assert "Priority P2, investigating" in fresh.text


def test_refused_commands_change_nothing(world: World) -> None:
    assert not world.run("update nothing is open").ok
    assert world.outbox() == []
    world.run(OPEN)
    before = len(world.outbox())
    reply = world.run("priority p2")
    assert not reply.ok and "already P2" in reply.text
    reply = world.run("update something", who=None)
    assert not reply.ok and "Say who you are" in reply.text
    assert len(world.outbox()) == before
    assert "investigating" in world.run("status", who=None).text


def test_escalation_widens_the_audience_and_close_tells_everyone_told(world: World) -> None:
    world.run(OPEN)
    world.run("priority p1 More candidates are affected")
    world.run("priority p3 It is smaller than we thought")
    world.run("close Restored the connection to the applications database")
    world.deliver()
    sent = {m.delivery_id: {r.email for r in m.bcc} for m in world.mailer.sent}
    p2_audience = sent["INC-2026-0001:1:mail:0"]
    raised, caught_up = sent["INC-2026-0001:2:mail:0"], sent["INC-2026-0001:2:catchup:mail:0"]
    major, lowered = sent["INC-2026-0001:major-incident:mail:0"], sent["INC-2026-0001:3:mail:0"]
    resolved = sent["INC-2026-0001:4:mail:0"]
    assert raised == p2_audience, "the priority change goes to those already told"
    assert caught_up and not caught_up & p2_audience, "the new P1 audience is caught up"
    assert "marcus.ellery@example.org" in caught_up
    assert major == {"major-incidents@example.org"}
    told = p2_audience | caught_up | major
    assert lowered == told, "lowering the priority drops nobody already told"
    assert resolved == told, "everyone who heard hears that it is over"
    assert world.mailer.sent[-1].text.startswith("Resolved: ")
    assert "Incident INC-2026-0001" in world.mailer.sent[-1].text


def test_security_incidents_stay_private(world: World) -> None:
    world.run("open Candidate data may have leaked p1 services: apply security: yes")
    world.deliver()
    assert world.teams.posted == []
    directory = load_directory(world.app.contacts_dir)
    security_roles = {"information security manager", "data protection officer"}
    roles = {c.email.lower(): c.role for c in directory.contacts}
    # The security contacts, and the people leading it: whoever declared it leads it.
    leading = {"comms.lead@example.org"}
    for address in bcc(world)[0]:
        assert roles.get(address) in security_roles or address in leading, address
    assert leading <= set(bcc(world)[0])


def test_mail_accepted_then_failed_is_not_sent_twice(world: World) -> None:
    world.mailer.faults.after["send"].append(DeliveryError("503 after accepting"))
    world.run(OPEN)
    world.deliver()
    mail_row = next(r for r in world.outbox() if r.kind == "mail")
    assert mail_row.status == outbox.PENDING and mail_row.attempts == 1

    world.clock.advance(seconds=5)
    world.deliver()

    assert len(world.mailer.sent) == 1
    assert world.mailer.lookups == 1
    mail_row = next(r for r in world.outbox() if r.kind == "mail")
    assert mail_row.status == outbox.DONE and mail_row.result["found_in_sent_items"]


def test_throttled_mail_waits_for_retry_after_then_goes_once(world: World) -> None:
    world.mailer.faults.before["send"].append(DeliveryError("429", retry_after=30))
    world.run(OPEN)
    world.deliver()
    world.clock.advance(seconds=29)
    world.deliver()
    assert world.mailer.sent == []
    world.clock.advance(seconds=2)
    world.deliver()
    assert len(world.mailer.sent) == 1


def test_later_mail_waits_for_an_earlier_one_in_its_lane(world: World) -> None:
    world.mailer.faults.before["send"].append(DeliveryError("503"))
    world.run(OPEN)
    world.run("update Candidates can sign in")
    world.deliver()
    assert world.mailer.sent == []
    world.clock.advance(seconds=5)
    world.deliver()
    assert [m.delivery_id for m in world.mailer.sent] == [
        "INC-2026-0001:1:mail:0",
        "INC-2026-0001:2:mail:0",
    ]
    assert world.mailer.sent[1].text.startswith("Update 1: ")


def test_someone_saving_the_report_meanwhile_keeps_their_words(world: World) -> None:
    world.run(OPEN)
    world.deliver()
    path = world.report_path()
    world.run("update Candidates can sign in again")
    # A person saves the report after our download and before our upload.
    original_download = world.documents.download

    async def download_then_person_saves(item_id: str) -> tuple[bytes, str]:
        content, etag = await original_download(item_id)
        if world.documents.download is download_then_person_saves:
            world.documents.download = original_download
            edited = docx.Document(io.BytesIO(content))
            edited.add_paragraph("Typed by a person: call the supplier back at 3pm")
            buffer = io.BytesIO()
            edited.save(buffer)
            world.documents.put(path, buffer.getvalue())
        return content, etag

    world.documents.download = download_then_person_saves
    world.deliver()
    text = document_text(world.documents.content(path))
    assert "Typed by a person: call the supplier back at 3pm" in text
    assert "Candidates can sign in again" in text
    assert all(r.status == outbox.DONE for r in world.outbox())


def test_a_report_open_in_word_waits_and_is_updated_once_released(world: World) -> None:
    world.run(OPEN)
    world.deliver()
    world.documents.faults.before["replace"].append(Locked("resourceLocked"))
    world.run("log The supplier is looking at it")
    world.deliver()
    pending = [r for r in world.outbox() if r.status == outbox.PENDING]
    assert [r.kind for r in pending] == ["report.sync"]
    assert "resourceLocked" in pending[0].last_error
    world.clock.advance(minutes=1)
    world.deliver()
    text = document_text(world.documents.content(world.report_path()))
    assert text.count("The supplier is looking at it") == 1


def test_a_delivery_leased_by_a_crashed_worker_is_picked_up_after_the_lease(world: World) -> None:
    world.run(OPEN)
    crashed = outbox.claim_due(world.app.engine, owner="crashed", now=world.clock())
    assert crashed, "the crashed worker held every due delivery"
    assert world.deliver() == 0
    world.clock.advance(seconds=outbox.LEASE.total_seconds() + 1)
    world.deliver()
    assert len(world.mailer.sent) == 1 and len(world.teams.posted) == 1


def test_a_copy_that_succeeded_before_a_crash_is_not_copied_again(world: World) -> None:
    world.documents.faults.after["copy"].append(DeliveryError("connection dropped"))
    world.run(OPEN)
    world.deliver()
    world.clock.advance(seconds=5)
    world.deliver()
    # The retry's copy is refused by the taken name (Graph's 409) and gets the earlier copy,
    # which it downloads (it may hold people's words by now) before filling it in.
    reports = [p for p in world.documents.files if p.startswith("Incident reports/")]
    assert len(reports) == 1
    calls = world.documents.calls
    second_copy = [n for n, c in enumerate(calls) if c.startswith("copy")][1]
    assert any(c.startswith("download") for c in calls[second_copy:])
    assert "INC-2026-0001" in document_text(world.documents.content(reports[0]))


def test_review_is_filed_once_and_closes_the_incident(world: World) -> None:
    world.run(OPEN)
    assert "close it before the review" in world.run("review").text
    world.run("close Restored the connection")
    reply = world.run("review")
    assert reply.ok and "is closed" in reply.text
    world.deliver()
    reviews = [p for p in world.documents.files if p.endswith(" - incident review.docx")]
    assert reviews == [
        "Incident reports/2026-11-23 INC-2026-0001 Apply for teacher training is down"
        " - incident review.docx"
    ]
    assert "Restored the connection" in document_text(world.documents.content(reviews[0]))
    assert "already been filed" in world.run("review", incident="INC-2026-0001").text


def test_several_open_incidents_need_a_reference(world: World) -> None:
    world.run(OPEN)
    world.run("open Find is slow p3 services: find")
    slow = "update Candidates find course searches are still slow."
    reply = world.run(slow)
    assert not reply.ok and "INC-2026-0001, INC-2026-0002" in reply.text
    assert world.run(slow, incident="inc-2026-0002").ok
    with transaction(world.app.engine) as session:
        from comms_assistant.adapters.sql.store import find_incident

        assert len(find_incident(session, "INC-2026-0002").timeline) == 2
        assert len(find_incident(session, "INC-2026-0001").timeline) == 1


def test_the_next_wake_ignores_deliveries_queued_behind_a_waiting_one(world: World) -> None:
    world.mailer.faults.before["send"].append(DeliveryError("429", retry_after=600))
    world.run(OPEN)
    world.run("update Candidates can sign in again")
    world.deliver()  # the report and cards go; the first mail waits ten minutes
    wake = outbox.next_wake(world.app.engine)
    assert wake is not None
    assert (wake - world.clock()).total_seconds() >= 599


def test_a_reply_ends_a_sentence_once(world: World) -> None:
    world.run(OPEN)
    first = world.run("log It works again.").text.splitlines()[0]
    assert first.endswith("again.") and not first.endswith("..")
    assert world.run("log It works").text.splitlines()[0].endswith("works.")
