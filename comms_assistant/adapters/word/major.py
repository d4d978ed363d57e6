"""The Major Incident report for the central team (DfE playbook: every P1 is reported).

Built when a P1 is closed, from the facts, a plain-English summary, the timeline and the
communications sent; when the review is filed, the lessons learnt are added. Between the two,
people write in it freely: later refreshes touch only the owned fields and add missing rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from copy import deepcopy
from typing import Any
from zoneinfo import ZoneInfo

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from comms_assistant.adapters.word.comms import SentMessage, add_missing_messages, find_comms_table
from comms_assistant.adapters.word.fields import (
    DASH,
    DURATION,
    FACT_FIELDS,
    LESSONS,
    LOCK_OWNED,
    RESOLUTION,
    WHAT_HAPPENED,
    Field,
    fact_values,
    fill_fields,
    open_docx,
    require_controls,
    search_roots,
    to_bytes,
)
from comms_assistant.adapters.word.properties import stamp_document
from comms_assistant.adapters.word.review import draft_what_happened, duration
from comms_assistant.adapters.word.timeline import add_missing_entries, find_timeline_table
from comms_assistant.adapters.word.xml import (
    add_link,
    element_text,
    make_control,
    set_control_text,
    xpath,
)
from comms_assistant.domain.incident import Incident
from comms_assistant.service.word_port import Stamp

MAJOR_TEMPLATE = "Major incident report template.docx"
MAJOR_FIELDS = (*FACT_FIELDS, RESOLUTION, DURATION)
LESSONS_PENDING = "Added from the incident review when it is filed."
# The copy of the review's recommendations, inside the Lessons learnt section.
LESSONS_FROM_REVIEW = Field("lessons_from_review", "Lessons from the incident review")
_OPENING = "From the incident review, "
_NONE_WRITTEN = (
    "The review has no recommendations yet. They are copied here when the review team writes "
    "them in the review."
)
_WHAT = "Major Incident report"


def build_major_incident_report(
    template: bytes,
    incident: Incident,
    tz: ZoneInfo,
    comms: Iterable[SentMessage] = (),
    stamp: Stamp | None = None,
    service_names: Mapping[str, str] | None = None,
) -> bytes:
    """A new report from the template: every owned field, the summary draft and all rows."""
    doc = open_docx(template, _WHAT)
    roots = search_roots(doc)
    require_controls(roots, LESSONS, _WHAT, MAJOR_TEMPLATE)
    draft = draft_what_happened(incident, tz, service_names)
    summary = {WHAT_HAPPENED.key: draft, LESSONS.key: LESSONS_PENDING}
    fill_fields(roots, (WHAT_HAPPENED, LESSONS), summary, _WHAT, MAJOR_TEMPLATE)
    _refresh(roots, incident, tz, comms)
    stamp_document(doc, incident, stamp)
    return to_bytes(doc)


def update_major_incident_report(
    document: bytes,
    incident: Incident,
    tz: ZoneInfo,
    comms: Iterable[SentMessage] = (),
    lessons: str | None = None,
    links: Mapping[str, str] | None = None,
    stamp: Stamp | None = None,
) -> bytes:
    """Refresh the owned facts, add missing rows and, when given, the lessons learnt.

    The summary is not rewritten: after the report is built it is the central team's text.
    The lessons replace the placeholder, or the last copy of the review's recommendations;
    what people wrote in the section stays, and the copy goes after it. `links`: text in the
    lessons (a document's name) to make a link to its address, so readers see the name and
    not a raw URL.
    """
    doc = open_docx(document, _WHAT)
    roots = search_roots(doc)
    controls = require_controls(roots, LESSONS, _WHAT, MAJOR_TEMPLATE)
    _refresh(roots, incident, tz, comms)
    if lessons is not None:
        for sdt in controls:
            written = _add_lessons(sdt, lessons)
            # A link's address is kept by the part the text is in; the lessons sit in the body.
            if any(ancestor is doc.element.body for ancestor in sdt.iterancestors()):
                _link_names(doc, written, links or {})
    stamp_document(doc, incident, stamp)
    return to_bytes(doc)


def _link_names(doc: Any, paragraphs: list[Any], links: Mapping[str, str]) -> None:
    """Make each name in `paragraphs` a link to its web address (anything else stays text)."""
    for text, url in links.items():
        if re.match(r"https?://\S+$", url):
            add_link(paragraphs, text, doc.part.relate_to(url, RT.HYPERLINK, True))


def draft_lessons(recommendations: Sequence[Sequence[str]], review: str) -> str:
    """The lessons learnt, from the recommendations people wrote in the review."""
    lines = [f"{_OPENING}{review} (to change these, change them in the review):"]
    for cells in recommendations:
        what, *rest = [*cells, "", ""]
        extra = ", ".join(
            f"{label} {value}"
            for label, value in zip(("owner", "due"), rest, strict=False)
            if value
        )
        lines.append(f"\u2022 {what}" + (f" ({extra})" if extra else ""))
    if not recommendations:
        lines.append(_NONE_WRITTEN)
    return "\n".join(lines)


def _refresh(
    roots: list[Any], incident: Incident, tz: ZoneInfo, comms: Iterable[SentMessage]
) -> None:
    timeline = find_timeline_table(roots, _WHAT, MAJOR_TEMPLATE)
    sent = find_comms_table(roots, _WHAT, MAJOR_TEMPLATE, required=True)
    took = duration(incident.resolved_at - incident.declared_at) if incident.resolved_at else DASH
    values = fact_values(incident, tz) | {DURATION.key: took}
    fill_fields(roots, MAJOR_FIELDS, values, _WHAT, MAJOR_TEMPLATE)
    add_missing_entries(timeline, incident.timeline, tz)
    add_missing_messages(sent, comms, tz)


def copied_lessons(document: bytes) -> str | None:
    """The lessons last copied from the review (None when none were, or an earlier version
    copied them as plain text)."""
    doc = open_docx(document, _WHAT)
    for sdt in require_controls(search_roots(doc), LESSONS, _WHAT, MAJOR_TEMPLATE):
        for owned in _owned(sdt):
            return element_text(owned).strip()
    return None


def _add_lessons(sdt: Any, lessons: str) -> list[Any]:
    """Put the lessons in their own locked control inside the Lessons learnt section, replacing
    the last copy; returns the paragraphs written.

    The copy is the review's (people change it there, and it follows), so it is locked here;
    everything people wrote around it in this report stays as it is.
    """
    content = sdt.find(qn("w:sdtContent"))
    if content is None:
        content = OxmlElement("w:sdtContent")
        sdt.append(content)
    for owned in _owned(sdt):
        set_control_text(owned, lessons)
        return xpath(owned, "./w:sdtContent/w:p")
    owned = _lessons_control(next(iter(xpath(content, "./w:p/w:pPr")), None))
    _place(content, owned)
    set_control_text(owned, lessons)
    return xpath(owned, "./w:sdtContent/w:p")


def _lessons_control(look: Any) -> Any:
    """A new, empty locked control for the review's lessons, its paragraph in `look` (a
    paragraph's properties, or None)."""
    owned = make_control(
        LESSONS_FROM_REVIEW.tag,
        LESSONS_FROM_REVIEW.label,
        "",
        lock=LOCK_OWNED,
        block=True,
        plain=False,
    )
    if look is not None:
        owned.find(qn("w:sdtContent")).find(qn("w:p")).insert(0, deepcopy(look))
    return owned


def _place(content: Any, owned: Any) -> None:
    """Put the lessons' control in the section: alone when it holds only the placeholder, in
    place of an earlier plain-text copy, else after what people wrote."""
    if element_text(content).strip() in ("", LESSONS_PENDING, DASH):
        for child in list(content):
            content.remove(child)
        content.append(owned)
    elif earlier := _copied_as_text(content):
        # An earlier version copied them as plain paragraphs: the new copy takes their place.
        earlier[0].addprevious(owned)
        for p in earlier:
            content.remove(p)
    else:
        content.append(owned)  # people wrote here first: theirs, then the review's


def _owned(sdt: Any) -> list[Any]:
    return xpath(sdt, f".//w:sdt[w:sdtPr/w:tag/@w:val='{LESSONS_FROM_REVIEW.tag}']")


def _copied_as_text(content: Any) -> list[Any]:
    """The paragraphs an earlier version wrote: its opening line (the review's name, which does
    not change) and the list under it."""
    paragraphs = xpath(content, "./w:p")
    for at, p in enumerate(paragraphs):
        if not element_text(p).startswith(_OPENING):
            continue
        block = [p]
        for after in paragraphs[at + 1 :]:
            said = element_text(after).strip()
            if not said.startswith(("\u2022 ", "No recommendations were written")):
                break
            block.append(after)
        return block
    return []
