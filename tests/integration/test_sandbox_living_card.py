"""The sandbox's routes for a card kept up to date in place: Graph's PATCH of a channel message
and its replies, the Bot Connector's update activity and its thread replies, with fault rules."""

from __future__ import annotations

import json

import httpx

from comms_assistant.sandbox import SandboxTenant, message_history, seed

CHANNEL = "19%3Aincidents0000000000000000000001%40thread.tacv2"
URL = f"/teams/{seed.TEAM_ID}/channels/{CHANNEL}/messages"
CARD_TYPE = "application/vnd.microsoft.card.adaptive"


def card_message(text: str, attachment: str = "card-1") -> dict[str, object]:
    card = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": text}]}
    return {
        "body": {"contentType": "html", "content": f'<attachment id="{attachment}"></attachment>'},
        "attachments": [{"id": attachment, "contentType": CARD_TYPE, "content": json.dumps(card)}],
    }


def activity(text: str) -> dict[str, object]:
    card = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": text}]}
    return {"type": "message", "attachments": [{"contentType": CARD_TYPE, "content": card}]}


def channel_folder(sandbox: SandboxTenant) -> list[dict[str, object]]:
    folder = sandbox.root / "teams" / seed.TEAM_NAME / seed.CHANNEL_NAME
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]


def test_graph_patch_changes_the_message_in_place_and_keeps_what_it_said(
    graph_as_user: httpx.Client, graph: httpx.Client, sandbox: SandboxTenant
) -> None:
    root = graph_as_user.post(URL, json=card_message("P2: Apply is down")).json()
    assert graph.patch(f"{URL}/{root['id']}", json=card_message("P1")).status_code == 401

    changed = graph_as_user.patch(f"{URL}/{root['id']}", json=card_message("P1: Apply is down"))

    assert changed.status_code == 204
    [stored] = channel_folder(sandbox)
    assert stored["id"] == root["id"] and stored["version"] == 2
    assert "P1: Apply is down" in str(stored["attachments"])
    assert stored["lastEditedDateTime"] and stored["etag"] != root["etag"]
    folder = sandbox.root / "teams" / seed.TEAM_NAME / seed.CHANNEL_NAME
    [path] = folder.glob("*.json")
    [before] = message_history.versions(path)
    assert before["version"] == 1 and "P2: Apply is down" in str(before["message"])
    assert graph.get(f"{URL}/{root['id']}").json()["version"] == 2
    # The body must still name the attachment it carries.
    broken = card_message("P1", attachment="other") | {"body": root["body"]}
    assert graph_as_user.patch(f"{URL}/{root['id']}", json=broken).status_code == 400
    assert graph_as_user.patch(f"{URL}/404", json=card_message("x")).status_code == 404


def test_graph_only_the_sender_may_change_a_message(
    graph_as_user: httpx.Client, sandbox: SandboxTenant
) -> None:
    root = graph_as_user.post(URL, json=card_message("Someone else's")).json()
    folder = sandbox.root / "teams" / seed.TEAM_NAME / seed.CHANNEL_NAME
    [path] = folder.glob("*.json")
    theirs = json.loads(path.read_text())
    theirs["from"]["user"]["id"] = "someone-else"
    path.write_text(json.dumps(theirs))
    refused = graph_as_user.patch(f"{URL}/{root['id']}", json=card_message("mine now"))
    assert refused.status_code == 403


def test_graph_replies_go_in_the_thread_and_the_channel_lists_its_roots(
    graph_as_user: httpx.Client, graph: httpx.Client
) -> None:
    root = graph_as_user.post(URL, json=card_message("The incident")).json()
    reply = graph_as_user.post(f"{URL}/{root['id']}/replies", json=card_message("Update 1"))
    assert reply.status_code == 201 and reply.json()["replyToId"] == root["id"]

    assert [m["id"] for m in graph.get(URL).json()["value"]] == [root["id"]]
    replies = graph.get(f"{URL}/{root['id']}/replies").json()["value"]
    assert [m["id"] for m in replies] == [reply.json()["id"]]
    again = f"{URL}/{reply.json()['id']}/replies"
    assert graph_as_user.post(again, json=card_message("x")).status_code == 400
    assert graph_as_user.post(f"{URL}/404/replies", json=card_message("x")).status_code == 404


def test_bot_connector_thread_root_update_and_replies(
    control: httpx.Client, sandbox: SandboxTenant
) -> None:
    started = control.post(
        "/v3/conversations",
        json={"isGroup": True, "channelData": {"channel": {"id": seed.CHANNEL_ID}},
              "activity": activity("P2: Apply is down")},
    ).json()  # fmt: skip
    thread, root = started["id"], started["activityId"]
    assert thread == f"{seed.CHANNEL_ID};messageid={root}", "the thread is named after its root"
    reply = control.post(f"/v3/conversations/{thread}/activities", json=activity("Update 1"))
    assert reply.status_code == 200

    updated = control.put(f"/v3/conversations/{thread}/activities/{root}", json=activity("P1"))

    assert updated.status_code == 200 and updated.json() == {"id": root}
    first, second = channel_folder(sandbox)
    assert first["id"] == root and first["version"] == 2 and "P1" in str(first["attachments"])
    assert first["conversation"] == {"id": thread} and first["lastUpdated"]
    assert second["conversation"] == {"id": thread} and "Update 1" in str(second["attachments"])
    folder = sandbox.root / "teams" / seed.TEAM_NAME / seed.CHANNEL_NAME
    [path] = [p for p in folder.glob("*.json") if p.name.endswith(f"-{root}.json")]
    [before] = message_history.versions(path)
    assert "P2: Apply is down" in str(before["message"]["attachments"])
    assert "updated, version 2" in control.get("/").text  # the sandbox's page says so
    missing = control.put(f"/v3/conversations/{thread}/activities/404", json=activity("x"))
    assert missing.status_code == 404
    typing = control.put(f"/v3/conversations/{thread}/activities/{root}", json={"type": "typing"})
    assert typing.status_code == 400


def test_the_bot_cannot_update_a_message_it_did_not_send(
    control: httpx.Client, graph_as_user: httpx.Client
) -> None:
    posted = graph_as_user.post(URL, json=card_message("Posted by a person")).json()
    thread = f"{seed.CHANNEL_ID};messageid={posted['id']}"
    put = control.put(f"/v3/conversations/{thread}/activities/{posted['id']}", json=activity("x"))
    assert put.status_code == 403


def test_fault_rules_reach_the_new_routes(
    control: httpx.Client, graph_as_user: httpx.Client, sandbox: SandboxTenant
) -> None:
    root = graph_as_user.post(URL, json=card_message("The incident")).json()
    rules = [
        {"method": "PATCH", "path": "/messages/[^/]+$", "status": 429, "retry_after": 2,
         "times": 1},
        {"method": "POST", "path": "/replies$", "status": 503, "after": True, "times": 1},
        {"method": "PUT", "path": "/v3/conversations/.*/activities/", "status": 503, "times": 1},
    ]  # fmt: skip
    assert control.post("/_sandbox/faults", json=rules).status_code == 201

    throttled = graph_as_user.patch(f"{URL}/{root['id']}", json=card_message("P1"))
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "2"
    assert graph_as_user.patch(f"{URL}/{root['id']}", json=card_message("P1")).status_code == 204
    lost = graph_as_user.post(f"{URL}/{root['id']}/replies", json=card_message("Update 1"))
    assert lost.status_code == 503  # ...but the reply was made: the answer is what was lost
    replies = graph_as_user.get(f"{URL}/{root['id']}/replies").json()["value"]
    assert len(replies) == 1
    thread = f"{seed.CHANNEL_ID};messageid={root['id']}"
    assert (
        control.put(f"/v3/conversations/{thread}/activities/1", json=activity("x")).status_code
        == 503
    )
    fired = {r["path"]: r["hits"] for r in control.get("/_sandbox/faults").json()["value"]}
    assert set(fired.values()) == {1}
