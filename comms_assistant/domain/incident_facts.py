"""What an incident says, which people can change at any time with a word: its title, its
impact, the services affected and what readers should do (`title`, `impact`, `services`, `do`).

Each fact's new value is read the same way wherever it comes from (declaring, an update,
changing it alone): one line, and refused when it says nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from comms_assistant.domain.incident_kinds import DomainError

# `do nothing`: the comms lead said readers need do nothing, which messages then say. No advice
# at all ("") means nobody said, and messages leave the section out rather than invent it.
ADVICE_NOTHING = "nothing"


def one_line(text: str) -> str:
    return " ".join(text.split())


def advice_text(text: str) -> str:
    """What readers should do, one line; "nothing" however it was said ("Nothing.")."""
    text = one_line(text)
    return ADVICE_NOTHING if text.rstrip(".!").lower() == ADVICE_NOTHING else text


def require_text(text: str, message: str) -> str:
    text = one_line(text)
    if not text:
        raise DomainError(message)
    return text


def service_keys(services: tuple[str, ...]) -> tuple[str, ...]:
    """Service keys as stored: lower case, each once, in the order given."""
    return tuple(dict.fromkeys(s.strip().lower() for s in services if s.strip()))


def _services(services: tuple[str, ...]) -> tuple[str, ...]:
    named = service_keys(services)
    if not named:
        raise DomainError("Name the services affected: 'services apply, find'.")
    return named


def _advice(text: str) -> str:
    advice = advice_text(text)
    if not advice:
        raise DomainError("Say what readers should do: 'do <text>', or 'do nothing'.")
    return advice


@dataclass(frozen=True)
class Fact:
    name: str  # the incident's attribute
    label: str  # how the timeline says it changed
    read: Callable[[Any], Any]  # the new value as stored; DomainError when it says nothing
    shown: Callable[[Any], str] = str  # the new value as the timeline shows it


# In the order a change of several is recorded.
FACTS = (
    Fact(
        "title",
        "The title is now",
        lambda title: require_text(title, "A title needs some words: what is wrong?"),
    ),
    Fact(
        "impact",
        "The impact is now",
        lambda impact: require_text(impact, "Say who is affected now, and how: 'impact <text>'."),
    ),
    Fact("services", "The services affected are now", _services, ", ".join),
    Fact("advice", "What readers should do is now", _advice),
)


@dataclass(frozen=True)
class FactChange:
    fact: Fact
    value: Any

    @property
    def text(self) -> str:
        return f"{self.fact.label}: {self.fact.shown(self.value)}"


def fact_changes(current: object, given: dict[str, Any]) -> list[FactChange]:
    """The facts `given` (None: not given) that differ from `current`'s, each read as stored."""
    changes = []
    for fact in FACTS:
        if given.get(fact.name) is None:
            continue
        value = fact.read(given[fact.name])
        if value != getattr(current, fact.name):
            changes.append(FactChange(fact, value))
    return changes


def require_aware(now: datetime) -> None:
    # Times are stored in UTC and shown in the organisation's zone: a naive time is a bug.
    if now.tzinfo is None:
        raise ValueError("times given to the domain must carry a time zone")


def started_time(started: datetime | None, declared: datetime) -> datetime | None:
    """When the incident began (`open … started: 09:05`): never after it was declared."""
    if started is None:
        return None
    require_aware(started)
    if started > declared:
        raise DomainError(
            "It cannot have started after now: give the time it began, e.g. 'started: 09:05'."
        )
    return started
