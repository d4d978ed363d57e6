"""People by name: what documents show instead of the addresses commands work with."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from comms_assistant.domain.incident import Incident

_ADDRESS = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def named(incident: Incident, names: Mapping[str, str]) -> Incident:
    """A copy for showing: people the directory knows (email -> name) appear by name, in the
    leads, who declared it, and the timeline (its Who column and its lines); anyone else stays
    as their address, which is all the assistant knows of them."""
    if not names:
        return incident
    known = {email.lower(): name for email, name in names.items() if name}

    def name(who: str) -> str:
        return known.get(who.lower(), who)

    def text(line: str) -> str:
        return _ADDRESS.sub(lambda found: name(found.group()), line)

    return replace(
        incident,
        declared_by=name(incident.declared_by),
        leads={role: name(person) for role, person in incident.leads.items()},
        extra_leads={role: name(person) for role, person in incident.extra_leads.items()},
        timeline=[replace(e, who=name(e.who), text=text(e.text)) for e in incident.timeline],
        actions=[replace(a, owner=name(a.owner) if a.owner else "") for a in incident.actions],
    )


def services_named(incident: Incident, names: Mapping[str, str]) -> Incident:
    """A copy for showing: services by their names (key -> name, from services.csv), as the
    emails give them; a service the directory does not know keeps its key."""
    if not names:
        return incident
    return replace(incident, services=tuple(names.get(key, key) for key in incident.services))
