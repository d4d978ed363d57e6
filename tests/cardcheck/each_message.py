"""One incident per message kind, ordinary and security, as the card and email checks read them;
the message that the Major Incident report is filed, both ways; and the bot's own cards."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from comms_assistant.adapters.render_report_filed import ReportFiledMessage, ReportFiledRenderer
from comms_assistant.domain.incident import Incident, Priority, Role, TimelineEntry
from comms_assistant.domain.messages import MessageKind

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=30)


def each_message(
    title: str, **declared: str
) -> Iterator[tuple[str, MessageKind, Incident, TimelineEntry]]:
    """(name, kind, incident, the entry the message is about) for every kind, both ways."""
    for security in (False, True):
        for kind in MessageKind:
            incident = Incident.declare(
                reference="INC-2026-0001",
                title=title,
                priority=Priority.P2,
                impact="Candidates cannot send applications.",
                services=("apply",),
                who="rowan.hale@example.org",
                now=NOW,
                security=security,
                **declared,  # type: ignore[arg-type]
            )
            incident.assign(Role.COMMS_LEAD, "nadia.farrow@example.org", who="x", now=NOW)
            entry = {
                MessageKind.OPENED: lambda i: i.timeline[0],
                MessageKind.PRIORITY: lambda i: i.change_priority(Priority.P1, who="x", now=LATER),
                MessageKind.RESOLVED: lambda i: i.resolve("We fixed it", who="x", now=LATER),
            }.get(kind, lambda i: i.post_update("Candidates can sign in.", who="x", now=LATER))(
                incident
            )
            yield f"{kind.value}{' (security)' if security else ''}", kind, incident, entry


def each_report_filed(title: str, report_url: str) -> dict[str, ReportFiledMessage]:
    """The message that the Major Incident report is filed, ordinary and security, by name."""
    renderer = ReportFiledRenderer()
    found = {}
    for security in (False, True):
        incident = Incident.declare(
            reference="INC-2026-0001", title=title, priority=Priority.P1, impact="",
            services=("apply",), who="rowan.hale@example.org", now=NOW, security=security,
        )  # fmt: skip
        incident.resolve("We fixed it", who="x", now=LATER)
        found[f"report filed{' (security)' if security else ''}"] = renderer(
            incident,
            subject=f"INC-2026-0001: {'A security incident' if security else title}",
            name=f"2026-11-23 INC-2026-0001 {title} - major incident report",
            url=report_url,
            ask={"name": "Nadia Farrow", "email": "nadia.farrow@example.org",
                 "role": "who is handling communications about this incident"},
            marking="OFFICIAL-SENSITIVE" if security else "",
        )  # fmt: skip
    return found


def each_bot_card(app: Any, renderer: Any, reference: str) -> dict[str, dict[str, Any]]:
    """The bot's forms and button cards, by name, for an open incident `reference` in `app`:
    the declare form (empty, and back with problems), the update and edit forms, a message held
    back, the welcome, the answer to a press, and the nudge with its @mention and buttons (made
    as the cadence makes it, for someone the bot has heard from in Teams)."""
    from comms_assistant.adapters.card_actions import nudge_buttons
    from comms_assistant.adapters.sql import conversations
    from comms_assistant.domain.policy import DEFAULT_POLICY
    from comms_assistant.entrypoints.bot import cards as bot_cards
    from comms_assistant.entrypoints.bot import fields as bot_fields
    from comms_assistant.entrypoints.bot import forms as bot_forms
    from comms_assistant.service.lead_notices import enqueue_notice

    services = {"apply": "Apply for teacher training", "find": "Find teacher training"}
    typed = {"title": "Apply is down", "priority": "p2", "services": "apply,find"}
    problems = {"": "Only the incident team can declare.", "impact": bot_fields.SECTION_WORDS}
    incident = bot_cards.incident_card(app.engine, renderer, reference) or {}
    conversations.remember_person(
        app.engine, "a@example.org", object_id="6b1e0a3c-0000-4000-8000-000000000001",
        name="Casey Comms", now=NOW,
    )  # fmt: skip
    with app.unit_of_work() as uow:
        found = uow.incidents.get(reference)
        assert found is not None
        nudge = enqueue_notice(
            uow, found, key="nudge:cardcheck",
            title="an update is due soon", paragraphs=["The next update is due by 11:00 GMT."],
            now=NOW, actions=nudge_buttons(reference),
        ).payload["card"]  # fmt: skip
    return {
        "bot: declare form": bot_forms.open_form(DEFAULT_POLICY, services),
        "bot: declare form with problems": bot_forms.open_form(
            DEFAULT_POLICY, services, typed, problems
        ),
        "bot: update form": bot_forms.update_form(reference, {"text": "Better"}),
        "bot: edit form": bot_forms.text_form("close Restarted the database", reference),
        "bot: held back": bot_cards.held_card(
            "Not sent yet. 'DNS failover' is jargon.\n\nSend it as written: 'send anyway'.",
            author="a@example.org",
            draft="update x",
            suggested=True,
        ),  # fmt: skip
        "bot: suggested words to confirm": bot_cards.held_card(
            "Not sent yet. With the suggested words it reads:\n\nupdate x\n\n"
            "Send these words: 'send these words'.",
            author="a@example.org",
            draft="update x",
            suggested=True,
        ),  # fmt: skip
        "bot: welcome": bot_cards.welcome_card("Hello. I help run incident communications."),
        "bot: answer to a press": bot_cards.card_of(
            bot_cards.text_blocks(f"{reference}: holding update sent.") + incident["body"],
            incident.get("actions", []),
        ),
        "lead: nudge": nudge,
    }
