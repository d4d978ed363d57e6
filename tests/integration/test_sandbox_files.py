"""SharePoint files in the sandbox tenant, over plain HTTP."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from comms_assistant.sandbox import SandboxTenant, seed

REPORT = f"{seed.REPORTS_FOLDER}/2026-11-23 Incident report.docx"


def drive_id(graph: httpx.Client) -> str:
    site = graph.get(f"/sites/{seed.SITE_HOSTNAME}:/{seed.SITE_PATH}").json()
    return graph.get(f"/sites/{site['id']}/drives").json()["value"][0]["id"]


def library(sandbox: SandboxTenant) -> Path:
    return sandbox.root / "sharepoint" / seed.SITE_NAME / seed.LIBRARY


def test_site_by_path_literal_trailing_colon_and_encoded(graph: httpx.Client) -> None:
    literal = graph.get(f"/sites/{seed.SITE_HOSTNAME}:/{seed.SITE_PATH}")
    colon = graph.get(f"/sites/{seed.SITE_HOSTNAME}:/{seed.SITE_PATH}:")
    encoded = graph.get("/sites/example.sharepoint.com%3A%2Fsites%2Fincidents")
    assert literal.status_code == colon.status_code == encoded.status_code == 200
    assert literal.json()["id"] == colon.json()["id"] == encoded.json()["id"]
    hostname, *guids = literal.json()["id"].split(",")
    assert hostname == seed.SITE_HOSTNAME and len(guids) == 2
    missing = graph.get(f"/sites/{seed.SITE_HOSTNAME}:/sites/nowhere")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "itemNotFound"


def test_first_start_makes_the_library_folders(graph: httpx.Client, sandbox: SandboxTenant) -> None:
    site_id = graph.get(f"/sites/{seed.SITE_HOSTNAME}:/{seed.SITE_PATH}").json()["id"]
    drive = graph.get(f"/sites/{site_id}/drive").json()
    assert drive["driveType"] == "documentLibrary" and drive["name"] == seed.LIBRARY
    names = {
        item["name"] for item in graph.get(f"/drives/{drive['id']}/root/children").json()["value"]
    }
    assert names == {seed.TEMPLATES_FOLDER, seed.REPORTS_FOLDER, seed.SECURITY_REPORTS_FOLDER}
    assert (library(sandbox) / seed.REPORTS_FOLDER).is_dir()
    assert (library(sandbox) / seed.SECURITY_REPORTS_FOLDER).is_dir()


def test_put_by_path_creates_then_replaces_with_new_etag_and_ctag(
    graph: httpx.Client, sandbox: SandboxTenant
) -> None:
    drive = drive_id(graph)
    created = graph.put(f"/drives/{drive}/root:/{REPORT}:/content", content=b"one")
    assert created.status_code == 201
    replaced = graph.put(f"/drives/{drive}/root:/{REPORT}:/content", content=b"two")
    assert replaced.status_code == 200
    first, second = created.json(), replaced.json()
    assert first["id"] == second["id"]
    assert first["eTag"] != second["eTag"] and first["cTag"] != second["cTag"]
    assert second["parentReference"]["path"] == f"/drives/{drive}/root:/{seed.REPORTS_FOLDER}"
    assert second["file"]["mimeType"].endswith("wordprocessingml.document")
    assert (library(sandbox) / REPORT).read_bytes() == b"two"


def test_every_write_changes_etag_and_rename_keeps_ctag(graph: httpx.Client) -> None:
    drive = drive_id(graph)
    item = graph.put(f"/drives/{drive}/root:/{REPORT}:/content", content=b"x").json()
    etags = {item["eTag"]}
    for body in (b"a", b"b", b"c"):
        item = graph.put(f"/drives/{drive}/items/{item['id']}/content", content=body).json()
        etags.add(item["eTag"])
    assert len(etags) == 4
    renamed = graph.patch(f"/drives/{drive}/items/{item['id']}", json={"name": "renamed.docx"})
    assert renamed.status_code == 200
    assert renamed.json()["eTag"] not in etags
    assert renamed.json()["cTag"] == item["cTag"]


def test_if_match_mismatch_is_412_precondition_failed(graph: httpx.Client) -> None:
    drive = drive_id(graph)
    item = graph.put(f"/drives/{drive}/root:/{REPORT}:/content", content=b"v1").json()
    graph.put(f"/drives/{drive}/items/{item['id']}/content", content=b"someone else")
    stale = graph.put(
        f"/drives/{drive}/items/{item['id']}/content",
        content=b"mine",
        headers={"If-Match": item["eTag"]},
    )
    assert stale.status_code == 412
    error = stale.json()["error"]
    assert error["code"] == "preconditionFailed" and "request-id" in error["innerError"]
    current = graph.get(f"/drives/{drive}/items/{item['id']}").json()
    fresh = graph.put(
        f"/drives/{drive}/items/{item['id']}/content",
        content=b"mine",
        headers={"If-Match": current["eTag"]},
    )
    assert fresh.status_code == 200


def test_percent_encoded_item_paths_as_the_sdk_sends_them(graph: httpx.Client) -> None:
    drive = drive_id(graph)
    folder = graph.get(f"/drives/{drive}/root:/{seed.REPORTS_FOLDER}").json()
    put = graph.put(
        f"/drives/{drive}/items/{folder['id']}%3A%2Fa%20b.docx%3A/content", content=b"bytes"
    )
    assert put.status_code == 201
    by_encoded = graph.get(f"/drives/{drive}/items/root%3A%2FIncident%20reports%2Fa%20b.docx%3A")
    by_literal = graph.get(f"/drives/{drive}/items/root:/Incident reports/a b.docx:")
    assert by_encoded.json()["id"] == by_literal.json()["id"] == put.json()["id"]
    children = graph.get(f"/drives/{drive}/root:/{seed.REPORTS_FOLDER}:/children").json()["value"]
    assert [child["name"] for child in children] == ["a b.docx"]
    missing = graph.get(f"/drives/{drive}/root:/{seed.REPORTS_FOLDER}/nope.docx:")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "itemNotFound"


def test_content_redirects_to_a_preauthenticated_url(graph: httpx.Client) -> None:
    drive = drive_id(graph)
    item = graph.put(f"/drives/{drive}/root:/{REPORT}:/content", content=b"docx bytes").json()
    reply = graph.get(f"/drives/{drive}/items/{item['id']}/content")
    assert reply.status_code == 302
    assert httpx.get(reply.headers["Location"]).content == b"docx bytes"  # no token


def test_copy_answers_202_and_the_monitor_must_be_polled(graph: httpx.Client) -> None:
    drive = drive_id(graph)
    template = graph.put(
        f"/drives/{drive}/root:/{seed.TEMPLATES_FOLDER}/template.docx:/content", content=b"T"
    ).json()
    folder = graph.get(f"/drives/{drive}/root:/{seed.REPORTS_FOLDER}:").json()
    body = {"parentReference": {"driveId": drive, "id": folder["id"]}, "name": "copy.docx"}
    reply = graph.post(f"/drives/{drive}/items/{template['id']}/copy", json=body)
    assert reply.status_code == 202 and reply.content == b""
    monitor = reply.headers["Location"]
    assert monitor.startswith("http://127.0.0.1:")
    polls = [httpx.get(monitor).json() for _ in range(2)]  # no token
    assert [poll["status"] for poll in polls] == ["inProgress", "completed"]
    copied = graph.get(f"/drives/{drive}/items/{polls[1]['resourceId']}").json()
    assert copied["name"] == "copy.docx" and copied["parentReference"]["id"] == folder["id"]

    again = graph.post(
        f"/drives/{drive}/items/{template['id']}/copy?@microsoft.graph.conflictBehavior=fail",
        json=body,
    )
    assert again.status_code == 202
    httpx.get(again.headers["Location"])
    failed = httpx.get(again.headers["Location"]).json()
    assert failed["status"] == "failed" and failed["error"]["code"] == "nameAlreadyExists"

    renamed = graph.post(
        f"/drives/{drive}/items/{template['id']}/copy?@microsoft.graph.conflictBehavior=rename",
        json=body,
    )
    httpx.get(renamed.headers["Location"])
    done = httpx.get(renamed.headers["Location"]).json()
    assert graph.get(f"/drives/{drive}/items/{done['resourceId']}").json()["name"] == "copy 1.docx"


@pytest.mark.parametrize(
    "name",
    [
        "a:b.docx",
        'quote".docx',
        " lead.docx",
        "trail.docx ",
        "~$lock.docx",
        "CON",
        "com1.docx",
        "desktop.ini",
        ".lock",
        "x_vti_y.docx",
        "a|b.docx",
    ],
)
def test_sharepoint_name_rules(graph: httpx.Client, name: str) -> None:
    drive = drive_id(graph)
    folder = graph.get(f"/drives/{drive}/root:/{seed.REPORTS_FOLDER}:").json()
    from urllib.parse import quote

    reply = graph.put(
        f"/drives/{drive}/items/{folder['id']}:/{quote(name, safe='')}:/content", content=b"x"
    )
    assert reply.status_code == 400, reply.text
    assert reply.json()["error"]["code"] == "invalidRequest"


def test_path_longer_than_400_characters_is_refused(graph: httpx.Client) -> None:
    drive = drive_id(graph)
    reply = graph.put(f"/drives/{drive}/root:/{'d' * 200}/{'f' * 200}.docx:/content", content=b"")
    assert reply.status_code == 400 and reply.json()["error"]["code"] == "invalidRequest"


def test_state_survives_a_restart_with_the_same_ids(tmp_path: Path) -> None:
    root = tmp_path / "sandbox"
    token_body = {"grant_type": "client_credentials", "client_id": "c", "client_secret": "s"}
    with SandboxTenant(root) as first:
        token = httpx.post(first.token_url, data=token_body).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=first.graph_url, headers=headers) as graph:
            drive = drive_id(graph)
            item = graph.put(f"/drives/{drive}/root:/{REPORT}:/content", content=b"1").json()
    with SandboxTenant(root) as second:
        headers = {"Authorization": f"Bearer {token}"}  # tokens live in the db, too
        with httpx.Client(base_url=second.graph_url, headers=headers) as graph:
            assert drive_id(graph) == drive
            again = graph.get(f"/drives/{drive}/root:/{REPORT}").json()
    assert again["id"] == item["id"] and again["eTag"] == item["eTag"]


def test_hand_dropped_and_hand_edited_files_are_noticed(
    graph: httpx.Client, sandbox: SandboxTenant
) -> None:
    drive = drive_id(graph)
    (library(sandbox) / seed.TEMPLATES_FOLDER / "dropped.docx").write_bytes(b"by hand")
    dropped = graph.get(f"/drives/{drive}/root:/{seed.TEMPLATES_FOLDER}/dropped.docx").json()
    assert dropped["size"] == 7
    (library(sandbox) / seed.TEMPLATES_FOLDER / "dropped.docx").write_bytes(b"edited by hand")
    edited = graph.get(f"/drives/{drive}/items/{dropped['id']}").json()
    assert edited["eTag"] != dropped["eTag"] and edited["size"] == 14


def test_delete_then_get_is_404(graph: httpx.Client) -> None:
    drive = drive_id(graph)
    item = graph.put(f"/drives/{drive}/root:/{REPORT}:/content", content=b"x").json()
    assert graph.delete(f"/drives/{drive}/items/{item['id']}").status_code == 204
    assert graph.get(f"/drives/{drive}/items/{item['id']}").status_code == 404


def test_site_scoped_drive_paths(graph: httpx.Client) -> None:
    site = f"/sites/{seed.SITE_HOSTNAME}:/{seed.SITE_PATH}:"
    put = graph.put(f"{site}/drive/root:/{REPORT}:/content", content=b"x")
    assert put.status_code == 201
    site_id = graph.get(site).json()["id"]
    drive = drive_id(graph)
    by_id = graph.get(f"/sites/{site_id}/drives/{drive}/items/{put.json()['id']}")
    assert by_id.json()["name"] == REPORT.rsplit("/", 1)[1]
