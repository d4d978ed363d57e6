"""The message that the Major Incident report is filed, made from templates/mail/report_filed.txt:
what people typed is shown as typed in the HTML, the plain text and the card; an organisation
can word it differently; a broken template stops the announcement and says why."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from mail_html import blocks_in, parsed
from teams_markdown import PLAIN_TAGS, rendered
from test_major_promise import CENTRAL, MAJOR, REF, raised_lowered_closed
from world_build import build_world

from comms_assistant.adapters.render_report_filed import ReportFiledMessage, ReportFiledRenderer
from comms_assistant.adapters.sql import outbox
from comms_assistant.domain.incident import Incident, Priority
from comms_assistant.resources import bundled
from comms_assistant.service.ports import OutgoingMail

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
TITLE = "Apply <script>alert(1)</script> is *down* & [slow](https://evil.example)"
NAME = "2026-11-23 INC-2026-0001 <b>_Apply_</b> - major incident report"
URL = "https://example.sharepoint.com/sites/incidents/Shared%20Documents/report.docx?a=1&b=2"
ASK = {"name": "Nadia <i>Farrow</i>", "email": "nadia.farrow@example.org", "role": "who is leading"}


def incident(title: str = TITLE, *, security: bool = False) -> Incident:
    return Incident.declare(
        reference=REF, title=title, priority=Priority.P1, impact="", services=("apply",),
        who="rowan.hale@example.org", now=T0, security=security,
    )  # fmt: skip


def message(
    case: Incident, *, url: str = URL, renderer: ReportFiledRenderer | None = None
) -> ReportFiledMessage:
    return (renderer or ReportFiledRenderer())(
        case,
        subject=REF if case.security else f"{REF}: {case.title}",
        name=NAME,
        url=url,
        ask=ASK,
        marking="OFFICIAL-SENSITIVE" if case.security else "",
    )


def test_what_people_typed_is_shown_as_typed_in_the_html() -> None:
    told = message(incident())
    assert "<script>" not in told.html and "<b>" not in told.html and "<i>" not in told.html
    mail = OutgoingMail("x", "s", told.html, told.text, (), ())
    assert parsed(mail).links == [(NAME, URL), (ASK["name"], f"mailto:{ASK['email']}")]
    heading, first, _, footer = blocks_in(told.html)
    assert heading == "Major incident report filed"
    # The title without its full stop, in brackets; the report's name is the link's text.
    assert first == f"We have filed the major incident report for {REF} ({TITLE}): {NAME}."
    assert footer.endswith(f"Questions: {ASK['name']}, who is leading.")
    assert URL not in " ".join(blocks_in(told.html))  # behind the name, never shown raw


def test_the_plain_text_shows_it_as_typed_with_the_address_after_the_name() -> None:
    told = message(incident())
    assert f"({TITLE}): {NAME} ({URL})." in told.text
    assert f"Questions: {ASK['name']} ({ASK['email']}), who is leading." in told.text


def test_the_card_shows_it_as_typed_and_opens_the_report_from_its_button() -> None:
    told = message(incident())
    texts = [block["text"] for block in told.card["body"]]
    seen = []
    for text in texts:
        words, tags = rendered(text)
        assert tags <= PLAIN_TAGS, text  # no link, no emphasis, no HTML made of what was typed
        seen.append(" ".join(words.split()))
    assert seen[0] == "Major incident report filed"
    assert seen[1] == f"We have filed the major incident report for {REF} ({TITLE}): {NAME}."
    assert seen[-1].endswith(f"Questions: {ASK['name']}, who is leading.")
    assert told.card["actions"] == [{"type": "Action.OpenUrl", "title": NAME, "url": URL}]
    assert told.heading == "Major incident report filed"


def test_the_lessons_learnt_sentence_follows_the_review() -> None:
    case = incident()
    # Written at filing, it may be read after the review is filed: what happens, not a promise
    # of what is still to come ("when the review is filed" read as stale once it was).
    open_words = (
        "When the incident review is filed, we add its lessons learnt to the report, and update "
        "them if the review's recommendations change."
    )
    assert open_words in message(case).text
    case.resolve("Restarted it", who="x", now=T0)
    assert open_words in message(case).text
    case.file_review(who="x", now=T0)
    assert (
        "The incident review is filed: we are adding its lessons learnt to the report now, and "
        "will update them if the review's recommendations change."
    ) in message(case).text


def test_a_security_incident_has_no_title_link_or_button_and_its_marking_first() -> None:
    told = message(incident(security=True))
    assert "Apply" not in told.html + told.text + str(told.card)
    assert URL not in told.html + told.text + str(told.card) and "actions" not in told.card
    assert blocks_in(told.html)[:2] == ["OFFICIAL-SENSITIVE", "Major incident report filed"]
    assert told.text.startswith("OFFICIAL-SENSITIVE\nMajor incident report filed\n\n")
    assert told.card["body"][0]["text"] == "OFFICIAL-SENSITIVE"
    assert "Questions" not in told.text  # whom to ask is in the message itself


def test_an_address_that_is_not_a_web_page_is_not_linked() -> None:
    told = message(incident("Apply is down"), url="javascript:alert(1)")
    assert "javascript" not in told.html + told.text + str(told.card)
    assert "actions" not in told.card
    assert f"(Apply is down): {NAME}." in told.text


def test_an_organisation_words_it_its_own_way(tmp_path: Path) -> None:
    (tmp_path / "mail").mkdir()
    (tmp_path / "mail" / "report_filed.txt").write_text(
        "The report on {{ reference }} is ready: {{ link(report_name, report_url) }}.\n"
    )
    told = message(incident(), renderer=ReportFiledRenderer(tmp_path))
    assert blocks_in(told.html)[1] == f"The report on {REF} is ready: {NAME}."
    # The rest comes from the defaults.
    assert blocks_in(told.html)[0] == "Major incident report filed"
    assert blocks_in(told.html)[2].startswith("You are getting this because")


def test_a_broken_template_stops_the_announcement_says_why_and_it_can_be_sent_again(
    tmp_path: Path,
) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(bundled("templates"), templates)
    words = templates / "mail" / "report_filed.txt"
    good = words.read_text()
    words.write_text("We have filed {{ the_report }}.\n")
    world = build_world(tmp_path / "home", T0, templates_dir=templates)
    raised_lowered_closed(world)
    assert MAJOR in world.documents.files
    (filing,) = [r for r in world.outbox() if r.kind == "major.file"]
    assert filing.status == outbox.FAILED
    assert "message telling the central team could not be made" in filing.last_error
    assert "the_report" in filing.last_error
    # The lead is told why, and what to do once it is put right.
    (notice,) = [c for c in world.teams.posted if "could not be made" in c.summary]
    assert "the central team could not be made" in str(notice.card)
    assert "deliver --failed" in str(notice.card)
    assert not [m for m in world.mailer.sent if ":major-report:" in m.delivery_id]

    words.write_text(good)
    assert outbox.retry_failed(world.app.engine, now=world.clock()) == [filing.id]
    world.deliver()
    (told,) = [m for m in world.mailer.sent if ":major-report:" in m.delivery_id]
    assert CENTRAL in {r.email for r in told.bcc}
    assert all(r.status == outbox.DONE for r in world.outbox())
