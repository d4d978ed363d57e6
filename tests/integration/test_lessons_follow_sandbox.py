"""Lessons learnt follow the review over the real Graph path: someone edits the filed review in
the sandbox tenant's library (a hand edit gets a new eTag, as in SharePoint), the worker's pass
notices and the Major Incident report on disk shows the new recommendations."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import docx
import pytest
from docx.table import Table
from docx_text import document_text
from test_reliability_harness import Product

from comms_assistant.adapters.sql import outbox
from comms_assistant.entrypoints.worker import one_pass

pytestmark = pytest.mark.filterwarnings("ignore:.*is deprecated:DeprecationWarning")

NAME = "2026-11-23 INC-2026-0001 Apply for teacher training is down"


def worker_pass(product: Product) -> list[str]:
    async def main() -> list[str]:
        async with product.app.dispatcher() as dispatcher:
            watch = product.app.lessons_watch(dispatcher.reports)
            return await one_pass(product.app.cadence(), dispatcher, watch)

    return asyncio.run(main())


def test_a_changed_review_is_copied_into_the_major_incident_report(product: Product) -> None:
    ids = product.run("open Apply for teacher training is down p1 services: apply")
    ids |= product.run("close Restored the connection to the applications database")
    ids |= product.run("review")
    rows = product.deliver(ids)
    assert {r.status for r in rows} == {outbox.DONE}, [(r.key, r.last_error) for r in rows]
    major = product.reports_dir / f"{NAME} - major incident report.docx"
    assert "The review has no recommendations yet." in document_text(major)

    review = product.reports_dir / f"{NAME} - incident review.docx"
    document = docx.Document(str(review))
    (tbl,) = document.element.body.xpath(
        ".//w:sdt[w:sdtPr/w:tag/@w:val='ca:recommendations']//w:tbl"
    )
    cells = Table(tbl, document._body).rows[1].cells
    for cell, text in zip(cells, ("Alert on failed connections", "Sam", "1 Dec"), strict=True):
        cell.text = text
    document.save(str(review))

    product.clock.now += timedelta(minutes=15)
    assert "INC-2026-0001: the review changed; copying its lessons again" in worker_pass(product)
    text = document_text(major)
    assert "\u2022 Alert on failed connections (owner Sam, due 1 Dec)" in text
    assert "The review has no recommendations yet." not in text
    assert {r.status for r in outbox.rows(product.app.engine)} == {outbox.DONE}

    # Nothing changed since: the next look queues nothing.
    product.clock.now += timedelta(minutes=15)
    assert not any("review changed" in line for line in worker_pass(product))
