"""SharePoint document library access through Graph: the `DocumentStore` port.

Paths are relative to the library root ("Incident reports/<name>.docx"). The site and drive
ids are resolved once and cached: every other call is then a single Graph request, except
`copy` (POST + monitor polls + GET) and `download` (metadata, then content).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import httpx

from comms_assistant.adapters.graph.client import literal_url, no_retry_config, path_in_url, segment
from comms_assistant.adapters.graph.errors import from_status, to_port_error, translated
from comms_assistant.config import SettingsError
from comms_assistant.service.ports import DeliveryError, DriveItem, NotFound

if TYPE_CHECKING:
    from msgraph import GraphServiceClient


class GraphDocumentStore:
    """Files in one document library of one SharePoint site."""

    def __init__(
        self,
        client: GraphServiceClient,
        site: str,
        library: str = "Documents",
        *,
        copy_timeout: float = 60.0,
    ) -> None:
        if ":/" not in site:
            raise SettingsError(f"site must look like 'host:/sites/path', got {site!r}")
        self._client = client
        self._site = site
        self._library = library
        self._copy_timeout = copy_timeout
        self._drive_id: str | None = None
        self._resolve_lock = asyncio.Lock()
        # For the copy monitor, which is polled without a token: one client for the store's
        # life. A client per copy built an SSL context each time (~50 ms of CPU on the report's
        # critical path, and ~1 MB each until collected).
        self._monitor = httpx.AsyncClient(timeout=10.0, follow_redirects=False)

    async def aclose(self) -> None:
        await self._monitor.aclose()

    # -- the port ------------------------------------------------------------------------------

    async def get_by_path(self, path: str) -> DriveItem | None:
        drive = await self._drive()
        url = literal_url(self._client, f"drives/{segment(drive)}/root:/{path_in_url(path)}:")
        try:
            with translated(f"look up {path!r}"):
                item = await self._items(drive).by_drive_item_id("_").with_url(url).get()
        except NotFound:
            return None
        return _drive_item(item)

    async def copy(self, source_path: str, folder: str, name: str) -> DriveItem:
        drive = await self._drive()
        # Independent look-ups: one round trip, not two, on the way to a new report.
        source, target = await asyncio.gather(self._require(source_path), self._require(folder))
        monitor = await self._start_copy(drive, source.id, target.id, name)
        target_path = f"{folder.strip('/')}/{name}"
        if monitor is None:  # 409 nameAlreadyExists: an earlier attempt already copied it
            return await self._require(target_path)
        resource_id = await self._wait_for_copy(monitor, target_path)
        if resource_id:
            with translated(f"read the copy {target_path!r}"):
                item = await self._items(drive).by_drive_item_id(resource_id).get()
            copied = _drive_item(item)
            untouched = item.created_date_time == item.last_modified_date_time
            return replace(copied, pristine=untouched and item.created_date_time is not None)
        return await self._require(target_path)

    async def read(self, path: str) -> bytes:
        drive = await self._drive()
        url = literal_url(
            self._client, f"drives/{segment(drive)}/root:/{path_in_url(path)}:/content"
        )
        with translated(f"read {path!r}"):
            content = await self._items(drive).by_drive_item_id("_").content.with_url(url).get()
        return content or b""

    async def download(self, item_id: str) -> tuple[bytes, str]:
        drive = await self._drive()
        builder = self._items(drive).by_drive_item_id(item_id)
        # Metadata first, content second: if someone saves in between we hold an older eTag
        # with newer content, and the next replace fails with 412 (safe). The other order would
        # pair old content with the new eTag and overwrite their edit.
        with translated(f"read item {item_id}"):
            item = await builder.get()
        with translated(f"download item {item_id}"):
            content = await builder.content.get()
        return content or b"", _drive_item(item).etag

    async def replace(self, item_id: str, content: bytes, *, if_match: str) -> DriveItem:
        from kiota_abstractions.base_request_configuration import RequestConfiguration

        drive = await self._drive()
        config: RequestConfiguration[Any] = RequestConfiguration()
        config.headers.add("If-Match", if_match)
        # Content uploads (octet-stream) are never retried by kiota; the outbox retries them.
        with translated(f"save item {item_id}"):
            item = await self._items(drive).by_drive_item_id(item_id).content.put(content, config)
        return _drive_item(item)

    async def upload(self, folder: str, name: str, content: bytes) -> DriveItem:
        drive = await self._drive()
        parent_id = (await self._require(folder)).id if folder.strip("/") else "root"
        url = literal_url(
            self._client,
            f"drives/{segment(drive)}/items/{segment(parent_id)}:/{segment(name)}:/content",
        )
        items = self._items(drive)
        with translated(f"upload {name!r} to {folder!r}"):
            item = await items.by_drive_item_id("_").content.with_url(url).put(content)
        return _drive_item(item)

    async def create(self, folder: str, name: str, content: bytes) -> DriveItem | None:
        drive = await self._drive()
        # By path from the root: no look-up of the folder first. conflictBehavior=fail makes a
        # taken name a 409 instead of a new version over someone's document.
        path = path_in_url(f"{folder.strip('/')}/{name}")
        url = literal_url(
            self._client,
            f"drives/{segment(drive)}/root:/{path}:/content?@microsoft.graph.conflictBehavior=fail",
        )
        items = self._items(drive)
        try:
            with translated(f"create {name!r} in {folder!r}"):
                item = await items.by_drive_item_id("_").content.with_url(url).put(content)
        except DeliveryError as exc:
            if getattr(exc.__cause__, "response_status_code", None) == 409:
                return None
            raise
        return _drive_item(item)

    # -- helpers -------------------------------------------------------------------------------

    def _items(self, drive_id: str) -> Any:
        return self._client.drives.by_drive_id(drive_id).items

    async def _require(self, path: str) -> DriveItem:
        item = await self.get_by_path(path)
        if item is None:
            raise NotFound(f"{path!r} is not in library {self._library!r} of {self._site}")
        return item

    async def _drive(self) -> str:
        if self._drive_id is not None:
            return self._drive_id
        async with self._resolve_lock:
            if self._drive_id is None:
                self._drive_id = await self._resolve_drive()
        return self._drive_id

    async def _resolve_drive(self) -> str:
        host, path = self._site.split(":/", 1)
        url = literal_url(self._client, f"sites/{segment(host)}:/{path_in_url(path)}")
        with translated(f"find site {self._site}"):
            site = await self._client.sites.by_site_id("_").with_url(url).get()
        if site is None or not site.id:
            raise NotFound(f"site {self._site} not found")
        with translated(f"list libraries of {self._site}"):
            drives = await self._client.sites.by_site_id(site.id).drives.get()
        names = []
        for drive in (drives.value if drives else None) or []:
            names.append(drive.name or "")
            if (drive.name or "").casefold() == self._library.casefold() and drive.id:
                return str(drive.id)
        raise NotFound(f"library {self._library!r} not found in {self._site} (has: {names})")

    async def _start_copy(
        self, drive: str, source_id: str, parent_id: str, name: str
    ) -> str | None:
        """POST copy; returns the monitor URL, or None when the target name is already taken."""
        from kiota_http.middleware.options import HeadersInspectionHandlerOption
        from msgraph.generated.drives.item.items.item.copy.copy_post_request_body import (
            CopyPostRequestBody,
        )
        from msgraph.generated.models.item_reference import ItemReference

        body = CopyPostRequestBody(
            name=name, parent_reference=ItemReference(drive_id=drive, id=parent_id)
        )
        inspect = HeadersInspectionHandlerOption(inspect_response_headers=True)
        # conflictBehavior is only honoured as a query parameter: fail, never overwrite a report.
        url = literal_url(
            self._client,
            f"drives/{segment(drive)}/items/{segment(source_id)}/copy"
            "?@microsoft.graph.conflictBehavior=fail",
        )
        builder = self._items(drive).by_drive_item_id(source_id).copy.with_url(url)
        try:
            with translated(f"copy to {name!r}"):
                # SDK retry off: a retried copy's Location header is lost (measured: 429 then
                # 202, and no monitor URL), and the outbox retries with Retry-After anyway.
                config = no_retry_config()
                config.options.append(inspect)
                await builder.post(body, config)
        except DeliveryError as exc:
            # Some Graph back ends refuse the clash at once (409) instead of via the monitor.
            if getattr(exc.__cause__, "response_status_code", None) == 409:
                return None
            raise
        location = inspect.response_headers.get("location")
        if not location:
            # The copy may still have happened; retrying is safe: the next attempt looks for the
            # file by its name first.
            raise DeliveryError(f"copy to {name!r}: Graph gave no monitor URL", retryable=True)
        return next(iter(location))

    async def _wait_for_copy(self, monitor: str, target_path: str) -> str | None:
        """Poll the copy monitor (no token: it is pre-authorised) until done; the new item id."""
        deadline = time.monotonic() + self._copy_timeout
        delay = 0.05
        while True:
            status = await self._monitor_says(monitor, target_path)
            if status is None:
                return None
            reported = str(status.get("status", ""))
            if reported.lower() in ("completed", "failed"):
                return _copied(status, target_path)
            if time.monotonic() + delay > deadline:
                raise DeliveryError(
                    f"copy to {target_path!r} still {reported or 'pending'} after "
                    f"{self._copy_timeout:.0f} s",
                    retryable=True,
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)

    async def _monitor_says(self, monitor: str, target_path: str) -> dict[str, Any] | None:
        """The copy monitor's status; None when it already points at the finished item."""
        try:
            response = await self._monitor.get(monitor)
        except httpx.HTTPError as exc:
            raise to_port_error(exc, action=f"copy to {target_path!r} (monitor)") from exc
        if response.status_code == 303:
            # OneDrive answers "See Other" pointing at the finished item.
            return None
        if response.status_code >= 400:
            raise from_status(
                response.status_code,
                action=f"copy to {target_path!r} (monitor)",
                headers=response.headers,
            )
        return _monitor_status(response)


def _copied(status: dict[str, Any], target_path: str) -> str | None:
    """The new item's id from a finished copy's status; None when it gives none or the name
    was already taken."""
    if str(status.get("status", "")).lower() == "completed":
        return status.get("resourceId") or None
    error = status.get("error") or {}
    if error.get("code") == "nameAlreadyExists":
        return None
    raise DeliveryError(
        f"copy to {target_path!r} failed: {error.get('code', '')} "
        f"{error.get('message', '')}".strip(),
        retryable=False,
    )


def _monitor_status(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _drive_item(item: Any) -> DriveItem:
    if item is None or not item.id:
        raise DeliveryError("Graph returned no drive item", retryable=False)
    return DriveItem(
        id=str(item.id), name=item.name or "", etag=item.e_tag or "", web_url=item.web_url or ""
    )
