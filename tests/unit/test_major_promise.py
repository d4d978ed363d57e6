"""Issue 15, points 3 and 7: the review and the Major Incident report tell the priority history
as it happened, and the central team, promised the Major Incident report when it was told of
the incident, gets its link when it is filed, whatever the priority at closing."""

from __future__ import annotations

import io
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import pytest
from docx.oxml.ns import qn
from docx_text import reading_order
from mail_html import blocks_in, parsed
from world import World
from world_build import build_world

from comms_assistant.adapters.sql import outbox, store
from comms_assistant.domain.history import history_of, priority_story
from comms_assistant.domain.incident import Incident, Priority, PriorityChange
from comms_assistant.domain.plain_english import Rule, check
from comms_assistant.service.ports import OutgoingMail

LONDON = ZoneInfo("Europe/London")
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # the world fixture's start
REF = "INC-2026-0001"
FOLDER = f"Incident reports/2026-11-23 {REF} Apply for teacher training is down"
MAJOR = f"{FOLDER} - major incident report.docx"
REVIEW = f"{FOLDER} - incident review.docx"
CENTRAL = "major-incidents@example.org"
OPEN = (
    "open Apply for teacher training is down {p} impact: No candidate can submit an application "
    "services: apply"
)


def publish_major_template(world: World) -> None:
    name = world.app.settings.major_incident_template
    world.documents.put(f"Templates/{name}", (world.app.templates_dir / "word" / name).read_bytes())


def links_in(content: bytes) -> list[tuple[str, str]]:
    """Every hyperlink in the document's body: (the text shown, the address it opens)."""
    document = docx.Document(io.BytesIO(content))
    found = []
    for link in document.element.body.iter(qn("w:hyperlink")):
        target = document.part.rels[link.get(qn("r:id"))].target_ref
        found.append(("".join(t.text or "" for t in link.iter(qn("w:t"))), target))
    return found


def sent_to_central(world: World, key: str) -> list[OutgoingMail]:
    return [
        m
        for m in world.mailer.sent
        if m.delivery_id.startswith(f"{REF}:{key}:mail:") and CENTRAL in {r.email for r in m.bcc}
    ]


def line_with(lines: list[str], start: str) -> str:
    return next(line for line in lines if line.startswith(start))


# The history in words -------------------------------------------------------------------


def changes(*steps: tuple[int, Priority]) -> list[PriorityChange]:
    return [PriorityChange(T0 + timedelta(minutes=m), p) for m, p in steps]


def test_a_priority_never_changed_says_so() -> None:
    story = priority_story(changes((0, Priority.P2)), LONDON)
    assert story == "We declared it P2 at 10:00 GMT and it stayed P2."


def test_raised_then_lowered_says_each_change_its_time_and_the_highest() -> None:
    story = priority_story(changes((0, Priority.P2), (30, Priority.P1), (90, Priority.P2)), LONDON)
    assert story == (
        "We declared it P2 at 10:00 GMT, raised it to P1 at 10:30 GMT and lowered it to P2 at "
        "11:30 GMT. At its highest it was P1."
    )


def test_a_change_on_a_later_day_names_the_day_and_times_follow_the_clocks() -> None:
    summer = datetime(2026, 10, 24, 22, 30, tzinfo=UTC)  # 23:30 BST, the night before GMT
    history = [
        PriorityChange(summer, Priority.P1),
        PriorityChange(summer + timedelta(hours=12), Priority.P3),
    ]
    assert priority_story(history, LONDON) == (
        "We declared it P1 at 23:30 BST and lowered it to P3 at 10:30 GMT on Sunday 25 October. "
        "At its highest it was P1."
    )


def test_a_long_history_is_told_in_sentences_of_a_readable_length() -> None:
    steps = [Priority.P4, Priority.P3, Priority.P2, Priority.P1, Priority.P2, Priority.P3]
    story = priority_story(changes(*((5 * i, p) for i, p in enumerate(steps))), LONDON)
    sentences = [s for s in story.split(". ") if s]
    assert sentences[0].startswith("We declared it P4 at 10:00 GMT, raised it to P3")
    # Three steps of "at 10:15 GMT" make 27 words as the plain-English check counts them.
    assert sentences[1] == "Then we raised it to P1 at 10:15 GMT and lowered it to P2 at 10:20 GMT"
    assert story.endswith("At its highest it was P1.")
    assert not check(story, kind="review").by_rule(Rule.SENTENCE_LENGTH)


def test_an_organisations_names_for_priorities_can_be_used() -> None:
    story = priority_story(
        changes((0, Priority.P2), (5, Priority.P1)), LONDON, label=lambda p: f"Critical ({p.label})"
    )
    assert "raised it to Critical (P1) at 10:05 GMT" in story


def test_an_incident_stored_before_the_history_is_told_from_its_timeline() -> None:
    incident = Incident.declare(
        reference=REF, title="Apply is down", priority=Priority.P1, impact="",
        services=("apply",), who="a@example.org", now=T0,
    )  # fmt: skip
    incident.change_priority(Priority.P2, who="a@example.org", now=T0 + timedelta(minutes=20))
    incident.priority_history = []  # as the row of an incident from before gives it
    assert [(c.at, c.priority) for c in history_of(incident)] == [
        (T0, Priority.P1),
        (T0 + timedelta(minutes=20), Priority.P2),
    ]


# Raised to P1, lowered, closed and reviewed ---------------------------------------------


def raised_lowered_closed(world: World) -> str:
    """Declared P2 at 10:00, raised to P1 at 10:30, lowered to P2 at 11:00, closed at 12:00;
    the reply to `close`."""
    publish_major_template(world)
    assert world.run(OPEN.format(p="p2")).ok
    world.clock.advance(minutes=30)
    assert world.run("priority p1 Every candidate is affected").ok
    world.deliver()
    world.clock.advance(minutes=30)
    assert world.run("priority p2 Only one training provider is affected").ok
    world.deliver()
    world.clock.advance(minutes=60)
    reply = world.run("close Restored the connection to the applications database")
    assert reply.ok, reply.text
    world.deliver()
    return reply.text


# In the documents' draft: a paragraph of its own, the zone named once, in words.
RAISED_AND_LOWERED = (
    "We declared it P2 at 10am UK time, raised it to P1 at 10:30am and lowered it to P2 at "
    "11am. At its highest it was P1."
)


def test_the_documents_tell_the_history_and_keep_the_highest_priority(world: World) -> None:
    close_reply = raised_lowered_closed(world)
    assert f"Major Incident report for the central team: {MAJOR}" in close_reply
    report = reading_order(world.documents.content(world.report_path()))
    assert line_with(report, "Priority |") == "Priority | P2 (was P1 at its highest)"

    major = reading_order(world.documents.content(MAJOR))
    assert line_with(major, "Priority |") == "Priority | P2 (was P1 at its highest)"
    summary = line_with(major, "On Monday 23 November 2026")
    assert summary.startswith(
        "On Monday 23 November 2026 we had an incident: Apply for teacher training is down. "
        "How it affected users: No candidate can submit an application."
    )
    assert major[major.index(summary) + 1] == RAISED_AND_LOWERED

    assert world.run("review").ok
    world.deliver()
    review = reading_order(world.documents.content(REVIEW))
    summary = line_with(review, "On Monday 23 November 2026")
    assert review[review.index(summary) + 1] == RAISED_AND_LOWERED
    assert line_with(review, "Priority |") == "Priority | P2 (was P1 at its highest)"


def test_one_declared_p1_and_lowered_is_said_to_be_declared_p1(world: World) -> None:
    publish_major_template(world)
    assert world.run(OPEN.format(p="p1")).ok
    world.clock.advance(minutes=20)
    assert world.run("priority p2 Only one training provider is affected").ok
    world.clock.advance(minutes=40)
    assert world.run("close Restored the connection").ok
    world.deliver()
    assert world.run("review").ok
    world.deliver()
    for path in (MAJOR, REVIEW):
        text = "\n".join(reading_order(world.documents.content(path)))
        assert (
            "We declared it P1 at 10am UK time and lowered it to P2 at 10:20am. "
            "At its highest it was P1." in text
        ), path
        assert "declared it P2" not in text and "declared a P2" not in text, path


# The promise kept -----------------------------------------------------------------------


def test_a_p1_lowered_and_closed_at_p2_is_reported_and_the_central_team_gets_the_link(
    world: World,
) -> None:
    raised_lowered_closed(world)
    assert MAJOR in world.documents.files
    (notification,) = sent_to_central(world, "major-incident")
    (told,) = sent_to_central(world, "major-report")
    assert {r.email for r in told.bcc} == {CENTRAL}
    # The notification's conversation in Outlook, after the resolution they were sent.
    assert told.subject == notification.subject
    resolved = next(m for m in world.mailer.sent if m.text.startswith("Resolved: "))
    assert world.mailer.sent.index(told) > world.mailer.sent.index(resolved)

    web_url = world.documents.files[MAJOR].item().web_url
    name = MAJOR.split("/", 1)[1].removesuffix(".docx")
    html = parsed(told)
    assert (name, web_url) in html.links
    shown = " ".join("".join(html.text).split())
    assert f"We have filed the major incident report for {REF} " in shown
    assert web_url not in shown  # the address is behind its name, never shown raw
    assert "the central team for major incidents" in shown
    assert f"{name} ({web_url})" in told.text  # the plain-text part, for text-only readers
    # Laid out as every other email: the heading, the words, then why they get it and whom to
    # ask. Closed (not yet reviewed): the lessons learnt come with the review.
    assert '<html lang="en-GB">' in told.html and "max-width:640px" in told.html
    # Its incident lead (whoever declared it leads it), by name when the contacts directory
    # knows them.
    (who,) = [text for text, href in html.links if href == "mailto:comms.lead@example.org"]
    said = [
        "Major incident report filed",
        f"We have filed the major incident report for {REF} (Apply for teacher training is "
        f"down): {name}.",
        "It is the report we said we would send you when the incident was over. It has what "
        "happened, the timeline, how we resolved it and the messages we sent. When the incident "
        "review is filed, we add its lessons learnt to the report, and update them if the "
        "review's recommendations change.",
        "You are getting this because you are the central team for major incidents, and we "
        f"told you about {REF} when it became one. Questions: {who}, who is leading this "
        "incident.",
    ]
    assert blocks_in(told.html) == said
    heading, words, lessons, footer = told.text.strip().split("\n\n")
    # The plain-text part says the same, with the addresses after the names.
    assert [heading, words, lessons] == [said[0], f"{said[1][:-1]} ({web_url}).", said[2]]
    assert footer.startswith(said[3].split(" Questions: ")[0])
    assert footer.endswith("(comms.lead@example.org), who is leading this incident.") or (
        footer.endswith("Questions: comms.lead@example.org, who is leading this incident.")
    )
    # Listed with the other messages in the report's "Communications sent".
    world.deliver()
    report = "\n".join(reading_order(world.documents.content(world.report_path())))
    assert " | Major Incident report filed | 1 person by email | Email\n" in report + "\n"


def test_the_link_is_sent_once_even_when_the_filing_answer_was_lost(world: World) -> None:
    from comms_assistant.service.ports import DeliveryError

    # SharePoint made the report, and the connection dropped before its answer came.
    world.documents.faults.after["create"].append(DeliveryError("connection reset"))
    raised_lowered_closed(world)
    world.clock.advance(minutes=5)
    world.deliver()
    major_row = next(r for r in world.outbox() if r.kind == "major.file")
    assert major_row.status == outbox.DONE and major_row.result["already_filed"]
    (told,) = sent_to_central(world, "major-report")
    assert (
        MAJOR.split("/", 1)[1].removesuffix(".docx"),
        world.documents.files[MAJOR].item().web_url,
    ) in parsed(told).links


def test_a_p2_throughout_is_not_a_major_incident(world: World) -> None:
    publish_major_template(world)
    world.run(OPEN.format(p="p2"))
    reply = world.run("close Restored the connection")
    assert "Major Incident" not in reply.text
    world.run("review")
    world.deliver()
    assert not any("major incident" in p for p in world.documents.files)
    assert not sent_to_central(world, "major-report")


def test_a_security_incident_tells_the_central_team_it_is_filed_but_not_where(
    world: World,
) -> None:
    publish_major_template(world)
    world.run("open Candidate data may have leaked p1 services: apply security: yes")
    world.run("lead gideon.marsh@example.org")
    world.run("close Closed the exposed bucket")
    world.deliver()
    (notification,) = sent_to_central(world, "major-incident")
    (told,) = sent_to_central(world, "major-report")
    assert told.subject == notification.subject
    assert "Candidate data" not in told.subject + told.html + told.text
    shown = " ".join("".join(parsed(told).text).split())
    assert f"We have filed the major incident report for security incident {REF}." in shown
    assert "ask Gideon Marsh, who is leading this incident." in shown
    # No link to a folder they cannot open: only whom to ask.
    assert parsed(told).links == [("Gideon Marsh", "mailto:gideon.marsh@example.org")]
    # The marking first, as on every email about a security incident; whom to ask said once.
    assert blocks_in(told.html) == [
        world.app.settings.security_marking,
        "Major incident report filed",
        f"We have filed the major incident report for security incident {REF}.",
        "It is kept with the security team's documents, which only the people handling "
        "security incidents can open, so this message has no link to it. If you need to see "
        "it, ask Gideon Marsh, who is leading this incident.",
        "Do not share or forward this message.",
        "You are getting this because you are the central team for major incidents, and we "
        f"told you about {REF} when it became one.",
    ]
    assert getattr(told, "sensitivity", "confidential") == "confidential"


def test_an_incident_closed_without_its_report_has_it_filed_at_the_review(world: World) -> None:
    publish_major_template(world)
    world.run(OPEN.format(p="p1"))
    world.run("priority p2 Only one training provider is affected")
    world.run("close Restored the connection")
    # As a version that filed it only for a P1 at closing left it: nothing queued.
    with store.transaction(world.app.engine) as session:
        (filing,) = [r for r in session.query(store.OutboxRow) if r.kind == "major.file"]
        session.delete(filing)
    world.deliver()
    assert MAJOR not in world.documents.files
    reply = world.run("review")
    assert "lessons learnt" in reply.text
    world.deliver()
    assert MAJOR in world.documents.files
    assert all(r.status == outbox.DONE for r in world.outbox())
    (told,) = sent_to_central(world, "major-report")
    # Filed with the review: the lessons learnt are being added now.
    assert (
        "The incident review is filed: we are adding its lessons learnt to the report now, and "
        "will update them if the review's recommendations change." in blocks_in(told.html)[2]
    )


@pytest.fixture
def teams_only_world(tmp_path: Path) -> World:
    """The central team reads Teams only, in a channel of its own."""
    bundled = Path(__file__).resolve().parents[2] / "contacts"
    contacts = tmp_path / "contacts"
    shutil.copytree(bundled, contacts)
    table = contacts / "contacts.csv"
    table.write_text(
        table.read_text().replace(
            "Central Major Incident team,major-incidents@example.org,major incident team,,all,P1,"
            "email",
            "Central Major Incident team,major-incidents@example.org,major incident team,"
            "Major incidents/Notifications,all,P1,teams",
        )
    )
    return build_world(tmp_path / "home", T0, contacts_dir=contacts)


def test_a_central_team_in_teams_gets_the_link_on_a_card(teams_only_world: World) -> None:
    world = teams_only_world
    raised_lowered_closed(world)
    where = "channel:Major incidents/Notifications"
    (card,) = [c for c in world.teams.direct if c.delivery_id.startswith(f"{REF}:major-report:")]
    assert card.destination == where
    assert any(
        c.destination == where for c in world.teams.direct if "major-incident" in c.delivery_id
    )
    (action,) = card.card["actions"]
    assert action["url"] == world.documents.files[MAJOR].item().web_url
    assert action["title"] == MAJOR.split("/", 1)[1].removesuffix(".docx")
    texts = [block["text"] for block in card.card["body"]]
    assert texts[0] == "Major incident report filed"
    assert texts[1].startswith(f"We have filed the major incident report for {REF} (Apply")
    assert texts[-1].startswith("You are getting this because you are the central team")
    assert card.summary == f"{REF}: Major incident report filed"
