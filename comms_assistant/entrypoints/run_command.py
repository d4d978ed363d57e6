"""`comms-assistant run`: one command, its reply, and (by default) its deliveries."""

from __future__ import annotations

import asyncio

import typer

from comms_assistant.adapters.sql import outbox, views
from comms_assistant.bootstrap import App, bootstrap
from comms_assistant.entrypoints import bad_edits
from comms_assistant.service.delivery_kinds import spec_of

EXIT_REFUSED = 1
EXIT_UNDELIVERED = 3


def run_command(
    text: str, *, who: str | None, incident: str | None, wait: bool, timeout: float
) -> int:
    app = bootstrap()
    reply = app.commands().execute(text, who=who, incident=incident, shell=True)
    typer.echo(reply.text)
    # A file with a mistake: this ran on its last good copy (the worker tells the leads).
    for line in bad_edits.in_use(app):
        typer.echo(line)
    if not reply.ok:
        return EXIT_REFUSED
    if not reply.deliveries:
        return 0
    ids = set(reply.deliveries)
    if wait:
        asyncio.run(deliver(app, ids, timeout=timeout))
    rows = views.deliveries(app.engine, ids)
    typer.echo("")
    typer.echo("\n".join(describe_delivery(row) for row in rows))
    unsettled = [r for r in rows if r.status != views.DONE]
    if wait and unsettled:
        return EXIT_UNDELIVERED
    return 0


def deliver_pending(*, timeout: float, failed: bool = False) -> int:
    app = bootstrap()
    if failed:
        again = outbox.retry_failed(app.engine, now=app.clock())
        typer.echo(f"Trying {len(again)} failed deliveries again.")
    ids = {row.id for row in views.deliveries(app.engine) if row.status == views.PENDING}
    if not ids:
        typer.echo("Nothing is waiting to be delivered.")
        return 0
    # Those the pending ones caused while they went (the message that a report is filed) count
    # too: a deliver that ran out of time before them has not delivered everything.
    ids = asyncio.run(deliver(app, ids, timeout=timeout))
    rows = views.deliveries(app.engine, ids)
    typer.echo("\n".join(describe_delivery(row) for row in rows))
    return EXIT_UNDELIVERED if any(r.status != views.DONE for r in rows) else 0


async def deliver(app: App, ids: set[int], *, timeout: float) -> set[int]:
    """Deliver `ids` and what they cause; all of those."""
    async with app.dispatcher() as dispatcher:
        return set(await dispatcher.drain(ids, timeout=timeout))


def describe_delivery(row: views.DeliveryView) -> str:
    spec = spec_of(row.kind)
    # One a newer version queued is still listed: the rest of the listing matters more.
    what = spec.describe(row.payload) if spec else f"{row.kind}  {row.key}"
    if row.status == views.DONE:
        join = (row.result or {}).get("join_url")
        return f"  sent     {what}" + (f"\n           join: {join}" if join else "")
    if row.status == views.FAILED:
        return f"  FAILED   {what}\n           {row.last_error}"
    retry = f", next try {row.next_attempt_at:%H:%M:%S} UTC" if row.attempts else ""
    reason = f" ({row.last_error})" if row.last_error else ""
    return (
        f"  waiting  {what}{retry}{reason}\n"
        "           run 'comms-assistant deliver' (or any command) to try again"
    )
