"""The command language every entry point shares (Teams bot, `comms-assistant run`).

Pure: text in, a command or a ParseError that says what was expected.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping

from comms_assistant.domain import verb_parsers as v
from comms_assistant.domain import work_parsers as work
from comms_assistant.domain.command_types import (
    READ_ONLY,
    AddAction,
    Assign,
    AssignExtra,
    Bridge,
    CancelReviewMeeting,
    ChangeFacts,
    Close,
    Command,
    CompleteAction,
    Help,
    Holding,
    Invite,
    Lessons,
    ListActions,
    ListIncidents,
    Log,
    MonthReport,
    MoveReviewMeeting,
    Notify,
    Open,
    Publish,
    Review,
    SendDraft,
    SetPriority,
    SetStatus,
    ShowStatus,
    Unpublish,
    Update,
)
from comms_assistant.domain.command_words import ParseError, shown, split_reference
from comms_assistant.domain.incident import Priority, Role
from comms_assistant.domain.phrases import FORMS, parse_phrase, reads_like_a_sentence
from comms_assistant.domain.public_words import parse_publish
from comms_assistant.domain.typed_text import plain_text
from comms_assistant.domain.verb_parsers import CONFIRM_WORDS

# The commands themselves live in command_types; they are named here too, as every entry point
# reads them from this module (`c.Open`).
__all__ = [
    "AddAction",
    "Assign",
    "AssignExtra",
    "Bridge",
    "CancelReviewMeeting",
    "ChangeFacts",
    "CompleteAction",
    "CONFIRM_WORDS",
    "Close",
    "Command",
    "Help",
    "HELP_TEXT",
    "Holding",
    "Invite",
    "ListActions",
    "ListIncidents",
    "Log",
    "MonthReport",
    "MoveReviewMeeting",
    "named_incident",
    "Notify",
    "Open",
    "parse",
    "ParseError",
    "plain_text",
    "Publish",
    "READ_ONLY",
    "Lessons",
    "Review",
    "ROLE_WORDS",
    "SendDraft",
    "SetPriority",
    "SetStatus",
    "ShowStatus",
    "Unpublish",
    "Update",
]


ROLE_WORDS: dict[str, Role] = {
    "lead": Role.INCIDENT_LEAD,
    "comms": Role.COMMS_LEAD,
    "tech": Role.TECH_LEAD,
    "support": Role.SUPPORT_LEAD,
    "scribe": Role.SCRIBE,
}

HELP_TEXT = """\
Commands:
  open <title> p1|p2|p3|p4 [impact: <who cannot do what>] [services: a, b]
       [do: <what readers should do>] [security: yes] [lead: <email>|none] [public: yes]
       [started: <when it began, e.g. 09:05>]
       (whoever opens an incident leads it, unless lead: names someone else)
  update <what is happening> [impact: <who is affected now>] [do: <what readers should do>]
       [public: <what the public status page shows>|no]
  impact <text> | services <a, b> | title <text> | do <text>|nothing
       (change what the incident says: the next message and the report show it)
  holding [anything to add]   (a holding update: no change yet)
  priority p1|p2|p3|p4 [reason]
  lead|comms|tech|support|scribe me|<email>
  role <your process's own role> me|<email>
  log <what happened>
  list   (the open incidents: priority, status, lead, age, next update due)
  report [YYYY-MM]   (a month's figures: incidents, minutes to tell people, updates on time)
  status [<reference>]   (one incident at a glance)
  status investigating|identified|monitoring
  notify <service|email|group>   (tell them too, with what has happened so far)
  close <what fixed it> [public: <what the status page shows>]   (books the review meeting)
  review   (files the incident review)
  bridge   (a Teams meeting for the responders; its link)
  action <what needs doing> [owner <email>|me] [due <date>]
  action <number> done | actions   (follow-up actions, also tasks in Planner)
  invite <email>   (to the review meeting, besides the leads)
  review meeting <date and time> | review meeting off
  publish [<what the public may read>] | unpublish   (the public status page)
  lessons   (copy the review's recommendations into the Major Incident report again)
  send anyway | send suggested | send these words   (a message held back for its wording)
  help
When several incidents are open, start with the one meant: INC-2026-0002 log <what happened>
(in Teams, commands in an incident's own thread need no reference).
Phrases also understood:
  I am declaring a P2 incident because <reason>. The impact is that <impact>.
       [services: a, b] [lead: <email>]
  I am the incident lead / I am the scribe
  I am declaring this incident resolved because <resolution>."""


def parse(text: str, *, priority_names: Mapping[str, Priority] | None = None) -> Command:
    """`priority_names`: the organisation's names for priorities ("critical": P1), accepted
    wherever a priority is. A reference before the command ('INC-2026-0002 log ...') is left
    out here: `named_incident` reads it."""
    names = {name.casefold(): p for name, p in (priority_names or {}).items()}
    text = split_reference(plain_text(text).strip())[1].strip()
    if not text:
        raise ParseError("Send a command, such as 'status' or 'help'.")
    phrase = parse_phrase(text, names)
    if phrase is not None:
        return phrase
    word, _, rest = text.partition(" ")
    verb = word.lower()
    rest = rest.strip()
    if verb in ROLE_WORDS:
        return v.parse_assign(ROLE_WORDS[verb], verb, rest)
    if verb == "open":
        return v.parse_open(rest, names)
    if verb == "priority":
        return v.parse_priority(rest, names)
    handler = _VERBS.get(verb)
    if handler is None:
        raise ParseError(_not_a_command(word, text))
    return handler(rest)


HELP_HINT = "Send 'help' to see them all."


def named_incident(text: str) -> str | None:
    """The incident a command names before its verb ('INC-2026-0002 update ...'), or None."""
    return split_reference(plain_text(text).strip())[0]


def _not_a_command(word: str, text: str) -> str:
    if reads_like_a_sentence(text):
        return FORMS
    near = difflib.get_close_matches(word.lower(), _VERB_NAMES, n=1, cutoff=0.6)
    if near:
        return f'"{shown(word)}" is not a command: did you mean "{near[0]}"? {HELP_HINT}'
    return f'"{shown(word)}" is not a command. {HELP_HINT}'


# `open` and `priority` are parsed in `parse`: they also take the organisation's priority names.
_VERBS: dict[str, Callable[[str], Command]] = {
    "update": v.parse_update,
    "holding": v.parse_holding,
    "log": v.parse_log,
    "status": v.parse_status,
    "close": v.parse_close,
    "notify": v.parse_notify,
    "review": work.parse_review,
    "bridge": v.no_arguments(Bridge(), "bridge"),
    "action": work.parse_action,
    "actions": v.no_arguments(ListActions(), "actions"),
    "invite": work.parse_invite,
    "lessons": v.no_arguments(Lessons(), "lessons"),
    "help": v.no_arguments(Help(), "help"),
    "list": v.no_arguments(ListIncidents(), "list"),
    "report": v.parse_report,
    "send": v.parse_send,
    "role": v.parse_role,
    "title": v.parse_fact("title"),
    "impact": v.parse_fact("impact"),
    "services": v.parse_fact("services"),
    "do": v.parse_fact("do"),
    "publish": parse_publish,
    "unpublish": v.no_arguments(Unpublish(), "unpublish"),
}
_VERB_NAMES = ["open", "priority", *_VERBS, *ROLE_WORDS]
