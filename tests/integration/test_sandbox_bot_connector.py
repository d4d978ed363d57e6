"""The Bot Connector API on the sandbox: bot replies and proactive messages land on disk."""

from __future__ import annotations

import json

import httpx

from comms_assistant.sandbox import SandboxTenant, seed

CARD = {
    "contentType": "application/vnd.microsoft.card.adaptive",
    "content": {"type": "AdaptiveCard", "version": "1.5",
                "body": [{"type": "TextBlock", "text": "INC-1 is resolved"}]},
}  # fmt: skip


def channel_files(sandbox: SandboxTenant) -> list[dict[str, object]]:
    folder = sandbox.root / "teams" / seed.TEAM_NAME / seed.CHANNEL_NAME
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]


def test_a_reply_in_a_channel_thread_lands_in_the_channel_folder(
    control: httpx.Client, sandbox: SandboxTenant
) -> None:
    thread = f"{seed.CHANNEL_ID};messageid=1700000000000"
    reply = control.post(
        f"/v3/conversations/{thread}/activities/1700000000000",
        json={"type": "message", "text": "INC-1: opened", "attachments": [CARD]},
    )
    assert reply.status_code == 200 and reply.json()["id"]
    [stored] = channel_files(sandbox)
    assert stored["id"] == reply.json()["id"] and stored["replyToId"] == "1700000000000"
    assert stored["conversation"] == {"id": thread} and stored["text"] == "INC-1: opened"
    assert stored["serviceUrl"] == f"{sandbox.base_url}/"


def test_proactive_messages_and_typing(control: httpx.Client, sandbox: SandboxTenant) -> None:
    sent = control.post("/v3/conversations/a:personal-chat/activities", json={"text": "Hi"})
    assert sent.status_code == 200
    typing = control.post("/v3/conversations/a:personal-chat/activities", json={"type": "typing"})
    assert typing.status_code == 200 and typing.json()["id"]
    [path] = (sandbox.root / "chats").rglob("*.json")
    assert path.parent.name == "a_personal-chat"
    assert json.loads(path.read_text())["text"] == "Hi"  # the typing indicator is not kept


def test_create_conversation_in_the_channel_or_with_a_person(
    control: httpx.Client, sandbox: SandboxTenant
) -> None:
    in_channel = control.post(
        "/v3/conversations",
        json={
            "isGroup": True,
            "channelData": {"channel": {"id": seed.CHANNEL_ID}},
            "activity": {"type": "message", "text": "A new incident thread"},
        },
    )
    assert in_channel.status_code == 201
    body = in_channel.json()
    assert body["id"].startswith(f"{seed.CHANNEL_ID};messageid=") and body["activityId"]
    assert [m["text"] for m in channel_files(sandbox)] == ["A new incident thread"]

    personal = control.post("/v3/conversations", json={"members": [{"id": "29:1-nadia"}]})
    assert personal.status_code == 201 and personal.json()["id"].startswith("a:")
    assert control.post("/v3/conversations", json={}).status_code == 400
    other = {"channelData": {"channel": {"id": "19:other@thread.tacv2"}}}
    assert control.post("/v3/conversations", json=other).status_code == 404


def test_an_activity_over_28_kb_is_refused(control: httpx.Client) -> None:
    big = {"type": "message", "text": "x" * 29 * 1024}
    assert control.post("/v3/conversations/a:x/activities", json=big).status_code == 413


def test_member_look_up_by_teams_id_or_object_id(control: httpx.Client) -> None:
    from comms_assistant.sandbox.bot_connector import USERS

    teams_id, object_id, name, email = USERS[0]
    thread = f"{seed.CHANNEL_ID};messageid=1700000000000"
    by_id = control.get(f"/v3/conversations/{thread}/members/{teams_id}")
    assert by_id.status_code == 200
    member = by_id.json()
    assert member["email"] == member["userPrincipalName"] == email
    assert (member["id"], member["aadObjectId"], member["name"]) == (teams_id, object_id, name)
    assert control.get(f"/v3/conversations/a:chat/members/{object_id}").json()["id"] == teams_id
    missing = control.get(f"/v3/conversations/{thread}/members/29:1-nobody")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "MemberNotFoundInConversation"
    everyone = control.get(f"/v3/conversations/{thread}/members").json()
    assert {m["email"] for m in everyone} == {u[3] for u in USERS}


def test_people_added_to_the_directory_can_be_looked_up(control: httpx.Client) -> None:
    added = control.post(
        "/_sandbox/users", json={"id": "29:1-sam", "name": "Sam Jones", "email": "sam@example.org"}
    )
    assert added.status_code == 201
    [sam] = added.json()["value"]
    assert sam["aadObjectId"] and sam["userPrincipalName"] == "sam@example.org"
    found = control.get(f"/v3/conversations/a:x/members/{sam['aadObjectId']}").json()
    assert found["name"] == "Sam Jones"
    again = control.post("/_sandbox/users", json={"value": [{**sam, "name": "Sam J"}]})
    assert again.status_code == 201  # the same id replaces the earlier entry
    everyone = control.get("/v3/conversations/a:x/members").json()
    assert [m["name"] for m in everyone if m["id"] == "29:1-sam"] == ["Sam J"]
    assert control.post("/_sandbox/users", json={"id": "29:1-x"}).status_code == 400


def test_a_channel_made_through_graph_takes_bot_threads(
    control: httpx.Client, graph_as_user: httpx.Client, sandbox: SandboxTenant
) -> None:
    channels = f"/teams/{seed.TEAM_ID}/channels"
    made = graph_as_user.post(channels, json={"displayName": "INC-1 Apply is down"})
    assert made.status_code == 201
    channel_id = made.json()["id"]
    again = graph_as_user.post(channels, json={"displayName": "inc-1 apply is down"})
    assert again.status_code == 400
    assert graph_as_user.post(channels, json={"displayName": "a/b"}).status_code == 400
    listed = graph_as_user.get(channels).json()["value"]
    assert channel_id in [c["id"] for c in listed]
    thread = control.post(
        "/v3/conversations",
        json={"channelData": {"channel": {"id": channel_id}}, "activity": {"text": "Card"}},
    )
    assert thread.status_code == 201 and thread.json()["id"].startswith(f"{channel_id};")
    folder = sandbox.root / "teams" / seed.TEAM_NAME / "INC-1 Apply is down"
    assert [json.loads(p.read_text())["text"] for p in folder.glob("*.json")] == ["Card"]
