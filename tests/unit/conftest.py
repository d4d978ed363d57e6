from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from world import World
from world_build import build_world


@pytest.fixture
def world(tmp_path: Path) -> World:
    return build_world(tmp_path / "home", datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
