"""Who is talking (Teams gives an Entra object id, not an email) and what they may do.

Identity: Teams activities carry `from.aadObjectId` and a display name, never the email that
the incident's leads and the contacts directory use. The bot asks the Bot Connector for the
member (`GET v3/conversations/{id}/members/{userId}`, which returns email and UPN with no Graph
permission), and a configured map (`bot_people`) answers first, and alone for outgoing webhooks,
which cannot call the connector. Someone the bot cannot place may only read.

Authorization (Gate): the rules are the domain's (domain/authority.py), one policy for the bot
and the service: members of the team the bot serves (members.py) may open an ordinary incident
and take a role on one; changing an incident otherwise needs an address in `bot_allowed`, a
contacts directory role in `bot_allowed_roles`, or being named on that incident (whoever opens
one leads it); a security incident only its named people and the security contacts. Anyone may
ask `help`, `list`, and `status` unless the incident is a security incident. The gate finds out
who the person is and which incident the command will act on, and asks.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.engine import Engine

from comms_assistant.adapters.sql import views
from comms_assistant.domain import authority
from comms_assistant.domain import commands as c
from comms_assistant.domain.audiences import SECURITY_ROLES, Contact, ContactRole
from comms_assistant.domain.authority import SECURITY_REFUSAL as SECURITY_REFUSAL
from comms_assistant.domain.authority import TEAM_MEMBER as TEAM_MEMBER
from comms_assistant.domain.incident import Priority
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


class Membership(Protocol):
    def is_member(self, who: str | None) -> bool: ...


class _NoTeam:
    def is_member(self, who: str | None) -> bool:
        return False


@dataclass(frozen=True)
class Gate:
    """Who may change which incident, asked of the domain's one policy (domain/authority.py)
    with what the bot knows: the person (`allowed`, the contacts directory, the team) and the
    incident the service will act on, read as it will choose it."""

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

    @property
    def rights(self) -> authority.Rights:
        return authority.Rights(self.allowed_roles, self.security_roles)

    def refusal(self, text: str, who: str | None, incident: str | None) -> str | None:
        """Why `who` may not run `text` (None: go ahead). Checked before anything is stored."""
        try:
            command = c.parse(text, priority_names=self.priority_names)
        except c.ParseError:
            return None  # the service answers with what was expected; nothing is changed
        if who is None or isinstance(command, c.READ_ONLY):
            # Decided without reading anything: anyone may read, and nobody unknown may change.
            return authority.to_act(self.person(who), command, None, self.rights).refusal
        named = c.named_incident(text)
        if named and incident and named != incident.upper():
            return None  # the service refuses a command naming two incidents: nothing changes
        person = self.person(who, ask_team=True)
        target = self._target(command, who.lower(), named or incident)
        if target is None:
            return None  # 'send anyway' with no draft: the service says there is nothing to send
        command, summary = target
        return authority.to_act(person, command, summary, self.rights).refusal

    def asks_team(self, who: str) -> bool:
        """Whether being in the team could give `who` more than they have: only then is the
        Bot Connector asked (not when 'team member' is left out of bot_allowed_roles, nor for
        someone whose address or contacts role already gives every right)."""
        return self.rights.team_could_help(self.person(who))

    def may_see(self, who: str | None, incident: str) -> bool:
        summary = views.incident_summary(self.engine, incident)
        return authority.to_see(self.person(who), summary, self.rights)

    def person(self, who: str | None, *, ask_team: bool = False) -> authority.Person:
        """`who` as the policy knows people; the team is asked only when it could count."""
        if who is None:
            return authority.Person(None)
        who = who.lower()
        return authority.Person(
            email=who,
            listed=who in self.allowed,
            directory_roles=frozenset(p.role for p in self.contacts if p.email.lower() == who),
            team_member=ask_team and self.rights.team_counts and self.team.is_member(who),
        )

    def _target(
        self, command: c.Command, who: str, incident: str | None
    ) -> tuple[c.Command, authority.IncidentSummary | None] | None:
        """The command as it will run (a held draft's own) and the incident the service will
        act on, as it chooses it (None: it will find none); None when there is no draft to send."""
        if isinstance(command, c.SendDraft):
            draft = views.draft(self.engine, who)
            if draft is None:
                return None
            try:
                command = c.parse(draft.command, priority_names=self.priority_names)
            except c.ParseError:
                return None
            incident = draft.incident
        if isinstance(command, c.Open):
            return command, None
        try:
            return command, views.chosen_incident(
                self.engine, lambda incidents: choose_incident(incidents, command, incident)
            )
        except Refused:
            return command, None
