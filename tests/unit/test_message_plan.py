"""The decide step of a stakeholder message: who hears what, by which channel, with no database
and no templates (domain/message_plan.py)."""

from datetime import UTC, datetime

from comms_assistant.domain.audiences import Channels, Contact, ContactRole
from comms_assistant.domain.incident import Incident, Priority
from comms_assistant.domain.message_plan import Audience, Part, Routing, Told, decide
from comms_assistant.domain.messages import MessageKind

NOW = datetime(2026, 11, 23, 9, 5, tzinfo=UTC)

OWNER = Contact(
    "Rowan Hale", "rowan.hale@example.org", ContactRole.SERVICE_OWNER, ("apply",), Priority.P2
)
DM = Contact(
    "Nadia Farrow",
    "nadia.farrow@example.org",
    ContactRole.DELIVERY_MANAGER,
    ("apply",),
    Priority.P3,
    Channels.BOTH,
)
DEPUTY = Contact(
    "Marcus Ellery", "marcus.ellery@example.org", ContactRole.DEPUTY_DIRECTOR, ("all",), Priority.P1
)
DESK = Contact(
    "Service desk",
    "desk@example.org",
    ContactRole.SUPPORT,
    ("all",),
    Priority.P4,
    Channels.TEAMS,
    teams="Service desk/General",
)
MAJOR = Contact(
    "Central Major Incident team",
    "major-incidents@example.org",
    ContactRole.MAJOR_INCIDENT_TEAM,
    ("all",),
    Priority.P1,
)
ISM = Contact(
    "Gideon Marsh",
    "gideon.marsh@example.org",
    ContactRole.INFORMATION_SECURITY_MANAGER,
    ("all",),
    Priority.P1,
    Channels.BOTH,
)
ROUTING = Routing((OWNER, DM, DEPUTY, DESK, MAJOR, ISM))


def incident(priority: Priority = Priority.P3, *, security: bool = False) -> Incident:
    return Incident.declare(
        reference="INC-2026-0001",
        title="Apply is down",
        priority=priority,
        impact="Candidates cannot apply.",
        services=("apply",),
        who="alex@example.org",
        now=NOW,
        security=security,
    )


def heard(decision, part: Part = Part.MAIN) -> Audience:
    return next((s.who for s in decision.sends if s.part is part), Audience())


def test_an_opening_tells_the_audience_by_their_channels_and_the_incidents_channel():
    decision = decide(incident(), MessageKind.OPENED, Told(), ROUTING, NOW)
    main = heard(decision)
    assert set(main.mail) == {"nadia.farrow@example.org"}
    assert set(main.teams) == {"chat:nadia.farrow@example.org", "channel:Service desk/General"}
    assert decision.channel_card
    assert decision.after.updates_sent == 0, "the opening is not an update"
    assert set(decision.after.told) == {*main.mail, *(f"teams:{d}" for d in main.teams)}
    assert decision.next_update_by is not None


def test_people_told_already_are_not_told_twice_and_keep_hearing_when_the_priority_drops():
    told = Told(("rowan.hale@example.org", "nadia.farrow@example.org"), updates_sent=2)
    decision = decide(incident(Priority.P3), MessageKind.UPDATE, told, ROUTING, NOW)
    assert "rowan.hale@example.org" in heard(decision).mail, "told at P2, still told at P3"
    late = heard(decision, Part.CATCH_UP)
    assert not set(late.mail) & set(told.told)
    assert decision.newly_told == late.mail
    assert decision.after.updates_sent == 3

    again = decide(incident(), MessageKind.CATCH_UP, decision.after, ROUTING, NOW)
    assert not again.sends, "a catch-up tells nobody who has heard"
    assert not again.channel_card


def test_the_central_team_hears_a_major_incident_once():
    decision = decide(incident(Priority.P1), MessageKind.OPENED, Told(), ROUTING, NOW)
    major = heard(decision, Part.MAJOR_INCIDENT)
    assert major.mail == ("major-incidents@example.org",)
    assert "major-incidents@example.org" not in heard(decision).mail, "told by the notification"
    assert decision.major_notified and decision.after.major_notified

    later = decide(incident(Priority.P1), MessageKind.UPDATE, decision.after, ROUTING, NOW)
    assert not later.major_notified


def test_a_security_incidents_wider_audience_never_hears():
    secret = incident(Priority.P1, security=True)
    decision = decide(secret, MessageKind.OPENED, Told(), ROUTING, NOW)
    everyone = {a for s in decision.sends for a in s.who.mail}
    assert everyone == {"gideon.marsh@example.org", "alex@example.org", MAJOR.email}
    assert not decision.channel_card, "the incidents channel is not told"
    assert all(not d.startswith("channel:") for s in decision.sends for d in s.who.teams)
    major = next(s for s in decision.sends if s.part is Part.MAJOR_INCIDENT)
    assert major.restricted and not major.who.teams

    update = decide(secret, MessageKind.UPDATE, decision.after, ROUTING, NOW)
    assert MAJOR.email not in {a for s in update.sends for a in s.who.mail}, "no updates"

    resolved = decide(secret, MessageKind.RESOLVED, update.after, ROUTING, NOW)
    word = heard(resolved, Part.RESTRICTED)
    assert word.mail == (MAJOR.email,), "only a restricted word that it is over"
    assert MAJOR.email not in heard(resolved).mail
    assert resolved.next_update_by is None


def test_notify_tells_only_the_people_added_with_the_story_so_far():
    opened = decide(incident(), MessageKind.OPENED, Told(), ROUTING, NOW)
    decision = decide(incident(), MessageKind.CATCH_UP, opened.after, ROUTING, NOW, extra=[OWNER])
    assert [s.part for s in decision.sends] == [Part.CATCH_UP]
    assert decision.newly_told == ("rowan.hale@example.org",)
    assert decision.caught_up == 1 and decision.emailed == 1
    assert decision.names["rowan.hale@example.org"] == "Rowan Hale"
