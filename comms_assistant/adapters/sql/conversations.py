"""Teams conversations the bot has heard from, and the incident each one is bound to.

The bot can only post proactively (delivery outcomes, nudges) into a conversation it has a stored
reference for, and a conversation where `open` ran speaks about that incident without a
reference. Both survive a restart, so they live in the same database as the incidents. So
does who each person is in Teams (their Entra object id and name, with the email the bot found
for them), which the leads' nudges need to @mention them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, Text, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from comms_assistant.adapters.sql.engine import transaction
from comms_assistant.adapters.sql.models import Base, UTCDateTime

BOT = "bot"  # replies and proactive messages through the Bot Connector
WEBHOOK = "webhook"  # Teams outgoing webhook: answers only, no proactive messages


class ConversationRow(Base):
    __tablename__ = "bot_conversations"

    conversation_id: Mapped[str] = mapped_column(String(512), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default=BOT)
    service_url: Mapped[str] = mapped_column(Text, default="")
    # The SDK's ConversationReference as JSON: what a proactive message needs.
    reference: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    incident: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    # A 1:1 chat's person (lower case): where "chat:<email>" cards go through the bot.
    person: Mapped[str | None] = mapped_column(String(320), nullable=True, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A thread the bot started with the incident's card (a channel per incident): that card's
    # activity id, so the card is kept up to date with the incident (service/living_card.py).
    card: Mapped[str | None] = mapped_column(String(128), nullable=True)


class TeamsPersonRow(Base):
    """Who someone is in Teams, learnt from their messages: what an @mention of them needs."""

    __tablename__ = "teams_people"

    email: Mapped[str] = mapped_column(String(320), primary_key=True)  # lower case
    object_id: Mapped[str] = mapped_column(String(64))  # Entra (aadObjectId)
    name: Mapped[str] = mapped_column(String(256), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


def remember_person(
    engine: Engine, email: str, *, object_id: str, name: str, now: datetime
) -> None:
    with transaction(engine) as session:
        row = session.get(TeamsPersonRow, email.casefold())
        if row is None:
            row = TeamsPersonRow(email=email.casefold())
            session.add(row)
        row.object_id, row.name, row.updated_at = object_id, name, now


def teams_person(session: Session, email: str) -> tuple[str, str] | None:
    """(Entra object id, display name) of the person with that email, if they spoke to the bot."""
    row = session.get(TeamsPersonRow, email.casefold())
    return (row.object_id, row.name) if row is not None else None


def remember(
    engine: Engine,
    conversation_id: str,
    *,
    kind: str,
    service_url: str,
    reference: dict[str, Any],
    now: datetime,
    person: str | None = None,
) -> None:
    """`person`: for a 1:1 chat, who it is with (left as it was when not given)."""
    with transaction(engine) as session:
        row = session.get(ConversationRow, conversation_id)
        if row is None:
            row = ConversationRow(conversation_id=conversation_id)
            session.add(row)
        row.kind, row.service_url, row.reference, row.updated_at = (
            kind,
            service_url,
            reference,
            now,
        )
        if person:
            row.person = person.casefold()


def bind(
    engine: Engine, conversation_id: str, incident: str, *, now: datetime, card: str | None = None
) -> None:
    """`card`: the thread starts with the bot's card for the incident, this activity id."""
    with transaction(engine) as session:
        bind_in(session, conversation_id, incident, now=now, card=card)


def bind_in(
    session: Session,
    conversation_id: str,
    incident: str,
    *,
    now: datetime,
    card: str | None = None,
) -> None:
    row = session.get(ConversationRow, conversation_id)
    if row is None:
        row = ConversationRow(conversation_id=conversation_id, reference={})
        session.add(row)
    row.incident, row.updated_at = incident, now
    if card:
        row.card = card


def living_threads(session: Session, incident: str) -> list[tuple[str, str]]:
    """(thread, card activity id) of each thread the bot started with `incident`'s card."""
    query = select(ConversationRow.conversation_id, ConversationRow.card).where(
        ConversationRow.incident == incident, ConversationRow.card.is_not(None)
    )
    return [(str(thread), str(card)) for thread, card in session.execute(query)]


def bound_incident(engine: Engine, conversation_id: str) -> str | None:
    """The incident this thread, or else its whole channel (a channel per incident), is for."""
    channel = conversation_id.split(";messageid=", 1)[0]
    with transaction(engine) as session:
        for key in dict.fromkeys((conversation_id, channel)):
            row = session.get(ConversationRow, key)
            if row is not None and row.incident is not None:
                return row.incident
        return None


def reference(engine: Engine, conversation_id: str) -> dict[str, Any] | None:
    with transaction(engine) as session:
        row = session.get(ConversationRow, conversation_id)
        if row is None or row.kind != BOT or not row.reference:
            return None
        return dict(row.reference)


def for_incident(engine: Engine, incident: str) -> list[str]:
    """Conversations bound to `incident` (where its proactive updates go)."""
    with transaction(engine) as session:
        query = select(ConversationRow.conversation_id).where(ConversationRow.incident == incident)
        return list(session.scalars(query))


def channel_reference(engine: Engine, channel_id: str) -> dict[str, Any] | None:
    """The newest stored reference from the channel `channel_id` (the channel itself or one of
    its threads, `<channel>;messageid=...`): what posting a new message there needs."""
    channel = channel_id.split(";", 1)[0].casefold()
    key = func.lower(ConversationRow.conversation_id)
    query = (
        select(ConversationRow.reference)
        .where(ConversationRow.kind == BOT)
        .where((key == channel) | (func.substr(key, 1, len(channel) + 1) == channel + ";"))
        .order_by(ConversationRow.updated_at.desc())
        .limit(5)  # rows made by `bind` alone have no reference: skip a few of those at most
    )
    return _first_reference(engine, query)


def latest_reference(engine: Engine) -> dict[str, Any] | None:
    """The newest stored reference of any conversation: the bot's Bot Connector address (its
    `serviceUrl`), tenant and id, which are the same for every conversation in its tenant."""
    query = (
        select(ConversationRow.reference)
        .where(ConversationRow.kind == BOT)
        .order_by(ConversationRow.updated_at.desc())
        .limit(5)  # rows made by `bind` alone have no reference: skip a few of those at most
    )
    return _first_reference(engine, query)


def chat_with(engine: Engine, person: str) -> tuple[str, dict[str, Any]] | None:
    """The stored 1:1 chat with `person` (an email address): its id and reference."""
    query = (
        select(ConversationRow)
        .where(ConversationRow.kind == BOT, ConversationRow.person == person.casefold())
        .order_by(ConversationRow.updated_at.desc())
    )
    with transaction(engine) as session:
        for row in session.scalars(query):
            if row.reference:
                return row.conversation_id, dict(row.reference)
        return None


def _first_reference(engine: Engine, query: Any) -> dict[str, Any] | None:
    with transaction(engine) as session:
        for stored in session.scalars(query):
            if stored:  # rows made by `bind` before any message have none
                return dict(stored)
        return None
