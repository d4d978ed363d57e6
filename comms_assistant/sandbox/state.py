"""The sandbox tenant's state on disk: real files in folders, metadata in one sqlite db.

Every process that starts a SandboxTenant on the same root sees what earlier ones did: ids,
eTags, issued tokens and copy monitors live in `<root>/tenant.db`; documents, mail and channel
messages are plain files a person can open.
"""

from __future__ import annotations

import base64
import os
import secrets
import sqlite3
import uuid
from pathlib import Path

from comms_assistant.sandbox import seed

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY, client_id TEXT NOT NULL, expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS items (
    id TEXT PRIMARY KEY,
    parent_id TEXT REFERENCES items(id),
    name TEXT NOT NULL COLLATE NOCASE,
    is_folder INTEGER NOT NULL,
    guid TEXT NOT NULL,
    version INTEGER NOT NULL,
    content_version INTEGER NOT NULL,
    created TEXT NOT NULL,
    modified TEXT NOT NULL,
    size INTEGER NOT NULL DEFAULT 0,
    mtime_ns INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS items_by_name ON items(parent_id, name);
CREATE TABLE IF NOT EXISTS versions (
    item_id TEXT NOT NULL,
    number INTEGER NOT NULL,
    modified TEXT NOT NULL,
    size INTEGER NOT NULL,
    PRIMARY KEY (item_id, number)
);
CREATE TABLE IF NOT EXISTS monitors (
    id TEXT PRIMARY KEY,
    polls INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    resource_id TEXT,
    error_code TEXT,
    error_message TEXT
);
"""


def new_item_id() -> str:
    """SharePoint-backed driveItem ids look like `01` + 32 base32 characters."""
    return "01" + base64.b32encode(secrets.token_bytes(20)).decode()


def new_guid() -> str:
    return str(uuid.uuid4()).upper()


def atomic_write(path: Path, data: bytes, tmp_dir: Path) -> None:
    """Write via a temp file + os.replace, so a killed process never leaves half a file.

    The temp file lives outside the SharePoint tree, so a scan never mistakes it for a document.
    """
    tmp_dir.mkdir(parents=True, exist_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = tmp_dir / f"{secrets.token_hex(8)}.tmp"
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


class UnreadableTenant(Exception):
    """The sandbox's tenant.db is not a database, or a damaged one."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"{path} is not a database the sandbox tenant can read (it may be damaged): move it "
            "aside and run again (the sandbox makes a new one from the files beside it); "
            "nothing has been changed in it."
        )
        self.path = path


class TenantState:
    """Paths, the db connection and the tenant's fixed ids (made once, kept forever)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.tmp_dir = self.root / ".tmp"
        path = self.root / "tenant.db"
        # One connection, used only from the server's event-loop thread. Autocommit, with explicit
        # transactions where several rows change together; the timeout lets a second process on
        # the same root wait instead of failing.
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        self.db.row_factory = sqlite3.Row
        try:
            # The first reads of the file: where an overwritten or truncated one shows.
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.executescript(SCHEMA)
            self.site_id = self._meta(
                "site_id", lambda: f"{seed.SITE_HOSTNAME},{uuid.uuid4()},{uuid.uuid4()}"
            )
            self.drive_id = self._meta(
                "drive_id",
                lambda: "b!" + base64.urlsafe_b64encode(secrets.token_bytes(48)).decode(),
            )
            self.root_item_id = self._meta("root_item_id", new_item_id)
        except sqlite3.DatabaseError as error:
            self.db.close()
            damaged = ("SQLITE_NOTADB", "SQLITE_CORRUPT")
            if getattr(error, "sqlite_errorname", "").startswith(damaged):
                raise UnreadableTenant(path) from error
            raise
        self.library_dir = self.root / "sharepoint" / seed.SITE_NAME / seed.LIBRARY
        self.mail_dir = self.root / "mail"
        self.teams_dir = self.root / "teams"
        self._create_layout()

    def _meta(self, key: str, make: object) -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        if row:
            return str(row["value"])
        value = make()  # type: ignore[operator]
        # INSERT OR IGNORE + re-read: two processes racing on a fresh root agree on one value.
        self.db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (key, value))
        return str(self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()[0])

    def _create_layout(self) -> None:
        self.library_dir.mkdir(parents=True, exist_ok=True)
        for folder in seed.FOLDERS:
            (self.library_dir / folder).mkdir(exist_ok=True)
        for mailbox in seed.MAILBOXES:
            (self.mail_dir / mailbox / "Sent Items").mkdir(parents=True, exist_ok=True)
        (self.teams_dir / seed.TEAM_NAME / seed.CHANNEL_NAME).mkdir(parents=True, exist_ok=True)

    @property
    def site_web_url(self) -> str:
        return f"https://{seed.SITE_HOSTNAME}/{seed.SITE_PATH}"

    @property
    def library_web_url(self) -> str:
        # SharePoint's default library is called "Documents" but lives at "Shared Documents".
        folder = "Shared%20Documents" if seed.LIBRARY == "Documents" else seed.LIBRARY
        return f"{self.site_web_url}/{folder}"

    def close(self) -> None:
        self.db.close()
