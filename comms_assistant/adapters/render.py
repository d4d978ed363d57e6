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
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import (
    ChoiceLoader,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    select_autoescape,
)
from jinja2.sandbox import SandboxedEnvironment

from comms_assistant.adapters.render_cards import (
    CARD_BUDGET,
    CARD_SCHEMA,
    CARD_VERSION,
    SHORTENED,
    build_card,
    card_size,
    colour_for,
    fit_card,
    markdown_literal,
)
from comms_assistant.adapters.render_text import (
    TITLE_MAX,
    and_list,
    bounded,
    clock,
    nl2br,
    paragraphs,
    sentence,
)
from comms_assistant.domain.history import history_of, priority_story
from comms_assistant.domain.incident import (
    EntryKind,
    Incident,
    Priority,
    Role,
    TimelineEntry,
    holding_note,
)
from comms_assistant.domain.messages import MessageKind
from comms_assistant.resources import bundled
from comms_assistant.service.ports import DEFAULT_SECURITY_MARKING

# Re-exported: callers and tests import these from here.
__all__ = [
    "CARD_BUDGET",
    "CARD_SCHEMA",
    "CARD_VERSION",
    "SHORTENED",
    "RenderedMail",
    "Renderer",
    "card_size",
    "fit_card",
    "nl2br",
    "sentence",
]

SECTIONS = (
    ("what_is_happening", "What is happening"),
    ("what_we_are_doing", "What we are doing"),
    ("what_you_need_to_do", "What you need to do"),
    ("next_update", "Next update"),
)

STAKEHOLDER_ROLES = (Role.INCIDENT_LEAD, Role.COMMS_LEAD)
_PRIORITY_CHANGE = re.compile(r"from (P[1-4]) to (P[1-4])(?::\s*(.*))?$", re.DOTALL)


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    html: str
    text: str


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


def default_templates_dir() -> Path:
    return bundled("templates")


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
        # The card's copy of the templates shows every value as typed, not as Markdown: escaping
        # each `{{ ... }}` as it is written out reaches every value, however a template gets it
        # (`incident.title` too), after its filters, and leaves the template's own words alone.
        self._card_env = environment(loaders, finalize=_card_value)
        self._tz = tz
        self._service_names = dict(service_names or {})
        # What the organisation calls its priorities (dxw: Critical, Major...), shown in words.
        self._priority_names = dict(priority_names or {})
        # Email -> name from the contacts directory: messages name people, not addresses.
        self._people = {email.lower(): name for email, name in (people or {}).items()}
        # Starts a security incident's subject and body. Public: the lead notices about a
        # security incident (service/lead_notices.py) are marked with it too.
        self.security_marking = security_marking.strip()

    def _story(self, incident: Incident) -> str:
        history = history_of(incident)
        if len(history) < 2 or incident.restricted:
            return ""
        return priority_story(history, self._tz, label=self._priority, time=clock)

    def _name(self, email: str) -> str:
        return self._people.get(email.lower(), email)

    def _priority(self, priority: Priority) -> str:
        return self._priority_names.get(priority, priority.label)

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
        context = self._context(kind, incident, entry, update_number, next_update_by, report_url)
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
        context = self._context(kind, incident, entry, None, None)
        return " ".join(self._render("mail/subject.txt", context).split())

    def heading(
        self,
        kind: MessageKind,
        incident: Incident,
        entry: TimelineEntry,
        update_number: int | None = None,
    ) -> str:
        """Where things stand, then the title: the card's title and its notification text."""
        context = self._context(kind, incident, entry, update_number, None)
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
        context = self._context(kind, incident, entry, update_number, next_update_by, report_url)
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

    def _context(
        self,
        kind: MessageKind,
        incident: Incident,
        entry: TimelineEntry,
        update_number: int | None,
        next_update_by: datetime | None,
        report_url: str | None = None,
    ) -> dict[str, Any]:
        services = [self._service_names.get(key, key) for key in incident.services]
        previous, reason = None, ""
        if kind is MessageKind.PRIORITY and (match := _PRIORITY_CHANGE.search(entry.text)):
            previous, reason = match.group(1), (match.group(3) or "").strip()
        before = Priority.parse(previous) if previous else None
        resolution = incident.resolution or entry.text.removeprefix("Resolved: ")
        # What earlier messages said, for people told late (CATCH_UP): the updates before now.
        updates = [
            {"at": self._when(e.at, entry.at), "text": bounded(e.text)}
            for e in incident.timeline
            if e.kind is EntryKind.UPDATE and e.seq <= entry.seq
        ]
        # Stakeholders hear who leads it and who speaks for it; the other roles are the
        # responders' business (the scribe, the tech and support leads).
        leads = {
            role.label: self._name(incident.leads[role])
            for role in STAKEHOLDER_ROLES
            if incident.leads.get(role)
        }
        contact = incident.leads.get(Role.COMMS_LEAD) or incident.leads.get(Role.INCIDENT_LEAD)
        next_at = self._when(next_update_by, entry.at) if next_update_by else None
        resolved_at = self._when(incident.resolved_at, entry.at) if incident.resolved_at else None
        return {
            "kind": kind.value,
            "reference": incident.reference,
            "title": bounded(incident.title, TITLE_MAX),
            # The title it was opened with: the subject keeps it (mail/subject.txt says why).
            "subject_title": bounded(incident.declared_title or incident.title, TITLE_MAX),
            "priority": self._priority(incident.priority),
            "priority_number": incident.priority.value,
            "status": incident.status.value,
            "security": incident.security,
            # In the subject from the first email on, so the subject (the conversation) holds.
            "marking": self.security_marking if incident.security else "",
            "restricted": incident.restricted,
            "impact": bounded(incident.impact),
            # What readers should do, as the comms lead said it (mail/advice.txt).
            "advice": bounded(incident.advice),
            "services": services,
            "services_text": and_list(services),
            "leads": leads,
            "update_text": bounded(entry.text),
            "holding_note": bounded(holding_note(entry)),  # what a lead added: `holding <text>`
            "updates": updates,
            "report_url": report_url or "",
            "declared_by": self._name(incident.declared_by),
            # Whom readers may ask (mail/footer.txt): the comms lead, else the incident lead.
            "contact_name": self._name(contact) if contact else "",
            "contact_email": contact or "",
            "contact_is_comms": bool(incident.leads.get(Role.COMMS_LEAD)),
            "started_at": self._when(incident.declared_at, entry.at),
            "update_number": update_number,
            "previous_priority": self._priority(before) if before else None,
            "raised": before is not None and incident.priority < before,
            "lowered": before is not None and incident.priority > before,
            "reason": bounded(reason),
            "resolution": bounded(resolution) if kind is MessageKind.RESOLVED else "",
            # Told when it is over, and only when the priority moved (mail/resolved.txt).
            "priority_story": self._story(incident) if kind is MessageKind.RESOLVED else "",
            "resolved_at": resolved_at,
            "next_update_at": next_at,
            "sent_at": self._when(entry.at, entry.at),
            "facts": self._facts(kind, incident, services, leads, next_at, resolved_at),
            "incident": incident,
            "entry": entry,
        }

    def _facts(
        self,
        kind: MessageKind,
        incident: Incident,
        services: list[str],
        leads: dict[str, str],
        next_at: str | None,
        resolved_at: str | None,
    ) -> list[tuple[str, str]]:
        facts = [
            ("Priority", incident.priority.label),
            ("Status", incident.status.value.capitalize()),
            ("Services", ", ".join(services) or _no_services(incident)),
        ]
        facts += list(leads.items()) or [("Leads", "Not given yet")]
        facts.append(("Started", self._when(incident.declared_at, None)))
        if kind is MessageKind.RESOLVED:
            facts.append(("Resolved", resolved_at or "Yes"))
            facts.append(("Next update", "None: this is the last update"))
        elif incident.restricted:  # the central team hears of a security incident only twice
            facts.append(("Next update", "When it is over"))
        else:
            facts.append(("Next update", f"By {next_at}" if next_at else "When anything changes"))
        return facts

    def _sections(
        self, kind: MessageKind, context: dict[str, Any], *, card: bool = False
    ) -> tuple[Section, ...]:
        env = self._card_env if card else self._env
        template = env.get_template(f"mail/{kind.value}.txt")
        # A card template holds only the blocks worded differently for Teams (it extends the
        # mail one, whose blocks are not in its own `blocks`), so each block falls back.
        override = self._optional(f"teams/{kind.value}.txt") if card else None
        sections = []
        for name, heading in SECTIONS:
            source = override if override and name in override.blocks else template
            block = source.blocks.get(name)
            if block is None:
                raise TemplateError(f'{template.name} needs a "{name}" block.')
            found = paragraphs("".join(block(source.new_context(context))))
            if found:
                sections.append(Section(heading, found))
        return tuple(sections)

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

    def _when(self, moment: datetime, reference: datetime | None) -> str:
        """GOV.UK style: "2:30pm" today, "9am tomorrow", else "9am on Tuesday 24 November"."""
        local = moment.astimezone(self._tz)
        day = local.date()
        if reference is not None:
            today = reference.astimezone(self._tz).date()
            if day == today:
                return clock(local)
            if day == today + timedelta(days=1):
                return f"{clock(local)} tomorrow"
        return f"{clock(local)} on {local:%A} {local.day} {local:%B}"


def template_loaders(templates_dir: Path | None) -> list[Any]:
    """An organisation's templates folder, if any, then the defaults."""
    loaders = []
    if templates_dir is not None:
        if not Path(templates_dir).is_dir():
            raise ValueError(f"The templates folder {templates_dir} does not exist.")
        loaders.append(FileSystemLoader(templates_dir))
    # An organisation's folder may hold only the templates it changed; the rest fall back.
    loaders.append(FileSystemLoader(default_templates_dir()))
    return loaders


def environment(loaders: list[Any], **options: Any) -> SandboxedEnvironment:
    """The templates' environment; `options` (a `finalize`, `autoescape`) as Jinja2 takes them."""
    options.setdefault(
        "autoescape", select_autoescape(("html", "htm", "xml"), default_for_string=False)
    )
    # Sandboxed: templates are edited by people outside the development team.
    env = SandboxedEnvironment(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        **options,
    )
    env.filters.update(nl2br=nl2br, sentence=sentence)
    return env


def _card_value(value: Any) -> str:
    # str() first: a StrictUndefined still raises here, as it does in the email.
    return markdown_literal(str(value))


def _no_services(incident: Incident) -> str:
    return "Restricted" if incident.restricted else "Not given yet"
