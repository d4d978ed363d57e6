"""The incident's Word documents as the service makes them: bytes in, bytes out.

adapters/word/ implements `WordDocuments` with python-docx (adapters/word/documents_port.py);
bootstrap.py hands it to the dispatcher, whose ReportWriter (service/documents.py) reads and
writes the files in SharePoint around it. Kept out of ports.py for its length.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from comms_assistant.domain.incident import Incident

# The mailbox_name setting's default, for a writer made without the settings: the author the
# documents' properties name (adapters/word/properties.py stamps them).
DEFAULT_AUTHOR = "Incident communications"


@dataclass(frozen=True)
class Stamp:
    """What one write puts in a document's properties (with the incident's reference)."""

    name: str  # the file name, ".docx" and all
    author: str  # the organisation's mailbox display name
    at: datetime  # the time of the write, timezone-aware


@dataclass(frozen=True)
class SentMessage:
    """A stakeholder message at least one of whose deliveries went: a row of a document's
    "Communications sent" (adapters/word/comms.py)."""

    number: int  # its first delivery's number in the outbox: never changes
    at: datetime  # when its first delivery went
    message: str  # which message: "Update 3, priority raised to P1"
    to: str  # whom, as audiences and counts: "Incidents channel; 4 people by email"
    by: str  # "Email, Teams"
    deliveries: tuple[int, ...] = ()  # all its deliveries: an earlier version's rows show them


class WordDocuments(Protocol):
    """The running report, the review and the Major Incident report, made and read as bytes.

    Each refresh re-applies the incident's state to the document as people left it: only the
    assistant's own content controls are rewritten, rows are only added. A document that is
    not what was expected is a DeliveryError naming what is missing.
    """

    def refresh_report(
        self,
        document: bytes,
        incident: Incident,
        tz: ZoneInfo,
        comms: Iterable[SentMessage],
        stamp: Stamp,
    ) -> bytes:
        """The running report brought up to date (also a fresh copy of its template)."""
        ...

    def build_review(
        self,
        template: bytes,
        incident: Incident,
        tz: ZoneInfo,
        comms: Iterable[SentMessage],
        stamp: Stamp,
        service_names: Mapping[str, str],
    ) -> bytes:
        """The incident review, from its template."""
        ...

    def build_major(
        self,
        template: bytes,
        incident: Incident,
        tz: ZoneInfo,
        comms: Iterable[SentMessage],
        stamp: Stamp,
        service_names: Mapping[str, str],
    ) -> bytes:
        """The Major Incident report, from its template."""
        ...

    def update_major(
        self,
        document: bytes,
        incident: Incident,
        tz: ZoneInfo,
        comms: Iterable[SentMessage],
        lessons: str | None,
        links: Mapping[str, str] | None,
        stamp: Stamp,
    ) -> bytes:
        """The Major Incident report refreshed and, when given, its lessons learnt replaced;
        `links`: text in the lessons to make a link to its address."""
        ...

    def refresh_review_actions(self, document: bytes, incident: Incident, stamp: Stamp) -> bytes:
        """The filed review with its follow-up actions' table brought up to date, nothing else."""
        ...

    def read_recommendations(self, document: bytes) -> list[list[str]]:
        """The rows people wrote in the review's recommendations table."""
        ...

    def draft_lessons(self, recommendations: Sequence[Sequence[str]], review: str) -> str:
        """The lessons learnt, from the review's recommendations."""
        ...

    def copied_lessons(self, document: bytes) -> str | None:
        """The lessons last copied into the Major Incident report (None when none were)."""
        ...
