"""What a command's deliveries did, said to the people in the conversation: added under the
bot's answer when all went, or a message of its own (turns.Background).
"""

from __future__ import annotations

from typing import Any

from comms_assistant.adapters.sql.views import DONE, FAILED, PENDING, DeliveryView
from comms_assistant.adapters.teams_transports import ADAPTIVE_CARD
from comms_assistant.service.delivery_kinds import DeliveryKind, spec_of
from comms_assistant.service.messaging import INCIDENTS_CHANNEL


def with_outcome(activity: dict[str, Any], said: str) -> dict[str, Any]:
    """The answer with what its deliveries did added under it: in the text (notifications,
    clients without cards) and, as a card's last block, on the card."""
    new = dict(activity)
    new["text"] = f"{activity.get('text') or ''}\n\n{said}".strip()
    attachments = []
    for attachment in activity.get("attachments") or []:
        content = attachment.get("content")
        if attachment.get("contentType") == ADAPTIVE_CARD and isinstance(content, dict):
            note = {"type": "TextBlock", "text": said, "wrap": True, "isSubtle": True}
            body = [*content.get("body", []), {**note, "separator": True, "spacing": "Medium"}]
            attachment = {**attachment, "content": {**content, "body": body}}
        attachments.append(attachment)
    if attachments:
        new["attachments"] = attachments
    return new


def outcome(rows: list[DeliveryView]) -> str:
    """What the deliveries did, for the people in the conversation (no error internals)."""
    done = [r for r in rows if r.status == DONE]
    lines = [*_what_went(done), *_what_did_not(rows)]
    return "\n\n".join(lines) or "Nothing needed delivering."


# The documents filed: what is said, and the document named when its path is not known.
_FILED: dict[str, tuple[str, str]] = {
    DeliveryKind.REPORT_SYNC: ("Report updated", "the running report"),
    DeliveryKind.REVIEW_FILE: ("Review filed", "the incident review"),
}


def _what_went(done: list[DeliveryView]) -> list[str]:
    lines = [_filed(r) for r in done if r.kind in _FILED]
    emailed = sum(len(r.payload.get("bcc", [])) for r in done if r.kind == DeliveryKind.MAIL)
    if any(r.kind == DeliveryKind.MAIL for r in done):
        lines.append(f"{emailed} {'person' if emailed == 1 else 'people'} emailed.")
    if teams := _where_cards_went(done):
        lines.append(teams)
    if any(r.kind == DeliveryKind.STATUS_PAGE for r in done):
        lines.append("Public status page updated.")
    lines += _meetings(done)
    return lines


def _meetings(done: list[DeliveryView]) -> list[str]:
    """The Teams meetings made: the link of the responders' one, which the people in the
    conversation (the incident's team) may have, and that the review meeting is booked."""
    lines = []
    for row in done:
        join = (row.result or {}).get("join_url")
        if row.kind == DeliveryKind.BRIDGE and join:
            lines.append(f"The responders' Teams meeting is ready: {join}")
        elif row.kind == DeliveryKind.REVIEW_MEETING:
            lines.append("The review meeting is booked: Outlook has sent the invitations.")
    return lines


def _filed(row: DeliveryView) -> str:
    said, unnamed = _FILED[row.kind]
    return f"{said}: {row.payload.get('path', unnamed)}"


def _what_did_not(rows: list[DeliveryView]) -> list[str]:
    lines: list[str] = []
    failed = [r for r in rows if r.status == FAILED]
    waiting = [r for r in rows if r.status == PENDING]
    if failed:
        lines.append(
            f"{len(failed)} could not be delivered ({_what(failed)}): an administrator can "
            "see why in the log and send them again with 'comms-assistant deliver'."
        )
    if waiting:
        lines.append(f"{len(waiting)} still waiting to be retried ({_what(waiting)}).")
    return lines


def _where_cards_went(done: list[DeliveryView]) -> str:
    """Where the Teams cards went, as they went: a card sent only to people's chats was not
    posted in the incidents channel (issue 17)."""
    places = [str(r.payload.get("where", "")) for r in done if r.kind == DeliveryKind.TEAMS_CARD]
    if not places:
        return ""
    said = ["the incidents channel"] if INCIDENTS_CHANNEL in places else []
    chats = sum(place.startswith("Teams chat") for place in places)
    channels = sum(place.startswith("Teams channel") for place in places)
    counted = [(chats, "Teams chat", "Teams chats"), (channels, "other channel", "other channels")]
    said += [f"{n} {one if n == 1 else many}" for n, one, many in counted if n]
    return f"Card posted in {_and(said)}." if said else "Card posted in Teams."


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _what(rows: list[DeliveryView]) -> str:
    return ", ".join(sorted({spec.name if (spec := spec_of(r.kind)) else r.kind for r in rows}))
