"""One living card per incident in a channel: posted once, then kept true in place.

- **The incidents channel.** The incident's first card there (the `open` message) starts a
  thread. Each later stakeholder card for that channel is a reply in its thread (`thread_for`),
  and each change of the incident's facts queues a refresh of that first card
  (`queue_refreshes`), which the dispatcher draws from the incident as it is when the refresh
  goes (`refresh`): a retried or late refresh never shows what is no longer true.
- **A channel per incident** (`bot_channel_per_incident`): the thread the bot starts there with
  the incident's card is kept the same way (`conversations.living_threads`).

Where the card's id lives: in the outbox. The root is the first card of the incident's
incidents-channel lane that was posted as a new message (its result's `message_id`); a reply
records the `thread` it went in.

Refreshes coalesce: a refresh not yet started and last in its lane will draw the incident when it
goes, so a change that finds one queues nothing. One already started may have drawn it already,
and one with a card queued after it goes before that card: then a new one is queued.

An update sends the whole card again (Bot Connector PUT, Graph PATCH), so a retry after a 503,
a lost answer or a crash changes the card again and never posts a second one. Where the card
cannot be updated (a Workflows webhook, or the first card was never posted) the refresh posts
the card anew, unless a card queued after it (the message the same change sent) shows it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from comms_assistant.domain.cadence import next_update_due
from comms_assistant.domain.incident import EntryKind, Incident, TimelineEntry
from comms_assistant.domain.messages import MessageKind
from comms_assistant.domain.policy import Policy
from comms_assistant.service.delivery_kinds import DeliveryKind
from comms_assistant.service.meeting_words import with_bridge
from comms_assistant.service.messaging import INCIDENTS_CHANNEL
from comms_assistant.service.outbox_port import Delivery
from comms_assistant.service.ports import CannotUpdate, MessageRenderer, TeamsCard, TeamsPoster
from comms_assistant.service.unit_of_work import (
    DONE,
    PENDING,
    Queued,
    UnitOfWork,
    UnitOfWorkFactory,
)

# Changes the card shows: the latest message, priority, status, services, leads, title, impact.
REFRESHED = frozenset(
    {
        EntryKind.UPDATE,
        EntryKind.HOLDING,
        EntryKind.PRIORITY,
        EntryKind.FACTS,
        EntryKind.ROLE,
        EntryKind.STATUS,
        EntryKind.RESOLVED,
        EntryKind.REVIEW,
    }
)
# The entries that were stakeholder messages, and which message each was: the card shows the
# latest one, with the incident's facts as they are now.
SHOWN = {
    EntryKind.DECLARED: MessageKind.OPENED,
    EntryKind.UPDATE: MessageKind.UPDATE,
    EntryKind.HOLDING: MessageKind.HOLDING,
    EntryKind.PRIORITY: MessageKind.PRIORITY,
    EntryKind.RESOLVED: MessageKind.RESOLVED,
}
NUMBERED = (MessageKind.UPDATE, MessageKind.HOLDING, MessageKind.PRIORITY)
OWN_CHANNEL = "incident's own channel"


@dataclass(frozen=True)
class LivingCards:
    """Draws an incident's living card: the stakeholder card of its latest message, with the
    incident's facts (priority, status, leads, services, next update, report link) as now."""

    renderer: MessageRenderer
    policy: Policy

    def draw(self, incident: Incident, *, buttons: bool = False) -> tuple[str, dict[str, Any]]:
        """(summary, card). `buttons`: the bot's buttons on an open incident's card (where the
        bot posts it: a press reaches only the bot that posted the card)."""
        latest = next((e for e in reversed(incident.timeline) if e.kind in SHOWN), None)
        latest = latest or incident.timeline[0]
        kind = SHOWN.get(latest.kind, MessageKind.OPENED)
        number = incident.record.updates_sent if kind in NUMBERED else None
        card = self.renderer.card(
            kind,
            incident,
            latest,
            next_update_by=next_update_due(incident, self.policy),
            report_url=incident.record.report_url,
            update_number=number,
        )
        # The responders' Teams meeting, first: the card lives only where the responders are.
        card = with_bridge(card, incident)
        if buttons and incident.is_open:
            card.setdefault("actions", []).extend(self.renderer.buttons(incident.reference))
        return self.renderer.heading(kind, incident, latest, number), card


def channel_lane(reference: str) -> str:
    """The lane of the incident's cards in the incidents channel (service/messaging.py)."""
    return f"{reference}:teams"


def queue_refreshes(
    uow: UnitOfWork, incident: Incident, entry: TimelineEntry, now: datetime, *, cause: Queued
) -> list[Queued]:
    """After `entry` changed the incident, a refresh of each of its living cards (coalesced).
    `cause`: the report sync of the same change, so whoever waits for it waits for these."""
    if entry.kind not in REFRESHED:
        return []
    return queue_for(uow, incident, now, key=str(entry.seq), cause=cause)


def queue_for(
    uow: UnitOfWork,
    incident: Incident,
    now: datetime,
    *,
    key: str,
    cause: Queued | None,
    post: bool = True,
) -> list[Queued]:
    """Refreshes for the incident's living cards, keyed `<ref>:card:<key>`. `post=False`: where the
    card cannot be updated, do not post it anew either (a change not worth a post of its own)."""
    uow.flush()  # ids for the incident's rows and the cause
    queued: list[Queued] = []
    ref = incident.reference
    lane = channel_lane(ref)
    extra: dict[str, Any] = {"cause": cause.id if cause else None}
    if not post:
        extra["post"] = False
    if _has_card(uow, lane):
        payload = {"where": INCIDENTS_CHANNEL, **extra}
        queued += _queue(uow, incident, lane, f"{ref}:card:{key}", payload, now)
    for thread, card in uow.conversations.living_threads(ref):
        destination = "channel:" + thread.split(";", 1)[0]
        digest = hashlib.sha1(destination.encode()).hexdigest()[:12]
        payload = {"to": destination, "thread": card, "where": OWN_CHANNEL, **extra}
        their_lane, their_key = f"{lane}:{digest}", f"{ref}:card:{key}:{digest}"
        queued += _queue(uow, incident, their_lane, their_key, payload, now)
    return queued


def _has_card(uow: UnitOfWork, lane: str) -> bool:
    """Whether a card was ever queued in the incidents channel's lane: then it has one to keep."""
    return bool(uow.deliveries.of_lane(lane, [DeliveryKind.TEAMS_CARD]))


def _queue(
    uow: UnitOfWork,
    incident: Incident,
    lane: str,
    key: str,
    payload: dict[str, Any],
    now: datetime,
) -> list[Queued]:
    last = uow.deliveries.last_in_lane(lane)
    waiting = (
        last is not None
        and last.kind == DeliveryKind.TEAMS_REFRESH
        and last.status == PENDING
        and last.lease_owner is None
    )
    if waiting or uow.deliveries.by_key(key) is not None:
        return []  # the waiting one draws the incident as it is when it goes
    summary = f"{incident.reference}: {incident.title}"
    body = {"delivery_id": key, "summary": summary, **payload}
    kind = DeliveryKind.TEAMS_REFRESH
    return [uow.deliveries.add(incident, key=key, lane=lane, kind=kind, payload=body, now=now)]


def thread_for(uow: UnitOfWork, delivery_id: int) -> str:
    """The message a living card in the incidents channel replies under: its incident's root
    card; "" when there is none yet (this card becomes it)."""
    return _root(uow, uow.deliveries.get(delivery_id).lane) or ""


def _root(uow: UnitOfWork, lane: str) -> str | None:
    """The first card of `lane` posted as a new message that can take replies and updates."""
    kinds = (DeliveryKind.TEAMS_CARD, DeliveryKind.TEAMS_REFRESH)
    for row in uow.deliveries.of_lane(lane, kinds, DONE):
        result = row.result or {}
        posted = str(result.get("message_id") or "")
        # A webhook's "id" is our own: Teams can neither update that post nor thread under it.
        if posted and not result.get("thread") and not posted.startswith("webhook:"):
            return posted
    return None


async def refresh(
    teams: TeamsPoster, uow_factory: UnitOfWorkFactory, cards: LivingCards, delivery: Delivery
) -> dict[str, Any]:
    """Deliver a TEAMS_REFRESH: update the living card with the incident as it is now."""
    payload = delivery.payload
    with uow_factory() as uow:
        me = uow.deliveries.get(delivery.id)
        root = str(payload.get("thread") or "") or _root(uow, me.lane)
        later = uow.deliveries.pending_after(me)
        incident = uow.incidents.by_id(delivery.incident_id)
        # The bot posted the card starting an incident's own channel, with its buttons.
        own = payload.get("where") == OWN_CHANNEL
        summary, card = cards.draw(incident, buttons=own)
    message = card_message(delivery, summary, card)
    if root:
        try:
            await teams.update_card(message, root)
            return {"updated": root}
        except CannotUpdate as error:
            why = str(error)
    else:
        why = "the incident's first card was not posted"
    if later or payload.get("post") is False:
        # What follows in the lane (the message this change sent) shows it: no second post.
        return {"skipped": why}
    return {"message_id": await teams.post_card(message), "posted": True}


def card_message(
    delivery: Delivery, summary: str, card: dict[str, Any], *, thread: str = ""
) -> TeamsCard:
    """The card a delivery posts: a retry looks for an earlier try back to when it was queued."""
    payload = delivery.payload
    return TeamsCard(
        payload["delivery_id"],
        summary,
        card,
        payload.get("to", ""),
        uncertain=delivery.uncertain,
        thread=thread,
        since=delivery.queued_at,
    )
