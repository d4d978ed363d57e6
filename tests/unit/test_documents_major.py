"""The documents over in-memory fakes: the comms sent in the report, and for a P1 the Major
Incident report made at closing, with the review's lessons added when the review is filed."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import docx
from docx.oxml.ns import qn
from docx.table import Table
from world import World

from comms_assistant.adapters.sql import outbox
from comms_assistant.adapters.word.fields import show_time
from comms_assistant.adapters.word.read import read_comms, read_fields, read_timeline
from comms_assistant.word_templates import publish_templates

FOLDER = "Incident reports/2026-11-23 INC-2026-0001 Apply for teacher training is down"
MAJOR = f"{FOLDER} - major incident report.docx"
REVIEW = f"{FOLDER} - incident review.docx"
OPEN_P1 = (
    "open Apply for teacher training is down p1 impact: No candidate can submit an application "
    "services: apply"
)
OPEN_P2 = OPEN_P1.replace(" p1 ", " p2 ")
# Whom a P2 on "apply" reaches in tests/unit/data's contacts, as the appendix says it.
TOLD_AT_P2 = (
    "Incidents channel; 4 people by email; 3 Teams chats; Support desk channel (Incident response)"
)
# A row people add to "Communications sent" themselves.
CALL = ["10:05", "Service desk briefed by phone", "Service desk", "Phone"]


def lesson_links(document: bytes) -> list[tuple[str, str]]:
    """Each link in the lessons learnt: (the text a reader sees, the address it opens)."""
    doc = docx.Document(io.BytesIO(document))
    links = doc.element.body.xpath(".//w:sdt[w:sdtPr/w:tag/@w:val='ca:lessons']//w:hyperlink")
    return [
        (
            "".join(t.text for t in link.iter(qn("w:t"))),
            doc.part.rels[link.get(qn("r:id"))].target_ref,
        )
        for link in links
    ]


def publish_major_template(world: World) -> None:
    name = world.app.settings.major_incident_template
    world.documents.put(f"Templates/{name}", (world.app.templates_dir / "word" / name).read_bytes())


def test_the_report_lists_each_message_once_it_has_gone(world: World) -> None:
    world.run(OPEN_P2)
    world.deliver()
    report = world.documents.content(world.report_path())
    heading, *sent = read_comms(report)
    assert heading == (None, ["Sent at", "Message", "To", "By"])
    comms = [r for r in world.outbox() if r.kind in ("mail", "teams.card")]
    emailed = {b["email"] for r in comms if r.kind == "mail" for b in r.payload["bcc"]}
    cards = [r.payload.get("to", "") for r in comms if r.kind == "teams.card"]
    chats = [to for to in cards if to.startswith("chat:")]
    channels = [to for to in cards if to.startswith("channel:")]
    assert (len(comms), len(emailed), len(chats), len(channels)) == (6, 4, 3, 1)
    # One row for the message, however many emails and cards carried it: the incidents
    # channel, the people by email, each person's own chat and a team's channel.
    when = show_time(world.clock(), world.app.tz)
    assert sent == [(comms[0].id, [when, "New incident", TOLD_AT_P2, "Email, Teams"])]
    # The refresh a message causes sends nothing, so it ends: nothing more is due.
    assert world.deliver() == 0
    syncs = [r for r in world.outbox() if r.kind == "report.sync"]
    assert 2 <= len(syncs) <= 3 and all(r.status == outbox.DONE for r in syncs)


def test_a_message_that_fails_is_not_listed_as_sent(world: World) -> None:
    from comms_assistant.service.ports import DeliveryError

    world.mailer.faults.before["send"].append(DeliveryError("bad address", retryable=False))
    world.run(OPEN_P2)
    world.deliver()
    ((_, (_, message, to, by)),) = read_comms(world.documents.content(world.report_path()))[1:]
    assert (message, by) == ("New incident", "Teams") and "email" not in to


def test_a_message_none_of_whose_deliveries_went_is_not_listed(world: World) -> None:
    from comms_assistant.service.ports import DeliveryError

    world.mailer.faults.before["send"].append(DeliveryError("bad address", retryable=False))
    world.teams.faults.before["post_card"].append(DeliveryError("refused", retryable=False))
    world.teams.faults.before["post_direct"] += [DeliveryError("refused", retryable=False)] * 4
    world.run(OPEN_P2)
    world.deliver()
    assert {r.status for r in world.outbox() if r.kind in ("mail", "teams.card")} == {outbox.FAILED}
    assert read_comms(world.documents.content(world.report_path())) == [
        (None, ["Sent at", "Message", "To", "By"])
    ]


def test_a_whole_incident_gives_one_row_per_message_in_order(world: World) -> None:
    publish_major_template(world)
    steps = [
        OPEN_P2,
        "update Candidates still cannot submit applications. We are moving to the standby "
        "database.",
        "priority p1 Every candidate is affected",
        "priority p2 Only some candidates are affected now",
        "holding",
        "close Restored the connection",
    ]
    for step in steps:
        assert world.run(step).ok, step
        world.clock.advance(minutes=10)
        world.deliver()
    world.clock.advance(minutes=10)
    world.deliver()

    def at(minutes: int) -> str:
        return show_time(
            datetime(2026, 11, 23, 10, tzinfo=UTC) + timedelta(minutes=minutes), world.app.tz
        )

    first = TOLD_AT_P2
    later = first.replace("4 people", "10 people").replace("3 Teams", "5 Teams")
    both = "Email, Teams"
    # The reader sees which message, its number, whom it reached and how: one row each.
    expected = [
        [at(10), "New incident", first, both],
        [at(20), "Update 1", first, both],
        [at(30), "Update 2, priority raised to P1", first, both],
        # Raising it to P1 told more people: they had what happened so far.
        [at(30), "Catch-up for people told later", "5 people by email; 2 Teams chats", both],
        [at(30), "Major Incident notification", "1 person by email", "Email"],
        [at(40), "Update 3, priority lowered to P2", later, both],
        [at(50), "Update 4, no change yet", later, both],
        [at(60), "Resolved", later, both],
        [at(60), "Major Incident report filed", "1 person by email", "Email"],
    ]
    for document in (world.report_path(), MAJOR):
        sent = read_comms(world.documents.content(document))[1:]
        assert [cells for _, cells in sent] == expected, document
        assert [n for n, _ in sent] == list(world.messages_sent())
    deliveries = sum(len(rows) for rows in world.messages_sent().values())
    assert deliveries > 5 * len(expected)  # the rows a per-delivery list had


def test_chats_that_go_later_update_their_messages_row(world: World) -> None:
    from comms_assistant.service.ports import DeliveryError

    # Two of the four other Teams destinations are busy at first, and the email with them.
    world.teams.faults.before["post_direct"] += [DeliveryError("503 from Teams")] * 2
    world.mailer.faults.before["send"].append(DeliveryError("503 from Outlook"))
    world.run(OPEN_P2)
    world.deliver()
    path = world.report_path()
    ((number, cells),) = read_comms(world.documents.content(path))[1:]
    half = "Incidents channel; 1 Teams chat; Support desk channel (Incident response)"
    assert cells[1:] == ["New incident", half, "Teams"]
    # People add a row of their own after it: a call the service desk made.
    person_adds_a_row(world, path, CALL)

    world.clock.advance(minutes=5)
    world.deliver()
    # The same row, refreshed in place: no second row for the deliveries that went later.
    rows = read_comms(world.documents.content(path))[1:]
    assert rows == [
        (number, [cells[0], "New incident", TOLD_AT_P2, "Email, Teams"]),
        (None, CALL),
    ]
    assert [number] == list(world.messages_sent())
    assert all(r.status == outbox.DONE for r in world.outbox())
    # The next message comes after the people's row, which stays as they wrote it.
    world.run("holding")
    world.deliver()
    rows = read_comms(world.documents.content(path))[1:]
    assert [(n is None, cells[1]) for n, cells in rows] == [
        (False, "New incident"), (True, "Service desk briefed by phone"),
        (False, "Update 1, no change yet"),
    ]  # fmt: skip


def test_a_security_incidents_appendix_counts_people_and_names_nobody(world: World) -> None:
    publish_major_template(world)
    assert world.run(f"{OPEN_P1} security: yes").ok
    assert world.run("close Changed the leaked password").ok
    world.deliver()
    filed = [p for p in world.documents.files if p.startswith("Security incident reports/")]
    assert len(filed) == 2  # the running report and the Major Incident report
    for path in filed:
        sent = read_comms(world.documents.content(path))[1:]
        # The security contacts, and the comms lead, who declared it and so leads it.
        assert [cells[1:] for _, cells in sent] == [
            ["New incident", "3 people by email; 1 Teams chat", "Email, Teams"],
            ["Major Incident notification", "1 person by email", "Email"],
            ["Resolved", "3 people by email; 1 Teams chat", "Email, Teams"],
            ["Resolved, restricted version for the central team", "1 person by email", "Email"],
            ["Major Incident report filed", "1 person by email", "Email"],
        ], path


def person_adds_a_row(world: World, path: str, cells: list[str]) -> None:
    document = docx.Document(io.BytesIO(world.documents.content(path)))
    (tbl,) = document.element.body.xpath(".//w:sdt[w:sdtPr/w:tag/@w:val='ca:comms']//w:tbl")
    row = Table(tbl, document._body).add_row()
    for cell, text in zip(row.cells, cells, strict=True):
        cell.text = text
    out = io.BytesIO()
    document.save(out)
    world.documents.put(path, out.getvalue())


def test_closing_a_p1_files_the_major_incident_report_and_links_it(world: World) -> None:
    publish_major_template(world)
    world.run(OPEN_P1)
    world.run("log Failed over to the standby database")
    reply = world.run("close Restored the connection to the applications database")
    assert reply.ok
    assert f"Major Incident report for the central team: {MAJOR}" in reply.text
    world.clock.advance(minutes=90)
    world.deliver()

    major = world.documents.content(MAJOR)
    fields = read_fields(major)
    assert fields["priority"] == "P1" and fields["status"] == "Resolved"
    assert fields["resolution"] == "Restored the connection to the applications database"
    assert fields["resolved_at"] == "10am GMT on 23 November 2026"
    assert fields["what_happened"].startswith(
        "On Monday 23 November 2026 we had an incident: Apply for teacher training is down. "
    )
    assert "\nWe declared it P1 at 10am UK time and it stayed P1.\n" in fields["what_happened"]
    assert "No candidate can submit an application." in fields["what_happened"]
    assert fields["lessons"] == "Added from the incident review when it is filed."
    assert [seq for seq, _ in read_timeline(major)[1:]] == [1, 2, 3]
    # Every message, the resolution notice included, whenever it went out: one row each.
    sent = read_comms(major)[1:]
    assert [n for n, _ in sent] == list(world.messages_sent())
    assert [cells[1] for _, cells in sent] == [
        "New incident", "Major Incident notification", "Resolved", "Major Incident report filed"
    ]  # fmt: skip


def test_review_adds_the_recommendations_to_the_major_incident_report(world: World) -> None:
    publish_major_template(world)
    world.run(OPEN_P1)
    world.run("close Restored the connection")
    world.deliver()
    # The review team fills in the review as soon as it appears (standing in for the days a
    # real review takes), before the lessons are copied across.
    create = world.documents.create

    async def review_team_writes(folder: str, name: str, content: bytes):
        if name.endswith(" - incident review.docx"):
            document = docx.Document(io.BytesIO(content))
            (tbl,) = document.element.body.xpath(
                ".//w:sdt[w:sdtPr/w:tag/@w:val='ca:recommendations']//w:tbl"
            )
            rows = Table(tbl, document._body).rows
            written = ("Alert on failed connections", "Sam", "1 Dec")
            for cell, text in zip(rows[1].cells, written, strict=True):
                cell.text = text
            out = io.BytesIO()
            document.save(out)
            content = out.getvalue()
        return await create(folder, name, content)

    world.documents.create = review_team_writes
    reply = world.run("review")
    assert "lessons learnt" in reply.text
    world.deliver()

    review_url = world.documents.files[REVIEW].item().web_url
    lessons = read_fields(world.documents.content(MAJOR))["lessons"]
    review_name = REVIEW.split("/", 1)[1].removesuffix(".docx")
    assert lessons.splitlines() == [
        f"From the incident review, {review_name} (to change these, change them in the review):",
        "\u2022 Alert on failed connections (owner Sam, due 1 Dec)",
    ]
    # The review's name is the link to it: no raw address (with its %20s) in the text.
    assert lesson_links(world.documents.content(MAJOR)) == [(review_name, review_url)]
    assert read_fields(world.documents.content(MAJOR))["status"] == "Closed"
    assert all(r.status == outbox.DONE for r in world.outbox())


def closed_p1_lessons(world: World) -> tuple[docx.document.Document, Any]:
    """A P1 closed, its Major Incident report filed: the report and its lessons' content."""
    publish_major_template(world)
    world.run(OPEN_P1)
    world.run("close Restored the connection")
    world.deliver()
    document = docx.Document(io.BytesIO(world.documents.content(MAJOR)))
    (content,) = document.element.body.xpath(
        ".//w:sdt[w:sdtPr/w:tag/@w:val='ca:lessons']/w:sdtContent"
    )
    return document, content


def test_lessons_people_wrote_first_are_kept_and_ours_follow(world: World) -> None:
    document, content = closed_p1_lessons(world)
    next(content.iter(qn("w:t"))).text = "Ours: test the failover every quarter."
    out = io.BytesIO()
    document.save(out)
    world.documents.put(MAJOR, out.getvalue())
    world.run("review")
    world.deliver()
    lessons = read_fields(world.documents.content(MAJOR))["lessons"].splitlines()
    assert lessons[0] == "Ours: test the failover every quarter."
    assert lessons[1].startswith("From the incident review,")
    assert lessons[2].startswith("The review has no recommendations yet.")


def test_a_p2_gets_no_major_incident_report(world: World) -> None:
    # One that was P1 at some point gets one: tests/unit/test_major_promise.py.
    publish_major_template(world)
    world.run(OPEN_P2)
    world.run("priority p3 Only one provider is affected")
    reply = world.run("close Restored the connection")
    assert "Major Incident" not in reply.text
    world.run("review")
    world.deliver()
    assert not any("major incident" in p for p in world.documents.files)
    made = {"report.sync", "review.file", "mail", "teams.card", "teams.refresh", "register.item"}
    # Closing books the review meeting; filing the review puts its link in the invitation.
    meeting = {"meeting.review", "meeting.change"}
    assert {r.kind for r in world.outbox()} <= made | meeting


def test_a_missing_major_incident_template_fails_with_what_to_do(world: World) -> None:
    world.run(OPEN_P1)
    world.run("close Restored the connection")
    world.deliver()
    failed = [r for r in world.outbox() if r.status == outbox.FAILED]
    assert [r.kind for r in failed] == ["major.file"]
    assert "Major incident report template.docx is missing" in failed[0].last_error
    assert "templates publish" in failed[0].last_error


def test_templates_publish_uploads_all_four(world: World) -> None:
    from fakes import FakeDocuments

    documents = FakeDocuments()
    uploaded = asyncio.run(publish_templates(world.app, documents, only_missing=True))
    assert uploaded == [
        "Templates/Incident report template.docx",
        "Templates/Incident review template.docx",
        "Templates/Major incident report template.docx",
        "Templates/Board report template.docx",
    ]
    assert asyncio.run(publish_templates(world.app, documents, only_missing=True)) == []
