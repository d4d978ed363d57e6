"""The follow-up actions' table in the report and the review (adapters/word/actions.py): a row
per action kept up to date cell by cell, people's changes and rows kept, a section added to a
document whose template had none."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
from docx.oxml.ns import qn
from docx_text import reading_order

from comms_assistant.adapters.word.actions import refresh_actions
from comms_assistant.adapters.word.report import refresh_report
from comms_assistant.adapters.word.review import build_review
from comms_assistant.domain.actions import ActionState, add_action
from comms_assistant.domain.incident import Incident, Priority

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "word"
LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 23, 14, 5, tzinfo=UTC)
HEADING = "Action | Owner | Due | Progress"


def incident() -> Incident:
    return Incident.declare(
        reference="INC-2026-0001",
        title="Apply is down",
        priority=Priority.P2,
        impact="Candidates cannot apply",
        services=("apply",),
        who="lead@example.org",
        now=NOW,
    )


def act(case: Incident, text: str, owner: str = "", due: date | None = None) -> None:
    add_action(case.actions, text, owner=owner, due=due, who="lead@example.org", now=NOW,
               today=NOW.date())  # fmt: skip


def table(document: bytes) -> list[str]:
    """The actions' table: its heading row and the rows after it."""
    lines = reading_order(document)
    start = lines.index(HEADING)
    end = next((i for i in range(start + 1, len(lines)) if " | " not in lines[i]), len(lines))
    return lines[start:end]


def edit_cell(document: bytes, old: str, new: str) -> bytes:
    """A person changes a cell's words in Word."""
    doc = docx.Document(io.BytesIO(document))
    for text in doc.element.body.iter(qn("w:t")):
        if text.text == old:
            text.text = new
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_the_review_lists_each_action_and_keeps_up_with_its_progress() -> None:
    case = incident()
    act(case, "Add an alert on queue depth", "tom@example.org", date(2026, 12, 14))
    review = build_review((TEMPLATES / "Incident review template.docx").read_bytes(), case, LONDON)
    assert table(review) == [
        HEADING, "1. Add an alert on queue depth | tom@example.org | 14 December 2026 | Not started"
    ]  # fmt: skip
    lines = reading_order(review)
    assert lines.index("Recommendations and actions") < lines.index("Follow-up actions")
    assert lines.index("Follow-up actions") < lines.index("Timeline")

    act(case, "Write down how we fixed it")
    case.actions[0].state = ActionState.DONE
    again = refresh_actions(review, case, None, "incident review")
    assert table(again) == [
        HEADING,
        "1. Add an alert on queue depth | tom@example.org | 14 December 2026 | Done",
        "2. Write down how we fixed it | Nobody yet | \u2014 | Not started",
    ]
    assert table(refresh_actions(again, case, None, "incident review")) == table(again)


def test_a_cell_people_changed_stays_theirs_while_the_others_keep_up() -> None:
    case = incident()
    act(case, "Add an alert", "tom@example.org", date(2026, 12, 14))
    report = refresh_report((TEMPLATES / "Incident report template.docx").read_bytes(), case,
                            LONDON)  # fmt: skip
    report = edit_cell(report, "tom@example.org", "Tom, with the platform team")
    case.actions[0].state = ActionState.IN_PROGRESS
    case.actions[0].owner = "tariq@example.org"  # reassigned: the owner's cell is theirs now
    refreshed = refresh_report(report, case, LONDON)
    assert table(refreshed)[1] == (
        "1. Add an alert | Tom, with the platform team | 14 December 2026 | In progress"
    )


def test_a_document_without_the_table_gets_a_section_at_its_end() -> None:
    older = docx.Document()
    older.add_heading("Incident review", level=1)
    older.add_paragraph("What we wrote before this version.")
    out = io.BytesIO()
    older.save(out)
    case = incident()
    assert refresh_actions(out.getvalue(), case, None, "review") != b""  # no actions: nothing
    assert "Follow-up actions" not in reading_order(refresh_actions(out.getvalue(), case, None,
                                                                    "review"))  # fmt: skip
    act(case, "Add an alert")
    lines = reading_order(refresh_actions(out.getvalue(), case, None, "review"))
    assert lines[-4:] == [
        "What we wrote before this version.",
        "Follow-up actions",
        HEADING,
        "1. Add an alert | Nobody yet | \u2014 | Not started",
    ]


def test_once_it_is_over_an_empty_table_says_none_were_given_until_one_is() -> None:
    case = incident()
    case.resolve("Restarted it", who="lead@example.org", now=NOW)
    template = (TEMPLATES / "Incident review template.docx").read_bytes()
    review = build_review(template, case, LONDON)
    assert table(review) == [HEADING]
    lines = reading_order(review)
    assert lines[lines.index(HEADING) + 1] == "No follow-up actions were given."
    act(case, "Add an alert")
    later = refresh_actions(review, case, None, "incident review")
    assert "No follow-up actions were given." not in reading_order(later)
    assert table(later) == [HEADING, "1. Add an alert | Nobody yet | \u2014 | Not started"]
