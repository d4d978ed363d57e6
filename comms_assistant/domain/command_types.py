"""The commands people give the assistant, as data: what `commands.parse` makes of their words."""

from __future__ import annotations

from dataclasses import dataclass

from comms_assistant.domain.dates import SaidDate, SaidMoment, SaidStart
from comms_assistant.domain.incident import Priority, Role, Status


@dataclass(frozen=True)
class Open:
    title: str
    priority: Priority
    impact: str = ""
    services: tuple[str, ...] = ()
    security: bool = False
    priority_defaulted: bool = False
    advice: str = ""  # `do:`: what readers should do
    # `lead:`: the incident lead. None: whoever opens it; "" (`lead: none`): nobody yet.
    lead: str | None = None
    public: bool = False  # `public: yes`: on the public status page from the start
    started: SaidStart | None = None  # `started: 09:05`: when it began, before it was declared


@dataclass(frozen=True)
class Update:
    text: str
    impact: str | None = None  # `impact:` inside the update: the new current impact
    advice: str | None = None  # `do:` inside the update: what readers should do now
    # `public:` inside the update: the status page's words for it; "" (`public: no`): not there.
    public: str | None = None


@dataclass(frozen=True)
class ChangeFacts:
    """`title`, `impact`, `services` or `do`: a new current value, without a message."""

    title: str | None = None
    impact: str | None = None
    services: tuple[str, ...] | None = None
    advice: str | None = None


@dataclass(frozen=True)
class Holding:
    """A holding update now: stakeholders hear there is no change yet, as from the worker when
    an update falls due. `text`, when given, is added to what they read."""

    text: str = ""


@dataclass(frozen=True)
class SetPriority:
    priority: Priority
    reason: str = ""


@dataclass(frozen=True)
class Assign:
    role: Role
    person: str | None  # None means the person who sent the command


@dataclass(frozen=True)
class AssignExtra:
    """A role of the organisation's own process: `role delivery manager me`."""

    role: str
    person: str | None


@dataclass(frozen=True)
class Log:
    text: str


@dataclass(frozen=True)
class ShowStatus:
    reference: str | None = None  # `status INC-2026-0001`: that one, wherever it is asked


@dataclass(frozen=True)
class ListIncidents:
    """`list`: the open incidents, most urgent first."""


@dataclass(frozen=True)
class MonthReport:
    """`report [YYYY-MM]`: the month's figures across incidents (this month when none said)."""

    month: str | None = None


@dataclass(frozen=True)
class SetStatus:
    status: Status


@dataclass(frozen=True)
class Close:
    resolution: str
    public: str | None = None  # `public:`: the status page's words for the resolution


@dataclass(frozen=True)
class Publish:
    """Put the incident on the public status page; `text`: the words it shows (a security
    incident's must be given)."""

    text: str = ""


@dataclass(frozen=True)
class Unpublish:
    """Take the incident off the public status page, where the page allows it."""


@dataclass(frozen=True)
class Review:
    pass


@dataclass(frozen=True)
class Lessons:
    """Copy the review's recommendations into the Major Incident report again, now."""


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Notify:
    """Add a service's team, a contact, or any address (a person, a list, a Microsoft 365 group)
    to the incident's audience, and tell them what has happened so far."""

    target: str


@dataclass(frozen=True)
class SendDraft:
    """Send the message held back for its wording: as written, or with the suggested words.

    `suggested` alone shows the suggested words, checked again, and asks for `confirmed`:
    nothing goes in words the person has not seen."""

    suggested: bool
    confirmed: bool = False


@dataclass(frozen=True)
class Bridge:
    """The responders' Teams meeting: made once, its link given again after that."""


@dataclass(frozen=True)
class AddAction:
    """`action <text> [owner <email>] [due <date>]`: a follow-up action, during or after."""

    text: str
    owner: str = ""  # an address, "me" for whoever sent it, "" for nobody yet
    due: SaidDate | None = None


@dataclass(frozen=True)
class CompleteAction:
    """`action <n> done`."""

    number: int


@dataclass(frozen=True)
class ListActions:
    """`actions`: the incident's follow-up actions and where each has got to."""


@dataclass(frozen=True)
class Invite:
    """`invite <email>`: ask someone to the review meeting too."""

    people: tuple[str, ...]


@dataclass(frozen=True)
class MoveReviewMeeting:
    """`review meeting <date and time>`: book it then (again, if it was called off)."""

    when: SaidMoment


@dataclass(frozen=True)
class CancelReviewMeeting:
    """`review meeting off`."""


Command = (
    Open
    | Update
    | Holding
    | SetPriority
    | Assign
    | AssignExtra
    | Log
    | ShowStatus
    | ListIncidents
    | MonthReport
    | SetStatus
    | Close
    | Review
    | Lessons
    | Help
    | SendDraft
    | Notify
    | ChangeFacts
    | Bridge
    | AddAction
    | CompleteAction
    | ListActions
    | Invite
    | MoveReviewMeeting
    | CancelReviewMeeting
    | Publish
    | Unpublish
)

# Commands that only read; anyone may send them.
READ_ONLY = (ShowStatus, ListIncidents, Help)
