"""Fixtures for tests that run real HTTP against the sandbox tenant."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from test_reliability_harness import FakeClock, Product, app_token, user_token

from comms_assistant.bootstrap import bootstrap
from comms_assistant.config import Settings
from comms_assistant.sandbox import SandboxTenant


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxTenant]:
    """A fresh sandbox tenant on 127.0.0.1, state under tmp_path / "sandbox"."""
    with SandboxTenant(tmp_path / "sandbox", faults=[]) as tenant:
        yield tenant


@pytest.fixture
def graph(sandbox: SandboxTenant) -> Iterator[httpx.Client]:
    """An httpx client for the sandbox's Graph, holding an app-only token."""
    headers = {"Authorization": f"Bearer {app_token(sandbox)}"}
    with httpx.Client(base_url=sandbox.graph_url, headers=headers) as client:
        yield client


@pytest.fixture
def graph_as_user(sandbox: SandboxTenant) -> Iterator[httpx.Client]:
    """An httpx client for the sandbox's Graph, holding a delegated token."""
    headers = {"Authorization": f"Bearer {user_token(sandbox)}"}
    with httpx.Client(base_url=sandbox.graph_url, headers=headers) as client:
        yield client


@pytest.fixture
def control(sandbox: SandboxTenant) -> Iterator[httpx.Client]:
    """An httpx client for the sandbox's control API (/_sandbox/...)."""
    with httpx.Client(base_url=sandbox.base_url) as client:
        yield client


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def product(tmp_path: Path, clock: FakeClock) -> Iterator[Product]:
    """The product, bootstrapped on its own home, talking to a sandbox that shares its clock."""
    with SandboxTenant(tmp_path / "tenant", faults=[], clock=clock.epoch) as tenant:
        settings = Settings(home=tmp_path / "home", sandbox_url=tenant.base_url)
        yield Product(bootstrap(settings, clock=clock), tenant, clock)
