"""Teams conversations the bot has heard from, and the incident each one is bound to.

The bot can only post proactively (delivery outcomes, nudges) into a conversation it has a stored
reference for, and a conversation where `open` ran speaks about that incident without a
reference. Both survive a restart, so they live in the same database as the incidents.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, Text, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column

from comms_assistant.adapters.store import Base, UTCDateTime, transaction

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
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


def remember(
    engine: Engine,
    conversation_id: str,
    *,
    kind: str,
    service_url: str,
    reference: dict[str, Any],
    now: datetime,
) -> None:
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


def bind(engine: Engine, conversation_id: str, incident: str, *, now: datetime) -> None:
    with transaction(engine) as session:
        row = session.get(ConversationRow, conversation_id)
        if row is None:
            row = ConversationRow(conversation_id=conversation_id, reference={})
            session.add(row)
        row.incident, row.updated_at = incident, now


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
