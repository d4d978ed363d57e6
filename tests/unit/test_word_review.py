"""The incident review is for learning: the sections people write come first, the assistant's
record after them, and the assistant's own words pass the plain-English check."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from docx_text import styled_reading_order
from world import World

from comms_assistant.adapters.word.read import read_fields
from comms_assistant.adapters.word.review import build_review, draft_what_happened
from comms_assistant.domain.incident import Incident, Priority
from comms_assistant.domain.plain_english import Glossary, check, format_findings
from comms_assistant.entrypoints.demo import STEPS
from comms_assistant.service.wording import WordingCheck

ROOT = Path(__file__).resolve().parents[2]
REVIEW_TEMPLATE = ROOT / "templates" / "word" / "Incident review template.docx"
LONDON = ZoneInfo("Europe/London")
T0 = datetime(2026, 11, 23, 14, 5, tzinfo=UTC)
WHO = "alice@example.org"
NAMES = {
    "apply": "Apply for teacher training",
    "find": "Find teacher training courses",
    "register": "Register trainee teachers",
    "sign-in": "DfE Sign-in",
}
PEOPLES_SECTIONS = [
    "What happened",
    "Cause",
    "What went well",
    "What could be better",
    "Recommendations and actions",
    "Follow-up actions",
]
NEEDS_A_LOOK = "The review's introduction needs a look"


def headings(lines: list[tuple[str, str]]) -> list[str]:
    return [text for style, text in lines if style == "Heading 1"]


def declare(**changes: Any) -> Incident:
    fields: dict[str, Any] = {
        "reference": "INC-2026-0001",
        "title": "Apply for teacher training is down",
        "priority": Priority.P2,
        "impact": "Candidates cannot submit applications",
        "services": ("apply",),
        "who": WHO,
        "now": T0,
    }
    return Incident.declare(**(fields | changes))


def raised_then_lowered(incident: Incident, *minutes: int) -> Incident:
    """P1 and P2 in turn, at the given minutes after the declaration."""
    for n, minute in enumerate(minutes):
        priority = Priority.P1 if n % 2 == 0 else Priority.P2
        incident.change_priority(priority, who=WHO, now=T0 + timedelta(minutes=minute))
    return incident


def resolved(
    incident: Incident, minutes: int, what: str = "We restored the connection"
) -> Incident:
    incident.resolve(what, who=WHO, now=T0 + timedelta(minutes=minutes))
    return incident


# The order of the sections ---------------------------------------------------------------


def test_the_sections_people_write_come_first_then_the_timeline_then_the_appendix() -> None:
    incident = resolved(raised_then_lowered(declare(), 30, 60), 130)
    out = build_review(REVIEW_TEMPLATE.read_bytes(), incident, LONDON, service_names=NAMES)
    lines = styled_reading_order(out)

    assert headings(lines) == [
        "Facts", *PEOPLES_SECTIONS, "Timeline", "Appendix: communications sent",
    ]  # fmt: skip
    texts = [text for _, text in lines]
    # The draft, inside its content control, is read under "What happened" and before "Cause".
    draft = read_fields(out)["what_happened"].split("\n")
    start = texts.index(draft[0])
    assert texts[start : start + len(draft)] == draft
    assert texts.index("What happened") < start < texts.index("Cause")
    # The timeline's rows come after every section people write, the messages' heading last.
    raised = next(i for i, text in enumerate(texts) if "changed the priority from P2 to P1" in text)
    assert texts.index("Recommendations and actions") < texts.index("Timeline") < raised
    assert lines[raised][0] == "table" and raised < texts.index("Appendix: communications sent")


def test_the_facts_say_who_was_affected_before_it_was_resolved() -> None:
    """A review is read after it is over: "Impact on users" must not read as if people still
    cannot submit."""
    incident = resolved(declare(), 130)
    out = build_review(REVIEW_TEMPLATE.read_bytes(), incident, LONDON, service_names=NAMES)
    assert read_fields(out)["impact"] == (
        "Before it was resolved at 4:15pm GMT on 23 November 2026: "
        "Candidates cannot submit applications"
    )


def test_the_introduction_says_what_the_assistant_fills_in_and_that_people_write_first() -> None:
    lines = styled_reading_order(REVIEW_TEMPLATE.read_bytes())
    introduction = next(text for style, text in lines if style == "Guidance")
    assert "The review team writes the first sections" in introduction
    assert "The assistant fills in the facts and a first draft of what happened" in introduction
    assert "timeline" in introduction and "communications sent" in introduction


def test_the_templates_guidance_passes_the_plain_english_check() -> None:
    guidance = [text for style, text in styled_reading_order(REVIEW_TEMPLATE.read_bytes())
                if style == "Guidance"]  # fmt: skip
    assert len(guidance) >= len(PEOPLES_SECTIONS) + 1
    for text in guidance:
        report = check(text, kind="review")
        assert report.clean, f"{text!r}: {format_findings(report)}"


# The draft passes the plain-English check ------------------------------------------------

LONG_TITLE = (
    "Candidates who started an application before the weekend cannot submit it or see the "
    "drafts they saved on Apply for teacher training"
)
ODD_INCIDENTS = {
    "raised then lowered": lambda: resolved(raised_then_lowered(declare(), 30, 60), 130),
    "declared P1 then lowered": lambda: resolved(
        _lowered_from_p1(declare(priority=Priority.P1)), 95
    ),
    "impact with no full stop": lambda: resolved(
        declare(impact="some candidates see an error page when they submit"), 45
    ),
    "title ending with a question mark": lambda: resolved(declare(title="Is Apply down?"), 20),
    "long title": lambda: resolved(declare(title=LONG_TITLE), 20),
    "long services list": lambda: resolved(declare(services=tuple(NAMES)), 20),
    "services not in services.csv": lambda: resolved(
        declare(services=("apply", "payments-gateway", "notify")), 20
    ),
    "many changes, past midnight": lambda: resolved(
        raised_then_lowered(declare(now=T0 + timedelta(hours=9)), 540 + 20, 600, 620, 660, 700),
        800,
        "Candidates can submit applications again. We restored the connection. We are "
        "watching it closely.",
    ),
    "still open": lambda: raised_then_lowered(declare(), 10),
}


def _lowered_from_p1(incident: Incident) -> Incident:
    incident.change_priority(Priority.P2, who=WHO, now=T0 + timedelta(minutes=40))
    return incident


@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York", "UTC", "Asia/Dubai"])
@pytest.mark.parametrize("name", list(ODD_INCIDENTS))
def test_the_draft_passes_the_plain_english_check(name: str, zone: str) -> None:
    draft = draft_what_happened(ODD_INCIDENTS[name](), ZoneInfo(zone), NAMES)
    assert WordingCheck(Glossary()).review_introduction(draft) is None, draft
    for paragraph in draft.split("\n"):  # each line is a paragraph in Word
        assert check(paragraph, kind="review").sentences <= 5, paragraph


def test_the_draft_names_the_zone_once_in_words_and_services_by_their_names() -> None:
    incident = resolved(raised_then_lowered(declare(services=("apply", "register")), 30, 60), 130)
    draft = draft_what_happened(incident, LONDON, NAMES)
    assert draft == (
        "On Monday 23 November 2026 we had an incident: Apply for teacher training is down. "
        "How it affected users: Candidates cannot submit applications. "
        "It affected Apply for teacher training and Register trainee teachers.\n"
        "We declared it P2 at 2:05pm UK time, raised it to P1 at 2:35pm and lowered it to P2 "
        "at 3:05pm. At its highest it was P1.\n"
        "We resolved it at 4:15pm, 2 hours 10 minutes after we declared it. "
        "What fixed it: We restored the connection."
    )
    assert "GMT" not in draft and draft.count("UK time") == 1


def test_in_summer_it_is_still_uk_time_and_elsewhere_the_place_is_named() -> None:
    summer = declare(now=datetime(2026, 7, 1, 8, 30, tzinfo=UTC))
    assert "at 9:30am UK time" in draft_what_happened(summer, LONDON)
    new_york = draft_what_happened(declare(), ZoneInfo("America/New_York"))
    assert "at 9:05am New York time" in new_york
    utc = draft_what_happened(declare(), ZoneInfo("UTC"))
    assert "at 2:05pm Coordinated Universal Time (UTC)" in utc


def test_many_services_are_listed_one_a_line() -> None:
    draft = draft_what_happened(declare(services=tuple(NAMES)), LONDON, NAMES)
    lines = draft.split("\n")
    start = lines.index("It affected 4 services:")
    assert lines[start + 1 : start + 5] == [f"\u2022 {name}" for name in NAMES.values()]


# The review command -----------------------------------------------------------------------


def test_review_of_the_demo_incident_does_not_say_its_introduction_needs_a_look(
    world: World,
) -> None:
    replies = {}
    for who, text in STEPS:
        if text == "lessons":  # after the review, once people have written in it
            continue
        reply = world.run(text, who=who)
        assert reply.ok, f"{text}: {reply.text}"
        replies[text] = reply
        world.clock.advance(minutes=10)
        world.deliver()
    assert NEEDS_A_LOOK not in replies["review"].text
    review = next(path for path in world.documents.files if path.endswith("review.docx"))
    draft = read_fields(world.documents.content(review))["what_happened"]
    assert "It affected Apply for teacher training." in draft
    assert "raised it to P1" in draft and "lowered it to P2" in draft
