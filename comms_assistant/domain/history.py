"""The incident's priority history told in words, the same way in every document and message.

Pure: the history and the organisation's zone in, a sentence or two out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from comms_assistant.domain.incident import EntryKind, Incident, Priority, PriorityChange
from comms_assistant.domain.plain_english.rules import MAX_SENTENCE_WORDS
from comms_assistant.domain.plain_english.text import WORD
from comms_assistant.domain.times import zone_name

# A long run of changes is told a few at a time: a sentence past about 25 words is hard to
# follow (the plain-English check flags it in the review's introduction). Fewer when the
# steps are long ("at 12:10am on Tuesday 24 November"), so none goes past MAX_SENTENCE_WORDS.
_STEPS_PER_SENTENCE = 3
# How `Incident.change_priority` words its timeline entry.
_CHANGED = re.compile(r"changed the priority from (P[1-4]) to (P[1-4])")


def history_of(incident: Incident) -> list[PriorityChange]:
    """The incident's priority history; for one stored before the history was kept, as its
    timeline tells it (so an old incident lowered from P1 is not said to be declared P2)."""
    if incident.priority_history:
        return list(incident.priority_history)
    changes = [
        (entry.at, match)
        for entry in incident.timeline
        if entry.kind is EntryKind.PRIORITY and (match := _CHANGED.search(entry.text))
    ]
    declared = Priority.parse(changes[0][1].group(1)) if changes else incident.priority
    history = [PriorityChange(incident.declared_at, declared)]
    history += [PriorityChange(at, Priority.parse(match.group(2))) for at, match in changes]
    return history


def priority_story(
    history: Sequence[PriorityChange],
    tz: ZoneInfo,
    *,
    label: Callable[[Priority], str] = lambda priority: priority.label,
    time: Callable[[datetime], str] | None = None,
) -> str:
    """ "We declared it P2 at 09:10 GMT, raised it to P1 at 09:40 GMT and lowered it to P2 at
    11:00 GMT. At its highest it was P1." ("" for no history).

    Times are in `tz`; one on a later day than the declaration names that day, as "at 09:10 GMT"
    alone would be read as the day it was declared. `label` words a priority (an organisation's
    own names in messages; "P1" in documents). `time` words a local time ("2:30pm" in
    messages); the default is "14:30 GMT", as the documents show times.
    """
    if not history:
        return ""
    declared, *changes = history
    first_day = declared.at.astimezone(tz).date()

    def at(moment: datetime) -> str:
        return _at(moment, tz, first_day, time)

    opening = f"We declared it {label(declared.priority)} at {at(declared.at)}"
    if not changes:
        return f"{opening} and it stayed {label(declared.priority)}."
    steps = []
    before = declared.priority
    for change in changes:
        verb = "raised" if change.priority < before else "lowered"  # P1 is the most urgent
        steps.append(f"{verb} it to {label(change.priority)} at {at(change.at)}")
        before = change.priority
    # The declaration counts as one of the first sentence's steps.
    groups = [[opening]]
    for step in steps:
        longer = [*groups[-1], step]
        fits = len(WORD.findall(_told(longer, len(groups) - 1))) <= MAX_SENTENCE_WORDS
        if len(longer) <= _STEPS_PER_SENTENCE and fits:
            groups[-1] = longer
        else:
            groups.append([step])
    sentences = [_told(group, i) for i, group in enumerate(groups)]
    highest = min(change.priority for change in history)
    return " ".join(f"{s}." for s in sentences) + f" At its highest it was {label(highest)}."


def _at(
    moment: datetime, tz: ZoneInfo, first_day: date, time: Callable[[datetime], str] | None
) -> str:
    local = moment.astimezone(tz)
    when = time(local) if time is not None else f"{local:%H:%M} {zone_name(local)}"
    if local.date() == first_day:
        return when
    return f"{when} on {local:%A} {local.day} {local:%B}"


def _told(steps: list[str], index: int) -> str:
    """The `index`th sentence of the story, without its full stop."""
    return _join(steps) if index == 0 else f"Then we {_join(steps)}"


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
