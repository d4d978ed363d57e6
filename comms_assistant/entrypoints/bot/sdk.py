"""The Microsoft 365 Agents SDK side of the bot: turns in, replies and proactive messages out.

Departures from the SDK's defaults, each for a trap measured in PLATFORM-FACTS: turns run after
the 202 on their own loop (queue.py), not inside the request; `on_turn_error` sends a plain
sentence, not exception text; the MSAL provider is wrapped (auth.py); every outbound call is
bounded; messages the bot starts itself go through outbound.py. Stored turns: jobs.py. Card
button presses (invokes answered in the HTTP response): invoke.py and actions.py.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from functools import partial
from typing import TYPE_CHECKING, Any

from aiohttp import web

from comms_assistant.adapters.sql import conversations, turn_journal
from comms_assistant.config import Settings
from comms_assistant.entrypoints.bot import actions, auth, inbox, invoke, message_turn, takeover
from comms_assistant.entrypoints.bot.delivery import DeliveryThread
from comms_assistant.entrypoints.bot.instance import Instance
from comms_assistant.entrypoints.bot.jobs import CURRENT_TURN, CURRENT_WAITER, Job
from comms_assistant.entrypoints.bot.outbound import ANONYMOUS, replace_message, send_text
from comms_assistant.entrypoints.bot.policy import People, command_text
from comms_assistant.entrypoints.bot.queue import LoopThread, QueueFull, TurnQueue
from comms_assistant.entrypoints.bot.senders import Senders
from comms_assistant.entrypoints.bot.turns import SORRY, Background, Turns

if TYPE_CHECKING:
    from microsoft_agents.hosting.core import TurnContext

log = logging.getLogger("comms_assistant.bot")

UNSURE_OPENING = "Sorry, something went wrong on my side before I could answer"
UNSURE = f"{UNSURE_OPENING}. Ask 'status' to see whether it was done."
QUOTED = 60  # characters of a command quoted back: enough to know which one it was


def unsure_about(activity: Any) -> str:
    """UNSURE naming the command: in a thread of several commands, which one is in doubt."""
    mentions = message_turn.bot_mentions_of(activity)
    command = command_text(getattr(activity, "text", None), mentions)
    if not command:
        return UNSURE
    if len(command) > QUOTED:
        command = command[: QUOTED - 1].rstrip() + "…"
    return f"{UNSURE_OPENING} \u201c{command}\u201d. Ask 'status' to see whether it was done."


class _SdkValidationLog(logging.Filter):
    """The SDK logs every activity that fails validation at error level with a traceback, and
    anyone can send one: `messages` logs one line of its own instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Validation error for Activity")


_QUIET_VALIDATION = _SdkValidationLog()


class AgentHost:
    def __init__(
        self,
        settings: Settings,
        turns: Turns,
        people: People,
        *,
        provider_factory: auth.ProviderFactory | None = None,
    ) -> None:
        from microsoft_agents.hosting.aiohttp import CloudAdapter
        from microsoft_agents.hosting.core import AgentApplication, MemoryStorage, TurnState

        logging.getLogger("microsoft_agents.activity.activity").addFilter(_QUIET_VALIDATION)
        self.settings = settings
        self.turns = turns
        self.people = people
        self.background: Background | None = None  # these two are set once serving
        self.delivery: DeliveryThread | None = None
        # Acknowledged turns, kept until run: in the store's database on PostgreSQL, in a SQLite
        # file of their own beside state.db otherwise (adapters/sql/turn_journal.py says why).
        self.journal = turn_journal.open_journal(settings.home, turns.engine)
        # This process among the bot's instances: the owner of the turns it accepts.
        self.instance = Instance(self.journal, turns.clock)
        self.acceptor = turn_journal.Acceptor(self.journal, owner=self.instance.id)
        self.timeout = settings.bot_outbound_timeout
        self.senders = Senders(turns.engine, people, timeout=self.timeout, clock=turns.clock)
        self.invokes = invoke.InvokeDesk(self)
        self.connections = auth.connection_manager(settings, provider_factory)
        self.authenticator = auth.Authenticator(
            self.connections.get_default_connection_configuration(),
            anonymous=settings.bot_anonymous,
        )
        self.service_urls = auth.ServiceUrls(settings)
        self.adapter = CloudAdapter(connection_manager=self.connections)
        self.adapter.on_turn_error = self._on_turn_error
        self.agent = AgentApplication[TurnState](
            storage=MemoryStorage(),
            connection_manager=self.connections,
            start_typing_timer=False,  # one reply per command; typing would double the calls
        )
        self.agent.activity("message")(
            lambda context, _state: message_turn.on_message(self, context)
        )
        self.agent.conversation_update("membersAdded")(
            lambda context, _state: message_turn.on_members_added(self, context)
        )
        self.agent.adaptive_card.action_execute(re.compile(""))(
            lambda context, _state, _data: invoke.on_press(self, context)
        )
        self.agent.error(self._on_turn_error)
        self.turn_loop = LoopThread("bot-turns")
        self.tasks: set[asyncio.Task[None]] = set()  # deliveries started by turns
        self.queue: TurnQueue[Job] = TurnQueue(
            self._turn,
            self._crashed,
            concurrency=settings.bot_turns_at_once,
            capacity=settings.bot_turns_waiting,
            # One conversation's turns in order across instances (instance.py).
            ready=self.instance.ready,
            order=lambda job: job.turn_id or 0,
        )

    @property
    def owner(self) -> str:
        return self.instance.id

    async def messages(self, request: web.Request) -> web.StreamResponse:
        """Authenticate, queue the turn, answer 202: the reply is a separate POST anyway."""
        arrived = await inbox.read(request, self.authenticator, self.service_urls)
        if isinstance(arrived, web.StreamResponse):
            return arrived  # refused
        identity, activity, body = arrived
        if invoke.is_press(activity):
            return await self.invokes.accept(identity, activity, body)  # answered in the body
        if activity.type == "invoke" or activity.delivery_mode == "expectReplies":
            return await self._answer_in_response(identity, activity)  # answered in the body
        activity.request_id = uuid.uuid4().hex
        try:
            self.queue.reserve()
        except QueueFull:
            log.error("%d turns are waiting: refusing more until they are done", self.queue.waiting)
            return web.json_response({"error": "The bot is busy: try again shortly."}, status=503)
        try:
            # Stored before the 202: a turn acknowledged is run even if this process dies.
            turn_id = await self.acceptor.accept(
                activity.conversation.id,
                activity.id or activity.request_id,  # no id (not Teams): nothing to match
                body,
                {"claims": identity.claims, "type": identity.authentication_type},
                now=self.turns.clock(),
            )
        except Exception:
            self.queue.release()
            log.exception("could not store an incoming activity")
            return web.json_response({"error": "The bot cannot answer just now."}, status=503)
        if turn_id is None:
            self.queue.release()
            log.info("activity %s was sent again: it runs once", activity.id)
            return web.Response(status=202)
        self.turn_loop.call(
            self.queue.submit, activity.conversation.id, Job(identity, activity, turn_id)
        )
        return web.Response(status=202)

    async def replay(self) -> None:
        """At start: join the bot's instances, taking over the turns acknowledged and never run
        by instances that stopped (this process's previous run among them), then keep doing so
        for as long as this one runs."""
        await self.instance.join(partial(takeover.run_taken, self))

    async def crashed(self, job: Job, error: BaseException) -> None:
        await self._crashed(job, error)

    async def _finish(self, job: Job) -> None:
        if job.turn_id is not None:
            await self.instance.finish(job.turn_id)

    async def _answer_in_response(self, identity: Any, activity: Any) -> web.StreamResponse:
        activity.request_id = uuid.uuid4().hex
        try:
            # The turn's own calls are bounded; this bounds the turn as a whole.
            answer = await asyncio.wait_for(
                self.adapter.process_activity(identity, activity, self.agent.on_turn),
                self.timeout * 3,
            )
        except auth.TokenUnavailable:
            return web.json_response({"error": "The bot cannot answer just now."}, status=503)
        except TimeoutError:
            log.error("a turn took over %.0f s and was abandoned", self.timeout * 3)
            return web.json_response({"error": "The bot cannot answer just now."}, status=503)
        if answer is None:
            return web.Response(status=501)  # as the SDK answers an invoke nobody handled
        return web.json_response(answer.body, status=answer.status or 501)

    async def _turn(self, job: Job) -> None:
        token, waiting = CURRENT_TURN.set(job.turn_id), CURRENT_WAITER.set(job.waiter)
        try:
            await asyncio.wait_for(
                self.adapter.process_activity(job.identity, job.activity, self.agent.on_turn),
                self.timeout * 3,
            )
        except auth.TokenUnavailable:
            # Without a token nothing can be sent, not even an apology: the log says it.
            log.error("no token to answer in %s: the command was not answered", job.lane)
            if job.waiter is not None:  # a press is answered in the HTTP response: it can be
                job.waiter.answer(actions.message_response(UNSURE))
        except asyncio.CancelledError:
            if job.waiter is not None:  # stopped mid-press: whether it was done is unknown
                job.waiter.answer(actions.message_response(UNSURE))
            raise
        else:
            if job.waiter is not None:  # a press nothing answered (its handler failed)
                job.waiter.answer(actions.message_response(SORRY))
        finally:
            CURRENT_TURN.reset(token)
            CURRENT_WAITER.reset(waiting)
            task = asyncio.current_task()
            # Cancelled by a stop: left unfinished, so the next start runs it (or, if it had
            # begun, asks its sender to check). Failed or done: it ran, and is never run again.
            if task is None or not task.cancelling():
                await self._finish(job)

    async def _crashed(self, job: Job, error: BaseException) -> None:
        """A turn failed outside the SDK's error handler (timeout, a bug around it)."""
        if job.waiter is not None and job.waiter.answer(actions.message_response(UNSURE)):
            return  # the presser still waits: the answer to the press says it
        reference = job.activity.get_conversation_reference().model_dump(
            mode="json", by_alias=True, exclude_none=True
        )
        anonymous = job.identity.allow_anonymous
        stored = {"reference": reference, ANONYMOUS: anonymous}
        await send_text(self, stored, unsure_about(job.activity), reply_to=job.activity.id)

    async def post(self, conversation: str, text: str) -> None:
        """A new message in a stored conversation (the delivery outcome, nudges)."""
        stored = await asyncio.to_thread(conversations.reference, self.turns.engine, conversation)
        if not stored or "reference" not in stored:
            log.info("no stored reference for %s: outcome not posted", conversation)
            return
        await send_text(self, stored, text)

    async def amend(self, conversation: str, activity_id: str, activity: dict[str, Any]) -> None:
        """Replace the bot's own message in a stored conversation (an answer, with what its
        deliveries did added)."""
        stored = await asyncio.to_thread(conversations.reference, self.turns.engine, conversation)
        if not stored or "reference" not in stored:
            raise LookupError(f"no stored reference for {conversation}")
        await replace_message(self, stored, activity_id, activity)

    async def close(self) -> None:
        """Stop the turns (and the deliveries they started) and their loop."""

        async def stop() -> None:
            await self.queue.close()
            tasks = list(self.tasks)
            for task in tasks:
                task.cancel()  # a delivery cut short is leased, not lost: 'deliver' finishes it
            await asyncio.gather(*tasks, return_exceptions=True)

        await self.instance.stop_beating()
        await self.turn_loop.run(stop)
        await asyncio.to_thread(self.turn_loop.stop)
        await self.instance.leave()

    async def _on_turn_error(self, context: TurnContext, error: Exception) -> None:
        # Logged in full; the person only hears a plain sentence, never the exception's text.
        log.error("turn failed", exc_info=(type(error), error, error.__traceback__))
        if isinstance(error, auth.TokenUnavailable):
            raise error  # no token: nothing can be sent; the endpoint answers 503
        waiter = CURRENT_WAITER.get()
        if waiter is not None and waiter.answer(actions.message_response(SORRY)):
            return  # a button press: the answer to the press says it
        try:
            from microsoft_agents.hosting.core import MessageFactory

            await asyncio.wait_for(context.send_activity(MessageFactory.text(SORRY)), self.timeout)
        except Exception as send_error:
            log.warning("could not tell the user about it: %s", type(send_error).__name__)
