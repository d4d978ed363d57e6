"""Issue 24's done-when, end to end against the sandbox tenant: three incidents run through
their lives (a P1 raised from P2 with a late update, a P3, a security P2) leave three items in
the register with the right times and figures, the security one restricted; and `report board`
files a document whose text, read in order, holds the table, the punctuality figure and the
P1's lessons, and which LibreOffice turns into at most 2 pages."""

from __future__ import annotations

import asyncio
import io
import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.table import Table
from test_reliability_harness import FakeClock, Product

from comms_assistant.adapters.graph import build_graph_adapters
from comms_assistant.adapters.sql import outbox
from comms_assistant.entrypoints.register_cli import _create
from comms_assistant.reporting import board_report
from comms_assistant.sandbox.lists import lists_root
from comms_assistant.service.board_report import Filed

pytestmark = pytest.mark.filterwarnings("ignore:.*is deprecated:DeprecationWarning")

START = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
LESSON = "Add an alert when the queue of applications grows"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


def deliver_all(product: Product) -> None:
    rows = product.deliver({r.id for r in outbox.rows(product.app.engine)})
    assert all(r.status == outbox.DONE for r in rows), [(r.key, r.last_error) for r in rows]


def step(product: Product, minutes: float, command: str) -> None:
    product.clock.advance(minutes * 60)
    product.run(command)
    deliver_all(product)


def items(product: Product) -> dict[str, dict[str, Any]]:
    folder = lists_root(product.tenant.root) / "Incident register" / "items"
    found = [json.loads(p.read_text())["fields"] for p in sorted(folder.glob("*.json"))]
    return {f["Reference"]: f for f in found}


def write_recommendation(product: Product, path: str) -> None:
    """A reviewer writes a recommendation into the filed review, as people do in Word."""
    library = product.reports_dir.parent
    doc = Document(io.BytesIO((library / path).read_bytes()))
    [tbl] = doc.element.body.xpath(".//w:sdt[w:sdtPr/w:tag/@w:val='ca:recommendations']//w:tbl")
    table = Table(tbl, doc._body)
    row = table.add_row()
    for cell, text in zip(
        row.cells, (LESSON, "tech.lead@example.org", "14 December"), strict=False
    ):
        cell.text = text
    out = io.BytesIO()
    doc.save(out)
    product.control("PUT", "file", params={"path": path, "replace": "true"}, content=out.getvalue())


def text_of(element: Any) -> str:
    # Every run's text, those inside content controls too (python-docx's .text skips them).
    return "".join(element.xpath(".//w:t/text()"))


def reading_order(document: bytes) -> list[str]:
    """The document's text as a reader meets it: paragraphs and table rows, in body order."""
    doc = Document(io.BytesIO(document))
    lines: list[str] = []
    for child in doc.element.body.iter():
        if child.tag.endswith("}tbl"):
            for row in child.xpath("./w:tr"):
                lines.append(" | ".join(text_of(cell) for cell in row.xpath("./w:tc")))
        elif child.tag.endswith("}p") and not child.xpath("ancestor::w:tbl"):
            text = text_of(child)
            if text.strip():
                lines.append(text)
    return lines


def live_three_incidents(product: Product) -> None:
    # INC-2026-0001: P2, raised to P1 20 minutes in; at P1 the next update was due 30 minutes
    # after the change (09:50), and it came at 10:05.
    product.run(
        "open Apply is down p2 started: 08:50 impact: Candidates cannot apply services: apply"
    )
    deliver_all(product)
    step(product, 20, "INC-2026-0001 priority p1 Every candidate is affected")
    step(product, 45, "INC-2026-0001 update We have found the cause and are fixing it")
    step(product, 15, "INC-2026-0001 close Restored the connection to the database")
    step(product, 5, "INC-2026-0001 review")
    # INC-2026-0002: a P3, told on time.
    slow = "Candidates cannot search for courses quickly"
    step(product, 60, f"open Find is slow p3 impact: {slow} services: find")
    step(product, 90, "INC-2026-0002 close Candidates can search for courses quickly again")
    # INC-2026-0003: a security P2.
    impact = "impact: Some staff cannot sign in services: apply"
    step(product, 30, f"open Suspicious sign-ins p2 security: yes {impact}")
    step(product, 40, "INC-2026-0003 close Staff can sign in again")


def file_board(product: Product) -> Filed:
    async def main() -> Filed:
        async with product.app.graph_endpoint() as (graph_url, token_url):
            adapters = build_graph_adapters(product.app.settings, graph_url, token_url)
            try:
                return await board_report(product.app, adapters.documents).file("2026-11")
            finally:
                await adapters.aclose()

    return asyncio.run(main())


def test_three_incidents_in_the_register_and_the_board_report(
    product: Product, tmp_path: Path
) -> None:
    assert asyncio.run(_create(product.app, "Incident register"))[0]
    live_three_incidents(product)

    register = items(product)
    assert sorted(register) == ["INC-2026-0001", "INC-2026-0002", "INC-2026-0003"]
    p1 = register["INC-2026-0001"]
    assert (p1["PriorityAtDeclaration"], p1["HighestPriority"]) == ("P2", "P1")
    assert p1["Started"] == "2026-11-03T08:50:00Z" and p1["MinutesToDeclare"] == 10
    assert p1["Declared"] == "2026-11-03T09:00:00Z"
    assert p1["Resolved"] == "2026-11-03T10:20:00Z" and p1["MinutesToResolve"] == 80
    assert p1["Closed"] == "2026-11-03T10:25:00Z" and p1["Status"] == "closed"
    assert p1["FirstMessage"] == "2026-11-03T09:00:00Z" and p1["MinutesToFirstMessage"] == 0
    # Declared, raised, updated, resolved: four messages; three updates were due, one late.
    assert (p1["StakeholderMessages"], p1["UpdatesDue"], p1["UpdatesLate"]) == (4, 3, 1)
    assert p1["ReviewLink"].endswith(".docx") and p1["MajorReportLink"]
    p3 = register["INC-2026-0002"]
    assert (p3["HighestPriority"], p3["MinutesToResolve"], p3["UpdatesLate"]) == ("P3", 90, 0)
    assert p3["Started"] is None and p3["MinutesToDeclare"] is None
    security = register["INC-2026-0003"]
    assert security["IncidentTitle"] == "Restricted security incident"
    assert security["Security"] is True and security["HighestPriority"] == "P2"
    hidden = ("Services", "ReportLink", "StakeholderMessages", "UpdatesLate", "FirstMessage")
    assert all(security[column] is None for column in hidden)
    assert "Suspicious" not in json.dumps(security)

    write_recommendation(product, f"Incident reports/{review_name(product)}")
    filed = file_board(product)

    document = (product.reports_dir / "Board reports" / "Board report 2026-11.docx").read_bytes()
    assert filed.path == "Incident reports/Board reports/Board report 2026-11.docx"
    assert filed.findings is None  # the summary passes the product's own plain-English check
    text = reading_order(document)
    joined = "\n".join(text)
    summary = text.index("Summary")
    assert text[summary + 1].startswith("We had 3 incidents in November 2026: 1 at P1")
    # The P1's 2 of 3, the P3's 1 of 1 and the security incident's 1 of 1.
    assert "Updates sent on time | 4 of 5 (80%) | none due" in text
    incidents = text.index("Incidents this month")
    assert text[incidents + 2].startswith("INC-2026-0001 | Apply is down | P1 (declared P2)")
    assert "INC-2026-0003 | Restricted security incident | P2" in joined
    lessons = text.index("Lessons learnt from P1 incidents")
    assert text[lessons + 1] == "INC-2026-0001 Apply is down"
    assert text[lessons + 2].startswith(f"• {LESSON} (tech.lead@example.org")
    assert "Suspicious" not in joined
    assert pdf_pages(document, tmp_path) <= 2


def review_name(product: Product) -> str:
    with product.app.unit_of_work() as uow:
        incident = uow.incidents.get("INC-2026-0001")
        assert incident is not None and incident.record.review_name
        return incident.record.review_name


def pdf_pages(document: bytes, folder: Path) -> int:
    office = shutil.which("libreoffice") or shutil.which("soffice")
    assert office, "LibreOffice is needed to check the board report's length"
    source = folder / "board.docx"
    source.write_bytes(document)
    profile = folder / "lo-profile"
    subprocess.run(
        [office, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(folder), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    info = subprocess.run(
        ["pdfinfo", str(folder / "board.pdf")], check=True, capture_output=True, text=True
    )
    return int(
        next(line.split()[-1] for line in info.stdout.splitlines() if line.startswith("Pages"))
    )
