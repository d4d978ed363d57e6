"""services.csv: each service's key, the name people know it by, its owners and its neighbours."""

from __future__ import annotations

import re
from pathlib import Path

from comms_assistant.adapters.contacts import cells
from comms_assistant.adapters.contacts.page_columns import PAGE_COLUMNS, page_fields
from comms_assistant.adapters.contacts.sheet import Problem, rows
from comms_assistant.domain.audiences import ALL_SERVICES, Service
from comms_assistant.domain.incident import DomainError, Priority

SERVICES_FILE = "services.csv"
SERVICE_COLUMNS = ("key", "name", "owners")
# Added later: a services.csv without them still loads (no neighbours known; not public and
# not on the status page).
SERVICE_OPTIONAL = ("upstream", "downstream", *PAGE_COLUMNS, "max_priority")

_SERVICE_KEY = re.compile(r"[a-z0-9][a-z0-9-]*")


def load_services(path: Path, problems: list[Problem]) -> list[Service]:
    services: list[tuple[int, Service]] = []
    first_line: dict[str, int] = {}
    for line, row in rows(path, SERVICE_COLUMNS, problems, optional=SERVICE_OPTIONAL):

        def problem(message: str, line: int = line) -> None:
            problems.append(Problem(path.name, line, message))

        service = _service(row, first_line, problem)
        first_line.setdefault(service.key, line)
        services.append((line, service))
    problems += _unknown_neighbours(path, services, first_line)
    return [service for _, service in services]


def _service(row: dict[str, str], first_line: dict[str, int], problem: cells.Report) -> Service:
    key = row["key"].strip().lower()
    name = " ".join(row["name"].split())
    _check_key(key, first_line, problem)
    if not name:
        problem(f'service "{key}" needs a name people will recognise')
    owners = cells.split(row["owners"])
    for owner in owners:
        if not cells.is_email(owner):
            problem(f'owner "{owner}" is not an email address')
    upstream = tuple(k.lower() for k in cells.split(row.get("upstream", "")))
    downstream = tuple(k.lower() for k in cells.split(row.get("downstream", "")))
    if key in (*upstream, *downstream):
        problem(f'service "{key}" cannot be upstream or downstream of itself')
    return Service(
        key,
        name,
        owners,
        upstream,
        downstream,
        **page_fields(row, problem),
        max_priority=_max_priority(row.get("max_priority", ""), problem),
    )


def _max_priority(cell: str, problem: cells.Report) -> Priority | None:
    """The most urgent its incidents may be; an empty cell is no limit."""
    if not cell.strip():
        return None
    try:
        return Priority.parse(cell)
    except DomainError:
        problem(f'max_priority "{cell.strip()}" is not P1, P2, P3 or P4 (or empty: no limit)')
        return None


def _check_key(key: str, first_line: dict[str, int], problem: cells.Report) -> None:
    if not _SERVICE_KEY.fullmatch(key):
        problem(f'service key "{key}" must be lower-case letters, digits and hyphens')
    elif key == ALL_SERVICES:
        problem('"all" is reserved: it means every service in contacts.csv')
    elif key in first_line:
        problem(f'service key "{key}" is also on line {first_line[key]}')


def _unknown_neighbours(
    path: Path, services: list[tuple[int, Service]], first_line: dict[str, int]
) -> list[Problem]:
    # Checked once every key is known: a neighbour may be listed further down the file.
    known = ", ".join(sorted(first_line)) or "none"
    return [
        Problem(path.name, line, f'{direction} service "{key}" is not a key (known: {known})')
        for line, service in services
        for direction, keys in (("upstream", service.upstream), ("downstream", service.downstream))
        for key in keys
        if key not in first_line
    ]
