"""Every package of the product is in pyproject.toml's list: an installed copy (CI, `pip install
.`) has only the listed ones, while a development install finds the rest on disk and hides the
gap (session 5: service/handlers was missing, and every CLI process failed to start)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_folder_is_listed_for_the_install() -> None:
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "comms_assistant").rglob("__init__.py")
    }
    assert sorted(on_disk - listed) == []
