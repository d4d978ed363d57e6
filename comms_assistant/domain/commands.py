"""The command language every entry point shares (Teams bot, `comms-assistant run`).

Pure: text in, a command or a ParseError that says what was expected.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping

from comms_assistant.domain import command_words as w
from comms_assistant.domain.command_types import (
    READ_ONLY,
    Assign,
    AssignExtra,
    ChangeFacts,
    Close,
    Command,
    Help,
    Holding,
    Lessons,
    ListIncidents,
    Log,
    Notify,
    Open,
    Review,
    SendDraft,
    SetPriority,
    SetStatus,
    ShowStatus,
    Update,
)
from comms_assistant.domain.command_words import ParseError, one_line, shown, split_reference
from comms_assistant.domain.incident import Priority, Role, Status
from comms_assistant.domain.phrases import FORMS, parse_phrase, reads_like_a_sentence
from comms_assistant.domain.typed_text import plain_text

# The commands themselves live in command_types; they are named here too, as every entry point
# reads them from this module (`c.Open`).
__all__ = [
    "Assign",
    "AssignExtra",
    "ChangeFacts",
    "Close",
    "Command",
    "Help",
    "HELP_TEXT",
    "Holding",
    "ListIncidents",
    "Log",
    "named_incident",
    "Notify",
    "Open",
    "parse",
    "ParseError",
    "plain_text",
    "READ_ONLY",
    "Lessons",
    "Review",
    "ROLE_WORDS",
    "SendDraft",
    "SetPriority",
    "SetStatus",
    "ShowStatus",
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
       [do: <what readers should do>] [security: yes] [lead: <email>|none]
       (whoever opens an incident leads it, unless lead: names someone else)
  update <what is happening> [impact: <who is affected now>] [do: <what readers should do>]
  impact <text> | services <a, b> | title <text> | do <text>|nothing
       (change what the incident says: the next message and the report show it)
  holding [anything to add]   (a holding update: no change yet)
  priority p1|p2|p3|p4 [reason]
  lead|comms|tech|support|scribe me|<email>
  role <your process's own role> me|<email>
  log <what happened>
  list   (the open incidents: priority, status, lead, age, next update due)
  status [<reference>]   (one incident at a glance)
  status investigating|identified|monitoring
  notify <service|email|group>   (tell them too, with what has happened so far)
  close <what fixed it>
  review
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
        return _parse_assign(ROLE_WORDS[verb], verb, rest)
    if verb == "open":
        return _parse_open(rest, names)
    if verb == "priority":
        return _parse_priority(rest, names)
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


def _parse_open(rest: str, names: Mapping[str, Priority]) -> Open:
    if not rest:
        raise ParseError(
            "Say what is wrong and how urgent it is, e.g. "
            "'open Apply is down p2 impact: candidates cannot apply services: apply'."
        )
    phrase = parse_phrase(rest, names)  # "open I am declaring a P2 incident because ..."
    if isinstance(phrase, Open):
        return phrase
    head, sections = w.split_sections(rest, w.OPEN_SECTIONS)
    said = [Priority(int(n)) for n in w.PRIORITY_WORD.findall(head)]
    if "priority" in sections:
        said.append(w.priority_word(sections["priority"], names))
    priority = w.one_priority(said)
    if priority is None:
        raise ParseError(
            "Say how urgent it is: add p1, p2, p3 or p4 to the title (p1 is the most urgent)"
            + (", or 'priority: <name>'." if names else ".")
        )
    title = one_line(w.PRIORITY_WORD.sub(" ", head))
    if not title:
        raise ParseError("Give the incident a title: say what is wrong in a few words.")
    return Open(
        title=title,
        priority=priority,
        impact=sections.get("impact", ""),
        services=w.services(sections.get("services", "")),
        security=w.security(sections),
        advice=sections.get("do", ""),
        lead=w.lead(sections),
    )


def _parse_update(rest: str) -> Update:
    if not rest:
        raise ParseError("Say what people can and cannot do now: 'update <text>'.")
    head, sections = w.split_sections(rest)
    unknown = set(sections) - {"impact", "do"}
    if unknown:
        raise ParseError(
            f'"{sorted(unknown)[0]}:" does not go in an update: it takes "impact:" and "do:". '
            f"To change it, send '{sorted(unknown)[0]} ...' on its own."
        )
    text = one_line(head)
    if not text:
        raise ParseError("Say what is happening before impact: or do:, e.g. 'update <text>'.")
    if "impact" in sections and not sections["impact"]:
        raise ParseError("Say who is affected now after impact:, or leave impact: out.")
    if "do" in sections and not sections["do"]:
        raise ParseError("Say what readers should do after do: ('do: nothing' is fine).")
    return Update(text, impact=sections.get("impact"), advice=sections.get("do"))


def _parse_fact(fact: str) -> Callable[[str], ChangeFacts]:
    examples = {
        "title": "title Apply is slow",
        "impact": "impact Candidates cannot submit applications",
        "services": "services apply, find",
        "do": "do Phone the support desk, or 'do nothing'",
    }

    def parse_fact(rest: str) -> ChangeFacts:
        value = one_line(rest)
        if not value:
            name = "advice" if fact == "do" else fact
            raise ParseError(f"Say the new {name}: '{examples[fact]}'.")
        if fact == "services":
            return ChangeFacts(services=w.services(value))
        if fact == "title":
            return ChangeFacts(title=value)
        if fact == "impact":
            return ChangeFacts(impact=value)
        return ChangeFacts(advice=value)

    return parse_fact


def _parse_holding(rest: str) -> Holding:
    return Holding(one_line(rest))


def _parse_priority(rest: str, names: Mapping[str, Priority]) -> SetPriority:
    word, _, reason = rest.partition(" ")
    if not word:
        raise ParseError(
            "Say the new priority: 'priority p1' (p1 is the most urgent, p4 the least)."
        )
    return SetPriority(w.priority_word(word, names), one_line(reason))


def _parse_assign(role: Role, verb: str, rest: str) -> Assign:
    if rest.lower() == "me":
        return Assign(role, None)
    person = rest.removeprefix("@").strip()
    if not w.EMAIL.fullmatch(person):
        said = rest or "(nothing)"
        raise ParseError(
            f'"{shown(said)}" is not a person: use "{verb} me" or "{verb} name@example.org".'
        )
    return Assign(role, person.lower())


def _parse_role(rest: str) -> AssignExtra:
    words = rest.split()
    if len(words) < 2:
        raise ParseError("Say the role and who holds it: 'role delivery manager me'.")
    who, role = words[-1], " ".join(words[:-1]).lower()
    if who.lower() == "me":
        return AssignExtra(role, None)
    person = who.removeprefix("@")
    if not w.EMAIL.fullmatch(person):
        raise ParseError(f'"{shown(who)}" is not a person: use "me" or an email address.')
    return AssignExtra(role, person.lower())


def _parse_log(rest: str) -> Log:
    if not rest:
        raise ParseError("Say what happened: 'log <text>'.")
    return Log(one_line(rest))


def _parse_status(rest: str) -> ShowStatus | SetStatus:
    if not rest:
        return ShowStatus()
    if w.REFERENCE.fullmatch(rest.rstrip(".?")):
        return ShowStatus(rest.rstrip(".?").upper())
    settable = [s for s in Status if s.is_open]
    try:
        status = Status(rest.lower())
    except ValueError:
        status = None
    if status not in settable:
        names = ", ".join(s.value for s in settable)
        raise ParseError(
            f'"{shown(rest)}" is not a status you can set: use {names}, or "close <text>". '
            "To see an incident: 'status INC-2026-0001' (its reference)."
        )
    return SetStatus(status)


def _parse_notify(rest: str) -> Notify:
    target = one_line(rest).removeprefix("@").strip()
    if not target:
        raise ParseError(
            "Say who else to tell: 'notify <service>', 'notify name@example.org' or "
            "'notify <group address>'."
        )
    return Notify(target)


def _parse_close(rest: str) -> Close:
    if not rest:
        raise ParseError("Say what fixed it: 'close <what was done to restore the service>'.")
    return Close(one_line(rest))


CONFIRM_WORDS = "send these words"


def _parse_send(rest: str) -> SendDraft:
    word = " ".join(rest.lower().split()).rstrip(".!")
    if word in ("anyway", "it anyway", "as written"):
        return SendDraft(suggested=False)
    if word in ("suggested", "suggestion", "the suggested wording", "the suggested words"):
        return SendDraft(suggested=True)
    if word in ("these words", "confirmed", "the suggested words confirmed"):
        return SendDraft(suggested=True, confirmed=True)
    raise ParseError(
        "Say 'send anyway' to send as written, 'send suggested' to see the suggested words, "
        f"or '{CONFIRM_WORDS}' to send them."
    )


def _no_arguments(command: Command, verb: str) -> Callable[[str], Command]:
    def parse_bare(rest: str) -> Command:
        if rest:
            raise ParseError(f"'{verb}' takes no words after it.")
        return command

    return parse_bare


# `open` and `priority` are parsed in `parse`: they also take the organisation's priority names.
_VERBS: dict[str, Callable[[str], Command]] = {
    "update": _parse_update,
    "holding": _parse_holding,
    "log": _parse_log,
    "status": _parse_status,
    "close": _parse_close,
    "notify": _parse_notify,
    "review": _no_arguments(Review(), "review"),
    "lessons": _no_arguments(Lessons(), "lessons"),
    "help": _no_arguments(Help(), "help"),
    "list": _no_arguments(ListIncidents(), "list"),
    "send": _parse_send,
    "role": _parse_role,
    "title": _parse_fact("title"),
    "impact": _parse_fact("impact"),
    "services": _parse_fact("services"),
    "do": _parse_fact("do"),
}
_VERB_NAMES = ["open", "priority", *_VERBS, *ROLE_WORDS]
