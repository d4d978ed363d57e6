"""For every test: the settings come from the test, never from the shell that runs pytest.

Settings read COMMS_ASSISTANT_* variables, so one left set by an operator (COMMS_ASSISTANT_HOME,
a real tenant's GRAPH_URL, SANDBOX_FAULTS) would change what a test sees. A test that wants one
sets it itself (monkeypatch.setenv), after this has run.
"""

from __future__ import annotations

import os

import pytest

# The `database_url` fixture (each test on SQLite and on PostgreSQL) and the session's cluster.
from postgres_cluster import database_url, postgres_cluster, store_url  # noqa: F401

PREFIX = "COMMS_ASSISTANT_"


@pytest.fixture(autouse=True)
def _no_settings_from_the_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith(PREFIX):
            monkeypatch.delenv(name)
