"""The running report when people are working in it: a save in between (412) and a file left
open in Word (423). The product's real path against the sandbox tenant, with simulated time.
"""

from __future__ import annotations

import pytest
from docx_text import document_text
from test_reliability_harness import Product

from comms_assistant.adapters.sql import outbox

pytestmark = pytest.mark.filterwarnings("ignore:.*is deprecated:DeprecationWarning")

OPEN = "open Apply for teacher training is down p2 impact: Candidates cannot submit services: apply"
PERSON = "Sam (by hand): I rang the supplier at 10:40 and they are looking at it."


def the_report(product: Product) -> str:
    [report] = [p for p in product.reports_dir.glob("*.docx") if "review" not in p.name.lower()]
    return str(report.relative_to(product.reports_dir.parent))


def test_a_colleagues_save_in_between_is_kept_and_our_row_reapplied(product: Product) -> None:
    product.deliver(product.run(OPEN))
    report = the_report(product)
    # The colleague saves just as our save arrives: between our read and our write.
    product.control(
        "POST",
        "faults",
        json={"id": "person", "method": "PUT", "path": "/content$", "edit": PERSON, "times": 1},
    )
    mark = len(product.tenant.requests)

    rows = product.deliver(product.run("log Rolled back the 10:15 release of the apply service"))

    assert {r.status for r in rows} == {outbox.DONE}
    saves = [r.status for r in product.calls("PUT", "/content$", mark)]
    assert saves == [412, 200]  # refused once, then re-read and re-applied
    text = document_text(product.reports_dir.parent / report)
    assert PERSON in text  # their paragraph was not overwritten ...
    assert "Rolled back the 10:15 release of the apply service" in text  # ... and our row is in
    assert product.control("GET", "faults").json()["value"][0]["hits"] == 1


def test_a_report_open_in_word_for_ten_minutes_waits_and_then_lands(product: Product) -> None:
    product.deliver(product.run(OPEN))
    report = the_report(product)
    locked_at = product.clock()
    product.control("POST", "lock", json={"path": report, "seconds": 600})

    rows = product.deliver(
        product.run("update Candidates can apply again but some pages are slow"), rounds=100
    )

    [sync] = [r for r in rows if r.kind == "report.sync"]
    assert sync.status == outbox.DONE, sync.last_error
    # It waited for Word to let go (the tenant's lock runs on the same simulated clock) ...
    assert (sync.done_at - locked_at).total_seconds() >= 600
    assert sync.attempts > 2
    refused = [r for r in product.tenant.requests if r.status == 423]
    assert refused and all(r.method == "PUT" for r in refused)
    # ... then landed, and nothing else waited for it.
    assert "some pages are slow" in document_text(product.reports_dir.parent / report)
    others = [r for r in rows if r.kind != "report.sync"]
    assert others and all((r.done_at - locked_at).total_seconds() < 60 for r in others)
