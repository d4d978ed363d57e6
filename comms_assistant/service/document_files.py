"""Documents made from templates in SharePoint: the copy, the first fill, python-docx's memory."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable
from typing import TypeVar

from comms_assistant.domain.incident import Incident
from comms_assistant.service.document_errors import missing_folder, missing_template
from comms_assistant.service.ports import DocumentStore, DriveItem, NotFound

Transform = Callable[[bytes], bytes]
T = TypeVar("T")


async def copy_template(
    documents: DocumentStore,
    template: str,
    folder: str,
    name: str,
    fill: Transform,
    incident: Incident,
) -> tuple[DriveItem, bytes | None]:
    """The report copied from the template, and the template filled in by `fill` when the
    copy is known to hold just the template (so the first write need not download it).

    No look-up first: the copy refuses a taken name and then returns the file there (one
    an earlier attempt copied before its answer was lost). The template is read and filled
    while the copy runs: the report is ready two round trips sooner.
    """

    async def read_and_fill() -> bytes:
        return released(fill)(await documents.read(template))

    copied, filled = await asyncio.gather(
        documents.copy(template, folder, name),
        read_and_fill(),
        return_exceptions=True,
    )
    if isinstance(copied, NotFound):
        # The copy looks the template up itself: asking first would cost a round trip.
        if await documents.get_by_path(template) is None:
            raise missing_template(template)  # says which one is missing
        if await documents.get_by_path(folder) is None:  # or that the folder is
            raise missing_folder(folder, incident)
    if isinstance(copied, BaseException):
        raise copied
    if isinstance(filled, BaseException) or not copied.pristine:
        # Someone may have written in it already, or the read failed: download it.
        return copied, None
    return copied, filled


async def build_once(
    documents: DocumentStore,
    template: str,
    folder: str,
    name: str,
    build: Transform,
    incident: Incident,
) -> DriveItem | None:
    """Create a document from a template, or None if it exists: filed by an earlier
    attempt, and people may already be writing in it."""
    if incident.security and await documents.get_by_path(folder) is None:
        # Creating by path makes missing folders, and one made so inherits the library's
        # permissions (everyone's): never make the security folder that way.
        raise missing_folder(folder, incident)
    try:
        content = await documents.read(template)
    except NotFound:
        raise missing_template(template) from None
    return await documents.create(folder, name, released(build)(content))


def released(work: Callable[[bytes], T]) -> Callable[[bytes], T]:
    """`work` on a Word document, then a full collection: a python-docx document is a reference
    cycle holding ~3 MB of lxml trees that only the cycle collector frees, and without this they
    piled up between its rare full runs (worker peak 211 MB for 100 incidents; 147 MB with it).
    Cheap once the start-up heap is frozen (comms_assistant/heap.py): ~5 ms."""

    def run(content: bytes) -> T:
        try:
            return work(content)
        finally:
            gc.collect()

    return run
