"""A stakeholder message's outbox rows, in three steps: decide, render, enqueue.

decide (domain/message_plan.py): who hears what, by which channel, and what the incident keeps
of it (who was told, the update number); render: the renderer's words for each of them, as the
outbox rows' payloads; enqueue: the rows, and the incident's new state, in the change's own
transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

from comms_assistant.domain import message_plan
from comms_assistant.domain.audiences import Contact, RoutingRules
from comms_assistant.domain.incident import Incident, TimelineEntry
from comms_assistant.domain.message_plan import Decision, Part, Routing, Send, Told, decide
from comms_assistant.domain.messages import MessageKind
from comms_assistant.domain.policy import Policy
from comms_assistant.service.delivery_kinds import DeliveryKind
from comms_assistant.service.ports import MessageRenderer, RenderedMessage
from comms_assistant.service.unit_of_work import Queued, UnitOfWork

# Exchange refuses more than 500 recipients in one message, the To line included.
MAX_RECIPIENTS = 500
TEAMS_PREFIX = message_plan.TEAMS_PREFIX
INCIDENTS_CHANNEL = "Incidents channel"


class Planner(Protocol):
    """What a message needs of the DeliveryPlanner (service/deliveries.py)."""

    renderer: MessageRenderer
    contacts: tuple[Contact, ...]
    routing: RoutingRules
    policy: Policy
    mailbox: str


@dataclass
class MessagePlan:
    rows: list[Queued]
    emailed: int
    carded: bool
    next_update_by: datetime | None
    teams: int = 0  # people and channels told in Teams (besides the incidents channel)
    caught_up: int = 0  # addresses and destinations told late, with what happened so far
    major_notified: bool = False  # the Major Incident notification went to the central team
    newly_told: list[str] = field(default_factory=list)
    # What the message did to the public status page, for the reply (service/publication.py).
    public: str = ""


@dataclass(frozen=True)
class Outgoing:
    """One outbox row to be: a rendered email or card and where it queues."""

    kind: DeliveryKind
    key: str
    lane: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Occasion:
    """What every message of one change shares, for the renderer."""

    reference: str
    incident: Incident
    entry: TimelineEntry
    decision: Decision
    report_url: str | None
    mailbox: str

    @property
    def number(self) -> int:
        return self.decision.after.updates_sent


def plan_message(
    planner: Planner,
    uow: UnitOfWork,
    incident: Incident,
    kind: MessageKind,
    entry: TimelineEntry,
    now: datetime,
    *,
    extra: Iterable[Contact] = (),
) -> MessagePlan:
    """The rows for `kind`; `extra` are people added by hand (`notify`), told as late joiners."""
    record = incident.record
    before = Told(tuple(record.told), record.updates_sent, major_notification_sent(uow, incident))
    decision = decide(incident, kind, before, routing_of(planner), now, extra=extra)
    occasion = Occasion(
        incident.reference, incident, entry, decision, record.report_url, planner.mailbox
    )
    rows = enqueue(uow, incident, render(planner.renderer, occasion), decision.after, now)
    return MessagePlan(
        rows=rows,
        emailed=decision.emailed,
        carded=decision.channel_card,
        next_update_by=decision.next_update_by,
        teams=decision.teams,
        caught_up=decision.caught_up,
        major_notified=decision.major_notified,
        newly_told=list(decision.newly_told),
    )


def routing_of(planner: Planner) -> Routing:
    return Routing(planner.contacts, planner.routing, planner.policy)


def central_team_outside(
    planner: Planner, incident: Incident, audience: Iterable[Contact]
) -> set[str]:
    """For a security incident, the central team's addresses outside its audience."""
    return message_plan.central_team_outside(incident, routing_of(planner), audience)


def major_notification_sent(uow: UnitOfWork, incident: Incident) -> bool:
    """Whether the central team was sent this incident's Major Incident notification."""
    return bool(uow.deliveries.keyed(f"{incident.reference}:major-incident:"))


def render(renderer: MessageRenderer, occasion: Occasion) -> list[Outgoing]:
    # The incidents channel hears the main message first.
    found = [_channel_card(renderer, occasion)] if occasion.decision.channel_card else []
    for send in occasion.decision.sends:
        found += _rendered(renderer, occasion, send)
    return found


def enqueue(
    uow: UnitOfWork, incident: Incident, items: Iterable[Outgoing], after: Told, now: datetime
) -> list[Queued]:
    rows = [enqueue_for(uow, incident, item, now) for item in items]
    incident.record.told = list(after.told)
    incident.record.updates_sent = after.updates_sent
    return rows


def _channel_card(renderer: MessageRenderer, occasion: Occasion) -> Outgoing:
    kind, incident, entry = occasion.decision.kind, occasion.incident, occasion.entry
    key = f"{occasion.reference}:{entry.seq}:teams"
    card = renderer.card(
        kind,
        incident,
        entry,
        next_update_by=occasion.decision.next_update_by,
        report_url=occasion.report_url,
        update_number=occasion.number,
    )
    payload: dict[str, Any] = {
        "delivery_id": key,
        "summary": renderer.heading(kind, incident, entry, occasion.number),
        "card": card,
        "where": INCIDENTS_CHANNEL,
        # One living card per incident there: the first is its root, the others replies
        # in its thread (service/living_card.py).
        "living": True,
    }
    return Outgoing(DeliveryKind.TEAMS_CARD, key, f"{occasion.reference}:teams", payload)


@dataclass(frozen=True)
class _Shown:
    """One message of the decision as its readers see it."""

    key: str
    kind: MessageKind
    incident: Incident
    entry: TimelineEntry
    report_url: str | None

    @classmethod
    def of(cls, occasion: Occasion, send: Send) -> _Shown:
        ref, entry = occasion.reference, occasion.entry
        key = f"{ref}:major-incident" if send.part is Part.MAJOR_INCIDENT else f"{ref}:{entry.seq}"
        key += _KEY_ENDINGS[send.part]
        if send.restricted:
            shown = occasion.incident.restricted_view()
            return cls(key, send.kind, shown, replace(entry, text=""), None)
        return cls(key, send.kind, occasion.incident, entry, occasion.report_url)


# How each message's outbox keys end (service/comms_sent.py reads them back).
_KEY_ENDINGS = {
    Part.MAIN: "",
    Part.CATCH_UP: ":catchup",
    Part.MAJOR_INCIDENT: "",
    Part.RESTRICTED: ":restricted",
}


def _rendered(renderer: MessageRenderer, occasion: Occasion, send: Send) -> list[Outgoing]:
    shown = _Shown.of(occasion, send)
    next_by = occasion.decision.next_update_by
    mail = renderer.mail(
        shown.kind,
        shown.incident,
        shown.entry,
        update_number=occasion.number,
        next_update_by=next_by,
        report_url=shown.report_url,
    )
    # What the message is ("Update 2: <title>"), for the documents' list of messages sent: the
    # subject stays the same for every message about the incident.
    summary = renderer.heading(shown.kind, shown.incident, shown.entry, occasion.number)
    found = [
        _mail(occasion, shown, part, chunk, mail, summary)
        for part, chunk in enumerate(_chunks(list(send.who.mail), MAX_RECIPIENTS))
    ]
    if not send.who.teams:
        return found
    card = renderer.card(
        shown.kind,
        shown.incident,
        shown.entry,
        next_update_by=next_by,
        report_url=shown.report_url,
        update_number=occasion.number,
    )
    return found + [_card(occasion, shown, d, card, summary) for d in send.who.teams]


def _mail(
    occasion: Occasion,
    shown: _Shown,
    part: int,
    chunk: list[str],
    mail: RenderedMessage,
    summary: str,
) -> Outgoing:
    key = f"{shown.key}:mail:{part}"
    names = occasion.decision.names
    payload: dict[str, Any] = {
        "delivery_id": key,
        "subject": mail.subject,
        "heading": summary,
        "html": mail.html,
        "text": mail.text,
        # The mailbox itself in To, so readers see where it came from, unless the 500 are
        # all needed for Bcc: then it goes Bcc-only rather than one message more.
        "to": [] if len(chunk) >= MAX_RECIPIENTS else [{"email": occasion.mailbox, "name": ""}],
        # Bcc: stakeholders of other teams should not see each other's addresses.
        "bcc": [{"email": a, "name": names.get(a, "")} for a in chunk],
        # restricted_view keeps `security`: the central team's restricted word is too.
        "sensitivity": "confidential" if shown.incident.security else "normal",
    }
    # A lane per part: the parts of one message go side by side, while part N of the next
    # message still waits for part N of this one (mostly the same people, in order).
    return Outgoing(DeliveryKind.MAIL, key, f"{occasion.reference}:mail:{part}", payload)


def _card(
    occasion: Occasion, shown: _Shown, destination: str, card: dict[str, Any], summary: str
) -> Outgoing:
    digest = hashlib.sha1(destination.encode()).hexdigest()[:12]
    key = f"{shown.key}:teams:{digest}"
    payload = {
        "delivery_id": key,
        "summary": summary,
        "card": card,
        "to": destination,
        "where": describe_destination(destination),
    }
    return Outgoing(DeliveryKind.TEAMS_CARD, key, f"{occasion.reference}:teams:{digest}", payload)


def describe_destination(destination: str) -> str:
    kind, _, where = destination.partition(":")
    return f"Teams chat with {where}" if kind == "chat" else f"Teams channel {where}"


def enqueue_for(uow: UnitOfWork, incident: Incident, item: Outgoing, now: datetime) -> Queued:
    return uow.deliveries.add(
        incident, key=item.key, lane=item.lane, kind=item.kind, payload=item.payload, now=now
    )


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
