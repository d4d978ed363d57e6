"""Stakeholder messages: Outlook mail (Jinja2 templates) and Teams Adaptive Cards.

The words live in `templates/mail/<kind>.txt`, one block per heading of the plain-English shape
(What is happening / What we are doing / What you need to do / Next update). The email's HTML
and text parts and the Teams card are all made from those blocks, so an organisation edits its
wording once. User text is only ever passed to templates as data: never compiled as a template,
never pasted into JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, TemplateError, select_autoescape
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from comms_assistant.domain.incident import Incident, Priority, Role, TimelineEntry
from comms_assistant.domain.messages import MessageKind
from comms_assistant.resources import bundled

SECTIONS = (
    ("what_is_happening", "What is happening"),
    ("what_we_are_doing", "What we are doing"),
    ("what_you_need_to_do", "What you need to do"),
    ("next_update", "Next update"),
)

CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.5"
# Teams refuses messages over 28 KB, and Graph carries the card as an escaped JSON string inside
# the message, so quotes and backslashes grow: aim well below the limit.
CARD_BUDGET = 20 * 1024
SHORTENED = "… (shortened to fit in Teams: the email and the incident report have it all)"
_MIN_KEPT = 200
_FACT_MAX = 300

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
    ) -> None:
        loaders = []
        if templates_dir is not None:
            if not Path(templates_dir).is_dir():
                raise ValueError(f"The templates folder {templates_dir} does not exist.")
            loaders.append(FileSystemLoader(templates_dir))
        # An organisation's folder may hold only the templates it changed; the rest fall back.
        loaders.append(FileSystemLoader(default_templates_dir()))
        # Sandboxed: templates are edited by people outside the development team.
        self._env = SandboxedEnvironment(
            loader=ChoiceLoader(loaders),
            autoescape=select_autoescape(("html", "htm", "xml"), default_for_string=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._env.filters.update(nl2br=nl2br, sentence=sentence)
        self._tz = tz
        self._service_names = dict(service_names or {})

    def mail(
        self,
        kind: MessageKind,
        incident: Incident,
        entry: TimelineEntry,
        *,
        update_number: int,
        next_update_by: datetime | None,
    ) -> RenderedMail:
        context = self._context(kind, incident, entry, update_number, next_update_by)
        # One line whatever was typed: a newline in a subject would start a new mail header.
        subject = " ".join(self._render("mail/subject.txt", context).split())
        context.update(subject=subject, banner=self._line("mail/banner.txt", context))
        context.update(sections=self._sections(kind, context))
        html = self._render("mail/layout.html", context)
        text = re.sub(r"\n{3,}", "\n\n", self._render("mail/layout.txt", context)).strip() + "\n"
        return RenderedMail(subject, html, text)

    def card(
        self,
        kind: MessageKind,
        incident: Incident,
        entry: TimelineEntry,
        *,
        next_update_by: datetime | None,
        report_url: str | None = None,
    ) -> dict[str, Any]:
        context = self._context(kind, incident, entry, None, next_update_by)
        colour = "Good" if kind is MessageKind.RESOLVED else _colour(incident.priority)
        body: list[dict[str, Any]] = [
            _text(self._line("mail/banner.txt", context), size="Small", weight="Bolder")
            | {"color": colour},
            _text(incident.title, size="Large", weight="Bolder"),
        ]
        for section in self._sections(kind, context):
            body.append(_text(section.heading, weight="Bolder") | {"spacing": "Medium"})
            # Teams' markdown joins single newlines: a blank line keeps each line apart.
            body.append(_text("\n\n".join(section.text.splitlines())))
        facts = [{"title": t, "value": _clip(v, _FACT_MAX)} for t, v in context["facts"]]
        body.append({"type": "FactSet", "facts": facts, "spacing": "Medium"})
        card: dict[str, Any] = {
            "type": "AdaptiveCard",
            "$schema": CARD_SCHEMA,
            "version": CARD_VERSION,
            "body": body,
            "msteams": {"width": "Full"},
        }
        # Teams rejects the whole card for a link it cannot open, so only web addresses go in.
        if report_url and re.match(r"https?://\S+$", report_url):
            card["actions"] = [
                {"type": "Action.OpenUrl", "title": "Open the incident report", "url": report_url}
            ]
        return fit_card(card, CARD_BUDGET)

    def _context(
        self,
        kind: MessageKind,
        incident: Incident,
        entry: TimelineEntry,
        update_number: int | None,
        next_update_by: datetime | None,
    ) -> dict[str, Any]:
        services = [self._service_names.get(key, key) for key in incident.services]
        previous, reason = None, ""
        if kind is MessageKind.PRIORITY and (match := _PRIORITY_CHANGE.search(entry.text)):
            previous, reason = match.group(1), (match.group(3) or "").strip()
        before = Priority.parse(previous) if previous else None
        resolution = incident.resolution or entry.text.removeprefix("Resolved: ")
        leads = {role.title: incident.leads[role] for role in Role if incident.leads.get(role)}
        next_at = self._when(next_update_by, entry.at) if next_update_by else None
        resolved_at = self._when(incident.resolved_at, entry.at) if incident.resolved_at else None
        return {
            "kind": kind.value,
            "reference": incident.reference,
            "title": incident.title,
            "priority": incident.priority.label,
            "priority_number": incident.priority.value,
            "status": incident.status.value,
            "security": incident.security,
            "impact": incident.impact,
            "services": services,
            "services_text": _and_list(services),
            "leads": leads,
            "update_text": entry.text,
            "update_number": update_number,
            "previous_priority": previous,
            "raised": before is not None and incident.priority < before,
            "lowered": before is not None and incident.priority > before,
            "reason": reason,
            "resolution": resolution if kind is MessageKind.RESOLVED else "",
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
            ("Services", ", ".join(services) or "Not given yet"),
        ]
        facts += list(leads.items()) or [("Leads", "Not given yet")]
        facts.append(("Started", self._when(incident.declared_at, None)))
        if kind is MessageKind.RESOLVED:
            facts.append(("Resolved", resolved_at or "Yes"))
            facts.append(("Next update", "None: this is the last update"))
        else:
            facts.append(("Next update", f"By {next_at}" if next_at else "When anything changes"))
        return facts

    def _sections(self, kind: MessageKind, context: dict[str, Any]) -> tuple[Section, ...]:
        template = self._env.get_template(f"mail/{kind.value}.txt")
        state = template.new_context(context)
        sections = []
        for name, heading in SECTIONS:
            block = template.blocks.get(name)
            if block is None:
                raise TemplateError(f'{template.name} needs a "{name}" block.')
            paragraphs = _paragraphs("".join(block(state)))
            if paragraphs:
                sections.append(Section(heading, paragraphs))
        return tuple(sections)

    def _render(self, name: str, context: dict[str, Any]) -> str:
        return self._env.get_template(name).render(context)

    def _line(self, name: str, context: dict[str, Any]) -> str:
        return " ".join(self._render(name, context).split())

    def _when(self, moment: datetime, reference: datetime | None) -> str:
        """GOV.UK style: "2:30pm" today, "9am tomorrow", else "9am on Tuesday 24 November"."""
        local = moment.astimezone(self._tz)
        day = local.date()
        if reference is not None:
            today = reference.astimezone(self._tz).date()
            if day == today:
                return _clock(local)
            if day == today + timedelta(days=1):
                return f"{_clock(local)} tomorrow"
        return f"{_clock(local)} on {local:%A} {local.day} {local:%B}"


def nl2br(value: str) -> Markup:
    """Line breaks as <br>: each line is escaped first, so only our <br> is markup."""
    return Markup("<br>\n").join(escape(line) for line in str(value).splitlines())


def sentence(value: str) -> str:
    text = " ".join(str(value).split())
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def fit_card(card: dict[str, Any], budget: int) -> dict[str, Any]:
    """Shorten the longest TextBlocks, with a note, until the card's JSON fits in `budget`."""
    blocks = [b for b in card["body"] if b.get("type") == "TextBlock"]
    original = [b["text"] for b in blocks]
    while card_size(card) > budget:
        index = max(range(len(blocks)), key=lambda i: len(blocks[i]["text"]))
        current = blocks[index]["text"]
        if len(current) <= _MIN_KEPT + len(SHORTENED):
            break  # nothing left worth cutting; validate_card will report the size
        keep = max(_MIN_KEPT, (len(current) - len(SHORTENED)) // 2)
        blocks[index]["text"] = _clip(original[index], keep, note=SHORTENED)
    return card


def card_size(card: dict[str, Any]) -> int:
    return len(json.dumps(card, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def _clip(text: str, limit: int, note: str = "…") -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + note


def _text(text: str, **style: str) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _colour(priority: Priority) -> str:
    return "Attention" if priority <= Priority.P2 else "Accent"


def _paragraphs(text: str) -> tuple[str, ...]:
    # A blank line starts a new paragraph; a single newline is a line break within one.
    chunks = re.split(r"\n[ \t]*\n", text.strip())
    cleaned = ("\n".join(line.strip() for line in c.splitlines() if line.strip()) for c in chunks)
    return tuple(c for c in cleaned if c)


def _and_list(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _clock(local: datetime) -> str:
    if (local.hour, local.minute) == (12, 0):
        return "midday"
    if (local.hour, local.minute) == (0, 0):
        return "midnight"
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{hour}{suffix}" if local.minute == 0 else f"{hour}:{local.minute:02d}{suffix}"
