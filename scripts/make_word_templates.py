"""Generate the Word templates the assistant copies into SharePoint.

    python scripts/make_word_templates.py [OUT_DIR]      (default: templates/word/)

The output is committed; tests/unit/test_word.py checks the committed files still match this
script. An organisation may restyle the templates in Word (styles, theme, logo, wording): the
assistant only needs the tagged content controls (`ca:<field>`) and the tagged tables to stay.
The building blocks are in comms_assistant/adapters/word/layout.py.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from comms_assistant.adapters.word.actions import ACTION_COLUMNS, ACTION_WIDTHS, ALIAS
from comms_assistant.adapters.word.board import BOARD_TEMPLATE, build_board_template
from comms_assistant.adapters.word.comms import COMMS_COLUMNS
from comms_assistant.adapters.word.fields import (
    ACTIONS,
    COMMS,
    DURATION,
    FACT_FIELDS,
    LATEST,
    LESSONS,
    RECOMMENDATIONS,
    RESOLUTION,
    TIMELINE,
    WHAT_HAPPENED,
    to_bytes,
)
from comms_assistant.adapters.word.layout import (
    block_field,
    facts_table,
    field_paragraph,
    guidance,
    heading,
    new_document,
    people_table,
    tagged_table,
    title,
)
from comms_assistant.adapters.word.major import LESSONS_PENDING, MAJOR_TEMPLATE
from comms_assistant.adapters.word.report import REPORT_FACTS, REPORT_TEMPLATE
from comms_assistant.adapters.word.review import REVIEW_TEMPLATE
from comms_assistant.adapters.word.timeline import COLUMNS

OUT_DIR = Path(__file__).resolve().parents[1] / "templates" / "word"
IMPACT = next(f for f in FACT_FIELDS if f.key == "impact")
# Sent at, Message, To, By (COMMS_COLUMNS), in cm: the whole width of the page, 17 cm.
COMMS_WIDTHS = (3.8, 4.2, 6.2, 2.8)


def build_report_template() -> bytes:
    """Page 1 is what a director skims: the facts, the summary, who is affected, the cause,
    what we are doing and the follow-up actions. The record follows: the timeline, and the
    messages sent as an appendix."""
    doc = new_document("Incident report")
    title(doc, "Incident report: ")
    guidance(
        doc,
        "The running report of the incident. The assistant keeps the facts, the latest update, "
        "the timeline and the list of messages up to date: its boxes are grey when selected, "
        "and locked. Write in every other part. The assistant never changes what you write, "
        "and removes these notes when the incident is over.",
    )
    heading(doc, "Facts")
    facts_table(doc, fields=REPORT_FACTS)
    heading(doc, "Summary")
    guidance(
        doc,
        "Two or three sentences someone outside the team would understand: what is wrong, who it "
        "affects and what we are doing about it. Avoid technical words.",
    )
    doc.add_paragraph()
    heading(doc, "Who is affected")
    field_paragraph(doc, IMPACT)
    guidance(doc, "Add detail: how many users, which journeys, any workaround they can use.")
    doc.add_paragraph()
    heading(doc, "What we know about the cause")
    guidance(doc, "What we think caused it, and how sure we are. Describe systems, not people.")
    doc.add_paragraph()
    heading(doc, "What we are doing")
    field_paragraph(doc, LATEST)
    guidance(doc, "Add what the team is trying now and what it will try next.")
    doc.add_paragraph()
    _actions(doc)
    heading(doc, "Hand-over")
    guidance(
        doc,
        "For long incidents (GOV.UK PaaS: at 5pm or after 6 hours). When the assistant prompts "
        "a hand-over, write here what has been done, what is next, what is waiting on whom, and "
        "who is taking over each lead role.",
    )
    people_table(doc, ("Handed over at", "From", "To", "State of play"), (3.0, 3.5, 3.5, 7.0))
    heading(doc, "Timeline")
    guidance(doc, "Add your own rows anywhere; the assistant adds new entries as they happen.")
    _timeline(doc)
    heading(doc, "Appendix: communications sent")
    guidance(
        doc,
        "The assistant adds each email and Teams message once it has gone. Add anything else "
        "sent (status page, calls, Slack) as a row of your own.",
    )
    _comms(doc)
    return to_bytes(doc)


def build_review_template() -> bytes:
    # For learning: the sections people write first, then the assistant's record of the
    # incident. The guidance passes the plain-English check (tests/unit/test_word.py).
    doc = new_document("Incident review")
    title(doc, "Incident review: ")
    guidance(
        doc,
        "A review to learn from the incident, not to blame anyone. The review team writes the "
        "first sections: what happened, the cause, what went well, what could be better, and "
        "the recommendations. The assistant fills in the facts and a first draft of what "
        "happened. After those sections, it adds the timeline and a list of the communications "
        "sent.",
    )
    heading(doc, "Facts")
    facts_table(doc)
    heading(doc, "What happened")
    guidance(
        doc,
        "Rewrite the assistant's draft below for people who were not involved. Say what users "
        "saw, for how long, and what fixed it. Avoid technical words.",
    )
    block_field(doc, WHAT_HAPPENED, "What happened (draft)")
    heading(doc, "Cause")
    guidance(
        doc,
        "What caused the incident, and why our checks did not catch it sooner. Describe systems "
        "and steps, not people. If you do not know yet, say so and say how you will find out.",
    )
    doc.add_paragraph()
    heading(doc, "What went well")
    guidance(doc, "What helped us find, fix and communicate the problem quickly.")
    doc.add_paragraph(style="List Bullet")
    heading(doc, "What could be better")
    guidance(doc, "What slowed us down or confused users. Describe systems and steps, not people.")
    doc.add_paragraph(style="List Bullet")
    heading(doc, "Recommendations and actions")
    guidance(
        doc,
        "One recommendation per row, each with an owner and a date. For a P1, the assistant "
        "copies these into the Major Incident report as the lessons learnt, and copies them "
        "again when you change them here.",
    )
    tagged_table(
        doc,
        RECOMMENDATIONS,
        "Recommendations (write here)",
        ("Recommendation", "Owner", "Due"),
        (10.0, 4.0, 3.0),
        empty_rows=2,
    )
    _actions(doc)
    heading(doc, "Timeline")
    guidance(doc, "The assistant's timeline of the incident. Add rows of your own anywhere.")
    _timeline(doc)
    heading(doc, "Appendix: communications sent")
    guidance(doc, "Every email and Teams message the assistant sent about the incident.")
    _comms(doc)
    return to_bytes(doc)


def build_major_incident_template() -> bytes:
    doc = new_document("Major Incident report")
    title(doc, "Major Incident report: ")
    guidance(
        doc,
        "Every P1 incident is reported to the central team as a Major Incident. The assistant "
        "creates this report when the incident is closed and adds the lessons learnt when the "
        "incident review is filed. Boxes it owns are locked; write in every other part.",
    )
    heading(doc, "Facts")
    facts_table(doc, extra=(DURATION,), fields=REPORT_FACTS)  # title and impact: their own places
    heading(doc, "Summary (plain English)")
    guidance(
        doc,
        "Rewrite the draft below for readers outside the service: what users could not do, for "
        "how long, and what fixed it. Avoid technical jargon.",
    )
    block_field(doc, WHAT_HAPPENED, "Summary (draft)")
    heading(doc, "Impact on users")
    field_paragraph(doc, IMPACT)
    guidance(doc, "Add detail: how many users were affected, for how long, and any workaround.")
    doc.add_paragraph()
    heading(doc, "Services affected")
    guidance(
        doc,
        "Upstream services that contributed to the incident and downstream services it "
        "affected, inside and outside the organisation.",
    )
    doc.add_paragraph()
    heading(doc, "Timeline")
    _timeline(doc)
    heading(doc, "Cause")
    guidance(doc, "What caused the incident, in plain English. Describe systems, not people.")
    doc.add_paragraph()
    heading(doc, "Resolution")
    field_paragraph(doc, RESOLUTION)
    doc.add_paragraph()
    heading(doc, "Communications sent")
    _comms(doc)
    heading(doc, "Lessons learnt")
    guidance(
        doc,
        "The assistant copies the incident review's recommendations here and keeps the copy in "
        "step with the review, so change them there. Add your own lessons around the copy.",
    )
    block_field(doc, LESSONS, "Lessons learnt", LESSONS_PENDING)
    heading(doc, "Actions")
    guidance(doc, "What will be done to stop it happening again, who owns it and by when.")
    people_table(doc, ("Action", "Owner", "Due"), (10.0, 4.0, 3.0))
    return to_bytes(doc)


def _actions(doc: object) -> None:
    heading(doc, "Follow-up actions")
    guidance(
        doc,
        "What needs doing, who owns it and by when. Each action given to the assistant with "
        "'action' is also a task in Planner, and this table shows where it has got to there. "
        "Change an action in Planner. Add rows of your own too.",
    )
    tagged_table(doc, ACTIONS, ALIAS, ACTION_COLUMNS, ACTION_WIDTHS)


def _timeline(doc: object) -> None:
    tagged_table(
        doc, TIMELINE, "Timeline (the assistant adds new entries)", COLUMNS, (3.6, 4.0, 9.4)
    )


def _comms(doc: object) -> None:
    tagged_table(
        doc, COMMS, "Communications sent (the assistant adds each message)", COMMS_COLUMNS,
        COMMS_WIDTHS,
    )  # fmt: skip


BUILDERS: dict[str, Callable[[], bytes]] = {
    REPORT_TEMPLATE: build_report_template,
    REVIEW_TEMPLATE: build_review_template,
    MAJOR_TEMPLATE: build_major_incident_template,
    BOARD_TEMPLATE: build_board_template,
}


def write_templates(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in BUILDERS.items():
        path = out_dir / name
        path.write_bytes(build())
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    for path in write_templates(Path(args[0]) if args else OUT_DIR):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
