"""Files open in Word (423), a person's edit, versions, and the request log, through the real
msgraph-sdk where it has the call and httpx for the sandbox's own control API."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import httpx
import pytest
from docx import Document
from docx_text import document_text
from test_sandbox_sdk import make_client

from comms_assistant.sandbox import SandboxTenant, seed

pytestmark = pytest.mark.filterwarnings("ignore:.*is deprecated:DeprecationWarning")

REPORT = f"{seed.REPORTS_FOLDER}/2026-11-23 INC-1 Apply is down.docx"


def word_file(text: str) -> bytes:
    document = Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def upload(graph: httpx.Client, content: bytes) -> dict[str, Any]:
    drive = graph.get(f"/sites/{seed.SITE_HOSTNAME}:/{seed.SITE_PATH}:/drive").json()["id"]
    reply = graph.put(f"/drives/{drive}/root:/{REPORT}:/content", content=content)
    assert reply.status_code in {200, 201}
    return dict(reply.json())


def test_a_file_open_in_word_refuses_writes_with_423_until_closed(
    graph: httpx.Client, control: httpx.Client, sandbox: SandboxTenant
) -> None:
    from msgraph.generated.models.o_data_errors.o_data_error import ODataError

    item = upload(graph, word_file("v1"))
    drive = item["parentReference"]["driveId"]
    locked = control.post("/_sandbox/lock", json={"path": REPORT, "seconds": 60})
    assert locked.json()["item"] == item["id"] and locked.json()["until"].endswith("Z")
    assert control.get("/_sandbox/lock").json()["value"][0]["item"] == item["id"]

    async def save() -> None:
        client = make_client(sandbox)
        items = client.drives.by_drive_id(drive).items
        with pytest.raises(ODataError) as refused:
            await items.by_drive_item_id(item["id"]).content.put(b"v2")
        assert refused.value.response_status_code == 423
        assert refused.value.error.code == "resourceLocked"
        assert (await items.by_drive_item_id(item["id"]).get()).e_tag == item["eTag"]  # reads ok

    asyncio.run(save())
    assert graph.delete(f"/drives/{drive}/items/{item['id']}").status_code == 423
    assert control.request("DELETE", "/_sandbox/lock", json={"item": item["id"]}).status_code == 204
    put = graph.put(f"/drives/{drive}/items/{item['id']}/content", content=word_file("v2"))
    assert put.status_code == 200


def test_a_lock_ends_by_itself(graph: httpx.Client, control: httpx.Client) -> None:
    item = upload(graph, word_file("v1"))
    drive = item["parentReference"]["driveId"]
    control.post("/_sandbox/lock", json={"item": item["id"], "until": "2000-01-01T00:00:00Z"})
    assert graph.put(f"/drives/{drive}/items/{item['id']}/content", content=b"x").status_code == 200


def test_a_person_edit_moves_the_etag_and_keeps_the_text(
    graph: httpx.Client, control: httpx.Client, sandbox: SandboxTenant
) -> None:
    item = upload(graph, word_file("Our first line"))
    edited = control.post("/_sandbox/edit", json={"path": REPORT, "append": "Sam: <b>&amp;</b>"})
    assert edited.status_code == 200
    assert edited.json()["eTag"] != item["eTag"] and edited.json()["cTag"] != item["cTag"]
    drive = item["parentReference"]["driveId"]
    stale = graph.put(
        f"/drives/{drive}/items/{item['id']}/content",
        content=b"ours",
        headers={"If-Match": item["eTag"]},
    )
    assert stale.status_code == 412
    path = sandbox.root / "sharepoint" / seed.SITE_NAME / seed.LIBRARY / REPORT
    assert document_text(path, between="") == "Our first lineSam: <b>&amp;</b>"
    missing = control.post("/_sandbox/edit", json={"path": "nope.docx", "append": "x"})
    assert missing.status_code == 404


def test_versions_list_read_and_restore_with_the_sdk(
    graph: httpx.Client, sandbox: SandboxTenant
) -> None:
    first = upload(graph, b"one")
    upload(graph, b"two")
    upload(graph, b"three")
    drive = first["parentReference"]["driveId"]

    async def scenario() -> None:
        client = make_client(sandbox)
        item = client.drives.by_drive_id(drive).items.by_drive_item_id(first["id"])
        versions = await item.versions.get()
        assert [v.id for v in versions.value] == ["3.0", "2.0", "1.0"]
        assert [v.size for v in versions.value] == [5, 3, 3]
        assert await item.versions.by_drive_item_version_id("1.0").content.get() == b"one"
        await item.versions.by_drive_item_version_id("1.0").restore_version.post()
        again = await item.versions.get()
        assert [v.id for v in again.value] == ["4.0", "3.0", "2.0", "1.0"]  # an undo, kept
        assert await item.content.get() == b"one"

    asyncio.run(scenario())
    assert graph.get(f"/drives/{drive}/items/{first['id']}/versions/9.0").status_code == 404


def test_the_log_lists_every_request_and_can_be_cleared(
    graph: httpx.Client, control: httpx.Client
) -> None:
    graph.get("/sites/nowhere.example.com:/sites/x")
    log = control.get("/_sandbox/log").json()
    assert log["count"] == len(log["value"]) >= 2  # the token request and the Graph call
    last = log["value"][-1]
    assert (last["method"], last["status"]) == ("GET", 404)
    assert last["path"] == "/v1.0/sites/nowhere.example.com:/sites/x"
    later = control.get("/_sandbox/log", params={"since": log["count"]}).json()["value"]
    assert [e["path"] for e in later] == ["/_sandbox/log"]  # the previous look at the log
    assert control.delete("/_sandbox/log").status_code == 204
    after = control.get("/_sandbox/log").json()["value"]
    assert [(e["method"], e["path"]) for e in after] == [("DELETE", "/_sandbox/log")]
