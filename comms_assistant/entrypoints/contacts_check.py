"""`comms-assistant contacts check`: is the contacts directory right, and who hears what?

Lists every problem with its file and line (exit 1), and every warning (a cell to look at, which
does not change the exit status), then, for each service, who would hear about a P1, P2, P3 and
P4 incident and how, and who hears about a security incident, so the person keeping the
spreadsheet can see the effect of an edit before an incident tests it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from comms_assistant.adapters.contacts import inspect_directory
from comms_assistant.domain.audiences import (
    Contact,
    Directory,
    audience_for,
    major_incident_team,
)
from comms_assistant.domain.incident import Incident, Priority

contacts_app = typer.Typer(help="The contacts directory (contacts/).", no_args_is_help=True)
_WHEN = datetime(2026, 1, 1, tzinfo=UTC)  # any moment: routing does not depend on time


@contacts_app.command("check")
def check(
    folder: Annotated[
        Path | None,
        typer.Argument(help="The contacts folder (default: the contacts_dir setting)."),
    ] = None,
) -> None:
    """Check contacts.csv, services.csv and routing.csv; print who hears about what."""
    if folder is None:
        from comms_assistant.config import Settings

        folder = Settings().contacts_dir
    directory, found = inspect_directory(folder)
    problems = [str(p) for p in found if not p.warning]
    warnings = [str(p) for p in found if p.warning]
    typer.echo(report(directory, problems, warnings))
    raise typer.Exit(1 if problems else 0)


def report(directory: Directory, problems: list[str], warnings: Sequence[str] = ()) -> str:
    lines: list[str] = []
    if problems:
        lines.append(f"{len(problems)} problem(s) to fix:")
        lines += [f"  - {p}" for p in problems]
        lines.append("")
    else:
        lines += ["No problems found.", ""]
    if warnings:
        lines.append(f"{len(warnings)} warning(s) to check:")
        lines += [f"  - {w}" for w in warnings]
        lines.append("")
    major = ", ".join(c.name for c in major_incident_team(directory.contacts, directory.routing))
    lines.append(f"Every P1 also sends the Major Incident notification to: {major or 'nobody'}")
    for service in directory.services:
        lines += ["", f"{service.name} ({service.key})"]
        for priority in Priority:
            audience = audience_for(
                _incident(service.key, priority), directory.contacts, directory.routing
            )
            lines.append(f"  {priority.label}: {_people(audience)}")
        secure = audience_for(
            _incident(service.key, Priority.P1, security=True),
            directory.contacts,
            directory.routing,
        )
        lines.append(f"  security incident: {_people(secure)} (plus the incident's leads)")
    return "\n".join(lines)


def _incident(service: str, priority: Priority, *, security: bool = False) -> Incident:
    return Incident.declare(
        reference="INC-0000-0000",
        title="check",
        priority=priority,
        impact="",
        services=(service,),
        who="check@example.org",
        now=_WHEN,
        security=security,
    )


def _people(audience: tuple[Contact, ...]) -> str:
    if not audience:
        return "nobody"
    return "; ".join(f"{c.name} ({_how(c)})" for c in audience)


def _how(contact: Contact) -> str:
    ways = []
    if contact.channels.email:
        ways.append("email")
    if contact.channels.teams:
        kind, _, where = contact.teams_destination.partition(":")
        ways.append(f"Teams {where}" if kind == "channel" else "Teams chat")
    return ", ".join(ways)
