"""Services next to an incident's, and who `notify <service|email|group>` means.

Pure: works on the loaded `Directory`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from comms_assistant.domain.audiences import (
    Channels,
    Contact,
    ContactRole,
    Directory,
    Service,
    looks_like_email,
    unique,
)


@dataclass(frozen=True)
class Related:
    """A service next to an incident's services, and the contacts of its team."""

    service: Service
    direction: str  # "upstream" or "downstream"
    contacts: tuple[Contact, ...]


def related_services(directory: Directory, services: Iterable[str]) -> tuple[Related, ...]:
    """The upstream and downstream neighbours of `services`, with their teams' own contacts."""
    affected = set(services)
    found: list[Related] = []
    seen: set[str] = set(affected)
    for key in services:
        service = directory.service(key)
        if service is None:
            continue
        for direction, keys in (("upstream", service.upstream), ("downstream", service.downstream)):
            for neighbour_key in keys:
                neighbour = directory.service(neighbour_key)
                if neighbour is None or neighbour.key in seen:
                    continue
                seen.add(neighbour.key)
                found.append(Related(neighbour, direction, service_team(directory, neighbour)))
    return tuple(found)


def service_team(directory: Directory, service: Service) -> tuple[Contact, ...]:
    """A service's own people: contacts who name it (not "all") and its owners."""
    named = [c for c in directory.contacts if service.key in c.services]
    by_email = {c.key: c for c in directory.contacts}
    owners = [
        by_email.get(o.casefold()) or Contact(o, o, ContactRole.SERVICE_OWNER, (service.key,))
        for o in service.owners
    ]
    return unique([*owners, *named])


def resolve_target(directory: Directory, target: str) -> tuple[Contact, ...]:
    """Who `notify <target>` means: a service's team, a contact by name or address, or any
    address (a person, a distribution list or a Microsoft 365 group: one recipient each)."""
    text = " ".join(target.split())
    service = directory.service(text)
    if service is not None:
        return service_team(directory, service)
    folded = text.casefold()
    for contact in directory.contacts:
        if folded in (contact.key, contact.name.casefold()):
            return (contact,)
    if looks_like_email(text):
        return (Contact(text, text, ContactRole.STAKEHOLDER, channels=Channels.EMAIL),)
    return ()
