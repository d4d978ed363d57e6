"""Load the contacts directory (contacts.csv and services.csv, and routing.csv when there is one)
edited by people in Excel.

Every problem is collected before failing, with its file and line, so whoever edits the
spreadsheet can fix them all in one go rather than one per restart.
"""

from __future__ import annotations

from pathlib import Path

from comms_assistant.adapters.contacts.people import CONTACTS_FILE, load_contacts
from comms_assistant.adapters.contacts.routing import ROUTING_FILE, load_routing
from comms_assistant.adapters.contacts.services import SERVICES_FILE, load_services
from comms_assistant.adapters.contacts.sheet import (
    FORMULA_START,
    ContactsError,
    Problem,
    safe_csv_cell,
)
from comms_assistant.domain.audiences import DEFAULT_RULES, Directory
from comms_assistant.resources import bundled

__all__ = [
    "CONTACTS_FILE",
    "FORMULA_START",
    "ROUTING_FILE",
    "SERVICES_FILE",
    "ContactsError",
    "Problem",
    "default_contacts_dir",
    "inspect_directory",
    "load_directory",
    "safe_csv_cell",
]


def default_contacts_dir() -> Path:
    """The example directory shipped with the product (the top-level contacts/ folder)."""
    return bundled("contacts")


def load_directory(path: Path | None = None) -> Directory:
    directory, problems = inspect_directory(path)
    errors = [p for p in problems if not p.warning]
    if errors:
        raise ContactsError(errors)
    return directory


def inspect_directory(path: Path | None = None) -> tuple[Directory, list[Problem]]:
    """What loads, and every problem found: for `contacts check`, which reports both."""
    folder = default_contacts_dir() if path is None else Path(path)
    problems: list[Problem] = []
    routing = DEFAULT_RULES
    if (folder / ROUTING_FILE).exists():
        routing = load_routing(folder / ROUTING_FILE, problems)
    services = load_services(folder / SERVICES_FILE, problems)
    contacts = load_contacts(folder / CONTACTS_FILE, {s.key for s in services}, routing, problems)
    directory = Directory(contacts=tuple(contacts), services=tuple(services), routing=routing)
    return directory, problems
