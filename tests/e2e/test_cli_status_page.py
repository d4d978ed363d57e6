"""Whole incidents through `comms-assistant run`, one process per command, published on the
sandbox tenant's status page: Atlassian Statuspage, then an Upptime repository. Checked from
the sandbox's files, as a visitor's page would be drawn from them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cli_helper import run_cli

from comms_assistant.sandbox import seed

COMMS = "comms.lead@example.org"
OPEN = (
    "open Apply is down p2 impact: Candidates cannot submit applications services: apply "
    "do: Save your answers and try again after 3pm public: yes"
)
FIRST = "update Candidates can sign in again but still cannot submit"
SECOND = (
    "update Most candidates can submit again public: Most candidates can submit their "
    "applications again. Rowan Hale is checking the rest: see https://apply.example.org/admin"
)
CLOSE = "close Restored the connection to the applications database"
SECURITY = (
    "open Suspicious sign-ins on Apply p2 impact: Candidates cannot sign in services: apply "
    "security: yes"
)
PUBLIC_TEXTS = [
    "Candidates cannot submit applications.\n\n"
    "What you need to do: Save your answers and try again after 3pm.",
    "Candidates can sign in again but still cannot submit.\n\n"
    "What you need to do: Save your answers and try again after 3pm.",
    "Most candidates can submit their applications again. Our team is checking the rest: see",
    "Apply for teacher training is working normally again. This is fixed.",
]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def run(home: Path, command: str, page: str) -> str:
    result: subprocess.CompletedProcess[str] = run_cli(
        home, "run", command, "--as", COMMS, COMMS_ASSISTANT_STATUS_PAGE=page
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def statuspage_files(home: Path) -> tuple[list[dict[str, Any]], dict[str, str]]:
    folder = home / "sandbox" / "statuspage" / seed.STATUSPAGE_PAGE_ID
    incidents = [json.loads(p.read_text()) for p in sorted(folder.glob("incidents/*.json"))]
    components = json.loads((folder / "components.json").read_text())
    return incidents, {c["id"]: c["status"] for c in components}


def upptime_files(home: Path) -> list[dict[str, Any]]:
    folder = home / "sandbox" / "github" / seed.STATUS_REPO / "issues"
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]


def test_a_public_incident_on_statuspage(home: Path) -> None:
    apply = seed.STATUSPAGE_COMPONENTS[0][1]
    out = run(home, OPEN, "statuspage")
    assert "Publishing it on the public status page (Statuspage)." in out
    assert "sent     status  publish on the public status page" in out
    [incident], components = statuspage_files(home)
    assert incident["name"] == "Problem with Apply for teacher training"
    assert incident["status"] == "investigating"
    assert components[apply] == "partial_outage"
    assert {s for c, s in components.items() if c != apply} == {"operational"}

    run(home, FIRST, "statuspage")
    out = run(home, SECOND, "statuspage")
    assert "Taken out of its words: a link, a person's name" in out
    [incident], _ = statuspage_files(home)
    updates = list(reversed(incident["incident_updates"]))  # oldest first
    assert [u["body"] for u in updates] == PUBLIC_TEXTS[:3]

    run(home, CLOSE, "statuspage")
    [incident], components = statuspage_files(home)
    assert incident["status"] == "resolved" and incident["resolved_at"]
    assert [u["body"] for u in reversed(incident["incident_updates"])] == PUBLIC_TEXTS
    assert components[apply] == "operational"

    # A security incident on the same service: nothing is published.
    out = run(home, SECURITY, "statuspage")
    run(home, "update Candidates still cannot sign in while we check the accounts", "statuspage")
    assert "status page" not in out
    incidents, components = statuspage_files(home)
    assert len(incidents) == 1 and components[apply] == "operational"
    page = json.dumps(incidents)
    assert "Rowan" not in page and "database" not in page and "INC-" not in page


def test_a_public_incident_on_upptime(home: Path) -> None:
    run(home, OPEN, "upptime")
    run(home, FIRST, "upptime")
    run(home, SECOND, "upptime")
    [record] = upptime_files(home)
    issue = record["issue"]
    assert issue["title"] == "Problem with Apply for teacher training"
    assert issue["labels"] == ["status", "apply"] and issue["state"] == "open"
    shown = [c["body"].split("\n\n<!-- comms-assistant:")[0] for c in record["comments"]]
    assert shown == PUBLIC_TEXTS[:3]

    run(home, CLOSE, "upptime")
    [record] = upptime_files(home)
    assert record["issue"]["state"] == "closed"
    assert record["issue"]["state_reason"] == "completed"
    assert len(record["comments"]) == 4

    run(home, SECURITY, "upptime")
    assert len(upptime_files(home)) == 1
