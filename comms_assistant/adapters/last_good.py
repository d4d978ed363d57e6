"""The last good contacts directory, profile and glossary (issue 23): what the worker, the bot
and `run` use while an edit to one of them has a mistake.

Each is looked at again whenever it is asked for, cheaply: only when a file's modification time
or size changed is it read, and only when its content hash changed is it loaded. Content that
loads is saved under <home>/last-good/<name>/, so a restart with a broken file still has a copy;
only a start with no good copy at all refuses, naming the file, the line and the check command.

Loading is done from that saved copy, not from the files people edit: what is used is exactly
what was hashed and saved, even if someone saves again while it loads.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

from comms_assistant.service.bad_edits import Mistake

T = TypeVar("T")
CURRENT = "current.json"


class NoGoodCopy(Exception):
    """A file has a mistake and there is no good copy of it to use: the start refuses."""

    def __init__(self, mistake: Mistake) -> None:
        self.mistake = mistake
        super().__init__(mistake.sentence())


@dataclass(frozen=True)
class Source(Generic[T]):
    """One thing people edit: its files, how it loads from a folder holding copies of them, and
    what a loading error means for the person fixing it (None: not their mistake, a bug)."""

    name: str  # its folder under <home>/last-good
    files: Callable[[], list[Path]]
    load: Callable[[Path], T]
    mistake: Callable[[Exception, Path, str], Mistake | None]  # (error, copy folder, hash)


def _unique() -> str:
    return f"{os.getpid()}-{uuid.uuid4().hex[:8]}"


def _stamp(paths: Iterable[Path]) -> tuple[tuple[str, int, int] | str, ...]:
    found: list[tuple[str, int, int] | str] = []
    for path in paths:
        try:
            status = path.stat()
        except OSError:
            found.append(str(path))
            continue
        found.append((str(path), status.st_mtime_ns, status.st_size))
    return tuple(found)


class Tracked(Generic[T]):
    """One source's last good value, the mistake in its files now (if any), and the mistakes
    not yet told (`fresh`)."""

    def __init__(self, source: Source[T], store: Path, clock: Callable[[], datetime]) -> None:
        self.source, self.store, self.clock = source, store / source.name, clock
        self.good: T | None = None
        self.saved: datetime | None = None
        self.mistake: Mistake | None = None
        self.fresh: list[Mistake] = []
        self.version = 0
        self._stamp: tuple[tuple[str, int, int] | str, ...] | None = None
        self._digest: str | None = None

    def current(self) -> T:
        """The value now: the files' when they load, else the last good copy's."""
        stamp = _stamp(self.source.files())
        if stamp != self._stamp:
            self._look(stamp)
        if self.good is None:
            assert self.mistake is not None
            raise NoGoodCopy(self.mistake)
        return self.good

    def _look(self, stamp: tuple[tuple[str, int, int] | str, ...]) -> None:
        contents: dict[str, bytes | None] = {}
        try:
            for path in self.source.files():
                contents[path.name] = path.read_bytes() if path.is_file() else None
        except OSError as error:
            contents = {"unreadable": str(error).encode()}
        digest = hashlib.sha256(json.dumps(sorted(contents)).encode())
        for name in sorted(contents):
            digest.update(contents[name] or b"\0absent\0")
        hexdigest = digest.hexdigest()
        self._stamp = stamp
        if hexdigest == self._digest:
            return
        self._digest = hexdigest
        folder = self._stage(contents, hexdigest)
        try:
            value = self.source.load(folder)
        except Exception as error:
            mistake = self.source.mistake(error, folder, hexdigest)
            shutil.rmtree(folder, ignore_errors=True)
            if mistake is None:  # not the files' mistake: asked again, they are read again
                self._stamp = self._digest = None
                raise
            self.mistake = mistake
            self.fresh.append(mistake)
            if self.good is None:
                self._load_saved()
            return
        self.saved = self._keep(folder, hexdigest)
        self.good, self.mistake = value, None
        self.version += 1

    def _stage(self, contents: dict[str, bytes | None], digest: str) -> Path:
        # Each its own: the worker, the bot's commands and its delivery thread may stage the
        # same content at the same moment.
        folder = self.store / f"{digest[:16]}.{_unique()}"
        folder.mkdir(parents=True)
        for name, content in contents.items():
            if content is not None:
                (folder / name).write_bytes(content)
        return folder

    def _keep(self, staged: Path, digest: str) -> datetime:
        """Make the staged copy the saved good copy; when it was saved."""
        marker = self._marker()
        if marker and marker["digest"] == digest and (self.store / digest[:16]).is_dir():
            shutil.rmtree(staged, ignore_errors=True)
            return datetime.fromisoformat(marker["saved_at"])
        kept = self.store / digest[:16]
        shutil.rmtree(kept, ignore_errors=True)
        try:
            staged.rename(kept)
        except OSError:  # another process kept the same content in between: the same bytes
            shutil.rmtree(staged, ignore_errors=True)
        saved = self.clock()
        temporary = self.store / f"{CURRENT}.{_unique()}"
        temporary.write_text(json.dumps({"digest": digest, "saved_at": saved.isoformat()}))
        os.replace(temporary, self.store / CURRENT)  # the switch: all or nothing
        for old in self.store.iterdir():
            if old.is_dir() and old.name != kept.name and "." not in old.name:
                shutil.rmtree(old, ignore_errors=True)
        return saved

    def _marker(self) -> dict[str, str] | None:
        try:
            marker = json.loads((self.store / CURRENT).read_text())
        except (OSError, ValueError):
            return None
        return marker if isinstance(marker, dict) else None

    def _load_saved(self) -> None:
        """After a start with a broken file: the copy saved by an earlier run, if it loads."""
        marker = self._marker()
        if marker is None:
            return
        try:
            self.good = self.source.load(self.store / str(marker["digest"])[:16])
            self.saved = datetime.fromisoformat(marker["saved_at"])
        except Exception:  # a copy tampered with is no copy: refuse as if there were none
            self.good = None
            return
        self.version += 1


class LastGood:
    """The contacts directory, the profile and the glossary as the App uses them."""

    def __init__(
        self,
        sources: Iterable[Source[object]],
        home: Path,
        tz: ZoneInfo,
        clock: Callable[[], datetime],
    ) -> None:
        self.tz, self.clock = tz, clock
        self.tracked = {s.name: Tracked(s, home / "last-good", clock) for s in sources}
        self._untold: list[tuple[Mistake, str | None]] = []
        # The bot's commands (several threads) and its delivery thread may share one App.
        self._lock = threading.RLock()

    def current(self, name: str) -> object:
        with self._lock:
            return self.tracked[name].current()

    @property
    def version(self) -> int:
        """Changes whenever a value in use changes: what was built from them is rebuilt."""
        return sum(t.version for t in self.tracked.values())

    def in_use(self) -> list[tuple[Mistake, str | None]]:
        """Each mistake there is now, with when the good copy used meanwhile was saved."""
        with self._lock:
            return [(t.mistake, self._saved(t)) for t in self.tracked.values() if t.mistake]

    def take_fresh(self) -> list[tuple[Mistake, str | None]]:
        """The mistakes found since the last call (each new content once), to be told."""
        with self._lock:
            fresh, self._untold = self._untold, []
            for tracked in self.tracked.values():
                fresh += [(m, self._saved(tracked)) for m in tracked.fresh]
                tracked.fresh = []
            return fresh

    def untold(self, fresh: list[tuple[Mistake, str | None]]) -> None:
        """Those `take_fresh` gave that could not be queued (the store was away): the next
        call gives them again."""
        with self._lock:
            self._untold = [*fresh, *self._untold]

    def _saved(self, tracked: Tracked[object]) -> str | None:
        """When the good copy in use was saved: its time today, else its date too."""
        if tracked.saved is None:
            return None
        saved, now = tracked.saved.astimezone(self.tz), self.clock().astimezone(self.tz)
        return f"{saved:%H:%M}" if saved.date() == now.date() else f"{saved:%d %b %Y %H:%M}"
