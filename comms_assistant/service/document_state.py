"""What the documents read of an incident from the store, and what filing them writes back.

Kept apart from service/documents.py, which works on the files in SharePoint.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from comms_assistant.domain.file_names import filing_folder
from comms_assistant.domain.incident import Incident
from comms_assistant.domain.names import named, services_named
from comms_assistant.domain.times import show_time
from comms_assistant.service import living_card, register_sync, report_lock
from comms_assistant.service.comms_sent import sent_messages
from comms_assistant.service.delivery_kinds import LISTED_COMMS
from comms_assistant.service.major_report import major_incident
from comms_assistant.service.ports import DriveItem
from comms_assistant.service.unit_of_work import UnitOfWorkFactory
from comms_assistant.service.word_port import SentMessage


@dataclass(frozen=True)
class Folders:
    templates: str
    reports: str
    security_reports: str
    report_template: str
    review_template: str
    major_template: str = "Major incident report template.docx"

    def for_incident(self, security: bool) -> str:
        """Where the incident's report, review and Major Incident report are filed."""
        return filing_folder(security, self.reports, self.security_reports)


@dataclass(frozen=True)
class DocumentState:
    incident: Incident
    report_name: str
    report_item_id: str | None
    review_name: str
    review_url: str | None
    locked: bool
    comms: tuple[SentMessage, ...]
    major: bool  # a Major Incident (major_report.major_incident): it has that report too


def load_state(
    uow_factory: UnitOfWorkFactory,
    incident_id: int,
    *,
    people: Mapping[str, str],
    service_names: Mapping[str, str],
) -> DocumentState:
    with uow_factory() as uow:
        incident = uow.incidents.by_id(incident_id)
        # Every state: a message is listed under its first delivery, done or not.
        sent = uow.deliveries.of_incident(incident, LISTED_COMMS)
        record = incident.record
        return DocumentState(
            incident=services_named(named(incident, people), service_names),
            report_name=record.report_name,
            report_item_id=record.report_item_id,
            review_name=record.review_name or "",
            review_url=record.review_url,
            locked=record.report_locked_at is not None,
            comms=sent_messages(sent),
            major=major_incident(uow, incident),
        )


def report_made(
    uow_factory: UnitOfWorkFactory, incident_id: int, item: DriveItem, now: datetime
) -> None:
    with uow_factory() as uow:
        incident = uow.incidents.by_id(incident_id)
        record = incident.record
        record.report_item_id, record.report_url = item.id, item.web_url or None
        if record.report_url:  # the incident's card, and its register item, can now link it
            living_card.queue_for(uow, incident, now, key="report", cause=None, post=False)
            register_sync.queue_sync(uow, incident, now, why="report:made")


def review_filed(
    uow_factory: UnitOfWorkFactory, incident_id: int, item: DriveItem, now: datetime
) -> None:
    with uow_factory() as uow:
        incident = uow.incidents.by_id(incident_id)
        incident.record.review_url = item.web_url or None
        register_sync.queue_sync(uow, incident, now, why="review:filed")  # its link


def note_locked(
    uow_factory: UnitOfWorkFactory,
    incident_id: int,
    folders: Folders,
    *,
    since: datetime,
    tz: ZoneInfo,
    marking: str,
) -> None:
    """Tell the comms lead (or whoever declared it) once per lock, not on every retry."""
    with uow_factory() as uow:
        incident = uow.incidents.by_id(incident_id)
        if incident.record.report_locked_at is not None:
            return
        incident.record.report_locked_at = since
        document = f"{folders.for_incident(incident.security)}/{incident.record.report_name}"
        report_lock.tell_lead(
            uow,
            incident,
            document,
            since=show_time(since, tz),
            marking=marking,
            now=since,
        )


def note_unlocked(uow_factory: UnitOfWorkFactory, incident_id: int) -> None:
    with uow_factory() as uow:
        uow.incidents.by_id(incident_id).record.report_locked_at = None
