"""The Major Incident report and the "Communications sent" rows, as pure bytes in, bytes out."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from docx.table import Table

from comms_assistant.adapters.word.comms import SentMessage
from comms_assistant.adapters.word.fields import TemplateError, show_time
from comms_assistant.adapters.word.major import (
    build_major_incident_report,
    draft_lessons,
    update_major_incident_report,
)
from comms_assistant.adapters.word.read import read_comms, read_fields, read_timeline
from comms_assistant.adapters.word.report import refresh_report
from comms_assistant.adapters.word.rows import NewRow, add_missing_rows
from comms_assistant.domain.incident import Incident, Priority, Role

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "word"
LONDON = ZoneInfo("Europe/London")
T0 = datetime(2026, 11, 23, 14, 5, tzinfo=UTC)


def template(name: str) -> bytes:
    return (TEMPLATES / name).read_bytes()


def major_template() -> bytes:
    return template("Major incident report template.docx")


def p1() -> Incident:
    inc = Incident.declare(
        reference="INC-2026-0007", title="Apply is down", priority=Priority.P1,
        impact="No candidate can submit an application", services=("apply",),
        who="alice@example.org", now=T0,
    )  # fmt: skip
    inc.assign(Role.COMMS_LEAD, "bob@example.org", who="alice@example.org", now=T0)
    inc.resolve("Restarted the database", who="bob@example.org", now=T0 + timedelta(minutes=95))
    return inc


def sent(
    number: int, minutes: int, by: str = "Email", to: str = "12 people by email"
) -> SentMessage:
    """Update `number`, its first delivery numbered `number` and its second `number + 1`."""
    at = T0 + timedelta(minutes=minutes)
    return SentMessage(number, at, f"Update {number}", to, by, (number, number + 1))


def when(minutes: int) -> str:
    return show_time(T0 + timedelta(minutes=minutes), LONDON)


def comms_table(doc: Any) -> Table:
    (tbl,) = doc.element.body.xpath(".//w:sdt[w:sdtPr/w:tag/@w:val='ca:comms']//w:tbl")
    return Table(tbl, doc._body)


def saved(doc: Any) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_the_major_incident_report_has_the_facts_summary_timeline_and_comms() -> None:
    out = build_major_incident_report(major_template(), p1(), LONDON, [sent(4, 1), sent(9, 30)])
    fields = read_fields(out)
    assert fields["reference"] == "INC-2026-0007"
    assert fields["priority"] == "P1" and fields["status"] == "Resolved"
    assert fields["declared_at"] == "2:05pm GMT on 23 November 2026"
    assert fields["resolved_at"] == "3:40pm GMT on 23 November 2026"
    assert fields["duration"] == "1 hour 35 minutes"
    assert fields["comms_lead"] == "bob@example.org"
    assert fields["resolution"] == "Restarted the database"
    # Read after it is over: who was affected, said as it was.
    assert fields["impact"] == (
        "Before it was resolved at 3:40pm GMT on 23 November 2026: "
        "No candidate can submit an application"
    )
    assert fields["what_happened"] == (
        "On Monday 23 November 2026 we had an incident: Apply is down. "
        "How it affected users: No candidate can submit an application. It affected apply.\n"
        "We declared it P1 at 2:05pm UK time and it stayed P1.\n"
        "We resolved it at 3:40pm, 1 hour 35 minutes after we declared it. "
        "What fixed it: Restarted the database."
    )
    assert fields["lessons"] == "Added from the incident review when it is filed."
    assert [seq for seq, _ in read_timeline(out)[1:]] == [1, 2, 3]
    assert read_comms(out) == [
        (None, ["Sent at", "Message", "To", "By"]),
        (4, [when(1), "Update 4", "12 people by email", "Email"]),
        (9, [when(30), "Update 9", "12 people by email", "Email"]),
    ]
    header = Document(io.BytesIO(out)).sections[0].header._element
    assert "Major Incident report INC-2026-0007" in "".join(header.itertext())


def test_the_major_incident_template_follows_the_playbook() -> None:
    doc = Document(io.BytesIO(major_template()))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == [
        "Facts", "Summary (plain English)", "Impact on users", "Services affected", "Timeline",
        "Cause", "Resolution", "Communications sent", "Lessons learnt", "Actions",
    ]  # fmt: skip
    assert doc.paragraphs[0].text.startswith("Major Incident report")


def test_updating_keeps_the_central_teams_summary_and_adds_only_what_is_new() -> None:
    inc = p1()
    doc = Document(io.BytesIO(build_major_incident_report(major_template(), inc, LONDON)))
    # The central team rewrites the draft's paragraphs as one.
    summary, *rest = doc.element.body.xpath(
        ".//w:sdt[w:sdtPr/w:tag/@w:val='ca:what_happened']//w:p"
    )
    for paragraph in rest:
        paragraph.getparent().remove(paragraph)
    (words,) = summary.xpath(".//w:t")
    words.text = "Candidates could not apply for 95 minutes on Monday afternoon."
    edited = io.BytesIO()
    doc.save(edited)
    inc.file_review(who="bob@example.org", now=T0 + timedelta(days=2))
    once = update_major_incident_report(edited.getvalue(), inc, LONDON, [sent(4, 1)], "Lesson")
    twice = update_major_incident_report(once, inc, LONDON, [sent(4, 1)], "Lesson")

    fields = read_fields(twice)
    assert (
        fields["what_happened"] == "Candidates could not apply for 95 minutes on Monday afternoon."
    )
    assert fields["status"] == "Closed" and fields["lessons"] == "Lesson"
    assert [seq for seq, _ in read_timeline(twice)[1:]] == [1, 2, 3, 4]
    assert [n for n, _ in read_comms(twice)[1:]] == [4]
    assert _xml(twice) == _xml(once)


def test_a_major_incident_report_without_the_lessons_field_says_which() -> None:
    doc = Document(io.BytesIO(major_template()))
    for sdt in doc.element.body.xpath(".//w:sdt[w:sdtPr/w:tag/@w:val='ca:lessons']"):
        sdt.getparent().remove(sdt)
    broken = io.BytesIO()
    doc.save(broken)
    with pytest.raises(TemplateError, match=r'"Lessons learnt".*ca:lessons'):
        build_major_incident_report(broken.getvalue(), p1(), LONDON)


def test_the_lessons_list_each_recommendation_with_its_owner_and_date() -> None:
    lessons = draft_lessons(
        [["Alert on failed connections", "Sam", "1 Dec"], ["Practise failover", "", ""]],
        "review.docx",
    )
    assert lessons.splitlines() == [
        "From the incident review, review.docx (to change these, change them in the review):",
        "\u2022 Alert on failed connections (owner Sam, due 1 Dec)",
        "\u2022 Practise failover",
    ]
    assert "The review has no recommendations yet." in draft_lessons([], "review.docx")


def test_comms_rows_are_added_once_and_rows_people_added_stay() -> None:
    inc = p1()
    first = refresh_report(template("Incident report template.docx"), inc, LONDON, [sent(3, 0)])
    doc = Document(io.BytesIO(first))
    row = comms_table(doc).add_row()
    row.cells[1].text, row.cells[3].text = "Status page post", "Status page"
    out = refresh_report(saved(doc), inc, LONDON, [sent(3, 0), sent(8, 40, "Teams")])
    assert [(n, cells[1], cells[3]) for n, cells in read_comms(out)[1:]] == [
        (3, "Update 3", "Email"), (None, "Status page post", "Status page"),
        (8, "Update 8", "Teams"),
    ]  # fmt: skip


def test_a_messages_row_is_refreshed_in_place_as_more_of_it_goes() -> None:
    inc = p1()
    report = template("Incident report template.docx")
    first = refresh_report(report, inc, LONDON, [sent(3, 0, "Teams", "Incidents channel")])
    later = [sent(3, 0, "Email, Teams", "Incidents channel; 12 people by email")]
    out = refresh_report(first, inc, LONDON, later)
    assert read_comms(out)[1:] == [
        (3, [when(0), "Update 3", "Incidents channel; 12 people by email", "Email, Teams"]),
    ]
    # Refreshed again with nothing new, it is left exactly as it was.
    assert _xml(refresh_report(out, inc, LONDON, later)) == _xml(out)


def test_a_messages_row_people_changed_is_theirs() -> None:
    inc = p1()
    report = template("Incident report template.docx")
    first = refresh_report(report, inc, LONDON, [sent(3, 0, "Teams", "Incidents channel")])
    doc = Document(io.BytesIO(first))
    comms_table(doc).rows[1].cells[2].text = "Incidents channel, and read out on the 10:00 call"
    later = [sent(3, 0, "Email, Teams", "Incidents channel; 12 people by email")]
    out = refresh_report(saved(doc), inc, LONDON, later)
    assert read_comms(out)[1:] == [
        (3, [when(0), "Update 3", "Incidents channel, and read out on the 10:00 call", "Teams"]),
    ]


def test_an_earlier_versions_rows_per_delivery_stay_and_are_not_repeated() -> None:
    """A report made by the version that listed each delivery: its table says "Channel" and
    "Subject", and each email and card has a row tagged ca:sent:<delivery>."""
    doc = Document(io.BytesIO(template("Incident report template.docx")))
    table = comms_table(doc)
    headings = ("Sent at", "Channel", "To", "Subject")
    for cell, heading in zip(table.rows[0].cells, headings, strict=True):
        cell.text = heading
    old = [(3, "Email", "12 people (Bcc)"), (4, "Teams", "Incidents channel")]
    add_missing_rows(
        table._tbl,
        [NewRow(n, (when(0), by, to, "INC-2026-0007: Apply is down")) for n, by, to in old],
        "ca:sent:",
        "Message sent",
    )
    before = read_comms(saved(doc))
    # Update 3 (deliveries 3 and 4) is shown by those rows; update 8 is new.
    out = refresh_report(saved(doc), p1(), LONDON, [sent(3, 0), sent(8, 40, "Teams")])
    assert read_comms(out) == [
        *before,
        # Under the old headings: "By" under "Channel", "Message" under "Subject".
        (8, [when(40), "Teams", "12 people by email", "Update 8"]),
    ]


def test_a_report_from_a_template_without_the_comms_table_is_still_refreshed() -> None:
    doc = Document(io.BytesIO(template("Incident report template.docx")))
    for sdt in doc.element.body.xpath(".//w:sdt[w:sdtPr/w:tag/@w:val='ca:comms']"):
        sdt.getparent().remove(sdt)
    older = io.BytesIO()
    doc.save(older)
    out = refresh_report(older.getvalue(), p1(), LONDON, [sent(3, 0)])
    assert read_fields(out)["status"] == "Resolved" and read_comms(out) == []


@pytest.mark.parametrize(
    ("zone", "shown"),
    [
        ("Europe/London", "10am BST on 1 July 2026"),
        ("UTC", "9am UTC on 1 July 2026"),
        ("America/New_York", "5am EDT on 1 July 2026"),
        ("Asia/Dubai", "1pm UTC+04 on 1 July 2026"),  # no customary abbreviation
    ],
)
def test_times_name_their_zone(zone: str, shown: str) -> None:
    assert show_time(datetime(2026, 7, 1, 9, 0, tzinfo=UTC), ZoneInfo(zone)) == shown


def _xml(document: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(document)) as zf:
        return zf.read("word/document.xml")
