"""A security incident's Word documents are filed in the security folder (whose permissions an
administrator limits to the security team), never in the reports folder everyone reads."""

from __future__ import annotations

from world import World

from comms_assistant.adapters.sql import outbox
from comms_assistant.adapters.word.read import read_fields

SECURE = "Security incident reports"
REPORTS = "Incident reports"
NAME = "2026-11-23 INC-2026-0001 Candidate data may have leaked"
OPEN_SECURITY_P1 = (
    "open Candidate data may have leaked p1 impact: Someone may have copied candidate records "
    "services: apply security: yes"
)


def publish_major_template(world: World) -> None:
    name = world.app.settings.major_incident_template
    world.documents.put(f"Templates/{name}", (world.app.templates_dir / "word" / name).read_bytes())


def in_folder(world: World, folder: str) -> list[str]:
    return sorted(p for p in world.documents.files if p.startswith(f"{folder}/"))


def test_a_security_incidents_documents_are_filed_in_the_security_folder(world: World) -> None:
    publish_major_template(world)
    opened = world.run(OPEN_SECURITY_P1)
    assert f"Running report: {SECURE}/{NAME}.docx" in opened.text
    world.deliver()
    world.run("update Candidates can sign in; we are checking which records were read")
    world.deliver()
    closed = world.run("close Changed the leaked password")
    assert f"{SECURE}/{NAME} - major incident report.docx" in closed.text
    world.deliver()
    reviewed = world.run("review")
    assert f"Review: {SECURE}/{NAME} - incident review.docx" in reviewed.text
    world.deliver()

    assert all(r.status == outbox.DONE for r in world.outbox()), [
        (r.kind, r.last_error) for r in world.outbox() if r.status != outbox.DONE
    ]
    assert in_folder(world, SECURE) == [
        f"{SECURE}/{NAME} - incident review.docx",
        f"{SECURE}/{NAME} - major incident report.docx",
        f"{SECURE}/{NAME}.docx",
    ]
    assert in_folder(world, REPORTS) == []
    # Nothing was even looked for there: the comms refreshes, lessons and all went to one place.
    assert not any(f"{REPORTS}/" in call for call in world.documents.calls)
    documents = [r for r in world.outbox() if "path" in r.payload]
    assert {r.kind for r in documents} >= {"report.sync", "review.file", "major.file"}
    assert {"major.lessons"} <= {r.kind for r in documents}
    assert all(r.payload["path"].startswith(f"{SECURE}/") for r in documents)
    # The report was really filled in (first fill and refreshes), not just copied.
    fields = read_fields(world.documents.content(f"{SECURE}/{NAME}.docx"))
    assert "INC-2026-0001" in fields.values()


def test_a_normal_incident_is_filed_where_it_always_was(world: World) -> None:
    opened = world.run("open Apply for teacher training is down p2 services: apply")
    assert "Running report: Incident reports/" in opened.text
    world.deliver()
    world.run("close Restored the connection")
    world.run("review")
    world.deliver()
    name = "2026-11-23 INC-2026-0001 Apply for teacher training is down"
    assert in_folder(world, REPORTS) == [
        f"{REPORTS}/{name} - incident review.docx",
        f"{REPORTS}/{name}.docx",
    ]
    assert in_folder(world, SECURE) == []


def test_a_missing_security_folder_stops_the_filing_and_says_what_to_do(world: World) -> None:
    assert world.documents.folders is not None
    world.documents.folders.discard(SECURE)
    opened = OPEN_SECURITY_P1.replace(" p1 ", " p2 ")
    for command in (opened, "close Changed the password", "review"):
        reply = world.run(command)
        assert reply.ok and not reply.held, reply.text
    world.deliver()

    failed = {r.kind: r.last_error for r in world.outbox() if r.status == outbox.FAILED}
    assert set(failed) == {"report.sync", "review.file"}
    for error in failed.values():
        assert f"The folder '{SECURE}'" in error and "is missing" in error
        assert "limit its permissions to the security team" in error
        assert "comms-assistant deliver --failed" in error
    # The review is not created by path (Graph would make the folder with the library's
    # permissions), and nothing fell back to the folder everyone reads.
    assert SECURE not in world.documents.folders
    assert all(p.startswith("Templates/") for p in world.documents.files)

    # Once an administrator makes the folder, sending the failed deliveries again files them.
    world.documents.folders.add(SECURE)
    outbox.retry_failed(world.app.engine, now=world.clock())
    world.deliver()
    assert in_folder(world, SECURE) == [
        f"{SECURE}/{NAME} - incident review.docx",
        f"{SECURE}/{NAME}.docx",
    ]
    assert in_folder(world, REPORTS) == []
