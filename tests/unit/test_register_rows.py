"""The register's item for an incident (service/register_port.py) and its rows as CSV
(`report incidents --csv`): a security incident's item shows only the restricted view, and no
cell can run as a formula in a spreadsheet."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from comms_assistant.domain.figures import Sent, figures_of
from comms_assistant.domain.incident import Incident, Priority
from comms_assistant.domain.policy import DEFAULT_POLICY
from comms_assistant.entrypoints.register_cli import csv_text, safe_cell
from comms_assistant.service.register_port import COLUMNS, RESTRICTED_COLUMNS, Links, row_of

T0 = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")


def incident(title: str, *, security: bool = False) -> Incident:
    return Incident.declare(
        reference="INC-2026-0007",
        title=title,
        priority=Priority.P2,
        impact="Staff cannot sign in",
        services=("apply",),
        who="amira@example.org",
        now=T0,
        security=security,
    )


def test_every_column_of_the_list_is_in_the_item_and_nothing_else() -> None:
    row = row_of(figures_of(incident("Apply is down"), DEFAULT_POLICY, [], T0), Links(), LONDON)
    assert set(row) == {"Title", *(c.name for c in COLUMNS)}
    assert {c.name for c in COLUMNS} >= RESTRICTED_COLUMNS


def test_a_security_incidents_item_shows_only_the_restricted_view() -> None:
    secret = incident("Password spraying on the VPN", security=True)
    secret.record.report_url = "https://example.sharepoint.com/secret.docx"
    sent = [Sent(1, T0 + timedelta(minutes=2))]
    row = row_of(figures_of(secret, DEFAULT_POLICY, sent, T0), Links(report="x"), LONDON)
    assert row["IncidentTitle"] == "Restricted security incident"
    assert row["Security"] is True and row["HighestPriority"] == "P2"
    shown = {k for k, v in row.items() if v not in (None, "")}
    assert shown <= RESTRICTED_COLUMNS | {"Title"}
    assert "VPN" not in repr(row) and "apply" not in repr(row)


def test_cells_that_would_run_as_formulas_are_written_as_text() -> None:
    for risky in ('=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(risky) == "'" + risky
    assert safe_cell("Apply is down") == "Apply is down"
    assert safe_cell(None) == "" and safe_cell(True) == "yes"
    row = row_of(
        figures_of(incident("=cmd|' /C calc'!A0 down"), DEFAULT_POLICY, [], T0), Links(), LONDON
    )
    [header, cells] = list(csv.reader(io.StringIO(csv_text([row]))))
    assert cells[header.index("Incident")] == "'=cmd|' /C calc'!A0 down"
    assert cells[header.index("Reference")] == "INC-2026-0007"
