import json
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from jinja2 import UndefinedError
from teams_markdown import seen

from comms_assistant.adapters.card_rules import MAX_BYTES, validate_card
from comms_assistant.adapters.contacts import load_directory
from comms_assistant.adapters.render import SHORTENED, Renderer, card_size, fit_card
from comms_assistant.adapters.render_text import CUT_NOTE
from comms_assistant.domain.incident import (
    EntryKind,
    Incident,
    Priority,
    Role,
    Status,
    TimelineEntry,
)
from comms_assistant.domain.messages import MessageKind

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 7, 14, 12, 5, tzinfo=UTC)  # 1:05pm in London (summer time)
HEADINGS = ("What is happening", "What we are doing", "What you need to do", "Next update")
UPDATE = "Candidates still cannot send applications. Their drafts are safe."
REPORT = "https://example.sharepoint.com/sites/incidents/Documents/report.docx"


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(None, LONDON, service_names=load_directory(None).service_names())


ADVICE = "Ask candidates to save their answers and try again after 3pm"


def declare(title: str = "Apply for teacher training is down", advice: str = ADVICE) -> Incident:
    incident = Incident.declare(
        reference="INC-2026-0003",
        title=title,
        priority=Priority.P2,
        impact="Candidates cannot send applications. They can still sign in and save drafts.",
        services=("apply",),
        who="rowan.hale@example.org",
        now=NOW,
        advice=advice,
    )
    incident.assign(Role.COMMS_LEAD, "nadia.farrow@example.org", who="x", now=NOW)
    return incident


def entry_for(kind: MessageKind, incident: Incident) -> TimelineEntry:
    later = NOW + timedelta(minutes=40)
    if kind is MessageKind.OPENED:
        return incident.timeline[0]
    if kind is MessageKind.UPDATE:
        return incident.post_update(UPDATE, who="x", now=later)
    if kind is MessageKind.PRIORITY:
        return incident.change_priority(
            Priority.P1, who="x", now=later, reason="schools cannot register trainees either"
        )
    return incident.resolve("we restored the application form", who="x", now=later)


def render(
    renderer: Renderer,
    kind: MessageKind,
    title: str = "Apply for teacher training is down",
    advice: str = ADVICE,
):
    incident = declare(title, advice)
    entry = entry_for(kind, incident)
    next_by = None if kind is MessageKind.RESOLVED else entry.at + timedelta(hours=1)
    mail = renderer.mail(kind, incident, entry, update_number=2, next_update_by=next_by)
    card = renderer.card(
        kind, incident, entry, next_update_by=next_by, report_url=REPORT, update_number=2
    )
    return mail, card


class WellFormed(HTMLParser):
    VOID = {"meta", "br", "img", "hr", "link", "input"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.errors: list[str] = []
        self.tags: list[str] = []
        self.data: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)

    def handle_endtag(self, tag):
        if not self.open or self.open[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
        else:
            self.open.pop()

    def handle_data(self, data):
        self.data.append(data)


def parse(html: str) -> WellFormed:
    parser = WellFormed()
    parser.feed(html)
    parser.close()
    assert parser.errors == [] and parser.open == []
    return parser


@pytest.mark.parametrize("kind", list(MessageKind))
def test_every_kind_renders_the_four_headings_in_both_parts(renderer, kind):
    mail, card = render(renderer, kind)
    parsed = parse(mail.html)
    text = "".join(parsed.data)
    for heading in HEADINGS:
        assert heading in mail.text
        assert heading in text
    assert "Apply for teacher training is down" in mail.subject
    assert "\n" not in mail.subject
    assert validate_card(card) == []


# The resolved message and the central team's notification say what to do themselves.
ADVISED = [k for k in MessageKind if k not in (MessageKind.RESOLVED, MessageKind.MAJOR_INCIDENT)]


@pytest.mark.parametrize("kind", ADVISED)
def test_what_readers_should_do_is_what_the_comms_lead_said_or_nothing_at_all(renderer, kind):
    """Issue 15: canned "Nothing at the moment" stood under updates that told people to act."""
    said, _ = render(renderer, kind, advice=ADVICE)
    assert f"What you need to do\n{ADVICE}." in said.text
    assert "Nothing at the moment" not in said.text
    unsaid, card = render(renderer, kind, advice="")
    assert "What you need to do" not in unsaid.text and "Nothing at the moment" not in unsaid.text
    assert "What you need to do" not in json.dumps(card)
    nothing, _ = render(renderer, kind, advice="nothing")
    assert "What you need to do\nNothing at the moment." in nothing.text


def test_subjects_are_the_same_for_every_message_so_mail_clients_thread_them(renderer):
    subjects = {kind: render(renderer, kind)[0].subject for kind in MessageKind}
    assert set(subjects.values()) == {"INC-2026-0003: Apply for teacher training is down"}


def test_the_update_leads_with_what_people_can_and_cannot_do(renderer):
    mail, _ = render(renderer, MessageKind.UPDATE)
    assert mail.text.index("What is happening\n" + UPDATE) < mail.text.index("What we are doing")
    assert UPDATE in mail.html


def test_the_first_message_leads_with_the_impact_and_promises_the_next_update(renderer):
    mail, _ = render(renderer, MessageKind.OPENED)
    assert "What is happening\nCandidates cannot send applications." in mail.text
    assert "priority 2 (P2)" in mail.text
    assert "By 2:05pm, or sooner if anything changes." in mail.text  # London time
    assert "Apply for teacher training" in mail.text  # the service's name, not its key


def test_a_priority_change_says_why(renderer):
    mail, _ = render(renderer, MessageKind.PRIORITY)
    assert "more urgent: it is now priority 1 (P1), up from P2." in mail.text
    assert "Schools cannot register trainees either." in mail.text


def test_the_resolution_says_it_is_fixed_and_is_the_last_update(renderer):
    mail, card = render(renderer, MessageKind.RESOLVED)
    assert "This is now fixed (since 1:45pm)." in mail.text
    assert "We restored the application form." in mail.text
    assert "This is the last update about this incident." in mail.text
    # Issue 15: the state comes first, in the email's heading (its inbox preview) and the card's
    # title, where it said "...is down" before.
    assert mail.text.startswith("Resolved: Apply for teacher training is down\n")
    assert seen(card["body"][1]["text"]) == "Resolved: Apply for teacher training is down"


def test_a_day_away_next_update_names_the_day(renderer):
    incident = declare()
    entry = entry_for(MessageKind.UPDATE, incident)
    mail = renderer.mail(
        MessageKind.UPDATE, incident, entry, update_number=1, next_update_by=NOW + timedelta(days=2)
    )
    assert "By 1:05pm on Thursday 16 July" in mail.text


def test_no_scheduled_update_promises_news_on_change(renderer):
    incident = declare()
    entry = entry_for(MessageKind.UPDATE, incident)
    mail = renderer.mail(MessageKind.UPDATE, incident, entry, update_number=1, next_update_by=None)
    assert "We will tell you when anything changes." in mail.text


def test_a_script_in_the_title_is_shown_as_text(renderer):
    title = "Apply <script>alert(1)</script>"
    mail, card = render(renderer, MessageKind.UPDATE, title)
    parsed = parse(mail.html)
    assert "script" not in parsed.tags
    assert "<script" not in mail.html.lower()
    assert "&lt;script&gt;" in mail.html
    assert title in mail.text  # plain text is not HTML: nothing to escape
    # Teams' Markdown shows it as typed, after where things stand.
    assert seen(card["body"][1]["text"]) == f"Update 2: {title}"


def test_newlines_in_user_text_become_safe_line_breaks(renderer):
    incident = declare()
    incident.status = Status.IDENTIFIED
    text = "Candidates cannot <b>send</b> applications.\nDrafts are safe & sound."
    entry = TimelineEntry(9, NOW, "x", EntryKind.UPDATE, text)
    mail = renderer.mail(MessageKind.UPDATE, incident, entry, update_number=1, next_update_by=None)
    parse(mail.html)
    assert (
        "Candidates cannot &lt;b&gt;send&lt;/b&gt; applications.<br>\nDrafts are safe &amp; sound."
    ) in mail.html
    assert text in mail.text
    assert "We have found the cause and are fixing it." in mail.text


def test_a_newline_in_the_title_cannot_break_the_subject_line(renderer):
    incident = declare()
    incident.title = "Apply is down\r\nBcc: everyone@example.org"
    mail = renderer.mail(
        MessageKind.OPENED, incident, incident.timeline[0], update_number=0, next_update_by=None
    )
    assert "\n" not in mail.subject and "\r" not in mail.subject


@pytest.mark.parametrize("kind", list(MessageKind))
def test_every_card_follows_the_teams_rules(renderer, kind):
    _, card = render(renderer, kind)
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert card["version"] == "1.5"
    assert all(b["wrap"] is True for b in card["body"] if b["type"] == "TextBlock")
    (facts,) = [b["facts"] for b in card["body"] if b["type"] == "FactSet"]
    titles = [f["title"] for f in facts]
    assert {"Priority", "Status", "Services", "Comms lead", "Next update"} <= set(titles)
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "title": "Open the incident report", "url": REPORT}
    ]


def test_a_card_without_a_web_address_has_no_action(renderer):
    incident = declare()
    for url in (None, "", "javascript:alert(1)"):
        card = renderer.card(
            MessageKind.OPENED, incident, incident.timeline[0], next_update_by=None, report_url=url
        )
        assert "actions" not in card
        assert validate_card(card) == []


def test_a_hostile_title_round_trips_through_json(renderer):
    title = 'He said "hi" {{ title }} ${x} {"a": 1} \\ </script><!-- \u2028 end'
    _, card = render(renderer, MessageKind.UPDATE, title)
    again = json.loads(json.dumps(card))
    assert seen(again["body"][1]["text"]).endswith(": " + " ".join(title.split()))
    assert validate_card(again) == []


def test_a_long_update_is_bounded_with_a_note_in_the_email_and_the_card(renderer):
    incident = declare()
    long_text = " ".join(["Candidates cannot send applications to their chosen providers."] * 800)
    entry = incident.post_update(long_text, who="x", now=NOW + timedelta(minutes=5))
    card = renderer.card(MessageKind.UPDATE, incident, entry, next_update_by=None)
    assert card_size(card) < MAX_BYTES
    assert validate_card(card) == []
    assert any(CUT_NOTE in b["text"] for b in card["body"] if b["type"] == "TextBlock")
    mail = renderer.mail(MessageKind.UPDATE, incident, entry, update_number=1, next_update_by=None)
    assert long_text not in mail.text and long_text[:1500] in mail.text
    assert CUT_NOTE in mail.text and len(mail.text) < 4000


def test_a_long_title_is_bounded_in_the_subject_and_the_card(renderer):
    _, card = render(renderer, MessageKind.OPENED, "Apply is down " * 40)
    mail, _ = render(renderer, MessageKind.OPENED, "Apply is down " * 40)
    assert CUT_NOTE in mail.subject and len(mail.subject) < 250
    assert card["body"][1]["text"].endswith(CUT_NOTE)


def test_a_card_too_big_for_teams_is_shortened_with_a_note():
    huge = {"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": "word " * 20000}]}
    fitted = fit_card(huge, 20 * 1024)
    assert card_size(fitted) <= 20 * 1024
    assert fitted["body"][0]["text"].endswith(SHORTENED)


def test_an_organisation_can_replace_one_template(tmp_path):
    (tmp_path / "mail").mkdir()
    (tmp_path / "mail" / "subject.txt").write_text("Incident {{ reference }}: {{ title }}\n")
    renderer = Renderer(tmp_path, LONDON)
    mail, _ = render(renderer, MessageKind.UPDATE)
    assert mail.subject == "Incident INC-2026-0003: Apply for teacher training is down"
    assert "What is happening" in mail.text  # the rest come from the defaults


def test_a_misspelt_variable_is_an_error_not_a_blank(tmp_path):
    (tmp_path / "mail").mkdir()
    (tmp_path / "mail" / "subject.txt").write_text("{{ refrence }}")
    with pytest.raises(UndefinedError, match="refrence"):
        render(Renderer(tmp_path, LONDON), MessageKind.UPDATE)


def test_a_missing_templates_folder_is_reported(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        Renderer(tmp_path / "nowhere", LONDON)


def minimal_card(**extra) -> dict:
    card = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "body": [{"type": "TextBlock", "text": "Hello", "wrap": True}],
    }
    card.update(extra)
    return card


def test_validate_card_accepts_the_element_types_we_use():
    body = [
        {"type": "Container", "style": "emphasis", "items": [{"type": "TextBlock", "text": "x"}]},
        {
            "type": "ColumnSet",
            "columns": [
                {"type": "Column", "width": "auto", "items": [{"type": "Image", "url": REPORT}]}
            ],
        },
        {"type": "FactSet", "facts": [{"title": "Priority", "value": "P1"}]},
    ]
    assert validate_card(minimal_card(body=body)) == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"version": "1.6"}, "version: 1.6 is newer"),
        ({"$schema": "https://example.org"}, "$schema: must be"),
        ({"type": "MessageCard"}, 'type: must be "AdaptiveCard"'),
        ({"colour": "red"}, "colour: is not a property"),
        ({"body": [{"type": "TextBlock", "wrap": True}]}, "body[0].text: is required"),
        ({"body": [{"type": "TextBlock", "text": 3}]}, "body[0].text: must be text"),
        ({"body": [{"type": "TextBlock", "text": "x", "font": "big"}]}, "body[0].font"),
        ({"body": [{"type": "TextBlock", "text": "x", "size": "Huge"}]}, "body[0].size"),
        ({"body": [{"type": "Input.Date"}]}, "'Input.Date' is not a known element"),
        ({"body": [{"type": "Input.Text"}]}, "body[0].id: is required"),
        ({"body": [{"type": "FactSet", "facts": [{"title": "a"}]}]}, "facts[0].value"),
        ({"body": [{"type": "FactSet", "facts": [{"title": "a", "value": 1}]}]}, "must be text"),
        ({"body": [{"type": "Container"}]}, "body[0].items: is required"),
        ({"body": [{"type": "ColumnSet"}]}, "body[0].columns: is required"),
        ({"body": [{"type": "Image"}]}, "body[0].url: is required"),
        ({"actions": [{"type": "Action.OpenUrl", "url": REPORT}]}, "actions[0].title"),
        ({"actions": [{"type": "Action.OpenUrl", "title": "x", "url": "ftp://x"}]}, "http"),
        ({"actions": [{"type": "Action.Http", "title": "x"}]}, "not a known action"),
        ({"body": [{"type": "TextBlock", "text": "x" * 30_000}]}, "Teams accepts at most"),
    ],
)
def test_validate_card_reports_what_teams_refuses(change, problem):
    problems = validate_card(minimal_card(**change))
    assert any(problem in p for p in problems), problems


def test_validate_card_reports_a_missing_version_once():
    card = minimal_card()
    del card["version"]
    assert validate_card(card) == ["version: is required"]
