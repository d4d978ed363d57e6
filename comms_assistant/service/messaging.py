"""Who gets which stakeholder message, by which channel: the outbox rows for one message.

The rules (see contacts/README.md):
- the audience comes from the incident's priority and services (`audience_for`);
- whoever was told once keeps hearing until the incident ends, even if the priority goes down;
- whoever joins the audience later (a raised priority, `notify`) gets a catch-up message, with
  what happened so far, instead of a message that assumes they know;
- a P1 sends the central team the Major Incident notification, once per incident;
- a security incident never reaches a channel: only mail and 1:1 chats; the central team hears
  only that it exists (the Major Incident notification) and that it is over, never what it is;
- `row.notified` records every address and Teams destination told, so the resolution reaches
  each of them by every channel they were told by.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from comms_assistant.adapters import outbox
from comms_assistant.adapters.store import IncidentRow, OutboxRow
from comms_assistant.domain.audiences import (
    Contact,
    audience_for,
    email_recipients,
    major_incident_team,
    teams_destinations,
)
from comms_assistant.domain.incident import Incident, Priority, TimelineEntry
from comms_assistant.domain.messages import MessageKind
from comms_assistant.service.delivery_kinds import DeliveryKind

if TYPE_CHECKING:
    from comms_assistant.service.deliveries import DeliveryPlanner

# Exchange refuses more than 500 recipients in one message, the To line included.
MAX_RECIPIENTS = 500
# In `row.notified`, a Teams destination is kept beside the email addresses with this prefix.
TEAMS_PREFIX = "teams:"
INCIDENTS_CHANNEL = "Incidents channel"


@dataclass
class MessagePlan:
    rows: list[OutboxRow]
    emailed: int
    carded: bool
    next_update_by: datetime | None
    teams: int = 0  # people and channels told in Teams (besides the incidents channel)
    caught_up: int = 0  # addresses and destinations told late, with what happened so far
    major_notified: bool = False  # the Major Incident notification went to the central team
    newly_told: list[str] = field(default_factory=list)


@dataclass
class _Audience:
    mail: list[str]
    teams: list[str]


def plan_message(
    planner: DeliveryPlanner,
    session: Session,
    row: IncidentRow,
    incident: Incident,
    kind: MessageKind,
    entry: TimelineEntry,
    now: datetime,
    *,
    extra: Iterable[Contact] = (),
) -> MessagePlan:
    """The rows for `kind`; `extra` are people added by hand (`notify`), told as late joiners."""
    contacts = planner.contacts
    chosen = audience_for(incident, contacts, planner.routing)
    audience = (*chosen, *extra)
    names = {c.key: c.name for c in (*contacts, *audience)}
    told_mail = [t for t in row.notified if not t.startswith(TEAMS_PREFIX)]
    told_teams = [t.removeprefix(TEAMS_PREFIX) for t in row.notified if t.startswith(TEAMS_PREFIX)]
    now_mail = _unique(c.email.lower() for c in email_recipients(audience))
    now_teams = list(teams_destinations(audience, security=incident.security))

    if kind is MessageKind.CATCH_UP:
        # `notify`: only those not told yet hear, and what they hear is the story so far.
        main = _Audience([], [])
        late = _Audience(
            [a for a in now_mail if a not in told_mail],
            [d for d in now_teams if d not in told_teams],
        )
    elif kind in (MessageKind.OPENED, MessageKind.RESOLVED):
        main = _Audience(_unique([*told_mail, *now_mail]), _unique([*told_teams, *now_teams]))
        late = _Audience([], [])
    else:
        # Lowering the priority narrows the audience, but nobody told is dropped mid-incident.
        main = _Audience(told_mail, told_teams)
        late = _Audience(
            [a for a in now_mail if a not in told_mail],
            [d for d in now_teams if d not in told_teams],
        )

    # A security incident's details stay with its audience: the central team, told of it by the
    # Major Incident notification, hears no updates, and only a restricted word at the end.
    outsiders = central_team_outside(planner, incident, email_recipients(chosen))
    outside = _Audience([a for a in main.mail if a in outsiders], [])
    main = _Audience([a for a in main.mail if a not in outsiders], main.teams)
    late = _Audience([a for a in late.mail if a not in outsiders], late.teams)
    if kind is not MessageKind.RESOLVED:
        outside = _Audience([], [])

    next_by = (
        None
        if kind is MessageKind.RESOLVED
        else planner.policy.next_update_due(incident.priority, now)
    )
    if kind not in (MessageKind.OPENED, MessageKind.RESOLVED, MessageKind.CATCH_UP):
        row.updates_sent += 1
    plan = MessagePlan([], 0, False, next_by)

    # The incidents channel hears the main message first; security incidents stay out of it.
    if not incident.security and kind is not MessageKind.CATCH_UP:
        number = row.updates_sent
        card = planner.renderer.card(
            kind,
            incident,
            entry,
            next_update_by=next_by,
            report_url=row.report_url,
            update_number=number,
        )
        key = f"{row.reference}:{entry.seq}:teams"
        summary = planner.renderer.heading(kind, incident, entry, number)
        payload: dict[str, Any] = {
            "delivery_id": key,
            "summary": summary,
            "card": card,
            "where": INCIDENTS_CHANNEL,
            # One living card per incident there: the first is its root, the others replies
            # in its thread (service/living_card.py).
            "living": True,
        }
        plan.rows.append(
            enqueue_for(
                session, row, DeliveryKind.TEAMS_CARD, key, f"{row.reference}:teams", payload, now
            )
        )
        plan.carded = True

    major = _major_audience(planner, session, row, incident, kind)
    if major is not None:
        # The notification tells them everything the opening or catch-up message would.
        main = _Audience(
            [a for a in main.mail if a not in major.mail],
            [d for d in main.teams if d not in major.teams],
        )
        late = _Audience(
            [a for a in late.mail if a not in major.mail],
            [d for d in late.teams if d not in major.teams],
        )
    for what, who, key, restricted in (
        (kind, main, f"{row.reference}:{entry.seq}", False),
        (MessageKind.CATCH_UP, late, f"{row.reference}:{entry.seq}:catchup", False),
        (MessageKind.MAJOR_INCIDENT, major, f"{row.reference}:major-incident", incident.security),
        (kind, outside, f"{row.reference}:{entry.seq}:restricted", True),
    ):
        if who is None or not (who.mail or who.teams):
            continue
        if restricted:
            shown, said, link = incident.restricted_view(), replace(entry, text=""), None
        else:
            shown, said, link = incident, entry, row.report_url
        _queue(planner, session, row, shown, what, said, now, who, names, key, plan, link)
        if what is MessageKind.CATCH_UP:
            plan.caught_up += len(who.mail) + len(who.teams)
        if what is MessageKind.MAJOR_INCIDENT:
            plan.major_notified = True
        plan.emailed += len(who.mail)
        plan.teams += len(who.teams)
        plan.newly_told += [a for a in who.mail if a not in told_mail]
        row.notified = _unique([*row.notified, *who.mail, *(TEAMS_PREFIX + d for d in who.teams)])

    return plan


def central_team_outside(
    planner: DeliveryPlanner, incident: Incident, audience: Iterable[Contact]
) -> set[str]:
    """For a security incident, the central team's addresses outside its audience (a mailbox
    that is also a security contact hears in full): they hear only that it exists and ends."""
    if not incident.security:
        return set()
    team = major_incident_team(planner.contacts, planner.routing)
    inside = {c.email.lower() for c in audience}
    return {c.email.lower() for c in email_recipients(team)} - inside


def _major_audience(
    planner: DeliveryPlanner,
    session: Session,
    row: IncidentRow,
    incident: Incident,
    kind: MessageKind,
) -> _Audience | None:
    """The central team, when this P1 has not told them yet (P2 → P1 → P2 → P1 tells once)."""
    if incident.priority is not Priority.P1 or kind in (MessageKind.RESOLVED,):
        return None
    sent = session.scalar(
        select(OutboxRow.id).where(OutboxRow.key.like(f"{row.reference}:major-incident:%"))
    )
    if sent is not None:
        return None
    team = major_incident_team(planner.contacts, planner.routing)
    mail = _unique(c.email.lower() for c in email_recipients(team))
    teams = list(teams_destinations(team, security=incident.security))
    return _Audience(mail, [] if incident.security else teams)


def _queue(
    planner: DeliveryPlanner,
    session: Session,
    row: IncidentRow,
    incident: Incident,
    kind: MessageKind,
    entry: TimelineEntry,
    now: datetime,
    who: _Audience,
    names: dict[str, str],
    key: str,
    plan: MessagePlan,
    report_url: str | None,
) -> None:
    next_by = plan.next_update_by
    mail = planner.renderer.mail(
        kind,
        incident,
        entry,
        update_number=row.updates_sent,
        next_update_by=next_by,
        report_url=report_url,
    )
    # What the message is ("Update 2: <title>"), for the documents' list of messages sent: the
    # subject stays the same for every message about the incident.
    summary = planner.renderer.heading(kind, incident, entry, row.updates_sent)
    for part, chunk in enumerate(_chunks(who.mail, MAX_RECIPIENTS)):
        mail_key = f"{key}:mail:{part}"
        payload: dict[str, Any] = {
            "delivery_id": mail_key,
            "subject": mail.subject,
            "heading": summary,
            "html": mail.html,
            "text": mail.text,
            # The mailbox itself in To, so readers see where it came from, unless the 500 are
            # all needed for Bcc: then it goes Bcc-only rather than one message more.
            "to": [] if len(chunk) >= MAX_RECIPIENTS else [{"email": planner.mailbox, "name": ""}],
            # Bcc: stakeholders of other teams should not see each other's addresses.
            "bcc": [{"email": a, "name": names.get(a, "")} for a in chunk],
            # restricted_view keeps `security`: the central team's restricted word is too.
            "sensitivity": "confidential" if incident.security else "normal",
        }
        # A lane per part: the parts of one message go side by side, while part N of the next
        # message still waits for part N of this one (mostly the same people, in order).
        lane = f"{row.reference}:mail:{part}"
        plan.rows.append(enqueue_for(session, row, DeliveryKind.MAIL, mail_key, lane, payload, now))
    if not who.teams:
        return
    card = planner.renderer.card(
        kind,
        incident,
        entry,
        next_update_by=next_by,
        report_url=report_url,
        update_number=row.updates_sent,
    )
    for destination in who.teams:
        digest = hashlib.sha1(destination.encode()).hexdigest()[:12]
        card_key = f"{key}:teams:{digest}"
        payload = {
            "delivery_id": card_key,
            "summary": summary,
            "card": card,
            "to": destination,
            "where": describe_destination(destination),
        }
        lane = f"{row.reference}:teams:{digest}"
        plan.rows.append(
            enqueue_for(session, row, DeliveryKind.TEAMS_CARD, card_key, lane, payload, now)
        )


def describe_destination(destination: str) -> str:
    kind, _, where = destination.partition(":")
    return f"Teams chat with {where}" if kind == "chat" else f"Teams channel {where}"


def enqueue_for(
    session: Session,
    row: IncidentRow,
    kind: DeliveryKind,
    key: str,
    lane: str,
    payload: dict[str, Any],
    now: datetime,
) -> OutboxRow:
    return outbox.enqueue(
        session, key=key, incident_id=row.id, lane=lane, kind=kind, payload=payload, now=now
    )


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
