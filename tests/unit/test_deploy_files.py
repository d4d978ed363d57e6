"""deploy/: the systemd units and the container image definition say what docs/setup.md says.

No container engine runs here, so the Containerfile is read as instructions and its health check
command is run against a local /healthz; the units go through `systemd-analyze verify`.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import typer

from comms_assistant.entrypoints.cli import app

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNITS = ("comms-assistant-serve.service", "comms-assistant-worker.service")
HOME = "/var/lib/comms-assistant"


def unit(name: str) -> dict[str, list[str]]:
    """`Section.Key` -> every value given (a key may repeat, as Environment= does)."""
    found: dict[str, list[str]] = {}
    section = ""
    for line in (DEPLOY / name).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        found.setdefault(f"{section}.{key.strip()}", []).append(value.strip())
    return found


def the(settings: dict[str, list[str]], key: str) -> str:
    [value] = settings[key]
    return value


@pytest.mark.parametrize("name", UNITS)
def test_each_unit_runs_as_its_own_user_with_secrets_apart_and_a_read_only_system(
    name: str,
) -> None:
    settings = unit(name)
    assert the(settings, "Service.User") == "comms-assistant"
    assert the(settings, "Service.EnvironmentFile") == "/etc/comms-assistant/secrets.env"
    assert the(settings, "Service.Restart") == "on-failure"
    assert the(settings, "Service.NoNewPrivileges") == "yes"
    assert the(settings, "Service.ProtectSystem") == "strict"
    assert f"COMMS_ASSISTANT_HOME={HOME}" in settings["Service.Environment"]
    assert the(settings, "Service.ReadWritePaths") == HOME, "only the state home is writable"
    assert the(settings, "Service.StateDirectory") == "comms-assistant"
    assert the(settings, "Service.UMask") == "0077"
    assert the(settings, "Install.WantedBy") == "multi-user.target"


@pytest.mark.parametrize(("name", "command"), [(UNITS[0], "serve"), (UNITS[1], "worker")])
def test_each_unit_starts_the_command_it_is_named_for(name: str, command: str) -> None:
    words = shlex.split(the(unit(name), "Service.ExecStart"))
    assert words[0] == "/opt/comms-assistant/bin/comms-assistant"
    assert words[1] == command
    assert command in typer.main.get_command(app).commands  # type: ignore[attr-defined]
    # The worker's /metrics and /healthz for monitoring; serve's /metrics off the bot's port.
    port = {"worker": "9464", "serve": "9465"}[command]
    assert words[2:] == ["--metrics-port", port]
    started = typer.main.get_command(app).commands[command]  # type: ignore[attr-defined]
    assert "--metrics-port" in {option for p in started.params for option in p.opts}


def test_systemd_finds_nothing_wrong_in_the_units(tmp_path: Path) -> None:
    verify = shutil.which("systemd-analyze")
    assert verify, "systemd-analyze is needed (Debian: apt-get install systemd)"
    installed = shutil.which("comms-assistant") or shutil.which("python3")
    assert installed
    for name in UNITS:  # verify insists the program exists: point at one that does
        text = (DEPLOY / name).read_text()
        (tmp_path / name).write_text(
            text.replace("/opt/comms-assistant/bin/comms-assistant", installed)
        )
    result = subprocess.run(
        [verify, "verify", *(str(tmp_path / n) for n in UNITS)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    # A value it cannot parse is a warning with exit status 0: any output is a fault.
    assert result.returncode == 0 and not (result.stdout + result.stderr).strip(), (
        result.stdout + result.stderr
    )


def instructions() -> list[tuple[str, str]]:
    """The Containerfile as (INSTRUCTION, arguments), continuation lines joined."""
    text = re.sub(r"\\\n", " ", (DEPLOY / "Containerfile").read_text())
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word.upper(), " ".join(rest.split())))
    return found


def test_the_image_installs_the_package_with_postgres_and_runs_as_a_user_of_its_own() -> None:
    steps = instructions()
    assert steps[0] == ("FROM", "python:3.11-slim")
    runs = [args for word, args in steps if word == "RUN"]
    assert any("pip install" in r and "[postgres]" in r for r in runs)
    users = [args for word, args in steps if word == "USER"]
    assert users and users[-1] not in {"root", "0"}
    last_user = max(i for i, (word, _) in enumerate(steps) if word == "USER")
    assert all(word != "RUN" for word, _ in steps[last_user:]), "nothing runs as root after USER"
    env = " ".join(args for word, args in steps if word == "ENV")
    assert f"COMMS_ASSISTANT_HOME={HOME}" in env and "METRICS_PORT=9464" in env
    [cmd] = [args for word, args in steps if word == "CMD"]
    assert "exec comms-assistant worker --metrics-port" in cmd


class Health(BaseHTTPRequestHandler):
    healthy = True

    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        ok = self.path == "/healthz" and Health.healthy
        self.send_response(200 if ok else 503)
        self.end_headers()
        self.wfile.write(b'{"status": "ok"}' if ok else b'{"status": "stale"}')

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def health_port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        Health.healthy = True


def test_the_health_check_asks_healthz_on_metrics_port_and_fails_when_unhealthy(
    health_port: int,
) -> None:
    [check] = [args for word, args in instructions() if word == "HEALTHCHECK"]
    options, _, command = check.partition(" CMD ")
    assert "--interval=" in options and "--timeout=" in options
    assert "http://127.0.0.1:${METRICS_PORT}/healthz" in command

    def probe() -> int:  # as the engine runs a shell-form CMD, in the image's environment
        env = os.environ | {"METRICS_PORT": str(health_port)}
        return subprocess.run(["/bin/sh", "-c", command], env=env, capture_output=True).returncode

    assert probe() == 0
    Health.healthy = False
    assert probe() != 0, "a 503 from /healthz marks the container unhealthy"
