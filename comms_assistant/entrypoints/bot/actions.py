"""A press of a card button (a Universal Action) as the command it stands for, and the answer
Teams shows for it.

Every verb (adapters/card_actions.py) ends in one of: a form (nothing changes), or the text of
a command run by `Turns.answer` exactly as if it had been typed by the presser, in the
conversation the card is in: the same gate, refusals, checks and replies. The answer replaces
the card for the presser (the invoke response), or is a message beside it:

- a command that worked: its reply and, where it is about an incident, the incident as it now
  is, with its buttons; a message held back for its wording: the held-back card;
- a command refused or failed: its reply as a message (the card stays as it was);
- a form with something wrong: the form again, the problem next to its field, values kept.

Synchronous (SQLite): the bot runs it on a worker thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from comms_assistant.adapters import card_actions as actions
from comms_assistant.adapters.card_rules import validate_card
from comms_assistant.adapters.sql import views
from comms_assistant.domain import commands as c
from comms_assistant.entrypoints.bot import cards, fields, forms
from comms_assistant.entrypoints.bot.turns import Answer, Turns

log = logging.getLogger(__name__)

CARD = "application/vnd.microsoft.card.adaptive"
MESSAGE = "application/vnd.microsoft.activity.message"

NOT_OURS = "That button is not one I know: send the command instead ('help' lists them)."
NOT_YOURS = "This message is waiting for {author}: only they can send or edit it."
GONE = (
    "That message has been sent or replaced since, so nothing was sent. "
    "'send anyway' sends your newest one."
)


@dataclass(frozen=True)
class Pressed:
    body: dict[str, Any]  # the invoke response's body (Teams' "adaptiveCard/action" response)
    text: str  # the same in words: posted instead when the presser no longer waits for it
    answer: Answer | None = None  # the command that ran, if one did: its deliveries follow


def card_response(card: dict[str, Any]) -> dict[str, Any]:
    return {"statusCode": 200, "type": CARD, "value": card}


def message_response(text: str) -> dict[str, Any]:
    return {"statusCode": 200, "type": MESSAGE, "value": text}


def said(text: str, answer: Answer | None = None) -> Pressed:
    return Pressed(message_response(text), text, answer)


def shown(card: dict[str, Any], text: str, answer: Answer | None = None) -> Pressed:
    return Pressed(card_response(card), text, answer)


@dataclass(frozen=True)
class _Press:
    """One button press, as each verb's handler reads it."""

    turns: Turns
    data: Mapping[str, Any]
    who: str | None
    conversation: str
    incident: str | None

    def run(self, text: str, incident: str | None) -> Pressed:
        return _run(
            self.turns, text, who=self.who, conversation=self.conversation, incident=incident
        )


def press(
    turns: Turns, verb: str, data: Mapping[str, Any], *, who: str | None, conversation: str
) -> Pressed:
    """Do what the button `verb` with `data` stands for, as `who`."""
    handler = _VERBS.get(verb)
    if handler is None:
        return said(NOT_OURS)
    return handler(_Press(turns, data, who, conversation, _text(data.get("incident")) or None))


def _form_open(p: _Press) -> Pressed:
    return shown(p.turns.open_form(), forms.OPEN_HEADING)


def _form_update(p: _Press) -> Pressed:
    refusal = p.turns.gate.refusal("update form", p.who, p.incident)
    if refusal is not None:
        return said(refusal)
    return shown(forms.update_form(p.incident), forms.UPDATE_HEADING)


def _form_edit(p: _Press) -> Pressed:
    draft = _draft(p.turns, p.data, p.who)
    return said(draft) if isinstance(draft, str) else _edit_form(p.turns, draft)


def _send_draft(p: _Press) -> Pressed:
    how = p.data.get("how")
    if how not in ("anyway", "suggested", "confirmed"):
        return said(NOT_OURS)
    draft = _draft(p.turns, p.data, p.who)
    return said(draft) if isinstance(draft, str) else p.run(f"send {how}", None)


def _command(p: _Press) -> Pressed:
    submitted = cards.submitted_command({"command": "", **p.data})
    if submitted is None or not submitted[0]:
        return said(NOT_OURS)
    text, incident = submitted
    return p.run(text, incident)


def _open(p: _Press) -> Pressed:
    policy = p.turns.service.planner.policy
    filled = fields.open_command(p.data, policy.priority_names(), p.turns.service_names)
    return _form(p.turns, filled, p.turns.open_form, p.who, p.conversation, None)


def _update(p: _Press) -> Pressed:
    def form(
        values: Mapping[str, str] | None = None, errors: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        return forms.update_form(p.incident, values, errors)

    filled = fields.update_command(p.data)
    return _form(p.turns, filled, form, p.who, p.conversation, p.incident)


_VERBS: dict[str, Callable[[_Press], Pressed]] = {
    actions.FORM_OPEN: _form_open,
    actions.FORM_UPDATE: _form_update,
    actions.FORM_EDIT: _form_edit,
    actions.DRAFT: _send_draft,
    actions.COMMAND: _command,
    actions.OPEN: _open,
    actions.UPDATE: _update,
}


def _form(
    turns: Turns,
    filled: fields.Filled,
    form: Callable[..., dict[str, Any]],
    who: str | None,
    conversation: str,
    incident: str | None,
) -> Pressed:
    if filled.text is None:
        first = next(iter(filled.errors.values()), "")
        return shown(form(filled.values, filled.errors), first)
    answer = turns.answer(
        filled.text, who=who, conversation=conversation, incident=incident, forms=True
    )
    if not answer.reply.ok:
        # Refused, or a check the form cannot make (no such incident): the form again, with why.
        return shown(form(filled.values, {"": answer.reply.text}), answer.reply.text, answer)
    return _done(turns, answer, who)


def _run(
    turns: Turns, text: str, *, who: str | None, conversation: str, incident: str | None
) -> Pressed:
    answer = turns.answer(text, who=who, conversation=conversation, incident=incident, forms=True)
    if not answer.reply.ok:
        return said(answer.reply.text, answer)
    return _done(turns, answer, who)


def _done(turns: Turns, answer: Answer, who: str | None) -> Pressed:
    """A command that worked (or was held back): its reply, and the incident as it now is."""
    reply = answer.reply
    if reply.held:
        return shown(answer.card, reply.text, answer) if answer.card else said(reply.text, answer)
    card = answer.card
    shows = not answer.card_here  # else its own card is posted in this channel: not twice
    if card is None and shows and reply.reference and turns.gate.may_see(who, reply.reference):
        card = cards.incident_card(
            turns.engine, turns.renderer, reply.reference, policy=turns.service.planner.policy
        )
    body = cards.text_blocks(reply.text)
    result = cards.card_of(body + (card or {}).get("body", []), (card or {}).get("actions", []))
    problems = validate_card(result)
    if problems:
        log.error("the answer card breaks Teams rules: %s", "; ".join(problems))
        return said(reply.text, answer)
    return shown(result, reply.text, answer)


def _draft(turns: Turns, data: Mapping[str, Any], who: str | None) -> views.DraftView | str:
    """The presser's held-back message the button is for, or why there is none."""
    if who is None:
        return turns.gate.refusal("send anyway", None, None) or NOT_OURS
    author = _text(data.get("author")).lower()
    if author != who.lower():
        return NOT_YOURS.format(author=author or "its author")
    draft = turns.draft_of(who)
    if draft is None or actions.fingerprint(draft.command) != data.get("draft"):
        return GONE
    return draft


def _edit_form(turns: Turns, draft: views.DraftView) -> Pressed:
    names = turns.service.planner.policy.priority_names()
    try:
        command = c.parse(draft.command, priority_names=names)
    except c.ParseError:
        command = None
    values = forms.values_of(command) if command is not None else {}
    if isinstance(command, c.Open):
        return shown(turns.open_form(values), forms.OPEN_HEADING)
    if isinstance(command, c.Update):
        return shown(forms.update_form(draft.incident, values), forms.UPDATE_HEADING)
    return shown(forms.text_form(draft.command, draft.incident), forms.EDIT_HEADING)


def with_line(pressed: Pressed, line: str) -> Pressed:
    """`pressed` with a line more (where the incident's new channel is)."""
    text = f"{pressed.text}\n\n{line}"
    body = pressed.body
    if body.get("type") == CARD:
        card = dict(body["value"])
        extra = cards.text_blocks(line)
        card["body"] = [*card.get("body", [])[:1], *extra, *card.get("body", [])[1:]]
        return Pressed(card_response(card), text, pressed.answer)
    return Pressed(message_response(text), text, pressed.answer)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
