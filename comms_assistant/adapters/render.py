"""Stakeholder messages: Outlook mail (Jinja2 templates) and Teams Adaptive Cards.

The words live in `templates/mail/<kind>.txt`, one block per heading of the plain-English shape
(What is happening / What we are doing / What you need to do / Next update). The email's HTML
and text parts and the Teams card are all made from those blocks, so an organisation edits its
wording once; a block in `templates/teams/<kind>.txt` words the card differently. User text
is only ever passed to templates as data: never compiled as a template, never pasted into JSON.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import TemplateNotFound
from jinja2.sandbox import SandboxedEnvironment

from comms_assistant.adapters import card_actions
from comms_assistant.adapters.render_cards import (
    CARD_BUDGET,
    CARD_SCHEMA,
    CARD_VERSION,
    SHORTENED,
    build_card,
    card_size,
    colour_for,
    fit_card,
)
from comms_assistant.adapters.render_context import TemplateValues
from comms_assistant.adapters.render_templates import (
    SECTIONS,
    Section,
    card_environment,
    environment,
    sections,
    template_loaders,
)
from comms_assistant.adapters.render_text import nl2br, sentence
from comms_assistant.domain.incident import Incident, Priority, TimelineEntry
from comms_assistant.domain.messages import MessageKind
from comms_assistant.service.ports import DEFAULT_SECURITY_MARKING

# Re-exported: callers and tests import these from here.
__all__ = [
    "CARD_BUDGET",
    "CARD_SCHEMA",
    "CARD_VERSION",
    "SHORTENED",
    "SECTIONS",
    "RenderedMail",
    "Renderer",
    "card_size",
    "fit_card",
    "nl2br",
    "sentence",
]


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    html: str
    text: str


class Renderer:
    def __init__(
        self,
        templates_dir: Path | None,
        tz: ZoneInfo,
        *,
        service_names: Mapping[str, str] | None = None,
        priority_names: Mapping[Priority, str] | None = None,
        people: Mapping[str, str] | None = None,
        security_marking: str = DEFAULT_SECURITY_MARKING,
    ) -> None:
        loaders = template_loaders(templates_dir)
        self._env = environment(loaders)
        self._card_env = card_environment(loaders)
        # Starts a security incident's subject and body. Public: the lead notices about a
        # security incident (service/lead_notices.py) are marked with it too.
        self.security_marking = security_marking.strip()
        self._values = TemplateValues(
            tz,
            service_names=service_names or {},
            priority_names=priority_names or {},
            people=people or {},
            security_marking=self.security_marking,
        )

    def mail(
        self,
        kind: MessageKind,
        incident: Incident,
        entry: TimelineEntry,
        *,
        update_number: int,
        next_update_by: datetime | None,
        report_url: str | None = None,
    ) -> RenderedMail:
        context = self._values.for_message(
            kind, incident, entry, update_number, next_update_by, report_url
        )
        # One line whatever was typed: a newline in a subject would start a new mail header.
        subject = " ".join(self._render("mail/subject.txt", context).split())
        context.update(
            subject=subject,
            heading=self._line("mail/heading.txt", context),
            banner=self._line("mail/banner.txt", context),
        )
        context.update(sections=self._sections(kind, context))
        html = self._render("mail/layout.html", context)
        text = re.sub(r"\n{3,}", "\n\n", self._render("mail/layout.txt", context)).strip() + "\n"
        return RenderedMail(subject, html, text)

    def subject(self, kind: MessageKind, incident: Incident, entry: TimelineEntry) -> str:
        context = self._values.for_message(kind, incident, entry, None, None)
        return " ".join(self._render("mail/subject.txt", context).split())

    def heading(
        self,
        kind: MessageKind,
        incident: Incident,
        entry: TimelineEntry,
        update_number: int | None = None,
    ) -> str:
        """Where things stand, then the title: the card's title and its notification text."""
        context = self._values.for_message(kind, incident, entry, update_number, None)
        return self._line("mail/heading.txt", context)

    def card(
        self,
        kind: MessageKind,
        incident: Incident,
        entry: TimelineEntry,
        *,
        next_update_by: datetime | None,
        report_url: str | None = None,
        update_number: int | None = None,
    ) -> dict[str, Any]:
        context = self._values.for_message(
            kind, incident, entry, update_number, next_update_by, report_url
        )
        env = self._card_env
        restricted = self._line("teams/restricted.txt", context, env) if incident.security else ""
        return build_card(
            banner=self._line("teams/banner.txt", context, env),
            # Rendered plainly: build_card escapes the title (and the facts) itself.
            title=self._line("mail/heading.txt", context),
            colour=colour_for(incident.priority, kind is MessageKind.RESOLVED),
            sections=self._sections(kind, context, card=True),
            facts=context["facts"],
            report_url=report_url,
            button=self._line("teams/button.txt", context, env),
            restricted=restricted,
        )

    def buttons(self, reference: str, *, nudge: bool = False) -> list[dict[str, Any]]:
        """The bot's buttons on an incident's card; `nudge`: on a nudge to its comms lead."""
        made = card_actions.nudge_buttons if nudge else card_actions.incident_buttons
        return made(reference)

    def _sections(
        self, kind: MessageKind, context: dict[str, Any], *, card: bool = False
    ) -> tuple[Section, ...]:
        env = self._card_env if card else self._env
        template = env.get_template(f"mail/{kind.value}.txt")
        # A card template holds only the blocks worded differently for Teams (it extends the
        # mail one, whose blocks are not in its own `blocks`), so each block falls back.
        override = self._optional(f"teams/{kind.value}.txt") if card else None
        return sections(template, override, context)

    def _optional(self, name: str) -> Any:
        try:
            return self._card_env.get_template(name)
        except TemplateNotFound:
            return None

    def _render(self, name: str, context: dict[str, Any]) -> str:
        return self._env.get_template(name).render(context)

    def _line(
        self, name: str, context: dict[str, Any], env: SandboxedEnvironment | None = None
    ) -> str:
        return " ".join((env or self._env).get_template(name).render(context).split())
