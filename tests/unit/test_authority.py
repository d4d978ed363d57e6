"""The one authorization policy (domain/authority.py), read as a table: who asks, what they send,
on which incident, and what they are told. The bot's gate and the service's resolve check ask
this; their own tests (test_bot_gate.py, the resolvers in test_profiles.py) go through them."""

from __future__ import annotations

import pytest

from comms_assistant.adapters.profiles import load_profile
from comms_assistant.domain import commands as c
from comms_assistant.domain.audiences import ContactRole
from comms_assistant.domain.authority import (
    SECURITY_REFUSAL,
    TEAM_MEMBER,
    UNKNOWN_PERSON,
    IncidentSummary,
    Person,
    Rights,
    to_act,
    to_resolve,
    to_see,
)
from comms_assistant.domain.incident import Status
from comms_assistant.domain.policy import DEFAULT_POLICY, Policy

RIGHTS = Rights(frozenset({TEAM_MEMBER, "incident team", "delivery manager"}))
NO_TEAM = Rights(frozenset({"incident team", "delivery manager"}))

LISTED = Person("Comms.Lead@example.org", listed=True)
INCIDENT_TEAM = Person("lena@example.org", directory_roles=frozenset({ContactRole.INCIDENT_TEAM}))
SECURITY_CONTACT = Person(
    "gideon@example.org", directory_roles=frozenset({ContactRole.INFORMATION_SECURITY_MANAGER})
)
MEMBER = Person("new.starter@example.org", team_member=True)
OUTSIDER = Person("contractor@example.org")
SCRIBE = Person("Sam.Scribe@example.org")  # named on ORDINARY and SECRET only
NOBODY = Person(None)

ORDINARY = IncidentSummary(
    "INC-2026-0001",
    security=False,
    status=Status.INVESTIGATING,
    declared_by="comms.lead@example.org",
    holders={"incident lead": "comms.lead@example.org", "scribe": "sam.scribe@example.org"},
)
SECRET = IncidentSummary(
    "INC-2026-0002",
    security=True,
    status=Status.INVESTIGATING,
    declared_by="comms.lead@example.org",
    holders={"scribe": "sam.scribe@example.org"},
)
OTHER = IncidentSummary(
    "INC-2026-0003", security=False, status=Status.MONITORING, declared_by="x@example.org"
)

OPEN = "open Apply is slow p2 impact: Candidates wait services: apply"
OPEN_SECURITY = "open Suspicious sign-ins p2 impact: None yet security: yes"

ALLOWED = None  # no refusal
CHANGE_REFUSAL = (
    "Only the incident team can change an incident: whoever declared it, its leads, and the "
    "people the bot's settings name (bot_allowed, bot_allowed_roles). {who} is not in {which} "
    "team. {how}"
)
ASK_LEAD = (
    "Ask its incident lead to name you (e.g. 'scribe you@example.org'), or an administrator "
    "to add you."
)
TAKE_ROLE = "Take a role on it first ('scribe me', 'tech me'), or ask its incident lead to."
OPEN_TEAM_REFUSAL = (
    "Only members of the incidents channel's team and the people the bot's settings name "
    "(bot_allowed, bot_allowed_roles) can declare an incident, and {who} is neither. Ask a team "
    "owner to add you to the team, or an administrator to add you to bot_allowed."
)
OPEN_REFUSAL = (
    "Only the people the bot's settings name (bot_allowed, bot_allowed_roles) can declare an "
    "incident, and {who} is not one of them. Ask an administrator to add you to bot_allowed."
)
OPEN_SECURITY_REFUSAL = (
    "Only the security contacts and the people the bot's settings name (bot_allowed, "
    "bot_allowed_roles) can declare a security incident, and {who} is neither: tell a security "
    "contact, who can declare it."
)

CASES = [
    # (case, person, text, incident, rights, refusal or ALLOWED)
    ("a team member opens an ordinary one", MEMBER, OPEN, None, RIGHTS, ALLOWED),
    (
        "a team member may not open a security one",
        MEMBER,
        OPEN_SECURITY,
        None,
        RIGHTS,
        OPEN_SECURITY_REFUSAL.format(who="new.starter@example.org"),
    ),
    (
        "without 'team member' in the roles the team gives nothing",
        MEMBER,
        OPEN,
        None,
        NO_TEAM,
        OPEN_REFUSAL.format(who="new.starter@example.org"),
    ),
    (
        "an outsider may not open one, and is told how",
        OUTSIDER,
        OPEN,
        None,
        RIGHTS,
        OPEN_TEAM_REFUSAL.format(who="contractor@example.org"),
    ),
    ("bot_allowed opens anything", LISTED, OPEN_SECURITY, None, RIGHTS, ALLOWED),
    ("a directory role in the settings opens", INCIDENT_TEAM, OPEN, None, RIGHTS, ALLOWED),
    (
        "a security contact opens a security one",
        SECURITY_CONTACT,
        OPEN_SECURITY,
        None,
        NO_TEAM,
        ALLOWED,
    ),
    (
        "a security contact is not the settings: no ordinary one",
        SECURITY_CONTACT,
        OPEN,
        None,
        NO_TEAM,
        OPEN_REFUSAL.format(who="gideon@example.org"),
    ),
    ("someone named changes their incident", SCRIBE, "log Rolled back", ORDINARY, NO_TEAM, ALLOWED),
    (
        "being named on one gives nothing on another",
        SCRIBE,
        "log Rolled back",
        OTHER,
        NO_TEAM,
        CHANGE_REFUSAL.format(who="sam.scribe@example.org", which="INC-2026-0003's", how=ASK_LEAD),
    ),
    (
        "being named on one gives no right to open another",
        SCRIBE,
        OPEN,
        None,
        NO_TEAM,
        OPEN_REFUSAL.format(who="sam.scribe@example.org"),
    ),
    ("a team member takes a role", MEMBER, "tech me", ORDINARY, RIGHTS, ALLOWED),
    (
        "a team member names themselves",
        MEMBER,
        "scribe New.Starter@example.org",
        ORDINARY,
        RIGHTS,
        ALLOWED,
    ),
    (
        "a team member takes a process role",
        MEMBER,
        "role delivery manager me",
        OTHER,
        RIGHTS,
        ALLOWED,
    ),
    (
        "a team member may not hand roles out",
        MEMBER,
        "scribe someone.else@example.org",
        ORDINARY,
        RIGHTS,
        CHANGE_REFUSAL.format(
            who="new.starter@example.org", which="INC-2026-0001's", how=TAKE_ROLE
        ),
    ),
    (
        "a team member changes nothing else until named",
        MEMBER,
        "log I can help",
        ORDINARY,
        RIGHTS,
        CHANGE_REFUSAL.format(
            who="new.starter@example.org", which="INC-2026-0001's", how=TAKE_ROLE
        ),
    ),
    ("no incident to act on: the general rights count", MEMBER, "tech me", None, RIGHTS, ALLOWED),
    (
        "no incident to act on, and no rights",
        OUTSIDER,
        "tech me",
        None,
        RIGHTS,
        CHANGE_REFUSAL.format(who="contractor@example.org", which="the incident's", how=ASK_LEAD),
    ),
    ("the settings change any ordinary one", INCIDENT_TEAM, "priority p1", OTHER, RIGHTS, ALLOWED),
    (
        "a security one: not the settings",
        INCIDENT_TEAM,
        "lead me",
        SECRET,
        RIGHTS,
        SECURITY_REFUSAL,
    ),
    ("a security one: not the team", MEMBER, "tech me", SECRET, RIGHTS, SECURITY_REFUSAL),
    (
        "a security one: its named people",
        SCRIBE,
        "log Seen in the audit log",
        SECRET,
        RIGHTS,
        ALLOWED,
    ),
    ("a security one: the security contacts", SECURITY_CONTACT, "lead me", SECRET, RIGHTS, ALLOWED),
    ("unknown: may not change", NOBODY, "log x", ORDINARY, RIGHTS, UNKNOWN_PERSON),
    ("unknown: may still read", NOBODY, "list", None, RIGHTS, ALLOWED),
    ("an outsider reads the status", OUTSIDER, "status", SECRET, RIGHTS, ALLOWED),
    ("anyone asks for help", OUTSIDER, "help", ORDINARY, NO_TEAM, ALLOWED),
]


@pytest.mark.parametrize(
    ("person", "text", "incident", "rights", "refusal"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_who_may_act(
    person: Person,
    text: str,
    incident: IncidentSummary | None,
    rights: Rights,
    refusal: str | None,
) -> None:
    decision = to_act(person, c.parse(text), incident, rights)
    assert decision.refusal == refusal
    assert decision.allowed is (refusal is None)


@pytest.mark.parametrize(
    ("person", "sees"),
    [(SCRIBE, True), (SECURITY_CONTACT, True), (LISTED, True), (INCIDENT_TEAM, False),
     (MEMBER, False), (NOBODY, False)],
)  # fmt: skip
def test_only_its_people_and_the_security_contacts_see_a_security_incident(
    person: Person, sees: bool
) -> None:
    # LISTED declared it; bot_allowed alone would not do.
    assert to_see(person, SECRET, RIGHTS) is sees
    assert to_see(person, ORDINARY, RIGHTS) and to_see(person, None, RIGHTS)


def test_the_team_is_asked_about_only_when_it_could_help() -> None:
    assert RIGHTS.team_could_help(OUTSIDER) and RIGHTS.team_could_help(SCRIBE)
    assert not RIGHTS.team_could_help(INCIDENT_TEAM) and not RIGHTS.team_could_help(LISTED)
    assert not NO_TEAM.team_could_help(OUTSIDER)


WELLCOME = Policy(
    name="Wellcome", extra_roles=("delivery manager",), resolvers=("delivery manager",)
)


@pytest.mark.parametrize(
    ("profile", "holders", "who", "refusal"),
    [
        (DEFAULT_POLICY, {}, "anyone@example.org", None),
        (WELLCOME, {"delivery manager": "dm@example.org"}, "dm@example.org", None),
        (
            WELLCOME,
            {"incident lead": "lead@example.org", "delivery manager": "dm@example.org"},
            "lead@example.org",
            "Under the Wellcome process only the delivery manager may declare the incident "
            "resolved. Ask them to send 'close', or take the role first.",
        ),
    ],
)
def test_who_may_resolve_under_a_profile(
    profile: Policy, holders: dict[str, str], who: str, refusal: str | None
) -> None:
    incident = IncidentSummary("INC-2026-0001", False, Status.IDENTIFIED, "x@example.org", holders)
    assert to_resolve(profile, incident, who).refusal == refusal


@pytest.mark.parametrize(
    ("name", "resolver", "other"),
    [("wellcome", "delivery manager", "incident lead"), ("moj", "incident lead", "comms lead")],
)
def test_the_shipped_profiles_say_who_resolves(name: str, resolver: str, other: str) -> None:
    profile = load_profile(name)
    incident = IncidentSummary(
        "INC-2026-0001", False, Status.IDENTIFIED, "x@example.org", {resolver: "a@example.org",
        other: "b@example.org"},
    )  # fmt: skip
    assert to_resolve(profile, incident, "a@example.org").allowed
    refusal = to_resolve(profile, incident, "b@example.org").refusal
    assert refusal is not None and f"only the {resolver} may declare" in refusal
    assert profile.name in refusal
