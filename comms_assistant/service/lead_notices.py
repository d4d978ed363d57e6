"""Messages for the incident's leads, not its stakeholders: nudges, hand-over prompts, parked
deliveries. In Teams (the incidents channel) unless the incident is a security one, which stays
out of shared channels: then by email to the lead.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from comms_assistant.domain.incident import Incident, Role
from comms_assistant.service.card_text import markdown_literal
from comms_assistant.service.delivery_kinds import DeliveryKind
from comms_assistant.service.ports import DEFAULT_SECURITY_MARKING
from comms_assistant.service.unit_of_work import Queued, UnitOfWork

# The older name, still imported by tests.
LEAD_CARD = DeliveryKind.LEAD_CARD
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"


@dataclass(frozen=True)
class Addressee:
    email: str
    note: str  # why this person, when it is not the comms lead


def addressee(incident: Incident) -> Addressee:
    """The comms lead; else the incident lead, saying so; else whoever declared it."""
    if comms := incident.leads.get(Role.COMMS_LEAD):
        return Addressee(comms, "")
    if lead := incident.leads.get(Role.INCIDENT_LEAD):
        return Addressee(lead, "No comms lead is set, so this comes to the incident lead.")
    return Addressee(
        incident.declared_by,
        "Nobody has taken a lead role yet, so this comes to whoever declared the incident. "
        "Send 'comms me' to take the comms lead role.",
    )


def enqueue_notice(
    uow: UnitOfWork,
    incident: Incident,
    *,
    key: str,
    title: str,
    paragraphs: list[str],
    now: datetime,
    email: bool = False,
    marking: str = DEFAULT_SECURITY_MARKING,
    actions: list[dict[str, Any]] | None = None,
) -> Queued:
    """`email`: by email even when a card would do (something to act on later, not now).
    `marking`: the security_marking setting (Renderer.security_marking), which starts the
    subject and the body of a notice about a security incident, as it does stakeholder mail.
    `actions`: the card's buttons (adapters/card_actions.py); an email has none.

    The card @mentions the person (Teams notifies only a mention): by their Entra object id when
    the bot has heard from them, else by their sign-in name, which Teams also accepts."""
    to = addressee(incident)
    if to.note:
        paragraphs = [*paragraphs, to.note]
    key = f"{incident.reference}:{key}"
    if incident.security or email:
        marked = marking.strip() if incident.security else ""
        payload = mail_payload(key, f"{incident.reference}: {title}", paragraphs, to.email, marked)
        payload["sensitivity"] = "confidential" if incident.security else "normal"
        kind = DeliveryKind.NOTICE
    else:
        payload = {
            "delivery_id": key,
            "summary": f"{incident.reference}: {title}",
            "card": _card(
                f"{incident.reference}: {title}",
                _mention(to.email, uow.conversations.teams_person(to.email)),
                paragraphs,
                actions or [],
            ),
        }
        kind = DeliveryKind.LEAD_CARD
    # Its own lane: a nudge must not wait behind the stakeholder messages it is about.
    return uow.deliveries.add(
        incident,
        key=key,
        lane=f"{incident.reference}:notices",
        kind=kind,
        payload=payload,
        now=now,
    )


def mail_payload(
    key: str, subject: str, paragraphs: list[str], email: str, marked: str
) -> dict[str, Any]:
    """The notice by email; a security incident's `marked` starts its subject and its body."""
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    if marked:
        subject = f"{marked}: {subject}"
        body = f"<p><strong>{html.escape(marked)}</strong></p>{body}"
        paragraphs = [marked, *paragraphs]
    return {
        "delivery_id": key,
        "subject": subject,
        "html": body,
        "text": "\n\n".join(paragraphs),
        "to": [{"email": email, "name": ""}],
        "bcc": [],
    }


def _mention(email: str, known: tuple[str, str] | None) -> dict[str, Any]:
    """The mention entity for `email`: `<at>Name</at>` and whom it names."""
    object_id, name = known or (email, "")
    # The name sits inside <at>...</at> as it is in the entity: nothing there may be Markdown
    # or end the tag.
    shown = " ".join(re.sub(r"[^\w .'@-]|_", " ", name).split())
    shown = shown or re.sub(r"[^\w.@+-]", "", email)
    return {
        "type": "mention",
        "text": f"<at>{shown}</at>",
        "mentioned": {"id": object_id, "name": name or email},
    }


def _card(
    title: str, mention: dict[str, Any], paragraphs: list[str], actions: list[dict[str, Any]]
) -> dict[str, Any]:
    # Built as data: user text (titles, drafts) never becomes card JSON by pasting; and all of
    # it is plain text, shown as typed rather than as Markdown.
    shown = markdown_literal
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": shown(title), "weight": "Bolder", "size": "Medium"}
        | {"wrap": True},
        {"type": "TextBlock", "text": f"For {mention['text']}", "isSubtle": True, "wrap": True},
    ]
    body += [{"type": "TextBlock", "text": shown(p), "wrap": True} for p in paragraphs]
    card: dict[str, Any] = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": "1.5"}
    card["body"] = body
    card["msteams"] = {"entities": [mention]}
    if actions:
        card["actions"] = actions
    return card
