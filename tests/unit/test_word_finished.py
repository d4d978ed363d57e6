"""A finished report looks finished (issue 16): once the incident is over the assistant's notes
go, a role nobody held says "None", a section nobody wrote in says "Not written.", and people's
words stay exactly as they wrote them. Read as a reader would: the text in reading order."""

from __future__ import annotations

import io

from docx import Document
from docx_text import paragraphs
from test_word import LONDON, at, incident, report_template

from comms_assistant.adapters.word.read import read_fields
from comms_assistant.adapters.word.report import refresh_report


def lines_with_text(document: bytes) -> list[str]:
    """Each paragraph's text that is not blank, top to bottom, content controls and tables
    included."""
    return [t for p in paragraphs(document) if (t := p.strip())]


def write_under(document: bytes, heading: str, text: str) -> bytes:
    doc = Document(io.BytesIO(document))
    index = [p.text for p in doc.paragraphs].index(heading)
    doc.paragraphs[index + 1].insert_paragraph_before(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def closed_report(summary: str | None = None) -> bytes:
    inc = incident()
    open_report = refresh_report(report_template(), inc, LONDON)
    if summary:
        open_report = write_under(open_report, "Summary", summary)
    inc.resolve("Restarted the database", who="bob@example.org", now=at(130))
    return refresh_report(open_report, inc, LONDON)


def test_an_open_report_keeps_its_notes_for_the_people_writing_it() -> None:
    text = lines_with_text(refresh_report(report_template(), incident(), LONDON))
    assert "Not written." not in text
    assert any(line.startswith("Two or three sentences someone outside the team") for line in text)
    assert read_fields(refresh_report(report_template(), incident(), LONDON))["tech_lead"] == (
        "Not set yet"
    )


def test_a_closed_report_has_no_notes_no_not_set_yet_and_says_what_was_not_written() -> None:
    text = lines_with_text(closed_report(summary="Teachers could not apply for two hours."))
    joined = "\n".join(text)
    assert "Not set yet" not in joined
    assert "Two or three sentences" not in joined and "The running report" not in joined
    assert text[text.index("Summary") + 1] == "Teachers could not apply for two hours."
    assert text[text.index("What we know about the cause") + 1] == "Not written."
    assert text[text.index("Tech lead") + 1] == "None"
    # An empty table of actions does not read as "Not written.": it says none were given.
    follow_up = text.index("Follow-up actions")
    assert text[follow_up + 1 : follow_up + 7] == [
        "Action", "Owner", "Due", "Progress", "No follow-up actions were given.", "Hand-over",
    ]  # fmt: skip
    assert text[text.index("What we are doing") + 1] == (
        "Resolved at 4:15pm GMT on 23 November 2026: Restarted the database"
    )
    # Who was affected no longer reads as if they still are.
    inc = incident()
    assert text[text.index("Who is affected") + 1] == (
        f"Before it was resolved at 4:15pm GMT on 23 November 2026: {inc.impact}"
    )


def test_an_open_report_says_who_is_affected_as_it_is_now() -> None:
    inc = incident()
    text = lines_with_text(refresh_report(report_template(), inc, LONDON))
    assert text[text.index("Who is affected") + 1] == inc.impact


def test_finishing_twice_changes_nothing_and_writing_later_removes_the_marker() -> None:
    inc = incident()
    inc.resolve("Restarted the database", who="bob@example.org", now=at(130))
    once = refresh_report(report_template(), inc, LONDON)
    assert lines_with_text(refresh_report(once, inc, LONDON)) == lines_with_text(once)
    later = write_under(once, "What we know about the cause", "A full disk on the database.")
    text = lines_with_text(refresh_report(later, inc, LONDON))
    cause = text.index("What we know about the cause")
    assert text[cause + 1 : cause + 3] == ["A full disk on the database.", "What we are doing"]


def test_a_picture_someone_pasted_is_writing_and_stays() -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    inc = incident()
    doc = Document(io.BytesIO(refresh_report(report_template(), inc, LONDON)))
    index = [p.text for p in doc.paragraphs].index("What we know about the cause")
    # A paragraph holding only a picture (its drawing; no text at all).
    picture = parse_xml(f"<w:r {nsdecls('w', 'wp')}><w:drawing><wp:inline/></w:drawing></w:r>")
    doc.paragraphs[index + 1]._p.append(picture)
    out = io.BytesIO()
    doc.save(out)
    inc.resolve("Restarted the database", who="bob@example.org", now=at(130))
    finished = Document(io.BytesIO(refresh_report(out.getvalue(), inc, LONDON)))
    assert len(finished.element.body.xpath(".//w:drawing")) == 1
    text = lines_with_text(refresh_report(out.getvalue(), inc, LONDON))
    assert text[text.index("What we know about the cause") + 1] == "What we are doing"


def test_a_paragraph_ending_a_section_keeps_its_page_layout() -> None:
    from copy import deepcopy

    from docx.oxml.ns import qn

    inc = incident()
    doc = Document(io.BytesIO(refresh_report(report_template(), inc, LONDON)))
    # The empty paragraph closing the (unwritten) hand-over section ends a Word section too.
    index = [p.text for p in doc.paragraphs].index("Timeline")
    closing = doc.paragraphs[index - 1]._p
    assert closing.xpath("string(.)") == ""
    closing.get_or_add_pPr().append(deepcopy(doc.element.body.find(qn("w:sectPr"))))
    out = io.BytesIO()
    doc.save(out)
    assert len(Document(io.BytesIO(out.getvalue())).sections) == 2
    inc.resolve("Restarted the database", who="bob@example.org", now=at(130))
    finished = refresh_report(out.getvalue(), inc, LONDON)
    assert len(Document(io.BytesIO(finished)).sections) == 2
    text = lines_with_text(finished)
    assert text[text.index("Hand-over") + 1] == "Not written."
