"""The sandbox's GitHub repositories on disk, under `<root>/github/<owner>/<repo>/`:

    repository.json        the repository (public, issues on) and the next id to give out
    .upptimerc.yml         Upptime's configuration: the status page's sites (seeded repository)
    labels.json            its labels
    issues/<number>.json   one issue each: {"issue": {...}, "comments": [...]} (oldest first)

Files hold logins and label names; `issue_json`, `comment_json` and `label_json` answer with
GitHub's full objects (API URLs under the sandbox's `/github`, `html_url` on github.com). The
seeded repository (seed.STATUS_REPO) is an Upptime status repository: one site per service of
the bundled catalogue, its slug the service's key, and the labels Upptime gives incidents
(`status` and each site's slug). A repository already on disk is never overwritten.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from comms_assistant.sandbox import seed
from comms_assistant.sandbox.state import TenantState, atomic_write

WEB = "https://github.com"
USER_ID = 90000001
_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")
_SITE_LABEL_COLOR = "0e8a16"


def stamp(epoch: float) -> str:
    """GitHub's timestamps: ISO 8601 in UTC to the second."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def upptimerc(owner: str, repo: str) -> str:
    """The seeded repository's .upptimerc.yml (Upptime reads `sites`: name, url, slug)."""
    lines = [f"owner: {owner}", f"repo: {repo}", "sites:"]
    for name, slug, url in seed.UPPTIME_SITES:
        lines += [f"  - name: {name}", f"    url: {url}", f"    slug: {slug}"]
    lines += ["status-website:", f"  name: {seed.STATUSPAGE_PAGE_NAME}"]
    return "\n".join(lines) + "\n"


class Repos:
    """Repositories, labels, issues and comments as files; used only from the server's loop."""

    def __init__(self, state: TenantState) -> None:
        self.root = state.root / "github"
        self.tmp_dir = state.tmp_dir

    def folder(self, owner: str, repo: str) -> Path | None:
        """The repository's folder, or None if there is none (names are checked, not trusted)."""
        if not all(_NAME.fullmatch(n) and n.strip(".") for n in (owner, repo)):
            return None
        folder = self.root / owner / repo
        return folder if (folder / "repository.json").is_file() else None

    def folders(self) -> list[Path]:
        return sorted(p.parent for p in self.root.glob("*/*/repository.json"))

    def _read(self, path: Path) -> Any:
        return json.loads(path.read_text(encoding="utf-8"))

    def _write(self, path: Path, data: Any) -> None:
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        atomic_write(path, text.encode("utf-8"), self.tmp_dir)

    def repository(self, folder: Path) -> dict[str, Any]:
        return dict(self._read(folder / "repository.json"))

    def next_id(self, folder: Path) -> int:
        """A new id for an issue, comment or label (one counter per repository)."""
        repository = self.repository(folder)
        given = int(repository["sandbox_next_id"])
        repository["sandbox_next_id"] = given + 1
        self._write(folder / "repository.json", repository)
        return given

    def labels(self, folder: Path) -> list[dict[str, Any]]:
        return list(self._read(folder / "labels.json"))

    def ensure_labels(self, folder: Path, names: list[str]) -> list[str]:
        """The labels' names as the repository spells them, making any it lacks (as GitHub
        does for a caller with push access)."""
        labels = self.labels(folder)
        known = {label["name"].lower(): label["name"] for label in labels}
        spelled = []
        for name in names:
            if name.lower() not in known:
                labels.append(_label(self.next_id(folder), name, "ededed", None))
                known[name.lower()] = name
            if known[name.lower()] not in spelled:
                spelled.append(known[name.lower()])
        self._write(folder / "labels.json", labels)
        return spelled

    def issues(self, folder: Path) -> list[dict[str, Any]]:
        """Every issue's record ({"issue", "comments"}), by number."""
        found = [self._read(p) for p in (folder / "issues").glob("*.json")]
        return sorted(found, key=lambda r: int(r["issue"]["number"]))

    def record(self, folder: Path, number: int) -> dict[str, Any] | None:
        path = folder / "issues" / f"{number}.json"
        return dict(self._read(path)) if path.is_file() else None

    def save(self, folder: Path, record: dict[str, Any]) -> None:
        self._write(folder / "issues" / f"{record['issue']['number']}.json", record)

    def next_number(self, folder: Path) -> int:
        numbers = [int(p.stem) for p in (folder / "issues").glob("*.json") if p.stem.isdigit()]
        return max(numbers, default=0) + 1

    def seed(self, epoch: float) -> None:
        """Make the seeded status repository unless it is there already."""
        owner, repo = seed.STATUS_REPO.split("/")
        folder = self.root / owner / repo
        if (folder / "repository.json").is_file():
            return
        (folder / "issues").mkdir(parents=True, exist_ok=True)
        atomic_write(folder / ".upptimerc.yml", upptimerc(owner, repo).encode(), self.tmp_dir)
        labels = [_label(1, "status", "ededed", "An incident on the status page")]
        labels += [
            _label(n, slug, _SITE_LABEL_COLOR, f"Incidents on {name}")
            for n, (name, slug, _url) in enumerate(seed.UPPTIME_SITES, start=2)
        ]
        self._write(folder / "labels.json", labels)
        repository = {
            "id": 700000001,
            "name": repo,
            "full_name": f"{owner}/{repo}",
            "owner": owner,
            "private": False,
            "visibility": "public",
            "description": "Upptime status page",
            "has_issues": True,
            "default_branch": "master",
            "created_at": stamp(epoch),
            "sandbox_next_id": len(labels) + 1,
        }
        self._write(folder / "repository.json", repository)  # last: the repository is whole


def _label(number: int, name: str, color: str, description: str | None) -> dict[str, Any]:
    return {
        "id": 800000000 + number,
        "node_id": f"LA_sandbox{number}",
        "name": name,
        "color": color,
        "default": False,
        "description": description,
    }


def user_json(login: str, api: str) -> dict[str, Any]:
    return {
        "login": login,
        "id": USER_ID,
        "node_id": "U_sandbox",
        "avatar_url": "",
        "url": f"{api}/users/{login}",
        "html_url": f"{WEB}/{login}",
        "type": "User",
        "site_admin": False,
    }


def label_json(label: dict[str, Any], repo_api: str) -> dict[str, Any]:
    return {**label, "url": f"{repo_api}/labels/{label['name']}"}


def issue_json(
    record: dict[str, Any], labels: list[dict[str, Any]], full_name: str, api: str
) -> dict[str, Any]:
    """An issue as the issues API answers it."""
    issue = record["issue"]
    repo_api, number = f"{api}/repos/{full_name}", issue["number"]
    by_name = {label["name"]: label for label in labels}
    closed_by = issue.get("closed_by")
    return {
        **{k: v for k, v in issue.items() if k not in {"user", "labels", "closed_by"}},
        "url": f"{repo_api}/issues/{number}",
        "repository_url": repo_api,
        "labels_url": f"{repo_api}/issues/{number}/labels{{/name}}",
        "comments_url": f"{repo_api}/issues/{number}/comments",
        "events_url": f"{repo_api}/issues/{number}/events",
        "html_url": f"{WEB}/{full_name}/issues/{number}",
        "user": user_json(issue["user"], api),
        "labels": [label_json(by_name[n], repo_api) for n in issue["labels"] if n in by_name],
        "comments": len(record["comments"]),
        "closed_by": user_json(closed_by, api) if closed_by else None,
        "author_association": "OWNER",
    }


def comment_json(comment: dict[str, Any], number: int, full_name: str, api: str) -> dict[str, Any]:
    repo_api = f"{api}/repos/{full_name}"
    return {
        **{k: v for k, v in comment.items() if k != "user"},
        "url": f"{repo_api}/issues/comments/{comment['id']}",
        "html_url": f"{WEB}/{full_name}/issues/{number}#issuecomment-{comment['id']}",
        "issue_url": f"{repo_api}/issues/{number}",
        "user": user_json(comment["user"], api),
        "author_association": "OWNER",
    }
