"""Fixtures for tests that run real HTTP against the sandbox tenant."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from comms_assistant.sandbox import SandboxTenant


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxTenant]:
    """A fresh sandbox tenant on 127.0.0.1, state under tmp_path / "sandbox"."""
    with SandboxTenant(tmp_path / "sandbox") as tenant:
        yield tenant


@pytest.fixture
def graph(sandbox: SandboxTenant) -> Iterator[httpx.Client]:
    """An httpx client for the sandbox's Graph, already holding a token."""
    reply = httpx.post(
        sandbox.token_url,
        data={
            "grant_type": "client_credentials",
            "client_id": "tests",
            "client_secret": "secret",
            "scope": "https://graph.microsoft.com/.default",
        },
    )
    reply.raise_for_status()
    headers = {"Authorization": f"Bearer {reply.json()['access_token']}"}
    with httpx.Client(base_url=sandbox.graph_url, headers=headers) as client:
        yield client
