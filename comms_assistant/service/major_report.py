"""The Major Incident report's promise: when an incident is one (it reached P1, or the central
team was sent the notification), and telling everyone who had the notification once the report
is filed, with its link (or, for a security incident, whom to ask)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from comms_assistant.domain.audiences import (
    Contact,
    looks_like_email,
)
from comms_assistant.domain.history import history_of
from comms_assistant.domain.incident import Incident, Priority, Role
from comms_assistant.service import register_sync
from comms_assistant.service.delivery_kinds import DeliveryKind
from comms_assistant.service.messaging import (
    MAX_RECIPIENTS,
    Outgoing,
    describe_destination,
    enqueue_for,
    major_notification_sent,
)
from comms_assistant.service.ports import ReportFiledRender, ReportFiledWords
from comms_assistant.service.unit_of_work import Queued, UnitOfWork


def major_name(report_name: str) -> str:
    """`<date> <reference> <title> - major incident report.docx`, beside the running report."""
    return f"{report_name.removesuffix('.docx')} - major incident report.docx"


def major_key(incident: Incident) -> str:
    """The Major Incident report's filing delivery, one per incident."""
    return f"{incident.reference}:major"


def _notification_rows(uow: UnitOfWork, incident: Incident, medium: str) -> list[Queued]:
    # messaging.py keys the Major Incident notification's rows <reference>:major-incident:...
    return uow.deliveries.keyed(f"{incident.reference}:major-incident:{medium}:")


def major_incident(uow: UnitOfWork, incident: Incident) -> bool:
    """Whether the incident is a Major Incident: it was P1 at some point, or the central team
    was sent the Major Incident notification. The notification promises them the report, so
    the priority at closing does not decide: a P1 lowered to P2 and then closed is reported."""
    history = history_of(incident)
    if min(incident.priority, *(change.priority for change in history)) is Priority.P1:
        return True
    return major_notification_sent(uow, incident)


def announce_major_report(
    uow: UnitOfWork,
    incident: Incident,
    *,
    filed: dict[str, Any],
    announce: dict[str, Any],
    cause: int | None,
    now: datetime,
    render: ReportFiledRender,
) -> list[Queued]:
    """The Major Incident report's link for everyone sent the Major Incident notification, as
    it promised: by email to those it emailed, by card to Teams destinations no email reached.

    `filed`: the filing's result (the report's `name` and `web_url`); `announce`: what
    `DeliveryPlanner.major` kept; `render`: the message, from templates/mail/report_filed.txt.
    Keyed per incident, so a second call adds nothing. A security incident's report is in the
    security folder, which the central team cannot open: they are told it is filed and whom to
    ask, with no title and no link.
    """
    register_sync.queue_sync(uow, incident, now, why="major:filed")  # the register links it
    mails = _notification_rows(uow, incident, "mail")
    report = incident.record.report_name
    # The notification's subject, so it lands in the same Outlook conversation (and carries a
    # security incident's marking as that one does).
    subject = mails[0].payload["subject"] if mails else ""
    words = render(
        incident,
        subject=subject,
        name=str(filed.get("name") or major_name(report)).removesuffix(".docx"),
        url=str(filed.get("web_url") or ""),
        ask=announce.get("ask") or whom_to_ask(incident, ()),
        marking=str(announce.get("marking") or ""),
    )
    said = _Said(incident.reference, subject, words, incident.security, cause)
    recipients = _recipients(mails)
    emailed = {r["email"].lower() for r in recipients}
    cards = _notification_rows(uow, incident, "teams")
    items = [
        *_mails(said, recipients, announce.get("mailbox") or _mailbox(mails)),
        *(_card(said, d) for d in _card_destinations(cards, emailed)),
    ]
    taken = {q.key for q in uow.deliveries.keyed(f"{incident.reference}:major-report:")}
    return [enqueue_for(uow, incident, i, now) for i in items if i.key not in taken]


def _recipients(mails: list[Queued]) -> list[Any]:
    """Everyone the notification emailed, once each."""
    return list({r["email"].lower(): r for m in mails for r in m.payload.get("bcc", [])}.values())


def _mailbox(mails: list[Queued]) -> str:
    return next((m.payload["to"][0]["email"] for m in mails if m.payload.get("to")), "")


@dataclass(frozen=True)
class _Said:
    """The report's announcement, as every one of its deliveries carries it."""

    reference: str
    subject: str
    words: ReportFiledWords
    security: bool
    cause: int | None


def _mails(said: _Said, recipients: list[Any], mailbox: str) -> list[Outgoing]:
    found = []
    for part, chunk in enumerate(_chunks(recipients, MAX_RECIPIENTS)):
        key = f"{said.reference}:major-report:mail:{part}"
        full = len(chunk) >= MAX_RECIPIENTS or not mailbox
        payload: dict[str, Any] = {
            "delivery_id": key,
            "subject": said.subject,
            "html": said.words.html,
            "text": said.words.text,
            "to": [] if full else [{"email": mailbox, "name": ""}],
            "bcc": chunk,
            "sensitivity": "confidential" if said.security else "normal",
            "cause": said.cause,
        }
        # The lane after the resolution they were sent.
        found.append(Outgoing(DeliveryKind.MAIL, key, f"{said.reference}:mail:{part}", payload))
    return found


def _card_destinations(cards: list[Queued], emailed: set[str]) -> list[str]:
    found = []
    for card_row in cards:
        destination = str(card_row.payload.get("to", ""))
        kind, _, where = destination.partition(":")
        if not destination or (kind == "chat" and where.lower() in emailed):
            continue  # the email told them
        found.append(destination)
    return found


def _card(said: _Said, destination: str) -> Outgoing:
    digest = hashlib.sha1(destination.encode()).hexdigest()[:12]
    key = f"{said.reference}:major-report:teams:{digest}"
    payload = {
        "delivery_id": key,
        "summary": f"{said.reference}: {said.words.heading}",
        "card": said.words.card,
        "to": destination,
        "where": describe_destination(destination),
        "cause": said.cause,
    }
    return Outgoing(DeliveryKind.TEAMS_CARD, key, f"{said.reference}:teams:{digest}", payload)


def whom_to_ask(incident: Incident, contacts: Iterable[Contact]) -> dict[str, str]:
    """The comms lead, else the incident lead, else whoever declared it: by name when the
    contacts directory knows them."""
    for role, said in (
        (Role.COMMS_LEAD, "who is handling communications about this incident"),
        (Role.INCIDENT_LEAD, "who is leading this incident"),
    ):
        if person := incident.leads.get(role):
            return _person(person, contacts) | {"role": said}
    return _person(incident.declared_by, contacts) | {"role": "who declared this incident"}


def _person(said: str, contacts: Iterable[Contact]) -> dict[str, str]:
    # A lead is recorded as whatever was typed: an address, or a name from the directory.
    folded = said.strip().casefold()
    for contact in contacts:
        if folded in (contact.email.casefold(), contact.name.casefold()) and contact.name:
            return {"name": contact.name, "email": contact.email}
    return {"name": said, "email": said if looks_like_email(said) else ""}


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
