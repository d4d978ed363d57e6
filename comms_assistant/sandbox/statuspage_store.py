"""The sandbox's Statuspage pages on disk, under `<root>/statuspage/<page id>/`:

    page.json              the page's profile (id, name, url, time zone)
    components.json        its components in the page's order (id, name, status, ...)
    incidents/<id>.json    one incident each, its updates inside (`incident_updates`, newest first)

An incident file holds the ids of its components (`component_ids`); the API answers with the
components themselves, as they are now (`to_json`). The seeded page (seed.STATUSPAGE_PAGE_ID) is
made on first start, one operational component per service of the bundled catalogue; a page
already on disk is never overwritten, so state survives a restart.
"""

from __future__ import annotations

import json
import re
import secrets
import string
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from comms_assistant.sandbox import seed
from comms_assistant.sandbox.state import TenantState, atomic_write

COMPONENT_STATUSES = (
    "operational",
    "under_maintenance",
    "degraded_performance",
    "partial_outage",
    "major_outage",
)
INCIDENT_STATUSES = ("investigating", "identified", "monitoring", "resolved")
_ID = re.compile(r"[a-z0-9]{1,40}", re.IGNORECASE)


def stamp(epoch: float) -> str:
    """Statuspage's timestamps: ISO 8601 with milliseconds (the sandbox gives UTC)."""
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def new_id() -> str:
    """Statuspage ids: 12 lower-case letters and digits (`p31zjtct2jer`)."""
    alphabet = string.ascii_lowercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(12))


def _component(page_id: str, cid: str, name: str, position: int, now: str) -> dict[str, Any]:
    return {
        "id": cid,
        "page_id": page_id,
        "group_id": None,
        "created_at": now,
        "updated_at": now,
        "group": False,
        "name": name,
        "description": None,
        "position": position,
        "status": "operational",
        "showcase": True,
        "only_show_if_degraded": False,
        "automation_email": f"component+{cid}@notifications.statuspage.io",
        "start_date": now[:10],
    }


class StatusPages:
    """Pages, components and incidents as files; used only from the server's loop."""

    def __init__(self, state: TenantState) -> None:
        self.root = state.root / "statuspage"
        self.tmp_dir = state.tmp_dir

    def folder(self, page_id: str) -> Path | None:
        """The page's folder, or None if there is no such page (ids are checked, not trusted)."""
        if not _ID.fullmatch(page_id):
            return None
        folder = self.root / page_id
        return folder if (folder / "page.json").is_file() else None

    def page_ids(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if self.folder(p.name) is not None)

    def _read(self, path: Path) -> Any:
        return json.loads(path.read_text(encoding="utf-8"))

    def _write(self, path: Path, data: Any) -> None:
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        atomic_write(path, text.encode("utf-8"), self.tmp_dir)

    def page(self, folder: Path) -> dict[str, Any]:
        return dict(self._read(folder / "page.json"))

    def components(self, folder: Path) -> list[dict[str, Any]]:
        return list(self._read(folder / "components.json"))

    def save_components(self, folder: Path, components: list[dict[str, Any]]) -> None:
        self._write(folder / "components.json", components)

    def incidents(self, folder: Path) -> list[dict[str, Any]]:
        """Every incident of the page, the newest first."""
        found = [self._read(p) for p in (folder / "incidents").glob("*.json")]
        return sorted(found, key=lambda i: (str(i["created_at"]), str(i["id"])), reverse=True)

    def incident(self, folder: Path, incident_id: str) -> dict[str, Any] | None:
        path = folder / "incidents" / f"{incident_id}.json"
        if not _ID.fullmatch(incident_id) or not path.is_file():
            return None
        return dict(self._read(path))

    def save_incident(self, folder: Path, incident: dict[str, Any]) -> None:
        self._write(folder / "incidents" / f"{incident['id']}.json", incident)

    def delete_incident(self, folder: Path, incident_id: str) -> None:
        (folder / "incidents" / f"{incident_id}.json").unlink(missing_ok=True)

    def seed(self, epoch: float) -> None:
        """Make the seeded page unless it is there already."""
        page_id = seed.STATUSPAGE_PAGE_ID
        folder = self.root / page_id
        if (folder / "page.json").is_file():
            return
        now = stamp(epoch)
        (folder / "incidents").mkdir(parents=True, exist_ok=True)
        components = [
            _component(page_id, cid, name, position, now)
            for position, (_key, cid, name) in enumerate(seed.STATUSPAGE_COMPONENTS, start=1)
        ]
        self.save_components(folder, components)
        page = {
            "id": page_id,
            "name": seed.STATUSPAGE_PAGE_NAME,
            "subdomain": "example-services",
            "domain": "status.example.org",
            "url": "https://status.example.org",
            "time_zone": "Europe/London",
            "created_at": now,
            "updated_at": now,
        }
        self._write(folder / "page.json", page)  # last: its presence says the page is whole


def to_json(incident: dict[str, Any], components: list[dict[str, Any]]) -> dict[str, Any]:
    """An incident as the API answers it: its components in full, as they are now."""
    by_id = {c["id"]: c for c in components}
    body = {k: v for k, v in incident.items() if k != "component_ids"}
    body["components"] = [by_id[cid] for cid in incident["component_ids"] if cid in by_id]
    return body
