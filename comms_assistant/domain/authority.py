"""Who may do what to an incident: the one authorization policy (issue 19).

The bot's gate asks it before a command from Teams is stored, and the service asks it when an
incident is declared resolved; when it says no, its reason is what the person reads. Pure: the
callers find out who the person is (the settings, the contacts directory, the team the bot
serves) and what the incident is, and hand both over.

The rights:
- anyone may read (`help`, `list`, `status`); the status of a security incident is checked on
  the answer (`to_see`), since which incident `status` means is known only then;
- changing an incident needs an address in `bot_allowed`, a contacts directory role in
  `bot_allowed_roles`, or being named on that incident (whoever declared it, or holds one of
  its roles), and the last gives rights on that incident only;
- members of the team the bot serves ('team member' in bot_allowed_roles) may open an ordinary
  incident and take a role on one themselves ('tech me'), which names them on it;
- a security incident is only for the people named on it and the security contacts: the
  general rights and team membership do not reach it; only they and the settings may open one;
- under a process profile with resolvers (Wellcome: the delivery manager; MoJ: the incident
  lead), only a holder of one of those roles may declare the incident resolved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from comms_assistant.domain import commands as c
from comms_assistant.domain.audiences import SECURITY_ROLES, ContactRole
from comms_assistant.domain.incident import Incident, Status
from comms_assistant.domain.policy import Policy

# In bot_allowed_roles: members of the team the bot serves may open an ordinary incident and
# take a role on one. Not a contacts directory role: the Bot Connector says who is in the team.
TEAM_MEMBER = "team member"

UNKNOWN_PERSON = (
    "I could not tell who you are, so I cannot let you change an incident. "
    "Ask an administrator to add you to the bot's list of people."
)
SECURITY_REFUSAL = (
    "That is a security incident: only its incident team can see it. "
    "Ask the incident lead if you need to know more."
)
_SETTINGS = "the people the bot's settings name (bot_allowed, bot_allowed_roles)"


@dataclass(frozen=True)
class Person:
    """Who is asking, as far as the caller could tell."""

    email: str | None  # None: nobody could say who it is
    listed: bool = False  # their address is in bot_allowed
    directory_roles: frozenset[ContactRole] = frozenset()  # their roles in the contacts directory
    team_member: bool = False  # in the team the bot serves

    @property
    def address(self) -> str:
        return (self.email or "").lower()


@dataclass(frozen=True)
class Rights:
    """What the settings give: bot_allowed_roles (contacts directory roles, and TEAM_MEMBER),
    and which directory roles make someone a security contact."""

    allowed_roles: frozenset[str] = frozenset()
    security_roles: frozenset[ContactRole] = SECURITY_ROLES

    @property
    def team_counts(self) -> bool:
        return TEAM_MEMBER in self.allowed_roles

    def general(self, person: Person) -> bool:
        """Rights on every ordinary incident, from the settings alone."""
        return person.listed or any(r.value in self.allowed_roles for r in person.directory_roles)

    def security_contact(self, person: Person) -> bool:
        return not person.directory_roles.isdisjoint(self.security_roles)

    def member(self, person: Person) -> bool:
        return self.team_counts and person.team_member

    def team_could_help(self, person: Person) -> bool:
        """Whether being in the team could give `person` more than they have already."""
        return self.team_counts and not self.general(person)


@dataclass(frozen=True)
class IncidentSummary:
    """What the policy needs to know of an incident."""

    reference: str
    security: bool
    status: Status
    declared_by: str
    # Role (a standard Role's value, or a role of the organisation's process) -> who holds it.
    holders: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, incident: Incident) -> IncidentSummary:
        holders = {role.value: person for role, person in incident.leads.items()}
        return cls(
            reference=incident.reference,
            security=incident.security,
            status=incident.status,
            declared_by=incident.declared_by,
            holders=holders | dict(incident.extra_leads),
        )

    def roles_of(self, person: str) -> set[str]:
        """The roles `person` holds, as written (the profile's resolvers are matched so)."""
        return {role for role, holder in self.holders.items() if holder == person}

    def named(self) -> set[str]:
        """Everyone named on it, in lower case: its holders and whoever declared it."""
        people = [*self.holders.values(), self.declared_by]
        return {person.lower() for person in people if person}


@dataclass(frozen=True)
class Decision:
    refusal: str | None = None  # None: allowed; else what the person is told

    @property
    def allowed(self) -> bool:
        return self.refusal is None


ALLOWED = Decision()


def to_act(
    person: Person, command: c.Command, incident: IncidentSummary | None, rights: Rights
) -> Decision:
    """Whether `person` may run `command` on `incident` (None: it opens one, or there is no
    incident it could act on, which the service then says)."""
    if isinstance(command, c.READ_ONLY):
        return ALLOWED
    if person.email is None:
        return Decision(UNKNOWN_PERSON)
    if _allowed(person, command, incident, rights):
        return ALLOWED
    return Decision(_why_not(person, command, incident, rights))


def to_see(person: Person, incident: IncidentSummary | None, rights: Rights) -> bool:
    """Whether `person` may see `incident` (None: there is none to hide)."""
    if incident is None or not incident.security:
        return True
    return person.email is not None and _may_change(person, incident, rights)


def to_resolve(profile: Policy, incident: IncidentSummary, who: str) -> Decision:
    """Whether `who` may declare `incident` resolved under the process `profile`."""
    if profile.may_resolve(incident.roles_of(who)):
        return ALLOWED
    roles = " or ".join(profile.resolvers)
    return Decision(
        f"Under the {profile.name} process only the {roles} may declare the incident "
        f"resolved. Ask them to send 'close', or take the role first."
    )


def _allowed(
    person: Person, command: c.Command, incident: IncidentSummary | None, rights: Rights
) -> bool:
    if isinstance(command, c.Open):
        if command.security:
            return rights.general(person) or rights.security_contact(person)
        return rights.general(person) or rights.member(person)
    if incident is None:
        return rights.general(person) or rights.member(person)
    if _may_change(person, incident, rights):
        return True
    member = rights.member(person)
    return member and not incident.security and _for_themselves(command, person.address)


def _may_change(person: Person, incident: IncidentSummary, rights: Rights) -> bool:
    named = person.address in incident.named()
    if incident.security:
        return named or rights.security_contact(person)
    return rights.general(person) or named


def _for_themselves(command: c.Command, who: str) -> bool:
    """'tech me', 'role delivery manager me' (or their own address): a role they take."""
    if isinstance(command, c.Assign | c.AssignExtra):
        return command.person is None or command.person.lower() == who
    return False


def _why_not(
    person: Person, command: c.Command, incident: IncidentSummary | None, rights: Rights
) -> str:
    who = person.address
    if incident is not None and incident.security:
        return SECURITY_REFUSAL
    if isinstance(command, c.Open):
        return _why_not_open(who, command, rights)
    which = f"{incident.reference}'s" if incident is not None else "the incident's"
    how = (
        "Take a role on it first ('scribe me', 'tech me'), or ask its incident lead to."
        if rights.member(person)
        else "Ask its incident lead to name you (e.g. 'scribe you@example.org'), or an "
        "administrator to add you."
    )
    return (
        f"Only the incident team can change an incident: whoever declared it, its leads, and "
        f"{_SETTINGS}. {who} is not in {which} team. {how}"
    )


def _why_not_open(who: str, command: c.Open, rights: Rights) -> str:
    if command.security:
        return (
            f"Only the security contacts and {_SETTINGS} can declare a security incident, "
            f"and {who} is neither: tell a security contact, who can declare it."
        )
    if rights.team_counts:
        return (
            f"Only members of the incidents channel's team and {_SETTINGS} can declare an "
            f"incident, and {who} is neither. Ask a team owner to add you to the team, or an "
            "administrator to add you to bot_allowed."
        )
    return (
        f"Only {_SETTINGS} can declare an incident, and {who} is not one of them. Ask an "
        "administrator to add you to bot_allowed."
    )
