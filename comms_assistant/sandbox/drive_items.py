"""A driveItem as the library's sqlite table holds it, and the eTag comparison requests make."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    id: str
    parent_id: str | None
    name: str
    is_folder: bool
    guid: str
    version: int
    content_version: int
    created: str
    modified: str
    size: int
    mtime_ns: int

    @property
    def etag(self) -> str:
        return f'"{{{self.guid}}},{self.version}"'

    @property
    def ctag(self) -> str:
        return f'"c:{{{self.guid}}},{self.content_version}"'


def item_from_row(row: sqlite3.Row) -> Item:
    return Item(**{key: row[key] for key in row.keys()})  # noqa: SIM118 (Row has no __iter__ keys)


def etag_matches(header: str, item: Item) -> bool:
    """Compare an If-Match value with an item's eTag (or cTag), forgiving quotes and W/."""

    def bare(tag: str) -> str:
        tag = tag.strip()
        tag = tag.removeprefix("W/")
        return tag.strip('"').lower()

    candidates = [part for part in header.split(",") if part.strip()] if header else []
    # An eTag itself contains a comma ("{GUID},3"): compare the whole header first.
    wanted = {bare(header)} | {bare(part) for part in candidates}
    return "*" in wanted or bare(item.etag) in wanted or bare(item.ctag) in wanted
