"""contacts.csv: who hears about incidents, for which services, from which priority, and how."""

from __future__ import annotations

from pathlib import Path

from comms_assistant.adapters.contacts import cells
from comms_assistant.adapters.contacts.services import SERVICES_FILE
from comms_assistant.adapters.contacts.sheet import Problem, rows
from comms_assistant.domain.audiences import (
    ALL_SERVICES,
    Channels,
    Contact,
    ContactRole,
    RoutingRules,
)
from comms_assistant.domain.incident import Priority

CONTACTS_FILE = "contacts.csv"
CONTACT_COLUMNS = ("name", "email", "role", "teams", "services", "min_priority", "channels")


def load_contacts(
    path: Path, service_keys: set[str], routing: RoutingRules, problems: list[Problem]
) -> list[Contact]:
    contacts: list[Contact] = []
    first_line: dict[str, int] = {}
    for line, row in rows(path, CONTACT_COLUMNS, problems):
        found: list[str] = []
        contact = _contact(row, line, first_line, service_keys, routing, found.append)
        problems += [Problem(path.name, line, message) for message in found]
        if contact is not None and not found:
            contacts.append(contact)
    return contacts


def _contact(
    row: dict[str, str],
    line: int,
    first_line: dict[str, int],
    service_keys: set[str],
    routing: RoutingRules,
    problem: cells.Report,
) -> Contact | None:
    """The row as a contact, or None when a value it needs is missing; problems reported."""
    name = " ".join(row["name"].split())
    if not name:
        problem("name is empty")
    email = row["email"].strip()
    _check_email(email, line, first_line, problem)
    role = cells.role(row["role"], problem)
    services = _services(row["services"], service_keys, problem)
    priority = _priority(row["min_priority"], role, routing, problem)
    channels = _channels(row["channels"], problem)
    teams = row["teams"].strip()
    if teams and not (cells.is_email(teams) or _is_channel(teams)):
        problem(f'teams "{teams}" is not a sign-in address or "Team name/Channel name"')
    if role and priority and channels:
        return Contact(name, email, role, services, priority, channels, teams)
    return None


def _check_email(email: str, line: int, first_line: dict[str, int], problem: cells.Report) -> None:
    if not cells.is_email(email):
        problem(f'email "{email}" is not an email address')
    elif email.casefold() in first_line:
        problem(f'email "{email}" is also on line {first_line[email.casefold()]}')
    else:
        first_line[email.casefold()] = line


def _services(cell: str, service_keys: set[str], problem: cells.Report) -> tuple[str, ...]:
    services = tuple(s.lower() for s in cells.split(cell))
    if not services:
        problem('services is empty: write "all" or service keys separated by ";"')
    elif ALL_SERVICES in services and len(services) > 1:
        problem('services mixes "all" with service keys: write either "all" or the keys')
    known = ", ".join(sorted(service_keys)) or "none"
    for key in services:
        if key != ALL_SERVICES and key not in service_keys:
            problem(f'service "{key}" is not in {SERVICES_FILE} (known: {known})')
    return services


def _priority(
    cell: str, role: ContactRole | None, routing: RoutingRules, problem: cells.Report
) -> Priority | None:
    if cell.strip() or role is None:
        return cells.priority(cell, problem)
    # Blank: the role's default from routing.csv (or the built-in defaults).
    priority = routing.default_for(role)
    if priority is None:
        problem(f'min_priority is empty and routing has no default for "{role.value}"')
    return priority


def _channels(cell: str, problem: cells.Report) -> Channels | None:
    try:
        return Channels(cell.strip().lower())
    except ValueError:
        problem(f'channels "{cell.strip()}" is not email, teams, both or none')
        return None


def _is_channel(text: str) -> bool:
    team, slash, channel = text.partition("/")
    return bool(slash and team.strip() and channel.strip())
