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


def test_post_card_writes_json_and_answers_201(graph: httpx.Client, sandbox: SandboxTenant) -> None:
    reply = graph.post(URL, json=card_message())
    assert reply.status_code == 201
    posted = reply.json()
    assert posted["id"] and posted["createdDateTime"].endswith("Z")
    assert posted["channelIdentity"] == {"teamId": seed.TEAM_ID, "channelId": seed.CHANNEL_ID}
    [path] = (sandbox.root / "teams" / seed.TEAM_NAME / seed.CHANNEL_NAME).glob("*.json")
    assert path.name.endswith(f"-{posted['id']}.json") and ":" not in path.name
    assert json.loads(path.read_text())["attachments"][0]["contentType"] == CARD_TYPE


def test_attachment_not_referenced_in_body_is_400(
    graph: httpx.Client, sandbox: SandboxTenant
) -> None:
    reply = graph.post(URL, json=card_message(body_ref="other"))
    assert reply.status_code == 400
    assert reply.json()["error"]["code"] == "BadRequest"
    assert not list((sandbox.root / "teams").rglob("*.json"))


def test_card_content_must_be_a_json_string(graph: httpx.Client) -> None:
    assert graph.post(URL, json=card_message(card="{not json")).status_code == 400


def test_message_over_28_kb_is_refused(graph: httpx.Client) -> None:
    big = {"body": {"contentType": "text", "content": "x" * 29 * 1024}}
    assert graph.post(URL, json=big).status_code == 413


def test_bad_content_type_and_unknown_channel(graph: httpx.Client) -> None:
    bad = {"body": {"contentType": "markdown", "content": "hi"}}
    assert graph.post(URL, json=bad).status_code == 400
    other = f"/teams/{seed.TEAM_ID}/channels/19%3Anope%40thread.tacv2/messages"
    assert graph.post(other, json={"body": {"content": "hi"}}).status_code == 404
    assert graph.post(f"/teams/nope/channels/{CHANNEL}/messages", json={}).status_code == 404
