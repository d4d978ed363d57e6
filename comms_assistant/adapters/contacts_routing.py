"""routing.csv: each role's default lowest priority, and which roles hear security incidents and
Major Incident notifications. Optional: without it the seed playbooks' defaults apply."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from comms_assistant.domain.audiences import DEFAULT_RULES, ContactRole, RoutingRules
from comms_assistant.domain.incident import DomainError, Priority

ROUTING_FILE = "routing.csv"
ROUTING_COLUMNS = ("role", "min_priority")
ROUTING_OPTIONAL = ("security", "major_incident")
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0", ""}

Rows = Callable[..., Iterator[tuple[int, dict[str, str]]]]


def load_routing(path: Path, problems: list[Any], rows: Rows) -> RoutingRules:
    from comms_assistant.adapters.contacts import Problem

    defaults: dict[ContactRole, Priority] = {}
    security: set[ContactRole] = set()
    major: set[ContactRole] = set()
    first_line: dict[ContactRole, int] = {}
    saw_security = saw_major = False
    for line, row in rows(path, ROUTING_COLUMNS, problems, optional=ROUTING_OPTIONAL):

        def problem(message: str, line: int = line) -> None:
            problems.append(Problem(path.name, line, message))

        role = ContactRole.parse(row["role"])
        if role is None:
            known = ", ".join(r.value for r in ContactRole)
            problem(f'role "{row["role"].strip()}" is not one of: {known}')
            continue
        if role in first_line:
            problem(f'role "{role.value}" is also on line {first_line[role]}')
            continue
        first_line[role] = line
        try:
            defaults[role] = Priority.parse(row["min_priority"])
        except DomainError:
            problem(f'min_priority "{row["min_priority"].strip()}" is not P1, P2, P3 or P4')
        for column, chosen in (("security", security), ("major_incident", major)):
            if column not in row:
                continue
            word = row[column].strip().lower()
            if word in _YES:
                chosen.add(role)
            elif word not in _NO:
                problem(f'{column} "{row[column].strip()}" should be yes or no')
        saw_security = saw_security or "security" in row
        saw_major = saw_major or "major_incident" in row
    return RoutingRules(
        min_priority=defaults,
        # A file without the column keeps the built-in choice rather than telling nobody.
        security=frozenset(security) if saw_security else DEFAULT_RULES.security,
        major_incident=frozenset(major) if saw_major else DEFAULT_RULES.major_incident,
    )
