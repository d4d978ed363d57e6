"""The Word documents with python-docx, as service/word_port.py's WordDocuments."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo

from comms_assistant.adapters.word.actions import refresh_actions
from comms_assistant.adapters.word.major import (
    build_major_incident_report,
    copied_lessons,
    draft_lessons,
    update_major_incident_report,
)
from comms_assistant.adapters.word.report import refresh_report
from comms_assistant.adapters.word.review import build_review, read_recommendations
from comms_assistant.domain.incident import Incident
from comms_assistant.service.word_port import SentMessage, Stamp


class WordBuilders:
    """The builders of adapters/word/, each on a document's bytes."""

    def refresh_report(
        self,
        document: bytes,
        incident: Incident,
        tz: ZoneInfo,
        comms: Iterable[SentMessage],
        stamp: Stamp,
    ) -> bytes:
        return refresh_report(document, incident, tz, comms, stamp)

    def build_review(
        self,
        template: bytes,
        incident: Incident,
        tz: ZoneInfo,
        comms: Iterable[SentMessage],
        stamp: Stamp,
        service_names: Mapping[str, str],
    ) -> bytes:
        return build_review(template, incident, tz, comms, stamp, service_names=service_names)

    def build_major(
        self,
        template: bytes,
        incident: Incident,
        tz: ZoneInfo,
        comms: Iterable[SentMessage],
        stamp: Stamp,
        service_names: Mapping[str, str],
    ) -> bytes:
        return build_major_incident_report(
            template, incident, tz, comms, stamp, service_names=service_names
        )

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
        return update_major_incident_report(document, incident, tz, comms, lessons, links, stamp)

    def refresh_review_actions(self, document: bytes, incident: Incident, stamp: Stamp) -> bytes:
        return refresh_actions(document, incident, stamp, "incident review")

    def read_recommendations(self, document: bytes) -> list[list[str]]:
        return read_recommendations(document)

    def draft_lessons(self, recommendations: Sequence[Sequence[str]], review: str) -> str:
        return draft_lessons(recommendations, review)

    def copied_lessons(self, document: bytes) -> str | None:
        return copied_lessons(document)
