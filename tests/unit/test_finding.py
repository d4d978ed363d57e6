"""Finding things: `list` of the open incidents, `status <reference>`, a reference before any
command, and answers that say how to do better where the command came from (a shell or a
chat)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from world import World
from world_build import build_world

from comms_assistant.domain import commands as c
from comms_assistant.service.finding import age

OPEN_APPLY = "open Apply is slow p3 impact: Candidates wait services: apply"
OPEN_FIND = "open Find is down p1 impact: Nobody can search services: find"
TECH = "tech.lead@example.org"


@pytest.fixture
def world(tmp_path: Path) -> World:
    # Wording is not under test here: nothing is held back for it.
    start = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    return build_world(tmp_path / "home", start, plain_english_check=False)


def _two_open(world: World) -> tuple[str, str]:
    first = world.run(OPEN_APPLY)
    world.clock.advance(minutes=40)
    second = world.run(OPEN_FIND, who=TECH)
    assert first.ok and second.ok
    assert first.reference and second.reference
    return first.reference, second.reference


def test_list_shows_each_open_incident_most_urgent_first(world: World) -> None:
    apply_ref, find_ref = _two_open(world)
    world.clock.advance(minutes=85)
    reply = world.run("list", who=None)  # anyone may ask
    assert reply.ok
    heading, first, second, hint = reply.text.splitlines()
    assert heading == "2 open incidents, most urgent first:"
    assert first.startswith(f"{find_ref} P1 investigating: Find is down. Lead: {TECH}.")
    assert "Open for 1 h 25 min." in first
    assert second.startswith(
        f"{apply_ref} P3 investigating: Apply is slow. Lead: comms.lead@example.org."
    )
    assert "Open for 2 h 5 min." in second
    # The cadence policy's promise, as `status` says it: a P1 every 30 minutes, so overdue.
    assert "Update overdue: it was due by 11:10 GMT." in first
    assert "Next update due by" in second or "Update overdue" in second
    assert hint == f"'status {find_ref}' shows one in full."


def test_list_hides_what_a_security_incident_is_about(world: World) -> None:
    assert world.run("open Staff data leaked p2 services: apply security: yes").ok
    reply = world.run("list", who=None)
    assert "Staff data" not in reply.text
    assert "Restricted security incident" in reply.text


def test_list_with_nothing_open_says_how_to_start(world: World) -> None:
    assert world.run("list", who=None).text.startswith("No incident is open.")
    world.run(OPEN_APPLY)
    world.run("close Added capacity")
    assert "No incident is open" in world.run("list").text


def test_status_of_a_named_incident_wherever_it_is_asked(world: World) -> None:
    apply_ref, find_ref = _two_open(world)
    assert c.parse(f"status {apply_ref.lower()}") == c.ShowStatus(apply_ref)
    shown = world.run(f"status {apply_ref}", who=None)
    assert shown.ok and shown.reference == apply_ref and "Apply is slow" in shown.text
    # Even asked in the other incident's thread: the reference said is the one shown.
    again = world.run(f"status {apply_ref}", who=None, incident=find_ref)
    assert again.reference == apply_ref
    missing = world.run("status INC-2026-0099", who=None)
    assert not missing.ok and 'There is no incident "INC-2026-0099"' in missing.text
    assert "'list'" in missing.text
    # Setting a status still works, and a word that is neither says both.
    assert world.run("status monitoring", incident=apply_ref).ok
    with pytest.raises(c.ParseError, match="status INC-2026-0001"):
        c.parse("status fixed")


def test_a_reference_before_a_command_names_the_incident(world: World) -> None:
    apply_ref, find_ref = _two_open(world)
    reply = world.run(f"{apply_ref} log Added two servers")
    assert reply.ok and reply.reference == apply_ref
    assert world.run(f"{find_ref.lower()}: log Paged the DBA", who=TECH).reference == find_ref
    both = world.run(f"{apply_ref} log x", incident=find_ref)
    assert not both.ok and apply_ref in both.text and find_ref in both.text


def test_more_than_one_open_says_how_to_name_one_in_a_chat(world: World) -> None:
    apply_ref, find_ref = _two_open(world)
    reply = world.run("log Checked the load balancer")
    assert not reply.ok
    assert reply.text.startswith(f"More than one incident could be meant ({apply_ref}, {find_ref})")
    assert f"'{find_ref} log Checked the load balancer'" in reply.text
    assert "own thread" in reply.text and "--incident" not in reply.text
    status = world.run("status", who=None)
    assert f"'status {find_ref}'" in status.text


def test_more_than_one_open_says_how_to_name_one_in_a_shell(world: World) -> None:
    apply_ref, find_ref = _two_open(world)
    reply = world.service.execute("log Checked it", who=TECH, shell=True)
    assert not reply.ok
    assert f'comms-assistant run "log Checked it" --incident {find_ref}' in reply.text
    status = world.service.execute("status", who=None, shell=True)
    assert f"comms-assistant status {find_ref}" in status.text
    listed = world.service.execute("list", who=None, shell=True)
    assert f"'comms-assistant status {find_ref}'" in listed.text


def test_say_who_you_are_names_the_option_in_a_shell(world: World) -> None:
    world.run(OPEN_APPLY)
    from_shell = world.service.execute("log x", who=None, shell=True)
    assert not from_shell.ok and "--as you@example.org" in from_shell.text
    from_chat = world.service.execute("log x", who=None)
    assert not from_chat.ok and "--as" not in from_chat.text


def test_an_unknown_verb_suggests_the_nearest_command_and_help(world: World) -> None:
    reply = world.run("stauts")
    assert not reply.ok
    assert (
        reply.text
        == '"stauts" is not a command: did you mean "status"? Send \'help\' to see them all.'
    )
    assert '"list"' in world.run("lsit").text
    assert "did you mean" not in world.run("frobnicate everything").text
    assert "help" in world.run("frobnicate everything").text


def test_the_opener_leads_unless_they_name_someone_else(world: World) -> None:
    mine = world.run(OPEN_APPLY)
    assert "You are its incident lead" in mine.text
    assert "Incident lead: comms.lead@example.org" in world.run("status", who=None).text
    world.run("close Added capacity")

    theirs = world.run(f"{OPEN_FIND} lead: {TECH}")
    assert theirs.ok and f"Its incident lead is {TECH}." in theirs.text
    assert f"Incident lead: {TECH}" in world.run("status", who=None).text
    world.run("close Restarted search", who=TECH)

    nobody = world.run("open Register is slow p4 lead: none")
    assert nobody.ok and "Nobody leads it yet: 'lead me' takes the role." in nobody.text
    assert "Incident lead: nobody yet" in world.run("status", who=None).text
    assert world.run("lead me", who=TECH).ok


def test_help_lists_the_new_commands() -> None:
    assert "list" in c.HELP_TEXT and "status [<reference>]" in c.HELP_TEXT
    assert "lead: <email>|none" in c.HELP_TEXT
    assert "INC-2026-0002 log" in c.HELP_TEXT


@pytest.mark.parametrize(
    ("minutes", "said"),
    [(0, "under a minute"), (25, "25 min"), (60, "1 h"), (125, "2 h 5 min"), (3 * 1440, "3 days")],
)
def test_age_reads_naturally(minutes: int, said: str) -> None:
    assert age(timedelta(minutes=minutes)) == said
