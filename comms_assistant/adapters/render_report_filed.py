"""The message that the Major Incident report is filed, from `templates/mail/report_filed.txt`:
an email laid out as every other one is (`layout.html`, `layout.txt`) and a Teams card.

The words are rendered once for each medium, and each escapes what people typed its own way:
the HTML with every template autoescaped (the words too, so `link` can make the report's name
a link), the plain text as typed, the card's text as Markdown literals. The card is built as
data, never by pasting text into JSON.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from comms_assistant.adapters.render_cards import (
    CARD_BUDGET,
    CARD_SCHEMA,
    CARD_VERSION,
    fit_card,
    markdown_literal,
    text_block,
)
from comms_assistant.adapters.render_templates import (
    Section,
    card_environment,
    environment,
    template_loaders,
)
from comms_assistant.adapters.render_text import paragraphs
from comms_assistant.domain.audiences import looks_like_email
from comms_assistant.domain.incident import Incident, Status

KIND = "report_filed"
WORDS = "mail/report_filed.txt"
# Only these open from an email or a card; anything else is shown as text, not linked.
_WEB = re.compile(r"https?://\S+$")
_LINKABLE = re.compile(r"(?:https?://|mailto:)\S+$")


@dataclass(frozen=True)
class ReportFiledMessage:
    heading: str  # plain text: the email's heading, the card's title and its notification
    html: str
    text: str
    card: dict[str, Any]


class ReportFiledRenderer:
    """Renders the message from an organisation's templates folder, falling back to the
    defaults file by file as the Renderer does."""

    def __init__(self, templates_dir: Path | None = None) -> None:
        loaders = template_loaders(templates_dir)
        self._text = environment(loaders)
        # Every template autoescaped, .txt ones too (the words and footer.txt), so that what
        # people typed is escaped wherever it is shown and `link` can give markup.
        self._html = environment(loaders, autoescape=True)
        self._html.filters["nl2br"] = _nl2br
        self._card = card_environment(loaders)

    def __call__(
        self,
        incident: Incident,
        *,
        subject: str,
        name: str,
        url: str,
        ask: Mapping[str, str],
        marking: str,
    ) -> ReportFiledMessage:
        """`subject`: the Major Incident notification's, so the email joins its conversation;
        `name` and `url`: the filed report's; `ask`: whom to ask (`name`, `email`, `role`)."""
        context = _context(incident, subject, name, url, ask, marking)
        heading = _line(self._text, "mail/heading.txt", context)
        context.update(heading=heading, banner=_line(self._text, "mail/banner.txt", context))
        context["subject"] = subject or heading  # only a card: the page's title, unseen
        return ReportFiledMessage(
            heading=heading,
            html=self._html_part(context),
            text=self._text_part(context),
            card=self._card_part(context),
        )

    def _html_part(self, context: dict[str, Any]) -> str:
        context = context | {"link": _html_link}
        words = self._html.get_template(WORDS).render(context)
        # Rendered with autoescape, so each paragraph is safe markup (its links included).
        found = tuple(Markup(p) for p in paragraphs(words))
        context.update(sections=(Section("", found),))
        return self._html.get_template("mail/layout.html").render(context)

    def _text_part(self, context: dict[str, Any]) -> str:
        context = context | {"link": _text_link}
        words = self._text.get_template(WORDS).render(context)
        context.update(sections=(Section("", paragraphs(words)),))
        text = self._text.get_template("mail/layout.txt").render(context)
        return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"

    def _card_part(self, context: dict[str, Any]) -> dict[str, Any]:
        context = context | {"link": _card_link}
        body: list[dict[str, Any]] = []
        if context["marking"]:
            marking = markdown_literal(context["marking"])
            body.append(text_block(marking, weight="Bolder") | {"color": "Attention"})
        title = _line(self._card, "mail/heading.txt", context)
        body.append(text_block(title, size="Large", weight="Bolder"))
        for paragraph in paragraphs(self._card.get_template(WORDS).render(context)):
            # Teams' markdown joins single newlines: a blank line keeps each line apart.
            body.append(text_block("\n\n".join(paragraph.splitlines())))
        body.append(text_block(_line(self._card, "mail/footer.txt", context)))
        card: dict[str, Any] = {
            "type": "AdaptiveCard",
            "$schema": CARD_SCHEMA,
            "version": CARD_VERSION,
            "body": body,
            "msteams": {"width": "Full"},
        }
        if context["report_url"]:  # never for a security incident: _context leaves it out
            card["actions"] = [
                {
                    "type": "Action.OpenUrl",
                    "title": context["report_name"],
                    "url": context["report_url"],
                }
            ]
        return fit_card(card, CARD_BUDGET)


def _context(
    incident: Incident,
    subject: str,
    name: str,
    url: str,
    ask: Mapping[str, str],
    marking: str,
) -> dict[str, Any]:
    security = incident.security
    return {
        "kind": KIND,
        "reference": incident.reference,
        # Shown in brackets mid-sentence, where its own full stop would end the sentence early.
        # Never for a security incident: the central team is told only that it is filed.
        "title": "" if security else incident.title.strip().rstrip("."),
        "security": security,
        "closed": incident.status is Status.CLOSED,
        "marking": marking,
        "subject": subject,
        "report_name": name,
        # In the security folder, which the central team cannot open: no link to it.
        "report_url": url if _WEB.match(url) and not security else "",
        **_whom_to_ask(ask),
        # What the layouts show for the other messages: none of it here, where footer.txt says
        # whom to ask itself.
        "facts": [],
        "contact_name": "",
        "contact_email": "",
        "contact_is_comms": False,
    }


def _whom_to_ask(ask: Mapping[str, str]) -> dict[str, str]:
    email = ask.get("email") or ""
    return {
        "ask_name": ask.get("name") or "",
        "ask_mailto": f"mailto:{email}" if looks_like_email(email) else "",
        "ask_role": ask.get("role") or "",
    }


def _line(env: SandboxedEnvironment, name: str, context: dict[str, Any]) -> str:
    return " ".join(env.get_template(name).render(context).split())


def _html_link(text: str, address: str) -> Markup:
    if not _LINKABLE.match(address):
        return escape(text)
    return Markup('<a href="{}" style="color:#1d70b8;">{}</a>').format(address, text)


def _text_link(text: str, address: str) -> str:
    shown = address.removeprefix("mailto:")
    return text if not address or shown == text else f"{text} ({shown})"


def _card_link(text: str, address: str) -> str:
    return text  # the card's button opens the report; finalize escapes the text


def _nl2br(value: Any) -> Markup:
    # The words reach the layout escaped already, links and all (Markup): kept as they are.
    lines = value.splitlines() if isinstance(value, Markup) else str(value).splitlines()
    return Markup("<br>\n").join(escape(line) for line in lines)
