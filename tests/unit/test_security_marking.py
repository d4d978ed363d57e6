"""Issue 15: a security incident's emails are marked (setting security_marking) and confidential,
as the mailer is handed them: subject, first line of the text part, Outlook sensitivity. The
.eml files Outlook would write are checked in tests/integration/test_security_marking_mail.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from world import World
from world_build import build_world

from comms_assistant.adapters.graph.mail import build_message
from comms_assistant.adapters.sql import outbox
from comms_assistant.service.ports import DeliveryError, OutgoingMail, Recipient

START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
SECURITY = (
    "open Candidate data may have leaked p1 impact: Someone may have copied passport scans "
    "services: apply security: yes"
)
ORDINARY = "open Apply is down p1 impact: Candidates cannot send applications services: apply"


def _world(tmp_path: Path, **settings: object) -> World:
    return build_world(tmp_path / "home", START, plain_english_check=False, **settings)


def _mails(world: World, *commands: str) -> list[OutgoingMail]:
    for command in commands:
        assert world.run(command).ok, command
    world.deliver()
    return list(world.mailer.sent)


def test_the_configured_marking_starts_every_subject_and_text(tmp_path: Path) -> None:
    world = _world(tmp_path, security_marking="OFFICIAL SENSITIVE PERSONAL")
    sent = _mails(world, SECURITY, "update We closed the storage", "close Access turned off")
    # Stakeholder mail only: a lead notice (the fakes have no Major Incident template, so its
    # filing is parked) is marked with the default (see the lead notice test below).
    mails = [m for m in sent if m.bcc]
    # The central team's restricted notification and resolution are among them.
    assert any("Restricted security incident" in m.subject for m in mails)
    for mail in mails:
        assert mail.subject.startswith("OFFICIAL SENSITIVE PERSONAL: INC-2026-0001: ")
        assert mail.text.splitlines()[0] == "OFFICIAL SENSITIVE PERSONAL", mail.text[:200]
        assert mail.sensitivity == "confidential"


def test_an_ordinary_incidents_mail_is_neither_marked_nor_confidential(world: World) -> None:
    mails = _mails(world, ORDINARY, "close We restarted it")
    assert mails
    for mail in mails:
        assert mail.subject.startswith("INC-2026-0001: ")
        assert "OFFICIAL-SENSITIVE" not in mail.text and "OFFICIAL-SENSITIVE" not in mail.html
        assert mail.sensitivity == "normal"


def test_a_lead_notice_about_a_security_incident_is_marked_too(world: World) -> None:
    # A refused mail is parked and the lead told: by email, as the incident is a security one.
    world.mailer.faults.before["send"].append(DeliveryError("400 bad address", retryable=False))
    _mails(world, SECURITY, "comms me")
    assert any(r.status == outbox.FAILED for r in world.outbox())
    (notice,) = [m for m in world.mailer.sent if "could not be made" in m.subject]
    assert notice.subject == "OFFICIAL-SENSITIVE: INC-2026-0001: a delivery could not be made"
    assert notice.text.splitlines()[0] == "OFFICIAL-SENSITIVE"
    assert notice.html.startswith("<p><strong>OFFICIAL-SENSITIVE</strong></p>")
    assert notice.sensitivity == "confidential"


def test_graph_is_sent_pidtagsensitivity_confidential_and_the_mailbox_name() -> None:
    # What Graph receives; the sandbox turns it into MIME for the .eml tests.
    from kiota_serialization_json.json_serialization_writer import JsonSerializationWriter

    mailbox = Recipient("incidents@example.org", "Incident communications")
    mail = OutgoingMail(
        "d-1",
        "S",
        "<p>x</p>",
        "x",
        to=(Recipient("incidents@example.org"),),
        bcc=(Recipient("dpo@example.org", "Florence Quill"),),
        sensitivity="confidential",
    )
    writer = JsonSerializationWriter()
    writer.write_object_value(None, build_message(mail, sender=mailbox))
    sent = json.loads(writer.get_serialized_content())
    # [MS-OXCMSG] 2.2.1.13: PidTagSensitivity 3 is Confidential (2 would be Private).
    assert {"id": "Integer 0x0036", "value": "3"} in sent["singleValueExtendedProperties"]
    assert sent["from"]["emailAddress"] == {
        "address": "incidents@example.org",
        "name": "Incident communications",
    }
    assert sent["toRecipients"][0]["emailAddress"]["name"] == "Incident communications"
    assert sent["bccRecipients"][0]["emailAddress"]["name"] == "Florence Quill"

    normal = build_message(OutgoingMail("d-2", "S", "<p>x</p>", "x"), sender=mailbox)
    ids = [p.id for p in normal.single_value_extended_properties]
    assert "Integer 0x0036" not in ids


def test_a_configured_marking_reaches_the_notices_to_the_lead_too(tmp_path: Path) -> None:
    world = _world(tmp_path, security_marking="OFFICIAL SENSITIVE PERSONAL")
    world.mailer.faults.before["send"].append(DeliveryError("400 bad address", retryable=False))
    _mails(world, SECURITY, "comms me")
    (notice,) = [m for m in world.mailer.sent if "could not be made" in m.subject]
    assert notice.subject.startswith("OFFICIAL SENSITIVE PERSONAL: INC-2026-0001: ")
    assert notice.text.splitlines()[0] == "OFFICIAL SENSITIVE PERSONAL"
