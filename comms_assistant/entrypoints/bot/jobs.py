"""A bot turn waiting to run, and the turn journal's stored activities made jobs again."""

from __future__ import annotations

import contextvars
import logging
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

if TYPE_CHECKING:
    from comms_assistant.adapters.sql.turn_journal import BotTurnRow, Unfinished

log = logging.getLogger("comms_assistant.bot")


@dataclass(frozen=True)
class Job:
    identity: Any  # the SDK's ClaimsIdentity of the request
    activity: Any  # the SDK's Activity
    turn_id: int | None = None  # its row in the turn journal
    waiter: Any = None  # a button press's HTTP request, waiting for the answer (invoke.py)

    @property
    def lane(self) -> str:
        return str(self.activity.conversation.id)


# The journal row of the turn being run: the SDK calls the message handler within the turn's
# task, so the handler can claim the row just before the command runs.
CURRENT_TURN: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "current_turn", default=None
)
# Likewise the waiting request of the button press being run (invoke.Waiter).
CURRENT_WAITER: contextvars.ContextVar[Any] = contextvars.ContextVar("current_waiter", default=None)


def restored(turn: BotTurnRow | Unfinished) -> Job | None:
    """The job a stored turn was, or None when its activity no longer validates."""
    from microsoft_agents.activity import Activity
    from microsoft_agents.hosting.core import ClaimsIdentity

    identity = ClaimsIdentity(
        turn.identity.get("claims") or {}, authentication_type=turn.identity.get("type")
    )
    try:
        activity = Activity.model_validate(turn.activity)
    except ValidationError:
        log.error("stored turn %d is not an activity any more: dropped", turn.id)
        return None
    activity.request_id = uuid.uuid4().hex
    return Job(identity, activity, turn.id)
