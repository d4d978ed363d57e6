"""The generated Word documents convert cleanly to PDF with LibreOffice (as people print and
attach them), with every page numbered and the owned text where a reader expects it."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from comms_assistant.adapters.word import (
    SentMessage,
    build_major_incident_report,
    build_review,
    refresh_report,
)
from comms_assistant.domain.incident import Incident, Priority, Role

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "word"
LONDON = ZoneInfo("Europe/London")
T0 = datetime(2026, 11, 23, 14, 5, tzinfo=UTC)
MISSING = [tool for tool in ("libreoffice", "pdfinfo", "pdftotext") if not shutil.which(tool)]

pytestmark = pytest.mark.skipif(
    bool(MISSING),
    reason=f"{', '.join(MISSING)} not on PATH: install libreoffice-writer-nogui and "
    "poppler-utils (.ci/run does)",
)


def incident(updates: int) -> Incident:
    inc = Incident.declare(
        reference="INC-2026-0001", title="Apply for teacher training is down",
        priority=Priority.P1, impact="Candidates cannot submit applications",
        services=("apply",), who="comms.lead@example.org", now=T0,
    )  # fmt: skip
    inc.assign(Role.TECH_LEAD, "tech.lead@example.org", who="comms.lead@example.org", now=T0)
    for n in range(1, updates + 1):
        at = T0 + timedelta(minutes=2 * n)
        inc.post_update(f"Update {n}: candidates still cannot submit", who="bob", now=at)
    inc.resolve("Restored the database connection", who="bob", now=T0 + timedelta(hours=9))
    return inc


COMMS = [
    SentMessage(2, T0, "Email", "14 people (Bcc)", "[P1] INC-2026-0001 Apply is down"),
    SentMessage(3, T0, "Teams", "Incidents channel", "[P1] INC-2026-0001 Apply is down"),
]


def convert(tmp_path: Path, documents: dict[str, bytes]) -> dict[str, tuple[int, str]]:
    """Each document's page count and text, converted in one LibreOffice run."""
    for name, content in documents.items():
        (tmp_path / f"{name}.docx").write_bytes(content)
    profile = (tmp_path / "profile").as_uri()  # its own profile: runs never share a lock
    subprocess.run(
        ["libreoffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), *(str(tmp_path / f"{n}.docx") for n in documents)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    results = {}
    for name in documents:
        pdf = tmp_path / f"{name}.pdf"
        info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
        pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout
        results[name] = (pages, text)
    return results


def test_the_report_review_and_major_incident_report_convert_to_pdf(tmp_path: Path) -> None:
    short, long = incident(updates=3), incident(updates=150)
    report = (TEMPLATES / "Incident report template.docx").read_bytes()
    pdfs = convert(
        tmp_path,
        {
            "report": refresh_report(report, short, LONDON, COMMS),
            "long": refresh_report(report, long, LONDON, COMMS),
            "review": build_review(
                (TEMPLATES / "Incident review template.docx").read_bytes(), short, LONDON, COMMS
            ),
            "major": build_major_incident_report(
                (TEMPLATES / "Major incident report template.docx").read_bytes(),
                short,
                LONDON,
                COMMS,
            ),
        },
    )
    for name, (pages, text) in pdfs.items():
        flat = " ".join(text.split())
        assert "INC-2026-0001" in flat, name
        assert "Apply for teacher training is down" in flat, name
        assert "Declared at 23 Nov 2026 14:05 GMT" in flat, name
        assert "Update 3: candidates still cannot submit" in flat, name
        assert "Restored the database connection" in flat, name
        # LibreOffice filled in the footer's page fields: every page says "Page n of N".
        assert [int(n) for n in re.findall(r"Page (\d+) of (?:\d+)", flat)] == list(
            range(1, pages + 1)
        ), name
        assert set(re.findall(r"Page \d+ of (\d+)", flat)) == {str(pages)}, name

    assert 2 <= pdfs["report"][0] <= 4, "a short incident's report is a few pages"
    assert "Incidents channel" in pdfs["report"][1] and "14 people (Bcc)" in pdfs["report"][1]
    assert "Recommendation" in pdfs["review"][1] and "What went well" in pdfs["review"][1]
    major = " ".join(pdfs["major"][1].split())
    assert "Lessons learnt" in major and "Duration 9 hours" in major

    long_pages, long_text = pdfs["long"]
    assert long_pages > pdfs["report"][0] + 3, "150 timeline rows take several more pages"
    assert "Update 150: candidates still cannot submit" in " ".join(long_text.split())
    # The timeline's heading row repeats on every page it runs across.
    headings = re.findall(r"^\s*Time\s+Who\s+What\s*$", long_text, re.M)
    assert len(headings) >= long_pages - 2
