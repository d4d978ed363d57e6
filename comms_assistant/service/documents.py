"""The incident's Word documents in SharePoint: the running report, the review and, for a P1,
the Major Incident report.

Documents are created from the SharePoint copy of each template, so an organisation's edited
template is what is used, and each later change re-applies the incident's state to whatever
people have written in it since. The stakeholder messages delivered (the outbox's mail and
cards, grouped into messages by service/comms_sent.py) are the "Communications sent" rows.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.engine import Engine

from comms_assistant.adapters import store
from comms_assistant.adapters.word.comms import SentMessage
from comms_assistant.adapters.word.fields import show_time
from comms_assistant.adapters.word.major import (
    build_major_incident_report,
    copied_lessons,
    draft_lessons,
    update_major_incident_report,
)
from comms_assistant.adapters.word.properties import DEFAULT_AUTHOR, Stamp
from comms_assistant.adapters.word.report import refresh_report
from comms_assistant.adapters.word.review import build_review, read_recommendations
from comms_assistant.domain.file_names import filing_folder
from comms_assistant.domain.incident import Incident
from comms_assistant.domain.names import named, services_named
from comms_assistant.service import living_card, report_lock
from comms_assistant.service.comms_sent import sent_messages
from comms_assistant.service.deliveries import major_incident, major_name
from comms_assistant.service.delivery_kinds import STAKEHOLDER_COMMS
from comms_assistant.service.document_errors import missing_folder, missing_template
from comms_assistant.service.ports import (
    DEFAULT_SECURITY_MARKING,
    DeliveryError,
    DocumentStore,
    DriveItem,
    Locked,
    NotFound,
    PreconditionFailed,
)

# A document edited by someone between our read and our write is re-read this many times.
REAPPLY_LIMIT = 5
Transform = Callable[[bytes], bytes]
T = TypeVar("T")


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
class _State:
    incident: Incident
    report_name: str
    report_item_id: str | None
    review_name: str
    review_url: str | None
    locked: bool
    comms: tuple[SentMessage, ...]
    major: bool  # a Major Incident (major_report.major_incident): it has that report too


@dataclass
class ReportWriter:
    engine: Engine
    documents: DocumentStore
    folders: Folders
    tz: ZoneInfo
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    security_marking: str = DEFAULT_SECURITY_MARKING
    # Email -> name from the contacts directory: the documents name people (domain/names.py).
    people: Mapping[str, str] = field(default_factory=dict)
    # Service key -> name from services.csv: the drafts name services as the emails do.
    service_names: Mapping[str, str] = field(default_factory=dict)
    # The documents' author: the organisation's mailbox display name (word_properties.py).
    author: str = DEFAULT_AUTHOR

    async def sync_report(self, incident_id: int) -> dict[str, Any]:
        state = self._load(incident_id)
        item_id = state.report_item_id

        def refresh(content: bytes) -> bytes:
            stamp = self._stamp(state.report_name)
            return refresh_report(content, state.incident, self.tz, state.comms, stamp)

        filled: tuple[bytes, str] | None = None
        if item_id is None:
            item, from_template = await self._copy_template(state, refresh)
            item_id = item.id
            with store.transaction(self.engine) as session:
                row = session.get_one(store.IncidentRow, incident_id)
                row.report_item_id, row.report_url = item.id, item.web_url or None
                if row.report_url:  # the incident's card can now open it
                    living_card.queue_for(
                        session, row, self.clock(), key="report", cause=None, post=False
                    )
            if from_template is not None:
                filled = (from_template, item.etag)
        saved = await self._save(state, incident_id, item_id, refresh, filled=filled)
        result = {"item_id": saved.id, "etag": saved.etag}
        if state.major and not state.incident.is_open:
            # Messages sent after the Major Incident report was made belong in it too.
            major = await self.documents.get_by_path(self._path(state, self._major_name(state)))
            if major is not None:
                await self._save(state, incident_id, major.id, self._update_major(state))
                result["major_item_id"] = major.id
        return result

    async def file_review(self, incident_id: int) -> dict[str, Any]:
        state = self._load(incident_id)
        item = await self._build_once(
            state,
            state.review_name,
            self.folders.review_template,
            lambda content: build_review(
                content,
                state.incident,
                self.tz,
                state.comms,
                self._stamp(state.review_name),
                service_names=self.service_names,
            ),
        )
        if item is None:
            return {"already_filed": True}
        with store.transaction(self.engine) as session:
            session.get_one(store.IncidentRow, incident_id).review_url = item.web_url or None
        return {"item_id": item.id}

    async def file_major(self, incident_id: int) -> dict[str, Any]:
        """File the Major Incident report; the result names it and gives its web address, for
        the message that tells the central team where it is."""
        state = self._load(incident_id)
        name = self._major_name(state)
        item = await self._build_once(
            state,
            name,
            self.folders.major_template,
            lambda content: build_major_incident_report(
                content,
                state.incident,
                self.tz,
                state.comms,
                self._stamp(name),
                service_names=self.service_names,
            ),
        )
        if item is not None:
            return {"item_id": item.id, "name": name, "web_url": item.web_url}
        # Filed by an earlier attempt whose answer was lost: its address is still wanted.
        found = await self.documents.get_by_path(self._path(state, name))
        web_url = found.web_url if found is not None else ""
        return {"already_filed": True, "name": name, "web_url": web_url}

    async def add_lessons(self, incident_id: int) -> dict[str, Any]:
        """Copy the review's recommendations into the Major Incident report as lessons learnt,
        replacing the last copy; the result keeps the review's eTag, so the worker can tell
        when the review has changed since (service/lessons_watch.py)."""
        state = self._load(incident_id)
        major = await self.documents.get_by_path(self._path(state, self._major_name(state)))
        if major is None:
            raise DeliveryError(
                f"The Major Incident report {self._major_name(state)} is not in SharePoint, so "
                "the lessons learnt cannot be added to it.",
                retryable=False,
            )
        review = await self.documents.get_by_path(self._path(state, state.review_name))
        recommendations: list[list[str]] = []
        review_etag = ""
        if review is not None:
            content, review_etag = await self.documents.download(review.id)
            recommendations = _released(read_recommendations)(content)
        where = (state.review_url or review.web_url) if review else ""
        # The review by its name, made a link to it: a raw address (%20 and all) reads badly.
        shown = state.review_name.removesuffix(".docx")
        lessons = draft_lessons(recommendations, shown)
        result = {"recommendations": len(recommendations), "review_etag": review_etag}
        current, _ = await self.documents.download(major.id)
        if _released(copied_lessons)(current) == lessons:
            return result | {"item_id": major.id, "unchanged": True}
        links = {shown: where} if where else {}
        transform = self._update_major(state, lessons, links)
        saved = await self._save(state, incident_id, major.id, transform)
        return result | {"item_id": saved.id}

    async def review_etag(self, incident_id: int) -> str | None:
        """The filed review's eTag now; None when it is not (or no longer) there."""
        state = self._load(incident_id)
        review = await self.documents.get_by_path(self._path(state, state.review_name))
        return review.etag if review is not None else None

    def _update_major(
        self, state: _State, lessons: str | None = None, links: dict[str, str] | None = None
    ) -> Transform:
        name = self._major_name(state)
        return lambda content: update_major_incident_report(
            content, state.incident, self.tz, state.comms, lessons, links, self._stamp(name)
        )

    async def _copy_template(
        self, state: _State, fill: Transform
    ) -> tuple[DriveItem, bytes | None]:
        """The report copied from the template, and the template filled in by `fill` when the
        copy is known to hold just the template (so the first write need not download it).

        No look-up first: the copy refuses a taken name and then returns the file there (one
        an earlier attempt copied before its answer was lost). The template is read and filled
        while the copy runs: the report is ready two round trips sooner.
        """
        template = f"{self.folders.templates}/{self.folders.report_template}"
        folder = self._folder(state)

        async def read_and_fill() -> bytes:
            return _released(fill)(await self.documents.read(template))

        copied, filled = await asyncio.gather(
            self.documents.copy(template, folder, state.report_name),
            read_and_fill(),
            return_exceptions=True,
        )
        if isinstance(copied, NotFound):
            # The copy looks the template up itself: asking first would cost a round trip.
            await self._template(self.folders.report_template)  # says which one is missing
            if await self.documents.get_by_path(folder) is None:  # or that the folder is
                raise missing_folder(folder, state.incident)
        if isinstance(copied, BaseException):
            raise copied
        if isinstance(filled, BaseException) or not copied.pristine:
            # Someone may have written in it already, or the read failed: download it.
            return copied, None
        return copied, filled

    async def _build_once(
        self, state: _State, name: str, template_name: str, build: Transform
    ) -> Any:
        """Create a document from a template, or None if it exists: filed by an earlier
        attempt, and people may already be writing in it."""
        template = f"{self.folders.templates}/{template_name}"
        folder = self._folder(state)
        if state.incident.security and await self.documents.get_by_path(folder) is None:
            # Creating by path makes missing folders, and one made so inherits the library's
            # permissions (everyone's): never make the security folder that way.
            raise missing_folder(folder, state.incident)
        try:
            content = await self.documents.read(template)
        except NotFound:
            raise missing_template(template) from None
        return await self.documents.create(folder, name, _released(build)(content))

    async def _template(self, name: str) -> tuple[str, DriveItem]:
        path = f"{self.folders.templates}/{name}"
        item = await self.documents.get_by_path(path)
        if item is None:
            raise missing_template(path)
        return path, item

    async def _save(
        self,
        state: _State,
        incident_id: int,
        item_id: str,
        transform: Transform,
        *,
        filled: tuple[bytes, str] | None = None,
    ) -> DriveItem:
        """`filled`: the new content already made, and the eTag of the version it was made
        from (a pristine copy's, with the template it was copied from). If the file has
        changed since, the eTag is stale and the write fails safe with 412, as after a
        download; the next round reads their version."""
        for _ in range(REAPPLY_LIMIT):
            if filled is not None:
                new, etag = filled
                filled = None
            else:
                content, etag = await self.documents.download(item_id)
                new = _released(transform)(content)
            try:
                saved = await self.documents.replace(item_id, new, if_match=etag)
            except PreconditionFailed:
                continue  # someone saved in between: read their version and apply ours again
            except Locked:
                self._note_locked(incident_id)
                raise  # the dispatcher keeps the change and retries with back-off
            if state.locked:
                self._note_unlocked(incident_id)
            return saved
        raise DeliveryError("the document kept changing under us; will try again later")

    def _note_locked(self, incident_id: int) -> None:
        """Tell the comms lead (or whoever declared it) once per lock, not on every retry."""
        now = self.clock()
        with store.transaction(self.engine) as session:
            row = session.get_one(store.IncidentRow, incident_id)
            if row.report_locked_at is not None:
                return
            row.report_locked_at = now
            document = f"{self.folders.for_incident(row.security)}/{row.report_name}"
            report_lock.tell_lead(
                session,
                row,
                document,
                since=show_time(now, self.tz),
                marking=self.security_marking,
                now=now,
            )

    def _note_unlocked(self, incident_id: int) -> None:
        with store.transaction(self.engine) as session:
            session.get_one(store.IncidentRow, incident_id).report_locked_at = None

    def _load(self, incident_id: int) -> _State:
        with store.transaction(self.engine) as session:
            row = session.get_one(store.IncidentRow, incident_id)
            sent = session.scalars(
                select(store.OutboxRow)
                .where(
                    store.OutboxRow.incident_id == incident_id,
                    # Every state: a message is listed under its first delivery, done or not.
                    store.OutboxRow.kind.in_(STAKEHOLDER_COMMS),
                )
                .order_by(store.OutboxRow.id)
            )
            incident = store.to_domain(row)
            return _State(
                incident=services_named(named(incident, self.people), self.service_names),
                report_name=row.report_name,
                report_item_id=row.report_item_id,
                review_name=row.review_name or "",
                review_url=row.review_url,
                locked=row.report_locked_at is not None,
                comms=sent_messages(sent),
                major=major_incident(session, row, incident),
            )

    def _major_name(self, state: _State) -> str:
        return major_name(state.report_name)

    def _stamp(self, name: str) -> Stamp:
        """The properties of a write of the document `name` now (word_properties.py)."""
        return Stamp(name, self.author, self.clock())

    def _folder(self, state: _State) -> str:
        return self.folders.for_incident(state.incident.security)

    def _path(self, state: _State, name: str) -> str:
        return f"{self._folder(state)}/{name}"


def _released(work: Callable[[bytes], T]) -> Callable[[bytes], T]:
    """`work` on a Word document, then a full collection: a python-docx document is a reference
    cycle holding ~3 MB of lxml trees that only the cycle collector frees, and without this they
    piled up between its rare full runs (worker peak 211 MB for 100 incidents; 147 MB with it).
    Cheap once the start-up heap is frozen (comms_assistant/heap.py): ~5 ms."""

    def run(content: bytes) -> T:
        try:
            return work(content)
        finally:
            gc.collect()

    return run
