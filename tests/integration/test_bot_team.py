"""Sensible default permissions over the sandbox's Bot Connector: a member of the team the bot
serves, in no setting and no contacts list, may open an incident (and leads it); someone in the
tenant but not in the team may not. The bot asks the connector
(`GET v3/conversations/{incidents channel}/members/{userId}`) once per sender, not per command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web
from test_bot_harness import Running, message, start_bot

from comms_assistant.adapters.sql import store
from comms_assistant.bootstrap import bootstrap
from comms_assistant.sandbox import SandboxTenant, seed

# (Teams id, Entra object id, name, email): in no bot setting, not in the contacts directory.
NEW_STARTER = ("29:1-new-starter", "7c2e0000-0000-4000-8000-00000000000a", "Noor Starter",
               "noor.starter@example.org")  # fmt: skip
CONTRACTOR = ("29:1-contractor", "7c2e0000-0000-4000-8000-00000000000b", "Cal Contractor",
              "cal@contractor.example")  # fmt: skip
OPEN = "open Apply is down p2 impact: Candidates cannot submit applications services: apply"


def _say(running: Running, person: tuple[str, str, str, str], text: str, conversation: str) -> str:
    teams_id, object_id, name, _ = person
    activity = message(
        text, sender=teams_id, conversation=conversation, service_url=running.service_url
    )
    activity["from"] = {"id": teams_id, "name": name, "aadObjectId": object_id}
    if conversation.startswith("a:"):  # a 1:1 chat with the bot, as Teams sends one
        activity["conversation"] |= {"conversationType": "personal", "isGroup": False}
    response = running.post(activity)
    assert response.status_code == 202, response.text
    [reply] = running.wait(lambda: running.replies_to(activity["id"]), 1, 20)
    return str(reply["text"])


def _recorder(seen: list[str]) -> Any:
    @web.middleware
    async def record(request: web.Request, handler: Any) -> web.StreamResponse:
        if request.method == "GET" and "/members/" in request.path:
            seen.append(request.path)
        return await handler(request)

    return record


def _incidents(running: Running) -> list[store.IncidentRow]:
    with store.transaction(bootstrap(running.settings).engine) as session:
        rows = store.open_incidents(session)
        for row in rows:
            session.expunge(row)
        return rows


def test_the_sandbox_connector_knows_who_is_in_the_team(tmp_path: Path) -> None:
    with SandboxTenant(tmp_path / "sandbox", faults=[]) as sandbox:
        people = [
            {"id": p[0], "aadObjectId": p[1], "name": p[2], "email": p[3]}
            | ({"inTeam": False} if p is CONTRACTOR else {})
            for p in (NEW_STARTER, CONTRACTOR)
        ]
        added = httpx.post(f"{sandbox.base_url}/_sandbox/users", json={"value": people})
        assert added.status_code == 201
        base = f"{sandbox.base_url}/v3/conversations"
        thread = f"{seed.CHANNEL_ID};messageid=1700000000001"
        for team in (seed.CHANNEL_ID, thread, seed.TEAM_ID):
            found = httpx.get(f"{base}/{team}/members/{NEW_STARTER[0]}")
            assert found.status_code == 200 and found.json()["email"] == NEW_STARTER[3]
            assert "inTeam" not in found.json()  # shaped as Teams answers
            missing = httpx.get(f"{base}/{team}/members/{CONTRACTOR[1]}")
            assert missing.status_code == 404, team
            assert missing.json()["error"]["code"] == "MemberNotFoundInConversation"
            roster = {m["id"] for m in httpx.get(f"{base}/{team}/members").json()}
            assert NEW_STARTER[0] in roster and CONTRACTOR[0] not in roster
        # Outside the team they are still in the tenant: a 1:1 chat finds them.
        chat = httpx.get(f"{base}/a:contractor-chat/members/{CONTRACTOR[0]}")
        assert chat.status_code == 200 and chat.json()["email"] == CONTRACTOR[3]


def test_a_team_member_in_no_setting_opens_and_leads_someone_outside_cannot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    sandbox = SandboxTenant(tmp_path / "sandbox", faults=[], middlewares=[_recorder(seen)])
    with sandbox, start_bot(tmp_path, monkeypatch, sandbox=sandbox) as running:
        people = [
            {"id": p[0], "aadObjectId": p[1], "name": p[2], "email": p[3]}
            | ({"inTeam": False} if p is CONTRACTOR else {})
            for p in (NEW_STARTER, CONTRACTOR)
        ]
        httpx.post(f"{sandbox.base_url}/_sandbox/users", json={"value": people})
        thread = "19:team-thread@thread.tacv2;messageid=1700000000042"

        opened = _say(running, NEW_STARTER, OPEN, thread)
        assert "is open at P2" in opened and "You are its incident lead" in opened
        [row] = _incidents(running)
        assert row.declared_by == NEW_STARTER[3]
        assert row.leads == {"incident lead": NEW_STARTER[3]}
        # Named on it now: they run it, and the team check is not asked again meanwhile.
        assert _say(running, NEW_STARTER, "log Paged the on-call engineer", thread).startswith(
            row.reference
        )
        assert _say(running, NEW_STARTER, "comms me", thread).startswith(row.reference)
        team_checks = [p for p in seen if p.startswith(f"/v3/conversations/{seed.CHANNEL_ID}/")]
        assert team_checks == [f"/v3/conversations/{seed.CHANNEL_ID}/members/{NEW_STARTER[0]}"]

        chat = "a:contractor-chat"
        refused = _say(running, CONTRACTOR, OPEN.replace("Apply", "Find"), chat)
        assert "Only members of the incidents channel's team" in refused
        assert CONTRACTOR[3] in refused and "bot_allowed" in refused
        assert len(_incidents(running)) == 1
        refused = _say(running, CONTRACTOR, f"{row.reference} tech me", chat)
        assert "Only the incident team can change an incident" in refused
        assert "Ask its incident lead to name you" in refused
        assert "tech lead" not in json.dumps(_incidents(running)[0].leads)

        # Security incidents stay with the security contacts: team membership does not open one.
        refused = _say(running, NEW_STARTER, f"{OPEN} security: yes", "a:starter-chat")
        assert "security contact" in refused and len(_incidents(running)) == 1
