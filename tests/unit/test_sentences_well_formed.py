"""Issue 15: the sentences the assistant assembles are well formed, whatever people typed.

Every message kind, for ordinary and security incidents, with odd inputs: an impact with no full
stop, trailing spaces, a title ending in "?", and every optional part empty (no impact, services,
advice or leads). Each paragraph a reader sees under the four headings must read as whole
sentences: it ends with one full stop (or "?" / "!"), never two, and no sentence starts in lower
case after the assistant joined text.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from comms_assistant.adapters.contacts import load_directory
from comms_assistant.adapters.render import SECTIONS, Renderer
from comms_assistant.adapters.render_report_filed import ReportFiledRenderer
from comms_assistant.domain.incident import Incident, Priority, Role, TimelineEntry
from comms_assistant.domain.messages import MessageKind
from comms_assistant.service.major_report import whom_to_ask

NOW = datetime(2026, 11, 22, 14, 32, tzinfo=UTC)  # a Sunday afternoon
LATER = NOW + timedelta(minutes=40)
HEADINGS = {heading for _, heading in SECTIONS}

ODD = {
    "no full stops": dict(
        title="Apply is down",
        impact="candidates cannot submit applications",
        advice="ask candidates to wait",
        update="we are restarting the service",
        reason="schools are phoning us",
        resolution="restarted the service",
        note="waiting for the supplier",
    ),
    "trailing spaces and a question": dict(
        title="Is Apply down?   ",
        impact="Candidates cannot submit applications.   ",
        advice="Ask candidates to wait.  ",
        update="We are restarting the service.   ",
        reason="Schools are phoning us.  ",
        resolution="We restarted the service.  ",
        note="Waiting for the supplier?  ",
    ),
    "everything optional empty": dict(
        title="Apply is down",
        impact="",
        advice="",
        update="we are restarting the service",
        reason="",
        resolution="restarted",
        note="",
    ),
}


def _incident(case: dict[str, str], security: bool, leads: bool) -> Incident:
    incident = Incident.declare(
        reference="INC-2026-0007",
        title=case["title"],
        priority=Priority.P2,
        impact=case["impact"],
        services=("apply",) if case["impact"] else (),
        who="rowan.hale@example.org",
        now=NOW,
        security=security,
        advice=case["advice"],
    )
    if leads:
        incident.assign(Role.COMMS_LEAD, "nadia.farrow@example.org", who="x", now=NOW)
    return incident


def _entry(kind: MessageKind, incident: Incident, case: dict[str, str]) -> TimelineEntry:
    if kind is MessageKind.OPENED:
        return incident.timeline[0]
    if kind is MessageKind.PRIORITY:
        return incident.change_priority(Priority.P1, who="x", now=LATER, reason=case["reason"])
    if kind is MessageKind.RESOLVED:
        # Moved and back, so the resolution tells the priority's history too.
        incident.change_priority(Priority.P1, who="x", now=NOW + timedelta(minutes=5))
        incident.change_priority(Priority.P2, who="x", now=NOW + timedelta(minutes=25))
        return incident.resolve(case["resolution"], who="x", now=LATER)
    if kind is MessageKind.HOLDING:
        return incident.record_holding_update(who="x", now=LATER, note=case["note"])
    return incident.post_update(case["update"], who="x", now=LATER)


def _paragraphs(text: str) -> list[str]:
    """The lines under the four headings that are sentences, as the plain-text part shows them:
    not the items of a list that a line ending in ":" introduces ("Comms lead: Nadia Farrow")."""
    body = text.split("\n\nAbout this incident", 1)[0]
    found, under, listing = [], False, False
    for line in body.split("\n"):
        if line in HEADINGS:
            under, listing = True, False
        elif not line.strip():
            listing = False
        elif under and not listing:
            found.append(line)
            listing = line.endswith(":")
    return found


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    directory = load_directory(None)
    return Renderer(
        None,
        ZoneInfo("Europe/London"),
        service_names=directory.service_names(),
        people=directory.people_names(),
    )


@pytest.mark.parametrize("leads", [True, False])
@pytest.mark.parametrize("security", [False, True])
@pytest.mark.parametrize("case", list(ODD))
@pytest.mark.parametrize("kind", list(MessageKind))
def test_every_paragraph_is_whole_sentences(renderer, kind, case, security, leads) -> None:
    incident = _incident(ODD[case], security, leads)
    entry = _entry(kind, incident, ODD[case])
    restricted = kind is MessageKind.MAJOR_INCIDENT and security
    shown = incident.restricted_view() if restricted else incident
    mail = renderer.mail(
        kind, shown, entry, update_number=3, next_update_by=LATER + timedelta(hours=20)
    )
    paragraphs = _paragraphs(mail.text)
    assert paragraphs, mail.text
    for paragraph in paragraphs:
        assert paragraph == paragraph.strip() and "  " not in paragraph, repr(paragraph)
        # A line ending ":" introduces the lines listed after it ("These people are leading it:").
        assert paragraph[-1] in ".?!:", repr(paragraph)
        assert not re.search(r"[.?!]\s*[.?!]", paragraph.replace("...", "")), repr(paragraph)
        assert not re.search(r"[.?!] [a-z]", paragraph), repr(paragraph)
        assert "None" not in paragraph and "()" not in paragraph, repr(paragraph)
        assert paragraph[0].isupper() or paragraph[0].isdigit(), repr(paragraph)
    # The heading and subject are one line each and never end in a doubled stop.
    heading = mail.text.split("\n", 1)[0]
    assert heading.strip() == heading and ".." not in heading and "?." not in heading
    assert "\n" not in mail.subject and "  " not in mail.subject


def _well_formed(paragraph: str) -> None:
    assert paragraph == paragraph.strip() and "  " not in paragraph, repr(paragraph)
    assert paragraph[-1] in ".?!", repr(paragraph)
    # Web addresses aside ("report.docx"), no doubled stop and no sentence in lower case.
    words = re.sub(r"\(https://\S+\)", "", paragraph)
    assert not re.search(r"[.?!]\s*[.?!]", words), repr(paragraph)
    assert not re.search(r"[.?!] [a-z]", words), repr(paragraph)
    assert "None" not in paragraph and "()" not in paragraph, repr(paragraph)
    assert paragraph[0].isupper(), repr(paragraph)


@pytest.mark.parametrize("reviewed", [False, True])
@pytest.mark.parametrize("leads", [True, False])
@pytest.mark.parametrize("security", [False, True])
@pytest.mark.parametrize("case", list(ODD))
def test_the_report_filed_message_is_whole_sentences(case, security, leads, reviewed) -> None:
    incident = _incident(ODD[case], security, leads)
    incident.resolve(ODD[case]["resolution"], who="x", now=LATER)
    if reviewed:
        incident.file_review(who="x", now=LATER)
    title = " ".join(ODD[case]["title"].split())
    told = ReportFiledRenderer()(
        incident,
        subject="INC-2026-0007: Apply is down",
        name=f"2026-11-22 INC-2026-0007 {title} - major incident report",
        url="https://example.sharepoint.com/sites/incidents/report.docx",
        ask=whom_to_ask(incident, load_directory(None).contacts),
        marking="OFFICIAL-SENSITIVE" if security else "",
    )
    top, *paragraphs = told.text.strip().split("\n\n")
    assert top.split("\n") == [*(["OFFICIAL-SENSITIVE"] if security else []), told.heading]
    assert len(paragraphs) == (4 if security else 3), told.text
    for paragraph in paragraphs:
        _well_formed(paragraph)
