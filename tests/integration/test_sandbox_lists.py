"""The sandbox's SharePoint lists over HTTP, as Graph answers: a list made with its columns,
items with eTags that change on every write, 412 on a stale If-Match, 400 for a field that is
no column and for a filter on a column that is not indexed, 409 for a name taken."""

from __future__ import annotations

import json

import httpx

from comms_assistant.sandbox import SandboxTenant
from comms_assistant.sandbox.lists import lists_root

SITE = "/sites/example.sharepoint.com:/sites/incidents:"
COLUMNS = [{"name": "Reference", "text": {}, "indexed": True}, {"name": "Notes", "text": {}}]


def test_lists_items_etags_and_filters(graph: httpx.Client, sandbox: SandboxTenant) -> None:
    made = graph.post(f"{SITE}/lists", json={"displayName": "Register", "columns": COLUMNS})
    assert made.status_code == 201, made.text
    again = graph.post(f"{SITE}/lists", json={"displayName": "register", "columns": []})
    assert again.status_code == 409 and again.json()["error"]["code"] == "nameAlreadyExists"
    items = f"{SITE}/lists/{made.json()['id']}/items"

    item = graph.post(items, json={"fields": {"Title": "INC-1", "Reference": "INC-1"}}).json()
    assert item["id"] == "1" and item["eTag"].endswith(',1"')
    unknown = graph.post(items, json={"fields": {"Nope": "x"}})
    assert unknown.status_code == 400 and "Field 'Nope' is not recognized" in unknown.text

    changed = graph.patch(
        f"{items}/1/fields", json={"Notes": "first"}, headers={"If-Match": item["eTag"]}
    )
    assert changed.status_code == 200 and changed.json()["@odata.etag"].endswith(',2"')
    stale = graph.patch(
        f"{items}/1/fields", json={"Notes": "second"}, headers={"If-Match": item["eTag"]}
    )
    assert stale.status_code == 412

    found = graph.get(items, params={"expand": "fields", "$filter": "fields/Reference eq 'INC-1'"})
    assert [i["fields"]["Notes"] for i in found.json()["value"]] == ["first"]
    by_notes = {"expand": "fields", "$filter": "fields/Notes eq 'first'"}
    assert graph.get(items, params=by_notes).status_code == 400  # Notes is not indexed
    prefer = {"Prefer": "HonorNonIndexedQueriesWarningMayFailRandomly"}
    assert len(graph.get(items, params=by_notes, headers=prefer).json()["value"]) == 1

    # Kept as files a person can open, under the list's name.
    stored = lists_root(sandbox.root) / "Register" / "items" / "1.json"
    assert json.loads(stored.read_text())["fields"]["Notes"] == "first"
    page = httpx.get(f"{sandbox.base_url}/").text
    assert "<caption>Register</caption>" in page and "INC-1" in page
