"""Who hears a stakeholder message, and by which channel: the decision, before any rendering.

Pure: no I/O. The rules (see contacts/README.md):
- the audience comes from the incident's priority and services (`audience_for`);
- whoever was told once keeps hearing until the incident ends, even if the priority goes down;
- whoever joins the audience later (a raised priority, `notify`) gets a catch-up message, with
  what happened so far, instead of a message that assumes they know;
- a P1 sends the central team the Major Incident notification, once per incident;
- a security incident never reaches a channel: only mail and 1:1 chats; the central team hears
  only that it exists (the Major Incident notification) and that it is over, never what it is;
- the incident's `told` list records every address and Teams destination told, so the
  resolution reaches each of them by every channel they were told by.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from comms_assistant.domain.audiences import (
    DEFAULT_RULES,
    Contact,
    RoutingRules,
    audience_for,
    email_recipients,
    major_incident_team,
    teams_destinations,
)
from comms_assistant.domain.incident import Incident, Priority
from comms_assistant.domain.messages import MessageKind
from comms_assistant.domain.policy import DEFAULT_POLICY, Policy

# In the incident's `told` list, a Teams destination is kept beside the email addresses with
# this prefix.
TEAMS_PREFIX = "teams:"
# The messages that start or end the story: everyone told so far and everyone in the audience
# now hears them, and they carry no update number.
_WHOLE_AUDIENCE = (MessageKind.OPENED, MessageKind.RESOLVED)


@dataclass(frozen=True)
class Audience:
    """Email addresses (lower case) and Teams destinations ("chat:...", "channel:...")."""

    mail: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.mail or self.teams)

    @property
    def size(self) -> int:
        return len(self.mail) + len(self.teams)

    def split(
        self, mail: Collection[str], teams: Collection[str] = ()
    ) -> tuple[Audience, Audience]:
        """(everyone else, those in `mail` or `teams`): the one audience filter."""
        return (
            Audience(
                tuple(a for a in self.mail if a not in mail),
                tuple(d for d in self.teams if d not in teams),
            ),
            Audience(
                tuple(a for a in self.mail if a in mail),
                tuple(d for d in self.teams if d in teams),
            ),
        )

    def without(self, other: Audience) -> Audience:
        return self.split(other.mail, other.teams)[0]

    def joined(self, other: Audience) -> Audience:
        return Audience(_unique([*self.mail, *other.mail]), _unique([*self.teams, *other.teams]))

    def as_told(self) -> tuple[str, ...]:
        """As written in the incident's `told` list."""
        return (*self.mail, *(TEAMS_PREFIX + d for d in self.teams))

    @classmethod
    def from_told(cls, told: Iterable[str]) -> Audience:
        told = tuple(told)
        return cls(
            tuple(t for t in told if not t.startswith(TEAMS_PREFIX)),
            tuple(t.removeprefix(TEAMS_PREFIX) for t in told if t.startswith(TEAMS_PREFIX)),
        )

    @classmethod
    def of(cls, contacts: Iterable[Contact], *, security: bool) -> Audience:
        contacts = tuple(contacts)
        return cls(
            _unique(c.email.lower() for c in email_recipients(contacts)),
            tuple(teams_destinations(contacts, security=security)),
        )


class Part(Enum):
    """Which of the (up to four) messages a change sends; each has its own outbox keys."""

    MAIN = "main"  # the change's own message, to those told already (or everyone, OPENED)
    CATCH_UP = "catchup"  # the story so far, for those joining the audience now
    MAJOR_INCIDENT = "major-incident"  # the central team's notification of a P1
    RESTRICTED = "restricted"  # a security incident's end, as the central team may hear it


@dataclass(frozen=True)
class Send:
    part: Part
    kind: MessageKind
    who: Audience
    restricted: bool  # only that the incident exists or ended: no details, no report link


@dataclass(frozen=True)
class Told:
    """What the incident's messages so far left behind."""

    told: tuple[str, ...] = ()  # every address and "teams:" destination told
    updates_sent: int = 0
    major_notified: bool = False  # the central team had the Major Incident notification


@dataclass(frozen=True)
class Routing:
    """Whom an incident can reach: the contacts directory, its rules and the process profile."""

    contacts: tuple[Contact, ...]
    rules: RoutingRules = DEFAULT_RULES
    policy: Policy = DEFAULT_POLICY


@dataclass(frozen=True)
class Decision:
    kind: MessageKind  # the change's own message
    sends: tuple[Send, ...]  # in the order they are queued; none of them empty
    channel_card: bool  # the incidents channel hears the main message first
    next_update_by: datetime | None
    after: Told  # the incident's state once these messages are queued
    names: dict[str, str] = field(default_factory=dict)  # address -> name, for the Bcc line
    newly_told: tuple[str, ...] = ()  # addresses told for the first time

    @property
    def emailed(self) -> int:
        return sum(len(s.who.mail) for s in self.sends)

    @property
    def teams(self) -> int:
        return sum(len(s.who.teams) for s in self.sends)

    @property
    def caught_up(self) -> int:
        return sum(s.who.size for s in self.sends if s.kind is MessageKind.CATCH_UP)

    @property
    def major_notified(self) -> bool:
        return any(s.part is Part.MAJOR_INCIDENT for s in self.sends)


def decide(
    incident: Incident,
    kind: MessageKind,
    before: Told,
    routing: Routing,
    now: datetime,
    *,
    extra: Iterable[Contact] = (),
) -> Decision:
    """Who hears `kind`; `extra` are people added by hand (`notify`), told as late joiners."""
    chosen = audience_for(incident, routing.contacts, routing.rules)
    everyone = (*chosen, *extra)
    main, late = _main_and_late(kind, Audience.from_told(before.told), everyone, incident)
    # A security incident's details stay with its audience: the central team, told of it by the
    # Major Incident notification, hears no updates, and only a restricted word at the end.
    outsiders = central_team_outside(incident, routing, email_recipients(chosen))
    main, outside = main.split(outsiders)
    late = late.split(outsiders)[0]
    if kind is not MessageKind.RESOLVED:
        outside = Audience()
    major = _major_audience(incident, kind, before, routing)
    # The notification tells them everything the opening or catch-up message would.
    main, late = main.without(major), late.without(major)
    sends = tuple(
        send
        for send in (
            Send(Part.MAIN, kind, main, False),
            Send(Part.CATCH_UP, MessageKind.CATCH_UP, late, False),
            Send(Part.MAJOR_INCIDENT, MessageKind.MAJOR_INCIDENT, major, incident.security),
            Send(Part.RESTRICTED, kind, outside, True),
        )
        if send.who
    )
    return Decision(
        kind=kind,
        sends=sends,
        # Security incidents stay out of the incidents channel; a catch-up is for its joiners.
        channel_card=not incident.security and kind is not MessageKind.CATCH_UP,
        next_update_by=_next_update_by(incident, kind, routing.policy, now),
        after=_after(before, kind, sends),
        names={c.key: c.name for c in (*routing.contacts, *everyone)},
        newly_told=tuple(a for s in sends for a in s.who.mail if a not in before.told),
    )


def central_team_outside(
    incident: Incident, routing: Routing, audience: Iterable[Contact]
) -> set[str]:
    """For a security incident, the central team's addresses outside its audience (a mailbox
    that is also a security contact hears in full): they hear only that it exists and ends."""
    if not incident.security:
        return set()
    team = major_incident_team(routing.contacts, routing.rules)
    inside = {c.email.lower() for c in audience}
    return {c.email.lower() for c in email_recipients(team)} - inside


def _main_and_late(
    kind: MessageKind, told: Audience, everyone: Iterable[Contact], incident: Incident
) -> tuple[Audience, Audience]:
    now = Audience.of(everyone, security=incident.security)
    if kind in _WHOLE_AUDIENCE:
        return told.joined(now), Audience()
    joining = now.without(told)
    if kind is MessageKind.CATCH_UP:
        # `notify`: only those not told yet hear, and what they hear is the story so far.
        return Audience(), joining
    # Lowering the priority narrows the audience, but nobody told is dropped mid-incident.
    return told, joining


def _major_audience(
    incident: Incident, kind: MessageKind, before: Told, routing: Routing
) -> Audience:
    """The central team, when this P1 has not told them yet (P2 → P1 → P2 → P1 tells once)."""
    if incident.priority is not Priority.P1 or kind is MessageKind.RESOLVED:
        return Audience()
    if before.major_notified:
        return Audience()
    team = Audience.of(
        major_incident_team(routing.contacts, routing.rules), security=incident.security
    )
    return Audience(team.mail, () if incident.security else team.teams)


def _next_update_by(
    incident: Incident, kind: MessageKind, policy: Policy, now: datetime
) -> datetime | None:
    if kind is MessageKind.RESOLVED:
        return None
    return policy.next_update_due(incident.priority, now)


def _after(before: Told, kind: MessageKind, sends: tuple[Send, ...]) -> Told:
    # Updates are numbered; the opening, the resolution and a catch-up are not updates.
    numbered = kind not in (*_WHOLE_AUDIENCE, MessageKind.CATCH_UP)
    told = _unique([*before.told, *(t for s in sends for t in s.who.as_told())])
    return Told(
        told=told,
        updates_sent=before.updates_sent + (1 if numbered else 0),
        major_notified=before.major_notified or any(s.part is Part.MAJOR_INCIDENT for s in sends),
    )


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
