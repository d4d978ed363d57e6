"""The command language every entry point shares (Teams bot, `comms-assistant run`).

Pure: text in, a command or a ParseError that says what was expected.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

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
from comms_assistant.domain.incident import Priority, Role, Status
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
    "Log",
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


class ParseError(Exception):
    """The text is not a command we understand; the message says what was expected."""


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
       [do: <what readers should do>] [security: yes]
  update <what is happening> [impact: <who is affected now>] [do: <what readers should do>]
  impact <text> | services <a, b> | title <text> | do <text>|nothing
       (change what the incident says: the next message and the report show it)
  holding [anything to add]   (a holding update: no change yet)
  priority p1|p2|p3|p4 [reason]
  lead|comms|tech|support|scribe me|<email>
  role <your process's own role> me|<email>
  log <what happened>
  status [investigating|identified|monitoring]
  notify <service|email|group>   (tell them too, with what has happened so far)
  close <what fixed it>
  review
  lessons   (copy the review's recommendations into the Major Incident report again)
  send anyway | send suggested   (a message held back for its wording)
  help
Phrases also understood:
  I am declaring a P2 incident because <reason>. The impact is that <impact>. [services: a, b]
  I am the incident lead / I am the scribe
  I am declaring this incident resolved because <resolution>."""

_SECTION = re.compile(r"\b(impact|services|security|priority|do)\s*:", re.IGNORECASE)
_PRIORITY_WORD = re.compile(r"(?<!\S)[pP]([1-4])(?!\S)")
_EMAIL = re.compile(r"[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+")
_DECLARE = re.compile(
    r"i am declaring an? (?:(?P<priority>\S+) )?incident because\s+(?P<reason>.+?)"
    r"(?:\.\s*the impact is that\s+(?P<impact>.+?))?\.?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_RESOLVE = re.compile(
    r"i am declaring this incident resolved because\s+(?P<resolution>.+?)\.?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_DECLARE_START = re.compile(r"i am declaring an? (?:\S+ )?incident because", re.IGNORECASE)
_I_AM = re.compile(r"i am the (?P<role>incident lead|scribe|comms lead|tech lead|support lead)\.?$")


def parse(text: str, *, priority_names: Mapping[str, Priority] | None = None) -> Command:
    """`priority_names`: the organisation's names for priorities ("critical": P1), accepted
    wherever a priority is."""
    names = {name.casefold(): p for name, p in (priority_names or {}).items()}
    text = plain_text(text).strip()
    if not text:
        raise ParseError("Send a command, such as 'status' or 'help'.")
    phrase = _parse_phrase(text, names)
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
        raise ParseError(
            f'"{_shown(word)}" is not a command. Try one of: {", ".join(_VERB_NAMES)}.'
        )
    return handler(rest)


def _parse_phrase(text: str, names: Mapping[str, Priority]) -> Command | None:
    head, sections = _split_sections(text) if _DECLARE_START.match(text) else (text, {})
    if match := _DECLARE.match(head.strip()):
        reason = _one_line(match["reason"])
        # "a P2 incident", "a critical incident"; "a major incident" names no priority here.
        said = match["priority"]
        if said and not (_PRIORITY_WORD.fullmatch(said) or said.casefold() in names):
            said = None
        words = [w for w in (said, sections.get("priority")) if w]
        if len(words) > 1:
            raise ParseError("Give one priority (p1, p2, p3 or p4), not several.")
        unknown = set(sections) - {"services", "priority", "security", "do"}
        if unknown:
            raise ParseError(
                f'"{sorted(unknown)[0]}:" does not go with this phrase: say "The impact is '
                'that ..." in it, and add services: or priority: after it.'
            )
        return Open(
            title=_title_from_reason(reason),
            priority=_priority_word(words[0], names) if words else Priority.P3,
            impact=_one_line(match["impact"] or ""),
            services=_services(sections.get("services", "")),
            security=_security(sections),
            priority_defaulted=not words,
            advice=sections.get("do", ""),
        )
    if match := _RESOLVE.match(text):
        return Close(_one_line(match["resolution"]))
    if match := _I_AM.match(" ".join(text.lower().split())):
        return Assign(Role(match["role"]), None)
    return None


def _title_from_reason(reason: str) -> str:
    # The MoJ phrase gives a reason, not a title: its first clause makes a readable title.
    title = re.split(r"[.;]", reason, maxsplit=1)[0]
    return title[0].upper() + title[1:] if title else title


def _parse_open(rest: str, names: Mapping[str, Priority]) -> Open:
    if not rest:
        raise ParseError(
            "Say what is wrong and how urgent it is, e.g. "
            "'open Apply is down p2 impact: candidates cannot apply services: apply'."
        )
    head, sections = _split_sections(rest)
    priorities = [Priority(int(n)) for n in _PRIORITY_WORD.findall(head)]
    if "priority" in sections:
        priorities.append(_priority_word(sections["priority"], names))
    if len(priorities) > 1:
        raise ParseError("Give one priority (p1, p2, p3 or p4), not several.")
    if not priorities:
        raise ParseError(
            "Say how urgent it is: add p1, p2, p3 or p4 to the title (p1 is the most urgent)"
            + (", or 'priority: <name>'." if names else ".")
        )
    title = _one_line(_PRIORITY_WORD.sub(" ", head))
    if not title:
        raise ParseError("Give the incident a title: say what is wrong in a few words.")
    return Open(
        title=title,
        priority=priorities[0],
        impact=sections.get("impact", ""),
        services=_services(sections.get("services", "")),
        security=_security(sections),
        advice=sections.get("do", ""),
    )


def _services(text: str) -> tuple[str, ...]:
    return tuple(s for s in (s.strip().lower() for s in re.split(r"[,;]", text)) if s)


def _security(sections: Mapping[str, str]) -> bool:
    word = sections.get("security", "no").strip().lower()
    if word not in ("yes", "no", "true", "false"):
        raise ParseError(f'"security: {_shown(word)}" should be "security: yes" or "security: no".')
    return word in ("yes", "true")


def _split_sections(rest: str) -> tuple[str, dict[str, str]]:
    matches = list(_SECTION.finditer(rest))
    head = rest[: matches[0].start()] if matches else rest
    sections: dict[str, str] = {}
    for index, match in enumerate(matches):
        following = matches[index + 1] if index + 1 < len(matches) else None
        name = match.group(1).lower()
        if name in sections:
            raise ParseError(f'"{name}:" is given twice; give it once.')
        end = following.start() if following else len(rest)
        sections[name] = _one_line(rest[match.end() : end])
    return head, sections


def _parse_update(rest: str) -> Update:
    if not rest:
        raise ParseError("Say what people can and cannot do now: 'update <text>'.")
    head, sections = _split_sections(rest)
    unknown = set(sections) - {"impact", "do"}
    if unknown:
        raise ParseError(
            f'"{sorted(unknown)[0]}:" does not go in an update: it takes "impact:" and "do:". '
            f"To change it, send '{sorted(unknown)[0]} ...' on its own."
        )
    text = _one_line(head)
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
        value = _one_line(rest)
        if not value:
            name = "advice" if fact == "do" else fact
            raise ParseError(f"Say the new {name}: '{examples[fact]}'.")
        if fact == "services":
            return ChangeFacts(services=_services(value))
        if fact == "title":
            return ChangeFacts(title=value)
        if fact == "impact":
            return ChangeFacts(impact=value)
        return ChangeFacts(advice=value)

    return parse_fact


def _parse_holding(rest: str) -> Holding:
    return Holding(_one_line(rest))


def _parse_priority(rest: str, names: Mapping[str, Priority]) -> SetPriority:
    word, _, reason = rest.partition(" ")
    if not word:
        raise ParseError(
            "Say the new priority: 'priority p1' (p1 is the most urgent, p4 the least)."
        )
    return SetPriority(_priority_word(word, names), _one_line(reason))


def _priority_word(word: str, names: Mapping[str, Priority]) -> Priority:
    word = word.strip()
    if word.casefold() in names:
        return names[word.casefold()]
    if not _PRIORITY_WORD.fullmatch(word):
        also = f" or {', '.join(sorted(names))}" if names else ""
        raise ParseError(f'"{_shown(word)}" is not a priority: use p1, p2, p3 or p4{also}.')
    return Priority(int(word[1]))


def _parse_assign(role: Role, verb: str, rest: str) -> Assign:
    if rest.lower() == "me":
        return Assign(role, None)
    person = rest.removeprefix("@").strip()
    if not _EMAIL.fullmatch(person):
        shown = rest or "(nothing)"
        raise ParseError(
            f'"{_shown(shown)}" is not a person: use "{verb} me" or "{verb} name@example.org".'
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
    if not _EMAIL.fullmatch(person):
        raise ParseError(f'"{_shown(who)}" is not a person: use "me" or an email address.')
    return AssignExtra(role, person.lower())


def _parse_log(rest: str) -> Log:
    if not rest:
        raise ParseError("Say what happened: 'log <text>'.")
    return Log(_one_line(rest))


def _parse_status(rest: str) -> ShowStatus | SetStatus:
    if not rest:
        return ShowStatus()
    settable = [s for s in Status if s.is_open]
    try:
        status = Status(rest.lower())
    except ValueError:
        status = None
    if status not in settable:
        names = ", ".join(s.value for s in settable)
        raise ParseError(
            f'"{_shown(rest)}" is not a status you can set: use {names}, or "close <text>".'
        )
    return SetStatus(status)


def _parse_notify(rest: str) -> Notify:
    target = _one_line(rest).removeprefix("@").strip()
    if not target:
        raise ParseError(
            "Say who else to tell: 'notify <service>', 'notify name@example.org' or "
            "'notify <group address>'."
        )
    return Notify(target)


def _parse_close(rest: str) -> Close:
    if not rest:
        raise ParseError("Say what fixed it: 'close <what was done to restore the service>'.")
    return Close(_one_line(rest))


def _parse_send(rest: str) -> SendDraft:
    word = rest.lower()
    if word in ("anyway", "it anyway", "as written"):
        return SendDraft(suggested=False)
    if word in ("suggested", "suggestion", "the suggested wording"):
        return SendDraft(suggested=True)
    raise ParseError("Say 'send anyway' to send as written, or 'send suggested'.")


def _no_arguments(command: Command, verb: str) -> Callable[[str], Command]:
    def parse_bare(rest: str) -> Command:
        if rest:
            raise ParseError(f"'{verb}' takes no words after it.")
        return command

    return parse_bare


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _shown(text: str, limit: int = 40) -> str:
    """User text quoted back in an error, cut short so a huge message gets a short answer."""
    text = _one_line(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
    "send": _parse_send,
    "role": _parse_role,
    "title": _parse_fact("title"),
    "impact": _parse_fact("impact"),
    "services": _parse_fact("services"),
    "do": _parse_fact("do"),
}
_VERB_NAMES = ["open", "priority", *_VERBS, *ROLE_WORDS]
