"""One Teams message: who sent it, may they, run it, answer at once, deliver afterwards.

The answer goes back within the turn (a few milliseconds of SQLite work on a worker thread);
the report, mail and cards are delivered by a background task that then adds what happened to
that same answer (one message per command, issue 17), or posts a new message when something
could not be delivered, so that it is seen. Teams wants an answer in ~10-15 s (outgoing
webhooks: 5 s), and a Word report or a mail to many people can take longer than that.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from comms_assistant.adapters.metrics.counters import timed_turn
from comms_assistant.adapters.render import Renderer
from comms_assistant.adapters.sql import conversations, views
from comms_assistant.domain import commands as c
from comms_assistant.domain.authority import SECURITY_REFUSAL
from comms_assistant.entrypoints.bot import cards, forms
from comms_assistant.entrypoints.bot.outcome import outcome, with_outcome
from comms_assistant.entrypoints.bot.policy import MAX_COMMAND, Gate
from comms_assistant.service.delivery_kinds import DeliveryKind
from comms_assistant.service.handle import CommandService, Reply
from comms_assistant.service.messaging import INCIDENTS_CHANNEL

log = logging.getLogger(__name__)

SORRY = "Sorry, something went wrong on my side and nothing was changed. Please try again."
TOO_LONG = f"That message is too long for a command (over {MAX_COMMAND} characters)."
FORM = "Fill in the form to declare an incident (or type it: 'help' shows how)."

Deliver = Callable[[set[int]], Awaitable[None]]
Post = Callable[[str, str], Awaitable[None]]  # (conversation id, text)
# (conversation id, activity id, the whole new activity): replaces the bot's own message
Amend = Callable[[str, str, dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class Sent:
    """The bot's answer as it went, so that the deliveries' outcome can be added to it."""

    activity_id: str
    activity: dict[str, Any]


@dataclass(frozen=True)
class Answer:
    reply: Reply
    card: dict[str, Any] | None = None
    opened: str | None = None  # the title, when this command opened an incident
    card_here: bool = False  # the incident's own card is posted in this conversation's channel


@dataclass
class Turns:
    engine: Engine
    service: CommandService
    gate: Gate
    renderer: Renderer
    clock: Callable[[], datetime]
    service_names: Mapping[str, str] = field(default_factory=dict)  # the service catalogue
    incidents_channel: str = ""  # its id (19:…@thread.tacv2): the incident's card goes there
    # Before each command: the edited files looked at again, and what was built from them
    # rebuilt when they changed (bot/edited_files.py).
    before: Callable[[Turns], None] | None = None

    def answer(
        self,
        text: str,
        *,
        who: str | None,
        conversation: str,
        incident: str | None = None,
        forms: bool = False,
    ) -> Answer:
        """Decide and run one command. Synchronous: the caller puts it on a worker thread.
        `forms`: the answer may be a form (the bot's own turns: Teams sends the form's button
        back to the bot, which an outgoing webhook's answer cannot). Timed for /metrics."""
        with timed_turn() as turn:
            answer = self._answer(
                text, who=who, conversation=conversation, incident=incident, forms=forms
            )
            turn.answered(answer.reply)
            return answer

    def _answer(
        self, text: str, *, who: str | None, conversation: str, incident: str | None, forms: bool
    ) -> Answer:
        if len(text) > MAX_COMMAND:
            return Answer(Reply(TOO_LONG, ok=False))
        if self.before is not None:
            self.before(self)
        if forms and text.strip().lower() == "open":
            return Answer(Reply(FORM), self.open_form())
        bound = self._incident(text, incident, conversation)
        refusal = self.gate.refusal(text, who, bound)
        if refusal is not None:
            log.warning("refused %r from %s: %s", _verb(text), who or "(unknown)", refusal)
            return Answer(Reply(refusal, ok=False))
        reply = self.service.execute(text, who=who, incident=bound, conversation=conversation)
        command = _parsed(text)
        if reply.ok and reply.reference:
            refused = self._after(command, reply.reference, who)
            if refused is not None:
                return refused
        return self._shown(command, reply, who, conversation, forms=forms)

    def _incident(self, text: str, incident: str | None, conversation: str) -> str | None:
        """The incident the command is for: the form's, else the one named, else the thread's."""
        # A reference before the command ('INC-2026-0002 log ...') beats the thread's incident.
        named = c.named_incident(text)
        return incident or named or conversations.bound_incident(self.engine, conversation)

    def _after(self, command: c.Command | None, reference: str, who: str | None) -> Answer | None:
        """After a command that went: a status the sender may not see is refused (the service
        answered it for the incident, not for this sender). An opened incident was bound to the
        conversation in the command's own transaction."""
        if isinstance(command, c.ShowStatus) and not self.gate.may_see(who, reference):
            log.warning("refused status of %s to %s: security", reference, who)
            return Answer(Reply(SECURITY_REFUSAL, ok=False))
        return None

    def _shown(
        self,
        command: c.Command | None,
        reply: Reply,
        who: str | None,
        conversation: str,
        *,
        forms: bool,
    ) -> Answer:
        opened = command.title if isinstance(command, c.Open) and reply.ok else None
        if forms and reply.held and who is not None:
            return Answer(reply, self._held(reply, who))
        if opened and self._card_goes_here(reply, conversation):
            # Its living card is about to be posted in this channel: the answer is not a second one.
            said = f"{reply.text}\n\nIts card is posted in this channel and kept up to date."
            return Answer(replace(reply, text=said), None, opened, card_here=True)
        return Answer(reply, self._card(command, reply), opened)

    def open_form(
        self, values: Mapping[str, str] | None = None, errors: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        if self.before is not None:
            self.before(self)
        planner = self.service.planner
        page = planner.page.name if planner.page is not None else None
        return forms.open_form(planner.policy, self.service_names, values, errors, public_page=page)

    def draft_of(self, who: str) -> views.DraftView | None:
        """`who`'s message held back for its wording, if one is waiting."""
        return views.draft(self.engine, who)

    def _held(self, reply: Reply, who: str) -> dict[str, Any] | None:
        draft = self.draft_of(who)
        if draft is None:
            return None
        return cards.held_card(
            reply.text, author=who.lower(), draft=draft.command, suggested=bool(draft.suggested)
        )

    def _card_goes_here(self, reply: Reply, conversation: str) -> bool:
        """The incident's own card goes to the incidents channel, and this is that channel."""
        channel = conversation.split(";", 1)[0].lower()
        if not self.incidents_channel or channel != self.incidents_channel.lower():
            return False
        rows = views.deliveries(self.engine, set(reply.deliveries))
        return any(
            r.kind == DeliveryKind.TEAMS_CARD and r.payload.get("where") == INCIDENTS_CHANNEL
            for r in rows
        )

    def _card(self, command: c.Command | None, reply: Reply) -> dict[str, Any] | None:
        if isinstance(command, c.Help):
            return cards.help_card()
        if reply.ok and reply.reference and isinstance(command, c.Open | c.ShowStatus):
            return cards.incident_card(
                self.engine, self.renderer, reply.reference, policy=self.service.planner.policy
            )
        return None


@dataclass
class Background:
    """Deliveries run after the answer. Their outcome is added to the answer when all went
    (`answer`), or said in a new message where the command came from: a failure must be seen,
    and an edit does not notify anyone. `quiet`: nothing is said when all went (a button
    press, whose card shows the change)."""

    rows: Callable[[set[int]], list[views.DeliveryView]]  # the deliveries as they are now
    deliver: Deliver
    post: Post | None
    tasks: set[asyncio.Task[None]]
    amend: Amend | None = None

    def start(
        self,
        ids: tuple[int, ...],
        conversation: str,
        answer: Sent | None = None,
        *,
        quiet: bool = False,
    ) -> None:
        if not ids:
            return
        work = self._run(set(ids), conversation, answer, quiet)
        task = asyncio.get_running_loop().create_task(work)
        self.tasks.add(task)  # the loop keeps only weak references to tasks
        task.add_done_callback(self.tasks.discard)

    async def _run(
        self, ids: set[int], conversation: str, answer: Sent | None, quiet: bool
    ) -> None:
        try:
            await self.deliver(ids)
        except Exception:
            log.exception("deliveries %s stopped", sorted(ids))
        if self.post is None:
            return
        rows = await asyncio.to_thread(self.rows, ids)
        said = outcome(rows)
        if all(r.status == views.DONE for r in rows):
            if quiet:
                return
            if answer is not None and self.amend is not None:
                try:
                    new = with_outcome(answer.activity, said)
                    await self.amend(conversation, answer.activity_id, new)
                    return
                except Exception as error:  # said in a message of its own instead
                    log.warning("could not add the outcome to the answer: %s", _name(error))
        try:
            await self.post(conversation, said)
        except Exception as error:
            log.warning("could not post the delivery outcome: %s", _name(error))


def _name(error: BaseException) -> str:
    return type(error).__name__


def _parsed(text: str) -> c.Command | None:
    try:
        return c.parse(text)
    except c.ParseError:
        return None


def _verb(text: str) -> str:
    return text.split(maxsplit=1)[0][:20] if text.split() else ""
