"""What the incident's meetings say: their subjects and invitations, and the outbox payload an
Outlook event is made from.

A security incident's meetings carry the security marking and the reference only, never its
title or what it is about, as its emails do: an invitation shows in calendars, reminders and
the attendees' phones.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from comms_assistant.domain.incident import Incident
from comms_assistant.service.card_text import markdown_literal
from comms_assistant.service.ports import Recipient
from comms_assistant.service.work_ports import OutgoingEvent


def _named(incident: Incident, what: str, marking: str) -> str:
    if incident.security:
        return " ".join(p for p in (marking, incident.reference, what) if p)
    return f"{incident.reference} {what}: {incident.title}"


def bridge_subject(incident: Incident, marking: str) -> str:
    return _named(incident, "responders' meeting", marking)


def review_subject(incident: Incident, marking: str) -> str:
    return _named(incident, "review meeting", marking)


def _about(incident: Incident) -> str:
    if incident.security:
        return (
            f"{incident.reference}, a security incident. Its details are in its documents, "
            "which only the incident team can open."
        )
    return f"{incident.reference}: {html.escape(incident.title)}."


def _link(url: str | None, name: str) -> str:
    if not url or not url.startswith(("https://", "http://")):
        return ""
    return f'<a href="{html.escape(url, quote=True)}">{html.escape(name)}</a>'


def bridge_body(incident: Incident, report_url: str | None) -> str:
    paragraphs = [
        f"The Teams meeting for the people responding to {_about(incident)}",
        "Join it at any time while the incident is open. The link is below.",
    ]
    report = _link(report_url, "the running incident report")
    if report:
        paragraphs.append(f"What has happened so far is in {report}.")
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def review_body(
    incident: Incident,
    *,
    report_url: str | None,
    review_url: str | None,
    review_name: str,
) -> str:
    paragraphs = [
        f"The review meeting for {_about(incident)}",
        "We will go through what happened, what went well, what could be better and what we "
        "will do next. The review is for learning, not for blaming anyone.",
    ]
    review = _link(review_url, review_name.removesuffix(".docx") or "the incident review")
    report = _link(report_url, "the running incident report")
    if review:
        paragraphs.append(f"Please read the incident review before the meeting: {review}.")
    elif report:
        paragraphs.append(
            f"Please read {report} before the meeting. The incident review will be filed "
            "beside it, and this invitation will be updated with its link."
        )
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def event_payload(
    *,
    transaction_id: str,
    subject: str,
    body: str,
    start: datetime,
    end: datetime,
    time_zone: str,
    attendees: tuple[str, ...],
    names: Mapping[str, str],
    security: bool,
) -> dict[str, Any]:
    """The event as an outbox payload (JSON): made when it is queued, so every attempt asks
    Outlook for the same event under the same transactionId."""
    return {
        "transaction_id": transaction_id,
        "subject": subject,
        "html": body,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "time_zone": time_zone,
        "attendees": [{"email": a, "name": names.get(a, "")} for a in attendees],
        "sensitivity": "private" if security else "normal",
    }


def event_from(payload: Mapping[str, Any]) -> OutgoingEvent:
    return OutgoingEvent(
        transaction_id=str(payload["transaction_id"]),
        subject=str(payload["subject"]),
        html=str(payload["html"]),
        start=datetime.fromisoformat(payload["start"]),
        end=datetime.fromisoformat(payload["end"]),
        time_zone=str(payload["time_zone"]),
        attendees=tuple(Recipient(a["email"], a.get("name", "")) for a in payload["attendees"]),
        sensitivity="private" if payload.get("sensitivity") == "private" else "normal",
    )


BRIDGE_BUTTON = "Join the responders' Teams meeting"
_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"


def with_bridge(card: dict[str, Any], incident: Incident) -> dict[str, Any]:
    """The incident's own card (in the responders' channel) with the bridge's join button
    first, while the incident is open and the meeting has been made."""
    url = incident.record.meetings.bridge_url
    if url and incident.is_open and url.startswith("https://"):
        button = {"type": "Action.OpenUrl", "title": BRIDGE_BUTTON, "url": url}
        card["actions"] = [button, *card.get("actions", [])]
    return card


def bridge_card(incident: Incident, url: str) -> dict[str, Any]:
    """The post in the incidents channel that gives the responders the meeting's link."""
    return {
        "type": "AdaptiveCard",
        "$schema": _SCHEMA,
        "version": "1.5",
        "body": [
            {
                "type": "TextBlock",
                "text": "A Teams meeting for the responders",
                "weight": "Bolder",
                "size": "Medium",
                "wrap": True,
            },
            {
                "type": "TextBlock",
                "text": markdown_literal(f"{incident.reference}: {incident.title}"),
                "wrap": True,
            },
            {
                "type": "TextBlock",
                "text": "Join it at any time while the incident is open.",
                "wrap": True,
                "isSubtle": True,
            },
        ],
        "actions": [{"type": "Action.OpenUrl", "title": BRIDGE_BUTTON, "url": url}],
        "msteams": {"width": "Full"},
    }
