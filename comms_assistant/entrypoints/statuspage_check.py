"""`comms-assistant statuspage check`: is the public status page ready before an incident?

Prints ✓, ✗ with what to fix, or ! (works, worth a look) for the key or token, the page or
repository, and every service mapped to it in services.csv (adapters/status_pages/check.py).
Exit status 1 when something must be fixed. With the sandbox tenant, checks the sandbox's page.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from comms_assistant.adapters.status_pages.check import Finding
    from comms_assistant.bootstrap import App

statuspage_app = typer.Typer(help="The public status page.", no_args_is_help=True)


@statuspage_app.command("check")
def check() -> None:
    """Check the key or token, the page or repository, and each mapped component or site."""
    from comms_assistant.bootstrap import bootstrap

    app = bootstrap()
    if app.settings.status_page == "none":
        typer.echo(
            "No public status page is set up (status_page is none): set it to statuspage, "
            "upptime or webhook (docs/status-page.md)."
        )
        raise typer.Exit(1)
    findings = asyncio.run(_run(app))
    lines = []
    for found in findings:
        detail = f": {found.detail}" if found.detail else ""
        lines.append(f"{found.mark} {found.name}{detail}")
        if found.fix:
            lines.append(f"    fix: {found.fix}")
    typer.echo("\n".join(lines))
    raise typer.Exit(1 if any(f.mark == "✗" for f in findings) else 0)


async def _run(app: App) -> list[Finding]:
    from comms_assistant.adapters.contacts import load_directory
    from comms_assistant.adapters.status_pages import target
    from comms_assistant.adapters.status_pages.check import check as check_page

    services = load_directory(app.contacts_dir).services
    async with app.graph_endpoint() as (graph_url, _token_url):
        sandbox = graph_url.removesuffix("/v1.0") if app.settings.uses_sandbox else None
        found = target(app.settings, sandbox)
        assert found is not None
        return await check_page(found, services)
