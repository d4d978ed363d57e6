"""In-memory stand-ins for the delivery ports, with faults a test can queue."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from comms_assistant.service import fencing
from comms_assistant.service.ports import (
    CannotUpdate,
    DriveItem,
    NotFound,
    OutgoingMail,
    PreconditionFailed,
    TeamsCard,
)


@dataclass
class Faults:
    """Exceptions to raise, once each, the next time the named operation runs.

    A fault may be "after": the operation takes effect and then the caller sees the error,
    as when a service accepts a request and the connection drops before the answer.
    """

    before: dict[str, list[Exception]] = field(default_factory=lambda: defaultdict(list))
    after: dict[str, list[Exception]] = field(default_factory=lambda: defaultdict(list))

    def check_before(self, operation: str) -> None:
        if self.before[operation]:
            raise self.before[operation].pop(0)

    def check_after(self, operation: str) -> None:
        if self.after[operation]:
            raise self.after[operation].pop(0)


@dataclass
class _File:
    id: str
    path: str
    content: bytes
    version: int = 1

    @property
    def etag(self) -> str:
        return f'"{self.id},{self.version}"'

    def item(self) -> DriveItem:
        return DriveItem(self.id, self.path.rsplit("/", 1)[-1], self.etag, f"https://x/{self.id}")


class FakeDocuments:
    def __init__(self, folders: Iterable[str] | None = None) -> None:
        # None: every folder exists (tests about files alone); else just these, as in a
        # library: copy and upload into another fail, create by path makes it (as Graph does).
        self.folders = None if folders is None else set(folders)
        self.files: dict[str, _File] = {}
        self.faults = Faults()
        self.calls: list[str] = []
        self._ids = itertools.count(1)

    def put(self, path: str, content: bytes) -> DriveItem:
        existing = self.files.get(path)
        if existing:
            existing.content, existing.version = content, existing.version + 1
            return existing.item()
        file = _File(f"item{next(self._ids)}", path, content)
        self.files[path] = file
        return file.item()

    def content(self, path: str) -> bytes:
        return self.files[path].content

    def _by_id(self, item_id: str) -> _File:
        for file in self.files.values():
            if file.id == item_id:
                return file
        raise NotFound(f"no item {item_id}")

    async def get_by_path(self, path: str) -> DriveItem | None:
        self.calls.append(f"get {path}")
        self.faults.check_before("get_by_path")
        if self.folders is not None and path in self.folders:
            return DriveItem(f"folder:{path}", path.rsplit("/", 1)[-1], '"folder"')
        file = self.files.get(path)
        return file.item() if file else None

    def _require_folder(self, folder: str) -> None:
        if self.folders is not None and folder not in self.folders:
            raise NotFound(f"{folder!r} is not in the library")

    async def copy(self, source_path: str, folder: str, name: str) -> DriveItem:
        self.calls.append(f"copy {source_path} -> {folder}/{name}")
        self.faults.check_before("copy")
        self._require_folder(folder)
        if f"{folder}/{name}" in self.files:  # Graph's 409 nameAlreadyExists: that file
            return self.files[f"{folder}/{name}"].item()
        if source_path not in self.files:
            raise NotFound(f"no {source_path}")
        item = self.put(f"{folder}/{name}", self.files[source_path].content)
        self.faults.check_after("copy")
        return replace(item, pristine=True)

    async def read(self, path: str) -> bytes:
        self.calls.append(f"read {path}")
        self.faults.check_before("read")
        if path not in self.files:
            raise NotFound(f"no {path}")
        return self.files[path].content

    async def download(self, item_id: str) -> tuple[bytes, str]:
        self.calls.append(f"download {item_id}")
        self.faults.check_before("download")
        file = self._by_id(item_id)
        return file.content, file.etag

    async def replace(self, item_id: str, content: bytes, *, if_match: str) -> DriveItem:
        self.calls.append(f"replace {item_id}")
        self.faults.check_before("replace")
        file = self._by_id(item_id)
        if if_match != file.etag:
            raise PreconditionFailed("eTag moved")
        item = self.put(file.path, content)
        self.faults.check_after("replace")
        return item

    async def create(self, folder: str, name: str, content: bytes) -> DriveItem | None:
        self.calls.append(f"create {folder}/{name}")
        self.faults.check_before("create")
        if f"{folder}/{name}" in self.files:
            return None  # Graph's 409 with conflictBehavior=fail
        if self.folders is not None:
            self.folders.add(folder)
        item = self.put(f"{folder}/{name}", content)
        self.faults.check_after("create")
        return item

    async def upload(self, folder: str, name: str, content: bytes) -> DriveItem:
        self.calls.append(f"upload {folder}/{name}")
        self.faults.check_before("upload")
        self._require_folder(folder)
        item = self.put(f"{folder}/{name}", content)
        self.faults.check_after("upload")
        return item


class FakeMailer:
    def __init__(self) -> None:
        self.sent: list[OutgoingMail] = []
        self.faults = Faults()
        self.lookups = 0

    async def send(self, mail: OutgoingMail) -> None:
        self.faults.check_before("send")
        fencing.before_sending()  # as the Graph mailer does at its point of no return
        self.sent.append(mail)
        self.faults.check_after("send")

    async def was_sent(self, delivery_id: str) -> bool:
        self.lookups += 1
        self.faults.check_before("was_sent")
        return any(m.delivery_id == delivery_id for m in self.sent)


class FakeTeams:
    """`posted`: cards in the incidents channel (replies in a thread have `thread` set);
    `direct`: cards to other channels and chats; `updated`: (message id, new card) for each
    update of a posted card. `updatable=False` plays a Workflows webhook: no updates."""

    def __init__(self, *, updatable: bool = True) -> None:
        self.posted: list[TeamsCard] = []
        self.direct: list[TeamsCard] = []
        self.updated: list[tuple[str, TeamsCard]] = []
        self.by_id: dict[str, TeamsCard] = {}
        self.updatable = updatable
        self.faults = Faults()

    async def post_card(self, message: TeamsCard) -> str:
        # Faults queued for "post_card" hit the incidents channel; "post_direct" the others.
        channel = message.destination in ("", "channel")
        self.faults.check_before("post_card" if channel else "post_direct")
        fencing.before_sending()
        if channel:
            self.posted.append(message)
        else:
            self.direct.append(message)
        message_id = f"msg{len(self.posted) + len(self.direct)}"
        self.by_id[message_id] = message
        return message_id

    async def update_card(self, message: TeamsCard, message_id: str) -> None:
        if not self.updatable:
            raise CannotUpdate("a webhook cannot change a card it posted")
        self.faults.check_before("update_card")
        self.updated.append((message_id, message))
        self.faults.check_after("update_card")

    def living(self, message_id: str) -> TeamsCard:
        """The card the message `message_id` shows now: its last update, else as posted."""
        updates = [card for posted, card in self.updated if posted == message_id]
        return updates[-1] if updates else self.by_id[message_id]

    def destinations(self) -> set[str]:
        return {m.destination for m in self.direct}
