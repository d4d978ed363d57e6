"""An incident's follow-up actions (the `actions` table) and its meetings (the `meetings`
JSON column), copied between rows and the domain (domain/actions.py, domain/meetings.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from comms_assistant.adapters.sql.models import ActionRow, IncidentRow
from comms_assistant.domain.actions import Action, ActionState
from comms_assistant.domain.meetings import Meetings, ReviewMeeting


def actions_of(row: IncidentRow) -> list[Action]:
    return [
        Action(
            number=a.number,
            text=a.text,
            added_by=a.added_by,
            added_at=a.added_at,
            owner=a.owner or "",
            due=a.due,
            state=ActionState(a.state),
            task_id=a.task_id,
            task_etag=a.task_etag,
        )
        for a in row.actions
    ]


def write_actions(row: IncidentRow, actions: list[Action]) -> None:
    """Add the actions the row lacks and bring the others up to date (they are never removed)."""
    stored = {a.number: a for a in row.actions}
    for action in actions:
        found = stored.get(action.number)
        if found is None:
            found = ActionRow(number=action.number)
            row.actions.append(found)
        found.text, found.owner, found.due = action.text, action.owner, action.due
        found.state = action.state.value
        found.added_by, found.added_at = action.added_by, action.added_at
        found.task_id, found.task_etag = action.task_id, action.task_etag


def meetings_of(row: IncidentRow) -> Meetings:
    saved = row.meetings or {}
    review = saved.get("review")
    return Meetings(
        bridge_url=saved.get("bridge_url"),
        bridge_event_id=saved.get("bridge_event_id"),
        review=_review_of(review) if review else None,
        invitees=list(saved.get("invitees") or []),
    )


def _review_of(saved: dict[str, Any]) -> ReviewMeeting:
    return ReviewMeeting(
        start=datetime.fromisoformat(saved["start"]),
        minutes=int(saved["minutes"]),
        booking=int(saved.get("booking", 1)),
        cancelled=bool(saved.get("cancelled")),
        event_id=saved.get("event_id"),
        join_url=saved.get("join_url"),
    )


def meetings_json(meetings: Meetings) -> dict[str, Any] | None:
    """As the column keeps it; None while there is nothing to keep."""
    if meetings == Meetings():
        return None
    review = meetings.review
    return {
        "bridge_url": meetings.bridge_url,
        "bridge_event_id": meetings.bridge_event_id,
        "invitees": list(meetings.invitees),
        "review": None
        if review is None
        else {
            "start": review.start.isoformat(),
            "minutes": review.minutes,
            "booking": review.booking,
            "cancelled": review.cancelled,
            "event_id": review.event_id,
            "join_url": review.join_url,
        },
    }
