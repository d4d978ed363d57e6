"""The small parts commands are made of: sections (`impact: ...`), priorities, services, people,
an incident's reference. Shared by the command parser (`commands`) and the phrases (`phrases`).

Pure: text in, values out, or a ParseError that says what was expected.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from comms_assistant.domain.incident import Priority


class ParseError(Exception):
    """The text is not a command we understand; the message says what was expected."""


# The sections every command that takes them knows; `open` also takes `lead:`, `public:` and
# `started:`.
SECTIONS = ("impact", "services", "security", "priority", "do")
OPEN_SECTIONS = (*SECTIONS, "lead", "public", "started")

PRIORITY_WORD = re.compile(r"(?<!\S)[pP]([1-4])(?!\S)")
EMAIL = re.compile(r"[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+")
# INC-2026-0001 (format_reference), as a whole word; `INC-2026-0001:` before a command too.
REFERENCE = re.compile(r"INC-\d{4}-\d{1,6}(?![\w-])", re.IGNORECASE)
_LEADING_REFERENCE = re.compile(rf"\s*({REFERENCE.pattern})[\s:,]*", re.IGNORECASE)
_NOBODY = ("none", "nobody", "no one", "noone")


def split_reference(text: str) -> tuple[str | None, str]:
    """A command may start with the incident it is for: 'INC-2026-0002 log Paged the DBA'.
    Returns (that reference in capitals, or None; the rest)."""
    match = _LEADING_REFERENCE.match(text)
    if match is None:
        return None, text
    return match.group(1).upper(), text[match.end() :]


def split_sections(rest: str, names: Collection[str] = SECTIONS) -> tuple[str, dict[str, str]]:
    """'Apply is down p2 impact: x services: a' -> ('Apply is down p2 ', {impact, services})."""
    pattern = re.compile(rf"\b({'|'.join(names)})\s*:", re.IGNORECASE)
    matches = list(pattern.finditer(rest))
    head = rest[: matches[0].start()] if matches else rest
    sections: dict[str, str] = {}
    for index, match in enumerate(matches):
        following = matches[index + 1] if index + 1 < len(matches) else None
        name = match.group(1).lower()
        if name in sections:
            raise ParseError(f'"{name}:" is given twice; give it once.')
        end = following.start() if following else len(rest)
        sections[name] = one_line(rest[match.end() : end])
    return head, sections


def priority_word(word: str, names: Mapping[str, Priority]) -> Priority:
    """p1..p4, or one of the organisation's names for a priority (casefolded keys)."""
    word = word.strip().rstrip(".,;")
    if word.casefold() in names:
        return names[word.casefold()]
    if not PRIORITY_WORD.fullmatch(word):
        also = f" or {', '.join(sorted(names))}" if names else ""
        raise ParseError(f'"{shown(word)}" is not a priority: use p1, p2, p3 or p4{also}.')
    return Priority(int(word[1]))


def one_priority(said: list[Priority]) -> Priority | None:
    """The priority given, however many times it was given; ParseError if they differ."""
    if len(set(said)) > 1:
        raise ParseError("Give one priority (p1, p2, p3 or p4), not several.")
    return said[0] if said else None


def services(text: str) -> tuple[str, ...]:
    items = (s.strip().rstrip(".!").strip().lower() for s in re.split(r"[,;]", text))
    return tuple(s for s in items if s)


def security(sections: Mapping[str, str]) -> bool:
    word = sections.get("security", "no").strip().rstrip(".").lower()
    if word not in ("yes", "no", "true", "false"):
        raise ParseError(f'"security: {shown(word)}" should be "security: yes" or "security: no".')
    return word in ("yes", "true")


def lead(sections: Mapping[str, str]) -> str | None:
    """`lead:` at open: None for the person opening it ('me', or left out), "" for nobody yet
    ('none'), else the address named."""
    said = sections.get("lead")
    if said is None:
        return None
    word = said.strip().rstrip(".").strip()
    if word.lower() in ("", "me"):
        return None
    if word.lower() in _NOBODY:
        return ""
    person = word.removeprefix("@")
    if not EMAIL.fullmatch(person):
        raise ParseError(
            f'"lead: {shown(word)}" is not a person: use "lead: name@example.org", or '
            "\"lead: none\" to leave the role for someone to take with 'lead me'."
        )
    return person.lower()


def one_line(text: str) -> str:
    return " ".join(text.split())


def shown(text: str, limit: int = 40) -> str:
    """User text quoted back in an error, cut short so a huge message gets a short answer."""
    text = one_line(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
