"""The values in the directory's cells: each read, or a problem reported in the editor's words."""

from __future__ import annotations

import re
from collections.abc import Callable

from comms_assistant.domain.audiences import ContactRole
from comms_assistant.domain.incident import DomainError, Priority

# Called with one problem of the row being read; the caller adds the file and line.
Report = Callable[[str], None]

# Deliberately loose: Exchange decides what is deliverable, this only catches typing slips.
_EMAIL = re.compile(r"[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\"]+")


def is_email(text: str) -> bool:
    return _EMAIL.fullmatch(text) is not None


def split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split(";") if part.strip())


def role(cell: str, problem: Report) -> ContactRole | None:
    found = ContactRole.parse(cell)
    if found is None:
        known = ", ".join(r.value for r in ContactRole)
        problem(f'role "{cell.strip()}" is not one of: {known}')
    return found


def priority(cell: str, problem: Report) -> Priority | None:
    try:
        return Priority.parse(cell)
    except DomainError:
        problem(f'min_priority "{cell.strip()}" is not P1, P2, P3 or P4')
        return None
