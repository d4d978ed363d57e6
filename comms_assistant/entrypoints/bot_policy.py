"""Who is talking (Teams gives an Entra object id, not an email) and what they may do.

Identity: Teams activities carry `from.aadObjectId` and a display name, never the email that
the incident's leads and the contacts directory use. The bot asks the Bot Connector for the
member (`GET v3/conversations/{id}/members/{userId}`, which returns email and UPN with no Graph
permission), and a configured map (`bot_people`) answers first, and alone for outgoing webhooks,
which cannot call the connector. Someone the bot cannot place may only read.

Authorization (Gate): changing an incident needs an address in `bot_allowed`, a contacts
directory role in `bot_allowed_roles`, or a role on that incident; a security incident only its
named people and the security contacts. Anyone may ask `help`, and `status` unless the incident
is a security incident.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from comms_assistant.adapters import store
from comms_assistant.adapters.store import IncidentRow
from comms_assistant.domain import commands as c
from comms_assistant.domain.audiences import SECURITY_ROLES, Contact, ContactRole
from comms_assistant.domain.incident import Priority
from comms_assistant.service.handle import Refused, choose_incident

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
    """Who may change which incident. Rights come from `bot_allowed`, a contacts directory role
    in `bot_allowed_roles`, or being named on an incident (declared it, or holds one of its
    roles), and the last gives rights on that incident only. A security incident may be seen and
    changed only by the people named on it and the security contacts: the general rights do not
    reach it."""

    engine: Engine
    allowed: frozenset[str]
    allowed_roles: frozenset[str]
    contacts: tuple[Contact, ...]
    security_roles: frozenset[ContactRole] = SECURITY_ROLES
    priority_names: Mapping[str, Priority] = field(default_factory=dict)

    @classmethod
    def from_settings(
        cls,
        engine: Engine,
        settings: Any,
        contacts: Iterable[Contact],
        *,
        security_roles: Iterable[ContactRole] = SECURITY_ROLES,
        priority_names: Mapping[str, Priority] | None = None,
    ) -> Gate:
        return cls(
            engine=engine,
            allowed=frozenset(e.strip().lower() for e in settings.bot_allowed),
            allowed_roles=frozenset(r.strip().lower() for r in settings.bot_allowed_roles),
            contacts=tuple(contacts),
            security_roles=frozenset(security_roles),
            priority_names=dict(priority_names or {}),
        )

    def refusal(self, text: str, who: str | None, incident: str | None) -> str | None:
        """Why `who` may not run `text` (None: go ahead). Checked before anything is stored."""
        try:
            command = c.parse(text, priority_names=self.priority_names)
        except c.ParseError:
            return None  # the service answers with what was expected; nothing is changed
        if isinstance(command, c.READ_ONLY):
            return None  # status of a security incident is checked on the answer
        if who is None:
            return (
                "I could not tell who you are, so I cannot let you change an incident. "
                "Ask an administrator to add you to the bot's list of people."
            )
        who = who.lower()
        with store.transaction(self.engine) as session:
            target = self._target(session, command, who, incident)
            if target is _NOTHING_WAITING:
                return None  # the service says there is nothing to send
            if isinstance(command, c.Open):
                allowed = self._general(who) or (command.security and self._security(who))
            else:
                allowed = self._may_change(who, target)
        if allowed:
            return None
        if isinstance(target, IncidentRow) and target.security:
            return SECURITY_REFUSAL
        return (
            f"Only the incident team can change an incident, and {who} is not in it. "
            "Ask the incident lead to name you (e.g. 'scribe you@example.org') or an "
            "administrator to add you."
        )

    def may_see(self, who: str | None, incident: str) -> bool:
        with store.transaction(self.engine) as session:
            row = store.find_incident(session, incident)
            if row is None or not row.security:
                return True
            return who is not None and self._may_change(who.lower(), row)

    def _target(
        self, session: Any, command: c.Command, who: str, incident: str | None
    ) -> IncidentRow | None | object:
        """The incident the service will act on (as it chooses it), or None when it will find
        none, in which case only the general rights count."""
        if isinstance(command, c.SendDraft):
            draft = session.get(store.DraftRow, who)  # keyed by its author
            if draft is None:
                return _NOTHING_WAITING
            try:
                command = c.parse(draft.command, priority_names=self.priority_names)
            except c.ParseError:
                return _NOTHING_WAITING
            if isinstance(command, c.Open):
                return None
            incident = draft.incident
        if isinstance(command, c.Open):
            return None
        try:
            return choose_incident(session, command, incident)
        except Refused:
            return None

    def _may_change(self, who: str, row: Any) -> bool:
        if row is not None and row.security:
            return who in _named(row) or self._security(who)
        return self._general(who) or (row is not None and who in _named(row))

    def _general(self, who: str) -> bool:
        return who in self.allowed or any(
            p.email.lower() == who and p.role.value in self.allowed_roles for p in self.contacts
        )

    def _security(self, who: str) -> bool:
        return any(p.email.lower() == who and p.role in self.security_roles for p in self.contacts)


_NOTHING_WAITING = object()  # 'send anyway' with no draft: the service answers it


def _named(row: IncidentRow) -> set[str]:
    return {person.lower() for person in [*row.leads.values(), row.declared_by] if person}


SECURITY_REFUSAL = (
    "That is a security incident: only its incident team can see it. "
    "Ask the incident lead if you need to know more."
)
