from datetime import UTC, datetime

import pytest

from comms_assistant.domain.audiences import (
    Channels,
    Contact,
    ContactRole,
    Directory,
    Service,
    audience_for,
    email_recipients,
    teams_recipients,
)
from comms_assistant.domain.incident import Incident, Priority, Role

NOW = datetime(2026, 11, 23, 9, 5, tzinfo=UTC)

OWNER_APPLY = Contact(
    "Rowan Hale", "rowan.hale@example.org", ContactRole.SERVICE_OWNER, ("apply",), Priority.P2
)
OWNER_FIND = Contact(
    "Imogen Pryce", "imogen.pryce@example.org", ContactRole.SERVICE_OWNER, ("find",), Priority.P2
)
DM = Contact(
    "Nadia Farrow",
    "nadia.farrow@example.org",
    ContactRole.DELIVERY_MANAGER,
    ("apply", "find"),
    Priority.P3,
    Channels.TEAMS,
)
DEPUTY = Contact(
    "Marcus Ellery",
    "marcus.ellery@example.org",
    ContactRole.DEPUTY_DIRECTOR,
    ("all",),
    Priority.P1,
    Channels.BOTH,
)
MAJOR = Contact(
    "Central Major Incident team",
    "major-incidents@example.org",
    ContactRole.MAJOR_INCIDENT_TEAM,
    ("all",),
    Priority.P1,
)
SUPPORT = Contact("Support", "support@example.org", ContactRole.SUPPORT, ("all",), Priority.P4)
ISM = Contact(
    "Gideon Marsh",
    "gideon.marsh@example.org",
    ContactRole.INFORMATION_SECURITY_MANAGER,
    ("all",),
    Priority.P1,
)
DPO = Contact(
    "Florence Quill",
    "florence.quill@example.org",
    ContactRole.DATA_PROTECTION_OFFICER,
    ("register",),
    Priority.P1,
)
DIRECTORY = (OWNER_APPLY, OWNER_FIND, DM, DEPUTY, MAJOR, SUPPORT, ISM, DPO)


def incident(priority: Priority, *services: str, security: bool = False) -> Incident:
    return Incident.declare(
        reference="INC-2026-0003",
        title="Apply for teacher training is down",
        priority=priority,
        impact="Candidates cannot send applications.",
        services=services,
        who="alex@example.org",
        now=NOW,
        security=security,
    )


def emails(audience: tuple[Contact, ...]) -> list[str]:
    return [c.email for c in audience]


def test_p1_reaches_senior_people_and_the_major_incident_team():
    audience = audience_for(incident(Priority.P1, "apply"), DIRECTORY)
    assert emails(audience) == [
        OWNER_APPLY.email,
        DM.email,
        DEPUTY.email,
        MAJOR.email,
        SUPPORT.email,
        ISM.email,
    ]


def test_p2_reaches_service_owners_but_not_p1_only_contacts():
    audience = audience_for(incident(Priority.P2, "apply"), DIRECTORY)
    assert emails(audience) == [OWNER_APPLY.email, DM.email, SUPPORT.email]


def test_min_priority_p3_means_p1_to_p3():
    assert DM in audience_for(incident(Priority.P3, "find"), DIRECTORY)
    assert DM not in audience_for(incident(Priority.P4, "find"), DIRECTORY)
    assert OWNER_FIND not in audience_for(incident(Priority.P3, "find"), DIRECTORY)


def test_a_service_owner_hears_only_about_their_services():
    audience = audience_for(incident(Priority.P1, "find"), DIRECTORY)
    assert OWNER_FIND in audience
    assert OWNER_APPLY not in audience


def test_several_services_reach_each_of_their_owners():
    audience = audience_for(incident(Priority.P2, "apply", "find"), DIRECTORY)
    assert {OWNER_APPLY, OWNER_FIND} <= set(audience)


def test_an_incident_with_no_services_reaches_only_contacts_for_all():
    audience = audience_for(incident(Priority.P1), DIRECTORY)
    assert emails(audience) == [DEPUTY.email, MAJOR.email, SUPPORT.email, ISM.email]


def test_the_same_address_is_reached_once_whatever_its_case():
    shouting = Contact("Support desk", "SUPPORT@Example.org", ContactRole.SUPPORT, ("apply",))
    audience = audience_for(incident(Priority.P2, "apply"), (*DIRECTORY, shouting))
    assert [c.email.lower() for c in audience].count("support@example.org") == 1
    assert SUPPORT in audience  # the first row wins, so the order is the directory's


def test_a_security_incident_reaches_only_security_roles_and_the_leads():
    breach = incident(Priority.P3, "register", security=True)
    breach.assign(Role.INCIDENT_LEAD, "Nadia Farrow", who="alex@example.org", now=NOW)
    breach.assign(Role.COMMS_LEAD, "sam.lee@example.org", who="alex@example.org", now=NOW)
    audience = audience_for(breach, DIRECTORY)
    # Security roles hear whatever their min_priority: a P3 breach still matters to them.
    assert emails(audience) == [ISM.email, DPO.email, DM.email, "sam.lee@example.org"]
    assert SUPPORT not in audience and MAJOR not in audience


def test_a_security_incident_keeps_security_roles_to_their_services():
    breach = incident(Priority.P1, "apply", security=True)
    # The DPO covers register only; whoever declared it leads it, and hears as its lead.
    assert emails(audience_for(breach, DIRECTORY)) == [ISM.email, "alex@example.org"]


def test_a_lead_who_is_also_a_security_contact_is_reached_once():
    breach = incident(Priority.P2, "apply", security=True)
    breach.assign(Role.INCIDENT_LEAD, "GIDEON.MARSH@example.org", who="x", now=NOW)
    assert emails(audience_for(breach, DIRECTORY)) == [ISM.email]


def test_a_lead_given_only_as_an_unknown_name_cannot_be_reached():
    breach = incident(Priority.P2, "apply", security=True)
    breach.assign(Role.TECH_LEAD, "Somebody New", who="x", now=NOW)
    assert emails(audience_for(breach, DIRECTORY)) == [ISM.email, "alex@example.org"]


def test_leads_are_not_added_to_ordinary_incidents():
    ordinary = incident(Priority.P2, "apply")
    ordinary.assign(Role.COMMS_LEAD, "sam.lee@example.org", who="x", now=NOW)
    assert "sam.lee@example.org" not in emails(audience_for(ordinary, DIRECTORY))


def test_recipients_by_channel():
    audience = audience_for(incident(Priority.P1, "apply"), DIRECTORY)
    assert DM not in email_recipients(audience)
    assert DM in teams_recipients(audience)
    assert DEPUTY in email_recipients(audience) and DEPUTY in teams_recipients(audience)
    assert MAJOR not in teams_recipients(audience)


@pytest.mark.parametrize(
    ("typed", "role"),
    [
        ("Service Owner", ContactRole.SERVICE_OWNER),
        ("  programme   delivery manager ", ContactRole.PROGRAMME_DELIVERY_MANAGER),
        ("program delivery manager", ContactRole.PROGRAMME_DELIVERY_MANAGER),
        ("DPO", ContactRole.DATA_PROTECTION_OFFICER),
        ("major_incident_team", ContactRole.MAJOR_INCIDENT_TEAM),
        ("director", None),
    ],
)
def test_roles_are_read_the_way_people_type_them(typed, role):
    assert ContactRole.parse(typed) is role


def test_directory_names_services_and_falls_back_to_the_key():
    directory = Directory(services=(Service("apply", "Apply for teacher training"),))
    assert directory.service_name("apply") == "Apply for teacher training"
    assert directory.service_name("unknown") == "unknown"


ONCALL = Contact(
    "Sam Okafor",
    "comms.lead@example.org",
    ContactRole.INCIDENT_TEAM,
    ("all",),
    Priority.P4,
    Channels.NONE,
)


def test_someone_known_by_name_only_is_told_nothing_about_ordinary_incidents():
    for priority in Priority:
        audience = audience_for(incident(priority, "apply"), (*DIRECTORY, ONCALL))
        assert ONCALL.email not in emails(audience)
    assert not ONCALL.channels.email and not ONCALL.channels.teams


def test_someone_known_by_name_only_who_leads_a_security_incident_is_told_by_email():
    breach = incident(Priority.P2, "apply", security=True)
    breach.assign(Role.COMMS_LEAD, "Sam Okafor", who="x", now=NOW)
    audience = audience_for(breach, (*DIRECTORY, ONCALL))
    # Alex declared it, so leads it; the incident lead is reached before the comms lead.
    assert emails(audience) == [ISM.email, "alex@example.org", ONCALL.email]
    assert email_recipients(audience)[-1].name == "Sam Okafor"
