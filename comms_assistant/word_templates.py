"""The Word templates the product ships: which files, uploading them to the SharePoint
Templates folder (`templates publish`, `graph check`), and seeding them in the sandbox tenant."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from comms_assistant.config import Settings
    from comms_assistant.service.ports import DocumentStore


class App(Protocol):
    """What these need of the application (bootstrap.App)."""

    @property
    def settings(self) -> Settings: ...

    @property
    def templates_dir(self) -> Path: ...


def template_files(app: App) -> dict[str, Path]:
    """The Word templates to upload, by name; a missing one is a FileNotFoundError."""
    settings = app.settings
    files = {}
    for name in (
        settings.report_template,
        settings.review_template,
        settings.major_incident_template,
        settings.board_report_template,
    ):
        source = app.templates_dir / "word" / name
        if not source.is_file():
            raise FileNotFoundError(f"The template {source} does not exist.")
        files[name] = source
    return files


async def publish_templates(app: App, documents: DocumentStore, *, only_missing: bool) -> list[str]:
    """Upload the Word templates to the SharePoint Templates folder; returns what was uploaded."""
    folder = app.settings.templates_folder
    uploaded = []
    for name, source in template_files(app).items():
        if only_missing and await documents.get_by_path(f"{folder}/{name}") is not None:
            continue
        await documents.upload(folder, name, source.read_bytes())
        uploaded.append(f"{folder}/{name}")
    return uploaded


async def seed_sandbox_templates(app: App, graph_url: str) -> None:
    """Put the Word templates in the sandbox tenant, unless they are there already.

    Through the sandbox's control API, not Graph: fault rules act on the product's Graph
    requests only, so a rule meant for its uploads cannot stop every run before it starts.
    """
    import httpx

    folder = app.settings.templates_folder
    async with httpx.AsyncClient(base_url=graph_url.removesuffix("/v1.0"), timeout=60) as client:
        for name, source in template_files(app).items():
            reply = await client.put(
                "/_sandbox/file",
                params={"path": f"{folder}/{name}", "replace": "false"},
                content=source.read_bytes(),
            )
            reply.raise_for_status()
