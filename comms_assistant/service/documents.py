"""The incident's Word documents in SharePoint: the running report and the review.

The report is created from the SharePoint copy of the template, so an organisation's edited
template is what is used, and each later change re-applies the incident's state to whatever
people have written in it since.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from comms_assistant.adapters import store
from comms_assistant.adapters.word import build_review, refresh_report
from comms_assistant.service.ports import DeliveryError, DocumentStore, PreconditionFailed

# A document edited by someone between our read and our write is re-read this many times.
REAPPLY_LIMIT = 5


@dataclass(frozen=True)
class Folders:
    templates: str
    reports: str
    report_template: str
    review_template: str


@dataclass
class ReportWriter:
    engine: Engine
    documents: DocumentStore
    folders: Folders
    tz: ZoneInfo

    async def sync_report(self, incident_id: int) -> dict[str, Any]:
        with store.transaction(self.engine) as session:
            row = session.get_one(store.IncidentRow, incident_id)
            incident, item_id, name = store.to_domain(row), row.report_item_id, row.report_name
        if item_id is None:
            item = await self.documents.get_by_path(f"{self.folders.reports}/{name}")
            if item is None:
                template = f"{self.folders.templates}/{self.folders.report_template}"
                if await self.documents.get_by_path(template) is None:
                    raise DeliveryError(
                        f"The report template {template} is missing from SharePoint: "
                        "run 'comms-assistant templates publish'.",
                        retryable=False,
                    )
                item = await self.documents.copy(template, self.folders.reports, name)
            item_id = item.id
            with store.transaction(self.engine) as session:
                row = session.get_one(store.IncidentRow, incident_id)
                row.report_item_id, row.report_url = item.id, item.web_url or None
        for _ in range(REAPPLY_LIMIT):
            content, etag = await self.documents.download(item_id)
            try:
                saved = await self.documents.replace(
                    item_id, refresh_report(content, incident, self.tz), if_match=etag
                )
            except PreconditionFailed:
                continue  # someone saved in between: read their version and apply ours again
            return {"item_id": saved.id, "etag": saved.etag}
        raise DeliveryError("the report kept changing under us; will try again later")

    async def file_review(self, incident_id: int) -> dict[str, Any]:
        with store.transaction(self.engine) as session:
            row = session.get_one(store.IncidentRow, incident_id)
            incident, name = store.to_domain(row), row.review_name or ""
        existing = await self.documents.get_by_path(f"{self.folders.reports}/{name}")
        if existing is not None:
            # Filed by an earlier attempt, and people may already be writing in it.
            return {"item_id": existing.id, "already_filed": True}
        template_path = f"{self.folders.templates}/{self.folders.review_template}"
        template = await self.documents.get_by_path(template_path)
        if template is None:
            raise DeliveryError(
                f"The review template {template_path} is missing from SharePoint: "
                "run 'comms-assistant templates publish'.",
                retryable=False,
            )
        content, _ = await self.documents.download(template.id)
        item = await self.documents.upload(
            self.folders.reports, name, build_review(content, incident, self.tz)
        )
        with store.transaction(self.engine) as session:
            session.get_one(store.IncidentRow, incident_id).review_url = item.web_url or None
        return {"item_id": item.id}
