"""Who may change which incident from Teams: rights on one incident stay on that incident, and a
security incident is closed to everyone but its own people and the security contacts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from world import World
from world_build import build_world

from comms_assistant.adapters.contacts import load_directory
from comms_assistant.entrypoints.bot.policy import SECURITY_REFUSAL, Gate
from comms_assistant.resources import bundled

LEAD = "comms.lead@example.org"  # in bot_allowed
SCRIBE = "sam.scribe@example.org"  # in no list and no contacts role: named on one incident only
DELIVERY_MANAGER = "nadia.farrow@example.org"  # 'delivery manager': allowed by default role
SECURITY_CONTACT = "gideon.marsh@example.org"  # information security manager
START = datetime(2026, 11, 23, 10, tzinfo=UTC)
OPEN_P2 = "open Apply is slow p2 impact: Candidates wait services: apply"
OPEN_SECURITY = "open Suspicious sign-ins p2 impact: None yet services: sign-in security: yes"


@pytest.fixture
def world(tmp_path: Path) -> World:
    # Wording is not under test here: nothing is held back for it.
    return build_world(tmp_path / "home", START, plain_english_check=False)


def _gate(world: World) -> Gate:
    directory = load_directory(bundled("contacts"))
    settings = SimpleNamespace(
        bot_allowed=[LEAD], bot_allowed_roles=["incident team", "delivery manager"]
    )
    return Gate.from_settings(
        world.app.engine,
        settings,
        directory.contacts,
        security_roles=directory.routing.security,
        priority_names=world.service.planner.policy.priority_names(),
    )


def _opened(world: World, text: str = OPEN_P2, who: str = LEAD) -> str:
    reply = world.run(text, who=who)
    assert reply.ok, reply.text
    assert reply.reference is not None
    return reply.reference


def test_a_scribe_of_one_incident_may_not_open_another_from_an_unbound_thread(
    world: World,
) -> None:
    reference = _opened(world)
    assert world.run(f"scribe {SCRIBE}", incident=reference).ok
    gate = _gate(world)
    # Bound to her incident, or the only open one: her rights hold there.
    assert gate.refusal("log The database is back", SCRIBE, reference) is None
    assert gate.refusal("log The database is back", SCRIBE, None) is None
    # A new P1 is not that incident: being named on one gives no right to declare another.
    refusal = gate.refusal("open Everything is down p1 impact: Nobody can work", SCRIBE, None)
    assert refusal is not None and SCRIBE in refusal
    assert gate.refusal("open Everything is down p1 impact: Nobody can work", LEAD, None) is None


def test_with_two_incidents_open_rights_on_one_do_not_reach_the_other(world: World) -> None:
    first = _opened(world)
    second = _opened(world, "open Find is down p3 impact: People cannot search services: find")
    assert world.run(f"scribe {SCRIBE}", incident=first).ok
    gate = _gate(world)
    assert gate.refusal("log Checked the logs", SCRIBE, first) is None
    assert gate.refusal("log Checked the logs", SCRIBE, second) is not None
    # Unbound, the service cannot tell which one is meant: only the general rights count.
    assert gate.refusal("priority p1", SCRIBE, None) is not None


def test_a_security_incident_is_closed_to_the_general_allowed_roles(world: World) -> None:
    reference = _opened(world, OPEN_SECURITY)
    gate = _gate(world)
    for command in ("log I had a look", "lead me", "priority p1", "update Nothing new"):
        assert gate.refusal(command, DELIVERY_MANAGER, reference) == SECURITY_REFUSAL, command
        # The card buttons send the incident with the command: the same rule applies.
        assert gate.refusal(command, DELIVERY_MANAGER, None) == SECURITY_REFUSAL, command
    assert not gate.may_see(DELIVERY_MANAGER, reference)
    assert not gate.may_see(None, reference)
    # Whoever declared it, the security contacts, and the people named on it may.
    assert gate.may_see(LEAD, reference) and gate.refusal("log x", LEAD, reference) is None
    assert gate.may_see(SECURITY_CONTACT, reference)
    assert gate.refusal("lead me", SECURITY_CONTACT, reference) is None
    assert world.run(f"scribe {SCRIBE}", incident=reference).ok
    assert gate.refusal("log Seen in the audit log", SCRIBE, reference) is None


def test_a_security_contact_may_open_a_security_incident_but_not_an_ordinary_one(
    world: World,
) -> None:
    gate = _gate(world)
    assert gate.refusal(OPEN_SECURITY, SECURITY_CONTACT, None) is None
    assert gate.refusal(OPEN_P2, SECURITY_CONTACT, None) is not None


@pytest.mark.parametrize("word", ["send anyway", "send suggested"])
def test_a_held_draft_is_judged_as_the_command_it_holds(world: World, word: str) -> None:
    reference = _opened(world, OPEN_SECURITY)
    gate = _gate(world)
    assert gate.refusal(word, DELIVERY_MANAGER, None) is None  # nothing waiting: nothing to do
    # A draft stored for her (as if rights were taken away since) is checked again on sending.
    from comms_assistant.adapters.sql import store

    with store.transaction(world.app.engine) as session:
        session.add(
            store.DraftRow(
                author=DELIVERY_MANAGER,
                incident=reference,
                command="update We are looking into it",
                suggested="update We are looking into it",
                created_at=world.clock(),
            )
        )
    assert gate.refusal(word, DELIVERY_MANAGER, None) == SECURITY_REFUSAL


def test_a_profile_priority_name_does_not_slip_past_the_gate(tmp_path: Path) -> None:
    world = build_world(tmp_path / "home", START, profile="dxw")
    names = world.service.planner.policy.priority_names()
    word = next(name for name in names if not name.lower().startswith("p"))
    gate = _gate(world)
    refusal = gate.refusal(f"open Apply is down priority: {word}", SCRIBE, None)
    assert refusal is not None and SCRIBE in refusal


class Team:
    """Team membership as the Bot Connector told it (bot_members.TeamMembers in the bot)."""

    def __init__(self, *members: str) -> None:
        self.members = set(members)

    def is_member(self, who: str | None) -> bool:
        return who in self.members


MEMBER = "new.starter@example.org"  # in the team; in no setting and on no contacts list
OUTSIDER = "contractor@example.org"  # in neither


def _team_gate(world: World, settings: dict | None = None) -> Gate:
    directory = load_directory(bundled("contacts"))
    roles = ["team member", "incident team", "delivery manager"]  # the default
    chosen = {"bot_allowed": [], "bot_allowed_roles": roles}
    return Gate.from_settings(
        world.app.engine,
        SimpleNamespace(**(chosen | (settings or {}))),
        directory.contacts,
        security_roles=directory.routing.security,
        priority_names=world.service.planner.policy.priority_names(),
        team=Team(MEMBER),
    )


def test_a_team_member_in_no_setting_may_open_and_leads_what_they_open(world: World) -> None:
    gate = _team_gate(world)
    assert gate.refusal(OPEN_P2, MEMBER, None) is None
    reply = world.run(OPEN_P2, who=MEMBER)
    assert reply.ok and "You are its incident lead" in reply.text
    # Named on it now (they declared it and lead it): every change to it is theirs to make.
    for command in ("log Rolled back", "priority p1", "update Candidates can apply again"):
        assert gate.refusal(command, MEMBER, reply.reference) is None, command
    assert gate.refusal("close Rolled back the release", MEMBER, reply.reference) is None


def test_someone_outside_the_team_may_not_open_and_is_told_what_would_let_them(
    world: World,
) -> None:
    refusal = _team_gate(world).refusal(OPEN_P2, OUTSIDER, None)
    assert refusal is not None
    assert OUTSIDER in refusal and "bot_allowed" in refusal and "team" in refusal
    # The settings still widen it: an address in bot_allowed may.
    assert _team_gate(world, {"bot_allowed": [OUTSIDER]}).refusal(OPEN_P2, OUTSIDER, None) is None


def test_the_example_incident_team_may_open_with_the_example_settings(world: World) -> None:
    # Sam Okafor, Tom Achebe and Lena Kowalski: role "incident team", channels none.
    gate = _team_gate(world)
    for person in ("comms.lead@example.org", "tech.lead@example.org", "scribe@example.org"):
        assert gate.refusal(OPEN_P2, person, None) is None, person
    # bot_allowed_roles narrows it: without "incident team" they need the team, or a role.
    narrowed = _team_gate(world, {"bot_allowed_roles": ["team member"]})
    assert narrowed.refusal(OPEN_P2, "comms.lead@example.org", None) is not None
    assert narrowed.refusal(OPEN_P2, MEMBER, None) is None


def test_leaving_team_member_out_of_the_roles_gives_the_team_nothing(world: World) -> None:
    reference = _opened(world)
    gate = _team_gate(world, {"bot_allowed_roles": ["incident team", "delivery manager"]})
    refusal = gate.refusal(OPEN_P2, MEMBER, None)
    assert refusal is not None and "team" not in refusal and "bot_allowed" in refusal
    assert gate.refusal("tech me", MEMBER, reference) is not None
    assert not gate.asks_team(MEMBER)  # so the Bot Connector is not even asked
    # With it (the default), only those it could help are asked about.
    default = _team_gate(world)
    assert default.asks_team(MEMBER) and default.asks_team(SCRIBE)
    assert not default.asks_team(DELIVERY_MANAGER)  # a contacts role already gives every right


def test_a_team_member_may_take_a_role_on_an_ordinary_incident_not_hand_them_out(
    world: World,
) -> None:
    reference = _opened(world)
    gate = _team_gate(world)
    assert gate.refusal("log I can help", MEMBER, reference) is not None
    refusal = gate.refusal("log I can help", MEMBER, reference)
    assert refusal is not None and "scribe me" in refusal  # says how: take a role first
    for command in ("tech me", f"scribe {MEMBER}", "role delivery manager me", "I am the scribe"):
        assert gate.refusal(command, MEMBER, reference) is None, command
    assert gate.refusal("scribe someone.else@example.org", MEMBER, reference) is not None
    assert gate.refusal("tech me", OUTSIDER, reference) is not None
    # Once they hold a role they are named on it, as anyone given one is.
    assert world.run("tech me", who=MEMBER, incident=reference).ok
    assert gate.refusal("log I can help", MEMBER, reference) is None


def test_with_no_incident_open_a_team_member_hears_that_not_a_refusal(world: World) -> None:
    gate = _team_gate(world)
    assert gate.refusal("tech me", MEMBER, None) is None
    reply = world.run("tech me", who=MEMBER)
    assert not reply.ok and "No incident is open" in reply.text
    assert gate.refusal("tech me", OUTSIDER, None) is not None


def test_team_membership_does_not_reach_a_security_incident(world: World) -> None:
    reference = _opened(world, OPEN_SECURITY)
    gate = _team_gate(world)
    for command in ("lead me", "tech me", "log I had a look", "I am the scribe"):
        assert gate.refusal(command, MEMBER, reference) == SECURITY_REFUSAL, command
        assert gate.refusal(command, MEMBER, None) == SECURITY_REFUSAL, command
    assert not gate.may_see(MEMBER, reference)
    # Declaring one stays with the security contacts and the settings, as before.
    refusal = gate.refusal(OPEN_SECURITY, MEMBER, None)
    assert refusal is not None and "security contact" in refusal
    assert gate.refusal(OPEN_SECURITY, SECURITY_CONTACT, None) is None
