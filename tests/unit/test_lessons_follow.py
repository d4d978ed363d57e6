"""Lessons learnt follow the review: people change the review's recommendations after it is
filed, and the Major Incident report's copy follows (on the worker's look at the review's
eTag, or on `lessons`), never touching what people wrote in the Major Incident report."""

from __future__ import annotations

import asyncio
import io

import docx
from docx.oxml.ns import qn
from docx.table import Table
from test_documents_major import (
    MAJOR,
    OPEN_P1,
    OPEN_P2,
    REVIEW,
    closed_p1_lessons,
    publish_major_template,
)
from world import World

from comms_assistant.adapters.sql import outbox
from comms_assistant.adapters.word.read import read_fields
from comms_assistant.service.lessons_watch import LOOK_EVERY, LessonsWatch

REVIEW_NAME = REVIEW.split("/", 1)[1].removesuffix(".docx")


def write_recommendations(world: World, *rows: tuple[str, str, str]) -> None:
    """The review team writes in the filed review (in Word, online): a new version of it."""
    document = docx.Document(io.BytesIO(world.documents.content(REVIEW)))
    (tbl,) = document.element.body.xpath(
        ".//w:sdt[w:sdtPr/w:tag/@w:val='ca:recommendations']//w:tbl"
    )
    table = Table(tbl, document._body)
    while len(table.rows) < len(rows) + 1:
        table.add_row()
    for row, written in zip(table.rows[1:], rows, strict=False):
        for cell, text in zip(row.cells, written, strict=True):
            cell.text = text
    out = io.BytesIO()
    document.save(out)
    world.documents.put(REVIEW, out.getvalue())


def lessons(world: World) -> list[str]:
    return read_fields(world.documents.content(MAJOR))["lessons"].splitlines()


def reviewed_major(world: World) -> LessonsWatch:
    publish_major_template(world)
    world.run(OPEN_P1)
    world.run("close Restored the connection")
    world.deliver()
    assert world.run("review").ok
    world.deliver()
    return world.app.lessons_watch(world.dispatcher.reports)


def look(world: World, watch: LessonsWatch) -> list[str]:
    world.clock.advance(seconds=LOOK_EVERY.total_seconds())
    done = asyncio.run(watch.run())
    world.deliver()
    return done


def people_write_in_the_major_report(world: World, text: str) -> None:
    document = docx.Document(io.BytesIO(world.documents.content(MAJOR)))
    (content,) = document.element.body.xpath(
        ".//w:sdt[w:sdtPr/w:tag/@w:val='ca:lessons']/w:sdtContent"
    )
    p = content.makeelement(qn("w:p"), {})
    r = p.makeelement(qn("w:r"), {})
    t = r.makeelement(qn("w:t"), {})
    t.text = text
    r.append(t)
    p.append(r)
    content.insert(0, p)
    out = io.BytesIO()
    document.save(out)
    world.documents.put(MAJOR, out.getvalue())


def test_changed_recommendations_replace_the_copy_and_keep_what_people_wrote(
    world: World,
) -> None:
    watch = reviewed_major(world)
    assert lessons(world)[1].startswith("The review has no recommendations yet.")
    people_write_in_the_major_report(world, "Central team: test the failover every quarter.")

    write_recommendations(world, ("Alert on failed connections", "Sam", "1 Dec"))
    assert look(world, watch) == ["INC-2026-0001: the review changed; copying its lessons again"]
    assert lessons(world) == [
        "Central team: test the failover every quarter.",
        f"From the incident review, {REVIEW_NAME} (to change these, change them in the review):",
        "\u2022 Alert on failed connections (owner Sam, due 1 Dec)",
    ]

    write_recommendations(
        world,
        ("Alert on failed connections within 5 minutes", "Sam", "1 Dec"),
        ("Practise the failover", "Ola", "15 Jan"),
    )
    look(world, watch)
    assert lessons(world)[0] == "Central team: test the failover every quarter."
    assert lessons(world)[2:] == [
        "\u2022 Alert on failed connections within 5 minutes (owner Sam, due 1 Dec)",
        "\u2022 Practise the failover (owner Ola, due 15 Jan)",
    ]
    assert all(r.status == outbox.DONE for r in world.outbox())


def test_the_copy_is_locked_so_an_edit_cannot_be_lost_to_the_next_copy(world: World) -> None:
    reviewed_major(world)
    document = docx.Document(io.BytesIO(world.documents.content(MAJOR)))
    (copy,) = document.element.body.xpath(
        ".//w:sdt[w:sdtPr/w:tag/@w:val='ca:lessons']"
        "//w:sdt[w:sdtPr/w:tag/@w:val='ca:lessons_from_review']"
    )
    assert copy.find(qn("w:sdtPr")).find(qn("w:lock")).get(qn("w:val")) == "sdtContentLocked"


def test_an_unchanged_review_is_not_copied_again(world: World) -> None:
    watch = reviewed_major(world)
    assert look(world, watch) == []  # nothing moved since the first copy
    # The review saved again with the same recommendations (someone fixed a typo elsewhere):
    # looked at, read, and the report left as it is.
    world.documents.put(REVIEW, world.documents.content(REVIEW))
    before = world.documents.files[MAJOR].version
    assert look(world, watch)
    assert world.documents.files[MAJOR].version == before
    copies = [r for r in world.outbox() if r.kind == "major.lessons"]
    assert copies[-1].result["unchanged"] is True
    assert look(world, watch) == []  # and that eTag is now the one copied from


def test_a_look_waits_its_interval_and_a_review_is_followed_for_the_set_days(
    world: World,
) -> None:
    watch = reviewed_major(world)
    write_recommendations(world, ("Alert on failed connections", "Sam", "1 Dec"))
    assert asyncio.run(watch.run())  # the first look is at once
    write_recommendations(world, ("Something else", "Sam", "1 Dec"))
    assert asyncio.run(watch.run()) == []  # too soon after the last look
    world.deliver()
    world.clock.advance(days=world.app.settings.lessons_follow_days, minutes=1)
    assert asyncio.run(watch.run()) == []  # followed for 14 days, no longer
    assert world.app.settings.lessons_follow_days == 14


def test_following_can_be_turned_off(world: World) -> None:
    reviewed_major(world)
    world.app.settings.lessons_follow_days = 0
    watch = world.app.lessons_watch(world.dispatcher.reports)
    write_recommendations(world, ("Alert on failed connections", "Sam", "1 Dec"))
    assert look(world, watch) == []
    assert lessons(world)[1].startswith("The review has no recommendations yet.")


def test_lessons_copies_now_on_request(world: World) -> None:
    reviewed_major(world)
    write_recommendations(world, ("Alert on failed connections", "Sam", "1 Dec"))
    reply = world.run("lessons")
    assert reply.ok, reply.text
    assert reply.text.startswith(f"Copying the recommendations in {REVIEW_NAME} into the Major")
    world.deliver()
    assert lessons(world)[1:] == ["\u2022 Alert on failed connections (owner Sam, due 1 Dec)"]
    assert world.run("lessons").ok  # a second request is a delivery of its own


def test_lessons_says_why_not_when_there_is_nothing_to_copy(world: World) -> None:
    publish_major_template(world)
    assert world.run("lessons").text == "No incident has a review yet: 'lessons' copies from one."
    world.run(OPEN_P1)
    world.run("close Restored the connection")
    world.deliver()
    # Closed, not yet reviewed: named explicitly, as no review exists to pick it by.
    reply = world.run("lessons", incident="INC-2026-0001")
    assert not reply.ok
    assert reply.text.startswith("INC-2026-0001 has no review yet. Send 'review' to file it")
    world.run("review")
    world.run(OPEN_P2)
    world.run("close Fixed")
    world.run("review")
    reply = world.run("lessons")
    assert not reply.ok
    assert reply.text.startswith("INC-2026-0002 has no Major Incident report")
    assert world.run("lessons", incident="INC-2026-0001").ok


def test_a_copy_an_earlier_version_wrote_as_plain_text_is_replaced(world: World) -> None:
    document, content = closed_p1_lessons(world)
    template_p = content.find(qn("w:p"))
    for child in list(content):
        content.remove(child)
    for text in (
        "Ours first.",
        f"From the incident review, {REVIEW_NAME}:",
        "\u2022 An old recommendation",
        "Ours after.",
    ):
        p = docx.oxml.parse_xml(template_p.xml)
        for t in p.iter(qn("w:t")):
            t.text = ""
        p.xpath(".//w:t")[0].text = text
        content.append(p)
    out = io.BytesIO()
    document.save(out)
    world.documents.put(MAJOR, out.getvalue())
    world.run("review")
    world.deliver()
    assert lessons(world) == [
        "Ours first.",
        f"From the incident review, {REVIEW_NAME} (to change these, change them in the review):",
        "The review has no recommendations yet. They are copied here when the review team "
        "writes them in the review.",
        "Ours after.",
    ]
