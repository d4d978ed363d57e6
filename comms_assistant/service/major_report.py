"""The Major Incident report's promise: when an incident is one (it reached P1, or the central
team was sent the notification), and telling everyone who had the notification once the report
is filed, with its link (or, for a security incident, whom to ask)."""

from __future__ import annotations

import hashlib
import html
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from comms_assistant.adapters.render_cards import markdown_literal
from comms_assistant.adapters.store import IncidentRow, OutboxRow
from comms_assistant.domain.audiences import (
    Contact,
    looks_like_email,
)
from comms_assistant.domain.history import history_of
from comms_assistant.domain.incident import Incident, Priority, Role, Status
from comms_assistant.service.delivery_kinds import DeliveryKind
from comms_assistant.service.messaging import (
    MAX_RECIPIENTS,
    describe_destination,
    enqueue_for,
)


def major_name(report_name: str) -> str:
    """`<date> <reference> <title> - major incident report.docx`, beside the running report."""
    return f"{report_name.removesuffix('.docx')} - major incident report.docx"


def major_key(row: IncidentRow) -> str:
    """The Major Incident report's filing delivery, one per incident."""
    return f"{row.reference}:major"


def _notification_rows(session: Session, row: IncidentRow, medium: str) -> list[OutboxRow]:
    # messaging.py keys the Major Incident notification's rows <reference>:major-incident:...
    pattern = f"{row.reference}:major-incident:{medium}:%"
    return list(
        session.scalars(select(OutboxRow).where(OutboxRow.key.like(pattern)).order_by(OutboxRow.id))
    )


def major_incident(session: Session, row: IncidentRow, incident: Incident) -> bool:
    """Whether the incident is a Major Incident: it was P1 at some point, or the central team
    was sent the Major Incident notification. The notification promises them the report, so
    the priority at closing does not decide: a P1 lowered to P2 and then closed is reported."""
    history = history_of(incident)
    if min(incident.priority, *(change.priority for change in history)) is Priority.P1:
        return True
    pattern = f"{row.reference}:major-incident:%"
    return session.scalar(select(OutboxRow.id).where(OutboxRow.key.like(pattern))) is not None


def announce_major_report(
    session: Session,
    row: IncidentRow,
    incident: Incident,
    *,
    filed: dict[str, Any],
    announce: dict[str, Any],
    cause: int | None,
    now: datetime,
) -> list[OutboxRow]:
    """The Major Incident report's link for everyone sent the Major Incident notification, as
    it promised: by email to those it emailed, by card to Teams destinations no email reached.

    `filed`: the filing's result (the report's `name` and `web_url`); `announce`: what
    `DeliveryPlanner.major` kept. Keyed per incident, so a second call adds nothing. A security
    incident's report is in the security folder, which the central team cannot open: they are
    told it is filed and whom to ask, with no title and no link.
    """
    mails = _notification_rows(session, row, "mail")
    cards = _notification_rows(session, row, "teams")
    taken = set(
        session.scalars(
            select(OutboxRow.key).where(OutboxRow.key.like(f"{row.reference}:major-report:%"))
        )
    )
    name = str(filed.get("name") or major_name(row.report_name)).removesuffix(".docx")
    url = str(filed.get("web_url") or "")
    ask = announce.get("ask") or whom_to_ask(incident, ())
    words = _ReportFiled(incident, name, url, ask, str(announce.get("marking") or ""))
    queued: list[OutboxRow] = []

    recipients = list(
        {r["email"].lower(): r for m in mails for r in m.payload.get("bcc", [])}.values()
    )
    mailbox = announce.get("mailbox") or next(
        (m.payload["to"][0]["email"] for m in mails if m.payload.get("to")), ""
    )
    for part, chunk in enumerate(_chunks(recipients, MAX_RECIPIENTS)):
        key = f"{row.reference}:major-report:mail:{part}"
        if key in taken:
            continue
        full = len(chunk) >= MAX_RECIPIENTS or not mailbox
        payload: dict[str, Any] = {
            "delivery_id": key,
            # The notification's subject, so it lands in the same Outlook conversation (and
            # carries a security incident's marking as that one does).
            "subject": mails[0].payload["subject"],
            "html": words.html(mails[0].payload["subject"]),
            "text": words.text(),
            "to": [] if full else [{"email": mailbox, "name": ""}],
            "bcc": chunk,
            "sensitivity": "confidential" if incident.security else "normal",
            "cause": cause,
        }
        # The lane after the resolution they were sent.
        lane = f"{row.reference}:mail:{part}"
        queued.append(enqueue_for(session, row, DeliveryKind.MAIL, key, lane, payload, now))

    emailed = {r["email"].lower() for r in recipients}
    for card_row in cards:
        destination = str(card_row.payload.get("to", ""))
        kind, _, where = destination.partition(":")
        if not destination or (kind == "chat" and where.lower() in emailed):
            continue  # the email told them
        digest = hashlib.sha1(destination.encode()).hexdigest()[:12]
        key = f"{row.reference}:major-report:teams:{digest}"
        if key in taken:
            continue
        payload = {
            "delivery_id": key,
            "summary": f"{row.reference}: {words.heading}",
            "card": words.card(),
            "to": destination,
            "where": describe_destination(destination),
            "cause": cause,
        }
        lane = f"{row.reference}:teams:{digest}"
        queued.append(enqueue_for(session, row, DeliveryKind.TEAMS_CARD, key, lane, payload, now))
    return queued


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


@dataclass(frozen=True)
class _ReportFiled:
    """The words of the message that the Major Incident report is filed, in HTML, text and a
    card. Everything in it that people typed (the title, names) is escaped for each."""

    incident: Incident
    name: str
    url: str
    ask: dict[str, str]
    marking: str
    heading: str = "Major incident report filed"

    def _parts(self) -> list[list[tuple[str, str]]]:
        """Paragraphs, each a list of (text, link) pieces; link "" for plain text."""
        ref = self.incident.reference
        person = [(self.ask.get("name") or "", _mailto(self.ask.get("email") or ""))]
        if self.incident.security:
            return [
                [(f"We have filed the major incident report for security incident {ref}.", "")],
                [
                    (
                        "It is kept with the security team's documents, which only the people "
                        "handling security incidents can open, so this message has no link to "
                        "it. If you need to see it, ask ",
                        "",
                    ),
                    *person,
                    (f", {self.ask.get('role', '')}.", ""),
                ],
                [("Do not share or forward this message.", "")],
            ]
        link = self.url if self.url.startswith(("https://", "http://")) else ""
        lessons = (
            "We are adding the lessons learnt from the incident review to it now."
            if self.incident.status is Status.CLOSED
            else "We add the lessons learnt to it when the incident review is filed."
        )
        return [
            [
                (f"We have filed the major incident report for {ref} ", ""),
                (f"({_unstopped(self.incident.title)}): ", ""),
                (self.name, link),
                (".", ""),
            ],
            [
                (
                    "It is the report we said we would send you when the incident was over. It "
                    "has what happened, the timeline, how we resolved it and the messages we "
                    f"sent. {lessons}",
                    "",
                )
            ],
        ]

    def _footer(self) -> list[tuple[str, str]]:
        why = (
            "You are getting this because you are the central team for major incidents, and we "
            f"told you about {self.incident.reference} when it became one."
        )
        if self.incident.security:
            return [(why, "")]
        person = (self.ask.get("name") or "", _mailto(self.ask.get("email") or ""))
        return [(f"{why} Questions: ", ""), person, (f", {self.ask.get('role', '')}.", "")]

    def html(self, subject: str) -> str:
        e = html.escape
        body = "".join(f'<p style="margin:0 0 16px 0;">{_html(p)}</p>' for p in self._parts())
        marking = (
            f'<p style="margin:0 0 8px 0;"><strong>{e(self.marking)}</strong></p>'
            if self.marking
            else ""
        )
        # As templates/mail/layout.html lays out every other email: one column, GOV.UK type.
        return (
            '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{e(subject)}</title>\n</head>\n"
            '<body style="margin:0; padding:0; background-color:#ffffff;">\n'
            '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
            'style="border-collapse:collapse; max-width:640px;">\n<tr>\n'
            '<td style="padding:16px; font-family:Arial, Helvetica, sans-serif; font-size:16px; '
            'line-height:24px; color:#0b0c0c;">\n'
            f"{marking}"
            '<h1 style="margin:0 0 16px 0; font-size:24px; line-height:30px; font-weight:bold;">'
            f"{e(self.heading)}</h1>\n{body}\n"
            '<p style="margin:32px 0 0 0; padding-top:16px; border-top:1px solid #b1b4b6; '
            f'font-size:14px; line-height:20px; color:#505a5f;">{_html(self._footer())}</p>\n'
            "</td>\n</tr>\n</table>\n</body>\n</html>\n"
        )

    def text(self) -> str:
        lines = [self.marking] if self.marking else []
        lines.append(self.heading)
        lines += ["", *("".join(_text(piece) for piece in p) + "\n" for p in self._parts())]
        lines.append("".join(_text(piece) for piece in self._footer()))
        return "\n".join(lines).strip() + "\n"

    def card(self) -> dict[str, Any]:
        body: list[dict[str, Any]] = [
            {"type": "TextBlock", "text": self.heading, "weight": "Bolder", "size": "Large"}
        ]
        for paragraph in [*self._parts(), self._footer()]:
            # Link text stays plain here; the button below opens the report.
            shown = "".join(markdown_literal(text) for text, _ in paragraph)
            body.append({"type": "TextBlock", "text": shown, "wrap": True})
        card: dict[str, Any] = {
            "type": "AdaptiveCard",
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "version": "1.5",
            "body": body,
        }
        if self.url.startswith(("https://", "http://")) and not self.incident.security:
            card["actions"] = [{"type": "Action.OpenUrl", "title": self.name, "url": self.url}]
        return card


def _mailto(address: str) -> str:
    return f"mailto:{address}" if looks_like_email(address) else ""


def _html(pieces: list[tuple[str, str]]) -> str:
    return "".join(
        f'<a href="{html.escape(link)}" style="color:#1d70b8;">{html.escape(text)}</a>'
        if link
        else html.escape(text)
        for text, link in pieces
    )


def _text(piece: tuple[str, str]) -> str:
    text, link = piece
    address = link.removeprefix("mailto:")
    return text if not link or address == text else f"{text} ({address})"


def _unstopped(text: str) -> str:
    # Inside brackets mid-sentence a title's own full stop would end the sentence early.
    return text.strip().rstrip(".")


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
