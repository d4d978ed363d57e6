"""Faults on demand: rules from the control API and the environment, and what each one does."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest
from test_reliability_harness import app_token

from comms_assistant.bootstrap import bootstrap
from comms_assistant.config import Settings
from comms_assistant.sandbox import SandboxTenant, seed
from comms_assistant.sandbox.faults import ENV_VAR, FaultError, parse_rules

SITE = f"/sites/{seed.SITE_HOSTNAME}:/{seed.SITE_PATH}"


def add(control: httpx.Client, rules: object) -> list[dict[str, object]]:
    reply = control.post("/_sandbox/faults", json=rules)
    assert reply.status_code == 201, reply.text
    return list(reply.json()["value"])


def test_first_n_with_retry_after_then_through(
    graph: httpx.Client, control: httpx.Client, sandbox: SandboxTenant
) -> None:
    add(control, {"id": "r", "method": "GET", "path": "/sites/", "status": 429,
                  "retry_after": 7, "times": 2})  # fmt: skip
    first, second, third = (graph.get(SITE) for _ in range(3))
    assert [first.status_code, second.status_code, third.status_code] == [429, 429, 200]
    assert first.headers["Retry-After"] == "7"
    assert first.json()["error"]["code"] == "TooManyRequests"  # Graph's OData error body
    [rule] = control.get("/_sandbox/faults").json()["value"]
    assert rule["hits"] == 2 and rule["live"] is False
    logged = control.get("/_sandbox/log").json()["value"]
    assert [e["fault"] for e in logged if e["path"].startswith("/v1.0/sites")] == ["r", "r", None]
    assert logged[-1]["time"].endswith("Z")


def test_method_and_path_must_both_match_and_delete_clears(
    graph: httpx.Client, control: httpx.Client
) -> None:
    add(control, {"method": "POST", "path": "/sites/", "status": 503})
    assert graph.get(SITE).status_code == 200  # a GET is not a POST
    add(control, {"path": "SITES/", "status": 503})  # any method; the path is case-insensitive
    assert graph.get(SITE).status_code == 503
    assert control.delete("/_sandbox/faults").status_code == 204
    assert graph.get(SITE).status_code == 200


def test_probability_with_a_seed_is_repeatable(graph: httpx.Client, control: httpx.Client) -> None:
    def statuses() -> list[int]:
        control.delete("/_sandbox/faults")
        add(control, {"path": "/sites/", "status": 503, "probability": 0.5, "seed": 42})
        return [graph.get(SITE).status_code for _ in range(20)]

    first = statuses()
    assert first == statuses()
    assert 3 < first.count(503) < 17


def test_until_and_for_end_a_rule(graph: httpx.Client, control: httpx.Client) -> None:
    add(control, {"path": "/sites/", "status": 503, "until": "2000-01-01T00:00:00Z"})
    assert graph.get(SITE).status_code == 200  # already over
    add(control, {"path": "/sites/", "status": 504, "for": 0.3})
    assert graph.get(SITE).status_code == 504
    time.sleep(0.35)
    assert graph.get(SITE).status_code == 200


def test_delay_then_answer(graph: httpx.Client, control: httpx.Client) -> None:
    add(control, {"path": "/sites/", "delay": 0.3, "times": 1})
    started = time.monotonic()
    assert graph.get(SITE).status_code == 200
    assert time.monotonic() - started >= 0.3


def test_dropped_connection_and_accept_then_drop(
    graph: httpx.Client, control: httpx.Client, sandbox: SandboxTenant
) -> None:
    add(control, {"path": "/sites/", "drop": True, "times": 1})
    with pytest.raises(httpx.RemoteProtocolError):
        graph.get(SITE)
    assert sandbox.requests[-1].status == 0  # logged as "nothing answered"

    mail = {
        "message": {
            "subject": "s",
            "body": {"contentType": "text", "content": "x"},
            "toRecipients": [{"emailAddress": {"address": "a@example.org"}}],
        }
    }
    add(control, {"path": "/sendMail$", "drop": True, "after": True, "times": 1})
    with pytest.raises(httpx.RemoteProtocolError):
        graph.post(f"/users/{seed.MAILBOXES[0]}/sendMail", json=mail)
    sent = list((sandbox.root / "mail" / seed.MAILBOXES[0] / "Sent Items").glob("*.eml"))
    assert len(sent) == 1  # the work was done; only the answer was lost


def test_accept_then_fail_does_the_work_and_answers_503(
    graph: httpx.Client, control: httpx.Client
) -> None:
    add(control, {"method": "PUT", "path": "/content$", "status": 503, "after": True, "times": 1})
    drive = graph.get(f"{SITE}:/drive").json()["id"]
    reply = graph.put(f"/drives/{drive}/root:/Incident reports/x.txt:/content", content=b"v1")
    assert reply.status_code == 503 and reply.json()["error"]["code"] == "serviceNotAvailable"
    assert graph.get(f"/drives/{drive}/root:/Incident reports/x.txt").status_code == 200


def test_bad_rules_are_400_with_the_reason(control: httpx.Client) -> None:
    for bad, words in [
        ({"status": 503, "colour": "red"}, "unknown"),
        ({"path": "/x"}, "at least one"),
        ({"status": 200}, "error status"),
        ({"status": 503, "path": "("}, "regular expression"),
        ({"status": 503, "probability": 2}, "probability"),
        ({"after": True, "delay": 1}, "after"),
        ("not json", "JSON"),
    ]:
        reply = control.post("/_sandbox/faults", content=bad if isinstance(bad, str) else None,
                             json=None if isinstance(bad, str) else bad)  # fmt: skip
        assert reply.status_code == 400, bad
        assert words.lower() in reply.json()["error"]["message"].lower(), bad


def test_control_routes_are_never_faulted(control: httpx.Client) -> None:
    add(control, {"path": "", "status": 503})  # matches every path ...
    assert control.get("/_sandbox/faults").status_code == 200  # ... but not the controls


def test_rules_from_the_environment_at_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, '[{"method": "POST", "path": "/token$", "status": 503}]')
    with SandboxTenant(tmp_path / "t") as tenant:
        reply = httpx.post(tenant.token_url, data={"grant_type": "client_credentials"})
        assert reply.status_code == 503
    monkeypatch.setenv(ENV_VAR, '{"status": "soon"}')
    with pytest.raises(FaultError, match="'status' must be a number"):
        SandboxTenant(tmp_path / "t")


def test_rules_accept_a_list_one_rule_or_rules_key() -> None:
    now = 1000.0
    assert len(parse_rules('[{"status": 503}, {"drop": true}]', now)) == 2
    assert parse_rules({"rules": [{"status": 429, "for": 5}]}, now)[0].until == 1005.0
    assert parse_rules({"status": 423}, now)[0].error_code == "resourceLocked"


def test_a_client_that_leaves_mid_request_is_no_error_of_the_tenants(
    sandbox: SandboxTenant, graph: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    """A worker SIGKILLed while sending a body: the tenant notes it, without a traceback."""
    import logging
    import socket
    import time
    from urllib.parse import urlparse

    caplog.set_level(logging.INFO)
    url = urlparse(sandbox.graph_url)
    token = graph.headers["Authorization"]
    with socket.create_connection((url.hostname, url.port)) as raw:
        head = (
            f"POST {url.path}/users/incidents@example.org/sendMail HTTP/1.1\r\n"
            f"Host: {url.hostname}\r\nAuthorization: {token}\r\n"
            "Content-Type: application/json\r\nContent-Length: 500\r\n\r\n"
        )
        raw.sendall(head.encode() + b'{"message": {"subject": ')
        time.sleep(0.2)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and "client left" not in caplog.text:
        time.sleep(0.05)
    assert "client left during POST" in caplog.text
    assert "unexpected error" not in caplog.text and "Traceback" not in caplog.text
    still = graph.get("/users/incidents@example.org/mailFolders/sentitems/messages")
    assert still.status_code == 200 and still.json()["value"] == []  # serving; nothing sent


TEMPLATES = ("Incident report template.docx", "Incident review template.docx",
             "Major incident report template.docx", "Board report template.docx")  # fmt: skip


def start_dispatcher(settings: Settings) -> None:
    """What every delivering command does first: the sandbox is set up, then deliveries go."""

    async def main() -> None:
        async with bootstrap(settings).dispatcher():
            pass

    asyncio.run(main())


def test_a_fault_rule_never_stops_the_sandbox_being_seeded(tmp_path: Path) -> None:
    """A rule dropping every upload acts on the product's uploads, not on the templates' seeding."""
    drop = {"id": "uploads", "method": "PUT", "path": "/content$", "drop": True}
    with SandboxTenant(tmp_path / "tenant", faults=[drop]) as tenant:
        start_dispatcher(Settings(home=tmp_path / "home", sandbox_url=tenant.base_url))
        library = tenant.root / "sharepoint" / seed.SITE_NAME / seed.LIBRARY
        seeded = library / seed.TEMPLATES_FOLDER
        assert sorted(p.name for p in seeded.iterdir()) == sorted(TEMPLATES)
        assert [rule.hits for rule in tenant.faults.rules()] == [0]

        headers = {"Authorization": f"Bearer {app_token(tenant)}"}
        with httpx.Client(base_url=tenant.graph_url, headers=headers) as graph:
            drive = graph.get(f"{SITE}:/drive").json()["id"]
            # A client's upload is still dropped: as a close, or a reset if its body was unread.
            with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
                graph.put(f"/drives/{drive}/root:/Incident reports/x.txt:/content", content=b"x")
        assert [rule.hits for rule in tenant.faults.rules()] == [1]
        assert not (library / seed.REPORTS_FOLDER / "x.txt").exists()

        # Seeding again keeps what is there (an organisation's edited template stays).
        (seeded / TEMPLATES[0]).write_bytes(b"edited by the organisation")
        start_dispatcher(Settings(home=tmp_path / "home", sandbox_url=tenant.base_url))
        assert (seeded / TEMPLATES[0]).read_bytes() == b"edited by the organisation"


def test_rules_from_the_environment_spare_the_in_process_sandboxs_seeding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`COMMS_ASSISTANT_SANDBOX_FAULTS` and no sandbox_url: as `comms-assistant run` starts."""
    monkeypatch.setenv(ENV_VAR, '[{"method": "PUT", "path": "/content$", "drop": true}]')
    home = tmp_path / "home"
    start_dispatcher(Settings(home=home))
    seeded = home / "sandbox" / "sharepoint" / seed.SITE_NAME / seed.LIBRARY / seed.TEMPLATES_FOLDER
    assert sorted(p.name for p in seeded.iterdir()) == sorted(TEMPLATES)


def test_the_control_api_puts_a_file_as_the_sites_owner(
    control: httpx.Client, sandbox: SandboxTenant
) -> None:
    add(control, {"path": "", "status": 503})  # nothing gets through Graph, yet:
    where = {"path": "Incident reports/new folder/x.txt"}
    made = control.put("/_sandbox/file", params=where, content=b"one")
    assert made.status_code == 201 and made.json()["name"] == "x.txt"
    kept = control.put("/_sandbox/file", params=where | {"replace": "false"}, content=b"two")
    assert kept.status_code == 200 and kept.json()["id"] == made.json()["id"]
    on_disk = sandbox.root / "sharepoint" / seed.SITE_NAME / seed.LIBRARY / where["path"]
    assert on_disk.read_bytes() == b"one"
    replaced = control.put("/_sandbox/file", params=where, content=b"three")
    assert replaced.status_code == 200 and on_disk.read_bytes() == b"three"
    assert control.put("/_sandbox/file", content=b"x").status_code == 400
