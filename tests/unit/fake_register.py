"""The incident register's list in memory: the `Register` port (service/register_port.py)."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from comms_assistant.service.ports import PreconditionFailed
from comms_assistant.service.register_port import Column, RegisterItem


@dataclass
class FakeRegister:
    name: str = "Incident register"
    made: bool = True
    items: dict[str, RegisterItem] = field(default_factory=dict)
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    async def exists(self) -> bool:
        return self.made

    async def create_list(self, columns: tuple[Column, ...]) -> str:
        self.made = True
        return "https://example.sharepoint.com/sites/incidents/Lists/Incidentregister"

    async def find(self, reference: str) -> RegisterItem | None:
        return next((i for i in self.items.values() if i.fields["Reference"] == reference), None)

    async def get(self, item_id: str) -> RegisterItem | None:
        return self.items.get(item_id)

    async def create(self, fields: Mapping[str, Any]) -> RegisterItem:
        item_id = str(next(self._ids))
        self.items[item_id] = RegisterItem(item_id, f"{item_id},1", dict(fields))
        return self.items[item_id]

    async def update(
        self, item_id: str, fields: Mapping[str, Any], *, if_match: str
    ) -> RegisterItem:
        item = self.items[item_id]
        if if_match != item.etag:
            raise PreconditionFailed("the item changed since")
        version = int(item.etag.split(",")[1]) + 1
        changed = {**item.fields, **fields}
        self.items[item_id] = RegisterItem(item_id, f"{item_id},{version}", changed)
        return self.items[item_id]
