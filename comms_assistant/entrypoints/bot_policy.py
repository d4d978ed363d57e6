"""Who is talking (Teams gives an Entra object id, not an email) and what they may do.

Identity: Teams activities carry `from.aadObjectId` and a display name, never the email that
the incident's leads and the contacts directory use. The bot asks the Bot Connector for the
member (`GET v3/conversations/{id}/members/{userId}`, which returns email and UPN with no Graph
permission), and a configured map (`bot_people`) answers first, and alone for outgoing webhooks,
which cannot call the connector. Someone the bot cannot place may only read.

Authorization: changing an incident needs an address in `bot_allowed`, a contacts directory
role in `bot_allowed_roles`, or a lead role on that incident. Anyone may ask `help`, and
`status` unless the incident is a security incident.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from comms_assistant.adapters import store
from comms_assistant.domain import commands as c
from comms_assistant.domain.audiences import Contact

log = logging.getLogger(__name__)

Lookup = Callable[[], Awaitable[str | None]]

_MENTION = re.compile(r"<at\b[^>]*>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
# Controls other than tab/newline: Teams never sends them, a hostile client might.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_COMMAND = 4000  # a Teams message holds ~28 KB; a command longer than this is a paste


def command_text(text: str | None, bot_mentions: Iterable[str] = ()) -> str:
    """The command in a Teams message: the bot's @mention removed, other markup flattened."""
    text = text or ""
    for mention in bot_mentions:
        text = text.replace(mention, " ")
    text = _MENTION.sub(lambda m: m.group(1), text)  # "comms <at>Sam</at>": keep the name
    text = _TAG.sub(" ", text)
    text = html.unescape(text).replace("\xa0", " ")
    return _CONTROL.sub(" ", text).strip()


def bot_mentions(recipient_id: str | None, entities: Iterable[Any]) -> list[str]:
    """How the bot's own @mention appears in the text (Teams writes `<at>Name</at>` there)."""
    found = []
    for entity in entities or ():
        if not isinstance(entity, dict):
            continue
        mentioned = entity.get("mentioned") or {}
        text = entity.get("text")
        if (
            entity.get("type") == "mention"
            and isinstance(mentioned, dict)
            and isinstance(text, str)
            and recipient_id
            and mentioned.get("id") == recipient_id
        ):
            found.append(text)
    return found


@dataclass
class People:
    """Entra object id -> email: the configured map, then the connector, remembered."""

    configured: dict[str, str] = field(default_factory=dict)
    _known: dict[str, str] = field(default_factory=dict)

    async def email_for(self, object_id: str | None, lookup: Lookup | None) -> str | None:
        if not object_id:
            return None
        key = object_id.lower()
        mapped = {k.lower(): v for k, v in self.configured.items()}.get(key) or self._known.get(key)
        if mapped:
            return mapped.lower()
        if lookup is None:
            return None
        try:
            email = await lookup()
        except Exception as error:  # the lookup is a courtesy: failing it only means read-only
            log.warning("could not look up Teams member %s: %s", object_id, type(error).__name__)
            return None
        if email and "@" in email:
            self._known[key] = email.lower()
            return email.lower()
        return None


@dataclass(frozen=True)
class Gate:
    engine: Engine
    allowed: frozenset[str]
    allowed_roles: frozenset[str]
    contacts: tuple[Contact, ...]

    @classmethod
    def from_settings(cls, engine: Engine, settings: Any, contacts: Iterable[Contact]) -> Gate:
        return cls(
            engine=engine,
            allowed=frozenset(e.strip().lower() for e in settings.bot_allowed),
            allowed_roles=frozenset(r.strip().lower() for r in settings.bot_allowed_roles),
            contacts=tuple(contacts),
        )

    def refusal(self, text: str, who: str | None, incident: str | None) -> str | None:
        """Why `who` may not run `text` (None: go ahead). Checked before anything is stored."""
        try:
            command = c.parse(text)
        except c.ParseError:
            return None  # the service answers with what was expected; nothing is changed
        if isinstance(command, c.READ_ONLY):
            return None  # status of a security incident is checked on the answer
        if who is None:
            return (
                "I could not tell who you are, so I cannot let you change an incident. "
                "Ask an administrator to add you to the bot's list of people."
            )
        if self.may_change(who, incident):
            return None
        return (
            f"Only the incident team can change an incident, and {who} is not in it. "
            "Ask the incident lead to name you (e.g. 'scribe you@example.org') or an "
            "administrator to add you."
        )

    def may_change(self, who: str, incident: str | None) -> bool:
        who = who.lower()
        if who in self.allowed:
            return True
        if any(
            p.email.lower() == who and p.role.value in self.allowed_roles for p in self.contacts
        ):
            return True
        return who in self._leads(incident)

    def may_see(self, who: str | None, incident: str) -> bool:
        with store.transaction(self.engine) as session:
            row = store.find_incident(session, incident)
            secret = bool(row is not None and row.security)
        return not secret or (who is not None and self.may_change(who, incident))

    def _leads(self, incident: str | None) -> set[str]:
        """Leads of the incident meant: the bound one, else any open one the service may pick."""
        with store.transaction(self.engine) as session:
            if incident:
                row = store.find_incident(session, incident)
                rows = [row] if row is not None else []
            else:
                rows = store.open_incidents(session)
            return {
                person.lower()
                for row in rows
                for person in [*row.leads.values(), row.declared_by]
                if person
            }


SECURITY_REFUSAL = (
    "That is a security incident: only its incident team can see it. "
    "Ask the incident lead if you need to know more."
)
