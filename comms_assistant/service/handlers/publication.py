"""`publish` and `unpublish`: the incident on the public status page, or off it, on purpose.

`publish` shows the incident with the words given, else the latest update's (or the impact)
in the public template; a security incident only with words given. From then on each
stakeholder message of the incident goes on the page too (service/publication.py).
`unpublish` takes it off where the page allows (Statuspage deletes the incident; Upptime closes
its issue and takes its labels away; the webhook is told), and puts its services back to
operational.
"""

from __future__ import annotations

from comms_assistant.domain import commands as c
from comms_assistant.domain.audiences import Directory
from comms_assistant.domain.incident import EntryKind, Incident, TimelineEntry
from comms_assistant.domain.messages import MessageKind
from comms_assistant.domain.publication import Event, PageState
from comms_assistant.service import publication
from comms_assistant.service.finding import Refused
from comms_assistant.service.handlers.context import Context, Reply

NO_PAGE = (
    "No public status page is set up: set status_page to statuspage, upptime or webhook "
    "(docs/status-page.md)."
)
_SHOWN = (EntryKind.UPDATE, EntryKind.DECLARED)
# What a page that keeps something of an unpublished incident (the webhook's receiver) is told.
UNPUBLISHED = "We have taken this notice down."


def publish(command: c.Publish, ctx: Context) -> Reply:
    page, incident = _page(ctx), ctx.incident
    _require_open(incident, "published")
    if publication.page_state(ctx.uow, incident) is PageState.PUBLISHED:
        raise Refused(
            f"{incident.reference} is already on the public status page: to change what it "
            "says, send 'update <text> public: <what the public may read>'."
        )
    if incident.security and not command.text:
        raise Refused(
            f"{incident.reference} is a security incident: say what the public may read, "
            "'publish <words>'. Nothing else about it goes on the page: later updates only "
            "with 'public: <words>'."
        )
    directory = _directory(ctx)
    words = command.text or _latest_words(page, incident, directory)
    entry = incident.log("Published on the public status page", who=ctx.who, now=ctx.now)
    return _queued(ctx, page, Event.PUBLISH, entry, words, directory)


def unpublish(command: c.Unpublish, ctx: Context) -> Reply:
    page, incident = _page(ctx), ctx.incident
    if publication.page_state(ctx.uow, incident) is not PageState.PUBLISHED:
        raise Refused(f"{incident.reference} is not on the public status page.")
    entry = incident.log("Taken off the public status page", who=ctx.who, now=ctx.now)
    return _queued(ctx, page, Event.UNPUBLISH, entry, UNPUBLISHED, _directory(ctx))


def _queued(
    ctx: Context,
    page: publication.PublicPage,
    event: Event,
    entry: TimelineEntry,
    words: str,
    directory: Directory,
) -> Reply:
    incident = ctx.incident
    note = publication.queue(page, ctx.uow, incident, event, entry, ctx.now, words, directory)
    if note.queued is None:
        raise Refused(note.said)  # nothing is kept: the log entry goes with the transaction
    report = ctx.planner.report(ctx.uow, incident, entry, ctx.now)
    ctx.uow.flush()
    return Reply(
        f"{incident.reference}: {note.said}",
        reference=incident.reference,
        deliveries=(report.id, note.queued.id),
    )


def _page(ctx: Context) -> publication.PublicPage:
    if ctx.planner.page is None:
        raise Refused(NO_PAGE)
    return ctx.planner.page


def _require_open(incident: Incident, what: str) -> None:
    if not incident.is_open:
        raise Refused(
            f"{incident.reference} is {incident.status.value}: only an open incident can be {what}."
        )


def _directory(ctx: Context) -> Directory:
    return ctx.planner.directory or Directory(contacts=ctx.planner.contacts)


def _latest_words(page: publication.PublicPage, incident: Incident, directory: Directory) -> str:
    """The public template's words from the latest update (else the impact, else the title)."""
    latest = next((e for e in reversed(incident.timeline) if e.kind in _SHOWN), None)
    kind = MessageKind.UPDATE if latest and latest.kind is EntryKind.UPDATE else MessageKind.OPENED
    entry = latest or incident.timeline[0]
    services = publication.affected(incident, directory)
    return publication.default_words(page, incident, kind, entry, services)
