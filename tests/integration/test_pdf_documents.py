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

from comms_assistant.adapters.word.comms import SentMessage
from comms_assistant.adapters.word.major import build_major_incident_report
from comms_assistant.adapters.word.report import refresh_report
from comms_assistant.adapters.word.review import build_review
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


EVERYONE = "Incidents channel; 14 people by email; 3 Teams chats; Support desk channel (Service)"
COMMS = [
    SentMessage(2, T0, "New incident", EVERYONE, "Email, Teams"),
    SentMessage(9, T0 + timedelta(minutes=30), "Update 1", EVERYONE, "Email, Teams"),
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
        assert "Declared at 2:05pm GMT on 23 November 2026" in flat, name
        assert "Update 3: candidates still cannot submit" in flat, name
        assert "Restored the database connection" in flat, name
        # LibreOffice filled in the footer's page fields: every page says "Page n of N".
        assert [int(n) for n in re.findall(r"Page (\d+) of (?:\d+)", flat)] == list(
            range(1, pages + 1)
        ), name
        assert set(re.findall(r"Page \d+ of (\d+)", flat)) == {str(pages)}, name

    assert 2 <= pdfs["report"][0] <= 4, "a short incident's report is a few pages"
    # One row per message; its cells wrap, so the text comes line by line across the row.
    said = r"(New incident|Update 1) +Incidents channel; 14 people by "
    rows = re.findall(said, pdfs["report"][1])
    assert rows == ["New incident", "Update 1"]
    assert "Recommendation" in pdfs["review"][1] and "What went well" in pdfs["review"][1]
    major = " ".join(pdfs["major"][1].split())
    assert "Lessons learnt" in major and "Duration 9 hours" in major

    long_pages, long_text = pdfs["long"]
    assert long_pages > pdfs["report"][0] + 3, "150 timeline rows take several more pages"
    assert "Update 150: candidates still cannot submit" in " ".join(long_text.split())
    # The timeline's heading row repeats on every page it runs across.
    headings = re.findall(r"^\s*Time\s+Who\s+What\s*$", long_text, re.M)
    assert len(headings) >= long_pages - 2


def test_the_demos_running_report_reads_as_a_report(tmp_path: Path) -> None:
    """Issue 16: the demo's whole incident (a P2 raised to P1 and lowered, seven messages) makes
    a report of at most 4 pages whose page 1 gives the facts, the summary and the impact once,
    naming people rather than showing their addresses."""
    from contextlib import redirect_stdout
    from io import StringIO

    from comms_assistant.entrypoints.demo import run_demo

    with redirect_stdout(StringIO()):
        assert run_demo(tmp_path / "demo") == 0
    (report,) = [
        p
        for p in (tmp_path / "demo").rglob("*.docx")
        if p.parent.name == "Incident reports" and " - " not in p.name
    ]
    pages, text = convert(tmp_path, {"report": report.read_bytes()})["report"]
    assert pages <= 4, text
    first = text.split("\f")[0]
    for heading in ("Facts", "Summary", "Who is affected", "What we are doing"):
        assert re.search(rf"^{heading}$", first, re.M), heading
    impact = "Candidates still cannot submit their applications."
    words = " ".join(first.split())  # the lines as the page wraps them, joined again
    # Resolved: who was affected is said as it was, not as if they still are.
    before = rf"Who is affected Before it was resolved at [^:]+:\d\d[ap]m .+?: {impact}"
    assert re.search(before, words), words
    assert words.count(impact) == 1
    assert "Sam Okafor" in first and "comms.lead@example.org" not in text
    assert "Not set yet" not in text
    assert text.index("Timeline") < text.index("Appendix: communications sent")
