"""The incident register as a SharePoint list, through Graph's lists API: the `Register` port.

Graph's "Create list", "Create listItem", "Update listItem" and "List items": application
permission Sites.ReadWrite.All (or Sites.Selected with write on the incidents site), as for the
documents. The list is found by its display name in the site's lists; an item by its Reference
column, which the list indexes (filtering on a column that is not indexed needs
`Prefer: HonorNonIndexedQueriesWarningMayFailRandomly`, sent as well, so a list an
administrator made by hand without the index still works). Making an item has no idempotency
key, so it goes with kiota's retry off: the caller looks before making one again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from comms_assistant.adapters.graph.client import literal_url, no_retry_config, path_in_url, segment
from comms_assistant.adapters.graph.errors import translated
from comms_assistant.config import SettingsError
from comms_assistant.service.ports import DeliveryError, NotFound
from comms_assistant.service.register_port import Column, RegisterItem

if TYPE_CHECKING:
    from msgraph import GraphServiceClient

NON_INDEXED = "HonorNonIndexedQueriesWarningMayFailRandomly"


class GraphRegister:
    def __init__(self, client: GraphServiceClient, site: str, name: str) -> None:
        if ":/" not in site:
            raise SettingsError(f"site must look like 'host:/sites/path', got {site!r}")
        self._client = client
        self._site = site
        self._name = name
        self._site_id: str | None = None
        self._list_id: str | None = None
        self._lock = asyncio.Lock()

    @property
    def name(self) -> str:
        return self._name

    async def exists(self) -> bool:
        # Once found, a list is taken to stay: one request fewer on every write.
        return self._list_id is not None or await self._find_list() is not None

    async def web_url(self) -> str:
        found = await self._find_list()
        return str(found.web_url or "") if found is not None else ""

    async def create_list(self, columns: tuple[Column, ...]) -> str:
        from msgraph.generated.models.list_ import List_
        from msgraph.generated.models.list_info import ListInfo

        if await self._find_list() is not None:
            there = f"the site has a list called {self._name!r} already"
            raise DeliveryError(there, retryable=False)
        body = List_(
            display_name=self._name,
            columns=[_column(c) for c in columns],
            list_=ListInfo(template="genericList"),
        )
        site = await self._site_builder()
        with translated(f"make the list {self._name!r}"):
            made = await site.lists.post(body, no_retry_config())
        if made is None or not made.id:
            raise DeliveryError(f"SharePoint made the list {self._name!r} but gave no id")
        self._list_id = str(made.id)
        return str(made.web_url or "")

    async def find(self, reference: str) -> RegisterItem | None:
        from kiota_abstractions.base_request_configuration import RequestConfiguration
        from kiota_abstractions.headers_collection import HeadersCollection
        from msgraph.generated.sites.item.lists.item.items.items_request_builder import (
            ItemsRequestBuilder,
        )

        items = (await self._list()).items
        quoted = reference.replace("'", "''")
        query = ItemsRequestBuilder.ItemsRequestBuilderGetQueryParameters(
            expand=["fields"], filter=f"fields/Reference eq '{quoted}'"
        )
        headers = HeadersCollection()
        headers.add("Prefer", NON_INDEXED)
        config = RequestConfiguration(headers=headers, query_parameters=query)
        with translated(f"look for {reference} in the list {self._name!r}"):
            page = await items.get(config)
        found = [_item(i) for i in (page.value if page else None) or []]
        return found[0] if found else None

    async def get(self, item_id: str) -> RegisterItem | None:
        from kiota_abstractions.base_request_configuration import RequestConfiguration
        from msgraph.generated.sites.item.lists.item.items.item.list_item_item_request_builder import (  # noqa: E501
            ListItemItemRequestBuilder,
        )

        query = ListItemItemRequestBuilder.ListItemItemRequestBuilderGetQueryParameters(
            expand=["fields"]
        )
        builder = (await self._list()).items.by_list_item_id(item_id)
        try:
            with translated(f"read item {item_id} of the list {self._name!r}"):
                item = await builder.get(RequestConfiguration(query_parameters=query))
        except NotFound:
            return None
        return _item(item) if item is not None else None

    async def create(self, fields: Mapping[str, Any]) -> RegisterItem:
        from msgraph.generated.models.field_value_set import FieldValueSet
        from msgraph.generated.models.list_item import ListItem

        body = ListItem(fields=FieldValueSet(additional_data=dict(fields)))
        items = (await self._list()).items
        with translated(f"add {fields.get('Reference')} to the list {self._name!r}"):
            made = await items.post(body, no_retry_config())
        if made is None or not made.id:
            raise DeliveryError(f"SharePoint added {fields.get('Reference')} but gave no id")
        return _item(made)

    async def update(
        self, item_id: str, fields: Mapping[str, Any], *, if_match: str
    ) -> RegisterItem:
        from kiota_abstractions.base_request_configuration import RequestConfiguration
        from kiota_abstractions.headers_collection import HeadersCollection
        from msgraph.generated.models.field_value_set import FieldValueSet

        headers = HeadersCollection()
        headers.add("If-Match", if_match)
        builder = (await self._list()).items.by_list_item_id(item_id).fields
        with translated(f"update {fields.get('Reference')} in the list {self._name!r}"):
            changed = await builder.patch(
                FieldValueSet(additional_data=dict(fields)), RequestConfiguration(headers=headers)
            )
        data = dict(changed.additional_data or {}) if changed is not None else {}
        return RegisterItem(item_id, str(data.get("@odata.etag") or ""), data)

    # -- finding the site and the list ---------------------------------------------------------

    async def _site_builder(self) -> Any:
        if self._site_id is None:
            host, path = self._site.split(":/", 1)
            url = literal_url(self._client, f"sites/{segment(host)}:/{path_in_url(path)}")
            with translated(f"find site {self._site}"):
                site = await self._client.sites.by_site_id("_").with_url(url).get()
            if site is None or not site.id:
                raise NotFound(f"site {self._site} not found")
            self._site_id = str(site.id)
        return self._client.sites.by_site_id(self._site_id)

    async def _find_list(self) -> Any:
        site = await self._site_builder()
        with translated(f"list the lists of {self._site}"):
            page = await site.lists.get()
        for found in (page.value if page else None) or []:
            if (found.display_name or "").casefold() == self._name.casefold():
                self._list_id = str(found.id)
                return found
        return None

    async def _list(self) -> Any:
        async with self._lock:
            if self._list_id is None and await self._find_list() is None:
                raise NotFound(f"the list {self._name!r} is not in {self._site}")
        site = await self._site_builder()
        return site.lists.by_list_id(str(self._list_id))


def _column(column: Column) -> Any:
    from msgraph.generated.models.boolean_column import BooleanColumn
    from msgraph.generated.models.column_definition import ColumnDefinition
    from msgraph.generated.models.date_time_column import DateTimeColumn
    from msgraph.generated.models.number_column import NumberColumn
    from msgraph.generated.models.text_column import TextColumn

    made = ColumnDefinition(name=column.name, display_name=column.shown)
    if column.indexed:
        made.indexed = True
    match column.kind:
        case "text":
            made.text = TextColumn()
        case "note":
            made.text = TextColumn(allow_multiple_lines=True, lines_for_editing=4)
        case "number":
            made.number = NumberColumn(decimal_places="none")
        case "dateTime":
            made.date_time = DateTimeColumn(format="dateTime", display_as="standard")
        case "boolean":
            made.boolean = BooleanColumn()
    return made


def _item(item: Any) -> RegisterItem:
    fields = item.fields.additional_data if item.fields is not None else {}
    etag = item.e_tag or (item.additional_data or {}).get("@odata.etag") or ""
    return RegisterItem(str(item.id), str(etag), dict(fields or {}))
