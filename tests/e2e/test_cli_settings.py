"""Settings mistakes get a plain answer naming the setting, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def cli(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    installed = Path(sys.executable).parent / "comms-assistant"
    command = (
        [str(installed)]
        if installed.exists()
        else [sys.executable, "-m", "comms_assistant.entrypoints.cli"]
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("COMMS_ASSISTANT_")}
    clean |= {"COMMS_ASSISTANT_HOME": str(home)} | env
    return subprocess.run(
        [*command, *args], env=clean, cwd=home.parent, capture_output=True, text=True, timeout=120
    )


def test_a_real_tenant_without_a_way_to_sign_in_is_told_what_to_set(tmp_path: Path) -> None:
    home = tmp_path / "home"
    tenant = {"COMMS_ASSISTANT_GRAPH_URL": "https://graph.microsoft.com/v1.0"}
    opened = cli(home, "run", "open Find is slow p3 services: find", "--as", "a@example.org",
                 **tenant)  # fmt: skip
    assert opened.returncode == 2, opened.stdout + opened.stderr
    assert "is open at P3" in opened.stdout, "the change was stored and answered first"
    assert "Settings problem" in opened.stderr and "COMMS_ASSISTANT_CLIENT_SECRET" in opened.stderr
    assert "Traceback" not in opened.stderr


def test_an_invalid_setting_names_the_variable(tmp_path: Path) -> None:
    result = cli(tmp_path / "home", "run", "status", COMMS_ASSISTANT_PROFILE="nhs")
    assert result.returncode == 2
    assert "Settings problem" in result.stderr and "nhs" in result.stderr
    assert "Traceback" not in result.stderr
