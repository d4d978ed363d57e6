"""Who is talking (Teams gives an Entra object id, not an email) and what they may do.

Identity: Teams activities carry `from.aadObjectId` and a display name, never the email that
the incident's leads and the contacts directory use. The bot asks the Bot Connector for the
member (`GET v3/conversations/{id}/members/{userId}`, which returns email and UPN with no Graph
permission), and a configured map (`bot_people`) answers first, and alone for outgoing webhooks,
which cannot call the connector. Someone the bot cannot place may only read.

Authorization (Gate): members of the team the bot serves (members.py) may open an ordinary
incident and take a role on one; changing an incident otherwise needs an address in
`bot_allowed`, a contacts directory role in `bot_allowed_roles`, or being named on that incident
(whoever opens one leads it); a security incident only its named people and the security
contacts. Anyone may ask `help`, `list`, and `status` unless the incident is a security incident.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.engine import Engine

from comms_assistant.adapters.sql.unit_of_work import SqlUnitOfWork, unit_of_work
from comms_assistant.domain import commands as c
from comms_assistant.domain.audiences import SECURITY_ROLES, Contact, ContactRole
from comms_assistant.domain.incident import Incident, Priority
from comms_assistant.service.finding import Refused, choose_incident

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


# In bot_allowed_roles: members of the team the bot serves may open an ordinary incident and
# take a role on one. Not a contacts directory role: the Bot Connector says who is in the team.
TEAM_MEMBER = "team member"


class Membership(Protocol):
    def is_member(self, who: str | None) -> bool: ...


class _NoTeam:
    def is_member(self, who: str | None) -> bool:
        return False


@dataclass(frozen=True)
class Gate:
    """Who may change which incident. Rights come from `bot_allowed`, a contacts directory role
    in `bot_allowed_roles`, or being named on an incident (declared it, or holds one of its
    roles), and the last gives rights on that incident only. Members of the team (`team`) may
    open an ordinary incident, and take a role on one themselves ('tech me'), which names
    them on it. A security incident may be seen and changed only by the people named on it and
    the security contacts: the general rights and team membership do not reach it."""

    engine: Engine
    allowed: frozenset[str]
    allowed_roles: frozenset[str]
    contacts: tuple[Contact, ...]
    security_roles: frozenset[ContactRole] = SECURITY_ROLES
    priority_names: Mapping[str, Priority] = field(default_factory=dict)
    team: Membership = field(default_factory=_NoTeam)

    @classmethod
    def from_settings(
        cls,
        engine: Engine,
        settings: Any,
        contacts: Iterable[Contact],
        *,
        security_roles: Iterable[ContactRole] = SECURITY_ROLES,
        priority_names: Mapping[str, Priority] | None = None,
        team: Membership | None = None,
    ) -> Gate:
        return cls(
            engine=engine,
            allowed=frozenset(e.strip().lower() for e in settings.bot_allowed),
            allowed_roles=frozenset(r.strip().lower() for r in settings.bot_allowed_roles),
            contacts=tuple(contacts),
            security_roles=frozenset(security_roles),
            priority_names=dict(priority_names or {}),
            team=team or _NoTeam(),
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
        named = c.named_incident(text)
        if named and incident and named != incident.upper():
            return None  # the service refuses a command naming two incidents: nothing changes
        member = TEAM_MEMBER in self.allowed_roles and self.team.is_member(who)
        with unit_of_work(self.engine) as uow:
            command, target = self._target(uow, command, who, named or incident)
            if target is _NOTHING_WAITING:
                return None  # the service says there is nothing to send
            row = target if isinstance(target, Incident) else None
            if self._allowed(command, who, row, member):
                return None
            return self._why_not(command, who, row, member)

    def asks_team(self, who: str) -> bool:
        """Whether being in the team could give `who` more than they have: only then is the
        Bot Connector asked (not when 'team member' is left out of bot_allowed_roles, nor for
        someone whose address or contacts role already gives every right)."""
        return TEAM_MEMBER in self.allowed_roles and not self._general(who.lower())

    def _allowed(self, command: c.Command, who: str, row: Incident | None, member: bool) -> bool:
        if isinstance(command, c.Open):
            if command.security:
                return self._general(who) or self._security(who)
            return self._general(who) or member
        if row is None:
            # No incident it could act on: the service says why, and nothing changes.
            return self._general(who) or member
        if self._may_change(who, row):
            return True
        return member and not row.security and _for_themselves(command, who)

    def _why_not(self, command: c.Command, who: str, row: Incident | None, member: bool) -> str:
        if row is not None and row.security:
            return SECURITY_REFUSAL
        settings = "the people the bot's settings name (bot_allowed, bot_allowed_roles)"
        if isinstance(command, c.Open) and command.security:
            return (
                f"Only the security contacts and {settings} can declare a security incident, "
                f"and {who} is neither: tell a security contact, who can declare it."
            )
        if isinstance(command, c.Open) and TEAM_MEMBER in self.allowed_roles:
            return (
                f"Only members of the incidents channel's team and {settings} can declare an "
                f"incident, and {who} is neither. Ask a team owner to add you to the team, or an "
                "administrator to add you to bot_allowed."
            )
        if isinstance(command, c.Open):
            return (
                f"Only {settings} can declare an incident, and {who} is not one of them. Ask an "
                "administrator to add you to bot_allowed."
            )
        which = f"{row.reference}'s" if row is not None else "the incident's"
        how = (
            "Take a role on it first ('scribe me', 'tech me'), or ask its incident lead to."
            if member
            else "Ask its incident lead to name you (e.g. 'scribe you@example.org'), or an "
            "administrator to add you."
        )
        return (
            f"Only the incident team can change an incident: whoever declared it, its leads, and "
            f"{settings}. {who} is not in {which} team. {how}"
        )

    def may_see(self, who: str | None, incident: str) -> bool:
        with unit_of_work(self.engine) as uow:
            row = uow.incidents.get(incident)
            if row is None or not row.security:
                return True
            return who is not None and self._may_change(who.lower(), row)

    def _target(
        self, uow: SqlUnitOfWork, command: c.Command, who: str, incident: str | None
    ) -> tuple[c.Command, Incident | None | object]:
        """The command as it will run (a held draft's own) and the incident the service will
        act on (as it chooses it), or None when it will find none."""
        if isinstance(command, c.SendDraft):
            draft = uow.drafts.get(who)  # keyed by its author
            if draft is None:
                return command, _NOTHING_WAITING
            try:
                command = c.parse(draft.command, priority_names=self.priority_names)
            except c.ParseError:
                return command, _NOTHING_WAITING
            incident = draft.incident
        if isinstance(command, c.Open):
            return command, None
        try:
            return command, choose_incident(uow.incidents, command, incident)
        except Refused:
            return command, None

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


def _for_themselves(command: c.Command, who: str) -> bool:
    """'tech me', 'role delivery manager me' (or their own address): a role they take."""
    if isinstance(command, c.Assign | c.AssignExtra):
        return command.person is None or command.person.lower() == who
    return False


def _named(incident: Incident) -> set[str]:
    people = [*incident.leads.values(), *incident.extra_leads.values(), incident.declared_by]
    return {person.lower() for person in people if person}


SECURITY_REFUSAL = (
    "That is a security incident: only its incident team can see it. "
    "Ask the incident lead if you need to know more."
)
