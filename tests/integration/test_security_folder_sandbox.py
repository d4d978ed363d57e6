"""A security incident's Word documents, proven from the sandbox tenant's library on disk: they
are in the security folder, and nothing of the incident is in "Incident reports"."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from docx_text import document_text
from test_reliability_harness import Product

from comms_assistant.adapters.sql import outbox
from comms_assistant.sandbox import seed

pytestmark = pytest.mark.filterwarnings("ignore:.*is deprecated:DeprecationWarning")

NAME = "2026-11-23 INC-2026-0001 Candidate data may have leaked"
SECRET = "Someone may have copied the passport scans of candidates"


def library(product: Product) -> Path:
    return product.tenant.root / "sharepoint" / seed.SITE_NAME / seed.LIBRARY


def test_a_security_p1s_documents_are_in_the_security_folder_on_disk(product: Product) -> None:
    ids = product.run(
        f"open Candidate data may have leaked p1 impact: {SECRET} services: apply security: yes"
    )
    ids |= product.run("update We have closed the storage that held the scans")
    ids |= product.run("close Turned off public access to the storage")
    ids |= product.run("review")
    rows = product.deliver(ids)
    assert {r.status for r in rows} == {outbox.DONE}, [(r.key, r.last_error) for r in rows]

    secure = library(product) / seed.SECURITY_REPORTS_FOLDER
    assert sorted(p.name for p in secure.iterdir()) == [
        f"{NAME} - incident review.docx",
        f"{NAME} - major incident report.docx",
        f"{NAME}.docx",
    ]
    assert list(product.reports_dir.iterdir()) == [], "nothing in the folder everyone reads"
    for document in secure.iterdir():
        assert "INC-2026-0001" in document_text(document), document.name
    assert SECRET in document_text(secure / f"{NAME}.docx")
    # The refreshes after each message went to the same file: its timeline has the update.
    assert "closed the storage" in document_text(secure / f"{NAME}.docx")


def test_a_missing_security_folder_is_not_made_and_the_lead_is_told_what_to_do(
    product: Product,
) -> None:
    secure = library(product) / seed.SECURITY_REPORTS_FOLDER
    shutil.rmtree(secure)  # as if no administrator had made it
    ids = product.run("open Candidate data may have leaked p2 services: apply security: yes")
    ids |= product.run("close Turned off public access to the storage")
    ids |= product.run("review")
    rows = product.deliver(ids)

    failed = {r.kind: r.last_error or "" for r in rows if r.status == outbox.FAILED}
    assert set(failed) == {"report.sync", "review.file"}, failed
    for error in failed.values():
        assert f"The folder '{seed.SECURITY_REPORTS_FOLDER}'" in error, error
        assert "limit its permissions to the security team" in error
        assert "comms-assistant deliver --failed" in error
    # Filing the review by path would have made the folder with the library's permissions.
    assert not secure.exists()
    assert list(product.reports_dir.iterdir()) == []

    secure.mkdir()
    again = set(outbox.retry_failed(product.app.engine, now=product.clock()))
    rows = product.deliver(again)
    assert {r.status for r in rows} == {outbox.DONE}, [(r.key, r.last_error) for r in rows]
    assert sorted(p.name for p in secure.iterdir()) == [
        f"{NAME} - incident review.docx",
        f"{NAME}.docx",
    ]
