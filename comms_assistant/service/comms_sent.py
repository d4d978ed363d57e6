"""The messages sent about an incident, for the documents' "Communications sent" appendix.

The outbox holds one row per delivery: one per email of up to 500 people, one per Teams card
(the incidents channel, each person's chat, each team's channel). Their keys say which message
each belongs to (service/messaging.py, service/major_report.py):

    INC-2026-0001:9:teams                     the incidents channel's card for entry 9
    INC-2026-0001:9:mail:0, ...:9:teams:<digest>   its emails, chats and other channels
    INC-2026-0001:9:catchup:...               the catch-up for people told later
    INC-2026-0001:9:restricted:...            a security incident's word to the central team
    INC-2026-0001:major-incident:...          the Major Incident notification
    INC-2026-0001:major-report:...            the Major Incident report's link
    INC-2026-0001:9:status-page               entry 9 on the public status page

A status page post is listed with the message it followed ("the public status page" among
whom it went to); one with no message (taken off the page) has a row of its own.

A message is listed once at least one of its deliveries has gone (only those count), under its
first delivery's number, so the row is the same however its other deliveries fare. Which
message it is comes from the heading its readers saw ("Update 3, priority raised to P1: ..."),
without the title. Whom it went to is given as audiences and counts, never names: a security
incident's documents are read by its team, but the counts are all that was ever shown here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from comms_assistant.service.delivery_kinds import Medium, spec_of
from comms_assistant.service.messaging import INCIDENTS_CHANNEL
from comms_assistant.service.unit_of_work import DONE, Queued
from comms_assistant.service.word_port import SentMessage

_DELIVERY = re.compile(r"^(?P<message>.+?):(?:mail:\d+|teams(?::[0-9a-f]+)?|status-page)$")
# The messages whose heading does not say what they were, by how their key ends.
_NAMED = {
    ":catchup": "Catch-up for people told later",
    ":major-incident": "Major Incident notification",
    ":major-report": "Major Incident report filed",
}
RESTRICTED = ":restricted"
_MEDIA = ((Medium.EMAIL, "Email"), (Medium.TEAMS, "Teams"), (Medium.STATUS_PAGE, "Status page"))
PUBLIC_PAGE = "the public status page"
# A status page post with no message of its own, by what it did (domain/publication.Event).
_POSTED = {
    "publish": "Published on the public status page",
    "update": "Update on the public status page",
    "resolve": "Shown as resolved on the public status page",
    "unpublish": "Taken off the public status page",
}


def message_key(delivery_key: str) -> str:
    """The message a delivery belongs to: its key without the email part or Teams card."""
    found = _DELIVERY.match(delivery_key)
    return found["message"] if found else delivery_key


def sent_messages(rows: Iterable[Queued]) -> tuple[SentMessage, ...]:
    """One per message with a delivery done, in the order they were queued; `rows`: the
    incident's stakeholder deliveries, whatever their state."""
    messages: dict[str, list[Queued]] = {}
    for row in sorted(rows, key=lambda r: r.id):
        messages.setdefault(message_key(row.key), []).append(row)
    return tuple(
        _message(key, deliveries)
        for key, deliveries in messages.items()
        if any(r.status == DONE for r in deliveries)
    )


def _message(key: str, deliveries: list[Queued]) -> SentMessage:
    done = [r for r in deliveries if r.status == DONE]
    reach = _Reach()
    for row in done:
        reach.add(row)
    return SentMessage(
        number=deliveries[0].id,
        at=min(_when(r) for r in done),
        message=_which(key, deliveries),
        to="; ".join(reach.to()),
        by=", ".join(name for medium, name in _MEDIA if medium in reach.media),
        deliveries=tuple(r.id for r in deliveries),
    )


@dataclass
class _Reach:
    """Whom one message's deliveries reached: addresses, chats and channels, counted."""

    emailed: dict[str, None] = field(default_factory=dict)
    chats: int = 0
    channels: list[str] = field(default_factory=list)
    media: set[Medium] = field(default_factory=set)

    def add(self, row: Queued) -> None:
        spec = spec_of(row.kind)
        if spec is not None and spec.medium is Medium.EMAIL:
            self.media.add(Medium.EMAIL)
            self.emailed.update(dict.fromkeys(_address(b) for b in row.payload.get("bcc", [])))
            return
        if spec is not None and spec.medium is Medium.STATUS_PAGE:
            self.media.add(Medium.STATUS_PAGE)
            return
        self.media.add(Medium.TEAMS)
        channel = _channel_of(row.payload)
        if channel is None:
            self.chats += 1
        else:
            self.channels.append(channel)

    def to(self) -> list[str]:
        to = _unique(c for c in self.channels if c == INCIDENTS_CHANNEL)
        if self.emailed:
            people = "person" if len(self.emailed) == 1 else "people"
            to.append(f"{len(self.emailed)} {people} by email")
        if self.chats:
            to.append(f"{self.chats} Teams chat{'' if self.chats == 1 else 's'}")
        to += _unique(c for c in self.channels if c != INCIDENTS_CHANNEL)
        return to + [PUBLIC_PAGE] if Medium.STATUS_PAGE in self.media else to


def _channel_of(payload: dict[str, Any]) -> str | None:
    """The channel a card went to, as the documents name it; None for a chat."""
    destination = str(payload.get("to", ""))
    where = str(payload.get("where", INCIDENTS_CHANNEL))
    if destination.startswith("chat:") or where.startswith("Teams chat with "):
        return None
    if destination.startswith("channel:"):
        return _channel(destination.removeprefix("channel:"))
    if where.startswith("Teams channel "):
        return _channel(where.removeprefix("Teams channel "))
    return where


def _which(key: str, deliveries: list[Queued]) -> str:
    for ending, name in _NAMED.items():
        if key.endswith(ending):
            return name
    # Mail carries its heading (cards their `summary`), since the subject stays the same for
    # every message about an incident; an earlier version's mail did not.
    headings = [r.payload.get("heading") or r.payload.get("summary") for r in deliveries]
    heading = next((str(h) for h in headings if h), "")
    posted = [str(r.payload.get("event")) for r in deliveries if r.payload.get("event")]
    if not heading and not _subject(deliveries) and posted:
        return _POSTED.get(posted[0], "Post on the public status page")
    # "Update 3, priority raised to P1: Apply is down": the title is the document's already.
    which = heading.partition(": ")[0] if heading else _subject(deliveries)
    if key.endswith(RESTRICTED):
        return f"{which}, restricted version for the central team"
    return which


def _channel(team_channel: str) -> str:
    """The channel "Service desk/General" (team/channel) as "General channel (Service desk)"."""
    team, _, channel = team_channel.partition("/")
    return f"{channel} channel ({team})" if channel else f"{team} channel"


def _subject(deliveries: list[Queued]) -> str:
    return next((str(r.payload["subject"]) for r in deliveries if r.payload.get("subject")), "")


def _address(recipient: Any) -> str:
    return str(recipient.get("email", "") if isinstance(recipient, dict) else recipient).lower()


def _when(row: Queued) -> datetime:
    return row.done_at or row.created_at


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
