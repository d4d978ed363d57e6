"""What the assistant needs in each Word template, and what a given template lacks.

An organisation may restyle the shipped templates or bring its own: the assistant finds
everything by content-control tags, never by position or wording. `templates check` (and
`templates publish`, before it uploads anything) reads a template and lists every tag missing,
what goes there, and how to add it, instead of the first failure on an incident's first write.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from comms_assistant.adapters.word import board
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
    Field,
    TemplateError,
    find_controls,
    open_docx,
    search_roots,
)
from comms_assistant.adapters.word.finish import NOTE_TAG
from comms_assistant.adapters.word.rows import column_widths
from comms_assistant.adapters.word.timeline import COLUMNS as TIMELINE_COLUMNS
from comms_assistant.adapters.word.xml import xpath

Kind = Literal["report", "review", "major", "board"]


@dataclass(frozen=True)
class Need:
    field: Field
    columns: int = 0  # a table inside the control, with at least this many columns
    required: bool = True
    without: str = ""  # what happens when an optional one is missing


_FACTS = tuple(Need(f) for f in FACT_FIELDS)
_TIMELINE = Need(TIMELINE, len(TIMELINE_COLUMNS))
_COMMS = Need(COMMS, len(COMMS_COLUMNS))
# Action, Owner, Due, Progress (adapters/word/actions.py).
_ACTIONS = Need(
    ACTIONS, 4, required=False, without="the follow-up actions go in a section added at the end"
)

NEEDS: dict[Kind, tuple[Need, ...]] = {
    "report": (
        *_FACTS,
        _TIMELINE,
        Need(
            COMMS,
            len(COMMS_COLUMNS),
            required=False,
            without="the report does not list the messages sent",
        ),
        Need(LATEST, required=False, without="page 1 does not show the latest update"),
        _ACTIONS,
    ),
    "review": (
        *_FACTS,
        Need(WHAT_HAPPENED),
        _TIMELINE,
        Need(
            COMMS,
            len(COMMS_COLUMNS),
            required=False,
            without="the review does not list the messages sent",
        ),
        Need(
            RECOMMENDATIONS,
            3,
            required=False,
            without="no lessons learnt can be copied into the Major Incident report",
        ),
        _ACTIONS,
    ),
    "major": (*_FACTS, Need(RESOLUTION), Need(DURATION), Need(WHAT_HAPPENED), Need(LESSONS),
              _TIMELINE, _COMMS),
    "board": (Need(board.MONTH), Need(board.SUMMARY), Need(board.CHART), Need(board.LESSONS),
              Need(board.INCIDENTS, len(board.INCIDENT_COLUMNS)),
              Need(board.FIGURES, len(board.FIGURE_COLUMNS)),
              Need(board.ACTIONS, len(board.ACTION_COLUMNS))),
}  # fmt: skip

NAMES: dict[Kind, str] = {
    "report": "running incident report",
    "review": "incident review",
    "major": "Major Incident report",
    "board": "board report",
}


@dataclass(frozen=True)
class Findings:
    problems: tuple[str, ...]  # the assistant cannot use the template until these are fixed
    notes: tuple[str, ...]  # it works, with less

    @property
    def ok(self) -> bool:
        return not self.problems


def check_template(content: bytes, kind: Kind) -> Findings:
    """Every tag the `kind` of document needs that `content` lacks, each with what to do."""
    try:
        doc = open_docx(content, f"{NAMES[kind]} template")
    except TemplateError as error:
        return Findings((str(error),), ())
    roots = search_roots(doc)
    problems: list[str] = []
    notes: list[str] = []
    for need in NEEDS[kind]:
        said = _lack(roots, need)
        if said and need.required:
            problems.append(said)
        elif said:
            notes.append(f"{said} Without it {need.without}.")
    if not xpath(doc.element.body, f".//w:sdt[w:sdtPr/w:tag/@w:val='{NOTE_TAG}']"):
        notes.append(
            "No notes to the people writing it are tagged ca:note, so the assistant leaves any "
            "instructions in the document when the incident is over (it removes only tagged "
            "ones: text that is not tagged may be someone's)."
        )
    return Findings(tuple(problems), tuple(notes))


def _lack(roots: list[object], need: Need) -> str:
    """What is wrong with `need` in the document; "" when nothing."""
    fld = need.field
    controls = find_controls(roots, fld.tag)
    if not controls:
        what = f"a table of at least {need.columns} columns inside " if need.columns else ""
        return (
            f'No "{fld.label}": the assistant looks for {what}a content control tagged '
            f'"{fld.tag}". Copy it from the shipped template, or in Word (Developer tab) insert '
            f"a content control there and set its Tag to {fld.tag}."
        )
    if not need.columns:
        return ""
    tables = [t for sdt in controls for t in xpath(sdt, "./w:sdtContent//w:tbl")]
    if not tables:
        return f'"{fld.label}" ({fld.tag}) has no table inside its content control.'
    if len(column_widths(tables[0])) < need.columns:
        return f'"{fld.label}" ({fld.tag}) needs a table of at least {need.columns} columns.'
    return ""
