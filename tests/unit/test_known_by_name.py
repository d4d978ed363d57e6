"""People the directory knows by name only (`channels: none`, the example incident team): the
documents name them, ordinary messages never go to them, and `notify` reaches them by email."""

from __future__ import annotations

from world import World

from comms_assistant.adapters.word.read import read_fields, read_timeline

OPEN = "open Apply is down p1 impact: Candidates cannot apply services: apply"


def recipients(world: World) -> set[str]:
    return {r.email for mail in world.mailer.sent for r in (*mail.to, *mail.bcc)}


def test_the_incident_team_is_named_in_the_report_and_sent_nothing(world: World) -> None:
    assert world.run(OPEN, "comms.lead@example.org").ok
    assert world.run("comms me", "comms.lead@example.org").ok
    assert world.run("tech me", "tech.lead@example.org").ok
    world.deliver()
    fields = read_fields(world.documents.content(world.report_path()))
    assert fields["comms_lead"] == "Sam Okafor" and fields["tech_lead"] == "Tom Achebe"
    whos = [cells[1] for _, cells in read_timeline(world.documents.content(world.report_path()))]
    assert whos[1:] == ["Sam Okafor", "Sam Okafor", "Tom Achebe"]
    assert "@" not in "".join(whos[1:])
    # A P1 reaches the most people; the people leading it are not among them.
    assert world.mailer.sent
    assert not {"comms.lead@example.org", "tech.lead@example.org"} & recipients(world)


def test_notify_reaches_someone_known_by_name_only_by_email(world: World) -> None:
    world.run(OPEN, "comms.lead@example.org")
    world.deliver()
    reply = world.run("notify scribe@example.org", "comms.lead@example.org")
    assert reply.ok, reply.text
    world.deliver()
    assert "scribe@example.org" in recipients(world)


def test_the_documents_give_services_by_their_names(world: World) -> None:
    world.run(OPEN.replace("services: apply", "services: apply, sign-in"), "comms.lead@example.org")
    world.deliver()
    fields = read_fields(world.documents.content(world.report_path()))
    assert fields["services"] == "Apply for teacher training, DfE Sign-in"
