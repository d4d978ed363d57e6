"""The documents over in-memory fakes: the comms sent in the report, and for a P1 the Major
Incident report made at closing, with the review's lessons added when the review is filed."""

from __future__ import annotations

import asyncio
import io

import docx
from docx.oxml.ns import qn
from docx.table import Table
from world import World

from comms_assistant.adapters import outbox
from comms_assistant.adapters.word import read_comms, read_fields, read_timeline
from comms_assistant.bootstrap import publish_templates

FOLDER = "Incident reports/2026-11-23 INC-2026-0001 Apply for teacher training is down"
MAJOR = f"{FOLDER} - major incident report.docx"
REVIEW = f"{FOLDER} - incident review.docx"
OPEN_P1 = (
    "open Apply for teacher training is down p1 impact: No candidate can submit an application "
    "services: apply"
)
OPEN_P2 = OPEN_P1.replace(" p1 ", " p2 ")


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
    assert heading == (None, ["Sent at", "Channel", "To", "Subject"])
    comms = [r for r in world.outbox() if r.kind in ("mail", "teams.card")]
    cards = [r for r in comms if r.kind == "teams.card"]

    def cells(r):  # type: ignore[no-untyped-def]
        if r.kind == "mail":
            to = f"{len(r.payload['bcc'])} people (Bcc)"
            return ["23 Nov 2026 10:00 GMT", "Email", to, r.payload["subject"]]
        return ["23 Nov 2026 10:00 GMT", "Teams", r.payload["where"], r.payload["summary"]]

    # Besides the incidents channel, people who read Teams get the card in their own chat.
    assert sent == [(r.id, cells(r)) for r in comms]
    assert sum(c.payload["where"] == "Incidents channel" for c in cards) == 1
    # The refresh a message causes sends nothing, so it ends: nothing more is due.
    assert world.deliver() == 0
    syncs = [r for r in world.outbox() if r.kind == "report.sync"]
    assert 2 <= len(syncs) <= 3 and all(r.status == outbox.DONE for r in syncs)


def test_a_message_that_fails_is_not_listed_as_sent(world: World) -> None:
    from comms_assistant.service.ports import DeliveryError

    world.mailer.faults.before["send"].append(DeliveryError("bad address", retryable=False))
    world.run(OPEN_P2)
    world.deliver()
    channels = [cells[1] for _, cells in read_comms(world.documents.content(world.report_path()))]
    assert channels[0] == "Channel" and set(channels[1:]) == {"Teams"}


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
    assert fields["resolved_at"] == "23 Nov 2026 10:00 GMT"
    assert fields["what_happened"].startswith(
        "On 23 November 2026 we had an incident: Apply for teacher training is down. "
        "We declared it P1 at 10:00 GMT and it stayed P1."
    )
    assert "No candidate can submit an application." in fields["what_happened"]
    assert fields["lessons"] == "Added from the incident review when it is filed."
    assert [seq for seq, _ in read_timeline(major)[1:]] == [1, 2, 3]
    # Every message, the resolution notice included, whenever it went out.
    delivered = [r.id for r in world.outbox() if r.kind in ("mail", "teams.card")]
    assert [n for n, _ in read_comms(major)[1:]] == delivered
    resolved = [r.id for r in world.outbox() if r.payload.get("text", "").startswith("Resolved: ")]
    assert resolved and set(resolved) <= {n for n, _ in read_comms(major)[1:]}


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
        f"From the incident review, {review_name}:",
        "\u2022 Alert on failed connections (owner Sam, due 1 Dec)",
    ]
    # The review's name is the link to it: no raw address (with its %20s) in the text.
    assert lesson_links(world.documents.content(MAJOR)) == [(review_name, review_url)]
    assert read_fields(world.documents.content(MAJOR))["status"] == "Closed"
    assert all(r.status == outbox.DONE for r in world.outbox())


def test_lessons_people_wrote_first_are_kept_and_ours_follow(world: World) -> None:
    publish_major_template(world)
    world.run(OPEN_P1)
    world.run("close Restored the connection")
    world.deliver()
    document = docx.Document(io.BytesIO(world.documents.content(MAJOR)))
    (content,) = document.element.body.xpath(
        ".//w:sdt[w:sdtPr/w:tag/@w:val='ca:lessons']/w:sdtContent"
    )
    next(content.iter(qn("w:t"))).text = "Ours: test the failover every quarter."
    out = io.BytesIO()
    document.save(out)
    world.documents.put(MAJOR, out.getvalue())
    world.run("review")
    world.deliver()
    lessons = read_fields(world.documents.content(MAJOR))["lessons"].splitlines()
    assert lessons[0] == "Ours: test the failover every quarter."
    assert lessons[1].startswith("From the incident review,")
    assert "No recommendations were written" in lessons[2]


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
    assert {r.kind for r in world.outbox()} <= {"report.sync", "review.file", "mail", "teams.card"}


def test_a_missing_major_incident_template_fails_with_what_to_do(world: World) -> None:
    world.run(OPEN_P1)
    world.run("close Restored the connection")
    world.deliver()
    failed = [r for r in world.outbox() if r.status == outbox.FAILED]
    assert [r.kind for r in failed] == ["major.file"]
    assert "Major incident report template.docx is missing" in failed[0].last_error
    assert "templates publish" in failed[0].last_error


def test_templates_publish_uploads_all_three(world: World) -> None:
    from fakes import FakeDocuments

    documents = FakeDocuments()
    uploaded = asyncio.run(publish_templates(world.app, documents, only_missing=True))
    assert uploaded == [
        "Templates/Incident report template.docx",
        "Templates/Incident review template.docx",
        "Templates/Major incident report template.docx",
    ]
    assert asyncio.run(publish_templates(world.app, documents, only_missing=True)) == []
