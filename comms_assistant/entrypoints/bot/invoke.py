"""Card button presses (Universal Actions): an `invoke` activity named `adaptiveCard/action`,
answered in the HTTP response itself.

A message is acknowledged (202) and answered by a separate POST; an invoke must carry its answer
(the card that replaces the pressed one, or a message) in the HTTP response, and Teams waits
about five seconds for it. So a press is authenticated as every activity is (sdk.messages),
stored in the turn journal as a message is (the same activity sent again runs once), and queued
in its conversation's lane behind what was sent there before it, on the turns' own loop (the
serving loop only waits); the request then waits, at most `deadline`, for the turn's answer. A
turn still running at the deadline is answered "still working" and, once done, posts its answer
into the conversation instead.

A change made by a press is stored (state.db) before the press is answered, as a typed command's
is before its reply. A press the journal holds but never began when the bot stopped is not run at
the next start (its presser saw it fail, and may press again: running it later too could do it
twice); one begun and cut short asks its presser to check, as a message's would.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Protocol

from aiohttp import web

from comms_assistant.adapters import card_actions
from comms_assistant.adapters.sql import turn_journal
from comms_assistant.entrypoints.bot import actions
from comms_assistant.entrypoints.bot.actions import message_response
from comms_assistant.entrypoints.bot.channels import ChannelHost, channel_line
from comms_assistant.entrypoints.bot.jobs import CURRENT_TURN, CURRENT_WAITER, Job
from comms_assistant.entrypoints.bot.outbound import ProactiveHost, send_text
from comms_assistant.entrypoints.bot.queue import QueueFull

if TYPE_CHECKING:
    from microsoft_agents.hosting.core import TurnContext
    from sqlalchemy.engine import Engine

    from comms_assistant.entrypoints.bot.queue import LoopThread, TurnQueue
    from comms_assistant.entrypoints.bot.senders import Senders
    from comms_assistant.entrypoints.bot.turns import Background

log = logging.getLogger("comms_assistant.bot")


class PressHost(ChannelHost, ProactiveHost, Protocol):
    """What a press needs of the bot's host (sdk.AgentHost), named here so that this module does
    not import the host that imports it."""

    @property
    def queue(self) -> TurnQueue[Job]: ...

    @property
    def acceptor(self) -> turn_journal.Acceptor: ...

    @property
    def journal(self) -> Engine: ...

    @property
    def owner(self) -> str: ...  # this bot instance's id: it claims only its own turns

    @property
    def turn_loop(self) -> LoopThread: ...

    @property
    def senders(self) -> Senders: ...

    @property
    def background(self) -> Background | None: ...


ACTION = "adaptiveCard/action"
DEADLINE = 4.0  # Teams gives up on an invoke after about 5 s
KEPT = 256  # answers kept for an invoke Teams sends again

NOT_A_BUTTON = "That is not a button I know: send the command instead ('help' lists them)."
STILL_WORKING = "Still working on it: the answer will follow in this conversation."
BUSY = "I am busy just now: press the button again shortly."
NOT_NOW = "I cannot answer just now: press the button again shortly."
ALREADY = "That press was received already: ask 'status' to see what it did."

_WAITING, _ANSWERED, _ABANDONED = "waiting", "answered", "abandoned"


def is_press(activity: Any) -> bool:
    return activity.type == "invoke" and activity.name == ACTION


def press_of(value: Any) -> tuple[str, dict[str, Any]] | None:
    """(verb, data) of an Action.Execute press, or None for anything else."""
    action = value.get("action") if isinstance(value, dict) else None
    if not isinstance(action, dict) or action.get("type") != "Action.Execute":
        return None
    verb, data = action.get("verb"), action.get("data", {})
    if verb not in card_actions.VERBS or not isinstance(data, dict):
        return None
    return verb, data


class Waiter:
    """The HTTP request of a press, waiting (on the serving loop) for its turn's answer (made on
    the turns' loop). Whichever comes first wins: the answer, or the request giving up."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self.future: asyncio.Future[dict[str, Any]] = loop.create_future()
        self._lock = threading.Lock()
        self._state = _WAITING

    @property
    def settled(self) -> bool:
        return self._state != _WAITING

    def answer(self, body: dict[str, Any]) -> bool:
        """Give the request its answer (from any thread); False when it no longer waits."""
        with self._lock:
            if self._state != _WAITING:
                return False
            self._state = _ANSWERED
        self._loop.call_soon_threadsafe(_settle, self.future, body)
        return True

    def abandon(self) -> bool:
        """The request stops waiting; False when the answer came first (it is on its way)."""
        with self._lock:
            if self._state == _ANSWERED:
                return False
            self._state = _ABANDONED
            return True


def _settle(future: asyncio.Future[dict[str, Any]], body: dict[str, Any]) -> None:
    if not future.done():
        future.set_result(body)


class InvokeDesk:
    """Takes presses in on the serving loop and waits for their answers."""

    def __init__(self, host: PressHost, *, deadline: float | None = None) -> None:
        self.host = host
        self.deadline = DEADLINE if deadline is None else deadline
        self._waiting: dict[tuple[str, str], Waiter] = {}
        self._answered: OrderedDict[tuple[str, str], dict[str, Any]] = OrderedDict()

    async def accept(self, identity: Any, activity: Any, body: dict[str, Any]) -> web.Response:
        host = self.host
        if press_of(activity.value) is None:
            log.warning("refused an invoke that is not a press of one of our buttons")
            return _answer(message_response(NOT_A_BUTTON))
        conversation = activity.conversation.id
        activity.request_id = uuid.uuid4().hex
        key = (conversation, activity.id or activity.request_id)
        if (waiter := self._waiting.get(key)) is not None:
            return await self._wait(waiter)  # sent again while the first is still running
        if key in self._answered:
            return _answer(self._answered[key])
        try:
            host.queue.reserve()
        except QueueFull:
            log.error("%d turns are waiting: a button press is refused", host.queue.waiting)
            return _answer(message_response(BUSY))
        try:
            turn_id = await host.acceptor.accept(
                conversation,
                key[1],
                body,
                {"claims": identity.claims, "type": identity.authentication_type},
                now=host.turns.clock(),
            )
        except Exception:
            host.queue.release()
            log.exception("could not store a button press")
            return _answer(message_response(NOT_NOW))
        if turn_id is None:
            host.queue.release()
            log.info("invoke %s was sent again after it ran: not run twice", activity.id)
            return _answer(message_response(ALREADY))
        waiter = Waiter(asyncio.get_running_loop())
        self._waiting[key] = waiter
        host.turn_loop.call(
            host.queue.submit, conversation, Job(identity, activity, turn_id, waiter)
        )
        try:
            return await self._wait(waiter, key)
        finally:
            self._waiting.pop(key, None)

    async def _wait(self, waiter: Waiter, key: tuple[str, str] | None = None) -> web.Response:
        try:
            body = await asyncio.wait_for(asyncio.shield(waiter.future), self.deadline)
        except TimeoutError:
            if waiter.abandon():
                log.warning("a button press took over %.0f s: answered later", self.deadline)
                return _answer(message_response(STILL_WORKING))
            body = await waiter.future  # it came as the wait ended: already on its way here
        if key is not None:
            self._answered[key] = body
            while len(self._answered) > KEPT:
                self._answered.popitem(last=False)
        return _answer(body)


async def on_press(host: PressHost, context: TurnContext) -> Any:
    """The turn of a press (on the turns' loop): what the button stands for, run as the presser;
    the answer goes to the waiting request or, if it gave up, into the conversation."""
    from microsoft_agents.activity import AdaptiveCardInvokeResponse

    activity = context.activity
    conversation = activity.conversation.id
    verb, data = press_of(activity.value) or ("", {})
    who = await host.senders.who(context)
    stored = await host.senders.remember(context, who)
    turn_id = CURRENT_TURN.get()

    def run_once() -> actions.Pressed | None:
        # Claimed in the journal just before it runs, as a message is: never run twice.
        if turn_id is not None and not turn_journal.start(host.journal, turn_id, owner=host.owner):
            return None
        return actions.press(host.turns, verb, data, who=who, conversation=conversation)

    pressed = await asyncio.to_thread(run_once)
    if pressed is None:
        log.warning("press %s had already begun: not run again", turn_id)
        pressed = actions.said(ALREADY)
    answer = pressed.answer
    line = await channel_line(host, context, answer, stored)
    if line is not None:
        pressed = actions.with_line(pressed, line)
    waiter = CURRENT_WAITER.get()
    if waiter is not None and not waiter.answer(pressed.body):
        await asyncio.wait_for(send_text(host, stored, pressed.text), host.timeout)
    if answer is not None and host.background is not None:
        # The pressed card changes to show it: only a failure is said in a message.
        host.background.start(answer.reply.deliveries, conversation, quiet=True)
    body = pressed.body
    return AdaptiveCardInvokeResponse(
        status_code=body["statusCode"], type=body["type"], value=body["value"]
    )


def _answer(body: dict[str, Any]) -> web.Response:
    """The invoke response: HTTP 200 with the Universal Action response in the body."""
    return web.json_response(body, status=200)
