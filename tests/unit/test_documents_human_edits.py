"""People write in the running report while the assistant keeps it current: nothing they write
is lost across ten updates, with people saving under the assistant (412) and the report open in
Word (423) in between; the comms lead hears once per lock that the report is waiting."""

from __future__ import annotations

import io
from collections.abc import Callable

import docx
from docx.table import Table
from docx_text import document_text
from sqlalchemy import select
from world import World

from comms_assistant.adapters.sql import outbox, store
from comms_assistant.adapters.word.read import read_comms, read_timeline
from comms_assistant.service.ports import DriveItem, Locked

OPEN = (
    "open Apply for teacher training is down p2 impact: Candidates cannot submit applications "
    "services: apply"
)
COMMS_LEAD = "comms.lead@example.org"


def _tagged_table(document: docx.document.Document, tag: str) -> Table:
    (tbl,) = document.element.body.xpath(f".//w:sdt[w:sdtPr/w:tag/@w:val='{tag}']//w:tbl")
    return Table(tbl, document._body)


def _paragraph_after(document: docx.document.Document, heading: str, skip: int) -> object:
    texts = [p.text for p in document.paragraphs]
    return document.paragraphs[texts.index(heading) + skip]


class Person:
    """Someone with the report open in Word: each edit is saved to SharePoint as a new version."""

    def __init__(self, world: World, path: str) -> None:
        self.world, self.path = world, path
        self.wrote: list[str] = []
        self.saved_under_us = 0

    def edit(self, change: Callable[[docx.document.Document], str]) -> None:
        content = self.world.documents.content(self.path)
        self.world.documents.put(self.path, self._apply(content, change))

    def edit_between_our_read_and_write(
        self, change: Callable[[docx.document.Document], str]
    ) -> None:
        """The next time the assistant downloads the report, save an edit straight after: its
        upload then carries a stale eTag and gets 412."""
        documents = self.world.documents
        original = documents.download

        async def download_then_person_saves(item_id: str) -> tuple[bytes, str]:
            content, etag = await original(item_id)
            documents.download = original  # once
            documents.put(self.path, self._apply(content, change))
            self.saved_under_us += 1
            return content, etag

        documents.download = download_then_person_saves

    def _apply(self, content: bytes, change: Callable[[docx.document.Document], str]) -> bytes:
        document = docx.Document(io.BytesIO(content))
        self.wrote.append(change(document))
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()


def summary_paragraph(n: int) -> Callable[[docx.document.Document], str]:
    def change(document: docx.document.Document) -> str:
        text = f"Summary line {n}: candidates should try again later."
        blank = _paragraph_after(document, "Summary", 1)
        blank.insert_paragraph_before(text)
        return text

    return change


def bold_impact_detail(document: docx.document.Document) -> str:
    text = "About 4,000 candidates were mid-application."
    paragraph = _paragraph_after(document, "Who is affected", 2)
    paragraph.add_run(text).bold = True
    return text


def timeline_row(document: docx.document.Document) -> str:
    text = "Rang the supplier's duty engineer"
    row = _tagged_table(document, "ca:timeline").add_row()
    row.cells[0].text, row.cells[1].text, row.cells[2].text = "14:20", "carol", text
    return text


def reword_entry_one(document: docx.document.Document) -> str:
    text = "Declared after the first support tickets (reworded by the scribe)"
    row = _tagged_table(document, "ca:timeline").rows[1]
    row.cells[2].paragraphs[0].runs[0].text = text
    return text


def comms_row(document: docx.document.Document) -> str:
    text = "Status page updated by hand"
    row = _tagged_table(document, "ca:comms").add_row()
    said = ("14:30", text, "Status page readers", "Status page")
    for cell, words in zip(row.cells, said, strict=True):
        cell.text = words
    return text


def action_and_comment(document: docx.document.Document) -> str:
    text = "Add an alert on the database connection pool"
    # A row of their own in the follow-up actions' table, beside the assistant's.
    row = _tagged_table(document, "ca:actions").add_row()
    run = row.cells[0].paragraphs[0].add_run(text)
    document.add_comment(run, text="Who owns this?", author="Dana", initials="D")
    return text


EDITS = [
    summary_paragraph(1), bold_impact_detail, timeline_row, reword_entry_one, comms_row,
    action_and_comment, summary_paragraph(7), summary_paragraph(8), summary_paragraph(9),
    summary_paragraph(10),
]  # fmt: skip


def notices(world: World) -> list:
    return [m for m in world.mailer.sent if "open in Word" in m.subject]


def test_nothing_people_write_is_lost_across_ten_updates_with_412s_and_a_423(
    world: World,
) -> None:
    world.run(OPEN)
    world.deliver()
    path = world.report_path()
    person = Person(world, path)
    replies = []

    for n, edit in enumerate(EDITS, start=1):
        if n % 3 == 2:
            person.edit_between_our_read_and_write(edit)  # updates 2, 5 and 8 meet a 412
        else:
            person.edit(edit)
        if n in (4, 9):
            # Open in Word: the next two saves are refused, then it is closed.
            world.documents.faults.before["replace"] += [Locked("resourceLocked")] * 2
        replies.append(world.run(f"update Update {n}: candidates still cannot submit"))
        world.deliver()
        if n in (4, 9):
            world.clock.advance(seconds=1.5)
            world.deliver()
            locked_row = next(r for r in world.outbox() if r.status == outbox.PENDING)
            assert locked_row.kind == "report.sync" and "resourceLocked" in locked_row.last_error
        if n == 4:
            during_lock = world.run("log Waiting for Dana to close the report")
        world.clock.advance(minutes=2)
        world.deliver()

    assert person.saved_under_us == 3
    assert all(r.status == outbox.DONE for r in world.outbox()), [
        (r.kind, r.last_error) for r in world.outbox() if r.status != outbox.DONE
    ]
    content = world.documents.content(path)
    text = document_text(content)
    for written in person.wrote:
        assert text.count(written) == 1, written

    document = docx.Document(io.BytesIO(content))
    bold = [r for p in document.paragraphs for r in p.runs if r.text.startswith("About 4,000")]
    assert [r.bold for r in bold] == [True]
    assert [c.text for c in document.comments] == ["Who owns this?"]
    summary = [p.text for p in document.paragraphs if p.text.startswith("Summary line")]
    # Each was typed above the previous one: the order people chose is kept too.
    assert summary == [
        f"Summary line {n}: candidates should try again later." for n in (10, 9, 8, 7, 1)
    ]

    rows = read_timeline(content)[1:]
    seqs = [seq for seq, _ in rows if seq is not None]
    assert seqs == list(range(1, 13)), "declaration, ten updates and a log, once each, in order"
    assert rows[0][1][2] == "Declared after the first support tickets (reworded by the scribe)"
    assert (None, ["14:20", "carol", "Rang the supplier's duty engineer"]) in rows

    sent = read_comms(content)[1:]
    # One row per message (the opening and ten updates), under its first delivery's number.
    assert [n for n, _ in sent if n is not None] == list(world.messages_sent())
    updates = [f"Update {n}" for n in range(1, 11)]
    assert [cells[1] for n, cells in sent if n is not None] == ["New incident", *updates]
    row = ["14:30", "Status page updated by hand", "Status page readers", "Status page"]
    assert (None, row) in sent

    # Two lock episodes (two refused saves each): the comms lead heard once per episode.
    assert [[r.email for r in m.to] for m in notices(world)] == [[COMMS_LEAD], [COMMS_LEAD]]
    assert not any("open in Word" in row[1][1] for row in sent), "notices are not stakeholder comms"
    assert "The report has been open in Word since 10:06 GMT" in during_lock.text
    assert not any("open in Word" in r.text for r in replies), "said only while it is locked"


def test_a_report_open_in_word_tells_the_declarer_once_when_there_is_no_comms_lead(
    world: World,
) -> None:
    world.run(OPEN, who="tech.lead@example.org")
    world.deliver()
    world.documents.faults.before["replace"] += [Locked("resourceLocked")] * 3
    world.run("log The supplier is looking at it", who="tech.lead@example.org")
    for _ in range(3):
        world.deliver()
        world.clock.advance(seconds=10)
    world.deliver()
    (notice,) = notices(world)
    assert [r.email for r in notice.to] == ["tech.lead@example.org"] and notice.bcc == ()
    assert "Nothing is lost" in notice.text
    report = world.documents.content(world.report_path())
    assert "The supplier is looking at it" in document_text(report)


def test_the_comms_lead_is_told_rather_than_the_declarer(world: World) -> None:
    world.run(OPEN, who="tech.lead@example.org")
    world.run("comms me", who="dora@example.org")
    world.documents.faults.before["replace"].append(Locked("resourceLocked"))
    world.deliver()
    (notice,) = notices(world)
    assert [r.email for r in notice.to] == ["dora@example.org"]


def test_a_new_report_is_filled_from_the_template_read_beside_the_copy(world: World) -> None:
    world.run(OPEN)
    world.deliver()
    calls = world.documents.calls
    first_write = next(n for n, c in enumerate(calls) if c.startswith("replace"))
    before = calls[:first_write]
    assert any(c.startswith("copy") for c in before)
    assert "read Templates/Incident report template.docx" in before
    assert not any(c.startswith(("download", "get Incident reports/")) for c in before)
    assert "Candidates cannot submit applications" in document_text(
        world.documents.content(world.report_path())
    )


def test_an_edit_to_the_new_copy_before_the_first_fill_is_kept(world: World) -> None:
    """The first fill writes the template's content with the copy's eTag: someone saving the
    copy in between moves the eTag, so the write gets 412 and their words are read back in."""
    documents = world.documents
    original = documents.copy
    person = Person(world, "")

    async def copy_then_person_saves(source: str, folder: str, name: str) -> DriveItem:
        item = await original(source, folder, name)
        person.path = f"{folder}/{name}"
        person.edit(bold_impact_detail)
        return item

    documents.copy = copy_then_person_saves
    world.run(OPEN)
    world.deliver()
    text = document_text(documents.content(world.report_path()))
    assert person.wrote == ["About 4,000 candidates were mid-application."]
    assert person.wrote[0] in text and "Candidates cannot submit applications" in text
    writes = [n for n, c in enumerate(documents.calls) if c.startswith("replace")]
    # The first write was refused (412): the report was read back before the second.
    assert any(c.startswith("download") for c in documents.calls[writes[0] : writes[1]])


def test_a_copy_found_under_its_name_is_downloaded_not_filled_from_the_template(
    world: World,
) -> None:
    """A copy made by an earlier attempt (its answer lost) may already hold people's words."""
    documents = world.documents
    world.run(OPEN)
    with store.transaction(world.app.engine) as session:
        (name,) = session.scalars(select(store.IncidentRow.report_name))
    path = f"Incident reports/{name}"
    documents.put(path, documents.content("Templates/Incident report template.docx"))
    person = Person(world, path)
    person.edit(bold_impact_detail)
    world.deliver()
    text = document_text(documents.content(path))
    assert person.wrote[0] in text and "Candidates cannot submit applications" in text
