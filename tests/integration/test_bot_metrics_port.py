"""serve's /metrics away from the bot's own port (which the internet reaches): with
bot_metrics_port it is on metrics_host only, and the bot's port answers it 404."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import httpx
import pytest
from test_bot_harness import start_bot

from comms_assistant.entrypoints.bot.server import NotConfigured, serve


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_metrics_on_a_port_of_their_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    with start_bot(tmp_path, monkeypatch, bot_metrics_port=port) as bot:
        assert httpx.get(f"{bot.url}/metrics").status_code == 404
        health = httpx.get(f"{bot.url}/healthz")
        assert health.status_code == 200 and health.json()["status"] == "ok"
        own = httpx.get(f"http://127.0.0.1:{port}/metrics")
        assert own.status_code == 200
        assert "comms_assistant_outbox_pending_deliveries" in own.text
    with pytest.raises(httpx.ConnectError):  # closed with the bot
        httpx.get(f"http://127.0.0.1:{port}/metrics")


def test_a_taken_metrics_port_is_said_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        with start_bot(tmp_path, monkeypatch) as bot:
            settings = bot.settings.model_copy(
                update={"bot_metrics_port": port, "bot_port": free_port()}
            )
        switching = sys.getswitchinterval()  # serve() sets it for the whole process
        try:
            with pytest.raises(
                NotConfigured, match=rf"Port {port} on 127.0.0.1 is taken.*bot_metrics_port"
            ):
                serve(settings)
        finally:
            sys.setswitchinterval(switching)
