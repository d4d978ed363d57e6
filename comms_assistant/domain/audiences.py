"""Who hears about an incident: the contacts directory's types and the routing rules.

Pure: no I/O. The directory is loaded from CSV files by `adapters.contacts`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from comms_assistant.domain.incident import Incident, Priority, Role

ALL_SERVICES = "all"


class ContactRole(StrEnum):
    SERVICE_OWNER = "service owner"
    DELIVERY_MANAGER = "delivery manager"
    PRODUCT_MANAGER = "product manager"
    PROGRAMME_DELIVERY_MANAGER = "programme delivery manager"
    DEPUTY_DIRECTOR = "deputy director"
    TECHNICAL_DIRECTOR = "technical director"
    INCIDENT_TEAM = "incident team"
    SUPPORT = "support"
    MAJOR_INCIDENT_TEAM = "major incident team"
    INFORMATION_SECURITY_MANAGER = "information security manager"
    DATA_PROTECTION_OFFICER = "data protection officer"
    STAKEHOLDER = "stakeholder"
    PARTNER = "partner"
    DISTRIBUTION_LIST = "distribution list"

    @classmethod
    def parse(cls, word: str) -> ContactRole | None:
        key = " ".join(word.lower().replace("_", " ").replace("-", " ").split())
        key = _ROLE_ALIASES.get(key, key)
        try:
            return cls(key)
        except ValueError:
            return None


# Spellings people type in a spreadsheet; DfE's playbook writes "program delivery manager".
_ROLE_ALIASES = {
    "program delivery manager": "programme delivery manager",
    "pdm": "programme delivery manager",
    "dd": "deputy director",
    "ism": "information security manager",
    "dpo": "data protection officer",
    "head of information security": "information security manager",
}

# Security incidents are kept private (Wellcome, dxw): only these roles and the leads hear.
SECURITY_ROLES = frozenset(
    {ContactRole.INFORMATION_SECURITY_MANAGER, ContactRole.DATA_PROTECTION_OFFICER}
)
# DfE: every P1 is reported to the central team as a Major Incident.
MAJOR_INCIDENT_ROLES = frozenset({ContactRole.MAJOR_INCIDENT_TEAM})


@dataclass(frozen=True)
class RoutingRules:
    """Who hears what, by role: `contacts/routing.csv`, with these defaults when it is absent.

    `min_priority` is the lowest priority that reaches a role when a contact gives none of its
    own; a contact's own `min_priority` always wins.
    """

    min_priority: Mapping[ContactRole, Priority] = field(
        default_factory=lambda: dict(DEFAULT_MIN_PRIORITY)
    )
    security: frozenset[ContactRole] = SECURITY_ROLES
    major_incident: frozenset[ContactRole] = MAJOR_INCIDENT_ROLES

    def default_for(self, role: ContactRole) -> Priority | None:
        return self.min_priority.get(role)


# From the seed playbooks: DfE makes programme delivery managers, deputy directors and service
# owners hear about every P1; support hears about everything its users may ring about.
DEFAULT_MIN_PRIORITY: dict[ContactRole, Priority] = {
    ContactRole.SERVICE_OWNER: Priority.P2,
    ContactRole.DELIVERY_MANAGER: Priority.P3,
    ContactRole.PRODUCT_MANAGER: Priority.P3,
    ContactRole.PROGRAMME_DELIVERY_MANAGER: Priority.P1,
    ContactRole.DEPUTY_DIRECTOR: Priority.P1,
    ContactRole.TECHNICAL_DIRECTOR: Priority.P1,
    ContactRole.INCIDENT_TEAM: Priority.P4,
    ContactRole.SUPPORT: Priority.P4,
    ContactRole.MAJOR_INCIDENT_TEAM: Priority.P1,
    ContactRole.INFORMATION_SECURITY_MANAGER: Priority.P1,
    ContactRole.DATA_PROTECTION_OFFICER: Priority.P1,
    ContactRole.STAKEHOLDER: Priority.P2,
    ContactRole.PARTNER: Priority.P1,
    ContactRole.DISTRIBUTION_LIST: Priority.P2,
}
DEFAULT_RULES = RoutingRules()


class Channels(StrEnum):
    EMAIL = "email"
    TEAMS = "teams"
    BOTH = "both"
    # Known by name only (the people who lead incidents): told nothing unless they lead a
    # security incident or someone names them in `notify`.
    NONE = "none"

    @property
    def email(self) -> bool:
        return self in (Channels.EMAIL, Channels.BOTH)

    @property
    def teams(self) -> bool:
        return self in (Channels.TEAMS, Channels.BOTH)


@dataclass(frozen=True)
class Contact:
    """A person or shared mailbox that may hear about incidents.

    `services` is ("all",) for every service. `teams` is where to reach them in Teams: blank
    means their email address (a chat), "Team/Channel" means a channel.
    """

    name: str
    email: str
    role: ContactRole
    services: tuple[str, ...] = (ALL_SERVICES,)
    min_priority: Priority = Priority.P4
    channels: Channels = Channels.EMAIL
    teams: str = ""

    @property
    def key(self) -> str:
        return self.email.casefold()

    @property
    def all_services(self) -> bool:
        return ALL_SERVICES in self.services

    def covers(self, services: Iterable[str]) -> bool:
        return self.all_services or not set(self.services).isdisjoint(services)

    def reached_at(self, priority: Priority) -> bool:
        # P1 is the most urgent: a P3 threshold lets P1, P2 and P3 through.
        return priority <= self.min_priority

    @property
    def teams_destination(self) -> str:
        """Where their Teams message goes: "channel:Team/Channel" or "chat:<sign-in address>"."""
        if self.teams and "/" in self.teams and "@" not in self.teams:
            return f"channel:{self.teams}"
        return f"chat:{(self.teams or self.email).casefold()}"


@dataclass(frozen=True)
class Service:
    """A service in the catalogue. `upstream`: services it depends on, which may be the cause;
    `downstream`: services that depend on it, which may be affected too (DfE playbook, step 6)."""

    key: str
    name: str
    owners: tuple[str, ...] = ()
    upstream: tuple[str, ...] = ()
    downstream: tuple[str, ...] = ()
    # The public status page (docs/status-page.md): whether the public knows the service by its
    # name, and its Statuspage component's id and Upptime site's slug ("": not on that page).
    public: bool = False
    statuspage_component: str = ""
    upptime_site: str = ""
    # The most urgent an incident of this service may be (domain/service_rules.py); None: any.
    max_priority: Priority | None = None

    @property
    def on_public_page(self) -> bool:
        """Its name may appear on the public page: marked public, or mapped to the page."""
        return self.public or bool(self.statuspage_component or self.upptime_site)


@dataclass(frozen=True)
class Directory:
    contacts: tuple[Contact, ...] = ()
    services: tuple[Service, ...] = ()
    routing: RoutingRules = DEFAULT_RULES

    def people_names(self) -> dict[str, str]:
        """Email (lower case) -> the person's name, for messages that name people."""
        return {c.email.lower(): c.name for c in self.contacts if c.name and "@" in c.email}

    def service_names(self) -> dict[str, str]:
        return {s.key: s.name for s in self.services}

    def service_name(self, key: str) -> str:
        return self.service_names().get(key, key)

    def service(self, word: str) -> Service | None:
        """A service by its key or its name, whatever the capitals."""
        folded = " ".join(word.split()).casefold()
        for service in self.services:
            if folded in (service.key, service.name.casefold()):
                return service
        return None


def audience_for(
    incident: Incident, contacts: Iterable[Contact], rules: RoutingRules = DEFAULT_RULES
) -> tuple[Contact, ...]:
    """Everyone who should hear about `incident`, each once, in directory order.

    A contact hears when it covers one of the incident's services (or all) and the incident is
    at least as urgent as its `min_priority`. A security incident reaches only security roles
    covering its services, whatever their `min_priority` (a small breach still matters to them),
    and then the incident's leads.
    """
    every = tuple(contacts)
    contacts = tuple(c for c in every if c.channels is not Channels.NONE)
    services = set(incident.services)
    if incident.security:
        chosen = [c for c in contacts if c.role in rules.security and c.covers(services)]
        chosen += _leads(incident, every)
    else:
        chosen = [c for c in contacts if c.covers(services) and c.reached_at(incident.priority)]
    return unique(chosen)


def major_incident_team(
    contacts: Iterable[Contact], rules: RoutingRules = DEFAULT_RULES
) -> tuple[Contact, ...]:
    """The central team told of every Major Incident (P1), whatever the services."""
    return unique(
        c for c in contacts if c.role in rules.major_incident and c.channels is not Channels.NONE
    )


def teams_destinations(audience: Iterable[Contact], *, security: bool) -> dict[str, Contact]:
    """One Teams destination per channel or person, first contact first.

    A security incident goes only to 1:1 chats: a channel, even a team's own, is read by
    people who were not chosen to know.
    """
    found: dict[str, Contact] = {}
    for contact in teams_recipients(audience):
        destination = contact.teams_destination
        if security and destination.startswith("channel:"):
            continue
        found.setdefault(destination, contact)
    return found


def email_recipients(audience: Iterable[Contact]) -> tuple[Contact, ...]:
    return tuple(c for c in audience if c.channels.email)


def teams_recipients(audience: Iterable[Contact]) -> tuple[Contact, ...]:
    return tuple(c for c in audience if c.channels.teams)


def _leads(incident: Incident, contacts: tuple[Contact, ...]) -> list[Contact]:
    # A lead is recorded as whatever the person typed: an address, or a name from the directory.
    by_email = {c.key: c for c in contacts}
    by_name = {c.name.casefold(): c for c in contacts}
    found = []
    for role in Role:
        who = incident.leads.get(role, "").strip()
        if not who:
            continue
        contact = by_email.get(who.casefold()) or by_name.get(who.casefold())
        if contact is None and looks_like_email(who):
            contact = Contact(who, who, ContactRole.INCIDENT_TEAM, channels=Channels.EMAIL)
        elif contact is not None and contact.channels is Channels.NONE:
            contact = replace(contact, channels=Channels.EMAIL)  # leading it, they are told
        if contact is not None:
            found.append(contact)
    return found


def looks_like_email(text: str) -> bool:
    local, at, domain = text.partition("@")
    return bool(at and local and "." in domain and not any(ch.isspace() for ch in text))


def unique(contacts: Iterable[Contact]) -> tuple[Contact, ...]:
    seen: dict[str, Contact] = {}
    for contact in contacts:
        seen.setdefault(contact.key, contact)
    return tuple(seen.values())
