"""The worker, the bot and `run` with the last good contacts directory, profile and glossary
(adapters/last_good.py): the files looked at again, mistakes told once, and what was built from
the old values built again (docs/bad-edits.md)."""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING

from comms_assistant.service import bad_edits
from comms_assistant.service.retries import retrying

if TYPE_CHECKING:
    from comms_assistant.bootstrap import App
    from comms_assistant.service.dispatcher import Dispatcher

log = logging.getLogger(__name__)


def look_again(app: App) -> int:
    """Read again whatever changed of the files the App uses (the glossary only when the
    plain-English check uses it), and queue an email about each new mistake; returns the
    version of the values in use. Raises NoGoodCopy when a file has a mistake and there never
    was a good copy of it."""
    app.files.directory()
    app.files.policy()
    if app.settings.plain_english_check:
        app.files.glossary()
    tell(app)
    return app.files.version


def tell(app: App) -> None:
    """Queue an email about each mistake found since the last call: to the lead of each open
    incident, or to admin_email when none is open (once per content: service/bad_edits.py).
    A mistake still there is told to the lead of an incident opened since, too."""
    fresh = app.files.take_fresh()
    for mistake, saved in fresh:
        log.warning("%s", mistake.sentence(saved))
    new = {mistake.key for mistake, _ in fresh}
    still = [(m, saved) for m, saved in app.files.in_use() if m.key not in new]
    if not fresh and not still:
        return

    def queue() -> int:
        with app.unit_of_work() as uow:
            now, marking = app.clock(), app.settings.security_marking
            told = bad_edits.tell(
                uow, fresh, admin=app.settings.admin_email, now=now, marking=marking
            )
            return told + bad_edits.tell_open_incidents(uow, still, now=now, marking=marking)

    try:
        retrying(queue, what="the notice of a mistake in an edited file")
    except Exception:
        app.files.untold(fresh)  # told at the next look instead
        raise


def in_use(app: App) -> list[str]:
    """One line for each file whose last good copy is in use, for `run`'s answer."""
    return [mistake.sentence(saved) for mistake, saved in app.files.in_use()]


def rebuilt(app: App, dispatcher: Dispatcher) -> Dispatcher:
    """`dispatcher` with what it has from the contacts directory and the profile as they are
    now. Only between passes, when none of its deliveries is going: the new one leases under a
    name of its own."""
    from comms_assistant.service.living_card import LivingCards

    planner = app.planner()
    directory = app.files.directory()
    return dataclasses.replace(
        dispatcher,
        people=directory.people_names(),
        service_names=directory.service_names(),
        living=LivingCards(planner.renderer, planner.policy),
        work=app.work(planner),
    )
