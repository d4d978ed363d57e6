"""The document library: driveItems whose metadata is in sqlite and whose bytes are real files.

Files a person drops into, edits in or deletes from the library folder by hand are noticed on the
next request that looks at their folder: a hand edit gets a new eTag/cTag, as in SharePoint.
"""

from __future__ import annotations

import mimetypes
import os
import shutil
from pathlib import Path
from urllib.parse import quote

from comms_assistant.sandbox import seed, version_store
from comms_assistant.sandbox.drive_items import Item, item_from_row
from comms_assistant.sandbox.names import check_name, check_path_length
from comms_assistant.sandbox.odata import GraphError, iso, now
from comms_assistant.sandbox.state import TenantState, atomic_write, new_guid, new_item_id

_MIME = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


class Drive:
    def __init__(self, state: TenantState) -> None:
        self.state = state
        self.db = state.db
        self.id = state.drive_id
        stamp = iso(now())
        self.db.execute(
            "INSERT OR IGNORE INTO items (id, parent_id, name, is_folder, guid, version,"
            " content_version, created, modified) VALUES (?, NULL, 'root', 1, ?, 1, 1, ?, ?)",
            (state.root_item_id, new_guid(), stamp, stamp),
        )
        self.sync_folder(self.root())
        for folder in seed.FOLDERS:
            self.child(self.root(), folder)

    # -- lookups -------------------------------------------------------------------------------

    def root(self) -> Item:
        return self._row(self.state.root_item_id)

    def _row(self, item_id: str) -> Item:
        row = self.db.execute("SELECT * FROM items WHERE id = ?", (item_id,)).fetchone()
        if row is None:
            raise GraphError(404, "itemNotFound", "The resource could not be found.")
        return item_from_row(row)

    def get(self, item_id: str) -> Item:
        if item_id.lower() == "root":
            return self.root()
        item = self._row(item_id)
        return self._refresh(item)

    def parts(self, item: Item) -> list[str]:
        names: list[str] = []
        while item.parent_id is not None:
            names.append(item.name)
            item = self._row(item.parent_id)
        return names[::-1]

    def disk_path(self, item: Item) -> Path:
        return self.state.library_dir.joinpath(*self.parts(item))

    def child(self, folder: Item, name: str) -> Item | None:
        row = self.db.execute(
            "SELECT * FROM items WHERE parent_id = ? AND name = ?", (folder.id, name)
        ).fetchone()
        if row is None:
            # Perhaps a person dropped it in by hand: look at the folder on disk once.
            self.sync_folder(folder)
            row = self.db.execute(
                "SELECT * FROM items WHERE parent_id = ? AND name = ?", (folder.id, name)
            ).fetchone()
        return self._refresh(item_from_row(row)) if row else None

    def resolve(self, base: Item, path: str) -> Item:
        item = base
        for name in [part for part in path.split("/") if part]:
            if not item.is_folder:
                raise GraphError(404, "itemNotFound", "The resource could not be found.")
            found = self.child(item, name)
            if found is None:
                raise GraphError(404, "itemNotFound", "The resource could not be found.")
            item = found
        return item

    def children(self, folder: Item) -> list[Item]:
        if not folder.is_folder:
            return []
        self.sync_folder(folder)
        rows = self.db.execute(
            "SELECT * FROM items WHERE parent_id = ? ORDER BY name", (folder.id,)
        ).fetchall()
        return [item_from_row(row) for row in rows]

    # -- keeping the db in step with the folder on disk ----------------------------------------

    def _refresh(self, item: Item) -> Item:
        path = self.disk_path(item)
        if not path.exists():
            self._forget(item.id)
            raise GraphError(404, "itemNotFound", "The resource could not be found.")
        if item.is_folder:
            return item
        stat = path.stat()
        if (stat.st_size, stat.st_mtime_ns) == (item.size, item.mtime_ns):
            return item
        # Changed behind Graph's back (a person saved it): that is a new version.
        self.db.execute(
            "UPDATE items SET version = version + 1, content_version = content_version + 1,"
            " size = ?, mtime_ns = ?, modified = ? WHERE id = ?",
            (stat.st_size, stat.st_mtime_ns, iso(now()), item.id),
        )
        return self._row(item.id)

    def sync_folder(self, folder: Item) -> None:
        path = self.disk_path(folder)
        on_disk = {entry.name: entry for entry in os.scandir(path)} if path.is_dir() else {}
        known = {
            row["name"].lower(): row["id"]
            for row in self.db.execute(
                "SELECT id, name FROM items WHERE parent_id = ?", (folder.id,)
            )
        }
        for name, entry in on_disk.items():
            if name.startswith(".") or name.lower() in known:
                continue
            stat = entry.stat()
            is_dir = entry.is_dir()
            size, mtime = (0, 0) if is_dir else (stat.st_size, stat.st_mtime_ns)
            self._insert(folder, name, is_dir, size, mtime)
        lowered = {name.lower() for name in on_disk}
        for name, item_id in known.items():
            if name not in lowered:
                self._forget(item_id)

    def _insert(self, parent: Item, name: str, is_folder: bool, size: int, mtime_ns: int) -> Item:
        item_id, stamp = new_item_id(), iso(now())
        self.db.execute(
            "INSERT INTO items (id, parent_id, name, is_folder, guid, version, content_version,"
            " created, modified, size, mtime_ns) VALUES (?, ?, ?, ?, ?, 1, 1, ?, ?, ?, ?)",
            (item_id, parent.id, name, int(is_folder), new_guid(), stamp, stamp, size, mtime_ns),
        )
        return self._row(item_id)

    def _forget(self, item_id: str) -> None:
        for row in self.db.execute("SELECT id FROM items WHERE parent_id = ?", (item_id,)):
            self._forget(row["id"])
        self.db.execute("DELETE FROM items WHERE id = ?", (item_id,))

    # -- writes --------------------------------------------------------------------------------

    def check_new_name(self, parent: Item, name: str) -> None:
        check_name(name)
        library = self.state.library_web_url.rsplit("/", 1)[-1].replace("%20", " ")
        check_path_length("/".join([seed.SITE_PATH, library, *self.parts(parent), name]))

    def free_name(self, parent: Item, name: str) -> str:
        stem, dot, ext = name.rpartition(".")
        if not dot:
            stem, ext = name, ""
        for number in range(1, 10_000):
            candidate = f"{stem} {number}{dot}{ext}"
            if self.child(parent, candidate) is None:
                return candidate
        raise GraphError(409, "nameAlreadyExists", "The specified item name already exists.")

    def ensure_folder(self, parent: Item, name: str) -> Item:
        existing = self.child(parent, name)
        if existing is not None:
            if not existing.is_folder:
                raise GraphError(409, "nameAlreadyExists", "A file with that name already exists.")
            return existing
        self.check_new_name(parent, name)
        (self.disk_path(parent) / name).mkdir(parents=True, exist_ok=True)
        return self._insert(parent, name, True, 0, 0)

    def write(self, parent: Item, name: str, data: bytes) -> tuple[Item, bool]:
        """Create `name` in `parent` or give the existing file new content; True if created."""
        existing = self.child(parent, name)
        if existing is not None and existing.is_folder:
            raise GraphError(409, "nameAlreadyExists", "A folder with that name already exists.")
        if existing is None:
            self.check_new_name(parent, name)
        path = self.disk_path(parent) / (existing.name if existing else name)
        if existing is not None:
            version_store.keep(self.state, existing, path)
        atomic_write(path, data, self.state.tmp_dir)
        stat = path.stat()
        if existing is None:
            return self._insert(parent, name, False, stat.st_size, stat.st_mtime_ns), True
        self.db.execute(
            "UPDATE items SET version = version + 1, content_version = content_version + 1,"
            " size = ?, mtime_ns = ?, modified = ? WHERE id = ?",
            (stat.st_size, stat.st_mtime_ns, iso(now()), existing.id),
        )
        return self._row(existing.id), False

    def read(self, item: Item) -> bytes:
        if item.is_folder:
            raise GraphError(400, "invalidRequest", "Cannot download the content of a folder.")
        return self.disk_path(item).read_bytes()

    def rename_or_move(self, item: Item, name: str | None, parent: Item | None) -> Item:
        new_parent = parent or self._row(item.parent_id or item.id)
        new_name = name or item.name
        clash = self.child(new_parent, new_name)
        if clash is not None and clash.id != item.id:
            raise GraphError(409, "nameAlreadyExists", "The specified item name already exists.")
        self.check_new_name(new_parent, new_name)
        target = self.disk_path(new_parent) / new_name
        os.replace(self.disk_path(item), target)
        mtime = target.stat().st_mtime_ns if not item.is_folder else 0
        self.db.execute(
            "UPDATE items SET parent_id = ?, name = ?, version = version + 1, modified = ?,"
            " mtime_ns = ? WHERE id = ?",
            (new_parent.id, new_name, iso(now()), mtime, item.id),
        )
        return self._row(item.id)

    def delete(self, item: Item) -> None:
        if item.parent_id is None:
            raise GraphError(403, "accessDenied", "The root folder cannot be deleted.")
        path = self.disk_path(item)
        if item.is_folder:
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        self._forget(item.id)

    # -- JSON ----------------------------------------------------------------------------------

    def web_url(self, item: Item) -> str:
        return "/".join([self.state.library_web_url, *(quote(p) for p in self.parts(item))])

    def to_json(self, item: Item, base_url: str) -> dict[str, object]:
        by = {"user": {"displayName": "Comms Assistant (sandbox)"}}
        body: dict[str, object] = {
            "id": item.id,
            "name": item.name,
            "eTag": item.etag,
            "cTag": item.ctag,
            "size": item.size,
            "webUrl": self.web_url(item),
            "createdDateTime": item.created,
            "lastModifiedDateTime": item.modified,
            "createdBy": by,
            "lastModifiedBy": by,
            "fileSystemInfo": {
                "createdDateTime": item.created,
                "lastModifiedDateTime": item.modified,
            },
        }
        reference: dict[str, object] = {"driveType": "documentLibrary", "driveId": self.id}
        if item.parent_id is not None:
            parent = self._row(item.parent_id)
            path = "/".join(self.parts(parent))
            reference.update(
                id=parent.id,
                name=parent.name if parent.parent_id else seed.LIBRARY,
                path=f"/drives/{self.id}/root:" + (f"/{path}" if path else ""),
                siteId=self.state.site_id,
            )
        body["parentReference"] = reference
        if item.is_folder:
            count = self.db.execute(
                "SELECT COUNT(*) FROM items WHERE parent_id = ?", (item.id,)
            ).fetchone()[0]
            body["folder"] = {"childCount": count}
            if item.parent_id is None:
                body["root"] = {}
                body["name"] = "root"
        else:
            suffix = Path(item.name).suffix.lower()
            mime = _MIME.get(suffix) or mimetypes.guess_type(item.name)[0]
            body["file"] = {"mimeType": mime or "application/octet-stream"}
            body["@microsoft.graph.downloadUrl"] = f"{base_url}/_download/{item.id}"
        return body
