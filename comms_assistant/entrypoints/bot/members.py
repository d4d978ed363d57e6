"""Is the sender a member of the team the bot serves (the incidents channel's team)?

Members of that team may open an ordinary incident and take a role on one (policy.Gate).
The Bot Connector answers it: `GET v3/conversations/{channel}/members/{userId}` gives the member
(a channel's members are its team's), and 404 when they are not one. Asked once per sender and
kept briefly (a yes for 5 minutes, a no for 1), so a busy incident asks rarely and someone just
added to the team is not kept waiting long; a look-up that fails (timeout, 5xx) is not kept, and
counts as "not a member" for that turn only.

The look-up runs before each turn (an AgentApplication before-turn hook, so a typed command and
a card button press alike), only for a sender whose other rights do not already decide it, and
the Gate, which runs on a worker thread, reads the answer it left.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import aiohttp

from comms_assistant.entrypoints.bot.outbound import connector_of

if TYPE_CHECKING:
    from microsoft_agents.hosting.core import TurnContext

log = logging.getLogger(__name__)

YES_FOR = 300.0  # seconds a "member" answer is kept
NO_FOR = 60.0  # seconds a "not a member" answer is kept
MOST = 10_000  # answers kept at once; the oldest go first past this

Ask = Callable[[], Awaitable[Any]]  # the member look-up: a member, or raises (404: not one)


class TeamMembers:
    """Who is in the team, as the Bot Connector last said, by email (lower case)."""

    def __init__(
        self,
        roster: str,
        *,
        timeout: float,
        clock: Callable[[], float] = time.monotonic,
        yes_for: float = YES_FOR,
        no_for: float = NO_FOR,
    ) -> None:
        self.roster = roster  # a conversation whose members are the team's: the incidents channel
        self.timeout = timeout
        self.clock = clock
        self.yes_for, self.no_for = yes_for, no_for
        self._known: dict[str, tuple[bool, float]] = {}  # email -> (member?, until)
        self._lock = threading.Lock()  # turns and button presses run on different threads

    def is_member(self, who: str | None) -> bool:
        """What the last look-up said about `who`, while it is fresh (False when none is)."""
        if not who:
            return False
        with self._lock:
            member, until = self._known.get(who.lower(), (False, 0.0))
        return member and self.clock() < until

    async def look_up(self, who: str, ask: Ask) -> bool:
        """Ask the Bot Connector unless a fresh answer is kept; keep what it says."""
        key = who.lower()
        with self._lock:
            kept = self._known.get(key)
        if kept is not None and self.clock() < kept[1]:
            return kept[0]
        try:
            await asyncio.wait_for(ask(), self.timeout)
            member = True
        except aiohttp.ClientResponseError as error:
            if error.status not in (403, 404):
                log.warning("could not tell whether %s is in the team: HTTP %s", key, error.status)
                return False
            member = False  # 404 MemberNotFoundInConversation (403: not allowed to see it)
        except (TimeoutError, aiohttp.ClientError) as error:
            log.warning("could not tell whether %s is in the team: %s", key, type(error).__name__)
            return False
        self._keep(key, member)
        return member

    def _keep(self, key: str, member: bool) -> None:
        until = self.clock() + (self.yes_for if member else self.no_for)
        with self._lock:
            if len(self._known) >= MOST and key not in self._known:
                now = self.clock()
                self._known = {k: v for k, v in self._known.items() if v[1] > now}
                while len(self._known) >= MOST:
                    self._known.pop(next(iter(self._known)))
            self._known[key] = (member, until)

    def before_turn(
        self, who_is: Callable[[TurnContext], Awaitable[str | None]], wanted: Callable[[str], bool]
    ) -> Callable[[TurnContext, Any], Awaitable[bool]]:
        """The hook for AgentApplication.before_turn. `who_is`: the sender's email, as the turn
        will find it (Senders.who); `wanted`: whether the answer could matter for them
        (Gate.asks_team), so nobody else is asked about."""

        async def hook(context: TurnContext, _state: Any) -> bool:
            activity = context.activity
            sender = activity.from_property
            if activity.type not in ("message", "invoke") or sender is None or not sender.id:
                return True
            try:
                who = await who_is(context)
                if who and wanted(who):
                    await self.look_up(who, self._ask(context, sender.id))
            except Exception as error:  # never stops the turn: the Gate refuses, and says why
                log.warning("team membership look-up failed: %s", type(error).__name__)
            return True  # the turn goes on

        return hook

    def _ask(self, context: TurnContext, user_id: str) -> Ask:
        connector = connector_of(context)
        getter = getattr(connector, "get_conversation_member", None)
        data = context.activity.channel_data
        team = data.get("team") if isinstance(data, dict) else None
        roster = self.roster or (team.get("id") if isinstance(team, dict) else None)

        async def ask() -> Any:
            if getter is None or not roster:
                raise aiohttp.ClientError("no team to look the sender up in")
            return await getter(roster, user_id)

        return ask
