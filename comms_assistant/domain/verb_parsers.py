"""The words after each verb: one function per command reads them, or raises a ParseError that
says what was expected. `commands.parse` chooses the function by the verb."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from comms_assistant.domain import command_words as w
from comms_assistant.domain.command_types import (
    Assign,
    AssignExtra,
    ChangeFacts,
    Close,
    Command,
    Holding,
    Log,
    MonthReport,
    Notify,
    Open,
    SendDraft,
    SetPriority,
    SetStatus,
    ShowStatus,
    Update,
)
from comms_assistant.domain.command_words import ParseError, one_line, shown
from comms_assistant.domain.dates import parse_start
from comms_assistant.domain.incident import Priority, Role, Status
from comms_assistant.domain.phrases import parse_phrase
from comms_assistant.domain.public_words import PUBLIC, public_at_open, public_words


def parse_open(rest: str, names: Mapping[str, Priority]) -> Open:
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
    security = w.security(sections)
    return Open(
        title=title,
        priority=priority,
        impact=sections.get("impact", ""),
        services=w.services(sections.get("services", "")),
        security=security,
        advice=sections.get("do", ""),
        lead=w.lead(sections),
        public=public_at_open(sections, security=security),
        started=parse_start(sections["started"]) if sections.get("started") else None,
    )


def parse_update(rest: str) -> Update:
    if not rest:
        raise ParseError("Say what people can and cannot do now: 'update <text>'.")
    head, sections = w.split_sections(rest, (*w.SECTIONS, PUBLIC))
    unknown = set(sections) - {"impact", "do", PUBLIC}
    if unknown:
        raise ParseError(
            f'"{sorted(unknown)[0]}:" does not go in an update: it takes "impact:", "do:" and '
            f"\"public:\". To change it, send '{sorted(unknown)[0]} ...' on its own."
        )
    text = one_line(head)
    if not text:
        raise ParseError("Say what is happening before impact: or do:, e.g. 'update <text>'.")
    if "impact" in sections and not sections["impact"]:
        raise ParseError("Say who is affected now after impact:, or leave impact: out.")
    if "do" in sections and not sections["do"]:
        raise ParseError("Say what readers should do after do: ('do: nothing' is fine).")
    return Update(
        text,
        impact=sections.get("impact"),
        advice=sections.get("do"),
        public=public_words(sections, "update"),
    )


def parse_fact(fact: str) -> Callable[[str], ChangeFacts]:
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


def parse_holding(rest: str) -> Holding:
    return Holding(one_line(rest))


def parse_priority(rest: str, names: Mapping[str, Priority]) -> SetPriority:
    word, _, reason = rest.partition(" ")
    if not word:
        raise ParseError(
            "Say the new priority: 'priority p1' (p1 is the most urgent, p4 the least)."
        )
    return SetPriority(w.priority_word(word, names), one_line(reason))


def parse_assign(role: Role, verb: str, rest: str) -> Assign:
    if rest.lower() == "me":
        return Assign(role, None)
    person = rest.removeprefix("@").strip()
    if not w.EMAIL.fullmatch(person):
        said = rest or "(nothing)"
        raise ParseError(
            f'"{shown(said)}" is not a person: use "{verb} me" or "{verb} name@example.org".'
        )
    return Assign(role, person.lower())


def parse_role(rest: str) -> AssignExtra:
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


def parse_log(rest: str) -> Log:
    if not rest:
        raise ParseError("Say what happened: 'log <text>'.")
    return Log(one_line(rest))


def parse_status(rest: str) -> ShowStatus | SetStatus:
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


def parse_notify(rest: str) -> Notify:
    target = one_line(rest).removeprefix("@").strip()
    if not target:
        raise ParseError(
            "Say who else to tell: 'notify <service>', 'notify name@example.org' or "
            "'notify <group address>'."
        )
    return Notify(target)


def parse_close(rest: str) -> Close:
    if not rest:
        raise ParseError("Say what fixed it: 'close <what was done to restore the service>'.")
    head, sections = w.split_sections(rest, (PUBLIC,))
    if not one_line(head):
        raise ParseError("Say what fixed it before public:, e.g. 'close <what fixed it>'.")
    return Close(one_line(head), public=public_words(sections, "resolution"))


CONFIRM_WORDS = "send these words"


def parse_send(rest: str) -> SendDraft:
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


def no_arguments(command: Command, verb: str) -> Callable[[str], Command]:
    def parse_bare(rest: str) -> Command:
        if rest:
            raise ParseError(f"'{verb}' takes no words after it.")
        return command

    return parse_bare


def parse_report(rest: str) -> MonthReport:
    """`report` (this month) or `report 2026-11`."""
    month = rest.strip().rstrip(".")
    if not month:
        return MonthReport()
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise ParseError(
            f'"{shown(month)}" is not a month: say it as YYYY-MM, e.g. "report 2026-11".'
        )
    return MonthReport(month)
