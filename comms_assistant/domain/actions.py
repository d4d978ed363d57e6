"""Follow-up actions: what needs doing after an incident, who owns it and by when.

An action is numbered within its incident (1, 2, ...) and kept for good; it is added during or
after the incident (`action <text> [owner <email>] [due <date>]`) and completed with
`action <n> done`. Each becomes a task in Planner, whose state people change there too: the
incident keeps the state as Planner last said it (`ActionState.from_percent`).

Pure: no I/O, and every change takes the time as an argument.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from comms_assistant.domain.incident_facts import one_line
from comms_assistant.domain.incident_kinds import DomainError

# A Planner task's title holds 255 characters, and it starts with the incident's reference and
# the action's number ("INC-2026-0001 action 12: "): the rest is the action's own words.
MAX_TEXT = 200


class ActionState(StrEnum):
    """Planner's three states of a task (percentComplete 0, 1 to 99, 100)."""

    NOT_STARTED = "not started"
    IN_PROGRESS = "in progress"
    DONE = "done"

    @classmethod
    def from_percent(cls, percent: int) -> ActionState:
        if percent >= 100:
            return cls.DONE
        return cls.IN_PROGRESS if percent > 0 else cls.NOT_STARTED

    @property
    def label(self) -> str:
        return self.value[0].upper() + self.value[1:]


@dataclass
class Action:
    number: int
    text: str
    added_by: str
    added_at: datetime
    owner: str = ""  # an email address; "" when nobody owns it yet
    due: date | None = None
    state: ActionState = ActionState.NOT_STARTED
    # Planner's task, once made: its id and the eTag it had when this product last wrote it.
    task_id: str | None = None
    task_etag: str | None = None

    @property
    def done(self) -> bool:
        return self.state is ActionState.DONE


def add_action(
    actions: list[Action],
    text: str,
    *,
    owner: str,
    due: date | None,
    who: str,
    now: datetime,
    today: date,
) -> Action:
    """A new action, numbered after the incident's others (`actions`, which it joins).
    `today`: the organisation's date now, which a due date may not be before."""
    text = one_line(text)
    if not text:
        raise DomainError("Say what needs doing: 'action <what> [owner <email>] [due <date>]'.")
    if len(text) > MAX_TEXT:
        raise DomainError(
            f"That action has {len(text)} characters; a Planner task's title holds about "
            f"{MAX_TEXT} of them. Say it in fewer words and put the detail in Planner."
        )
    if due is not None and due < today:
        raise DomainError(
            f"The due date {due:%d %B %Y} is in the past: give today or a later date."
        )
    action = Action(
        number=len(actions) + 1,
        text=text,
        added_by=who,
        added_at=now,
        owner=owner.strip().lower(),
        due=due,
    )
    actions.append(action)
    return action


def find_action(actions: list[Action], number: int, reference: str) -> Action:
    """Action `number` of the incident `reference`, or a DomainError listing the ones there are."""
    for action in actions:
        if action.number == number:
            return action
    if not actions:
        raise DomainError(
            f"{reference} has no actions yet: add one with "
            "'action <what> [owner <email>] [due <date>]'."
        )
    numbers = _numbers(actions)
    one = "its action is" if len(actions) == 1 else "its actions are"
    raise DomainError(f"{reference} has no action {number}: {one} {numbers}. 'actions' lists them.")


def complete_action(actions: list[Action], number: int, reference: str) -> Action:
    action = find_action(actions, number, reference)
    if action.done:
        raise DomainError(f"Action {number} of {reference} is already done.")
    action.state = ActionState.DONE
    return action


def _numbers(actions: list[Action]) -> str:
    numbers = [str(a.number) for a in actions]
    return numbers[0] if len(numbers) == 1 else f"{', '.join(numbers[:-1])} and {numbers[-1]}"


def task_title(reference: str, action: Action) -> str:
    """The Planner task's title: the incident and the action's number first, so the task can be
    told apart in a plan shared by many incidents, and found again (the product looks for it
    there before making it again after an answer that never came)."""
    return f"{task_marker(reference, action.number)} {action.text}"


def task_marker(reference: str, number: int) -> str:
    return f"{reference} action {number}:"


def described(action: Action, tz_today: date | None = None) -> str:
    """One line for a reply: "1. Add an alert (owner: x@example.org, due 14 December 2026,
    not started)". `tz_today`: the organisation's date now, to say when it is overdue."""
    owner = action.owner or "no owner yet"
    due = f"due {action.due.day} {action.due:%B %Y}" if action.due else "no due date"
    late = ""
    if tz_today is not None and action.due and action.due < tz_today and not action.done:
        late = ", overdue"
    return f"{action.number}. {action.text} ({owner}, {due}, {action.state.value}{late})"
