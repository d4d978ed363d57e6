"""A delivery that keeps failing is parked and the lead is told; never dropped silently."""

from __future__ import annotations

from world import World

from comms_assistant.adapters.sql import outbox
from comms_assistant.service.dispatcher import MAX_ATTEMPTS
from comms_assistant.service.lead_notices import LEAD_CARD
from comms_assistant.service.ports import DeliveryError

OPEN = "open Apply is down p2 impact: Candidates cannot submit applications services: apply"


def test_a_refused_mail_is_parked_the_lead_told_and_it_can_be_sent_again(world: World) -> None:
    world.mailer.faults.before["send"].append(DeliveryError("400 bad address", retryable=False))
    world.run(OPEN)
    world.run("comms me")
    world.deliver()
    failed = [r for r in world.outbox() if r.status == outbox.FAILED]
    assert [r.kind for r in failed] == ["mail"] and "400 bad address" in failed[0].last_error
    (notice,) = [p for p in world.teams.posted if "could not be made" in p.summary]
    text = str(notice.card)
    assert "For <at>comms.lead@example.org</at>" in text and "deliver --failed" in text
    assert "Why: 400 bad address" in text

    assert outbox.retry_failed(world.app.engine, now=world.clock()) == [failed[0].id]
    world.deliver()
    assert len(world.mailer.sent) == 1
    assert all(r.status == outbox.DONE for r in world.outbox())


def test_retries_run_out_after_the_limit_and_back_off_in_between(world: World) -> None:
    for _ in range(MAX_ATTEMPTS):
        world.teams.faults.before["post_card"].append(DeliveryError("503"))
    world.run(OPEN)
    gaps = []
    for _ in range(MAX_ATTEMPTS + 2):
        world.deliver()
        card = next(r for r in world.outbox() if r.kind == "teams.card")
        if card.status != outbox.PENDING:
            break
        gaps.append((card.next_attempt_at - world.clock()).total_seconds())
        world.clock.now = card.next_attempt_at
    assert card.status == outbox.FAILED and card.attempts == MAX_ATTEMPTS
    assert gaps == sorted(gaps), "each wait at least as long as the one before"
    (notice,) = [r for r in world.outbox() if r.kind == LEAD_CARD]
    assert notice.status == outbox.DONE and "parked:" in notice.key


def test_a_missing_report_template_fails_with_what_to_do(world: World) -> None:
    del world.documents.files["Templates/Incident report template.docx"]
    world.run(OPEN)
    world.deliver()
    report = next(r for r in world.outbox() if r.kind == "report.sync")
    assert report.status == outbox.FAILED
    assert "Templates/Incident report template.docx is missing from SharePoint" in report.last_error
    assert "comms-assistant templates publish" in report.last_error
