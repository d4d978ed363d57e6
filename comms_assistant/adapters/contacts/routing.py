"""routing.csv: each role's default lowest priority, and which roles hear security incidents and
Major Incident notifications. Optional: without it the seed playbooks' defaults apply."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from comms_assistant.adapters.contacts import cells
from comms_assistant.adapters.contacts.sheet import Problem, rows
from comms_assistant.domain.audiences import DEFAULT_RULES, ContactRole, RoutingRules
from comms_assistant.domain.incident import Priority

ROUTING_FILE = "routing.csv"
ROUTING_COLUMNS = ("role", "min_priority")
ROUTING_OPTIONAL = ("security", "major_incident")
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0", ""}


def load_routing(path: Path, problems: list[Problem]) -> RoutingRules:
    found = _Routing()
    for line, row in rows(path, ROUTING_COLUMNS, problems, optional=ROUTING_OPTIONAL):

        def problem(message: str, line: int = line) -> None:
            problems.append(Problem(path.name, line, message))

        found.add(line, row, problem)
    return found.rules()


@dataclass
class _Routing:
    """What the rows read so far say."""

    defaults: dict[ContactRole, Priority] = field(default_factory=dict)
    chosen: dict[str, set[ContactRole]] = field(
        default_factory=lambda: {column: set() for column in ROUTING_OPTIONAL}
    )
    first_line: dict[ContactRole, int] = field(default_factory=dict)
    columns: set[str] = field(default_factory=set)

    def add(self, line: int, row: dict[str, str], problem: cells.Report) -> None:
        role = _new_role(row["role"], line, self.first_line, problem)
        if role is None:
            return
        priority = cells.priority(row["min_priority"], problem)
        if priority is not None:
            self.defaults[role] = priority
        for column in ROUTING_OPTIONAL:
            if column in row:
                self.columns.add(column)
                if _yes(column, row[column], problem):
                    self.chosen[column].add(role)

    def rules(self) -> RoutingRules:
        return RoutingRules(
            min_priority=self.defaults,
            security=self._roles("security", DEFAULT_RULES.security),
            major_incident=self._roles("major_incident", DEFAULT_RULES.major_incident),
        )

    def _roles(self, column: str, default: frozenset[ContactRole]) -> frozenset[ContactRole]:
        # A file without the column keeps the built-in choice rather than telling nobody.
        return frozenset(self.chosen[column]) if column in self.columns else default


def _new_role(
    cell: str, line: int, first_line: dict[ContactRole, int], problem: cells.Report
) -> ContactRole | None:
    """The row's role, unless it is unknown or already had a row (each reported)."""
    role = cells.role(cell, problem)
    if role is None:
        return None
    if role in first_line:
        problem(f'role "{role.value}" is also on line {first_line[role]}')
        return None
    first_line[role] = line
    return role


def _yes(column: str, cell: str, problem: cells.Report) -> bool:
    word = cell.strip().lower()
    if word not in _YES | _NO:
        problem(f'{column} "{cell.strip()}" should be yes or no')
    return word in _YES
