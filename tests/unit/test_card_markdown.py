"""Text people type is shown literally on every Teams card: never a link, bold, a list or a
mention. Teams reads a TextBlock's text and a fact's value as Markdown."""

from __future__ import annotations

import json
import string
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from teams_markdown import PLAIN_TAGS, card_texts, rendered, seen

from comms_assistant.adapters.card_rules import validate_card
from comms_assistant.adapters.render import Renderer
from comms_assistant.adapters.render_cards import (
    SHORTENED,
    as_read,
    build_card,
    fit_card,
    markdown_literal,
    text_block,
)
from comms_assistant.domain.incident import (
    EntryKind,
    Incident,
    Priority,
    Role,
    TimelineEntry,
)
from comms_assistant.domain.messages import MessageKind

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=30)
REPORT = "https://example.sharepoint.com/sites/incidents/Shared%20Documents/report.docx"
LINK = "[click](https://evil.example/)"
# Every field people type, each starting with Markdown that only works at the start of a line.
TITLE = f"{LINK} **bold** <at>Someone</at> _it_"
IMPACT = f"- list **bold** {LINK} ![img](https://evil.example/x.png)"
UPDATE = "1. list <at>Someone</at> `code` &amp; ~~gone~~"
REASON = "# heading > quote | table |"
RESOLUTION = f"+ plus {LINK} <https://evil.example/>"
NOTE = "2) list __bold__ \\*still\\* starred"
SERVICE = "[svc](https://evil.example/)"
LEAD = "[lead](https://evil.example/)@example.org"
DECLARER = "**boss**@example.org"
TYPED = (TITLE, IMPACT, UPDATE, REASON, RESOLUTION, NOTE, SERVICE, LEAD, DECLARER)


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(None, ZoneInfo("Europe/London"))


def hostile_card(renderer: Renderer, kind: MessageKind, security: bool, with_leads: bool):
    incident = Incident.declare(
        reference="INC-2026-0009",
        title=TITLE,
        priority=Priority.P2,
        impact=IMPACT,
        services=(SERVICE,),
        who=DECLARER,
        now=NOW,
        security=security,
    )
    if with_leads:
        incident.assign(Role.COMMS_LEAD, LEAD, who="x", now=NOW)
    incident.post_update(UPDATE, who="x", now=NOW)  # what a late joiner's catch-up repeats
    if kind is MessageKind.PRIORITY:
        entry = incident.change_priority(Priority.P1, who="x", now=LATER, reason=REASON)
    elif kind is MessageKind.RESOLVED:
        entry = incident.resolve(RESOLUTION, who="x", now=LATER)
    elif kind is MessageKind.HOLDING:
        entry = incident.record_holding_update(who="x", now=LATER, note=NOTE)
    else:
        entry = incident.post_update(UPDATE, who="x", now=LATER)
    next_by = None if kind is MessageKind.RESOLVED else LATER + timedelta(hours=1)
    mail = renderer.mail(kind, incident, entry, update_number=2, next_update_by=next_by)
    card = renderer.card(kind, incident, entry, next_update_by=next_by, report_url=REPORT)
    return mail, card


@pytest.mark.parametrize("with_leads", [True, False])
@pytest.mark.parametrize("security", [False, True])
@pytest.mark.parametrize("kind", list(MessageKind))
def test_every_card_shows_typed_text_literally(renderer, kind, security, with_leads) -> None:
    mail, card = hostile_card(renderer, kind, security, with_leads)
    assert validate_card(card) == []
    visible = []
    for text in card_texts(card):
        words, tags = rendered(text)
        assert tags <= PLAIN_TAGS, (text, tags)  # no link, bold, italic, list, heading, image
        visible.append(words)
    # The title block (after any restricted line): where things stand, then the title as typed.
    assert visible[2 if security else 1].endswith(f": {TITLE}")
    everything = "\n".join(visible)
    # Whatever the email's plain-text part shows (it is literal by nature), the card shows too.
    shown = [typed for typed in TYPED if typed in mail.text]
    assert TITLE in shown and len(shown) >= 3
    for typed in shown:
        assert typed in everything, typed
    # Teams finds mentions as <at>...</at> in the text as sent, before any Markdown.
    assert "<at>" not in json.dumps(card)


def test_a_line_that_would_start_a_list_or_heading_is_shown_as_typed(renderer) -> None:
    incident = Incident.declare(
        reference="INC-2026-0009",
        title="t",
        priority=Priority.P2,
        impact="",
        services=(),
        who="x",
        now=NOW,
    )
    text = "- one\n1. two\n  # three\n===\n> four\n2020) five\n+ six\n&copy; seven"
    entry = TimelineEntry(9, LATER, "x", EntryKind.UPDATE, text)
    card = renderer.card(MessageKind.UPDATE, incident, entry, next_update_by=None)
    (block,) = [t for t in card_texts(card) if "one" in t]
    words, tags = rendered(block)
    assert tags == {"p"}
    # As typed, line by line; the assistant only ends the last sentence (issue 15).
    typed = [line.strip() for line in text.splitlines()]
    assert words.split("\n") == [*typed[:-1], typed[-1] + "."]


def test_the_templates_own_markdown_still_works(tmp_path: Path) -> None:
    (tmp_path / "teams").mkdir()
    (tmp_path / "teams" / "opened.txt").write_text(
        '{% extends "mail/opened.txt" %}\n'
        "{% block what_is_happening %}\n**Impact**: {{ impact }}\n{% endblock %}\n",
        encoding="utf-8",
    )
    renderer = Renderer(tmp_path, ZoneInfo("Europe/London"))
    incident = Incident.declare(
        reference="INC-2026-0009",
        title=TITLE,
        priority=Priority.P2,
        impact=IMPACT,
        services=(),
        who="x",
        now=NOW,
    )
    card = renderer.card(MessageKind.OPENED, incident, incident.timeline[0], next_update_by=None)
    (block,) = [t for t in card_texts(card) if t.startswith("**Impact**")]
    words, tags = rendered(block)
    assert tags == {"p", "strong"} and words == f"Impact: {IMPACT}"


@pytest.mark.parametrize("length", [20_000, 12_345, 30_000])  # cuts land on either character
def test_a_card_shortened_to_fit_never_leaves_an_escape_half_cut(length: int) -> None:
    typed = "[" * length
    card = build_card(
        banner="b", title="t", colour="Accent", sections=[], facts=[], report_url=None, button="x"
    )
    card["body"].append(text_block(markdown_literal(typed)))
    fitted = fit_card(card, 20 * 1024)
    words = seen(fitted["body"][-1]["text"])
    assert words.endswith(SHORTENED) and "\\" not in words
    assert typed.startswith(words.removesuffix(SHORTENED))


# Ends stripped, as a paragraph's are; no tabs or line breaks: the lines are what matter.
_LINE = (
    st.text(
        alphabet=string.ascii_letters + string.digits + string.punctuation + " é…’\u00a0",
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(bool)
)


@settings(max_examples=2000, deadline=None)
@given(_LINE)
def test_any_typed_line_reads_back_exactly_as_typed(line: str) -> None:
    words, tags = rendered(markdown_literal(line))
    assert tags == {"p"} and words == line
    # Our own viewers (the demo's summary, the sandbox page) read it the same way.
    assert as_read(markdown_literal(line)) == line


@settings(max_examples=500, deadline=None)
@given(st.lists(_LINE, min_size=1, max_size=5))
def test_any_typed_lines_read_back_as_the_same_lines(lines: list[str]) -> None:
    # As build_card lays out a section: a blank line between lines, so Teams keeps them apart.
    words, tags = rendered("\n\n".join(markdown_literal(line) for line in lines))
    assert tags == {"p"} and words.split("\n") == lines


def test_a_notice_to_the_lead_shows_its_text_as_typed(tmp_path: Path) -> None:
    """Nudges and parked-delivery notices carry titles and drafts people typed."""
    from world_build import build_world

    from comms_assistant.service.lead_notices import enqueue_notice

    start = datetime(2026, 11, 23, 10, tzinfo=UTC)
    world = build_world(tmp_path / "home", start, plain_english_check=False)

    hostile = "Apply [is down](https://evil.example/) **now**"
    assert world.run(f"open {hostile} p3 impact: Candidates wait").ok
    with world.app.unit_of_work() as uow:
        incident = uow.incidents.open()[0]
        made = enqueue_notice(
            uow,
            incident,
            key="lead:card:test",
            title=incident.title,
            paragraphs=["- a line that would be a list", "1. and a numbered one"],
            now=world.clock(),
        )
        card = made.payload["card"]
    assert validate_card(card) == []
    # The one tag is ours: the @mention of the lead (its entity names whom).
    [mention] = [e["text"] for e in card["msteams"]["entities"]]
    for text in card_texts(card):
        words, tags = rendered(text.replace(mention, "Someone"))
        assert tags <= PLAIN_TAGS, (text, tags)
    assert seen(card_texts(card)[0]).endswith(hostile)
