"""The Word report and review: owned fields filled in place, people's words kept."""

from __future__ import annotations

import importlib.util
import io
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.table import Table

from comms_assistant.adapters.word.fields import TemplateError
from comms_assistant.adapters.word.read import read_comms, read_fields, read_timeline
from comms_assistant.adapters.word.report import refresh_report
from comms_assistant.adapters.word.review import build_review
from comms_assistant.domain.incident import Incident, Priority, Role

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates" / "word"
LONDON = ZoneInfo("Europe/London")
T0 = datetime(2026, 11, 23, 14, 5, tzinfo=UTC)  # GMT in November: shown as 14:05


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def report_template() -> bytes:
    return (TEMPLATES / "Incident report template.docx").read_bytes()


def review_template() -> bytes:
    return (TEMPLATES / "Incident review template.docx").read_bytes()


def incident() -> Incident:
    inc = Incident.declare(
        reference="INC-2026-0001",
        title="Apply is down",
        priority=Priority.P2,
        impact="Teachers cannot submit applications",
        services=("Apply", "Register"),
        who="alice@example.org",
        now=T0,
    )
    inc.assign(Role.COMMS_LEAD, "bob@example.org", who="alice@example.org", now=at(3))
    inc.post_update("We are looking into it.", who="bob@example.org", now=at(10))
    return inc


def body_texts(document: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(document)).paragraphs]


def entry_rows(document: bytes) -> list[tuple[int | None, list[str]]]:
    return read_timeline(document)[1:]  # without the heading row


def test_a_fresh_copy_gets_every_fact_and_the_whole_timeline() -> None:
    out = refresh_report(report_template(), incident(), LONDON)

    fields = read_fields(out)
    assert fields["reference"] == "INC-2026-0001"
    assert fields["title"] == "Apply is down"
    assert fields["priority"] == "P2"
    assert fields["status"] == "Investigating"
    assert fields["impact"] == "Teachers cannot submit applications"
    assert fields["services"] == "apply, register"
    assert fields["declared_at"] == "2:05pm GMT on 23 November 2026"
    assert fields["declared_by"] == "alice@example.org"
    assert fields["resolved_at"] == "\u2014"
    assert fields["comms_lead"] == "bob@example.org"
    assert fields["tech_lead"] == "Not set yet"
    assert fields["latest"] == "Update at 2:15pm GMT on 23 November 2026: We are looking into it."
    assert [seq for seq, _ in entry_rows(out)] == [1, 2, 3]
    assert entry_rows(out)[2][1] == [
        "2:15pm GMT on 23 November 2026",
        "bob@example.org",
        "We are looking into it.",
    ]
    assert read_timeline(out)[0][1] == ["Time", "Who", "What"]


def test_times_are_shown_in_the_organisations_zone() -> None:
    inc = Incident.declare(
        reference="INC-2026-0002", title="Summer outage", priority=Priority.P3, impact="",
        services=(), who="a@example.org", now=datetime(2026, 7, 1, 9, 0, tzinfo=UTC),
    )  # fmt: skip
    fields = read_fields(refresh_report(report_template(), inc, LONDON))
    assert fields["declared_at"] == "10am BST on 1 July 2026"
    assert fields["impact"] == "Not set yet"
    assert fields["services"] == "\u2014"


def test_the_reference_in_the_header_is_filled_too() -> None:
    out = refresh_report(report_template(), incident(), LONDON)
    header = Document(io.BytesIO(out)).sections[0].header._element
    assert "INC-2026-0001" in "".join(header.itertext())


def test_what_people_typed_survives_a_refresh() -> None:
    inc = incident()
    doc = Document(io.BytesIO(refresh_report(report_template(), inc, LONDON)))
    index = [p.text for p in doc.paragraphs].index("Summary")
    blank = doc.paragraphs[index + 1]  # the empty paragraph below the note (in its control)
    blank.add_run("Teachers cannot apply; ").bold = True
    blank.add_run("we are restarting the service.")
    blank.insert_paragraph_before("Written by a person <b>&</b>.")
    timeline = doc.element.body.xpath(".//w:sdt[w:sdtPr/w:tag/@w:val='ca:timeline']//w:tbl")[0]
    row = Table(timeline, doc._body).add_row()
    row.cells[0].text, row.cells[1].text, row.cells[2].text = (
        "14:20",
        "carol",
        "Called the supplier",
    )
    edited = io.BytesIO()
    doc.save(edited)

    inc.post_update("Service restored for most users.", who="bob@example.org", now=at(30))
    out = refresh_report(edited.getvalue(), inc, LONDON)

    paragraphs = Document(io.BytesIO(out)).paragraphs
    assert [p.text for p in paragraphs[index + 1 : index + 3]] == [
        "Written by a person <b>&</b>.",
        "Teachers cannot apply; we are restarting the service.",
    ]
    assert [r.bold for r in paragraphs[index + 2].runs] == [True, None]
    rows = entry_rows(out)
    assert (None, ["14:20", "carol", "Called the supplier"]) in rows
    assert [seq for seq, _ in rows] == [1, 2, 3, None, 4]
    assert rows[-1][1][2] == "Service restored for most users."


def test_refreshing_twice_adds_nothing() -> None:
    inc = incident()
    once = refresh_report(report_template(), inc, LONDON)
    twice = refresh_report(once, inc, LONDON)
    assert read_timeline(twice) == read_timeline(once)
    assert read_fields(twice) == read_fields(once)
    assert body_texts(twice) == body_texts(once)
    assert _document_xml(twice) == _document_xml(once)


def test_a_new_entry_appears_once_and_facts_change_in_place() -> None:
    inc = incident()
    first = refresh_report(report_template(), inc, LONDON)
    inc.change_priority(Priority.P1, who="alice@example.org", now=at(20), reason="all schools")
    inc.assign(Role.TECH_LEAD, "dev@example.org", who="alice@example.org", now=at(21))
    inc.assign(Role.COMMS_LEAD, "dora@example.org", who="alice@example.org", now=at(22))
    second = refresh_report(refresh_report(first, inc, LONDON), inc, LONDON)

    fields = read_fields(second)
    assert (fields["priority"], fields["tech_lead"], fields["comms_lead"]) == (
        "P1", "dev@example.org", "dora@example.org",
    )  # fmt: skip
    assert [seq for seq, _ in entry_rows(second)] == [1, 2, 3, 4, 5, 6]
    assert entry_rows(second)[3][1][2] == (
        "alice@example.org changed the priority from P2 to P1: all schools"
    )
    # Still one control per field: filled in place, not added beside the old value.
    xml = _document_xml(second)
    assert xml.count('w:val="ca:priority"') == 1
    assert "P2</w:t>" not in xml.split("ca:timeline")[0]


def test_resolution_is_shown() -> None:
    inc = incident()
    inc.resolve("Restarted the database", who="bob@example.org", now=at(130))
    fields = read_fields(refresh_report(report_template(), inc, LONDON))
    assert fields["status"] == "Resolved"
    assert fields["resolved_at"] == "4:15pm GMT on 23 November 2026"
    assert fields["latest"] == (
        "Resolved at 4:15pm GMT on 23 November 2026: Restarted the database"
    )
    assert "resolution" not in fields  # the latest update says it on page 1


def test_a_deleted_row_comes_back_in_its_place() -> None:
    inc = incident()
    doc = Document(io.BytesIO(refresh_report(report_template(), inc, LONDON)))
    timeline = doc.element.body.xpath(".//w:sdt[w:sdtPr/w:tag/@w:val='ca:timeline']//w:tbl")[0]
    rows = timeline.findall(qn("w:tr"))
    timeline.remove(rows[2])  # entry 2
    edited = io.BytesIO()
    doc.save(edited)
    out = refresh_report(edited.getvalue(), inc, LONDON)
    assert [seq for seq, _ in entry_rows(out)] == [1, 2, 3]


def test_markup_is_literal_text_and_forbidden_characters_are_dropped() -> None:
    inc = Incident.declare(
        reference="INC-2026-0003", title='<script>alert("x")</script> & \'quotes\'',
        priority=Priority.P3, impact="Bad\x00 bytes\x07 here\x1f", services=("a&b",),
        who="<b>eve</b>", now=T0,
    )  # fmt: skip
    inc.log("Saw </w:t><w:t>injected & more", who="eve", now=at(1))
    out = refresh_report(report_template(), inc, LONDON)
    fields = read_fields(out)
    assert fields["title"] == "<script>alert(\"x\")</script> & 'quotes'"
    assert fields["impact"] == "Bad bytes here"
    assert fields["declared_by"] == "<b>eve</b>"
    assert entry_rows(out)[1][1][2] == "Saw </w:t><w:t>injected & more"
    assert "<script>" not in _document_xml(out)
    assert Document(io.BytesIO(out)).paragraphs[0].text.startswith("Incident report")


def test_a_field_word_made_around_a_whole_cell_is_filled_with_a_paragraph() -> None:
    # Word wraps the cell's paragraph (a block-level control) when the whole cell is selected.
    doc = Document(io.BytesIO(report_template()))
    inline = doc.element.body.xpath(".//w:sdt[w:sdtPr/w:tag/@w:val='ca:priority']")[0]
    paragraph = inline.getparent()
    paragraph.addprevious(inline)  # the control now sits in the cell, around nothing
    content = inline.find(qn("w:sdtContent"))
    paragraph.extend(list(content))
    content.append(paragraph)
    edited = io.BytesIO()
    doc.save(edited)
    out = refresh_report(edited.getvalue(), incident(), LONDON)
    assert read_fields(out)["priority"] == "P2"
    cell_control = Document(io.BytesIO(out)).element.body.xpath(
        ".//w:tc/w:sdt[w:sdtPr/w:tag/@w:val='ca:priority']/w:sdtContent/*"
    )
    assert [e.tag for e in cell_control] == [qn("w:p")]


def test_a_document_without_a_field_says_which() -> None:
    doc = Document(io.BytesIO(report_template()))
    for sdt in doc.element.body.xpath(".//w:sdt[w:sdtPr/w:tag/@w:val='ca:support_lead']"):
        sdt.getparent().remove(sdt)
    broken = io.BytesIO()
    doc.save(broken)
    with pytest.raises(TemplateError, match=r'"Support lead".*ca:support_lead'):
        refresh_report(broken.getvalue(), incident(), LONDON)


def test_a_document_without_the_timeline_says_so() -> None:
    doc = Document(io.BytesIO(report_template()))
    for sdt in doc.element.body.xpath(".//w:sdt[w:sdtPr/w:tag/@w:val='ca:timeline']"):
        sdt.getparent().remove(sdt)
    broken = io.BytesIO()
    doc.save(broken)
    with pytest.raises(TemplateError, match="Timeline.*ca:timeline"):
        refresh_report(broken.getvalue(), incident(), LONDON)


def test_something_that_is_not_a_word_document_is_a_template_error() -> None:
    with pytest.raises(TemplateError, match="not a Word document"):
        refresh_report(b"not a zip", incident(), LONDON)


def test_the_review_has_facts_a_draft_the_timeline_and_a_recommendations_table() -> None:
    inc = incident()
    inc.resolve("Restarted the database", who="bob@example.org", now=at(130))
    out = build_review(review_template(), inc, LONDON)

    fields = read_fields(out)
    assert fields["reference"] == "INC-2026-0001"
    # Short paragraphs, one a line (a paragraph each in Word), the zone in words once.
    assert fields["what_happened"] == (
        "On Monday 23 November 2026 we had an incident: Apply is down. "
        "How it affected users: Teachers cannot submit applications. "
        "It affected apply and register.\n"
        "We declared it P2 at 2:05pm UK time and it stayed P2.\n"
        "We resolved it at 4:15pm, 2 hours 10 minutes after we declared it. "
        "What fixed it: Restarted the database."
    )
    assert [seq for seq, _ in entry_rows(out)] == [1, 2, 3, 4]
    doc = Document(io.BytesIO(out))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == [
        "Facts", "What happened", "Cause", "What went well", "What could be better",
        "Recommendations and actions", "Follow-up actions", "Timeline",
        "Appendix: communications sent",
    ]  # fmt: skip
    # Inside the control tagged ca:recommendations, so python-docx's doc.tables does not list it.
    (table,) = doc.element.body.xpath(".//w:sdt[w:sdtPr/w:tag/@w:val='ca:recommendations']//w:tbl")
    rows = Table(table, doc._body).rows
    assert [c.text for c in rows[0].cells] == ["Recommendation", "Owner", "Due"]
    assert len(rows) == 3 and all(c.text == "" for r in rows[1:] for c in r.cells)
    assert read_comms(out)[0][1] == ["Sent at", "Message", "To", "By"]


def test_the_report_has_the_playbook_sections() -> None:
    doc = Document(io.BytesIO(report_template()))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == [
        "Facts", "Summary", "Who is affected", "What we know about the cause",
        "What we are doing", "Follow-up actions", "Hand-over", "Timeline",
        "Appendix: communications sent",
    ]  # fmt: skip


def test_the_shipped_templates_are_what_the_script_makes(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "make_word_templates", ROOT / "scripts" / "make_word_templates.py"
    )
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    for fresh in script.write_templates(tmp_path):
        shipped = TEMPLATES / fresh.name
        assert _parts(fresh.read_bytes()) == _parts(shipped.read_bytes()), (
            f"{shipped} is out of date: run python scripts/make_word_templates.py"
        )


def _document_xml(document: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(document)) as zf:
        return zf.read("word/document.xml").decode()


def _parts(document: bytes) -> dict[str, bytes]:
    # Zip bytes carry write times; the parts inside (XML text) are what must not drift.
    with zipfile.ZipFile(io.BytesIO(document)) as zf:
        return {name: zf.read(name) for name in sorted(zf.namelist())}
