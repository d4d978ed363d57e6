"""The small interfaces the dispatcher delivers through, and the renderer messages are worded by.

The Graph adapter is the real implementation of each; unit tests use in-memory fakes.
Errors are raised as the classes below so the dispatcher can decide: retry, re-read, or give up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from comms_assistant.domain.incident import Incident, TimelineEntry
from comms_assistant.domain.messages import MessageKind


class DeliveryError(Exception):
    """A delivery failed. `retryable` says whether trying again later may succeed."""

    def __init__(self, message: str, *, retryable: bool = True, retry_after: float | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


class PreconditionFailed(DeliveryError):
    """412: someone saved the document since we read it. Re-read and re-apply."""


class Locked(DeliveryError):
    """423: the document is open in Word. Keep the change pending and try later."""


class NotFound(DeliveryError):
    def __init__(self, message: str):
        super().__init__(message, retryable=False)


class CannotUpdate(DeliveryError):
    """This way of posting to Teams cannot change a card once posted (a Workflows webhook)."""

    def __init__(self, message: str):
        super().__init__(message, retryable=False)


@dataclass(frozen=True)
class DriveItem:
    id: str
    name: str
    etag: str
    web_url: str = ""
    # Set by `copy` only: this call made the copy and nobody has changed it since (SharePoint
    # shows it as modified when it was created), so its content is the template's.
    pristine: bool = False


class DocumentStore(Protocol):
    """Files in the SharePoint document library the product is configured with.

    Paths are relative to the library root, with "/" between folders, e.g.
    "Incident reports/2026-11-23 INC-2026-0001 Apply is down.docx".
    """

    async def get_by_path(self, path: str) -> DriveItem | None: ...

    async def copy(self, source_path: str, folder: str, name: str) -> DriveItem:
        """Copy a file within the library and wait for the copy to finish."""
        ...

    async def download(self, item_id: str) -> tuple[bytes, str]:
        """The file's content and its eTag."""
        ...

    async def read(self, path: str) -> bytes:
        """A file's content by path (NotFound when there is none)."""
        ...

    async def replace(self, item_id: str, content: bytes, *, if_match: str) -> DriveItem:
        """Upload new content over an existing file; PreconditionFailed when the eTag moved."""
        ...

    async def upload(self, folder: str, name: str, content: bytes) -> DriveItem:
        """Create (or replace) a file by path."""
        ...

    async def create(self, folder: str, name: str, content: bytes) -> DriveItem | None:
        """A new file by path; None when the name is taken (nothing is overwritten)."""
        ...


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str = ""


# The UK government's marking for information that would do harm if it got out (Government
# Security Classifications): the `security_marking` setting's default.
DEFAULT_SECURITY_MARKING = "OFFICIAL-SENSITIVE"

# Outlook's sensitivity of a message; only the two the product sends.
Sensitivity = Literal["normal", "confidential"]


@dataclass(frozen=True)
class OutgoingMail:
    """One message to one audience. `delivery_id` is stamped on it so a resend can be detected.

    `sensitivity`: "confidential" for a security incident; Outlook shows "Confidential" on it.
    """

    delivery_id: str
    subject: str
    html: str
    text: str
    to: tuple[Recipient, ...] = ()
    cc: tuple[Recipient, ...] = ()
    bcc: tuple[Recipient, ...] = ()
    sensitivity: Sensitivity = "normal"


class Mailer(Protocol):
    async def send(self, mail: OutgoingMail) -> None: ...

    async def was_sent(self, delivery_id: str) -> bool:
        """Whether a message stamped with this id is already in the mailbox's Sent Items."""
        ...


@dataclass(frozen=True)
class TeamsCard:
    """An Adaptive Card for Teams. `card` is the card's JSON as data, never pasted text.

    `destination`: "" or "channel" for the configured incidents channel,
    "channel:Team name/Channel name" for another channel, "chat:person@example.org" for a 1:1
    chat with that person.
    `uncertain`: an earlier try may have posted it without the answer arriving, so look first;
    `since`: when it was queued, so the look goes back that far and no further.
    `thread`: the id of a message in that channel to reply under (the incident's living card);
    "" posts a new message. Where replies are not possible (a chat, a webhook) it is ignored.
    """

    delivery_id: str
    summary: str
    card: dict[str, Any] = field(default_factory=dict)
    destination: str = ""
    uncertain: bool = False
    thread: str = ""
    since: datetime | None = None


class TeamsPoster(Protocol):
    async def post_card(self, message: TeamsCard) -> str:
        """Post to the card's destination (by default the incidents channel); returns the
        message id. Honours Teams' 4 messages a second per channel by waiting, not failing."""
        ...

    async def update_card(self, message: TeamsCard, message_id: str) -> None:
        """Replace the card of the message `message_id` (posted earlier to the same destination)
        with `message`'s, in place. Doing it twice does no harm. CannotUpdate where the way of
        posting cannot change a posted message."""
        ...


class RenderedMessage(Protocol):
    @property
    def subject(self) -> str: ...

    @property
    def html(self) -> str: ...

    @property
    def text(self) -> str: ...


class MessageRenderer(Protocol):
    """The stakeholder messages' words, from the templates (adapters/render.py)."""

    @property
    def security_marking(self) -> str: ...

    def mail(
        self,
        kind: MessageKind,
        incident: Incident,
        entry: TimelineEntry,
        *,
        update_number: int,
        next_update_by: datetime | None,
        report_url: str | None = None,
    ) -> RenderedMessage: ...

    def heading(
        self,
        kind: MessageKind,
        incident: Incident,
        entry: TimelineEntry,
        update_number: int | None = None,
    ) -> str:
        """Where things stand, then the title: the card's title and its notification text."""
        ...

    def card(
        self,
        kind: MessageKind,
        incident: Incident,
        entry: TimelineEntry,
        *,
        next_update_by: datetime | None,
        report_url: str | None = None,
        update_number: int | None = None,
    ) -> dict[str, Any]: ...

    def buttons(self, reference: str, *, nudge: bool = False) -> list[dict[str, Any]]:
        """The bot's buttons on an incident's card; `nudge`: on a nudge to its comms lead."""
        ...


class ReportFiledWords(Protocol):
    @property
    def heading(self) -> str: ...

    @property
    def html(self) -> str: ...

    @property
    def text(self) -> str: ...

    @property
    def card(self) -> dict[str, Any]: ...


class ReportFiledRender(Protocol):
    """The message that the Major Incident report is filed (adapters/render_report_filed.py)."""

    def __call__(
        self,
        incident: Incident,
        *,
        subject: str,
        name: str,
        url: str,
        ask: Mapping[str, str],
        marking: str,
    ) -> ReportFiledWords: ...
