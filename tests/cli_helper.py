"""Running `comms-assistant` in the tests as people run it: a separate process, or the typer app
in this one when only its output and exit code matter.

Shared by the unit, integration and end-to-end tests: tests/ is on sys.path because pytest puts
the folder of tests/conftest.py there (rootdir import mode "prepend"), so `from cli_helper
import ...` works from every folder of tests.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner, Result

from comms_assistant.entrypoints.cli import app

PREFIX = "COMMS_ASSISTANT_"


def cli_command() -> list[str]:
    """The installed `comms-assistant` script, or `python -m` on the module when not installed."""
    installed = Path(sys.executable).parent / "comms-assistant"
    if installed.exists():
        return [str(installed)]
    return [sys.executable, "-m", "comms_assistant.entrypoints.cli"]


def run_cli(
    home: Path, *args: str, command: list[str] | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """One `comms-assistant` process beside `home`, with no settings from the shell: only the home
    folder and `env` (COMMS_ASSISTANT_... names). `command`: another way to start it."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(PREFIX)}
    clean |= {f"{PREFIX}HOME": str(home)} | env
    return subprocess.run(
        [*(command or cli_command()), *args],
        env=clean,
        cwd=home.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )


def invoke(*args: str, input: str | None = None) -> Result:  # noqa: A002 (CliRunner's name)
    """`comms-assistant ARGS` run in this process: its output and exit code."""
    return CliRunner().invoke(app, list(args), input=input)
