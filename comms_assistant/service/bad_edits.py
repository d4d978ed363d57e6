"""A mistake saved into the contacts directory, the profile or the glossary, told to the people
who can have it fixed: the lead of each open incident, else the admin_email setting.

The worker, the bot and `run` go on with the last good copy (adapters/last_good.py), so the
mistake stops nothing; but someone must hear of it, once. The outbox key holds the hash of the
file's content: a second tick, a restart or another process queues nothing more, and a new
mistake (a different content) is told again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from comms_assistant.service import lead_notices
from comms_assistant.service.delivery_kinds import DeliveryKind
from comms_assistant.service.ports import DEFAULT_SECURITY_MARKING
from comms_assistant.service.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

# The outbox lane of notices that belong to no incident.
ADMIN_LANE = "admin:notices"


@dataclass(frozen=True)
class Mistake:
    """What is wrong with one edited file, as a person fixing it needs to know."""

    what: str  # "contacts file", "profile", "glossary"
    file: Path  # the file people edit, where the mistake is
    line: int | None
    problem: str  # what is wrong, in words
    check: str  # the command that checks the file
    digest: str  # the hash of the content with the mistake
    more: int = 0  # how many other problems it has
    gone: bool = False  # the file or folder is not there at all: `problem` says what to set

    def fault(self) -> str:
        if self.gone:
            return f"The {self.what} {self.file} is not there: {self.problem.rstrip('.')}."
        where = f" on line {self.line}" if self.line else ""
        more = f" (and {self.more} more)" if self.more else ""
        return (
            f"The {self.what} {self.file} has a mistake{where}: {self.problem.rstrip('.')}{more}."
        )

    def sentence(self, saved: str | None = None) -> str:
        """One line: which file, which line, what is wrong, what is used meanwhile (`saved`:
        when the good copy in use was saved) and the command that checks it."""
        parts = [self.fault()]
        if saved is not None:
            parts.append(meanwhile(saved))
        parts.append(f"Check it with: {self.check}")
        return " ".join(parts)

    @property
    def key(self) -> str:
        return f"bad-edit:{self.what.replace(' ', '-')}:{self.digest[:16]}"


def tell(
    uow: UnitOfWork,
    mistakes: list[tuple[Mistake, str | None]],
    *,
    admin: str | None,
    now: datetime,
    marking: str = DEFAULT_SECURITY_MARKING,
) -> int:
    """Queue one email about each mistake (with when its good copy was saved) to the lead of
    each open incident, or to `admin` when none is open; how many were queued."""
    if not mistakes:
        return 0
    if not uow.incidents.open():
        return sum(
            _tell_admin(uow, mistake, _title(mistake), _paragraphs(mistake, saved), admin, now)
            for mistake, saved in mistakes
        )
    return tell_open_incidents(uow, mistakes, now=now, marking=marking)


def tell_open_incidents(
    uow: UnitOfWork,
    mistakes: list[tuple[Mistake, str | None]],
    *,
    now: datetime,
    marking: str = DEFAULT_SECURITY_MARKING,
) -> int:
    """Queue the email about each mistake to the lead of each open incident not yet told of it:
    also those opened after the mistake was made, while it is still there."""
    queued = 0
    for incident in uow.incidents.open() if mistakes else []:
        for mistake, saved in mistakes:
            if uow.deliveries.by_key(f"{incident.reference}:{mistake.key}") is not None:
                continue
            lead_notices.enqueue_notice(
                uow,
                incident,
                key=mistake.key,
                title=_title(mistake),
                paragraphs=_paragraphs(mistake, saved),
                now=now,
                email=True,
                marking=marking,
            )
            queued += 1
    return queued


def _title(mistake: Mistake) -> str:
    return f"a mistake in the {mistake.what}"


def meanwhile(saved: str | None) -> str:
    when = f" (saved {saved})" if saved else ""
    return f"Until it is fixed, the assistant uses the last good copy{when}."


def _paragraphs(mistake: Mistake, saved: str | None) -> list[str]:
    return [mistake.fault(), meanwhile(saved), f"Check it with: {mistake.check}"]


def _tell_admin(
    uow: UnitOfWork,
    mistake: Mistake,
    title: str,
    paragraphs: list[str],
    admin: str | None,
    now: datetime,
) -> int:
    if not admin:
        log.warning("%s (no incident is open and admin_email is not set)", mistake.sentence())
        return 0
    if uow.deliveries.by_key(mistake.key) is not None:
        return 0
    payload = lead_notices.mail_payload(
        mistake.key, f"comms-assistant: {title}", paragraphs, admin, ""
    )
    payload["sensitivity"] = "normal"
    uow.deliveries.add(
        None, key=mistake.key, lane=ADMIN_LANE, kind=DeliveryKind.NOTICE, payload=payload, now=now
    )
    return 1
