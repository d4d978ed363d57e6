"""`comms-assistant report board --month 2026-11`: the month's report for the board, a Word
document made from `Board report template.docx` in the Templates folder and filed into
`<reports folder>/Board reports/`.

What it says is board_content.py's; here the incidents are read, each P1's lessons learnt are
read from its filed review (the recommendations people wrote there, as the Major Incident
report copies them), the chart is drawn and the document filed. Filing the same month again
replaces the document with a new version (SharePoint keeps the old one).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from comms_assistant.domain.file_names import filing_folder
from comms_assistant.domain.incident import Incident, Priority
from comms_assistant.domain.policy import Policy
from comms_assistant.service.board_content import (
    BoardContent,
    ChartData,
    board_content,
    month_start,
)
from comms_assistant.service.incident_figures import every_incident, figures_for
from comms_assistant.service.ports import DeliveryError, DocumentStore
from comms_assistant.service.unit_of_work import UnitOfWorkFactory

BOARD_FOLDER = "Board reports"


class BoardBuilder(Protocol):
    """The Word side (adapters/word/board.py)."""

    def build(self, template: bytes, content: BoardContent, chart: bytes | None) -> bytes: ...

    def read_recommendations(self, document: bytes) -> list[list[str]]: ...


class SummaryCheck(Protocol):
    def review_introduction(self, text: str) -> str | None: ...


@dataclass(frozen=True)
class Filed:
    path: str
    web_url: str
    replaced: bool
    findings: str | None  # what the plain-English check found in the summary, if anything


@dataclass
class BoardReport:
    uow: UnitOfWorkFactory
    documents: DocumentStore
    builder: BoardBuilder
    chart: Callable[[ChartData], bytes]
    policy: Policy
    tz: ZoneInfo
    clock: Callable[[], datetime]
    templates_folder: str
    template: str
    reports_folder: str
    security_reports_folder: str
    wording: SummaryCheck | None = None

    async def file(self, key: str) -> Filed:
        month_start(key)  # a ValueError for a month that is not one
        now = self.clock()
        with self.uow() as uow:
            incidents = every_incident(uow)
            figures = [figures_for(uow, incident, self.policy, now) for incident in incidents]
        content = board_content(figures, incidents, key, self.tz)
        this_month = {row[0] for row in content.incidents}
        p1s = [
            i
            for i, f in zip(incidents, figures, strict=True)
            if i.reference in this_month and f.highest_priority is Priority.P1
        ]
        content = replace(content, lessons=await self._lessons(p1s))
        template = await self._template()
        chart = self.chart(content.chart) if content.chart is not None else None
        document = self.builder.build(template, content, chart)
        findings = self.wording.review_introduction(content.summary) if self.wording else None
        folder = f"{self.reports_folder}/{BOARD_FOLDER}"
        name = f"Board report {key}.docx"
        made = await self.documents.create(folder, name, document)
        replaced = made is None
        if made is None:
            current = await self.documents.get_by_path(f"{folder}/{name}")
            if current is None:
                raise DeliveryError(f"{folder}/{name} was there, then was not: run it again")
            made = await self.documents.replace(current.id, document, if_match=current.etag)
        return Filed(f"{folder}/{name}", made.web_url, replaced, findings)

    async def _template(self) -> bytes:
        path = f"{self.templates_folder}/{self.template}"
        if await self.documents.get_by_path(path) is None:
            raise DeliveryError(
                f"There is no {self.template} in {self.templates_folder}: run 'comms-assistant "
                "templates publish' to upload it (docs/register.md).",
                retryable=False,
            )
        return await self.documents.read(path)

    async def _lessons(self, p1s: Sequence[Incident]) -> str:
        if not p1s:
            return "No incident reached P1 this month."
        parts = []
        for incident in p1s:
            if incident.security:
                parts.append(
                    f"{incident.reference}: a restricted security incident. Its lessons are in "
                    "its review, which only its team can read."
                )
                continue
            parts.append(f"{incident.reference} {incident.title}")
            parts += await self._recommendations(incident)
        return "\n".join(parts)

    async def _recommendations(self, incident: Incident) -> list[str]:
        name = incident.record.review_name
        if not name:
            return ["• The review is not filed yet."]
        folder = filing_folder(incident.security, self.reports_folder, self.security_reports_folder)
        review = await self.documents.get_by_path(f"{folder}/{name}")
        if review is None:
            return ["• The review is not in SharePoint any more."]
        content, _ = await self.documents.download(review.id)
        rows = self.builder.read_recommendations(content)
        if not rows:
            return ["• No recommendations were written in the review yet."]
        lines = []
        for row in rows:
            what, owner, due = (list(row) + ["", "", ""])[:3]
            extra = ", ".join(part for part in (owner, due and f"due {due}") if part)
            lines.append(f"• {what}" + (f" ({extra})" if extra else ""))
        return lines
