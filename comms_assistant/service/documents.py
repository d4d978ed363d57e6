"""The incident's Word documents in SharePoint: the running report, the review and, for a P1,
the Major Incident report.

Documents are created from the SharePoint copy of each template, so an organisation's edited
template is what is used, and each later change re-applies the incident's state to whatever
people have written in it since. The stakeholder messages delivered (the outbox's mail and
cards, grouped into messages by service/comms_sent.py) are the "Communications sent" rows.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from comms_assistant.service.deliveries import major_name
from comms_assistant.service.document_files import (
    Transform,
    build_once,
    copy_template,
    released,
)
from comms_assistant.service.document_state import (
    DocumentState,
    Folders,
    load_state,
    note_locked,
    note_unlocked,
    report_made,
    review_filed,
)
from comms_assistant.service.ports import (
    DEFAULT_SECURITY_MARKING,
    DeliveryError,
    DocumentStore,
    DriveItem,
    Locked,
    PreconditionFailed,
)
from comms_assistant.service.unit_of_work import UnitOfWorkFactory
from comms_assistant.service.word_port import DEFAULT_AUTHOR, Stamp, WordDocuments

# A document edited by someone between our read and our write is re-read this many times.
REAPPLY_LIMIT = 5


@dataclass
class ReportWriter:
    uow: UnitOfWorkFactory
    documents: DocumentStore
    folders: Folders
    tz: ZoneInfo
    # Makes and reads the Word documents (adapters/word/, python-docx), on their bytes.
    word: WordDocuments
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    security_marking: str = DEFAULT_SECURITY_MARKING
    # Email -> name from the contacts directory: the documents name people (domain/names.py).
    people: Mapping[str, str] = field(default_factory=dict)
    # Service key -> name from services.csv: the drafts name services as the emails do.
    service_names: Mapping[str, str] = field(default_factory=dict)
    # The documents' author: the organisation's mailbox display name (word_properties.py).
    author: str = DEFAULT_AUTHOR
    # Reads the actions' progress from Planner into the store before a document shows it
    # (service/action_tasks.py); None: the progress last known is shown.
    action_states: Callable[[int], Awaitable[None]] | None = None

    async def sync_report(self, incident_id: int) -> dict[str, Any]:
        await self._read_action_states(incident_id)
        state = self._load(incident_id)
        item_id = state.report_item_id

        def refresh(content: bytes) -> bytes:
            stamp = self._stamp(state.report_name)
            return self.word.refresh_report(content, state.incident, self.tz, state.comms, stamp)

        filled: tuple[bytes, str] | None = None
        if item_id is None:
            item, from_template = await self._copy_template(state, refresh)
            item_id = item.id
            report_made(self.uow, incident_id, item, self.clock())
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
        await self._read_action_states(incident_id)
        state = self._load(incident_id)
        item = await self._build_once(
            state,
            state.review_name,
            self.folders.review_template,
            lambda content: self.word.build_review(
                content,
                state.incident,
                self.tz,
                state.comms,
                self._stamp(state.review_name),
                self.service_names,
            ),
        )
        if item is None:
            return {"already_filed": True}
        review_filed(self.uow, incident_id, item, self.clock())
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
            lambda content: self.word.build_major(
                content,
                state.incident,
                self.tz,
                state.comms,
                self._stamp(name),
                self.service_names,
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
            recommendations = released(self.word.read_recommendations)(content)
        where = (state.review_url or review.web_url) if review else ""
        # The review by its name, made a link to it: a raw address (%20 and all) reads badly.
        shown = state.review_name.removesuffix(".docx")
        lessons = self.word.draft_lessons(recommendations, shown)
        result = {"recommendations": len(recommendations), "review_etag": review_etag}
        current, _ = await self.documents.download(major.id)
        if released(self.word.copied_lessons)(current) == lessons:
            return result | {"item_id": major.id, "unchanged": True}
        links = {shown: where} if where else {}
        transform = self._update_major(state, lessons, links)
        saved = await self._save(state, incident_id, major.id, transform)
        return result | {"item_id": saved.id}

    async def refresh_review_actions(self, incident_id: int) -> dict[str, Any]:
        """The filed review's follow-up actions' table, as Planner has them now."""
        await self._read_action_states(incident_id)
        state = self._load(incident_id)
        review = await self.documents.get_by_path(self._path(state, state.review_name))
        if review is None:
            return {"skipped": "the review is not filed"}
        stamp = self._stamp(state.review_name)
        saved = await self._save(
            state,
            incident_id,
            review.id,
            lambda content: self.word.refresh_review_actions(content, state.incident, stamp),
        )
        return {"item_id": saved.id, "actions": len(state.incident.actions)}

    async def _read_action_states(self, incident_id: int) -> None:
        if self.action_states is not None:
            await self.action_states(incident_id)

    async def review_etag(self, incident_id: int) -> str | None:
        """The filed review's eTag now; None when it is not (or no longer) there."""
        state = self._load(incident_id)
        review = await self.documents.get_by_path(self._path(state, state.review_name))
        return review.etag if review is not None else None

    def _update_major(
        self, state: DocumentState, lessons: str | None = None, links: dict[str, str] | None = None
    ) -> Transform:
        name = self._major_name(state)
        return lambda content: self.word.update_major(
            content, state.incident, self.tz, state.comms, lessons, links, self._stamp(name)
        )

    async def _copy_template(
        self, state: DocumentState, fill: Transform
    ) -> tuple[DriveItem, bytes | None]:
        template = f"{self.folders.templates}/{self.folders.report_template}"
        return await copy_template(
            self.documents, template, self._folder(state), state.report_name, fill, state.incident
        )

    async def _build_once(
        self, state: DocumentState, name: str, template_name: str, build: Transform
    ) -> DriveItem | None:
        template = f"{self.folders.templates}/{template_name}"
        return await build_once(
            self.documents, template, self._folder(state), name, build, state.incident
        )

    async def _save(
        self,
        state: DocumentState,
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
                new = released(transform)(content)
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
        note_locked(
            self.uow,
            incident_id,
            self.folders,
            since=self.clock(),
            tz=self.tz,
            marking=self.security_marking,
        )

    def _note_unlocked(self, incident_id: int) -> None:
        note_unlocked(self.uow, incident_id)

    def _load(self, incident_id: int) -> DocumentState:
        return load_state(
            self.uow, incident_id, people=self.people, service_names=self.service_names
        )

    def _major_name(self, state: DocumentState) -> str:
        return major_name(state.report_name)

    def _stamp(self, name: str) -> Stamp:
        """The properties of a write of the document `name` now (word_properties.py)."""
        return Stamp(name, self.author, self.clock())

    def _folder(self, state: DocumentState) -> str:
        return self.folders.for_incident(state.incident.security)

    def _path(self, state: DocumentState, name: str) -> str:
        return f"{self._folder(state)}/{name}"
