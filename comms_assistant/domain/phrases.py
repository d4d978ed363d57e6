"""The sentences some processes teach instead of commands (the Ministry of Justice's "I am
declaring a P2 incident because ..."), read forgivingly where that is safe.

Forgiving: capitals, "I'm" / "we are", "a P2 incident" or "an incident", "The impact is that"
or "the impact is" or none at all, and what people add after the sentence (`p2`,
`priority p1`, `services: apply`, `lead: ...`) are all read for what they mean, and never become
part of the impact. What cannot be read gets the forms that work, not a guess.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from comms_assistant.domain import command_words as w
from comms_assistant.domain.command_types import Assign, Close, Command, Open
from comms_assistant.domain.command_words import ParseError
from comms_assistant.domain.incident import Priority, Role

# What a message that reads like a sentence, but is not one we know, is answered with. Short:
# it is a chat message, and it never quotes what was typed. One line: answers carry no controls.
EXAMPLES = (
    "open Apply is down p2 impact: Candidates cannot apply services: apply",
    "I am declaring a P2 incident because Apply is down. The impact is that candidates cannot "
    "apply. services: apply",
)
FORMS = (
    f"To declare an incident, send '{EXAMPLES[0]}', or '{EXAMPLES[1]}'. 'help' lists every command."
)

_WE = r"(?:i\s+am|i'm|im|i|we\s+are|we're|we)\s+(?:now\s+)?"
_DECLARE_START = re.compile(rf"{_WE}declar(?:ing|e)\b", re.IGNORECASE)
_DECLARE = re.compile(
    rf"{_WE}declar(?:ing|e)\s+(?:(?:a|an)\s+)?(?P<words>(?:[\w'-]+\s+){{0,3}}?)incident\b"
    r"(?:\s*(?:because|as|since)\b|\s*[:,\u2013\u2014-])\s*(?P<body>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_RESOLVE = re.compile(
    rf"{_WE}declar(?:ing|e)\s+this\s+incident\s+(?:as\s+)?resolved\s+because\s+"
    r"(?P<resolution>.+?)\.?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_I_AM = re.compile(
    r"(?:i am|i'm) the (?P<role>incident lead|scribe|comms lead|tech lead|support lead)\.?$"
)
# "... The impact is that ...", "..., and the impact is ...", "... the impact is: ..."
_IMPACT = re.compile(
    r"(?:[.;,]\s*|\s+)(?:and\s+)?the\s+impact\s+is(?:\s+that)?\s*[:,\u2013\u2014-]?\s+",
    re.IGNORECASE,
)
# What people add after the sentence: "... cannot apply. p2", "(P2)", "priority p1".
_TRAILING_PRIORITY = re.compile(
    r"[\s.,;:(]*\b(?:priority\s*(?P<named>\S+?)|(?P<word>p[1-4]))[\s.,;)!]*$", re.IGNORECASE
)
_SENTENCE_START = frozenset(
    (
        *("i", "i'm", "im", "we", "we're", "we've", "there", "there's", "it", "it's"),
        *("this", "our", "the", "a", "an", "please", "hi", "hello", "hey", "can", "could"),
        *("would", "is", "are", "has", "have", "something", "someone", "everything", "nothing"),
    )
)


def parse_phrase(text: str, names: Mapping[str, Priority]) -> Command | None:
    """The command a known phrase means; None when the text is not one of them. Raises
    ParseError with the forms that work for a declaration that cannot be read."""
    if match := _RESOLVE.match(text):
        return Close(w.one_line(match["resolution"]))
    if _DECLARE_START.match(text):
        return _declaration(text, names)
    if match := _I_AM.match(" ".join(text.lower().replace("’", "'").split())):
        return Assign(Role(match["role"]), None)
    return None


def reads_like_a_sentence(text: str) -> bool:
    """'We have an incident', 'The site is down': words to a person, not a command."""
    words = text.replace("’", "'").split()
    if not words:
        return False
    first = words[0].casefold().strip(".,!?:;\"'")
    return first in _SENTENCE_START or any(
        word.casefold().startswith(("incident", "declar", "outage")) for word in words[:12]
    )


def _declaration(text: str, names: Mapping[str, Priority]) -> Open:
    head, sections = w.split_sections(text.replace("’", "'"), w.OPEN_SECTIONS)
    head, trailing = _trailing_priority(head, names)
    match = _DECLARE.match(head.strip())
    if match is None:
        raise ParseError(FORMS)
    said = _priorities_said(trailing, match["words"], sections, names)
    reason, impact = _reason_and_impact(match["body"])
    title = _title_from_reason(reason)
    if not title:
        raise ParseError(FORMS)
    if impact and sections.get("impact"):
        raise ParseError('Give the impact once: "The impact is that ..." or "impact: ...".')
    priority = w.one_priority(said)
    return Open(
        title=title,
        priority=priority or Priority.P3,
        impact=impact or sections.get("impact", "").rstrip("."),
        services=w.services(sections.get("services", "")),
        security=w.security(sections),
        priority_defaulted=priority is None,
        advice=sections.get("do", ""),
        lead=w.lead(sections),
    )


def _priorities_said(
    trailing: Priority | None,
    words: str,
    sections: Mapping[str, str],
    names: Mapping[str, Priority],
) -> list[Priority]:
    """Every priority the declaration says, wherever: one of them is taken, or it is refused."""
    said = [] if trailing is None else [trailing]
    said += [
        w.priority_word(word, names)
        for word in words.split()
        if w.PRIORITY_WORD.fullmatch(word) or word.casefold() in names
    ]
    if "priority" in sections:
        said.append(w.priority_word(sections["priority"], names))
    return said


def _trailing_priority(head: str, names: Mapping[str, Priority]) -> tuple[str, Priority | None]:
    """A priority said after the sentence ('... cannot apply. p2'): taken off the end."""
    match = _TRAILING_PRIORITY.search(head)
    if match is None:
        return head, None
    word = match["word"] or match["named"]
    if match["named"] is not None and not (
        w.PRIORITY_WORD.fullmatch(word.rstrip(".,;")) or word.rstrip(".,;").casefold() in names
    ):
        return head, None  # "... is our top priority now": words, not a priority
    return head[: match.start()], w.priority_word(word, names)


def _reason_and_impact(body: str) -> tuple[str, str]:
    found = _IMPACT.search(body)
    reason, impact = (body[: found.start()], body[found.end() :]) if found else (body, "")
    return w.one_line(reason).rstrip(". "), w.one_line(impact).rstrip(". ")


def _title_from_reason(reason: str) -> str:
    # The phrase gives a reason, not a title: its first clause makes a readable title.
    title = re.split(r"[.;]", reason, maxsplit=1)[0].strip()
    return title[0].upper() + title[1:] if title else title
