"""Teams channel messages in the sandbox tenant."""

from __future__ import annotations

import json

import httpx

from comms_assistant.sandbox import SandboxTenant, seed

CHANNEL = "19%3Aincidents0000000000000000000001%40thread.tacv2"
URL = f"/teams/{seed.TEAM_ID}/channels/{CHANNEL}/messages"
CARD_TYPE = "application/vnd.microsoft.card.adaptive"


def card_message(body_ref: str = "card-1", card: str | None = None) -> dict[str, object]:
    card = card or json.dumps({"type": "AdaptiveCard", "version": "1.5", "body": []})
    return {
        "body": {"contentType": "html", "content": f'<attachment id="{body_ref}"></attachment>'},
        "attachments": [{"id": "card-1", "contentType": CARD_TYPE, "content": card}],
    }


def test_post_card_writes_json_and_answers_201(
    graph_as_user: httpx.Client, sandbox: SandboxTenant
) -> None:
    reply = graph_as_user.post(URL, json=card_message())
    assert reply.status_code == 201
    posted = reply.json()
    assert posted["id"] and posted["createdDateTime"].endswith("Z")
    assert posted["channelIdentity"] == {"teamId": seed.TEAM_ID, "channelId": seed.CHANNEL_ID}
    [path] = (sandbox.root / "teams" / seed.TEAM_NAME / seed.CHANNEL_NAME).glob("*.json")
    assert path.name.endswith(f"-{posted['id']}.json") and ":" not in path.name
    assert json.loads(path.read_text())["attachments"][0]["contentType"] == CARD_TYPE


def test_attachment_not_referenced_in_body_is_400(
    graph_as_user: httpx.Client, sandbox: SandboxTenant
) -> None:
    reply = graph_as_user.post(URL, json=card_message(body_ref="other"))
    assert reply.status_code == 400
    assert reply.json()["error"]["code"] == "BadRequest"
    assert not list((sandbox.root / "teams").rglob("*.json"))


def test_card_content_must_be_a_json_string(graph_as_user: httpx.Client) -> None:
    assert graph_as_user.post(URL, json=card_message(card="{not json")).status_code == 400


def test_message_over_28_kb_is_refused(graph_as_user: httpx.Client) -> None:
    big = {"body": {"contentType": "text", "content": "x" * 29 * 1024}}
    assert graph_as_user.post(URL, json=big).status_code == 413


def test_bad_content_type_and_unknown_channel(graph_as_user: httpx.Client) -> None:
    bad = {"body": {"contentType": "markdown", "content": "hi"}}
    assert graph_as_user.post(URL, json=bad).status_code == 400
    other = f"/teams/{seed.TEAM_ID}/channels/19%3Anope%40thread.tacv2/messages"
    assert graph_as_user.post(other, json={"body": {"content": "hi"}}).status_code == 404
    assert (
        graph_as_user.post(f"/teams/nope/channels/{CHANNEL}/messages", json={}).status_code == 404
    )


def test_an_app_only_token_may_read_but_not_post(
    graph: httpx.Client, graph_as_user: httpx.Client
) -> None:
    refused = graph.post(URL, json=card_message())
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "Unauthorized"
    assert "import" in refused.json()["error"]["message"]
    assert graph_as_user.post(URL, json=card_message()).status_code == 201
    assert len(graph.get(URL).json()["value"]) == 1


def test_delegated_tokens_need_the_service_accounts_password(sandbox: SandboxTenant) -> None:
    form = {
        "grant_type": "password",
        "client_id": "tests",
        "username": seed.SERVICE_ACCOUNT,
        "password": "wrong",
    }
    refused = httpx.post(sandbox.token_url, data=form)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    granted = httpx.post(
        sandbox.token_url, data={**form, "password": seed.SERVICE_ACCOUNT_PASSWORD}
    )
    assert "ChannelMessage.Send" in granted.json()["scope"].split()


def test_chat_messages_land_under_chats(
    graph_as_user: httpx.Client, sandbox: SandboxTenant
) -> None:
    chat = "19:1a2b3c_4d5e@unq.gbl.spaces"
    url = f"/chats/{chat.replace(':', '%3A').replace('@', '%40')}/messages"
    posted = graph_as_user.post(url, json=card_message())
    assert posted.status_code == 201
    assert posted.json()["chatId"] == chat and posted.json()["channelIdentity"] is None
    assert posted.json()["from"]["user"]["displayName"] == seed.SERVICE_ACCOUNT_NAME
    [path] = (sandbox.root / "chats").rglob("*.json")
    assert path.parent.name == "19_1a2b3c_4d5e@unq.gbl.spaces"  # no ':' in a folder name
    assert graph_as_user.get(url).json()["value"][0]["id"] == posted.json()["id"]
    assert graph_as_user.post("/chats/nope/messages", json=card_message()).status_code == 404
