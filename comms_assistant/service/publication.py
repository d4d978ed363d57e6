"""Queuing the public status page's deliveries, in the change's own transaction.

A stakeholder message of a published incident queues one post (`follow_message`); `publish`
and `unpublish` queue theirs (service/handlers/publication.py). Each post carries everything
the page needs (its words, the incident's status, each affected service's component status),
decided now, so a retry says what was decided, never something later. They queue in a lane of
their own, `<reference>:status-page`, so the page hears them in order.

The public words: a `public:` text as given, else the template's (templates/status/) from the
message's "what is happening" and "what you need to do"; either way with people's names,
addresses, links and internal services' names taken out (domain/public_text.py), which the
reply says.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from comms_assistant.domain.audiences import Directory, Service
from comms_assistant.domain.incident import Incident, TimelineEntry
from comms_assistant.domain.messages import MessageKind
from comms_assistant.domain.public_text import Sanitised, sanitise
from comms_assistant.domain.publication import (
    PAGE_STATUS,
    ComponentStatus,
    ComponentTable,
    Event,
    PageState,
    PublicAsk,
    decide,
    happening,
    state_of,
)
from comms_assistant.service.delivery_kinds import DeliveryKind
from comms_assistant.service.status_page_port import PublicWording
from comms_assistant.service.unit_of_work import DONE, Queued, UnitOfWork

TEMPLATES = {MessageKind.HOLDING: "holding", MessageKind.RESOLVED: "resolved"}
NO_PAGE = (
    "Nothing goes on a public status page: none is set up (the status_page setting, "
    "docs/status-page.md)."
)
SAID = {
    Event.PUBLISH: "Publishing it on the public status page",
    Event.UPDATE: "Updating the public status page",
    Event.RESOLVE: "Showing it as resolved on the public status page",
    Event.UNPUBLISH: "Taking it off the public status page",
}


@dataclass(frozen=True)
class PublicPage:
    """What the planner needs to queue posts for the page (bootstrap builds it when the
    status_page setting names one)."""

    wording: PublicWording
    table: ComponentTable
    name: str  # the kind of page, for replies: "Statuspage", "Upptime", "the status webhook"
    # The process profile publishes an ordinary incident that affects a public service.
    auto: bool = False
    # Upptime: a post goes to each affected service's site, so one needs a site.
    needs_site: bool = False


@dataclass(frozen=True)
class PublicNote:
    """What the change did to the page, for the reply: the post queued, or why none was."""

    said: str
    queued: Queued | None = None


# GOV.UK PaaS: the status page is updated with progress and next steps at each hand-over.
HANDOVER = (
    "It is on the public status page: tell the public where things stand and what happens next "
    "there too, 'update <progress and next steps> public: <words for the public>'."
)


def handover_words(uow: UnitOfWork, incident: Incident) -> list[str]:
    """What a hand-over prompt adds for an incident on the public status page."""
    return [HANDOVER] if page_state(uow, incident) is PageState.PUBLISHED else []


def page_state(uow: UnitOfWork, incident: Incident) -> PageState:
    queued = uow.deliveries.of_incident(incident, [DeliveryKind.STATUS_PAGE])
    return state_of(str(q.payload.get("event")) for q in queued)


def page_line(uow: UnitOfWork, incident: Incident, page: PublicPage) -> str:
    """The incident on the public status page, for `status`: whether it is there, and its posts
    the page has not taken yet."""
    queued = uow.deliveries.of_incident(incident, [DeliveryKind.STATUS_PAGE])
    state = state_of(str(q.payload.get("event")) for q in queued)
    where = f"Public status page ({page.name})"
    if state is PageState.UNPUBLISHED:
        return f"{where}: taken off with 'unpublish'."
    if state is PageState.NEVER:
        how = "publish <public words>" if incident.security else "publish"
        return f"{where}: not on it." + (
            f" Send '{how}' to put it there." if incident.is_open else ""
        )
    waiting = sum(q.status != DONE for q in queued)
    posts = f"{len(queued)} post{'' if len(queued) == 1 else 's'}"
    return f"{where}: on it, {posts}" + (f", {waiting} not taken by it yet." if waiting else ".")


def follow_message(
    page: PublicPage,
    uow: UnitOfWork,
    incident: Incident,
    kind: MessageKind,
    entry: TimelineEntry,
    now: datetime,
    *,
    ask: PublicAsk,
    directory: Directory,
) -> PublicNote | None:
    """The post a stakeholder message of `kind` makes, if any (domain.publication.decide)."""
    services = affected(incident, directory)
    auto = page.auto and any(s.on_public_page for s in services)
    decision = decide(kind, page_state(uow, incident), ask, security=incident.security, auto=auto)
    if decision.event is None:
        if not decision.why_not:
            return None
        return PublicNote(f"Not on the public status page: {decision.why_not}.")
    words = ask.text or default_words(page, incident, kind, entry, services)
    return queue(page, uow, incident, decision.event, entry, now, words, directory)


def default_words(
    page: PublicPage,
    incident: Incident,
    kind: MessageKind,
    entry: TimelineEntry,
    services: list[Service],
) -> str:
    told = happening(kind, entry.text, incident.impact, incident.title)
    return page.wording.body(
        TEMPLATES.get(kind, "update"),
        happening="" if kind is MessageKind.HOLDING else told,
        advice=incident.advice,
        services=public_names(services),
    )


def queue(
    page: PublicPage,
    uow: UnitOfWork,
    incident: Incident,
    event: Event,
    entry: TimelineEntry,
    now: datetime,
    words: str,
    directory: Directory,
) -> PublicNote:
    """Queue one post; a PublicNote with nothing queued says why it could not be."""
    services = affected(incident, directory)
    if page.needs_site and not any(s.upptime_site for s in services):
        return PublicNote(
            f"Nothing can go on {page.name}: none of {incident.reference}'s services has an "
            "upptime_site in services.csv."
        )
    body = clean(words, directory)
    if not body.text:
        return PublicNote("Nothing can go on the public status page: its words were all taken out.")
    payload = _payload(page, uow, incident, event, now, body.text, services, directory)
    payload["delivery_id"] = key = f"{incident.reference}:{entry.seq}:status-page"
    queued = uow.deliveries.add(
        incident,
        key=key,
        lane=f"{incident.reference}:status-page",
        kind=DeliveryKind.STATUS_PAGE,
        payload=payload,
        now=now,
    )
    return PublicNote(f"{SAID[event]} ({page.name}){_taken_out(body)}.", queued)


def _payload(
    page: PublicPage,
    uow: UnitOfWork,
    incident: Incident,
    event: Event,
    now: datetime,
    body: str,
    services: list[Service],
    directory: Directory,
) -> dict[str, Any]:
    status = ComponentStatus.OPERATIONAL
    if event is not Event.UNPUBLISH:
        status = page.table.status_for(incident.priority, incident.status)
    shown = [s for s in services if s.on_public_page]
    # A security incident's page says only its public words: its name names no service.
    named = [] if incident.security else public_names(services)
    listed = [
        {
            "name": s.name,
            "status": status.value,
            "component": s.statuspage_component,
            "site": s.upptime_site,
        }
        for s in shown
    ]
    return {
        "event": event.value,
        "name": clean(page.wording.name(named), directory).text,
        "body": body,
        "status": "resolved" if event is Event.RESOLVE else PAGE_STATUS[incident.status],
        "services": listed + no_longer_affected(uow, incident, listed),
        "page_ref": page_ref(uow, incident, event),
        "queued_at": now.isoformat(),
    }


def no_longer_affected(
    uow: UnitOfWork, incident: Incident, listed: list[dict[str, str]]
) -> list[dict[str, str]]:
    """The services this publication showed before that the incident no longer names (its
    services were changed): operational again, as nothing else would put them back."""
    earlier: dict[str, dict[str, str]] = {}
    for queued in uow.deliveries.of_incident(incident, [DeliveryKind.STATUS_PAGE]):
        if queued.payload.get("event") == Event.PUBLISH:
            earlier = {}
        earlier |= {s["name"]: s for s in queued.payload.get("services", [])}
    now = {s["name"] for s in listed}
    operational = ComponentStatus.OPERATIONAL.value
    return [{**s, "status": operational} for name, s in earlier.items() if name not in now]


def page_ref(uow: UnitOfWork, incident: Incident, event: Event) -> str:
    """The incident's id on the page: opaque, and new each time it is published again."""
    queued = uow.deliveries.of_incident(incident, [DeliveryKind.STATUS_PAGE])
    times = sum(q.payload.get("event") == Event.PUBLISH for q in queued)
    times += event is Event.PUBLISH
    digest = hashlib.sha256(f"{incident.reference}:{max(times, 1)}".encode()).hexdigest()
    return f"ca-{digest[:16]}"


def affected(incident: Incident, directory: Directory) -> list[Service]:
    """The catalogue's entries for the incident's services (those it knows)."""
    known = {s.key: s for s in directory.services}
    return [known[key] for key in incident.services if key in known]


def public_names(services: list[Service]) -> list[str]:
    return [s.name for s in services if s.on_public_page]


def clean(words: str, directory: Directory) -> Sanitised:
    internal = [s.name for s in directory.services if not s.on_public_page]
    return sanitise(words, people=directory.people_names().values(), internal=internal)


def _taken_out(body: Sanitised) -> str:
    if not body.changed:
        return ""
    return f". Taken out of its words: {', '.join(body.removed)}; they read: “{body.text}”"
